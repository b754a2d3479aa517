/*
 * test_faults.c - nothing silent under faults (issue 17), through the binary:
 *   - full disk (tests/shim/enospc.c preloaded: the matching stream takes N
 *     bytes, then every write fails with ENOSPC): `export --out FILE`,
 *     `optimize --out DIR` and `run --timeline FILE` exit non-zero, name
 *     "No space left on device", leave the previous file byte-identical and
 *     no short or temporary file behind; stdout to /dev/full (ENOSPC on every
 *     write) exits non-zero;
 *   - an output that cannot be written is found before any simulation or
 *     search: nothing is stored;
 *   - a FIFO given to import is refused at once (not a blocking open);
 *   - a run whose timeline would not fit in memory is refused up front;
 *   - a long run shows its progress on a terminal, and only there;
 *   - a truncated or foreign store file is named corrupt.
 */
#include "tests/testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/optimize_cli.h"

static char *g_dir;
static const char *g_shim;

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    g_shim = getenv("SPOTSIM_ENOSPC_SHIM");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(g_dir);
    free(g_dir);
    return 0;
}

/* The shim is built with the tests; without it the full-disk cases say so
 * and skip, visibly. */
static bool have_shim(void)
{
    if (g_shim && access(g_shim, R_OK) == 0)
        return true;
    fprintf(stderr, "test_faults: SKIP full-disk case: no ENOSPC shim (SPOTSIM_ENOSPC_SHIM unset)\n");
    return false;
}

/* LD_PRELOAD prefix: the stream of a path containing match takes `after`
 * bytes, then fails with ENOSPC. ASan builds: the shim is not the first
 * library, which ASan would otherwise refuse. */
static const char *full_disk(const char *match, int after)
{
    return tu_fmt("ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 LD_PRELOAD='%s' "
                  "SPOTSIM_ENOSPC_MATCH='%s' SPOTSIM_ENOSPC_AFTER=%d",
                  g_shim, match, after);
}

static bool file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static char *slurp(const char *p)
{
    char *s = tu_read_file(p, NULL);
    if (!s)
        fail_msg("cannot read %s", p);
    return s;
}

/* export --format terraform --out FILE on a full disk: the Terraform text of
 * tests/data/export/ecs-api.yaml is well over 100 bytes (it holds an
 * aws_autoscaling_group block alone of more than 300), so a disk that takes
 * 100 bytes cuts it short. */
static void test_export_full_disk(void **state)
{
    (void)state;
    if (!have_shim())
        skip();
    const char *ex = tu_fmt("%s/tests/data/export/ecs-api.yaml", tu_source_dir());
    char out[1024], ex_copy[1024];
    snprintf(out, sizeof out, "%s/main.tf", g_dir);
    snprintf(ex_copy, sizeof ex_copy, "%s", ex);
    FILE *f = fopen(out, "w");
    fputs("previous contents\n", f);
    fclose(f);
    int rc = tu_system(tu_fmt("%s '%s' export '%s' --format terraform --out '%s' 2>'%s/export.err'",
                              full_disk("main.tf", 100), tu_spotsim_bin(), ex_copy, out, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/export.err", g_dir));
    assert_non_null(strstr(err, "No space left on device"));
    assert_non_null(strstr(err, out));
    free(err);
    char *now = slurp(out);
    assert_string_equal(now, "previous contents\n");
    free(now);
    assert_false(file_exists(tu_fmt("%s.tmp", out)));
    /* the same command with room: exit 0 and the new text in place */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format terraform --out '%s' 2>/dev/null",
                                      tu_spotsim_bin(), ex_copy, out)),
                     0);
    now = slurp(out);
    assert_non_null(strstr(now, "resource \"aws_autoscaling_group\""));
    free(now);
}

/* Output to standard output on a full disk (/dev/full: every write fails
 * with ENOSPC) must not exit 0. */
