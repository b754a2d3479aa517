/*
 * test_spread.c - topologySpreadConstraints filter and score against the
 * examples of the Kubernetes documentation ("Pod Topology Spread
 * Constraints") and hand-worked arithmetic (aws-semantics.md §4.1).
 *
 * Base cluster of the docs: zone A = {node1, node2}, zone B = {node3, node4};
 * three matching pods on node1, node2, node3 (so count[A] = 2, count[B] = 1,
 * per node 1,1,1,0); the incoming pod matches its own selector.
 */
#include "tests/testutil.h"

#include <string.h>

#include "models/k8s_spread.h"

static ss_spread_constraint mk(const char *key, int max_skew, bool anyway)
{
    ss_spread_constraint c;
    memset(&c, 0, sizeof c);
    strcpy(c.topology_key, key);
    c.max_skew = max_skew;
    c.schedule_anyway = anyway;
    return c;
}

/* zone counts: domain 0 = A, 1 = B, 2 = C (no nodes unless set) */
static int zpods[3], znodes[3];
static int hpods[5], hnodes[5];
static ss_spread_counts zone_k, host_k;

static void base_cluster(void)
{
    int zp[3] = {2, 1, 0}, zn[3] = {2, 2, 0};
    int hp[5] = {1, 1, 1, 0, 0}, hn[5] = {1, 1, 1, 1, 0};
    memcpy(zpods, zp, sizeof zp);
    memcpy(znodes, zn, sizeof zn);
    memcpy(hpods, hp, sizeof hp);
    memcpy(hnodes, hn, sizeof hn);
    zone_k = (ss_spread_counts){3, zpods, znodes};
    host_k = (ss_spread_counts){5, hpods, hnodes};
}

static const int node_zone[5] = {0, 0, 1, 1, -1}; /* node5 lacks the zone label */

static void one_constraint_docs_example(void **state)
{
    (void)state;
    base_cluster();
    ss_spread_constraint c = mk("topology.kubernetes.io/zone", 1, false);
    /* globalMin = min(2, 1) = 1 (zone C has no node: invisible).
     * zone A: 2 + 1 - 1 = 2 > 1 => node1, node2 infeasible;
     * zone B: 1 + 1 - 1 = 1 <= 1 => node3, node4 feasible. */
    assert_int_equal(ss_spread_num_domains(&zone_k), 2);
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 1);
    bool expect[4] = {false, false, true, true};
    for (int n = 0; n < 4; n++)
        assert_int_equal(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[n], true, NULL), expect[n]);
    /* maxSkew 2: zone A skew 2 <= 2, all four feasible */
    c.max_skew = 2;
    for (int n = 0; n < 4; n++)
        assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[n], true, NULL));
    /* a pod that does not match its own selector: A gives 2 + 0 - 1 = 1 */
    c.max_skew = 1;
    assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[0], false, NULL));
    /* a node lacking the key is UnschedulableAndUnresolvable */
    assert_false(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[4], true, NULL));
    /* ScheduleAnyway constraints never filter */
    c.schedule_anyway = true;
    assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[0], true, NULL));
    /* an inactive (dropped) constraint never filters */
    c.schedule_anyway = false;
    bool off = false;
    assert_true(ss_spread_filter(&c, &off, 1, &zone_k, &node_zone[0], true, NULL));
}

static void two_constraints_docs_example(void **state)
{
    (void)state;
    base_cluster();
    ss_spread_constraint cs[2] = {mk("topology.kubernetes.io/zone", 1, false),
                                  mk("kubernetes.io/hostname", 1, false)};
    ss_spread_counts k[2] = {zone_k, host_k};
    /* zone: only B (node3, node4). hostname: globalMin = min(1,1,1,0) = 0;
     * node3: 1 + 1 - 0 = 2 > 1; node4: 0 + 1 - 0 = 1. => only node4. */
    for (int n = 0; n < 4; n++) {
        int dom[2] = {node_zone[n], n};
        assert_int_equal(ss_spread_filter(cs, NULL, 2, k, dom, true, NULL), n == 3);
    }
    /* second case, node counts 0,2,1,1 (zone A = 2, B = 2): zone gmin 2,
     * both zones pass (2 + 1 - 2 = 1); hostname gmin 0 => only node1
     * (0 + 1 - 0 = 1; the others give 3, 2, 2). */
    int hp2[5] = {0, 2, 1, 1, 0};
    memcpy(hpods, hp2, sizeof hp2);
    zpods[0] = 2;
    zpods[1] = 2;
    for (int n = 0; n < 4; n++) {
        int dom[2] = {node_zone[n], n};
        assert_int_equal(ss_spread_filter(cs, NULL, 2, k, dom, true, NULL), n == 0);
    }
}

static void min_domains_forces_global_min_zero(void **state)
{
    (void)state;
    base_cluster();
    zpods[0] = 2;
    zpods[1] = 2;
    ss_spread_constraint c = mk("topology.kubernetes.io/zone", 1, false);
    /* without minDomains: gmin = 2, skew in A = 2 + 1 - 2 = 1: feasible */
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 2);
    assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[0], true, NULL));
    /* minDomains 3 with 2 visible domains: gmin = 0, skew = 3 > 1 in both
     * zones => the pod stays Pending until a third zone has a node */
    c.min_domains = 3;
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 0);
    assert_int_equal(ss_spread_skew(&c, &zone_k, 0, true), 3);
    for (int n = 0; n < 4; n++)
        assert_false(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[n], true, NULL));
    /* a node appears in zone C (0 pods): 3 domains, gmin = min(2,2,0) = 0,
     * zone C: 0 + 1 - 0 = 1 => feasible there only */
    znodes[2] = 1;
    int zc = 2;
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 0);
    assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &zc, true, NULL));
    assert_false(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[0], true, NULL));
    /* minDomains 2 <= 3 domains: plain min again */
    c.min_domains = 2;
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 0);
    zpods[2] = 1;
    assert_int_equal(ss_spread_global_min(&c, &zone_k), 1);
}

