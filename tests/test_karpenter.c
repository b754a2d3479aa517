/*
 * test_karpenter.c - Karpenter as the Kubernetes provisioner
 * (models/karpenter.c), with hand-worked timelines.
 *
 * Common set-up: zones a, b; types s (2 vCPU, 8 GiB, On-Demand $0.10/h)
 * and l (4 vCPU, 16 GiB, On-Demand $0.20/h); pods 1 vCPU / 1 GiB, so s
 * holds 2 pods and l 4; no interruptions unless stated; SLO: all replicas
 * healthy. Latencies: EC2 launch 60 s, node Ready 50 s after running
 * (kubernetes.karpenter.node_provision), pod start 5 s, grace 30 s.
 * Karpenter: batch idle 1 s / max 10 s, unavailable offerings 3 min, the
 * disruption controller polls every 10 s from the horizon start (multiples
 * of 10 s) and executes a command 15 s after computing it (consolidationTTL).
 * Fleet pools are type-major: s@a 0, s@b 1, l@a 2, l@b 3.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/data_load.h"
#include "datasets/import.h"
#include "datasets/market_data.h"
#include "datasets/store.h"
#include "models/eval.h"
#include "models/k8s.h"
#include "models/karpenter.h"
#include "policies/baseline.h"
#include "policies/evaluate.h"
#include "sim/scenario/scenario_io.h"

#define T0 ((ss_time)1600000000000LL)
#define S(x) ((ss_time)(x)*SS_SECOND)
#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* Spot prices: one flat price per pool (-1 = no Spot price). */
static ss_data *mkdata(const double spot[4])
{
    ss_data *d = ss_data_new(2, 2);
    for (int p = 0; p < 4; p++) {
        ss_pool *pl = &d->pools[p];
        int t = p / 2, z = p % 2;
        strcpy(pl->instance_type, t ? "l" : "s");
        snprintf(pl->zone, SS_NAME_MAX, "us-east-1%c", 'a' + z);
        pl->vcpu = t ? 4.0 : 2.0;
        pl->memory_mib = t ? 16384.0 : 8192.0;
        pl->ondemand_usd_per_hour = t ? 0.20 : 0.10;
        if (spot[p] >= 0) {
            ss_time ts = T0 - SS_DAY;
            double usd = spot[p];
            ss_price_series_set(&pl->spot, &ts, &usd, 1);
        }
    }
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    return d;
}

static void set_trace(ss_data *d, int pool, const ss_time *t, const int *v, size_t n)
{
    ss_pool *p = &d->pools[pool];
    p->has_trace = true;
    p->cap_t = ss_malloc(n * sizeof *t);
    p->cap_value = ss_malloc(n * sizeof *v);
    memcpy(p->cap_t, t, n * sizeof *t);
    memcpy(p->cap_value, v, n * sizeof *v);
    p->n_cap = n;
}

static void mkscenario(ss_scenario *sc, int replicas, ss_time horizon)
{
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->start = T0;
    sc->end = T0 + horizon;
    sc->market.interruptions = SS_INTERRUPT_NONE;
    sc->market.n_zones = 2;
    strcpy(sc->market.zones[0], "us-east-1a");
    strcpy(sc->market.zones[1], "us-east-1b");
    sc->market.n_types = 2;
    strcpy(sc->market.types[0].name, "s");
    strcpy(sc->market.types[1].name, "l");
    sc->k8s.provisioner = SS_PROV_KARPENTER;
    ss_karpenter *k = &sc->k8s.karpenter;
    k->n_pools = 1;
    ss_node_pool_defaults(&k->pools[0]);
    ss_deployment *d = &sc->k8s.deployment;
    d->replicas = replicas;
    d->cpu_request = 1.0;
    d->memory_request_mib = 1024;
    d->n_spread = 0;
}

static int run(const ss_scenario *sc, const ss_data *d, ss_metrics *m, ss_karp_trace *kt)
{
    ss_k8s_trace tr;
    memset(&tr, 0, sizeof tr);
    memset(kt, 0, sizeof *kt);
    tr.karp = kt;
    ss_err err;
    int rc = ss_evaluate_k8s_traced(sc, d, 1, 0, m, &tr, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    return rc;
}

/* One pending pod: the batch opens at T0 and closes 1 s later (no other pod
 * arrives); the NodeClaim takes the pod, both types fit it, Spot is allowed
 * and listed, so CreateFleet gets the four Spot offerings; all have the
 * same (zero) risk, so price-capacity-optimized takes the cheapest, s@b at
 * $0.025. Launch at 1 s, running at 61 s, Ready at 111 s, pod ready at
 * 116 s. Availability (3600 - 116) / 3600; Spot cost (3600 - 61) s at
 * $0.025/h; one launch, no On-Demand. */
static void pending_pod_launches_cheapest_spot(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.025, 0.05, 0.05};
    ss_data *d = mkdata(spot);
    ss_scenario sc;
    mkscenario(&sc, 1, SS_HOUR);
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 1);
    assert_int_equal(kt.launch_t[0], T0 + S(1));
    assert_int_equal(kt.launch_pool[0], 1);
    assert_true(kt.launch_spot[0]);
    assert_int_equal(m.launches, 1);
    NEAR(m.availability, (3600.0 - 116) / 3600);
    NEAR(m.spot_cost_usd, 0.025 * (3600.0 - 61) / 3600);
    NEAR(m.od_cost_usd, 0.0);
    /* On-Demand only: lowest price, s (0.10 < 0.20), tie between the zones
     * to the first (s@a) */
    sc.k8s.karpenter.pools[0].capacity_types = SS_KARP_OD;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 1);
    assert_int_equal(kt.launch_pool[0], 0);
    assert_false(kt.launch_spot[0]);
    NEAR(m.od_cost_usd, 0.10 * (3600.0 - 61) / 3600);
    ss_data_free(d);
}

