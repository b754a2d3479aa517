/*
 * test_k8s_sim.c - the Kubernetes model on the event kernel, shared fleet and
 * Auto Scaling groups, with hand-worked timelines.
 *
 * Common set-up: 3 zones (a, b, c), one type m5.large (2 vCPU, 8 GiB, OD
 * $0.096/h, Spot $0.04/h flat), one Spot node group per zone; pods 0.5 vCPU /
 * 1 GiB so 4 pods fill a node; no interruptions unless stated; SLO: all
 * replicas healthy. Latencies: EC2 launch 60 s, node Ready 50 s after
 * running, pod start 5 s, handler 2 s, grace 30 s, CA scan every 10 s from
 * the horizon start (so scans fall on multiples of 10 s).
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "models/k8s.h"
#include "policies/zone_failure.h"

#define T0 ((ss_time)1600000000000LL)

static ss_data *mkdata(bool spot_price)
{
    ss_data *d = ss_data_new(1, 3);
    for (int z = 0; z < 3; z++) {
        ss_pool *p = &d->pools[z];
        strcpy(p->instance_type, "m5.large");
        snprintf(p->zone, SS_NAME_MAX, "us-east-1%c", 'a' + z);
        p->vcpu = 2.0;
        p->memory_mib = 8192.0;
        p->ondemand_usd_per_hour = 0.096;
        if (spot_price) {
            ss_time t = T0 - SS_DAY;
            double usd = 0.04;
            ss_price_series_set(&p->spot, &t, &usd, 1);
        }
    }
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    return d;
}

static void mkscenario(ss_scenario *sc, int nodes_per_zone, int replicas, ss_time hours_ms)
{
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->start = T0;
    sc->end = T0 + hours_ms;
    sc->market.interruptions = SS_INTERRUPT_NONE;
    sc->market.n_zones = 3;
    for (int z = 0; z < 3; z++)
        snprintf(sc->market.zones[z], SS_NAME_MAX, "us-east-1%c", 'a' + z);
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->n_asgs = 3;
    for (int g = 0; g < 3; g++) {
        ss_asg *a = &sc->asgs[g];
        ss_asg_defaults(a);
        snprintf(a->name, SS_NAME_MAX, "spot-%c", 'a' + g);
        a->zone_idx[0] = g;
        a->n_zones = 1;
        a->type_idx[0] = 0;
        a->n_types = 1;
        a->spot = true;
        a->min_size = 0;
        a->max_size = 20;
        a->desired_capacity = nodes_per_zone;
    }
    ss_deployment *d = &sc->k8s.deployment;
    d->replicas = replicas;
    d->cpu_request = 0.5;
    d->memory_request_mib = 1024;
    d->n_spread = 1;
    strcpy(d->spread[0].topology_key, SS_K8S_ZONE_KEY);
    d->spread[0].max_skew = 1;
    sc->k8s.autoscaler.expander = SS_EXPANDER_MOST_PODS;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

static void startup_timeline(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    mkscenario(&sc, 1, 6, SS_HOUR);
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    /* nodes Ready at 60 + 50 = 110 s; 6 pods pending 110 s each = 660 pod-s;
     * Ready at 115 s: one shortfall episode of 115 s; availability
     * (3600 - 115) / 3600. The three upcoming nodes absorb the 6 pods in
     * the CA simulation (zone a 4 with only a visible, then b 1, c 1): no
     * scale-up. */
    NEAR(m.pending_task_hours, 660.0 / 3600);
    NEAR(m.availability, (3600.0 - 115) / 3600);
    assert_int_equal(m.shortfall_episodes, 1);
    NEAR(m.shortfall_max_s, 115.0);
    assert_int_equal(tr.n_scaleup, 0);
    assert_int_equal(m.launches, 3);
    assert_int_equal(m.skew_violations, 0);
    /* Spot instance-hours (alive): 3 x 1 h. Cost: EC2 bills from `running`
     * (60 s after the launch request): 3 x (3600 - 60) s x $0.04/h = 0.118 */
    NEAR(m.spot_instance_hours, 3.0);
    NEAR(m.spot_cost_usd, 3 * 0.04 * (3600.0 - 60) / 3600);
    NEAR(m.horizon_hours, 1.0);
    ss_data_free(d);
}

