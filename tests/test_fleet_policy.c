/*
 * test_fleet_policy.c - the run-time fleet rules (policies/fleet_policy.c:
 * On-Demand fallback, over-provisioning, SpotHedge placement) on tiny
 * capacity traces, against hand-computed launch/terminate times, shortfall
 * and cost.
 *
 * Common set-up (policy_setup): one type, Spot 1 USD/h, On-Demand 3 USD/h
 * (the cost units), 2 vCPU per instance and one task of 2048 CPU per
 * instance; horizon [T0, T0 + 3 h); T = T0 + 1 h. Cold start 300 s (launch
 * 300 s, register 0 s), task start 0 s, healthy at RUNNING (time_to_healthy
 * 0), no draining on a Spot notice; the notice comes 120 s before the
 * capacity drop (the default notice_lead) and the instance terminates at the
 * drop (docs/market.md, "the notice rule on traces"). The traces below are
 * written with the notice times: policy_trace puts each drop 120 s after
 * the time written, so every instance is noticed at the time written and
 * terminates 120 s later, holding its capacity until then. So a task killed
 * with its instance at t is healthy again at L + 300 s, where L >= t is the
 * launch of the instance that takes it (the scheduler sees the dead task at
 * t + 10 s, before any new instance registers).
 *
 * Billing (models/fleet.h): from `running` (the 300 s cold start is not
 * billed) to termination; a Spot instance EC2 interrupts within its first
 * instance-hour is free, except the ones warm started at T0.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>

#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "policies/export.h"
#include "policies/fleet_policy.h"

#include <jansson.h>
#include "tests/ecs_fixture.h"

#define T (FX_T0 + SS_HOUR)
#define S(x) ((ss_time)(x) * SS_SECOND)
#define HORIZON_S 10800.0

static void policy_setup(ss_scenario *sc, ss_data **d, int nz, int k)
{
    double spot[] = {1.0}, od[] = {3.0};
    *d = fx_data(1, nz, spot, od, 2, 4096);
    fx_scenario(sc, 1, nz, 3 * SS_HOUR, k, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->instance_launch = (ss_dist){SS_DIST_FIXED, 300.0, 0.0};
    sc->instance_register = (ss_dist){SS_DIST_FIXED, 0.0, 0.0};
    sc->service.desired_count = k;
    sc->service.task_cpu = 2048;
    sc->service.task_memory_mib = 512;
    sc->service.task_start = (ss_dist){SS_DIST_FIXED, 0.0, 0.0};
    sc->service.time_to_healthy = 0;
    sc->service.deregistration_delay = 0;
    sc->service.stop_timeout = 0;
    sc->slo.min_healthy = k;
}

/* A capacity trace written with notice times: every drop (a value below the
 * previous one, -1 = unlimited) happens 120 s after the time written. */
static void policy_trace(ss_data *d, int pool, const ss_time *t, const int *v, size_t n)
{
    ss_time tt[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        bool drop = i > 0 && v[i] >= 0 && (v[i - 1] < 0 || v[i] < v[i - 1]);
        tt[i] = t[i] + (drop ? S(120) : 0);
    }
    fx_trace(d, pool, tt, v, n);
}

/* Both zones lose all Spot capacity at T and get it back at T + 1 h. */
static void all_zones_out(ss_data *d)
{
    ss_time t[] = {FX_T0, T, T + SS_HOUR};
    int v[] = {1, 0, -1};
    policy_trace(d, 0, t, v, 3);
    policy_trace(d, 1, t, v, 3);
}

/* ---- one zone drops out ----------------------------------------------------------- */

/* Round-robin (the ASG's AZ balancing), no fallback. K = 1 in zone a; zone a
 * drops to 0 at T, zone b unlimited. Notice at T, termination at T+120; the
 * replacement tries a (fewest Spot, first) -> full (1 failed launch), then b:
 * launched T+120, healthy T+420. Shortfall 300 s.
 * Cost: Spot [T0, T+120) = 3720 s + [T+420, T0+3h) = 6780 s: 10500 s x 1/h
 * = 2.91667. */
