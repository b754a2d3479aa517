/*
 * optimize_eval.c - the glue between the optimizer and the simulator:
 * a candidate becomes a copy of the base scenario with each search
 * parameter set by its key path (the space's binder, supplied by the scenario
 * reader), evaluated by ss_evaluate
 * with the scenario's seed and the replica index (common random numbers:
 * every candidate sees the same keyed draws). Also the perfect-foresight
 * cost floor.
 */
#include "policies/optimize_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/eval.h"
#include "policies/evaluate.h"
#include "models/market.h"

int ss_candidate_scenario(const ss_scenario *base, const ss_space *sp, const ss_candidate *c,
                          ss_scenario *out, ss_err *err)
{
    memcpy(out, base, sizeof *out);
    if (sp->n > 0 && (!sp->bind || !sp->bind->set || !sp->bind->validate))
        return ss_err_set(err, "candidate %d: the search space has no parameter binder", c->id);
    for (int i = 0; i < sp->n; i++) {
        char v[SS_NAME_MAX + 64];
        ss_space_value_text(sp, c, i, v, sizeof v);
        if (sp->bind->set(out, sp->p[i].path, v, err))
            return ss_err_prefix(err, "candidate %d: %s = %s", c->id, sp->p[i].path, v);
    }
    if (sp->n > 0 && sp->bind->validate(out, err))
        return ss_err_prefix(err, "candidate %d", c->id);
    return 0;
}

int ss_scenario_eval_fn(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    const ss_scenario_eval_ctx *ctx = vctx;
    /* heap copy: a scenario is large for an OpenMP worker's stack */
    ss_scenario *sc = ss_malloc(sizeof *sc);
    int rc = ss_candidate_scenario(ctx->base, ctx->space, c, sc, err);
    if (!rc)
        rc = ss_evaluate(sc, ctx->data, ctx->base->seed, replica, out, NULL, err);
    free(sc);
    return rc;
}

/* Tasks (ECS) or pods (Kubernetes) that fit one instance of a pool. */
static double per_instance(const ss_scenario *sc, const ss_pool *p)
{
    double by_cpu, by_mem;
    if (sc->orchestrator == SS_ORCH_ECS) {
        by_cpu = sc->service.task_cpu > 0 ? floor(p->vcpu * 1024.0 / sc->service.task_cpu) : INFINITY;
        by_mem = sc->service.task_memory_mib > 0 ? floor(p->memory_mib / sc->service.task_memory_mib) : INFINITY;
    } else {
        const ss_deployment *d = &sc->k8s.deployment;
        by_cpu = d->cpu_request > 0 ? floor(p->vcpu / d->cpu_request) : INFINITY;
        by_mem = d->memory_request_mib > 0 ? floor(p->memory_mib / d->memory_request_mib) : INFINITY;
    }
    double k = fmin(by_cpu, by_mem);
    return isfinite(k) ? k : 1.0;
}

static int cmp_time(const void *a, const void *b)
{
    ss_time x = *(const ss_time *)a, y = *(const ss_time *)b;
    return (x > y) - (x < y);
}

int ss_cost_floor(const ss_scenario *sc, const ss_data *d, double *usd_per_month, ss_err *err)
{
    *usd_per_month = NAN;
    ss_time a, b;
    if (ss_data_horizon(sc->start, sc->end, d, "cost floor", &a, &b, err))
        return -1;
    double required = sc->orchestrator == SS_ORCH_ECS ? sc->service.desired_count
                                                      : sc->k8s.deployment.replicas;
    int np = d->n_types * d->n_zones;
    /* breakpoints: every price change of every pool inside the horizon */
    size_t nt = 1, cap = 0;
    ss_time *t = NULL;
    SS_GROW(t, cap, 1);
    t[0] = a;
    for (int p = 0; p < np; p++) {
        const ss_price_series *s = &d->pools[p].spot;
        for (size_t i = 0; i < s->n; i++)
            if (s->t[i] > a && s->t[i] < b) {
                SS_GROW(t, cap, nt + 1);
                t[nt++] = s->t[i];
            }
    }
    qsort(t, nt, sizeof *t, cmp_time);
    double usd = 0;
    for (size_t i = 0; i < nt; i++) {
        if (i > 0 && t[i] == t[i - 1])
            continue;
        ss_time s0 = t[i], s1 = b;
        for (size_t j = i + 1; j < nt; j++)
            if (t[j] > s0) {
                s1 = t[j];
                break;
            }
        /* cheapest price per task among pools with Spot price evidence now,
         * and On-Demand (never interrupted) */
        double best = INFINITY;
        for (int p = 0; p < np; p++) {
            const ss_pool *pl = &d->pools[p];
            double k = per_instance(sc, pl);
            if (k < 1)
                continue;
            bool covered = false;
            double price = pl->spot.n ? ss_price_at(&pl->spot, s0, &covered) : 0;
            if (covered && price > 0)
                best = fmin(best, price / k);
            if (pl->ondemand_usd_per_hour > 0)
                best = fmin(best, pl->ondemand_usd_per_hour / k);
        }
        if (!isfinite(best)) {
            free(t);
            return ss_err_set(err, "cost floor: no priced pool fits a task at some instant");
        }
        usd += best * required * (double)(s1 - s0) / (double)SS_HOUR;
    }
    free(t);
    double hours = (double)(b - a) / (double)SS_HOUR;
    *usd_per_month = usd * 720.0 / hours;
    return 0;
}
