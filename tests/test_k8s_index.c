/*
 * test_k8s_index.c - the scheduler index and the autoscaler's node sets of
 * models/k8s_cluster.c: the indexed pick equals the full walk over every
 * live node (ss_k8s_pick_node_scan) on randomized clusters, ties and
 * PodTopologySpread scores included; the tie-break follows the live-list
 * order; too many domain classes fall back to the walk; the underutilized
 * and with-room sets hold exactly the nodes the autoscaler's rules name, in
 * live-list order.
 */
#include "tests/testutil.h"

#include <gsl/gsl_rng.h>
#include <string.h>

#include "models/k8s.h"
#include "sim/kernel/rng.h"
#include "tests/k8s_fixture.h"

/* 3 zones; node groups (spot, od) x zone, all m5.large (2 vCPU, 8 GiB);
 * pods request 0.5 vCPU and 1 GiB; the second constraint soft or hard. */
static void scenario(ss_scenario *sc, int n_spread, bool soft_second)
{
    k8s_fixture_scenario(sc, n_spread);
    sc->k8s.deployment.spread[1].schedule_anyway = soft_second;
}

/* The indexed pick and the walk agree, and consume the same tie draws. */
static void same_pick(ss_k8s_cluster *c, const char *where, unsigned long seed, int step)
{
    uint64_t ties = c->n_ties;
    int want = ss_k8s_pick_node_scan(c);
    uint64_t ties_scan = c->n_ties;
    c->n_ties = ties;
    int got = ss_k8s_pick_node(c);
    if (got != want || c->n_ties != ties_scan)
        fail_msg("%s seed %lu step %d: index picks %d (%llu draws), the walk %d (%llu draws)", where, seed,
                 step, got, (unsigned long long)(c->n_ties - ties), want,
                 (unsigned long long)(ties_scan - ties));
}

static void index_agrees_with_walk(void **state)
{
    (void)state;
    /* variants: no spread; zone DoNotSchedule; zone + capacity type hard;
     * zone hard + capacity type ScheduleAnyway (a score per class); each
     * with lowest-id and random ties */
    const int n_spread[4] = {0, 1, 2, 2};
    const bool soft[4] = {false, false, false, true};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (int v = 0; v < 8; v++) {
        ss_scenario sc;
        scenario(&sc, n_spread[v / 2], soft[v / 2]);
        for (unsigned long seed = 1; seed <= 6; seed++) {
            gsl_rng_set(r, seed * 31 + (unsigned long)v);
            ss_k8s_cluster c;
            ss_k8s_cluster_init(&c, &sc, 0);
            assert_true(c.fast);
            c.random_ties = v % 2 == 1;
            c.tie_seed = seed;
            ss_time now = 0;
            ss_err err;
            for (int step = 0; step < 300; step++) {
                now += SS_SECOND;
                unsigned long op = gsl_rng_uniform_int(r, 10);
                if (op < 2 || c.n_live == 0) {
                    int g = (int)gsl_rng_uniform_int(r, 6);
                    /* sizes 1..4 vCPU: several least-allocated levels */
                    ss_k8s_node_add(&c, now, g, g / 2, 0, g % 2 == 0,
                                    1.0 + (double)gsl_rng_uniform_int(r, 4), 8192, -1);
                } else if (op == 2) {
                    ss_k8s_node_remove(&c, now, c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)]);
                } else if (op == 3) {
                    int n = c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)];
                    if (c.nodes[n].cordoned)
                        ss_k8s_node_uncordon(&c, n);
                    else
                        ss_k8s_node_cordon(&c, n);
                } else if (op == 4) {
                    int n = c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)];
                    ss_k8s_node_set_ready(&c, now, n, !c.nodes[n].ready);
                } else if (op == 5 && c.n_pods > 0) {
                    int p = (int)gsl_rng_uniform_int(r, (unsigned long)c.n_pods);
                    if (c.pods[p].state == SS_POD_STARTING || c.pods[p].state == SS_POD_READY)
                        ss_k8s_pod_terminate(&c, now, p, true);
                    else if (c.pods[p].state == SS_POD_TERMINATING)
                        ss_k8s_pod_delete(&c, now, p);
                } else if (op == 6 && c.n_c > 0) {
                    ss_k8s_set_active(&c, 0, !c.active[0]); /* mitigation (1) */
                } else {
                    for (int i = 0; i < 3; i++)
                        ss_k8s_pod_new(&c, now);
                }
                while (c.n_pending > 0) {
                    same_pick(&c, "pass", seed, step);
                    int n = ss_k8s_pick_node(&c);
                    if (n < 0)
                        break;
                    ss_k8s_bind(&c, now, c.pending[c.pending_head], n);
                }
                /* the scale-down what-if moves pods through the index */
                if (c.n_live > 0) {
                    (void)ss_k8s_node_movable(&c, c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)]);
                    same_pick(&c, "after movable", seed, step);
                }
                /* placements of the scale-up what-if on live nodes, then
                 * reverted: the index follows both ways */
                if (step % 7 == 0 && c.n_live > 0) {
                    ss_k8s_whatif w;
                    ss_k8s_whatif_begin(&c, &w, true);
                    for (int t = 0; t < 5; t++) {
                        int gmin[SS_MAX_SPREAD];
                        ss_k8s_whatif_gmin(&c, gmin);
                        int n = c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)];
                        if (ss_k8s_whatif_fits(&c, &w, n, gmin))
                            ss_k8s_whatif_place(&c, &w, n);
                    }
                    same_pick(&c, "inside a what-if", seed, step);
                    ss_k8s_whatif_end(&c, &w);
                    same_pick(&c, "after a what-if", seed, step);
                }
                if (ss_k8s_check(&c, &err) != 0)
                    fail_msg("variant %d seed %lu step %d: %s", v, seed, step, err.msg);
            }
            ss_k8s_cluster_free(&c);
        }
    }
    gsl_rng_free(r);
}

