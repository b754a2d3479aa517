/*
 * market.h - prices and billing (modeling-notes §1).
 *
 * Cost is integrated exactly from the price step function with prefix sums:
 * no event is scheduled per price change.
 */
#ifndef SPOTSIM_MARKET_H
#define SPOTSIM_MARKET_H

#include <stdbool.h>

#include "datasets/market_data.h"

/* Price at t; *covered (may be NULL) is false before the first record (the
 * first record's price is returned then) or when the series is empty (0). */
double ss_price_at(const ss_price_series *s, ss_time t, bool *covered);

/* Integral of the price over [a, b) in USD (one instance). Time before the
 * first record is priced at the first record's price and its length added
 * to *uncovered_ms (may be NULL). */
double ss_price_integral(const ss_price_series *s, ss_time a, ss_time b, ss_time *uncovered_ms);

/* The bill of one instance alive over [launch, end): per-second billing with
 * a 60-second minimum (Linux). Spot instances pay the Spot price (integral),
 * On-Demand the flat price. */
double ss_bill_spot(const ss_price_series *s, ss_time launch, ss_time end, ss_time *uncovered_ms);
double ss_bill_ondemand(double usd_per_hour, ss_time launch, ss_time end);

/* First time >= from at which the price is strictly above max_price, or
 * SS_TIME_NEVER; and the first time >= from at which it is at or below. */
ss_time ss_price_next_above(const ss_price_series *s, ss_time from, double max_price);
ss_time ss_price_next_at_or_below(const ss_price_series *s, ss_time from, double max_price);

/* Mean price over [a, b) (time-weighted). */
double ss_price_mean(const ss_price_series *s, ss_time a, ss_time b);

#endif
