/*
 * market_data.h - the read-only market data one scenario needs, loaded once
 * from the store (datasets/data_load.h) and shared by every evaluation (all threads, all candidates).
 *
 * Pools are (instance type x zone) of the scenario's market, indexed
 *     pool = type_idx * n_zones + zone_idx
 * with type_idx/zone_idx the positions in scenario.market.types/zones, so
 * candidates that use a subset of types/zones still index the same data.
 */
#ifndef SPOTSIM_DATA_H
#define SPOTSIM_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "datasets/market_spec.h"
#include "sim/kernel/util.h"
#include "sim/kernel/simtime.h"

/* A price step function: price[i] holds on [t[i], t[i+1]) and the last one
 * until +inf. Time before t[0] is uncovered. prefix[i] is the integral of the
 * step function from t[0] to t[i] in USD*ms/h (so prefix[0] = 0); integrals
 * are two binary searches and a few multiplications. */
typedef struct ss_price_series {
    size_t n;
    ss_time *t;
    double *usd_per_hour;
    double *prefix;
} ss_price_series;

/* A burst observed in an interruption log: at t, a fraction frac of the
 * pool's alive instances were interrupted (modeling-notes §2a). */
typedef struct ss_burst {
    ss_time t;
    double frac;
    int interrupted, alive;
} ss_burst;

typedef struct ss_pool {
    int type_idx, zone_idx;
    char instance_type[SS_NAME_MAX];
    char zone[SS_NAME_MAX];
    double vcpu, memory_mib;        /* from the scenario, else instance_specs */
    double ondemand_usd_per_hour;   /* from the scenario, else ondemand_prices in effect at the
                                     * horizon start; 0 = unknown */
    ss_price_series ondemand;       /* the store's dated On-Demand prices as a step function
                                     * (steps at their effective dates; n == 0: none, or the
                                     * scenario's flat price applies) */
    ss_price_series spot;           /* n == 0: no price data */
    /* (a) replay */
    bool has_log;                   /* the log observed this pool (exposure > 0) */
    ss_burst *bursts;
    size_t n_bursts;
    double log_exposure_hours;      /* observed instance-hours */
    /* (b) capacity trace: capacity[i] holds on [cap_t[i], cap_t[i+1]); outside
     * the trace capacity is unlimited. -1 = unlimited. */
    bool has_trace;
    ss_time *cap_t;
    int *cap_value;
    size_t n_cap;
    /* where the traces have data: [cov_lo[i], cov_hi[i]) from a trace's first
     * sample to its last + gap, sorted, disjoint. n_cov == 0 with has_trace
     * (hand-built data): covered from cap_t[0] on. */
    ss_time *cov_lo, *cov_hi;
    size_t n_cov;
    /* (c) stochastic */
    double hazard_per_hour;         /* per-instance interruption rate */
    double burst_rate_per_hour;     /* pool bursts (Poisson) */
    int advisor_bucket;             /* -1 unknown */
    double advisor_savings_pct;     /* -1 unknown */
    /* Added by the market model (fitted from the log; see docs/market.md): */
    double burst_beta_a, burst_beta_b; /* Beta of burst fractions; 0 = use the scenario's */
    int hazard_origin;              /* SS_HAZARD_NONE / _ADVISOR / _FITTED */
    int log_interruptions;          /* interruption notices the log holds for this pool */
    double log_observed_hours;      /* hours the observed fleet had >= 1 instance here */
} ss_pool;

/* Where a pool's stochastic hazard came from (ss_pool.hazard_origin). */
enum { SS_HAZARD_NONE = 0, SS_HAZARD_ADVISOR = 1, SS_HAZARD_FITTED = 2 };

typedef struct ss_data {
    int n_types, n_zones;
    ss_pool *pools;                 /* n_types * n_zones */
    /* The default horizon: the span all the scenario's data covers. Start:
     * the latest first price record over the pools and, with the traces
     * source, the latest start of a pool's trace coverage. End: the
     * scenario's end if set; else, with the traces source, the earliest end
     * of a pool's trace coverage; else the latest price record of any pool
     * (a price history records changes: the last price holds until then). */
    ss_time span_start, span_end;
    /* Why the span is empty (no horizon covered by all the data), naming the
     * pools and times that bound it; "" when it is not empty. */
    char span_why[512];
    char *provenance_json;          /* [{"file":..,"sha256":..,"format":..}, ...] */
    /* interruptions: {model: NAME}: the fitted model (models/fit_model.h),
     * attached by ss_fit_attach; not owned (ss_data_free leaves it). */
    const struct ss_fit_model *fit_model;
} ss_data;

void ss_data_free(ss_data *d);

static inline const ss_pool *ss_data_pool(const ss_data *d, int type_idx, int zone_idx)
{
    return &d->pools[type_idx * d->n_zones + zone_idx];
}

/* The horizon of a run: the scenario's [sc_start, sc_end), or when it sets
 * none (both 0) the span all the data covers (span_start, span_end). An
 * empty horizon is an error naming `who`, the times (ISO 8601) and, for the
 * default span, what bounds it (span_why). start/end may alias sc_start/
 * sc_end's sources. */
int ss_data_horizon(ss_time sc_start, ss_time sc_end, const ss_data *d, const char *who,
                    ss_time *start, ss_time *end, ss_err *err);

/* Build a data set directly (tests, benchmarks, generated series): pools
 * zero-initialised, owned by the data (freed by ss_data_free). */
ss_data *ss_data_new(int n_types, int n_zones);
/* Copy arrays into a pool's price series and compute its prefix sums. */
void ss_price_series_set(ss_price_series *s, const ss_time *t, const double *usd, size_t n);

#endif
