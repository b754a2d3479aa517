/*
 * baseline.h - the all-On-Demand baseline: the scenario as written - its
 * service and policy - simulated with no Spot capacity (policies/baseline.c).
 */
#ifndef SPOTSIM_BASELINE_H
#define SPOTSIM_BASELINE_H

#include "datasets/market_data.h"
#include "models/scenario.h"
#include "sim/kernel/util.h"

/* What the exact wording of the baseline is, wherever it is shown. */
#define SS_BASELINE_DEFINITION "the scenario as written, simulated all On-Demand"

/* out = sc with every ASG / node group all On-Demand (out may be sc). */
void ss_scenario_all_ondemand(const ss_scenario *sc, ss_scenario *out);
/* Mean cost_per_month_usd of the all-On-Demand scenario over replicas
 * 0..replicas-1 (the scenario's seed), in USD per 30-day month. */
int ss_ondemand_baseline(const ss_scenario *sc, const ss_data *d, int replicas, double *usd_month, ss_err *err);

#endif