static void backoff_on_failing_group(void **state)
{
    (void)state;
    /* No Spot price at all: the ASG never finds a pool to launch into, so
     * the requested node never registers and CA gives up on the group after
     * max_node_provision_time (15 min), backing it off 5, 10, 20, 30, 30 min.
     * A request times out at the first scan strictly after its
     * ExpectedAddTime (clusterstate updateScaleRequests:
     * ExpectedAddTime.Before(now)), i.e. 910 s after the scale-up.
     * Attempts (scale-ups): A0 = 0; failure at 910 s, backoff to 1210 s ->
     * A1 = 1210; failure at 2120 (+10 min) -> A2 = 2720; failure at 3630
     * (+20 min) -> A3 = 4830; failure at 5740 (+30 min) -> A4 = 7540;
     * failure at 8450 (+30 min cap) -> A5 = 10250; horizon 3 h. */
    ss_data *d = mkdata(false);
    ss_scenario sc;
    mkscenario(&sc, 0, 1, 3 * SS_HOUR);
    sc.n_asgs = 1;
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    const ss_time want_up[6] = {0, 1210, 2720, 4830, 7540, 10250};
    const ss_time want_bo[5] = {910, 2120, 3630, 5740, 8450};
    const ss_time want_len[5] = {300, 600, 1200, 1800, 1800};
    assert_int_equal(tr.n_scaleup, 6);
    assert_int_equal(tr.n_backoff, 5);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(tr.scaleup_t[i] - T0, want_up[i] * SS_SECOND);
        assert_int_equal(tr.scaleup_group[i], 0);
    }
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tr.backoff_t[i] - T0, want_bo[i] * SS_SECOND);
        assert_int_equal(tr.backoff_until[i] - tr.backoff_t[i], want_len[i] * SS_SECOND);
    }
    /* the pod never runs: pending the whole 3 h, availability 0 */
    NEAR(m.pending_task_hours, 3.0);
    NEAR(m.availability, 0.0);
    assert_int_equal(m.launches, 0);
    ss_data_free(d);
}

/* Zone a unhealthy (instances kept, NotReady) from 1 h to 3 h. */
static void outage_scenario(ss_scenario *sc, int nodes_per_zone, ss_time horizon)
{
    mkscenario(sc, nodes_per_zone, 12, horizon);
    sc->market.n_outages = 1;
    ss_zone_outage *o = &sc->market.outages[0];
    strcpy(o->zone, "us-east-1a");
    o->start = T0 + SS_HOUR;
    o->end = T0 + 3 * SS_HOUR;
    o->instances_lost = false;
    /* The mitigation tests below keep zone a's NotReady nodes: scale-down
     * of unready nodes (item of its own, tested in unready_scale_down) off. */
    sc->k8s.autoscaler.scale_down_unready_enabled = false;
}

static void mitigation_drop_zone_spread(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    ss_metrics off, on;
    ss_err err;
    /* 2 nodes per zone, 12 pods: 4 per zone (2 per node), 4 free slots per
     * zone. Horizon 3 h + 30 s = 10830 s.
     * At 3600 s zone a goes NotReady; its 4 pods are evicted by the taint
     * manager at 3600 + 340 = 3940 s and recreated Pending.
     * Start-up: 12 pods Pending until the nodes are Ready at 110 s
     * (12 x 110 = 1320 pod-s, in every run).
     * Without (1): zone a is still a domain (NotReady nodes exist) with 0
     * pods: b and c give 4 + 1 - 0 = 5 > 1, Pending until a is Ready at
     * 10800 s: 4 x (10800 - 3940) = 27440 pod-s = 7.6222 pod-h.
     * Shortfall: [0,115) and [3600, 10805): 115 + 7205 = 7320 s.
     * With (1) (reaction 5 min: dropped from 3900 s): the 4 pods bind at
     * once on b and c at 3940 s: 0 pending; shortfall 115 + 345 = 460 s. */
    outage_scenario(&sc, 2, 3 * SS_HOUR + 30 * SS_SECOND);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &off, NULL, &err), 0);
    sc.k8s.mitigations.drop_zone_spread = true;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &on, NULL, &err), 0);
    NEAR(off.pending_task_hours, (1320.0 + 27440.0) / 3600);
    NEAR(on.pending_task_hours, 1320.0 / 3600);
    NEAR(off.availability, 1.0 - 7320.0 / 10830);
    NEAR(on.availability, 1.0 - 460.0 / 10830);
    /* the zone-a pods land on b and c while the constraint is dropped:
     * b and c reach 6 while a has 0 -> skew violations are recorded */
    assert_int_equal(off.skew_violations, 0);
    assert_true(on.skew_violations > 0);
    ss_data_free(d);
}

