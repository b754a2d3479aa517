/*
 * test_ecs.c - the ECS model against hand-computed answers: cost of a fixed
 * fleet, one interruption with and without draining, capacity returning
 * after an outage, managed scaling arithmetic and warm-up, the capacity
 * provider strategy split.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>

#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "tests/ecs_fixture.h"

/* 4 instances (2 On-Demand, 2 Spot: base 0, 50 %) of one type in one zone,
 * for one day, no interruptions. Spot 0.10 USD/h, On-Demand 0.30 USD/h:
 *   OD   2 x 0.30 x 24 = 14.4     Spot 2 x 0.10 x 24 = 4.8     total 19.2
 *   baseline 4 x 0.30 x 24 = 28.8, savings 28.8 / 19.2 = 1.5
 *   per month: 19.2 x 30 = 576. */
static void test_fixed_fleet_cost(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_DAY, 4, 50);
    ss_metrics m;
    ss_err err;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.od_cost_usd, 14.4, 1e-9);
    assert_near(m.spot_cost_usd, 4.8, 1e-9);
    assert_near(m.cost_usd, 19.2, 1e-9);
    assert_near(m.ondemand_baseline_usd, 28.8, 1e-9);
    assert_near(m.savings_ratio, 1.5, 1e-12);
    assert_near(m.cost_per_month_usd, 576.0, 1e-9);
    assert_near(m.spot_instance_hours, 48.0, 1e-9);
    assert_near(m.od_instance_hours, 48.0, 1e-9);
    assert_int_equal(m.launches, 4);
    assert_near(m.availability, 1.0, 0);

    /* A price change: Spot 0.10 until T0+6h, then 0.20:
     * per instance 0.1 x 6 + 0.2 x 18 = 4.2, two instances 8.4. */
    ss_time t[] = {FX_T0 - SS_DAY, FX_T0 + 6 * SS_HOUR};
    double p[] = {0.10, 0.20};
    ss_price_series_set(&d->pools[0].spot, t, p, 2);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.spot_cost_usd, 8.4, 1e-9);

    /* 60-second minimum: a 30 s horizon bills 60 s.
     * OD 2 x 0.30 / 60 = 0.01; Spot at 0.10 (before 6h): 2 x 0.10 / 60. */
    sc.end = FX_T0 + 30 * SS_SECOND;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.od_cost_usd, 0.01, 1e-12);
    assert_near(m.spot_cost_usd, 2 * 0.10 / 60.0, 1e-12);
    ss_data_free(d);
}

/* Two Spot instances (2 vCPU, 2 tasks of 1024 CPU each fit), service of 2
 * tasks spread one per instance, min healthy 100 %, max 200 %, task start
 * 20 s, healthy 150 s after RUNNING, scheduler delay 10 s, notice 120 s.
 * The pool's capacity trace drops 2 -> 1 at T + 120 s (T = T0 + 1 h): with
 * the default notice_lead (120 s) one instance gets the notice at T and
 * terminates at T + 120 s, when the trace says the capacity is gone. */
static void draining_setup(ss_scenario *sc, ss_data **d, bool draining, ss_time cap_return)
{
    double spot[] = {0.10}, od[] = {0.30};
    *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_time t[] = {FX_T0, FX_T0 + SS_HOUR + 120 * SS_SECOND, cap_return};
    int v[] = {2, 1, -1};
    fx_trace(*d, 0, t, v, cap_return ? 3 : 2);
    fx_scenario(sc, 1, 1, 3 * SS_HOUR, 2, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->service.desired_count = 2;
    sc->service.task_cpu = 1024;
    sc->service.task_memory_mib = 512;
    sc->service.spot_draining = draining;
}

static void test_draining_on_off(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    ss_err err;
    /* Draining on: DRAINING at T+1; a replacement starts on the other
     * instance at T+1, RUNNING at T+21, healthy at T+171. The old task cannot
     * stop first (healthy 2 - 1 < min 2) and dies at T+120:
     * shortfall [T+120, T+171) = 51 s. */
    draining_setup(&sc, &d, true, 0);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.interruptions, 1);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 51.0, 1e-9);
    assert_near(m.availability, 1.0 - 51.0 / (3 * 3600.0), 1e-12);
    assert_int_equal(m.task_restarts, 1);
    ss_data_free(d);
    /* Draining off: the task dies at T+120, the scheduler sees it at T+130,
     * the replacement is RUNNING at T+150 and healthy at T+300:
     * shortfall [T+120, T+300) = 180 s. */
    draining_setup(&sc, &d, false, 0);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 180.0, 1e-9);
    assert_near(m.shortfall_task_hours, 180.0 / 3600.0, 1e-12);
    /* served fraction: demand 2 over 3 h, one task missing for 180 s */
    assert_near(m.served_fraction, 1.0 - 180.0 / (2 * 3 * 3600.0), 1e-12);
    ss_data_free(d);
}

/* Capacity returns at T + 600 s. The ASG replaces the interrupted instance
 * when it terminates (T+120): the pool is full (capacity 1, one alive), so
 * the launch fails and is retried every 30 s: failures at T+120, 150, ...,
 * T+570 = 16, success at T+600 (the capacity event, scheduled earlier, runs
 * first among equal times). The new instance is running at T+660 and
 * registered at T+690. */
