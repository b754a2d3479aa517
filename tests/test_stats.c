/*
 * test_stats.c - `spotsim stats` computations on hand-made stores whose
 * expected values are worked out by hand in the comments.
 *
 * Time origin T0 = 2023-01-02T00:00:00Z (a Monday, ISO week 2023-W01);
 * H = one hour in ms.
 */
#include "tests/testutil.h"

#include <csv.h>
#include <gsl/gsl_randist.h>
#include <jansson.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats.h"

/* Older cmocka has no assert_double_equal: compare with a tolerance. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps)                                                         \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps)))                                                         \
            fail_msg("%s = %.17g, expected %.17g (+/- %g)", #a, a_, b_, (double)(eps));         \
    } while (0)
#endif

#define T0 1672617600000LL /* 2023-01-02T00:00:00Z */
#define H 3600000LL
#define M 60000LL

typedef struct fixture {
    char *dir;
    ss_store st;
} fixture;

static void exec_sql(ss_store *st, const char *sql)
{
    ss_err err;
    if (ss_store_exec(st, sql, &err))
        fail_msg("SQL failed: %s", err.msg);
}

/* The hand-made store used by most tests (see each test for its numbers). */
static void populate(ss_store *st)
{
    char sql[8192];
    snprintf(sql, sizeof sql,
             "INSERT INTO pools(id, region, zone, instance_type, product) VALUES"
             " (1, 'us-east-1', 'us-east-1a', 'm5.large', 'Linux/UNIX'),"
             " (2, 'us-east-1', 'us-east-1b', 'm5.large', 'Linux/UNIX'),"
             " (3, 'us-west-2', 'us-west-2a', 'c5.large', 'Linux/UNIX'),"
             " (4, 'us-west-2', 'us-west-2b', 'p3.2xlarge', 'Linux/UNIX'),"
             " (5, 'us-west-2', 'us-west-2c', 'p3.2xlarge', 'Linux/UNIX'),"
             " (6, 'us-east-1', 'us-east-1a', 'm5.large', 'Windows');"
             /* pool 1: a 3-step series plus a repeated price */
             "INSERT INTO spot_prices(pool_id, t_ms, usd_per_hour) VALUES"
             " (1, %lld, 0.10), (1, %lld, 0.40), (1, %lld, 0.20), (1, %lld, 0.20),"
             " (6, %lld, 9.99);"
             "INSERT INTO ondemand_prices(region, instance_type, os, usd_per_hour) VALUES"
             " ('us-east-1', 'm5.large', 'Linux', 0.60);"
             /* pool 2: the inventory of the interruption-rate test */
             "INSERT INTO instances(instance_id, pool_id, lifecycle, launch_ms, end_ms, end_reason)"
             " VALUES"
             " ('i1', 2, 'spot', %lld, %lld, 'spot-interruption'),"
             " ('i2', 2, 'spot', %lld, NULL, NULL),"
             " ('i3', 2, 'spot', %lld, %lld, 'user-terminated'),"
             " ('i4', 2, 'spot', %lld, %lld, 'spot-interruption'),"
             " ('i5', 2, 'on-demand', %lld, %lld, NULL),"
             " ('i6', 2, 'spot', %lld, NULL, NULL);"
             "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms, pool_id) VALUES"
             " ('e1', 'interruption-warning', 'i1', %lld, NULL),"
             " ('e4', 'interruption-warning', 'i4', %lld, NULL),"
             " ('e6', 'interruption-warning', 'i6', %lld, NULL),"
             " ('e7', 'interruption-warning', 'i7', %lld, 2),"
             " ('r2', 'rebalance-recommendation', 'i2', %lld, NULL);"
             "INSERT INTO advisor_ranges(bucket, label, max_pct) VALUES (0, '<5%%', 5),"
             " (1, '5-10%%', 11), (2, '10-15%%', 16), (3, '15-20%%', 22), (4, '>20%%', 100);"
             "INSERT INTO advisor(region, os, instance_type, savings_pct, bucket, snapshot) VALUES"
             " ('us-east-1', 'Linux/UNIX', 'm5.large', 70, 2, '2025-01-01'),"
             " ('us-east-1', 'Linux/UNIX', 'm5.large', 50, 4, '2024-01-01'),"
             " ('us-east-1', 'Windows', 'm5.large', 10, 0, '2025-01-01');",
             T0 + 1 * H, T0 + 3 * H, T0 + 4 * H, T0 + 6 * H, T0 + 1 * H,
             T0, T0 + 4 * H,                   /* i1 */
             T0 + 1 * H,                       /* i2 */
             T0 + 2 * H, T0 + 5 * H,           /* i3 */
             T0 - 2 * H, T0 + 3 * H,           /* i4 */
             T0, T0 + 10 * H,                  /* i5 */
             T0 + 6 * H,                       /* i6 */
             T0 + 4 * H - 2 * M, T0 + 3 * H - 2 * M, T0 + 8 * H, T0 + 9 * H, T0 + 5 * H);
    exec_sql(st, sql);
    /* pool 3: seasonality. Prices 0.1 from T0, 0.3 from T0+36h; one spot
     * instance alive for the whole 48 h window; notices of distinct
     * instances (pool given on the event) at 03:10 and 03:50 on day 1 and
     * 15:00 on day 2, a rebalance at 03:20. */
    snprintf(sql, sizeof sql,
             "INSERT INTO spot_prices(pool_id, t_ms, usd_per_hour) VALUES (3, %lld, 0.1),"
             " (3, %lld, 0.3);"
             "INSERT INTO instances(instance_id, pool_id, lifecycle, launch_ms) VALUES"
             " ('c1', 3, 'spot', %lld);"
             "INSERT INTO interruption_events(event_key, kind, instance_id, t_ms, pool_id) VALUES"
             " ('s1', 'interruption-warning', 'x1', %lld, 3),"
             " ('s2', 'interruption', 'x2', %lld, 3),"
             " ('s3', 'interruption-warning', 'x3', %lld, 3),"
             " ('s4', 'rebalance-recommendation', 'x4', %lld, 3);",
             T0, T0 + 36 * H, T0, T0 + 3 * H + 10 * M, T0 + 3 * H + 50 * M, T0 + 39 * H,
             T0 + 3 * H + 20 * M);
    exec_sql(st, sql);
    /* pools 4, 5: capacity traces (see trace_unavailability) */
    snprintf(sql, sizeof sql,
             "INSERT INTO capacity_traces(id, pool_id, start_ms, gap_ms, meaning, capacity,"
             " n_samples) VALUES (1, 4, %lld, 300000, 'available-count', 4, 10),"
             " (2, 5, %lld, 600000, 'preempted-flag', 1, 4);",
             T0, T0);
    exec_sql(st, sql);
    const int v1[] = {4, 0, 0, 2, 0, 4, 0, 0, 0, 1}, v2[] = {0, 1, 1, 0};
    for (int i = 0; i < 10; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO capacity_samples VALUES (1, %d, %lld, %d)", i,
                 T0 + i * 5 * M, v1[i]);
        exec_sql(st, sql);
    }
    for (int i = 0; i < 4; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO capacity_samples VALUES (2, %d, %lld, %d)", i,
                 T0 + i * 10 * M, v2[i]);
        exec_sql(st, sql);
    }
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->dir = tu_mkdtemp();
    ss_err err;
    if (ss_store_open(&fx->st, tu_fmt("%s/s.db", fx->dir), 0, &err))
        fail_msg("%s", err.msg);
    populate(&fx->st);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ss_store_close(&fx->st);
    tu_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Rows for one pool (filter by type and zone), asserting there is one. */
