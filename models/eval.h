/*
 * eval.h - the orchestrator models' entry points and the timeline they record.
 *
 *   metrics = ss_ecs_simulate(scenario, data, seed, replica, policy)
 *
 * No global state, no I/O, no clocks: same arguments, same bytes out, in any
 * thread, in any order. The timeline (optional) records the fleet for charts.
 * ss_evaluate (policies/evaluate.h) picks the orchestrator and installs the
 * scenario's run-time decision rules (models/policy.h).
 */
#ifndef SPOTSIM_EVAL_H
#define SPOTSIM_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/market_data.h"
#include "models/metrics.h"
#include "models/policy.h"
#include "models/scenario.h"
#include "sim/kernel/util.h"

typedef struct ss_timeline_row {
    ss_time t;
    double required, healthy, desired, running, pending;
    int spot_instances, od_instances;
    /* USD billed up to t (ss_fleet_billed): Spot, On-Demand; the "end" row's
     * sum is the run's cost_usd */
    double spot_cost_usd, od_cost_usd;
    const char *event;   /* static string or NULL: "interruption", "outage-start", ... */
} ss_timeline_row;

/* Per pool of replica 0: what the data did not back and the launches
 * refused (docs/market.md, "the coverage rule"). */
typedef struct ss_pool_tally {
    double price_uncovered_hours;    /* Spot instance-hours before the first price record */
    double capacity_uncovered_hours; /* traces: Spot instance-hours outside the pool's traces */
    int64_t refused_price;           /* launches refused: Spot price above the max price */
    int64_t refused_capacity;        /* launches refused: no capacity */
} ss_pool_tally;

typedef struct ss_timeline {
    ss_timeline_row *rows;
    size_t n, cap;
    ss_pool_tally *pools;            /* by pool index, set at the end of the run */
    int n_pools;
} ss_timeline;

void ss_timeline_push(ss_timeline *tl, const ss_timeline_row *row);
void ss_timeline_free(ss_timeline *tl);

/* Simulate one replica. pol (run-time decision rules) and tl may be NULL.
 * Returns 0, or -1 with err set (a scenario the models cannot run, e.g. a
 * type with no price). */
int ss_ecs_simulate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                    const ss_policy *pol, ss_metrics *out, ss_timeline *tl, ss_err *err);
int ss_k8s_simulate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                    const ss_policy *pol, ss_metrics *out, ss_timeline *tl, ss_err *err);

#endif
