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
 * (README, "Beyond the AWS natives", gives both readings). Both are checked.
 *
 * Done means (issue 13): for every reference point the example's search
 * holds a configuration at least as available at no more cost. Each
 * configuration below is checked to be a point of its example's `search:`
 * grid (every set key is a searched path with that value listed; the rest is
 * the example's base, which every grid point shares), so `spotsim optimize`,
 * which evaluates the whole grid, finds it; the test evaluates it directly
 * (the 9-zone grid takes ~15 s in release, too long under ASan). For the
 * 4-node example the optimize run of the last test is also read back from
 * the store: it must hold a dominating candidate for each of its 3 points.
 *
 * The store is built by scripts/import-skypilot (which realigns the 4-node
 * set) in a temporary directory.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

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
    double ref_cost; /* billed like the reference: alive time (cold start included), no free hour */
} run;

/* True when path=value is one of the grid's listed values for that path. */
static bool on_grid(const ss_scenario *sc, const char *path, const char *value)
{
    for (int i = 0; i < sc->search.n_params; i++) {
        const ss_search_param *p = &sc->search.params[i];
        if (strcmp(p->path, path))
            continue;
        for (int v = 0; v < p->n_values; v++)
            if (!strcmp(p->values[v], value))
                return true;
    }
    return false;
}

/* Load an example, apply "key=value" settings, evaluate replica 0. With
 * `grid`, every setting must be a value the example's search lists (so the
 * configuration is one of the candidates `spotsim optimize` evaluates). */
static run eval_example(const char *file, const char *const *settings, bool grid)
{
    ss_scenario *sc = malloc(sizeof *sc);
    ss_err err;
    if (ss_scenario_load_file(tu_fmt("%s/examples/%s", tu_source_dir(), file), sc, &err))
        fail_msg("%s", err.msg);
    /* a grid search within its budget evaluates every point */
    assert_int_equal(sc->search.method, SS_SEARCH_GRID);
    long points = 1;
    for (int i = 0; i < sc->search.n_params; i++) {
        assert_false(sc->search.params[i].is_range);
        points *= sc->search.params[i].n_values;
    }
    assert_true(points <= sc->search.budget);
    for (const char *const *s = settings; s && *s; s += 2) {
        if (grid && !on_grid(sc, s[0], s[1]))
            fail_msg("%s: %s=%s is not a point of the example's search grid", file, s[0], s[1]);
        if (ss_scenario_set(sc, s[0], s[1], &err))
            fail_msg("%s=%s: %s", s[0], s[1], err.msg);
    }
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
    /* the instance-hours count each instance from launch (pending included)
     * to its end (models/fleet.c): at 1 per Spot and 3 per On-Demand hour
     * that is the reference's bill */
    run r = {m.availability, m.cost_usd, m.spot_instance_hours + 3.0 * m.od_instance_hours};
    print_message("  %s: availability %.6f, cost %.2f, billed like the reference %.3f\n", file, r.availability,
                  r.cost, r.ref_cost);
    return r;
}

/* at least as available at no more cost, under spotsim's billing and
 * billed like the reference */
#define DOMINATES(r, a, c)                                                                         \
    do {                                                                                           \
        assert_true((r).availability >= (a));                                                      \
        assert_true((r).cost <= (c));                                                              \
        assert_true((r).ref_cost <= (c));                                                          \
    } while (0)

static const char *F4 = "ecs-skypilot-preemption-4node.yaml";
static const char *F9 = "ecs-skypilot-availability-9zones.yaml";

