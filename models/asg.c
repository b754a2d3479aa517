/*
 * asg.c - EC2 Auto Scaling group with a MixedInstancesPolicy on the event
 * kernel (aws-semantics.md §1; interface and modelling choices in asg.h).
 */
#include "models/asg.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/asg_victims.h"
#include "models/market.h"
#include "sim/kernel/rng.h"

enum {
    EV_RUNNING = SS_EVT_ASG_FIRST, /* obj = group, a = instance id */
    EV_REGISTERED,                 /* obj = group, a = instance id */
    EV_RETRY,                      /* obj = group */
    EV_CR_POLL,                    /* obj = group, a = instance id: Capacity Rebalancing re-evaluation */
    EV_POLICY                      /* obj = group: the run-time policy asked to be consulted again */
};

#define KEY_LAUNCH 0x4c41554eULL
#define KEY_REGISTER 0x52454749ULL
#define KEY_VICTIM 0x56494354ULL

/* ---- membership ------------------------------------------------------------- */

/* Position of id in a list of ids in increasing order (members are appended
 * at launch, and instance ids grow with launches), or -1. */
static long find_id(const int *v, size_t n, int id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == id ? (long)lo : -1;
}

static void remove_at(int *v, size_t *n, long i)
{
    /* keep launch order: victims and counts iterate deterministically */
    memmove(&v[i], &v[i + 1], (*n - (size_t)i - 1) * sizeof(int));
    (*n)--;
}

static void members_add(ss_asg_group *g, const ss_instance *in)
{
    SS_GROW(g->members, g->cap_members, g->n_members + 1);
    g->members[g->n_members++] = in->id;
}

static void members_remove(ss_asg_group *g, const ss_instance *in)
{
    long i = find_id(g->members, g->n_members, in->id);
    if (i >= 0)
        remove_at(g->members, &g->n_members, i);
}

static bool counted(const ss_instance *in)
{
    return in->state != SS_INST_TERMINATED && !in->leaving;
}

/* Bring the group's incremental counts in line with in's current state;
 * called after every change of in->state or in->leaving (both only move
 * one way: an instance that stops counting never counts again). */
static void recount(ss_asg_group *g, ss_instance *in)
{
    bool c = counted(in), p = c && in->state == SS_INST_PENDING;
    if (c != in->asg_counted) {
        int d = c ? 1 : -1, s = in->spot ? 1 : 0;
        g->cnt_units[s] += d * in->units;
        g->cnt_instances += d;
        g->zone_cnt[g->zone_pos[in->zone_idx]][s] += d;
        if (in->spot)
            g->pool_spot[in->pool] += d;
        in->asg_counted = c;
    }
    if (p != in->asg_pending) {
        g->cnt_pending += p ? 1 : -1;
        in->asg_pending = p;
    }
    ss_asg_victims_sync(g, in);
}

void ss_asg_counts(const ss_asg_group *g, int *od_units, int *spot_units, int *pending_instances,
                   int *running_instances)
{
    if (od_units)
        *od_units = g->cnt_units[0];
    if (spot_units)
        *spot_units = g->cnt_units[1];
    if (pending_instances)
        *pending_instances = g->cnt_pending;
    if (running_instances)
        *running_instances = g->cnt_instances - g->cnt_pending;
}

int ss_asg_capacity_units(const ss_asg_group *g)
{
    int od, sp;
    ss_asg_counts(g, &od, &sp, NULL, NULL);
    return od + sp;
}

/* ---- choosers ----------------------------------------------------------------- */

double ss_asg_unit_price(const ss_asg_group *g, int pool, bool spot)
{
    const ss_pool *pd = &g->f->d->pools[pool];
    int w = g->f->sc->market.types[pd->type_idx].weight;
    double units = w > 0 ? w : 1;
    double p = spot ? ss_fleet_spot_price(g->f, pool) : pd->ondemand_usd_per_hour;
    return p / units;
}

int ss_asg_pick_zone(const ss_asg_group *g, bool spot, const bool *zone_excluded)
{
    int best = -1, best_same = 0, best_all = 0;
    for (int z = 0; z < g->n_zones; z++) {
        if (zone_excluded && zone_excluded[z])
            continue;
        int same = g->zone_cnt[z][spot ? 1 : 0], all = g->zone_cnt[z][0] + g->zone_cnt[z][1];
        if (best < 0 || same < best_same || (same == best_same && all < best_all)) {
            best = z;
            best_same = same;
            best_all = all;
        }
    }
    return best;
}

/* Counted Spot instances of the group in a pool. */
static int spot_in_pool(const ss_asg_group *g, int pool) { return g->pool_spot[pool]; }

typedef struct cand {
    int pool, order;
    double price, risk;
} cand;

static int cand_by_price(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return x->order - y->order;
}

