/*
 * test_optimize_mpi.c - `mpirun -n 2 spotsim optimize --mpi` on the small
 * scenario (tests/data/optimize/ecs-small.yaml) writes frontier.csv and
 * recommendation.txt byte-identical to a single-process run, stores every
 * (candidate, replica) once, and an interrupted MPI run resumes in a single
 * process to the same outputs. Registered by CMake only when SPOTSIM_MPI=ON
 * (it is outside the tests/test_*.c glob); the launcher is SPOTSIM_MPIEXEC.
 */
#include "tests/optimize_cli.h"

static const char *mpiexec(void)
{
    const char *m = getenv("SPOTSIM_MPIEXEC");
    if (!m || !*m)
        fail_msg("SPOTSIM_MPIEXEC is not set (run the tests through ctest in an SPOTSIM_MPI=ON build)");
    return m;
}

static void test_mpi_matches_single_process(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char bin[1024], sc[1024], mpi[1024], a[1024], b[1024], c[1024];
    snprintf(bin, sizeof bin, "%s", tu_spotsim_bin());
    snprintf(sc, sizeof sc, "%s", oc_scenario());
    snprintf(mpi, sizeof mpi, "%s -n 2 --oversubscribe --allow-run-as-root", mpiexec());
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    snprintf(c, sizeof c, "%s/c.db", dir);
    oc_import(a);
    assert_int_equal(tu_system(tu_fmt("cp '%s' '%s' && cp '%s' '%s'", a, b, a, c)), 0);
    /* single process */
    int rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --out '%s/A' --quiet --threads 1 >/dev/null",
                              bin, sc, a, dir));
    assert_int_equal(rc, 0);
    /* two ranks, one thread each: batches of 32 slots, 16 per rank */
    rc = tu_system(tu_fmt("%s '%s' optimize '%s' --mpi --db '%s' --out '%s/B' --quiet --threads 1 "
                          ">'%s/B.out' 2>'%s/B.err'",
                          mpi, bin, sc, b, dir, dir, dir));
    if (rc != 0) {
        char *e = tu_read_file(tu_fmt("%s/B.err", dir), NULL);
        fail_msg("mpirun exited %d:\n%s", rc, e ? e : "");
    }
    oc_same_file(tu_fmt("%s/A/frontier.csv", dir), tu_fmt("%s/B/frontier.csv", dir));
    oc_same_file(tu_fmt("%s/A/recommendation.txt", dir), tu_fmt("%s/B/recommendation.txt", dir));
    assert_int_equal(oc_query_long(b, "SELECT count(*) FROM candidate_results"), OC_SLOTS);
    assert_int_equal(oc_query_long(b, "SELECT count(*) FROM (SELECT DISTINCT candidate_id, replica "
                                      "FROM candidate_results)"), OC_SLOTS);
    /* only rank 0 prints the id */
    char *out = tu_read_file(tu_fmt("%s/B.out", dir), NULL);
    assert_non_null(out);
    assert_string_equal(out, "1\n");
    free(out);
    /* interrupted MPI run (after the first batch), resumed in one process */
    rc = tu_system(tu_fmt("SPOTSIM_TEST_STOP_AFTER=1 %s '%s' optimize '%s' --mpi --db '%s' --out '%s/C' "
                          "--quiet --threads 1 >/dev/null 2>'%s/C.err'",
                          mpi, bin, sc, c, dir, dir));
    assert_int_not_equal(rc, 0);
    long stored = oc_query_long(c, "SELECT count(*) FROM candidate_results");
    if (stored != 32)
        fail_msg("interrupted MPI run stored %ld slots, expected one batch of 32", stored);
    rc = tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --resume 1 --out '%s/C' --quiet >/dev/null",
                          bin, sc, c, dir));
    assert_int_equal(rc, 0);
    oc_same_file(tu_fmt("%s/A/frontier.csv", dir), tu_fmt("%s/C/frontier.csv", dir));
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mpi_matches_single_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
