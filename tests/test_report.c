/*
 * test_report.c - `spotsim report`: the computations (hand-checked values),
 * and the whole command on a hand-made store: every chart is a real PNG
 * (1280x720) and SVG, the HTML links resolve, two runs are byte-identical,
 * hostile strings never reach a gnuplot command, missing gnuplot is a clear
 * error.
 *
 * Fixture (built here with ss_store_open + INSERTs, no simulator needed):
 * optimization 1 with 30 candidates x 3 replicas whose metrics follow a
 * formula chosen so that the recommendation can be worked out by hand; run 1
 * of the same scenario with a 48 h timeline holding interruptions, two
 * shortfall episodes and a zone outage; 7 pools (6 in us-east-1) with four
 * weeks of prices, On-Demand prices, an inventory and interruption warnings.
 */
#include "tests/testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/store.h"
#include "policies/results.h"
#include "sim/report/report.h"

#define T0 1709510400000LL /* 2024-03-04T00:00:00Z, a Monday (ISO 2024-W10) */
#define HOUR 3600000LL

/* ---- Pure computations ----------------------------------------------------- */

static void test_t_interval(void **state)
{
    (void)state;
    double x[] = {298, 300, 302}, mean, half;
    assert_int_equal(ss_report_t_interval(x, 3, &mean, &half), 0);
    /* sd = 2, t_{0.975,2} = 4.302653 (tables): 4.302653 * 2 / sqrt(3) = 4.968275 */
    assert_true(fabs(mean - 300) < 1e-12);
    assert_true(fabs(half - 4.968275) < 1e-5);
    assert_int_equal(ss_report_t_interval(x, 1, &mean, &half), 0);
    assert_true(mean == 298 && half == 0);
    assert_int_equal(ss_report_t_interval(x, 0, &mean, &half), -1);
}

static void test_pareto(void **state)
{
    (void)state;
    /* sorted by cost: (1,.5)#0 (2,.9)#1 (2,.9)#3 dup (3,.8)#2 dominated
     * (5,.95)#4 (4,NaN)#5 ignored  => frontier 0, 1, 4 */
    double cost[] = {1, 2, 3, 2, 5, 4}, av[] = {0.5, 0.9, 0.8, 0.9, 0.95, NAN};
    size_t idx[6];
    size_t n = ss_report_pareto(cost, av, 6, idx);
    assert_int_equal(n, 3);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 4);
    /* property: no frontier point is dominated by any point */
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < 5; j++) {
            int dom = cost[j] <= cost[idx[k]] && av[j] >= av[idx[k]] &&
                      (cost[j] < cost[idx[k]] || av[j] > av[idx[k]]);
            assert_false(dom);
        }
}

static void test_kaplan_meier(void **state)
{
    (void)state;
    /* t=1: 5 at risk, 1 event -> 0.8; t=2: 4 at risk, 1 event (1 censored
     * there still counts) -> 0.6; t=3: 2 at risk, 1 event -> 0.3; t=4 censored */
    double d[] = {2, 1, 3, 2, 4}, t[6], s[6];
    int e[] = {1, 1, 1, 0, 0};
    size_t k = ss_report_kaplan_meier(d, e, 5, t, s);
    assert_int_equal(k, 4);
    double et[] = {0, 1, 2, 3}, es[] = {1, 0.8, 0.6, 0.3};
    for (size_t i = 0; i < 4; i++) {
        assert_true(fabs(t[i] - et[i]) < 1e-12);
        assert_true(fabs(s[i] - es[i]) < 1e-12);
    }
}

