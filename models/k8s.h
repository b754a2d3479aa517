/*
 * k8s.h - the Kubernetes model: nodes, pods, the scheduler, the interruption
 * handler and the cluster autoscaler (aws-semantics.md §4, modeling-notes §4).
 *
 * Layers:
 *   ss_k8s_cluster   (k8s_cluster.c) the API-server state: nodes with labels,
 *                    taints and allocatable; pods Pending / bound / Ready /
 *                    terminating; incremental per-domain spread counts; the
 *                    scheduler (filter: resources, taints, node selector,
 *                    topology spread; score: 2 x spread + 1 x least-allocated);
 *                    pending pod-time, healthy-pod and SLO accounting. It
 *                    knows nothing of the event kernel and is tested alone.
 *   ss_k8s_simulate  (k8s_sim.c, declared in models/eval.h) drives the cluster
 *                    on the kernel with the shared fleet and one Auto Scaling
 *                    group per node group (models/fleet.h, models/asg.h).
 *
 * Node labels come from the node group (scenario.asgs[i]) and the instance:
 *   topology.kubernetes.io/zone       zone name
 *   node.kubernetes.io/instance-type  instance type name
 *   <capacity_type_label>             SPOT | ON_DEMAND (EKS capacityType)
 *   karpenter.sh/capacity-type        spot | on-demand
 *   eks.amazonaws.com/nodegroup       node group name
 *   kubernetes.io/hostname            the node itself (one domain per node)
 *   plus the group's own labels (asgs[i].labels).
 */
#ifndef SPOTSIM_K8S_H
#define SPOTSIM_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/avail.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "models/k8s_spread.h"
#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

#define SS_K8S_ZONE_KEY "topology.kubernetes.io/zone"
#define SS_K8S_HOSTNAME_KEY "kubernetes.io/hostname"

typedef enum ss_k8s_pod_state {
    SS_POD_PENDING = 0,   /* unschedulable or not yet scheduled */
    SS_POD_STARTING,      /* bound, starting (pod_startup latency) */
    SS_POD_READY,         /* running and ready */
    SS_POD_TERMINATING,   /* deletionTimestamp set: not counted, not healthy */
    SS_POD_GONE           /* deleted */
} ss_k8s_pod_state;

typedef struct ss_k8s_pod {
    ss_k8s_pod_state state;
    int node;               /* -1 unless bound */
    int slot;               /* position in the node's pod list */
    ss_time created;
    uint64_t ev;            /* pending kernel event (ready / deletion), 0 = none */
} ss_k8s_pod;

typedef struct ss_k8s_node {
    int group, zone, type;  /* node group (asg index), market zone/type indices */
    bool spot;
    int inst;               /* fleet instance id, -1 if none */
    double alloc_cpu, alloc_mem, used_cpu, used_mem;
    int *pods;              /* pod ids bound (incl. terminating) */
    int n_pods, cap_pods;
    int dom[SS_MAX_SPREAD]; /* domain per constraint, -1 = lacks the key */
    bool elig[SS_MAX_SPREAD]; /* counted for constraint c */
    bool live;              /* registered and not deleted */
    bool ready;             /* false while NotReady (zone outage) */
    bool cordoned;
    bool draining;          /* evictions in progress */
    bool untolerated;       /* a NoSchedule/NoExecute taint the pods do not tolerate */
    bool selector_ok;       /* matches the pods' node selector */
    int ready_pods;         /* pods READY on it */
    ss_time unneeded_since; /* cluster autoscaler, SS_TIME_NEVER = needed */
    ss_time notready_since;
    ss_time created;        /* registration (node object creation) */
    bool virt;              /* a what-if node of the autoscaler (never live) */
    int live_pos;           /* position in cluster.live (when live) */
    int slots;              /* pods of the deployment an empty node holds */
    int64_t aux;            /* simulation bookkeeping (e.g. pending handler event) */
    int hyp_pods;           /* pods placed here by a what-if simulation (0 outside one) */
    uint64_t mv_version;    /* cluster version of the cached movability answer (0 = none) */
    bool mv_ok;
    int cls;                /* scheduler index class (same spread domains), -1 = none */
    bool in_under, in_room; /* members of cluster.under / cluster.room */
} ss_k8s_node;

/* Scheduler index (k8s_cluster.c): nodes with the same spread domains form
 * a class; a segment tree over the live-list positions keeps, per class,
 * the best least-allocated score among the nodes that pass every
 * node-level filter (Ready, not cordoned, taints, selector, resources),
 * how many share it and the lowest id among them. */
#define SS_K8S_MAX_CLASSES 64
typedef struct ss_k8s_seg {
    int32_t la, cnt, min_id;
} ss_k8s_seg;