static void eligibility_policies(void **state)
{
    (void)state;
    ss_spread_constraint c = mk("topology.kubernetes.io/zone", 1, false);
    /* defaults: nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore */
    assert_true(ss_spread_node_eligible(&c, true, true, false));
    assert_false(ss_spread_node_eligible(&c, true, false, true));
    assert_false(ss_spread_node_eligible(&c, false, true, true));
    c.node_affinity_ignore = true;
    assert_true(ss_spread_node_eligible(&c, true, false, true));
    c.node_taints_honor = true;
    assert_false(ss_spread_node_eligible(&c, true, true, false));
    /* a zone whose only nodes are ineligible (e.g. excluded by the node
     * selector under Honor) is not a domain: with B invisible, gmin =
     * count[A] = 2 and A becomes feasible (2 + 1 - 2 = 1). */
    base_cluster();
    znodes[1] = 0;
    zpods[1] = 0;
    c = mk("topology.kubernetes.io/zone", 1, false);
    assert_int_equal(ss_spread_num_domains(&zone_k), 1);
    assert_true(ss_spread_filter(&c, NULL, 1, &zone_k, &node_zone[0], true, NULL));
}

static void schedule_anyway_scores(void **state)
{
    (void)state;
    base_cluster();
    ss_spread_constraint c = mk("topology.kubernetes.io/zone", 1, true);
    int64_t out[5], tmp[5];
    /* 4 candidates in 2 domains: w = ln(4) = 1.386294.
     * raw: node1,2 = round(2 * 1.386294 + 0) = round(2.77) = 3;
     *      node3,4 = round(1.386294) = 1.  max 3, min 1.
     * norm: 100 * (3 + 1 - 3) / 3 = 33;  100 * (3 + 1 - 1) / 3 = 100. */
    ss_spread_score(&c, NULL, 1, &zone_k, NULL, node_zone, 4, out, tmp);
    assert_int_equal(out[0], 33);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 100);
    assert_int_equal(out[3], 100);
    /* a fifth candidate lacking the key scores 0 and does not change the
     * domain count (size 2) */
    ss_spread_score(&c, NULL, 1, &zone_k, NULL, node_zone, 5, out, tmp);
    assert_int_equal(out[0], 33);
    assert_int_equal(out[2], 100);
    assert_int_equal(out[4], 0);
    /* only node3 and node4 as candidates: 1 domain, w = ln 3; both raw
     * round(1.0986) = 1 => 100 * (1 + 1 - 1) / 1 = 100 */
    ss_spread_score(&c, NULL, 1, &zone_k, NULL, node_zone + 2, 2, out, tmp);
    assert_int_equal(out[0], 100);
    assert_int_equal(out[1], 100);
    /* all counts zero, maxSkew 1 => maxRaw 0 => everyone 100 */
    zpods[0] = zpods[1] = 0;
    ss_spread_score(&c, NULL, 1, &zone_k, NULL, node_zone, 4, out, tmp);
    for (int n = 0; n < 4; n++)
        assert_int_equal(out[n], 100);
    /* no ScheduleAnyway constraint => plugin is a no-op (0 for all) */
    c.schedule_anyway = false;
    ss_spread_score(&c, NULL, 1, &zone_k, NULL, node_zone, 4, out, tmp);
    for (int n = 0; n < 4; n++)
        assert_int_equal(out[n], 0);
}

static void two_soft_constraints_score(void **state)
{
    (void)state;
    base_cluster();
    ss_spread_constraint cs[2] = {mk("topology.kubernetes.io/zone", 1, true),
                                  mk("kubernetes.io/hostname", 2, true)};
    ss_spread_counts k[2] = {zone_k, host_k};
    bool per_node[2] = {false, true};
    int dom[8];
    for (int n = 0; n < 4; n++) {
        dom[2 * n] = node_zone[n];
        dom[2 * n + 1] = n;
    }
    int64_t out[4], tmp[4];
    /* w_zone = ln(2+2) = 1.386294; w_host = ln(4+2) = 1.791759.
     * node1: 2*1.386294 + 0 + 1*1.791759 + 1 = 5.564 -> 6; node2 same;
     * node3: 1.386294 + 1.791759 + 1 = 4.178 -> 4;
     * node4: 1.386294 + 0 + 1 = 2.386 -> 2.   max 6, min 2:
     * node1 = 100*(8-6)/6 = 33; node3 = 100*(8-4)/6 = 66; node4 = 100. */
    ss_spread_score(cs, NULL, 2, k, per_node, dom, 4, out, tmp);
    assert_int_equal(out[0], 33);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 66);
    assert_int_equal(out[3], 100);
    /* deactivating the hostname constraint gives the one-constraint scores */
    bool active[2] = {true, false};
    ss_spread_score(cs, active, 2, k, per_node, dom, 4, out, tmp);
    assert_int_equal(out[0], 33);
    assert_int_equal(out[3], 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_constraint_docs_example),
        cmocka_unit_test(two_constraints_docs_example),
        cmocka_unit_test(min_domains_forces_global_min_zero),
        cmocka_unit_test(eligibility_policies),
        cmocka_unit_test(schedule_anyway_scores),
        cmocka_unit_test(two_soft_constraints_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
