/*
 * test_optimize.c - the optimization driver with analytic evaluators:
 * thread-count independence, resume after an interruption, storage, the SLO
 * pick and its explanation, failed evaluations.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "policies/optimize.h"
#include "policies/optimize_eval.h"

/* ---- analytic evaluator --------------------------------------------------------
 * params: base in 0..6 (od base), pct in {0,25,50,75,100}, scale continuous
 * [0.5, 2]. cost = 100 + 30 base + 0.8 pct + 10 scale; availability =
 * 1 - 0.02 / (1 + base + pct/25) / scale + replica noise (+-0.001, keyed by
 * candidate params and replica). Failure when base == 5 and pct == 0 (to test
 * failed candidates) if ctx->fail. */
typedef struct actx {
    long calls;
    bool fail;
} actx;

static const ss_space *g_space;

static int analytic(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    actx *ctx = vctx;
#pragma omp atomic
    ctx->calls++;
    double base = ss_space_numeric(g_space, c, 0), pct = ss_space_numeric(g_space, c, 1);
    double scale = g_space->n > 2 ? ss_space_numeric(g_space, c, 2) : 1.0;
    if (ctx->fail && base == 5 && pct == 0)
        return ss_err_set(err, "candidate cannot run: \"no price\"");
    memset(out, 0, sizeof *out);
    uint64_t h = ss_mix64((uint64_t)(base * 1000 + pct) ^ ss_mix64((uint64_t)replica + 17) ^
                          (uint64_t)(scale * 1e6));
    double noise = ((double)(h >> 11) / 9007199254740992.0 - 0.5) * 0.002;
    out->cost_per_month_usd = 100 + 30 * base + 0.8 * pct + 10 * scale;
    out->cost_usd = out->cost_per_month_usd;
    out->horizon_hours = 720;
    out->ondemand_baseline_usd = 500;
    out->availability = 1 - 0.02 / (1 + base + pct / 25) / scale + noise;
    out->shortfall_task_hours = 10 * (1 - out->availability);
    return 0;
}

static void make_space(ss_space *sp, bool continuous)
{
    ss_err err;
    memset(sp, 0, sizeof *sp);
    const char *pct[] = {"0", "25", "50", "75", "100"};
    assert_int_equal(ss_space_add_range(sp, "asg.on_demand_base_capacity", 0, 6, 1, true, &err), 0);
    assert_int_equal(ss_space_add_values(sp, "asg.on_demand_percentage_above_base_capacity", pct, 5, &err), 0);
    if (continuous)
        assert_int_equal(ss_space_add_range(sp, "market.stochastic_scale", 0.5, 2, 0, false, &err), 0);
    g_space = sp;
}

static void base_cfg(ss_opt_config *cfg, ss_search_method m, int threads)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->method = m;
    cfg->budget = 60;
    cfg->replicas = 3;
    cfg->population = 12;
    cfg->seed = 42;
    strcpy(cfg->objectives[0], "cost_per_month_usd");
    strcpy(cfg->objectives[1], "availability");
    cfg->statistic = (ss_statistic){SS_STAT_PERCENTILE, 5};
    cfg->threads = threads;
    cfg->batch = 7; /* deliberately not a divisor of anything */
}

static char *csv_of(const ss_opt_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ss_err err;
    assert_int_equal(ss_optimize_write_csv(r, f, &err), 0);
    fclose(f);
    return buf;
}

static void test_thread_independence(void **state)
{
    (void)state;
    ss_space sp;
    make_space(&sp, true);
    ss_search_method methods[] = {SS_SEARCH_LHS, SS_SEARCH_RANDOM, SS_SEARCH_NSGA2};
    for (size_t m = 0; m < SS_ARRAY_LEN(methods); m++) {
        char *ref = NULL;
        int threads[] = {1, 2, 4};
        for (int t = 0; t < 3; t++) {
            ss_opt_config cfg;
            base_cfg(&cfg, methods[m], threads[t]);
            actx ctx = {0};
            ss_opt_result r;
            ss_err err;
            assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &ctx, NULL, NULL, 0, &r, &err), 0);
            assert_true(r.complete);
            assert_true(r.n > 10 && r.n <= cfg.budget);
            assert_int_equal(ctx.calls, (long)r.n * cfg.replicas);
            char *csv = csv_of(&r);
            if (!ref)
                ref = csv;
            else {
                if (strcmp(ref, csv))
                    fail_msg("method %s: CSV with %d threads differs from 1 thread",
                             ss_search_method_name(methods[m]), threads[t]);
                free(csv);
            }
            ss_opt_result_free(&r);
        }
        free(ref);
    }
}