/* A set of live nodes: a bitmap over live-list positions (read in
 * live-list order in O(live nodes / 64 + members)). */
typedef struct ss_k8s_nodeset {
    uint64_t *bits;
    size_t cap;                     /* words */
    int n;                          /* members */
} ss_k8s_nodeset;

typedef struct ss_k8s_cluster {
    const ss_scenario *sc;
    const ss_deployment *dep;
    int n_c;
    ss_spread_constraint cs[SS_MAX_SPREAD];
    bool active[SS_MAX_SPREAD];     /* false: dropped (zone-failure mitigation 1) */
    bool per_node[SS_MAX_SPREAD];   /* hostname key */
    bool is_zone[SS_MAX_SPREAD];
    ss_spread_counts k[SS_MAX_SPREAD];
    size_t cap_dom[SS_MAX_SPREAD];
    char (*dom_name[SS_MAX_SPREAD])[SS_NAME_MAX]; /* interned values (not for hostname) */
    ss_k8s_node *nodes;
    int n_nodes, cap_nodes;
    int *live;                      /* ids of live nodes (unordered) */
    int *live_group;                /* their node groups, by live-list position */
    int n_live;
    int n_notready;                 /* live nodes not Ready */
    ss_k8s_pod *pods;
    int n_pods, cap_pods;
    int *pending;                   /* FIFO of pending pod ids: [head, n) */
    int pending_head, n_pending_q, cap_pending;
    int n_pending, n_live_pods, n_ready, healthy;
    int required, demand;           /* SLO minimum and demanded pods (constant) */
    /* Availability, served fraction, shortfalls and pending pod-time
     * (models/avail.h), synchronised lazily by ss_k8s_account. */
    ss_avail av;
    /* Optional observer: called by ss_k8s_account when the healthy, pending
     * or running count changed at t (timeline rows "per change"). */
    void (*on_change)(void *ctx, ss_time t);
    void *change_ctx;
    int64_t binds, skew_violations, evictions, pdb_blocked, restarts;
    uint64_t version;               /* bumped by every change the scheduler can see */
    /* Ties between equally scored nodes (kube-scheduler selectHost picks
     * uniformly among them): drawn from the keyed stream (tie_seed,
     * tie_replica, n_ties) when random_ties, else the lowest node id. */
    bool random_ties;
    uint64_t tie_seed;
    int tie_replica;
    uint64_t n_ties;
    /* Scheduler index (see ss_k8s_seg); fast = false when a constraint
     * has a per-node key or the classes exceed SS_K8S_MAX_CLASSES: the
     * scheduler then walks every live node. Every change of a node's
     * requests, pod count, readiness or cordon goes through the functions
     * below, which keep the index up to date. */
    bool fast;
    int n_cls;
    int cls_dom[SS_K8S_MAX_CLASSES][SS_MAX_SPREAD];
    int seg_cap;                    /* leaves (a power of two) */
    ss_k8s_seg *seg[SS_K8S_MAX_CLASSES]; /* per class, 2 x seg_cap entries */
    int *seg_leaf;                  /* class stored at each leaf, -1 = none */
    /* Live nodes below the scale-down utilisation threshold and live nodes
     * Ready, not cordoned, with room for one more pod (n_pods < slots):
     * what the autoscaler's scale-down and scale-up look at, maintained on
     * every bind, delete, readiness change and cordon. */
    ss_k8s_nodeset under, room;
    ss_k8s_nodeset room_group[SS_MAX_ASGS]; /* room, per node group */
    /* scratch for the scheduler */
    int *cand;
    int64_t *score, *tmp;
    int *cand_dom;
    size_t cap_cand;
} ss_k8s_cluster;

/* Label value of key on a node of group g in zone z of type t (NULL when the
 * node lacks the key). buf holds SS_NAME_MAX bytes. The hostname key returns
 * "" (per-node domain, handled by the caller). */
const char *ss_k8s_label(const ss_scenario *sc, int group, int zone, int type, bool spot,
                         const char *key, char *buf);
/* Whether nodes of group g carry a NoSchedule/NoExecute taint the
 * deployment does not tolerate, and whether they match its node selector. */
bool ss_k8s_group_untolerated(const ss_scenario *sc, int group);
bool ss_k8s_group_selector_ok(const ss_scenario *sc, int group, int zone, int type, bool spot);

void ss_k8s_cluster_init(ss_k8s_cluster *c, const ss_scenario *sc, ss_time t0);
void ss_k8s_cluster_free(ss_k8s_cluster *c);

