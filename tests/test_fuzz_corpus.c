/*
 * test_fuzz_corpus.c - replay the fuzz regression corpus (every file under
 * tests/fuzz/corpus/TARGET/) through the checks the fuzz targets make (tests/fuzz/
 * fuzz_common.h: no crash, failed imports leave the store unchanged and say
 * why, refused scenarios name the file, accepted ones export an ecs.config of
 * 4 lines). A property that fails aborts, and fails this test. Every input
 * that ever crashed a target is in the corpus, so it stays fixed.
 */
#include "tests/testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"

/* Replay every file of tests/fuzz/corpus/<target>; returns how many. */
static int replay(const char *target)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", tu_source_dir(), target);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    ss_import_format fmt = SS_IMPORT_AUTO;
    bool scenario = !strcmp(target, "scenario");
    if (!scenario && strcmp(target, "import-auto") && ss_import_format_parse(target, &fmt))
        fail_msg("tests/fuzz/corpus/%s: not a fuzz target", target);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = 0;
        char *data = tu_read_file(tu_fmt("%s/%s", dir, e->d_name), &len);
        assert_non_null(data);
        if (scenario)
            fuzz_scenario_one((const uint8_t *)data, len);
        else
            fuzz_import_one(fmt, (const uint8_t *)data, len);
        free(data);
        n++;
    }
    closedir(d);
    return n;
}

static void test_replay_corpus(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus", tu_source_dir());
    DIR *d = opendir(dir);
    assert_non_null(d);
    int total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
            continue; /* README.md */
        char name[256];
        snprintf(name, sizeof name, "%s", e->d_name);
        total += replay(name);
    }
    closedir(d);
    /* tests/fuzz/corpus/README.md lists 7 hand-made inputs (5 scenarios, 2
     * imports); crash reproducers only add to them */
    assert_true(total >= 7);
}

/* The hand-made scenario inputs give the outcome their names promise. */
static void test_regressions_outcome(void **state)
{
    (void)state;
    static const struct {
        const char *file, *expect; /* NULL: accepted */
    } cases[] = {
        {"deep-flow-nesting.yaml", "nested deeper than 64 levels"},
        {"nul-in-name.yaml", "holds a NUL character"},
        {"newline-in-service-name.yaml", "holds a control character (\\x0a)"},
        {"flap-1ms.yaml", "flap_period must be 0 (steady) or at least 5s"},
        {"pre-1970.yaml", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = tu_read_file(tu_fmt("%s/tests/fuzz/corpus/scenario/%s", tu_source_dir(), cases[i].file), NULL);
        assert_non_null(text);
        ss_scenario *sc = calloc(1, sizeof *sc);
        ss_err err = {{0}};
        int rc = ss_scenario_load_string(text, cases[i].file, sc, &err);
        if (cases[i].expect) {
            assert_int_equal(rc, -1);
            if (!strstr(err.msg, cases[i].expect))
                fail_msg("%s: %s", cases[i].file, err.msg);
        } else if (rc) {
            fail_msg("%s: %s", cases[i].file, err.msg);
        }
        free(sc);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_corpus),
        cmocka_unit_test(test_regressions_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
