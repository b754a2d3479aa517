/*
 * market.c - prices and billing over a price step function (modeling-notes §1).
 *
 * A series holds price[i] on [t[i], t[i+1]) (the last price until +inf), and
 * prefix[i] = integral from t[0] to t[i] in USD*ms/h. Define the antiderivative
 *     F(x) = prefix[i] + price[i] * (x - t[i])   with i = last step t[i] <= x,
 *     F(x) = price[0] * (x - t[0])               for x < t[0] (uncovered),
 * so any integral over [a, b) is F(b) - F(a): two binary searches, whatever
 * the number of price changes in between. Time before the first record is
 * priced at the first record's price (the first record of a history query is
 * the price in force at its start) and always reported as uncovered.
 */
#include "models/market.h"

#include <math.h>

#define MS_PER_HOUR 3600000.0

/* Index of the last step with t[i] <= x, or -1 when x < t[0]. */
static long step_index(const ss_price_series *s, ss_time x)
{
    size_t lo = 0, hi = s->n; /* answer in [lo, hi): first i with t[i] > x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->t[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

/* F(x) in USD*ms/h (see the file comment). */
static double antiderivative(const ss_price_series *s, ss_time x)
{
    long i = step_index(s, x);
    if (i < 0)
        return -s->usd_per_hour[0] * (double)(s->t[0] - x);
    size_t k = (size_t)i;
    return s->prefix[k] + s->usd_per_hour[k] * (double)(x - s->t[k]);
}

double ss_price_at(const ss_price_series *s, ss_time t, bool *covered)
{
    if (s->n == 0) {
        if (covered)
            *covered = false;
        return 0.0;
    }
    long i = step_index(s, t);
    if (covered)
        *covered = i >= 0;
    return s->usd_per_hour[i < 0 ? 0 : (size_t)i];
}

double ss_price_integral(const ss_price_series *s, ss_time a, ss_time b, ss_time *uncovered_ms)
{
    if (b <= a)
        return 0.0;
    if (s->n == 0) {
        if (uncovered_ms)
            *uncovered_ms += b - a;
        return 0.0;
    }
    if (uncovered_ms && a < s->t[0])
        *uncovered_ms += (b < s->t[0] ? b : s->t[0]) - a;
    return (antiderivative(s, b) - antiderivative(s, a)) / MS_PER_HOUR;
}

/* Billed length: per second (a started second counts), at least 60 s.
 * end <= launch bills nothing (the instance never ran). */
static ss_time billed_ms(ss_time launch, ss_time end)
{
    if (end <= launch)
        return 0;
    ss_time d = end - launch;
    d = (d + SS_SECOND - 1) / SS_SECOND * SS_SECOND;
    return d < SS_MINUTE ? SS_MINUTE : d;
}

double ss_bill_spot(const ss_price_series *s, ss_time launch, ss_time end, ss_time *uncovered_ms)
{
    ss_time d = billed_ms(launch, end);
    return d ? ss_price_integral(s, launch, launch + d, uncovered_ms) : 0.0;
}

double ss_bill_ondemand(double usd_per_hour, ss_time launch, ss_time end)
{
    return usd_per_hour * (double)billed_ms(launch, end) / MS_PER_HOUR;
}

/* First time >= from at which pred(price) holds; the price before t[0] is the
 * first record's price (as everywhere else). */
static ss_time next_where(const ss_price_series *s, ss_time from, double max_price, bool above)
{
    if (s->n == 0)
        return SS_TIME_NEVER;
    long i = step_index(s, from);
    size_t first = i < 0 ? 0 : (size_t)i;
    for (size_t k = first; k < s->n; k++) {
        double p = s->usd_per_hour[k];
        if (above ? p > max_price : p <= max_price)
            return k == first ? from : s->t[k]; /* the step in force at `from` holds from it */
    }
    return SS_TIME_NEVER;
}

ss_time ss_price_next_above(const ss_price_series *s, ss_time from, double max_price)
{
    return next_where(s, from, max_price, true);
}

ss_time ss_price_next_at_or_below(const ss_price_series *s, ss_time from, double max_price)
{
    return next_where(s, from, max_price, false);
}

double ss_price_mean(const ss_price_series *s, ss_time a, ss_time b)
{
    if (b <= a)
        return ss_price_at(s, a, NULL);
    return ss_price_integral(s, a, b, NULL) * MS_PER_HOUR / (double)(b - a);
}
