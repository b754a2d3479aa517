/*
 * stats.h - interruption governance and price statistics per capacity pool
 * (`spotsim stats`, and the numbers `spotsim report` charts).
 *
 * Everything is computed from the store (datasets/store.c, schema v1) over a
 * time window [from, to) and a filter on pools (region, instance types,
 * zones, product). A pool is (region, zone, instance type, product).
 *
 * Conventions used by every struct below:
 *   - a double that cannot be computed (no data, division by zero, model not
 *     fitted) is NaN: check with isnan(); the formatter prints it blank / null;
 *   - durations are reported in hours, prices in USD per hour;
 *   - results are deterministic: rows are sorted by their key (pools by
 *     instance type then zone; buckets by time / hour).
 *
 * Memory: functions returning arrays allocate them; free with the matching
 * ss_stats_*_free / ss_km_free. They return 0, or -1 with err filled.
 */
#ifndef SPOTSIM_STATS_H
#define SPOTSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datasets/store.h"
#include "sim/kernel/simtime.h"

#define SS_STATS_OPEN_FROM INT64_MIN /* filter.from when the window has no start */
#define SS_STATS_OPEN_TO INT64_MAX   /* filter.to when the window has no end */
#define SS_STATS_NAME 64

/* Which pools and which time. Zero-initialise, then ss_stats_filter_init. */
typedef struct ss_stats_filter {
    ss_time from, to;           /* [from, to); SS_STATS_OPEN_* when open */
    const char *region;         /* NULL = every region */
    const char *const *types;   /* n_types instance types; 0 = every type */
    size_t n_types;
    const char *const *zones;   /* n_zones AZ names; 0 = every zone */
    size_t n_zones;
    const char *product;        /* pools.product; NULL = "Linux/UNIX" */
} ss_stats_filter;

void ss_stats_filter_init(ss_stats_filter *f);

/* How rows are grouped. POOL/ZONE/TYPE/ALL give ss_stats_row; WEEK/HOUR give
 * ss_stats_bucket (ss_stats_breakdown). */
typedef enum ss_stats_by {
    SS_BY_POOL,
    SS_BY_ZONE,
    SS_BY_TYPE,
    SS_BY_ALL, /* one row over every selected pool (the "TOTAL" line) */
    SS_BY_WEEK,
    SS_BY_HOUR
} ss_stats_by;

/* Parse "pool|zone|type|all|week|hour"; returns -1 if unknown. */
int ss_stats_by_parse(const char *s, ss_stats_by *out);
const char *ss_stats_by_name(ss_stats_by by);

/* One row of statistics: a pool, or a group of pools (zone, type, all).
 * In a group, text fields that differ between its pools are "*". */
typedef struct ss_stats_row {
    char key[160];           /* "p3.2xlarge us-east-1f", a zone, a type, "TOTAL" */
    char region[SS_STATS_NAME], zone[SS_STATS_NAME], instance_type[SS_STATS_NAME],
        product[SS_STATS_NAME];
    int n_pools;
    ss_time from_ms, to_ms; /* the window actually used (open ends resolved
                               to the data: see docs/stats.md) */

    /* --- spot prices ------------------------------------------------------ */
    long price_records;     /* records with from <= t < to */
    double price_min, price_median, price_mean, price_max; /* over those records */
    double price_twmean;    /* time-weighted mean of the step function */
    double price_covered_hours;   /* time the step function covers in the window */
    double price_uncovered_hours; /* window time before the pool's first record
                                     (only when --from is given) */
    long price_changes;     /* records in the window whose price differs from
                               the previous record */
    double ondemand;        /* On-Demand USD/h (Linux), NaN if unknown */
    double savings_ratio;   /* ondemand / price_twmean ("2.9x") */
    double savings_pct;     /* 100 * (1 - price_twmean / ondemand) */

    /* --- interruptions ---------------------------------------------------- */
    long interruptions;     /* distinct instances with a warning/interruption */
    long rebalances;        /* distinct instances with a rebalance recommendation */
    long instances;         /* spot instances of the inventory overlapping the window */
    double exposure_hours;  /* spot instance-hours of the inventory in the window */
    double rate_per_1000h;  /* 1000 * interruptions / exposure_hours */
    double observed_monthly_pct; /* 100 * (1 - exp(-rate_per_hour * 730)) */
    char observed_label[16];     /* advisor range the observed value falls in */
    int advisor_bucket;          /* -1 unknown */
    char advisor_label[16];      /* "<5%", "5-10%", ...; "" unknown */
    int advisor_savings_pct;     /* -1 unknown */

    /* --- lifetime survival ------------------------------------------------ */
    long lifetimes, lifetime_events; /* instances launched in the window, interrupted */
    double km_median_hours;          /* NaN when S never reaches 0.5 */
    double km_s1h, km_s6h, km_s24h;  /* Kaplan-Meier survival at 1/6/24 h */
    double weibull_k, weibull_lambda_hours, weibull_median_hours; /* NaN: not fitted */

    /* --- capacity traces -------------------------------------------------- */
    long traces;
    double trace_hours;       /* trace time inside the window */
    double unavail_hours;     /* of which without capacity */
    double unavail_pct;       /* 100 * unavail_hours / trace_hours */
    long outages;             /* maximal runs of samples without capacity */
    double longest_outage_hours;
} ss_stats_row;

