/*
 * fleet.c - instances, Spot pools, interruption notices, zone outages and
 * billing of one evaluation (see fleet.h).
 *
 * Pool events (bursts, capacity changes) come pre-computed and time-sorted
 * from ss_interrupt_pool_events; only the next one is in the kernel at any
 * time (a chain), so a year of events costs one queue slot. Per-instance
 * stochastic notices are drawn at launch from a keyed stream and scheduled
 * once. Cost is integrated exactly at termination: no event per price change.
 */
#include "models/fleet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "models/eval.h"
#include "models/market.h"
#include "sim/kernel/rng.h"

enum {
    EV_POOL = SS_EVT_FLEET_FIRST, /* a = pool event index */
    EV_NOTICE,                    /* a = instance id: stochastic notice */
    EV_END,                       /* a = instance id: notice deadline reached */
    EV_RBR,                       /* a = instance id: rebalance recommendation */
    EV_PREBURST,                  /* a = pool event index: RBRs ahead of a burst */
    EV_OUTAGE,                    /* a = outage index, b = 1 start / 0 end */
    EV_CAPNOTICE                  /* a = pool event index: notices market.notice_lead ahead */
};

/* Keyed-draw purposes (k3 of ss_rng_keyed_uniform). */
#define KEY_RBR_P 0x5242522dULL
#define KEY_RBR_LEAD 0x5242524cULL
#define KEY_CAP_ORDER 0x4341504fULL

static const double MS_PER_HOUR = 3600000.0;

ss_time ss_dist_quantile_ms(const ss_dist *dist, double u)
{
    double s;
    if (u <= 0.0)
        u = 1e-12;
    if (u >= 1.0)
        u = 1.0 - 1e-12;
    switch (dist->kind) {
    case SS_DIST_UNIFORM:
        s = dist->a + (dist->b - dist->a) * u;
        break;
    case SS_DIST_EXPONENTIAL:
        s = gsl_cdf_exponential_Pinv(u, dist->a);
        break;
    case SS_DIST_LOGNORMAL:
        s = dist->a > 0 ? gsl_cdf_lognormal_Pinv(u, log(dist->a), dist->b) : 0.0;
        break;
    case SS_DIST_GAMMA:
        s = gsl_cdf_gamma_Pinv(u, dist->a, dist->b);
        break;
    case SS_DIST_NORMAL:
        s = dist->a + gsl_cdf_gaussian_Pinv(u, dist->b > 0 ? dist->b : 1e-300);
        break;
    case SS_DIST_FIXED:
    default:
        s = dist->a;
        break;
    }
    if (!(s > 0.0))
        return 0;
    if (s > 1e9)
        s = 1e9;
    return (ss_time)llround(s * 1000.0);
}

static double pool_risk_base(const ss_fleet *f, int pool);

static ss_fleet *fleet_of(const ss_event *ev) { return (ss_fleet *)ev->obj; }

static void emit(ss_fleet *f, const char *what)
{
    if (f->on_event)
        f->on_event(f->event_ctx, ss_evq_now(f->q), what);
}

static void pool_remove_alive(ss_fleet *f, ss_instance *in)
{
    ss_fleet_pool *p = &f->pools[in->pool];
    size_t k = in->pool_slot;
    if (k >= p->n_alive || p->alive[k] != in->id)
        return;
    int last = p->alive[--p->n_alive];
    p->alive[k] = last;
    ss_fleet_inst(f, last)->pool_slot = k;
    in->pool_slot = SIZE_MAX;
}

/* Whether the product gets the free first hour on an EC2 interruption:
 * Linux/UNIX and Windows; not RHEL or SUSE ("Billing for interrupted Spot
 * Instances", docs.aws.amazon.com/AWSEC2/latest/UserGuide/
 * billing-for-interrupted-spot-instances.html). */
static bool free_first_hour_product(const char *product)
{
    return !product[0] || strstr(product, "Linux/UNIX") || strstr(product, "Windows");
}

/* On-Demand charge over [from, end): the price in effect at each instant
 * when the store dates several (docs/formats.md "Dating"), else the flat
 * price. */
static double od_charge(const ss_pool *pd, ss_time from, ss_time end)
{
    return pd->ondemand.n > 1 ? ss_bill_spot(&pd->ondemand, from, end, NULL)
                              : ss_bill_ondemand(pd->ondemand_usd_per_hour, from, end);
}

