/*
 * test_k8s_examples.c - the zone-failure examples on the bundled sample data:
 * examples/k8s-zone-failure.yaml (no mitigation) against
 * examples/k8s-zone-failure-mitigated.yaml (the four mitigations), both
 * evaluated through ss_evaluate on a store filled from datasets/samples/ as
 * scripts/import-samples fills it (the price files the examples use).
 *
 * The cluster (both files): 3 zones, one Spot m3.medium group per zone (1
 * vCPU: 2 pods of 0.5 vCPU per node), 6 pods, zone spread DoNotSchedule
 * maxSkew 1, SLO 5 of 6 pods; us-east-1b impaired (nodes NotReady,
 * instances kept) 2016-03-10 12:00 .. 18:00; horizon 5 days = 432,000 s; no
 * interruption in the window (max-price source, prices below On-Demand).
 * Up to the incident both runs are identical (same seed, mitigations idle):
 * the first node of each zone to be Ready takes two pods, the empty ones are
 * scaled down, so each zone has one full node when the outage starts.
 *
 * Hand-worked outage (t = seconds after 12:00):
 *   t = 0      1b's node NotReady: its 2 pods stop being healthy, 4 < 5:
 *              shortfall starts (both runs);
 *   t = 340    taint eviction (40 s + 300 s): 2 replacements Pending;
 *   unmitigated: 1b is still a domain (NotReady nodes) with 0 pods, so
 *              1a/1c allow 0 + 1 = 1 < 3 pods. CA adds NotReady nodes in
 *              1b (each upcoming for 15 min after it registers, its request
 *              timing out after 15 min); every 1b node, once empty, is
 *              removed after scale-down-unready-time (20 min), so the
 *              earliest moment 1b can stop being a domain is the emptied
 *              original node's removal, t >= 340 + 30 + 1200 = 1570 s; the
 *              shortfall then lasts at least 1570 s + a new node's start
 *              and at most the outage, 21610 s. Without the unready
 *              scale-down (scale_down_unready_enabled: false) 1b keeps its
 *              NotReady nodes: Pending until 1b is Ready at t = 21600,
 *              pods Ready 10 s later: shortfall exactly 21610 s, pending
 *              2 x (21600 - 340) = 42520 pod-s = 11.811 pod-h;
 *   mitigated: (1) and (2) on at t = 300 (reaction 5 min); at t = 340 the
 *              pods fit in no existing node (all full) and CA adds one
 *              node in 1a or 1c: Ready after launch L (lognormal, median
 *              60 s) + 50 s, pods 10 s later: shortfall 340 + L + 60 s,
 *              pending 2 x (L + 50) s. For L in [20, 200] s: shortfall
 *              420 .. 600 s, pending 140 .. 500 pod-s.
 * Over many replicas (docs/kubernetes.md, "Zone failure examples") the boot
 * layout varies (a zone whose nodes registered last may hold no pod); the
 * test checks the orderings the mechanisms imply.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/import.h"
#include "datasets/store.h"
#include "datasets/data_load.h"
#include "datasets/market_data.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "sim/scenario/scenario_io.h"

static void import_sample(ss_store *st, const char *name)
{
    ss_import_opts o;
    ss_import_opts_init(&o);
    ss_import_result r;
    ss_err err;
    if (ss_import_file(st, tu_fmt("%s/datasets/samples/%s", tu_source_dir(), name), &o, &r, &err))
        fail_msg("import %s: %s", name, err.msg);
}

/* Replica `replica` of an example; when unready_off, CA's scale-down of
 * NotReady nodes is disabled; mit (when not NULL) overrides the four
 * mitigation switches. */