/* Integrate the accounting up to now (call before every change; the
 * mutators below do it themselves): the counts as they stand are the
 * values since the previous call (every change happens right after a
 * call), so they are handed to ss_avail at that time, then integrated. */
void ss_k8s_account(ss_k8s_cluster *c, ss_time now);

/* A node registers (Ready). Returns its id. */
int ss_k8s_node_add(ss_k8s_cluster *c, ss_time now, int group, int zone, int type, bool spot,
                    double cpu, double mem, int inst);
/* Domain of a node group's template node for constraint i (interning it),
 * -1 when it lacks the key; for the hostname key returns -2 (a new node). */
int ss_k8s_template_domain(ss_k8s_cluster *c, int group, int zone, int type, bool spot, int i);
void ss_k8s_node_set_ready(ss_k8s_cluster *c, ss_time now, int node, bool ready);
void ss_k8s_node_cordon(ss_k8s_cluster *c, int node);
void ss_k8s_node_uncordon(ss_k8s_cluster *c, int node);
/* The node object is deleted (instance gone): its pods are deleted; those
 * not yet terminating get a Pending replacement at once (returned count). */
int ss_k8s_node_remove(ss_k8s_cluster *c, ss_time now, int node);

/* A new Pending pod (a ReplicaSet replacement). Returns its id. */
int ss_k8s_pod_new(ss_k8s_cluster *c, ss_time now);
/* The scheduler's choice for one identical pod of the deployment now, or -1
 * (Pending). Does not bind. */
int ss_k8s_pick_node(ss_k8s_cluster *c);
/* The same choice by walking every live node (the reference the index must
 * agree with; the scheduler itself uses it when the index is off). */
int ss_k8s_pick_node_scan(ss_k8s_cluster *c);

/* Cluster Autoscaler scale-down eligibility by utilisation: max(cpu, memory)
 * requests of the node's pods (terminating ones included) over allocatable
 * below scale_down_utilization_threshold. */
bool ss_k8s_node_underutilized(const ss_k8s_cluster *c, const ss_k8s_node *n);
/* The live nodes that are underutilized (ss_k8s_underutilized) or Ready, not
 * cordoned and with room for one more pod by count (n_pods < slots;
 * ss_k8s_with_room), written to out (room for n_live ids) in live-list
 * order; returns how many. */
int ss_k8s_underutilized(const ss_k8s_cluster *c, int *out);
int ss_k8s_with_room(const ss_k8s_cluster *c, int *out);
/* The nodes of ss_k8s_with_room in node group g, in live-list order, with
 * their group and index class (-1 when the index is off), read from arrays
 * by live-list position. */
typedef struct ss_k8s_cand {
    int id, group, cls;
} ss_k8s_cand;
int ss_k8s_room_cands(const ss_k8s_cluster *c, int g, ss_k8s_cand *out);
/* Bind pod (Pending) to node (STARTING). */
void ss_k8s_bind(ss_k8s_cluster *c, ss_time now, int pod, int node);
void ss_k8s_pod_ready(ss_k8s_cluster *c, ss_time now, int pod);
/* Set the deletion timestamp (eviction or node loss): the pod stops counting
 * and is no longer healthy; a replacement is created (returned) when
 * replace is true. */
int ss_k8s_pod_terminate(ss_k8s_cluster *c, ss_time now, int pod, bool replace);
/* The pod object is removed: its resources are freed. */
void ss_k8s_pod_delete(ss_k8s_cluster *c, ss_time now, int pod);

/* Cluster Autoscaler's scale-down check: could every pod of `node` (bound,
 * not terminating) be rescheduled on the other nodes if it were removed?
 * Runs the scheduler (filter: Ready, not cordoned, taints, node selector,
 * resources, DoNotSchedule spread) pod by pod on a what-if state: the node
 * and its pods taken out of their domains, each placed pod added to its
 * target. The state is restored; the answer is cached until the cluster
 * changes. */
bool ss_k8s_node_movable(ss_k8s_cluster *c, int node);

/* ---- Cluster Autoscaler what-if placement (scale-up simulation) --------
 * Virtual nodes (template copies of upcoming or new nodes) are appended to
 * c->nodes, counted in their spread domains but never live (the scheduler
 * never sees them); pods placed in the what-if only change requests and
 * domain counts. ss_k8s_whatif_revert undoes everything after a mark, so
 * the cluster is restored exactly (as CA forks and reverts its snapshot). */
