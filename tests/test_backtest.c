/*
 * test_backtest.c - replicas from fitted models and `spotsim backtest`:
 *   - Spearman, the prediction interval and the scoring on hand-computed cases;
 *   - `interruptions: {model: NAME}` in the scenario reader, and its errors;
 *   - the capacity events of an attached model: the same for every
 *     candidate (common random numbers), deterministic by (seed, replica);
 *   - end to end: a synthetic log of one bundled 2020 pool -> `spotsim fit`
 *     -> `spotsim run` of the 2020 example with {model: NAME}: interruptions
 *     drawn from the model, identical output with 1 and 2 threads, the
 *     report naming the model; a backtest of the 2020 example over that
 *     log: the model fitted on the training window, the log replayed on the
 *     test window, the same bytes with 1 and 2 threads;
 *   - `spotsim backtest` of the demo scenario (first half / second half and
 *     rolling): rows stored, the same output with 1 and 2 threads.
 */
#include "tests/testutil.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/fit_model.h"
#include "models/interrupt.h"
#include "policies/backtest.h"
#include "sim/scenario/scenario_io.h"

#ifndef assert_double_equal
#define assert_double_equal(a, b, eps)                                                         \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps)))                                                         \
            fail_msg("%s = %.17g, expected %.17g (+/- %g)", #a, a_, b_, (double)(eps));         \
    } while (0)
#endif

static void test_spearman(void **state)
{
    (void)state;
    /* ranks differ by 0,1,1,0: rho = 1 - 6 * 2 / (4 * 15) = 0.8 */
    const double x[] = {1, 2, 3, 4}, y[] = {10, 30, 20, 40};
    assert_double_equal(ss_spearman(x, y, 4), 0.8, 1e-12);
    /* ties: ranks x = 1.5 1.5 3, y = 1 2 3: Pearson = 1.5 / sqrt(1.5 * 2) = 0.8660254 */
    const double a[] = {1, 1, 2}, b[] = {5, 6, 7};
    assert_double_equal(ss_spearman(a, b, 3), 1.5 / sqrt(3.0), 1e-12);
    const double c[] = {3, 3, 3};
    assert_true(isnan(ss_spearman(a, c, 3)));
    assert_true(isnan(ss_spearman(a, b, 1)));
}

static void test_prediction_interval(void **state)
{
    (void)state;
    /* 5 values, level 0.5: quantiles 0.25 and 0.75, type 7: positions
     * (5 - 1) * 0.25 = 1 -> 2 and 3 -> 4 (order statistics of 1..5) */
    const double x[] = {5, 1, 4, 2, 3};
    double lo, hi;
    ss_prediction_interval(x, 5, 0.5, &lo, &hi);
    assert_double_equal(lo, 2.0, 1e-12);
    assert_double_equal(hi, 4.0, 1e-12);
    /* level 0.95 of 1..5: positions 0.1 and 3.9 -> 1.1 and 4.9 */
    ss_prediction_interval(x, 5, 0.95, &lo, &hi);
    assert_double_equal(lo, 1.1, 1e-12);
    assert_double_equal(hi, 4.9, 1e-12);
}

