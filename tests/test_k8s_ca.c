/*
 * test_k8s_ca.c - the Cluster Autoscaler and scheduler behaviours that decide
 * rollouts, each against the upstream source (issue: "make the Cluster
 * Autoscaler behave like upstream"), with hand-worked timelines.
 *
 * Common set-up (as test_k8s_sim.c): zones us-east-1a/b/c, one type
 * m5.large (2 vCPU, 8 GiB, OD $0.096/h, Spot $0.04/h flat); EC2 launch 60 s,
 * node Ready 50 s after running (registration 110 s after the launch
 * request), pod start 5 s, grace 30 s, CA scan every 10 s from the horizon
 * start; no interruptions.
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

#define T0 ((ss_time)1600000000000LL)
#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)
#define AT(t) (T0 + (ss_time)(t) * SS_SECOND)

static ss_data *mkdata(void)
{
    ss_data *d = ss_data_new(1, 3);
    for (int z = 0; z < 3; z++) {
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
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    return d;
}

/* n groups; group g in zone zone[g], Spot when spot[g], desired des[g]. */
static void mkscenario(ss_scenario *sc, int n, const int *zone, const bool *spot, const int *des,
                       int replicas, double cpu, ss_time horizon)
{
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->start = T0;
    sc->end = T0 + horizon;
    sc->market.interruptions = SS_INTERRUPT_NONE;
    sc->market.n_zones = 3;
    for (int z = 0; z < 3; z++)
        snprintf(sc->market.zones[z], SS_NAME_MAX, "us-east-1%c", 'a' + z);
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->n_asgs = n;
    for (int g = 0; g < n; g++) {
        ss_asg *a = &sc->asgs[g];
        ss_asg_defaults(a);
        snprintf(a->name, SS_NAME_MAX, "%s-%c", spot[g] ? "spot" : "od", 'a' + zone[g]);
        a->zone_idx[0] = zone[g];
        a->n_zones = 1;
        a->type_idx[0] = 0;
        a->n_types = 1;
        a->spot = spot[g];
        a->min_size = 0;
        a->max_size = 20;
        a->desired_capacity = des[g];
    }
    ss_deployment *d = &sc->k8s.deployment;
    d->replicas = replicas;
    d->cpu_request = cpu;
    d->memory_request_mib = 1024;
    d->n_spread = 0;
    sc->k8s.scheduler_lowest_id_ties = true; /* hand-worked placements */
}

static void two_spreads(ss_scenario *sc)
{
    ss_deployment *d = &sc->k8s.deployment;
    d->n_spread = 2;
    strcpy(d->spread[0].topology_key, SS_K8S_ZONE_KEY);
    d->spread[0].max_skew = 1;
    strcpy(d->spread[1].topology_key, sc->k8s.capacity_type_label);
    d->spread[1].max_skew = 1;
}

/* ---- item 3: scale-up simulation ---------------------------------------------- */

