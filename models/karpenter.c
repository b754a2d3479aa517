/*
 * karpenter.c - Karpenter's provisioner, launch path, unavailable-offerings
 * cache, disruption controller and interruption handling (models/karpenter.h).
 *
 * Sources (cited at each step): kubernetes-sigs/karpenter (the core:
 * pkg/controllers/provisioning, pkg/controllers/disruption,
 * pkg/apis/v1/nodepool.go), aws/karpenter-provider-aws (pkg/cache/cache.go,
 * pkg/providers/instance, pkg/controllers/interruption) and the docs
 * karpenter.sh/docs/concepts/{nodepools,scheduling,disruption}/ as
 * summarised in aws-semantics.md §4.4. Simplifications are listed in
 * docs/kubernetes.md "Karpenter: limits".
 */
#include "models/karpenter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/k8s_pdb.h"
#include "sim/kernel/rng.h"

enum {
    EV_K_BATCH = SS_EVT_KARP_FIRST, /* the batch window may have ended */
    EV_K_RUNNING,                   /* a = instance: EC2 running */
    EV_K_READY,                     /* a = instance: node registered and Ready */
    EV_K_POLL,                      /* disruption controller */
    EV_K_VALIDATE                   /* a consolidation command is re-validated */
};

/* kubernetes-sigs/karpenter pkg/controllers/disruption/controller.go:
 * pollingPeriod = 10 s. */
#define POLL_PERIOD (10 * SS_SECOND)
/* pkg/controllers/disruption/consolidation.go: consolidationTTL = 15 s, the
 * wait before a computed command is re-validated and executed
 * (validation.go). */
#define CONSOLIDATION_TTL (15 * SS_SECOND)
/* aws/karpenter-provider-aws pkg/cache/cache.go: UnavailableOfferingsTTL =
 * 3 * time.Minute. */
#define UNAVAILABLE_TTL (3 * SS_MINUTE)
/* pkg/controllers/disruption/consolidation.go:
 * MinInstanceTypesForSpotToSpotConsolidation = 15. */
#define MIN_SPOT_TO_SPOT_TYPES 15
/* pkg/controllers/state/cluster.go ConsolidationState: an unchanged cluster
 * is reconsidered for consolidation at least every 5 minutes. */
#define CONSOLIDATION_STATE_TTL (5 * SS_MINUTE)
/* price-capacity-optimized: the pools within this relative band of the
 * lowest interruption risk, then the cheapest (as models/asg.c; EC2 does not
 * publish the band). */
#define PCO_BAND 0.25

/* Same salts as models/asg.c: the n-th launch into a pool draws the same
 * latencies whichever provisioner launched it (common random numbers). */
#define KEY_LAUNCH 0x4c41554eULL
#define KEY_REGISTER 0x52454749ULL

typedef struct kclaim {
    int np;                 /* NodePool index, -1 = not a NodeClaim of ours */
    int node;               /* cluster node, -1 until registered */
    bool deleting;          /* marked for deletion (drain, then terminate) */
    ss_time last_pod_event; /* consolidateAfter starts here */
} kclaim;

typedef struct kcmd {
    ss_karp_reason reason;
    int inst[SS_KARP_TRACE_MAX];
    int n;
} kcmd;

struct ss_karp {
    const ss_scenario *sc;
    const ss_karpenter *cfg;
    ss_fleet *f;
    ss_k8s_cluster *c;
    ss_evq *q;
    ss_karp_host host;
    ss_karp_trace *tr;
    kclaim *kc;
    size_t cap_kc;
    ss_time *ice; /* by pool * 2 + spot: unavailable until */
    bool batch_open;
    ss_time batch_start, batch_end;
    int last_pod_seen;
    bool validating; /* a command waits for its validation */
    kcmd cmd;
    int replacement;     /* instance replacing cmd.inst[0], -1 */
    int zone_spread;     /* a hard zone spread constraint, -1 */
    bool launch_failed;  /* the last launch() failed for capacity */
    bool in_provision;   /* provision() is running the scheduler */
    ss_time retry_at;    /* a retry is scheduled at this cache expiry */
    uint64_t gen;        /* bumped by pod and node changes Karpenter sees */
    uint64_t cons_sig;   /* cluster state at the last fruitless consolidation attempt ... */
    ss_time cons_until;  /* ... reused until then (ConsolidationState), 0 = none */
    ss_time next_expiry; /* no NodeClaim expires before this */
};

static ss_time now_of(const ss_karp *k)
{
    return ss_evq_now(k->q);
}

static kclaim *claim(ss_karp *k, int inst)
{
    if ((size_t)inst >= k->cap_kc) {
        size_t old = k->cap_kc, cap = old ? old : 64;
        while (cap <= (size_t)inst)
            cap *= 2;
        k->kc = ss_realloc(k->kc, cap * sizeof *k->kc);
        for (size_t i = old; i < cap; i++)
            k->kc[i] = (kclaim){-1, -1, false, 0};
        k->cap_kc = cap;
    }
    return &k->kc[inst];
}

static void event(ss_karp *k, const char *what)
{
    if (k->host.event)
        k->host.event(k->host.ctx, what);
}

