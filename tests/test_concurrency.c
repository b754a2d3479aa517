/*
 * test_concurrency.c - several spotsim processes on one store (issue 17):
 *   - two imports creating a new store at once: both succeed, 20 of 20
 *     (the schema migration reads the version inside BEGIN IMMEDIATE);
 *   - one file imported twice at once: one adds it, the other says "already
 *     imported", both exit 0, 20 of 20 (the duplicate check is inside the
 *     write transaction);
 *   - a writer that finds the store locked for 3 s waits, says so after
 *     2 s, and succeeds;
 *   - a resumed optimization that cannot get the lock (SPOTSIM_LOCK_TIMEOUT=1)
 *     fails with the command that resumes it;
 *   - a resumed optimization is 'running' while it runs (library level: the
 *     evaluation function reads the status through another connection);
 *   - SIGKILL at 10 moments of a 200,000-row import: all or nothing.
 */
#include "tests/testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "datasets/store.h"
#include "policies/optimize.h"
#include "policies/search.h"
#include "tests/optimize_cli.h"

#define ROUNDS 20

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = tu_mkdtemp();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtree(g_dir);
    free(g_dir);
    return 0;
}

static const char *sample(const char *name) { return tu_fmt("%s/datasets/samples/%s", tu_source_dir(), name); }

/* Start two import commands at once; exit status 10*a + b (0 = both fine). */
static int twin_imports(const char *db, const char *file_a, const char *file_b, const char *out)
{
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", file_a);
    snprintf(b, sizeof b, "%s", file_b);
    return tu_system(tu_fmt("B='%s'; ( \"$B\" import --db '%s' '%s' >'%s.a' 2>&1 & pa=$!; "
                            "\"$B\" import --db '%s' '%s' >'%s.b' 2>&1 & pb=$!; "
                            "wait $pa; ra=$?; wait $pb; rb=$?; exit $((ra * 10 + rb)) )",
                            tu_spotsim_bin(), db, a, out, db, b, out));
}

static void test_two_imports_create_store(void **state)
{
    (void)state;
    int ok = 0;
    for (int r = 0; r < ROUNDS; r++) {
        char db[1024], out[1024];
        snprintf(db, sizeof db, "%s/new%d.db", g_dir, r);
        snprintf(out, sizeof out, "%s/new%d", g_dir, r);
        int rc = twin_imports(db, sample("ondemand-2016.csv"), sample("eu-west-3a-2020-linux.csv"), out);
        /* both files stored: two provenance rows; the On-Demand sample has
         * 560 rows (README of datasets/samples) */
        if (rc == 0 && oc_query_long(db, "SELECT count(*) FROM provenance") == 2 &&
            oc_query_long(db, "SELECT count(*) FROM ondemand_prices") == 560)
            ok++;
        else
            fprintf(stderr, "round %d: exit %d; see %s.a and %s.b\n", r, rc, out, out);
    }
    assert_int_equal(ok, ROUNDS);
}

static void test_same_file_twice(void **state)
{
    (void)state;
    int ok = 0;
    for (int r = 0; r < ROUNDS; r++) {
        char db[1024], out[1024];
        snprintf(db, sizeof db, "%s/dup%d.db", g_dir, r);
        snprintf(out, sizeof out, "%s/dup%d", g_dir, r);
        const char *f = sample("ondemand-2016.csv");
        int rc = twin_imports(db, f, f, out);
        char *a = tu_read_file(tu_fmt("%s.a", out), NULL), *b = tu_read_file(tu_fmt("%s.b", out), NULL);
        int already = (a && strstr(a, "already imported")) + (b && strstr(b, "already imported"));
        int added = (a && strstr(a, "560 added")) + (b && strstr(b, "560 added"));
        if (rc == 0 && already == 1 && added == 1 && oc_query_long(db, "SELECT count(*) FROM provenance") == 1)
            ok++;
        else
            fprintf(stderr, "round %d: exit %d\n--- a:\n%s--- b:\n%s", r, rc, a ? a : "", b ? b : "");
        free(a);
        free(b);
    }
    assert_int_equal(ok, ROUNDS);
}

/* Hold the write lock of db (BEGIN IMMEDIATE on a connection of our own). */
static sqlite3 *hold_lock(const char *db)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    return h;
}