static void mitigation_remove_zone_groups(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    ss_metrics off, on;
    ss_err err;
    /* 1 node per zone, full (4 pods each); no spread constraint; priority
     * expander a (100) > b (50) > c (10); horizon 2 h; NotReady nodes not
     * scaled down (outage_scenario).
     * Without (2): at 3940 s the 4 evicted pods are Pending; CA picks a
     * (priority); the new node registers NotReady at 4050 s and stays
     * upcoming (clusterstate NotStarted) until 4050 + 15 min = 4950 s, so
     * the 4 pods fit on it in CA's simulation and nothing else is added.
     * The request (ExpectedAddTime 3940 + 900 = 4840) times out at the
     * first scan after it, 4850 s: a is backed off 5 min. At 4950 s the
     * node turns Unready, no upcoming node is left, a is backed off: b is
     * picked; Ready at 4950 + 110 = 5060 s: pending 4 x 1120 = 4480 pod-s.
     * With (2) (a removed from 3900 s): b at 3940 s, Ready at 4050 s:
     * 4 x 110 = 440 pod-s. Difference 4040 pod-s = 1.122 pod-h (before
     * upcoming NotReady nodes were modelled, CA re-scaled a every 110 s
     * and the difference was 1320 pod-s).
     * Both runs add the start-up 12 x 110 = 1320 pod-s. */
    outage_scenario(&sc, 1, 2 * SS_HOUR);
    sc.k8s.deployment.n_spread = 0;
    sc.k8s.autoscaler.expander = SS_EXPANDER_PRIORITY;
    sc.asgs[0].priority = 100;
    sc.asgs[1].priority = 50;
    sc.asgs[2].priority = 10;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &off, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 2);
    assert_int_equal(tr.scaleup_group[0], 0);
    assert_int_equal(tr.scaleup_t[0] - T0, 3940 * SS_SECOND);
    assert_int_equal(tr.scaleup_group[1], 1);
    assert_int_equal(tr.scaleup_t[1] - T0, 4950 * SS_SECOND);
    assert_int_equal(tr.n_backoff, 1);
    assert_int_equal(tr.backoff_group[0], 0);
    assert_int_equal(tr.backoff_t[0] - T0, 4850 * SS_SECOND);
    sc.k8s.mitigations.remove_zone_groups = true;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &on, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 1);
    assert_int_equal(tr.scaleup_group[0], 1);
    NEAR(off.pending_task_hours, (1320.0 + 4480.0) / 3600);
    NEAR(on.pending_task_hours, (1320.0 + 440.0) / 3600);
    /* shortfall: [0,115) plus [3600, 5065) vs [3600, 4055) */
    NEAR(off.availability, 1.0 - (115.0 + 1465.0) / 7200);
    NEAR(on.availability, 1.0 - (115.0 + 455.0) / 7200);
    /* instance-hours: 3 base nodes x 2 h + b's new node; without (2) also
     * the useless zone-a node launched at 3940 s (billed to the end) */
    NEAR(on.spot_instance_hours, 3.0 * 2 + (7200.0 - 3940) / 3600);
    NEAR(off.spot_instance_hours, 3.0 * 2 + (7200.0 - 4950) / 3600 + (7200.0 - 3940) / 3600);
    ss_data_free(d);
}

