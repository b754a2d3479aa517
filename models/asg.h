/*
 * asg.h - an EC2 Auto Scaling group with a MixedInstancesPolicy, driven by the
 * event kernel (aws-semantics.md §1). Shared by the ECS and Kubernetes models.
 *
 * What it does:
 *   - holds DesiredCapacity (units; instance weights = WeightedCapacity) and
 *     reconciles the group towards it: the §1.2 On-Demand/Spot split, AZ
 *     balancing first (§1.5: zone with the fewest instances of that purchase
 *     option), then the allocation strategy inside the zone (§1.3 Spot,
 *     §1.4 On-Demand), per-unit prices with weights;
 *   - launch failures (pool full per capacity trace, zone down, price above
 *     the max price): balanced-best-effort falls through to the next pool and
 *     then the other zones; balanced-only retries the same zone. Whatever
 *     could not launch is retried every asg.launch_retry;
 *   - replaces interrupted instances immediately when they leave `running`
 *     (at termination), or at the notice with Capacity Rebalancing (§1.6,
 *     item 7, whatever the new pool's risk); with Capacity Rebalancing a
 *     rebalance recommendation launches a replacement only into a pool not
 *     at elevated risk (the recommendation puts its own pool there for
 *     market.rebalance_risk_window) whose risk (ss_fleet_pool_risk) is
 *     same-or-better than the old instance's, else re-evaluates every
 *     asg.capacity_rebalance_poll (§1.6 step 2), and terminates the old
 *     instance once a replacement is registered (launch-before-terminate,
 *     may exceed MaxSize, documented);
 *   - AZRebalance (§1.5, asg.az_rebalance): when a zone outage ends or a
 *     pool's capacity grows, zones that differ by 2 or more instances are
 *     evened out, launch before terminate, within MaxSize + max(10 %, 1);
 *   - scale-in (§1.9): purchase option first (keep the split), then the zone
 *     with the most instances of it, then the termination policies (Default:
 *     lowest-price keeps the even spread over the SpotInstancePools cheapest
 *     pools), skipping scale-in-protected instances (§1.10);
 *   - lifecycle: launch request -> running after scenario.instance_launch ->
 *     registered (ECS container instance ACTIVE / node Ready) after
 *     scenario.instance_register.
 *
 * Run-time fleet rules (hooks.policy, models/policy.h) act on the group:
 * effective desired = desired + extra_spot + od_cover and effective
 * OnDemandBaseCapacity = base + od_cover (the fallback raises both, as a
 * controller calling UpdateAutoScalingGroup would), capped at MaxSize;
 * Spot launches skip zones the rule marks inactive; capacity launch
 * failures and Spot warnings are reported to it.
 *
 * The orchestrator sees the group through ss_asg_hooks. A termination the
 * group decides (scale-in, Capacity Rebalancing) first asks on_terminating:
 * returning true means "I drain first and call ss_asg_complete_lifecycle
 * later" (a termination lifecycle hook, e.g. ECS managed draining); false
 * means terminate now.
 *
 * Counting: "in-service" units are alive instances not `leaving`. A Spot
 * instance that got its notice stays counted until it terminates (no early
 * replacement) unless Capacity Rebalancing is on. The counts are kept
 * incrementally (ss_asg_group.cnt_*): an orchestrator must not write an
 * instance's `state` or `leaving` itself; it goes through the fleet and
 * group functions (ss_fleet_notice/terminate, ss_asg_set_desired,
 * ss_asg_complete_lifecycle), which keep the counts.
 */
#ifndef SPOTSIM_ASG_H
#define SPOTSIM_ASG_H

#include <stdbool.h>
#include <stdint.h>

#include "models/fleet.h"
#include "models/policy.h"

typedef struct ss_asg_hooks {
    void *ctx;
    void (*on_running)(void *ctx, ss_instance *in);
    void (*on_registered)(void *ctx, ss_instance *in);
    void (*on_notice)(void *ctx, ss_instance *in, ss_time deadline);
    void (*on_rebalance)(void *ctx, ss_instance *in);
    /* The group wants to terminate `in` (scale-in, rebalancing). Return true
     * to hold the termination until ss_asg_complete_lifecycle. */
    bool (*on_terminating)(void *ctx, ss_instance *in);
    void (*on_terminated)(void *ctx, ss_instance *in);
    /* A launch attempt failed (for the timeline); may be NULL. */
    void (*on_launch_failed)(void *ctx, int pool, ss_launch_block why);
    /* A launch request was made (instance PENDING); may be NULL. */
    void (*on_launched)(void *ctx, ss_instance *in);
    /* Run-time fleet rules (models/policy.h: launch_failed, spot_notice,
     * zone_active, extra_spot, od_cover, wake_at); NULL = none. */
    const ss_policy *policy;
} ss_asg_hooks;

