/*
 * test_cli_ux.c - the CLI as an SRE uses it (issue 15):
 *   1. one SLO rule everywhere: "99.9%" or 0.999; a bare 99.9 or 1 is
 *      refused with a message, on the command line and in the scenario;
 *   5. optimize progress: the true total (budget x replicas, or the grid)
 *      and, when stderr is not a terminal, no line per batch;
 *  10. did-you-mean for commands, options and enum values; every command's
 *      help ends with examples whose files exist;
 *  11. --json on import, optimize and export; run --json --quiet is JSON;
 *  14. SPOTSIM_DB is the default store.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <sqlite3.h>

#include "sim/kernel/util.h"
#include "sim/scenario/scenario_io.h"
#include "tests/optimize_cli.h"

static const char *bin(void) { return tu_spotsim_bin(); }

/* ---- 1: the SLO ------------------------------------------------------------------ */

static void test_slo_rule(void **state)
{
    (void)state;
    double f = -1;
    ss_err err;
    /* "99.9%" = 0.999; "0.999" = 0.999; "100%" = 1; "0.5 %" = 0.005 */
    assert_int_equal(ss_slo_parse("99.9%", false, &f, &err), 0);
    assert_true(f == 99.9 / 100.0);
    assert_int_equal(ss_slo_parse("0.999", false, &f, &err), 0);
    assert_true(f == 0.999);
    assert_int_equal(ss_slo_parse("100%", false, &f, &err), 0);
    assert_true(f == 1.0);
    assert_int_equal(ss_slo_parse("0.5 %", false, &f, &err), 0);
    assert_true(f == 0.005);
    /* two readings: refused, and the message says how to write it */
    assert_int_equal(ss_slo_parse("99.9", false, &f, &err), -1);
    assert_non_null(strstr(err.msg, "write 99.9%"));
    assert_non_null(strstr(err.msg, "0.999"));
    assert_int_equal(ss_slo_parse("1", false, &f, &err), -1);
    assert_non_null(strstr(err.msg, "100%"));
    /* not an availability at all */
    assert_int_equal(ss_slo_parse("150%", false, &f, &err), -1);
    assert_int_equal(ss_slo_parse("-0.1", false, &f, &err), -1);
    assert_int_equal(ss_slo_parse("abc", false, &f, &err), -1);
    assert_int_equal(ss_slo_parse("0", false, &f, &err), -1);
    assert_int_equal(ss_slo_parse("0", true, &f, &err), 0); /* search.slo: 0 = none */
    assert_true(f == 0.0);

    /* the scenario's search.slo: the same rule, with file and line */
    char *text = tu_read_file(oc_scenario(), NULL);
    assert_non_null(text);
    char *p = strstr(text, "slo: 99.5%");
    assert_non_null(p);
    p[strlen("slo: 99.5")] = ' '; /* "slo: 99.5 " */
    ss_scenario *sc = malloc(sizeof *sc);
    assert_int_equal(ss_scenario_load_string(text, "s.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "s.yaml:"));
    assert_non_null(strstr(err.msg, "can be read two ways"));
    p[strlen("slo: 99.5")] = '%';
    assert_int_equal(ss_scenario_load_string(text, "s.yaml", sc, &err), 0);
    assert_true(sc->search.slo_availability == 0.995);
    free(sc);
    free(text);

    /* the command line: exit 2, nothing run */
    char *tmp = tu_mkdtemp();
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s/s.db' --slo 99.9 >/dev/null 2>'%s/err'", bin(),
                                      oc_scenario(), tmp, tmp)),
                     2);
    char *e = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    assert_non_null(strstr(e, "--slo: '99.9' can be read two ways"));
    free(e);
    struct stat sb;
    assert_int_not_equal(stat(tu_fmt("%s/s.db", tmp), &sb), 0); /* no store created */
    /* backtest --slo: the same rule */
    assert_int_equal(tu_system(tu_fmt("'%s' backtest '%s' --db '%s/s.db' --train 2020-03-07T00:00:00Z..2020-03-14T00:00:00Z "
                                      "--test 2020-03-14T00:00:00Z..2020-03-21T00:00:00Z --slo 99.5 >/dev/null 2>'%s/err'",
                                      bin(), oc_scenario(), tmp, tmp)),
                     2);
    e = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    assert_non_null(strstr(e, "--slo: '99.5' can be read two ways"));
    free(e);
    tu_rmtree(tmp);
    free(tmp);
}

/* ---- 5: progress ------------------------------------------------------------------ */

/* Lines of text that start with prefix. */
static int count_lines(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, prefix, strlen(prefix)))
            n++;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return n;
}