static void trace_disrupt(ss_karp *k, int inst, ss_karp_reason r)
{
    ss_karp_trace *tr = k->tr;
    if (!tr || tr->n_disrupt >= SS_KARP_TRACE_MAX)
        return;
    tr->disrupt_t[tr->n_disrupt] = now_of(k);
    tr->disrupt_inst[tr->n_disrupt] = inst;
    tr->disrupt_reason[tr->n_disrupt++] = r;
}

/* ---- offerings ------------------------------------------------------------------ */

static int np_type(const ss_node_pool *np, int i)
{
    return np->n_types ? np->type_idx[i] : i;
}
static int np_ntypes(const ss_karp *k, const ss_node_pool *np)
{
    return np->n_types ? np->n_types : k->sc->market.n_types;
}
static int np_zone(const ss_node_pool *np, int i)
{
    return np->n_zones ? np->zone_idx[i] : i;
}
static int np_nzones(const ss_karp *k, const ss_node_pool *np)
{
    return np->n_zones ? np->n_zones : k->sc->market.n_zones;
}
static bool allows_spot(const ss_node_pool *np)
{
    return np->capacity_types != SS_KARP_OD;
}
static bool allows_od(const ss_node_pool *np)
{
    return np->capacity_types != SS_KARP_SPOT;
}

static int pool_of(const ss_karp *k, int type, int zone)
{
    return type * k->f->n_zones + zone;
}

static int pods_per_type(const ss_karp *k, int type)
{
    const ss_pool *p = ss_data_pool(k->f->d, type, 0);
    return ss_k8s_pods_per_node(k->c, p->vcpu, p->memory_mib);
}

/* The unavailable-offerings cache (aws provider pkg/cache/unavailableofferings.go):
 * (instance type, zone, capacity type) -> unavailable until. */
static bool offering_unavailable(const ss_karp *k, int pool, bool spot)
{
    return now_of(k) < k->ice[pool * 2 + (spot ? 1 : 0)];
}

static void mark_unavailable(ss_karp *k, int pool, bool spot)
{
    k->ice[pool * 2 + (spot ? 1 : 0)] = now_of(k) + UNAVAILABLE_TTL;
    ss_karp_trace *tr = k->tr;
    if (tr && tr->n_ice < SS_KARP_TRACE_MAX) {
        tr->ice_t[tr->n_ice] = now_of(k);
        tr->ice_pool[tr->n_ice] = pool;
        tr->ice_spot[tr->n_ice++] = spot;
    }
}

static double offering_price(const ss_karp *k, int pool, bool spot)
{
    return spot ? ss_fleet_spot_price(k->f, pool) : k->f->d->pools[pool].ondemand_usd_per_hour;
}

/* Whether an offering exists for Karpenter (its instance-type provider
 * lists Spot offerings only where EC2 publishes a Spot price). */
static bool offering_listed(const ss_karp *k, int pool, bool spot)
{
    return !spot || k->f->d->pools[pool].spot.n > 0;
}

static double np_used_cpu(const ss_karp *k, int npi)
{
    double used = 0;
    for (int id = 0; id < k->f->n; id++) {
        const ss_instance *in = ss_fleet_inst(k->f, id);
        if (in->state != SS_INST_TERMINATED && (size_t)id < k->cap_kc && k->kc[id].np == npi)
            used += in->vcpu;
    }
    return used;
}

/* A launch request (one NodeClaim): types that fit `pods` pods (and the
 * limit), offerings in the pool's zones (one zone when zone >= 0) cheaper
 * than max_price (0 = any). Capacity type: Spot when allowed and some Spot
 * offering is not cached unavailable (aws-semantics §4.4: spot > on-demand;
 * aws provider pkg/providers/instance/instance.go getCapacityType), else
 * On-Demand. CreateFleet (instant): price-capacity-optimized for Spot,
 * lowest-price for On-Demand, over the offerings that can launch now; when
 * none can, every offering of the request is cached unavailable
 * (updateUnavailableOfferingsCache on InsufficientInstanceCapacity) and the
 * NodeClaim fails (k->launch_failed). cap_only 1 / 2 restricts the
 * capacity type to Spot / On-Demand (consolidation). Returns the instance
 * or NULL. */