/* Bill in over [running, end) into the stats (once). EC2 bills an instance
 * from `running`; `pending` is free ("Instance lifecycle", docs.aws.amazon.com/
 * AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html), so an instance that
 * never ran costs nothing. A Spot instance that EC2 interrupts within its
 * first instance-hour is not charged at all (see free_first_hour_product);
 * one the group terminates is charged per second as usual. Instances warm
 * started at the horizon start are not new, so the rule does not apply to
 * them. The all-On-Demand baseline bills the same running time. */
static void bill(ss_fleet *f, ss_instance *in, ss_time end)
{
    if (end > f->end)
        end = f->end;
    if (end < in->launch)
        end = in->launch;
    in->end = end;
    ss_time from = in->running_at == SS_TIME_NEVER ? end : in->running_at;
    if (from > end)
        from = end;
    const ss_pool *pd = &f->d->pools[in->pool];
    double hours = (double)(end - in->launch) / MS_PER_HOUR; /* alive time, pending included */
    double od = od_charge(pd, from, end);
    f->stats.od_baseline += od;
    if (in->spot) {
        ss_time unc = 0;
        bool free_hour = in->end_reason == SS_END_INTERRUPTED && !in->warm && end - from < SS_HOUR &&
                         free_first_hour_product(f->sc->market.product);
        in->cost = free_hour ? 0.0 : ss_bill_spot(&pd->spot, from, end, &unc);
        f->stats.spot_cost += in->cost;
        f->stats.spot_hours += hours;
        f->stats.price_uncovered_ms += unc;
        f->pools[in->pool].price_uncovered_hours += (double)unc / MS_PER_HOUR;
        if (f->sc->market.interruptions == SS_INTERRUPT_TRACE) {
            ss_time uc = ss_pool_capacity_uncovered_ms(pd, in->launch, end);
            f->stats.capacity_uncovered_ms += uc;
            f->pools[in->pool].capacity_uncovered_hours += (double)uc / MS_PER_HOUR;
        }
        if (ss_interrupt_pool_uncovered(f->sc, f->d, in->pool))
            f->stats.uncovered_pool_hours += hours;
    } else {
        in->cost = od;
        f->stats.od_cost += od;
        f->stats.od_hours += hours;
    }
}

void ss_fleet_terminate(ss_fleet *f, ss_instance *in, ss_end_reason why)
{
    if (in->state == SS_INST_TERMINATED)
        return;
    ss_time now = ss_evq_now(f->q);
    if (in->spot) {
        pool_remove_alive(f, in);
        if (in->noticed)
            f->pools[in->pool].n_leaving--;
        f->alive_spot--;
    } else {
        f->pools[in->pool].alive_od--;
        f->alive_od--;
    }
    ss_evq_cancel(f->q, in->ev_notice);
    ss_evq_cancel(f->q, in->ev_rbr);
    ss_evq_cancel(f->q, in->ev_end);
    ss_evq_cancel(f->q, in->ev_state);
    in->state = SS_INST_TERMINATED;
    in->end_reason = why;
    bill(f, in, now);
    while (f->first_alive < f->n && ss_fleet_inst(f, f->first_alive)->state == SS_INST_TERMINATED)
        f->first_alive++;
    const ss_fleet_owner *o = &f->owners[in->asg];
    if (o->on_terminated)
        o->on_terminated(o->ctx, in);
}

/* The notice now, with the termination due at `deadline` (>= now). */
static void notice_until(ss_fleet *f, ss_instance *in, ss_time deadline)
{
    if (in->state == SS_INST_TERMINATED || in->noticed)
        return;
    ss_time now = ss_evq_now(f->q);
    if (deadline < now)
        deadline = now;
    in->noticed = true;
    in->notice_at = now;
    in->deadline = deadline;
    in->state = SS_INST_DRAINING;
    pool_remove_alive(f, in);
    if (in->spot)
        f->pools[in->pool].n_leaving++;
    ss_evq_cancel(f->q, in->ev_notice);
    ss_evq_cancel(f->q, in->ev_rbr);
    f->stats.interruptions++;
    in->ev_end = ss_evq_schedule(f->q, deadline, EV_END, f, in->id, 0);
    emit(f, "interruption");
    const ss_fleet_owner *o = &f->owners[in->asg];
    if (o->on_notice)
        o->on_notice(o->ctx, in, deadline);
}