static void tripcom_two_constraints_scale_up(void **state)
{
    (void)state;
    /* The Trip.com layout: one group per zone x Spot/On-Demand, zone and
     * capacity-type spread maxSkew 1 DoNotSchedule, least-waste expander.
     * Groups in order: spot-a (0 nodes), od-a (1), spot-b (1), od-b (1),
     * spot-c (0), od-c (1); 10 pods of 0.5 vCPU, 4 per node.
     *
     * t = 0: no node registered; the 4 upcoming nodes are template copies
     * (od-a, spot-b, od-b, od-c; domains a | b | c and SPOT | ON_DEMAND).
     * filterOutSchedulable, each pod to the first fitting node round-robin
     * from the node after the last success:
     *   p1 od-a (a1, O1); p2 spot-b (b1, S1); p3 od-b fails (b: 1+1-0), od-c
     *   (c1, O2); p4 od-a fails (O: 2+1-1), spot-b (b2, S2); p5 od-b fails,
     *   od-c (c2, O3); p6: od-a O 3+1-2, spot-b and od-b b 2+1-1, od-c
     *   c 2+1-1: nowhere. 5 pods left.
     * Options (binpacking estimator, zone min a = 1, capacity min S = 2):
     *   spot-a: a 1+1-1, S 2+1-2 -> 1st pod; a 2+1-2, S 3+1-3 -> 2nd pod on
     *   the same node; 3rd: a 3+1-2 = 2 on the last node and on a fresh one:
     *   1 node, 2 pods. Every other group fails on a fresh node (od-a O
     *   3+1-2; b and c zones 2+1-1). Scale-up #1 at 0 s: spot-a +1.
     * t = 10 .. 100: the 5 upcoming nodes hold all 10 pods in the what-if
     *   (spot-a first: a 4, b 3, c 3, S 5, O 5): no scale-up.
     * t = 110: the 5 nodes register (ids 0 od-a, 1 spot-b, 2 od-b, 3 od-c,
     *   4 spot-a: the ASGs launched in group order, spot-a at the first
     *   scan). kube-scheduler (least-allocated, ties to the lowest id):
     *   p1 -> 0 (a1 O1), p2 -> 1 (b1 S1), p3 -> 3 (c1 O2), p4 -> 4 (a2 S2:
     *   spot-b scores 62 < 81 for the empty spot-a), p5 -> 2 (b2 O3);
     *   p6: only zone c is allowed and od-c fails O 3+1-2: 5 pods Pending.
     *   CA: the only helpful option is spot-c (c 1+1-1, S 2+1-2, then
     *   c 2+1-2, S 3+1-3: 1 node, 2 pods). Scale-up #2 at 110 s: spot-c +1.
     * t = 220: spot-c registers, the 5 pods bind (p6 spot-c; p7..p10 go to
     *   the least allocated allowed nodes).
     * So 2 scale-ups and 6 launches; pending 10 x 110 + 5 x 110 = 1650
     * pod-s; no eviction. (Filling upcoming nodes group by group, without
     * the existing free room, made 8 scale-ups and 12 launches here and
     * evicted a pod to remove the surplus.) */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[6] = {0, 0, 1, 1, 2, 2};
    const bool spot[6] = {true, false, true, false, true, false};
    const int des[6] = {0, 1, 1, 1, 0, 1};
    mkscenario(&sc, 6, zone, spot, des, 10, 0.5, SS_HOUR);
    two_spreads(&sc);
    sc.k8s.autoscaler.expander = SS_EXPANDER_LEAST_WASTE;
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 2);
    assert_int_equal(tr.scaleup_t[0], AT(0));
    assert_int_equal(tr.scaleup_group[0], 0);
    assert_int_equal(tr.scaleup_nodes[0], 1);
    assert_int_equal(tr.scaleup_t[1], AT(110));
    assert_int_equal(tr.scaleup_group[1], 4);
    assert_int_equal(tr.scaleup_nodes[1], 1);
    assert_int_equal(m.launches, 6);
    assert_int_equal(m.evictions, 0);
    NEAR(m.pending_task_hours, 1650.0 / 3600);
    assert_int_equal(m.skew_violations, 0);

    /* All six groups with one node and 12 pods at 2 per node (1 vCPU):
     * the 6 upcoming nodes take 2 pods each in the what-if (zone 4/4/4,
     * capacity 6/6): no scale-up at all, 6 launches (the group-by-group
     * fill scaled up 11 times here). */
    const int des1[6] = {1, 1, 1, 1, 1, 1};
    mkscenario(&sc, 6, zone, spot, des1, 12, 1.0, SS_HOUR);
    two_spreads(&sc);
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 0);
    assert_int_equal(m.launches, 6);
    ss_data_free(d);
}

/* ---- item 2: scale-down and PDBs ------------------------------------------------- */