static void test_score(void **state)
{
    (void)state;
    /* SLO 0.99. Three candidates:
     *   A pred 0.995 [0.99, 1.0] real 0.992 (covered, pred met, met), cost 100 [90, 110] real 120 (not covered)
     *   B pred 0.999 [0.998, 1.0] real 0.985 (not covered, pred met, NOT met), cost 80 [75, 85] real 82
     *   C pred 0.98 [0.97, 0.99] real 0.995 (not covered, pred not met, met), cost 60 [55, 65] real 70
     * coverage: availability 1/3, cost 1/3 (B only).
     * MAE availability (0.003 + 0.014 + 0.015) / 3 = 0.010667;
     * MAE cost (20 + 2 + 10) / 3 = 10.6667; MAPE (20/120 + 2/82 + 10/70) / 3 = 0.111404.
     * best in hindsight: cheapest realized among met (A 120, C 70) = C;
     * recommended A: regret 120 - 70 = 50. Predicted-met-but-failed: B = 1.
     * Spearman cost: pred 100 80 60 vs real 120 82 70: same order -> 1;
     * availability: pred 0.995 0.999 0.98 (ranks 2 3 1) vs real 0.992 0.985 0.995
     * (ranks 2 1 3): d = 0, 2, 2: 1 - 6 * 8 / 24 = -1. */
    ss_bt_candidate c[3] = {
        {.id = 0, .pred_avail = 0.995, .pred_avail_lo = 0.99, .pred_avail_hi = 1.0,
         .real_avail = 0.992, .pred_cost = 100, .pred_cost_lo = 90, .pred_cost_hi = 110,
         .real_cost = 120},
        {.id = 1, .pred_avail = 0.999, .pred_avail_lo = 0.998, .pred_avail_hi = 1.0,
         .real_avail = 0.985, .pred_cost = 80, .pred_cost_lo = 75, .pred_cost_hi = 85,
         .real_cost = 82},
        {.id = 2, .pred_avail = 0.98, .pred_avail_lo = 0.97, .pred_avail_hi = 0.99,
         .real_avail = 0.995, .pred_cost = 60, .pred_cost_lo = 55, .pred_cost_hi = 65,
         .real_cost = 70},
    };
    ss_bt_summary s;
    ss_backtest_score(c, 3, 0.99, 0, &s);
    assert_true(c[0].avail_covered && !c[1].avail_covered && !c[2].avail_covered);
    assert_true(!c[0].cost_covered && c[1].cost_covered && !c[2].cost_covered);
    assert_true(c[0].slo_met && !c[1].slo_met && c[2].slo_met);
    assert_true(c[0].pred_slo_met && c[1].pred_slo_met && !c[2].pred_slo_met);
    assert_double_equal(s.avail_coverage, 1.0 / 3.0, 1e-15);
    assert_double_equal(s.cost_coverage, 1.0 / 3.0, 1e-15);
    assert_double_equal(s.avail_mae, 0.032 / 3.0, 1e-12);
    assert_double_equal(s.cost_mae, 32.0 / 3.0, 1e-12);
    assert_double_equal(s.cost_mape, (20.0 / 120 + 2.0 / 82 + 10.0 / 70) / 3.0, 1e-12);
    assert_int_equal(s.best_hindsight, 2);
    assert_double_equal(s.regret_usd_month, 50.0, 1e-12);
    assert_int_equal(s.pred_meets_real_fails, 1);
    assert_double_equal(s.spearman_cost, 1.0, 1e-12);
    assert_double_equal(s.spearman_avail, -1.0, 1e-12);
}

/* ---- the scenario key --------------------------------------------------------- */

static const char *yaml_with(const char *interruptions)
{
    return tu_fmt("name: t\n"
                  "market:\n"
                  "  region: us-east-1\n"
                  "  zones: [us-east-1a]\n"
                  "  instance_types: [m5.large]\n"
                  "  interruptions: %s\n"
                  "asg: {max_size: 4, desired_capacity: 1}\n"
                  "capacity_providers: [{name: cp}]\n"
                  "service: {desired_count: 1, cpu: 256, memory: 512}\n",
                  interruptions);
}

