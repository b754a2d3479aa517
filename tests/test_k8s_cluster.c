/*
 * test_k8s_cluster.c - the Kubernetes API-server state and scheduler alone
 * (no event kernel): a hand-worked placement sequence, and invariants on
 * randomized clusters (no pod on two nodes, pods only on live uncordoned
 * Ready nodes at bind, allocatable never exceeded, DoNotSchedule skew never
 * violated at bind time, incremental counts equal a full recount).
 */
#include "tests/testutil.h"

#include <gsl/gsl_rng.h>
#include <string.h>

#include "models/k8s.h"
#include "tests/k8s_fixture.h"

/* 3 zones; node groups (spot, od) x zone, all m5.large (2 vCPU, 8 GiB). */
static void scenario(ss_scenario *sc, int n_spread)
{
    k8s_fixture_scenario(sc, n_spread);
}

static void hand_worked_placements(void **state)
{
    (void)state;
    ss_scenario sc;
    scenario(&sc, 1);
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    int n0 = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1); /* zone a */
    int n1 = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1); /* zone a */
    int n2 = ss_k8s_node_add(&c, 0, 2, 1, 0, true, 2.0, 8192, -1); /* zone b */
    /* pod 1: counts a=0 b=0, every node feasible, least-allocated equal
     *        (floor((2-0.5)*100/2)=75, floor((8192-1024)*100/8192)=87 -> 81)
     *        => lowest id n0;
     * pod 2: a=1, b=0, gmin 0: a gives 1+1-0 = 2 > 1 => only n2;
     * pod 3: a=1, b=1: all feasible; LA n0 = (50+75)/2 = 62, n1 = 81,
     *        n2 = 62 => n1;
     * pod 4: a=2, b=1, gmin 1: a gives 2+1-1 = 2 > 1 => n2 only. */
    int want[4] = {n0, n2, n1, n2};
    for (int i = 0; i < 4; i++) {
        int p = ss_k8s_pod_new(&c, 0);
        int n = ss_k8s_pick_node(&c);
        assert_int_equal(n, want[i]);
        ss_k8s_bind(&c, 0, p, n);
    }
    /* zone b now has n2 full? n2 holds 2 pods (1 cpu of 2): pod 5 with
     * a=2, b=2 may go anywhere: LA n0 62, n1 62, n2 (2-1.5)/2 -> 25,
     * (8192-3072)/8192 -> 62 => 43 => n0 (lowest id among 62s) */
    int p5 = ss_k8s_pod_new(&c, 0);
    assert_int_equal(ss_k8s_pick_node(&c), n0);
    /* cordon zone a: pod 5 must go to b: b=2, gmin 2 -> 2+1-2 = 1 ok */
    ss_k8s_node_cordon(&c, n0);
    ss_k8s_node_cordon(&c, n1);
    assert_int_equal(ss_k8s_pick_node(&c), n2);
    ss_k8s_bind(&c, 0, p5, n2);
    /* pod 6: a=2 (cordoned nodes still count), b=3, only b schedulable:
     * 3+1-2 = 2 > 1 => Pending */
    ss_k8s_pod_new(&c, 0);
    assert_int_equal(ss_k8s_pick_node(&c), -1);
    assert_int_equal(c.n_pending, 1);
    /* dropping the zone constraint (mitigation 1) lets it through; the
     * bind is then a skew violation (b=4, gmin 2 => 2 > 1) */
    assert_true(ss_k8s_set_active(&c, 0, false));
    int n = ss_k8s_pick_node(&c);
    assert_int_equal(n, n2);
    ss_k8s_bind(&c, 0, c.pending[c.pending_head], n);
    assert_int_equal(c.skew_violations, 1);
    /* pending pod-time: pod 6 pending 0..0 => 0; accounting integrates */
    ss_err err;
    assert_int_equal(ss_k8s_check(&c, &err), 0);
    /* node removal: n2's 4 pods get Pending replacements */
    assert_int_equal(ss_k8s_node_remove(&c, 1000, n2), 4);
    assert_int_equal(c.n_pending, 4);
    assert_int_equal(ss_k8s_check(&c, &err), 0);
    ss_k8s_cluster_free(&c);
}