int ss_asg_pick_pool(const ss_asg_group *g, int z, bool spot, const bool *pool_excluded)
{
    cand c[SS_MAX_TYPES];
    int n = 0;
    for (int t = 0; t < g->n_types; t++) {
        int pool = g->type_idx[t] * g->f->n_zones + g->zone_idx[z];
        if (pool_excluded && pool_excluded[pool])
            continue;
        if (spot && g->f->d->pools[pool].spot.n == 0)
            continue; /* never priced: not a candidate */
        c[n].pool = pool;
        c[n].order = t;
        c[n].price = ss_asg_unit_price(g, pool, spot);
        c[n].risk = spot ? ss_fleet_pool_risk(g->f, pool) : 0.0;
        n++;
    }
    if (n == 0)
        return -1;
    if (!spot) {
        if (g->cfg->od_allocation == SS_OD_PRIORITIZED)
            return c[0].pool;
        qsort(c, (size_t)n, sizeof *c, cand_by_price);
        return c[0].pool;
    }
    switch (g->cfg->spot_allocation) {
    case SS_SPOT_LOWEST_PRICE: {
        /* The N cheapest pools per unit; even spread: the one of them with the
         * fewest of our Spot instances, ties to the cheaper. Excluded (failed)
         * pools are gone, so the next-cheapest joins the top N. */
        qsort(c, (size_t)n, sizeof *c, cand_by_price);
        int top = g->cfg->spot_instance_pools > 0 ? g->cfg->spot_instance_pools : 1;
        if (top > n)
            top = n;
        int best = 0, best_n = spot_in_pool(g, c[0].pool);
        for (int i = 1; i < top; i++) {
            int k = spot_in_pool(g, c[i].pool);
            if (k < best_n) {
                best = i;
                best_n = k;
            }
        }
        return c[best].pool;
    }
    case SS_SPOT_CAPACITY_OPTIMIZED: {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (c[i].risk < c[best].risk)
                best = i;
        return c[best].pool;
    }
    case SS_SPOT_CAPACITY_OPTIMIZED_PRIORITIZED:
    case SS_SPOT_PRICE_CAPACITY_OPTIMIZED: {
        double lo = INFINITY;
        for (int i = 0; i < n; i++)
            if (c[i].risk < lo)
                lo = c[i].risk;
        double band = lo * (1.0 + g->cfg->pco_capacity_band) + 1e-12;
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (!(c[i].risk <= band))
                continue;
            if (best < 0)
                best = i;
            else if (g->cfg->spot_allocation == SS_SPOT_PRICE_CAPACITY_OPTIMIZED &&
                     c[i].price < c[best].price)
                best = i;
        }
        return c[best < 0 ? 0 : best].pool;
    }
    }
    return c[0].pool;
}

/* Lowest-price Spot: whether pool is among the SpotInstancePools cheapest
 * (per unit, now) of its zone, as ss_asg_pick_pool ranks them. */
static bool in_cheapest_pools(const ss_asg_group *g, int pool)
{
    double p = ss_asg_unit_price(g, pool, true);
    int zone = g->f->d->pools[pool].zone_idx, order = -1, cheaper = 0;
    for (int t = 0; t < g->n_types; t++)
        if (g->type_idx[t] * g->f->n_zones + zone == pool)
            order = t;
    for (int t = 0; t < g->n_types; t++) {
        int q = g->type_idx[t] * g->f->n_zones + zone;
        if (q == pool || g->f->d->pools[q].spot.n == 0)
            continue;
        double pq = ss_asg_unit_price(g, q, true);
        if (pq < p || (pq == p && t < order))
            cheaper++;
    }
    int top = g->cfg->spot_instance_pools > 0 ? g->cfg->spot_instance_pools : 1;
    return cheaper < top;
}

/* §1.9 Default step 1: the instance whose removal best aligns the remainder
 * with the allocation strategy ("Default termination policy and mixed
 * instances groups", docs.aws.amazon.com/autoscaling/ec2/userguide/
 * ec2-auto-scaling-termination-policies.html). Lowest-price spreads Spot
 * evenly over the SpotInstancePools cheapest pools, so the remainder stays
 * spread over them: first instances outside those pools (dearest first),
 * then the pool of them with the most of the group's instances (ties: the
 * dearer). Capacity strategies: the riskiest pool; prioritized On-Demand:
 * the last override; lowest-price On-Demand: the dearest.
 * Returns a score, higher = terminate first. */