/* A time bucket of a seasonality breakdown (--by week|hour). */
typedef struct ss_stats_bucket {
    char label[32];          /* "2023-W31" (ISO week) or "13" (hour of day, UTC) */
    int64_t index;           /* ISO-week index (Mondays since 1970-01-05) or hour 0..23 */
    long interruptions;      /* distinct instances whose first notice falls here */
    long rebalances;
    double exposure_hours;   /* spot instance-hours falling in the bucket */
    double rate_per_1000h;
    double price_twmean;     /* time-weighted mean over the selected pools */
    double price_covered_hours;
} ss_stats_bucket;

/* Rows per pool (SS_BY_POOL), zone, type, or one row (SS_BY_ALL). Only pools
 * with some data in the window appear; *n may be 0. */
int ss_stats_pools(ss_store *st, const ss_stats_filter *f, ss_stats_by by, ss_stats_row **rows,
                   size_t *n, ss_err *err);
void ss_stats_rows_free(ss_stats_row *rows);

/* Seasonality buckets (by = SS_BY_WEEK or SS_BY_HOUR); only buckets with data
 * appear (hour: all 24 when any data). */
int ss_stats_breakdown(ss_store *st, const ss_stats_filter *f, ss_stats_by by,
                       ss_stats_bucket **buckets, size_t *n, ss_err *err);
void ss_stats_buckets_free(ss_stats_bucket *buckets);

/* ---- survival (datasets/stats_survival.c) -------------------------------- */

/* Kaplan-Meier product-limit estimate. Step i: at time t[i] (distinct event
 * times, ascending) d[i] events among n_risk[i] at risk, and S[i] = survival
 * just after t[i]. Censored observations at an event time count as at risk. */
typedef struct ss_km {
    size_t n;
    double *t;
    long *n_risk, *d;
    double *s;
} ss_km;

/* time[i] >= 0 (any unit), event[i] = 1 interrupted, 0 censored. */
void ss_km_estimate(const double *time, const int *event, size_t n, ss_km *out);
double ss_km_at(const ss_km *km, double t); /* S(t) (1 before the first event) */
double ss_km_median(const ss_km *km);       /* min t with S(t) <= 0.5, or NaN */
void ss_km_free(ss_km *km);

/* Weibull S(t) = exp(-(t/lambda)^k) fitted by maximum likelihood with right
 * censoring (gsl_multimin BFGS on the negative log-likelihood in
 * (log k, log lambda)). Times must be > 0 (others are ignored). */
typedef struct ss_weibull {
    double k, lambda, median; /* median = lambda * ln(2)^(1/k) */
    double loglik;
    int iterations;
} ss_weibull;
int ss_weibull_fit(const double *time, const int *event, size_t n, ss_weibull *out, ss_err *err);

/* ---- output (datasets/stats_format.c) ------------------------------------ */

enum {
    SS_SECTION_PRICES = 1,
    SS_SECTION_INTERRUPTIONS = 2,
    SS_SECTION_SURVIVAL = 4,
    SS_SECTION_TRACES = 8,
    SS_SECTION_ALL = 15
};
int ss_stats_section_parse(const char *s, int *mask); /* prices|...|all; -1 if unknown */

typedef enum ss_stats_fmt { SS_FMT_TEXT, SS_FMT_CSV, SS_FMT_JSON } ss_stats_fmt;

/* Render rows (and an optional total row, may be NULL) as an aligned text
 * table per section, CSV (one header row, RFC 4180) or JSON (stable key
 * order). Returns a malloc'd NUL-terminated string. */
char *ss_stats_format_rows(const ss_stats_row *rows, size_t n, const ss_stats_row *total,
                           ss_stats_by by, int sections, ss_stats_fmt fmt);
char *ss_stats_format_buckets(const ss_stats_bucket *b, size_t n, ss_stats_by by,
                              ss_stats_fmt fmt);

#endif