static void accounting_hand_worked(void **state)
{
    (void)state;
    ss_scenario sc;
    scenario(&sc, 0);
    sc.k8s.deployment.replicas = 2;
    sc.slo.min_fraction = 1.0; /* required 2 */
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    int n0 = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1);
    int p0 = ss_k8s_pod_new(&c, 0), p1 = ss_k8s_pod_new(&c, 0);
    /* both pending for 10 s, ready at 20 s; at 100 s node NotReady for
     * 50 s; horizon 200 s.
     * pending pod-s = 2*10 = 20 -> 20/3600 h
     * healthy >= 2 during [20,100) and [150,200) = 130 s of 200 => 0.65
     * episodes: [0,20) 20 s and [100,150) 50 s; shortfall pod-s =
     * 2*20 + 2*50 = 140; served = 2*130 / (2*200) = 0.65 */
    ss_k8s_bind(&c, 10 * SS_SECOND, p0, n0);
    ss_k8s_bind(&c, 10 * SS_SECOND, p1, n0);
    ss_k8s_pod_ready(&c, 20 * SS_SECOND, p0);
    ss_k8s_pod_ready(&c, 20 * SS_SECOND, p1);
    ss_k8s_node_set_ready(&c, 100 * SS_SECOND, n0, false);
    ss_k8s_node_set_ready(&c, 150 * SS_SECOND, n0, true);
    ss_metrics m;
    memset(&m, 0, sizeof m);
    ss_k8s_avail_finish(&c, 200 * SS_SECOND, &m);
    double av = m.availability, served = m.served_fraction, p50 = m.shortfall_p50_s,
           mx = m.shortfall_max_s, sh = m.shortfall_task_hours, pend = m.pending_task_hours;
    int64_t ep = m.shortfall_episodes;
    assert_true(av > 0.649999 && av < 0.650001);
    assert_true(served > 0.649999 && served < 0.650001);
    assert_int_equal(ep, 2);
    /* median of {20, 50} by linear interpolation (models/avail.h) */
    assert_true(p50 > 34.999 && p50 < 35.001);
    assert_true(mx > 49.999 && mx < 50.001);
    assert_true(sh > 140.0 / 3600 - 1e-9 && sh < 140.0 / 3600 + 1e-9);
    assert_true(pend > 20.0 / 3600 - 1e-9 && pend < 20.0 / 3600 + 1e-9);
    ss_k8s_cluster_free(&c);
}

static void scale_down_movability_honours_spread(void **state)
{
    (void)state;
    /* Zone spread maxSkew 1; m5.large nodes hold 4 pods each.
     *   zone a: A1 4 pods, A2 1 pod;  zone b: B1 4;  zone c: C1 4, C2 1.
     * Counts a 5, b 4, c 5. Free slots: A2 3, C2 3 (counting slots only,
     * C2's pod and A2's pod could "move").
     * C2 removed: a 5, b 4, c 4, globalMin 4; its pod fits only on A2
     * (room), where a gives 5 + 1 - 4 = 2 > 1: not movable.
     * A2 removed: a 4, b 4, c 5; C2 gives 5 + 1 - 4 = 2: not movable.
     * A1 removed: a 1, b 4, c 5: its pods go one by one to A2 (a 1 + 1 - 1
     * = 1, then 2 + 1 - 2, 3 + 1 - 3: globalMin follows a), filling it;
     * the 4th (a 4, b 4, c 5, gmin 4) fits only on C2: 5 + 1 - 4 = 2 > 1:
     * not movable. */
    ss_scenario sc;
    scenario(&sc, 1);
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    int a1 = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1);
    int a2 = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1);
    int b1 = ss_k8s_node_add(&c, 0, 2, 1, 0, true, 2.0, 8192, -1);
    int c1 = ss_k8s_node_add(&c, 0, 4, 2, 0, true, 2.0, 8192, -1);
    int c2 = ss_k8s_node_add(&c, 0, 4, 2, 0, true, 2.0, 8192, -1);
    const int on[5] = {a1, a2, b1, c1, c2}, k[5] = {4, 1, 4, 4, 1};
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < k[i]; j++)
            ss_k8s_bind(&c, 0, ss_k8s_pod_new(&c, 0), on[i]);
    assert_false(ss_k8s_node_movable(&c, c2));
    assert_false(ss_k8s_node_movable(&c, a2));
    assert_false(ss_k8s_node_movable(&c, a1));
    /* An empty B2 joins: C2 removed -> a 5, b 4, c 4: B2 gives 4 + 1 - 4
     * = 1: movable; A2 likewise; A1 removed: 3 pods fill A2 as above, the
     * 4th goes to B2 (4 + 1 - 4 = 1): movable; the empty B2 trivially. */
    int b2 = ss_k8s_node_add(&c, 0, 2, 1, 0, true, 2.0, 8192, -1);
    double cpu[6], mem[6];
    for (int n = 0; n < 6; n++) {
        cpu[n] = c.nodes[n].used_cpu;
        mem[n] = c.nodes[n].used_mem;
    }
    int before = ss_k8s_pick_node(&c);
    assert_true(ss_k8s_node_movable(&c, c2));
    assert_true(ss_k8s_node_movable(&c, a2));
    assert_true(ss_k8s_node_movable(&c, a1));
    assert_true(ss_k8s_node_movable(&c, b2));
    assert_true(ss_k8s_node_movable(&c, c2)); /* cached answer */
    /* the what-if state is fully restored */
    ss_err err;
    assert_int_equal(ss_k8s_check(&c, &err), 0);
    assert_int_equal(ss_k8s_pick_node(&c), before);
    for (int n = 0; n < 6; n++) {
        assert_true(c.nodes[n].used_cpu == cpu[n] && c.nodes[n].used_mem == mem[n]);
        assert_int_equal(c.nodes[n].hyp_pods, 0);
        assert_false(c.nodes[n].cordoned);
    }
    /* a pod binds on B2 (b 5): C2 removed -> c 4, B2 gives 5 + 1 - 4 = 2,
     * A2 5 + 1 - 4 = 2: no longer movable (the cache follows the change) */
    ss_k8s_bind(&c, 0, ss_k8s_pod_new(&c, 0), b2);
    assert_false(ss_k8s_node_movable(&c, c2));
    ss_k8s_cluster_free(&c);
}

