/*
 * test_skypilot_examples.c - the issue-13 examples on the real SkyPilot
 * traces against the reference points of an independent simulator (issue
 * 13's table; semantics: K = 3, all up, cold start 300 s, trace values =
 * available instances, prices 1 Spot / 3 On-Demand per instance-hour):
 *
 *   4-node preemption set (bundled in datasets/samples/skypilot):
 *     no fallback                    0.8939   723.4
 *     + immediate fallback           0.9807   940.7
 *     4 Spot + immediate fallback    0.9892  1267.5
 *   9-zone availability set (needs ../shared; skipped visibly without):
 *     no fallback                    0.9019  3169.1
 *     + immediate fallback           0.9647  3526.3
 *     4 Spot + immediate fallback    0.9946  4994.0
 *
 * spotsim bills from `running` with the free first hour of an interrupted
 * Spot instance (models/fleet.h); the reference bills the cold start too
 * (README, "Beyond the AWS natives", gives both readings).
 *
 * The store is built by scripts/import-skypilot (which realigns the 4-node
 * set) in a temporary directory.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/data_load.h"
#include "datasets/market_data.h"
#include "datasets/store.h"
#include "policies/evaluate.h"
#include "policies/fleet_policy.h"
#include "sim/scenario/scenario_io.h"

static char *tmp;
static bool have_shared;

static int setup(void **state)
{
    (void)state;
    tmp = tu_mkdtemp();
    const char *traces = tu_fmt("%s/../shared/datasets/real/skypilot-spot-traces", tu_source_dir());
    struct stat st;
    have_shared = stat(traces, &st) == 0 && S_ISDIR(st.st_mode);
    int rc = tu_system(tu_fmt("'%s/scripts/import-skypilot' --quiet --db '%s/sky.db' --bin '%s' --shared '%s' "
                              "2>'%s/import.err'",
                              tu_source_dir(), tmp, tu_spotsim_bin(), traces, tmp));
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

typedef struct run {
    double availability, cost;
} run;

/* Load an example, apply "key=value" settings, evaluate replica 0. */
static run eval_example(const char *file, const char *const *settings)
{
    ss_scenario *sc = malloc(sizeof *sc);
    ss_err err;
    if (ss_scenario_load_file(tu_fmt("%s/examples/%s", tu_source_dir(), file), sc, &err))
        fail_msg("%s", err.msg);
    for (const char *const *s = settings; s && *s; s += 2)
        if (ss_scenario_set(sc, s[0], s[1], &err))
            fail_msg("%s=%s: %s", s[0], s[1], err.msg);
    ss_store st;
    ss_data *d = NULL;
    if (ss_store_open(&st, tu_fmt("%s/sky.db", tmp), 0, &err) || ss_data_load(&st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s", err.msg);
    ss_metrics m;
    if (ss_evaluate(sc, d, sc->seed, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    ss_data_free(d);
    ss_store_close(&st);
    free(sc);
    run r = {m.availability, m.cost_usd};
    print_message("  %s: availability %.6f, cost %.2f\n", file, r.availability, r.cost);
    return r;
}

#define DOMINATES(r, a, c)                                                                         \
    do {                                                                                           \
        assert_true((r).availability >= (a));                                                      \
        assert_true((r).cost <= (c));                                                              \
    } while (0)

static const char *F4 = "ecs-skypilot-preemption-4node.yaml";
static const char *F9 = "ecs-skypilot-availability-9zones.yaml";

static void preemption_4node(void **state)
{
    (void)state;
    /* no fallback (the ASG's zone balancing, AZRebalance suspended): the
     * same replica-hours as the reference's "no fallback" (its 723.4 bills
     * the cold start too: spotsim bills from running, so less), availability
     * 0.89382, 0.00008 (76 s of 263 h) below the reference (README) */
    static const char *const none[] = {"policy.on_demand_fallback", "false", "policy.placement", "asg", NULL};
    run r0 = eval_example(F4, none);
    assert_true(r0.cost < 723.4);
    assert_true(r0.availability > 0.8937 && r0.availability < 0.8939);
    /* + Capacity Rebalancing (native): dominates "no fallback" */
    static const char *const cr[] = {"policy.on_demand_fallback", "false", "policy.placement", "asg",
                                     "asg.capacity_rebalance", "true", NULL};
    run rc = eval_example(F4, cr);
    DOMINATES(rc, 0.8939, 723.4);
    /* + fallback on InsufficientInstanceCapacity, acting 3 min after the
     * failure, launch retry 5 s: dominates "+ immediate fallback" */
    static const char *const fb[] = {"policy.on_demand_fallback", "true", "policy.trigger", "launch-failures",
                                     "policy.detection_delay", "3m", "asg.launch_retry", "5s", NULL};
    run r1 = eval_example(F4, fb);
    DOMINATES(r1, 0.9807, 940.7);
    assert_true(r1.availability > r0.availability);
    /* fallback on failures or warnings, immediate, Capacity Rebalancing:
     * dominates "4 Spot + immediate fallback" with 3 Spot */
    static const char *const fb2[] = {"policy.on_demand_fallback", "true", "policy.trigger", "either",
                                      "policy.detection_delay", "0s", "asg.launch_retry", "5s",
                                      "asg.capacity_rebalance", "true", NULL};
    run r2 = eval_example(F4, fb2);
    /* since the notice rule on traces (issue 10: launches are accepted up to
     * a drop, and an instance launched after the notices ends at the drop
     * instead of holding gone capacity for 2 min) this is 0.98910, 0.0001
     * below the reference's 0.9892, at 71 % of its cost: no longer dominating */
    assert_true(r2.availability > 0.9890 && r2.cost <= 1267.5);
}

static void availability_9zones(void **state)
{
    (void)state;
    if (!have_shared) { /* the 9-zone example needs 5 traces that are not bundled */
        (void)tu_shared_datasets(); /* prints the SKIP line and skips when it is absent */
        printf("SKIP availability_9zones: needs ../shared/datasets/real/skypilot-spot-traces"
               " (absent)\n");
        skip();
    }
    static const char *const none[] = {"policy.on_demand_fallback", "false", "policy.placement", "asg", NULL};
    run r0 = eval_example(F9, none);
    /* 0.90160 since the notice rule on traces (issue 10), 0.0003 below the
     * reference's 0.9019, cheaper */
    assert_true(r0.availability > 0.9015 && r0.cost <= 3169.1);
    /* SpotHedge placement, fallback on capacity failures 4 min after them,
     * released on a successful Spot launch */
    static const char *const fb[] = {"policy.on_demand_fallback", "true", "policy.trigger", "launch-failures",
                                     "policy.detection_delay", "4m", "policy.spot_healthy_time", "0s",
                                     "policy.release_on_launch", "true", "policy.placement", "spothedge", NULL};
    run r1 = eval_example(F9, fb);
    /* 0.96449 since the notice rule on traces (issue 10), 0.0002 below the
     * reference's 0.9647, cheaper */
    assert_true(r1.availability > 0.9644 && r1.cost <= 3526.3);
    /* one extra Spot, fallback on capacity failures, On-Demand held until
     * Spot has been back 10 min, Capacity Rebalancing */
    static const char *const x[] = {"policy.extra_spot", "1", "policy.on_demand_fallback", "true",
                                    "policy.trigger", "launch-failures", "policy.detection_delay", "0s",
                                    "policy.spot_healthy_time", "10m", "asg.capacity_rebalance", "true",
                                    "policy.placement", "asg", NULL};
    run r2 = eval_example(F9, x);
    /* 0.994585 since the notice rule on traces (issue 10), 0.00002 below
     * the reference's 0.9946, at 90 % of its cost */
    assert_true(r2.availability > 0.9945 && r2.cost <= 4994.0);
}

/* `spotsim optimize` on the 4-node example: the same bytes with 1 and 2
 * threads (frontier, recommendation, controller export), and the
 * recommendation names the native part and the controller part. */
static void optimize_is_deterministic_and_exports_the_rule(void **state)
{
    (void)state;
    const char *ex = tu_fmt("%s/examples/%s", tu_source_dir(), F4);
    for (int th = 1; th <= 2; th++)
        assert_int_equal(tu_system(tu_fmt("'%s' optimize --quiet --db '%s/sky.db' '%s' --out '%s/o%d' --threads %d "
                                          ">/dev/null 2>&1",
                                          tu_spotsim_bin(), tmp, ex, tmp, th, th)),
                         0);
    static const char *files[] = {"frontier.csv", "recommendation.txt", "fleet-policy.json", "asg.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *a = tu_read_file(tu_fmt("%s/o1/%s", tmp, files[i]), NULL);
        char *b = tu_read_file(tu_fmt("%s/o2/%s", tmp, files[i]), NULL);
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    char *rec = tu_read_file(tu_fmt("%s/o1/recommendation.txt", tmp), NULL);
    assert_non_null(strstr(rec, "AWS-native configuration"));
    assert_non_null(strstr(rec, "Needs a controller"));
    assert_non_null(strstr(rec, "span 3 regions"));
    free(rec);
    char *fp = tu_read_file(tu_fmt("%s/o1/fleet-policy.json", tmp), NULL);
    assert_non_null(strstr(fp, "\"EC2 Instance Launch Unsuccessful\""));
    assert_non_null(strstr(fp, "*InsufficientInstanceCapacity*"));
    free(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(preemption_4node),
        cmocka_unit_test(availability_9zones),
        cmocka_unit_test(optimize_is_deterministic_and_exports_the_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
