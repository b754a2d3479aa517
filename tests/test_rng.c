/*
 * test_rng.c - random streams: reproducible, independent across (replica,
 * purpose), and keyed uniforms that are pure functions of their key.
 */
#include "tests/testutil.h"

#include <math.h>

#include <gsl/gsl_statistics_double.h>

#include "sim/kernel/rng.h"

enum { N = 100000 };

static void same_seed_same_stream(void **state)
{
    (void)state;
    gsl_rng *a = ss_rng_new(2024, 3, SS_RNG_LATENCIES);
    gsl_rng *b = ss_rng_new(2024, 3, SS_RNG_LATENCIES);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(gsl_rng_get(a), gsl_rng_get(b));
    ss_rng_free(a);
    ss_rng_free(b);
}

static void streams_differ_and_are_uncorrelated(void **state)
{
    (void)state;
    static double x[N], y[N], z[N];
    gsl_rng *a = ss_rng_new(1, 0, SS_RNG_INTERRUPTIONS);
    gsl_rng *b = ss_rng_new(1, 1, SS_RNG_INTERRUPTIONS); /* other replica */
    gsl_rng *c = ss_rng_new(1, 0, SS_RNG_LATENCIES);     /* other purpose */
    int equal_ab = 0;
    for (int i = 0; i < N; i++) {
        x[i] = gsl_rng_uniform(a);
        y[i] = gsl_rng_uniform(b);
        z[i] = gsl_rng_uniform(c);
        equal_ab += x[i] == y[i];
    }
    assert_true(equal_ab < 5);
    /* |r| of independent uniforms is ~ N(0, 1/sqrt(N)) = 0.0032; 0.02 is > 6 sd */
    assert_true(fabs(gsl_stats_correlation(x, 1, y, 1, N)) < 0.02);
    assert_true(fabs(gsl_stats_correlation(x, 1, z, 1, N)) < 0.02);
    assert_true(fabs(gsl_stats_correlation(y, 1, z, 1, N)) < 0.02);
    /* mean of U(0,1) is 0.5 with sd 0.289/sqrt(N) = 0.0009 */
    assert_true(fabs(gsl_stats_mean(x, 1, N) - 0.5) < 0.005);
    ss_rng_free(a);
    ss_rng_free(b);
    ss_rng_free(c);
    /* the seed derivation separates all three coordinates */
    assert_int_not_equal(ss_rng_stream_seed(1, 2, 3), ss_rng_stream_seed(1, 3, 2));
    assert_int_not_equal(ss_rng_stream_seed(1, 2, 3), ss_rng_stream_seed(2, 2, 3));
}

static void keyed_uniform_is_pure_and_uniform(void **state)
{
    (void)state;
    /* pure: the same key gives the same value, whatever was drawn before */
    double u1 = ss_rng_keyed_uniform(9, 1, 2, 3);
    for (int i = 0; i < 1000; i++)
        (void)ss_rng_keyed_uniform(9, (uint64_t)i, 7, 7);
    assert_true(u1 == ss_rng_keyed_uniform(9, 1, 2, 3));
    assert_true(u1 != ss_rng_keyed_uniform(10, 1, 2, 3));
    assert_true(u1 != ss_rng_keyed_uniform(9, 2, 1, 3));
    /* uniform: chi-square over 20 bins of N sequential keys; 19 dof, the
     * 99.9% quantile is 43.8 */
    int bins[20] = {0};
    for (uint64_t k = 0; k < N; k++) {
        double u = ss_rng_keyed_uniform(5, 17, k, 0);
        assert_true(u >= 0.0 && u < 1.0);
        bins[(int)(u * 20)]++;
    }
    double chi2 = 0, e = N / 20.0;
    for (int i = 0; i < 20; i++)
        chi2 += (bins[i] - e) * (bins[i] - e) / e;
    assert_true(chi2 < 43.8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_stream),
        cmocka_unit_test(streams_differ_and_are_uncorrelated),
        cmocka_unit_test(keyed_uniform_is_pure_and_uniform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