static int count_occurrences(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void test_progress_total(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char db[1024];
    snprintf(db, sizeof db, "%s/s.db", tmp);
    oc_import(db);
    /* grid: 24 candidates x 2 replicas = 48 slots, in 3 batches of 16 (one
     * thread). stderr is a file: a line at most every 10 s and one at the
     * end, never one per batch; every line says the true total, 48 */
    double t0 = ss_wall_seconds();
    assert_int_equal(tu_system(tu_fmt("OMP_NUM_THREADS=1 '%s' optimize '%s' --db '%s' --out '%s/g' --threads 1 "
                                      ">/dev/null 2>'%s/grid.err'",
                                      bin(), oc_scenario(), db, tmp, tmp)),
                     0);
    double took = ss_wall_seconds() - t0;
    char *e = tu_read_file(tu_fmt("%s/grid.err", tmp), NULL);
    int lines = count_lines(e, "optimize: ");
    assert_true(lines >= 1 && lines <= 1 + (int)(took / 10.0));
    assert_int_equal(count_lines(e, "optimize: "), count_occurrences(e, "/48 evaluations ("));
    assert_non_null(strstr(e, "optimize: 48/48 evaluations (100%)"));
    free(e);
    /* NSGA-II, budget 6 x 3 replicas: the total is 18 from the first
     * report (it used to be "submitted so far"), and the last line 18/18 */
    t0 = ss_wall_seconds();
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/n' --method nsga2 --budget 6 "
                                      "--replicas 3 >/dev/null 2>'%s/nsga.err'",
                                      bin(), oc_scenario(), db, tmp, tmp)),
                     0);
    took = ss_wall_seconds() - t0;
    e = tu_read_file(tu_fmt("%s/nsga.err", tmp), NULL);
    lines = count_lines(e, "optimize: ");
    assert_true(lines >= 1 && lines <= 1 + (int)(took / 10.0));
    assert_int_equal(lines, count_occurrences(e, "/18 evaluations ("));
    assert_non_null(strstr(e, "optimize: 18/18 evaluations (100%)"));
    free(e);
    /* --json: the id, the recommendation and the frontier */
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/j' --json --quiet >'%s/o.json'",
                                      bin(), oc_scenario(), db, tmp, tmp)),
                     0);
    json_error_t je;
    json_t *o = json_load_file(tu_fmt("%s/o.json", tmp), 0, &je);
    if (!o)
        fail_msg("optimize --json: %s", je.text);
    assert_true(json_integer_value(json_object_get(o, "optimization_id")) >= 3);
    assert_true(json_real_value(json_object_get(o, "slo")) == 0.995); /* search.slo 99.5% */
    json_t *rec = json_object_get(o, "recommended");
    assert_true(json_is_object(rec));
    assert_true(json_real_value(json_object_get(json_object_get(rec, "availability"), "value")) >= 0.995);
    assert_true(json_is_number(json_object_get(rec, "ondemand_baseline_per_month")));
    assert_true(json_array_size(json_object_get(o, "frontier")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(o, "candidates")), 24);
    json_decref(o);
    tu_rmtree(tmp);
    free(tmp);
}

/* ---- 10: did you mean, examples ---------------------------------------------------- */

static char *run_err(const char *args, int want_rc)
{
    char *tmp = tu_mkdtemp();
    int rc = tu_system(tu_fmt("'%s' %s >/dev/null 2>'%s/err'", bin(), args, tmp));
    if (rc != want_rc)
        fail_msg("spotsim %s exited %d, expected %d", args, rc, want_rc);
    char *e = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    tu_rmtree(tmp);
    free(tmp);
    return e;
}

static void expect_hint(const char *args, const char *hint)
{
    char *e = run_err(args, 2);
    if (!strstr(e, hint))
        fail_msg("spotsim %s: no <%s> in:\n%s", args, hint, e);
    free(e);
}

static void test_did_you_mean(void **state)
{
    (void)state;
    expect_hint("optimise x.yaml", "did you mean 'optimize'?");
    expect_hint("help exprot", "did you mean 'export'?");
    expect_hint("optimize x.yaml --budjet 3", "did you mean '--budget'?");
    expect_hint("run x.yaml --replicsa=3", "did you mean '--replicas'?");
    expect_hint("export x.yaml --format terrafrom", "did you mean 'terraform'?");
    expect_hint("optimize x.yaml --method nsga", "did you mean 'nsga2'?");
    expect_hint("stats --by zonee", "did you mean 'zone'?");
    expect_hint("report --format svgg", "did you mean 'svg'?");
    expect_hint("fit --nmae x", "did you mean '--name'?");
    /* far from everything: no guess, still a usage error */
    char *e = run_err("frobnicate", 2);
    assert_null(strstr(e, "did you mean"));
    free(e);
}