static void test_iso_week_and_formats(void **state)
{
    (void)state;
    int y, w;
    ss_report_iso_week(T0 + 5 * HOUR, &y, &w);
    assert_true(y == 2024 && w == 10);
    ss_report_iso_week(1609632000000LL, &y, &w); /* 2021-01-03, a Sunday: 2020-W53 */
    assert_true(y == 2020 && w == 53);
    ss_report_iso_week(1577664000000LL, &y, &w); /* 2019-12-30, Monday: 2020-W01 */
    assert_true(y == 2020 && w == 1);
    assert_true(ss_report_week_start(T0 + 6 * 24 * HOUR + 5) == T0);

    char b[64];
    ss_report_fmt_savings(2000, 300, b, sizeof b); /* 2000/300 = 6.67; 300/2000 - 1 = -85% */
    assert_string_equal(b, "6.7x cheaper (-85%)");
    ss_report_fmt_savings(100, 120, b, sizeof b);
    assert_string_equal(b, "1.2x more expensive (+20%)");
    ss_report_fmt_savings(0, 120, b, sizeof b);
    assert_string_equal(b, "n/a");
    ss_report_fmt_availability(0.99912, b, sizeof b);
    assert_string_equal(b, "99.91%");
    ss_report_fmt_availability(0.9999993, b, sizeof b);
    assert_string_equal(b, "99.9999%");
    ss_report_fmt_availability(0.99999999, b, sizeof b); /* truncated, never "100.0000%" */
    assert_string_equal(b, "99.99999%"); /* 1-a is 1.0000000004e-8: 7 whole nines, 5 decimals */
    ss_report_fmt_availability(1.0, b, sizeof b);
    assert_string_equal(b, "100%");

    double x[] = {5, 1, 4, 2, 3};
    /* p5 of 1..5, linear interpolation: position 0.05*4 = 0.2 -> 1.2 */
    assert_true(fabs(ss_report_statistic(x, 5, "p5") - 1.2) < 1e-12);
    assert_true(fabs(ss_report_statistic(x, 5, "mean") - 3) < 1e-12);
    assert_true(fabs(ss_report_statistic(x, 5, "median") - 3) < 1e-12); /* = p50 */
    assert_true(fabs(ss_report_statistic(x, 5, "p2.5") - 1.1) < 1e-12); /* 0.025*4 = 0.1 */
    assert_true(isnan(ss_report_statistic(x, 5, "mode")));
    assert_true(isnan(ss_report_statistic(x, 5, "p100")));

    ss_report_gp_quote("a'b`c\nd", b, sizeof b);
    assert_string_equal(b, "'a''b''c d'");

    char r[64];
    assert_int_equal(ss_report_yaml_scalar("name: x\nmarket:\n  region: us-east-1\n",
                                           "market.region", r, sizeof r), 0);
    assert_string_equal(r, "us-east-1");
    assert_int_equal(ss_report_yaml_scalar("market: [1]\n", "market.region", r, sizeof r), -1);
}

/* ---- Fixture store -------------------------------------------------------------- */

static void exec_ok(ss_store *st, const char *sql)
{
    ss_err err = {{0}};
    if (ss_store_exec(st, sql, &err))
        fail_msg("%s", err.msg);
}

static const char *strategies[] = {"capacity-optimized", "lowest-price",
                                   "price-capacity-optimized"};