void ss_fleet_notice(ss_fleet *f, ss_instance *in)
{
    notice_until(f, in, ss_evq_now(f->q) + f->sc->market.notice);
}

void ss_fleet_rebalance(ss_fleet *f, ss_instance *in)
{
    if (in->state == SS_INST_TERMINATED || in->noticed || in->rebalance)
        return;
    in->rebalance = true;
    f->stats.rebalance_recommendations++;
    /* A rebalance recommendation says the instance's pool is "at an elevated
     * risk of interruption" ("EC2 instance rebalance recommendations",
     * docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html);
     * how long EC2 keeps rating the pool so is not published:
     * market.rebalance_risk_window. */
    ss_time until = ss_evq_now(f->q) + f->sc->market.rebalance_risk_window;
    if (f->sc->market.rebalance_risk_window > 0 && until > f->elevated_until[in->pool])
        f->elevated_until[in->pool] = until;
    const ss_fleet_owner *o = &f->owners[in->asg];
    if (o->on_rebalance)
        o->on_rebalance(o->ctx, in);
}

/* ---- pool events ----------------------------------------------------------- */

/* One kernel event per instant of the pool-event list (the chain): the
 * handler applies every pool event of that instant, all pools, at once. It
 * is an urgent event (sim/kernel/evq.h), so it runs before any controller
 * event of the same instant, however early that one was scheduled: market
 * changes (and zone outages, capacity notices) are seen by every controller
 * that acts at that instant. */
static void schedule_next_pool_event(ss_fleet *f)
{
    if (f->next_event >= f->events.n)
        return;
    const ss_pool_event *e = &f->events.ev[f->next_event];
    if (e->t >= f->end) {
        f->next_event = f->events.n;
        return;
    }
    ss_evq_schedule_urgent(f->q, e->t, EV_POOL, f, (int64_t)f->next_event, 0);
}

/* Capacity notices ahead of the change points (market.notice_lead > 0): a
 * second chain over the capacity events, each at max(t - notice_lead,
 * start). The lead is constant, so this chain is in time order too. */
static void schedule_next_capnotice(ss_fleet *f)
{
    ss_time lead = f->sc->market.notice_lead;
    while (f->next_capnotice < f->events.n) {
        size_t i = f->next_capnotice++;
        const ss_pool_event *e = &f->events.ev[i];
        if (e->t >= f->end) {
            f->next_capnotice = f->events.n;
            return;
        }
        if (e->kind != SS_POOLEV_CAPACITY || e->capacity < 0 || e->t < f->start)
            continue;
        ss_time t = e->t - lead;
        ss_evq_schedule_urgent(f->q, t < f->start ? f->start : t, EV_CAPNOTICE, f, (int64_t)i, 0);
        return;
    }
}

/* Order for capacity-driven notices: newest first (launch desc, ties to the
 * lower id) or by a keyed uniform per instance (ascending). */
typedef struct cap_item {
    double k;
    int id;
} cap_item;

static int cap_cmp(const void *a, const void *b)
{
    const cap_item *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Give the notice to the alive (not yet noticed) Spot instances of a pool
 * beyond `capacity`, due to terminate at `deadline`; with deadline = now
 * they terminate at once (the trace says the capacity is gone now). */
static void notice_excess(ss_fleet *f, int pool, int capacity, ss_time deadline)
{
    ss_fleet_pool *p = &f->pools[pool];
    if (capacity < 0 || p->n_alive <= (size_t)capacity)
        return;
    size_t n = p->n_alive, excess = n - (size_t)capacity;
    cap_item *it = ss_malloc(n * sizeof *it);
    for (size_t i = 0; i < n; i++) {
        const ss_instance *in = ss_fleet_inst(f, p->alive[i]);
        it[i].id = in->id;
        it[i].k = f->sc->market.trace_newest_first
                      ? -(double)in->launch
                      : ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key, KEY_CAP_ORDER);
    }
    qsort(it, n, sizeof *it, cap_cmp);
    ss_time now = ss_evq_now(f->q);
    for (size_t i = 0; i < excess; i++) {
        ss_instance *in = ss_fleet_inst(f, it[i].id);
        notice_until(f, in, deadline);
        if (deadline <= now)
            ss_fleet_terminate(f, in, SS_END_INTERRUPTED);
    }
    free(it);
}

