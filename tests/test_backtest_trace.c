/*
 * test_backtest_trace.c - `spotsim backtest` on capacity-trace scenarios
 * (issue 14 on the issue-13 trace sets):
 *   - a hand-made two-zone trace of 24 hourly samples (available counts,
 *     capacity 1), one replica needed, constant prices 1 (Spot) and 3
 *     (On-Demand) per hour, a `policy:` block whose On-Demand fallback is
 *     the searched parameter. First half / second half: the joint capacity
 *     process fitted on the training half (its states, levels and sojourns
 *     by hand), the candidates replayed on the real test half (availability
 *     and cost by hand), the same bytes with 1 and 2 threads. Rolling (3
 *     folds): the fold windows and each fold's realized values by hand;
 *   - the capacity process over levels on a hand-made one-zone path whose
 *     jump chain is deterministic (4 -> 2 -> 0 -> 4): the states, their
 *     sojourns, the JSON round trip (and an on/off model without levels),
 *     and the capacity events a pool gets from it, level by level;
 *   - the two SkyPilot examples: a short backtest of each runs (the 9-zone
 *     one only when ../shared holds its traces; skipped visibly otherwise),
 *     its model is the capacity process of every zone of the example with
 *     the trace's levels, every grid candidate is scored.
 */
#include "tests/testutil.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/market_data.h"
#include "models/fit_model.h"
#include "models/interrupt.h"

static char *g_dir;

/* hour:      0 1 2 3 4 5 6 7 8 9 10 11 | 12 13 14 15 16 17 18 .. 23
 * zone a:    1 1 1 0 0 1 1 1 0 0 1  1  | 1  1  1  0  0  0  1  .. 1
 * zone b:    1 1 1 1 1 1 1 1 1 1 1  1  | 1  1  1  0  0  0  1  .. 1
 * (value = instances the zone holds; 2023-01-01T00:00Z + hour) */
static const int ZA[24] = {1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1};
static const int ZB[24] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1};

static const char SCENARIO[] =
    "name: bt-trace\n"
    "orchestrator: ecs\n"
    "horizon: {start: 2023-01-01T00:00:00Z, end: 2023-01-02T00:00:00Z}\n"
    "seed: 1\n"
    "replicas: 1\n"
    "sample_interval: 60s\n"
    "market:\n"
    "  region: \"\"\n"
    "  zones: [us-east-1a, us-east-1b]\n"
    "  instance_types:\n"
    "    - {name: p3.2xlarge, vcpu: 8, memory_mib: 62464, on_demand_price: 3, spot_price: 1}\n"
    "  interruptions: trace\n"
    "  notice_lead: 120s\n"
    "latencies: {instance_launch: 0s, instance_register: 0s}\n"
    "asg:\n"
    "  name: gpu\n"
    "  min_size: 0\n"
    "  max_size: 4\n"
    "  desired_capacity: 1\n"
    "  on_demand_base_capacity: 0\n"
    "  on_demand_percentage_above_base_capacity: 0\n"
    "  spot_allocation_strategy: price-capacity-optimized\n"
    "  capacity_distribution_strategy: balanced-best-effort\n"
    "  az_rebalance: false\n"
    "  launch_retry: 5s\n"
    "capacity_providers:\n"
    "  - {name: gpu, asg: gpu, managed_scaling: false, managed_draining: true}\n"
    "service: {desired_count: 1, cpu: 1024, memory: 1024, distinct_instance: true, task_start: 0s,"
    " time_to_healthy: 0s, deregistration_delay: 0s, stop_timeout: 0s}\n"
    "slo: {min_healthy: 1}\n"
    "policy: {group: gpu, placement: asg, on_demand_fallback: false, trigger: launch-failures,"
    " detection_delay: 0s, cover: 1, spot_healthy_time: 0s}\n"
    "search:\n"
    "  method: grid\n"
    "  replicas: 4\n"
    "  budget: 2\n"
    "  params:\n"
    "    - {path: policy.on_demand_fallback, values: [false, true]}\n"
    "  objectives: [cost_usd, availability]\n"
    "  slo: 0.9\n";