/* The all-On-Demand baseline of a Karpenter scenario makes every NodePool
 * On-Demand only: the pod of the first test then gets s@a On-Demand (lowest
 * price, first zone) at 1 s: cost (3600 - 61) s x $0.10/h, no Spot. */
static void baseline_makes_nodepools_on_demand(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.025, 0.05, 0.05};
    ss_data *d = mkdata(spot);
    ss_scenario sc, od;
    mkscenario(&sc, 1, SS_HOUR);
    ss_scenario_all_ondemand(&sc, &od);
    assert_int_equal(od.k8s.karpenter.pools[0].capacity_types, SS_KARP_OD);
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&od, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 1);
    assert_int_equal(kt.launch_pool[0], 0);
    assert_false(kt.launch_spot[0]);
    NEAR(m.od_cost_usd, 0.10 * (3600.0 - 61) / 3600);
    NEAR(m.spot_cost_usd, 0.0);
    ss_data_free(d);
}

/* Spot capacity out (capacity trace 0 in s@a, the only offering): at 1 s
 * CreateFleet fails, s@a Spot is cached unavailable until 181 s, the
 * NodeClaim fails; its pod opens a new batch (1 s): at 2 s no Spot offering
 * is left, so On-Demand s@a. Running 62 s, Ready 112 s, pod ready 117 s.
 * Cost: On-Demand (3600 - 62) s x $0.10/h, no Spot; one failed launch.
 * WhenEmpty: no replacement attempt afterwards. */
static void ice_falls_back_to_on_demand(void **state)
{
    (void)state;
    double spot[4] = {0.03, -1, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time t = T0 - SS_DAY;
    int v = 0;
    set_trace(d, 0, &t, &v, 1);
    ss_scenario sc;
    mkscenario(&sc, 1, SS_HOUR);
    sc.market.interruptions = SS_INTERRUPT_TRACE;
    ss_node_pool *np = &sc.k8s.karpenter.pools[0];
    np->type_idx[0] = 0;
    np->n_types = 1;
    np->zone_idx[0] = 0;
    np->n_zones = 1;
    np->consolidation_policy = SS_KARP_WHEN_EMPTY;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_ice, 1);
    assert_int_equal(kt.ice_t[0], T0 + S(1));
    assert_true(kt.ice_spot[0]);
    assert_int_equal(kt.failed_nodeclaims, 1);
    assert_int_equal(kt.n_launch, 1);
    assert_int_equal(kt.launch_t[0], T0 + S(2));
    assert_false(kt.launch_spot[0]);
    assert_int_equal(m.failed_launches, 1);
    NEAR(m.od_cost_usd, 0.10 * (3600.0 - 62) / 3600);
    NEAR(m.spot_cost_usd, 0.0);
    NEAR(m.availability, (3600.0 - 117) / 3600);
    ss_data_free(d);
}

/* Spot comes back at 600 s (trace 0 then unlimited). As above the pod runs
 * On-Demand from 112 s. WhenEmptyOrUnderutilized, consolidateAfter 0: the
 * On-Demand node cannot be deleted (no other node) but a cheaper Spot s@a
 * would replace it once its offering leaves the cache (181 s). The first
 * attempt, poll 120 s, finds nothing (s@a still cached); the cluster does
 * not change afterwards, so the next attempt is 5 min later
 * (ConsolidationState), poll 420 s -> command, executed at 435 s:
 * CreateFleet fails (capacity 0 until 600 s), cached until 615 s; poll
 * 440 s finds nothing -> next attempt 740 s -> executed at 755 s: Spot s@a
 * launches. Running 815 s, Ready 865 s: the On-Demand node is drained (pod
 * evicted, its replacement binds to the Spot node at once, ready at 870 s;
 * 5 s without the pod), the evicted pod is deleted at 895 s and the
 * On-Demand instance terminated then. Failed launches: 2 (1 s, 435 s).
 * On-Demand cost (895 - 62) s at $0.10; Spot (3600 - 815) s at $0.03;
 * availability (3600 - 117 - 5) / 3600. */