/* Tell every owner that launch capacity came back (AZRebalance). */
static void capacity_back(ss_fleet *f)
{
    for (int g = 0; g < SS_MAX_ASGS; g++)
        if (f->owners[g].on_capacity_back)
            f->owners[g].on_capacity_back(f->owners[g].ctx);
}

/* The change point at now: capacity becomes `capacity`. Noticed instances
 * due by now terminate first (their own end event may come later in this
 * instant); then, as the trace says the capacity is gone now, every
 * instance still beyond it terminates now: noticed ones still holding
 * capacity first, then the not yet noticed (launched after the notices, or
 * all of them with notice_lead 0), which get their notice at once. */
static void capacity_change(ss_fleet *f, int pool, int capacity)
{
    ss_fleet_pool *p = &f->pools[pool];
    p->capacity = capacity;
    if (capacity < 0 || p->n_alive + (size_t)p->n_leaving <= (size_t)capacity)
        return;
    ss_time now = ss_evq_now(f->q);
    if (p->n_leaving > 0) {
        for (int id = 0; id < f->n; id++) {
            ss_instance *in = ss_fleet_inst(f, id);
            if (in->pool == pool && in->spot && in->noticed && in->state != SS_INST_TERMINATED &&
                in->deadline <= now)
                ss_fleet_terminate(f, in, SS_END_INTERRUPTED);
        }
        for (int id = 0; id < f->n && p->n_leaving > 0 &&
                         p->n_alive + (size_t)p->n_leaving > (size_t)capacity;
             id++) {
            ss_instance *in = ss_fleet_inst(f, id);
            if (in->pool == pool && in->spot && in->noticed && in->state != SS_INST_TERMINATED)
                ss_fleet_terminate(f, in, SS_END_INTERRUPTED);
        }
    }
    int room = capacity - p->n_leaving;
    notice_excess(f, pool, room > 0 ? room : 0, now);
}

/* notice_lead ahead of a drop at e->t: the excess gets its notice now, due
 * at the drop. The capacity itself stays as the trace says until then:
 * launches are accepted (the fleet does not know the future; the notice is
 * AWS's, which reclaims the capacity at e->t). */
static void on_capnotice(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    const ss_pool_event *e = &f->events.ev[ev->a];
    schedule_next_capnotice(f);
    if (e->pool < 0 || e->pool >= f->n_pools)
        return;
    notice_excess(f, e->pool, e->capacity, e->t);
}

static void burst(ss_fleet *f, const ss_pool_event *e)
{
    ss_fleet_pool *p = &f->pools[e->pool];
    if (p->n_alive == 0)
        return;
    size_t n = p->n_alive;
    int *ids = ss_malloc(n * sizeof *ids);
    memcpy(ids, p->alive, n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ss_instance *in = ss_fleet_inst(f, ids[i]);
        if (ss_interrupt_burst_hits(f->seed, f->replica, e->pool, e->burst_id, in->key, e->frac))
            ss_fleet_notice(f, in);
    }
    free(ids);
}

/* Every pool event of this instant: first all state (capacities), then the
 * consequences (notices of drops, bursts), so that no instance is judged
 * against a half-updated market. */
static void on_pool(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    size_t first = (size_t)ev->a, last = first;
    ss_time t = f->events.ev[first].t;
    while (last < f->events.n && f->events.ev[last].t == t)
        last++;
    f->next_event = last;
    schedule_next_pool_event(f);
    bool back = false; /* some pool's launch capacity came back (rose) */
    for (size_t i = first; i < last; i++) {
        const ss_pool_event *e = &f->events.ev[i];
        if (e->pool >= 0 && e->pool < f->n_pools && e->kind == SS_POOLEV_CAPACITY) {
            int old = f->pools[e->pool].capacity;
            back |= old >= 0 && (e->capacity < 0 || e->capacity > old);
            f->pools[e->pool].capacity = e->capacity;
        }
    }
    for (size_t i = first; i < last; i++) {
        const ss_pool_event *e = &f->events.ev[i];
        if (e->pool < 0 || e->pool >= f->n_pools)
            continue;
        if (e->kind == SS_POOLEV_BURST)
            burst(f, e);
        else
            capacity_change(f, e->pool, e->capacity);
    }
    if (back)
        capacity_back(f);
}

