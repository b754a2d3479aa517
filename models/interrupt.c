/*
 * interrupt.c - the four interruption sources (modeling-notes §2) as pure
 * functions of (scenario, data, seed, replica):
 *
 *   (a) replay      each observed burst becomes a SS_POOLEV_BURST at its time
 *                   with its fraction; pools the log never observed fall back
 *                   to (c);
 *   (b) traces      SS_POOLEV_CAPACITY at each change point of the trace;
 *   (c) stochastic  per-instance exponential lifetimes (keyed draws) plus
 *                   Poisson pool bursts with Beta fractions (one GSL stream);
 *   (d) max price   capacity 0 while the pool's price is above the max price.
 *
 * Common random numbers: every draw that decides the fate of an instance is
 * keyed by (seed, replica, pool, burst or "lifetime", instance key), so two
 * candidate policies evaluated with the same seed see the same events. The
 * burst stream is generated for every pool in pool order and filtered
 * afterwards, so it does not depend on which pools a candidate uses.
 */
#include "models/interrupt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/fit_model.h"
#include "models/market.h"
#include "sim/kernel/rng.h"

/* Burst ids of generated (stochastic) bursts have the top bit set, so they
 * never equal the index of a replayed burst of the same pool. */
#define STOCHASTIC_BURST_BIT ((uint64_t)1 << 63)
/* k2 of the per-instance lifetime draw: not a burst id. */
#define LIFETIME_KEY ((uint64_t)0x6c69666574696d65ULL) /* "lifetime" */

/* (replica, pool) packed without collisions for pool < 2^32. */
static uint64_t replica_pool_key(int replica, int pool)
{
    return ((uint64_t)(uint32_t)replica << 32) ^ (uint64_t)(uint32_t)pool;
}

bool ss_interrupt_burst_hits(uint64_t seed, int replica, int pool, uint64_t burst_id, uint64_t key,
                             double frac)
{
    if (frac >= 1.0)
        return true;
    if (!(frac > 0.0))
        return false;
    return ss_rng_keyed_uniform(seed, replica_pool_key(replica, pool), burst_id, key) < frac;
}

