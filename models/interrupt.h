/*
 * interrupt.h - where interruptions come from (modeling-notes §2), one
 * interface for the four sources:
 *
 *   pool events    bursts (replay, stochastic) and capacity changes (traces,
 *                  price above max) per pool, generated for one replica in
 *                  time order before the run;
 *   instance draws independent per-instance hazard (stochastic), drawn from
 *                  a keyed stream so candidates share common random numbers;
 *   burst hits     whether a given instance is hit by a burst, keyed by
 *                  (seed, replica, pool, burst, instance key).
 *
 * Instance keys: the fleet gives every instance a key that depends only on
 * (pool, n-th launch into that pool), never on global launch order, so two
 * policies that launch the same n-th instance into a pool see the same draws.
 */
#ifndef SPOTSIM_INTERRUPT_H
#define SPOTSIM_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

#include "datasets/market_data.h"
#include "models/scenario.h"

typedef enum ss_pool_event_kind {
    SS_POOLEV_BURST = 0,    /* frac of alive Spot instances get the notice at t */
    SS_POOLEV_CAPACITY      /* capacity becomes `capacity` at t (-1 = unlimited) */
} ss_pool_event_kind;

typedef struct ss_pool_event {
    ss_time t;
    int pool;
    ss_pool_event_kind kind;
    double frac;
    int capacity;
    uint64_t burst_id;
} ss_pool_event;

typedef struct ss_pool_events {
    ss_pool_event *ev;
    size_t n, cap;
} ss_pool_events;

/* All pool-level events of the scenario's interruption source over
 * [sc->start, sc->end) for one replica, sorted by (t, pool, kind). Pools not
 * in use_pool (if non-NULL, indexed by pool) are skipped. */
int ss_interrupt_pool_events(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                             const bool *use_pool, ss_pool_events *out, ss_err *err);
void ss_pool_events_free(ss_pool_events *e);

/* Stochastic source: time of the independent interruption notice of the
 * instance with key `key` launched into pool at `launch`, or SS_TIME_NEVER. */
ss_time ss_interrupt_instance_notice(const ss_scenario *sc, const ss_data *d, int pool,
                                     uint64_t seed, int replica, uint64_t key, ss_time launch);

/* Whether the instance with key `key` is hit by burst `burst_id` of fraction frac. */
bool ss_interrupt_burst_hits(uint64_t seed, int replica, int pool, uint64_t burst_id, uint64_t key,
                             double frac);

/* Capacity of a pool at t from its trace (-1 = unlimited). */
int ss_pool_capacity_at(const ss_pool *p, ss_time t);

/* Hazard per instance-hour of a Spot Advisor bucket (midpoint of the
 * monthly interruption-frequency band, documented in the README). */
double ss_advisor_bucket_hazard(int bucket);

/* ---- Added by the market model ------------------------------------------ */

/* Whether the scenario's source has no evidence for this pool, so that its
 * Spot instance-hours count as uncovered (metric uncovered_pool_hours):
 * replay and the log never observed the pool (it falls back to (c)); traces
 * and the pool has no trace (capacity assumed unlimited); stochastic and the
 * hazard is neither fitted nor from an advisor bucket. */
bool ss_interrupt_pool_uncovered(const ss_scenario *sc, const ss_data *d, int pool);

/* Group one pool's interruption notices (sorted ascending) into bursts: a
 * burst starts at a notice and takes every later notice within `window` of
 * that first one. frac = interrupted / alive just before the burst, where the
 * observed fleet's instances are given by launch[] (sorted) and end[] (sorted,
 * SS_TIME_NEVER = still alive); alive counts launch < t_b <= end. Returns the
 * number of bursts (the array is malloc'd, *out NULL when 0). */
size_t ss_interrupt_group_bursts(const ss_time *notice, size_t n_notice, const ss_time *launch,
                                 const ss_time *end, size_t n_inst, ss_time window,
                                 ss_burst **out);

/* Parameters of the stochastic model (c) fitted from a replay log. */
typedef struct ss_interrupt_fit {
    double hazard_per_hour;     /* single-instance bursts / exposure instance-hours */
    double burst_rate_per_hour; /* multi-instance bursts / observed pool-hours */
    double beta_a, beta_b;      /* Beta of multi-instance burst fractions; 0 = not fitted */
    int n_single, n_multi;
    bool beta_mle;              /* true: maximum likelihood; false: method of moments */
} ss_interrupt_fit;

void ss_interrupt_fit_log(const ss_burst *b, size_t n, double exposure_hours,
                          double observed_hours, ss_interrupt_fit *out);

/* Meaning of the values of a capacity trace (capacity_traces.meaning). */
typedef enum ss_trace_meaning {
    SS_TRACE_AVAILABLE_COUNT = 0, /* value = instances the pool holds => capacity = value */
    SS_TRACE_PREEMPTED_FLAG,      /* 1 = preempted => capacity 0, else unlimited */
    SS_TRACE_AVAILABLE_FLAG       /* 0 = unavailable => capacity 0, else unlimited */
} ss_trace_meaning;

/* Parse "available-count" / "preempted-flag" / "available-flag"; -1 if none. */
int ss_trace_meaning_parse(const char *s, ss_trace_meaning *out);

/* Turn samples (t[i] ascending, value v[i] holding on [t[i], t[i+1])) into
 * change points of capacity (-1 = unlimited): the first sample, every sample
 * whose capacity differs from the previous one, and -1 at `end` (the trace's
 * end, after which capacity is unlimited). Returns the number of points;
 * arrays malloc'd (NULL when 0). */
size_t ss_capacity_trace_points(ss_trace_meaning m, const ss_time *t, const int *v, size_t n,
                                ss_time end, ss_time **cap_t, int **cap_value);

/* Beta(a, b) fits of samples in (0, 1). Both return 0, or -1 when they cannot
 * (too few samples, zero variance, no convergence). */
int ss_beta_fit_moments(const double *x, size_t n, double *a, double *b);
int ss_beta_fit_mle(const double *x, size_t n, double *a, double *b);

/* ---- Fitted models (models/interrupt_model.c, docs/fit.md) ------------------ */

struct ss_fit_model;
/* Attach a fitted model to the data: pools the model fitted take its hazard,
 * burst rate and Beta (hazard_origin FITTED); the others fall back to their
 * Spot Advisor hazard (or none), so no evidence outside the model's window
 * leaks in. d->fit_model = m (not owned). */
void ss_fit_attach(const struct ss_fit_model *m, ss_data *d);
/* Whether the attached model has evidence for the pool (fitted rate or a
 * zone of its capacity process). */
bool ss_fit_model_covers(const ss_data *d, int pool);
/* One sample path of the attached model's capacity process over [start,
 * end) for the replica (stream SS_RNG_CAPACITY_MODEL: the same path for
 * every candidate), as SS_POOLEV_CAPACITY events (0 when the zone is out,
 * -1 when it is back) for the used pools of the traced (type, zone). */
void ss_fit_capacity_events(const ss_data *d, uint64_t seed, int replica, const bool *use_pool,
                            ss_time start, ss_time end, ss_pool_events *out);

#endif