static double alloc_misalignment(const ss_asg_group *g, const ss_instance *in)
{
    if (!in->spot) {
        if (g->cfg->od_allocation == SS_OD_LOWEST_PRICE)
            return ss_asg_unit_price(g, in->pool, false);
        for (int t = 0; t < g->n_types; t++)
            if (g->type_idx[t] == in->type_idx)
                return t;
        return g->n_types;
    }
    if (g->cfg->spot_allocation == SS_SPOT_LOWEST_PRICE) {
        double price = ss_asg_unit_price(g, in->pool, true); /* USD per unit-hour: well below 1e6 */
        if (!in_cheapest_pools(g, in->pool))
            return 1e12 + price;
        return (double)spot_in_pool(g, in->pool) * 1e6 + price;
    }
    return ss_fleet_pool_risk(g->f, in->pool);
}

/* Milliseconds until the next instance-hour boundary since launch. */
static double to_next_hour(const ss_asg_group *g, const ss_instance *in)
{
    ss_time age = ss_evq_now(g->f->q) - in->launch;
    return (double)(SS_HOUR - age % SS_HOUR);
}

typedef double (*score_fn)(const ss_asg_group *, const ss_instance *); /* higher = victim */

static double s_alloc(const ss_asg_group *g, const ss_instance *in) { return alloc_misalignment(g, in); }
static double s_next_hour(const ss_asg_group *g, const ss_instance *in) { return -to_next_hour(g, in); }
static double s_newest(const ss_asg_group *g, const ss_instance *in)
{
    (void)g;
    return (double)in->launch;
}
static double s_oldest(const ss_asg_group *g, const ss_instance *in)
{
    (void)g;
    return -(double)in->launch;
}
static double s_random(const ss_asg_group *g, const ss_instance *in)
{
    return ss_rng_keyed_uniform(g->f->seed, (uint64_t)g->f->replica, in->key, KEY_VICTIM);
}

/* Keep only the candidates with the highest score (each scored once). */
static size_t filter(const ss_asg_group *g, ss_instance **c, size_t n, score_fn fn)
{
    if (n <= 1)
        return n;
    ss_asg_group *mg = (ss_asg_group *)(uintptr_t)g; /* scratch buffer only */
    SS_GROW(mg->scores, mg->cap_scores, n);
    double *v = mg->scores, best = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        v[i] = fn(g, c[i]);
        if (v[i] > best)
            best = v[i];
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] >= best)
            c[k++] = c[i];
    return k;
}

/* The victim candidates of zone position z and one purchase option, by
 * scanning every member: counted and not protected. Returns how many, in c
 * (id order). */
static size_t gather_candidates(const ss_asg_group *g, int z, bool spot, ss_instance **c)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_members; i++) {
        ss_instance *in = ss_fleet_inst(g->f, g->members[i]);
        if (in->spot == spot && in->zone_idx == g->zone_idx[z] && counted(in) && !in->protected_)
            c[n++] = in;
    }
    return n;
}

/* The termination steps (§1.9) over the candidates c[0..n) of one zone:
 * each keeps the best-scoring ones; then the Default policy's last step
 * (keyed random) and, of any exact tie left, the lowest id. Returns the
 * victim. */
static ss_instance *apply_steps(const ss_asg_group *g, ss_instance **c, size_t n)
{
    for (int p = 0; p < g->cfg->n_termination_policies && n > 1; p++) {
        switch (g->cfg->termination_policies[p]) {
        case SS_TERM_DEFAULT:
            n = filter(g, c, n, s_alloc);
            n = filter(g, c, n, s_next_hour);
            break;
        case SS_TERM_ALLOCATION_STRATEGY:
            n = filter(g, c, n, s_alloc);
            break;
        case SS_TERM_OLDEST_LAUNCH_TEMPLATE:
            break; /* one launch template version: no preference */
        case SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR:
            n = filter(g, c, n, s_next_hour);
            break;
        case SS_TERM_NEWEST_INSTANCE:
            n = filter(g, c, n, s_newest);
            break;
        case SS_TERM_OLDEST_INSTANCE:
            n = filter(g, c, n, s_oldest);
            break;
        }
    }
    n = filter(g, c, n, s_random); /* Default's last step: random (keyed) */
    ss_instance *victim = c[0];
    for (size_t i = 1; i < n; i++)
        if (c[i]->id < victim->id)
            victim = c[i];
    return victim;
}

/* Zone positions in scale-in order: most instances of the purchase option
 * first (ties: the first position), only zones with some. Returns how many. */
static int zone_order(const ss_asg_group *g, bool spot, int *order)
{
    bool tried[SS_MAX_ZONES] = {false};
    int n = 0;
    for (int round = 0; round < g->n_zones; round++) {
        int z = -1;
        for (int k = 0; k < g->n_zones; k++)
            if (!tried[k] && g->zone_cnt[k][spot ? 1 : 0] > 0 &&
                (z < 0 || g->zone_cnt[k][spot ? 1 : 0] > g->zone_cnt[z][spot ? 1 : 0]))
                z = k;
        if (z < 0)
            break;
        tried[z] = true;
        order[n++] = z;
    }
    return n;
}

