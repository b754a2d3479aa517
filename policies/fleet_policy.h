/*
 * fleet_policy.h - run-time rules for a Spot Auto Scaling group beyond what
 * AWS offers natively (docs/policies.md):
 *
 *   On-Demand fallback   a controller (an EventBridge rule on "EC2 Instance
 *                        Launch Unsuccessful" and/or "EC2 Spot Instance
 *                        Interruption Warning" invoking a Lambda function)
 *                        raises the group's DesiredCapacity and
 *                        OnDemandBaseCapacity together by the cover, so the
 *                        group keeps retrying Spot while On-Demand covers the
 *                        shortfall; once the Spot part has been at full
 *                        strength for spot_healthy_time (and the fallback
 *                        has lasted min_hold), it lowers both again and the
 *                        group's scale-in removes On-Demand first (§1.9).
 *                        Kubernetes node groups (fallback_group): the
 *                        rule watches every Spot node group and the cover
 *                        raises the MinSize of the On-Demand node group
 *                        fallback_group instead (models/k8s_sim.c).
 *   Over-provisioning    N_extra Spot instances (and tasks) beyond the SLO.
 *   SpotHedge placement  zones are active or preempted: a zone whose Spot
 *                        instance got a warning or whose Spot launch failed
 *                        for capacity becomes preempted; Spot launches go to
 *                        active zones only (spread by the group's AZ
 *                        balancing); a preempted zone becomes active after
 *                        zone_quiet without a new event; when no zone is
 *                        active, all become active again (SkyServe/SpotHedge,
 *                        EuroSys'25, §4 "dynamic placement").
 *
 * The state is per evaluation; every callback is a pure function of it and
 * its arguments (models/policy.h).
 */
#ifndef SPOTSIM_FLEET_POLICY_H
#define SPOTSIM_FLEET_POLICY_H

#include <stdbool.h>

#include "models/policy.h"
#include "models/scenario.h"

#define SS_FP_MAX_WARNINGS 64

typedef struct ss_fp_state {
    ss_fleet_policy p;
    int n_zones;
    /* SpotHedge placement */
    bool preempted[SS_MAX_ZONES];
    ss_time last_event[SS_MAX_ZONES];
    /* On-Demand fallback */
    ss_time pending_at;              /* detection fires at; SS_TIME_NEVER = none */
    bool active;
    ss_time active_since;
    int cover;                       /* On-Demand units requested now */
    ss_time healthy_since;           /* Spot at full strength since; SS_TIME_NEVER = not */
    ss_time warnings[SS_FP_MAX_WARNINGS]; /* recent warning times (ring) */
    int n_warnings, next_warning;
} ss_fp_state;

/* Is any rule of the scenario's policy block on? */
bool ss_fp_enabled(const ss_fleet_policy *p);
void ss_fp_init(ss_fp_state *s, const ss_fleet_policy *p, int n_zones);
ss_policy ss_fp_policy(ss_fp_state *s);

/* The rules, callable directly (tests). */
void ss_fp_launch_failed(ss_fp_state *s, int zone, bool spot, ss_time t);
void ss_fp_spot_notice(ss_fp_state *s, int zone, ss_time t);
bool ss_fp_zone_active(ss_fp_state *s, int zone, ss_time t);
/* The cover grows at once to ceil(cover x (wanted - ready - booting)): a
 * Spot instance already booting is ready no later than an On-Demand one
 * launched now; it shrinks to ceil(cover x (wanted - ready)) once that has
 * held for spot_healthy_time (and the fallback for min_hold). */
int ss_fp_od_cover(ss_fp_state *s, int spot_wanted, int spot_ready, int spot_booting, ss_time t);
ss_time ss_fp_wake_at(const ss_fp_state *s, ss_time t);

/* Named baselines (policy.preset): the published policies. Returns 0, or -1
 * for an unknown name. "round-robin": the ASG's own zone balancing, no
 * fallback; "spothedge": SpotHedge placement, no fallback;
 * "spothedge-fallback": SpotHedge placement with immediate On-Demand fallback
 * on launch failures or warnings; "none": every rule off. */
int ss_fp_preset(ss_fleet_policy *p, const char *name);

#endif