static void write_trace(const char *zone, const int *v)
{
    FILE *f = fopen(tu_fmt("%s/%s_v100_1.json", g_dir, zone), "w");
    assert_non_null(f);
    fprintf(f, "{\"metadata\": {\"gap_seconds\": 3600}, \"data\": [");
    for (int i = 0; i < 24; i++)
        fprintf(f, "%s%d", i ? ", " : "", v[i]);
    fprintf(f, "]}\n");
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    write_trace("us-east-1a", ZA);
    write_trace("us-east-1b", ZB);
    FILE *f = fopen(tu_fmt("%s/t.yaml", g_dir), "w");
    if (!f)
        return -1;
    fputs(SCENARIO, f);
    fclose(f);
    for (int z = 0; z < 2; z++) {
        const char *zone = z ? "us-east-1b" : "us-east-1a";
        int rc = tu_system(tu_fmt("'%s' import --db '%s/base.db' --quiet --format skypilot"
                                  " --meaning available-count --capacity 1 --pool p3.2xlarge@%s"
                                  " --start 2023-01-01T00:00:00Z '%s/%s_v100_1.json' >/dev/null 2>&1",
                                  tu_spotsim_bin(), g_dir, zone, g_dir, zone));
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(g_dir);
    free(g_dir);
    return 0;
}

/* Run a backtest of t.yaml on a fresh copy of the base store `db`. */
static int backtest(const char *db, const char *args_in, int threads)
{
    char args[512];
    snprintf(args, sizeof args, "%s", args_in); /* tu_fmt's buffer is reused below */
    assert_int_equal(tu_system(tu_fmt("cp '%s/base.db' '%s/%s'", g_dir, g_dir, db)), 0);
    return tu_system(tu_fmt("'%s' backtest --db '%s/%s' '%s/t.yaml' --threads %d %s"
                            " >'%s/%s.out' 2>'%s/%s.err'",
                            tu_spotsim_bin(), g_dir, db, g_dir, threads, args, g_dir, db, g_dir,
                            db));
}

static sqlite3 *open_db(const char *db)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(tu_fmt("%s/%s", g_dir, db), &s), SQLITE_OK);
    return s;
}

/* One row of backtest_candidates joined with the candidate's fallback
 * setting: realized availability and cost of fold `fold`. */
static void realized(sqlite3 *s, int fold, const char *fallback, double *avail, double *cost)
{
    sqlite3_stmt *q;
    assert_int_equal(
        sqlite3_prepare_v2(s,
                           "SELECT bc.real_availability, bc.real_cost_per_month FROM backtests b"
                           " JOIN backtest_candidates bc ON bc.backtest_id = b.id"
                           " JOIN candidates c ON c.optimization_id = b.optimization_id"
                           "  AND c.candidate_id = bc.candidate_id"
                           " WHERE b.fold = ?1"
                           "  AND json_extract(c.params_json, '$.\"policy.on_demand_fallback\"') = ?2",
                           -1, &q, NULL),
        SQLITE_OK);
    sqlite3_bind_int(q, 1, fold);
    sqlite3_bind_text(q, 2, fallback, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    *avail = sqlite3_column_double(q, 0);
    *cost = sqlite3_column_double(q, 1);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
}

/* The stored capacity process of a fold's model. */
static json_t *fold_model(sqlite3 *s, int fold)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT f.model_json FROM backtests b JOIN fit_models f"
                                        " ON f.name = b.model_name WHERE b.fold = ?1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(q, 1, fold);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    json_t *m = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
    sqlite3_finalize(q);
    assert_non_null(m);
    json_t *cap = json_object_get(m, "capacity");
    assert_non_null(cap);
    json_incref(cap);
    json_decref(m);
    return cap;
}