static void capacity_returns_on_demand_replaced_by_spot(void **state)
{
    (void)state;
    double spot[4] = {0.03, -1, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time t[2] = {T0 - SS_DAY, T0 + S(600)};
    int v[2] = {0, -1};
    set_trace(d, 0, t, v, 2);
    ss_scenario sc;
    mkscenario(&sc, 1, SS_HOUR);
    sc.market.interruptions = SS_INTERRUPT_TRACE;
    ss_node_pool *np = &sc.k8s.karpenter.pools[0];
    np->type_idx[0] = 0;
    np->n_types = 1;
    np->zone_idx[0] = 0;
    np->n_zones = 1;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(m.failed_launches, 2);
    assert_int_equal(kt.n_ice, 2);
    assert_int_equal(kt.ice_t[1], T0 + S(435));
    assert_int_equal(kt.n_launch, 2);
    assert_int_equal(kt.launch_t[1], T0 + S(755));
    assert_true(kt.launch_spot[1]);
    assert_int_equal(kt.n_disrupt, 1);
    assert_int_equal(kt.disrupt_reason[0], SS_KARP_R_REPLACE);
    NEAR(m.od_cost_usd, 0.10 * (895.0 - 62) / 3600);
    NEAR(m.spot_cost_usd, 0.03 * (3600.0 - 815) / 3600);
    NEAR(m.availability, (3600.0 - 117 - 5) / 3600);
    ss_data_free(d);
}

/* Zone a goes NotReady (outage without instance loss) on [1000 s, 3005 s).
 * Spot only, s@a $0.03 until 1200 s then $0.05, s@b $0.04 (l not allowed).
 * Node A (s@a) launches at 1 s (cheapest), Ready 111 s. At 1340 s (40 s +
 * 300 s after NotReady) the taint manager evicts the pods; their
 * replacements are pending at once: batch 1340 -> 1341 s, s@b is now the
 * cheapest: node B launches at 1341 s (running 1401 s). A's pods are
 * deleted at 1370 s: A's last pod event. A is Ready (and empty) again at
 * 3005 s. WhenEmpty with consolidateAfter 0: poll 3010 s -> emptiness
 * command (budget 10 % of 2 nodes rounds up to 1), executed at 3025 s:
 * A terminated. With consolidateAfter 30 min: consolidatable from
 * 1370 + 1800 = 3170 s, a poll instant -> terminated at 3185 s.
 * Spot cost (horizon 2 h): A 0.03 x (1200 - 61) + 0.05 x (end - 1200),
 * B 0.04 x (7200 - 1401), per hour. */
static void empty_node_consolidated_after_consolidate_after(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time pt[2] = {T0 - SS_DAY, T0 + S(1200)};
    double pu[2] = {0.03, 0.05};
    ss_price_series_set(&d->pools[0].spot, pt, pu, 2);
    for (int pass = 0; pass < 2; pass++) {
        ss_scenario sc;
        mkscenario(&sc, 2, 2 * SS_HOUR);
        ss_node_pool *np = &sc.k8s.karpenter.pools[0];
        np->capacity_types = SS_KARP_SPOT;
        np->type_idx[0] = 0;
        np->n_types = 1;
        np->consolidation_policy = SS_KARP_WHEN_EMPTY;
        np->consolidate_after = pass ? 30 * SS_MINUTE : 0;
        sc.market.n_outages = 1;
        ss_zone_outage *o = &sc.market.outages[0];
        strcpy(o->zone, "us-east-1a");
        o->start = T0 + S(1000);
        o->end = T0 + S(3005);
        o->instances_lost = false;
        ss_metrics m;
        ss_karp_trace kt;
        assert_int_equal(run(&sc, d, &m, &kt), 0);
        assert_int_equal(kt.n_launch, 2);
        assert_int_equal(kt.launch_t[0], T0 + S(1));
        assert_int_equal(kt.launch_pool[0], 0);
        assert_int_equal(kt.launch_t[1], T0 + S(1341));
        assert_int_equal(kt.launch_pool[1], 1);
        ss_time gone = pass ? 3185 : 3025;
        assert_int_equal(kt.n_disrupt, 1);
        assert_int_equal(kt.disrupt_reason[0], SS_KARP_R_EMPTY);
        assert_int_equal(kt.disrupt_inst[0], kt.launch_inst[0]);
        assert_int_equal(kt.disrupt_t[0], T0 + S(gone));
        double a = 0.03 * (1200.0 - 61) + 0.05 * ((double)gone - 1200);
        double b = 0.04 * (7200.0 - 1401);
        NEAR(m.spot_cost_usd, (a + b) / 3600);
    }
    ss_data_free(d);
}

/* As above with 6 pods: three s nodes in zone a (2 pods each) at 1 s, three
 * in zone b at 1341 s; the three in a are empty from 3005 s.
 * Budget 10 %: ceil(10 % x 6) = 1 per command: poll 3010 -> A1 at 3025 s;
 * poll 3030 (5 nodes: ceil 0.5 = 1) -> A2 at 3045 s; poll 3050 -> A3 at
 * 3065 s. Budget 2 nodes: A1, A2 at 3025 s, A3 at 3045 s (poll 3030).
 * Budget 100 %: all three at 3025 s. */
static void budgets_limit_concurrent_disruptions(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time pt[2] = {T0 - SS_DAY, T0 + S(1200)};
    double pu[2] = {0.03, 0.05};
    ss_price_series_set(&d->pools[0].spot, pt, pu, 2);
    const struct {
        int nodes;
        bool pct;
        ss_time t[3];
    } cases[] = {{10, true, {3025, 3045, 3065}},
                 {2, false, {3025, 3025, 3045}},
                 {100, true, {3025, 3025, 3025}}};
    for (size_t c = 0; c < SS_ARRAY_LEN(cases); c++) {
        ss_scenario sc;
        mkscenario(&sc, 6, 2 * SS_HOUR);
        ss_node_pool *np = &sc.k8s.karpenter.pools[0];
        np->capacity_types = SS_KARP_SPOT;
        np->type_idx[0] = 0;
        np->n_types = 1;
        np->consolidation_policy = SS_KARP_WHEN_EMPTY;
        np->budget_nodes = cases[c].nodes;
        np->budget_percent = cases[c].pct;
        sc.market.n_outages = 1;
        ss_zone_outage *o = &sc.market.outages[0];
        strcpy(o->zone, "us-east-1a");
        o->start = T0 + S(1000);
        o->end = T0 + S(3005);
        o->instances_lost = false;
        ss_metrics m;
        ss_karp_trace kt;
        assert_int_equal(run(&sc, d, &m, &kt), 0);
        assert_int_equal(kt.n_launch, 6);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(kt.launch_t[i], T0 + S(1));
            assert_int_equal(kt.launch_pool[i], 0);
            assert_int_equal(kt.launch_t[3 + i], T0 + S(1341));
            assert_int_equal(kt.launch_pool[3 + i], 1);
        }
        assert_int_equal(kt.n_disrupt, 3);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(kt.disrupt_inst[i], kt.launch_inst[i]);
            assert_int_equal(kt.disrupt_t[i], T0 + S(cases[c].t[i]));
        }
    }
    ss_data_free(d);
}

