/*
 * policy.h - how the models consult run-time decision rules without knowing
 * them: a table of optional callbacks and the rule's own state.
 *
 * A decision rule (a policy) acts during a run: the zone-failure
 * mitigations of the Kubernetes practice today, On-Demand fallback and
 * dynamic placement to come. The rules themselves live in policies/ (the
 * choices); the models (the mechanics) only call through this table, so
 * models/ never includes policies/. A NULL policy, or a NULL callback, means
 * "no rule": the static configuration of the scenario alone.
 *
 * Contract for implementers: callbacks are pure functions of the state and
 * the arguments (no I/O, no global state, no clocks), so an evaluation stays
 * a pure function of (scenario, candidate, seed, data). Queries take the
 * current simulated time and may apply changes that fell due before it.
 */
#ifndef SPOTSIM_POLICY_H
#define SPOTSIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/kernel/simtime.h"

typedef struct ss_policy_ops {
    const char *name;
    /* ---- observations the model reports ---- */
    /* A zone incident begins (begin = true) or ends at t, as operators see it. */
    void (*zone_incident)(void *state, int zone, bool begin, ss_time t);
    /* The observed Spot interruption rate (per Spot node-hour) at t. */
    void (*observe_spot_rate)(void *state, double rate, ss_time t);
    /* ---- decisions the model asks for ---- */
    /* Kubernetes: are the pods' zone topology-spread constraints suspended? */
    bool (*zone_spread_dropped)(void *state, ss_time t);
    /* Kubernetes: has the zone's node group left autoscaling? */
    bool (*zone_removed)(void *state, int zone, ss_time t);
    /* Kubernetes: are Spot node groups barred from scale-up? */
    bool (*spot_scale_up_blocked)(void *state, ss_time t);
    /* Kubernetes: is cluster-autoscaler scale-down suspended? */
    bool (*scale_down_suspended)(void *state, ss_time t);
} ss_policy_ops;

typedef struct ss_policy {
    const ss_policy_ops *ops;
    void *state;
} ss_policy;

/* Null-safe calls: a missing policy or callback means "no rule". */
static inline void ss_pol_zone_incident(const ss_policy *p, int zone, bool begin, ss_time t)
{
    if (p && p->ops->zone_incident)
        p->ops->zone_incident(p->state, zone, begin, t);
}
static inline void ss_pol_observe_spot_rate(const ss_policy *p, double rate, ss_time t)
{
    if (p && p->ops->observe_spot_rate)
        p->ops->observe_spot_rate(p->state, rate, t);
}
static inline bool ss_pol_zone_spread_dropped(const ss_policy *p, ss_time t)
{
    return p && p->ops->zone_spread_dropped && p->ops->zone_spread_dropped(p->state, t);
}
static inline bool ss_pol_zone_removed(const ss_policy *p, int zone, ss_time t)
{
    return p && p->ops->zone_removed && p->ops->zone_removed(p->state, zone, t);
}
static inline bool ss_pol_spot_scale_up_blocked(const ss_policy *p, ss_time t)
{
    return p && p->ops->spot_scale_up_blocked && p->ops->spot_scale_up_blocked(p->state, t);
}
static inline bool ss_pol_scale_down_suspended(const ss_policy *p, ss_time t)
{
    return p && p->ops->scale_down_suspended && p->ops->scale_down_suspended(p->state, t);
}

#endif
