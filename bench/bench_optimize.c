/*
 * bench_optimize.c - optimizer throughput.
 *
 *  1. engine overhead: a trivial evaluator, 20,000 evaluations (grid of
 *     candidates x replicas) - what the driver itself costs per evaluation;
 *  2. the real simulator: a generated 30-day ECS scenario with 100 instances
 *     (4 types x 3 zones, hourly Spot prices, stochastic interruptions),
 *     evaluated through ss_scenario_set + ss_evaluate on 1 and 2 threads
 *     (20 candidates x 20 replicas): evaluations per second per core, CPU
 *     time per evaluation and the 2-thread speed-up. Wall-clock rates need
 *     an otherwise idle machine; the CPU time per evaluation does not.
 *  3. `bench_optimize --profile N`: N serial ss_evaluate calls of the base
 *     scenario only (for perf record), with the events of one evaluation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datasets/market_data.h"
#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "policies/optimize.h"
#include "policies/optimize_eval.h"
#include "sim/scenario/scenario_io.h"

static int trivial(void *ctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    (void)ctx;
    (void)err;
    memset(out, 0, sizeof *out);
    out->cost_per_month_usd = c->x[0] + 0.1 * c->x[1];
    out->availability = 1.0 - 0.001 * (c->x[1] + 1) / (c->x[0] + 1) - 1e-6 * replica;
    return 0;
}

static void config(ss_opt_config *cfg, int threads, int replicas)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->method = SS_SEARCH_GRID;
    cfg->budget = 1000000;
    cfg->replicas = replicas;
    cfg->seed = 1;
    strcpy(cfg->objectives[0], "cost_per_month_usd");
    strcpy(cfg->objectives[1], "availability");
    cfg->threads = threads;
}

static const ss_time T0 = 1583020800000LL; /* 2020-03-01T00:00:00Z */

static ss_data *world(ss_scenario *sc)
{
    static const char *types[] = {"m5.large", "c5.large", "m5a.large", "r5.large"};
    static const char *zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
    ss_scenario_defaults(sc);
    strcpy(sc->name, "bench");
    strcpy(sc->market.region, "us-east-1");
    sc->market.n_types = 4;
    sc->market.n_zones = 3;
    ss_data *d = ss_data_new(4, 3);
    size_t n = 30 * 24;
    ss_time *t = malloc(n * sizeof *t);
    double *p = malloc(n * sizeof *p);
    for (int ti = 0; ti < 4; ti++) {
        strcpy(sc->market.types[ti].name, types[ti]);
        sc->market.types[ti].vcpu = 2;
        sc->market.types[ti].memory_mib = 8192;
        sc->market.types[ti].ondemand_usd_per_hour = 0.096 + 0.01 * ti;
        for (int z = 0; z < 3; z++) {
            if (ti == 0)
                strcpy(sc->market.zones[z], zones[z]);
            ss_pool *pl = &d->pools[ti * 3 + z];
            pl->type_idx = ti;
            pl->zone_idx = z;
            strcpy(pl->instance_type, types[ti]);
            strcpy(pl->zone, zones[z]);
            pl->vcpu = 2;
            pl->memory_mib = 8192;
            pl->ondemand_usd_per_hour = 0.096 + 0.01 * ti;
            pl->hazard_per_hour = 0.002 * (1 + ti + z);
            pl->advisor_bucket = -1;
            pl->advisor_savings_pct = -1;
            for (size_t i = 0; i < n; i++) {
                t[i] = T0 + (ss_time)i * SS_HOUR;
                p[i] = pl->ondemand_usd_per_hour * (0.3 + 0.05 * sin((double)i / 7.0 + ti + 2 * z));
            }
            ss_price_series_set(&pl->spot, t, p, n);
        }
    }
    free(t);
    free(p);
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    sc->start = T0;
    sc->end = T0 + 30 * SS_DAY;
    sc->market.interruptions = SS_INTERRUPT_STOCHASTIC;
    ss_asg *a = &sc->asgs[sc->n_asgs++];
    ss_asg_defaults(a);
    strcpy(a->name, "fleet");
    a->min_size = 100;
    a->max_size = 130;
    a->desired_capacity = 100;
    a->od_percentage_above_base = 20;
    a->spot_allocation = SS_SPOT_PRICE_CAPACITY_OPTIMIZED;
    ss_capacity_provider *cp = &sc->providers[sc->n_providers++];
    ss_capacity_provider_defaults(cp);
    cp->asg = 0;
    sc->service.desired_count = 100;
    sc->service.task_cpu = 2048; /* one task per instance: 100 instances */
    sc->service.task_memory_mib = 4096;
    sc->service.spot_draining = true;
    return d;
}