static ss_stats_row one_row(ss_store *st, const char *type, const char *zone, ss_time from,
                            ss_time to)
{
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    f.from = from;
    f.to = to;
    f.types = &type;
    f.n_types = 1;
    f.zones = &zone;
    f.n_zones = 1;
    ss_stats_row *rows;
    size_t n;
    ss_err err;
    if (ss_stats_pools(st, &f, SS_BY_POOL, &rows, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 1);
    ss_stats_row r = rows[0];
    ss_stats_rows_free(rows);
    return r;
}

static void time_weighted_price(void **state)
{
    fixture *fx = *state;
    /* Records at 1h 0.10, 3h 0.40, 4h 0.20, 6h 0.20; window [0, 8h).
     * Uncovered [0, 1h). Integral 0.10*2 + 0.40*1 + 0.20*4 = 1.4 over 7 h
     * => 0.2. Records: min 0.1, median (0.2+0.2)/2, mean 0.9/4 = 0.225,
     * max 0.4; changes: 3h (0.1->0.4) and 4h (0.4->0.2) = 2. */
    ss_stats_row r = one_row(&fx->st, "m5.large", "us-east-1a", T0, T0 + 8 * H);
    assert_int_equal(r.price_records, 4);
    assert_double_equal(r.price_min, 0.10, 1e-12);
    assert_double_equal(r.price_median, 0.20, 1e-12);
    assert_double_equal(r.price_mean, 0.225, 1e-12);
    assert_double_equal(r.price_max, 0.40, 1e-12);
    assert_double_equal(r.price_twmean, 0.2, 1e-12);
    assert_double_equal(r.price_covered_hours, 7.0, 1e-12);
    assert_double_equal(r.price_uncovered_hours, 1.0, 1e-12);
    assert_int_equal(r.price_changes, 2);
    /* Savings: on-demand 0.60 / 0.2 = 3.0x; 1 - 0.2/0.6 = 66.67 %. */
    assert_double_equal(r.ondemand, 0.60, 1e-12);
    assert_double_equal(r.savings_ratio, 3.0, 1e-12);
    assert_double_equal(r.savings_pct, 100.0 * (1.0 - 0.2 / 0.6), 1e-9);
    /* The Windows pool of the same zone/type is not mixed in (product). */
    assert_string_equal(r.product, "Linux/UNIX");

    /* Window [2h, 8h): the 0.10 of the 1h record carries in for 1 h:
     * (0.1*1 + 0.4*1 + 0.2*4) / 6 = 1.3 / 6; records 3h, 4h, 6h. */
    r = one_row(&fx->st, "m5.large", "us-east-1a", T0 + 2 * H, T0 + 8 * H);
    assert_int_equal(r.price_records, 3);
    assert_double_equal(r.price_twmean, 1.3 / 6.0, 1e-12);
    assert_double_equal(r.price_uncovered_hours, 0.0, 1e-12);
    assert_int_equal(r.price_changes, 2);
    assert_double_equal(r.savings_ratio, 0.6 / (1.3 / 6.0), 1e-9);

    /* No On-Demand price (us-west-2 c5.large): savings blank. */
    r = one_row(&fx->st, "c5.large", "us-west-2a", T0, T0 + 48 * H);
    assert_true(isnan(r.ondemand) && isnan(r.savings_ratio) && isnan(r.savings_pct));
}

static void interruption_rate(void **state)
{
    fixture *fx = *state;
    /* Window [0, 10h), pool 2. Spot exposure clipped to the window:
     *   i1 [0,4h) 4 h; i2 [1h, open) -> 9 h; i3 [2h,5h) 3 h;
     *   i4 [-2h,3h) -> 3 h; i6 [6h, open) but warned at 8h -> ends 8h02m: 2h02m;
     *   i5 is on-demand (not counted).
     * Total 21 h + 2 min. Interrupted distinct instances: i1, i4, i6 (joined
     * through the inventory) and i7 (pool on the event, not in the
     * inventory) = 4. Rebalance: i2. Rate = 4000 / (21 + 1/30). */
    ss_stats_row r = one_row(&fx->st, "m5.large", "us-east-1b", T0, T0 + 10 * H);
    double expo = 21.0 + 2.0 / 60.0;
    assert_double_equal(r.exposure_hours, expo, 1e-9);
    assert_int_equal(r.interruptions, 4);
    assert_int_equal(r.rebalances, 1);
    assert_int_equal(r.instances, 5);
    assert_double_equal(r.rate_per_1000h, 4000.0 / expo, 1e-9);
    /* Observed monthly frequency 1 - exp(-4/expo*730) ~ 100 % => '>20%';
     * Advisor: latest snapshot (2025) says bucket 2 '10-15%', 70 % savings. */
    assert_double_equal(r.observed_monthly_pct, 100.0 * (1.0 - exp(-4.0 / expo * 730.0)), 1e-9);
    assert_string_equal(r.observed_label, ">20%");
    assert_int_equal(r.advisor_bucket, 2);
    assert_string_equal(r.advisor_label, "10-15%");
    assert_int_equal(r.advisor_savings_pct, 70);

    /* Survival of the instances launched in the window (hours):
     *   i6 2.0333 event, i3 3 censored, i1 4 event, i2 9 censored (window end).
     *   t=2.0333: 4 at risk, 1 event -> S = 3/4
     *   t=4:      2 at risk, 1 event -> S = 3/4 * 1/2 = 0.375
     * KM median = 4 h; S(1h) = 1, S(6h) = S(24h) = 0.375. */
    assert_int_equal(r.lifetimes, 4);
    assert_int_equal(r.lifetime_events, 2);
    assert_double_equal(r.km_median_hours, 4.0, 1e-9);
    assert_double_equal(r.km_s1h, 1.0, 1e-12);
    assert_double_equal(r.km_s6h, 0.375, 1e-12);
    assert_double_equal(r.km_s24h, 0.375, 1e-12);
    assert_true(r.weibull_k > 0 && r.weibull_lambda_hours > 0);
}

static void km_by_hand(void **state)
{
    (void)state;
    /* times 1 2 2 3 4 5 5 6, events E E C E C E E C:
     *   t=1: n=8 d=1 S = 7/8            = 0.875
     *   t=2: n=7 d=1 S = 0.875 * 6/7    = 0.75   (the censored 2 is at risk)
     *   t=3: n=5 d=1 S = 0.75 * 4/5     = 0.6
     *   t=5: n=3 d=2 S = 0.6 * 1/3      = 0.2
     * median: first S <= 0.5 at t = 5. */
    const double t[] = {5, 2, 1, 4, 2, 3, 6, 5};
    const int e[] = {1, 0, 1, 0, 1, 1, 0, 1};
    ss_km km;
    ss_km_estimate(t, e, 8, &km);
    assert_int_equal(km.n, 4);
    const double et[] = {1, 2, 3, 5}, es[] = {0.875, 0.75, 0.6, 0.2};
    const long en[] = {8, 7, 5, 3}, ed[] = {1, 1, 1, 2};
    for (size_t i = 0; i < 4; i++) {
        assert_double_equal(km.t[i], et[i], 0);
        assert_double_equal(km.s[i], es[i], 1e-12);
        assert_int_equal(km.n_risk[i], en[i]);
        assert_int_equal(km.d[i], ed[i]);
    }
    assert_double_equal(ss_km_at(&km, 0.5), 1.0, 0);
    assert_double_equal(ss_km_at(&km, 4.5), 0.6, 1e-12);
    assert_double_equal(ss_km_at(&km, 100), 0.2, 1e-12);
    assert_double_equal(ss_km_median(&km), 5.0, 0);
    ss_km_free(&km);
    /* No events: S stays 1, no median. */
    const int none[] = {0, 0, 0, 0, 0, 0, 0, 0};
    ss_km_estimate(t, none, 8, &km);
    assert_int_equal(km.n, 0);
    assert_true(isnan(ss_km_median(&km)));
    ss_km_free(&km);
}

static double weibull_loglik(const double *t, const int *e, size_t n, double k, double lam)
{
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        double z = t[i] / lam;
        if (e[i])
            ll += log(k / lam) + (k - 1) * log(z);
        ll -= pow(z, k);
    }
    return ll;
}

