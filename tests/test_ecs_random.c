/*
 * test_ecs_random.c - the `random` placement strategy ("random: places
 * tasks randomly", Amazon ECS task placement strategies). The placement
 * index draws uniformly among the open instances of the groups that tie on
 * the strategies before it and drops those that do not fit (rejection
 * sampling, models/ecs_index.c); the scan (ss_ecs_placement_scan, and any
 * list with a spread by instance or a binpack before random) takes the best
 * keyed draw of every instance that fits. Both must be uniform among the
 * instances that fit, never place a task where it does not fit, honour a
 * spread by zone before random, and repeat themselves for one seed.
 */
#include "tests/testutil.h"

#include <stdlib.h>

#include "models/ecs.h"
#include "tests/ecs_fixture.h"

/* nt types x nz zones, `instances` On-Demand instances in service at the
 * start, `tasks` tasks of task_cpu CPU units each (2 vCPU = 2048 units per
 * instance), placement pl[0..np). */
static ss_ecs *world(ss_scenario *sc, ss_data **d, int nt, int nz, int instances, int tasks, double task_cpu,
                     const ss_placement *pl, int np, uint64_t seed)
{
    double spot[SS_MAX_TYPES], od[SS_MAX_TYPES];
    for (int t = 0; t < nt; t++) {
        spot[t] = 0.05;
        od[t] = 0.1;
    }
    *d = fx_data(nt, nz, spot, od, 2, 65536);
    fx_scenario(sc, nt, nz, SS_HOUR, instances, 100);
    sc->asgs[0].max_size = instances;
    sc->service.desired_count = tasks;
    sc->service.task_cpu = task_cpu;
    sc->service.task_memory_mib = 1;
    sc->service.n_placement = np;
    for (int k = 0; k < np; k++)
        sc->service.placement[k] = pl[k];
    ss_err err;
    ss_ecs *e = ss_ecs_new(sc, *d, seed, 0, NULL, &err);
    if (!e)
        fail_msg("%s", err.msg);
    if (ss_ecs_check(e, &err))
        fail_msg("%s", err.msg);
    return e;
}

/* Pearson's chi-square of the task counts of the instances against equal
 * shares. */
static double chi2(const ss_ecs *e, int tasks)
{
    double expect = (double)tasks / e->fleet.n, x = 0;
    for (int i = 0; i < e->fleet.n; i++) {
        double dlt = ss_fleet_inst(&e->fleet, i)->ntasks - expect;
        x += dlt * dlt / expect;
    }
    return x;
}

static const ss_placement RANDOM = {SS_PLACE_RANDOM, SS_FIELD_NONE};
static const ss_placement SPREAD_ZONE = {SS_PLACE_SPREAD, SS_FIELD_ZONE};
static const ss_placement BINPACK_CPU = {SS_PLACE_BINPACK, SS_FIELD_CPU};

/* 20 instances, 6,000 tasks with room for all: every instance gets ~300.
 * Chi-square with 19 degrees of freedom is below 43.8 with probability
 * 0.999; for both the index and the scan, over three seeds each. */
static void test_uniform(void **state)
{
    (void)state;
    for (int scan = 0; scan < 2; scan++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            ss_ecs_placement_scan = scan;
            ss_scenario sc;
            ss_data *d;
            ss_ecs *e = world(&sc, &d, 2, 2, 20, 6000, 1, &RANDOM, 1, seed);
            ss_ecs_placement_scan = false;
            assert_true((e->idx != NULL) == !scan);
            assert_int_equal(e->fleet.n, 20);
            int placed = 0;
            for (int i = 0; i < e->fleet.n; i++)
                placed += ss_fleet_inst(&e->fleet, i)->ntasks;
            assert_int_equal(placed, 6000);
            double x = chi2(e, 6000);
            if (!(x < 43.8))
                fail_msg("scan=%d seed=%llu: chi-square %.1f", scan, (unsigned long long)seed, x);
            /* and not degenerate: some spread, no instance twice its share */
            for (int i = 0; i < e->fleet.n; i++)
                assert_true(ss_fleet_inst(&e->fleet, i)->ntasks < 600);
            ss_ecs_free(e);
            ss_data_free(d);
        }
}