static void preemption_4node(void **state)
{
    (void)state;
    /* the published "no fallback" itself (the ASG's zone balancing,
     * AZRebalance suspended): the reference's replica-hours exactly (723.4
     * billed like the reference; spotsim bills from running, so less) at
     * 0.89385, 76 s of 263 h below the reference's 0.8939 since issue 10's
     * notice rule: a match in cost, not in availability (README) */
    static const char *const none[] = {"policy.on_demand_fallback", "false", "policy.placement", "asg", NULL};
    run r0 = eval_example(F4, none, true);
    assert_true(r0.cost < 723.4 && r0.ref_cost > 723.3 && r0.ref_cost < 723.5);
    assert_true(r0.availability > 0.8937 && r0.availability < 0.8939);
    /* reference 1, no fallback 0.8939 / 723.4: SpotHedge placement keeping
     * a preempted zone out for 48 h, Capacity Rebalancing, Spot launches
     * retried every 3 min (fewer launches into zones about to drop again) */
    static const char *const sh[] = {"policy.on_demand_fallback", "false", "policy.placement", "spothedge",
                                     "policy.zone_quiet", "48h", "asg.capacity_rebalance", "true",
                                     "asg.launch_retry", "3m", NULL};
    run rs = eval_example(F4, sh, true);
    DOMINATES(rs, 0.8939, 723.4);
    /* reference 2, + immediate fallback 0.9807 / 940.7: fallback on
     * InsufficientInstanceCapacity, acting 3 min after the failure (riding
     * out drops shorter than that), launch retry 5 s */
    static const char *const fb[] = {"policy.on_demand_fallback", "true", "policy.placement", "asg",
                                     "policy.trigger", "launch-failures", "policy.detection_delay", "3m",
                                     "asg.launch_retry", "5s", NULL};
    run r1 = eval_example(F4, fb, true);
    DOMINATES(r1, 0.9807, 940.7);
    assert_true(r1.availability > r0.availability);
    /* reference 3, 4 Spot + immediate fallback 0.9892 / 1267.5: the same 4
     * Spot, fallback on capacity failures or Spot warnings (the warning comes
     * 120 s before the drop, so the On-Demand cover boots 2 min earlier) */
    static const char *const x[] = {"policy.extra_spot", "1", "policy.on_demand_fallback", "true",
                                    "policy.placement", "asg", "policy.trigger", "either",
                                    "policy.detection_delay", "0s", "asg.launch_retry", "5s", NULL};
    run r2 = eval_example(F4, x, true);
    DOMINATES(r2, 0.9892, 1267.5);
    /* one extra Spot buys availability for cost over reference 2's config */
    assert_true(r2.availability > r1.availability && r2.cost > r1.cost);
    /* ... and so does, with 3 Spot, SpotHedge keeping preempted zones out
     * 48 h with the same immediate fallback */
    static const char *const y[] = {"policy.on_demand_fallback", "true", "policy.placement", "spothedge",
                                    "policy.zone_quiet", "48h", "policy.trigger", "either",
                                    "policy.detection_delay", "0s", "asg.launch_retry", "5s", NULL};
    run r3 = eval_example(F4, y, true);
    DOMINATES(r3, 0.9892, 1267.5);
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
    /* the published "no fallback" itself: 0.9016, 0.0003 below the
     * reference's 0.9019 since issue 10's notice rule, at its replica-hours
     * (3169.1 billed like the reference; README) */
    static const char *const none[] = {"policy.on_demand_fallback", "false", "policy.placement", "asg", NULL};
    run r0 = eval_example(F9, none, true);
    assert_true(r0.availability > 0.9015 && r0.availability < 0.9019 && r0.cost <= 3169.1);
    assert_true(r0.ref_cost > 3169.0 && r0.ref_cost < 3169.2);
    /* reference 1, no fallback 0.9019 / 3169.1: SpotHedge placement keeping
     * a preempted zone out for 48 h, still no On-Demand */
    static const char *const sh[] = {"policy.on_demand_fallback", "false", "policy.placement", "spothedge",
                                     "policy.zone_quiet", "48h", NULL};
    run rs = eval_example(F9, sh, true);
    DOMINATES(rs, 0.9019, 3169.1);
    /* reference 2, + immediate fallback 0.9647 / 3526.3: the same placement,
     * fallback on capacity failures 16 min after them (short shortages are
     * ridden out), released on a successful Spot launch, Capacity
     * Rebalancing */
    static const char *const fb[] = {"policy.on_demand_fallback", "true", "policy.placement", "spothedge",
                                     "policy.zone_quiet", "48h", "policy.trigger", "launch-failures",
                                     "policy.detection_delay", "16m", "policy.spot_healthy_time", "0s",
                                     "policy.release_on_launch", "true", "asg.capacity_rebalance", "true", NULL};
    run r1 = eval_example(F9, fb, true);
    DOMINATES(r1, 0.9647, 3526.3);
    /* reference 3, 4 Spot + immediate fallback 0.9946 / 4994.0: the same 4
     * Spot, immediate fallback on capacity failures, the On-Demand cover held
     * until Spot has been back 30 min, Capacity Rebalancing */
    static const char *const x[] = {"policy.extra_spot", "1", "policy.on_demand_fallback", "true",
                                    "policy.placement", "asg", "policy.trigger", "launch-failures",
                                    "policy.detection_delay", "0s", "policy.spot_healthy_time", "30m",
                                    "asg.capacity_rebalance", "true", NULL};
    run r2 = eval_example(F9, x, true);
    DOMINATES(r2, 0.9946, 4994.0);
    /* holding the cover 30 min, not 0: more available, dearer */
    static const char *const x0[] = {"policy.extra_spot", "1", "policy.on_demand_fallback", "true",
                                     "policy.placement", "asg", "policy.trigger", "launch-failures",
                                     "policy.detection_delay", "0s", "policy.spot_healthy_time", "0s",
                                     "asg.capacity_rebalance", "true", NULL};
    run r3 = eval_example(F9, x0, true);
    assert_true(r2.availability > r3.availability && r2.cost > r3.cost);
}

/* Candidates of the store's latest optimization at least as available as
 * `a` at no more cost than `c` under both billings (replica 0; the examples
 * have 1 replica). */
static int dominating_candidates(double a, double c)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(tu_fmt("%s/sky.db", tmp), &db), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM candidate_results WHERE replica = 0 AND "
                                        "optimization_id = (SELECT max(id) FROM optimizations) AND "
                                        "availability >= ?1 AND cost_usd <= ?2 AND "
                                        "spot_instance_hours + 3 * od_instance_hours <= ?2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_double(q, 1, a);
    sqlite3_bind_double(q, 2, c);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
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
    /* the optimize run (the 2-thread one, stored last) holds, for each
     * reference point of the 4-node set, a candidate that dominates it */
    assert_true(dominating_candidates(0.8939, 723.4) > 0);
    assert_true(dominating_candidates(0.9807, 940.7) > 0);
    assert_true(dominating_candidates(0.9892, 1267.5) > 0);
    /* the query can fail: no candidate has the 4-Spot reference's
     * availability at the no-fallback reference's cost */
    assert_int_equal(dominating_candidates(0.9892, 723.4), 0);
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
