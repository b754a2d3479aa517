/*
 * test_run_cli.c - `spotsim run` through the binary, on a temporary store
 * filled by `spotsim import` of the bundled samples that
 * examples/ecs-od-base-4pools-2020.yaml needs (the 2020 eu-west-3a Spot
 * price history and the Spot Advisor snapshot):
 *   - exit 0 and every summary line, with the horizon that --to sets;
 *   - --json parses (jansson) and its cost equals the run_results row;
 *   - --timeline writes the documented CSV header and time-ordered rows that
 *     begin with "start" and end with "end", whose cost columns start at 0
 *     and end at the run's cost_usd exactly;
 *   - the same seed twice gives byte-identical --json (another seed does
 *     not), OMP_NUM_THREADS=1 and 2 give identical --json with 4 replicas;
 *   - exit 2 on an unknown option, exit 1 naming a missing scenario file.
 * Every run gets its own copy of the imported store, so run ids agree.
 * The horizon is cut to two weeks (--to) to keep the test fast.
 */
#include "tests/testutil.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

static char *g_dir;

#define TO "2020-03-21T00:00:00Z"

static const char *example(void) { return tu_fmt("%s/examples/ecs-od-base-4pools-2020.yaml", tu_source_dir()); }

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    const char *src = tu_source_dir();
    int rc = tu_system(tu_fmt("'%s' import --db '%s/base.db' '%s/datasets/samples/eu-west-3a-2020-linux.csv' "
                              "'%s/datasets/samples/spot-advisor-data_2025-06-28.json' >'%s/import.out' 2>&1",
                              tu_spotsim_bin(), g_dir, src, src, g_dir));
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

/* Run `spotsim run` on a fresh copy of the imported store `name`.db with the
 * extra arguments; stdout to name.out, stderr to name.err. Returns the exit
 * status. env is prepended to the command (e.g. "OMP_NUM_THREADS=1"). */
static int run(const char *name, const char *env, const char *args)
{
    int rc = tu_system(tu_fmt("cp '%s/base.db' '%s/%s.db'", g_dir, g_dir, name));
    assert_int_equal(rc, 0);
    return tu_system(tu_fmt("%s '%s' run --db '%s/%s.db' '%s' %s >'%s/%s.out' 2>'%s/%s.err'", env ? env : "",
                            tu_spotsim_bin(), g_dir, name, example(), args, g_dir, name, g_dir, name));
}

static char *out_of(const char *name, const char *ext)
{
    char *s = tu_read_file(tu_fmt("%s/%s.%s", g_dir, name, ext), NULL);
    assert_non_null(s);
    return s;
}

static void test_text_summary(void **state)
{
    (void)state;
    assert_int_equal(run("text", NULL, "--replicas 1 --to " TO), 0);
    char *o = out_of("text", "out");
    /* first run into a fresh store: run id 1; scenario name and seed 7 from
     * the YAML; 2020-03-07 .. 2020-03-21 is 14 days = 336 h */
    assert_non_null(strstr(o, "run 1: ecs-od-base-4pools-2020 (scenario "));
    assert_non_null(strstr(o, "seed 7, 1 replica\n"));
    assert_non_null(strstr(o, "horizon        2020-03-07T00:00:00Z .. 2020-03-21T00:00:00Z (336.0 h)\n"));
    const char *lines[] = {"\ncost           ", "\ncost per month ", "\nall On-Demand  ", "\navailability   ",
                           "\nserved         ", "\nshortfalls     ", "\ninterruptions  ", "\nlaunches       ",
                           "\nper zone (replica 0):\n", "\n  eu-west-3a "};
    for (size_t i = 0; i < SS_ARRAY_LEN(lines); i++)
        if (!strstr(o, lines[i]))
            fail_msg("summary lacks the line starting '%s'", lines[i] + 1);
    free(o);
}

/* cost_usd of run_results(run_id, replica) in the run's store. */
static double stored_cost(const char *name, long long run_id, int replica)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(tu_fmt("%s/%s.db", g_dir, name), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT cost_usd FROM run_results WHERE run_id = ? AND replica = ?", -1, &s, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_int(s, 2, replica);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    double v = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static void test_json_matches_store(void **state)
{
    (void)state;
    assert_int_equal(run("json", NULL, "--json --replicas 1 --to " TO), 0);
    char *o = out_of("json", "out");
    json_error_t je;
    json_t *j = json_loads(o, 0, &je);
    if (!j)
        fail_msg("--json output does not parse: %s (line %d)", je.text, je.line);
    long long id = (long long)json_integer_value(json_object_get(j, "run_id"));
    assert_int_equal(id, 1);
    assert_int_equal(json_integer_value(json_object_get(j, "replicas")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "end")), TO);
    json_t *cost = json_object_get(json_object_get(j, "metrics"), "cost_usd");
    double mean = json_real_value(json_object_get(cost, "mean"));
    double rep0 = json_real_value(json_object_get(json_array_get(json_object_get(j, "per_replica"), 0), "cost_usd"));
    double db = stored_cost("json", id, 0);
    assert_true(db > 0);
    /* JSON reals carry 12 significant digits */
    if (!(fabs(rep0 - db) <= 1e-9 * db) || !(fabs(mean - db) <= 1e-9 * db))
        fail_msg("cost: --json per_replica %.15g, mean %.15g, run_results %.15g", rep0, mean, db);
    json_decref(j);
    free(o);
}

