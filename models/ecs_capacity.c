/*
 * ecs_capacity.c - capacity providers (aws-semantics.md §3.1-§3.3):
 *
 * Strategy split: the first `base` tasks go to the provider with base > 0;
 * beyond it each new task goes to argmin over providers with weight > 0 of
 * (n_i + 1) / w_i, n_i counting that provider's tasks beyond its base; ties
 * to the first provider (the documented-as-undocumented rounding, §3.3;
 * deterministic). No fallback between providers.
 *
 * Managed scaling, evaluated every minute per provider:
 *   N = running instances of the ASG, P = its PROVISIONING tasks;
 *   P > 0: needed = ceil(P / tasks-per-instance of the largest type) (0 when
 *          the task does not fit the smallest type: no scaling),
 *          add = needed < minStep ? minStep : min(maxStep, needed), M = N + add,
 *          desired = N == 0 ? 2 : ceil(M x 100 / targetCapacity);
 *          blocked while any instance is within instanceWarmupPeriod of launch;
 *   P = 0: M = instances with at least one task, CPR = M / N x 100;
 *          CPR > target: scale out to ceil(M x 100 / target) (warm-up applies);
 *          CPR < target for 15 consecutive minutes and >= 15 min after the
 *          last scale-out: scale in to max(ceil(M x 100 / target),
 *          N - max(1, (N - 1) / 2)) (less than half per minute, §3.2).
 * Managed termination protection: an instance is scale-in protected exactly
 * while it runs tasks.
 */
#include <math.h>

#include "models/ecs.h"

int ss_ecs_strategy_split(const ss_capacity_provider *cps, int n_cps, const int *n_tasks)
{
    for (int i = 0; i < n_cps; i++)
        if (cps[i].base > 0 && n_tasks[i] < cps[i].base)
            return i;
    int best = -1;
    double best_v = 0;
    for (int i = 0; i < n_cps; i++) {
        if (cps[i].weight <= 0)
            continue;
        int beyond = n_tasks[i] - (cps[i].base > 0 ? cps[i].base : 0);
        if (beyond < 0)
            beyond = 0;
        double v = (double)(beyond + 1) / cps[i].weight;
        if (best < 0 || v < best_v - 1e-12) {
            best = i;
            best_v = v;
        }
    }
    return best < 0 ? 0 : best;
}

int ss_ecs_pick_provider(const ss_ecs *e)
{
    int n[SS_MAX_PROVIDERS];
    for (int i = 0; i < e->n_cps; i++)
        n[i] = e->cps[i].n_tasks;
    return ss_ecs_strategy_split(e->sc->providers, e->n_cps, n);
}

void ss_ecs_update_protection(ss_ecs *e, ss_instance *in)
{
    int cp = e->cp_of_asg[in->asg];
    if (cp >= 0 && e->sc->providers[cp].managed_termination_protection)
        in->protected_ = in->ntasks > 0;
}

int ss_ecs_tasks_per_instance(const ss_ecs *e, int cp, bool largest)
{
    const ss_service *s = &e->sc->service;
    const ss_asg_group *g = &e->asgs[e->sc->providers[cp].asg];
    int best = -1;
    for (int i = 0; i < g->n_types; i++) {
        const ss_pool *p = ss_data_pool(e->d, g->type_idx[i], g->zone_idx[0]);
        int by_cpu = s->task_cpu > 0 ? (int)floor(p->vcpu * 1024.0 / s->task_cpu + 1e-9) : 1 << 20;
        int by_mem = s->task_memory_mib > 0 ? (int)floor(p->memory_mib / s->task_memory_mib + 1e-9) : 1 << 20;
        int k = by_cpu < by_mem ? by_cpu : by_mem;
        if (s->distinct_instance && k > 1)
            k = 1;
        if (best < 0 || (largest ? k > best : k < best))
            best = k;
    }
    return best < 0 ? 0 : best;
}

int ss_ecs_scale_out_desired(int n_running, int provisioning, int per_instance, int min_step, int max_step,
                             int target_capacity)
{
    if (provisioning <= 0 || per_instance <= 0)
        return -1;
    if (n_running == 0)
        return 2; /* "scale out to two instances first" (§3.2 item 5) */
    int needed = (provisioning + per_instance - 1) / per_instance;
    int add = needed < min_step ? min_step : (needed < max_step ? needed : max_step);
    int M = n_running + add;
    return (M * 100 + target_capacity - 1) / target_capacity;
}

static void cp_tick(ss_ecs *e, int cp)
{
    const ss_capacity_provider *c = &e->sc->providers[cp];
    ss_ecs_cp *st = &e->cps[cp];
    ss_asg_group *g = &e->asgs[c->asg];
    ss_time now = ss_evq_now(e->q);
    /* counters kept up to date by the ASG hooks and the task lifecycle */
    int N = st->n_running, busy = st->n_busy, P = st->provisioning;
    bool warming = now - st->last_launch < c->instance_warmup;
    if (P > 0) {
        st->low_datapoints = 0;
        if (ss_ecs_tasks_per_instance(e, cp, false) <= 0 || warming)
            return; /* does not fit the smallest type / warm-up blocks */
        int want = ss_ecs_scale_out_desired(N, P, ss_ecs_tasks_per_instance(e, cp, true), c->min_scaling_step,
                                            c->max_scaling_step, c->target_capacity);
        if (want > g->desired) {
            ss_asg_set_desired(g, want);
            st->last_scale_out = now;
        }
        return;
    }
    int tgt = c->target_capacity;
    int want = (busy * 100 + tgt - 1) / tgt;
    if (N > 0 && busy * 100 > tgt * N) {
        st->low_datapoints = 0;
        if (!warming && want > g->desired) {
            ss_asg_set_desired(g, want);
            st->last_scale_out = now;
        }
        return;
    }
    if (N > 0 && busy * 100 < tgt * N) {
        st->low_datapoints++;
        if (st->low_datapoints >= 15 && now - st->last_scale_out >= 15 * SS_MINUTE) {
            int step = (N - 1) / 2;
            if (step < 1)
                step = 1;
            int floor_n = N - step;
            int nd = want > floor_n ? want : floor_n;
            if (nd < g->desired)
                ss_asg_set_desired(g, nd);
        }
        return;
    }
    st->low_datapoints = 0;
}

static void on_cp_tick(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    ss_ecs *e = ev->obj;
    cp_tick(e, (int)ev->a);
    ss_evq_schedule(q, ss_evq_now(q) + SS_MINUTE, SS_ECS_EV_CP_TICK, e, ev->a, 0);
}

void ss_ecs_register_cp_events(ss_ecs *e)
{
    ss_evq_on(e->q, SS_ECS_EV_CP_TICK, on_cp_tick, NULL);
    for (int i = 0; i < e->n_cps; i++) {
        e->cps[i].last_scale_out = e->start - SS_DAY;
        e->cps[i].last_launch = e->start - SS_DAY; /* the initial fleet is warm */
        if (e->sc->providers[i].managed_scaling)
            ss_evq_schedule(e->q, e->start + SS_MINUTE, SS_ECS_EV_CP_TICK, e, i, 0);
    }
}