/* Rebalance recommendations ahead of a burst: the instances alive now that
 * the burst will hit (the hit draw is keyed, so it is known) get an RBR with
 * probability rebalance_probability. Instances launched in between do not. */
static void on_preburst(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    const ss_pool_event *e = &f->events.ev[ev->a];
    ss_fleet_pool *p = &f->pools[e->pool];
    size_t n = p->n_alive;
    if (!n)
        return;
    int *ids = ss_malloc(n * sizeof *ids);
    memcpy(ids, p->alive, n * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        ss_instance *in = ss_fleet_inst(f, ids[i]);
        if (!ss_interrupt_burst_hits(f->seed, f->replica, e->pool, e->burst_id, in->key, e->frac))
            continue;
        if (ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key ^ e->burst_id, KEY_RBR_P) <
            f->sc->market.rebalance_probability)
            ss_fleet_rebalance(f, in);
    }
    free(ids);
}

static void on_notice(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    ss_fleet_notice(f, ss_fleet_inst(f, (int)ev->a));
}

static void on_end(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    ss_fleet_terminate(f, ss_fleet_inst(f, (int)ev->a), SS_END_INTERRUPTED);
}

static void on_rbr(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    ss_fleet_rebalance(f, ss_fleet_inst(f, (int)ev->a));
}

static void on_outage(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_fleet *f = fleet_of(ev);
    const ss_zone_outage *o = &f->sc->market.outages[ev->a];
    int z = -1;
    for (int i = 0; i < f->sc->market.n_zones; i++)
        if (!strcmp(f->sc->market.zones[i], o->zone))
            z = i;
    if (z < 0)
        return;
    if (ev->b) {
        if (o->instances_lost) {
            f->zone_down[z] = true;
            for (int id = 0; id < f->n; id++) {
                ss_instance *in = ss_fleet_inst(f, id);
                if (in->state != SS_INST_TERMINATED && in->zone_idx == z)
                    ss_fleet_terminate(f, in, SS_END_OUTAGE);
            }
        } else {
            f->zone_unhealthy[z] = true;
        }
        emit(f, "outage-start");
    } else {
        bool was_down = f->zone_down[z];
        f->zone_down[z] = false;
        f->zone_unhealthy[z] = false;
        emit(f, "outage-end");
        if (was_down)
            capacity_back(f);
    }
}

/* ---- set-up ------------------------------------------------------------------ */

int ss_fleet_init(ss_fleet *f, const ss_scenario *sc, const ss_data *d, ss_evq *q, uint64_t seed,
                  int replica, ss_time start, ss_time end, const bool *use_pool, ss_err *err)
{
    memset(f, 0, sizeof *f);
    f->sc = sc;
    f->d = d;
    f->q = q;
    f->seed = seed;
    f->replica = replica;
    f->start = start;
    f->end = end;
    f->n_zones = d->n_zones;
    f->n_pools = d->n_types * d->n_zones;
    if (ss_market_check_coverage(sc, d, start, end, err))
        return -1;
    f->pools = ss_calloc((size_t)f->n_pools, sizeof *f->pools);
    f->risk = ss_malloc((size_t)f->n_pools * sizeof *f->risk);
    f->price = ss_calloc((size_t)f->n_pools, sizeof *f->price); /* empty intervals */
    f->elevated_until = ss_calloc((size_t)f->n_pools, sizeof *f->elevated_until);
    for (int p = 0; p < f->n_pools; p++) {
        f->risk[p] = pool_risk_base(f, p);
        f->pools[p].used = use_pool ? use_pool[p] : true;
        f->pools[p].capacity = sc->market.interruptions == SS_INTERRUPT_TRACE && d->pools[p].has_trace
                                   ? ss_pool_capacity_at(&d->pools[p], start)
                                   : -1;
    }
    ss_evq_on(q, EV_POOL, on_pool, NULL);
    ss_evq_on(q, EV_NOTICE, on_notice, NULL);
    ss_evq_on(q, EV_END, on_end, NULL);
    ss_evq_on(q, EV_RBR, on_rbr, NULL);
    ss_evq_on(q, EV_PREBURST, on_preburst, NULL);
    ss_evq_on(q, EV_OUTAGE, on_outage, NULL);
    ss_evq_on(q, EV_CAPNOTICE, on_capnotice, NULL);

    if (sc->market.interruptions != SS_INTERRUPT_NONE) {
        if (ss_interrupt_pool_events(sc, d, seed, replica, use_pool, &f->events, err)) {
            ss_fleet_free(f);
            return -1;
        }
    }
    /* Skip events before the horizon (capacity before it is already applied). */
    while (f->next_event < f->events.n && f->events.ev[f->next_event].t < start)
        f->next_event++;
    f->next_capnotice = f->next_event;
    if (sc->market.notice_lead > 0)
        schedule_next_capnotice(f); /* first: at the horizon start it runs before the change */
    schedule_next_pool_event(f);
    if (sc->market.rebalance_probability > 0) {
        for (size_t i = 0; i < f->events.n; i++) {
            const ss_pool_event *e = &f->events.ev[i];
            if (e->kind != SS_POOLEV_BURST || e->t < start || e->t >= end)
                continue;
            double u = ss_rng_keyed_uniform(seed, (uint64_t)replica, e->burst_id, KEY_RBR_LEAD);
            ss_time t = e->t - ss_dist_quantile_ms(&sc->market.rebalance_lead, u);
            ss_evq_schedule(q, t < start ? start : t, EV_PREBURST, f, (int64_t)i, 0);
        }
    }
    for (int i = 0; i < sc->market.n_outages; i++) {
        const ss_zone_outage *o = &sc->market.outages[i];
        if (o->end <= start || o->start >= end)
            continue;
        ss_evq_schedule_urgent(q, o->start < start ? start : o->start, EV_OUTAGE, f, i, 1);
        if (o->end < end)
            ss_evq_schedule_urgent(q, o->end, EV_OUTAGE, f, i, 0);
    }
    return 0;
}

