/*
 * test_fresh_clone.c - a clone of this repository alone (no ../shared beside
 * it) passes the suite: every test that needs ../shared/datasets is skipped
 * with one line naming it and why. Checked by running the test programs that
 * read that collection with SPOTSIM_SHARED_DATASETS pointed at a directory
 * that does not exist.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Count the occurrences of `needle` in `hay`. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Each program, the number of its tests that read ../shared/datasets (by
 * reading their sources: test_import 6 of 8 (all but
 * jsonl_zone_map_events_array and names, which use tests/data),
 * test_stats_real 2 of 2, test_data_load 1 (real_derived_log),
 * test_scenario 1 (examples_use_pools_and_spans_of_the_data): the 10 that
 * failed on a fresh clone) and one of those tests by name. */
static void data_tests_skip_with_a_reason_when_the_data_is_absent(void **state)
{
    (void)state;
    const char *build = getenv("SPOTSIM_BUILD_DIR");
    if (!build || !*build)
        fail_msg("SPOTSIM_BUILD_DIR is not set (run the tests through ctest)");
    static const struct {
        const char *prog;
        int n_skipped;
        const char *one;
    } progs[] = {
        {"test_import", 6, "hshazly_json"},
        {"test_stats_real", 2, "cli_total_line"},
        {"test_data_load", 1, "real_derived_log"},
        {"test_scenario", 1, "examples_use_pools_and_spans_of_the_data"},
    };
    char *dir = tu_mkdtemp();
    for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++) {
        const char *out = tu_fmt("%s/%s.out", dir, progs[i].prog);
        char outp[1024];
        snprintf(outp, sizeof outp, "%s", out);
        int rc = tu_system(tu_fmt("SPOTSIM_SHARED_DATASETS='%s/no-such-dir' '%s/%s' > '%s' 2>&1",
                                  dir, build, progs[i].prog, outp));
        char *text = tu_read_file(outp, NULL);
        assert_non_null(text);
        if (rc != 0)
            fail_msg("%s exited %d without the data:\n%s", progs[i].prog, rc, text);
        /* one reason line per skipped test, naming the test and the path */
        assert_int_equal(count_of(text, "SKIP "), progs[i].n_skipped);
        const char *line =
            tu_fmt("SKIP %s: needs the real data collection ../shared/datasets", progs[i].one);
        if (!strstr(text, line))
            fail_msg("no line \"%s\" in:\n%s", line, text);
        assert_non_null(strstr(text, "no-such-dir)"));
        /* cmocka's summary counts them as skipped, none failed */
        assert_non_null(strstr(text, tu_fmt("[  SKIPPED ] %d test(s)", progs[i].n_skipped)));
        assert_null(strstr(text, "[  FAILED  ]"));
        free(text);
    }
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(data_tests_skip_with_a_reason_when_the_data_is_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
