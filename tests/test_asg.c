/*
 * test_asg.c - Auto Scaling group: the §1.2 split table (all 20 cells of
 * aws-semantics.md), lowest-price with SpotInstancePools = 2 and fall-through
 * on a full pool, termination policy choice on scale-in, scale-in protection.
 */
#include "tests/testutil.h"

#include <stdlib.h>

#include "models/asg.h"
#include "sim/evq.h"
#include "tests/ecs_fixture.h"

static void test_split_table(void **state)
{
    (void)state;
    /* aws-semantics.md §1.2 table: rows (base, pct), columns D = 10..40. */
    static const int cfg[5][2] = {{10, 50}, {0, 0}, {0, 60}, {0, 100}, {12, 0}};
    static const int od[5][4] = {{10, 15, 20, 25}, {0, 0, 0, 0}, {6, 12, 18, 24}, {10, 20, 30, 40}, {10, 12, 12, 12}};
    static const int sp[5][4] = {{0, 5, 10, 15}, {10, 20, 30, 40}, {4, 8, 12, 16}, {0, 0, 0, 0}, {0, 8, 18, 28}};
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 4; c++) {
            int o, s;
            ss_asg_split(10 * (c + 1), cfg[r][0], cfg[r][1], &o, &s);
            assert_int_equal(o, od[r][c]);
            assert_int_equal(s, sp[r][c]);
        }
}

typedef struct world {
    ss_scenario sc;
    ss_data *d;
    ss_evq *q;
    ss_fleet f;
    ss_asg_group g;
} world;

static world *world_new(int nt, const double *spot, int desired, void (*tweak)(world *))
{
    world *w = ss_calloc(1, sizeof *w);
    double od[SS_MAX_TYPES];
    for (int i = 0; i < nt; i++)
        od[i] = 1.0;
    w->d = fx_data(nt, 1, spot, od, 2, 4096);
    fx_scenario(&w->sc, nt, 1, SS_DAY, desired, 0);
    if (tweak)
        tweak(w);
    w->q = ss_evq_new(64);
    ss_evq_reset(w->q, FX_T0);
    ss_err err;
    assert_int_equal(ss_fleet_init(&w->f, &w->sc, w->d, w->q, 1, 0, FX_T0, FX_T0 + SS_DAY, NULL, &err), 0);
    ss_asg_init(&w->g, &w->f, 0, NULL);
    return w;
}

static void world_free(world *w)
{
    ss_asg_free(&w->g);
    ss_fleet_free(&w->f);
    ss_evq_free(w->q);
    ss_data_free(w->d);
    free(w);
}

static int count_type(const world *w, int type)
{
    int n = 0;
    for (size_t i = 0; i < w->g.n_members; i++)
        n += ss_fleet_inst(&w->f, w->g.members[i])->type_idx == type;
    return n;
}

static void use_trace(world *w)
{
    w->sc.market.interruptions = SS_INTERRUPT_TRACE;
    ss_time t = FX_T0;
    int v = 1;
    fx_trace(w->d, 2, &t, &v, 1); /* the cheapest pool (type 2) holds one instance */
}

/* Spot prices t0 0.10, t1 0.20, t2 0.05; SpotInstancePools 2, desired 6 Spot.
 * Without limits: the two cheapest (t2, t0) get 3 each (even spread, ties to
 * the cheaper), t1 none.
 * With t2 limited to 1 instance: launch 1 -> t2; 2 -> t0 (fewer); 3: t2 tie
 * -> cheaper t2 fails, next-cheapest t1 joins the top 2 -> t1; 4: t2 fails,
 * t0/t1 tie -> t0; 5: t2 fails -> t1; 6: t2 fails -> t0. Result t2 1, t0 3,
 * t1 2, failed launches 4. */
static void test_lowest_price_pools(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.20, 0.05};
    world *w = world_new(3, spot, 6, NULL);
    assert_int_equal(count_type(w, 2), 3);
    assert_int_equal(count_type(w, 0), 3);
    assert_int_equal(count_type(w, 1), 0);
    world_free(w);

    w = world_new(3, spot, 6, use_trace);
    assert_int_equal(count_type(w, 2), 1);
    assert_int_equal(count_type(w, 0), 3);
    assert_int_equal(count_type(w, 1), 2);
    assert_int_equal(w->f.stats.failed_launches, 4);
    world_free(w);
}

static void od_only(world *w) { w->sc.asgs[0].od_percentage_above_base = 100; }

/* Three On-Demand instances launched at T0, T0+10m, T0+20m; at T0+50m the
 * ages are 50, 40, 30 min, i.e. 10, 20, 30 min to the next instance hour. */