static void ties_follow_live_order(void **state)
{
    (void)state;
    ss_scenario sc;
    scenario(&sc, 0, false);
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    /* four empty m5.large nodes of one group: all tie at least-allocated
     * (floor(1.5*100/2) + floor(7168*100/8192)) / 2 = (75 + 87) / 2 = 81 */
    for (int i = 0; i < 4; i++)
        assert_int_equal(ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1), i);
    /* node 0 leaves: the last (3) takes its place, live order 3, 1, 2 */
    ss_k8s_node_remove(&c, 0, 0);
    assert_int_equal(c.live[0], 3);
    /* lowest-id ties: node 1, not the first in live order */
    assert_int_equal(ss_k8s_pick_node(&c), 1);
    /* random ties: draw i picks the floor(3 u_i)-th of 3, 1, 2 */
    c.random_ties = true;
    c.tie_seed = 7;
    const int order[3] = {3, 1, 2};
    for (int i = 0; i < 12; i++) {
        double u = ss_rng_keyed_uniform(7, 0, (uint64_t)i, 0x54494553ULL);
        int k = (int)(u * 3);
        assert_int_equal(ss_k8s_pick_node(&c), order[k > 2 ? 2 : k]);
    }
    assert_int_equal((int)c.n_ties, 12);
    /* one pod on node 1: LA (floor(1.0*100/2) + floor(6144*100/8192)) / 2
     * = (50 + 75) / 2 = 62 < 81: the tie is 3, 2 (live order); no draw
     * when a single node is best: cordon 3 -> node 2 alone */
    ss_k8s_bind(&c, 0, ss_k8s_pod_new(&c, 0), 1);
    for (int i = 12; i < 20; i++) {
        double u = ss_rng_keyed_uniform(7, 0, (uint64_t)i, 0x54494553ULL);
        assert_int_equal(ss_k8s_pick_node(&c), u * 2 < 1 ? 3 : 2);
    }
    ss_k8s_node_cordon(&c, 3);
    assert_int_equal(ss_k8s_pick_node(&c), 2);
    assert_int_equal((int)c.n_ties, 20);
    ss_k8s_cluster_free(&c);
}

