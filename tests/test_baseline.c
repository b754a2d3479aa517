/*
 * test_baseline.c - the all-On-Demand baseline (issue 15 item 2): the same
 * service and policy simulated with no Spot capacity, against hand-computed
 * On-Demand bills; it is not the fleet-billing metric ondemand_baseline_usd.
 */
#include "tests/testutil.h"

#include <stdlib.h>
#include <string.h>

#include "policies/evaluate.h"
#include "policies/baseline.h"
#include "tests/ecs_fixture.h"

/* 4 instances (desired 4, 50 % On-Demand above base) of one type at 0.30
 * USD/h On-Demand (Spot 0.10) for one day. All On-Demand: 4 x 0.30 x 24 =
 * 28.80 USD a day, 28.80 x 30 = 864 USD per 30-day month, for every
 * replica; the same with an all-Spot policy (0 % On-Demand): the baseline
 * is of the service, not of the purchase mix. */
static void test_fixed_fleet(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_scenario *sc = malloc(sizeof *sc);
    fx_scenario(sc, 1, 1, SS_DAY, 4, 50);
    double usd = 0;
    ss_err err;
    assert_int_equal(ss_ondemand_baseline(sc, d, 3, &usd, &err), 0);
    assert_near(usd, 864.0, 1e-9);
    sc->asgs[0].od_percentage_above_base = 0;
    assert_int_equal(ss_ondemand_baseline(sc, d, 1, &usd, &err), 0);
    assert_near(usd, 864.0, 1e-9);
    /* the scenario itself is left as it was */
    assert_int_equal(sc->asgs[0].od_percentage_above_base, 0);
    ss_scenario *od_sc = malloc(sizeof *od_sc);
    ss_scenario_all_ondemand(sc, od_sc);
    assert_int_equal(od_sc->asgs[0].od_percentage_above_base, 100);
    assert_false(od_sc->asgs[0].spot);
    assert_int_equal(od_sc->asgs[0].desired_capacity, 4);
    free(od_sc);
    free(sc);
    ss_data_free(d);
}

/* Where the two figures part: 2 Spot instances for 3 h; at T0 + 1 h the
 * pool's Spot capacity drops to 1, one instance is interrupted and cannot
 * be replaced in Spot. The service all On-Demand runs 2 instances for the
 * 3 h: 2 x 0.30 x 3 = 1.80 USD, x 240 (720 h / 3 h) = 432 USD/month. The
 * fleet-billing metric prices the Spot fleet's own lifetimes (one instance
 * gone after about an hour) and is well below: it is not what the service
 * would have cost on On-Demand. */
static void test_interrupted_fleet(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_time t[] = {FX_T0, FX_T0 + SS_HOUR};
    int v[] = {2, 1};
    fx_trace(d, 0, t, v, 2);
    ss_scenario *sc = malloc(sizeof *sc);
    fx_scenario(sc, 1, 1, 3 * SS_HOUR, 2, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->market.notice_lead = 0;
    double usd = 0;
    ss_err err;
    assert_int_equal(ss_ondemand_baseline(sc, d, 2, &usd, &err), 0);
    assert_near(usd, 432.0, 1e-9);
    ss_metrics m;
    assert_int_equal(ss_evaluate(sc, d, sc->seed, 0, &m, NULL, &err), 0);
    assert_true(m.interruptions >= 1);
    double fleet_month = m.ondemand_baseline_usd * 720.0 / m.horizon_hours;
    assert_true(fleet_month < 432.0 - 50.0);
    free(sc);
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_fleet),
        cmocka_unit_test(test_interrupted_fleet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
