/*
 * k8s_sim.c - ss_k8s_simulate: the Kubernetes cluster on the event kernel
 * (aws-semantics.md §4, modeling-notes §4), on the shared fleet and one Auto
 * Scaling group per node group (models/fleet.h, models/asg.h).
 *
 * Per evaluation:
 *   - node groups = scenario.asgs, one per (instance type, zone, Spot|OD):
 *     a Spot group launches Spot only, an On-Demand group On-Demand only
 *     (the sim's private copy of the scenario sets the §1.2 split so);
 *     EC2 launch -> running after scenario.instance_launch, running -> node
 *     Ready after k8s.autoscaler.node_provision;
 *   - the Deployment's replicas start Pending at the horizon start;
 *   - scheduler: a pass whenever the cluster changes (FIFO, stops at the
 *     first unplaceable pod since all pods are identical);
 *   - interruption handler: notice -> after handler_delay cordon and evict
 *     through the PDB (refused => retry every 5 s); an evicted pod is
 *     deleted after its termination grace and its replacement is created
 *     Pending at once; the instance's termination deletes whatever is left;
 *     rebalance recommendations cordon (drain with drain_on_rebalance);
 *   - cluster autoscaler every scan_interval, as upstream's RunOnce
 *     (kubernetes/autoscaler cluster-autoscaler; functions cited at each
 *     step below): cluster state (readiness with NotStarted nodes as
 *     upcoming, scale-up requests, timeouts and launch failures backing the
 *     group off), deletion of instances that never registered, the
 *     cluster-wide health gate, scale-up (existing free room and every
 *     upcoming node at once, then the binpacking estimator per group, the
 *     expander picks one) and scale-down (utilisation, movability with
 *     spread, PDB drainability, unready nodes after scale_down_unready_time,
 *     drains that give up after max_pod_eviction_time);
 *   - zone outages: the fleet kills instances / fails launches; here nodes
 *     of an unhealthy zone go NotReady (flapping if configured) and their
 *     pods are evicted 40 s + 300 s later (taint-based eviction);
 *   - run-time decision rules through models/policy.h (the zone-failure
 *     mitigations of policies/zone_failure.c);
 *   - optional timeline (models/eval.h): samples every sample_interval (or
 *     a row per change when it is 0), fleet events, scale-ups, launch
 *     failures and mitigation switches.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/asg.h"
#include "models/eval.h"
#include "models/fleet.h"
#include "models/k8s.h"
#include "models/market.h"
#include "models/k8s_expander.h"
#include "models/karpenter.h"
#include "models/k8s_pdb.h"
#include "models/policy.h"
#include "sim/kernel/evq.h"
#include "sim/kernel/rng.h"

enum {
    EV_SCHED = SS_EVT_ORCH_FIRST,
    EV_POD_READY,     /* a = pod */
    EV_POD_DELETE,    /* a = pod */
    EV_HANDLER,       /* a = node: interruption handler cordons and drains */
    EV_EVICT_RETRY,   /* a = node */
    EV_SCAN,          /* cluster autoscaler loop */
    EV_HEALTH,        /* a = outage, b = 1 unhealthy / 0 healthy */
    EV_TAINT_EVICT,   /* a = node, b = NotReady since (ms) */
    EV_SAMPLE,        /* timeline sample every scenario.sample_interval */
    EV_CA_EVICT_RETRY /* a = node, b = drain start (ms): CA scale-down eviction retry */
};

#define EVICT_RETRY (5 * SS_SECOND)
#define TAINT_EVICT_DELAY (340 * SS_SECOND) /* node-monitor-grace 40 s + tolerationSeconds 300 s */
#define BACKOFF_RESET (3 * SS_HOUR)
#define RATE_WINDOW SS_HOUR
#define MAX_EMPTY_BULK_DELETE 10
/* cluster-autoscaler clusterstate/clusterstate.go MaxNodeStartupTime: a
 * registered node that is not Ready counts as NotStarted (upcoming) this long
 * after its creation, then as Unready. */
#define MAX_NODE_STARTUP_TIME (15 * SS_MINUTE)
/* clusterstate ClusterStateRegistryConfig defaults (--ok-total-unready-count,
 * --max-total-unready-percentage) */
#define OK_TOTAL_UNREADY_COUNT 3
#define MAX_TOTAL_UNREADY_PCT 45
/* core/scaledown/actuation/drain.go: EvictionRetryTime between attempts */
#define CA_EVICTION_RETRY (10 * SS_SECOND)

/* Salts of keyed draws. */
#define KEY_POD_START 0x504f4453ULL
#define KEY_EXPANDER 0x45585041ULL

typedef struct k8s_sim k8s_sim;

typedef struct k8s_ng {
    k8s_sim *s;
    int index;
    ss_asg_group g;
    int zone, type;           /* template node: first zone, first type */
    bool spot;
    double cpu, mem;          /* template allocatable */
    int per_node;             /* pods per template node */
    int nodes;                /* live cluster nodes of the group */
    bool failed;              /* a launch failed since the last check */
    /* clusterstate ScaleUpRequest: Increase, Time, ExpectedAddTime
     * (increase 0 = no request) */
    int sur_increase;
    ss_time sur_time, sur_expected;
    /* readiness at the current scan (clusterstate updateReadinessStats) */
    int rd_ready, rd_unready, rd_notstarted, rd_registered;
    ss_time backoff_until, last_fail;
    ss_time unreg_next;       /* no unregistered member is past its deadline before this */
    int backoff_steps;
    int64_t scaleups;
    int base_min, base_max;   /* the configured MinSize / MaxSize (On-Demand fallback raises them) */
} k8s_ng;

struct k8s_sim {
    ss_scenario *sc;          /* private copy (node-group split, node Ready latency) */
    const ss_data *d;
    uint64_t seed;
    int replica;
    ss_evq *q;
    ss_fleet f;
    k8s_ng ng[SS_MAX_ASGS];
    int n_ng;
    ss_k8s_cluster c;
    const ss_policy *pol;     /* run-time decision rules (may be NULL) */
    bool incident[SS_MAX_ZONES]; /* zone incidents as reported to the policy */
    int *inst_node;           /* instance id -> node id (-1) */
    size_t cap_inst_node;
    bool sched_queued;
    int64_t scans;
    ss_time last_scale_up;
    ss_time last_sd_fail;     /* last failed scale-down (drain given up) */
    int total_unready, total_nodes; /* cluster-wide readiness at the scan */
    int *sd;                  /* nodes CA scale-down gave aux 2: every live one with aux 2 is here */
    size_t n_sd, cap_sd;
    ss_time *notices;         /* notice times, sliding window for mitigation (3) */
    size_t n_notices, head_notices, cap_notices;
    int64_t restarts;
    ss_k8s_trace *trace;      /* optional record of CA decisions */
    ss_timeline *tl;          /* optional timeline (models/eval.h) */
    bool mit_on[4];           /* mitigation switches as last recorded */
    ss_karp *karp;            /* provisioner karpenter (models/karpenter.h), else NULL */
};

/* ---- helpers ------------------------------------------------------------------ */

static ss_time now_of(const k8s_sim *s) { return ss_evq_now(s->q); }

/* Remember a node CA scale-down took (aux 2), dropping the entries of
 * nodes gone or released meanwhile (their ids are never reused). */
static void sd_mark(k8s_sim *s, int node)
{
    size_t m = 0;
    for (size_t k = 0; k < s->n_sd; k++) {
        const ss_k8s_node *n = &s->c.nodes[s->sd[k]];
        if (n->live && n->aux == 2 && s->sd[k] != node)
            s->sd[m++] = s->sd[k];
    }
    s->n_sd = m;
    SS_GROW(s->sd, s->cap_sd, s->n_sd + 1);
    s->sd[s->n_sd++] = node;
}

/* ---- timeline -------------------------------------------------------------------- */

static void tl_push(k8s_sim *s, ss_time t, const char *event)
{
    const ss_k8s_cluster *c = &s->c;
    ss_timeline_row r = {.t = t,
                         .required = c->required,
                         .healthy = c->healthy,
                         .desired = c->demand,
                         .running = ss_k8s_running(c),
                         .pending = c->n_pending,
                         .spot_instances = s->f.alive_spot,
                         .od_instances = s->f.alive_od,
                         .event = event};
    ss_fleet_billed(&s->f, t, &r.spot_cost_usd, &r.od_cost_usd);
    ss_timeline_push(s->tl, &r);
}