static void weibull_recovers_parameters(void **state)
{
    (void)state;
    enum { N = 2000 };
    double *t = malloc(N * sizeof *t);
    int *e = malloc(N * sizeof *e);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    /* GSL's Weibull(a, b): density b/a^b x^(b-1) exp(-(x/a)^b): a = lambda. */
    for (size_t i = 0; i < N; i++) {
        t[i] = gsl_ran_weibull(r, 10.0, 1.5);
        e[i] = 1;
    }
    ss_weibull w;
    ss_err err;
    if (ss_weibull_fit(t, e, N, &w, &err))
        fail_msg("%s", err.msg);
    /* Standard errors at n = 2000: k ~ 0.026, lambda ~ 0.16: allow ~3 sigma. */
    assert_double_equal(w.k, 1.5, 0.075);
    assert_double_equal(w.lambda, 10.0, 0.5);
    assert_double_equal(w.median, w.lambda * pow(log(2.0), 1.0 / w.k), 1e-9);
    /* The MLE beats the truth and nearby points on the likelihood. */
    double best = weibull_loglik(t, e, N, w.k, w.lambda);
    assert_double_equal(best, w.loglik, 1e-6 * fabs(best));
    assert_true(best >= weibull_loglik(t, e, N, 1.5, 10.0));
    assert_true(best >= weibull_loglik(t, e, N, w.k * 1.01, w.lambda));
    assert_true(best >= weibull_loglik(t, e, N, w.k, w.lambda * 0.99));

    /* Independent uniform censoring on [0, 25): about a third censored. */
    size_t censored = 0;
    for (size_t i = 0; i < N; i++) {
        double c = gsl_rng_uniform(r) * 25.0;
        double x = gsl_ran_weibull(r, 10.0, 1.5);
        e[i] = x <= c;
        t[i] = e[i] ? x : c;
        censored += !e[i];
    }
    assert_true(censored > 300 && censored < 1200);
    if (ss_weibull_fit(t, e, N, &w, &err))
        fail_msg("%s", err.msg);
    assert_double_equal(w.k, 1.5, 0.12);
    assert_double_equal(w.lambda, 10.0, 0.8);
    /* Ignoring the censoring would bias lambda down: the fit must not. */
    best = weibull_loglik(t, e, N, w.k, w.lambda);
    assert_true(best >= weibull_loglik(t, e, N, 1.5, 10.0));

    /* Too few events: a clear error, not a number. */
    const double t2[] = {1, 2, 3};
    const int e2[] = {1, 0, 0};
    assert_int_equal(ss_weibull_fit(t2, e2, 3, &w, &err), -1);
    assert_non_null(strstr(err.msg, "Weibull"));
    gsl_rng_free(r);
    free(t);
    free(e);
}

