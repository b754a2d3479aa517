/*
 * optimize_eval.h - the simulator as the optimizer's evaluator, and the
 * perfect-foresight cost floor (see optimize_eval.c, docs/optimize.md).
 */
#ifndef SPOTSIM_OPTIMIZE_EVAL_H
#define SPOTSIM_OPTIMIZE_EVAL_H

#include "datasets/market_data.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "policies/search.h"

typedef struct ss_scenario_eval_ctx {
    const ss_scenario *base;
    const ss_space *space;
    const ss_data *data;
} ss_scenario_eval_ctx;

/* out = base with the candidate's parameters set (then validated). */
int ss_candidate_scenario(const ss_scenario *base, const ss_space *sp, const ss_candidate *c,
                          ss_scenario *out, ss_err *err);
/* ss_eval_fn over ss_evaluate (ctx: ss_scenario_eval_ctx). */
int ss_scenario_eval_fn(void *ctx, const ss_candidate *c, int replica, ss_metrics *out, ss_err *err);

/* Lower bound of the monthly cost: the required tasks/pods (desired count,
 * fractional packing) always on the cheapest pool per task - Spot pools with
 * price evidence at that instant, or On-Demand - never interrupted,
 * integrated over the horizon, scaled to 720 h. */
int ss_cost_floor(const ss_scenario *sc, const ss_data *d, double *usd_per_month, ss_err *err);

#endif