/* A row now (event may be NULL: a sample). The accounting is brought up to
 * date first, so that a change row it emits (sample_interval 0) comes
 * before this one: rows stay in time order. */
static void tl_event(k8s_sim *s, const char *event)
{
    if (!s->tl)
        return;
    ss_k8s_account(&s->c, now_of(s));
    tl_push(s, now_of(s), event);
}

/* sample_interval 0: one row per change of the healthy or pending count */
static void tl_change(void *ctx, ss_time t) { tl_push(ctx, t, NULL); }

static void f_event(void *ctx, ss_time t, const char *what)
{
    (void)t;
    tl_event(ctx, what);
}

static void on_sample(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    k8s_sim *s = ev->obj;
    tl_event(s, NULL);
    ss_evq_schedule(q, now_of(s) + s->sc->sample_interval, EV_SAMPLE, s, 0, 0);
}

static void sched_trigger(k8s_sim *s)
{
    if (s->sched_queued)
        return;
    s->sched_queued = true;
    ss_evq_schedule(s->q, now_of(s), EV_SCHED, s, 0, 0);
}

static int node_of_inst(const k8s_sim *s, int inst)
{
    if (inst < 0 || (size_t)inst >= s->cap_inst_node)
        return -1;
    return s->inst_node[inst];
}

static void set_inst_node(k8s_sim *s, int inst, int node)
{
    if ((size_t)inst >= s->cap_inst_node) {
        size_t old = s->cap_inst_node, cap = old ? old : 256;
        while (cap <= (size_t)inst)
            cap *= 2;
        s->inst_node = ss_realloc(s->inst_node, cap * sizeof(int));
        for (size_t i = old; i < cap; i++)
            s->inst_node[i] = -1;
        s->cap_inst_node = cap;
    }
    s->inst_node[inst] = node;
}

static bool zone_unhealthy_at(const ss_scenario *sc, int zone, ss_time t)
{
    for (int i = 0; i < sc->market.n_outages; i++) {
        const ss_zone_outage *o = &sc->market.outages[i];
        if (o->instances_lost || t < o->start || t >= o->end || strcmp(o->zone, sc->market.zones[zone]))
            continue;
        if (o->flap_period <= 0 || ((t - o->start) / o->flap_period) % 2 == 0)
            return true;
    }
    return false;
}

/* ---- pods --------------------------------------------------------------------- */

/* One scheduling pass: FIFO until the first pod that fits nowhere. */
static void run_sched(k8s_sim *s)
{
    ss_k8s_cluster *c = &s->c;
    ss_time now = now_of(s);
    while (c->n_pending > 0) {
        int pod = c->pending[c->pending_head];
        int node = ss_k8s_pick_node(c);
        if (node < 0)
            break;
        ss_k8s_bind(c, now, pod, node);
        if (s->karp)
            ss_karp_pod_event(s->karp, node);
        double u = ss_rng_keyed_uniform(s->seed, (uint64_t)s->replica, (uint64_t)pod, KEY_POD_START);
        ss_time dt = ss_dist_quantile_ms(&s->sc->k8s.deployment.pod_startup, u);
        c->pods[pod].ev = ss_evq_schedule(s->q, now + dt, EV_POD_READY, s, pod, 0);
    }
    if (s->karp && c->n_pending > 0)
        ss_karp_pods_pending(s->karp); /* Karpenter watches unschedulable pods */
}

static void on_sched(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    s->sched_queued = false;
    run_sched(s);
}

static void on_pod_ready(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    ss_k8s_pod_ready(&s->c, now_of(s), (int)ev->a);
}

static void maybe_finish_scale_down(k8s_sim *s, int node);

static void on_pod_delete(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    int pod = (int)ev->a;
    int node = s->c.pods[pod].node;
    ss_k8s_pod_delete(&s->c, now_of(s), pod);
    sched_trigger(s);
    if (node >= 0)
        maybe_finish_scale_down(s, node);
}

/* Voluntary eviction of every pod of a node through the PDB. Returns the
 * number refused (429). */
static int evict_node(k8s_sim *s, int node, bool count_restart)
{
    ss_k8s_cluster *c = &s->c;
    const ss_deployment *dep = &s->sc->k8s.deployment;
    ss_time now = now_of(s);
    int refused = 0;
    for (int j = 0; j < c->nodes[node].n_pods; j++) {
        int pod = c->nodes[node].pods[j];
        ss_k8s_pod_state st = c->pods[pod].state;
        if (st != SS_POD_STARTING && st != SS_POD_READY)
            continue;
        int allowed;
        if (st == SS_POD_READY)
            allowed = ss_pdb_disruptions_allowed(dep, dep->replicas, c->n_live_pods, c->healthy);
        else /* an unready pod may go while the budget is met */
            allowed = c->healthy >= ss_pdb_desired_healthy(dep, dep->replicas, c->n_live_pods) ? 1 : 0;
        if (allowed <= 0) {
            refused++;
            c->pdb_blocked++;
            continue;
        }
        ss_evq_cancel(s->q, c->pods[pod].ev);
        ss_k8s_pod_terminate(c, now, pod, true);
        c->evictions++;
        if (count_restart)
            s->restarts++;
        c->pods[pod].ev = ss_evq_schedule(s->q, now + dep->termination_grace, EV_POD_DELETE, s, pod, 0);
    }
    sched_trigger(s);
    return refused;
}

static void drain(k8s_sim *s, int node, bool restart)
{
    ss_k8s_node *n = &s->c.nodes[node];
    if (!n->live)
        return;
    ss_k8s_node_cordon(&s->c, node);
    n->draining = true;
    if (evict_node(s, node, restart) > 0)
        ss_evq_schedule(s->q, now_of(s) + EVICT_RETRY, EV_EVICT_RETRY, s, node, restart);
}

static void on_handler(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    drain(s, (int)ev->a, true);
}

static void on_evict_retry(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    int node = (int)ev->a;
    if (!s->c.nodes[node].live)
        return;
    if (evict_node(s, node, ev->b != 0) > 0)
        ss_evq_schedule(s->q, now_of(s) + EVICT_RETRY, EV_EVICT_RETRY, s, node, ev->b);
}

/* ---- ASG hooks ------------------------------------------------------------------ */

static void h_registered(void *ctx, ss_instance *in)
{
    k8s_ng *ng = ctx;
    k8s_sim *s = ng->s;
    ss_time now = now_of(s);
    int node = ss_k8s_node_add(&s->c, now, ng->index, in->zone_idx, in->type_idx, in->spot, in->vcpu,
                               in->memory_mib, in->id);
    set_inst_node(s, in->id, node);
    ng->nodes++;
    if (zone_unhealthy_at(s->sc, in->zone_idx, now)) {
        ss_k8s_node_set_ready(&s->c, now, node, false);
        ss_evq_schedule(s->q, now + TAINT_EVICT_DELAY, EV_TAINT_EVICT, s, node, now);
    }
    if (in->noticed)
        ss_evq_schedule(s->q, now + s->sc->k8s.handler_delay, EV_HANDLER, s, node, 0);
    sched_trigger(s);
}

static void h_notice(void *ctx, ss_instance *in, ss_time deadline)
{
    (void)deadline;
    k8s_ng *ng = ctx;
    k8s_sim *s = ng->s;
    SS_GROW(s->notices, s->cap_notices, s->n_notices + 1);
    s->notices[s->n_notices++] = now_of(s);
    int node = node_of_inst(s, in->id);
    if (node >= 0)
        ss_evq_schedule(s->q, now_of(s) + s->sc->k8s.handler_delay, EV_HANDLER, s, node, 0);
    if (in->spot) /* policy hook: "EC2 Spot Instance Interruption Warning" */
        ss_pol_spot_notice(s->pol, ng->index, in->zone_idx, now_of(s));
}

static void h_rebalance(void *ctx, ss_instance *in)
{
    k8s_ng *ng = ctx;
    k8s_sim *s = ng->s;
    int node = node_of_inst(s, in->id);
    if (node < 0 || !s->c.nodes[node].live)
        return;
    if (s->sc->k8s.drain_on_rebalance)
        drain(s, node, true);
    else
        ss_k8s_node_cordon(&s->c, node); /* NTH default: cordon only */
}

