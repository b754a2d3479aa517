/*
 * test_k8s_fallback.c - the fleet rule's On-Demand fallback for
 * cluster-autoscaler node groups (policy.fallback_group; models/k8s_sim.c
 * od_fallback, policies/fleet_policy.c), with hand-worked timelines.
 *
 * Set-up (as test_k8s_ca.c): zones us-east-1a/b, one type m5.large (2 vCPU,
 * 8 GiB, On-Demand $0.096/h, Spot $0.04/h flat); EC2 launch 60 s (billed
 * from running), node Ready 50 s after running (registration 110 s after
 * the launch request), pod start 5 s, grace 30 s, CA scan every 10 s from
 * the horizon start, horizon 1 h; no interruptions besides the capacity
 * trace. One pod of 0.5 vCPU (utilisation 0.25 of a node: below CA's 0.5
 * threshold, so a node holding it alone is a scale-down candidate when the
 * pod fits elsewhere).
 *
 * Node groups: 0 spot-a (Spot, zone a, MinSize 1 = desired 1, max 20) and
 * 1 od-b (On-Demand, zone b, MinSize 0, MaxSize 0: parked, CA never grows
 * it; only the fallback rule does, and CA scales it down as any group).
 * Spot capacity in zone a: 0 from before the start until 1805 s, then
 * unlimited (trace).
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/eval.h"
#include "models/k8s.h"
#include "policies/evaluate.h"
#include "policies/export.h"
#include "policies/fleet_policy.h"

#include <jansson.h>

#define T0 ((ss_time)1600000000000LL)
#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)
#define AT(t) (T0 + (ss_time)(t) * SS_SECOND)

/* Spot capacity of pool 0 (m5.large@a): v0 from before the start, v1 from
 * t1 (-1 = unlimited). */
static ss_data *mkdata_trace(int v0, ss_time t1, int v1)
{
    ss_data *d = ss_data_new(1, 2);
    for (int z = 0; z < 2; z++) {
        ss_pool *p = &d->pools[z];
        strcpy(p->instance_type, "m5.large");
        snprintf(p->zone, SS_NAME_MAX, "us-east-1%c", 'a' + z);
        p->vcpu = 2.0;
        p->memory_mib = 8192.0;
        p->ondemand_usd_per_hour = 0.096;
        ss_time t = T0 - SS_DAY;
        double usd = 0.04;
        ss_price_series_set(&p->spot, &t, &usd, 1);
    }
    ss_pool *p = &d->pools[0];
    p->has_trace = true;
    p->n_cap = 2;
    p->cap_t = ss_malloc(2 * sizeof *p->cap_t);
    p->cap_value = ss_malloc(2 * sizeof *p->cap_value);
    p->cap_t[0] = T0 - SS_DAY;
    p->cap_value[0] = v0;
    p->cap_t[1] = t1;
    p->cap_value[1] = v1;
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    return d;
}

/* none, then unlimited from 1805 s */
static ss_data *mkdata(void) { return mkdata_trace(0, AT(1805), -1); }

static void mkscenario(ss_scenario *sc, bool rule)
{
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->start = T0;
    sc->end = T0 + SS_HOUR;
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->market.n_zones = 2;
    for (int z = 0; z < 2; z++)
        snprintf(sc->market.zones[z], SS_NAME_MAX, "us-east-1%c", 'a' + z);
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->n_asgs = 2;
    for (int g = 0; g < 2; g++) {
        ss_asg *a = &sc->asgs[g];
        ss_asg_defaults(a);
        strcpy(a->name, g ? "od-b" : "spot-a");
        a->zone_idx[0] = g;
        a->n_zones = 1;
        a->type_idx[0] = 0;
        a->n_types = 1;
        a->spot = g == 0;
        a->min_size = g ? 0 : 1;
        a->max_size = g ? 0 : 20;
        a->desired_capacity = g ? 0 : 1;
    }
    ss_deployment *d = &sc->k8s.deployment;
    d->replicas = 1;
    d->cpu_request = 0.5;
    d->memory_request_mib = 1024;
    d->n_spread = 0;
    sc->k8s.scheduler_lowest_id_ties = true;
    if (rule) {
        ss_fleet_policy *p = &sc->policy;
        p->fallback = true;
        p->trigger = SS_FB_LAUNCH_FAILURES;
        p->detection_delay = 60 * SS_SECOND;
        p->cover = 1.0;
        p->spot_healthy_time = 15 * SS_MINUTE;
        p->min_hold = 0;
        p->fallback_group = 1;
    }
}