static void mitigation_suspend_scale_down(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    ss_metrics a, b;
    ss_err err;
    /* The drop-spread scenario over 4 h: after the outage (10800 s) zone a's
     * two nodes are Ready and empty. With (1) only, they are unneeded from
     * the scan at 10800 s and removed 10 min later at 11400 s. With (4)
     * too, scale-down stays suspended until 10800 + 300 = 11100 s, so the
     * timer starts then and removal is at 11700 s: 2 nodes x 300 s more =
     * 1/6 Spot instance-hour, $0.04/6 more. */
    outage_scenario(&sc, 2, 4 * SS_HOUR);
    sc.k8s.mitigations.drop_zone_spread = true;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &a, NULL, &err), 0);
    sc.k8s.mitigations.suspend_scale_down = true;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &b, NULL, &err), 0);
    NEAR(b.spot_instance_hours - a.spot_instance_hours, 600.0 / 3600);
    NEAR(b.spot_cost_usd - a.spot_cost_usd, 0.04 * 600.0 / 3600);
    /* 6 nodes x 3 h 10 min + 4 nodes x the remaining 50 min (a removed) */
    NEAR(a.spot_instance_hours, (6.0 * 11400 + 4.0 * (14400 - 11400)) / 3600);
    NEAR(a.pending_task_hours, b.pending_task_hours);
    ss_data_free(d);
}

/* ---- timeline ----------------------------------------------------------------- */

static void timeline_rows(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    mkscenario(&sc, 1, 6, SS_HOUR);
    ss_metrics m;
    ss_err err;
    /* sample_interval 60 s (default): "start" at 0, samples at 60 .. 3540 s
     * (the one at 3600 s = horizon end is not dispatched), "end" at 3600 s:
     * 61 rows, no other event (no scale-up, no failure). Nodes Ready at
     * 110 s, pods Ready at 115 s: the 60 s sample has 6 Pending, the 120 s
     * sample 6 healthy and running. */
    ss_timeline tl = {0};
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, &tl, &err), 0);
    assert_int_equal(tl.n, 61);
    assert_string_equal(tl.rows[0].event, "start");
    assert_int_equal(tl.rows[0].t, T0);
    assert_true(tl.rows[0].pending == 6 && tl.rows[0].healthy == 0 && tl.rows[0].desired == 6);
    assert_int_equal(tl.rows[0].spot_instances, 3);
    assert_int_equal(tl.rows[0].od_instances, 0);
    assert_null(tl.rows[1].event);
    assert_int_equal(tl.rows[1].t, T0 + 60 * SS_SECOND);
    assert_true(tl.rows[1].pending == 6 && tl.rows[1].running == 0 && tl.rows[1].required == 6);
    assert_int_equal(tl.rows[2].t, T0 + 120 * SS_SECOND);
    assert_true(tl.rows[2].pending == 0 && tl.rows[2].running == 6 && tl.rows[2].healthy == 6);
    assert_string_equal(tl.rows[60].event, "end");
    assert_int_equal(tl.rows[60].t, T0 + SS_HOUR);
    /* USD billed so far: the 3 Spot nodes run from 60 s at $0.04/h, so row k
     * (at 60k s) holds 3 x 0.04 x (60k - 60) / 3600 (0 at 0 and 60 s, 0.002
     * at 120 s, 0.118 at the end), nothing On-Demand; the "end" row is the
     * run's Spot cost to the last bit */
    for (size_t k = 0; k < tl.n; k++) {
        double want = k == 0 ? 0.0 : 3 * 0.04 * (60.0 * (double)k - 60) / 3600;
        NEAR(tl.rows[k].spot_cost_usd, want);
        assert_true(tl.rows[k].od_cost_usd == 0.0);
    }
    NEAR(tl.rows[2].spot_cost_usd, 0.002);
    assert_true(tl.rows[60].spot_cost_usd == m.spot_cost_usd);
    assert_true(tl.rows[60].spot_cost_usd + tl.rows[60].od_cost_usd == m.cost_usd);
    ss_timeline_free(&tl);
    /* the timeline does not change the metrics */
    ss_metrics m2;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m2, NULL, &err), 0);
    assert_memory_equal(&m, &m2, sizeof m);
    /* sample_interval 0: a row per change. The 3 nodes register at 110 s
     * and the 6 pods bind one by one (pending 5, 4, .., 0), then turn Ready
     * at 115 s (healthy 1 .. 6): 6 + 6 change rows + start + end. */
    sc.sample_interval = 0;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m2, &tl, &err), 0);
    assert_int_equal(tl.n, 14);
    for (size_t i = 1; i < tl.n; i++)
        assert_true(tl.rows[i].t >= tl.rows[i - 1].t);
    for (int k = 0; k < 6; k++) {
        const ss_timeline_row *r = &tl.rows[1 + k], *q = &tl.rows[7 + k];
        assert_int_equal(r->t, T0 + 110 * SS_SECOND);
        assert_true(r->pending == 5 - k && r->running == k + 1 && r->healthy == 0);
        assert_int_equal(q->t, T0 + 115 * SS_SECOND);
        assert_true(q->healthy == k + 1 && q->pending == 0);
    }
    ss_timeline_free(&tl);
    ss_data_free(d);
}