static bool h_terminating(void *ctx, ss_instance *in)
{
    k8s_ng *ng = ctx;
    k8s_sim *s = ng->s;
    int node = node_of_inst(s, in->id);
    if (node < 0 || !s->c.nodes[node].live || s->c.nodes[node].n_pods == 0)
        return false;
    /* lifecycle hook (NTH queue mode): drain, then complete */
    s->c.nodes[node].aux = 1;
    drain(s, node, false);
    return true;
}

/* The instance of a live node terminated: the node and its pods go (pods
 * lost to an interruption or outage count as restarts), the scheduler runs.
 * Returns whether there was such a node. */
static bool node_gone(k8s_sim *s, const ss_instance *in)
{
    int node = node_of_inst(s, in->id);
    if (node < 0 || !s->c.nodes[node].live)
        return false;
    ss_k8s_cluster *c = &s->c;
    for (int j = 0; j < c->nodes[node].n_pods; j++)
        ss_evq_cancel(s->q, c->pods[c->nodes[node].pods[j]].ev);
    int lost = ss_k8s_node_remove(c, now_of(s), node);
    if (in->end_reason == SS_END_INTERRUPTED || in->end_reason == SS_END_OUTAGE)
        s->restarts += lost;
    set_inst_node(s, in->id, -1);
    sched_trigger(s); /* an event: runs after the caller returns */
    return true;
}

static void h_terminated(void *ctx, ss_instance *in)
{
    k8s_ng *ng = ctx;
    if (node_gone(ng->s, in))
        ng->nodes--;
}

static void h_launch_failed(void *ctx, int pool, ss_launch_block why)
{
    k8s_ng *ng = ctx;
    ng->failed = true;
    tl_event(ng->s, "launch-failed");
    /* policy hook: "EC2 Instance Launch Unsuccessful" (capacity), as models/asg.c */
    if (ng->spot && (why == SS_LAUNCH_NO_CAPACITY || why == SS_LAUNCH_ZONE_DOWN))
        ss_pol_launch_failed(ng->s->pol, ng->index, pool % ng->s->f.n_zones, true, now_of(ng->s));
}

/* Scale-down drains end here: terminate once the node holds no pod. */
static void maybe_finish_scale_down(k8s_sim *s, int node)
{
    if (s->karp) { /* Karpenter's termination controller */
        ss_karp_pod_left(s->karp, node);
        return;
    }
    ss_k8s_node *n = &s->c.nodes[node];
    if (!n->live || n->n_pods > 0 || n->aux == 0 || n->inst < 0)
        return;
    ss_instance *in = ss_fleet_inst(&s->f, n->inst);
    k8s_ng *ng = &s->ng[n->group];
    if (n->aux == 1) { /* ASG lifecycle hook */
        ss_asg_complete_lifecycle(&ng->g, in);
        return;
    }
    /* CA scale-down: TerminateInstanceInAutoScalingGroup with
     * ShouldDecrementDesiredCapacity: lower desired first so that the group
     * does not replace the instance. */
    if (ng->g.desired > ng->g.cfg->min_size)
        ng->g.desired--;
    ss_fleet_terminate(&s->f, in, SS_END_SCALE_IN);
}

/* ---- zone outages (node health) -------------------------------------------------- */

static int zone_index(const ss_scenario *sc, const char *name)
{
    for (int z = 0; z < sc->market.n_zones; z++)
        if (!strcmp(sc->market.zones[z], name))
            return z;
    return -1;
}

static void on_health(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    const ss_zone_outage *o = &s->sc->market.outages[ev->a];
    int z = zone_index(s->sc, o->zone);
    ss_time now = now_of(s);
    if (z < 0)
        return;
    bool unhealthy = ev->b != 0 && now < o->end;
    for (int j = 0; j < s->c.n_live; j++) {
        int node = s->c.live[j];
        if (s->c.nodes[node].zone != z || s->c.nodes[node].ready == !unhealthy)
            continue;
        ss_k8s_node_set_ready(&s->c, now, node, !unhealthy);
        if (unhealthy)
            ss_evq_schedule(s->q, now + TAINT_EVICT_DELAY, EV_TAINT_EVICT, s, node, now);
    }
    if (!unhealthy)
        sched_trigger(s);
    /* flapping: next toggle */
    if (o->flap_period > 0 && now < o->end) {
        ss_time next = now + o->flap_period;
        if (next < o->end)
            ss_evq_schedule(s->q, next, EV_HEALTH, s, ev->a, !ev->b);
    }
}

static void on_taint_evict(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    int node = (int)ev->a;
    ss_k8s_node *n = &s->c.nodes[node];
    if (!n->live || n->ready || n->notready_since != ev->b)
        return;
    /* taint manager: NoExecute unreachable taint past tolerationSeconds;
     * not an Eviction API call, so no PDB */
    ss_time now = now_of(s);
    for (int j = 0; j < n->n_pods; j++) {
        int pod = n->pods[j];
        ss_k8s_pod_state st = s->c.pods[pod].state;
        if (st != SS_POD_STARTING && st != SS_POD_READY)
            continue;
        ss_evq_cancel(s->q, s->c.pods[pod].ev);
        ss_k8s_pod_terminate(&s->c, now, pod, true);
        s->restarts++;
        s->c.pods[pod].ev = ss_evq_schedule(s->q, now + s->sc->k8s.deployment.termination_grace,
                                            EV_POD_DELETE, s, pod, 0);
    }
    sched_trigger(s);
}

static void on_outage_incident(k8s_sim *s, ss_time now)
{
    /* incidents as the operators see them: outage windows of the scenario */
    for (int i = 0; i < s->sc->market.n_outages; i++) {
        const ss_zone_outage *o = &s->sc->market.outages[i];
        int z = zone_index(s->sc, o->zone);
        if (z < 0)
            continue;
        bool in = now >= o->start && now < o->end;
        if (z >= SS_MAX_ZONES)
            continue;
        if (in && !s->incident[z]) {
            s->incident[z] = true;
            ss_pol_zone_incident(s->pol, z, true, o->start);
        } else if (!in && s->incident[z] && now >= o->end) {
            s->incident[z] = false;
            ss_pol_zone_incident(s->pol, z, false, o->end);
        }
    }
}

/* ---- cluster autoscaler --------------------------------------------------------- */

/* utils/backoff/exponential_backoff.go: initial duration doubling to the
 * maximum, reset after BACKOFF_RESET without failure. The group's scale-up
 * request is dropped (clusterstate registerFailedScaleUpNoLock) and the
 * placeholders of instances that never launched are removed: desired back
 * to what exists (cloudprovider/aws: DeleteNodes on a placeholder
 * decrements the desired capacity). */
static void backoff(k8s_sim *s, int g, ss_time now, const ss_cluster_autoscaler *ca)
{
    k8s_ng *ng = &s->ng[g];
    if (ng->last_fail != SS_TIME_NEVER && now - ng->last_fail > BACKOFF_RESET)
        ng->backoff_steps = 0;
    ss_time d = ca->initial_backoff;
    for (int i = 0; i < ng->backoff_steps && d < ca->max_backoff; i++)
        d *= 2;
    if (d > ca->max_backoff)
        d = ca->max_backoff;
    ng->backoff_steps++;
    ng->backoff_until = now + d;
    ng->last_fail = now;
    ng->sur_increase = 0;
    ng->failed = false;
    ss_asg_set_desired(&ng->g, ss_asg_capacity_units(&ng->g));
    ss_k8s_trace *tr = s->trace;
    if (tr && tr->n_backoff < SS_K8S_TRACE_MAX) {
        tr->backoff_t[tr->n_backoff] = now;
        tr->backoff_group[tr->n_backoff] = g;
        tr->backoff_until[tr->n_backoff++] = ng->backoff_until;
    }
}

/* clusterstate/clusterstate.go updateReadinessStats: per group and in
 * total, registered nodes are Ready, NotStarted (not Ready, created less
 * than MaxNodeStartupTime ago) or Unready. */