/* CPU seconds of the whole process (all threads): robust to a loaded machine. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* `bench_optimize --profile N`: N serial evaluations of the base scenario
 * (replicas 0..N-1) as the optimizer makes them (ss_scenario_eval_fn: a
 * scenario copy per evaluation) and nothing else, for perf record. */
static int profile(int n)
{
    ss_scenario *sc = malloc(sizeof *sc);
    ss_data *d = world(sc);
    ss_err err;
    ss_space sp;
    memset(&sp, 0, sizeof sp);
    sp.bind = &ss_scenario_binder;
    ss_space_add_range(&sp, "asg.on_demand_base_capacity", 0, 0, 1, true, &err);
    ss_scenario_eval_ctx ctx = {sc, &sp, d};
    ss_candidate c;
    memset(&c, 0, sizeof c);
    c.n = 1;
    double c0 = cpu_seconds(), t0 = ss_wall_seconds(), cost = 0, notices = 0, launches = 0;
    for (int i = 0; i < n; i++) {
        ss_metrics m;
        if (ss_scenario_eval_fn(&ctx, &c, i, &m, &err)) {
            fprintf(stderr, "bench_optimize: %s\n", err.msg);
            return 1;
        }
        cost += m.cost_usd;
        notices += (double)m.interruptions;
        launches += (double)m.launches;
    }
    double cpu = cpu_seconds() - c0, wall = ss_wall_seconds() - t0;
    /* events of one evaluation (replica 0) through the step-wise API */
    ss_ecs *e = ss_ecs_new(sc, d, 1, 0, NULL, &err);
    uint64_t events = 0;
    if (e) {
        ss_metrics m;
        ss_ecs_finish(e, &m);
        events = ss_evq_dispatched(e->q);
        ss_ecs_free(e);
    }
    printf("bench_optimize: %d serial evaluations: %.3f ms CPU, %.3f ms wall per evaluation "
           "(mean cost %.2f USD, %.1f interruptions, %.1f launches; %llu events in replica 0)\n", n, 1e3 * cpu / n,
           1e3 * wall / n, cost / n, notices / n, launches / n, (unsigned long long)events);
    ss_data_free(d);
    free(sc);
    return 0;
}