/* Room for exactly 4 tasks per instance (2048 CPU units, 500 each): 10
 * instances, 40 tasks. Every task is placed and no instance holds a 5th:
 * the draws that land on a full instance drop it and draw again. 41 tasks:
 * one waits. */
static void test_only_where_it_fits(void **state)
{
    (void)state;
    for (int scan = 0; scan < 2; scan++)
        for (int tasks = 40; tasks <= 41; tasks++) {
            ss_ecs_placement_scan = scan;
            ss_scenario sc;
            ss_data *d;
            ss_ecs *e = world(&sc, &d, 1, 2, 10, tasks, 500, &RANDOM, 1, 7);
            ss_ecs_placement_scan = false;
            for (int i = 0; i < e->fleet.n; i++)
                assert_int_equal(ss_fleet_inst(&e->fleet, i)->ntasks, 4);
            assert_int_equal(e->n_provisioning, tasks - 40);
            ss_ecs_free(e);
            ss_data_free(d);
        }
}

/* spread(zone), random over 3 zones x 2 types, 30 instances, 3,001 tasks:
 * the zones hold 1,000 or 1,001 tasks each, and inside each zone the
 * spread over its 10 instances is uniform (chi-square, 9 degrees of
 * freedom, below 27.9 with probability 0.999). */
static void test_spread_zone_then_random(void **state)
{
    (void)state;
    const ss_placement pl[2] = {SPREAD_ZONE, RANDOM};
    ss_scenario sc;
    ss_data *d;
    ss_ecs *e = world(&sc, &d, 2, 3, 30, 3001, 1, pl, 2, 3);
    assert_non_null(e->idx);
    int zone[3] = {0}, inst_in_zone[3] = {0};
    for (int i = 0; i < e->fleet.n; i++) {
        zone[ss_fleet_inst(&e->fleet, i)->zone_idx] += ss_fleet_inst(&e->fleet, i)->ntasks;
        inst_in_zone[ss_fleet_inst(&e->fleet, i)->zone_idx]++;
    }
    for (int z = 0; z < 3; z++) {
        assert_true(zone[z] == 1000 || zone[z] == 1001);
        assert_int_equal(inst_in_zone[z], 10);
        double expect = zone[z] / 10.0, x = 0;
        for (int i = 0; i < e->fleet.n; i++)
            if (ss_fleet_inst(&e->fleet, i)->zone_idx == z) {
                double dl = ss_fleet_inst(&e->fleet, i)->ntasks - expect;
                x += dl * dl / expect;
            }
        if (!(x < 27.9))
            fail_msg("zone %d: chi-square %.1f", z, x);
    }
    ss_ecs_free(e);
    ss_data_free(d);
}

/* binpack(cpu) before random keeps the scan (no index) and still packs:
 * room for 4 tasks per instance, 8 tasks on 10 instances fill exactly 2. */
static void test_binpack_then_random_scans(void **state)
{
    (void)state;
    const ss_placement pl[2] = {BINPACK_CPU, RANDOM};
    ss_scenario sc;
    ss_data *d;
    ss_ecs *e = world(&sc, &d, 1, 1, 10, 8, 500, pl, 2, 5);
    assert_null(e->idx);
    int used = 0;
    for (int i = 0; i < e->fleet.n; i++) {
        int n = ss_fleet_inst(&e->fleet, i)->ntasks;
        assert_true(n == 0 || n == 4);
        used += n > 0;
    }
    assert_int_equal(used, 2);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* One seed, one placement; another seed, another. */
static void test_repeatable(void **state)
{
    (void)state;
    int a[20], b[20], c[20];
    int *out[3] = {a, b, c};
    uint64_t seeds[3] = {11, 11, 12};
    for (int r = 0; r < 3; r++) {
        ss_scenario sc;
        ss_data *d;
        ss_ecs *e = world(&sc, &d, 2, 2, 20, 200, 1, &RANDOM, 1, seeds[r]);
        for (int i = 0; i < 20; i++)
            out[r][i] = ss_fleet_inst(&e->fleet, i)->ntasks;
        ss_ecs_free(e);
        ss_data_free(d);
    }
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_only_where_it_fits),
        cmocka_unit_test(test_spread_zone_then_random),
        cmocka_unit_test(test_binpack_then_random_scans),
        cmocka_unit_test(test_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