static void strict_pdb_blocks_scale_down(void **state)
{
    (void)state;
    /* One Spot group in zone a with 2 nodes, 3 pods (0.5 vCPU): the
     * scheduler puts 2 on node 0 and 1 on node 1 (least-allocated, then
     * ties to the lowest id). Node 1 is at 25 % < 50 % and its pod fits on
     * node 0: unneeded.
     * minAvailable 3 = replicas: disruptionsAllowed = 3 - 3 = 0 all the
     * time. Upstream (simulator/drainability/rules/pdb, pdb/basic.go
     * CanRemovePods) never picks the node: no cordon, no eviction, no 429,
     * both nodes billed the whole hour.
     * Without a PDB the node is drained once (1 cordon, 1 eviction) and
     * removed. */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[1] = {0};
    const bool spot[1] = {true};
    const int des[1] = {2};
    mkscenario(&sc, 1, zone, spot, des, 3, 0.5, SS_HOUR);
    sc.k8s.deployment.pdb_min_available = 3;
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    assert_int_equal(tr.sd_cordons, 0);
    assert_int_equal(m.evictions, 0);
    assert_int_equal(m.pdb_blocked_evictions, 0);
    NEAR(m.spot_instance_hours, 2.0);
    NEAR(m.availability, (3600.0 - 115) / 3600);

    sc.k8s.deployment.pdb_min_available = -1;
    memset(&tr, 0, sizeof tr);
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    assert_int_equal(tr.sd_cordons, 1);
    assert_int_equal(m.evictions, 1);
    assert_int_equal(m.pdb_blocked_evictions, 0);
    assert_true(m.spot_instance_hours < 2.0 - 0.5);
    ss_data_free(d);
}

static void drain_gives_up_after_max_pod_eviction_time(void **state)
{
    (void)state;
    /* One Spot group in zone a with 2 nodes, 4 pods (2 + 2), utilisation
     * threshold 0.6 so both nodes (50 %) are unneeded; PDB maxUnavailable 1;
     * pod start 300 s (pods Ready at 110 + 300 = 410 s).
     *   < 410 s: disruptionsAllowed = healthy - 3 < 1: not unneeded;
     *   410 s: unneeded; 1010 s: removable (10 min); node 0 is tainted and
     *     drained: pod A evicted (allowed 1), its replacement runs on node 1
     *     but is Ready only at 1310 s; pod B refused (allowed 0);
     *   1020 .. 1120 s: B refused every 10 s (EvictionRetryTime);
     *   1130 s: 120 s (max-pod-eviction-time) are over: the drain fails,
     *     node 0 is untainted with B; refusals 1 + 11 = 12;
     *   1310 s: A' Ready, allowed 1 again (and the 3-min delay after the
     *     failure ended at 1310 s): node 0 (B alone, 25 %) unneeded;
     *   1910 s: drained again: B evicted, its replacement fits node 1
     *     (4th pod); B deleted after the 30 s grace, node 0 terminated at
     *     1940 s.
     * Evictions 2, refusals 12, one failed drain, 2 cordons; Spot hours
     * 1 + 1940/3600. */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[1] = {0};
    const bool spot[1] = {true};
    const int des[1] = {2};
    mkscenario(&sc, 1, zone, spot, des, 4, 0.5, SS_HOUR);
    sc.k8s.deployment.pdb_max_unavailable = 1;
    sc.k8s.deployment.pod_startup = (ss_dist){SS_DIST_FIXED, 300.0, 0.0};
    sc.k8s.autoscaler.scale_down_utilization_threshold = 0.6;
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    assert_int_equal(m.evictions, 2);
    assert_int_equal(m.pdb_blocked_evictions, 12);
    assert_int_equal(tr.sd_failed, 1);
    assert_int_equal(tr.sd_cordons, 2);
    assert_int_equal(tr.n_sd_removed, 2);
    assert_int_equal(tr.sd_removed_t[0], AT(1010));
    assert_int_equal(tr.sd_removed_t[1], AT(1910));
    NEAR(m.spot_instance_hours, 1.0 + 1940.0 / 3600);
    ss_data_free(d);
}