static void make_store(const char *path, const char *tmpdir)
{
    ss_store st;
    ss_err err = {{0}};
    if (ss_store_open(&st, path, 0, &err) || ss_results_schema(&st, &err))
        fail_msg("%s", err.msg);
    exec_ok(&st, "BEGIN");
    /* A hostile scenario name: quotes, a backquote command, a macro. */
    char name[512], sql[4096];
    snprintf(name, sizeof name, "web 'prod' \"x\" `touch %s/PWNED` @x <b>&", tmpdir);
    const char *yaml = "name: web\nmarket:\n  region: us-east-1\n";
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(st.db,
                                        "INSERT INTO optimizations(id, created_at, scenario_name,"
                                        " scenario_hash, scenario_text, method, budget, replicas,"
                                        " seed, objectives, status, version, extra_json)"
                                        " VALUES(1, '2024-04-01T00:00:00Z', ?, 'h1', ?, 'grid', 30,"
                                        " 3, 7, 'cost_per_month_usd,availability', 'done', '0.1.0',"
                                        " '{\"slo\": 0.999, \"statistic\": \"mean\","
                                        " \"cost_floor_per_month\": 180.0, \"ondemand_baseline_per_month\": 1800.0}')",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, yaml, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    /* Candidate i (id i+1): base = i%5, strategy = i/10, pools = (i/5)%2.
     * cost/month = 200 + 50 base + 7 strategy + 3 pools + 2(r-1);
     * unavailability = 0.02 / 10^base * (1 + 0.5 strategy) * (1 + 0.1(r-1)).
     * SLO 0.999 (mean) needs base >= 2; the cheapest such is base 2,
     * strategy 0, pools 0: i = 2, id 3, $300/month, availability 0.9998.
     * Baseline: 1800 USD/month, the scenario simulated all On-Demand as
     * `spotsim optimize` stores it in extra_json (the fleet-billing metric
     * ondemand_baseline_usd, 2000 USD/month, is not the baseline shown). */
    for (int i = 0; i < 30; i++) {
        int base = i % 5, strat = i / 10, pools = (i / 5) % 2;
        snprintf(sql, sizeof sql,
                 "INSERT INTO candidates(optimization_id, candidate_id, params_json, params_hash)"
                 " VALUES(1, %d, '{\"asg.on_demand_base_capacity\": \"%d\", "
                 "\"asg.spot_allocation_strategy\": \"%s\", \"asg.spot_instance_pools\": %d}',"
                 " 'p%d')",
                 i + 1, base, strategies[strat], 2 + pools, i);
        exec_ok(&st, sql);
        for (int r = 0; r < 3; r++) {
            double cost = 200 + 50 * base + 7 * strat + 3 * pools + 2 * (r - 1);
            double u = 0.02 / pow(10, base) * (1 + 0.5 * strat) * (1 + 0.1 * (r - 1));
            snprintf(sql, sizeof sql,
                     "INSERT INTO candidate_results(optimization_id, candidate_id, replica,"
                     " cost_per_month_usd, cost_usd, availability, served_fraction,"
                     " ondemand_baseline_usd, horizon_hours) VALUES(1, %d, %d, %.17g, %.17g,"
                     " %.17g, %.17g, %.17g, 168)",
                     i + 1, r, cost, cost * 168 / 720, 1 - u, 1 - u / 2, 2000.0 * 168 / 720);
            exec_ok(&st, sql);
        }
    }
    /* Optimization 2: the candidates of 1, stored as spotsim optimize does
     * (no SLO in extra_json, statistic p5); the SLO is the scenario's
     * search.slo, 0.9999. */
    exec_ok(&st, "INSERT INTO optimizations(id, created_at, scenario_name, scenario_hash,"
                 " scenario_text, method, budget, replicas, seed, objectives, version, extra_json)"
                 " VALUES(2, '2024-04-02T00:00:00Z', 'web', 'h1', 'search:\n  slo: 0.9999\n',"
                 " 'grid', 30, 3, 7, 'cost_per_month_usd,availability', '0.1.0',"
                 " '{\"population\":40,\"statistic\":\"p5\"}')");
    exec_ok(&st, "INSERT INTO candidates SELECT 2, candidate_id, generation, params_json,"
                 " params_hash FROM candidates WHERE optimization_id = 1");
    exec_ok(&st, "INSERT INTO candidate_results(optimization_id, candidate_id, replica,"
                 " cost_per_month_usd, availability, ondemand_baseline_usd, horizon_hours)"
                 " SELECT 2, candidate_id, replica, cost_per_month_usd, availability,"
                 " ondemand_baseline_usd, horizon_hours FROM candidate_results"
                 " WHERE optimization_id = 1");
    /* Run 1: same scenario hash, 3 replicas, timeline of replica 0. */
    assert_int_equal(sqlite3_prepare_v2(st.db,
                                        "INSERT INTO runs(id, created_at, scenario_name,"
                                        " scenario_hash, scenario_text, orchestrator, seed,"
                                        " replicas, version) VALUES(1, '2024-04-01T01:00:00Z', ?,"
                                        " 'h1', ?, 'ecs', 7, 3, '0.1.0')",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, yaml, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
    for (int r = 0; r < 3; r++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO run_results(run_id, replica, cost_per_month_usd, cost_usd,"
                 " availability, shortfall_episodes, interruptions, ondemand_baseline_usd,"
                 " horizon_hours) VALUES(1, %d, %d, %d, %.6f, 2, 3, 933.3333333333334, 48)",
                 r, 300 + r, 20 + r, 0.97 + 0.001 * r);
        exec_ok(&st, sql);
    }
    for (int k = 0; k <= 48 * 6; k++) { /* every 10 minutes for 48 h */
        double h = k / 6.0, healthy = 10;
        int spot = 8, od = 2;
        const char *ev = "NULL";
        if (h >= 12 && h < 12.5) {
            healthy = 7;
            spot = 5;
        }
        if (h >= 30 && h < 31) {
            healthy = 8;
            spot = 6;
        }
        if (k == 12 * 6)
            ev = "'interruption'";
        if (k == 20 * 6 - 1)
            ev = "'rebalance-recommendation'";
        if (k == 20 * 6)
            ev = "'interruption'";
        if (k == 30 * 6)
            ev = "'interruption'";
        if (k == 29 * 6 + 3)
            ev = "'outage-start'";
        if (k == 33 * 6)
            ev = "'outage-end'";
        snprintf(sql, sizeof sql,
                 "INSERT INTO run_timeline VALUES(1, 0, %lld, 10, %g, 10, %g, 0, %d, %d, %s, %.17g,"
                 " %.17g)",
                 (long long)(T0 + k * HOUR / 6), healthy, healthy, spot, od, ev,
                 /* billed so far: 15 USD Spot and 5 On-Demand over the 288 rows */
                 k * 15.0 / 288, k * 5.0 / 288);
        exec_ok(&st, sql);
    }
    /* Market: 6 pools in us-east-1, one in eu-west-1. */
    static const char *zones[] = {"us-east-1a", "us-east-1b", "us-east-1c"};
    static const char *types[] = {"m5.large", "c5.large"};
    static const double od_price[] = {0.096, 0.085};
    int inst = 0;
    for (int ti = 0; ti < 2; ti++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO ondemand_prices(region, instance_type, os, usd_per_hour, source_id)"
                 " VALUES('us-east-1', '%s', 'Linux', %g, NULL)",
                 types[ti], od_price[ti]);
        exec_ok(&st, sql);
        for (int zi = 0; zi < 3; zi++) {
            sqlite3_int64 pid;
            if (ss_store_pool_id(&st, "us-east-1", zones[zi], types[ti], "Linux/UNIX", &pid, &err))
                fail_msg("%s", err.msg);
            for (int k = 0; k < 28 * 4; k++) { /* every 6 h for 4 weeks */
                double p = od_price[ti] * (0.35 + 0.04 * zi + 0.03 * sin(k * 0.3 + zi + ti));
                snprintf(sql, sizeof sql, "INSERT INTO spot_prices VALUES(%lld, %lld, %.5f, NULL)",
                         (long long)pid, (long long)(T0 + k * 6 * HOUR), p);
                exec_ok(&st, sql);
            }
            for (int j = 0; j < 10; j++, inst++) { /* 10 Spot instances per pool */
                long long launch = T0 + (long long)(j * 50 + zi * 7) * HOUR;
                long long life = (long long)(20 + 13 * j + 11 * zi + 5 * ti) * HOUR;
                int interrupted = (j + zi + ti) % 3 == 0;
                int running = j == 9;
                snprintf(sql, sizeof sql,
                         "INSERT INTO instances VALUES('i-%04d', %lld, 'spot', %lld, %s, %s, NULL)",
                         inst, (long long)pid, launch,
                         running ? "NULL" : tu_fmt("%lld", launch + life),
                         running ? "NULL" : interrupted ? "'spot-interruption'" : "'scale-in'");
                exec_ok(&st, sql);
                if (interrupted && !running) {
                    snprintf(sql, sizeof sql,
                             "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms,"
                             " region, action) VALUES('w%d', 'interruption-warning', 'i-%04d',"
                             " %lld, 'us-east-1', 'terminate')",
                             inst, inst, launch + life - 120000);
                    exec_ok(&st, sql);
                    /* the same instance's interruption record: counted once */
                    snprintf(sql, sizeof sql,
                             "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms,"
                             " region, pool_id) VALUES('x%d', 'interruption', 'i-%04d', %lld,"
                             " 'us-east-1', %lld)",
                             inst, inst, launch + life, (long long)pid);
                    exec_ok(&st, sql);
                }
            }
        }
    }
    sqlite3_int64 eu;
    if (ss_store_pool_id(&st, "eu-west-1", "eu-west-1a", "r5.large", "Linux/UNIX", &eu, &err))
        fail_msg("%s", err.msg);
    snprintf(sql, sizeof sql, "INSERT INTO spot_prices VALUES(%lld, %lld, 0.05, NULL)",
             (long long)eu, (long long)T0);
    exec_ok(&st, sql);
    exec_ok(&st, "COMMIT");
    ss_store_close(&st);
}

/* ---- Output checks -------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const char *path)
{
    size_t n;
    unsigned char *b = (unsigned char *)tu_read_file(path, &n);
    if (!b)
        fail_msg("%s: missing", path);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 33 || memcmp(b, sig, 8) || memcmp(b + 12, "IHDR", 4))
        fail_msg("%s: not a PNG", path);
    if (be32(b + 16) != 1280 || be32(b + 20) != 720)
        fail_msg("%s: %ux%u, want 1280x720", path, be32(b + 16), be32(b + 20));
    /* a blank 1280x720 white PNG compresses to ~5 kB; charts are far bigger */
    if (n < 20000)
        fail_msg("%s: only %zu bytes: blank chart?", path, n);
    free(b);
}

static void check_svg(const char *path, int min_paths)
{
    char *b = tu_read_file(path, NULL);
    if (!b)
        fail_msg("%s: missing", path);
    if (strncmp(b, "<?xml", 5) && strncmp(b, "<svg", 4))
        fail_msg("%s: not SVG", path);
    char *svg = strstr(b, "<svg");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "width=\"1280\""));
    assert_non_null(strstr(svg, "height=\"720\""));
    assert_non_null(strstr(b, "</svg>"));
    int paths = 0;
    for (char *p = b; (p = strstr(p, "<path")); p++)
        paths++;
    if (paths < min_paths)
        fail_msg("%s: %d <path> elements, want >= %d: blank chart?", path, paths, min_paths);
    free(b);
}