ss_instance *ss_asg_pick_victim_scan(const ss_asg_group *g, bool spot)
{
    ss_asg_group *mg = (ss_asg_group *)(uintptr_t)g; /* scratch buffer only */
    SS_GROW(mg->scratch, mg->cap_scratch, g->n_members + 1);
    int order[SS_MAX_ZONES], nz = zone_order(g, spot, order);
    for (int i = 0; i < nz; i++) {
        size_t n = gather_candidates(g, order[i], spot, mg->scratch);
        if (n > 0)
            return apply_steps(g, mg->scratch, n);
    }
    return NULL;
}

/* The same choice from the victim index (asg_victims.h): the steps applied
 * to the best candidate of each pool of the zone. */
ss_instance *ss_asg_pick_victim(const ss_asg_group *g, bool spot)
{
    ss_instance *c[SS_MAX_TYPES];
    int order[SS_MAX_ZONES], nz = zone_order(g, spot, order);
    for (int i = 0; i < nz; i++) {
        size_t n = 0;
        for (int t = 0; t < g->n_types; t++) {
            ss_instance *b = ss_asg_victims_best(g, g->type_idx[t] * g->f->n_zones + g->zone_idx[order[i]], spot);
            if (b)
                c[n++] = b;
        }
        if (n > 0)
            return apply_steps(g, c, n);
    }
    return NULL;
}

/* ---- launching and terminating ------------------------------------------------ */

static ss_instance *launch_one_instance(ss_asg_group *g, int pool, bool spot)
{
    ss_fleet *f = g->f;
    ss_instance *in = ss_fleet_launch(f, g->index, pool, spot);
    in->protected_ = g->cfg->new_instances_protected;
    members_add(g, in);
    recount(g, in);
    double u = ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key, KEY_LAUNCH);
    ss_time dt = ss_dist_quantile_ms(&f->sc->instance_launch, u);
    in->ev_state = ss_evq_schedule(f->q, ss_evq_now(f->q) + dt, EV_RUNNING, g, in->id, 0);
    if (g->hooks.on_launched)
        g->hooks.on_launched(g->hooks.ctx, in);
    return in;
}

/* The pool the next launch of the purchase option goes to: AZ balance,
 * then the allocation strategy, falling through failed pools (and zones with
 * balanced-best-effort); -1 when nothing can launch. With `record` every
 * failed attempt is counted (a real launch); without, it is a probe. */
static int choose_pool(ss_asg_group *g, bool spot, bool record)
{
    ss_fleet *f = g->f;
    bool zone_ex[SS_MAX_ZONES] = {false};
    bool *pool_ex = g->pool_ex;
    memset(pool_ex, 0, (size_t)f->n_pools * sizeof *pool_ex);
    /* ---- policy hook: dynamic Spot placement (zones the rule has set aside) ---- */
    const ss_policy *pol = g->hooks.policy;
    if (spot && pol)
        for (int z = 0; z < g->n_zones; z++)
            zone_ex[z] = !ss_pol_zone_active(pol, g->index, g->zone_idx[z], ss_evq_now(f->q));
    for (;;) {
        int z = ss_asg_pick_zone(g, spot, zone_ex);
        if (z < 0)
            return -1;
        for (;;) {
            int pool = ss_asg_pick_pool(g, z, spot, pool_ex);
            if (pool < 0)
                break;
            if (spot && g->cr_launch && ss_fleet_pool_elevated(f, pool)) {
                pool_ex[pool] = true; /* Capacity Rebalancing: not into a pool at elevated risk */
                continue;
            }
            ss_launch_block why = ss_fleet_can_launch(f, pool, spot, g->cfg->spot_max_price);
            if (why == SS_LAUNCH_OK)
                return pool;
            pool_ex[pool] = true;
            if (record) {
                g->failed_launches++;
                ss_fleet_launch_refused(f, pool, why);
                if (g->hooks.on_launch_failed)
                    g->hooks.on_launch_failed(g->hooks.ctx, pool, why);
                /* ---- policy hook: InsufficientInstanceCapacity seen by EventBridge ---- */
                if (why == SS_LAUNCH_NO_CAPACITY || why == SS_LAUNCH_ZONE_DOWN)
                    ss_pol_launch_failed(pol, g->index, pool % f->n_zones, spot, ss_evq_now(f->q));
            }
        }
        if (g->cfg->az_distribution == SS_AZ_BALANCED_ONLY)
            return -1;
        zone_ex[z] = true;
    }
}

/* One launch of the purchase option; false when nothing could launch. */
static bool launch_one(ss_asg_group *g, bool spot)
{
    int pool = choose_pool(g, spot, true);
    if (pool < 0)
        return false;
    launch_one_instance(g, pool, spot);
    return true;
}