static void test_zone_drop_round_robin(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    policy_setup(&sc, &d, 2, 1);
    ss_time t[] = {FX_T0, T};
    int v[] = {1, 0};
    policy_trace(d, 0, t, v, 2);
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    assert_int_equal(e->fleet.n, 2);
    ss_instance *a = ss_fleet_inst(&e->fleet, 0), *b = ss_fleet_inst(&e->fleet, 1);
    assert_int_equal(a->zone_idx, 0);
    assert_int_equal(a->end, T + S(120));
    assert_int_equal(b->zone_idx, 1);
    assert_int_equal(b->launch, T + S(120));
    assert_int_equal(m.failed_launches, 1);
    assert_near(m.availability, 1.0 - 300.0 / HORIZON_S, 1e-12);
    assert_near(m.spot_cost_usd, 10500.0 / 3600.0, 1e-9);
    assert_near(m.od_cost_usd, 0.0, 1e-12);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* SpotHedge vs round-robin on a flapping zone. Three zones, K = 1, initial
 * instance in a. a: 1 -> 0 at T -> 1 at T+600 -> 0 at T+2000; b: 1 -> 0 at
 * T+1000; c unlimited.
 * Round-robin: T+120 a full (1 failure) -> b (ready T+420); b's notice at
 * T+1000, gone T+1120 -> a (fewest, capacity back) ready T+1420; a's notice
 * at T+2000, gone T+2120 -> a, b full (2 failures) -> c ready T+2420.
 * Shortfall 3 x 300 = 900 s, 3 failed launches, 4 instances.
 * SpotHedge (zone_quiet 1 h): a preempted at T -> T+120 straight to b (no
 * failure); b preempted at T+1000 -> T+1120 to c (a is still preempted);
 * the drop of a at T+2000 hits nobody. Shortfall 600 s, 0 failures, 3
 * instances.
 * Cost: the warm-started instance [T0, T+120) = 3720 s; every replacement
 * EC2 interrupts after 700 s running (< 1 h) is free. Round-robin: the last
 * one runs [T+2420, T0+3h) = 4780 s: 8500 s -> 2.36111. SpotHedge: the
 * last one runs [T+1420, T0+3h) = 5780 s: 9500 s -> 2.63889. */
static void flap_setup(ss_scenario *sc, ss_data **d)
{
    policy_setup(sc, d, 3, 1);
    ss_time ta[] = {FX_T0, T, T + S(600), T + S(2000)};
    int va[] = {1, 0, 1, 0};
    policy_trace(*d, 0, ta, va, 4);
    ss_time tb[] = {FX_T0, T + S(1000)};
    int vb[] = {1, 0};
    policy_trace(*d, 1, tb, vb, 2);
}

static void test_spothedge_flapping_zone(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    ss_err err;
    flap_setup(&sc, &d);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.failed_launches, 3);
    assert_int_equal(m.launches, 4);
    assert_near(m.availability, 1.0 - 900.0 / HORIZON_S, 1e-12);
    assert_near(m.spot_cost_usd, 8500.0 / 3600.0, 1e-9);
    ss_data_free(d);

    flap_setup(&sc, &d);
    assert_int_equal(ss_fp_preset(&sc.policy, "spothedge"), 0);
    sc.policy.zone_quiet = SS_HOUR;
    ss_fp_state fp;
    ss_fp_init(&fp, &sc.policy, sc.market.n_zones);
    ss_policy pol = ss_fp_policy(&fp);
    ss_ecs *e = ss_ecs_new_policy(&sc, d, 1, 0, NULL, false, &pol, &err);
    assert_non_null(e);
    ss_ecs_finish(e, &m);
    assert_int_equal(e->fleet.n, 3);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->zone_idx, 1);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->launch, T + S(120));
    assert_int_equal(ss_fleet_inst(&e->fleet, 2)->zone_idx, 2);
    assert_int_equal(ss_fleet_inst(&e->fleet, 2)->launch, T + S(1120));
    assert_int_equal(m.failed_launches, 0);
    assert_near(m.availability, 1.0 - 600.0 / HORIZON_S, 1e-12);
    assert_near(m.spot_cost_usd, 9500.0 / 3600.0, 1e-9);
    ss_ecs_free(e);
    /* the same through ss_evaluate (the scenario's policy block) */
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.availability, 1.0 - 600.0 / HORIZON_S, 1e-12);
    ss_data_free(d);
}

