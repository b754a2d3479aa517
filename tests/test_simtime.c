/*
 * test_simtime.c - exact timestamp conversion, against values computed by hand
 * (days since epoch counted from known anchors).
 */
#include "tests/testutil.h"

#include <string.h>

#include "sim/kernel/simtime.h"

static void parses_aws_shapes(void **state)
{
    (void)state;
    ss_time t;
    /* 2016-04-25 is day 16916 since 1970-01-01 (46 years incl. 12 leap days
     * = 16802 days to 2016-01-01, + 31+29+31 + 24 = 16916). */
    assert_int_equal(ss_time_parse("2016-04-25T12:00:22.000Z", &t), 0);
    assert_int_equal(t, (16916LL * 86400 + 12 * 3600 + 22) * 1000);
    assert_int_equal(ss_time_parse("2016-04-25T12:00:22.5Z", &t), 0);
    assert_int_equal(t, (16916LL * 86400 + 12 * 3600 + 22) * 1000 + 500);
    assert_int_equal(ss_time_parse("2016-04-25 12:00:22", &t), 0);
    assert_int_equal(t, (16916LL * 86400 + 12 * 3600 + 22) * 1000);
    assert_int_equal(ss_time_parse("2016-04-25T14:00:22+02:00", &t), 0);
    assert_int_equal(t, (16916LL * 86400 + 12 * 3600 + 22) * 1000);
    assert_int_equal(ss_time_parse("2016-04-25T07:00:22-05:00", &t), 0);
    assert_int_equal(t, (16916LL * 86400 + 12 * 3600 + 22) * 1000);
    assert_int_equal(ss_time_parse("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(ss_time_parse("2016-04-25", &t), 0);
    assert_int_equal(t, 16916LL * 86400 * 1000);
}

static void rejects_bad_text(void **state)
{
    (void)state;
    ss_time t;
    const char *bad[] = {"", "2016-13-01T00:00:00Z", "2015-02-29T00:00:00Z", "2016-04-25T24:00:00Z",
                         "2016-04-25T12:00:22ZZ", "2016/04/25", "yesterday", "2016-04-25T12",
                         "2016-04-25T12:00:22+2", "2016-04-25T12:00:22.Z", "0.0096"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(ss_time_parse(bad[i], &t), 0);
    assert_int_equal(ss_time_parse("2016-02-29T00:00:00Z", &t), 0); /* leap day */
}

static void format_round_trips(void **state)
{
    (void)state;
    char buf[SS_TIME_BUFLEN];
    ss_time t;
    assert_string_equal(ss_time_format(1462708800000LL, buf), "2016-05-08T12:00:00Z");
    assert_string_equal(ss_time_format(1462708800123LL, buf), "2016-05-08T12:00:00.123Z");
    for (ss_time x = -86400000LL * 400; x < 86400000LL * 40000; x += 86400000LL * 37 + 12345) {
        assert_int_equal(ss_time_parse(ss_time_format(x, buf), &t), 0);
        assert_int_equal(t, x);
    }
}

static void durations(void **state)
{
    (void)state;
    ss_time t;
    assert_int_equal(ss_duration_parse("90s", &t), 0);
    assert_int_equal(t, 90000);
    assert_int_equal(ss_duration_parse("5m", &t), 0);
    assert_int_equal(t, 300000);
    assert_int_equal(ss_duration_parse("1.5h", &t), 0);
    assert_int_equal(t, 5400000);
    assert_int_equal(ss_duration_parse("120", &t), 0);
    assert_int_equal(t, 120000);
    assert_int_not_equal(ss_duration_parse("5 parsecs", &t), 0);
    assert_int_not_equal(ss_duration_parse("-5s", &t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_aws_shapes),
        cmocka_unit_test(rejects_bad_text),
        cmocka_unit_test(format_round_trips),
        cmocka_unit_test(durations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