static const char *charts_opt[] = {"frontier", "timeline", "cost", "sensitivity", "prices_0",
                                   "prices_1", "heatmap", "survival"};

static int run_report(const char *db, const char *out, const char *extra, const char *errfile)
{
    return tu_system(tu_fmt("'%s' report --db '%s' --out '%s' %s >/dev/null 2>'%s'",
                            tu_spotsim_bin(), db, out, extra, errfile));
}

/* Every file of dir a (recursively) exists in b with the same bytes. */
static void compare_trees(const char *a, const char *b, int *count)
{
    DIR *d = opendir(a);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
        struct stat st;
        assert_int_equal(stat(pa, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            compare_trees(pa, pb, count);
            continue;
        }
        size_t na, nb;
        char *x = tu_read_file(pa, &na), *y = tu_read_file(pb, &nb);
        if (!y || na != nb || memcmp(x, y, na))
            fail_msg("%s and %s differ: the report is not reproducible", pa, pb);
        free(x);
        free(y);
        (*count)++;
    }
    closedir(d);
}

static void check_links(const char *dir)
{
    char *h = tu_read_file(tu_fmt("%s/index.html", dir), NULL);
    assert_non_null(h);
    int links = 0;
    static const char *attrs[] = {"src=\"", "href=\""};
    for (size_t a = 0; a < 2; a++)
        for (char *p = h; (p = strstr(p, attrs[a])); p++) {
            p += strlen(attrs[a]);
            char *q = strchr(p, '"');
            assert_non_null(q);
            char link[512];
            snprintf(link, sizeof link, "%.*s", (int)(q - p), p);
            if (strstr(link, "://") || link[0] == '/' || strstr(link, ".."))
                fail_msg("index.html links outside the report: %s", link);
            struct stat st;
            if (stat(tu_fmt("%s/%s", dir, link), &st) != 0)
                fail_msg("index.html links to missing %s", link);
            links++;
        }
    /* 7 charts: 7 images + 7 SVG links */
    assert_true(links >= 14);
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, "<script"));
    free(h);
}