/* ---- item 4: max-node-provision-time ---------------------------------------------- */

static void slow_node_deleted_and_fallback_used(void **state)
{
    (void)state;
    /* spot-a (priority 100) and od-a (10), both empty; 1 pod; every node
     * takes 20 min from running to Ready (registration 60 + 1200 = 1260 s
     * after the launch request), more than max-node-provision-time.
     *   0 s     scale-up spot-a +1 (ExpectedAddTime 900 s);
     *   910 s   the request timed out (900 < 910): spot-a backed off 5 min;
     *           the instance, unregistered 910 s after its launch, is
     *           deleted (removeOldUnregisteredNodes) and desired lowered;
     *           the pod has no upcoming node left: od-a (the fallback) +1;
     *   1210 s  spot-a's backoff ends, but od-a's upcoming node holds the pod;
     *   1820 s  od-a timed out and its instance deleted; od-a backed off;
     *           spot-a +1;
     *   2730 s  spot-a timed out again (backoff 10 min), deleted; od-a +1.
     * Nothing registers within the hour. (Keeping the slow instance, as
     * before, let it register at 1260 s and the fallback was never tried.) */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[2] = {0, 0};
    const bool spot[2] = {true, false};
    const int des[2] = {0, 0};
    mkscenario(&sc, 2, zone, spot, des, 1, 0.5, SS_HOUR);
    sc.asgs[0].priority = 100;
    sc.asgs[1].priority = 10;
    sc.k8s.autoscaler.expander = SS_EXPANDER_PRIORITY;
    sc.k8s.autoscaler.node_provision = (ss_dist){SS_DIST_FIXED, 1200.0, 0.0};
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    const int su_t[4] = {0, 910, 1820, 2730}, su_g[4] = {0, 1, 0, 1};
    assert_int_equal(tr.n_scaleup, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(tr.scaleup_t[i], AT(su_t[i]));
        assert_int_equal(tr.scaleup_group[i], su_g[i]);
    }
    const int del_t[3] = {910, 1820, 2730}, del_g[3] = {0, 1, 0};
    assert_int_equal(tr.n_unreg_delete, 3);
    assert_int_equal(tr.n_backoff, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tr.unreg_delete_t[i], AT(del_t[i]));
        assert_int_equal(tr.unreg_delete_group[i], del_g[i]);
        assert_int_equal(tr.backoff_t[i], AT(del_t[i]));
        assert_int_equal(tr.backoff_group[i], del_g[i]);
    }
    assert_int_equal(tr.backoff_until[2] - tr.backoff_t[2], 10 * SS_MINUTE);
    assert_int_equal(m.launches, 4);
    /* billed: spot 0..910 and 1820..2730; OD 910..1820 and 2730..3600 */
    NEAR(m.spot_instance_hours, (910.0 + 910.0) / 3600);
    NEAR(m.od_instance_hours, (910.0 + 870.0) / 3600);
    NEAR(m.availability, 0.0);
    ss_data_free(d);
}

/* ---- item 1: upcoming NotReady nodes; item 5: unready scale-down ------------------ */