void ss_fleet_free(ss_fleet *f)
{
    if (f->pools)
        for (int p = 0; p < f->n_pools; p++)
            free(f->pools[p].alive);
    free(f->pools);
    free(f->risk);
    free(f->price);
    free(f->elevated_until);
    for (size_t b = 0; b < f->n_blocks; b++)
        free(f->blocks[b]);
    free(f->blocks);
    ss_pool_events_free(&f->events);
    memset(f, 0, sizeof *f);
}

void ss_fleet_set_owner(ss_fleet *f, int asg, const ss_fleet_owner *o) { f->owners[asg] = *o; }

int ss_fleet_headroom(const ss_fleet *f, int pool)
{
    const ss_fleet_pool *p = &f->pools[pool];
    if (p->capacity < 0)
        return INT32_MAX;
    long h = (long)p->capacity - (long)p->n_alive - (long)p->n_leaving;
    return h > 0 ? (int)h : 0;
}

double ss_fleet_spot_price(const ss_fleet *f, int pool)
{
    ss_time now = ss_evq_now(f->q);
    ss_fleet_price *c = &f->price[pool];
    if (now >= c->lo && now < c->hi)
        return c->usd_per_hour;
    const ss_price_series *s = &f->d->pools[pool].spot;
    if (s->n == 0)
        return 0.0;
    /* the step in force: last i with t[i] <= now (as ss_price_at), valid
     * until the next step */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->t[mid] <= now)
            lo = mid + 1;
        else
            hi = mid;
    }
    c->lo = lo == 0 ? INT64_MIN : s->t[lo - 1];
    c->hi = lo < s->n ? s->t[lo] : INT64_MAX;
    c->usd_per_hour = s->usd_per_hour[lo == 0 ? 0 : lo - 1];
    return c->usd_per_hour;
}

/* The price is checked before the capacity, so that a refusal is put down
 * to the price whenever the price alone refuses it (with the max-price
 * source the pool's capacity is 0 exactly then). */
ss_launch_block ss_fleet_can_launch(const ss_fleet *f, int pool, bool spot, double max_price)
{
    const ss_pool *pd = &f->d->pools[pool];
    if (f->zone_down[pd->zone_idx])
        return SS_LAUNCH_ZONE_DOWN;
    if (!spot)
        return SS_LAUNCH_OK;
    if (pd->spot.n == 0)
        return SS_LAUNCH_NO_PRICE;
    double maxp = max_price > 0 ? max_price
                  : pd->ondemand.n > 1 ? ss_price_at(&pd->ondemand, ss_evq_now(f->q), NULL)
                                       : pd->ondemand_usd_per_hour;
    if (maxp > 0 && ss_fleet_spot_price(f, pool) > maxp)
        return SS_LAUNCH_PRICE;
    if (ss_fleet_headroom(f, pool) <= 0)
        return SS_LAUNCH_NO_CAPACITY;
    return SS_LAUNCH_OK;
}