static void test_stdout_full(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0) {
        fprintf(stderr, "test_faults: SKIP stdout case: no /dev/full\n");
        skip();
    }
    const char *ex = tu_fmt("%s/tests/data/export/ecs-api.yaml", tu_source_dir());
    char exc[1024];
    snprintf(exc, sizeof exc, "%s", ex);
    int rc = tu_system(tu_fmt("'%s' export '%s' --format terraform >/dev/full 2>'%s/stdout.err'",
                              tu_spotsim_bin(), exc, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/stdout.err", g_dir));
    assert_non_null(strstr(err, "standard output: write failed: No space left on device"));
    free(err);
}

/* optimize --out DIR on a full disk: frontier.csv cannot be written; no
 * 0-byte frontier.csv is left, the exit is non-zero with the reason. */
static void test_optimize_full_disk(void **state)
{
    (void)state;
    if (!have_shim())
        skip();
    char db[1024];
    snprintf(db, sizeof db, "%s/opt.db", g_dir);
    oc_import(db);
    int rc = tu_system(tu_fmt("%s '%s' optimize '%s' --db '%s' --out '%s/opt' --quiet >/dev/null 2>'%s/opt.err'",
                              full_disk("frontier.csv", 0), tu_spotsim_bin(), oc_scenario(), db, g_dir, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/opt.err", g_dir));
    assert_non_null(strstr(err, "frontier.csv: write failed: No space left on device"));
    /* the search is stored: the message says how to write the outputs again */
    assert_non_null(strstr(err, "optimization 1 is stored; write its outputs again"));
    assert_non_null(strstr(err, "--resume 1 --out"));
    free(err);
    assert_false(file_exists(tu_fmt("%s/opt/frontier.csv", g_dir)));
    assert_false(file_exists(tu_fmt("%s/opt/frontier.csv.tmp", g_dir)));
    /* ... and that works, with room on the disk: all 48 slots were stored */
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/opt' --resume 1 --quiet >/dev/null 2>&1",
                                      tu_spotsim_bin(), oc_scenario(), db, g_dir)),
                     0);
    assert_true(file_exists(tu_fmt("%s/opt/frontier.csv", g_dir)));
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM candidate_results"), OC_SLOTS);
}

/* optimize --out where a directory cannot be made (a regular file is in the
 * way): refused before the search, so no optimization is stored. */
static void test_optimize_out_checked_first(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/opt2.db", g_dir);
    oc_import(db);
    FILE *f = fopen(tu_fmt("%s/afile", g_dir), "w");
    fclose(f);
    int rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/afile/sub' --quiet >/dev/null 2>'%s/opt2.err'",
                              tu_spotsim_bin(), oc_scenario(), db, g_dir, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/opt2.err", g_dir));
    assert_non_null(strstr(err, "--out: "));
    assert_non_null(strstr(err, "Not a directory"));
    free(err);
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM optimizations"), 0);
}

/* run --timeline to a path that cannot be written: fails before the
 * simulation with the reason; no run stored. On a full disk: the reason,
 * and no run stored either (the file is written before the run is). */
static void test_run_timeline(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/run.db", g_dir);
    oc_import(db);
    FILE *f = fopen(tu_fmt("%s/afile2", g_dir), "w");
    fclose(f);
    int rc = tu_system(tu_fmt("'%s' run '%s' --db '%s' --replicas 1 --timeline '%s/afile2/t.csv' >/dev/null "
                              "2>'%s/run.err'",
                              tu_spotsim_bin(), oc_scenario(), db, g_dir, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/run.err", g_dir));
    assert_non_null(strstr(err, "--timeline: "));
    assert_non_null(strstr(err, "Not a directory"));
    free(err);
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM runs"), 0);
    if (!have_shim())
        skip();
    rc = tu_system(tu_fmt("%s '%s' run '%s' --db '%s' --replicas 1 --timeline '%s/t.csv' >/dev/null "
                          "2>'%s/run2.err'",
                          full_disk("t.csv", 1000), tu_spotsim_bin(), oc_scenario(), db, g_dir, g_dir));
    assert_int_equal(rc, 1);
    err = slurp(tu_fmt("%s/run2.err", g_dir));
    assert_non_null(strstr(err, "No space left on device"));
    free(err);
    assert_false(file_exists(tu_fmt("%s/t.csv", g_dir)));
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM runs"), 0);
}

/* A timeline too large to hold is refused before the run, with the way out:
 * 1950-01-01 .. 2050-01-01 is 100 years with 25 leap days (1952 .. 2048) =
 * 36525 days = 52,596,000 one-minute samples; 5,000,000 rows at most means
 * a sample interval of at least 36525 * 86400 / 5e6 = 631.152 -> 632 s. */
static void test_timeline_too_large(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/big.db", g_dir);
    oc_import(db);
    int rc = tu_system(tu_fmt("'%s' run '%s' --db '%s' --from 1950-01-01T00:00:00Z --to 2050-01-01T00:00:00Z "
                              ">/dev/null 2>'%s/big.err'",
                              tu_spotsim_bin(), oc_scenario(), db, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/big.err", g_dir));
    assert_non_null(strstr(err, "the timeline would hold 52596000 rows (36525 days every 60s); at most 5000000: "
                                "set sample_interval to at least 632s"));
    free(err);
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM runs"), 0);
}

/* A long run shows progress on a terminal (script(1) gives it one), none
 * when stderr is a file. The first line comes at the 65,536th event: with a
 * timeline sample every minute from 2020-03-07T00:00Z, at the latest at
 * minute 65,536 = 45 days 12 h 16 min, i.e. 2020-04-21T12:16:00Z; the test
 * hook SPOTSIM_TEST_PROGRESS_AFTER=0 drops the 2 s wait. */
static void test_progress_on_tty(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/prog.db", g_dir);
    oc_import(db);
    const char *args = tu_fmt("run '%s' --db '%s' --replicas 1 --from 2020-03-07T00:00:00Z --to 2020-06-01T00:00:00Z",
                              oc_scenario(), db);
    char a[2048];
    snprintf(a, sizeof a, "%s", args);
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_TEST_PROGRESS_AFTER=0 '%s' %s >/dev/null 2>'%s/prog.err'",
                                      tu_spotsim_bin(), a, g_dir)),
                     0);
    char *err = slurp(tu_fmt("%s/prog.err", g_dir));
    assert_null(strstr(err, "simulating"));
    free(err);
    if (tu_system("command -v script >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_faults: SKIP progress case: no script(1)\n");
        skip();
    }
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_TEST_PROGRESS_AFTER=0 script -qec \"'%s' %s\" '%s/prog.tty' "
                                      ">/dev/null 2>&1",
                                      tu_spotsim_bin(), a, g_dir)),
                     0);
    char *tty = slurp(tu_fmt("%s/prog.tty", g_dir));
    const char *p = strstr(tty, "spotsim run: simulating, ");
    assert_non_null(p);
    const char *at = strstr(p, "of the horizon (at ");
    assert_non_null(at);
    at += strlen("of the horizon (at ");
    /* ISO-8601 UTC timestamps compare as text */
    assert_true(strncmp(at, "2020-03-07T00:00:00Z", 20) > 0);
    assert_true(strncmp(at, "2020-04-21T12:16:00Z", 20) <= 0);
    free(tty);
}