static void assert_empty_file(const char *path)
{
    size_t n;
    char *t = tu_read_file(path, &n);
    assert_non_null(t);
    if (n)
        fail_msg("stderr not empty (gnuplot warnings?):\n%s", t);
    free(t);
}

static void test_report_optimization(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char db[600];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    make_store(db, tmp);
    char d1[600], d2[600], e1[600];
    snprintf(d1, sizeof d1, "%s/r1", tmp);
    snprintf(d2, sizeof d2, "%s/r2", tmp);
    snprintf(e1, sizeof e1, "%s/err1", tmp);
    assert_int_equal(run_report(db, d1, "--optimization 1", e1), 0);
    assert_empty_file(e1);
    for (size_t i = 0; i < SS_ARRAY_LEN(charts_opt); i++) {
        check_png(tu_fmt("%s/%s.png", d1, charts_opt[i]));
        check_svg(tu_fmt("%s/%s.svg", d1, charts_opt[i]), 20);
    }
    check_links(d1);
    /* the backquote never ran */
    struct stat st;
    assert_int_not_equal(stat(tu_fmt("%s/PWNED", tmp), &st), 0);
    /* no staging directory is left behind */
    DIR *d = opendir(d1);
    struct dirent *e;
    while ((e = readdir(d)))
        assert_null(strstr(e->d_name, "staging"));
    closedir(d);

    /* What the page says, worked out by hand in make_store: candidate 3,
     * $300/month vs $1800 simulated all On-Demand (1800 / 300 = 6.0x,
     * 300 / 1800 - 1 = -83 %), availability 0.9998 (99.98%). */
    char *h = tu_read_file(tu_fmt("%s/index.html", d1), NULL);
    char *m = tu_read_file(tu_fmt("%s/index.md", d1), NULL);
    assert_non_null(strstr(h, "Recommended configuration (candidate 3 of 30 evaluated)"));
    assert_non_null(strstr(h, "$300 per month, against $1800 per month for the scenario as written, "
                              "simulated all On-Demand"));
    assert_non_null(strstr(h, "6.0x cheaper (-83%)"));
    assert_non_null(strstr(h, "available 99.98% of the time"));
    /* error budget per 30-day month (43,200 min): SLO 0.999 allows 43.2
     * min; unavailability 0.0002 spends 8.64 min; 34.56 min (80%) left */
    assert_non_null(strstr(h, "8.6 minutes below the SLO minimum per 30-day month against an error budget of "
                              "43.2 minutes: 34.6 minutes (80% of the budget) left"));
    assert_non_null(strstr(h, "asg.on_demand_base_capacity = 2"));
    assert_non_null(strstr(m, "Recommended configuration (candidate 3 of 30 evaluated)"));
    assert_non_null(strstr(m, "6.0x cheaper (-83%)"));
    assert_non_null(strstr(m, "![frontier](frontier.png)"));
    assert_null(strstr(h, "<b>&")); /* the hostile name is escaped */
    assert_non_null(strstr(h, "&lt;b&gt;&amp;"));
    free(h);
    free(m);

    /* frontier_line.tsv, candidate 3: cost 298/300/302 -> half-width 4.968275 */
    char *fl = tu_read_file(tu_fmt("%s/data/frontier_line.tsv", d1), NULL);
    char *row = strstr(fl, "\n3\t");
    assert_non_null(row);
    double id, cost, ap, un, lo, hi;
    assert_int_equal(sscanf(row + 1, "%lf\t%lf\t%lf\t%lf\t%lf\t%lf", &id, &cost, &ap, &un, &lo, &hi),
                     6);
    assert_true(fabs(cost - 300) < 1e-6 && fabs(lo - (300 - 4.968275)) < 1e-4 &&
                fabs(hi - (300 + 4.968275)) < 1e-4);
    assert_true(fabs(ap - 99.98) < 1e-6);
    /* frontier: base 0..4 with strategy 0 and pools 0 = ids 1..5, nothing else
     * (any other candidate costs more for less availability) */
    int rows = 0;
    for (char *p = fl; (p = strchr(p, '\n')) && p[1]; p++)
        rows++;
    assert_int_equal(rows, 5);
    free(fl);

    /* the eu-west-1 pool is outside the scenario's region */
    char *pr = tu_read_file(tu_fmt("%s/data/prices_0.tsv", d1), NULL);
    assert_null(strstr(pr, "eu-west-1"));
    free(pr);
    /* heatmap counts: the warning and the interruption of one instance count
     * once, so the grid sums to the number of interrupted instances. In each
     * pool j = 0..8 ends, interrupted when (j + zone + type) % 3 == 0: 3 per pool. */
    char *hm = tu_read_file(tu_fmt("%s/data/heatmap.tsv", d1), NULL);
    long sum = 0;
    for (char *line = strchr(hm, '\n'); line; line = strchr(line + 1, '\n')) {
        long w, pidx, c;
        /* one grid cell per line; blank lines separate weeks */
        if (line[1] != '\n' && line[1] != '#' &&
            sscanf(line + 1, "%ld\t%ld\t%ld", &w, &pidx, &c) == 3)
            sum += c;
    }
    assert_int_equal(sum, 6 * 3);
    free(hm);

    /* Sensitivity: titles in words; values stored as strings ("2") sort as
     * numbers; abbreviated strategy labels. Per value the mean file averages
     * its candidates: base = i % 5 over 30 candidates -> 6 candidates per
     * value; base 2 (i = 2, 7, ..., 27): strategy i/10 = 0,0,1,1,2,2 -> mean
     * 7 x 1 = 7; pools (i/5)%2 = 0,1,0,1,0,1 -> 3 x 0.5 = 1.5; replicas
     * r = 0..2 add 2(r-1), mean 0: cost 200 + 100 + 7 + 1.5 = 308.5. */
    char *sp = tu_read_file(tu_fmt("%s/data/sensitivity.params.gp", d1), NULL);
    assert_non_null(strstr(sp, "panel_title_0 = 'On-Demand base (instances)'"));
    assert_non_null(strstr(sp, "n_cat_0 = 5"));
    assert_non_null(strstr(sp, "cat_0_2 = '2'"));
    assert_non_null(strstr(sp, "panel_title_1 = 'Spot allocation strategy'"));
    assert_non_null(strstr(sp, "cat_1_2 = 'price-cap-opt'"));
    free(sp);
    char *sm = tu_read_file(tu_fmt("%s/data/sensitivity_0_mean.tsv", d1), NULL);
    assert_non_null(sm);
    char *mrow = strstr(sm, "\n2\t");
    assert_non_null(mrow);
    double mav, mcost;
    long ncand;
    assert_int_equal(sscanf(mrow + 1, "2\t%lf\t%lf\t%ld", &mav, &mcost, &ncand), 3);
    assert_int_equal(ncand, 6);
    assert_true(fabs(mcost - 308.5) < 1e-6);
    free(sm);

    /* reproducible: byte-identical second report (HTML, MD, TSV, SVG, PNG) */
    assert_int_equal(run_report(db, d2, "--optimization 1", e1), 0);
    int n = 0;
    compare_trees(d1, d2, &n);
    assert_true(n >= 7 * 3 + 2);
    tu_rmtree(tmp);
    free(tmp);
}

