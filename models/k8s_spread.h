/*
 * k8s_spread.h - Kubernetes topologySpreadConstraints: the PodTopologySpread
 * filter (DoNotSchedule) and score (ScheduleAnyway), exactly as in
 * aws-semantics.md §4.1 (kube-scheduler plugins/podtopologyspread).
 *
 * The module is pure arithmetic over per-constraint domain counts that the
 * caller maintains incrementally (models/k8s_cluster.c keeps them up to date
 * on every bind, deletion and node change), so a placement costs
 * O(constraints x domains) and never recounts pods.
 *
 * Vocabulary (per constraint c):
 *   eligible node  a node that carries every topologyKey of the pod's
 *                  constraints, matches the pod's node selector when
 *                  nodeAffinityPolicy=Honor, and has no untolerated
 *                  NoSchedule/NoExecute taint when nodeTaintsPolicy=Honor;
 *   domain d       a value of the topologyKey; it exists only while at least
 *                  one eligible node carries it (nodes[d] > 0);
 *   pods[d]        matching, non-terminating pods on eligible nodes in d.
 */
#ifndef SPOTSIM_SPREAD_H
#define SPOTSIM_SPREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "models/scenario.h"

/* Domain counts of one constraint. Arrays have n_domains entries; a domain
 * with nodes[d] == 0 is invisible (as an empty ASG/zone is to kube-scheduler). */
typedef struct ss_spread_counts {
    int n_domains;
    int *pods;
    int *nodes;
} ss_spread_counts;

#define SS_SPREAD_MAX_NODE_SCORE 100

/* Number of visible domains (nodes[d] > 0). */
int ss_spread_num_domains(const ss_spread_counts *k);

/* globalMin of §4.1: 0 when fewer visible domains than minDomains (nil = 1),
 * else the minimum of pods[d] over visible domains (0 when there are none). */
int ss_spread_global_min(const ss_spread_constraint *c, const ss_spread_counts *k);

/* Skew the incoming pod would create in domain d:
 *   pods[d] + self_match - globalMin     (pods[d] = 0 for an unknown domain). */
int ss_spread_skew(const ss_spread_constraint *c, const ss_spread_counts *k, int d, bool self_match);

/* DoNotSchedule filter for one node: node_dom[i] is the node's domain for
 * constraint i (-1 = the node lacks the key: UnschedulableAndUnresolvable).
 * Constraints with schedule_anyway are not filters and are skipped; an
 * active[i] of false (may be NULL = all active) skips constraint i too.
 * gmin (may be NULL) holds precomputed global minima per constraint. */
bool ss_spread_filter(const ss_spread_constraint *cs, const bool *active, int n_c,
                      const ss_spread_counts *k, const int *node_dom, bool self_match,
                      const int *gmin);

/* ScheduleAnyway score (PreScore + Score + NormalizeScore) of n_nodes
 * candidate (already filtered) nodes. node_dom is row-major n_nodes x n_c.
 * Only ScheduleAnyway (and active) constraints count. For constraint c the
 * weight is ln(|domains_c| + 2) with |domains_c| the distinct domains among
 * the candidates that carry every key (for a per-node key, pass
 * per_node[c] = true: |domains| = number of such candidates);
 *   raw(n)  = round( sum_c pods_c[d_c(n)] * w_c + (maxSkew_c - 1) )
 *   out(n)  = 100 * (maxRaw + minRaw - raw(n)) / maxRaw   (integer division;
 *             100 for all when maxRaw = 0); candidates lacking a key get 0.
 * With no ScheduleAnyway constraint every candidate scores 0 (the plugin
 * is a no-op). tmp must hold n_nodes int64s. */
void ss_spread_score(const ss_spread_constraint *cs, const bool *active, int n_c,
                     const ss_spread_counts *k, const bool *per_node, const int *node_dom,
                     int n_nodes, int64_t *out, int64_t *tmp);

/* Eligibility of a node for counting under constraint c (§4.1):
 * has_all_keys, matches_affinity (node selector), taints_tolerated. */
bool ss_spread_node_eligible(const ss_spread_constraint *c, bool has_all_keys,
                             bool matches_affinity, bool taints_tolerated);

#endif
