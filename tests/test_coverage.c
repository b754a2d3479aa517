/*
 * test_coverage.c - "no silent extrapolation" (issue 10): what the market
 * rules do at the edges of the data, each against a hand-computed figure.
 *
 *   equal-instant rule  every pool event of one instant is applied before any
 *                       controller reacts to it;
 *   notice rule         on capacity traces a pool never holds capacity the
 *                       trace says was gone, and launches are accepted until
 *                       the drop.
 */
#include "tests/testutil.h"

#include "models/asg.h"
#include "models/ecs.h"
#include "models/eval.h"
#include "models/fleet.h"
#include "tests/ecs_fixture.h"

/* One Spot task per instance (1 vCPU, task 1024 CPU), no latencies at all:
 * instances run and register at launch, tasks start and are healthy at once,
 * the scheduler sees a dead task at once. ASG of `desired` Spot instances
 * over nz zones, launch retry 30 s (the default). */
static void no_latency_scenario(ss_scenario *sc, int nz, ss_time horizon, int desired)
{
    fx_scenario(sc, 1, nz, horizon, desired, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->instance_launch = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->instance_register = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->service.task_start = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->service.time_to_healthy = 0;
    sc->service.scheduler_delay = 0;
    sc->service.desired_count = desired;
    sc->service.task_cpu = 1024;
    sc->service.task_memory_mib = 512;
}

/* ---- the equal-instant rule ------------------------------------------------------------ */

/* The repro: two pools (zones a and b) whose traces both go 0 -> 1 at
 * T0 + 300 s, 2 tasks of one instance each, horizon 3600 s. The ASG tries at
 * T0 and retries every 30 s; its retry at T0 + 300 s (scheduled at T0 + 270 s)
 * must see both pools' new capacity: both instances launch at T0 + 300 s and
 * the service is whole from then on: availability = 3300 / 3600 = 91.6667 %.
 * (Applied one pool at a time, the retry ran between the two changes, the
 * second launch failed and waited one retry: 3270 / 3600 = 90.8333 %.) */
static void equal_instant_capacity_changes(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 2, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 300 * SS_SECOND};
    int v[] = {0, 1};
    fx_trace(d, 0, t, v, 2);
    fx_trace(d, 1, t, v, 2);
    ss_scenario sc;
    no_latency_scenario(&sc, 2, SS_HOUR, 2);
    ss_metrics m;
    ss_err err;
    if (ss_evaluate(&sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_near(m.availability, 3300.0 / 3600.0, 1e-12);
    assert_int_equal(m.launches, 2);
    /* attempts at T0, T0+30 s, ..., T0+270 s (10 retries) fail in both
     * zones (the ASG tries zone a, then b): 20 failed attempts */
    assert_int_equal(m.failed_launches, 20);
    ss_data_free(d);
}

/* ---- the notice rule on traces ---------------------------------------------------------- */

/* One pool, 1 task on 1 instance, horizon 600 s. Capacity 1 on [T0, T0+60 s),
 * 0 on [T0+60 s, T0+300 s), 1 from T0+300 s. notice 120 s, notice_lead 120 s.
 * The instance launches at T0; the drop at T0+60 s sends the notice at
 * max(T0+60-120, T0) = T0, and it terminates AT THE DROP (T0+60 s), not a full
 * notice later: the trace says the capacity was gone. The replacement fails
 * at T0+60 s and every 30 s after, and launches at T0+300 s (the change,
 * applied before the retry of that instant). Unavailable [T0+60, T0+300) =
 * 240 s: availability 360/600 = 60 % (keeping the instance the full notice,
 * to T0+120 s, gave 420/600 = 70 %). */
static void capacity_shorter_than_the_notice(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 60 * SS_SECOND, FX_T0 + 300 * SS_SECOND};
    int v[] = {1, 0, 1};
    fx_trace(d, 0, t, v, 3);
    ss_scenario sc;
    no_latency_scenario(&sc, 1, 600 * SS_SECOND, 1);
    ss_metrics m;
    ss_err err;
    if (ss_evaluate(&sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_near(m.availability, 360.0 / 600.0, 1e-12);
    assert_int_equal(m.interruptions, 1);
    assert_int_equal(m.launches, 2);
    /* Spot hours: [T0, T0+60 s) + [T0+300 s, T0+600 s) = 360 s */
    assert_near(m.spot_instance_hours, 360.0 / 3600.0, 1e-12);
    ss_data_free(d);
}

/* No foresight: capacity 1 until T0 + 200 s, then 0; the ASG's desired count
 * is 0 until T0 + 100 s. The notice for the drop would come at T0 + 80 s, but
 * the trace says the capacity is there until T0 + 200 s: a launch at
 * T0 + 100 s is accepted (it used to be refused from T0 + 80 s), and that
 * instance, launched after the notices went out, terminates at the drop,
 * T0 + 200 s: it ran 100 s. */
static void no_launch_refused_before_a_drop(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 200 * SS_SECOND};
    int v[] = {1, 0};
    fx_trace(d, 0, t, v, 2);
    ss_scenario sc;
    no_latency_scenario(&sc, 1, 600 * SS_SECOND, 0);
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + 100 * SS_SECOND);
    assert_int_equal(ss_fleet_can_launch(&e->fleet, 0, true, 0), SS_LAUNCH_OK);
    ss_asg_set_desired(&e->asgs[0], 1);
    assert_int_equal(e->fleet.n, 1);
    ss_instance *in = ss_fleet_inst(&e->fleet, 0);
    assert_int_equal(in->launch, FX_T0 + 100 * SS_SECOND);
    ss_ecs_run_until(e, FX_T0 + 300 * SS_SECOND);
    assert_int_equal(in->state, SS_INST_TERMINATED);
    assert_int_equal(in->notice_at, FX_T0 + 200 * SS_SECOND);
    assert_int_equal(in->end, FX_T0 + 200 * SS_SECOND);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_instant_capacity_changes),
        cmocka_unit_test(capacity_shorter_than_the_notice),
        cmocka_unit_test(no_launch_refused_before_a_drop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