static int count_event(const ss_timeline *tl, const char *ev, ss_time *first)
{
    int n = 0;
    if (first)
        *first = SS_TIME_NEVER;
    for (size_t i = 0; i < tl->n; i++)
        if (tl->rows[i].event && !strcmp(tl->rows[i].event, ev)) {
            if (n++ == 0 && first)
                *first = tl->rows[i].t;
        }
    return n;
}

static void timeline_outage_and_mitigation_events(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    /* the drop-spread scenario: outage 3600 .. 10800 s, (1) on at 3900 s
     * (reaction 5 min) and off at 10800 + 300 = 11100 s */
    outage_scenario(&sc, 2, 4 * SS_HOUR);
    sc.k8s.mitigations.drop_zone_spread = true;
    ss_metrics m;
    ss_err err;
    ss_timeline tl = {0};
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, &tl, &err), 0);
    ss_time t;
    assert_int_equal(count_event(&tl, "outage-start", &t), 1);
    assert_int_equal(t, T0 + SS_HOUR);
    assert_int_equal(count_event(&tl, "outage-end", &t), 1);
    assert_int_equal(t, T0 + 3 * SS_HOUR);
    assert_int_equal(count_event(&tl, "mitigation-on:drop-zone-spread", &t), 1);
    assert_int_equal(t, T0 + 3900 * SS_SECOND);
    assert_int_equal(count_event(&tl, "mitigation-off:drop-zone-spread", &t), 1);
    assert_int_equal(t, T0 + 11100 * SS_SECOND);
    assert_int_equal(count_event(&tl, "mitigation-on:remove-zone-groups", NULL), 0);
    for (size_t i = 1; i < tl.n; i++)
        assert_true(tl.rows[i].t >= tl.rows[i - 1].t);
    ss_timeline_free(&tl);
    ss_data_free(d);
}

/* ---- mitigation (3): the Spot interruption-rate guard ---------------------------- */

/* Replayed bursts of fraction 1 (every alive Spot instance of the pool gets
 * the notice) in pool 0 (m5.large, us-east-1a) at the given offsets (s). */
static void set_bursts(ss_data *d, const int *at_s, int n)
{
    for (int p = 0; p < 3; p++)
        d->pools[p].has_log = true; /* replay only: no stochastic fallback */
    d->pools[0].bursts = calloc((size_t)n, sizeof(ss_burst));
    assert_non_null(d->pools[0].bursts);
    for (int i = 0; i < n; i++)
        d->pools[0].bursts[i] = (ss_burst){T0 + at_s[i] * SS_SECOND, 1.0, 1, 1};
    d->pools[0].n_bursts = (size_t)n;
}