typedef struct ss_asg_group {
    const ss_asg *cfg;           /* scenario.asgs[index] */
    int index;
    ss_fleet *f;
    ss_asg_hooks hooks;
    int desired;                 /* units, within [min, max] */
    int n_types, n_zones;
    int type_idx[SS_MAX_TYPES];  /* override order */
    int zone_idx[SS_MAX_ZONES];
    int *members;                /* ids of alive instances of the group */
    size_t n_members, cap_members;
    ss_ev_handle ev_retry;       /* pending launch retry */
    uint64_t rr;                 /* lowest-price round-robin / tie-break state */
    int64_t failed_launches;
    int64_t scale_in_blocked;    /* scale-ins refused: all remaining protected */
    /* Incremental counts of the counted members (alive, not leaving), kept
     * by asg.c at every change of state / leaving, so that reconciling and
     * choosing zones and pools costs O(zones + types), not O(members). */
    int cnt_units[2];            /* units: [0] On-Demand, [1] Spot */
    int cnt_instances, cnt_pending;
    int zone_pos[SS_MAX_ZONES];  /* zone index -> position in zone_idx, -1 */
    int zone_cnt[SS_MAX_ZONES][2]; /* by zone position: instances [0] OD, [1] Spot */
    int *pool_spot;              /* by pool: counted Spot instances */
    /* Scale-in victim index (asg_victims.h): per [2 * pool + spot], the
     * candidates (counted, unprotected) sorted by the termination policies'
     * instance-level order. */
    struct ss_victim_tree *vic;
    int vic_mode, vic_sec;
    ss_instance **scratch;       /* victim candidates (no allocation per scale-in) */
    size_t cap_scratch;
    bool *pool_ex;               /* launch_one: pools that failed (n_pools) */
    double *scores;              /* victim scores (scratch) */
    size_t cap_scores;
    ss_ev_handle ev_policy;      /* pending re-evaluation asked by the policy (wake_at) ... */
    ss_time policy_at;           /* ... and its time */
    ss_time policy_fired_at;     /* time of the latest such re-evaluation */
    bool cr_launch;              /* launching a Capacity Rebalancing replacement (asg.c) */
} ss_asg_group;

/* Set up a group from scenario.asgs[index] on the fleet (registers the
 * kernel handlers once per fleet). The group starts with desired =
 * cfg->desired_capacity and launches it at the current time. */
void ss_asg_init(ss_asg_group *g, ss_fleet *f, int index, const ss_asg_hooks *hooks);
void ss_asg_free(ss_asg_group *g);

/* Warm start: every PENDING instance becomes running and registered now
 * (the horizon starts with the group already in service). */
void ss_asg_warm_start(ss_asg_group *g);
/* Set DesiredCapacity (clamped to [min, max]) and reconcile now. */
void ss_asg_set_desired(ss_asg_group *g, int desired);
/* Launch / terminate towards the current desired capacity now. */
void ss_asg_reconcile(ss_asg_group *g);
/* Finish a termination held by on_terminating. */
void ss_asg_complete_lifecycle(ss_asg_group *g, ss_instance *in);
/* Scale-in protection of one instance (ECS managed termination protection). */
void ss_asg_set_protected(ss_asg_group *g, ss_instance *in, bool on);

/* In-service capacity (alive, not leaving), in units and instances. */
int ss_asg_capacity_units(const ss_asg_group *g);
void ss_asg_counts(const ss_asg_group *g, int *od_units, int *spot_units, int *pending_instances,
                   int *running_instances);

/* Pure choosers (exposed for tests). Zone for the next launch of the
 * purchase option (position in g->zone_idx order), or -1. */
int ss_asg_pick_zone(const ss_asg_group *g, bool spot, const bool *zone_excluded);
/* Pool for the next launch inside zone position z, or -1 when every pool
 * of the zone is excluded or blocked. excluded is indexed by pool. */
int ss_asg_pick_pool(const ss_asg_group *g, int z, bool spot, const bool *pool_excluded);
/* The instance a scale-in of one instance of the given purchase option
 * terminates (§1.9), or NULL when all candidates are protected. */
ss_instance *ss_asg_pick_victim(const ss_asg_group *g, bool spot);
/* The same choice by scoring every candidate of the zone (the reference
 * the victim index is tested against; O(members of the zone)). */
ss_instance *ss_asg_pick_victim_scan(const ss_asg_group *g, bool spot);

/* Per-unit price of a pool now (Spot price / weight, or On-Demand / weight). */
double ss_asg_unit_price(const ss_asg_group *g, int pool, bool spot);

#endif