static void unready_node_scaled_down(void **state)
{
    (void)state;
    /* spot-a, spot-b, spot-c with 1 node each, 12 pods (4 per node), no
     * spread; priority b (100) > c (50) > a (10); zone a impaired (nodes
     * NotReady, instances kept) from 3600 s to the end (2 h).
     *   3600 s  a's node NotReady; 3940 s its pods are evicted by the taint
     *           manager (40 s + 300 s) and recreated; CA adds b +1;
     *   3970 s  the evicted pods are deleted (grace 30 s): a's node is empty,
     *           unneeded from this scan;
     *   5170 s  unneeded for scale-down-unready-time (20 min): removed
     *           (instance terminated, desired lowered).
     * With scale_down_unready_enabled false it stays to the end. */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[3] = {0, 1, 2};
    const bool spot[3] = {true, true, true};
    const int des[3] = {1, 1, 1};
    mkscenario(&sc, 3, zone, spot, des, 12, 0.5, 2 * SS_HOUR);
    sc.asgs[0].priority = 10;
    sc.asgs[1].priority = 100;
    sc.asgs[2].priority = 50;
    sc.k8s.autoscaler.expander = SS_EXPANDER_PRIORITY;
    sc.market.n_outages = 1;
    ss_zone_outage *o = &sc.market.outages[0];
    strcpy(o->zone, "us-east-1a");
    o->start = T0 + SS_HOUR;
    o->end = T0 + 3 * SS_HOUR;
    o->instances_lost = false;
    ss_metrics on, off;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &on, &tr, &err), 0);
    assert_int_equal(tr.n_scaleup, 1);
    assert_int_equal(tr.scaleup_t[0], AT(3940));
    assert_int_equal(tr.scaleup_group[0], 1);
    assert_int_equal(tr.sd_unready_removed, 1);
    assert_int_equal(tr.n_sd_removed, 1);
    assert_int_equal(tr.sd_removed_t[0], AT(5170));
    sc.k8s.autoscaler.scale_down_unready_enabled = false;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &off, NULL, &err), 0);
    NEAR(off.spot_instance_hours - on.spot_instance_hours, (7200.0 - 5170) / 3600);
    NEAR(off.pending_task_hours, on.pending_task_hours);
    ss_data_free(d);
}

static void cluster_health_stops_autoscaling(void **state)
{
    (void)state;
    /* IsClusterHealthy: spot-a with 4 nodes, spot-b with 1, 10 pods (4 per
     * node): least-allocated puts 2 on each of the 5 nodes. Zone a impaired
     * from 1 h to the end. Its 4 nodes are Unready at once (created at
     * 110 s, more than MaxNodeStartupTime ago): 4 > 3 and 4 > 45 % of 5
     * nodes, so RunOnce stops: no scale-up, no scale-down for the rest of
     * the run. At 3940 s the 8 pods of zone a are evicted; 2 fit in b's
     * free room, 6 stay Pending to the end (CA would have added b nodes):
     * pending 10 x 110 + 6 x (7200 - 3940) = 20660 pod-s. */
    ss_data *d = mkdata();
    ss_scenario sc;
    const int zone[2] = {0, 1};
    const bool spot[2] = {true, true};
    const int des[2] = {4, 1};
    mkscenario(&sc, 2, zone, spot, des, 10, 0.5, 2 * SS_HOUR);
    sc.market.n_outages = 1;
    ss_zone_outage *o = &sc.market.outages[0];
    strcpy(o->zone, "us-east-1a");
    o->start = T0 + SS_HOUR;
    o->end = T0 + 3 * SS_HOUR;
    o->instances_lost = false;
    ss_metrics m;
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    ss_err err;
    assert_int_equal(ss_evaluate_k8s_traced(&sc, d, 1, 0, &m, &tr, &err), 0);
    /* scans from 3600 s to 7190 s inclusive: 360 unhealthy scans */
    assert_int_equal(tr.unhealthy_scans, 360);
    assert_int_equal(tr.n_scaleup, 0);
    assert_int_equal(tr.n_sd_removed, 0);
    NEAR(m.pending_task_hours, 20660.0 / 3600);
    ss_data_free(d);
}

/* ---- item 6: scheduler ties ------------------------------------------------------- */

/* Two zones: a has one On-Demand node, b two Spot nodes and one On-Demand
 * node; 1 pod per node (1.5 vCPU); 2 pods; zone + capacity-type spread
 * maxSkew 1; fixed sizes (min = max = desired). */