static void test_load_optim(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char db[600];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    make_store(db, tmp);
    ss_store st;
    ss_err err = {{0}};
    ss_report_optim o;
    assert_int_equal(ss_store_open(&st, db, 1, &err), 0);
    assert_int_equal(ss_report_load_optim(&st, 1, &o, &err), 0);
    assert_true(o.slo == 0.999 && o.slo_stored && !strcmp(o.statistic, "mean"));
    assert_true(o.cost_floor_month == 180.0);
    assert_int_equal(o.n_cands, 30);
    assert_int_equal(o.n_frontier, 5);
    assert_int_equal(o.cands[o.recommended].id, 3);
    assert_true(o.recommended_meets_slo);
    assert_int_equal(o.n_params, 3);
    assert_string_equal(o.param_names[0], "asg.on_demand_base_capacity");
    ss_report_optim_free(&o);
    /* SLO 0.9999 from search.slo, statistic p5: base 3 (unavailability
     * 2e-5 x 0.9/1/1.1) has p5 = 1 - 2.2e-5 + 0.1 x 0.2e-5 = 0.9999782 >= 0.9999,
     * base 2 (2e-4) does not: candidate 4. */
    assert_int_equal(ss_report_load_optim(&st, 2, &o, &err), 0);
    assert_true(o.slo == 0.9999 && o.slo_stored && !strcmp(o.statistic, "p5"));
    assert_true(isnan(o.cost_floor_month));
    assert_int_equal(o.cands[o.recommended].id, 4);
    assert_true(fabs(o.cands[o.recommended].avail_stat - 0.9999782) < 1e-9);
    ss_report_optim_free(&o);
    assert_int_equal(ss_report_load_optim(&st, 3, &o, &err), -1);
    assert_non_null(strstr(err.msg, "no optimization with id 3"));
    ss_store_close(&st);
    tu_rmtree(tmp);
    free(tmp);
}