static void terminate_by_group(ss_asg_group *g, ss_instance *in, ss_end_reason why)
{
    in->leaving = true;
    in->end_reason = why;
    if (in->state != SS_INST_TERMINATED && !in->noticed)
        in->state = SS_INST_DRAINING;
    recount(g, in);
    if (g->hooks.on_terminating && g->hooks.on_terminating(g->hooks.ctx, in))
        return; /* lifecycle hook: the orchestrator completes it */
    ss_fleet_terminate(g->f, in, why);
}

void ss_asg_complete_lifecycle(ss_asg_group *g, ss_instance *in)
{
    if (in->state != SS_INST_TERMINATED)
        ss_fleet_terminate(g->f, in, in->end_reason != SS_END_NONE ? in->end_reason : SS_END_SCALE_IN);
}

/* Spot units of the group without an interruption warning: ready
 * (registered) and booting (launched, not yet registered). */
static void spot_units_ok(const ss_asg_group *g, int *ready, int *booting)
{
    *ready = *booting = 0;
    for (size_t i = 0; i < g->n_members; i++) {
        const ss_instance *in = ss_fleet_inst(g->f, g->members[i]);
        if (counted(in) && in->spot && !in->noticed)
            *(in->registered ? ready : booting) += in->units;
    }
}

/* ---- policy hook: the desired capacity and On-Demand base the run-time
 * rules ask for (over-provisioning, On-Demand fallback), and a wake-up when
 * a rule's delay or hold expires. Without a policy: the configuration. */
static int effective_target(ss_asg_group *g, int *od_base)
{
    const ss_policy *pol = g->hooks.policy;
    *od_base = g->cfg->od_base_capacity;
    if (!pol)
        return g->desired;
    ss_time now = ss_evq_now(g->f->q);
    int want = g->desired + ss_pol_extra_spot(pol, g->index);
    if (want > g->cfg->max_size)
        want = g->cfg->max_size;
    if (ss_pol_has_od_cover(pol)) {
        int od_t, sp_t;
        ss_asg_split(want, *od_base, g->cfg->od_percentage_above_base, &od_t, &sp_t);
        int ready, booting;
        spot_units_ok(g, &ready, &booting);
        int cover = ss_pol_od_cover(pol, g->index, sp_t, ready, booting, now);
        if (want + cover > g->cfg->max_size)
            cover = g->cfg->max_size - want; /* SetDesiredCapacity above MaxSize is refused */
        if (cover > 0) {
            want += cover;
            *od_base += cover;
        }
    }
    return want;
}

/* After a reconcile: the rule may want to be asked again later (a delay or
 * hold running), or now (a launch failure of this very reconcile tripped it:
 * the event runs after the current one, at the same time). */
static void policy_wake(ss_asg_group *g)
{
    const ss_policy *pol = g->hooks.policy;
    if (!ss_pol_has_od_cover(pol))
        return;
    ss_time now = ss_evq_now(g->f->q);
    ss_time w = ss_pol_wake_at(pol, g->index, now);
    if (w == SS_TIME_NEVER)
        return;
    if (w < now)
        w = now;
    if (w == now && g->policy_fired_at == now)
        return; /* at most one same-instant wake-up: the next reconcile asks again */
    if (ss_evq_pending(g->f->q, g->ev_policy) && g->policy_at == w)
        return;
    ss_evq_cancel(g->f->q, g->ev_policy);
    g->ev_policy = ss_evq_schedule(g->f->q, w, EV_POLICY, g, 0, 0);
    g->policy_at = w;
}

void ss_asg_reconcile(ss_asg_group *g)
{
    ss_fleet *f = g->f;
    int od_t, sp_t, od_base;
    int target = effective_target(g, &od_base);
    ss_asg_split(target, od_base, g->cfg->od_percentage_above_base, &od_t, &sp_t);
    int od, sp;
    ss_asg_counts(g, &od, &sp, NULL, NULL);
    bool short_ = false;
    /* Launch: units may overshoot desired by less than one weight (§1.1). */
    while (od < od_t) {
        if (!launch_one(g, false)) {
            short_ = true;
            break;
        }
        ss_asg_counts(g, &od, NULL, NULL, NULL);
    }
    while (sp < sp_t) {
        if (!launch_one(g, true)) {
            short_ = true;
            break;
        }
        ss_asg_counts(g, NULL, &sp, NULL, NULL);
    }
    /* Scale in: purchase option with a surplus first (§1.2, §1.9). */
    while (od + sp > target) {
        bool spot = sp > sp_t;
        if (!spot && od <= od_t)
            break;
        ss_instance *v = ss_asg_pick_victim(g, spot);
        if (!v) {
            g->scale_in_blocked++; /* all remaining protected (§1.10) */
            break;
        }
        if (od + sp - v->units < target)
            break; /* weights: never go below desired on scale-in */
        terminate_by_group(g, v, SS_END_SCALE_IN);
        ss_asg_counts(g, &od, &sp, NULL, NULL);
    }
    if (short_ && !ss_evq_pending(f->q, g->ev_retry))
        g->ev_retry = ss_evq_schedule(f->q, ss_evq_now(f->q) + g->cfg->launch_retry, EV_RETRY, g, 0, 0);
    policy_wake(g);
}

