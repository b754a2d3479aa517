/*
 * stats_internal.h - the raw per-pool data the stats modules share (not part
 * of the public API): loaded once from the store by stats_load.c, then
 * reduced by stats_price.c, stats_interrupt.c, stats_trace.c and grouped by
 * stats.c.
 */
#ifndef SPOTSIM_STATS_INTERNAL_H
#define SPOTSIM_STATS_INTERNAL_H

#include <stdbool.h>

#include "datasets/stats.h"

/* One spot instance of the inventory. */
typedef struct ssx_inst {
    ss_time launch;
    ss_time end;         /* SS_STATS_OPEN_TO when still running (end_ms NULL) */
    bool interrupted;    /* end_reason says so, or a warning/interruption event exists */
} ssx_inst;

/* The first notice of one distinct instance inside the window. */
typedef struct ssx_event {
    ss_time t;
    bool rebalance;      /* rebalance recommendation (else warning/interruption) */
} ssx_event;

typedef enum { SSX_AVAIL_COUNT, SSX_PREEMPTED_FLAG, SSX_AVAIL_FLAG } ssx_meaning;

typedef struct ssx_trace {
    ss_time gap;
    ssx_meaning meaning;
    size_t n;
    ss_time *t;          /* sample i holds [t[i], t[i] + gap) */
    int *v;
} ssx_trace;

typedef struct ssx_pool {
    sqlite3_int64 id;
    char region[SS_STATS_NAME], zone[SS_STATS_NAME], type[SS_STATS_NAME], product[SS_STATS_NAME];
    size_t n_prices;
    ss_time *pt;         /* every record of the pool with t < to, ascending */
    double *pp;
    double od;           /* NaN unknown */
    int adv_bucket, adv_savings;
    char adv_label[16];
    ssx_inst *inst;
    size_t n_inst;
    ssx_event *ev;
    size_t n_ev;
    ssx_trace *tr;
    size_t n_tr;
} ssx_pool;

typedef struct ssx_data {
    ssx_pool *pools;
    size_t n;
    ss_time from, to;    /* filter window (open ends kept open) */
    ss_time from_eff, to_eff; /* open ends resolved to the data's span */
    /* advisor ranges, to label the observed frequency */
    size_t n_ranges;
    double range_max[16];
    char range_label[16][16];
} ssx_data;

int ssx_load(ss_store *st, const ss_stats_filter *f, ssx_data *d, ss_err *err);
void ssx_free(ssx_data *d);

/* Interval intersection length of [a, b) and [c, e), >= 0. */
static inline ss_time ssx_overlap(ss_time a, ss_time b, ss_time c, ss_time e)
{
    ss_time lo = a > c ? a : c, hi = b < e ? b : e;
    return hi > lo ? hi - lo : 0;
}

/* Accumulators of one group of pools (stats.c builds one per row). */
typedef struct ssx_acc {
    /* prices */
    double *recs;
    size_t n_recs, cap_recs;
    double rec_sum;
    double integral;     /* USD/h * ms */
    double covered_ms, uncovered_ms;
    double od_integral, od_covered_ms; /* od price weighted by covered time */
    double od_last;      /* NaN, or the On-Demand price of the pools seen */
    bool od_differs;
    bool od_missing;     /* a covered pool lacks an On-Demand price */
    long changes;
    /* interruptions */
    long interruptions, rebalances, instances;
    double exposure_ms;
    /* survival, in hours */
    double *life;
    int *life_event;
    size_t n_life, cap_life;
    /* traces */
    long traces, outages;
    double trace_ms, unavail_ms, longest_ms;
} ssx_acc;

void ssx_acc_init(ssx_acc *a);
void ssx_acc_free(ssx_acc *a);
void ssx_price_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a);
void ssx_price_finish(const ssx_acc *a, ss_stats_row *r);
void ssx_interrupt_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a);
void ssx_interrupt_finish(const ssx_data *d, const ssx_acc *a, ss_stats_row *r);
void ssx_survival_finish(const ssx_acc *a, ss_stats_row *r);
void ssx_trace_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a);
void ssx_trace_finish(const ssx_acc *a, ss_stats_row *r);

/* Interval [t, t + len) of pool p priced: the piece of the step function in
 * the window, for seasonality buckets. Calls fn(ctx, a, b, price) for every
 * covered step piece [a, b) of the pool inside the window. */
typedef void (*ssx_piece_fn)(void *ctx, ss_time a, ss_time b, double price);
void ssx_price_pieces(const ssx_data *d, const ssx_pool *p, ssx_piece_fn fn, void *ctx);

#endif