/* A truncated store, or a file that is no SQLite database, is named as such
 * (not "needs migration"): a store of the samples cut to 8,192 bytes (its
 * header says 4 KiB pages, and far more than 2 of them), to 50 bytes (the
 * SQLite header is 100), and a text file. */
static void test_corrupt_store_named(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/whole.db", g_dir);
    oc_import(db);
    struct {
        const char *name, *make, *expect;
    } cases[] = {
        {"cut.db", "head -c 8192", "the store is corrupt or not a spotsim store (truncated: 8192 bytes of "},
        {"tiny.db", "head -c 50", "the store is corrupt or not a spotsim store (shorter than an SQLite header)"},
        {"text.db", "sed -n 1,3p '" __FILE__ "'; true",
         "the store is corrupt or not a spotsim store (no SQLite header)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(tu_system(tu_fmt("( %s ) <'%s' >'%s/%s'", cases[i].make, db, g_dir, cases[i].name)), 0);
        int rc = tu_system(tu_fmt("'%s' stats --db '%s/%s' >/dev/null 2>'%s/corrupt.err'", tu_spotsim_bin(), g_dir,
                                  cases[i].name, g_dir));
        assert_int_equal(rc, 1);
        char *err = slurp(tu_fmt("%s/corrupt.err", g_dir));
        if (!strstr(err, cases[i].expect))
            fail_msg("%s: %s", cases[i].name, err);
        free(err);
    }
}

/* import of a FIFO with no writer: refused at once, naming the FIFO (the
 * ctest timeout would catch a blocking open; `timeout 20` catches it here). */
static void test_import_fifo(void **state)
{
    (void)state;
    char fifo[1024];
    snprintf(fifo, sizeof fifo, "%s/pipe.csv", g_dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rc = tu_system(tu_fmt("timeout 20 '%s' import --db '%s/fifo.db' '%s' >/dev/null 2>'%s/fifo.err'",
                              tu_spotsim_bin(), g_dir, fifo, g_dir));
    assert_int_equal(rc, 1);
    char *err = slurp(tu_fmt("%s/fifo.err", g_dir));
    assert_non_null(strstr(err, "not a regular file (a FIFO)"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_full_disk),   cmocka_unit_test(test_stdout_full),
        cmocka_unit_test(test_optimize_full_disk), cmocka_unit_test(test_optimize_out_checked_first),
        cmocka_unit_test(test_run_timeline),       cmocka_unit_test(test_import_fifo),
        cmocka_unit_test(test_timeline_too_large), cmocka_unit_test(test_progress_on_tty),
        cmocka_unit_test(test_corrupt_store_named),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