static void update_readiness(k8s_sim *s, ss_time now)
{
    for (int g = 0; g < s->n_ng; g++)
        s->ng[g].rd_ready = s->ng[g].rd_unready = s->ng[g].rd_notstarted = s->ng[g].rd_registered = 0;
    s->total_unready = 0;
    s->total_nodes = s->c.n_live;
    if (s->c.n_notready == 0) { /* the usual case: every registered node Ready */
        for (int g = 0; g < s->n_ng; g++)
            s->ng[g].rd_ready = s->ng[g].rd_registered = s->ng[g].nodes;
        return;
    }
    for (int j = 0; j < s->c.n_live; j++) {
        const ss_k8s_node *n = &s->c.nodes[s->c.live[j]];
        k8s_ng *ng = &s->ng[n->group];
        ng->rd_registered++;
        if (n->ready)
            ng->rd_ready++;
        else if (n->created + MAX_NODE_STARTUP_TIME > now)
            ng->rd_notstarted++;
        else {
            ng->rd_unready++;
            s->total_unready++;
        }
    }
}

/* GetUpcomingNodes: target - (Ready + Unready + LongUnregistered); the
 * long-unregistered instances are deleted at the scan that finds them, so
 * the upcoming nodes are the NotStarted ones plus instances not registered
 * yet plus launches not made yet (placeholders). */
static int upcoming(const k8s_ng *ng)
{
    int up = ng->g.desired - ng->rd_ready - ng->rd_unready;
    return up > 0 ? up : 0;
}

/* IsClusterHealthy: unhealthy when the Unready nodes (NotStarted ones
 * excluded) exceed ok-total-unready-count and max-total-unready-percentage
 * of all nodes; RunOnce then stops autoscaling (no scale-up, no scale-down). */
static bool cluster_healthy(const k8s_sim *s)
{
    return !(s->total_unready > OK_TOTAL_UNREADY_COUNT &&
             s->total_unready * 100 > MAX_TOTAL_UNREADY_PCT * s->total_nodes);
}

/* IsNodeGroupHealthy: MinNodes = target - LongUnregistered - the increase of
 * the ongoing scale-up request (updateAcceptableRanges); the nodes missing
 * from MinNodes among the Ready ones are "unjustified unready"; unhealthy
 * when they exceed ok-total-unready-count and 45 % of the group's
 * registered nodes (Ready + Unready + NotStarted). */
static bool group_healthy(const k8s_sim *s, int g)
{
    const k8s_ng *ng = &s->ng[g];
    int min_nodes = ng->g.desired - ng->sur_increase;
    int unjustified = ng->rd_ready < min_nodes ? min_nodes - ng->rd_ready : 0;
    int total = ng->rd_ready + ng->rd_unready + ng->rd_notstarted;
    return !(unjustified > OK_TOTAL_UNREADY_COUNT && unjustified * 100 > MAX_TOTAL_UNREADY_PCT * total);
}

/* On-Demand fallback for node groups (policies/fleet_policy.c, models/policy.h
 * od_cover): the controller an EventBridge rule on the Spot node groups'
 * launch failures / interruption warnings invokes sets the MinSize of the
 * On-Demand node group to its configured MinSize + the cover
 * (autoscaling:UpdateAutoScalingGroup MinSize; the ASG raises its
 * DesiredCapacity to the new minimum at once:
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-capacity-limits.html),
 * and back once the Spot groups have been at strength for the healthy time.
 * Lowering MinSize removes nothing: CA scales the group down as usual
 * (scale_down: an unneeded node, above MinSize). The Spot groups' desired
 * capacity is what the cluster asks of Spot (CA's scale-up requests and the
 * groups' own MinSize); ready = their Ready nodes, booting = launched
 * instances not registered yet. Applied at CA scans (this runs before the
 * scan backs a failed group off, so the request that failed still counts). */
static void od_fallback(k8s_sim *s, ss_time now)
{
    if (!ss_pol_has_od_cover(s->pol))
        return;
    int wanted = 0, ready = 0, booting = 0;
    for (int g = 0; g < s->n_ng; g++) {
        const k8s_ng *ng = &s->ng[g];
        if (!ng->spot)
            continue;
        wanted += ng->g.desired;
        /* ready: a Ready node without an interruption warning (as the ASG
         * rule counts, models/asg.c); booting: launched, not registered */
        for (size_t j = 0; j < ng->g.n_members; j++) {
            const ss_instance *in = ss_fleet_inst(&s->f, ng->g.members[j]);
            if (in->leaving || in->end != SS_TIME_NEVER)
                continue;
            int node = node_of_inst(s, in->id);
            if (node < 0)
                booting++;
            else if (s->c.nodes[node].ready && !in->noticed)
                ready++;
        }
    }
    for (int g = 0; g < s->n_ng; g++) {
        k8s_ng *ng = &s->ng[g];
        if (ng->spot)
            continue;
        ss_asg *a = &s->sc->asgs[g]; /* the private copy ng->g.cfg points to */
        int min = ng->base_min + ss_pol_od_cover(s->pol, g, wanted, ready, booting, now);
        /* MinSize <= MaxSize (UpdateAutoScalingGroup refuses otherwise): the
         * controller raises MaxSize with it, and lowers it back no further
         * than the group's desired capacity, so that the group itself
         * terminates nothing: a parked group (MaxSize 0) is grown by the rule
         * only, and CA scales it down as any group. */
        int max = ng->base_max;
        if (max < min)
            max = min;
        if (max < ng->g.desired)
            max = ng->g.desired;
        a->max_size = max;
        if (min == a->min_size)
            continue;
        tl_event(s, min > a->min_size ? "fallback-min-raised" : "fallback-min-lowered");
        a->min_size = min;
        if (ng->g.desired < min)
            ss_asg_set_desired(&ng->g, min);
    }
}

/* clusterstate updateScaleRequests: a request whose group has no upcoming
 * node left (target <= registered - NotStarted) succeeded; one still short
 * after ExpectedAddTime (strictly before now) timed out: the group is backed
 * off (ScaleUpTimedOut). A launch failure reported by the ASG is CA-AWS's
 * placeholder error (handleInstanceCreationErrors): back off too. */
static void update_scale_requests(k8s_sim *s, ss_time now, const ss_cluster_autoscaler *ca)
{
    for (int g = 0; g < s->n_ng; g++) {
        k8s_ng *ng = &s->ng[g];
        if (ng->failed) {
            backoff(s, g, now, ca);
            continue;
        }
        if (ng->sur_increase <= 0)
            continue;
        if (!(ng->g.desired > ng->rd_registered - ng->rd_notstarted))
            ng->sur_increase = 0; /* finished */
        else if (ng->sur_expected < now)
            backoff(s, g, now, ca);
    }
}

/* core/static_autoscaler.go removeOldUnregisteredNodes: an instance that has
 * not registered max_node_provision_time after it appeared (its launch
 * request) is deleted through the node group, which lowers its desired
 * capacity (clusterstate marks it LongUnregistered). */
static void remove_long_unregistered(k8s_sim *s, ss_time now, const ss_cluster_autoscaler *ca)
{
    for (int g = 0; g < s->n_ng; g++) {
        k8s_ng *ng = &s->ng[g];
        if (ng->g.n_members <= (size_t)ng->nodes || ss_pol_zone_removed(s->pol, ng->zone, now))
            continue; /* all registered, or not autoscaled while removed (mitigation 2) */
        /* The earliest deadline among the members seen unregistered at the
         * last walk, or that walk's time + max_node_provision_time for later
         * launches (launch times are fixed): none is past it before then. */
        if (now <= ng->unreg_next)
            continue;
        ss_time next = now + ca->max_node_provision_time;
        for (size_t j = 0; j < ng->g.n_members;) {
            ss_instance *in = ss_fleet_inst(&s->f, ng->g.members[j]);
            if (in->registered || in->leaving || in->end != SS_TIME_NEVER) {
                j++;
                continue;
            }
            if (!(in->launch + ca->max_node_provision_time < now)) {
                if (in->launch + ca->max_node_provision_time < next)
                    next = in->launch + ca->max_node_provision_time;
                j++;
                continue;
            }
            if (ng->g.desired > ng->g.cfg->min_size)
                ng->g.desired--;
            size_t before = ng->g.n_members;
            ss_fleet_terminate(&s->f, in, SS_END_SCALE_IN);
            ss_k8s_trace *tr = s->trace;
            if (tr && tr->n_unreg_delete < SS_K8S_TRACE_MAX) {
                tr->unreg_delete_t[tr->n_unreg_delete] = now;
                tr->unreg_delete_group[tr->n_unreg_delete++] = g;
            }
            if (ng->g.n_members == before)
                j++; /* still listed (not yet removed): move on */
        }
        ng->unreg_next = next;
    }
}