static void release_lock(sqlite3 *h)
{
    assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static void test_writer_waits(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/wait.db", g_dir);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s' '%s' >/dev/null 2>&1", tu_spotsim_bin(), db,
                                      sample("ondemand-2016.csv"))),
                     0);
    sqlite3 *h = hold_lock(db);
    const char *cmd = tu_fmt("'%s' import --db '%s' '%s' >'%s/wait.out' 2>'%s/wait.err'", tu_spotsim_bin(), db,
                             sample("eu-west-3a-2020-linux.csv"), g_dir, g_dir);
    char cmdline[4096];
    snprintf(cmdline, sizeof cmdline, "%s", cmd);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(tu_system(cmdline));
    sleep(3); /* longer than the 2 s after which the waiting writer speaks */
    release_lock(h);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *err = tu_read_file(tu_fmt("%s/wait.err", g_dir), NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "is locked by another writer"));
    free(err);
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM provenance"), 2);
}

static void test_optimize_lock_timeout_says_resume(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/opt.db", g_dir);
    oc_import(db);
    /* stopped after 10 evaluations (the test hook): optimization 1, interrupted */
    assert_int_equal(tu_system(tu_fmt("SPOTSIM_TEST_STOP_AFTER=10 '%s' optimize '%s' --db '%s' --out '%s/o' --quiet "
                                      ">/dev/null 2>&1",
                                      tu_spotsim_bin(), oc_scenario(), db, g_dir)),
                     130);
    sqlite3 *h = hold_lock(db);
    int rc = tu_system(tu_fmt("SPOTSIM_LOCK_TIMEOUT=1 '%s' optimize '%s' --db '%s' --out '%s/o' --resume 1 --quiet "
                              ">/dev/null 2>'%s/opt.err'",
                              tu_spotsim_bin(), oc_scenario(), db, g_dir, g_dir));
    release_lock(h);
    assert_int_equal(rc, 1);
    char *err = tu_read_file(tu_fmt("%s/opt.err", g_dir), NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "database is locked"));
    assert_non_null(strstr(err, "--resume 1"));
    free(err);
    /* and the resume, with the lock free, completes all 48 slots */
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/o' --resume 1 --quiet >/dev/null 2>&1",
                                      tu_spotsim_bin(), oc_scenario(), db, g_dir)),
                     0);
    assert_int_equal(oc_query_long(db, "SELECT count(*) FROM candidate_results WHERE optimization_id = 1"), OC_SLOTS);
}

/* ---- SIGKILL during an import ------------------------------------------------ */

/* A kill -9 at any moment of an import leaves the store all or nothing:
 * integrity_check "ok", and either no provenance row and no price, or the
 * file's provenance row and all of its 200,000 prices (one pool, one price a
 * minute: 200,000 distinct timestamps, so no duplicates). The kill comes
 * 20, 60, ... 380 ms after the start (the import takes about 0.5 s). */
static void test_sigkill_import_all_or_nothing(void **state)
{
    (void)state;
    char csv[1024];
    snprintf(csv, sizeof csv, "%s/big.csv", g_dir);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n", f);
    for (long i = 0; i < 200000; i++) {
        long t = 1577836800L + 60 * i; /* from 2020-01-01, one a minute */
        char ts[32];
        time_t tt = (time_t)t;
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
        fprintf(f, "us-east-1a,m5.large,Linux/UNIX,%.4f,%s\n", 0.03 + (double)(i % 97) * 1e-4, ts);
    }
    fclose(f);
    int whole = 0, none = 0;
    for (int r = 0; r < 10; r++) {
        char db[1024];
        snprintf(db, sizeof db, "%s/kill%d.db", g_dir, r);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            int nul = open("/dev/null", O_WRONLY);
            dup2(nul, 1);
            dup2(nul, 2);
            execl(tu_spotsim_bin(), "spotsim", "import", "--db", db, csv, (char *)NULL);
            _exit(127);
        }
        usleep((useconds_t)(20000 + 40000 * r));
        kill(pid, SIGKILL);
        int st = 0;
        waitpid(pid, &st, 0);
        sqlite3 *h = NULL;
        if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
            sqlite3_close(h);
            none++; /* killed before the store file was made */
            continue;
        }
        sqlite3_stmt *s = NULL;
        const char *ok = NULL;
        char okbuf[64] = "";
        if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            snprintf(okbuf, sizeof okbuf, "%s", (const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        ok = okbuf;
        sqlite3_close(h);
        assert_string_equal(ok, "ok");
        long prov = oc_query_long(db, "SELECT count(*) FROM provenance");
        long prices = oc_query_long(db, "SELECT count(*) FROM spot_prices");
        if (prov <= 0 && prices <= 0) {
            none++;
        } else {
            assert_int_equal(prov, 1);
            assert_int_equal(prices, 200000);
            whole++;
        }
    }
    fprintf(stderr, "sigkill: %d imports killed before their commit, %d after\n", none, whole);
    assert_int_equal(whole + none, 10);
}