static void run(const ss_scenario *sc, const ss_data *d, ss_metrics *m, ss_k8s_trace *tr)
{
    memset(tr, 0, sizeof *tr);
    ss_err err;
    if (ss_evaluate_k8s_traced(sc, d, 1, 0, m, tr, &err))
        fail_msg("%s", err.msg);
}

/* Without the rule. spot-a's launch fails at the start and at every scan
 * after (CA backs the group off and deletes the placeholder, which the ASG,
 * held at MinSize 1, re-launches at once); od-b cannot grow (MaxSize 0).
 * The first attempt after capacity returns (1805 s) is the scan at 1810 s:
 * running 1870 s, registered 1920 s, the pod binds and is ready at 1925 s.
 * Availability (3600 - 1925) / 3600; Spot (3600 - 1870) s at $0.04/h; no
 * On-Demand; CA removes nothing. */
static void without_rule_pod_waits_for_spot(void **state)
{
    (void)state;
    ss_data *d = mkdata();
    ss_scenario sc;
    mkscenario(&sc, false);
    ss_metrics m;
    ss_k8s_trace tr;
    run(&sc, d, &m, &tr);
    NEAR(m.availability, (3600.0 - 1925) / 3600);
    NEAR(m.spot_cost_usd, 0.04 * (3600.0 - 1870) / 3600);
    NEAR(m.od_cost_usd, 0.0);
    assert_int_equal(tr.n_sd_removed, 0);
    ss_data_free(d);
}

/* With the rule (launch failures, delay 60 s, cover 1, Spot healthy 15 min).
 * The failure at 0 s arms the detection for 60 s; the scan at 60 s finds
 * Spot wanted 1 (spot-a's desired), ready 0, booting 0: cover
 * ceil(1 x 1) = 1, od-b MinSize 0 -> 1 (MaxSize raised with it), desired 1:
 * launch at 60 s, running 120 s, registered 170 s; the pod binds there,
 * ready at 175 s. Spot launches at 1810 s as above (booting: the cover
 * stays), registers at 1920 s: Spot at strength from the scan at 1920 s.
 * From that scan od-b's node is unneeded (its pod fits on the empty Spot
 * node) but held by MinSize 1; the cover is released at 1920 + 900 = 2820 s
 * (MinSize back to 0), and CA's unneeded time (10 min, since 1920 s) has
 * passed: CA drains the node at the 2820 s scan. The evicted pod's
 * replacement binds to the Spot node at once, ready at 2825 s (5 s without
 * the pod); the evicted pod is deleted after its 30 s grace, at 2850 s,
 * and the instance terminated then.
 * Availability (3600 - 175 - 5) / 3600; On-Demand (2850 - 120) s at
 * $0.096/h; Spot as without the rule. */
static void rule_raises_min_then_ca_scales_down(void **state)
{
    (void)state;
    ss_data *d = mkdata();
    ss_scenario sc;
    mkscenario(&sc, true);
    ss_metrics m;
    ss_k8s_trace tr;
    run(&sc, d, &m, &tr);
    NEAR(m.availability, (3600.0 - 175 - 5) / 3600);
    NEAR(m.od_cost_usd, 0.096 * (2850.0 - 120) / 3600);
    NEAR(m.spot_cost_usd, 0.04 * (3600.0 - 1870) / 3600);
    assert_int_equal(tr.n_sd_removed, 1);
    assert_int_equal(tr.sd_removed_t[0], AT(2820));
    ss_data_free(d);
}

/* Spot healthy for 5 min only: the cover is released at 1920 + 300 =
 * 2220 s, but the node has been unneeded only since 1920 s: CA removes it
 * at 1920 + 600 = 2520 s (drain; pod deleted, instance gone at 2550 s).
 * On-Demand (2550 - 120) s; availability as above (the 5 s gap at the
 * move). */
