/*
 * metrics.h - what one evaluation of a scenario reports.
 *
 * The list is an X-macro so that the struct, the results tables' columns, the
 * JSON and CSV outputs and the optimizer's objective names all come from one
 * place. X(name, type, unit, description); type is D (double) or I (int64).
 * Append only: column order is part of the results-store contract.
 */
#ifndef SPOTSIM_METRICS_H
#define SPOTSIM_METRICS_H

#include <stdint.h>

#define SS_METRICS(X)                                                                          \
    X(cost_usd, D, "USD", "total fleet cost over the horizon")                                 \
    X(spot_cost_usd, D, "USD", "cost of Spot instances")                                       \
    X(od_cost_usd, D, "USD", "cost of On-Demand instances")                                    \
    X(cost_per_month_usd, D, "USD/month", "cost scaled to a 30-day month")                     \
    X(ondemand_baseline_usd, D, "USD", "the same fleet shape billed all On-Demand")            \
    X(savings_ratio, D, "x", "on-demand baseline / cost")                                      \
    X(availability, D, "fraction", "fraction of time healthy >= SLO minimum")                 \
    X(served_fraction, D, "fraction", "integral of min(healthy,demand) / integral of demand")  \
    X(shortfall_episodes, I, "count", "maximal intervals with healthy < SLO minimum")          \
    X(shortfall_p50_s, D, "s", "median shortfall episode length")                              \
    X(shortfall_p95_s, D, "s", "95th percentile shortfall episode length")                     \
    X(shortfall_max_s, D, "s", "longest shortfall episode")                                    \
    X(shortfall_task_hours, D, "task-h", "integral of max(0, required - healthy)")              \
    X(interruptions, I, "count", "Spot interruption notices received by the fleet")            \
    X(rebalance_recommendations, I, "count", "rebalance recommendations received")             \
    X(task_restarts, I, "count", "tasks/pods stopped by interruptions and started again")     \
    X(launches, I, "count", "instances launched")                                              \
    X(failed_launches, I, "count", "launch attempts that failed (any cause)")                  \
    X(spot_instance_hours, D, "h", "Spot instance-hours")                                      \
    X(od_instance_hours, D, "h", "On-Demand instance-hours")                                   \
    X(pending_task_hours, D, "task-h", "time tasks/pods spent pending")                        \
    X(evictions, I, "count", "pod evictions (Kubernetes)")                                     \
    X(pdb_blocked_evictions, I, "count", "evictions refused by a PodDisruptionBudget")         \
    X(skew_violations, I, "count", "placements observed above maxSkew (Kubernetes)")           \
    X(uncovered_pool_hours, D, "h", "Spot instance-hours in pools without evidence")           \
    X(horizon_hours, D, "h", "simulated horizon")                                            \
    X(price_uncovered_hours, D, "h", "Spot instance-hours before a pool's first price record")  \
    X(capacity_uncovered_hours, D, "h", "traces: Spot instance-hours outside the pool's traces") \
    X(refused_price, I, "count", "launches refused: Spot price above the max price")           \
    X(refused_capacity, I, "count", "launches refused: no capacity (InsufficientInstanceCapacity)")

#define SS_METRIC_TYPE_D double
#define SS_METRIC_TYPE_I int64_t

typedef struct ss_metrics {
#define SS_X_FIELD(name, type, unit, desc) SS_METRIC_TYPE_##type name;
    SS_METRICS(SS_X_FIELD)
#undef SS_X_FIELD
} ss_metrics;

enum ss_metric_id {
#define SS_X_ENUM(name, type, unit, desc) SS_METRIC_##name,
    SS_METRICS(SS_X_ENUM)
#undef SS_X_ENUM
    SS_METRIC_COUNT
};

typedef struct ss_metric_info {
    const char *name, *unit, *description;
    int is_int;
} ss_metric_info;

extern const ss_metric_info ss_metric_table[SS_METRIC_COUNT];

/* Value of metric id as a double; -1 when the name is unknown for lookup. */
double ss_metrics_get(const ss_metrics *m, int id);
void ss_metrics_set(ss_metrics *m, int id, double v);
int ss_metric_lookup(const char *name);

#endif
