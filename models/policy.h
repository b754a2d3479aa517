/*
 * policy.h - how the models consult run-time decision rules without knowing
 * them: a table of optional callbacks and the rule's own state.
 *
 * A decision rule (a policy) acts during a run: the zone-failure
 * mitigations of the Kubernetes practice; On-Demand fallback,
 * over-provisioning and dynamic zone placement for Auto Scaling groups
 * (policies/fleet_policy.c). The rules themselves live in policies/ (the
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

    /* ---- Auto Scaling group rules (ECS/ASG fleets; models/asg.c calls them) ----
     * `group` is the index of the ASG in scenario.asgs, `zone` a market zone index. */
    /* A launch of the group failed for capacity (InsufficientInstanceCapacity)
     * in zone at t: the event an EventBridge rule on "EC2 Instance Launch
     * Unsuccessful" sees. */
    void (*launch_failed)(void *state, int group, int zone, bool spot, ss_time t);
    /* A Spot instance of the group in zone got its interruption warning at t. */
    void (*spot_notice)(void *state, int group, int zone, ss_time t);
    /* May the group launch Spot into zone now (dynamic placement)? */
    bool (*zone_active)(void *state, int group, int zone, ss_time t);
    /* Spot units to keep beyond the group's desired capacity (N_extra). */
    int (*extra_spot)(void *state, int group);
    /* Kubernetes node groups: the orchestrator asks od_cover for each
     * On-Demand node group with the Spot node groups' counts summed, and
     * raises that group's MinSize by the answer (models/k8s_sim.c).
     * On-Demand units to add (On-Demand fallback) now, given the Spot units
     * the group wants, those ready (registered, no interruption warning) and
     * those booting (launched, not yet registered). */
    int (*od_cover)(void *state, int group, int spot_wanted, int spot_ready, int spot_booting, ss_time t);
    /* The next time the group must ask od_cover again although nothing
     * changed in the group (a delay or hold expiring); SS_TIME_NEVER if none. */
    ss_time (*wake_at)(void *state, int group, ss_time t);
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

static inline void ss_pol_launch_failed(const ss_policy *p, int group, int zone, bool spot, ss_time t)
{
    if (p && p->ops->launch_failed)
        p->ops->launch_failed(p->state, group, zone, spot, t);
}
static inline void ss_pol_spot_notice(const ss_policy *p, int group, int zone, ss_time t)
{
    if (p && p->ops->spot_notice)
        p->ops->spot_notice(p->state, group, zone, t);
}
static inline bool ss_pol_zone_active(const ss_policy *p, int group, int zone, ss_time t)
{
    return !p || !p->ops->zone_active || p->ops->zone_active(p->state, group, zone, t);
}
static inline int ss_pol_extra_spot(const ss_policy *p, int group)
{
    return p && p->ops->extra_spot ? p->ops->extra_spot(p->state, group) : 0;
}
static inline bool ss_pol_has_od_cover(const ss_policy *p)
{
    return p && p->ops->od_cover;
}
static inline int ss_pol_od_cover(const ss_policy *p, int group, int spot_wanted, int spot_ready,
                                  int spot_booting, ss_time t)
{
    return p && p->ops->od_cover ? p->ops->od_cover(p->state, group, spot_wanted, spot_ready, spot_booting, t)
                                 : 0;
}
static inline ss_time ss_pol_wake_at(const ss_policy *p, int group, ss_time t)
{
    return p && p->ops->wake_at ? p->ops->wake_at(p->state, group, t) : SS_TIME_NEVER;
}

#endif