static void randomized_invariants(void **state)
{
    (void)state;
    ss_scenario sc;
    scenario(&sc, 2);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (unsigned long seed = 1; seed <= 20; seed++) {
        gsl_rng_set(r, seed);
        ss_k8s_cluster c;
        ss_k8s_cluster_init(&c, &sc, 0);
        ss_time now = 0;
        ss_err err;
        for (int step = 0; step < 400; step++) {
            now += SS_SECOND;
            unsigned long op = gsl_rng_uniform_int(r, 10);
            if (op < 2 || c.n_live == 0) {
                int g = (int)gsl_rng_uniform_int(r, 6);
                ss_k8s_node_add(&c, now, g, g / 2, 0, g % 2 == 0,
                                1.0 + (double)gsl_rng_uniform_int(r, 4), 8192, -1);
            } else if (op == 2) {
                ss_k8s_node_remove(&c, now, c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)]);
            } else if (op == 3) {
                ss_k8s_node_cordon(&c, c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)]);
            } else if (op == 4) {
                int n = c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)];
                ss_k8s_node_set_ready(&c, now, n, !c.nodes[n].ready);
            } else if (op == 5 && c.n_pods > 0) {
                int p = (int)gsl_rng_uniform_int(r, (unsigned long)c.n_pods);
                if (c.pods[p].state == SS_POD_STARTING || c.pods[p].state == SS_POD_READY)
                    ss_k8s_pod_terminate(&c, now, p, true);
                else if (c.pods[p].state == SS_POD_TERMINATING)
                    ss_k8s_pod_delete(&c, now, p);
            } else if (op == 6 && c.n_pods > 0) {
                ss_k8s_pod_ready(&c, now, (int)gsl_rng_uniform_int(r, (unsigned long)c.n_pods));
            } else {
                for (int i = 0; i < 3; i++)
                    ss_k8s_pod_new(&c, now);
            }
            /* a scheduling pass: FIFO until the first unplaceable pod */
            while (c.n_pending > 0) {
                int p = c.pending[c.pending_head];
                assert_int_equal(c.pods[p].state, SS_POD_PENDING);
                int n = ss_k8s_pick_node(&c);
                if (n < 0)
                    break;
                const ss_k8s_node *nd = &c.nodes[n];
                assert_true(nd->live && nd->ready && !nd->cordoned);
                for (int i = 0; i < c.n_c; i++)
                    assert_true(ss_spread_skew(&c.cs[i], &c.k[i], nd->dom[i], true) <= c.cs[i].max_skew);
                ss_k8s_bind(&c, now, p, n);
            }
            /* the scale-down what-if leaves no trace: same next pick,
             * same counts (ss_k8s_check below) */
            if (c.n_live > 0) {
                ss_k8s_pod_new(&c, now);
                int before = ss_k8s_pick_node(&c);
                (void)ss_k8s_node_movable(&c, c.live[gsl_rng_uniform_int(r, (unsigned long)c.n_live)]);
                assert_int_equal(ss_k8s_pick_node(&c), before);
            }
            /* the autoscaler's what-if (virtual nodes, placements) leaves
             * no trace either, and places only where the filter allows */
            if (step % 10 == 0) {
                int nn = c.n_nodes, before = ss_k8s_pick_node(&c);
                int *pods0[SS_MAX_SPREAD], *nodes0[SS_MAX_SPREAD], nd0[SS_MAX_SPREAD];
                for (int i = 0; i < c.n_c; i++) {
                    nd0[i] = c.k[i].n_domains;
                    pods0[i] = ss_malloc((size_t)(nd0[i] + 1) * sizeof(int));
                    nodes0[i] = ss_malloc((size_t)(nd0[i] + 1) * sizeof(int));
                    memcpy(pods0[i], c.k[i].pods, (size_t)nd0[i] * sizeof(int));
                    memcpy(nodes0[i], c.k[i].nodes, (size_t)nd0[i] * sizeof(int));
                }
                ss_k8s_whatif w;
                ss_k8s_whatif_begin(&c, &w, true);
                for (int v = 0; v < 3; v++) {
                    int g = (int)gsl_rng_uniform_int(r, 6);
                    ss_k8s_whatif_node(&c, &w, g, g / 2, 0, g % 2 == 0, 2.0, 8192);
                }
                for (int t = 0; t < 20; t++) {
                    int gmin[SS_MAX_SPREAD];
                    ss_k8s_whatif_gmin(&c, gmin);
                    int n = (int)gsl_rng_uniform_int(r, (unsigned long)c.n_nodes);
                    if (!ss_k8s_whatif_fits(&c, &w, n, gmin))
                        continue;
                    for (int i = 0; i < c.n_c; i++)
                        assert_true(ss_spread_skew(&c.cs[i], &c.k[i], c.nodes[n].dom[i], true) <=
                                    c.cs[i].max_skew);
                    assert_true(c.nodes[n].used_cpu + 0.5 <= c.nodes[n].alloc_cpu + 1e-9);
                    ss_k8s_whatif_place(&c, &w, n);
                }
                ss_k8s_whatif_end(&c, &w);
                assert_int_equal(c.n_nodes, nn);
                for (int i = 0; i < c.n_c; i++) {
                    for (int dd = 0; dd < c.k[i].n_domains; dd++) {
                        assert_int_equal(c.k[i].pods[dd], dd < nd0[i] ? pods0[i][dd] : 0);
                        assert_int_equal(c.k[i].nodes[dd], dd < nd0[i] ? nodes0[i][dd] : 0);
                    }
                    free(pods0[i]);
                    free(nodes0[i]);
                }
                for (int j = 0; j < c.n_live; j++)
                    assert_int_equal(c.nodes[c.live[j]].hyp_pods, 0);
                assert_int_equal(ss_k8s_pick_node(&c), before);
            }
            if (ss_k8s_check(&c, &err) != 0)
                fail_msg("seed %lu step %d: %s", seed, step, err.msg);
        }
        /* every constraint is DoNotSchedule and active: never a violation */
        assert_int_equal(c.skew_violations, 0);
        /* no pod on two nodes: each bound pod appears in exactly one list */
        int *seen = ss_calloc((size_t)c.n_pods, sizeof(int));
        for (int n = 0; n < c.n_nodes; n++)
            for (int j = 0; c.nodes[n].live && j < c.nodes[n].n_pods; j++)
                seen[c.nodes[n].pods[j]]++;
        for (int p = 0; p < c.n_pods; p++)
            assert_int_equal(seen[p], c.pods[p].node >= 0 ? 1 : 0);
        free(seen);
        ss_k8s_cluster_free(&c);
    }
    gsl_rng_free(r);
}