/* Each path a help text names under examples/ or datasets/samples/ exists,
 * and every command's help ends with examples. */
static void check_paths(const char *text, const char *what)
{
    const char *prefixes[] = {"examples/", "datasets/samples/"};
    for (size_t k = 0; k < 2; k++)
        for (const char *p = strstr(text, prefixes[k]); p; p = strstr(p + 1, prefixes[k])) {
            if (p > text && p[-1] != ' ')
                continue;
            size_t n = strcspn(p, " \n\\|");
            char path[512];
            snprintf(path, sizeof path, "%.*s", (int)n, p);
            struct stat sb;
            if (stat(tu_fmt("%s/%s", tu_source_dir(), path), &sb) != 0)
                fail_msg("%s names %s, which does not exist", what, path);
        }
}

static void test_help_examples(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    assert_int_equal(tu_system(tu_fmt("'%s' --help >'%s/top'", bin(), tmp)), 0);
    char *top = tu_read_file(tu_fmt("%s/top", tmp), NULL);
    assert_non_null(strstr(top, "datasets/samples/spot-2016-us-east-1.csv"));
    check_paths(top, "spotsim --help");
    free(top);
    const char *cmds[] = {"import", "stats", "run", "optimize", "report", "export", "list", "show", "diff", "explain"};
    for (size_t i = 0; i < SS_ARRAY_LEN(cmds); i++) {
        assert_int_equal(tu_system(tu_fmt("'%s' %s --help >'%s/h'", bin(), cmds[i], tmp)), 0);
        char *h = tu_read_file(tu_fmt("%s/h", tmp), NULL);
        const char *ex = strstr(h, "\nExamples:\n");
        if (!ex)
            fail_msg("spotsim %s --help has no examples", cmds[i]);
        /* two or three, each a spotsim command line */
        int n = count_lines(ex + 1, "  spotsim ");
        if (n < 1 || n > 3)
            fail_msg("spotsim %s --help: %d examples", cmds[i], n);
        check_paths(h, cmds[i]);
        free(h);
    }
    tu_rmtree(tmp);
    free(tmp);
}

/* ---- 11, 14: JSON, SPOTSIM_DB ------------------------------------------------------ */

static void test_json_and_db_env(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    const char *src = tu_source_dir();
    /* SPOTSIM_DB: import and run use it without --db */
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_DB='%s/env/x.db' '%s' import --json "
                                      "'%s/datasets/samples/eu-west-3a-2020-linux.csv' "
                                      "'%s/datasets/samples/spot-advisor-data_2025-06-28.json' >'%s/imp.json'",
                                      tmp, bin(), src, src, tmp)),
                     0);
    struct stat sb;
    assert_int_equal(stat(tu_fmt("%s/env/x.db", tmp), &sb), 0);
    json_t *o = json_load_file(tu_fmt("%s/imp.json", tmp), 0, NULL);
    assert_non_null(o);
    json_t *files = json_object_get(o, "files");
    assert_int_equal(json_array_size(files), 2);
    assert_true(json_is_true(json_object_get(json_array_get(files, 0), "ok")));
    assert_true(json_integer_value(json_object_get(json_array_get(files, 0), "added")) > 0);
    json_decref(o);
    /* run --json --quiet: the JSON, with the baseline and its definition */
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_DB='%s/env/x.db' '%s' run '%s/examples/ecs-od-base-4pools-2020.yaml' "
                                      "--to 2020-03-08T00:00:00Z --json --quiet >'%s/run.json'",
                                      tmp, bin(), src, tmp)),
                     0);
    o = json_load_file(tu_fmt("%s/run.json", tmp), 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "run_id")), 1);
    json_t *b = json_object_get(o, "ondemand_baseline");
    assert_true(json_real_value(json_object_get(b, "cost_per_month_usd")) > 0);
    assert_string_equal(json_string_value(json_object_get(b, "definition")),
                        "the scenario as written, simulated all On-Demand");
    json_decref(o);
    /* --db wins over SPOTSIM_DB */
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_DB='%s/nope/y.db' '%s' import --quiet --db '%s/z.db' "
                                      "'%s/datasets/samples/ondemand-2016.csv'",
                                      tmp, bin(), tmp, src)),
                     0);
    assert_int_not_equal(stat(tu_fmt("%s/nope/y.db", tmp), &sb), 0);
    assert_int_equal(stat(tu_fmt("%s/z.db", tmp), &sb), 0);
    /* import from standard input: the same rows as the file itself, the
     * provenance says "stdin"; an error names "-", not a temporary file */
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s/f.db' --json '%s/datasets/samples/ondemand-2016.csv' "
                                      ">'%s/f.json'",
                                      bin(), tmp, src, tmp)),
                     0);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s/p.db' --json - <'%s/datasets/samples/ondemand-2016.csv' "
                                      ">'%s/p.json'",
                                      bin(), tmp, src, tmp)),
                     0);
    json_t *fj = json_load_file(tu_fmt("%s/f.json", tmp), 0, NULL), *pj = json_load_file(tu_fmt("%s/p.json", tmp), 0, NULL);
    assert_non_null(fj);
    assert_non_null(pj);
    json_t *f0 = json_array_get(json_object_get(fj, "files"), 0), *p0 = json_array_get(json_object_get(pj, "files"), 0);
    assert_string_equal(json_string_value(json_object_get(p0, "file")), "-");
    assert_string_equal(json_string_value(json_object_get(p0, "format")), json_string_value(json_object_get(f0, "format")));
    assert_true(json_integer_value(json_object_get(p0, "added")) > 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "added")), json_integer_value(json_object_get(f0, "added")));
    json_decref(fj);
    json_decref(pj);
    assert_int_equal(tu_system(tu_fmt("printf 'not,a,known\\nformat,at,all\\n' | '%s' import --db '%s/p.db' - "
                                      "2>'%s/err' >/dev/null",
                                      bin(), tmp, tmp)),
                     1);
    char *e = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    assert_non_null(strstr(e, "spotsim import: -"));
    assert_null(strstr(e, "spotsim-stdin-"));
    free(e);
    tu_rmtree(tmp);
    free(tmp);
}