static void after_release_ca_unneeded_time_governs(void **state)
{
    (void)state;
    ss_data *d = mkdata();
    ss_scenario sc;
    mkscenario(&sc, true);
    sc.policy.spot_healthy_time = 5 * SS_MINUTE;
    ss_metrics m;
    ss_k8s_trace tr;
    run(&sc, d, &m, &tr);
    assert_int_equal(tr.n_sd_removed, 1);
    assert_int_equal(tr.sd_removed_t[0], AT(2520));
    NEAR(m.od_cost_usd, 0.096 * (2550.0 - 120) / 3600);
    NEAR(m.availability, (3600.0 - 175 - 5) / 3600);
    ss_data_free(d);
}

/* Detection delay 10 min: the scan at 600 s raises the MinSize; od-b
 * launches at 600 s, registers at 710 s, the pod is ready at 715 s.
 * Availability (3600 - 715 - 5) / 3600; On-Demand (2850 - 660) s (release
 * and removal as with the 60 s delay). */
static void detection_delay_shifts_launch(void **state)
{
    (void)state;
    ss_data *d = mkdata();
    ss_scenario sc;
    mkscenario(&sc, true);
    sc.policy.detection_delay = 10 * SS_MINUTE;
    ss_metrics m;
    ss_k8s_trace tr;
    run(&sc, d, &m, &tr);
    NEAR(m.availability, (3600.0 - 715 - 5) / 3600);
    NEAR(m.od_cost_usd, 0.096 * (2850.0 - 660) / 3600);
    ss_data_free(d);
}

/* Trigger interruptions (threshold 1, delay 0): Spot capacity unlimited,
 * then 0 from 1005 s for good. The Spot node launches at 0 s, registers at
 * 110 s, the pod is ready at 115 s. The drop at 1005 s is noticed 120 s
 * ahead (market.notice_lead), at 885 s: the warning trips the rule; the
 * node termination handler drains the node 2 s later (handler_delay): the
 * pod is evicted at 887 s, its replacement pending. The scan at 890 s finds
 * Spot wanted 1, ready 0 (the only node is warned), booting 0: od-b's
 * MinSize 1, launch at 890 s, running 950 s, registered 1000 s, the pod
 * ready at 1005 s. Spot never returns: the cover stays, od-b runs to the
 * end. Availability (3600 - 115 - (1005 - 887)) / 3600; On-Demand
 * (3600 - 950) s at $0.096/h. Without the rule the replacement pod never
 * runs: availability (887 - 115) / 3600. */
static void interruption_warning_trips_fallback(void **state)
{
    (void)state;
    ss_data *d = mkdata_trace(-1, AT(1005), 0);
    ss_scenario sc;
    mkscenario(&sc, true);
    sc.policy.trigger = SS_FB_INTERRUPTIONS;
    sc.policy.interruption_threshold = 1;
    sc.policy.detection_delay = 0;
    ss_metrics m;
    ss_k8s_trace tr;
    run(&sc, d, &m, &tr);
    NEAR(m.availability, (3600.0 - 115 - (1005 - 887)) / 3600);
    NEAR(m.od_cost_usd, 0.096 * (3600.0 - 950) / 3600);
    mkscenario(&sc, false);
    run(&sc, d, &m, &tr);
    NEAR(m.availability, (887.0 - 115) / 3600);
    NEAR(m.od_cost_usd, 0.0);
    ss_data_free(d);
}

/* The rule's routing with fallback_group (policies/fleet_policy.c): it
 * watches every group but the On-Demand one and answers od_cover for that
 * one only. Fallback group 2, trigger either (threshold 1), delay 0, cover
 * 0.5. A capacity failure reported by group 2 is ignored: no cover at 0 s.
 * A warning from group 1 (a Spot group other than policy.group 0) trips it
 * at 10 s; asked for group 0 the rule answers 0 and changes nothing; asked
 * for group 2 with 4 Spot nodes wanted, 1 ready, 0 booting:
 * ceil(0.5 x 3) = 2. */