/* ---- all zones drop out, capacity returns ------------------------------------------- */

/* No fallback: the instance in a is gone at T+120; every 30 s both zones
 * fail until capacity returns at T+3600 (a retry falls on it: 3480 = 116 x
 * 30; the capacity event runs first). Launch T+3600 in a, healthy T+3900.
 * Shortfall 3780 s. Spot cost: [T0, T+120) + [T+3900, T0+3h) = 3720 + 3300
 * s = 7020/3600 = 1.95. */
static void test_all_zones_out_no_fallback(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    ss_err err;
    policy_setup(&sc, &d, 2, 1);
    all_zones_out(d);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.availability, 1.0 - 3780.0 / HORIZON_S, 1e-12);
    assert_near(m.spot_cost_usd, 7020.0 / 3600.0, 1e-9);
    assert_near(m.od_cost_usd, 0.0, 1e-12);
    ss_data_free(d);
}

/* Immediate fallback on launch failures (delay 0, cover 1, Spot healthy
 * 10 min): the failures at T+120 trip it; the On-Demand instance is
 * launched at T+120 (DesiredCapacity 2, OnDemandBaseCapacity 1) and healthy
 * at T+420: shortfall 300 s. Spot keeps retrying: launched T+3600, ready
 * T+3900; 10 min later (T+4500) the cover is released and the group scales
 * in the On-Demand instance; managed draining moves the task to the Spot
 * instance first (deregistration delay and stop timeout 0), so no new
 * shortfall. On-Demand billed [T+420, T+4500) = 4080 s x 3/3600 = 3.4;
 * Spot as without fallback 1.95. */
static ss_ecs *fallback_run(ss_scenario *sc, ss_data *d, ss_fp_state *fp, ss_policy *pol, ss_metrics *m)
{
    ss_err err;
    ss_fp_init(fp, &sc->policy, sc->market.n_zones);
    *pol = ss_fp_policy(fp);
    ss_ecs *e = ss_ecs_new_policy(sc, d, 1, 0, NULL, false, pol, &err);
    assert_non_null(e);
    ss_ecs_finish(e, m);
    return e;
}

