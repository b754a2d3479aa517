/*
 * baseline.c - the all-On-Demand baseline as users understand it: the
 * scenario as written - the same service with the same policy (sizes,
 * scaling, placement, draining, Kubernetes spread and autoscaler) - run
 * entirely on On-Demand capacity and simulated over the same horizon with
 * the scenario's seed and replicas. One figure per scenario, used by `run`,
 * `optimize` (the recommendation's savings), `list`/`show` and the report.
 *
 * It is not the metric ondemand_baseline_usd, which bills the Spot fleet's
 * own instance lifetimes at On-Demand prices ("the same fleet billed
 * On-Demand"): that fleet has the replacements, overlaps and extra capacity
 * interruptions caused, which an On-Demand fleet would not have run.
 */
#include <stdlib.h>
#include <string.h>

#include "policies/evaluate.h"
#include "policies/baseline.h"

void ss_scenario_all_ondemand(const ss_scenario *sc, ss_scenario *out)
{
    if (out != sc)
        memcpy(out, sc, sizeof *out);
    for (int g = 0; g < out->n_asgs; g++) {
        ss_asg *a = &out->asgs[g];
        /* CreateAutoScalingGroup InstancesDistribution: 100 % On-Demand
         * above the base = no Spot at all (aws-semantics §1.2); a
         * Kubernetes node group is On-Demand through `spot: false` */
        a->od_percentage_above_base = 100;
        a->spot = false;
    }
    /* Karpenter: every NodePool's capacity-type requirement On-Demand only */
    for (int i = 0; i < out->k8s.karpenter.n_pools; i++)
        out->k8s.karpenter.pools[i].capacity_types = SS_KARP_OD;
}

int ss_ondemand_baseline(const ss_scenario *sc, const ss_data *d, int replicas, double *usd_month, ss_err *err)
{
    *usd_month = 0;
    if (replicas < 1)
        replicas = 1;
    ss_scenario *od = ss_malloc(sizeof *od);
    ss_scenario_all_ondemand(sc, od);
    double *cost = ss_calloc((size_t)replicas, sizeof *cost);
    int failed = 0;
    char first[1024] = "";
#pragma omp parallel for schedule(dynamic, 1)
    for (int k = 0; k < replicas; k++) {
        ss_metrics m;
        ss_err e2;
        if (ss_evaluate(od, d, od->seed, k, &m, NULL, &e2)) {
#pragma omp critical
            {
                if (!failed)
                    snprintf(first, sizeof first, "%s", e2.msg);
                failed = 1;
            }
        } else {
            cost[k] = m.cost_per_month_usd;
        }
    }
    int rc = 0;
    if (failed) {
        rc = ss_err_set(err, "all-On-Demand baseline: %s", first);
    } else {
        double s = 0; /* summed in replica order: the same bytes for any thread count */
        for (int k = 0; k < replicas; k++)
            s += cost[k];
        *usd_month = s / replicas;
    }
    free(cost);
    free(od);
    return rc;
}