int ss_pool_capacity_at(const ss_pool *p, ss_time t)
{
    if (!p->has_trace || p->n_cap == 0 || t < p->cap_t[0])
        return -1;
    size_t lo = 0, hi = p->n_cap;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->cap_t[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return p->cap_value[lo - 1];
}

ss_time ss_pool_price_uncovered_ms(const ss_pool *p, ss_time a, ss_time b)
{
    if (b <= a)
        return 0;
    if (p->spot.n == 0)
        return b - a;
    ss_time t0 = p->spot.t[0];
    return a < t0 ? (b < t0 ? b : t0) - a : 0;
}

ss_time ss_pool_capacity_uncovered_ms(const ss_pool *p, ss_time a, ss_time b)
{
    if (b <= a)
        return 0;
    if (!p->has_trace || p->n_cap == 0)
        return b - a;
    if (p->n_cov == 0) { /* hand-built: covered from the first point on */
        ss_time t0 = p->cap_t[0];
        return a < t0 ? (b < t0 ? b : t0) - a : 0;
    }
    ss_time covered = 0;
    for (size_t i = 0; i < p->n_cov && p->cov_lo[i] < b; i++) {
        ss_time lo = p->cov_lo[i] > a ? p->cov_lo[i] : a;
        ss_time hi = p->cov_hi[i] < b ? p->cov_hi[i] : b;
        if (hi > lo)
            covered += hi - lo;
    }
    return (b - a) - covered;
}

int ss_market_check_coverage(const ss_scenario *sc, const ss_data *d, ss_time start, ss_time end,
                             ss_err *err)
{
    if (sc->market.uncovered == SS_UNCOVERED_FILL || end <= start)
        return 0;
    bool traces = sc->market.interruptions == SS_INTERRUPT_TRACE;
    char list[700] = "";
    size_t len = 0, n_bad = 0, n_listed = 0;
    int n_pools = d->n_types * d->n_zones;
    for (int pi = 0; pi < n_pools; pi++) {
        const ss_pool *p = &d->pools[pi];
        /* a pool with no price at all takes no Spot launch: nothing invented */
        ss_time up = p->spot.n ? ss_pool_price_uncovered_ms(p, start, end) : 0;
        ss_time uc = traces && p->has_trace ? ss_pool_capacity_uncovered_ms(p, start, end) : 0;
        if (!up && !uc)
            continue;
        n_bad++;
        if (len > sizeof list - 200)
            continue;
        n_listed++;
        char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
        if (up)
            len += (size_t)snprintf(list + len, sizeof list - len,
                                    "%sspot prices of %s in %s start at %s (%.2f h uncovered)",
                                    len ? "; " : "", p->instance_type, p->zone,
                                    ss_time_format(p->spot.t[0], a),
                                    (double)up / (double)SS_HOUR);
        if (uc && len < sizeof list - 200) {
            if (p->n_cov > 0)
                len += (size_t)snprintf(list + len, sizeof list - len,
                                        "%sthe capacity trace of %s in %s covers %s .. %s%s"
                                        " (%.2f h uncovered)",
                                        len ? "; " : "", p->instance_type, p->zone,
                                        ss_time_format(p->cov_lo[0], a),
                                        ss_time_format(p->cov_hi[p->n_cov - 1], b),
                                        p->n_cov > 1 ? " with gaps" : "",
                                        (double)uc / (double)SS_HOUR);
            else
                len += (size_t)snprintf(list + len, sizeof list - len,
                                        "%sthe capacity trace of %s in %s starts at %s"
                                        " (%.2f h uncovered)",
                                        len ? "; " : "", p->instance_type, p->zone,
                                        ss_time_format(p->cap_t[0], a),
                                        (double)uc / (double)SS_HOUR);
        }
    }
    if (!n_bad)
        return 0;
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN], c[SS_TIME_BUFLEN];
    char span[160] = "", more[40] = "";
    if (n_listed < n_bad)
        snprintf(more, sizeof more, "; and %zu more", n_bad - n_listed);
    if (d->span_start > INT64_MIN)
        snprintf(span, sizeof span, " (the data of every pool has begun by %s)",
                 ss_time_format(d->span_start, c));
    return ss_err_set(err,
                      "the market data does not cover the horizon %s .. %s in %zu pool%s: %s%s;"
                      " shorten the horizon%s, or set `market.uncovered: fill` to take the first"
                      " price before a pool's first record and unlimited capacity outside a trace,"
                      " reported as uncovered instance-hours",
                      ss_time_format(start, a), ss_time_format(end, b), n_bad,
                      n_bad == 1 ? "" : "s", list, more, span);
}

/* Does the stochastic model (c) apply to this pool under the scenario's source? */
static bool stochastic_applies(const ss_scenario *sc, const ss_pool *p)
{
    switch (sc->market.interruptions) {
    case SS_INTERRUPT_STOCHASTIC:
        return true;
    case SS_INTERRUPT_REPLAY:
        return !p->has_log;
    case SS_INTERRUPT_MODEL:
        return true;
    default:
        return false;
    }
}

bool ss_interrupt_pool_uncovered(const ss_scenario *sc, const ss_data *d, int pool)
{
    const ss_pool *p = &d->pools[pool];
    switch (sc->market.interruptions) {
    case SS_INTERRUPT_REPLAY:
        return !p->has_log;
    case SS_INTERRUPT_TRACE:
        return !p->has_trace;
    case SS_INTERRUPT_STOCHASTIC:
        return p->hazard_origin == SS_HAZARD_NONE && sc->market.burst_rate_per_day <= 0.0;
    case SS_INTERRUPT_MODEL:
        return !ss_fit_model_covers(d, pool);
    default:
        return false;
    }
}

ss_time ss_interrupt_instance_notice(const ss_scenario *sc, const ss_data *d, int pool,
                                     uint64_t seed, int replica, uint64_t key, ss_time launch)
{
    const ss_pool *p = &d->pools[pool];
    if (!stochastic_applies(sc, p))
        return SS_TIME_NEVER;
    double h = p->hazard_per_hour * sc->market.stochastic_scale;
    if (!(h > 0.0))
        return SS_TIME_NEVER;
    double u = ss_rng_keyed_uniform(seed, replica_pool_key(replica, pool), LIFETIME_KEY, key);
    double hours = -log1p(-u) / h; /* -ln(1-U)/h, U in [0,1): finite, >= 0 */
    double ms = ceil(hours * (double)SS_HOUR);
    /* room before SS_TIME_NEVER, in double: launch may be negative (a
     * horizon before 1970), where SS_TIME_NEVER - launch would overflow; the
     * margin keeps launch + ms below INT64_MAX despite double rounding (any
     * lifetime that long is "never": it is 2.9e8 years) */
    double room = (double)SS_TIME_NEVER - (double)launch - 1e6;
    if (!(ms < room))
        return SS_TIME_NEVER;
    return launch + (ss_time)ms;
}

