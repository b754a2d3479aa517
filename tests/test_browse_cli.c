/*
 * test_browse_cli.c - spotsim list / show / diff / explain on a store with
 * the small grid optimization of tests/data/optimize/ecs-small.yaml (24
 * candidates x 2 replicas) and one run (issue 15 item 12), and the
 * all-On-Demand baseline (item 2): one figure for the scenario, the same from
 * optimize and run, and equal to the cost `spotsim run` gives the scenario
 * rewritten with 100 % On-Demand above the base (the same seed, replicas).
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/optimize_cli.h"

static char *g_dir, g_db[1024];

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    snprintf(g_db, sizeof g_db, "%s/s.db", g_dir);
    oc_import(g_db);
    if (tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --quiet --out '%s/o' >/dev/null && '%s' run '%s' --db '%s' "
                         "--quiet >/dev/null",
                         tu_spotsim_bin(), oc_scenario(), g_db, g_dir, tu_spotsim_bin(), oc_scenario(), g_db)))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(g_dir);
    free(g_dir);
    return 0;
}

/* stdout of spotsim ARGS (exit status checked) as JSON. */
static json_t *json_of(const char *args)
{
    int rc = tu_system(tu_fmt("'%s' %s --db '%s' >'%s/out.json'", tu_spotsim_bin(), args, g_db, g_dir));
    if (rc != 0)
        fail_msg("spotsim %s exited %d", args, rc);
    json_error_t je;
    json_t *o = json_load_file(tu_fmt("%s/out.json", g_dir), 0, &je);
    if (!o)
        fail_msg("spotsim %s: not JSON: %s", args, je.text);
    return o;
}

static char *text_of(const char *args, int want)
{
    int rc = tu_system(tu_fmt("'%s' %s --db '%s' >'%s/out.txt' 2>&1", tu_spotsim_bin(), args, g_db, g_dir));
    if (rc != want)
        fail_msg("spotsim %s exited %d, expected %d", args, rc, want);
    return tu_read_file(tu_fmt("%s/out.txt", g_dir), NULL);
}

static void test_list(void **state)
{
    (void)state;
    json_t *o = json_of("list --json");
    /* two imported files, one run of 1 replica (the scenario's), one grid
     * optimization of 24 candidates, done, with a recommendation */
    assert_int_equal(json_array_size(json_object_get(o, "imports")), 2);
    json_t *runs = json_object_get(o, "runs"), *opts = json_object_get(o, "optimizations");
    assert_int_equal(json_array_size(runs), 1);
    assert_int_equal(json_array_size(opts), 1);
    json_t *op = json_array_get(opts, 0);
    assert_int_equal(json_integer_value(json_object_get(op, "candidates")), 24);
    assert_string_equal(json_string_value(json_object_get(op, "status")), "done");
    assert_string_equal(json_string_value(json_object_get(op, "method")), "grid");
    assert_true(json_is_integer(json_object_get(op, "recommended")));
    /* the recommendation meets search.slo 99.5% */
    assert_true(json_real_value(json_object_get(op, "availability")) >= 0.995);
    json_decref(o);
    char *t = text_of("list", 0);
    assert_non_null(strstr(t, "opt:1 "));
    assert_non_null(strstr(t, "run:1 "));
    assert_non_null(strstr(t, "import:2 "));
    free(t);
}

static void test_one_baseline(void **state)
{
    (void)state;
    /* the same figure from optimize (opt:1) and run (run:1) of the scenario */
    json_t *o = json_of("show opt:1 --json"), *r = json_of("show run:1 --json");
    double bo = json_real_value(json_object_get(o, "ondemand_baseline_per_month"));
    double br = json_real_value(json_object_get(r, "ondemand_baseline_per_month"));
    assert_true(bo > 0);
    assert_true(bo == br);
    json_decref(o);
    json_decref(r);
    /* and it is what the scenario costs when written all On-Demand (100 %
     * above the base) and simulated by `spotsim run` */
    char *text = tu_read_file(oc_scenario(), NULL);
    char *p = strstr(text, "on_demand_percentage_above_base_capacity: 0\n");
    assert_non_null(p);
    FILE *f = fopen(tu_fmt("%s/od.yaml", g_dir), "w");
    assert_non_null(f);
    fprintf(f, "%.*son_demand_percentage_above_base_capacity: 100\n%s", (int)(p - text), text,
            p + strlen("on_demand_percentage_above_base_capacity: 0\n"));
    fclose(f);
    free(text);
    json_t *run = json_of(tu_fmt("run '%s/od.yaml' --json", g_dir));
    double cost = json_real_value(json_object_get(json_object_get(json_object_get(run, "metrics"),
                                                                  "cost_per_month_usd"),
                                                  "mean"));
    if (fabs(cost - bo) > 1e-9 * bo)
        fail_msg("baseline %.9f != %.9f, the scenario written all On-Demand", bo, cost);
    json_decref(run);
}