/* --latest: the newest optimization a user started, not one a backtest
 * stored for its training window (ids 1 user, 2 backtest => 1; then 3 user => 3). */
static void test_latest_skips_backtest_optimizations(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_store st;
    ss_err err = {{0}};
    if (ss_store_open(&st, tu_fmt("%s/l.db", dir), 0, &err))
        fail_msg("%s", err.msg);
    const char *opt = "INSERT INTO optimizations(created_at, scenario_name, scenario_hash, method,"
                      " budget, replicas, seed, objectives, version) VALUES"
                      "('t', 's', 'h', 'grid', 1, 1, 1, 'a,b', 'v');";
    exec_ok(&st, opt);
    exec_ok(&st, opt);
    exec_ok(&st, "INSERT INTO backtests(created_at, scenario_name, scenario_hash, fold,"
                 " train_from_ms, train_to_ms, test_from_ms, test_to_ms, optimization_id,"
                 " realized_source, summary_json) VALUES('t', 's', 'h', 0, 0, 1, 1, 2, 2, 'log', '{}')");
    int64_t id = -1;
    assert_int_equal(ss_report_latest(&st, "optimizations", &id, &err), 0);
    assert_int_equal(id, 1);
    exec_ok(&st, opt);
    assert_int_equal(ss_report_latest(&st, "optimizations", &id, &err), 0);
    assert_int_equal(id, 3);
    ss_store_close(&st);
    tu_rmtree(dir);
    free(dir);
}

