/*
 * karpenter.h - Karpenter (karpenter.sh v1, AWS provider) as the Kubernetes
 * provisioner instead of the cluster autoscaler (aws-semantics.md §4.4;
 * docs/kubernetes.md "Karpenter").
 *
 * The model launches EC2 instances straight into the shared fleet (Karpenter
 * calls CreateFleet itself; there is no Auto Scaling group) and keeps, per
 * instance, its NodeClaim state. The Kubernetes simulation (k8s_sim.c) owns
 * the cluster and the pods and hands Karpenter the few things it needs
 * through ss_karp_host; it tells Karpenter when pods stay pending, when a
 * pod comes to or leaves a node, and calls ss_karp_poll every 10 s (the
 * disruption controller's polling period).
 *
 * Mechanics, each cited where implemented in karpenter.c:
 *   - provisioning: pending pods are batched (BATCH_IDLE_DURATION 1 s,
 *     BATCH_MAX_DURATION 10 s); the capacity already launching and the free
 *     room on existing nodes are deducted; the rest is packed into
 *     NodeClaims of the highest-weight NodePool with room under its limits;
 *   - launch: Spot when the NodePool allows it and some Spot offering is not
 *     in the unavailable-offerings cache, else On-Demand; CreateFleet picks
 *     price-capacity-optimized (Spot) / lowest-price (On-Demand); offerings
 *     that fail for capacity are cached unavailable for 3 min and the
 *     NodeClaim fails (the pods trigger a new batch);
 *   - disruption: emptiness and single-node consolidation (delete, or
 *     replace by a cheaper node) after consolidateAfter, validated 15 s
 *     later, within the NodePool's disruption budget; Spot-to-Spot
 *     replacement only behind the feature gate and with >= 15 cheaper types;
 *     expiration after expireAfter;
 *   - interruption handling (SQS queue): on the Spot notice the node is
 *     cordoned and drained at once (through the PDB) and its pods count as
 *     pending for the provisioner, so the replacement is launched in parallel.
 */
#ifndef SPOTSIM_KARPENTER_H
#define SPOTSIM_KARPENTER_H

#include <stdbool.h>
#include <stdint.h>

#include "models/fleet.h"
#include "models/k8s.h"

/* Kernel event types of Karpenter (the orchestrator range 16..63 of
 * models/fleet.h; k8s_sim.c uses the first 16 of it). */
#define SS_EVT_KARP_FIRST 48

/* Disruption reasons (trace). */
typedef enum ss_karp_reason {
    SS_KARP_R_EMPTY = 0,  /* emptiness (both consolidation policies) */
    SS_KARP_R_DELETE,     /* underutilized: pods fit elsewhere */
    SS_KARP_R_REPLACE,    /* underutilized: a cheaper node replaces it */
    SS_KARP_R_EXPIRED,    /* expireAfter */
    SS_KARP_R_INTERRUPTED /* Spot interruption notice (interruption handling) */
} ss_karp_reason;

#define SS_KARP_TRACE_MAX 256
typedef struct ss_karp_trace {
    /* successful launches: time, fleet pool (type * n_zones + zone), Spot,
     * NodePool index, instance id */
    ss_time launch_t[SS_KARP_TRACE_MAX];
    int launch_pool[SS_KARP_TRACE_MAX], launch_np[SS_KARP_TRACE_MAX],
        launch_inst[SS_KARP_TRACE_MAX];
    bool launch_spot[SS_KARP_TRACE_MAX];
    int n_launch;
    /* offerings marked unavailable: time, pool, Spot */
    ss_time ice_t[SS_KARP_TRACE_MAX];
    int ice_pool[SS_KARP_TRACE_MAX];
    bool ice_spot[SS_KARP_TRACE_MAX];
    int n_ice;
    /* disruptions decided: time, instance id, reason */
    ss_time disrupt_t[SS_KARP_TRACE_MAX];
    int disrupt_inst[SS_KARP_TRACE_MAX];
    ss_karp_reason disrupt_reason[SS_KARP_TRACE_MAX];
    int n_disrupt;
    int64_t failed_nodeclaims; /* NodeClaims whose launch failed */
    int64_t batches;           /* provisioning batches run */
} ss_karp_trace;

/* What the Kubernetes simulation does for Karpenter. */
typedef struct ss_karp_host {
    void *ctx;
    /* The instance's kubelet registered: add the node (Ready); returns its id. */
    int (*node_registered)(void *ctx, ss_instance *in);
    /* Cordon the node and evict its pods through the PDB (retrying). */
    void (*drain)(void *ctx, int node);
    /* The instance is gone: delete its node (its pods get Pending replacements). */
    void (*instance_gone)(void *ctx, ss_instance *in);
    /* Run the scheduler now (the provisioner first places what fits on
     * existing nodes). */
    void (*schedule)(void *ctx);
    /* A timeline event (may be NULL). */
    void (*event)(void *ctx, const char *what);
} ss_karp_host;

typedef struct ss_karp ss_karp;

/* Set up Karpenter over the fleet and the cluster (registers its kernel
 * handlers and the fleet owners of NodePools 0..n_pools-1: the sim's
 * scenario copy has one node group (asgs[i]) per NodePool, for the node
 * labels). The first disruption poll is at the horizon start. */
ss_karp *ss_karp_new(const ss_scenario *sc, ss_fleet *f, ss_k8s_cluster *c, ss_evq *q,
                     const ss_karp_host *host, ss_karp_trace *trace);
void ss_karp_free(ss_karp *k);

/* After a scheduling pass that left pods pending: open or extend a batch. */
void ss_karp_pods_pending(ss_karp *k);
/* A pod was bound to / removed from node (consolidateAfter restarts). */
void ss_karp_pod_event(ss_karp *k, int node);
/* A pod object left node: a node Karpenter is deleting is terminated once
 * empty. Returns true if the node is Karpenter's. */
bool ss_karp_pod_left(ss_karp *k, int node);

#endif