/* Interruption: s@a's Spot capacity drops to 0 at 1920 s (the notice
 * notice_lead = 120 s before: at 1800 s; termination at 1920 s). Two pods on node A (s@a,
 * cheapest at $0.03; s@b $0.04); PDB maxUnavailable 1; pod start 3 s.
 * 1800 s: Karpenter cordons and drains A: pod 1 evicted (its replacement
 * pending), pod 2 refused (retried every 5 s), and s@a Spot is cached
 * unavailable (the interruption controller marks the noticed offering);
 * the provisioner counts the pending pod and the one still on A: batch
 * 1800 -> 1801 s, one NodeClaim for 2 pods -> s@b launched at 1801 s (the
 * pre-spun replacement), Ready 1911 s; the pending pod binds, ready 1914 s.
 * Retry at 1915 s: the PDB allows it now, pod 2 evicted, its replacement
 * binds to B, ready 1918 s. A is terminated at its deadline 1920 s.
 * Healthy 2 of 2 missing: [0, 114) start-up, [1800, 1914) and
 * [1915, 1918): availability (7200 - 114 - 114 - 3) / 7200. Without
 * interruption handling nothing happens until 1920 s: both pods die with
 * the node, batch 1920 -> 1921 s, B Ready 2031 s, pods ready 2034 s. */
static void interruption_prespins_replacement(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time t[2] = {T0 - SS_DAY, T0 + S(1920)};
    int v[2] = {-1, 0};
    set_trace(d, 0, t, v, 2);
    for (int handling = 1; handling >= 0; handling--) {
        ss_scenario sc;
        mkscenario(&sc, 2, 2 * SS_HOUR);
        sc.market.interruptions = SS_INTERRUPT_TRACE;
        sc.market.notice_lead = 120 * SS_SECOND;
        sc.k8s.deployment.pdb_max_unavailable = 1;
        sc.k8s.deployment.pod_startup = (ss_dist){SS_DIST_FIXED, 3.0, 0.0};
        sc.k8s.karpenter.interruption_handling = handling != 0;
        ss_node_pool *np = &sc.k8s.karpenter.pools[0];
        np->type_idx[0] = 0;
        np->n_types = 1;
        np->consolidation_policy = SS_KARP_WHEN_EMPTY;
        ss_metrics m;
        ss_karp_trace kt;
        assert_int_equal(run(&sc, d, &m, &kt), 0);
        assert_int_equal(kt.n_launch, 2);
        assert_int_equal(kt.launch_pool[0], 0);
        assert_int_equal(kt.launch_pool[1], 1);
        assert_true(kt.launch_spot[1]);
        if (handling) {
            assert_int_equal(kt.launch_t[1], T0 + S(1801));
            assert_int_equal(kt.n_disrupt, 1);
            assert_int_equal(kt.disrupt_reason[0], SS_KARP_R_INTERRUPTED);
            assert_int_equal(kt.disrupt_t[0], T0 + S(1800));
            assert_int_equal(m.evictions, 2);
            assert_true(m.pdb_blocked_evictions >= 1);
            NEAR(m.availability, (7200.0 - 114 - 114 - 3) / 7200);
        } else {
            assert_int_equal(kt.launch_t[1], T0 + S(1921));
            assert_int_equal(kt.n_disrupt, 0);
            assert_int_equal(m.evictions, 0);
            NEAR(m.availability, (7200.0 - 114 - (2034 - 1920)) / 7200);
        }
    }
    ss_data_free(d);
}

/* Weight and limits: NodePool "spot" (weight 10, Spot s only, limits.cpu 4)
 * and "od" (weight 0, On-Demand s only). 6 pods at T0: batch 1 s; three
 * NodeClaims of 2 pods: spot takes two (2 + 2 vCPU = its limit), the third
 * goes to od. */
static void weight_and_limits(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_scenario sc;
    mkscenario(&sc, 6, SS_HOUR);
    ss_karpenter *k = &sc.k8s.karpenter;
    k->n_pools = 2;
    ss_node_pool *od = &k->pools[0], *sp = &k->pools[1];
    ss_node_pool_defaults(od);
    strcpy(od->name, "od");
    od->capacity_types = SS_KARP_OD;
    od->type_idx[0] = 0;
    od->n_types = 1;
    ss_node_pool_defaults(sp);
    strcpy(sp->name, "spot");
    sp->capacity_types = SS_KARP_SPOT;
    sp->type_idx[0] = 0;
    sp->n_types = 1;
    sp->weight = 10;
    sp->limit_cpu = 4;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(kt.launch_t[i], T0 + S(1));
    assert_int_equal(kt.launch_np[0], 1);
    assert_true(kt.launch_spot[0]);
    assert_int_equal(kt.launch_np[1], 1);
    assert_int_equal(kt.launch_np[2], 0);
    assert_false(kt.launch_spot[2]);
    NEAR(m.availability, (3600.0 - 116) / 3600);
    ss_data_free(d);
}

/* expireAfter 1 h: node A (launched at 1 s) expires at the first poll at or
 * after 3601 s, 3610 s: drained at once (no budget); its pods' replacements
 * open a batch 3610 -> 3611 s: a new node. */
static void expiration_replaces_node(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_scenario sc;
    mkscenario(&sc, 1, 2 * SS_HOUR);
    ss_node_pool *np = &sc.k8s.karpenter.pools[0];
    np->expire_after = SS_HOUR;
    np->type_idx[0] = 0;
    np->n_types = 1;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_disrupt, 1);
    assert_int_equal(kt.disrupt_reason[0], SS_KARP_R_EXPIRED);
    assert_int_equal(kt.disrupt_t[0], T0 + S(3610));
    assert_int_equal(kt.n_launch, 2);
    assert_int_equal(kt.launch_t[1], T0 + S(3611));
    ss_data_free(d);
}