static void test_grid_front_and_auto(void **state)
{
    (void)state;
    ss_space sp;
    make_space(&sp, false);
    ss_opt_config cfg;
    base_cfg(&cfg, SS_SEARCH_AUTO, 2);
    cfg.budget = 35; /* grid has 7 x 5 = 35 points: auto picks grid */
    actx ctx = {0};
    ss_opt_result r;
    ss_err err;
    assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &ctx, NULL, NULL, 0, &r, &err), 0);
    assert_int_equal(r.cfg.method, SS_SEARCH_GRID);
    assert_int_equal(r.n, 35);
    /* front check against brute force on the stored summaries */
    for (int i = 0; i < r.n; i++) {
        bool dom = false;
        for (int j = 0; j < r.n; j++)
            if (r.c[j].obj[0].value <= r.c[i].obj[0].value && r.c[j].obj[1].value >= r.c[i].obj[1].value &&
                (r.c[j].obj[0].value < r.c[i].obj[0].value || r.c[j].obj[1].value > r.c[i].obj[1].value))
                dom = true;
        assert_int_equal(r.c[i].on_front, !dom);
    }
    /* p5 of availability (maximised) is at most the mean; p5 of cost
     * (minimised) reads as the 95th percentile: at least the mean - here
     * cost has no noise so they are equal. */
    for (int i = 0; i < r.n; i++) {
        assert_true(r.c[i].obj[1].value <= r.c[i].obj[1].mean + 1e-15);
        assert_true(fabs(r.c[i].obj[0].value - r.c[i].obj[0].mean) < 1e-9);
    }
    ss_opt_result_free(&r);
    cfg.budget = 34; /* no longer fits: auto picks NSGA-II */
    assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &ctx, NULL, NULL, 0, &r, &err), 0);
    assert_int_equal(r.cfg.method, SS_SEARCH_NSGA2);
    assert_true(r.n <= 34);
    ss_opt_result_free(&r);
}