static ss_instance *launch(ss_karp *k, int npi, int pods, int zone, double max_price, int cap_only)
{
    const ss_node_pool *np = &k->cfg->pools[npi];
    int nt = np_ntypes(k, np), nz = np_nzones(k, np);
    double room = np->limit_cpu > 0 ? np->limit_cpu - np_used_cpu(k, npi) : INFINITY;
    int offs[SS_MAX_TYPES * SS_MAX_ZONES];
    k->launch_failed = false;
    for (int pass = 0; pass < 2; pass++) {
        bool spot = pass == 0;
        if (spot ? !allows_spot(np) || cap_only == 2 : !allows_od(np) || cap_only == 1)
            continue;
        int n = 0;
        for (int ti = 0; ti < nt; ti++) {
            int t = np_type(np, ti);
            if (pods_per_type(k, t) < pods || ss_data_pool(k->f->d, t, 0)->vcpu > room)
                continue;
            for (int zi = 0; zi < nz; zi++) {
                int z = np_zone(np, zi);
                int p = pool_of(k, t, z);
                if ((zone >= 0 && z != zone) || !offering_listed(k, p, spot) ||
                    offering_unavailable(k, p, spot))
                    continue;
                if (max_price > 0 && !(offering_price(k, p, spot) < max_price))
                    continue;
                offs[n++] = p;
            }
        }
        if (n == 0)
            continue; /* no such offering: the other capacity type */
        int best = -1;
        double lo = INFINITY;
        for (int i = 0; i < n; i++)
            if (ss_fleet_can_launch(k->f, offs[i], spot, 0) == SS_LAUNCH_OK && spot) {
                double r = ss_fleet_pool_risk(k->f, offs[i]);
                if (r < lo)
                    lo = r;
            }
        for (int i = 0; i < n; i++) {
            if (ss_fleet_can_launch(k->f, offs[i], spot, 0) != SS_LAUNCH_OK)
                continue;
            if (spot && !(ss_fleet_pool_risk(k->f, offs[i]) <= lo * (1.0 + PCO_BAND) + 1e-12))
                continue;
            if (best < 0 || offering_price(k, offs[i], spot) < offering_price(k, offs[best], spot))
                best = i;
        }
        if (best < 0) {
            /* every offering of the request failed: EC2 reports each (the
             * fleet counts them as refused launches, by cause) */
            for (int i = 0; i < n; i++) {
                mark_unavailable(k, offs[i], spot);
                ss_fleet_launch_refused(k->f, offs[i], ss_fleet_can_launch(k->f, offs[i], spot, 0));
            }
            k->launch_failed = true;
            if (k->tr)
                k->tr->failed_nodeclaims++;
            event(k, "launch-failed");
            return NULL; /* the NodeClaim fails; its pods come back in a new batch */
        }
        ss_instance *in = ss_fleet_launch(k->f, npi, offs[best], spot);
        kclaim *kc = claim(k, in->id);
        *kc = (kclaim){npi, -1, false, now_of(k)};
        k->gen++;
        if (np->expire_after > 0 &&
            (k->next_expiry == SS_TIME_NEVER || now_of(k) + np->expire_after < k->next_expiry))
            k->next_expiry = now_of(k) + np->expire_after;
        double u = ss_rng_keyed_uniform(k->f->seed, (uint64_t)k->f->replica, in->key, KEY_LAUNCH);
        in->ev_state =
            ss_evq_schedule(k->q, now_of(k) + ss_dist_quantile_ms(&k->sc->instance_launch, u),
                            EV_K_RUNNING, k, in->id, 0);
        ss_karp_trace *tr = k->tr;
        if (tr && tr->n_launch < SS_KARP_TRACE_MAX) {
            tr->launch_t[tr->n_launch] = now_of(k);
            tr->launch_pool[tr->n_launch] = offs[best];
            tr->launch_spot[tr->n_launch] = spot;
            tr->launch_np[tr->n_launch] = npi;
            tr->launch_inst[tr->n_launch++] = in->id;
        }
        event(k, "karpenter-launch");
        return in;
    }
    return NULL;
}

/* ---- provisioning ------------------------------------------------------------- */

static void open_batch(ss_karp *k)
{
    ss_time now = now_of(k);
    if (!k->batch_open) {
        k->batch_open = true;
        k->batch_start = now;
        k->batch_end = now + k->cfg->batch_idle;
        ss_evq_schedule(k->q, k->batch_end, EV_K_BATCH, k, 0, 0);
        return;
    }
    /* pkg/controllers/provisioning/batcher.go: each trigger extends the
     * window by the idle duration, up to the max duration from its start */
    ss_time end = now + k->cfg->batch_idle, cap = k->batch_start + k->cfg->batch_max;
    k->batch_end = end < cap ? end : cap;
}

void ss_karp_pods_pending(ss_karp *k)
{
    const ss_k8s_cluster *c = k->c;
    /* pods join the pending FIFO when created, so the last one is the newest */
    int newest = c->n_pending_q > c->pending_head ? c->pending[c->n_pending_q - 1] : -1;
    /* the batcher is triggered by a newly unschedulable pod (a pod already
     * seen was provisioned for, or is waiting for capacity in flight) */
    if (newest > k->last_pod_seen) {
        k->last_pod_seen = newest;
        if (!k->in_provision)
            open_batch(k);
    }
}

/* Pods of a node that still need a home (bound, not terminating). */
static int moving_pods(const ss_k8s_cluster *c, const ss_k8s_node *n)
{
    int m = 0;
    for (int j = 0; j < n->n_pods; j++) {
        ss_k8s_pod_state st = c->pods[n->pods[j]].state;
        m += st == SS_POD_STARTING || st == SS_POD_READY;
    }
    return m;
}

/* Provisioner.Schedule (pkg/controllers/provisioning/provisioner.go): the
 * pods to place are the pending ones plus those of nodes being deleted
 * (so an interrupted node's replacement launches at once); they go first to
 * free room on existing nodes, then to NodeClaims in flight (launched, not
 * yet registered), then to new NodeClaims of the highest-weight NodePool
 * (pkg/controllers/provisioning/scheduling/scheduler.go). All pods being
 * identical, a NodeClaim takes as many as its largest allowed type holds
 * (with a hard zone spread, its share of the zones), and the launch picks
 * among the types that fit them. */
