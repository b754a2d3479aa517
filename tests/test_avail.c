/*
 * test_avail.c - availability integrals against hand-computed values.
 */
#include "tests/testutil.h"

#include "models/avail.h"
#include "tests/ecs_fixture.h"

/* Horizon 1000 s, m = 4 throughout, d = 4:
 *   [0,100) h=4; [100,130) h=3; [130,500) h=4; [500,600) h=2; [600,1000) h=4
 * availability = (1000 - 30 - 100) / 1000 = 0.87
 * episodes 30 s and 100 s: p50 = 65 (interpolated), p95 = 30 + 0.95 x 70 = 96.5, max 100
 * shortfall task-s = 1 x 30 + 2 x 100 = 230 -> 230/3600 task-h
 * served = (4000 - 230) / 4000. */
static void test_integrals(void **state)
{
    (void)state;
    ss_avail a;
    ss_time s = SS_SECOND;
    ss_avail_init(&a, 0, 4, 4, 4, 0);
    ss_avail_set(&a, 100 * s, 3, 4, 4, 1);
    ss_avail_set(&a, 130 * s, 4, 4, 4, 0);
    ss_avail_set(&a, 130 * s, 4, 4, 4, 0); /* no change */
    ss_avail_set(&a, 500 * s, 2, 4, 4, 0);
    ss_avail_set(&a, 600 * s, 4, 4, 4, 0);
    ss_metrics m;
    ss_avail_finish(&a, 1000 * s, &m);
    assert_near(m.availability, 0.87, 1e-12);
    assert_int_equal(m.shortfall_episodes, 2);
    assert_near(m.shortfall_p50_s, 65.0, 1e-12);
    assert_near(m.shortfall_p95_s, 96.5, 1e-12);
    assert_near(m.shortfall_max_s, 100.0, 1e-12);
    assert_near(m.shortfall_task_hours, 230.0 / 3600.0, 1e-12);
    assert_near(m.served_fraction, (4000.0 - 230.0) / 4000.0, 1e-12);
    assert_near(m.pending_task_hours, 30.0 / 3600.0, 1e-12);
    ss_avail_free(&a);
}

/* An episode open at the end is closed there; a zero-length dip is none. */
static void test_open_episode(void **state)
{
    (void)state;
    ss_avail a;
    ss_avail_init(&a, 0, 2, 2, 2, 0);
    ss_avail_set(&a, 10, 1, 2, 2, 0);
    ss_avail_set(&a, 10, 2, 2, 2, 0);
    ss_avail_set(&a, 400, 0, 2, 2, 0);
    ss_metrics m;
    ss_avail_finish(&a, 1000, &m);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 0.6, 1e-12);
    assert_near(m.availability, 0.4, 1e-12);
    ss_avail_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_integrals), cmocka_unit_test(test_open_episode)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