static void test_resume(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_space sp;
    make_space(&sp, true);
    ss_search_method methods[] = {SS_SEARCH_NSGA2, SS_SEARCH_LHS};
    for (size_t m = 0; m < SS_ARRAY_LEN(methods); m++) {
        ss_err err;
        ss_opt_meta meta = {"t", NULL, "abc", "text", NULL};
        /* uninterrupted reference */
        ss_store a;
        assert_int_equal(ss_store_open(&a, tu_fmt("%s/a%zu.db", dir, m), 0, &err), 0);
        ss_opt_config cfg;
        base_cfg(&cfg, methods[m], 2);
        actx c1 = {0};
        ss_opt_result ra;
        assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &c1, &a, &meta, 0, &ra, &err), 0);
        char *ref = csv_of(&ra);
        long total = c1.calls;
        /* interrupted once >= 40 new evaluations are stored (batches of 7,
         * restarting at each NSGA-II generation: 42 or 43) */
        ss_store b;
        assert_int_equal(ss_store_open(&b, tu_fmt("%s/b%zu.db", dir, m), 0, &err), 0);
        cfg.stop_after = 40;
        actx c2 = {0};
        ss_opt_result rb;
        assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &c2, &b, &meta, 0, &rb, &err), 0);
        assert_true(rb.interrupted);
        assert_false(rb.complete);
        assert_true(c2.calls >= 40 && c2.calls < 47);
        int64_t id = rb.id;
        ss_opt_result_free(&rb);
        ss_store_close(&b);
        /* resume from the stored configuration, with a different thread count */
        assert_int_equal(ss_store_open(&b, tu_fmt("%s/b%zu.db", dir, m), 0, &err), 0);
        ss_opt_config rc;
        memset(&rc, 0, sizeof rc);
        char *text = NULL, *hash = NULL;
        assert_int_equal(ss_optimize_load_config(&b, id, &rc, &text, &hash, &err), 0);
        assert_string_equal(hash, "abc");
        assert_string_equal(text, "text");
        free(text);
        free(hash);
        assert_int_equal(rc.method, methods[m]);
        assert_int_equal(rc.population, 12);
        assert_int_equal(rc.statistic.kind, SS_STAT_PERCENTILE);
        rc.threads = 4;
        actx c3 = {0};
        ss_opt_result rr;
        assert_int_equal(ss_optimize_run(&sp, &rc, analytic, &c3, &b, &meta, id, &rr, &err), 0);
        assert_true(rr.complete);
        /* nothing recomputed, nothing lost */
        assert_int_equal(c2.calls + c3.calls, total);
        assert_int_equal(rr.loaded, c2.calls);
        char *got = csv_of(&rr);
        assert_string_equal(got, ref);
        /* the store holds exactly one row per (candidate, replica) */
        sqlite3_stmt *s;
        assert_int_equal(ss_store_prepare(&b, "SELECT count(*), count(DISTINCT candidate_id) FROM "
                                              "candidate_results WHERE optimization_id = ?", &s, &err), 0);
        sqlite3_bind_int64(s, 1, id);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(s, 0), rr.n * 3);
        assert_int_equal(sqlite3_column_int(s, 1), rr.n);
        sqlite3_finalize(s);
        assert_int_equal(ss_store_prepare(&b, "SELECT status FROM optimizations WHERE id = ?", &s, &err), 0);
        sqlite3_bind_int64(s, 1, id);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), "done");
        sqlite3_finalize(s);
        free(got);
        free(ref);
        ss_opt_result_free(&rr);
        ss_opt_result_free(&ra);
        ss_store_close(&a);
        ss_store_close(&b);
    }
    tu_rmtree(dir);
    free(dir);
}

static void test_failed_candidates(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_space sp;
    make_space(&sp, false);
    ss_opt_config cfg;
    base_cfg(&cfg, SS_SEARCH_GRID, 2);
    ss_err err;
    ss_store st;
    assert_int_equal(ss_store_open(&st, tu_fmt("%s/f.db", dir), 0, &err), 0);
    actx ctx = {0, true};
    ss_opt_result r;
    assert_int_equal(ss_optimize_run(&sp, &cfg, analytic, &ctx, &st, NULL, 0, &r, &err), 0);
    int failed = 0;
    for (int i = 0; i < r.n; i++)
        if (r.c[i].failed) {
            failed++;
            assert_false(r.c[i].on_front);
            assert_non_null(strstr(r.c[i].error, "no price"));
        }
    assert_int_equal(failed, 1);
    /* resume of a finished run loads the failure back without re-running */
    actx c2 = {0, true};
    ss_opt_result r2;
    assert_int_equal(ss_optimize_run(&sp, &r.cfg, analytic, &c2, &st, NULL, r.id, &r2, &err), 0);
    assert_int_equal(c2.calls, 0);
    int f2 = 0;
    for (int i = 0; i < r2.n; i++)
        f2 += r2.c[i].failed;
    assert_int_equal(f2, 1);
    ss_opt_result_free(&r);
    ss_opt_result_free(&r2);
    ss_store_close(&st);
    tu_rmtree(dir);
    free(dir);
}

/* Hand-made set: one parameter "k" with 5 values; fixed cost/availability
 * per value (no noise), statistic mean:
 *   k  cost  avail
 *   0   50   0.990
 *   1   80   0.9985
 *   2   90   0.9995
 *   3  120   0.9999
 *   4   70   0.9950
 * SLO 0.999: meeting it are k=2 (90) and k=3 (120) -> pick k=2; the next
 * cheaper is k=1 (80), which fails by 0.0005. SLO 0.99995: none. */
