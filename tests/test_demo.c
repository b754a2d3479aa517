/*
 * test_demo.c - the main job a new user runs: scripts/demo (import, stats,
 * run, optimize, exports, report) on the bundled samples, through the
 * binary, into a temporary directory, with a tiny search budget so that it
 * stays fast. Checks what a user relies on: every stage succeeds, the
 * frontier and the recommendation exist and agree with the store, the
 * exported launch configuration is the recommended candidate's, and the
 * report's page exists with every link resolving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "tests/testutil.h"

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = tu_mkdtemp();
    return tmp ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(tmp);
    free(tmp);
    return 0;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *c = text; *c; c++)
        n += *c == '\n';
    return n;
}

/* Every src="..." and href="..." of the page names a file of the report
 * directory (relative, no "..", exists). Returns the number of links. */
static int check_links(const char *html, const char *dir)
{
    int n = 0;
    static const char *const attrs[] = {"src=\"", "href=\""};
    for (size_t a = 0; a < 2; a++)
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *v = p + strlen(attrs[a]);
            const char *e = strchr(v, '"');
            assert_non_null(e);
            char rel[512];
            snprintf(rel, sizeof rel, "%.*s", (int)(e - v), v);
            if (rel[0] == '/' || strstr(rel, "..") || strstr(rel, "://"))
                fail_msg("report link '%s' leaves the report directory", rel);
            if (!exists(tu_fmt("%s/%s", dir, rel)))
                fail_msg("report link '%s' does not resolve in %s", rel, dir);
            n++;
        }
    return n;
}

/* The params_json value of one key of a stored candidate. */
static char *stored_param(const char *db, int cand, const char *key)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "SELECT params_json FROM candidates WHERE optimization_id ="
                                        " (SELECT max(id) FROM optimizations) AND candidate_id = ?",
                                        -1, &s, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(s, 1, cand);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    json_t *j = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
    assert_non_null(j);
    json_t *v = json_object_get(j, key);
    assert_non_null(v);
    char *out = strdup(json_is_string(v) ? json_string_value(v) : "?");
    json_decref(j);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return out;
}