/* Field i (0-based) of a CSV line without quotes, copied into out. */
static void csv_field(const char *line, int i, char *out, size_t n)
{
    const char *p = line;
    for (int k = 0; k < i; k++) {
        p = strchr(p, ',');
        assert_non_null(p);
        p++;
    }
    size_t len = strcspn(p, ",");
    assert_true(len < n);
    memcpy(out, p, len);
    out[len] = 0;
}

static double csv_num(const char *line, int i)
{
    char b[64], *end;
    csv_field(line, i, b, sizeof b);
    double v = strtod(b, &end);
    if (end == b || *end)
        fail_msg("timeline: field %d '%s' is not a number", i, b);
    return v;
}

static void test_timeline_csv(void **state)
{
    (void)state;
    assert_int_equal(run("tl", NULL, tu_fmt("--replicas 1 --to " TO " --timeline '%s/tl.csv'", g_dir)), 0);
    char *csv = out_of("tl", "csv");
    const char *header = "t,required,healthy,desired,running,pending,spot_instances,od_instances,event,cost_usd,"
                         "spot_cost_usd,od_cost_usd\n";
    assert_memory_equal(csv, header, strlen(header));
    size_t rows = 0;
    ss_time prev = INT64_MIN, first = 0, last = 0;
    char last_event[64] = "", first_event[64] = "";
    double first_cost = NAN, last_cost = NAN, last_spot = NAN, last_od = NAN;
    for (char *line = strchr(csv, '\n') + 1; *line; rows++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = 0;
        char tb[64];
        csv_field(line, 0, tb, sizeof tb);
        ss_time t;
        if (ss_time_parse(tb, &t))
            fail_msg("timeline row %zu: bad time '%s'", rows + 1, tb);
        if (t < prev)
            fail_msg("timeline row %zu: time %s goes backwards", rows + 1, tb);
        prev = t;
        csv_field(line, 8, rows == 0 ? first_event : last_event, 64);
        /* cost_usd is the Spot plus the On-Demand part, to the last bit */
        double c = csv_num(line, 9), sc = csv_num(line, 10), oc = csv_num(line, 11);
        if (!(c == sc + oc) || sc < 0 || oc < 0)
            fail_msg("timeline row %zu: cost %.17g, Spot %.17g + On-Demand %.17g", rows + 1, c, sc, oc);
        if (rows == 0) {
            first = t;
            first_cost = c;
        }
        last = t;
        last_cost = c;
        last_spot = sc;
        last_od = oc;
        line = nl + 1;
    }
    assert_string_equal(first_event, "start");
    assert_string_equal(last_event, "end");
    ss_time t0, t1;
    assert_int_equal(ss_time_parse("2020-03-07T00:00:00Z", &t0), 0);
    assert_int_equal(ss_time_parse(TO, &t1), 0);
    assert_int_equal(first, t0);
    assert_int_equal(last, t1);
    /* sample_interval 60 s over 14 days: at least 20,160 samples */
    assert_true(rows >= 14 * 1440);
    /* nothing is billed at the horizon start (billing runs from `running`
     * over time); the "end" row is the run's bill, exactly (%.17g) */
    assert_true(first_cost == 0.0);
    double db = stored_cost("tl", 1, 0);
    assert_true(db > 0 && last_od > 0);
    if (!(last_cost == db))
        fail_msg("timeline end %.17g (Spot %.17g, On-Demand %.17g) != run cost %.17g", last_cost, last_spot, last_od,
                 db);
    free(csv);
}

static void test_same_seed_same_json(void **state)
{
    (void)state;
    assert_int_equal(run("s1", NULL, "--json --seed 11 --replicas 2 --to " TO), 0);
    assert_int_equal(run("s2", NULL, "--json --seed 11 --replicas 2 --to " TO), 0);
    assert_int_equal(run("s3", NULL, "--json --seed 12 --replicas 2 --to " TO), 0);
    char *a = out_of("s1", "out"), *b = out_of("s2", "out"), *c = out_of("s3", "out");
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0); /* the seed matters: the comparison above can fail */
    free(a);
    free(b);
    free(c);
}

static void test_threads_same_json(void **state)
{
    (void)state;
    assert_int_equal(run("t1", "OMP_NUM_THREADS=1", "--json --replicas 4 --to " TO), 0);
    assert_int_equal(run("t2", "OMP_NUM_THREADS=2", "--json --replicas 4 --to " TO), 0);
    char *a = out_of("t1", "out"), *b = out_of("t2", "out");
    assert_string_equal(a, b);
    json_t *j = json_loads(a, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "per_replica")), 4);
    json_decref(j);
    free(a);
    free(b);
}

static void test_errors(void **state)
{
    (void)state;
    const char *bin = tu_spotsim_bin();
    assert_int_equal(tu_system(tu_fmt("'%s' run --bogus '%s' 2>'%s/usage.err'", bin, example(), g_dir)), 2);
    char *e = out_of("usage", "err");
    assert_non_null(strstr(e, "--bogus"));
    assert_non_null(strstr(e, "spotsim run --help"));
    free(e);
    assert_int_equal(
        tu_system(tu_fmt("'%s' run --db '%s/x.db' '%s/no-such-scenario.yaml' 2>'%s/missing.err'", bin, g_dir, g_dir, g_dir)),
        1);
    e = out_of("missing", "err");
    assert_non_null(strstr(e, "no-such-scenario.yaml"));
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_summary),        cmocka_unit_test(test_json_matches_store),
        cmocka_unit_test(test_timeline_csv),        cmocka_unit_test(test_same_seed_same_json),
        cmocka_unit_test(test_threads_same_json),   cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