static void test_scenario_model_key(void **state)
{
    (void)state;
    ss_scenario *sc = malloc(sizeof *sc);
    ss_err err;
    assert_int_equal(ss_scenario_load_string(yaml_with("{model: p3-aug}"), "t.yaml", sc, &err), 0);
    assert_int_equal(sc->market.interruptions, SS_INTERRUPT_MODEL);
    assert_string_equal(sc->market.interrupt_model, "p3-aug");
    /* the other sources still read as before, and clear the name */
    assert_int_equal(ss_scenario_load_string(yaml_with("replay"), "t.yaml", sc, &err), 0);
    assert_int_equal(sc->market.interruptions, SS_INTERRUPT_REPLAY);
    assert_string_equal(sc->market.interrupt_model, "");
    /* set through the key path (what search parameters do) */
    assert_int_equal(ss_scenario_set(sc, "market.interruptions", "model:other", &err), 0);
    assert_int_equal(sc->market.interruptions, SS_INTERRUPT_MODEL);
    assert_string_equal(sc->market.interrupt_model, "other");
    /* errors name the file, line and key */
    assert_int_equal(ss_scenario_load_string(yaml_with("{modle: x}"), "t.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "t.yaml:6"));
    assert_non_null(strstr(err.msg, "unknown key 'modle' (expected 'model')"));
    assert_int_equal(ss_scenario_load_string(yaml_with("replya"), "t.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "did you mean 'replay'"));
    assert_int_equal(ss_scenario_load_string(yaml_with("{model: \"\"}"), "t.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "expected the name of a fitted model"));
    /* the hash tells models apart */
    char h1[17], h2[17];
    assert_int_equal(ss_scenario_load_string(yaml_with("{model: a}"), "t.yaml", sc, &err), 0);
    ss_scenario_hash(sc, h1);
    assert_int_equal(ss_scenario_load_string(yaml_with("{model: b}"), "t.yaml", sc, &err), 0);
    ss_scenario_hash(sc, h2);
    assert_string_not_equal(h1, h2);
    free(sc);
}

/* ---- capacity events of an attached model -------------------------------------- */

static void test_model_events_crn(void **state)
{
    (void)state;
    /* two zones, joint path 0 0 1 1 3 3 2 0 (bit0 = a, bit1 = b), 10-minute steps */
    const uint8_t za[] = {0, 0, 1, 1, 1, 1, 0, 0}, zb[] = {0, 0, 0, 0, 1, 1, 1, 0};
    const uint8_t *down[] = {za, zb};
    ss_fit_model m = {0};
    ss_err err;
    assert_int_equal(ss_cap_fit(2, down, 8, 10 * SS_MINUTE, &m.cap, &err), 0);
    m.has_capacity = true;
    snprintf(m.cap.zone[0], SS_NAME_MAX, "us-east-1a");
    snprintf(m.cap.zone[1], SS_NAME_MAX, "us-east-1b");
    snprintf(m.cap.instance_type[0], SS_NAME_MAX, "m5.large");
    snprintf(m.cap.instance_type[1], SS_NAME_MAX, "m5.large");
    ss_data *d = ss_data_new(2, 2); /* m5.large, c5.large x us-east-1a, us-east-1b */
    const char *types[] = {"m5.large", "c5.large"}, *zones[] = {"us-east-1a", "us-east-1b"};
    for (int t = 0; t < 2; t++)
        for (int z = 0; z < 2; z++) {
            ss_pool *p = &d->pools[t * 2 + z];
            snprintf(p->instance_type, sizeof p->instance_type, "%s", types[t]);
            snprintf(p->zone, sizeof p->zone, "%s", zones[z]);
            p->advisor_bucket = -1;
        }
    ss_fit_attach(&m, d);
    ss_scenario *sc = calloc(1, sizeof *sc);
    sc->market.interruptions = SS_INTERRUPT_MODEL;
    snprintf(sc->market.interrupt_model, SS_NAME_MAX, "m");
    sc->market.stochastic_scale = 1;
    sc->start = 0;
    sc->end = 30 * SS_DAY;
    /* covered: the m5.large pools (traced), not the c5.large ones */
    assert_false(ss_interrupt_pool_uncovered(sc, d, 0));
    assert_false(ss_interrupt_pool_uncovered(sc, d, 1));
    assert_true(ss_interrupt_pool_uncovered(sc, d, 2));
    ss_pool_events all, sub, again, other;
    assert_int_equal(ss_interrupt_pool_events(sc, d, 5, 1, NULL, &all, &err), 0);
    assert_true(all.n > 20);
    for (size_t i = 0; i < all.n; i++) {
        assert_int_equal(all.ev[i].kind, SS_POOLEV_CAPACITY);
        assert_true(all.ev[i].pool == 0 || all.ev[i].pool == 1);
        assert_true(all.ev[i].capacity == 0 || all.ev[i].capacity == -1);
        assert_true(all.ev[i].t >= 0 && all.ev[i].t < 30 * SS_DAY);
        assert_int_equal(all.ev[i].t % (10 * SS_MINUTE), 0);
    }
    /* a candidate using only pool 1 sees exactly pool 1's events of the full set */
    bool use[4] = {false, true, false, false};
    assert_int_equal(ss_interrupt_pool_events(sc, d, 5, 1, use, &sub, &err), 0);
    size_t k = 0;
    for (size_t i = 0; i < all.n; i++)
        if (all.ev[i].pool == 1) {
            assert_true(k < sub.n);
            assert_memory_equal(&all.ev[i], &sub.ev[k], sizeof sub.ev[k]);
            k++;
        }
    assert_int_equal(k, sub.n);
    /* same (seed, replica): same events; another replica: another path */
    assert_int_equal(ss_interrupt_pool_events(sc, d, 5, 1, NULL, &again, &err), 0);
    assert_int_equal(again.n, all.n);
    assert_memory_equal(again.ev, all.ev, all.n * sizeof *all.ev);
    assert_int_equal(ss_interrupt_pool_events(sc, d, 5, 2, NULL, &other, &err), 0);
    assert_true(other.n != all.n || memcmp(other.ev, all.ev, all.n * sizeof *all.ev) != 0);
    /* without the model attached: a clear error */
    d->fit_model = NULL;
    ss_pool_events none;
    assert_int_equal(ss_interrupt_pool_events(sc, d, 5, 1, NULL, &none, &err), -1);
    assert_non_null(strstr(err.msg, "model 'm' is not loaded"));
    ss_pool_events_free(&all);
    ss_pool_events_free(&sub);
    ss_pool_events_free(&again);
    ss_pool_events_free(&other);
    ss_data_free(d);
    ss_fit_model_free(&m);
    free(sc);
}

/* ---- end to end through the binary ---------------------------------------------- */

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    const char *src = tu_source_dir();
    int rc = tu_system(tu_fmt("'%s' import --db '%s/base.db' '%s/datasets/samples/eu-west-3a-2020-linux.csv' "
                              "'%s/datasets/samples/spot-advisor-data_2025-06-28.json' "
                              "'%s/datasets/samples/spot-2016-us-east-1.csv' "
                              "'%s/datasets/samples/ondemand-2016.csv' >'%s/import.out' 2>&1",
                              tu_spotsim_bin(), g_dir, src, src, src, src, g_dir));
    if (rc != 0) {
        fprintf(stderr, "spotsim import failed (exit %d); see %s/import.out\n", rc, g_dir);
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

static char *slurp(const char *name)
{
    char *s = tu_read_file(tu_fmt("%s/%s", g_dir, name), NULL);
    if (!s)
        fail_msg("cannot read %s/%s", g_dir, name);
    return s;
}

/* A synthetic log of c5d.xlarge in eu-west-3a over March-April 2020: 40
 * instances launched at day d (d = 0..39) 00:00 from 2020-03-01, each
 * running 24 h, except every 4th (d = 0, 4, ..., 36), interrupted at its
 * 12th hour. Exposure 10 x 12 h + 30 x 24 h = 840 instance-hours; 10
 * interruptions, all singles (days apart). */
static void add_log(const char *db)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(db, &s), SQLITE_OK);
    sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
    sqlite3_exec(s, "INSERT OR IGNORE INTO pools(region, zone, instance_type, product) VALUES"
                    " ('eu-west-3', 'eu-west-3a', 'c5d.xlarge', 'Linux/UNIX')",
                 NULL, NULL, NULL);
    const long long t0 = 1583020800000LL; /* 2020-03-01T00:00:00Z */
    const long long h = 3600000LL;
    for (int d = 0; d < 40; d++) {
        bool hit = d % 4 == 0;
        long long launch = t0 + d * 24 * h, end = launch + (hit ? 12 : 24) * h;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO instances(instance_id, pool_id, lifecycle, launch_ms, end_ms,"
                 " end_reason) SELECT 'i-%02d', id, 'spot', %lld, %lld, '%s' FROM pools WHERE"
                 " zone = 'eu-west-3a' AND instance_type = 'c5d.xlarge' AND product = 'Linux/UNIX'",
                 d, launch, end, hit ? "spot-interruption" : "user-terminated");
        assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
        if (hit) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms) VALUES"
                     " ('w-%02d', 'interruption-warning', 'i-%02d', %lld)",
                     d, d, end - 120000);
            assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
        }
    }
    sqlite3_exec(s, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(s);
}

static void test_fit_then_run_with_model(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/m.db", g_dir);
    assert_int_equal(tu_system(tu_fmt("cp '%s/base.db' '%s'", g_dir, db)), 0);
    add_log(db);
    int rc = tu_system(tu_fmt("'%s' fit --db '%s' --name c5d --zone eu-west-3a >'%s/fit.out' 2>&1",
                              tu_spotsim_bin(), db, g_dir));
    assert_int_equal(rc, 0);
    char *fit = slurp("fit.out");
    /* 10 interruptions over 840 instance-hours: 11.905 per 1,000 h;
     * exact 95 %: chi2_{0.025}(20)/1680 = 9.590777/1680 -> 5.709 per 1,000 h,
     * chi2_{0.975}(22)/1680 = 36.78071/1680 -> 21.893 */
    assert_non_null(strstr(fit, "c5d.xlarge eu-west-3a"));
    assert_non_null(strstr(fit, "10 interruptions / 840.0 instance-hours = 11.905 per 1,000 h"
                                "  95% [5.709, 21.893]"));
    assert_non_null(strstr(fit, "10 single interruptions"));
    /* every interruption at the 12th hour: no Weibull, and the reason */
    assert_non_null(strstr(fit, "Weibull         not fitted: Weibull fit needs at least 2 distinct"));
    assert_non_null(strstr(fit, "stored as model 'c5d'"));
    free(fit);
    /* the 2020 example with {model: c5d} */
    char *yaml = tu_read_file(tu_fmt("%s/examples/ecs-od-base-4pools-2020.yaml", tu_source_dir()),
                              NULL);
    assert_non_null(yaml);
    char *at = strstr(yaml, "interruptions: stochastic");
    assert_non_null(at);
    FILE *f = fopen(tu_fmt("%s/model.yaml", g_dir), "w");
    fprintf(f, "%.*sinterruptions: {model: c5d}%s", (int)(at - yaml), yaml,
            at + strlen("interruptions: stochastic"));
    fclose(f);
    free(yaml);
    for (int th = 1; th <= 2; th++) {
        assert_int_equal(tu_system(tu_fmt("cp '%s' '%s/run%d.db'", db, g_dir, th)), 0);
        rc = tu_system(tu_fmt("OMP_NUM_THREADS=%d '%s' run --db '%s/run%d.db' '%s/model.yaml'"
                              " --replicas 4 --to 2020-03-21T00:00:00Z --json >'%s/run%d.out'"
                              " 2>'%s/run%d.err'",
                              th, tu_spotsim_bin(), g_dir, th, g_dir, g_dir, th, g_dir, th));
        assert_int_equal(rc, 0);
    }
    char *a = slurp("run1.out"), *b = slurp("run2.out");
    assert_string_equal(a, b);
    json_error_t je;
    json_t *o = json_loads(a, 0, &je);
    assert_non_null(o);
    /* the model's hazard interrupts instances (10 per 840 h fitted), and
     * the three pools the model has no evidence for are counted as
     * uncovered (their hazard is the advisor's, an assumption) */
    json_t *mm = json_object_get(o, "metrics");
    json_t *in = json_object_get(json_object_get(mm, "interruptions"), "mean");
    json_t *un = json_object_get(json_object_get(mm, "uncovered_pool_hours"), "mean");
    assert_true(json_number_value(in) > 0.0);
    assert_true(json_number_value(un) > 0.0);
    json_decref(o);
    free(a);
    free(b);
    /* the report says where the interruptions came from */
    rc = tu_system(tu_fmt("'%s' report --db '%s/run1.db' --run 1 --out '%s/rep' >/dev/null 2>&1",
                          tu_spotsim_bin(), g_dir, g_dir));
    assert_int_equal(rc, 0);
    char *md = slurp("rep/index.md");
    assert_non_null(strstr(md, "Interruptions are drawn from the model \"c5d\" that spotsim fit"
                               " estimated from imported evidence"));
    free(md);
    /* a model the store does not have: exit 1 naming it */
    f = fopen(tu_fmt("%s/missing.yaml", g_dir), "w");
    yaml = tu_read_file(tu_fmt("%s/model.yaml", g_dir), NULL);
    at = strstr(yaml, "{model: c5d}");
    fprintf(f, "%.*s{model: nope}%s", (int)(at - yaml), yaml, at + strlen("{model: c5d}"));
    fclose(f);
    free(yaml);
    rc = tu_system(tu_fmt("'%s' run --db '%s' '%s/missing.yaml' --to 2020-03-21T00:00:00Z"
                          " >/dev/null 2>'%s/missing.err'",
                          tu_spotsim_bin(), db, g_dir, g_dir));
    assert_int_equal(rc, 1);
    char *e = slurp("missing.err");
    assert_non_null(strstr(e, "no fitted model named 'nope' (the store has: c5d)"));
    free(e);

    /* backtest with evidence: the 2020 example over the synthetic log. The
     * training window holds instances of days 6..35 (launched 03-07 ..
     * 04-05), so a model is fitted there and stored under the fold's name;
     * the test window holds days 36..39, so the log is replayed there. */
    for (int th = 1; th <= 2; th++) {
        assert_int_equal(tu_system(tu_fmt("cp '%s' '%s/bt-ev%d.db'", db, g_dir, th)), 0);
        rc = tu_system(tu_fmt("OMP_NUM_THREADS=%d '%s' backtest --db '%s/bt-ev%d.db'"
                              " '%s/examples/ecs-od-base-4pools-2020.yaml'"
                              " --train 2020-03-07T00:00:00Z..2020-04-06T00:00:00Z"
                              " --test 2020-04-06T00:00:00Z..2020-05-07T00:00:00Z --replicas 2"
                              " --test-replicas 2 --out '%s/bt-ev%d' >'%s/bt-ev%d.out'"
                              " 2>'%s/bt-ev%d.err'",
                              th, tu_spotsim_bin(), g_dir, th, tu_source_dir(), g_dir, th, g_dir,
                              th, g_dir, th));
        assert_int_equal(rc, 0);
    }
    /* optimize with the fitted model's replicas, then the replay: the same
     * bytes with 1 and 2 threads */
    char *o1 = slurp("bt-ev1.out"), *o2 = slurp("bt-ev2.out");
    assert_string_equal(o1, o2);
    free(o1);
    free(o2);
    o1 = slurp("bt-ev1/backtest.csv");
    o2 = slurp("bt-ev2/backtest.csv");
    assert_string_equal(o1, o2);
    free(o1);
    free(o2);
    assert_int_equal(tu_system(tu_fmt("cp '%s/bt-ev1.db' '%s/bt-ev.db'", g_dir, g_dir)), 0);
    char *bo = slurp("bt-ev1.out");
    /* one pool (c5d.xlarge), 7 interruptions in the window: enough (>= 5) */
    assert_non_null(strstr(bo, "predicted from   model bt-ecs-od-base-4pools-2020-0-2020-03-07"
                               " (1 pool with interruption evidence)"));
    assert_non_null(strstr(bo, "realized with    replay (log)"));
    assert_non_null(strstr(bo, "calibration      12 candidates"));
    free(bo);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(tu_fmt("%s/bt-ev.db", g_dir), &s), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT model_name, realized_source FROM backtests", -1,
                                        &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0),
                        "bt-ecs-od-base-4pools-2020-0-2020-03-07");
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "replay (log)");
    sqlite3_finalize(q);
    /* the fold's model: days 6..35 = instances launched in the window; of them
     * d = 8, 12, ..., 32 interrupted (7), and d = 36's ... not launched yet */
    assert_int_equal(sqlite3_prepare_v2(s, "SELECT json_extract(model_json, '$.pools[0].interruptions')"
                                           " FROM fit_models WHERE name LIKE 'bt-%'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 7);
    sqlite3_finalize(q);
    sqlite3_close(s);
    /* a scenario that names a model is refitted on each training window;
     * with no evidence there (the log ends on 2020-04-10) it is refused */
    rc = tu_system(tu_fmt("'%s' backtest --db '%s/bt-ev.db' '%s/model.yaml'"
                          " --train 2020-04-12T00:00:00Z..2020-04-26T00:00:00Z"
                          " --test 2020-04-26T00:00:00Z..2020-05-07T00:00:00Z"
                          " >/dev/null 2>'%s/bt-model.err'",
                          tu_spotsim_bin(), g_dir, g_dir, g_dir));
    assert_int_equal(rc, 1);
    char *me = slurp("bt-model.err");
    assert_non_null(strstr(me, "a backtest refits the model on each training window"));
    free(me);
}

static int backtest(const char *name, const char *env, const char *args)
{
    assert_int_equal(tu_system(tu_fmt("cp '%s/base.db' '%s/%s.db'", g_dir, g_dir, name)), 0);
    return tu_system(tu_fmt("%s '%s' backtest --db '%s/%s.db' '%s/examples/ecs-api-3az-2016.yaml'"
                            " %s >'%s/%s.out' 2>'%s/%s.err'",
                            env ? env : "", tu_spotsim_bin(), g_dir, name, tu_source_dir(), args,
                            g_dir, name, g_dir, name));
}

#define HALVES "--train 2016-02-26T00:00:00Z..2016-03-27T00:00:00Z" \
               " --test 2016-03-27T00:00:00Z..2016-04-25T00:00:00Z"

static void test_backtest_cli(void **state)
{
    (void)state;
    assert_int_equal(backtest("bt1", "OMP_NUM_THREADS=1", HALVES " --budget 12 --replicas 3 --test-replicas 2"), 0);
    assert_int_equal(backtest("bt2", "OMP_NUM_THREADS=2", HALVES " --budget 12 --replicas 3 --test-replicas 2"), 0);
    char *a = slurp("bt1.out"), *b = slurp("bt2.out");
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "fold 0: train 2016-02-26T00:00:00Z .. 2016-03-27T00:00:00Z, test"
                              " 2016-03-27T00:00:00Z .. 2016-04-25T00:00:00Z (backtest 1,"
                              " optimization 1)"));
    /* the 2016 pools have no interruption log: said plainly */
    assert_non_null(strstr(a, "the scenario's own source (no evidence in the training window)"));
    assert_non_null(strstr(a, "realized with    scenario (assumed, no evidence)"));
    assert_non_null(strstr(a, "calibration      12 candidates"));
    free(a);
    free(b);
    /* stored: one backtest row and one row per candidate, the flags consistent */
    sqlite3 *s;
    assert_int_equal(sqlite3_open(tu_fmt("%s/bt1.db", g_dir), &s), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(s,
                                        "SELECT (SELECT COUNT(*) FROM backtests),"
                                        " COUNT(*), SUM(availability_covered <> (real_availability"
                                        " BETWEEN pred_availability_lo AND pred_availability_hi)),"
                                        " SUM(slo_met <> (real_availability >= 0.999))"
                                        " FROM backtest_candidates",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    assert_int_equal(sqlite3_column_int(q, 1), 12);
    assert_int_equal(sqlite3_column_int(q, 2), 0);
    assert_int_equal(sqlite3_column_int(q, 3), 0);
    sqlite3_finalize(q);
    sqlite3_close(s);

    /* rolling: 3 folds of two weeks, max-price as the realized source */
    assert_int_equal(backtest("roll", NULL,
                              "--train 2016-02-26T00:00:00Z..2016-03-11T00:00:00Z"
                              " --test 2016-03-11T00:00:00Z..2016-03-25T00:00:00Z --rolling 3"
                              " --budget 8 --replicas 2 --test-replicas 1 --realized max-price"),
                     0);
    char *r = slurp("roll.out");
    assert_non_null(strstr(r, "fold 2: train 2016-03-25T00:00:00Z .. 2016-04-08T00:00:00Z, test"
                              " 2016-04-08T00:00:00Z .. 2016-04-22T00:00:00Z"));
    assert_non_null(strstr(r, "realized with    max-price (price rule)"));
    assert_non_null(strstr(r, "over 3 folds (24 candidate evaluations)"));
    free(r);

    /* usage errors: exit 2 */
    assert_int_equal(backtest("bad1", NULL, "--train 2016-03-01..2016-02-01 --test 2016-03-01..2016-04-01"), 2);
    char *e = slurp("bad1.err");
    assert_non_null(strstr(e, "--train: expected FROM..TO"));
    free(e);
    assert_int_equal(backtest("bad2", NULL, HALVES " --realized bogus"), 2);
    assert_int_equal(backtest("bad3", NULL, "--train 2016-03-01T00:00:00Z..2016-04-01T00:00:00Z"
                                            " --test 2016-03-15T00:00:00Z..2016-04-15T00:00:00Z"),
                     2);
}

int main(void)
{
    const struct CMUnitTest unit[] = {
        cmocka_unit_test(test_spearman),
        cmocka_unit_test(test_prediction_interval),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_scenario_model_key),
        cmocka_unit_test(test_model_events_crn),
    };
    const struct CMUnitTest cli[] = {
        cmocka_unit_test(test_fit_then_run_with_model),
        cmocka_unit_test(test_backtest_cli),
    };
    int rc = cmocka_run_group_tests(unit, NULL, NULL);
    return rc + cmocka_run_group_tests(cli, setup, teardown);
}