static const double hm_cost[] = {50, 80, 90, 120, 70};
static const double hm_av[] = {0.990, 0.9985, 0.9995, 0.9999, 0.9950};

static int handmade(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    (void)vctx;
    (void)replica;
    (void)err;
    memset(out, 0, sizeof *out);
    int k = (int)c->x[0];
    out->cost_per_month_usd = hm_cost[k];
    out->cost_usd = hm_cost[k];
    out->availability = hm_av[k];
    out->horizon_hours = 720;
    out->ondemand_baseline_usd = 200;
    return 0;
}

/* The all-On-Demand baseline of any candidate: 200 USD/month. */
static int baseline_200(void *ctx, int cand, double *usd_month, ss_err *err)
{
    (void)ctx;
    (void)cand;
    (void)err;
    *usd_month = 200;
    return 0;
}

static void test_slo_pick(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    memset(&sp, 0, sizeof sp);
    const char *v[] = {"0", "1", "2", "3", "4"};
    assert_int_equal(ss_space_add_values(&sp, "k", v, 5, &err), 0);
    ss_opt_config cfg;
    base_cfg(&cfg, SS_SEARCH_GRID, 1);
    cfg.statistic = (ss_statistic){SS_STAT_MEAN, 0};
    ss_opt_result r;
    assert_int_equal(ss_optimize_run(&sp, &cfg, handmade, NULL, NULL, NULL, 0, &r, &err), 0);
    assert_int_equal(r.n, 5);
    /* front: 0 (50,.99), 4 (70,.995), 1 (80,.9985), 2 (90,.9995), 3 (120,.9999): all non-dominated */
    for (int i = 0; i < 5; i++)
        assert_true(r.c[i].on_front);
    ss_recommendation rec;
    assert_int_equal(ss_recommend_with_baseline(&r, 0.999, 60.0, baseline_200, NULL, &rec), 0);
    assert_int_equal(rec.pick, 2);
    assert_int_equal(rec.next_cheaper, 1);
    /* savings against the all-On-Demand baseline of the pick (200 USD/month,
     * from baseline_200), pick 90 -> 110 = 55.0% */
    assert_true(rec.baseline_month == 200.0);
    assert_non_null(strstr(rec.text, "saves 110.00 USD/month (55.0%)"));
    assert_non_null(strstr(rec.text, "margin over the SLO +0.0005"));
    assert_non_null(strstr(rec.text, "short by 0.0005"));
    assert_non_null(strstr(rec.text, "cost floor (perfect foresight): 60.00 USD/month"));
    assert_non_null(strstr(rec.text, "50.0% more")); /* (90 - 60) / 60 */
    ss_recommendation_free(&rec);
    assert_int_equal(ss_recommend(&r, 0.99995, NAN, &rec), -1);
    assert_int_equal(rec.pick, -1);
    assert_non_null(strstr(rec.text, "No candidate meets the SLO"));
    assert_non_null(strstr(rec.text, "most available candidate is 3"));
    ss_recommendation_free(&rec);
    ss_opt_result_free(&r);
}

/* Every candidate equally available (as a calm price history gives): the
 * sensitivity section must not print "nan" for availability but say there
 * is no variation, and say once why. */
static int flat_avail(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    (void)vctx;
    (void)replica;
    (void)err;
    memset(out, 0, sizeof *out);
    out->cost_per_month_usd = hm_cost[(int)c->x[0]];
    out->availability = 1.0;
    out->horizon_hours = 720;
    out->ondemand_baseline_usd = 200;
    return 0;
}