void ss_fleet_launch_refused(ss_fleet *f, int pool, ss_launch_block why)
{
    f->stats.failed_launches++;
    if (why == SS_LAUNCH_PRICE)
        f->stats.refused_price++;
    else if (why == SS_LAUNCH_NO_CAPACITY)
        f->stats.refused_capacity++;
    if (pool >= 0 && pool < f->n_pools && (int)why >= 0 && (int)why < 5)
        f->pools[pool].refused[why]++;
}

ss_instance *ss_fleet_launch(ss_fleet *f, int asg, int pool, bool spot)
{
    if ((size_t)f->n == f->n_blocks * SS_FLEET_BLOCK) {
        f->blocks = ss_realloc(f->blocks, (f->n_blocks + 1) * sizeof *f->blocks);
        f->blocks[f->n_blocks++] = ss_calloc(SS_FLEET_BLOCK, sizeof(ss_instance));
    }
    ss_time now = ss_evq_now(f->q);
    ss_fleet_pool *p = &f->pools[pool];
    const ss_pool *pd = &f->d->pools[pool];
    ss_instance *in = ss_fleet_inst(f, f->n);
    memset(in, 0, sizeof *in);
    in->id = f->n++;
    in->key = ss_mix64(ss_mix64((uint64_t)pool * 2 + (spot ? 1u : 0u) + 1) ^ p->launches++);
    in->pool = pool;
    in->type_idx = pd->type_idx;
    in->zone_idx = pd->zone_idx;
    in->asg = asg;
    in->spot = spot;
    in->state = SS_INST_PENDING;
    int w = f->sc->market.types[pd->type_idx].weight;
    in->units = w > 0 ? w : 1;
    in->vcpu = pd->vcpu;
    in->memory_mib = pd->memory_mib;
    in->launch = now;
    in->running_at = in->registered_at = in->notice_at = in->end = in->deadline = SS_TIME_NEVER;
    in->pool_slot = SIZE_MAX;
    in->azr_old = -1;
    f->stats.launches++;
    if (spot) {
        f->alive_spot++;
        SS_GROW(p->alive, p->cap_alive, p->n_alive + 1);
        in->pool_slot = p->n_alive;
        p->alive[p->n_alive++] = in->id;
        ss_time tn = ss_interrupt_instance_notice(f->sc, f->d, pool, f->seed, f->replica, in->key, now);
        if (tn != SS_TIME_NEVER && tn < f->end) {
            if (tn < now)
                tn = now;
            in->ev_notice = ss_evq_schedule(f->q, tn, EV_NOTICE, f, in->id, 0);
            double pr = f->sc->market.rebalance_probability;
            if (pr > 0 && ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key, KEY_RBR_P) < pr) {
                double u = ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key, KEY_RBR_LEAD);
                ss_time tr = tn - ss_dist_quantile_ms(&f->sc->market.rebalance_lead, u);
                in->ev_rbr = ss_evq_schedule(f->q, tr < now ? now : tr, EV_RBR, f, in->id, 0);
            }
        }
    } else {
        p->alive_od++;
        f->alive_od++;
    }
    return in;
}

void ss_fleet_set_running(ss_fleet *f, ss_instance *in)
{
    if (in->state != SS_INST_PENDING)
        return;
    in->state = SS_INST_RUNNING;
    in->running_at = ss_evq_now(f->q);
}

void ss_fleet_finish(ss_fleet *f)
{
    for (int id = 0; id < f->n; id++) {
        ss_instance *in = ss_fleet_inst(f, id);
        if (in->state == SS_INST_TERMINATED || in->end_reason == SS_END_HORIZON)
            continue;
        in->end_reason = SS_END_HORIZON;
        bill(f, in, f->end);
    }
}

/* The stats' totals, then each alive running instance's charge so far in
 * id order: at the horizon end this is the very sum ss_fleet_finish makes
 * (same terms, same order), so the last value equals the cost metric
 * exactly. An alive instance has not been interrupted (yet), so no free
 * first hour applies to it. */