static world *three_aged(ss_termination_policy pol)
{
    double spot[] = {0.1};
    world *w = world_new(1, spot, 1, od_only);
    w->sc.asgs[0].termination_policies[0] = pol;
    ss_evq_run_until(w->q, FX_T0 + 10 * SS_MINUTE);
    ss_asg_set_desired(&w->g, 2);
    ss_evq_run_until(w->q, FX_T0 + 20 * SS_MINUTE);
    ss_asg_set_desired(&w->g, 3);
    ss_evq_run_until(w->q, FX_T0 + 50 * SS_MINUTE);
    return w;
}

static void test_termination_policies(void **state)
{
    (void)state;
    /* NewestInstance -> the T0+20m one (id 2); OldestInstance -> id 0;
     * Default -> closest to the next instance hour: id 0 (10 min left). */
    struct {
        ss_termination_policy p;
        int victim;
    } cases[] = {{SS_TERM_NEWEST_INSTANCE, 2}, {SS_TERM_OLDEST_INSTANCE, 0}, {SS_TERM_DEFAULT, 0},
                 {SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR, 0}};
    for (size_t k = 0; k < SS_ARRAY_LEN(cases); k++) {
        world *w = three_aged(cases[k].p);
        ss_asg_set_desired(&w->g, 2);
        assert_int_equal(w->g.n_members, 2);
        assert_int_equal(ss_fleet_inst(&w->f, cases[k].victim)->state, SS_INST_TERMINATED);
        world_free(w);
    }
    /* Protection: with id 0 protected, Default takes id 1 (20 min left). */
    world *w = three_aged(SS_TERM_DEFAULT);
    ss_asg_set_protected(&w->g, ss_fleet_inst(&w->f, 0), true);
    ss_asg_set_desired(&w->g, 2);
    assert_int_equal(ss_fleet_inst(&w->f, 1)->state, SS_INST_TERMINATED);
    /* All remaining protected: desired drops, nothing terminates (§1.10). */
    ss_asg_set_protected(&w->g, ss_fleet_inst(&w->f, 2), true);
    ss_asg_set_desired(&w->g, 1);
    assert_int_equal(w->g.desired, 1);
    assert_int_equal(w->g.n_members, 2);
    assert_true(w->g.scale_in_blocked > 0);
    world_free(w);
}

static void half_od(world *w) { w->sc.asgs[0].od_percentage_above_base = 50; }

/* Mixed group, base 0, 50 %: D=4 -> OD 2 / Spot 2. D=3 -> OD ceil(1.5) = 2,
 * Spot 1: the scale-in terminates a Spot instance. */
static void test_scale_in_purchase_option(void **state)
{
    (void)state;
    double spot[] = {0.1};
    world *w = world_new(1, spot, 4, half_od);
    int od, sp;
    ss_asg_counts(&w->g, &od, &sp, NULL, NULL);
    assert_int_equal(od, 2);
    assert_int_equal(sp, 2);
    ss_asg_set_desired(&w->g, 3);
    ss_asg_counts(&w->g, &od, &sp, NULL, NULL);
    assert_int_equal(od, 2);
    assert_int_equal(sp, 1);
    world_free(w);
}

/* AZ balancing: 3 zones, desired 7 Spot -> 3/2/2 (fewest first, ties to
 * the first zone). */
static void test_az_balance(void **state)
{
    (void)state;
    double spot[] = {0.1}, od[] = {1.0};
    world *w = ss_calloc(1, sizeof *w);
    w->d = fx_data(1, 3, spot, od, 2, 4096);
    fx_scenario(&w->sc, 1, 3, SS_DAY, 7, 0);
    w->q = ss_evq_new(64);
    ss_evq_reset(w->q, FX_T0);
    ss_err err;
    assert_int_equal(ss_fleet_init(&w->f, &w->sc, w->d, w->q, 1, 0, FX_T0, FX_T0 + SS_DAY, NULL, &err), 0);
    ss_asg_init(&w->g, &w->f, 0, NULL);
    int per[3] = {0, 0, 0};
    for (size_t i = 0; i < w->g.n_members; i++)
        per[ss_fleet_inst(&w->f, w->g.members[i])->zone_idx]++;
    assert_int_equal(per[0], 3);
    assert_int_equal(per[1], 2);
    assert_int_equal(per[2], 2);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_table),          cmocka_unit_test(test_lowest_price_pools),
        cmocka_unit_test(test_termination_policies), cmocka_unit_test(test_scale_in_purchase_option),
        cmocka_unit_test(test_az_balance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