static void test_diff_and_explain(void **state)
{
    (void)state;
    json_t *d = json_of("diff opt:1 opt:1 --json");
    assert_int_equal(json_array_size(json_object_get(d, "params_differ")), 0);
    json_decref(d);
    /* candidates 0 and 1 of the grid differ in the last parameter only
     * (grid order: the last parameter varies fastest): spot_instance_pools
     * 1 vs 4 */
    d = json_of("diff opt:1/0 opt:1/1 --json");
    json_t *pd = json_object_get(d, "params_differ");
    assert_int_equal(json_array_size(pd), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(pd, 0), "param")), "asg.spot_instance_pools");
    json_decref(d);
    char *t = text_of("explain opt:1", 0);
    assert_non_null(strstr(t, "What drives the shortfalls"));
    assert_non_null(strstr(t, "Most influential parameter: "));
    assert_non_null(strstr(t, "(this one)"));
    free(t);
    /* errors: no such id (1), not a reference (2) */
    free(text_of("show run:99", 1));
    free(text_of("show banana", 2));
    free(text_of("diff opt:1", 2));
}

/* Issue 15 item 15: the report links each exported file (copied beside the
 * page as apply-FILE, so the page stays self-contained) with the command
 * that applies it. */
static void test_report_links_exports(void **state)
{
    (void)state;
    int rc = tu_system(tu_fmt("'%s' report --db '%s' --optimization 1 --out '%s/rep' --json >'%s/rep.json' 2>/dev/null",
                              tu_spotsim_bin(), g_db, g_dir, g_dir));
    assert_int_equal(rc, 0);
    /* --json names the page and the files, the apply- copies among them */
    json_t *j = json_load_file(tu_fmt("%s/rep.json", g_dir), 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "index_md")), tu_fmt("%s/rep/index.md", g_dir));
    bool copy = false;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(j, "files"), i, f) copy |= strstr(json_string_value(f), "apply-asg.json") != NULL;
    assert_true(copy);
    json_decref(j);
    char *md = tu_read_file(tu_fmt("%s/rep/index.md", g_dir), NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "## Apply the recommendation"));
    assert_non_null(strstr(md, "- [`APPLY.md`](apply-APPLY.md)"));
    assert_non_null(strstr(md, "- [`asg.json`](apply-asg.json): `aws autoscaling create-auto-scaling-group "
                               "--cli-input-json file://asg.json`"));
    assert_non_null(strstr(md, "- [`main.tf`](apply-main.tf): `terraform init && terraform apply"));
    free(md);
    /* the copies are the files optimize wrote, byte for byte */
    oc_same_file(tu_fmt("%s/rep/apply-asg.json", g_dir), tu_fmt("%s/o/asg.json", g_dir));
}

/* Issue 15 item 15: cost by zone. `spotsim run` keeps replica 0's per-zone
 * breakdown; the zones' costs add up to that replica's cost (every
 * instance is in one zone), and the run report has the table. */
static void test_cost_by_zone(void **state)
{
    (void)state;
    long diff_micro = oc_query_long(g_db, "SELECT CAST(ROUND(ABS((SELECT SUM(json_extract(z.value, '$.cost_usd')) "
                                          "FROM json_each(r.extra_json, '$.zones') z) - r.cost_usd) * 1e6) AS INTEGER) "
                                          "FROM run_results r WHERE r.run_id = 1 AND r.replica = 0");
    assert_int_equal(diff_micro, 0);
    long zones = oc_query_long(g_db, "SELECT json_array_length(extra_json, '$.zones') FROM run_results WHERE run_id = 1 "
                                     "AND replica = 0");
    assert_int_equal(zones, 1); /* ecs-small.yaml: one zone, eu-west-3a */
    int rc = tu_system(tu_fmt("'%s' report --db '%s' --run 1 --out '%s/rrep' >/dev/null 2>&1", tu_spotsim_bin(),
                              g_db, g_dir));
    assert_int_equal(rc, 0);
    char *md = tu_read_file(tu_fmt("%s/rrep/index.md", g_dir), NULL);
    assert_non_null(md);
    assert_non_null(strstr(md, "## Cost by zone (run 1, replica 0)"));
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_one_baseline),
        cmocka_unit_test(test_diff_and_explain),
        cmocka_unit_test(test_report_links_exports),
        cmocka_unit_test(test_cost_by_zone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