/* state k of a capacity process: its levels (zone a, zone b) and sojourns */
static void assert_state(const json_t *cap, size_t k, int la, int lb, const int *soj, size_t n)
{
    const json_t *st = json_array_get(json_object_get(cap, "states"), k);
    assert_non_null(st);
    const json_t *lv = json_object_get(st, "level"), *sj = json_object_get(st, "sojourns");
    assert_int_equal(json_array_size(lv), 2);
    assert_int_equal(json_integer_value(json_array_get(lv, 0)), la);
    assert_int_equal(json_integer_value(json_array_get(lv, 1)), lb);
    assert_int_equal(json_array_size(sj), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(json_integer_value(json_array_get(sj, i)), soj[i]);
}

/* A month is 720 h (30 days); one Spot instance-hour costs 1, On-Demand 3.
 * Launches, registration and task start take 0 s, so a replica is down only
 * while no zone has capacity (plus at most a launch retry of 5 s: the
 * tolerances below are 60 s of the window). */
#define NEAR(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

static void test_halves(void **state)
{
    (void)state;
    assert_int_equal(backtest("h1.db",
                              tu_fmt("--train 2023-01-01T00:00:00Z..2023-01-01T12:00:00Z"
                              " --test 2023-01-01T12:00:00Z..2023-01-02T00:00:00Z"
                                     " --test-replicas 1 --out %s/h1",
                                     g_dir),
                              1),
                     0);
    sqlite3 *s = open_db("h1.db");
    /* The training half's joint path (level of a, level of b):
     * (1,1)x3 (0,1)x2 (1,1)x3 (0,1)x2 (1,1)x2; read cyclically the last run
     * joins the first: state 0 = (1,1) with sojourns 5, 3 (mean 4 h), state
     * 1 = (0,1) with sojourns 2, 2 (mean 2 h); zone a without capacity 4 of
     * 12 h in 2 outages; never both out. */
    json_t *cap = fold_model(s, 0);
    assert_int_equal(json_integer_value(json_object_get(cap, "step_ms")), 3600000);
    assert_int_equal(json_integer_value(json_object_get(cap, "steps")), 12);
    assert_int_equal(json_array_size(json_object_get(cap, "states")), 2);
    assert_state(cap, 0, 1, 1, (const int[]){5, 3}, 2);
    assert_state(cap, 1, 0, 1, (const int[]){2, 2}, 2);
    const json_t *za = json_array_get(json_object_get(cap, "zones"), 0);
    NEAR(json_real_value(json_object_get(za, "frac_down")), 4.0 / 12.0, 1e-12);
    NEAR(json_real_value(json_object_get(za, "mean_outage_steps")), 2.0, 1e-12);
    NEAR(json_real_value(json_object_get(cap, "frac_all_down")), 0.0, 1e-12);
    json_decref(cap);
    /* Realized = the replay of the test half 12:00..24:00: both zones out
     * 15:00..18:00, 3 of 12 h. Without fallback: availability 9/12 = 0.75,
     * cost 9 Spot-h over 12 h = 9/12 x 720 = 540 per month. With the
     * On-Demand fallback: up throughout (1.0), 9 Spot-h + 3 On-Demand-h x 3
     * = 18 over 12 h = 1080 per month. The training half never had both
     * zones out, so every path of its model keeps a replica up: predicted
     * availability ~1 for both, and 0.75 is outside the interval. */
    double a0, c0, a1, c1;
    realized(s, 0, "false", &a0, &c0);
    realized(s, 0, "true", &a1, &c1);
    NEAR(a0, 0.75, 60.0 / (12 * 3600));
    NEAR(c0, 540.0, 1.0);
    NEAR(a1, 1.0, 60.0 / (12 * 3600));
    NEAR(c1, 1080.0, 1.0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT pred_availability_lo, availability_covered,"
                                        " slo_met FROM backtest_candidates ORDER BY"
                                        " real_availability",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(sqlite3_column_double(q, 0) > 0.99);
    assert_int_equal(sqlite3_column_int(q, 1), 0);
    assert_int_equal(sqlite3_column_int(q, 2), 0); /* 0.75 < the SLO of 0.9 */
    sqlite3_finalize(q);
    sqlite3_close(s);
    char *o = tu_read_file(tu_fmt("%s/h1.db.out", g_dir), NULL);
    assert_non_null(o);
    assert_non_null(strstr(o, "capacity process of 2 zones"));
    assert_non_null(strstr(o, "realized with    trace"));
    assert_non_null(strstr(o, " 75.0000% NO "));
    free(o);
    /* 2 threads: the same bytes (stdout, CSV) */
    assert_int_equal(backtest("h2.db",
                              tu_fmt("--train 2023-01-01T00:00:00Z..2023-01-01T12:00:00Z"
                              " --test 2023-01-01T12:00:00Z..2023-01-02T00:00:00Z"
                                     " --test-replicas 1 --out %s/h2",
                                     g_dir),
                              2),
                     0);
    size_t l1, l2;
    char *x1 = tu_read_file(tu_fmt("%s/h1.db.out", g_dir), &l1);
    char *x2 = tu_read_file(tu_fmt("%s/h2.db.out", g_dir), &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(x1, x2, l1);
    free(x1);
    free(x2);
    x1 = tu_read_file(tu_fmt("%s/h1/backtest.csv", g_dir), &l1);
    x2 = tu_read_file(tu_fmt("%s/h2/backtest.csv", g_dir), &l2);
    assert_non_null(x1);
    assert_non_null(x2);
    assert_int_equal(l1, l2);
    assert_memory_equal(x1, x2, l1);
    free(x1);
    free(x2);
}

static void test_rolling(void **state)
{
    (void)state;
    assert_int_equal(backtest("r.db",
                              "--train 2023-01-01T00:00:00Z..2023-01-01T08:00:00Z"
                              " --test 2023-01-01T08:00:00Z..2023-01-01T12:00:00Z --rolling 3"
                              " --test-replicas 1",
                              1),
                     0);
    sqlite3 *s = open_db("r.db");
    /* fold k shifts both windows by k x 4 h (the test length):
     * train [0 h, 8 h) [4 h, 12 h) [8 h, 16 h), test [8, 12) [12, 16) [16, 20) */
    const long long h = 3600000, t0 = 1672531200000LL; /* 2023-01-01T00:00Z */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT fold, train_from_ms, train_to_ms, test_from_ms,"
                                        " test_to_ms FROM backtests ORDER BY fold",
                                        -1, &q, NULL),
                     SQLITE_OK);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(q, 0), k);
        assert_true(sqlite3_column_int64(q, 1) == t0 + 4 * k * h);
        assert_true(sqlite3_column_int64(q, 2) == t0 + (8 + 4 * k) * h);
        assert_true(sqlite3_column_int64(q, 3) == t0 + (8 + 4 * k) * h);
        assert_true(sqlite3_column_int64(q, 4) == t0 + (12 + 4 * k) * h);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    /* fold 1's model, fitted on hours 4..11 only: a = 0 1 1 1 0 0 1 1,
     * b = 1: runs (0,1)x1 (1,1)x3 (0,1)x2 (1,1)x2 (the last run differs from
     * the first: no join); state 0 = (0,1), sojourns 1, 2; state 1 = (1,1),
     * sojourns 3, 2 */
    json_t *cap = fold_model(s, 1);
    assert_int_equal(json_integer_value(json_object_get(cap, "steps")), 8);
    assert_state(cap, 0, 0, 1, (const int[]){1, 2}, 2);
    assert_state(cap, 1, 1, 1, (const int[]){3, 2}, 2);
    json_decref(cap);
    /* realized per fold, without / with fallback (4 h windows):
     *   fold 0, 8..12:  only a out (8, 9), b holds the replica: 1.0, 4 Spot-h
     *                   = 720; with fallback the same (no launch fails)
     *   fold 1, 12..16: both out 15..16: 0.75, 3 Spot-h = 540;
     *                   fallback 1.0, 3 + 1 x 3 = 6 -> 1080
     *   fold 2, 16..20: both out 16..18: 0.5, 2 Spot-h = 360;
     *                   fallback 1.0, 2 + 2 x 3 = 8 -> 1440 */
    const double want[3][4] = {{1.0, 720, 1.0, 720}, {0.75, 540, 1.0, 1080}, {0.5, 360, 1.0, 1440}};
    for (int k = 0; k < 3; k++) {
        double a0, c0, a1, c1;
        realized(s, k, "false", &a0, &c0);
        realized(s, k, "true", &a1, &c1);
        NEAR(a0, want[k][0], 60.0 / (4 * 3600));
        NEAR(c0, want[k][1], 3.0);
        NEAR(a1, want[k][2], 60.0 / (4 * 3600));
        NEAR(c1, want[k][3], 3.0);
    }
    sqlite3_close(s);
    char *o = tu_read_file(tu_fmt("%s/r.db.out", g_dir), NULL);
    assert_non_null(o);
    assert_non_null(strstr(o, "over 3 folds (6 candidate evaluations)"));
    free(o);
}