static void test_all_zones_out_fallback(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    policy_setup(&sc, &d, 2, 1);
    sc.providers[0].managed_draining = true;
    all_zones_out(d);
    sc.policy.fallback = true;
    sc.policy.trigger = SS_FB_LAUNCH_FAILURES;
    sc.policy.detection_delay = 0;
    sc.policy.spot_healthy_time = 10 * SS_MINUTE;
    ss_fp_state fp;
    ss_policy pol;
    ss_ecs *e = fallback_run(&sc, d, &fp, &pol, &m);
    assert_int_equal(e->fleet.n, 3);
    ss_instance *od = ss_fleet_inst(&e->fleet, 1), *sp = ss_fleet_inst(&e->fleet, 2);
    assert_false(od->spot);
    assert_int_equal(od->launch, T + S(120));
    assert_int_equal(od->end, T + S(4500));
    assert_true(sp->spot);
    assert_int_equal(sp->launch, T + S(3600));
    assert_near(m.availability, 1.0 - 300.0 / HORIZON_S, 1e-12);
    assert_near(m.od_cost_usd, 4080.0 * 3.0 / 3600.0, 1e-9);
    assert_near(m.spot_cost_usd, 7020.0 / 3600.0, 1e-9);
    ss_ecs_free(e);

    /* Detection delay 60 s (EventBridge + controller): On-Demand launched
     * T+180, healthy T+480: shortfall 360 s; On-Demand billed [T+480,
     * T+4500) = 4020 s -> 3.35. */
    sc.policy.detection_delay = 60 * SS_SECOND;
    e = fallback_run(&sc, d, &fp, &pol, &m);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->launch, T + S(180));
    assert_near(m.availability, 1.0 - 360.0 / HORIZON_S, 1e-12);
    assert_near(m.od_cost_usd, 3.35, 1e-9);
    ss_ecs_free(e);

    /* min_hold 2 h (hysteresis): the fallback starts at T+180 and lasts
     * until T+180+7200 = T0+3h+180 > horizon: the On-Demand instance runs
     * to the end: billed [T+480, T0+3h) = 6720 s -> 5.6. */
    sc.policy.min_hold = 2 * SS_HOUR;
    e = fallback_run(&sc, d, &fp, &pol, &m);
    assert_near(m.od_cost_usd, 6720.0 * 3.0 / 3600.0, 1e-9);
    ss_ecs_free(e);

    /* Interruption trigger (threshold 1, delay 0): the warning at T trips
     * it; the warned instance no longer counts as ready, so On-Demand is
     * launched at T, healthy T+300; the task dies with the Spot instance at
     * T+120: shortfall 180 s. On-Demand billed [T+300, T+4500) = 4200 s ->
     * 3.5. */
    sc.policy.min_hold = 0;
    sc.policy.detection_delay = 0;
    sc.policy.trigger = SS_FB_INTERRUPTIONS;
    e = fallback_run(&sc, d, &fp, &pol, &m);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->launch, T);
    assert_near(m.availability, 1.0 - 180.0 / HORIZON_S, 1e-12);
    assert_near(m.od_cost_usd, 3.5, 1e-9);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* Release on Spot launch ("EC2 Instance Launch Successful" rule), Spot
 * healthy time 0: at T+3600 the Spot launch succeeds, the cover drops to 0
 * and the group scales in the On-Demand instance at once; managed draining
 * holds it until its task has moved, which needs the Spot instance
 * registered (T+3900): the replacement task is healthy at T+3900 and the
 * On-Demand instance terminates then. No new shortfall; On-Demand billed
 * [T+420, T+3900) = 3480 s -> 2.9. */