void ss_asg_set_desired(ss_asg_group *g, int desired)
{
    if (desired < g->cfg->min_size)
        desired = g->cfg->min_size;
    if (desired > g->cfg->max_size)
        desired = g->cfg->max_size;
    g->desired = desired;
    ss_asg_reconcile(g);
}

void ss_asg_set_protected(ss_asg_group *g, ss_instance *in, bool on)
{
    in->protected_ = on;
    ss_asg_victims_sync(g, in);
}

/* ---- kernel handlers and fleet callbacks -------------------------------------- */

static void on_running(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_asg_group *g = ev->obj;
    ss_fleet *f = g->f;
    ss_instance *in = ss_fleet_inst(f, (int)ev->a);
    if (in->state == SS_INST_TERMINATED)
        return;
    ss_fleet_set_running(f, in);
    in->running_at = ss_evq_now(f->q);
    recount(g, in);
    if (g->hooks.on_running)
        g->hooks.on_running(g->hooks.ctx, in);
    double u = ss_rng_keyed_uniform(f->seed, (uint64_t)f->replica, in->key, KEY_REGISTER);
    ss_time dt = ss_dist_quantile_ms(&f->sc->instance_register, u);
    in->ev_state = ss_evq_schedule(f->q, ss_evq_now(f->q) + dt, EV_REGISTERED, g, in->id, 0);
}

/* Capacity Rebalancing: an old instance waiting for its replacement is
 * terminated when a new Spot instance of the group registers (FIFO). */
static void cr_release_one(ss_asg_group *g)
{
    for (size_t i = 0; i < g->n_members; i++) {
        ss_instance *old = ss_fleet_inst(g->f, g->members[i]);
        if (old->rebalance && old->leaving && old->state != SS_INST_TERMINATED && !old->noticed &&
            old->end_reason == SS_END_NONE) {
            terminate_by_group(g, old, SS_END_REBALANCED);
            return;
        }
    }
}

static void az_release(ss_asg_group *g, ss_instance *in, bool registered);

static void on_registered(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_asg_group *g = ev->obj;
    ss_instance *in = ss_fleet_inst(g->f, (int)ev->a);
    if (in->state == SS_INST_TERMINATED)
        return;
    in->registered = true;
    in->registered_at = ss_evq_now(g->f->q);
    if (g->hooks.on_registered)
        g->hooks.on_registered(g->hooks.ctx, in);
    if (in->azr_old >= 0)
        az_release(g, in, true);
    else if (g->cfg->capacity_rebalance && in->spot && !in->noticed)
        cr_release_one(g);
    if (in->spot && ss_pol_has_od_cover(g->hooks.policy))
        ss_asg_reconcile(g); /* policy hook: Spot ready again may release the fallback */
}

static void on_policy(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    ss_asg_group *g = ev->obj;
    g->policy_fired_at = ss_evq_now(q);
    ss_asg_reconcile(g);
}

/* A pool of zone position z that a launch of the purchase option could use
 * now (the allocation strategy's choice, failed pools skipped), or -1; a
 * probe: no failed launch is counted. */
static int probe_zone(ss_asg_group *g, int z, bool spot)
{
    bool *pool_ex = g->pool_ex;
    memset(pool_ex, 0, (size_t)g->f->n_pools * sizeof *pool_ex);
    for (;;) {
        int pool = ss_asg_pick_pool(g, z, spot, pool_ex);
        if (pool < 0 || ss_fleet_can_launch(g->f, pool, spot, g->cfg->spot_max_price) == SS_LAUNCH_OK)
            return pool;
        pool_ex[pool] = true;
    }
}

/* AZRebalance (aws-semantics §1.5; "Instance distribution" and "Rebalancing
 * activities", docs.aws.amazon.com/autoscaling/ec2/userguide/
 * auto-scaling-benefits.html): when a zone or pool that could not take
 * launches recovers, the group launches in the zone with the fewest
 * instances and terminates in the one with the most, launch before
 * terminate, and may exceed MaxSize meanwhile by 10 % of it or one instance,
 * whichever is greater. Per purchase option (the balance the launches
 * keep), while the counts of two zones differ by 2 or more and the fewest
 * zone can launch now; the instance to terminate is the scale-in choice
 * (§1.9, never a protected one) and stops counting at once; it is
 * terminated when its replacement registers (az_release). */
