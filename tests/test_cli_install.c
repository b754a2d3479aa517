/*
 * test_cli_install.c - `cmake --install` puts the binary, the man page
 * (help2man, with a section per command) and the bash completion in place
 * (issue 15 item 14), and the completion completes commands, options and
 * enum values from the binary it completes for.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *build_dir(void)
{
    const char *b = getenv("SPOTSIM_BUILD_DIR");
    if (!b)
        fail_msg("SPOTSIM_BUILD_DIR is not set (run the tests through ctest)");
    return b;
}

static void test_install(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    int rc = tu_system(tu_fmt("cmake --install '%s' --prefix '%s/p' >/dev/null", build_dir(), tmp));
    assert_int_equal(rc, 0);
    struct stat sb;
    assert_int_equal(stat(tu_fmt("%s/p/bin/spotsim", tmp), &sb), 0);
    assert_true(sb.st_mode & S_IXUSR);
    assert_int_equal(stat(tu_fmt("%s/p/share/bash-completion/completions/spotsim", tmp), &sb), 0);
    char *man = tu_read_file(tu_fmt("%s/p/share/man/man1/spotsim.1", tmp), NULL);
    if (!man)
        fail_msg("no man page installed (help2man missing? scripts/deps installs it)");
    assert_non_null(strstr(man, ".TH SPOTSIM"));
    /* one section per command, and the environment variable */
    const char *secs[] = {"COMMAND IMPORT", "COMMAND STATS", "COMMAND RUN", "COMMAND OPTIMIZE", "COMMAND REPORT",
                          "COMMAND EXPORT", "COMMAND LIST", "COMMAND EXPLAIN", "SPOTSIM_DB"};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
        if (!strstr(man, secs[i]))
            fail_msg("the man page lacks %s", secs[i]);
    free(man);
    tu_rmtree(tmp);
    free(tmp);
}

/* COMPREPLY for the words typed (the last one is being completed). */
static char *complete(const char *words)
{
    char *tmp = tu_mkdtemp();
    int rc = tu_system(tu_fmt("bash -c 'source \"%s/scripts/completion/spotsim.bash\"; COMP_WORDS=(\"%s\" %s); "
                              "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _spotsim; echo \"${COMPREPLY[*]}\"' >'%s/out'",
                              tu_source_dir(), tu_spotsim_bin(), words, tmp));
    assert_int_equal(rc, 0);
    char *s = tu_read_file(tu_fmt("%s/out", tmp), NULL);
    tu_rmtree(tmp);
    free(tmp);
    return s;
}

static void expect(const char *words, const char *want)
{
    char *got = complete(words);
    if (strcmp(got, want))
        fail_msg("completing <%s>: got <%s>, expected <%s>", words, got, want);
    free(got);
}

static void test_completion(void **state)
{
    (void)state;
    expect("expo", "export\n");
    expect("op", "optimize\n");
    expect("ex", "export explain\n");
    expect("export x --form", "--format\n");
    expect("optimize x --bud", "--budget\n");
    expect("export x --format terr", "terraform\n");
    expect("stats --by w", "week\n");
    expect("optimize x --method \"\"", "auto grid lhs random nsga2\n");
    expect("report --format \"\"", "png svg both\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install),
        cmocka_unit_test(test_completion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