/* ---- levels: one zone, a deterministic cycle ------------------------------------ */

static void test_levels_cycle(void **state)
{
    (void)state;
    /* instances the zone holds per 10-minute step: 4 4 2 2 0 0 4 4; read
     * cyclically the last run (4 x 2) joins the first: state 0 = level 4,
     * sojourn 4 steps; state 1 = level 2, sojourn 2; state 2 = level 0
     * (down), sojourn 2; each state has one successor (4 -> 2 -> 0 -> 4). */
    const int lv[] = {4, 4, 2, 2, 0, 0, 4, 4};
    const int *levels[] = {lv};
    ss_fit_model m = {0};
    ss_err err;
    assert_int_equal(ss_cap_fit_levels(1, levels, 8, 10 * SS_MINUTE, &m.cap, &err), 0);
    assert_int_equal(m.cap.n_states, 3);
    const int want_level[] = {4, 2, 0}, want_soj[] = {4, 2, 2}, want_next[] = {1, 2, 0};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(m.cap.st[k].level[0], want_level[k]);
        assert_int_equal(m.cap.st[k].down, k == 2 ? 1u : 0u);
        assert_int_equal(m.cap.st[k].n_soj, 1);
        assert_int_equal(m.cap.st[k].soj[0], want_soj[k]);
        for (int j = 0; j < 3; j++)
            assert_int_equal(m.cap.st[k].next_count[j], j == want_next[k] ? 1 : 0);
    }
    /* zone out 2 of 8 steps in one outage of 2 */
    assert_true(fabs(m.cap.frac_down[0] - 0.25) < 1e-12);
    assert_true(fabs(m.cap.mean_outage_steps[0] - 2.0) < 1e-12);
    m.has_capacity = true;
    snprintf(m.name, sizeof m.name, "cyc");
    snprintf(m.cap.zone[0], SS_NAME_MAX, "us-east-1a");
    snprintf(m.cap.instance_type[0], SS_NAME_MAX, "p3.2xlarge");
    /* JSON round trip keeps the levels */
    char *js = ss_fit_model_to_json(&m);
    ss_fit_model back;
    assert_int_equal(ss_fit_model_from_json(js, &back, &err), 0);
    for (int k = 0; k < 3; k++)
        assert_int_equal(back.cap.st[k].level[0], want_level[k]);
    ss_fit_model_free(&back);
    free(js);
    /* an on/off model written before levels existed: 0 when down, else
     * unlimited (-1) */
    const char *old = "{\"format\":\"spotsim-fit-1\",\"name\":\"o\",\"pools\":[],"
                      "\"capacity\":{\"zones\":[{\"zone\":\"us-east-1a\","
                      "\"instance_type\":\"p3.2xlarge\"}],\"step_ms\":600000,\"steps\":3,"
                      "\"states\":[{\"down\":0,\"sojourns\":[2],\"next\":[0,1]},"
                      "{\"down\":1,\"sojourns\":[1],\"next\":[1,0]}]}}";
    assert_int_equal(ss_fit_model_from_json(old, &back, &err), 0);
    assert_int_equal(back.cap.st[0].level[0], -1);
    assert_int_equal(back.cap.st[1].level[0], 0);
    ss_fit_model_free(&back);
    /* levels that contradict 'down' are refused */
    const char *bad = "{\"format\":\"spotsim-fit-1\",\"name\":\"b\",\"pools\":[],"
                      "\"capacity\":{\"zones\":[{\"zone\":\"us-east-1a\","
                      "\"instance_type\":\"p3.2xlarge\"}],\"step_ms\":600000,\"steps\":2,"
                      "\"states\":[{\"down\":1,\"level\":[3],\"sojourns\":[2],"
                      "\"next\":[1]}]}}";
    assert_int_equal(ss_fit_model_from_json(bad, &back, &err), -1);
    assert_non_null(strstr(err.msg, "'down' does not match the levels"));

    /* the events of a pool in the zone over 2 days: after the first, the
     * capacities cycle 4 -> 2 -> 0 -> 4 ..., each held for its state's
     * sojourn (40, 20, 20 minutes), every change on the 10-minute grid */
    ss_data *d = ss_data_new(1, 1);
    snprintf(d->pools[0].instance_type, sizeof d->pools[0].instance_type, "p3.2xlarge");
    snprintf(d->pools[0].zone, sizeof d->pools[0].zone, "us-east-1a");
    d->pools[0].advisor_bucket = -1;
    ss_fit_attach(&m, d);
    ss_scenario *sc = calloc(1, sizeof *sc);
    sc->market.interruptions = SS_INTERRUPT_MODEL;
    snprintf(sc->market.interrupt_model, SS_NAME_MAX, "cyc");
    sc->market.stochastic_scale = 1;
    sc->start = 0;
    sc->end = 2 * SS_DAY;
    for (int rep = 0; rep < 5; rep++) {
        ss_pool_events ev;
        assert_int_equal(ss_interrupt_pool_events(sc, d, 7, rep, NULL, &ev, &err), 0);
        /* 48 h / 80 min per cycle = 36 cycles, 3 changes each */
        assert_true(ev.n >= 100);
        assert_int_equal(ev.ev[0].t, 0);
        for (size_t i = 0; i < ev.n; i++) {
            assert_int_equal(ev.ev[i].kind, SS_POOLEV_CAPACITY);
            assert_int_equal(ev.ev[i].pool, 0);
            assert_int_equal(ev.ev[i].t % (10 * SS_MINUTE), 0);
            if (i == 0)
                continue;
            int prev = ev.ev[i - 1].capacity, cur = ev.ev[i].capacity;
            int k = prev == 4 ? 0 : prev == 2 ? 1 : 2;
            assert_int_equal(cur, want_level[want_next[k]]);
            if (i >= 2) /* the first event's state may have started before 0 */
                assert_int_equal(ev.ev[i].t - ev.ev[i - 1].t, want_soj[k] * 10 * SS_MINUTE);
        }
        ss_pool_events_free(&ev);
    }
    ss_data_free(d);
    free(sc);
    ss_fit_model_free(&m);
}

