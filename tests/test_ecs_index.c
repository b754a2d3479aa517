/*
 * test_ecs_index.c - the placement index (models/ecs_index.c) picks what the
 * scan of every open instance picks: for each placement strategy list the
 * index supports (spread by zone / type / instance, binpack by memory / CPU,
 * in several orders, with and without distinctInstance), a 10-day ECS run
 * with stochastic interruptions, pool bursts and managed scaling gives the
 * same metrics and the same timeline, row for row, with the index and with
 * the scan (ss_ecs_placement_scan). Any different pick changes the task
 * restarts, the timeline or the cost. Each list runs with a fixed desired
 * count and with a demand trace that halves the service every 6 hours, so
 * the service scale-in index (models/ecs_victims.c) is compared with its
 * scan too, and placement follows tasks released from live instances (a
 * release once re-keyed the instance before its task count dropped: the
 * index then preferred an instance with more tasks).
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/ecs.h"
#include "tests/ecs_fixture.h"

static void run(const ss_scenario *sc, const ss_data *d, bool scan, ss_metrics *m, ss_timeline *tl)
{
    ss_err err;
    ss_ecs_placement_scan = scan;
    if (ss_ecs_simulate(sc, d, 11, 0, NULL, m, tl, &err))
        fail_msg("%s", err.msg);
    ss_ecs_placement_scan = false;
}

static void test_index_matches_scan(void **state)
{
    (void)state;
    /* 3 types x 3 zones; types differ in size so binpack has choices */
    const double spot[3] = {0.03, 0.05, 0.09}, od[3] = {0.1, 0.2, 0.4};
    ss_data *d = fx_data(3, 3, spot, od, 4, 16384);
    for (int p = 0; p < 9; p++) {
        d->pools[p].vcpu = 2 << (d->pools[p].type_idx);          /* 2, 4, 8 vCPU */
        d->pools[p].memory_mib = 4096.0 * (1 << d->pools[p].type_idx);
        d->pools[p].hazard_per_hour = 0.01 * (1 + p % 3);
        d->pools[p].burst_rate_per_hour = 1.0 / 48;
    }
    d->span_end = FX_T0 + 10 * SS_DAY;
    static const ss_placement lists[][3] = {
        {{SS_PLACE_SPREAD, SS_FIELD_ZONE}, {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}},
        {{SS_PLACE_BINPACK, SS_FIELD_MEMORY}},
        {{SS_PLACE_BINPACK, SS_FIELD_CPU}},
        {{SS_PLACE_SPREAD, SS_FIELD_INSTANCE_TYPE}, {SS_PLACE_BINPACK, SS_FIELD_MEMORY}},
        {{SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}, {SS_PLACE_SPREAD, SS_FIELD_ZONE}},
        {{SS_PLACE_BINPACK, SS_FIELD_CPU}, {SS_PLACE_SPREAD, SS_FIELD_ZONE}, {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_TYPE}},
    };
    static const int n_lists[] = {0, 1, 1, 2, 2, 3}; /* 0: the service default */
    /* demand: 90 tasks, 45 from hour 6 to 12 of each day, 90 again ... */
    char dem[] = "/tmp/test_ecs_index_XXXXXX";
    int fd = mkstemp(dem);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    for (int h = -24; h <= 11 * 24; h++)
        fprintf(fp, "%lld,%d\n", (long long)(FX_T0 / 1000 + (ss_time)h * 3600), (h / 6) % 2 ? 45 : 90);
    assert_int_equal(fclose(fp), 0);
    int compared = 0;
    for (size_t k = 0; k < sizeof n_lists / sizeof *n_lists; k++)
        for (int distinct = 0; distinct < 2; distinct++)
        for (int demand = 0; demand < 2; demand++) {
            ss_scenario *sc = calloc(1, sizeof *sc);
            fx_scenario(sc, 3, 3, 10 * SS_DAY, 30, 20);
            sc->asgs[0].max_size = 60;
            sc->market.interruptions = SS_INTERRUPT_STOCHASTIC;
            sc->market.burst_beta_a = 1;
            sc->market.burst_beta_b = 3;
            sc->providers[0].managed_scaling = true;
            sc->service.desired_count = distinct ? 25 : 90;
            sc->service.task_cpu = 512;
            sc->service.task_memory_mib = 1024;
            sc->service.distinct_instance = distinct;
            sc->service.spot_draining = true;
            if (demand) {
                snprintf(sc->service.demand_trace, sizeof sc->service.demand_trace, "%s", dem);
                sc->service.target_value = distinct ? 3.6 : 1; /* 25 / 12 tasks with distinctInstance */
            }
            sc->service.n_placement = n_lists[k];
            for (int j = 0; j < n_lists[k]; j++)
                sc->service.placement[j] = lists[k][j];
            ss_metrics a, b;
            ss_timeline ta = {0}, tb = {0};
            run(sc, d, false, &a, &ta);
            run(sc, d, true, &b, &tb);
            if (memcmp(&a, &b, sizeof a))
                fail_msg("strategy list %zu, distinct %d, demand %d: metrics differ (restarts %lld vs %lld, cost %.6f "
                         "vs %.6f)",
                         k, distinct, demand, (long long)a.task_restarts, (long long)b.task_restarts, a.cost_usd,
                         b.cost_usd);
            assert_int_equal(ta.n, tb.n);
            for (size_t i = 0; i < ta.n; i++) {
                const ss_timeline_row *x = &ta.rows[i], *y = &tb.rows[i];
                if (x->t != y->t || x->healthy != y->healthy || x->running != y->running || x->pending != y->pending ||
                    x->spot_instances != y->spot_instances || x->od_instances != y->od_instances)
                    fail_msg("strategy list %zu, distinct %d, demand %d: timeline row %zu differs", k, distinct, demand,
                             i);
            }
            if (demand) { /* the service did scale in and out */
                int lo = 1 << 30, hi = 0;
                for (size_t i = 0; i < ta.n; i++) {
                    int n = (int)ta.rows[i].running;
                    lo = n < lo ? n : lo;
                    hi = n > hi ? n : hi;
                }
                if (!(hi - lo >= (distinct ? 8 : 30)))
                    fail_msg("strategy list %zu, distinct %d: running tasks only between %d and %d", k, distinct, lo,
                             hi);
            }
            /* the run did place, stop and replace tasks (else it shows nothing) */
            assert_true(a.interruptions > 0);
            assert_true(a.task_restarts > 0);
            ss_timeline_free(&ta);
            ss_timeline_free(&tb);
            free(sc);
            compared++;
        }
    assert_int_equal(compared, 24);
    remove(dem);
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_index_matches_scan)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