static void test_release_on_launch(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    policy_setup(&sc, &d, 2, 1);
    sc.providers[0].managed_draining = true;
    all_zones_out(d);
    sc.policy.fallback = true;
    sc.policy.release_on_launch = true;
    sc.policy.spot_healthy_time = 0;
    ss_fp_state fp;
    ss_policy pol;
    ss_ecs *e = fallback_run(&sc, d, &fp, &pol, &m);
    ss_instance *od = ss_fleet_inst(&e->fleet, 1);
    assert_false(od->spot);
    assert_int_equal(od->end, T + S(3900));
    assert_near(m.availability, 1.0 - 300.0 / HORIZON_S, 1e-12);
    assert_near(m.od_cost_usd, 3480.0 * 3.0 / 3600.0, 1e-9);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* Cover 0.5 of a shortfall of 2 (K = 2, both zones out): ceil(0.5 x 2) = 1
 * On-Demand instance; with K = 2 the SLO (2 healthy) stays broken until
 * Spot returns: availability as without fallback; 1 On-Demand instance
 * billed [T+420, T+4500) = 4080 s -> 3.4. */
static void test_partial_cover(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    policy_setup(&sc, &d, 2, 2);
    sc.providers[0].managed_draining = true;
    all_zones_out(d);
    sc.policy.fallback = true;
    sc.policy.cover = 0.5;
    ss_fp_state fp;
    ss_policy pol;
    ss_ecs *e = fallback_run(&sc, d, &fp, &pol, &m);
    int od = 0;
    for (int i = 0; i < e->fleet.n; i++)
        od += !ss_fleet_inst(&e->fleet, i)->spot;
    assert_int_equal(od, 1);
    assert_near(m.od_cost_usd, 4080.0 * 3.0 / 3600.0, 1e-9);
    assert_near(m.availability, 1.0 - 3780.0 / HORIZON_S, 1e-12);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* ---- over-provisioning -------------------------------------------------------------- */

/* K = 1 with one extra Spot instance (2 tasks, SLO 1 healthy): instances in
 * a and b; zone a drops at T: its task dies at T+120 but b's stays healthy:
 * availability 1. The replacement goes to b (a full: 1 failure), launched
 * T+120, billed from T+420: 3720 + 10800 + 6780 = 21300 s -> 5.91667. */
static void test_extra_spot(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    ss_err err;
    policy_setup(&sc, &d, 2, 1);
    ss_time t[] = {FX_T0, T};
    int v[] = {1, 0};
    policy_trace(d, 0, t, v, 2);
    sc.policy.extra_spot = 1;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.availability, 1.0, 1e-12);
    assert_int_equal(m.launches, 3);
    assert_int_equal(m.failed_launches, 1);
    assert_near(m.spot_cost_usd, 21300.0 / 3600.0, 1e-9);
    ss_data_free(d);
}

/* ---- the rules alone ------------------------------------------------------------------- */

/* SpotHedge sets: a warning or capacity failure preempts a zone; it returns
 * after zone_quiet; with every zone preempted all return. */
static void test_zone_sets(void **state)
{
    (void)state;
    ss_fleet_policy p;
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    p = sc.policy;
    assert_int_equal(ss_fp_preset(&p, "spothedge"), 0);
    p.zone_quiet = 600 * SS_SECOND;
    ss_fp_state s;
    ss_fp_init(&s, &p, 3);
    ss_fp_spot_notice(&s, 0, 1000);
    assert_false(ss_fp_zone_active(&s, 0, 1000));
    assert_true(ss_fp_zone_active(&s, 1, 1000));
    ss_fp_launch_failed(&s, 1, true, 2000);
    ss_fp_launch_failed(&s, 2, false, 2000); /* On-Demand failures do not count */
    assert_false(ss_fp_zone_active(&s, 1, 2000));
    assert_true(ss_fp_zone_active(&s, 2, 2000));
    /* zone 0 quiet for 600 s at 1000 + 600 s */
    assert_false(ss_fp_zone_active(&s, 0, 1000 + S(600) - 1));
    assert_true(ss_fp_zone_active(&s, 0, 1000 + S(600)));
    /* all three preempted -> all active */
    ss_fp_spot_notice(&s, 0, S(700));
    ss_fp_launch_failed(&s, 1, true, S(700));
    ss_fp_spot_notice(&s, 2, S(700));
    assert_true(ss_fp_zone_active(&s, 0, S(700)));
    assert_true(ss_fp_zone_active(&s, 1, S(700)));
    assert_int_equal(ss_fp_preset(&p, "no-such-policy"), -1);
}

/* Interruption threshold 2 within 10 min: warnings at 0 and 11 min do not
 * trip it; a third at 15 min does (11 and 15 are within 10 min). */
static void test_interruption_threshold(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    ss_fleet_policy p = sc.policy;
    p.fallback = true;
    p.trigger = SS_FB_INTERRUPTIONS;
    p.interruption_threshold = 2;
    ss_fp_state s;
    ss_fp_init(&s, &p, 2);
    ss_fp_spot_notice(&s, 0, 0);
    ss_fp_spot_notice(&s, 0, 11 * SS_MINUTE);
    assert_int_equal(ss_fp_wake_at(&s, 11 * SS_MINUTE), SS_TIME_NEVER);
    ss_fp_launch_failed(&s, 0, true, 12 * SS_MINUTE); /* not this trigger */
    assert_int_equal(ss_fp_wake_at(&s, 12 * SS_MINUTE), SS_TIME_NEVER);
    ss_fp_spot_notice(&s, 1, 15 * SS_MINUTE);
    assert_int_equal(ss_fp_wake_at(&s, 15 * SS_MINUTE), 15 * SS_MINUTE);
    assert_int_equal(ss_fp_od_cover(&s, 3, 1, 0, 15 * SS_MINUTE), 2);
}

/* ---- export ------------------------------------------------------------------------------- */

/* fleet-policy.json: the fallback on capacity failures gives the
 * InsufficientInstanceCapacity rule (with the group name and the wildcard
 * on StatusMessage) and the release rule; SpotHedge adds the warning rule;
 * the parameters are in seconds; N_extra is in the native part. */
static void test_export_controller(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    policy_setup(&sc, &d, 2, 3);
    ss_data_free(d);
    strcpy(sc.asgs[0].name, "gpu");
    sc.policy.fallback = true;
    sc.policy.trigger = SS_FB_LAUNCH_FAILURES;
    sc.policy.detection_delay = 3 * SS_MINUTE;
    sc.policy.placement = SS_PLACE_SPOTHEDGE;
    sc.policy.zone_quiet = 30 * SS_MINUTE;
    sc.policy.extra_spot = 1;
    char *txt;
    ss_err err;
    assert_int_equal(ss_export_fleet_policy_json(&sc, &txt, &err), 0);
    json_error_t je;
    json_t *root = json_loads(txt, 0, &je);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "Native"), "DesiredCapacity")), 4);
    json_t *ctl = json_object_get(root, "Controller");
    json_t *fb = json_object_get(ctl, "OnDemandFallback");
    assert_true(json_real_value(json_object_get(fb, "DetectionDelaySeconds")) == 180.0);
    json_t *rules = json_object_get(ctl, "Rules");
    assert_int_equal(json_array_size(rules), 3);
    json_t *r0 = json_array_get(rules, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "Name")), "gpu-spot-insufficient-capacity");
    json_t *pat = json_object_get(r0, "EventPattern");
    assert_string_equal(json_string_value(json_array_get(json_object_get(pat, "source"), 0)), "aws.autoscaling");
    assert_string_equal(json_string_value(json_array_get(json_object_get(pat, "detail-type"), 0)),
                        "EC2 Instance Launch Unsuccessful");
    json_t *det = json_object_get(pat, "detail");
    assert_string_equal(json_string_value(json_array_get(json_object_get(det, "AutoScalingGroupName"), 0)), "gpu");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(det, "StatusMessage"), 0),
                                                          "wildcard")),
                        "*InsufficientInstanceCapacity*");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 1), "Name")), "gpu-launch-successful");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 2), "Name")), "gpu-spot-zone-events");
    assert_true(json_real_value(json_object_get(json_object_get(ctl, "SpotHedgePlacement"), "ZoneQuietSeconds")) ==
                1800.0);
    json_decref(root);
    free(txt);
    char *sum = ss_fleet_policy_summary(&sc);
    assert_non_null(strstr(sum, "DesiredCapacity 4 (3 + 1 extra Spot)"));
    assert_non_null(strstr(sum, "Needs a controller"));
    assert_non_null(strstr(sum, "detection delay 180 s"));
    free(sum);
    /* no rule: no summary */
    ss_scenario_defaults(&sc);
    sum = ss_fleet_policy_summary(&sc);
    assert_string_equal(sum, "");
    free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_drop_round_robin),
        cmocka_unit_test(test_spothedge_flapping_zone),
        cmocka_unit_test(test_all_zones_out_no_fallback),
        cmocka_unit_test(test_all_zones_out_fallback),
        cmocka_unit_test(test_partial_cover),
        cmocka_unit_test(test_release_on_launch),
        cmocka_unit_test(test_extra_spot),
        cmocka_unit_test(test_zone_sets),
        cmocka_unit_test(test_interruption_threshold),
        cmocka_unit_test(test_export_controller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