static void many_classes_fall_back_to_walk(void **state)
{
    (void)state;
    /* spread over zone and instance type, nodes of 3 zones x 30 types:
     * 90 domain pairs > SS_K8S_MAX_CLASSES (64): the index switches off at
     * the 65th class and the walk takes over with the same answers */
    ss_scenario sc;
    scenario(&sc, 2, false);
    sc.market.n_types = 30;
    for (int t = 0; t < 30; t++)
        snprintf(sc.market.types[t].name, SS_NAME_MAX, "m5.t%d", t);
    strcpy(sc.k8s.deployment.spread[1].topology_key, "node.kubernetes.io/instance-type");
    sc.k8s.deployment.spread[1].max_skew = 100;
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    ss_err err;
    int added = 0;
    for (int t = 0; t < 30; t++)
        for (int z = 0; z < 3; z++) {
            ss_k8s_node_add(&c, 0, 2 * z, z, t, true, 2.0, 8192, -1);
            added++;
            assert_true(c.fast == (added <= SS_K8S_MAX_CLASSES));
            ss_k8s_pod_new(&c, 0);
            same_pick(&c, "classes", 0, added);
            int n = ss_k8s_pick_node(&c);
            assert_true(n >= 0);
            ss_k8s_bind(&c, 0, c.pending[c.pending_head], n);
            assert_int_equal(ss_k8s_check(&c, &err), 0);
        }
    assert_false(c.fast);
    /* a per-node key never uses the index */
    ss_k8s_cluster_free(&c);
    strcpy(sc.k8s.deployment.spread[1].topology_key, SS_K8S_HOSTNAME_KEY);
    ss_k8s_cluster_init(&c, &sc, 0);
    assert_false(c.fast);
    ss_k8s_cluster_free(&c);
}

static void autoscaler_node_sets(void **state)
{
    (void)state;
    ss_scenario sc;
    scenario(&sc, 0, false);
    /* threshold 0.5 on m5.large with 0.5 vCPU / 1 GiB pods: underutilized
     * iff n x 0.5 < 0.5 x 2 and n x 1024 < 0.5 x 8192, i.e. n <= 1 pod;
     * room iff Ready, not cordoned and n < slots = min(floor(2 / 0.5),
     * floor(8192 / 1024), 110) = 4 */
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    const int pods[5] = {0, 1, 2, 4, 3};
    for (int i = 0; i < 5; i++) {
        int n = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1);
        for (int j = 0; j < pods[i]; j++)
            ss_k8s_bind(&c, 0, ss_k8s_pod_new(&c, 0), n);
    }
    int out[8];
    int nu = ss_k8s_underutilized(&c, out);
    assert_int_equal(nu, 2);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
    int nr = ss_k8s_with_room(&c, out);
    assert_int_equal(nr, 4);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 2);
    assert_int_equal(out[3], 4);
    /* node 0 leaves: live order 4, 1, 2, 3; a terminating pod still counts
     * (its requests stay until deletion): node 2 keeps 2 pods, not under;
     * deleting it leaves 1 pod: under */
    ss_k8s_node_remove(&c, 0, 0);
    int p = c.nodes[2].pods[0];
    ss_k8s_pod_terminate(&c, 0, p, false);
    nu = ss_k8s_underutilized(&c, out);
    assert_int_equal(nu, 1);
    assert_int_equal(out[0], 1);
    ss_k8s_pod_delete(&c, 0, p);
    nu = ss_k8s_underutilized(&c, out);
    assert_int_equal(nu, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    /* node 4 (3 pods) gets its 4th: no room; live order 4, 1, 2, 3 */
    ss_k8s_bind(&c, 0, ss_k8s_pod_new(&c, 0), 4);
    nr = ss_k8s_with_room(&c, out);
    assert_int_equal(nr, 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    /* room is for a Ready, uncordoned node: cordon 1, node 2 NotReady */
    ss_k8s_node_cordon(&c, 1);
    ss_k8s_node_set_ready(&c, 0, 2, false);
    assert_int_equal(ss_k8s_with_room(&c, out), 0);
    ss_k8s_node_uncordon(&c, 1);
    assert_int_equal(ss_k8s_with_room(&c, out), 1);
    assert_int_equal(out[0], 1);
    ss_err err;
    assert_int_equal(ss_k8s_check(&c, &err), 0);
    ss_k8s_cluster_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_agrees_with_walk),
        cmocka_unit_test(ties_follow_live_order),
        cmocka_unit_test(many_classes_fall_back_to_walk),
        cmocka_unit_test(autoscaler_node_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