static void spot_rate_guard_trigger_and_resume(void **state)
{
    (void)state;
    /* Groups: spot-a (priority 100, 2 nodes) and od-a (On-Demand, priority
     * 10, 0 nodes), both us-east-1a; 8 pods, 4 per node, no spread; guard
     * threshold 0.05, resume 0.02 notices per Spot node-hour over the last
     * hour; reaction 5 min; horizon 3 h = 10800 s.
     *   3605 burst 1: both Spot nodes noticed (notices 2); 3607 drained,
     *        8 pods Pending;
     *   3610 scan: rate 2 / 2 nodes = 1 > 0.05 -> guard due at 3910;
     *        scale-up picks spot-a (not blocked yet): +2, Ready 3720;
     *   3725 the noticed nodes end; the ASG (desired 4) launches 2 more,
     *        Ready 3835 and empty: removed at 4440 (unneeded from 3840 +
     *        10 min, after scale-down-delay-after-add 3610 + 10 min);
     *   3910 guard on;
     *   5405 burst 2: the two nodes from 3610 noticed (notices 4); 5407
     *        drained, 8 Pending;
     *   5410 scan: spot-a is blocked -> od-a +2 (without the guard:
     *        spot-a again);
     *   7210 the 3605 notices leave the window (7210 - 3600 > 3605): 2
     *        notices / max(1, 0 Spot nodes) = 2 > 0.02: still on;
     *   9010 the 5405 notices leave (9010 - 3600 > 5405): rate 0 < 0.02 ->
     *        guard off at 9010 + 300 = 9310.
     * od-a's 2 nodes hold the 8 pods from 5410 to the end: 2 x 5390 s of
     * On-Demand = 2.99444 instance-hours (0 without the guard). */
    ss_data *d = mkdata(true);
    const int bursts[2] = {3605, 5405};
    set_bursts(d, bursts, 2);
    ss_scenario sc;
    mkscenario(&sc, 2, 8, 3 * SS_HOUR);
    sc.market.interruptions = SS_INTERRUPT_REPLAY;
    sc.k8s.deployment.n_spread = 0;
    sc.k8s.autoscaler.expander = SS_EXPANDER_PRIORITY;
    sc.n_asgs = 2;
    sc.asgs[0].priority = 100;
    ss_asg *od = &sc.asgs[1];
    snprintf(od->name, SS_NAME_MAX, "od-a");
    od->zone_idx[0] = 0;
    od->spot = false;
    od->desired_capacity = 0;
    od->priority = 10;
    ss_zone_mitigations *mi = &sc.k8s.mitigations;
    mi->spot_rate_threshold = 0.05;
    mi->spot_rate_resume = 0.02;
    ss_metrics off, on;
    ss_err err;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &off, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 2);
    assert_int_equal(tr.scaleup_t[0] - T0, 3610 * SS_SECOND);
    assert_int_equal(tr.scaleup_group[0], 0);
    assert_int_equal(tr.scaleup_t[1] - T0, 5410 * SS_SECOND);
    assert_int_equal(tr.scaleup_group[1], 0);
    assert_int_equal(off.interruptions, 4);
    NEAR(off.od_instance_hours, 0.0);

    mi->spot_rate_guard = true;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &on, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 2);
    assert_int_equal(tr.scaleup_t[0] - T0, 3610 * SS_SECOND);
    assert_int_equal(tr.scaleup_group[0], 0);
    assert_int_equal(tr.scaleup_t[1] - T0, 5410 * SS_SECOND);
    assert_int_equal(tr.scaleup_group[1], 1); /* On-Demand while the guard is on */
    assert_int_equal(tr.scaleup_nodes[1], 2);
    assert_int_equal(on.interruptions, 4);
    NEAR(on.od_instance_hours, 2.0 * 5390 / 3600);
    /* both runs restore the 8 pods 115 s after each drain: same pending */
    NEAR(on.pending_task_hours, off.pending_task_hours);

    ss_timeline tl = {0};
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &on, &tl, &err), 0);
    ss_time t;
    assert_int_equal(count_event(&tl, "mitigation-on:spot-rate-guard", &t), 1);
    assert_int_equal(t - T0, 3910 * SS_SECOND);
    assert_int_equal(count_event(&tl, "mitigation-off:spot-rate-guard", &t), 1);
    assert_int_equal(t - T0, 9310 * SS_SECOND);
    assert_int_equal(count_event(&tl, "interruption", &t), 4);
    assert_int_equal(t - T0, 3605 * SS_SECOND);
    ss_timeline_free(&tl);

    /* hysteresis: with resume 0 the rate (>= 0) is never below it, so
     * the guard stays on to the end once tripped */
    mi->spot_rate_resume = 0.0;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &on, &tl, &err), 0);
    assert_int_equal(count_event(&tl, "mitigation-on:spot-rate-guard", NULL), 1);
    assert_int_equal(count_event(&tl, "mitigation-off:spot-rate-guard", NULL), 0);
    ss_timeline_free(&tl);
    /* a threshold above the observed rate (at most 2 per node-hour here)
     * never trips it */
    mi->spot_rate_resume = 0.02;
    mi->spot_rate_threshold = 2.5;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &on, &tl, &err), 0);
    assert_int_equal(count_event(&tl, "mitigation-on:spot-rate-guard", NULL), 0);
    ss_timeline_free(&tl);
    ss_data_free(d);
}