/* The upstream snapshot's node order is internal (map order); here the
 * scale-up what-if lists the candidate nodes by group, within a group the
 * existing ones first (in the cluster's live-list order), then the virtual
 * ones (read from the cluster's per-group room sets: O(candidates + nodes /
 * 64) per scan). */
typedef ss_k8s_cand cand_node; /* id, group, index class (-1: compare domains) */

/* Whether the group can be used by CA now (mitigations, taints, selector). */
static bool group_usable(k8s_sim *s, int g, ss_time now)
{
    k8s_ng *ng = &s->ng[g];
    if (ss_pol_zone_removed(s->pol, ng->zone, now))
        return false; /* mitigation (2): an unmanaged group is invisible to CA */
    return !ss_k8s_group_untolerated(s->sc, g) &&
           ss_k8s_group_selector_ok(s->sc, g, ng->zone, ng->type, ng->spot);
}

/* Scale-up (core/static_autoscaler.go RunOnce, core/scaleup/orchestrator
 * ScaleUp):
 *   1. every upcoming node of every group is injected into the snapshot as
 *      a template copy (addUpcomingNodesToClusterSnapshot); the pending pods
 *      are placed one by one on the existing nodes and the upcoming ones at
 *      once (filterOutSchedulable -> hinting simulator: each pod to the first
 *      node passing the filters, round-robin from the node after the last
 *      success: SchedulerBasedPredicateChecker.FitsAnyNodeMatching);
 *   2. for the pods left, each eligible group (not backed off, below max
 *      size, healthy) is one expansion option; the binpacking estimator
 *      (estimator/binpacking_estimator.go Estimate) adds template nodes of
 *      the group one at a time, each pod to the last added node, stopping
 *      at the first pod that fits neither the last node nor a fresh one;
 *   3. the expander picks one option; its group's desired capacity grows by
 *      the estimated node count and a ScaleUpRequest is registered
 *      (clusterstate registerOrUpdateScaleUpNoLock: Increase += n, Time and
 *      ExpectedAddTime shifted to now). */
static void scale_up(k8s_sim *s)
{
    ss_k8s_cluster *c = &s->c;
    const ss_cluster_autoscaler *ca = &s->sc->k8s.autoscaler;
    ss_time now = now_of(s);
    ss_k8s_whatif w;
    ss_k8s_whatif_begin(c, &w, ca->simulate_spread);
    /* 1. existing nodes + upcoming nodes, one candidate list */
    size_t n_up = 0;
    for (int g = 0; g < s->n_ng; g++)
        if (group_usable(s, g, now))
            n_up += (size_t)upcoming(&s->ng[g]);
    /* the live nodes Ready, not cordoned, with room (n_pods < slots), by
     * group and in live-list order within a group, from the cluster's index
     * instead of a walk; each group's upcoming nodes after its own */
    cand_node *cl = ss_malloc(((size_t)c->n_live + n_up + 1) * sizeof *cl);
    int nc = 0;
    for (int g = 0; g < s->n_ng; g++) {
        nc += ss_k8s_room_cands(c, g, cl + nc);
        k8s_ng *ng = &s->ng[g];
        if (!group_usable(s, g, now))
            continue;
        for (int k = upcoming(ng); k > 0; k--) {
            int id = ss_k8s_whatif_node(c, &w, g, ng->zone, ng->type, ng->spot, ng->cpu, ng->mem);
            cl[nc++] = (cand_node){id, g, -1};
        }
    }
    /* runs of candidates with the same spread domains: when one fails the
     * spread filter for this pod, the whole run does */
    bool per_node_hard = false;
    for (int i = 0; i < c->n_c; i++)
        if (c->per_node[i] && c->active[i] && !c->cs[i].schedule_anyway)
            per_node_hard = true;
    int *run_end = ss_malloc(((size_t)nc + 1) * sizeof *run_end);
    for (int j = nc - 1; j >= 0; j--) {
        /* same class = same domains (classes compare the n_c domains; the
         * others are 0 in every node) */
        bool same = j + 1 < nc && !per_node_hard &&
                    (cl[j].cls >= 0 && cl[j + 1].cls >= 0
                         ? cl[j].cls == cl[j + 1].cls
                         : !memcmp(c->nodes[cl[j].id].dom, c->nodes[cl[j + 1].id].dom, sizeof c->nodes[0].dom));
        run_end[j] = same ? run_end[j + 1] : j + 1;
    }
    /* Dead candidates: failing the filters other than spread, and not
     * skipped as part of a run (skipped one by one). Placements only add
     * pods here, so a dead candidate stays dead: next_alive (a union-find
     * with path halving over positions, nc = none) jumps over them, which
     * finds the very node the walk one by one finds. */
    int *next_alive = ss_malloc(((size_t)nc + 1) * sizeof *next_alive);
    for (int j = 0; j <= nc; j++)
        next_alive[j] = j;
    ss_k8s_whatif node_level = w; /* the same what-if, filters without spread */
    node_level.spread = false;
    int remaining = c->n_pending, last = 0, gmin[SS_MAX_SPREAD];
    while (remaining > 0 && nc > 0) {
        ss_k8s_whatif_gmin(c, gmin);
        int found = -1;
        for (int i = 0; i < nc && found < 0;) {
            int j = (last + i) % nc;
            int a = j;
            while (next_alive[a] != a) {
                next_alive[a] = next_alive[next_alive[a]];
                a = next_alive[a];
            }
            if (a != j) { /* positions j .. a - 1 are dead: one step each */
                i += a - j;
                continue;
            }
            const ss_k8s_node *n = &c->nodes[cl[j].id];
            if (ss_k8s_whatif_fits(c, &w, cl[j].id, gmin)) {
                found = j;
                break;
            }
            bool spread_fail = w.spread && n->ready && !n->cordoned && !n->untolerated &&
                               n->selector_ok && n->n_pods + n->hyp_pods < n->slots;
            if (!spread_fail && !ss_k8s_whatif_fits(c, &node_level, cl[j].id, gmin))
                next_alive[j] = j + 1;
            /* skip the rest of its run (wrapping runs are just walked) */
            int skip = spread_fail && run_end[j] > j + 1 ? run_end[j] - j : 1;
            i += skip;
        }
        if (found < 0)
            break;
        ss_k8s_whatif_place(c, &w, cl[found].id);
        last = (found + 1) % nc;
        remaining--;
    }
    free(next_alive);
    free(run_end);
    free(cl);
    if (remaining <= 0) {
        ss_k8s_whatif_end(c, &w);
        return;
    }
    /* 2. one option per eligible node group */
    ss_expander_option opts[SS_MAX_ASGS];
    int n_opt = 0;
    for (int g = 0; g < s->n_ng; g++) {
        k8s_ng *ng = &s->ng[g];
        if (now < ng->backoff_until || ng->g.desired >= ng->g.cfg->max_size || ng->per_node <= 0)
            continue;
        if (!group_healthy(s, g))
            continue; /* IsNodeGroupHealthy */
        if (ss_pol_zone_removed(s->pol, ng->zone, now))
            continue; /* mitigation (2) */
        if (ng->spot && ss_pol_spot_scale_up_blocked(s->pol, now))
            continue; /* mitigation (3) */
        if (ss_k8s_group_untolerated(s->sc, g) ||
            !ss_k8s_group_selector_ok(s->sc, g, ng->zone, ng->type, ng->spot))
            continue;
        ss_k8s_whatif_mark mk = ss_k8s_whatif_save(c, &w);
        int room = ng->g.cfg->max_size - ng->g.desired;
        int nodes = 0, pods = 0, lastn = -1, lastn_pods = 0;
        while (pods < remaining) {
            ss_k8s_whatif_gmin(c, gmin);
            if (lastn >= 0 && ss_k8s_whatif_fits(c, &w, lastn, gmin)) {
                ss_k8s_whatif_place(c, &w, lastn);
                lastn_pods++;
                pods++;
                continue;
            }
            if (lastn >= 0 && lastn_pods == 0)
                break; /* a fresh node did not help: another would not either */
            if (nodes >= room)
                break;
            lastn = ss_k8s_whatif_node(c, &w, g, ng->zone, ng->type, ng->spot, ng->cpu, ng->mem);
            lastn_pods = 0;
            ss_k8s_whatif_gmin(c, gmin);
            if (!ss_k8s_whatif_fits(c, &w, lastn, gmin))
                break;
            nodes++;
            ss_k8s_whatif_place(c, &w, lastn);
            lastn_pods++;
            pods++;
        }
        ss_k8s_whatif_revert(c, &w, mk);
        if (pods <= 0 || nodes <= 0)
            continue;
        const ss_pool *pool = ss_data_pool(s->d, ng->type, ng->zone);
        double price = ng->spot ? ss_price_at(&pool->spot, now, NULL) : pool->ondemand_usd_per_hour;
        opts[n_opt++] = (ss_expander_option){g, nodes, pods, ng->cpu, ng->mem,
                                             pods * c->dep->cpu_request, pods * c->dep->memory_request_mib,
                                             price, ng->g.cfg->priority};
    }
    ss_k8s_whatif_end(c, &w);
    double u = ss_rng_keyed_uniform(s->seed, (uint64_t)s->replica, (uint64_t)s->scans, KEY_EXPANDER);
    int pick = ss_expander_choose(ca->expander, opts, n_opt, u);
    if (pick < 0)
        return;
    k8s_ng *ng = &s->ng[opts[pick].group];
    ng->sur_increase += opts[pick].node_count;
    ng->sur_time = now;
    ng->sur_expected = now + ca->max_node_provision_time;
    ng->failed = false;
    ng->scaleups++;
    ss_k8s_trace *tr = s->trace;
    if (tr && tr->n_scaleup < SS_K8S_TRACE_MAX) {
        tr->scaleup_t[tr->n_scaleup] = now;
        tr->scaleup_group[tr->n_scaleup] = opts[pick].group;
        tr->scaleup_nodes[tr->n_scaleup++] = opts[pick].node_count;
    }
    s->last_scale_up = now;
    ss_asg_set_desired(&ng->g, ng->g.desired + opts[pick].node_count);
    tl_event(s, "scale-up");
}

