/*
 * test_pareto.c - frontier against brute force, statistics and intervals,
 * hypervolume.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "policies/pareto.h"

/* cmocka's assert_near works in float; this one in double. */
#define assert_near(a, b, eps)                                                                  \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps)))                                                         \
            fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);                               \
    } while (0)

/* Brute force: i is on the front iff no valid j dominates it. */
static bool dominated(int n, const double *f1, const double *f2, int d1, int d2, const bool *v, int i)
{
    for (int j = 0; j < n; j++) {
        if (j == i || !v[j])
            continue;
        double a1 = d1 * f1[j], a2 = d2 * f2[j], b1 = d1 * f1[i], b2 = d2 * f2[i];
        /* j dominates i when at least as good in both and better in one (maximising d*f) */
        if (a1 >= b1 && a2 >= b2 && (a1 > b1 || a2 > b2))
            return true;
    }
    return false;
}

static void test_front_vs_brute_force(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    for (unsigned long seed = 1; seed <= 300; seed++) {
        gsl_rng_set(r, seed);
        int n = 1 + (int)gsl_rng_uniform_int(r, 60);
        /* small integer grid => many ties and duplicates */
        unsigned long span = 2 + gsl_rng_uniform_int(r, 8);
        double f1[64], f2[64];
        bool valid[64], front[64];
        for (int i = 0; i < n; i++) {
            f1[i] = (double)gsl_rng_uniform_int(r, span);
            f2[i] = (double)gsl_rng_uniform_int(r, span);
            valid[i] = gsl_rng_uniform(r) > 0.1;
        }
        int dirs[4][2] = {{-1, 1}, {-1, -1}, {1, 1}, {1, -1}};
        for (int d = 0; d < 4; d++) {
            int cnt = ss_pareto_front(n, f1, f2, dirs[d][0], dirs[d][1], valid, front);
            int expect_cnt = 0;
            for (int i = 0; i < n; i++) {
                bool expect = valid[i] && !dominated(n, f1, f2, dirs[d][0], dirs[d][1], valid, i);
                if (expect != front[i])
                    fail_msg("seed %lu dir %d point %d (%g,%g): front=%d expected %d", seed, d, i,
                             f1[i], f2[i], front[i], expect);
                expect_cnt += expect;
            }
            assert_int_equal(cnt, expect_cnt);
        }
    }
    gsl_rng_free(r);
}

static void test_front_hand_made(void **state)
{
    (void)state;
    /* minimise cost, maximise availability:
     * 0 (10, .99)  1 (20, .999)  2 (20, .999) tie  3 (25, .995) dominated by 1
     * 4 (5, .90)   5 (10, .98) dominated by 0   6 NaN */
    double c[] = {10, 20, 20, 25, 5, 10, NAN};
    double a[] = {.99, .999, .999, .995, .90, .98, .5};
    bool f[7];
    assert_int_equal(ss_pareto_front(7, c, a, -1, 1, NULL, f), 4);
    bool expect[] = {true, true, true, false, true, false, false};
    for (int i = 0; i < 7; i++)
        assert_int_equal(f[i], expect[i]);
}

static void test_summary(void **state)
{
    (void)state;
    ss_statistic st;
    ss_summary s;
    double x[] = {5, 3, 1, 4, 2};
    assert_int_equal(ss_statistic_parse("mean", &st, NULL), 0);
    ss_summarize(x, 5, &st, &s);
    /* mean 3, sd sqrt(2.5), t(0.975,4) = 2.776445 -> half width 1.963243 */
    assert_near(s.value, 3.0, 1e-12);
    assert_near(s.sd, sqrt(2.5), 1e-12);
    assert_near(s.hi - s.value, 2.776445 * sqrt(2.5) / sqrt(5.0), 1e-5);
    assert_near(s.value - s.lo, s.hi - s.value, 1e-12);
    /* p5 of {1..5}: rank 0.05 * 4 = 0.2 -> 1.2 (linear interpolation) */
    assert_int_equal(ss_statistic_parse("p5", &st, NULL), 0);
    assert_int_equal(st.kind, SS_STAT_PERCENTILE);
    ss_summarize(x, 5, &st, &s);
    assert_near(s.value, 1.2, 1e-12);
    assert_near(s.lo, 1.0, 0);
    /* median of 1..20 = 10.5; binomial(20, .5): P(B<=5) = 21700/2^20 = 0.0207
     * <= .025 < P(B<=6) -> lower rank 6; P(B<=14) = 0.9793 >= .975 > P(B<=13)
     * -> upper rank 15: interval [6, 15]. */
    double y[20];
    for (int i = 0; i < 20; i++)
        y[i] = 20 - i;
    assert_int_equal(ss_statistic_parse("median", &st, NULL), 0);
    ss_summarize(y, 20, &st, &s);
    assert_near(s.value, 10.5, 1e-12);
    assert_near(s.lo, 6, 0);
    assert_near(s.hi, 15, 0);
    /* single replica: degenerate interval */
    ss_summarize(x, 1, &st, &s);
    assert_near(s.value, 5, 0);
    assert_near(s.lo, 5, 0);
    assert_near(s.hi, 5, 0);
    assert_int_equal(ss_statistic_parse("p101", &st, NULL), -1);
    assert_int_equal(ss_statistic_parse("q5", &st, NULL), -1);
    assert_int_equal(ss_statistic_parse("p", &st, NULL), -1);
    assert_int_equal(ss_objective_direction("availability"), 1);
    assert_int_equal(ss_objective_direction("cost_per_month_usd"), -1);
    assert_int_equal(ss_objective_direction("shortfall_task_hours"), -1);
}

static void test_hypervolume(void **state)
{
    (void)state;
    /* points (1,3), (2,2), (3,1) with reference (4,4): staircase area
     * = 3*1 + 2*1 + 1*1 ... computed as slabs: (4-1)(4-3) + (4-2)(3-2) + (4-3)(2-1) = 3+2+1 = 6 */
    double a[] = {2, 1, 3, 3.5, 5};
    double b[] = {2, 3, 1, 3.5, 0};
    assert_near(ss_pareto_hypervolume(5, a, b, 4, 4), 6.0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_vs_brute_force),
        cmocka_unit_test(test_front_hand_made),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_hypervolume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