static void provision(ss_karp *k)
{
    ss_k8s_cluster *c = k->c;
    if (k->tr)
        k->tr->batches++;
    k->in_provision = true;
    k->host.schedule(k->host.ctx); /* pending pods that fit existing nodes go there */
    k->in_provision = false;
    int deleting = 0, free_room = 0, inflight = 0;
    int nzm = k->sc->market.n_zones;
    int zone_pods[SS_MAX_ZONES] = {0};
    for (int j = 0; j < c->n_live; j++) {
        const ss_k8s_node *n = &c->nodes[c->live[j]];
        bool del = n->inst >= 0 && (size_t)n->inst < k->cap_kc && k->kc[n->inst].deleting;
        int mv = moving_pods(c, n);
        if (del)
            deleting += mv;
        else {
            if (n->zone >= 0 && n->zone < SS_MAX_ZONES)
                zone_pods[n->zone] += mv;
            if (n->ready && !n->cordoned && n->slots > n->n_pods)
                free_room += n->slots - n->n_pods;
        }
    }
    for (int id = 0; id < k->f->n; id++) {
        const ss_instance *in = ss_fleet_inst(k->f, id);
        if (in->state == SS_INST_TERMINATED || (size_t)id >= k->cap_kc || k->kc[id].np < 0 ||
            k->kc[id].node >= 0 || k->kc[id].deleting)
            continue;
        int ppn = pods_per_type(k, in->type_idx);
        inflight += ppn;
        if (in->zone_idx < SS_MAX_ZONES)
            zone_pods[in->zone_idx] += ppn;
    }
    int need = c->n_pending + (deleting > free_room ? deleting - free_room : 0) - inflight;
    /* NodePools by weight (descending; ties in the scenario's order) */
    int order[SS_MAX_NODE_POOLS], n_np = k->cfg->n_pools;
    for (int i = 0; i < n_np; i++)
        order[i] = i;
    for (int i = 1; i < n_np; i++)
        for (int j = i;
             j > 0 && k->cfg->pools[order[j]].weight > k->cfg->pools[order[j - 1]].weight; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    while (need > 0) {
        ss_instance *in = NULL;
        bool failed = false;
        int last_pods = 0;
        for (int oi = 0; oi < n_np && !in; oi++) {
            int npi = order[oi];
            const ss_node_pool *np = &k->cfg->pools[npi];
            int maxfit = 0;
            for (int ti = 0; ti < np_ntypes(k, np); ti++) {
                int ppn = pods_per_type(k, np_type(np, ti));
                if (ppn > maxfit)
                    maxfit = ppn;
            }
            if (maxfit <= 0)
                continue;
            int pods = need < maxfit ? need : maxfit;
            int zone = -1;
            if (k->zone_spread >= 0) {
                /* the zone of the pool with the fewest of the pods (existing
                 * and in flight), its share of the pending ones */
                int nz = np_nzones(k, np), best = -1;
                for (int zi = 0; zi < nz; zi++) {
                    int z = np_zone(np, zi);
                    if (z < nzm && z < SS_MAX_ZONES && (best < 0 || zone_pods[z] < zone_pods[best]))
                        best = z;
                }
                zone = best;
                int share = (need + nz - 1) / nz;
                if (pods > share)
                    pods = share;
            }
            last_pods = pods;
            in = launch(k, npi, pods, zone, 0, 0);
            failed |= k->launch_failed;
            if (!in && zone >= 0 && !k->launch_failed) {
                in = launch(k, npi, pods, -1, 0, 0); /* the zone has no offering left: any zone */
                failed |= k->launch_failed;
            }
            if (failed)
                break; /* the NodeClaim failed: no other NodePool in this batch */
        }
        if (!in) {
            /* Nothing launched. After a failed NodeClaim its pods trigger a
             * new batch (the unavailable offerings are now skipped); when no
             * offering is left to try (all cached unavailable, by failures
             * or interruption warnings), the pods are tried again when the
             * first cache entry expires (the cache's cleanup, every 10 s,
             * changes the instance types' offerings, which re-triggers the
             * provisioner). */
            ss_time next = SS_TIME_NEVER;
            for (int p = 0; p < k->f->n_pools * 2; p++)
                if (k->ice[p] > now_of(k) && (next == SS_TIME_NEVER || k->ice[p] < next))
                    next = k->ice[p];
            bool any_left = false;
            for (int npi = 0; npi < n_np && !any_left; npi++) {
                const ss_node_pool *np = &k->cfg->pools[npi];
                for (int ti = 0; ti < np_ntypes(k, np) && !any_left; ti++)
                    for (int zi = 0; zi < np_nzones(k, np) && !any_left; zi++) {
                        int p = pool_of(k, np_type(np, ti), np_zone(np, zi));
                        any_left = (allows_spot(np) && offering_listed(k, p, true) &&
                                    !offering_unavailable(k, p, true)) ||
                                   (allows_od(np) && !offering_unavailable(k, p, false));
                    }
            }
            if (failed && any_left)
                open_batch(k);
            else if (!any_left && next != SS_TIME_NEVER && next != k->retry_at) {
                k->retry_at = next;
                ss_evq_schedule(k->q, next, EV_K_BATCH, k, 1, 0);
            }
            return;
        }
        /* the NodeClaim's pods (with a hard zone spread its share: the
         * node's other room is not usable by these pods now) */
        int got = k->zone_spread >= 0 ? last_pods : pods_per_type(k, in->type_idx);
        need -= got;
        if (in->zone_idx < SS_MAX_ZONES)
            zone_pods[in->zone_idx] += got;
    }
}

static void on_batch(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_karp *k = ev->obj;
    if (ev->a == 1) { /* an unavailable offering expired: try again */
        if (k->c->n_pending > 0)
            open_batch(k);
        return;
    }
    if (!k->batch_open)
        return;
    if (now_of(k) < k->batch_end) {
        ss_evq_schedule(k->q, k->batch_end, EV_K_BATCH, k, 0, 0);
        return;
    }
    k->batch_open = false;
    provision(k);
}

/* ---- NodeClaim lifecycle -------------------------------------------------------- */

static void disrupt_node(ss_karp *k, int inst);

static void on_running(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_karp *k = ev->obj;
    ss_instance *in = ss_fleet_inst(k->f, (int)ev->a);
    if (in->state != SS_INST_PENDING)
        return;
    ss_fleet_set_running(k->f, in);
    double u = ss_rng_keyed_uniform(k->f->seed, (uint64_t)k->f->replica, in->key, KEY_REGISTER);
    in->ev_state =
        ss_evq_schedule(k->q, now_of(k) + ss_dist_quantile_ms(&k->cfg->node_provision, u),
                        EV_K_READY, k, in->id, 0);
}

static void on_ready(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_karp *k = ev->obj;
    ss_instance *in = ss_fleet_inst(k->f, (int)ev->a);
    if (in->state == SS_INST_TERMINATED)
        return;
    in->registered = true;
    in->registered_at = now_of(k);
    kclaim *kc = claim(k, in->id);
    kc->last_pod_event = now_of(k);
    kc->node = k->host.node_registered(k->host.ctx, in);
    k->gen++;
    if (k->replacement == in->id) {
        /* a consolidation replacement is initialized: the candidate goes
         * (disruption orchestration queue: replacements first) */
        k->replacement = -1;
        k->validating = false;
        disrupt_node(k, k->cmd.inst[0]);
    }
}

/* Mark a NodeClaim for deletion: cordon and drain its node through the PDB
 * (pkg/controllers/node/termination); the instance is terminated once the
 * node holds no pod, at once when it is empty or never registered. */
static void disrupt_node(ss_karp *k, int inst)
{
    ss_instance *in = ss_fleet_inst(k->f, inst);
    kclaim *kc = claim(k, inst);
    if (in->state == SS_INST_TERMINATED || kc->deleting)
        return;
    kc->deleting = true;
    k->gen++;
    if (kc->node < 0 || !k->c->nodes[kc->node].live) {
        ss_fleet_terminate(k->f, in, SS_END_SCALE_IN);
        return;
    }
    k->host.drain(k->host.ctx, kc->node);
    ss_karp_pod_left(k, kc->node);
}

/* ---- fleet owner ------------------------------------------------------------------ */

static void o_notice(void *ctx, ss_instance *in, ss_time deadline)
{
    (void)deadline;
    ss_karp *k = ctx;
    if (!k->cfg->interruption_handling)
        return; /* no queue: the node simply goes at the deadline */
    /* aws provider pkg/controllers/interruption/controller.go: a Spot
     * interruption warning deletes the NodeClaim (taint, drain, terminate);
     * its pods count for the provisioner at once, so the replacement starts
     * in parallel (aws-semantics §4.4, karpenter.sh disruption docs). */
    trace_disrupt(k, in->id, SS_KARP_R_INTERRUPTED);
    event(k, "karpenter-interruption");
    /* handleNodeClaim: "Mark the offering as unavailable in the ICE cache
     * since we got a spot interruption warning" */
    mark_unavailable(k, in->pool, true);
    disrupt_node(k, in->id);
    open_batch(k);
}

static void o_terminated(void *ctx, ss_instance *in)
{
    ss_karp *k = ctx;
    k->gen++;
    kclaim *kc = claim(k, in->id);
    if (kc->node >= 0) {
        k->host.instance_gone(k->host.ctx, in);
        kc->node = -1;
    }
    if (k->replacement == in->id) { /* the replacement died before it was Ready */
        k->replacement = -1;
        k->validating = false;
    }
    if (kc->np >= 0 && !in->registered && k->c->n_pending > 0)
        open_batch(k); /* capacity the pending pods were waiting for is gone */
}

/* ---- disruption ------------------------------------------------------------------- */

/* Allowed disruptions per NodePool now (pkg/controllers/disruption/helpers.go
 * BuildDisruptionBudgetMapping): the budget scaled to the NodePool's
 * initialized nodes, rounding up (pkg/apis/v1/nodepool.go
 * GetAllowedDisruptionsByReason: GetScaledValueFromIntOrPercent, roundUp),
 * minus the nodes NotReady or being deleted. */
static void budgets(ss_karp *k, int *allowed)
{
    int total[SS_MAX_NODE_POOLS] = {0}, disrupting[SS_MAX_NODE_POOLS] = {0};
    for (size_t id = 0; id < k->cap_kc && (int)id < k->f->n; id++) {
        const kclaim *kc = &k->kc[id];
        const ss_instance *in = ss_fleet_inst(k->f, (int)id);
        if (kc->np < 0 || kc->node < 0 || in->state == SS_INST_TERMINATED)
            continue;
        total[kc->np]++;
        if (kc->deleting || !k->c->nodes[kc->node].ready)
            disrupting[kc->np]++;
    }
    for (int i = 0; i < k->cfg->n_pools; i++) {
        const ss_node_pool *np = &k->cfg->pools[i];
        int b =
            np->budget_percent ? ss_pdb_pct_round_up(np->budget_nodes, total[i]) : np->budget_nodes;
        allowed[i] = b - disrupting[i];
    }
}

/* A node Karpenter may consider: registered, Ready, not cordoned or being
 * deleted, no interruption notice, consolidatable (no pod event for
 * consolidateAfter: pkg/controllers/nodeclaim/disruption/consolidation.go). */
static bool candidate(const ss_karp *k, int inst)
{
    const kclaim *kc = &k->kc[inst];
    const ss_instance *in = ss_fleet_inst(k->f, inst);
    if (kc->np < 0 || kc->node < 0 || kc->deleting || in->state != SS_INST_RUNNING || in->noticed)
        return false;
    const ss_k8s_node *n = &k->c->nodes[kc->node];
    if (!n->live || !n->ready || n->cordoned)
        return false;
    return now_of(k) - kc->last_pod_event >= k->cfg->pools[kc->np].consolidate_after;
}

static double inst_price(const ss_karp *k, const ss_instance *in)
{
    return offering_price(k, in->pool, in->spot);
}

/* Replacement by a cheaper node (single-node consolidation,
 * singlenodeconsolidation.go / consolidation.go computeConsolidation): the
 * offerings of its NodePool that hold its pods and cost less. A Spot
 * candidate is replaced only with the SpotToSpotConsolidation gate and at
 * least 15 cheaper instance types; otherwise it can only be deleted. */
static bool replaceable(const ss_karp *k, int inst, int *cap_only)
{
    const ss_instance *in = ss_fleet_inst(k->f, inst);
    const ss_node_pool *np = &k->cfg->pools[k->kc[inst].np];
    int pods = moving_pods(k->c, &k->c->nodes[k->kc[inst].node]);
    double price = inst_price(k, in);
    int cheaper_types[2] = {0, 0};
    for (int ti = 0; ti < np_ntypes(k, np); ti++) {
        int t = np_type(np, ti);
        if (pods_per_type(k, t) < pods)
            continue;
        bool have[2] = {false, false};
        for (int zi = 0; zi < np_nzones(k, np); zi++) {
            int p = pool_of(k, t, np_zone(np, zi));
            for (int s = 0; s < 2; s++)
                if ((s ? allows_spot(np) : allows_od(np)) && offering_listed(k, p, s) &&
                    !offering_unavailable(k, p, s) && offering_price(k, p, s) < price)
                    have[s] = true;
        }
        cheaper_types[0] += have[0];
        cheaper_types[1] += have[1];
    }
    if (in->spot) {
        *cap_only = 1;
        return k->cfg->spot_to_spot && cheaper_types[1] >= MIN_SPOT_TO_SPOT_TYPES;
    }
    *cap_only = 0;
    return cheaper_types[0] + cheaper_types[1] > 0;
}

/* With a hard zone spread, Karpenter's scheduler counts every zone its
 * NodePools can launch into as a domain (an empty one counts 0: the domains
 * come from the NodePool requirements, aws-semantics §4.4 Topology), not
 * only zones that have nodes as kube-scheduler does. Deleting a node is
 * then possible only if its pods fit the free room of the other nodes
 * without any zone exceeding the least populated allowed zone by more than
 * maxSkew (pods placed greedily into the least populated zone with room). */
static bool zone_spread_ok_without(const ss_karp *k, int inst)
{
    if (k->zone_spread < 0)
        return true;
    const ss_k8s_cluster *c = k->c;
    int nz = k->sc->market.n_zones < SS_MAX_ZONES ? k->sc->market.n_zones : SS_MAX_ZONES;
    int count[SS_MAX_ZONES] = {0}, room[SS_MAX_ZONES] = {0};
    bool domain[SS_MAX_ZONES] = {false};
    for (int i = 0; i < k->cfg->n_pools; i++) {
        const ss_node_pool *np = &k->cfg->pools[i];
        for (int zi = 0; zi < np_nzones(k, np); zi++)
            if (np_zone(np, zi) < nz)
                domain[np_zone(np, zi)] = true;
    }
    int self = k->kc[inst].node, moving = 0;
    for (int j = 0; j < c->n_live; j++) {
        int id = c->live[j];
        const ss_k8s_node *n = &c->nodes[id];
        if (n->zone < 0 || n->zone >= nz)
            continue;
        domain[n->zone] = true;
        int mv = moving_pods(c, n);
        if (id == self) {
            moving = mv;
            continue;
        }
        count[n->zone] += mv;
        if (n->ready && !n->cordoned && n->slots > n->n_pods)
            room[n->zone] += n->slots - n->n_pods;
    }
    int skew = c->cs[k->zone_spread].max_skew;
    for (int p = 0; p < moving; p++) {
        int best = -1;
        for (int z = 0; z < nz; z++)
            if (room[z] > 0 && (best < 0 || count[z] < count[best]))
                best = z;
        if (best < 0)
            return false;
        count[best]++;
        room[best]--;
    }
    int lo = -1, hi = 0;
    for (int z = 0; z < nz; z++) {
        if (!domain[z])
            continue;
        if (lo < 0 || count[z] < lo)
            lo = count[z];
        if (count[z] > hi)
            hi = count[z];
    }
    return lo < 0 || hi - lo <= skew;
}

static bool pdb_allows(const ss_karp *k, int inst)
{
    const ss_k8s_cluster *c = k->c;
    const ss_deployment *d = c->dep;
    if (moving_pods(c, &c->nodes[k->kc[inst].node]) == 0)
        return true;
    return ss_pdb_disruptions_allowed(d, d->replicas, c->n_live_pods, c->healthy) >= 1;
}

/* The disruption controller (pkg/controllers/disruption/controller.go): one
 * command at a time, methods in order emptiness, then (WhenEmptyOrUnderutilized)
 * single-node consolidation; a command is re-validated CONSOLIDATION_TTL
 * later and then executed. Expiration (v1: forceful, no budget) is checked
 * on the same period. */
static int compute_command(ss_karp *k, kcmd *cmd, int *cap_only)
{
    int allowed[SS_MAX_NODE_POOLS];
    budgets(k, allowed);
    cmd->n = 0;
    cmd->reason = SS_KARP_R_EMPTY;
    for (int id = 0; id < k->f->n && (size_t)id < k->cap_kc; id++) {
        if (!candidate(k, id) || k->c->nodes[k->kc[id].node].n_pods > 0)
            continue;
        if (allowed[k->kc[id].np] <= 0 || cmd->n >= SS_KARP_TRACE_MAX)
            continue;
        allowed[k->kc[id].np]--;
        cmd->inst[cmd->n++] = id;
    }
    if (cmd->n > 0)
        return 1;
    /* single-node consolidation: candidates by disruption cost (fewest
     * pods first, then the oldest) */
    int best = -1, best_pods = 0;
    for (int id = 0; id < k->f->n && (size_t)id < k->cap_kc; id++) {
        if (!candidate(k, id))
            continue;
        const ss_node_pool *np = &k->cfg->pools[k->kc[id].np];
        if (np->consolidation_policy != SS_KARP_WHEN_EMPTY_OR_UNDERUTILIZED ||
            allowed[k->kc[id].np] <= 0)
            continue;
        int pods = moving_pods(k->c, &k->c->nodes[k->kc[id].node]);
        if (!pdb_allows(k, id))
            continue;
        bool del = ss_k8s_node_movable(k->c, k->kc[id].node) && zone_spread_ok_without(k, id);
        int co = 0;
        if (!del && !replaceable(k, id, &co))
            continue;
        if (best < 0 || pods < best_pods) {
            best = id;
            best_pods = pods;
            cmd->reason = del ? SS_KARP_R_DELETE : SS_KARP_R_REPLACE;
            *cap_only = co;
        }
    }
    if (best < 0)
        return 0;
    cmd->inst[0] = best;
    cmd->n = 1;
    return 1;
}

/* The cluster state as far as consolidation is concerned (pkg/controllers/
 * state/cluster.go MarkUnconsolidated on node and pod changes). */
static uint64_t cluster_sig(const ss_karp *k)
{
    const ss_k8s_cluster *c = k->c;
    uint64_t h = k->gen;
    const int64_t v[] = {c->n_live, c->n_notready, c->n_pending, c->n_live_pods, c->healthy};
    for (size_t i = 0; i < SS_ARRAY_LEN(v); i++)
        h = ss_mix64(h ^ (uint64_t)v[i]);
    return h;
}

/* The earliest time after now at which a node becomes consolidatable
 * (consolidateAfter elapses), SS_TIME_NEVER if none. */
static ss_time next_consolidatable(const ss_karp *k)
{
    ss_time next = SS_TIME_NEVER, now = now_of(k);
    for (int id = 0; id < k->f->n && (size_t)id < k->cap_kc; id++) {
        const kclaim *kc = &k->kc[id];
        if (kc->np < 0 || kc->node < 0 || kc->deleting ||
            ss_fleet_inst(k->f, id)->state == SS_INST_TERMINATED)
            continue;
        ss_time t = kc->last_pod_event + k->cfg->pools[kc->np].consolidate_after;
        if (t > now && (next == SS_TIME_NEVER || t < next))
            next = t;
    }
    return next;
}

static void on_poll(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_karp *k = ev->obj;
    ss_time now = now_of(k);
    ss_evq_schedule(k->q, now + POLL_PERIOD, EV_K_POLL, k, 0, 0);
    /* expiration (pkg/controllers/nodeclaim/expiration): forceful */
    if (now >= k->next_expiry) {
        k->next_expiry = SS_TIME_NEVER;
        for (int id = 0; id < k->f->n && (size_t)id < k->cap_kc; id++) {
            const kclaim *kc = &k->kc[id];
            const ss_instance *in = ss_fleet_inst(k->f, id);
            if (kc->np < 0 || kc->deleting || in->state == SS_INST_TERMINATED)
                continue;
            ss_time ea = k->cfg->pools[kc->np].expire_after;
            if (ea <= 0)
                continue;
            if (now - in->launch >= ea) {
                trace_disrupt(k, id, SS_KARP_R_EXPIRED);
                disrupt_node(k, id);
                open_batch(k);
            } else if (k->next_expiry == SS_TIME_NEVER || in->launch + ea < k->next_expiry) {
                k->next_expiry = in->launch + ea;
            }
        }
    }
    if (k->validating)
        return;
    /* consolidation.go IsConsolidated: nothing is tried again while the
     * cluster state is the one of the last fruitless attempt, for at most
     * 5 min (state/cluster.go ConsolidationState) or until a node becomes
     * consolidatable */
    uint64_t sig = cluster_sig(k);
    if (k->cons_until && sig == k->cons_sig && now < k->cons_until)
        return;
    int co = 0;
    if (!compute_command(k, &k->cmd, &co)) {
        ss_time until = now + CONSOLIDATION_STATE_TTL, nc = next_consolidatable(k);
        if (nc != SS_TIME_NEVER && nc < until)
            until = nc;
        k->cons_sig = sig;
        k->cons_until = until;
        return;
    }
    k->cons_until = 0;
    k->validating = true;
    ss_evq_schedule(k->q, now + CONSOLIDATION_TTL, EV_K_VALIDATE, k, co, 0);
}

static void on_validate(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_karp *k = ev->obj;
    kcmd *cmd = &k->cmd;
    /* validation.go: the candidates must still be candidates (and, for
     * emptiness, still empty) within the budget now */
    int allowed[SS_MAX_NODE_POOLS];
    budgets(k, allowed);
    int n = 0;
    for (int i = 0; i < cmd->n; i++) {
        int id = cmd->inst[i];
        if (!candidate(k, id) || allowed[k->kc[id].np] <= 0)
            continue;
        if (cmd->reason == SS_KARP_R_EMPTY && k->c->nodes[k->kc[id].node].n_pods > 0)
            continue;
        if (cmd->reason == SS_KARP_R_DELETE &&
            (!ss_k8s_node_movable(k->c, k->kc[id].node) || !zone_spread_ok_without(k, id) ||
             !pdb_allows(k, id)))
            continue;
        allowed[k->kc[id].np]--;
        cmd->inst[n++] = id;
    }
    cmd->n = n;
    k->validating = false;
    if (n == 0)
        return;
    if (cmd->reason == SS_KARP_R_REPLACE) {
        int id = cmd->inst[0];
        const ss_instance *old = ss_fleet_inst(k->f, id);
        int pods = moving_pods(k->c, &k->c->nodes[k->kc[id].node]);
        /* with a hard zone spread the replacement stays in the candidate's zone */
        int zone = k->zone_spread >= 0 ? old->zone_idx : -1;
        ss_instance *in =
            launch(k, k->kc[id].np, pods > 0 ? pods : 1, zone, inst_price(k, old), (int)ev->a);
        if (!in)
            return;
        trace_disrupt(k, id, SS_KARP_R_REPLACE);
        k->replacement = in->id;
        k->validating = true; /* the controller waits for the replacement */
        return;
    }
    for (int i = 0; i < n; i++) {
        trace_disrupt(k, cmd->inst[i], cmd->reason);
        disrupt_node(k, cmd->inst[i]);
    }
    event(k, "karpenter-consolidation");
}

/* ---- interface -------------------------------------------------------------------- */

void ss_karp_pod_event(ss_karp *k, int node)
{
    k->gen++;
    int inst = k->c->nodes[node].inst;
    if (inst >= 0 && (size_t)inst < k->cap_kc && k->kc[inst].np >= 0)
        k->kc[inst].last_pod_event = now_of(k);
}

bool ss_karp_pod_left(ss_karp *k, int node)
{
    const ss_k8s_node *n = &k->c->nodes[node];
    int inst = n->inst;
    if (inst < 0 || (size_t)inst >= k->cap_kc || k->kc[inst].np < 0)
        return false;
    k->gen++;
    k->kc[inst].last_pod_event = now_of(k);
    if (k->kc[inst].deleting && n->live && n->n_pods == 0)
        ss_fleet_terminate(k->f, ss_fleet_inst(k->f, inst), SS_END_SCALE_IN);
    return true;
}

ss_karp *ss_karp_new(const ss_scenario *sc, ss_fleet *f, ss_k8s_cluster *c, ss_evq *q,
                     const ss_karp_host *host, ss_karp_trace *trace)
{
    ss_karp *k = ss_calloc(1, sizeof *k);
    k->sc = sc;
    k->cfg = &sc->k8s.karpenter;
    k->f = f;
    k->c = c;
    k->q = q;
    k->host = *host;
    k->tr = trace;
    k->ice = ss_calloc((size_t)f->n_pools * 2, sizeof *k->ice);
    for (int p = 0; p < f->n_pools * 2; p++)
        k->ice[p] = INT64_MIN;
    k->last_pod_seen = -1;
    k->replacement = -1;
    k->next_expiry = SS_TIME_NEVER;
    k->zone_spread = -1;
    for (int i = 0; i < c->n_c; i++)
        if (c->is_zone[i] && !c->cs[i].schedule_anyway)
            k->zone_spread = i;
    ss_evq_on(q, EV_K_BATCH, on_batch, NULL);
    ss_evq_on(q, EV_K_RUNNING, on_running, NULL);
    ss_evq_on(q, EV_K_READY, on_ready, NULL);
    ss_evq_on(q, EV_K_POLL, on_poll, NULL);
    ss_evq_on(q, EV_K_VALIDATE, on_validate, NULL);
    ss_fleet_owner o = {.ctx = k, .on_notice = o_notice, .on_terminated = o_terminated};
    for (int i = 0; i < k->cfg->n_pools && i < SS_MAX_ASGS; i++)
        ss_fleet_set_owner(f, i, &o);
    ss_evq_schedule(q, ss_evq_now(q), EV_K_POLL, k, 0, 0);
    return k;
}

void ss_karp_free(ss_karp *k)
{
    if (!k)
        return;
    free(k->kc);
    free(k->ice);
    free(k);
}