static void az_rebalance(ss_asg_group *g)
{
    if (!g->cfg->az_rebalance || g->n_zones < 2)
        return;
    int over = g->cfg->max_size / 10 > 1 ? g->cfg->max_size / 10 : 1;
    for (int s = 0; s < 2; s++) {
        bool spot = s == 1;
        while ((int)g->n_members < g->cfg->max_size + over) {
            int hi = -1, lo = -1, lo_pool = -1;
            for (int z = 0; z < g->n_zones; z++)
                if (hi < 0 || g->zone_cnt[z][s] > g->zone_cnt[hi][s])
                    hi = z;
            for (int z = 0; z < g->n_zones; z++) {
                if (lo >= 0 && g->zone_cnt[z][s] >= g->zone_cnt[lo][s])
                    continue;
                if (g->zone_cnt[hi][s] - g->zone_cnt[z][s] < 2)
                    continue;
                int pool = probe_zone(g, z, spot);
                if (pool >= 0) {
                    lo = z;
                    lo_pool = pool;
                }
            }
            if (lo < 0)
                break;
            ss_instance *old = ss_asg_pick_victim(g, spot);
            if (!old || g->zone_cnt[g->zone_pos[old->zone_idx]][s] - g->zone_cnt[lo][s] < 2)
                break; /* the zones with the most are protected */
            old->leaving = true;
            recount(g, old);
            launch_one_instance(g, lo_pool, spot)->azr_old = old->id;
        }
    }
}

/* An AZRebalance replacement registered (terminate the instance it
 * replaces) or ended first (the old instance counts again). */
static void az_release(ss_asg_group *g, ss_instance *in, bool registered)
{
    if (in->azr_old < 0)
        return;
    ss_instance *old = ss_fleet_inst(g->f, in->azr_old);
    in->azr_old = -1;
    if (old->state == SS_INST_TERMINATED || old->noticed || old->end_reason != SS_END_NONE || !old->leaving)
        return;
    if (registered) {
        terminate_by_group(g, old, SS_END_REBALANCED);
    } else {
        old->leaving = false;
        recount(g, old);
    }
}

static void f_on_capacity_back(void *ctx) { az_rebalance(ctx); }

static void on_retry(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_asg_reconcile((ss_asg_group *)ev->obj);
}

static void f_on_notice(void *ctx, ss_instance *in, ss_time deadline)
{
    ss_asg_group *g = ctx;
    recount(g, in); /* the notice made it DRAINING */
    if (g->hooks.on_notice)
        g->hooks.on_notice(g->hooks.ctx, in, deadline);
    /* ---- policy hook: the Spot warning as EventBridge delivers it ---- */
    if (g->hooks.policy && in->spot) {
        ss_pol_spot_notice(g->hooks.policy, g->index, in->zone_idx, ss_evq_now(g->f->q));
        if (ss_pol_has_od_cover(g->hooks.policy) && !g->cfg->capacity_rebalance)
            ss_asg_reconcile(g); /* a warned instance is no longer ready */
    }
    /* With Capacity Rebalancing the ITN triggers an immediate replacement
     * (§1.6 item 7), whatever the new pool's risk (a pending re-evaluation
     * is dropped); without it the group waits until the instance leaves
     * `running`, i.e. its termination. */
    ss_evq_cancel(g->f->q, in->ev_cr);
    if (g->cfg->capacity_rebalance && !in->leaving) {
        in->leaving = true;
        recount(g, in);
        ss_asg_reconcile(g);
    }
}

/* Capacity Rebalancing on a rebalance recommendation (§1.6 steps 2, 8;
 * "Use Capacity Rebalancing to handle Amazon EC2 Spot Interruptions",
 * docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-capacity-rebalancing.html):
 * the replacement is launched only into a pool not at elevated risk (the
 * allocation strategy's choice among those pools) whose risk is
 * same-or-better than the recommended instance's pool
 * (ss_fleet_pool_risk: expected interruptions per instance-hour, infinite
 * when full or at elevated risk; the recommendation itself puts the old
 * pool at elevated risk for market.rebalance_risk_window); otherwise
 * the group waits and re-evaluates every capacity_rebalance_poll (the
 * choice changes as prices and capacity move). Launch-before-terminate: the
 * instance stops counting, the group launches the replacement now and
 * terminates this one when a replacement registers (cr_release_one). */
static void cr_consider(ss_asg_group *g, ss_instance *in)
{
    if (!g->cfg->capacity_rebalance || in->protected_ || in->leaving || in->noticed ||
        in->state == SS_INST_TERMINATED)
        return;
    double old_risk = ss_fleet_pool_risk(g->f, in->pool);
    in->leaving = true; /* the choice as the group would make it for the replacement */
    recount(g, in);
    g->cr_launch = true; /* the allocation strategy over the pools not at elevated risk */
    int pool = choose_pool(g, true, false);
    double new_risk = pool >= 0 ? ss_fleet_pool_risk(g->f, pool) : INFINITY;
    if (isfinite(new_risk) && new_risk <= old_risk) {
        ss_asg_reconcile(g);
        g->cr_launch = false;
        return;
    }
    g->cr_launch = false;
    in->leaving = false;
    recount(g, in);
    ss_fleet *f = g->f;
    in->ev_cr = ss_evq_schedule(f->q, ss_evq_now(f->q) + g->cfg->capacity_rebalance_poll, EV_CR_POLL, g, in->id, 0);
}