void ss_fleet_billed(const ss_fleet *f, ss_time t, double *spot, double *od)
{
    double s = f->stats.spot_cost, o = f->stats.od_cost;
    if (t > f->end)
        t = f->end;
    for (int id = f->first_alive; id < f->n; id++) {
        const ss_instance *in = ss_fleet_inst(f, id);
        if (in->state == SS_INST_TERMINATED || in->running_at == SS_TIME_NEVER || in->running_at >= t)
            continue;
        const ss_pool *pd = &f->d->pools[in->pool];
        if (in->spot)
            s += ss_bill_spot(&pd->spot, in->running_at, t, NULL);
        else
            o += od_charge(pd, in->running_at, t);
    }
    *spot = s;
    *od = o;
}

void ss_fleet_count(const ss_fleet *f, int asg, int *spot, int *od)
{
    int s = 0, o = 0;
    for (int id = 0; id < f->n; id++) {
        const ss_instance *in = ss_fleet_inst(f, id);
        if (in->asg != asg || in->state == SS_INST_TERMINATED)
            continue;
        if (in->spot)
            s++;
        else
            o++;
    }
    *spot = s;
    *od = o;
}

/* The static part of a pool's risk (computed once per evaluation). */
static double pool_risk_base(const ss_fleet *f, int pool)
{
    const ss_pool *pd = &f->d->pools[pool];
    const ss_market *m = &f->sc->market;
    if (m->interruptions == SS_INTERRUPT_REPLAY && pd->has_log && pd->log_exposure_hours > 0) {
        double hits = 0;
        for (size_t i = 0; i < pd->n_bursts; i++)
            hits += pd->bursts[i].interrupted;
        return hits / pd->log_exposure_hours;
    }
    double ab = m->burst_beta_a + m->burst_beta_b;
    double mean_frac = ab > 0 ? m->burst_beta_a / ab : 0.0;
    return (pd->hazard_per_hour + pd->burst_rate_per_hour * mean_frac) * m->stochastic_scale;
}

bool ss_fleet_pool_elevated(const ss_fleet *f, int pool) { return ss_evq_now(f->q) < f->elevated_until[pool]; }

double ss_fleet_pool_risk(const ss_fleet *f, int pool)
{
    if (ss_fleet_headroom(f, pool) <= 0 || ss_fleet_pool_elevated(f, pool))
        return INFINITY;
    return f->risk[pool];
}

void ss_fleet_metrics(const ss_fleet *f, ss_time start, ss_time end, ss_metrics *out)
{
    const ss_fleet_stats *fs = &f->stats;
    double hours = (double)(end - start) / (double)SS_HOUR;
    out->spot_cost_usd = fs->spot_cost;
    out->od_cost_usd = fs->od_cost;
    out->cost_usd = fs->spot_cost + fs->od_cost;
    out->cost_per_month_usd = hours > 0 ? out->cost_usd * (30.0 * 24.0) / hours : 0.0;
    out->ondemand_baseline_usd = fs->od_baseline;
    out->savings_ratio = out->cost_usd > 0 ? fs->od_baseline / out->cost_usd : 0.0;
    out->interruptions = fs->interruptions;
    out->rebalance_recommendations = fs->rebalance_recommendations;
    out->launches = fs->launches;
    out->failed_launches = fs->failed_launches;
    out->spot_instance_hours = fs->spot_hours;
    out->od_instance_hours = fs->od_hours;
    out->uncovered_pool_hours = fs->uncovered_pool_hours;
    out->price_uncovered_hours = (double)fs->price_uncovered_ms / (double)SS_HOUR;
    out->capacity_uncovered_hours = (double)fs->capacity_uncovered_ms / (double)SS_HOUR;
    out->refused_price = fs->refused_price;
    out->refused_capacity = fs->refused_capacity;
    out->horizon_hours = hours;
}

void ss_fleet_tally(const ss_fleet *f, ss_timeline *tl)
{
    free(tl->pools);
    tl->n_pools = f->n_pools;
    tl->pools = ss_calloc((size_t)f->n_pools, sizeof *tl->pools);
    for (int p = 0; p < f->n_pools; p++) {
        const ss_fleet_pool *fp = &f->pools[p];
        tl->pools[p] = (ss_pool_tally){.price_uncovered_hours = fp->price_uncovered_hours,
                                       .capacity_uncovered_hours = fp->capacity_uncovered_hours,
                                       .refused_price = fp->refused[SS_LAUNCH_PRICE],
                                       .refused_capacity = fp->refused[SS_LAUNCH_NO_CAPACITY]};
    }
}