static void spot_rate_guard_switch(void **state)
{
    (void)state;
    /* the policy alone: threshold 0.05, resume 0.02, delay 300 s */
    ss_zone_mitigations mi;
    memset(&mi, 0, sizeof mi);
    mi.spot_rate_guard = true;
    mi.spot_rate_threshold = 0.05;
    mi.spot_rate_resume = 0.02;
    mi.reaction_delay = 300 * SS_SECOND;
    ss_zf_state z;
    ss_zf_init(&z, &mi, 3);
    const ss_time S = SS_SECOND;
    ss_zf_observe_rate(&z, 0.05, 0);          /* not above: nothing */
    assert_false(ss_zf_spot_scale_up_blocked(&z, 1000 * S));
    ss_zf_observe_rate(&z, 0.06, 1000 * S);   /* trips: on at 1300 s */
    assert_false(ss_zf_spot_scale_up_blocked(&z, 1299 * S));
    assert_int_equal(ss_zf_next_change(&z), 1300 * S);
    ss_zf_observe_rate(&z, 0.03, 1100 * S);   /* in the band: keeps the pending change */
    assert_true(ss_zf_spot_scale_up_blocked(&z, 1300 * S));
    ss_zf_observe_rate(&z, 0.02, 1400 * S);   /* not below resume: stays on */
    assert_true(ss_zf_spot_scale_up_blocked(&z, 2000 * S));
    ss_zf_observe_rate(&z, 0.01, 2000 * S);   /* below: off at 2300 s */
    assert_true(ss_zf_spot_scale_up_blocked(&z, 2299 * S));
    ss_zf_observe_rate(&z, 0.04, 2100 * S);   /* band again: off still on its way */
    assert_false(ss_zf_spot_scale_up_blocked(&z, 2300 * S));
    ss_zf_observe_rate(&z, 0.06, 2400 * S);   /* trips again at 2700 s ... */
    ss_zf_observe_rate(&z, 0.0, 2500 * S);    /* ... but clears first: cancelled */
    assert_false(ss_zf_spot_scale_up_blocked(&z, 3000 * S));
    assert_int_equal(ss_zf_next_change(&z), SS_TIME_NEVER);
    mi.spot_rate_guard = false;               /* off: never blocks */
    ss_zf_init(&z, &mi, 3);
    ss_zf_observe_rate(&z, 10.0, 0);
    assert_false(ss_zf_spot_scale_up_blocked(&z, SS_HOUR));
}

/* ---- rebalance recommendations: cordon (default) or drain ------------------------ */

