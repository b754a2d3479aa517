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
 *              1a/1c allow 0 + 1 = 1 < 3 pods: Pending until 1b is Ready at
 *              t = 21600, pods Ready 10 s later: shortfall 21610 s; pending
 *              2 x (21600 - 340) = 42520 pod-s = 11.811 pod-h; CA keeps
 *              adding NotReady nodes in 1b (3 of them, until its group has
 *              4 unready nodes > 3 and > 45 %);
 *   mitigated: (1) and (2) on at t = 300 (reaction 5 min); at t = 340 the
 *              pods fit in no existing node (all full) and CA adds one
 *              node in 1a or 1c: Ready after launch L (lognormal, median
 *              60 s) + 50 s, pods 10 s later: shortfall 340 + L + 60 s,
 *              pending 2 x (L + 50) s. For L in [20, 200] s: shortfall
 *              420 .. 600 s, pending 140 .. 500 pod-s.
 * So: availability gains (21610 - (400 + L)) / 432000 = 0.0486 .. 0.0491;
 * pending drops by 11.81 - (0.04 .. 0.14) pod-h.
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

static void run_example(ss_store *st, const char *name, ss_metrics *m, ss_timeline *tl)
{
    ss_scenario *sc = calloc(1, sizeof *sc);
    assert_non_null(sc);
    ss_err err;
    if (ss_scenario_load_file(tu_fmt("%s/examples/%s", tu_source_dir(), name), sc, &err))
        fail_msg("%s: %s", name, err.msg);
    ss_data *d = NULL;
    if (ss_data_load(st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s: data: %s", name, err.msg);
    if (ss_evaluate(sc, d, sc->seed, 0, m, tl, &err))
        fail_msg("%s: %s", name, err.msg);
    ss_data_free(d);
    free(sc);
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
    /* unmitigated: the outage episode is exactly 6 h + 10 s */
    assert_true(fabs(off.shortfall_max_s - 21610.0) < 1e-6);
    assert_int_equal(off.shortfall_episodes, on.shortfall_episodes); /* boot + outage */
    /* mitigated: 340 s + L + 60 s with L in [20, 200] s */
    assert_true(on.shortfall_max_s >= 420.0 && on.shortfall_max_s <= 600.0);
    /* the boot (identical in both runs) is the other episode */
    double boot = (1.0 - off.availability) * T - 21610.0;
    assert_true(boot > 0 && boot < 300);
    assert_true(fabs((1.0 - on.availability) * T - (boot + on.shortfall_max_s)) < 1e-3);
    double gain = on.availability - off.availability;
    assert_true(gain > 0.0486 && gain < 0.0491);
    /* pending: 11.811 pod-h of the two evicted pods, minus 2 x (L + 50) s */
    double drop = off.pending_task_hours - on.pending_task_hours;
    assert_true(drop > 42520.0 / 3600 - 500.0 / 3600 && drop < 42520.0 / 3600 - 140.0 / 3600);
    /* shortfall pod-hours: 1 pod short (4 of 5) during each episode */
    assert_true(off.shortfall_task_hours - on.shortfall_task_hours > (21610.0 - 600) / 3600);
    /* (2): no useless launch into us-east-1b (3 of them without it); one
     * node added in a healthy zone instead */
    assert_int_equal(off.launches - on.launches, 2);
    assert_true(on.cost_usd < off.cost_usd);
    /* (1) piles the evicted pods into the healthy zones: skew above 1 */
    assert_int_equal(off.skew_violations, 0);
    assert_true(on.skew_violations > 0);
    assert_int_equal(off.interruptions, 0);
    assert_int_equal(on.interruptions, 0);

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
    /* unmitigated: at the outage end the 2 replacements are still Pending */
    r = find_event(&tl_off, "outage-end");
    assert_non_null(r);
    assert_true(r->pending == 2.0 && r->healthy == 4.0);

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