/* A CA scale-down drain gave up (core/scaledown/actuation: evictions not
 * done within max-pod-eviction-time): the ToBeDeleted taint is removed
 * (CleanUpAndRecordFailedScaleDownEvent) and scale-down waits
 * scale-down-delay-after-failure (static_autoscaler.go RunOnce,
 * lastScaleDownFailTime). Pods already evicted stay evicted. */
static void ca_drain_failed(k8s_sim *s, int node)
{
    ss_k8s_node *n = &s->c.nodes[node];
    n->aux = 0;
    n->draining = false;
    n->unneeded_since = SS_TIME_NEVER;
    const ss_instance *in = n->inst >= 0 ? ss_fleet_inst(&s->f, n->inst) : NULL;
    if (!in || !(in->noticed || in->rebalance)) /* the handler keeps its own cordon */
        ss_k8s_node_uncordon(&s->c, node);
    s->last_sd_fail = now_of(s);
    if (s->trace)
        s->trace->sd_failed++;
    sched_trigger(s);
}

/* CA drain (core/scaledown/actuation/drain.go Evictor): the node is tainted
 * ToBeDeleted (a cordon), every pod is evicted through the Eviction API and
 * a refused eviction is retried every EvictionRetryTime (10 s) while the
 * drain is younger than max-pod-eviction-time. */
static void ca_drain(k8s_sim *s, int node)
{
    ss_k8s_node *n = &s->c.nodes[node];
    n->aux = 2;
    sd_mark(s, node);
    n->draining = true;
    ss_k8s_node_cordon(&s->c, node);
    if (s->trace)
        s->trace->sd_cordons++;
    if (evict_node(s, node, false) > 0)
        ss_evq_schedule(s->q, now_of(s) + CA_EVICTION_RETRY, EV_CA_EVICT_RETRY, s, node, now_of(s));
}

static void on_ca_evict_retry(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    int node = (int)ev->a;
    ss_k8s_node *n = &s->c.nodes[node];
    if (!n->live || n->aux != 2)
        return;
    ss_time now = now_of(s);
    if (!(now < ev->b + s->sc->k8s.autoscaler.max_pod_eviction_time)) {
        ca_drain_failed(s, node);
        return;
    }
    if (evict_node(s, node, false) > 0)
        ss_evq_schedule(s->q, now + CA_EVICTION_RETRY, EV_CA_EVICT_RETRY, s, node, ev->b);
}

/* Scale-down (core/scaledown/planner, eligibility, unneeded, actuation):
 *   - eligible: not being deleted, utilisation (max of cpu, memory requests
 *     over allocatable) below the threshold; NotReady nodes too when
 *     scale-down-unready-enabled (eligibility.go);
 *   - removable: every pod can move elsewhere under the scheduler's filter
 *     (ss_k8s_node_movable, simulator SimulateNodeRemoval) and no PDB
 *     blocks a pod (simulator/drainability/rules/pdb: DisruptionsAllowed < 1
 *     blocks; core/scaledown/pdb/basic.go CanRemovePods);
 *   - removed once unneeded for scale-down-unneeded-time (Ready) or
 *     scale-down-unready-time (NotReady) (unneeded/nodes.go RemovableAt),
 *     not within scale-down-delay-after-add of a scale-up nor
 *     scale-down-delay-after-failure of a failed drain, above min size;
 *     empty nodes in bulk (<= 10 a scan), non-empty ones one at a time by
 *     a drain that gives up after max-pod-eviction-time. */
static void scale_down(k8s_sim *s)
{
    ss_k8s_cluster *c = &s->c;
    const ss_cluster_autoscaler *ca = &s->sc->k8s.autoscaler;
    const ss_deployment *dep = c->dep;
    ss_time now = now_of(s);
    if (ss_pol_scale_down_suspended(s->pol, now))
        return; /* mitigation (4) */
    int busy = -1; /* a non-empty scale-down drain is in progress (-1: not looked yet) */
    bool removed[SS_MAX_ZONES];
    for (int z = 0; z < s->sc->market.n_zones && z < SS_MAX_ZONES; z++)
        removed[z] = ss_pol_zone_removed(s->pol, z, now);
    bool cooldown = now < s->last_scale_up + ca->scale_down_delay_after_add ||
                    (s->last_sd_fail != SS_TIME_NEVER &&
                     now < s->last_sd_fail + ca->scale_down_delay_after_failure);
    int empty_done = 0, busy_done = 0;
    int allowed = ss_pdb_disruptions_allowed(dep, dep->replicas, c->n_live_pods, c->healthy);
    /* Only the underutilized nodes, in live-list order, from the cluster's
     * index: every other node is skipped below with unneeded_since already
     * NEVER (it is set only here, for an underutilized node, and a bind,
     * the only way out of underutilized, clears it). */
    int *cand = ss_malloc(((size_t)c->n_live + 1) * sizeof *cand);
    int n_cand = ss_k8s_underutilized(c, cand);
    for (int j = 0; j < n_cand; j++) {
        int id = cand[j];
        ss_k8s_node *n = &c->nodes[id];
        k8s_ng *ng = &s->ng[n->group];
        if ((!n->ready && !ca->scale_down_unready_enabled) || n->cordoned || n->draining || n->inst < 0 ||
            (n->zone >= 0 && n->zone < SS_MAX_ZONES && removed[n->zone])) {
            if (n->unneeded_since != SS_TIME_NEVER)
                n->unneeded_since = SS_TIME_NEVER;
            continue;
        }
        /* utilisation = max(cpu, memory) requests / allocatable, below the
         * threshold */
        bool under = ss_k8s_node_underutilized(c, n);
        bool moving = false; /* pods to evict (starting or ready) */
        if (allowed < 1 && under)
            for (int p = 0; p < n->n_pods && !moving; p++) {
                ss_k8s_pod_state st = c->pods[n->pods[p]].state;
                moving = st == SS_POD_STARTING || st == SS_POD_READY;
            }
        /* the pods must fit elsewhere under the scheduler's own filter,
         * spread included (CA simulates their rescheduling), and the PDB
         * must allow a disruption */
        if (!under || moving || !ss_k8s_node_movable(c, id)) {
            if (n->unneeded_since != SS_TIME_NEVER)
                n->unneeded_since = SS_TIME_NEVER;
            continue;
        }
        if (n->unneeded_since == SS_TIME_NEVER)
            n->unneeded_since = now;
        ss_time wait = n->ready ? ca->scale_down_unneeded_time : ca->scale_down_unready_time;
        if (cooldown || now - n->unneeded_since < wait || ng->g.desired <= ng->g.cfg->min_size)
            continue;
        if (!n->ready && s->trace)
            s->trace->sd_unready_removed++;
        if (s->trace && s->trace->n_sd_removed < SS_K8S_TRACE_MAX) {
            s->trace->sd_removed_t[s->trace->n_sd_removed] = now;
            s->trace->sd_removed_node[s->trace->n_sd_removed++] = id;
        }
        if (n->n_pods == 0) {
            if (empty_done >= MAX_EMPTY_BULK_DELETE)
                continue;
            empty_done++;
            n->aux = 2;
            ss_k8s_node_cordon(c, id);
            sd_mark(s, id);
            maybe_finish_scale_down(s, id);
            /* the live list changed: rescan (nodes already handled are cordoned) */
            n_cand = ss_k8s_underutilized(c, cand);
            j = -1;
            continue;
        }
        if (busy < 0) {
            busy = 0;
            for (size_t k = 0; k < s->n_sd; k++) {
                const ss_k8s_node *m = &c->nodes[s->sd[k]];
                if (m->live && m->aux == 2 && m->n_pods > 0)
                    busy = 1;
            }
        }
        if (busy || busy_done)
            continue;
        busy_done = 1;
        ca_drain(s, id);
    }
    free(cand);
}