static void push(ss_pool_events *e, ss_pool_event ev)
{
    SS_GROW(e->ev, e->cap, e->n + 1);
    e->ev[e->n++] = ev;
}

static int event_cmp(const void *pa, const void *pb)
{
    const ss_pool_event *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->pool != b->pool)
        return a->pool < b->pool ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (a->burst_id != b->burst_id)
        return a->burst_id < b->burst_id ? -1 : 1;
    return (a->capacity > b->capacity) - (a->capacity < b->capacity);
}

/* (c) bursts: for EVERY pool in pool order (so the stream does not depend on
 * use_pool), a Poisson process of the pool's burst rate with Beta fractions;
 * kept only for pools where (c) applies and that are used. */
static void stochastic_bursts(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                              const bool *use_pool, ss_time start, ss_time end,
                              ss_pool_events *out)
{
    const ss_market *m = &sc->market;
    int n_pools = d->n_types * d->n_zones;
    gsl_rng *r = ss_rng_new(seed, (uint64_t)replica, SS_RNG_INTERRUPTIONS);
    for (int pi = 0; pi < n_pools; pi++) {
        const ss_pool *p = &d->pools[pi];
        /* The scenario's burst rate (and its Beta) override the fitted ones. */
        double rate = p->burst_rate_per_hour, a = p->burst_beta_a, b = p->burst_beta_b;
        /* ... except for the pools a fitted model covers (source MODEL). */
        bool own = m->interruptions == SS_INTERRUPT_MODEL && p->hazard_origin == SS_HAZARD_FITTED;
        if ((!own && m->burst_rate_per_day > 0.0) || !(a > 0.0 && b > 0.0)) {
            a = m->burst_beta_a;
            b = m->burst_beta_b;
        }
        if (!own && m->burst_rate_per_day > 0.0)
            rate = m->burst_rate_per_day / 24.0;
        rate *= m->stochastic_scale;
        if (!(rate > 0.0) || !(a > 0.0 && b > 0.0))
            continue;
        bool keep = stochastic_applies(sc, p) && (!use_pool || use_pool[pi]);
        double mean_gap_ms = (double)SS_HOUR / rate;
        double t = (double)start;
        for (uint64_t k = 0;; k++) {
            t += gsl_ran_exponential(r, mean_gap_ms);
            if (!(t < (double)end))
                break;
            double frac = gsl_ran_beta(r, a, b);
            if (keep)
                push(out, (ss_pool_event){.t = (ss_time)t,
                                          .pool = pi,
                                          .kind = SS_POOLEV_BURST,
                                          .frac = frac,
                                          .capacity = -1,
                                          .burst_id = STOCHASTIC_BURST_BIT | k});
        }
    }
    ss_rng_free(r);
}

/* (a) replayed bursts of the observed log inside the horizon. */
static void replay_bursts(const ss_data *d, const bool *use_pool, ss_time start, ss_time end,
                          ss_pool_events *out)
{
    int n_pools = d->n_types * d->n_zones;
    for (int pi = 0; pi < n_pools; pi++) {
        const ss_pool *p = &d->pools[pi];
        if (!p->has_log || (use_pool && !use_pool[pi]))
            continue;
        for (size_t k = 0; k < p->n_bursts; k++)
            if (p->bursts[k].t >= start && p->bursts[k].t < end)
                push(out, (ss_pool_event){.t = p->bursts[k].t,
                                          .pool = pi,
                                          .kind = SS_POOLEV_BURST,
                                          .frac = p->bursts[k].frac,
                                          .capacity = -1,
                                          .burst_id = (uint64_t)k});
    }
}

static void capacity_event(ss_pool_events *out, ss_time t, int pool, int capacity)
{
    push(out, (ss_pool_event){.t = t, .pool = pool, .kind = SS_POOLEV_CAPACITY, .capacity = capacity});
}

/* (b) change points of the capacity traces; the value in force at `start`
 * is emitted at `start` when it is not unlimited. */