static void demo_runs_every_stage_on_the_bundled_samples(void **state)
{
    (void)state;
    const char *src = tu_source_dir();
    char out[1024]; /* not a tu_fmt buffer: those are reused */
    snprintf(out, sizeof out, "%s/demo", tmp);
    char log[1024], errlog[1024];
    snprintf(log, sizeof log, "%s/stdout.txt", tmp);
    snprintf(errlog, sizeof errlog, "%s/stderr.txt", tmp);
    /* 16 candidates x 2 replicas: a small search, still a frontier (the
     * scenario's own budget is 300 x 8) */
    int rc = tu_system(tu_fmt("'%s/scripts/demo' --no-build --bin '%s' --out '%s' --budget 16"
                              " --replicas 2 >'%s' 2>'%s'",
                              src, tu_spotsim_bin(), out, log, errlog));
    if (rc != 0) {
        char *e = tu_read_file(errlog, NULL);
        fail_msg("scripts/demo exited %d:\n%s", rc, e ? e : "(no stderr)");
    }
    char *so = tu_read_file(log, NULL);
    assert_non_null(so);

    /* 1-2. import and stats */
    assert_true(exists(tu_fmt("%s/spotsim.db", out)));
    char *stats = tu_read_file(tu_fmt("%s/stats-prices.txt", out), NULL);
    assert_non_null(stats);
    assert_non_null(strstr(stats, "m3.medium us-east-1b")); /* a pool of the 2016 sample */
    free(stats);

    /* 3. run: the summary names the run, and the timeline covers the 59 days
     * (one row per minute at least: 59 x 1440 = 84,960) */
    char *run = tu_read_file(tu_fmt("%s/run.txt", out), NULL);
    assert_non_null(run);
    assert_non_null(strstr(run, "run 1: ecs-api-3az-2016"));
    assert_non_null(strstr(run, "2016-02-26T00:00:00Z .. 2016-04-25T00:00:00Z (1416.0 h)"));
    free(run);
    char *tl = tu_read_file(tu_fmt("%s/timeline.csv", out), NULL);
    assert_non_null(tl);
    assert_true(count_lines(tl) > 84960);
    free(tl);

    /* 4. optimize: frontier.csv has its header and one row per candidate */
    char *fr = tu_read_file(tu_fmt("%s/optimization/frontier.csv", out), NULL);
    assert_non_null(fr);
    assert_true(strncmp(fr, "candidate_id,generation,params_hash,", 36) == 0);
    assert_non_null(strstr(fr, "cost_per_month_usd_mean"));
    assert_non_null(strstr(fr, "availability_mean"));
    assert_true(count_lines(fr) - 1 >= 2);
    free(fr);
    char *rec = tu_read_file(tu_fmt("%s/optimization/recommendation.txt", out), NULL);
    assert_non_null(rec);
    int cand = -1;
    const char *r = strstr(rec, "Recommended: candidate ");
    assert_non_null(r);
    assert_int_equal(sscanf(r, "Recommended: candidate %d", &cand), 1);
    assert_true(cand >= 0 && cand < 16);
    free(rec);

    /* the exported ASG is the recommended candidate's: its On-Demand share
     * above the base equals the stored parameter of that candidate */
    char *asg = tu_read_file(tu_fmt("%s/optimization/asg.json", out), NULL);
    assert_non_null(asg);
    json_t *aj = json_loads(asg, 0, NULL);
    assert_non_null(aj);
    json_t *dist = json_object_get(json_object_get(aj, "MixedInstancesPolicy"),
                                   "InstancesDistribution");
    char db[1100];
    snprintf(db, sizeof db, "%s/spotsim.db", out);
    char *pct = stored_param(db, cand, "asg.on_demand_percentage_above_base_capacity");
    char *base = stored_param(db, cand, "asg.on_demand_base_capacity");
    assert_int_equal(json_integer_value(json_object_get(dist, "OnDemandPercentageAboveBaseCapacity")),
                     atoi(pct));
    assert_int_equal(json_integer_value(json_object_get(dist, "OnDemandBaseCapacity")), atoi(base));
    free(pct);
    free(base);
    json_decref(aj);
    free(asg);
    assert_true(exists(tu_fmt("%s/optimization/main.tf", out)));

    /* 6. fit and backtest: the fit report names the joint capacity process
     * of the four 2023-02 zones (1-node traces read as available counts:
     * levels 0 and 1), the backtest scored all 16 candidates */
    char *fit = tu_read_file(tu_fmt("%s/fit.txt", out), NULL);
    assert_non_null(fit);
    assert_non_null(strstr(fit, "joint semi-Markov over capacity levels 0..1 of 4 zones"));
    free(fit);
    char *bt = tu_read_file(tu_fmt("%s/backtest.txt", out), NULL);
    assert_non_null(bt);
    assert_non_null(strstr(bt, "calibration      16 candidates"));
    assert_non_null(strstr(bt, "realized with    max-price (price rule)"));
    free(bt);
    assert_true(exists(tu_fmt("%s/backtest/backtest.csv", out)));

    /* 5. report: the page exists, names the recommended candidate, every
     * link resolves; the demo ends by printing its path */
    char rdir[1100];
    snprintf(rdir, sizeof rdir, "%s/report", out);
    char *html = tu_read_file(tu_fmt("%s/index.html", rdir), NULL);
    assert_non_null(html);
    assert_non_null(strstr(html, tu_fmt("Recommended configuration (candidate %d of 16", cand)));
    assert_true(check_links(html, rdir) >= 6); /* frontier, timeline, sensitivity, prices, ... */
    assert_true(exists(tu_fmt("%s/frontier.png", rdir)));
    /* the evidence charts: the fit's Q-Q chart and the backtest of this scenario */
    assert_non_null(strstr(html, "Goodness of fit of the lifetime model"));
    assert_non_null(strstr(html, "Would it have held up? Backtest"));
    assert_non_null(strstr(html, "1 fold, 16 candidate evaluations, realized with max-price"));
    assert_true(exists(tu_fmt("%s/qq.png", rdir)));
    assert_true(exists(tu_fmt("%s/backtest.png", rdir)));
    assert_true(exists(tu_fmt("%s/timeline.png", rdir)));
    /* cost over time of the run (its timeline carries the USD billed so far) */
    assert_true(exists(tu_fmt("%s/cost.png", rdir)));
    assert_true(exists(tu_fmt("%s/cost.svg", rdir)));
    free(html);
    char want[1200];
    snprintf(want, sizeof want, "Report: %s/report/index.html\n", out);
    size_t lw = strlen(want), ls = strlen(so);
    assert_true(ls >= lw && strcmp(so + ls - lw, want) == 0);
    free(so);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(demo_runs_every_stage_on_the_bundled_samples, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
