/*
 * test_asg_victims.c - the scale-in victim index (models/asg_victims.c)
 * picks what scoring every candidate of the zone picks
 * (ss_asg_pick_victim_scan), for every termination policy list shape
 * (Default, each single policy, instance-level steps before and after the
 * allocation strategy, two instance-level steps, none) under each Spot
 * allocation strategy and both On-Demand ones, with equal and different
 * pool risks and prices, launches in batches (ties of launch time and of
 * launch phase), time crossing instance-hour boundaries, scale-in
 * protection switched on and off, Capacity Rebalancing and stochastic
 * interruptions (instances leaving and terminating). Before every change of
 * the group both purchase options are compared, and the group scales in
 * one unit at a time so each victim of a long scale-in is compared too.
 */
#include "tests/testutil.h"

#include <stdlib.h>

#include "models/asg.h"
#include "sim/kernel/evq.h"
#include "sim/kernel/rng.h"
#include "tests/ecs_fixture.h"

typedef struct pols {
    int n;
    ss_termination_policy p[4];
} pols;

static const pols lists[] = {
    {1, {SS_TERM_DEFAULT}},
    {1, {SS_TERM_ALLOCATION_STRATEGY}},
    {1, {SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR}},
    {1, {SS_TERM_NEWEST_INSTANCE}},
    {1, {SS_TERM_OLDEST_INSTANCE}},
    {1, {SS_TERM_OLDEST_LAUNCH_TEMPLATE}},
    {0, {SS_TERM_DEFAULT}},
    {2, {SS_TERM_NEWEST_INSTANCE, SS_TERM_DEFAULT}},
    {2, {SS_TERM_ALLOCATION_STRATEGY, SS_TERM_OLDEST_INSTANCE}},
    {2, {SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR, SS_TERM_NEWEST_INSTANCE}},
    {3, {SS_TERM_OLDEST_LAUNCH_TEMPLATE, SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR, SS_TERM_OLDEST_INSTANCE}},
    {3, {SS_TERM_OLDEST_INSTANCE, SS_TERM_ALLOCATION_STRATEGY, SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR}},
};

static int compared;

static void same_pick(const ss_asg_group *g)
{
    for (int s = 0; s < 2; s++) {
        ss_instance *a = ss_asg_pick_victim(g, s == 1), *b = ss_asg_pick_victim_scan(g, s == 1);
        if (a != b)
            fail_msg("spot=%d: index picks %d, scan picks %d", s, a ? a->id : -1, b ? b->id : -1);
        compared += a != NULL;
    }
}

/* Alive members of the group, in id order. */
static size_t alive(const ss_asg_group *g, int *ids)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_members; i++)
        if (ss_fleet_inst(g->f, g->members[i])->state != SS_INST_TERMINATED)
            ids[n++] = g->members[i];
    return n;
}

static void one_world(const pols *pl, ss_spot_alloc sa, ss_od_alloc oa, bool equal_risk, bool cr, uint64_t seed)
{
    enum { NT = 3, NZ = 3 };
    double spot[NT] = {0.05, 0.03, 0.05}, od[NT] = {0.2, 0.1, 0.3};
    ss_data *d = fx_data(NT, NZ, spot, od, 2, 4096);
    d->span_end = FX_T0 + 3 * SS_DAY;
    for (int p = 0; p < NT * NZ; p++)
        d->pools[p].hazard_per_hour = equal_risk ? 0.02 : 0.01 * (1 + p % 4);
    ss_scenario sc;
    fx_scenario(&sc, NT, NZ, 3 * SS_DAY, 30, 30);
    sc.market.interruptions = SS_INTERRUPT_STOCHASTIC;
    ss_asg *a = &sc.asgs[0];
    a->max_size = 120;
    a->spot_allocation = sa;
    a->od_allocation = oa;
    a->capacity_rebalance = cr;
    a->n_termination_policies = pl->n;
    for (int i = 0; i < pl->n; i++)
        a->termination_policies[i] = pl->p[i];
    ss_evq *q = ss_evq_new(64);
    ss_evq_reset(q, FX_T0);
    ss_fleet f;
    ss_asg_group g;
    ss_err err;
    assert_int_equal(ss_fleet_init(&f, &sc, d, q, seed, 0, FX_T0, FX_T0 + 3 * SS_DAY, NULL, &err), 0);
    ss_asg_init(&g, &f, 0, NULL);
    gsl_rng *r = ss_rng_new(seed, 0, SS_RNG_TEST);
    int *ids = ss_malloc(4096 * sizeof *ids);
    ss_time t = FX_T0;
    for (int step = 0; step < 120; step++) {
        t += (ss_time)gsl_rng_uniform_int(r, 40) * SS_MINUTE + (ss_time)gsl_rng_uniform_int(r, 1000);
        ss_evq_run_until(q, t);
        same_pick(&g);
        size_t n = alive(&g, ids);
        for (int k = 0; k < 3 && n > 0; k++) { /* protection on and off */
            ss_instance *in = ss_fleet_inst(&f, ids[gsl_rng_uniform_int(r, n)]);
            ss_asg_set_protected(&g, in, !in->protected_);
            same_pick(&g);
        }
        int want = (int)gsl_rng_uniform_int(r, 100);
        if (want >= g.desired) {
            ss_asg_set_desired(&g, want); /* a batch launched at one instant */
            same_pick(&g);
        } else {
            while (g.desired > want) { /* one unit at a time */
                ss_asg_set_desired(&g, g.desired - 1);
                same_pick(&g);
            }
        }
    }
    free(ids);
    ss_rng_free(r);
    ss_asg_free(&g);
    ss_fleet_free(&f);
    ss_evq_free(q);
    ss_data_free(d);
}

