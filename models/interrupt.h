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

#include "datasets/interrupt_fit.h"
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

/* Coverage (docs/market.md, "the coverage rule"). Time of [a, b) before the
 * pool's first price record; time of [a, b) outside the pool's capacity
 * traces (all of it when the pool has none). */
ss_time ss_pool_price_uncovered_ms(const ss_pool *p, ss_time a, ss_time b);
ss_time ss_pool_capacity_uncovered_ms(const ss_pool *p, ss_time a, ss_time b);
/* Whether the market data covers the horizon [start, end) for every pool of
 * the scenario: prices from each pool's first record, and with the traces
 * source, each pool that has a trace by its traces. Under market.uncovered
 * refuse an uncovered pool is an error naming the pools and spans (0 = all
 * covered, or the rule is fill). */
int ss_market_check_coverage(const ss_scenario *sc, const ss_data *d, ss_time start, ss_time end,
                             ss_err *err);

/* ---- Added by the market model ------------------------------------------ */

/* Whether the scenario's source has no evidence for this pool, so that its
 * Spot instance-hours count as uncovered (metric uncovered_pool_hours):
 * replay and the log never observed the pool (it falls back to (c)); traces
 * and the pool has no trace (capacity assumed unlimited); stochastic and the
 * hazard is neither fitted nor from an advisor bucket. */
bool ss_interrupt_pool_uncovered(const ss_scenario *sc, const ss_data *d, int pool);

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