static void test_no_variation(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    memset(&sp, 0, sizeof sp);
    const char *v[] = {"0", "1", "2", "3", "4"};
    assert_int_equal(ss_space_add_values(&sp, "k", v, 5, &err), 0);
    ss_opt_config cfg;
    base_cfg(&cfg, SS_SEARCH_GRID, 1);
    cfg.statistic = (ss_statistic){SS_STAT_MEAN, 0};
    ss_opt_result r;
    assert_int_equal(ss_optimize_run(&sp, &cfg, flat_avail, NULL, NULL, NULL, 0, &r, &err), 0);
    ss_recommendation rec;
    assert_int_equal(ss_recommend(&r, 0.999, NAN, &rec), 0);
    assert_int_equal(rec.pick, 0); /* all meet the SLO: the cheapest (50) */
    if (strstr(rec.text, "nan"))
        fail_msg("recommendation prints nan:\n%s", rec.text);
    assert_non_null(strstr(rec.text, "no availability differences between candidates"));
    /* availability line: no variation both on the frontier (one point:
     * too few) and over all 5; cost varies with k: rho over all candidates
     * is the Spearman of k = 0..4 with cost 50, 80, 90, 120, 70 =
     * ranks 1 3 4 5 2: d = 0 -1 -1 -1 3, sum d^2 = 12, 1 - 6*12/(5*24) = 0.4 */
    const char *av = strstr(rec.text, "    availability ");
    assert_non_null(av);
    const char *eol = strchr(av, '\n');
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)(eol - av), av);
    assert_non_null(strstr(line, "frontier      too few"));
    assert_non_null(strstr(line, "all no variation"));
    assert_non_null(strstr(rec.text, "all        0.400"));
    ss_recommendation_free(&rec);
    ss_opt_result_free(&r);
}

/* Issue 15 item 15: a parameter whose effect is within the replicas' noise
 * is said to be. cost = 100 + 0.1 k + 50 m + 10 (replica - 1), so over 3
 * replicas each candidate's cost has sd 10 and a 95% half-width of
 * t(0.975, 2) x 10 / sqrt(3) = 4.303 x 5.774 = 24.84. k moves the mean cost
 * by 0.1 (within noise); m by 50 (not). */
static int noisy(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    (void)vctx;
    (void)err;
    memset(out, 0, sizeof *out);
    out->cost_per_month_usd = 100 + 0.1 * c->x[0] + 50 * c->x[1] + 10.0 * (replica - 1);
    out->availability = 0.999 + 0.0001 * replica;
    out->horizon_hours = 720;
    return 0;
}

static void test_within_noise(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    memset(&sp, 0, sizeof sp);
    const char *v[] = {"0", "1"};
    assert_int_equal(ss_space_add_values(&sp, "k", v, 2, &err), 0);
    assert_int_equal(ss_space_add_values(&sp, "m", v, 2, &err), 0);
    ss_opt_config cfg;
    base_cfg(&cfg, SS_SEARCH_GRID, 1);
    cfg.statistic = (ss_statistic){SS_STAT_MEAN, 0};
    ss_opt_result r;
    assert_int_equal(ss_optimize_run(&sp, &cfg, noisy, NULL, NULL, NULL, 0, &r, &err), 0);
    ss_recommendation rec;
    assert_int_equal(ss_recommend(&r, 0.99, NAN, &rec), 0);
    const char *k = strstr(rec.text, "\n  k\n"), *m = strstr(rec.text, "\n  m\n");
    assert_non_null(k);
    assert_non_null(m);
    const char *kcost = strstr(k, "cost_per_month_usd"), *mcost = strstr(m, "cost_per_month_usd");
    char kl[256], ml[256];
    snprintf(kl, sizeof kl, "%.*s", (int)(strchr(kcost, '\n') - kcost), kcost);
    snprintf(ml, sizeof ml, "%.*s", (int)(strchr(mcost, '\n') - mcost), mcost);
    if (!strstr(kl, "range 0.1  (within noise: below the typical 95% half-width 24.8)"))
        fail_msg("k's cost line: %s", kl);
    if (!strstr(ml, "range 50") || strstr(ml, "within noise"))
        fail_msg("m's cost line: %s", ml);
    ss_recommendation_free(&rec);
    ss_opt_result_free(&r);
}