/* One value from a query on db, as text ("" when none). */
static char *query_text(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    ss_buf b = {0};
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK)
        while (sqlite3_step(s) == SQLITE_ROW)
            ss_buf_printf(&b, "%s;", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(h);
    v = b.s ? b.s : ss_strdup("");
    return v;
}

/* Issue 15 item 13: what the AWS CLI prints, from a pipe: the pages of a
 * paginated describe-spot-price-history loop concatenated, and its
 * --output text form (SPOTPRICEHISTORY rows, a NEXTTOKEN row). Hand:
 * 2016-04-25T12:00:22Z = 1461585622000 ms; 11:00:22 = 1461582022000.
 * And the interruption evidence users have from the AWS CLI:
 * describe-instances (the inventory) and describe-spot-instance-requests
 * (the status history). */
static void test_aws_cli_pipes(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char db[1024];
    snprintf(db, sizeof db, "%s/a.db", tmp);
    const char *pages =
        "{\"SpotPriceHistory\":[{\"Timestamp\":\"2016-04-25T12:00:22.000Z\",\"ProductDescription\":"
        "\"Linux/UNIX\",\"InstanceType\":\"m3.medium\",\"SpotPrice\":\"0.009600\",\"AvailabilityZone\":"
        "\"us-east-1a\"}],\"NextToken\":\"abc\"}\n"
        "{\"SpotPriceHistory\":[{\"Timestamp\":\"2016-04-25T11:00:22.000Z\",\"ProductDescription\":"
        "\"Linux/UNIX\",\"InstanceType\":\"m3.medium\",\"SpotPrice\":\"0.009700\",\"AvailabilityZone\":"
        "\"us-east-1a\"}]}\n";
    FILE *f = fopen(tu_fmt("%s/pages.json", tmp), "w");
    assert_non_null(f);
    fputs(pages, f);
    fclose(f);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s' --quiet - <'%s/pages.json'", bin(), db, tmp)), 0);
    char *v = query_text(db, "SELECT t_ms || ',' || usd_per_hour FROM spot_prices ORDER BY t_ms");
    assert_string_equal(v, "1461582022000,0.0097;1461585622000,0.0096;");
    free(v);
    f = fopen(tu_fmt("%s/text.txt", tmp), "w");
    assert_non_null(f);
    fputs("NEXTTOKEN\tabc\n"
          "SPOTPRICEHISTORY\tus-east-1b\tm3.medium\tLinux/UNIX\t0.010100\t2016-04-25T12:00:22+00:00\n"
          "SPOTPRICEHISTORY\tus-east-1c\tm3.medium\tLinux/UNIX\t0.011000\t2016-04-25T12:00:22+00:00\n",
          f);
    fclose(f);
    assert_int_equal(tu_system(tu_fmt("cat '%s/text.txt' | '%s' import --db '%s' --quiet -", tmp, bin(), db)), 0);
    v = query_text(db, "SELECT p.zone || ',' || s.t_ms || ',' || s.usd_per_hour FROM spot_prices s JOIN pools p "
                       "ON p.id = s.pool_id WHERE p.zone <> 'us-east-1a' ORDER BY p.zone");
    assert_string_equal(v, "us-east-1b,1461585622000,0.0101;us-east-1c,1461585622000,0.011;");
    free(v);

    /* describe-instances as the inventory: a Spot instance launched
     * 2023-08-03T00:00:00Z (1691020800000) and terminated by a Spot
     * interruption at 02:20:00 GMT (+ 8400 s = 1691029200000), and a running
     * On-Demand one (no InstanceLifecycle, no end) */
    f = fopen(tu_fmt("%s/di.json", tmp), "w");
    assert_non_null(f);
    fputs("{\"Reservations\": [{\"Instances\": [\n"
          " {\"InstanceId\": \"i-0123456789abcdef0\", \"InstanceType\": \"m5.large\", \"LaunchTime\": "
          "\"2023-08-03T00:00:00+00:00\", \"Placement\": {\"AvailabilityZone\": \"us-east-1a\"}, \"State\": "
          "{\"Code\": 48, \"Name\": \"terminated\"}, \"StateTransitionReason\": \"Service initiated "
          "(2023-08-03 02:20:00 GMT)\", \"InstanceLifecycle\": \"spot\", \"StateReason\": {\"Code\": "
          "\"Server.SpotInstanceTermination\"}},\n"
          " {\"InstanceId\": \"i-0123456789abcdef1\", \"InstanceType\": \"m5.large\", \"LaunchTime\": "
          "\"2023-08-03T00:00:00.000Z\", \"Placement\": {\"AvailabilityZone\": \"us-east-1b\"}, \"State\": "
          "{\"Code\": 16, \"Name\": \"running\"}, \"StateTransitionReason\": \"\"}]}]}\n",
          f);
    fclose(f);
    /* describe-spot-instance-requests: one request terminated for lack of
     * capacity at 02:20 (an interruption), one fulfilled (no evidence) */
    f = fopen(tu_fmt("%s/sir.json", tmp), "w");
    assert_non_null(f);
    fputs("{\"SpotInstanceRequests\": [\n"
          " {\"SpotInstanceRequestId\": \"sir-1a2b3c4d\", \"InstanceId\": \"i-0123456789abcdef0\", "
          "\"LaunchedAvailabilityZone\": \"us-east-1a\", \"LaunchSpecification\": {\"InstanceType\": "
          "\"m5.large\"}, \"Status\": {\"Code\": \"instance-terminated-no-capacity\", \"UpdateTime\": "
          "\"2023-08-03T02:20:00.000Z\"}},\n"
          " {\"SpotInstanceRequestId\": \"sir-2b3c4d5e\", \"InstanceId\": \"i-0123456789abcdef2\", "
          "\"LaunchedAvailabilityZone\": \"us-east-1a\", \"LaunchSpecification\": {\"InstanceType\": "
          "\"m5.large\"}, \"Status\": {\"Code\": \"fulfilled\", \"UpdateTime\": \"2023-08-03T00:00:00.000Z\"}}]}\n",
          f);
    fclose(f);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s' --quiet '%s/di.json' '%s/sir.json'", bin(), db, tmp,
                                      tmp)),
                     0);
    v = query_text(db, "SELECT instance_id || ',' || lifecycle || ',' || launch_ms || ',' || "
                       "coalesce(end_ms, '-') || ',' || coalesce(end_reason, '-') FROM instances ORDER BY instance_id");
    assert_string_equal(v, "i-0123456789abcdef0,spot,1691020800000,1691029200000,spot-interruption;"
                           "i-0123456789abcdef1,on-demand,1691020800000,-,-;");
    free(v);
    v = query_text(db, "SELECT kind || ',' || instance_id || ',' || t_ms || ',' || action FROM interruption_events");
    assert_string_equal(v, "interruption,i-0123456789abcdef0,1691029200000,terminate;");
    free(v);
    v = query_text(db, "SELECT format FROM provenance ORDER BY id");
    assert_non_null(strstr(v, "instances-json;spot-requests-json;"));
    free(v);
    tu_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slo_rule),        cmocka_unit_test(test_progress_total),
        cmocka_unit_test(test_did_you_mean),    cmocka_unit_test(test_help_examples),
        cmocka_unit_test(test_json_and_db_env), cmocka_unit_test(test_aws_cli_pipes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
