/*
 * evaluate.h - evaluate one scenario: the pure function the optimizer calls.
 *
 *   metrics = ss_evaluate(scenario, data, seed, replica)
 *
 * Picks the orchestrator model (models/eval.h) and installs the scenario's
 * run-time decision rules (the zone-failure mitigations; models/policy.h).
 * No global state, no I/O, no clocks: same arguments, same bytes out, in any
 * thread, in any order.
 */
#ifndef SPOTSIM_EVALUATE_H
#define SPOTSIM_EVALUATE_H

#include <stdint.h>

#include "datasets/market_data.h"
#include "models/eval.h"
#include "models/k8s.h"
#include "models/metrics.h"
#include "models/ecs.h"
#include "models/scenario.h"
#include "policies/fleet_policy.h"

/* Evaluate one replica. tl may be NULL. Returns 0, or -1 with err set (a
 * scenario the models cannot run, e.g. a type with no price). */
int ss_evaluate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                ss_metrics *out, ss_timeline *tl, ss_err *err);

/* The ECS model of a scenario with its fleet rules installed (for callers
 * that inspect the model, e.g. `spotsim run`'s per-zone table). fp and pol
 * are caller-owned and must outlive the model (ss_ecs_free). */
ss_ecs *ss_evaluate_ecs_new(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                            ss_timeline *tl, ss_fp_state *fp, ss_policy *pol, ss_err *err);

/* A Kubernetes scenario with its decision trace (tests, benchmarks). */
int ss_evaluate_k8s_traced(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                           ss_metrics *out, ss_k8s_trace *trace, ss_err *err);

#endif
