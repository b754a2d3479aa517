/*
 * test_market.c - prices and billing against values worked out by hand, plus
 * a property test of the prefix-sum integral against a brute-force sum.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>

#include "datasets/market_data.h"
#include "models/market.h"

/* cmocka here has only a float compare: check doubles to a stated tolerance. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.15g, expected %.15g (tolerance %g)", #a, a_, b_, (double)(eps));      \
    } while (0)

#define H SS_HOUR
#define M SS_MINUTE
#define S SS_SECOND

/* A 3-step series: 0.10 $/h from t=1h, 0.20 from 3h, 0.05 from 4h (to +inf). */
static ss_price_series three_steps(void)
{
    ss_price_series s = {0};
    const ss_time t[] = {1 * H, 3 * H, 4 * H};
    const double p[] = {0.10, 0.20, 0.05};
    ss_price_series_set(&s, t, p, 3);
    return s;
}

static void price_at_and_coverage(void **state)
{
    (void)state;
    ss_price_series s = three_steps();
    bool cov;
    assert_near(ss_price_at(&s, 0, &cov), 0.10, 1e-15);
    assert_false(cov); /* before the first record: first price, uncovered */
    assert_near(ss_price_at(&s, 1 * H, &cov), 0.10, 1e-15);
    assert_true(cov);
    assert_near(ss_price_at(&s, 3 * H - 1, NULL), 0.10, 1e-15);
    assert_near(ss_price_at(&s, 3 * H, NULL), 0.20, 1e-15);
    assert_near(ss_price_at(&s, 100 * H, NULL), 0.05, 1e-15);
    /* prefix: [0, 0.10*2h, 0.10*2h + 0.20*1h] in USD*ms/h */
    assert_near(s.prefix[1], 0.10 * 2 * H, 1e-6);
    assert_near(s.prefix[2], (0.20 + 0.20) * H, 1e-6);
    ss_price_series empty = {0};
    assert_near(ss_price_at(&empty, 5, &cov), 0.0, 0);
    assert_false(cov);
    ss_price_series_set(&s, NULL, NULL, 0);
}

static void integral_by_hand(void **state)
{
    (void)state;
    ss_price_series s = three_steps();
    ss_time unc = 0;
    /* [0h, 2h): 1h uncovered at 0.10 + 1h at 0.10 = 0.20 USD; 1h uncovered. */
    assert_near(ss_price_integral(&s, 0, 2 * H, &unc), 0.20, 1e-12);
    assert_int_equal(unc, 1 * H);
    /* Inside one step: [1.5h, 2.5h) at 0.10 = 0.10 USD; nothing uncovered. */
    unc = 0;
    assert_near(ss_price_integral(&s, 3 * H / 2, 5 * H / 2, &unc), 0.10, 1e-12);
    assert_int_equal(unc, 0);
    /* Spanning all: [2h, 6h) = 1h*0.10 + 1h*0.20 + 2h*0.05 = 0.10+0.20+0.10 = 0.40 USD. */
    assert_near(ss_price_integral(&s, 2 * H, 6 * H, &unc), 0.40, 1e-12);
    /* Before + all: [30min, 4h30min) = 0.5h*0.10 (uncovered) + 2h*0.10 + 1h*0.20
     * + 0.5h*0.05 = 0.05 + 0.20 + 0.20 + 0.025 = 0.475 USD; 30 min uncovered. */
    unc = 0;
    assert_near(ss_price_integral(&s, 30 * M, 4 * H + 30 * M, &unc), 0.475, 1e-12);
    assert_int_equal(unc, 30 * M);
    /* Entirely before the first record: [0, 30min) = 0.05 USD, all uncovered. */
    unc = 0;
    assert_near(ss_price_integral(&s, 0, 30 * M, &unc), 0.05, 1e-12);
    assert_int_equal(unc, 30 * M);
    /* Empty / reversed windows cost nothing. */
    assert_near(ss_price_integral(&s, 2 * H, 2 * H, NULL), 0.0, 0);
    assert_near(ss_price_integral(&s, 3 * H, 2 * H, NULL), 0.0, 0);
    /* Mean over [2h, 6h) = 0.40 USD / 4 h = 0.10 $/h. */
    assert_near(ss_price_mean(&s, 2 * H, 6 * H), 0.10, 1e-12);
    ss_price_series_set(&s, NULL, NULL, 0);
}