static void trace_events(const ss_data *d, const bool *use_pool, ss_time start, ss_time end,
                         ss_pool_events *out)
{
    int n_pools = d->n_types * d->n_zones;
    for (int pi = 0; pi < n_pools; pi++) {
        const ss_pool *p = &d->pools[pi];
        if (!p->has_trace || (use_pool && !use_pool[pi]))
            continue;
        int c0 = ss_pool_capacity_at(p, start);
        if (c0 != -1)
            capacity_event(out, start, pi, c0);
        int prev = c0;
        for (size_t k = 0; k < p->n_cap; k++) {
            if (p->cap_t[k] <= start)
                continue;
            if (p->cap_t[k] >= end)
                break;
            if (p->cap_value[k] != prev)
                capacity_event(out, p->cap_t[k], pi, p->cap_value[k]);
            prev = p->cap_value[k];
        }
    }
}

/* Max price of a pool: that of the first ASG that uses it (its
 * spot_max_price, or the pool's On-Demand price when 0). 0 = none known. */
static double pool_max_price(const ss_scenario *sc, const ss_pool *p)
{
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        if (sc->orchestrator == SS_ORCH_KUBERNETES && !a->spot)
            continue;
        bool type_ok = a->n_types == 0, zone_ok = a->n_zones == 0;
        for (int i = 0; i < a->n_types; i++)
            type_ok |= a->type_idx[i] == p->type_idx;
        for (int i = 0; i < a->n_zones; i++)
            zone_ok |= a->zone_idx[i] == p->zone_idx;
        if (type_ok && zone_ok)
            return a->spot_max_price > 0.0 ? a->spot_max_price : p->ondemand_usd_per_hour;
    }
    return 0.0;
}

/* (d) capacity 0 while the price is strictly above the max price, -1 when it
 * returns at or below. */
static void max_price_events(const ss_scenario *sc, const ss_data *d, const bool *use_pool,
                             ss_time start, ss_time end, ss_pool_events *out)
{
    int n_pools = d->n_types * d->n_zones;
    for (int pi = 0; pi < n_pools; pi++) {
        const ss_pool *p = &d->pools[pi];
        if ((use_pool && !use_pool[pi]) || p->spot.n == 0)
            continue;
        double maxp = pool_max_price(sc, p);
        if (!(maxp > 0.0))
            continue;
        ss_time t = start;
        for (;;) {
            ss_time up = ss_price_next_above(&p->spot, t, maxp);
            if (up >= end)
                break;
            capacity_event(out, up, pi, 0);
            ss_time down = ss_price_next_at_or_below(&p->spot, up, maxp);
            if (down >= end)
                break;
            capacity_event(out, down, pi, -1);
            t = down;
        }
    }
}

int ss_interrupt_pool_events(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                             const bool *use_pool, ss_pool_events *out, ss_err *err)
{
    memset(out, 0, sizeof *out);
    ss_time start = sc->start, end = sc->end;
    if (start == 0 && end == 0) {
        start = d->span_start;
        end = d->span_end;
    }
    if (end < start)
        return ss_err_set(err, "scenario horizon: end %lld is before start %lld", (long long)end,
                          (long long)start);
    switch (sc->market.interruptions) {
    case SS_INTERRUPT_NONE:
        break;
    case SS_INTERRUPT_REPLAY:
        replay_bursts(d, use_pool, start, end, out);
        stochastic_bursts(sc, d, seed, replica, use_pool, start, end, out);
        break;
    case SS_INTERRUPT_TRACE:
        trace_events(d, use_pool, start, end, out);
        break;
    case SS_INTERRUPT_STOCHASTIC:
        stochastic_bursts(sc, d, seed, replica, use_pool, start, end, out);
        break;
    case SS_INTERRUPT_MAX_PRICE:
        max_price_events(sc, d, use_pool, start, end, out);
        break;
    case SS_INTERRUPT_MODEL:
        if (!d->fit_model)
            return ss_err_set(err, "market.interruptions: model '%s' is not loaded",
                              sc->market.interrupt_model);
        stochastic_bursts(sc, d, seed, replica, use_pool, start, end, out);
        ss_fit_capacity_events(d, seed, replica, use_pool, start, end, out);
        break;
    default:
        return ss_err_set(err, "market.interruptions: unknown source %d",
                          (int)sc->market.interruptions);
    }
    if (out->n > 1)
        qsort(out->ev, out->n, sizeof *out->ev, event_cmp);
    return 0;
}

void ss_pool_events_free(ss_pool_events *e)
{
    if (!e)
        return;
    free(e->ev);
    memset(e, 0, sizeof *e);
}