/* Hard zone spread (maxSkew 1), 2 pods; s@b has no Spot price (not an
 * offering), so zone b only has l. Batch at 1 s: the first NodeClaim takes
 * its share ceil(2 / 2) = 1 pod into zone a (no pods anywhere, first zone):
 * s@a; the second, counting s@a's 2 slots in flight in zone a, goes to
 * zone b: l@b. Ready at 111 s, one pod per zone, ready at 116 s.
 * Consolidation (WhenEmptyOrUnderutilized, consolidateAfter 0): node A
 * (s@a, 1 pod) would be removable for kube-scheduler (its pod fits on B, and
 * zone a, left without a node, stops being a domain), but Karpenter counts
 * zone a (a NodePool zone) as a domain with 0 pods: b 2 - a 0 > maxSkew, so
 * A stays; A is Spot, so no replacement either. Nothing is disrupted and
 * availability stays (3600 - 116) / 3600 (a deletion would have cost 5 s
 * more: evicted at 135 s, its replacement ready at 140 s). */
static void zone_spread_counts_nodepool_zones(void **state)
{
    (void)state;
    double spot[4] = {0.03, -1, 0.06, 0.05};
    ss_data *d = mkdata(spot);
    ss_scenario sc;
    mkscenario(&sc, 2, SS_HOUR);
    ss_deployment *dep = &sc.k8s.deployment;
    dep->n_spread = 1;
    strcpy(dep->spread[0].topology_key, SS_K8S_ZONE_KEY);
    dep->spread[0].max_skew = 1;
    sc.k8s.scheduler_lowest_id_ties = true;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 2);
    assert_int_equal(kt.launch_pool[0], 0);
    assert_int_equal(kt.launch_pool[1], 3);
    assert_int_equal(kt.n_disrupt, 0);
    assert_int_equal(m.skew_violations, 0);
    NEAR(m.availability, (3600.0 - 116) / 3600);
    ss_data_free(d);
}

/* Spot-to-Spot consolidation needs the SpotToSpotConsolidation gate and at
 * least 15 cheaper instance types. 16 types t0..t15 (2 vCPU, 8 GiB, one
 * zone, On-Demand $1.00): t0's Spot price is $0.01 until 600 s then $0.50,
 * the others $0.05 flat (with `last_price` set, t15 costs $0.60: only 14
 * cheaper types). One pod: t0 launched at 1 s (cheapest), Ready 111 s.
 * Consolidation attempts: 120 s (nothing cheaper), then every 5 min while
 * the cluster is unchanged: 420 s (nothing), 720 s: t0 now costs $0.50,
 * 15 types are cheaper -> command, executed at 735 s: the cheapest Spot
 * offering, t1 ($0.05, first of the tie), launched at 735 s, running 795 s,
 * Ready 845 s; the pod moves (5 s without it), t0 is terminated at 875 s.
 * Cost: t0 (600 - 61) s x $0.01 + (875 - 600) s x $0.50, t1 (3600 - 795) s
 * x $0.05. Without the gate, or with only 14 cheaper types: no replacement,
 * t0 runs to the end. */
static ss_data *mk16(double last_price)
{
    ss_data *d = ss_data_new(16, 1);
    for (int t = 0; t < 16; t++) {
        ss_pool *p = &d->pools[t];
        snprintf(p->instance_type, SS_NAME_MAX, "t%d", t);
        strcpy(p->zone, "us-east-1a");
        p->vcpu = 2.0;
        p->memory_mib = 8192.0;
        p->ondemand_usd_per_hour = 1.0;
        ss_time ts[2] = {T0 - SS_DAY, T0 + S(600)};
        double usd[2] = {0.01, 0.50};
        if (t == 0)
            ss_price_series_set(&p->spot, ts, usd, 2);
        else {
            double u = t == 15 ? last_price : 0.05;
            ss_price_series_set(&p->spot, ts, &u, 1);
        }
    }
    d->span_start = T0;
    d->span_end = T0 + 30 * SS_DAY;
    return d;
}

static void spot_to_spot_needs_gate_and_15_types(void **state)
{
    (void)state;
    for (int c = 0; c < 3; c++) {
        ss_data *d = mk16(c == 2 ? 0.60 : 0.05);
        ss_scenario sc;
        mkscenario(&sc, 1, SS_HOUR);
        sc.market.n_zones = 1;
        sc.market.n_types = 16;
        for (int t = 0; t < 16; t++)
            snprintf(sc.market.types[t].name, SS_NAME_MAX, "t%d", t);
        sc.k8s.karpenter.spot_to_spot = c != 1;
        sc.k8s.karpenter.pools[0].capacity_types = SS_KARP_SPOT;
        ss_metrics m;
        ss_karp_trace kt;
        assert_int_equal(run(&sc, d, &m, &kt), 0);
        assert_int_equal(kt.launch_pool[0], 0);
        if (c == 0) {
            assert_int_equal(kt.n_launch, 2);
            assert_int_equal(kt.launch_t[1], T0 + S(735));
            assert_int_equal(kt.launch_pool[1], 1);
            assert_int_equal(kt.n_disrupt, 1);
            assert_int_equal(kt.disrupt_reason[0], SS_KARP_R_REPLACE);
            NEAR(m.spot_cost_usd,
                 (0.01 * (600.0 - 61) + 0.50 * (875.0 - 600) + 0.05 * (3600.0 - 795)) / 3600);
            NEAR(m.availability, (3600.0 - 116 - 5) / 3600);
        } else {
            assert_int_equal(kt.n_launch, 1);
            assert_int_equal(kt.n_disrupt, 0);
            NEAR(m.spot_cost_usd, (0.01 * (600.0 - 61) + 0.50 * (3600.0 - 600)) / 3600);
        }
        ss_data_free(d);
    }
}

