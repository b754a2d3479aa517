/*
 * k8s_pdb.c - PodDisruptionBudget arithmetic (aws-semantics.md §4.2).
 *
 * Only one of the three fields is honoured, in the order minAvailable,
 * minAvailable%, maxUnavailable (the API rejects a PDB with both min and max;
 * a scenario that sets several is resolved deterministically this way).
 */
#include "models/k8s_pdb.h"

bool ss_pdb_present(const ss_deployment *d)
{
    return d->pdb_min_available >= 0 || d->pdb_min_available_pct >= 0 ||
           d->pdb_max_unavailable >= 0;
}

int ss_pdb_pct_round_up(int pct, int n)
{
    if (pct <= 0 || n <= 0)
        return 0;
    return (pct * n + 99) / 100;
}

int ss_pdb_desired_healthy(const ss_deployment *d, int replicas, int pods)
{
    if (d->pdb_min_available >= 0)
        return d->pdb_min_available; /* integer minAvailable: expected = pods */
    (void)pods;
    if (d->pdb_min_available_pct >= 0)
        return ss_pdb_pct_round_up(d->pdb_min_available_pct, replicas);
    if (d->pdb_max_unavailable >= 0) {
        int h = replicas - d->pdb_max_unavailable;
        return h > 0 ? h : 0;
    }
    return 0;
}

int ss_pdb_disruptions_allowed(const ss_deployment *d, int replicas, int pods, int healthy)
{
    if (!ss_pdb_present(d))
        return SS_PDB_UNLIMITED;
    int a = healthy - ss_pdb_desired_healthy(d, replicas, pods);
    return a > 0 ? a : 0;
}