/* The perfect-foresight cost floor, by hand. ECS, 4 tasks of 512 CPU units
 * and 1024 MiB over 24 h. Two pools in one zone:
 *   A: 2 vCPU, 4096 MiB -> 4 tasks/instance; On-Demand 0.40/h (0.10/task);
 *      Spot from +2 h at 0.10/h (0.025/task), from +10 h 0.30/h (0.075/task)
 *   B: 1 vCPU, 8192 MiB -> 2 tasks/instance (CPU-bound); On-Demand 0.30/h
 *      (0.15/task); Spot from +5 h at 0.12/h (0.06/task), from +10 h
 *      0.08/h (0.04/task)
 *   C: 0.25 vCPU: no task fits, ignored even though it is the cheapest.
 * Cheapest per task: [0,2) no Spot evidence -> On-Demand A 0.10;
 * [2,10) Spot A 0.025; [10,24) Spot B 0.04 (the prices cross at +10 h).
 * Per task 2 x 0.10 + 8 x 0.025 + 14 x 0.04 = 0.96 USD; x 4 tasks = 3.84
 * USD in 24 h; x 720 / 24 = 115.2 USD/month. */
static void near(double got, double want)
{
    if (fabs(got - want) > 1e-9 * fmax(1.0, fabs(want)))
        fail_msg("cost floor %.12g, expected %.12g", got, want);
}

static void test_cost_floor(void **state)
{
    (void)state;
    ss_scenario *sc = calloc(1, sizeof *sc);
    assert_non_null(sc);
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_ECS;
    ss_time t0 = 1456790400000; /* 2016-03-01T00:00:00Z */
    sc->start = t0;
    sc->end = t0 + 24 * SS_HOUR;
    sc->service.desired_count = 4;
    sc->service.task_cpu = 512;
    sc->service.task_memory_mib = 1024;
    ss_data *d = ss_data_new(3, 1);
    ss_pool *a = &d->pools[0], *b = &d->pools[1], *c = &d->pools[2];
    a->vcpu = 2;
    a->memory_mib = 4096;
    a->ondemand_usd_per_hour = 0.40;
    ss_time ta[] = {t0 + 2 * SS_HOUR, t0 + 10 * SS_HOUR};
    double pa[] = {0.10, 0.30};
    ss_price_series_set(&a->spot, ta, pa, 2);
    b->vcpu = 1;
    b->memory_mib = 8192;
    b->ondemand_usd_per_hour = 0.30;
    ss_time tb[] = {t0 + 5 * SS_HOUR, t0 + 10 * SS_HOUR};
    double pb[] = {0.12, 0.08};
    ss_price_series_set(&b->spot, tb, pb, 2);
    c->vcpu = 0.25;
    c->memory_mib = 512;
    c->ondemand_usd_per_hour = 0.001;
    ss_time tc[] = {t0};
    double pc[] = {0.0001};
    ss_price_series_set(&c->spot, tc, pc, 1);
    double usd;
    ss_err err;
    assert_int_equal(ss_cost_floor(sc, d, &usd, &err), 0);
    near(usd, 115.2);
    /* twice the tasks, twice the floor; a 12 h horizon from +12 h sees only
     * Spot B: 4 x 0.04 x 720 = 115.2 as well, from a different pool */
    sc->service.desired_count = 8;
    assert_int_equal(ss_cost_floor(sc, d, &usd, &err), 0);
    near(usd, 230.4);
    sc->service.desired_count = 4;
    sc->start = t0 + 12 * SS_HOUR;
    assert_int_equal(ss_cost_floor(sc, d, &usd, &err), 0);
    near(usd, 4 * 0.04 * 720);
    /* an empty horizon is an error, not a number */
    sc->end = sc->start;
    assert_int_equal(ss_cost_floor(sc, d, &usd, &err), -1);
    assert_true(isnan(usd));
    ss_data_free(d);
    free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_independence),
        cmocka_unit_test(test_grid_front_and_auto),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_failed_candidates),
        cmocka_unit_test(test_slo_pick),
        cmocka_unit_test(test_no_variation),
        cmocka_unit_test(test_within_noise),
        cmocka_unit_test(test_cost_floor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