static void routing_watches_spot_groups_answers_fallback_group(void **state)
{
    (void)state;
    ss_fleet_policy p;
    memset(&p, 0, sizeof p);
    p.fallback = true;
    p.trigger = SS_FB_EITHER;
    p.interruption_threshold = 1;
    p.interruption_window = 10 * SS_MINUTE;
    p.cover = 0.5;
    p.spot_healthy_time = 10 * SS_MINUTE;
    p.fallback_group = 2;
    ss_fp_state st;
    ss_fp_init(&st, &p, 2);
    ss_policy pol = ss_fp_policy(&st);
    ss_pol_launch_failed(&pol, 2, 0, true, 0);
    assert_int_equal(ss_pol_od_cover(&pol, 2, 4, 0, 0, 0), 0);
    ss_pol_spot_notice(&pol, 1, 0, 10 * SS_SECOND);
    assert_int_equal(ss_pol_od_cover(&pol, 0, 4, 1, 0, 10 * SS_SECOND), 0);
    assert_false(st.active);
    assert_int_equal(ss_pol_od_cover(&pol, 2, 4, 1, 0, 10 * SS_SECOND), 2);
    assert_true(st.active);
}

/* fleet-policy.json for the node groups: the Launch Unsuccessful (capacity)
 * and Launch Successful rules of the Spot group spot-a (no interruption
 * rule for the launch-failures trigger), the action on od-b with its base
 * sizes 0 / 0; the summary names both. */
static void export_names_the_node_groups(void **state)
{
    (void)state;
    ss_scenario sc;
    mkscenario(&sc, true);
    char *txt;
    ss_err err;
    assert_int_equal(ss_export_fleet_policy_json(&sc, &txt, &err), 0);
    json_error_t je;
    json_t *root = json_loads(txt, 0, &je);
    assert_non_null(root);
    json_t *nat = json_object_get(root, "Native");
    assert_string_equal(json_string_value(json_array_get(json_object_get(nat, "SpotNodeGroups"), 0)), "spot-a");
    assert_int_equal(json_array_size(json_object_get(nat, "SpotNodeGroups")), 1);
    assert_string_equal(json_string_value(json_object_get(nat, "OnDemandNodeGroup")), "od-b");
    json_t *ctl = json_object_get(root, "Controller");
    json_t *fb = json_object_get(ctl, "OnDemandFallback");
    assert_string_equal(json_string_value(json_object_get(fb, "OnDemandNodeGroup")), "od-b");
    assert_int_equal(json_integer_value(json_object_get(fb, "BaseMaxSize")), 0);
    assert_true(json_real_value(json_object_get(fb, "DetectionDelaySeconds")) == 60.0);
    assert_true(json_real_value(json_object_get(fb, "SpotHealthySeconds")) == 900.0);
    assert_non_null(strstr(json_string_value(json_object_get(fb, "Action")), "MinSize = BaseMinSize + C"));
    json_t *rules = json_object_get(ctl, "Rules");
    assert_int_equal(json_array_size(rules), 2);
    json_t *r0 = json_array_get(rules, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "Name")), "spot-a-spot-insufficient-capacity");
    json_t *det = json_object_get(json_object_get(r0, "EventPattern"), "detail");
    assert_string_equal(json_string_value(json_array_get(json_object_get(det, "AutoScalingGroupName"), 0)),
                        "spot-a");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rules, 1), "Name")),
                        "spot-a-launch-successful");
    json_decref(root);
    free(txt);
    char *sum = ss_fleet_policy_summary(&sc);
    assert_non_null(strstr(sum, "UpdateAutoScalingGroup on 'od-b'"));
    assert_non_null(strstr(sum, "detection delay 60 s"));
    free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_rule_pod_waits_for_spot),
        cmocka_unit_test(rule_raises_min_then_ca_scales_down),
        cmocka_unit_test(after_release_ca_unneeded_time_governs),
        cmocka_unit_test(detection_delay_shifts_launch),
        cmocka_unit_test(interruption_warning_trips_fallback),
        cmocka_unit_test(export_names_the_node_groups),
        cmocka_unit_test(routing_watches_spot_groups_answers_fallback_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