static void rebalance_drain(void **state)
{
    (void)state;
    /* Node group spot-a (us-east-1a, 1 node, max 1) holds all 4 pods; spot-b
     * (us-east-1b, empty) is where the autoscaler can add nodes. Min 3
     * healthy (SLO and PDB minAvailable 3). A burst hits pool a at 3605 s,
     * preceded by a rebalance recommendation 600 s earlier (probability
     * 1). Node Ready 60 s + 120 s after the launch request; pods start in
     * 3 s; horizon 2 h.
     * Cordon only (NTH default): nothing moves at 3005. Notice 3605,
     * handler 3607 evicts 1 pod (4 - 3 = 1 allowed), refuses 3 (retry
     * every 5 s: 3612 .. 3722, always 3 healthy); CA adds a b node at 3610,
     * Ready 3790 > 3725 when the a instance ends and the 3 pods die:
     * healthy 0 < 3 from 3725 until all 4 are Ready on b at 3793: a 68 s
     * episode. Pending: pod 1 3607 -> 3790 (183 s) + 3 x (3790 - 3725) =
     * 378 pod-s.
     * Drain on rebalance: 3005 evict 1 pod (3 refused), CA at 3010, b node
     * Ready 3190, the pod is Ready at 3193; the retries at 3195, 3200, 3205
     * move the others one at a time (each bound at once, Ready 3 s later):
     * no episode after the start-up; pending 185 pod-s. */
    ss_data *d = mkdata(true);
    const int bursts[1] = {3605};
    set_bursts(d, bursts, 1);
    ss_scenario sc;
    mkscenario(&sc, 1, 4, 2 * SS_HOUR);
    sc.n_asgs = 2;
    sc.asgs[0].max_size = 1;
    sc.asgs[1].desired_capacity = 0;
    sc.market.interruptions = SS_INTERRUPT_REPLAY;
    sc.market.rebalance_probability = 1.0;
    sc.market.rebalance_lead = (ss_dist){SS_DIST_FIXED, 600.0, 0.0};
    sc.k8s.deployment.n_spread = 0;
    sc.k8s.deployment.pdb_min_available = 3;
    sc.k8s.deployment.pod_startup = (ss_dist){SS_DIST_FIXED, 3.0, 0.0};
    sc.k8s.autoscaler.node_provision = (ss_dist){SS_DIST_FIXED, 120.0, 0.0};
    sc.slo.min_healthy = 3;
    ss_metrics cordon, drain;
    ss_err err;
    /* start-up: the node is Ready at 180 s, pods at 183 s: 4 x 180 pod-s
     * pending, one 183 s episode */
    const double boot_pending = 4 * 180.0, boot_short = 183.0, T = 7200.0;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &cordon, NULL, &err), 0);
    sc.k8s.drain_on_rebalance = true;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &drain, NULL, &err), 0);
    assert_int_equal(cordon.rebalance_recommendations, 1);
    assert_int_equal(drain.rebalance_recommendations, 1);
    assert_int_equal(cordon.interruptions, 1);
    assert_int_equal(cordon.shortfall_episodes, 2);
    NEAR(cordon.shortfall_max_s, 183.0);
    NEAR(cordon.availability, 1.0 - (boot_short + 68.0) / T);
    NEAR(cordon.pending_task_hours, (boot_pending + 378.0) / 3600);
    assert_int_equal(drain.shortfall_episodes, 1);
    NEAR(drain.availability, 1.0 - boot_short / T);
    NEAR(drain.pending_task_hours, (boot_pending + 185.0) / 3600);
    /* evictions: 1 by the handler vs all 4 by the rebalance drain */
    assert_int_equal(cordon.evictions, 1);
    assert_int_equal(drain.evictions, 4);
    assert_true(cordon.pdb_blocked_evictions > 0 && drain.pdb_blocked_evictions > 0);
    ss_data_free(d);
}

static void deterministic_and_rejects_bad_input(void **state)
{
    (void)state;
    ss_data *d = mkdata(true);
    ss_scenario sc;
    outage_scenario(&sc, 2, 4 * SS_HOUR);
    ss_metrics a, b;
    ss_err err;
    assert_int_equal(ss_evaluate(&sc, d, 7, 1, &a, NULL, &err), 0);
    assert_int_equal(ss_evaluate(&sc, d, 7, 1, &b, NULL, &err), 0);
    assert_memory_equal(&a, &b, sizeof a);
    sc.k8s.deployment.spread[0].max_skew = 0;
    assert_int_equal(ss_evaluate(&sc, d, 7, 1, &a, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "max_skew"));
    sc.k8s.deployment.spread[0].max_skew = 1;
    sc.n_asgs = 0;
    assert_int_equal(ss_evaluate(&sc, d, 7, 1, &a, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "node groups"));
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(startup_timeline),
        cmocka_unit_test(backoff_on_failing_group),
        cmocka_unit_test(mitigation_drop_zone_spread),
        cmocka_unit_test(mitigation_remove_zone_groups),
        cmocka_unit_test(mitigation_suspend_scale_down),
        cmocka_unit_test(timeline_rows),
        cmocka_unit_test(timeline_outage_and_mitigation_events),
        cmocka_unit_test(spot_rate_guard_trigger_and_resume),
        cmocka_unit_test(spot_rate_guard_switch),
        cmocka_unit_test(rebalance_drain),
        cmocka_unit_test(deterministic_and_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