static void test_capacity_return(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_err err;
    ss_time T = FX_T0 + SS_HOUR;
    draining_setup(&sc, &d, false, T + 600 * SS_SECOND);
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, T + 599 * SS_SECOND);
    assert_int_equal(e->fleet.stats.failed_launches, 16);
    assert_int_equal(e->fleet.n, 2);
    ss_ecs_run_until(e, T + 601 * SS_SECOND);
    assert_int_equal(e->fleet.n, 3);
    ss_instance *in = ss_fleet_inst(&e->fleet, 2);
    assert_int_equal(in->launch, T + 600 * SS_SECOND);
    ss_ecs_run_until(e, T + 700 * SS_SECOND);
    assert_int_equal(in->running_at, T + 660 * SS_SECOND);
    assert_int_equal(in->registered_at, T + 690 * SS_SECOND);
    assert_int_equal(e->fleet.stats.failed_launches, 16);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    assert_int_equal(m.failed_launches, 16);
    ss_data_free(d);
}

/* §3.2 scale-out arithmetic, ss_ecs_scale_out_desired(N, P, per, min, max, target). */
static void test_cpr_arithmetic(void **state)
{
    (void)state;
    assert_int_equal(ss_ecs_scale_out_desired(0, 5, 2, 1, 10000, 100), 2);   /* N=0 => 2 */
    assert_int_equal(ss_ecs_scale_out_desired(4, 5, 2, 1, 10000, 100), 7);   /* ceil(5/2)=3, M=7 */
    assert_int_equal(ss_ecs_scale_out_desired(4, 5, 2, 5, 10000, 100), 9);   /* 3 < min 5 => +5 */
    assert_int_equal(ss_ecs_scale_out_desired(4, 5, 2, 1, 2, 100), 6);       /* clamp to max 2 */
    assert_int_equal(ss_ecs_scale_out_desired(4, 5, 2, 1, 10000, 80), 9);    /* ceil(700/80)=9 */
    assert_int_equal(ss_ecs_scale_out_desired(4, 0, 2, 1, 10000, 100), -1);  /* nothing pending */
    assert_int_equal(ss_ecs_scale_out_desired(4, 5, 0, 1, 10000, 100), -1);  /* does not fit */
}

/* Managed scaling from zero: 6 tasks of 1024 CPU, instances of 2 vCPU (2
 * tasks each). Tick at T0+1m: N=0 => desired 2, launched at T0+60 s,
 * running T0+120 s, registered T0+150 s: 4 tasks placed, 2 PROVISIONING.
 * Warm-up (300 s from the launch at T0+60 s) blocks scale-out until
 * T0+360 s; the tick at T0+6m sees N=2, P=2 => M = 3, desired 3. */
static void test_managed_scaling_warmup(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_HOUR, 0, 100);
    sc.providers[0].managed_scaling = true;
    sc.service.desired_count = 6;
    sc.service.task_cpu = 1024;
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + 61 * SS_SECOND);
    assert_int_equal(e->asgs[0].desired, 2);
    ss_ecs_run_until(e, FX_T0 + 151 * SS_SECOND);
    assert_int_equal(e->cps[0].provisioning, 2);
    ss_ecs_run_until(e, FX_T0 + 6 * SS_MINUTE - 1);
    assert_int_equal(e->asgs[0].desired, 2);
    ss_ecs_run_until(e, FX_T0 + 6 * SS_MINUTE + 1);
    assert_int_equal(e->asgs[0].desired, 3);
    assert_int_equal(ss_ecs_check(e, &err), 0);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* §3.3: base 2 on A (weight 1), B weight 4; argmin((n_i + 1) / w_i) with
 * ties to A: A A | B B B A B | B B B A B => 7 tasks: A 3, B 4; 12: A 4, B 8. */
static void test_strategy_split(void **state)
{
    (void)state;
    ss_capacity_provider cp[2];
    ss_capacity_provider_defaults(&cp[0]);
    ss_capacity_provider_defaults(&cp[1]);
    cp[0].base = 2;
    cp[0].weight = 1;
    cp[1].weight = 4;
    int n[2] = {0, 0};
    for (int k = 0; k < 12; k++) {
        n[ss_ecs_strategy_split(cp, 2, n)]++;
        if (k == 6) {
            assert_int_equal(n[0], 3);
            assert_int_equal(n[1], 4);
        }
    }
    assert_int_equal(n[0], 4);
    assert_int_equal(n[1], 8);
    /* weight 0 never receives tasks beyond base */
    cp[1].weight = 0;
    n[0] = n[1] = 0;
    for (int k = 0; k < 5; k++)
        n[ss_ecs_strategy_split(cp, 2, n)]++;
    assert_int_equal(n[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_fleet_cost),       cmocka_unit_test(test_draining_on_off),
        cmocka_unit_test(test_capacity_return),        cmocka_unit_test(test_cpr_arithmetic),
        cmocka_unit_test(test_managed_scaling_warmup), cmocka_unit_test(test_strategy_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