/* ---- 'running' while resumed ------------------------------------------------ */

typedef struct {
    const char *db;
    char status[32];
} status_probe;

static int probe_eval(void *vctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err)
{
    (void)c;
    (void)replica;
    (void)err;
    status_probe *p = vctx;
    memset(out, 0, sizeof *out);
    out->cost_per_month_usd = 1;
    out->availability = 1;
#pragma omp critical
    {
        if (!p->status[0]) {
            sqlite3 *h = NULL;
            sqlite3_stmt *s = NULL;
            if (sqlite3_open_v2(p->db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
                sqlite3_prepare_v2(h, "SELECT status FROM optimizations WHERE id = 1", -1, &s, NULL) == SQLITE_OK &&
                sqlite3_step(s) == SQLITE_ROW)
                snprintf(p->status, sizeof p->status, "%s", (const char *)sqlite3_column_text(s, 0));
            sqlite3_finalize(s);
            sqlite3_close(h);
        }
    }
    return 0;
}

static void test_resumed_shows_running(void **state)
{
    (void)state;
    char db[1024];
    snprintf(db, sizeof db, "%s/status.db", g_dir);
    ss_err err;
    ss_space sp;
    memset(&sp, 0, sizeof sp);
    /* grid of 4 candidates (0, 1, 2, 3), 1 replica each */
    assert_int_equal(ss_space_add_range(&sp, "asg.on_demand_base_capacity", 0, 3, 1, true, &err), 0);
    ss_opt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.method = SS_SEARCH_GRID;
    cfg.budget = 4;
    cfg.replicas = 1;
    cfg.seed = 1;
    cfg.threads = 1;
    cfg.batch = 1;
    strcpy(cfg.objectives[0], "cost_per_month_usd");
    strcpy(cfg.objectives[1], "availability");
    cfg.statistic = (ss_statistic){SS_STAT_MEAN, 0};
    cfg.stop_after = 2;
    ss_opt_meta meta = {"t", NULL, "abc", "text", NULL};
    ss_store st;
    assert_int_equal(ss_store_open(&st, db, 0, &err), 0);
    status_probe p1 = {db, ""};
    ss_opt_result r;
    assert_int_equal(ss_optimize_run(&sp, &cfg, probe_eval, &p1, &st, &meta, 0, &r, &err), 0);
    assert_true(r.interrupted);
    assert_string_equal(p1.status, "running");
    ss_opt_result_free(&r);
    assert_int_equal(oc_query_long(db, "SELECT status = 'interrupted' FROM optimizations WHERE id = 1"), 1);
    cfg.stop_after = 0;
    status_probe p2 = {db, ""};
    assert_int_equal(ss_optimize_run(&sp, &cfg, probe_eval, &p2, &st, &meta, 1, &r, &err), 0);
    assert_true(r.complete);
    assert_string_equal(p2.status, "running");
    ss_opt_result_free(&r);
    assert_int_equal(oc_query_long(db, "SELECT status = 'done' FROM optimizations WHERE id = 1"), 1);
    ss_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_imports_create_store),
        cmocka_unit_test(test_same_file_twice),
        cmocka_unit_test(test_writer_waits),
        cmocka_unit_test(test_optimize_lock_timeout_says_resume),
        cmocka_unit_test(test_resumed_shows_running),
        cmocka_unit_test(test_sigkill_import_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