static void hour_and_week_breakdown(void **state)
{
    fixture *fx = *state;
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    f.from = T0;
    f.to = T0 + 48 * H;
    const char *zone = "us-west-2a";
    f.zones = &zone;
    f.n_zones = 1;
    ss_stats_bucket *b;
    size_t n;
    ss_err err;
    if (ss_stats_breakdown(&fx->st, &f, SS_BY_HOUR, &b, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 24);
    /* 48 h of one instance: 2 instance-hours per hour of day.
     * Hour 3: notices 03:10, 03:50 => 2, rebalance 03:20; rate 1000*2/2.
     * Hour 15: 1 (day 2). Prices: 0.1 until 36h (day 2 12:00), then 0.3:
     * hours 0..11 => 0.1; hours 12..23 => (0.1 + 0.3) / 2 = 0.2. */
    for (size_t h = 0; h < 24; h++) {
        char label[8];
        snprintf(label, sizeof label, "%02zu", h);
        assert_string_equal(b[h].label, label);
        assert_double_equal(b[h].exposure_hours, 2.0, 1e-12);
        long want = h == 3 ? 2 : h == 15 ? 1 : 0;
        assert_int_equal(b[h].interruptions, want);
        assert_int_equal(b[h].rebalances, h == 3 ? 1 : 0);
        assert_double_equal(b[h].rate_per_1000h, 1000.0 * (double)want / 2.0, 1e-9);
        assert_double_equal(b[h].price_twmean, h < 12 ? 0.1 : 0.2, 1e-12);
        assert_double_equal(b[h].price_covered_hours, 2.0, 1e-12);
    }
    ss_stats_buckets_free(b);

    /* Week: 2023-01-02 is the Monday of ISO week 2023-W01; the previous
     * day (Sunday 2023-01-01) belongs to 2022-W52. */
    f.from = T0 - 24 * H;
    if (ss_stats_breakdown(&fx->st, &f, SS_BY_WEEK, &b, &n, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 1); /* nothing happened on the Sunday */
    assert_string_equal(b[0].label, "2023-W01");
    assert_int_equal(b[0].interruptions, 3);
    assert_double_equal(b[0].exposure_hours, 48.0, 1e-12);
    assert_double_equal(b[0].price_twmean, (0.1 * 36 + 0.3 * 12) / 48.0, 1e-12);
    ss_stats_buckets_free(b);

    /* Asking a row grouping from the breakdown is an error, not a crash. */
    assert_int_equal(ss_stats_breakdown(&fx->st, &f, SS_BY_POOL, &b, &n, &err), -1);
}

static void trace_unavailability(void **state)
{
    fixture *fx = *state;
    /* Pool 4, available-count, gap 5 min: 4 0 0 2 0 4 0 0 0 1.
     * Unavailable samples 1,2,4,6,7,8 = 30 of 50 min = 60 %; outages
     * {1,2} {4} {6,7,8} = 3; longest 15 min = 0.25 h. */
    ss_stats_row r = one_row(&fx->st, "p3.2xlarge", "us-west-2b", SS_STATS_OPEN_FROM,
                             SS_STATS_OPEN_TO);
    assert_int_equal(r.traces, 1);
    assert_double_equal(r.trace_hours, 50.0 / 60.0, 1e-12);
    assert_double_equal(r.unavail_hours, 0.5, 1e-12);
    assert_double_equal(r.unavail_pct, 60.0, 1e-9);
    assert_int_equal(r.outages, 3);
    assert_double_equal(r.longest_outage_hours, 0.25, 1e-12);
    /* Window [10 min, 50 min): samples 2..9: unavailable 2,4,6,7,8 = 25 of
     * 40 min = 62.5 %; outages {2} {4} {6,7,8}. */
    r = one_row(&fx->st, "p3.2xlarge", "us-west-2b", T0 + 10 * M, T0 + 50 * M);
    assert_double_equal(r.unavail_pct, 62.5, 1e-9);
    assert_int_equal(r.outages, 3);
    assert_double_equal(r.longest_outage_hours, 0.25, 1e-12);
    /* Pool 5, preempted-flag (1 = no capacity), gap 10 min: 0 1 1 0 =>
     * 20 of 40 min, one outage of 20 min. */
    r = one_row(&fx->st, "p3.2xlarge", "us-west-2c", SS_STATS_OPEN_FROM, SS_STATS_OPEN_TO);
    assert_double_equal(r.unavail_pct, 50.0, 1e-9);
    assert_int_equal(r.outages, 1);
    assert_double_equal(r.longest_outage_hours, 1.0 / 3.0, 1e-12);
}

static void groups_pool_raw_data(void **state)
{
    fixture *fx = *state;
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    f.from = T0;
    f.to = T0 + 10 * H;
    ss_stats_row *rows, *all, *zones;
    size_t n, na, nz;
    ss_err err;
    assert_int_equal(ss_stats_pools(&fx->st, &f, SS_BY_POOL, &rows, &n, &err), 0);
    assert_int_equal(ss_stats_pools(&fx->st, &f, SS_BY_ALL, &all, &na, &err), 0);
    assert_int_equal(ss_stats_pools(&fx->st, &f, SS_BY_TYPE, &zones, &nz, &err), 0);
    /* Pools with data in [0, 10h): 1 (prices), 2 (inventory), 3 (prices,
     * events), 4 and 5 (traces); sorted by type then zone. */
    assert_int_equal(n, 5);
    assert_string_equal(rows[0].key, "c5.large us-west-2a");
    assert_string_equal(rows[1].key, "m5.large us-east-1a");
    assert_string_equal(rows[2].key, "m5.large us-east-1b");
    assert_int_equal(na, 1);
    assert_string_equal(all[0].key, "TOTAL");
    assert_int_equal(all[0].n_pools, 5);
    assert_string_equal(all[0].region, "*");
    long sum_int = 0;
    double sum_exp = 0;
    for (size_t i = 0; i < n; i++) {
        sum_int += rows[i].interruptions;
        sum_exp += rows[i].exposure_hours;
    }
    assert_int_equal(all[0].interruptions, sum_int);
    assert_double_equal(all[0].exposure_hours, sum_exp, 1e-9);
    /* By type: c5.large, m5.large (2 pools), p3.2xlarge (2 pools). */
    assert_int_equal(nz, 3);
    assert_string_equal(zones[1].key, "m5.large");
    assert_int_equal(zones[1].n_pools, 2);
    assert_string_equal(zones[1].zone, "*");
    assert_string_equal(zones[1].region, "us-east-1");
    ss_stats_rows_free(rows);
    ss_stats_rows_free(all);
    ss_stats_rows_free(zones);

    /* A filter nothing matches: zero rows, no error. */
    f.region = "eu-nowhere-1";
    assert_int_equal(ss_stats_pools(&fx->st, &f, SS_BY_POOL, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    ss_stats_rows_free(rows);
    /* Product filter: the Windows pool alone. */
    f.region = NULL;
    f.product = "Windows";
    assert_int_equal(ss_stats_pools(&fx->st, &f, SS_BY_POOL, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_double_equal(rows[0].price_twmean, 9.99, 1e-12);
    ss_stats_rows_free(rows);
}


/* ---- the command line ------------------------------------------------------ */

typedef struct csv_parsed {
    char cells[64][48][64]; /* row, column, text */
    size_t rows, cols, col;
} csv_parsed;

static void csv_cb_field(void *s, size_t len, void *data)
{
    csv_parsed *p = data;
    if (p->rows < 64 && p->col < 48)
        snprintf(p->cells[p->rows][p->col], 64, "%.*s", (int)len, (const char *)s);
    p->col++;
}

static void csv_cb_row(int c, void *data)
{
    (void)c;
    csv_parsed *p = data;
    if (p->rows == 0)
        p->cols = p->col;
    else if (p->col != p->cols)
        fail_msg("CSV row %zu has %zu fields, header has %zu", p->rows, p->col, p->cols);
    p->rows++;
    p->col = 0;
}

static int csv_column(const csv_parsed *p, const char *name)
{
    for (size_t c = 0; c < p->cols; c++)
        if (!strcmp(p->cells[0][c], name))
            return (int)c;
    fail_msg("CSV has no column %s", name);
    return -1;
}

static void cli_csv_and_json_match_library(void **state)
{
    fixture *fx = *state;
    ss_store_close(&fx->st); /* the command opens the file itself */
    const char *db = tu_fmt("%s/s.db", fx->dir);
    char dbpath[512];
    snprintf(dbpath, sizeof dbpath, "%s", db);
    const char *win = "--from 2023-01-02T00:00:00Z --to 2023-01-02T10:00:00Z";
    const char *out = tu_fmt("%s/out.csv", fx->dir);
    char outcsv[512];
    snprintf(outcsv, sizeof outcsv, "%s", out);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' %s --csv > '%s'", tu_spotsim_bin(),
                                      dbpath, win, outcsv)),
                     0);

    ss_err err;
    ss_store st;
    if (ss_store_open(&st, dbpath, 1, &err))
        fail_msg("%s", err.msg);
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    f.from = T0;
    f.to = T0 + 10 * H;
    ss_stats_row *rows;
    size_t n;
    if (ss_stats_pools(&st, &f, SS_BY_POOL, &rows, &n, &err))
        fail_msg("%s", err.msg);

    size_t len;
    char *text = tu_read_file(outcsv, &len);
    assert_non_null(text);
    csv_parsed *p = calloc(1, sizeof *p);
    struct csv_parser parser;
    assert_int_equal(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&parser, text, len, csv_cb_field, csv_cb_row, p), len);
    assert_int_equal(csv_fini(&parser, csv_cb_field, csv_cb_row, p), 0);
    csv_free(&parser);
    free(text);
    assert_int_equal(p->rows, n + 1); /* header + one row per pool */
    int ck = csv_column(p, "key"), ci = csv_column(p, "interruptions"),
        cr = csv_column(p, "rate_per_1000h"), ct = csv_column(p, "price_twmean"),
        cs = csv_column(p, "savings_ratio"), cm = csv_column(p, "km_median_hours");
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(p->cells[i + 1][ck], rows[i].key);
        assert_int_equal(atol(p->cells[i + 1][ci]), rows[i].interruptions);
        const int num[] = {cr, ct, cs, cm};
        const double want[] = {rows[i].rate_per_1000h, rows[i].price_twmean,
                               rows[i].savings_ratio, rows[i].km_median_hours};
        for (size_t k = 0; k < 4; k++) {
            const char *c = p->cells[i + 1][num[k]];
            if (isnan(want[k]))
                assert_string_equal(c, "");
            else
                assert_double_equal(strtod(c, NULL), want[k], 1e-12 * fabs(want[k]));
        }
    }
    free(p);

    /* JSON: loads back with jansson, same values, total = BY_ALL row. */
    out = tu_fmt("%s/out.json", fx->dir);
    char outjson[512];
    snprintf(outjson, sizeof outjson, "%s", out);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' %s --json > '%s'", tu_spotsim_bin(),
                                      dbpath, win, outjson)),
                     0);
    json_error_t jerr;
    json_t *root = json_load_file(outjson, 0, &jerr);
    if (!root)
        fail_msg("JSON does not load: %s line %d", jerr.text, jerr.line);
    json_t *arr = json_object_get(root, "rows");
    assert_int_equal(json_array_size(arr), n);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        assert_string_equal(json_string_value(json_object_get(o, "key")), rows[i].key);
        json_t *pr = json_object_get(o, "prices"), *in = json_object_get(o, "interruptions");
        json_t *tw = json_object_get(pr, "price_twmean");
        if (isnan(rows[i].price_twmean))
            assert_true(json_is_null(tw));
        else
            /* JSON numbers carry 10 significant digits */
            assert_double_equal(json_real_value(tw), rows[i].price_twmean,
                                1e-9 * fabs(rows[i].price_twmean));
        assert_int_equal(json_integer_value(json_object_get(in, "interruptions")),
                         rows[i].interruptions);
        json_t *ex = json_object_get(in, "exposure_hours");
        assert_double_equal(json_number_value(ex), rows[i].exposure_hours,
                            1e-9 * fabs(rows[i].exposure_hours));
    }
    long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += rows[i].interruptions;
    json_t *tot = json_object_get(json_object_get(root, "total"), "interruptions");
    assert_int_equal(json_integer_value(json_object_get(tot, "interruptions")), sum);
    json_decref(root);
    ss_stats_rows_free(rows);
    ss_store_close(&st);

    /* Usage errors exit 2; an empty selection says so and exits 0. */
    const char *bin = tu_spotsim_bin();
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --from yesterday 2>/dev/null", bin,
                                      dbpath)),
                     2);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --by month 2>/dev/null", bin, dbpath)),
                     2);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --section x 2>/dev/null", bin, dbpath)),
                     2);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --bogus 2>/dev/null", bin, dbpath)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --from 2023-01-03 --to 2023-01-02"
                                      " 2>/dev/null", bin, dbpath)),
                     2);
    const char *empty = tu_fmt("%s/empty.txt", fx->dir);
    char emptyp[512];
    snprintf(emptyp, sizeof emptyp, "%s", empty);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --region eu-nowhere-1 > '%s'", bin,
                                      dbpath, emptyp)),
                     0);
    text = tu_read_file(emptyp, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "No statistics"));
    assert_non_null(strstr(text, "no pool in the store has region 'eu-nowhere-1'"));
    free(text);
    /* A misspelt type: the nearest stored one is suggested (edit distance 1). */
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --type m5.larg > '%s'", bin, dbpath,
                                      emptyp)),
                     0);
    text = tu_read_file(emptyp, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "no pool in the store has type 'm5.larg' (did you mean 'm5.large'?)"));
    free(text);
    /* A missing store is a failure (1), not a usage error. */
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s/none.db' 2>/dev/null", bin, fx->dir)),
                     1);
    /* --by hour as CSV: 24 data rows + header. */
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --by hour --csv > '%s'", bin, dbpath,
                                      emptyp)),
                     0);
    text = tu_read_file(emptyp, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, 25);
    free(text);
    /* reopen for teardown */
    if (ss_store_open(&fx->st, dbpath, 0, &err))
        fail_msg("%s", err.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(time_weighted_price, setup, teardown),
        cmocka_unit_test_setup_teardown(interruption_rate, setup, teardown),
        cmocka_unit_test(km_by_hand),
        cmocka_unit_test(weibull_recovers_parameters),
        cmocka_unit_test_setup_teardown(hour_and_week_breakdown, setup, teardown),
        cmocka_unit_test_setup_teardown(trace_unavailability, setup, teardown),
        cmocka_unit_test_setup_teardown(groups_pool_raw_data, setup, teardown),
        cmocka_unit_test_setup_teardown(cli_csv_and_json_match_library, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