/* The batch window. Type s only, 4 pods. s@a holds 1 Spot instance until
 * 1920 s, then none; s@b unlimited until 1920.6 s, then none (the notices
 * notice_lead = 120 s before the drops: 1800 s and 1800.6 s). At 1 s two
 * NodeClaims: s@a, then (s@a full) s@b. Each notice drains its node (no
 * PDB: all pods evicted, their replacements pending) and caches its Spot
 * offering unavailable (the interruption controller marks it). The batch
 * opened at 1800 s is extended by the second notice to 1801.6 s (1 s idle,
 * within 10 s): one provisioning for the 4 pods, no Spot offering left:
 * two On-Demand s@a at 1801.6 s. With batch_max_duration 1.2 s the window
 * closes at 1801.2 s instead. */
static void batch_window_extends_up_to_max(void **state)
{
    (void)state;
    double spot[4] = {0.03, 0.04, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time ta[2] = {T0 - SS_DAY, T0 + S(1920)}, tb[2] = {T0 - SS_DAY, T0 + 1920600};
    int va[2] = {1, 0}, vb[2] = {-1, 0};
    set_trace(d, 0, ta, va, 2);
    set_trace(d, 1, tb, vb, 2);
    for (int c = 0; c < 2; c++) {
        ss_scenario sc;
        mkscenario(&sc, 4, SS_HOUR);
        sc.market.interruptions = SS_INTERRUPT_TRACE;
        sc.market.notice_lead = 120 * SS_SECOND;
        if (c)
            sc.k8s.karpenter.batch_max = 1200;
        ss_node_pool *np = &sc.k8s.karpenter.pools[0];
        np->type_idx[0] = 0;
        np->n_types = 1;
        np->consolidation_policy = SS_KARP_WHEN_EMPTY;
        ss_metrics m;
        ss_karp_trace kt;
        assert_int_equal(run(&sc, d, &m, &kt), 0);
        ss_time close = c ? 1801200 : 1801600;
        assert_int_equal(kt.n_launch, 4);
        assert_int_equal(kt.launch_pool[0], 0);
        assert_int_equal(kt.launch_pool[1], 1);
        assert_int_equal(kt.n_ice, 2);
        assert_int_equal(kt.ice_t[0], T0 + S(1800));
        assert_int_equal(kt.ice_pool[0], 0);
        assert_int_equal(kt.ice_t[1], T0 + 1800600);
        assert_int_equal(kt.ice_pool[1], 1);
        for (int i = 2; i < 4; i++) {
            assert_int_equal(kt.launch_t[i], T0 + close);
            assert_false(kt.launch_spot[i]);
            assert_int_equal(kt.launch_pool[i], 0);
        }
    }
    ss_data_free(d);
}

/* examples/k8s-karpenter.yaml on the bundled 2016 data (a store filled as
 * scripts/import-samples does): 6 pods, hard zone spread over three zones,
 * so the first batch (closing 1 s after the start) makes three NodeClaims
 * of ceil(6 / 3) = 2 pods, one per zone in order a, b, c (the zone with the
 * fewest pods, counting what is already in flight; ties to the first), all
 * Spot (the NodePool allows it and every zone has Spot prices below
 * On-Demand). Invariants over the month: no skew violation, no On-Demand
 * (Spot never runs out with the max-price rule here), at most one launch
 * per interruption, expiration (720 h: once, 3 nodes) and consolidation
 * move beyond the first three. */
static void example_runs_on_bundled_data(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_store st;
    ss_err err;
    if (ss_store_open(&st, tu_fmt("%s/store.db", dir), 0, &err))
        fail_msg("%s", err.msg);
    const char *files[] = {"spot-2016-us-east-1.csv", "ondemand-2016.csv"};
    for (int i = 0; i < 2; i++) {
        ss_import_opts o;
        ss_import_opts_init(&o);
        ss_import_result r;
        if (ss_import_file(&st, tu_fmt("%s/datasets/samples/%s", tu_source_dir(), files[i]), &o, &r,
                           &err))
            fail_msg("import %s: %s", files[i], err.msg);
    }
    ss_scenario *sc = calloc(1, sizeof *sc);
    assert_non_null(sc);
    if (ss_scenario_load_file(tu_fmt("%s/examples/k8s-karpenter.yaml", tu_source_dir()), sc, &err))
        fail_msg("%s", err.msg);
    ss_data *d = NULL;
    if (ss_data_load(&st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("data: %s", err.msg);
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(sc, d, &m, &kt), 0);
    assert_true(kt.n_launch >= 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kt.launch_t[i], sc->start + SS_SECOND);
        assert_int_equal(kt.launch_pool[i] % 3, i);
        assert_true(kt.launch_spot[i]);
    }
    assert_int_equal(m.skew_violations, 0);
    NEAR(m.od_cost_usd, 0.0);
    assert_true(m.spot_cost_usd > 0);
    ss_data_free(d);
    free(sc);
    ss_store_close(&st);
    tu_rmtree(dir);
    free(dir);
}

/* Nothing left to try: a Spot-only NodePool with one offering, s@a, whose
 * capacity drops to 0 at 1920 s and returns at 3000 s (notice 1800 s). At
 * the notice the offering is cached until 1980 s and the pod evicted: the
 * batch at 1801 s has no offering (no launch, no failure); the pod is
 * retried when the cache entry expires (1980 s, batch closing at 1981 s):
 * the launch fails (capacity 0), cached until 2161 s, retried at 2162,
 * 2343, 2524, 2705, 2886 s (all failing) and 3067 s: launched (capacity
 * back at 3000 s). 6 failed launches; Ready at 3177 s, pod ready 3182 s:
 * availability (7200 - 116 - (3182 - 1800)) / 7200. */
static void cached_offerings_retried_at_expiry(void **state)
{
    (void)state;
    double spot[4] = {0.03, -1, -1, -1};
    ss_data *d = mkdata(spot);
    ss_time t[3] = {T0 - SS_DAY, T0 + S(1920), T0 + S(3000)};
    int v[3] = {-1, 0, -1};
    set_trace(d, 0, t, v, 3);
    ss_scenario sc;
    mkscenario(&sc, 1, 2 * SS_HOUR);
    sc.market.interruptions = SS_INTERRUPT_TRACE;
    sc.market.notice_lead = 120 * SS_SECOND;
    ss_node_pool *np = &sc.k8s.karpenter.pools[0];
    np->capacity_types = SS_KARP_SPOT;
    np->type_idx[0] = 0;
    np->n_types = 1;
    np->zone_idx[0] = 0;
    np->n_zones = 1;
    ss_metrics m;
    ss_karp_trace kt;
    assert_int_equal(run(&sc, d, &m, &kt), 0);
    assert_int_equal(kt.n_launch, 2);
    assert_int_equal(kt.launch_t[1], T0 + S(3067));
    assert_int_equal(m.failed_launches, 6);
    const ss_time fail_at[6] = {1981, 2162, 2343, 2524, 2705, 2886};
    assert_int_equal(kt.n_ice, 7); /* the notice, then the six failures */
    assert_int_equal(kt.ice_t[0], T0 + S(1800));
    for (int i = 0; i < 6; i++)
        assert_int_equal(kt.ice_t[1 + i], T0 + S(fail_at[i]));
    NEAR(m.availability, (7200.0 - 116 - (3182 - 1800)) / 7200);
    ss_data_free(d);
}

/* examples/k8s-karpenter-skypilot-4node.yaml on the real SkyPilot 4-node
 * preemption traces (bundled; store built by scripts/import-skypilot, which
 * realigns them), against the issue-13 reference points (K = 3 all up, cold
 * start 300 s, prices 1 / 3; spotsim bills from `running`, as
 * tests/test_skypilot_examples.c explains): Karpenter's default NodePool
 * behaviour - Spot first, On-Demand when every Spot offering of a request
 * failed (3 min cache), consolidation back to Spot - dominates "+ immediate
 * fallback" (0.9807, 940.7) with and without the interruption queue; the
 * Spot-only NodePool without the queue is the "no fallback" policy: cheaper
 * than 723.4, and within 0.002 of its 0.8939 (Karpenter places the
 * replacement by price-capacity-optimized, not in the zone with the most
 * free capacity). */
static void skypilot_traces_against_reference_points(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    assert_int_equal(
        tu_system(tu_fmt("'%s/scripts/import-skypilot' --quiet --db '%s/sky.db' --bin '%s' "
                         "--shared '%s/none' 2>'%s/import.err'",
                         tu_source_dir(), dir, tu_spotsim_bin(), dir, dir)),
        0);
    ss_store st;
    ss_err err;
    if (ss_store_open(&st, tu_fmt("%s/sky.db", dir), 1, &err))
        fail_msg("%s", err.msg);
    const struct {
        const char *caps, *handling;
    } cases[] = {
        {"spot-and-on-demand", "false"}, {"spot-and-on-demand", "true"}, {"spot", "false"}};
    double av[3], cost[3];
    for (int c = 0; c < 3; c++) {
        ss_scenario *sc = calloc(1, sizeof *sc);
        assert_non_null(sc);
        if (ss_scenario_load_file(
                tu_fmt("%s/examples/k8s-karpenter-skypilot-4node.yaml", tu_source_dir()), sc, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(ss_scenario_set(sc, "kubernetes.karpenter.node_pools[0].capacity_types",
                                         cases[c].caps, &err),
                         0);
        assert_int_equal(ss_scenario_set(sc, "kubernetes.karpenter.interruption_handling",
                                         cases[c].handling, &err),
                         0);
        ss_data *d = NULL;
        if (ss_data_load(&st, &sc->market, sc->start, sc->end, &d, &err))
            fail_msg("data: %s", err.msg);
        ss_metrics m;
        if (ss_evaluate(sc, d, sc->seed, 0, &m, NULL, &err))
            fail_msg("%s", err.msg);
        av[c] = m.availability;
        cost[c] = m.cost_usd;
        print_message("  %s, interruption handling %s: availability %.6f, cost %.2f\n",
                      cases[c].caps, cases[c].handling, av[c], cost[c]);
        ss_data_free(d);
        free(sc);
    }
    for (int c = 0; c < 2; c++)
        assert_true(av[c] >= 0.9807 && cost[c] <= 940.7);
    assert_true(cost[2] < 723.4);
    assert_true(av[2] > 0.8939 - 0.002 && av[2] < av[0]);
    ss_store_close(&st);
    tu_rmtree(dir);
    free(dir);
}

/* The scenario reader: the keys, defaults and bad input. */
static const char *yaml_head = "orchestrator: kubernetes\n"
                               "horizon: {start: 2020-09-13T12:26:40Z, duration: 1h}\n"
                               "market:\n"
                               "  region: us-east-1\n"
                               "  zones: [us-east-1a, us-east-1b]\n"
                               "  instance_types:\n"
                               "    - {name: s, vcpu: 2, memory_mib: 8192, on_demand_price: 0.1}\n"
                               "kubernetes:\n"
                               "  deployment: {replicas: 2, cpu: 1, memory: 1024}\n"
                               "  provisioner: karpenter\n";

static int load_text(const char *text, ss_scenario *sc, ss_err *err)
{
    return ss_scenario_load_string(text, "karpenter.yaml", sc, err);
}

static void scenario_keys(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_err err;
    const char *ok = tu_fmt("%s"
                            "  karpenter:\n"
                            "    interruption_handling: false\n"
                            "    node_pools:\n"
                            "      - name: default\n"
                            "        capacity_types: spot\n"
                            "        instance_types: [s]\n"
                            "        zones: [us-east-1b]\n"
                            "        limit_cpu: 16\n"
                            "        consolidation_policy: WhenEmpty\n"
                            "        consolidate_after: 5m\n"
                            "        budget_nodes: 2\n"
                            "        expire_after: 0\n",
                            yaml_head);
    assert_int_equal(load_text(ok, &sc, &err), 0);
    assert_int_equal(sc.k8s.provisioner, SS_PROV_KARPENTER);
    const ss_karpenter *k = &sc.k8s.karpenter;
    assert_int_equal(k->n_pools, 1);
    assert_false(k->interruption_handling);
    assert_int_equal(k->batch_idle, SS_SECOND);
    assert_int_equal(k->batch_max, 10 * SS_SECOND);
    assert_int_equal(k->pools[0].capacity_types, SS_KARP_SPOT);
    assert_int_equal(k->pools[0].n_zones, 1);
    assert_int_equal(k->pools[0].zone_idx[0], 1);
    assert_int_equal(k->pools[0].consolidate_after, 5 * SS_MINUTE);
    assert_int_equal(k->pools[0].budget_nodes, 2);
    assert_false(k->pools[0].budget_percent);
    assert_int_equal(k->pools[0].expire_after, 0);
    /* defaults of a bare pool: the karpenter.sh/v1 NodePool defaults */
    const char *bare = tu_fmt("%s  karpenter: {node_pools: [{name: p}]}\n", yaml_head);
    assert_int_equal(load_text(bare, &sc, &err), 0);
    assert_int_equal(sc.k8s.karpenter.pools[0].capacity_types, SS_KARP_SPOT_AND_OD);
    assert_int_equal(sc.k8s.karpenter.pools[0].budget_nodes, 10);
    assert_true(sc.k8s.karpenter.pools[0].budget_percent);
    assert_int_equal(sc.k8s.karpenter.pools[0].expire_after, 720 * SS_HOUR);
    assert_int_equal(sc.k8s.karpenter.pools[0].consolidation_policy,
                     SS_KARP_WHEN_EMPTY_OR_UNDERUTILIZED);
    /* the optimizer can vary the NodePool's knobs by path */
    assert_int_equal(
        ss_scenario_set(&sc, "kubernetes.karpenter.node_pools[0].consolidate_after", "10m", &err),
        0);
    assert_int_equal(sc.k8s.karpenter.pools[0].consolidate_after, 10 * SS_MINUTE);
    assert_int_equal(
        ss_scenario_set(&sc, "kubernetes.karpenter.node_pools[0].budget_nodes", "25%", &err), 0);
    assert_int_equal(sc.k8s.karpenter.pools[0].budget_nodes, 25);
    assert_true(sc.k8s.karpenter.pools[0].budget_percent);
    /* bad input: a clear message naming the key */
    const struct {
        const char *tail, *want;
    } bad[] = {
        {"  karpenter: {node_pools: [{name: p, instance_types: [m5.large]}]}\n", "instance_types"},
        {"  karpenter: {node_pools: [{name: p, budget_nodes: 150%}]}\n", "budget_nodes"},
        {"  karpenter: {node_pools: [{name: p, capacity_types: reserved}]}\n", "capacity_types"},
        {"  karpenter: {node_pools: [{name: p}, {name: p}]}\n", "duplicate NodePool"},
        {"  karpenter: {node_pools: [{name: Spot Pool}]}\n", "node_pools[0].name"},
        {"  karpenter: {node_pools: []}\n", "node_pools"},
        {"  karpenter: {batch_idle_duration: 20s, node_pools: [{name: p}]}\n",
         "batch_max_duration"},
        {"  mitigations: {suspend_scale_down: true}\n  karpenter: {node_pools: [{name: p}]}\n",
         "mitigations"},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(bad); i++) {
        assert_int_equal(load_text(tu_fmt("%s%s", yaml_head, bad[i].tail), &sc, &err), -1);
        if (!strstr(err.msg, bad[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pending_pod_launches_cheapest_spot),
        cmocka_unit_test(baseline_makes_nodepools_on_demand),
        cmocka_unit_test(ice_falls_back_to_on_demand),
        cmocka_unit_test(capacity_returns_on_demand_replaced_by_spot),
        cmocka_unit_test(empty_node_consolidated_after_consolidate_after),
        cmocka_unit_test(budgets_limit_concurrent_disruptions),
        cmocka_unit_test(interruption_prespins_replacement),
        cmocka_unit_test(weight_and_limits),
        cmocka_unit_test(expiration_replaces_node),
        cmocka_unit_test(zone_spread_counts_nodepool_zones),
        cmocka_unit_test(spot_to_spot_needs_gate_and_15_types),
        cmocka_unit_test(batch_window_extends_up_to_max),
        cmocka_unit_test(cached_offerings_retried_at_expiry),
        cmocka_unit_test(example_runs_on_bundled_data),
        cmocka_unit_test(skypilot_traces_against_reference_points),
        cmocka_unit_test(scenario_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