static void on_cr_poll(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_asg_group *g = ev->obj;
    cr_consider(g, ss_fleet_inst(g->f, (int)ev->a));
}

static void f_on_rebalance(void *ctx, ss_instance *in)
{
    ss_asg_group *g = ctx;
    if (g->hooks.on_rebalance)
        g->hooks.on_rebalance(g->hooks.ctx, in);
    cr_consider(g, in);
}

static void f_on_terminated(void *ctx, ss_instance *in)
{
    ss_asg_group *g = ctx;
    recount(g, in);
    ss_evq_cancel(g->f->q, in->ev_cr);
    az_release(g, in, false);
    members_remove(g, in);
    if (g->hooks.on_terminated)
        g->hooks.on_terminated(g->hooks.ctx, in);
    ss_asg_reconcile(g);
}

void ss_asg_init(ss_asg_group *g, ss_fleet *f, int index, const ss_asg_hooks *hooks)
{
    memset(g, 0, sizeof *g);
    const ss_scenario *sc = f->sc;
    g->cfg = &sc->asgs[index];
    g->index = index;
    g->f = f;
    if (hooks)
        g->hooks = *hooks;
    g->n_types = g->cfg->n_types;
    for (int i = 0; i < g->n_types; i++)
        g->type_idx[i] = g->cfg->type_idx[i];
    if (g->n_types == 0) {
        g->n_types = sc->market.n_types;
        for (int i = 0; i < g->n_types; i++)
            g->type_idx[i] = i;
    }
    g->n_zones = g->cfg->n_zones;
    for (int i = 0; i < g->n_zones; i++)
        g->zone_idx[i] = g->cfg->zone_idx[i];
    if (g->n_zones == 0) {
        g->n_zones = sc->market.n_zones;
        for (int i = 0; i < g->n_zones; i++)
            g->zone_idx[i] = i;
    }
    for (int z = 0; z < SS_MAX_ZONES; z++)
        g->zone_pos[z] = -1;
    for (int i = g->n_zones; i-- > 0;)
        g->zone_pos[g->zone_idx[i]] = i;
    g->policy_fired_at = SS_TIME_NEVER;
    g->pool_spot = ss_calloc((size_t)f->n_pools, sizeof *g->pool_spot);
    g->pool_ex = ss_calloc((size_t)f->n_pools, sizeof *g->pool_ex);
    ss_asg_victims_init(g);
    ss_evq_on(f->q, EV_RUNNING, on_running, NULL);
    ss_evq_on(f->q, EV_REGISTERED, on_registered, NULL);
    ss_evq_on(f->q, EV_RETRY, on_retry, NULL);
    ss_evq_on(f->q, EV_CR_POLL, on_cr_poll, NULL);
    ss_evq_on(f->q, EV_POLICY, on_policy, NULL);
    ss_fleet_owner o = {g, f_on_notice, f_on_rebalance, f_on_terminated, f_on_capacity_back};
    ss_fleet_set_owner(f, index, &o);
    ss_asg_set_desired(g, g->cfg->desired_capacity);
}

void ss_asg_warm_start(ss_asg_group *g)
{
    ss_fleet *f = g->f;
    ss_time now = ss_evq_now(f->q);
    for (size_t i = 0; i < g->n_members; i++) {
        ss_instance *in = ss_fleet_inst(f, g->members[i]);
        if (in->state != SS_INST_PENDING)
            continue;
        ss_evq_cancel(f->q, in->ev_state);
        ss_fleet_set_running(f, in);
        in->running_at = now;
        in->warm = true;
        recount(g, in);
        if (g->hooks.on_running)
            g->hooks.on_running(g->hooks.ctx, in);
        in->registered = true;
        in->registered_at = now;
        if (g->hooks.on_registered)
            g->hooks.on_registered(g->hooks.ctx, in);
    }
}

void ss_asg_free(ss_asg_group *g)
{
    ss_asg_victims_free(g);
    free(g->pool_spot);
    free(g->pool_ex);
    free(g->scratch);
    free(g->scores);
    g->scores = NULL;
    g->cap_scores = 0;
    g->pool_spot = NULL;
    g->pool_ex = NULL;
    g->scratch = NULL;
    g->cap_scratch = 0;
    free(g->members);
    g->members = NULL;
    g->n_members = g->cap_members = 0;
}
