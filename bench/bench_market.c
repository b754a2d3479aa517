/*
 * bench_market.c - throughput of the price integral (prefix sums + two binary
 * searches) on a long series, against the per-step walk it replaces.
 */
#include <stdio.h>
#include <stdlib.h>

#include "datasets/market_data.h"
#include "models/market.h"
#include "sim/kernel/util.h"

int main(void)
{
    const size_t n = 1000000; /* ~ one price change every 5 min for 10 years */
    ss_time *t = ss_malloc(n * sizeof *t);
    double *p = ss_malloc(n * sizeof *p);
    uint64_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = ss_mix64(x + i);
        t[i] = (ss_time)i * 300000 + (ss_time)(x % 1000);
        p[i] = 0.02 + (double)(x % 10000) / 1e5;
    }
    ss_price_series s = {0};
    double t0 = ss_wall_seconds();
    ss_price_series_set(&s, t, p, n);
    double t_build = ss_wall_seconds() - t0;

    const int q = 2000000;
    double sum = 0.0;
    t0 = ss_wall_seconds();
    for (int i = 0; i < q; i++) {
        x = ss_mix64(x + (uint64_t)i);
        ss_time a = (ss_time)(x % (uint64_t)t[n - 1]);
        ss_time b = a + (ss_time)((x >> 20) % (uint64_t)(30 * SS_DAY));
        sum += ss_bill_spot(&s, a, b, NULL);
    }
    double t_q = ss_wall_seconds() - t0;
    printf("bench_market: series of %zu steps built in %.3f s; %d bills (windows up to 30 d) "
           "in %.3f s = %.0f ns each (checksum %.3f)\n",
           n, t_build, q, t_q, t_q / q * 1e9, sum);
    ss_price_series_set(&s, NULL, NULL, 0);
    free(t);
    free(p);
    return 0;
}