/* Timeline rows when a mitigation switch flips (its reaction delay after
 * the trigger): "mitigation-on:<name>" / "mitigation-off:<name>". */
static void tl_mitigations(k8s_sim *s, ss_time now, bool dropped)
{
    static const char *const on[4] = {"mitigation-on:drop-zone-spread", "mitigation-on:remove-zone-groups",
                                      "mitigation-on:spot-rate-guard", "mitigation-on:suspend-scale-down"};
    static const char *const off[4] = {"mitigation-off:drop-zone-spread",
                                       "mitigation-off:remove-zone-groups",
                                       "mitigation-off:spot-rate-guard",
                                       "mitigation-off:suspend-scale-down"};
    bool removed = false;
    for (int z = 0; z < s->sc->market.n_zones; z++)
        removed |= ss_pol_zone_removed(s->pol, z, now);
    bool cur[4] = {dropped, removed, ss_pol_spot_scale_up_blocked(s->pol, now),
                   ss_pol_scale_down_suspended(s->pol, now)};
    for (int i = 0; i < 4; i++) {
        if (cur[i] != s->mit_on[i])
            tl_event(s, cur[i] ? on[i] : off[i]);
        s->mit_on[i] = cur[i];
    }
}

static void on_scan(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    k8s_sim *s = ev->obj;
    ss_time now = now_of(s);
    const ss_cluster_autoscaler *ca = &s->sc->k8s.autoscaler;
    s->scans++;
    /* mitigations: incidents, the interruption-rate guard, spread switch */
    on_outage_incident(s, now);
    while (s->head_notices < s->n_notices && s->notices[s->head_notices] < now - RATE_WINDOW)
        s->head_notices++;
    int spot_nodes = 0;
    for (int g = 0; g < s->n_ng; g++)
        if (s->ng[g].spot)
            spot_nodes += s->ng[g].nodes;
    double rate = (double)(s->n_notices - s->head_notices) / (spot_nodes > 0 ? spot_nodes : 1) /
                  ((double)RATE_WINDOW / (double)SS_HOUR);
    ss_pol_observe_spot_rate(s->pol, rate, now);
    bool dropped = ss_pol_zone_spread_dropped(s->pol, now);
    if (s->tl)
        tl_mitigations(s, now, dropped);
    bool changed = false;
    for (int i = 0; i < s->c.n_c; i++)
        if (s->c.is_zone[i])
            changed |= ss_k8s_set_active(&s->c, i, !dropped);
    if (changed)
        sched_trigger(s);
    /* cluster state (clusterstate UpdateNodes): readiness, scale-up
     * requests (timeouts and launch failures back the group off), then
     * instances that never registered are deleted */
    update_readiness(s, now);
    od_fallback(s, now);
    update_scale_requests(s, now, ca);
    remove_long_unregistered(s, now, ca); /* changes no registered node */
    /* CA first drops the pods the scheduler can place on existing nodes
     * (filterOutSchedulable): run the scheduler now. */
    if (s->c.n_pending > 0)
        run_sched(s);
    if (!cluster_healthy(s)) {
        /* RunOnce: "Cluster is not ready for autoscaling" */
        if (s->trace)
            s->trace->unhealthy_scans++;
    } else {
        if (s->c.n_pending > 0)
            scale_up(s);
        scale_down(s);
    }
    ss_evq_schedule(s->q, now + ca->scan_interval, EV_SCAN, s, 0, 0);
}

/* ---- Karpenter seam (models/karpenter.h): what the cluster does for it ---------- */

static int kh_registered(void *ctx, ss_instance *in)
{
    k8s_sim *s = ctx;
    ss_time now = now_of(s);
    int node = ss_k8s_node_add(&s->c, now, in->asg, in->zone_idx, in->type_idx, in->spot, in->vcpu,
                               in->memory_mib, in->id);
    set_inst_node(s, in->id, node);
    if (zone_unhealthy_at(s->sc, in->zone_idx, now)) {
        ss_k8s_node_set_ready(&s->c, now, node, false);
        ss_evq_schedule(s->q, now + TAINT_EVICT_DELAY, EV_TAINT_EVICT, s, node, now);
    }
    sched_trigger(s);
    return node;
}

static void kh_drain(void *ctx, int node) { drain(ctx, node, true); }

static void kh_gone(void *ctx, ss_instance *in) { node_gone(ctx, in); }

static void kh_event(void *ctx, const char *what) { tl_event(ctx, what); }

static void kh_schedule(void *ctx) { run_sched(ctx); }

/* The sim's scenario copy gets one node group per NodePool (asgs[i]): the
 * node labels of k8s_cluster.c (ss_k8s_label) then hold for Karpenter's
 * nodes, plus karpenter.sh/nodepool. */
static void karp_node_groups(ss_scenario *sc)
{
    const ss_karpenter *k = &sc->k8s.karpenter;
    sc->n_asgs = k->n_pools < SS_MAX_ASGS ? k->n_pools : SS_MAX_ASGS;
    for (int i = 0; i < sc->n_asgs; i++) {
        const ss_node_pool *np = &k->pools[i];
        ss_asg *a = &sc->asgs[i];
        ss_asg_defaults(a);
        memcpy(a->name, np->name, sizeof a->name);
        a->n_types = np->n_types;
        memcpy(a->type_idx, np->type_idx, sizeof a->type_idx);
        a->n_zones = np->n_zones;
        memcpy(a->zone_idx, np->zone_idx, sizeof a->zone_idx);
        a->min_size = a->max_size = a->desired_capacity = 0;
        a->spot = np->capacity_types != SS_KARP_OD;
        a->n_labels = np->n_labels;
        memcpy(a->labels, np->labels, sizeof a->labels);
        if (a->n_labels < SS_MAX_LABELS) {
            snprintf(a->labels[a->n_labels][0], SS_NAME_MAX, "karpenter.sh/nodepool");
            memcpy(a->labels[a->n_labels][1], np->name, SS_NAME_MAX);
            a->n_labels++;
        }
        a->n_taints = 0;
    }
}

/* ---- the entry point ------------------------------------------------------------- */