static void random_ties_are_uniform(void **state)
{
    (void)state;
    /* Four empty m5.large nodes of one group, no spread: every node scores
     * the same (least-allocated 81), so kube-scheduler's selectHost picks
     * each with probability 1/4. 4,000 picks: each count ~ Binomial(4000,
     * 1/4), mean 1000, sd 27.4; accept +-4 sd. Lowest-id ties: always the
     * first node. */
    ss_scenario sc;
    scenario(&sc, 0);
    ss_k8s_cluster c;
    ss_k8s_cluster_init(&c, &sc, 0);
    int id[4];
    for (int i = 0; i < 4; i++)
        id[i] = ss_k8s_node_add(&c, 0, 0, 0, 0, true, 2.0, 8192, -1);
    assert_int_equal(ss_k8s_pick_node(&c), id[0]);
    c.random_ties = true;
    c.tie_seed = 11;
    c.tie_replica = 2;
    int cnt[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4000; k++) {
        int n = ss_k8s_pick_node(&c);
        for (int i = 0; i < 4; i++)
            cnt[i] += n == id[i];
    }
    for (int i = 0; i < 4; i++)
        assert_true(cnt[i] >= 890 && cnt[i] <= 1110);
    assert_int_equal(c.n_ties, 4000);
    ss_k8s_cluster_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_worked_placements),
        cmocka_unit_test(accounting_hand_worked),
        cmocka_unit_test(scale_down_movability_honours_spread),
        cmocka_unit_test(randomized_invariants),
        cmocka_unit_test(random_ties_are_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
