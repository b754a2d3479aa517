/*
 * k8s_pdb.h - PodDisruptionBudget arithmetic (aws-semantics.md §4.2).
 *
 *   desiredHealthy = minAvailable                       (integer; expected = pod count)
 *                  | ceil(minAvailable% x expected)     (expected = controller scale)
 *                  | expected - maxUnavailable          (clamped >= 0)
 *   disruptionsAllowed = max(0, currentHealthy - desiredHealthy)
 *
 * Percentages round up (disruption.go getExpectedPodCount, roundUp = true).
 * A deployment without a budget allows any number of evictions.
 */
#ifndef SPOTSIM_PDB_H
#define SPOTSIM_PDB_H

#include <stdbool.h>

#include "models/scenario.h"

#define SS_PDB_UNLIMITED 1000000000

/* Whether the deployment has a budget at all. */
bool ss_pdb_present(const ss_deployment *d);

/* desiredHealthy for a deployment with `replicas` (controller scale) and
 * `pods` existing matching pods; 0 without a budget. */
int ss_pdb_desired_healthy(const ss_deployment *d, int replicas, int pods);

/* disruptionsAllowed given currentHealthy; SS_PDB_UNLIMITED without a budget. */
int ss_pdb_disruptions_allowed(const ss_deployment *d, int replicas, int pods, int healthy);

/* Ceil(pct x n / 100) for 0 <= pct <= 100, exact in integers. */
int ss_pdb_pct_round_up(int pct, int n);

#endif