static void test_report_modes(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char db[600];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    make_store(db, tmp);
    char out[600], ef[600];
    snprintf(ef, sizeof ef, "%s/err", tmp);

    /* --stats: market data alone, SVG only */
    snprintf(out, sizeof out, "%s/stats", tmp);
    assert_int_equal(run_report(db, out, "--stats --format svg", ef), 0);
    assert_empty_file(ef);
    static const char *stats_charts[] = {"prices_0", "prices_1", "prices_2", "heatmap",
                                         "weekly_zone", "weekly_type", "survival"};
    for (size_t i = 0; i < SS_ARRAY_LEN(stats_charts); i++)
        check_svg(tu_fmt("%s/%s.svg", out, stats_charts[i]), 10);
    struct stat st;
    assert_int_not_equal(stat(tu_fmt("%s/frontier.svg", out), &st), 0);
    assert_int_not_equal(stat(tu_fmt("%s/heatmap.png", out), &st), 0);

    /* --latest with the log availability axis, PNG only */
    snprintf(out, sizeof out, "%s/log", tmp);
    assert_int_equal(run_report(db, out, "--latest --log-availability --format png", ef), 0);
    assert_empty_file(ef);
    check_png(tu_fmt("%s/frontier.png", out));
    char *pp = tu_read_file(tu_fmt("%s/data/frontier.params.gp", out), NULL);
    assert_non_null(strstr(pp, "logscale = 1"));
    free(pp);

    /* --run only: the timeline, no frontier */
    snprintf(out, sizeof out, "%s/run", tmp);
    assert_int_equal(run_report(db, out, "--run 1 --format png", ef), 0);
    check_png(tu_fmt("%s/timeline.png", out));
    assert_int_not_equal(stat(tu_fmt("%s/frontier.png", out), &st), 0);
    /* the timeline's two shortfall episodes (12:00-12:30, 30:00-31:00) and one
     * outage (29:30-33:00) become three shaded rectangles */
    char *tp = tu_read_file(tu_fmt("%s/data/timeline.params.gp", out), NULL);
    int rects = 0;
    for (char *p = tp; (p = strstr(p, "set object")); p++)
        rects++;
    assert_int_equal(rects, 3);
    assert_non_null(strstr(tp, tu_fmt("rect from %lld,", (T0 + 12 * HOUR) / 1000)));
    free(tp);
    /* cost over time: the last row's 15 + 5 = 20 USD in the title, the axis
     * up to 20 * 1.1 = 22 USD */
    check_png(tu_fmt("%s/cost.png", out));
    char *cp = tu_read_file(tu_fmt("%s/data/cost.params.gp", out), NULL);
    assert_non_null(strstr(cp, "20.00 USD billed (Spot 15.00, On-Demand 5.00)"));
    assert_non_null(strstr(cp, "ymax_usd = 22"));
    free(cp);

    /* a missing run fails and writes nothing */
    snprintf(out, sizeof out, "%s/none", tmp);
    assert_int_equal(run_report(db, out, "--run 99", ef), 1);
    assert_int_not_equal(stat(tu_fmt("%s/index.html", out), &st), 0);
    char *e = tu_read_file(ef, NULL);
    assert_non_null(strstr(e, "no run with id 99"));
    free(e);

    /* usage errors */
    assert_int_equal(run_report(db, out, "--format gif", ef), 2);
    assert_int_equal(run_report(db, out, "--run 1 --stats", ef), 2);
    assert_int_equal(run_report(db, out, "--bogus", ef), 2);

    /* gnuplot missing: PATH is an empty directory */
    char empty[600];
    snprintf(empty, sizeof empty, "%s/emptybin", tmp);
    assert_int_equal(mkdir(empty, 0700), 0);
    int rc = tu_system(tu_fmt("PATH='%s' '%s' report --db '%s' --out '%s/nogp' --stats"
                              " >/dev/null 2>'%s'",
                              empty, tu_spotsim_bin(), db, tmp, ef));
    assert_int_equal(rc, 1);
    e = tu_read_file(ef, NULL);
    assert_non_null(strstr(e, "gnuplot not found: install it with 'apt-get install gnuplot-nox'"));
    free(e);
    tu_rmtree(tmp);
    free(tmp);
}

/* The scenario's pools for the market charts (issue 15 item 15): names of
 * a sequence of scalars or of mappings' `name`, as ",a,b,". */
static void test_yaml_names(void **state)
{
    (void)state;
    const char *y = "market:\n  zones: [us-east-1a, us-east-1b]\n  instance_types:\n    - m5.large\n"
                    "    - {name: c5.large, vcpu: 2}\n";
    char out[256];
    assert_int_equal(ss_report_yaml_names(y, "market.instance_types", out, sizeof out), 2);
    assert_string_equal(out, ",m5.large,c5.large,");
    assert_int_equal(ss_report_yaml_names(y, "market.zones", out, sizeof out), 2);
    assert_string_equal(out, ",us-east-1a,us-east-1b,");
    assert_int_equal(ss_report_yaml_names(y, "market.region", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(ss_report_yaml_names("a: [", "a", out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_interval),
        cmocka_unit_test(test_pareto),
        cmocka_unit_test(test_kaplan_meier),
        cmocka_unit_test(test_iso_week_and_formats), cmocka_unit_test(test_yaml_names),
        cmocka_unit_test(test_load_optim),
        cmocka_unit_test(test_report_optimization),
        cmocka_unit_test(test_report_modes),
        cmocka_unit_test(test_latest_skips_backtest_optimizations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