/* ---- the SkyPilot examples ------------------------------------------------------ */

static char *g_sky;

/* The SkyPilot traces of the real data collection (as tu_shared_datasets
 * finds it, without skipping: the 4-node set is bundled). */
static const char *sky_traces(void)
{
    const char *over = getenv("SPOTSIM_SHARED_DATASETS");
    return over && *over ? tu_fmt("%s/real/skypilot-spot-traces", over)
                         : tu_fmt("%s/../shared/datasets/real/skypilot-spot-traces",
                                  tu_source_dir());
}

static int sky_setup(void)
{
    if (g_sky)
        return 0;
    g_sky = tu_mkdtemp();
    char traces[1024];
    snprintf(traces, sizeof traces, "%s", sky_traces());
    return tu_system(tu_fmt("'%s/scripts/import-skypilot' --quiet --db '%s/sky.db' --bin '%s'"
                            " --shared '%s' >/dev/null 2>&1",
                            tu_source_dir(), g_sky, tu_spotsim_bin(), traces));
}

/* The largest level and the zone count of fold 0's model; candidates scored. */
static void sky_check(const char *db, int zones, int max_level, int candidates)
{
    sqlite3 *s = NULL;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    json_t *cap = NULL;
    {
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(s,
                                            "SELECT f.model_json FROM backtests b JOIN"
                                            " fit_models f ON f.name = b.model_name",
                                            -1, &q, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        json_t *m = json_loads((const char *)sqlite3_column_text(q, 0), 0, NULL);
        sqlite3_finalize(q);
        assert_non_null(m);
        cap = json_incref(json_object_get(m, "capacity"));
        json_decref(m);
    }
    assert_non_null(cap);
    assert_int_equal(json_array_size(json_object_get(cap, "zones")), zones);
    json_int_t top = -1;
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(cap, "states"), i, st) {
        size_t z;
        json_t *lv;
        json_array_foreach(json_object_get(st, "level"), z, lv) if (json_integer_value(lv) > top)
            top = json_integer_value(lv);
    }
    assert_int_equal(top, max_level);
    json_decref(cap);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT count(*) FROM backtest_candidates", -1, &q,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), candidates);
    sqlite3_finalize(q);
    sqlite3_close(s);
}