static void tie_layout(ss_scenario *sc, bool od_b_first)
{
    const int zone_a[3] = {0, 1, 1}, zone_b[3] = {1, 0, 1};
    const bool spot_a[3] = {false, true, false}, spot_b[3] = {false, false, true};
    const int des_a[3] = {1, 2, 1}, des_b[3] = {1, 1, 2};
    if (od_b_first) /* od-b, od-a, spot-b */
        mkscenario(sc, 3, zone_b, spot_b, des_b, 2, 1.5, SS_HOUR);
    else /* od-a, spot-b, od-b */
        mkscenario(sc, 3, zone_a, spot_a, des_a, 2, 1.5, SS_HOUR);
    for (int g = 0; g < 3; g++)
        sc->asgs[g].min_size = sc->asgs[g].max_size = sc->asgs[g].desired_capacity;
    sc->market.n_zones = 2;
    two_spreads(sc);
}

static void two_constraint_tie_is_a_lottery(void **state)
{
    (void)state;
    /* The first pod sees 4 empty nodes, all allowed, all scoring the same.
     *   on od-a (1/4): the second pod must go to zone b (min 0) and
     *     capacity SPOT (min 0): a Spot node in b: runs;
     *   on a Spot node in b (2/4): the second goes to od-a: runs;
     *   on od-b (1/4): the second must go to zone a, whose only node is
     *     On-Demand with ON_DEMAND already at 1 > SPOT 0 + 1 - 1: Pending
     *     for ever (the groups cannot grow).
     * kube-scheduler picks among the best-scored nodes uniformly
     * (schedule_one.go selectHost): the deadlock has probability 1/4. With
     * ties to the lowest node id, the node registered first decides: od-a
     * first -> never, od-b first -> always. */
    ss_data *d = mkdata();
    ss_scenario sc;
    ss_metrics m;
    ss_err err;
    const double ok = (3600.0 - 115) / 3600; /* both pods Ready at 115 s */
    tie_layout(&sc, false);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    NEAR(m.availability, ok);
    tie_layout(&sc, true);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    NEAR(m.availability, 0.0);
    /* random ties: 400 replicas; deadlocks ~ Binomial(400, 1/4): mean 100,
     * sd 8.66; accept 100 +- 4 sd. Both group orders give the same law. */
    for (int order = 0; order < 2; order++) {
        tie_layout(&sc, order == 1);
        sc.k8s.scheduler_lowest_id_ties = false;
        int dead = 0;
        for (int r = 0; r < 400; r++) {
            assert_int_equal(ss_evaluate(&sc, d, 1, r, &m, NULL, &err), 0);
            if (m.availability == 0.0)
                dead++;
            else
                NEAR(m.availability, ok);
        }
        fprintf(stderr, "order %d: %d deadlocks in 400 replicas\n", order, dead);
        assert_true(dead >= 65 && dead <= 135);
    }
    /* keyed draws: a replica gives the same result however often it runs */
    tie_layout(&sc, false);
    sc.k8s.scheduler_lowest_id_ties = false;
    ss_metrics a, b;
    for (int r = 0; r < 8; r++) {
        assert_int_equal(ss_evaluate(&sc, d, 3, r, &a, NULL, &err), 0);
        assert_int_equal(ss_evaluate(&sc, d, 3, r, &b, NULL, &err), 0);
        assert_memory_equal(&a, &b, sizeof a);
    }
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tripcom_two_constraints_scale_up),
        cmocka_unit_test(strict_pdb_blocks_scale_down),
        cmocka_unit_test(drain_gives_up_after_max_pod_eviction_time),
        cmocka_unit_test(slow_node_deleted_and_fallback_used),
        cmocka_unit_test(unready_node_scaled_down),
        cmocka_unit_test(cluster_health_stops_autoscaling),
        cmocka_unit_test(two_constraint_tie_is_a_lottery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