static void billing_minimum(void **state)
{
    (void)state;
    ss_price_series s = three_steps();
    /* A 30 s Spot instance at 0.20 $/h pays 60 s: 0.20/60 = 0.003333 USD. */
    assert_near(ss_bill_spot(&s, 3 * H, 3 * H + 30 * S, NULL), 0.20 / 60.0, 1e-12);
    /* A 30 s instance launched 30 s before the 0.20->0.05 change pays
     * 30 s at 0.20 and 30 s at 0.05 = (6 + 1.5)/3600 USD. */
    assert_near(ss_bill_spot(&s, 4 * H - 30 * S, 4 * H, NULL), 7.5 / 3600.0, 1e-12);
    /* Per second: 90.4 s bills 91 s. 91 s at 0.20 = 0.20*91/3600. */
    assert_near(ss_bill_spot(&s, 3 * H, 3 * H + 90400, NULL), 0.20 * 91 / 3600.0, 1e-12);
    /* On-Demand: 30 s at 0.096 $/h pays 60 s = 0.0016; 2 h pays 0.192. */
    assert_near(ss_bill_ondemand(0.096, 0, 30 * S), 0.0016, 1e-12);
    assert_near(ss_bill_ondemand(0.096, 0, 2 * H), 0.192, 1e-12);
    assert_near(ss_bill_ondemand(0.096, 5 * H, 5 * H), 0.0, 0);
    ss_price_series_set(&s, NULL, NULL, 0);
}

static void next_above_and_below(void **state)
{
    (void)state;
    ss_price_series s = three_steps();
    /* max 0.15: above on [3h, 4h) only. */
    assert_int_equal(ss_price_next_above(&s, 0, 0.15), 3 * H);
    assert_int_equal(ss_price_next_above(&s, 3 * H + 5, 0.15), 3 * H + 5); /* already above */
    assert_true(ss_price_next_above(&s, 4 * H, 0.15) == SS_TIME_NEVER);
    assert_int_equal(ss_price_next_at_or_below(&s, 3 * H, 0.15), 4 * H);
    assert_int_equal(ss_price_next_at_or_below(&s, 2 * H, 0.15), 2 * H);
    /* at-or-below is inclusive: max 0.20 is never exceeded. */
    assert_true(ss_price_next_above(&s, 0, 0.20) == SS_TIME_NEVER);
    assert_int_equal(ss_price_next_at_or_below(&s, 3 * H, 0.20), 3 * H);
    /* max 0.01: always above; never at or below. */
    assert_int_equal(ss_price_next_above(&s, 7, 0.01), 7);
    assert_true(ss_price_next_at_or_below(&s, 0, 0.01) == SS_TIME_NEVER);
    ss_price_series_set(&s, NULL, NULL, 0);
}

/* Property: for random series (second-aligned) and random second-aligned
 * windows, the prefix-sum integral equals a brute-force per-second sum of
 * ss_price_at, and the bill equals the integral when the window is >= 60 s. */
static void integral_matches_brute_force(void **state)
{
    (void)state;
    srand(12345);
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + (size_t)(rand() % 12);
        ss_time t[12];
        double p[12];
        ss_time cur = 1000 * S + (ss_time)(rand() % 100) * S;
        for (size_t i = 0; i < n; i++) {
            t[i] = cur;
            p[i] = (double)(rand() % 1000) / 1000.0;
            cur += (1 + rand() % 300) * S;
        }
        ss_price_series s = {0};
        ss_price_series_set(&s, t, p, n);
        for (int w = 0; w < 20; w++) {
            ss_time a = (ss_time)(rand() % 5000) * S;
            ss_time b = a + (ss_time)(rand() % 3000) * S;
            double brute = 0.0;
            ss_time unc_brute = 0;
            for (ss_time x = a; x < b; x += S) {
                bool cov;
                brute += ss_price_at(&s, x, &cov) / 3600.0;
                if (!cov)
                    unc_brute += S;
            }
            ss_time unc = 0;
            double fast = ss_price_integral(&s, a, b, &unc);
            assert_near(fast, brute, 1e-9);
            assert_int_equal(unc, unc_brute);
            if (b - a >= 60 * S)
                assert_near(ss_bill_spot(&s, a, b, NULL), brute, 1e-9);
        }
        ss_price_series_set(&s, NULL, NULL, 0);
    }
}

static void data_new_free(void **state)
{
    (void)state;
    ss_data *d = ss_data_new(3, 2);
    const ss_pool *p = ss_data_pool(d, 2, 1);
    assert_int_equal(p->type_idx, 2);
    assert_int_equal(p->zone_idx, 1);
    assert_int_equal(p->advisor_bucket, -1);
    const ss_time t[] = {0, 10};
    const double u[] = {1, 2};
    ss_price_series_set(&d->pools[5].spot, t, u, 2);
    ss_price_series_set(&d->pools[5].spot, t, u, 2); /* re-set frees the old arrays */
    ss_data_free(d);
    ss_data_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(price_at_and_coverage), cmocka_unit_test(integral_by_hand),
        cmocka_unit_test(billing_minimum),       cmocka_unit_test(next_above_and_below),
        cmocka_unit_test(integral_matches_brute_force), cmocka_unit_test(data_new_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