static void test_sky_4node(void **state)
{
    (void)state;
    assert_int_equal(sky_setup(), 0);
    /* one day to train, half a day to test, 2 replicas: the 4-node set's
     * levels are instance counts 0..4 in each of the 3 zones; the example
     * grid's 2^6 x 3 x 3 = 576 candidates (six binary keys, detection_delay
     * and launch_retry with 3 values each) are all scored */
    assert_int_equal(tu_system(tu_fmt("cp '%s/sky.db' '%s/s4.db'", g_sky, g_sky)), 0);
    int rc = tu_system(tu_fmt("'%s' backtest --db '%s/s4.db'"
                              " '%s/examples/ecs-skypilot-preemption-4node.yaml'"
                              " --train 2023-08-09T20:35:00Z..2023-08-10T20:35:00Z"
                              " --test 2023-08-10T20:35:00Z..2023-08-11T08:35:00Z"
                              " --replicas 2 --test-replicas 1 >'%s/s4.out' 2>&1",
                              tu_spotsim_bin(), g_sky, tu_source_dir(), g_sky));
    if (rc != 0)
        fail_msg("backtest exit %d: %s", rc, tu_read_file(tu_fmt("%s/s4.out", g_sky), NULL));
    char *o = tu_read_file(tu_fmt("%s/s4.out", g_sky), NULL);
    assert_non_null(strstr(o, "capacity process of 3 zones"));
    assert_non_null(strstr(o, "realized with    trace"));
    free(o);
    sky_check(tu_fmt("%s/s4.db", g_sky), 3, 4, 576);
}

