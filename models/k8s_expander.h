/*
 * k8s_expander.h - cluster-autoscaler expanders (aws-semantics.md §4.3): which
 * node group to scale up when several could hold the pending pods.
 *
 *   random       uniform among all options
 *   most-pods    the option that schedules the most pending pods
 *   least-waste  lowest idle CPU fraction + idle memory fraction after the
 *                scale-up (CA's waste.go sums the two fractions)
 *   price        lowest price per scheduled pod: node_count x price / pods
 *                (CA's price expander exists for GCE only; this is the
 *                simplified AWS analogue, documented in docs/kubernetes.md)
 *   priority     highest priority number
 *
 * Ties (within 1e-9 relative) are broken uniformly at random by the caller's
 * draw u in [0,1), which it takes from a seeded stream: the choice is then a
 * pure function of the options and u.
 */
#ifndef SPOTSIM_EXPANDER_H
#define SPOTSIM_EXPANDER_H

#include "models/scenario.h"

typedef struct ss_expander_option {
    int group;                  /* caller's node group index (not used here) */
    int node_count;             /* nodes the scale-up adds (>= 1) */
    int pods;                   /* pending pods those nodes would hold */
    double node_cpu, node_mem;  /* allocatable of one node */
    double pods_cpu, pods_mem;  /* summed requests of those pods */
    double price_per_hour;      /* of one node */
    int priority;
} ss_expander_option;

/* Index of the chosen option in opts, or -1 when n == 0. */
int ss_expander_choose(ss_expander kind, const ss_expander_option *opts, int n, double u);

/* The metric an expander minimises for an option (most-pods and priority are
 * negated), exposed for tests and reports. */
double ss_expander_cost(ss_expander kind, const ss_expander_option *o);

const char *ss_expander_name(ss_expander kind);

#endif