static void run_example_x(ss_store *st, const char *name, ss_metrics *m, ss_timeline *tl, int replica,
                          bool unready_off, const bool *mit)
{
    ss_scenario *sc = calloc(1, sizeof *sc);
    assert_non_null(sc);
    ss_err err;
    if (ss_scenario_load_file(tu_fmt("%s/examples/%s", tu_source_dir(), name), sc, &err))
        fail_msg("%s: %s", name, err.msg);
    ss_data *d = NULL;
    if (ss_data_load(st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s: data: %s", name, err.msg);
    if (unready_off)
        sc->k8s.autoscaler.scale_down_unready_enabled = false;
    if (mit) {
        sc->k8s.mitigations.drop_zone_spread = mit[0];
        sc->k8s.mitigations.remove_zone_groups = mit[1];
        sc->k8s.mitigations.spot_rate_guard = mit[2];
        sc->k8s.mitigations.suspend_scale_down = mit[3];
    }
    if (ss_evaluate(sc, d, sc->seed, replica, m, tl, &err))
        fail_msg("%s: %s", name, err.msg);
    ss_data_free(d);
    free(sc);
}

static void run_example(ss_store *st, const char *name, ss_metrics *m, ss_timeline *tl)
{
    run_example_x(st, name, m, tl, 0, false, NULL);
}

/* First row with event ev, or NULL. */
static const ss_timeline_row *find_event(const ss_timeline *tl, const char *ev)
{
    for (size_t i = 0; i < tl->n; i++)
        if (tl->rows[i].event && !strcmp(tl->rows[i].event, ev))
            return &tl->rows[i];
    return NULL;
}

static void zone_failure_mitigations_help(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_store st;
    ss_err err;
    if (ss_store_open(&st, tu_fmt("%s/store.db", dir), 0, &err))
        fail_msg("%s", err.msg);
    import_sample(&st, "spot-2016-us-east-1.csv");
    import_sample(&st, "ondemand-2016.csv");

    ss_metrics off, on;
    ss_timeline tl_off = {0}, tl_on = {0};
    run_example(&st, "k8s-zone-failure.yaml", &off, &tl_off);
    run_example(&st, "k8s-zone-failure-mitigated.yaml", &on, &tl_on);

    const double T = 432000.0;
    /* unmitigated: the unready scale-down ends the outage episode early,
     * but not before 1b's first emptied node is removed */
    assert_true(off.shortfall_max_s >= 1570.0 && off.shortfall_max_s < 21610.0);
    assert_int_equal(off.shortfall_episodes, on.shortfall_episodes); /* boot + outage */
    /* mitigated: 340 s + L + 60 s with L in [20, 200] s */
    assert_true(on.shortfall_max_s >= 420.0 && on.shortfall_max_s <= 600.0);
    /* the boot (identical in both runs) is the other episode */
    double boot = (1.0 - on.availability) * T - on.shortfall_max_s;
    assert_true(boot > 0 && boot < 300);
    assert_true(fabs((1.0 - off.availability) * T - (boot + off.shortfall_max_s)) < 1e-3);
    assert_true(on.availability > off.availability);
    assert_true(on.pending_task_hours < off.pending_task_hours);
    /* (2): no useless launch into us-east-1b; one node added in a healthy
     * zone instead */
    assert_true(on.launches < off.launches);
    assert_true(on.cost_usd < off.cost_usd);
    /* (1) piles the evicted pods into the healthy zones: skew above 1 */
    assert_int_equal(off.skew_violations, 0);
    assert_true(on.skew_violations > 0);
    assert_int_equal(off.interruptions, 0);
    assert_int_equal(on.interruptions, 0);

    /* without the unready scale-down: exactly the 6 h + 10 s episode */
    ss_metrics keep;
    run_example_x(&st, "k8s-zone-failure.yaml", &keep, NULL, 0, true, NULL);
    assert_true(fabs(keep.shortfall_max_s - 21610.0) < 1e-6);
    double keep_gain = on.availability - keep.availability;
    assert_true(keep_gain > (21610.0 - 600) / T - 1e-9 && keep_gain < (21610.0 - 420) / T + 1e-9);
    double drop = keep.pending_task_hours - on.pending_task_hours;
    assert_true(drop > 42520.0 / 3600 - 500.0 / 3600 && drop < 42520.0 / 3600 - 140.0 / 3600);

    /* 30 replicas of each: (1)+(2) beats (1) alone (with (1) alone CA may
     * still pick 1b, whose NotReady node then holds the 2 pods' place in
     * its simulation for 15 min), (1) beats nothing, and (2) alone is worse
     * than nothing: 1b's groups leave autoscaling, so its NotReady nodes
     * are no longer scaled down and keep the zone a domain. */
    const bool m_none[4] = {0, 0, 0, 0}, m_1[4] = {1, 0, 0, 0}, m_2[4] = {0, 1, 0, 0},
               m_12[4] = {1, 1, 0, 0};
    const bool *mits[4] = {m_none, m_1, m_2, m_12};
    double mean[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; k++)
        for (int r = 0; r < 30; r++) {
            ss_metrics x;
            run_example_x(&st, "k8s-zone-failure.yaml", &x, NULL, r, false, mits[k]);
            mean[k] += x.availability / 30;
        }
    assert_true(mean[3] > mean[1] && mean[1] > mean[0] && mean[0] > mean[2]);

    /* the timelines show the incident and the mitigations 5 min later */
    ss_time t12;
    assert_int_equal(ss_time_parse("2016-03-10T12:00:00Z", &t12), 0);
    const ss_timeline_row *r = find_event(&tl_off, "outage-start");
    assert_non_null(r);
    assert_int_equal(r->t, t12);
    assert_null(find_event(&tl_off, "mitigation-on:drop-zone-spread"));
    r = find_event(&tl_on, "mitigation-on:drop-zone-spread");
    assert_non_null(r);
    assert_int_equal(r->t, t12 + 5 * SS_MINUTE);
    /* 1b's pods are no longer healthy, not yet evicted: 4 healthy, 6 running */
    assert_true(r->healthy == 4.0 && r->running == 6.0 && r->required == 5.0);
    r = find_event(&tl_on, "mitigation-off:remove-zone-groups");
    assert_non_null(r);
    assert_int_equal(r->t, t12 + 6 * SS_HOUR + 5 * SS_MINUTE);
    assert_null(find_event(&tl_on, "mitigation-on:spot-rate-guard")); /* no interruptions */
    /* unmitigated: the 2 replacements run again before the outage ends */
    r = find_event(&tl_off, "outage-end");
    assert_non_null(r);
    assert_true(r->pending == 0.0 && r->healthy == 6.0);

    ss_timeline_free(&tl_off);
    ss_timeline_free(&tl_on);
    ss_store_close(&st);

    /* spotsim run prints the Kubernetes lines (pending pod-hours with 2
     * decimals, evictions, PDB refusals, skew violations) with the values
     * ss_evaluate computed; an ECS scenario does not print them. */
    const char *bin = tu_spotsim_bin();
    const char *db = tu_fmt("%s/store.db", dir);
    assert_int_equal(tu_system(tu_fmt("'%s' run --db '%s' '%s/examples/k8s-zone-failure.yaml' >'%s/k8s.txt'",
                                      bin, db, tu_source_dir(), dir)),
                     0);
    char *out = tu_read_file(tu_fmt("%s/k8s.txt", dir), NULL);
    assert_non_null(out);
    char want[128];
    snprintf(want, sizeof want, "pending pods   %.2f pod-h\n", off.pending_task_hours);
    if (!strstr(out, want))
        fail_msg("no line '%s' in:\n%s", want, out);
    snprintf(want, sizeof want, "evictions      %.1f (refused by the PDB %.1f), skew violations %.1f\n",
             (double)off.evictions, (double)off.pdb_blocked_evictions, (double)off.skew_violations);
    if (!strstr(out, want))
        fail_msg("no line '%s' in:\n%s", want, out);
    free(out);
    assert_int_equal(tu_system(tu_fmt("'%s' run --db '%s' '%s/examples/ecs-api-3az-2016.yaml' >'%s/ecs.txt'",
                                      bin, db, tu_source_dir(), dir)),
                     0);
    out = tu_read_file(tu_fmt("%s/ecs.txt", dir), NULL);
    assert_non_null(out);
    assert_null(strstr(out, "pending pods"));
    assert_null(strstr(out, "skew violations"));
    assert_non_null(strstr(out, "launches       "));
    free(out);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zone_failure_mitigations_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