typedef struct ss_k8s_whatif_step {
    int node;
    double cpu0, mem0;
} ss_k8s_whatif_step;
typedef struct ss_k8s_whatif {
    int n_nodes0;                   /* c->n_nodes before any virtual node */
    ss_k8s_whatif_step *steps;
    int n_steps;
    size_t cap_steps;
    bool spread;                    /* filter by DoNotSchedule spread */
} ss_k8s_whatif;
typedef struct ss_k8s_whatif_mark {
    int n_nodes, n_steps;
} ss_k8s_whatif_mark;
void ss_k8s_whatif_begin(ss_k8s_cluster *c, ss_k8s_whatif *w, bool spread);
/* A virtual Ready node of a group (template labels); returns its id. */
int ss_k8s_whatif_node(ss_k8s_cluster *c, ss_k8s_whatif *w, int group, int zone, int type, bool spot,
                       double cpu, double mem);
/* Global minima of the active constraints now (pass to ss_k8s_whatif_fits;
 * valid until the next placement). */
void ss_k8s_whatif_gmin(const ss_k8s_cluster *c, int *gmin);
/* Whether one pod of the deployment passes the scheduler's filters on node
 * (Ready, not cordoned, taints, selector, resources, DoNotSchedule spread
 * when w->spread). */
bool ss_k8s_whatif_fits(const ss_k8s_cluster *c, const ss_k8s_whatif *w, int node, const int *gmin);
void ss_k8s_whatif_place(ss_k8s_cluster *c, ss_k8s_whatif *w, int node);
ss_k8s_whatif_mark ss_k8s_whatif_save(const ss_k8s_cluster *c, const ss_k8s_whatif *w);
void ss_k8s_whatif_revert(ss_k8s_cluster *c, ss_k8s_whatif *w, ss_k8s_whatif_mark m);
/* Revert everything and free the scratch. */
void ss_k8s_whatif_end(ss_k8s_cluster *c, ss_k8s_whatif *w);

/* Enable / disable constraint i (mitigation 1); returns true if it changed. */
bool ss_k8s_set_active(ss_k8s_cluster *c, int i, bool on);
/* Skew of constraint i now: max over visible domains of count - globalMin. */
int ss_k8s_skew(const ss_k8s_cluster *c, int i);
/* How many of the deployment's pods fit on an empty node of cpu x mem. */
int ss_k8s_pods_per_node(const ss_k8s_cluster *c, double cpu, double mem);

/* Full recount of everything maintained incrementally; -1 with err naming
 * the first inconsistency (tests, debugging). */
int ss_k8s_check(const ss_k8s_cluster *c, ss_err *err);

/* Close the accounting at end: availability, served_fraction, shortfall_*
 * and pending_task_hours of out (models/avail.h definitions). */
void ss_k8s_avail_finish(ss_k8s_cluster *c, ss_time end, ss_metrics *out);
/* Pods bound to a node and not terminating (starting or ready). */
int ss_k8s_running(const ss_k8s_cluster *c);

/* Optional record of cluster-autoscaler decisions (tests, reports). */
#define SS_K8S_TRACE_MAX 256
typedef struct ss_k8s_trace {
    ss_time scaleup_t[SS_K8S_TRACE_MAX];
    int scaleup_group[SS_K8S_TRACE_MAX], scaleup_nodes[SS_K8S_TRACE_MAX];
    int n_scaleup;
    ss_time backoff_t[SS_K8S_TRACE_MAX];
    int backoff_group[SS_K8S_TRACE_MAX];
    ss_time backoff_until[SS_K8S_TRACE_MAX];
    int n_backoff;
    /* instances CA deleted because they did not register within
     * max_node_provision_time (removeOldUnregisteredNodes) */
    ss_time unreg_delete_t[SS_K8S_TRACE_MAX];
    int unreg_delete_group[SS_K8S_TRACE_MAX];
    int n_unreg_delete;
    /* scale-down: nodes cordoned for a drain, drains given up after
     * max_pod_eviction_time, NotReady nodes removed, scans skipped because
     * the cluster was unhealthy (IsClusterHealthy false) */
    int64_t sd_cordons, sd_failed, sd_unready_removed, unhealthy_scans;
    ss_time sd_removed_t[SS_K8S_TRACE_MAX];
    int sd_removed_node[SS_K8S_TRACE_MAX];
    int n_sd_removed;
    uint64_t events;        /* kernel events dispatched */
    struct ss_karp_trace *karp; /* optional Karpenter record (models/karpenter.h) */
} ss_k8s_trace;

struct ss_data;
struct ss_metrics;
struct ss_policy;
/* ss_k8s_simulate (models/eval.h) with an optional decision trace. */
int ss_k8s_simulate_traced(const ss_scenario *sc, const struct ss_data *d, uint64_t seed,
                           int replica, const struct ss_policy *pol, struct ss_metrics *out,
                           ss_k8s_trace *trace, ss_err *err);

#endif