static int simulate(const ss_scenario *sc0, const ss_data *d, uint64_t seed, int replica,
                    const ss_policy *pol, ss_metrics *out, ss_k8s_trace *trace, ss_timeline *tl,
                    ss_err *err)
{
    ss_time start, end;
    if (ss_data_horizon(sc0->start, sc0->end, d, "kubernetes", &start, &end, err))
        return -1;
    bool karpenter = sc0->k8s.provisioner == SS_PROV_KARPENTER;
    if (karpenter && sc0->k8s.karpenter.n_pools <= 0)
        return ss_err_set(err, "kubernetes: provisioner karpenter needs a NodePool");
    if (!karpenter && sc0->n_asgs <= 0)
        return ss_err_set(err, "kubernetes: no node groups (asgs) defined");
    if (sc0->k8s.autoscaler.scan_interval <= 0)
        return ss_err_set(err, "kubernetes: autoscaler.scan_interval must be > 0");
    for (int i = 0; i < sc0->k8s.deployment.n_spread; i++)
        if (sc0->k8s.deployment.spread[i].max_skew <= 0)
            return ss_err_set(err, "kubernetes: deployment.spread[%d].max_skew must be > 0 (got %d)", i,
                              sc0->k8s.deployment.spread[i].max_skew);
    k8s_sim *s = ss_calloc(1, sizeof *s);
    s->sc = ss_malloc(sizeof *s->sc);
    *s->sc = *sc0;
    s->sc->start = start;
    s->sc->end = end;
    s->sc->instance_register = sc0->k8s.autoscaler.node_provision;
    if (karpenter)
        karp_node_groups(s->sc);
    for (int g = 0; g < s->sc->n_asgs; g++) {
        ss_asg *a = &s->sc->asgs[g];
        a->od_base_capacity = 0;
        a->od_percentage_above_base = a->spot ? 0 : 100;
    }
    s->d = d;
    s->seed = seed;
    s->replica = replica;
    s->trace = trace;
    s->tl = tl;
    s->last_scale_up = start - sc0->k8s.autoscaler.scale_down_delay_after_add;
    s->last_sd_fail = SS_TIME_NEVER;
    s->q = ss_evq_new(4096);
    ss_evq_reset(s->q, start);
    int rc = 0;
    if (ss_fleet_init(&s->f, s->sc, d, s->q, seed, replica, start, end, NULL, err)) {
        rc = -1;
        goto out_q;
    }
    ss_k8s_cluster_init(&s->c, s->sc, start);
    s->c.random_ties = !sc0->k8s.scheduler_lowest_id_ties;
    s->c.tie_seed = seed;
    s->c.tie_replica = replica;
    s->pol = pol;
    ss_evq_on(s->q, EV_SCHED, on_sched, NULL);
    ss_evq_on(s->q, EV_POD_READY, on_pod_ready, NULL);
    ss_evq_on(s->q, EV_POD_DELETE, on_pod_delete, NULL);
    ss_evq_on(s->q, EV_HANDLER, on_handler, NULL);
    ss_evq_on(s->q, EV_EVICT_RETRY, on_evict_retry, NULL);
    ss_evq_on(s->q, EV_SCAN, on_scan, NULL);
    ss_evq_on(s->q, EV_HEALTH, on_health, NULL);
    ss_evq_on(s->q, EV_TAINT_EVICT, on_taint_evict, NULL);
    ss_evq_on(s->q, EV_SAMPLE, on_sample, NULL);
    ss_evq_on(s->q, EV_CA_EVICT_RETRY, on_ca_evict_retry, NULL);
    if (tl) {
        s->f.on_event = f_event;
        s->f.event_ctx = s;
    }
    for (int i = 0; i < s->sc->k8s.deployment.replicas; i++)
        ss_k8s_pod_new(&s->c, start);
    s->n_ng = karpenter ? 0 : s->sc->n_asgs;
    if (karpenter) {
        ss_karp_host kh = {.ctx = s, .node_registered = kh_registered, .drain = kh_drain,
                           .instance_gone = kh_gone, .schedule = kh_schedule,
                           .event = kh_event};
        s->karp = ss_karp_new(s->sc, &s->f, &s->c, s->q, &kh, trace ? trace->karp : NULL);
    }
    for (int g = 0; g < s->n_ng; g++) {
        k8s_ng *ng = &s->ng[g];
        const ss_asg *a = &s->sc->asgs[g];
        ng->s = s;
        ng->index = g;
        ng->zone = a->n_zones > 0 ? a->zone_idx[0] : 0;
        ng->type = a->n_types > 0 ? a->type_idx[0] : 0;
        ng->spot = a->spot;
        const ss_pool *p = ss_data_pool(d, ng->type, ng->zone);
        ng->cpu = p->vcpu;
        ng->mem = p->memory_mib;
        ng->per_node = ss_k8s_pods_per_node(&s->c, ng->cpu, ng->mem);
        ng->backoff_until = start;
        ng->last_fail = SS_TIME_NEVER;
        ng->unreg_next = start - 1;
        ng->base_min = a->min_size;
        ng->base_max = a->max_size;
    }
    for (int g = 0; g < s->n_ng; g++) {
        ss_asg_hooks hk = {.ctx = &s->ng[g],
                           .on_registered = h_registered,
                           .on_notice = h_notice,
                           .on_rebalance = h_rebalance,
                           .on_terminating = h_terminating,
                           .on_terminated = h_terminated,
                           .on_launch_failed = h_launch_failed};
        ss_asg_init(&s->ng[g].g, &s->f, g, &hk);
        if (s->ng[g].g.desired > 0) { /* the initial nodes: a request at the start */
            s->ng[g].sur_increase = s->ng[g].g.desired;
            s->ng[g].sur_time = start;
            s->ng[g].sur_expected = start + sc0->k8s.autoscaler.max_node_provision_time;
        }
    }
    for (int i = 0; i < s->sc->market.n_outages; i++) {
        const ss_zone_outage *o = &s->sc->market.outages[i];
        if (o->instances_lost || o->end <= start || o->start >= end)
            continue;
        ss_evq_schedule(s->q, o->start < start ? start : o->start, EV_HEALTH, s, i, 1);
        if (o->end < end)
            ss_evq_schedule(s->q, o->end, EV_HEALTH, s, i, 0);
    }
    if (!karpenter) /* Karpenter polls on its own (ss_karp_new) */
        ss_evq_schedule(s->q, start, EV_SCAN, s, 0, 0);
    sched_trigger(s);
    if (tl) {
        /* the initial state is the "start" row, changes come after it */
        ss_k8s_account(&s->c, start);
        if (s->sc->sample_interval <= 0) {
            s->c.on_change = tl_change;
            s->c.change_ctx = s;
        }
        tl_event(s, "start");
        if (s->sc->sample_interval > 0)
            ss_evq_schedule(s->q, start + s->sc->sample_interval, EV_SAMPLE, s, 0, 0);
    }
    ss_evq_run_until(s->q, end);
    tl_event(s, "end");
    ss_fleet_finish(&s->f);
    if (trace)
        trace->events = ss_evq_dispatched(s->q);

    memset(out, 0, sizeof *out);
    ss_fleet_metrics(&s->f, start, end, out);
    if (s->tl)
        ss_fleet_tally(&s->f, s->tl);
    ss_k8s_avail_finish(&s->c, end, out);
    out->task_restarts = s->restarts;
    out->evictions = s->c.evictions;
    out->pdb_blocked_evictions = s->c.pdb_blocked;
    out->skew_violations = s->c.skew_violations;

    for (int g = 0; g < s->n_ng; g++)
        ss_asg_free(&s->ng[g].g);
    ss_karp_free(s->karp);
    ss_k8s_cluster_free(&s->c);
    ss_fleet_free(&s->f);
out_q:
    ss_evq_free(s->q);
    free(s->inst_node);
    free(s->notices);
    free(s->sd);
    free(s->sc);
    free(s);
    return rc;
}

int ss_k8s_simulate_traced(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                           const ss_policy *pol, ss_metrics *out, ss_k8s_trace *trace, ss_err *err)
{
    return simulate(sc, d, seed, replica, pol, out, trace, NULL, err);
}

int ss_k8s_simulate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                    const ss_policy *pol, ss_metrics *out, ss_timeline *tl, ss_err *err)
{
    return simulate(sc, d, seed, replica, pol, out, NULL, tl, err);
}
