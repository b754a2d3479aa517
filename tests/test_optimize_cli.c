/*
 * test_optimize_cli.c - `spotsim optimize` through the binary on a small
 * real-data scenario (tests/data/optimize/ecs-small.yaml): an interrupted
 * run exits 130 naming its id, `--resume ID` completes it with outputs
 * byte-identical to an uninterrupted run in another store; the OpenMP
 * thread count does not change frontier.csv or recommendation.txt; --mpi
 * in a build without MPI is a usage error.
 */
#include "tests/optimize_cli.h"

#include <unistd.h>

typedef struct fixture {
    char *dir;
    char db[1024];   /* samples imported: copy it for each run */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    snprintf(f->db, sizeof f->db, "%s/samples.db", f->dir);
    oc_import(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A private copy of the sample store (runs must not see each other's rows). */
static const char *store_copy(const fixture *f, const char *name)
{
    const char *db = tu_fmt("%s/%s.db", f->dir, name);
    if (tu_system(tu_fmt("cp '%s' '%s'", f->db, db)) != 0)
        fail_msg("cannot copy %s", f->db);
    return db;
}

static void test_interrupt_and_resume(void **state)
{
    fixture *f = *state;
    const char *bin = tu_spotsim_bin();
    char sc[1024]; /* tu_fmt buffers rotate: keep a copy */
    snprintf(sc, sizeof sc, "%s", oc_scenario());
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s", store_copy(f, "a"));
    snprintf(b, sizeof b, "%s", store_copy(f, "b"));
    /* reference: uninterrupted */
    int rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/A' --quiet --threads 1 >'%s/A.id'",
                              bin, sc, a, f->dir, f->dir));
    assert_int_equal(rc, 0);
    assert_int_equal(oc_query_long(a, "SELECT count(*) FROM candidate_results"), OC_SLOTS);
    /* interrupted after the first stored batch (16 slots with 1 thread):
     * the hook raises the same stop flag as SIGINT/SIGTERM */
    rc = tu_system(tu_fmt("SPOTSIM_TEST_STOP_AFTER=1 '%s' optimize '%s' --db '%s' --out '%s/B' --quiet "
                          "--threads 1 >'%s/B.id' 2>'%s/B.err'",
                          bin, sc, b, f->dir, f->dir, f->dir));
    assert_int_equal(rc, 130);
    long id = oc_read_id(tu_fmt("%s/B.id", f->dir));
    assert_true(id >= 1);
    char *msg = tu_read_file(tu_fmt("%s/B.err", f->dir), NULL);
    assert_non_null(msg);
    if (!strstr(msg, tu_fmt("--resume %ld", id)))
        fail_msg("the interruption message does not name the id %ld:\n%s", id, msg);
    free(msg);
    long stored = oc_query_long(b, "SELECT count(*) FROM candidate_results");
    if (!(stored > 0 && stored < OC_SLOTS))
        fail_msg("interrupted run stored %ld of %d slots", stored, OC_SLOTS);
    assert_int_equal(oc_query_long(b, tu_fmt("SELECT count(*) FROM optimizations WHERE id = %ld AND "
                                             "status = 'interrupted'", id)), 1);
    /* an interrupted run writes no outputs */
    assert_int_equal(access(tu_fmt("%s/B/frontier.csv", f->dir), F_OK), -1);
    /* resume, with another thread count: only the missing slots run */
    rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --resume %ld --out '%s/B' --quiet --threads 2 "
                          ">/dev/null",
                          bin, sc, b, id, f->dir));
    assert_int_equal(rc, 0);
    assert_int_equal(oc_query_long(b, "SELECT count(*) FROM candidate_results"), OC_SLOTS);
    assert_int_equal(oc_query_long(b, "SELECT count(*) FROM (SELECT DISTINCT candidate_id, replica "
                                      "FROM candidate_results)"), OC_SLOTS);
    assert_int_equal(oc_query_long(b, tu_fmt("SELECT count(*) FROM optimizations WHERE id = %ld AND "
                                             "status = 'done'", id)), 1);
    oc_same_file(tu_fmt("%s/A/frontier.csv", f->dir), tu_fmt("%s/B/frontier.csv", f->dir));
    oc_same_file(tu_fmt("%s/A/recommendation.txt", f->dir), tu_fmt("%s/B/recommendation.txt", f->dir));
    oc_same_file(tu_fmt("%s/A/asg.json", f->dir), tu_fmt("%s/B/asg.json", f->dir));
    /* resuming with another scenario is refused */
    rc = tu_system(tu_fmt("sed 's/seed: 7/seed: 8/' '%s' >'%s/other.yaml' && '%s' optimize '%s/other.yaml' "
                          "--db '%s' --resume %ld --out '%s/C' --quiet >/dev/null 2>&1",
                          sc, f->dir, bin, f->dir, b, id, f->dir));
    assert_int_equal(rc, 1);
}

static void test_thread_count(void **state)
{
    fixture *f = *state;
    const char *bin = tu_spotsim_bin();
    char sc[1024]; /* tu_fmt buffers rotate: keep a copy */
    snprintf(sc, sizeof sc, "%s", oc_scenario());
    const char *dirs[2] = {"T1", "T2"};
    for (int t = 0; t < 2; t++) {
        char db[1024];
        snprintf(db, sizeof db, "%s", store_copy(f, dirs[t]));
        /* no --threads: the default follows OMP_NUM_THREADS */
        int rc = tu_system(tu_fmt("OMP_NUM_THREADS=%d '%s' optimize '%s' --db '%s' --out '%s/%s' --quiet "
                                  ">/dev/null",
                                  t + 1, bin, sc, db, f->dir, dirs[t]));
        assert_int_equal(rc, 0);
    }
    oc_same_file(tu_fmt("%s/T1/frontier.csv", f->dir), tu_fmt("%s/T2/frontier.csv", f->dir));
    oc_same_file(tu_fmt("%s/T1/recommendation.txt", f->dir), tu_fmt("%s/T2/recommendation.txt", f->dir));
    /* the outputs are not trivially equal: candidates differ in both objectives */
    char *csv = tu_read_file(tu_fmt("%s/T1/frontier.csv", f->dir), NULL);
    assert_non_null(csv);
    int lines = 0, front = 0;
    for (char *p = strchr(csv, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        lines++;
        const char *eol = strchr(p + 1, '\n');
        front += eol && eol[-1] == '1';
    }
    assert_int_equal(lines, OC_SLOTS / 2);
    assert_true(front >= 2 && front < lines);
    free(csv);
}

static void test_mpi_flag(void **state)
{
#ifdef SPOTSIM_HAVE_MPI
    (void)state;
    skip(); /* MPI builds: tests/mpi/test_optimize_mpi.c runs it under mpirun */
#else
    fixture *f = *state;
    int rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --mpi --quiet >/dev/null 2>'%s/mpi.err'",
                              tu_spotsim_bin(), oc_scenario(), f->db, f->dir));
    assert_int_equal(rc, 2);
    char *msg = tu_read_file(tu_fmt("%s/mpi.err", f->dir), NULL);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "this build has no MPI support"));
    free(msg);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interrupt_and_resume),
        cmocka_unit_test(test_thread_count),
        cmocka_unit_test(test_mpi_flag),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