int main(int argc, char **argv)
{
    ss_err err;
    if (argc == 3 && !strcmp(argv[1], "--profile"))
        return profile(atoi(argv[2]));
    /* 1. engine overhead */
    ss_space sp;
    memset(&sp, 0, sizeof sp);
    ss_space_add_range(&sp, "a", 0, 99, 1, true, &err);
    ss_space_add_range(&sp, "b", 0, 19, 1, true, &err);
    ss_opt_config cfg;
    config(&cfg, 1, 10);
    ss_opt_result r;
    double t0 = ss_wall_seconds();
    if (ss_optimize_run(&sp, &cfg, trivial, NULL, NULL, NULL, 0, &r, &err)) {
        fprintf(stderr, "bench_optimize: %s\n", err.msg);
        return 1;
    }
    double dt = ss_wall_seconds() - t0;
    long evals = (long)r.n * cfg.replicas;
    printf("bench_optimize: engine overhead (trivial evaluator, 1 thread): %ld evaluations in %.3f s "
           "= %.2f us/evaluation\n", evals, dt, 1e6 * dt / (double)evals);
    ss_opt_result_free(&r);

    /* 2. the simulator */
    ss_scenario *sc = malloc(sizeof *sc);
    ss_data *d = world(sc);
    memset(&sp, 0, sizeof sp);
    sp.bind = &ss_scenario_binder;
    const char *pct[] = {"0", "20", "50", "100"};
    ss_space_add_range(&sp, "asg.on_demand_base_capacity", 0, 20, 5, true, &err);
    ss_space_add_values(&sp, "asg.on_demand_percentage_above_base_capacity", pct, 4, &err);
    ss_scenario_eval_ctx ctx = {sc, &sp, d};
    double rate[3] = {0};
    /* Each thread count: a warm-up run (allocator thresholds, caches), then
     * the best of 5 timed runs of 2,000 evaluations (about a second each: the
     * machine is shared, and shorter runs measured the neighbours' load more
     * than the code; the best run is the one least disturbed). */
    for (int threads = 1; threads <= 2; threads++) {
        double best = 0, best_cpu = 0;
        int failed = 0;
        for (int rep = 0; rep < 6; rep++) {
            config(&cfg, threads, 100); /* 20 candidates x 100 replicas: 2,000 evaluations */
            t0 = ss_wall_seconds();
            double c0 = cpu_seconds();
            if (ss_optimize_run(&sp, &cfg, ss_scenario_eval_fn, &ctx, NULL, NULL, 0, &r, &err)) {
                fprintf(stderr, "bench_optimize: %s\n", err.msg);
                return 1;
            }
            dt = ss_wall_seconds() - t0;
            double cpu = cpu_seconds() - c0;
            evals = (long)r.n * cfg.replicas;
            for (int i = 0; i < r.n; i++)
                failed += r.c[i].failed;
            if (failed)
                fprintf(stderr, "bench_optimize: %s\n", r.c[0].error ? r.c[0].error : "?");
            ss_opt_result_free(&r);
            if (rep > 0 && (best == 0 || (double)evals / dt > best)) {
                best = (double)evals / dt;
                best_cpu = cpu;
            }
        }
        rate[threads] = best;
        printf("bench_optimize: ECS 30 d x 100 instances, %d thread(s): %ld evaluations, best of 5: %.3f s = "
               "%.1f evaluations/s (%.1f per core; %.3f ms CPU per evaluation)%s\n",
               threads, evals, (double)evals / best, best, best / threads, 1e3 * best_cpu / (double)evals,
               failed ? " [FAILURES]" : "");
    }
    printf("bench_optimize: speed-up 2 threads vs 1: %.2fx (target >= 1.8x; per-core target >= 1000/s)\n",
           rate[2] / rate[1]);

    /* 2,000 evaluations in a bare OpenMP loop (no driver batches,
     * no folding): how the evaluation itself scales. */
    double raw[3] = {0};
    ss_candidate *cands = calloc(20, sizeof *cands);
    for (int i = 0; i < 20; i++) {
        cands[i].n = 2;
        cands[i].x[0] = (double)(i % 5); /* grid indices, as the driver makes them */
        cands[i].x[1] = (double)(i / 5);
    }
    for (int threads = 1; threads <= 2; threads++) {
        int bad = 0;
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            t0 = ss_wall_seconds();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : bad)
            for (int k = 0; k < 2000; k++) {
                ss_metrics m;
                ss_err e2;
                bad += ss_scenario_eval_fn(&ctx, &cands[k % 20], k / 20, &m, &e2) != 0;
            }
            dt = ss_wall_seconds() - t0;
            if (2000.0 / dt > best)
                best = 2000.0 / dt;
        }
        raw[threads] = best;
        printf("bench_optimize: bare loop, %d thread(s): 2000 evaluations, best of 5: %.3f s = %.1f "
               "evaluations/s%s\n", threads, 2000.0 / best, best, bad ? " [FAILURES]" : "");
    }
    printf("bench_optimize: bare loop speed-up 2 threads vs 1: %.2fx\n", raw[2] / raw[1]);
    free(cands);
    ss_data_free(d);
    free(sc);
    return 0;
}