static void test_sky_9zones(void **state)
{
    (void)state;
    (void)tu_shared_datasets(); /* one SKIP line and a skip when ../shared is absent */
    struct stat stt;
    if (stat(sky_traces(), &stt) != 0 || !S_ISDIR(stt.st_mode)) {
        /* the 9-zone example needs 5 traces that are not bundled */
        printf("SKIP test_sky_9zones: needs ../shared/datasets/real/skypilot-spot-traces"
               " (absent)\n");
        fflush(stdout);
        skip();
    }
    assert_int_equal(sky_setup(), 0);
    assert_int_equal(tu_system(tu_fmt("cp '%s/sky.db' '%s/s9.db'", g_sky, g_sky)), 0);
    int rc = tu_system(tu_fmt("'%s' backtest --db '%s/s9.db'"
                              " '%s/examples/ecs-skypilot-availability-9zones.yaml'"
                              " --train 2023-02-15T00:00:00Z..2023-02-16T00:00:00Z"
                              " --test 2023-02-16T00:00:00Z..2023-02-16T12:00:00Z"
                              " --replicas 2 --test-replicas 1 >'%s/s9.out' 2>&1",
                              tu_spotsim_bin(), g_sky, tu_source_dir(), g_sky));
    if (rc != 0)
        fail_msg("backtest exit %d: %s", rc, tu_read_file(tu_fmt("%s/s9.out", g_sky), NULL));
    char *o = tu_read_file(tu_fmt("%s/s9.out", g_sky), NULL);
    assert_non_null(strstr(o, "capacity process of 9 zones"));
    free(o);
    /* 1-node traces: a zone holds 0 or 1 instance; the example grid's 2^9 =
     * 512 candidates (nine binary keys) are all scored */
    sky_check(tu_fmt("%s/s9.db", g_sky), 9, 1, 512);
}

static int sky_teardown(void **state)
{
    (void)state;
    if (g_sky) {
        tu_rmtree(g_sky);
        free(g_sky);
        g_sky = NULL;
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_halves),
        cmocka_unit_test(test_rolling),
        cmocka_unit_test(test_levels_cycle),
        cmocka_unit_test(test_sky_4node),
        cmocka_unit_test_teardown(test_sky_9zones, sky_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