static void test_index_matches_scan(void **state)
{
    (void)state;
    const ss_spot_alloc sas[] = {SS_SPOT_LOWEST_PRICE, SS_SPOT_CAPACITY_OPTIMIZED,
                                 SS_SPOT_CAPACITY_OPTIMIZED_PRIORITIZED, SS_SPOT_PRICE_CAPACITY_OPTIMIZED};
    uint64_t seed = 1;
    for (size_t l = 0; l < SS_ARRAY_LEN(lists); l++)
        for (size_t s = 0; s < SS_ARRAY_LEN(sas); s++) {
            one_world(&lists[l], sas[s], (seed & 1) ? SS_OD_LOWEST_PRICE : SS_OD_PRIORITIZED, (seed & 2) != 0,
                      (seed & 4) != 0, seed);
            seed++;
        }
    /* enough victims were compared for the test to mean something */
    assert_true(compared > 20000);
}

/* ClosestToNextInstanceHour across the wrap of the hour: id 0 launched at
 * T0 + 1 min, id 1 at T0 + 59 min. At T0 + 1 h 30 min id 0 has run 29 min
 * of its current instance hour, id 1 31 min: id 1 is closer to its next
 * hour. At T0 + 2 h 0 min 30 s: id 0 59 min 30 s, id 1 1 min 30 s: id 0. */
static void od_hour(ss_scenario *sc)
{
    sc->asgs[0].od_percentage_above_base = 100;
    sc->asgs[0].termination_policies[0] = SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR;
}

static void test_hour_wrap(void **state)
{
    (void)state;
    double spot[] = {0.1}, od[] = {1.0};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    d->span_end = FX_T0 + 3 * SS_HOUR;
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, 3 * SS_HOUR, 0, 100);
    od_hour(&sc);
    ss_evq *q = ss_evq_new(64);
    ss_evq_reset(q, FX_T0);
    ss_fleet f;
    ss_asg_group g;
    ss_err err;
    assert_int_equal(ss_fleet_init(&f, &sc, d, q, 1, 0, FX_T0, FX_T0 + 3 * SS_HOUR, NULL, &err), 0);
    ss_asg_init(&g, &f, 0, NULL);
    ss_evq_run_until(q, FX_T0 + 1 * SS_MINUTE);
    ss_asg_set_desired(&g, 1); /* id 0, phase 1 min */
    ss_evq_run_until(q, FX_T0 + 59 * SS_MINUTE);
    ss_asg_set_desired(&g, 2); /* id 1, phase 59 min */
    ss_evq_run_until(q, FX_T0 + 90 * SS_MINUTE);
    assert_int_equal(ss_asg_pick_victim(&g, false)->id, 1);
    ss_evq_run_until(q, FX_T0 + 120 * SS_MINUTE + 30 * SS_SECOND);
    assert_int_equal(ss_asg_pick_victim(&g, false)->id, 0);
    assert_ptr_equal(ss_asg_pick_victim(&g, false), ss_asg_pick_victim_scan(&g, false));
    ss_asg_free(&g);
    ss_fleet_free(&f);
    ss_evq_free(q);
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_matches_scan),
        cmocka_unit_test(test_hour_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
