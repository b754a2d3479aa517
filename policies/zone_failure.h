/*
 * zone_failure.h - the four zone-failure mitigations of the production
 * practice (background article §2.4.4), as policy switches that take effect
 * a reaction delay after the condition that triggers them:
 *
 *   (1) drop_zone_spread    while any zone incident lasts, the pods' zone
 *                           topologySpreadConstraints are not enforced;
 *   (2) remove_zone_groups  the failed zone's node groups leave autoscaling
 *                           (the k8s.io/cluster-autoscaler/enabled tag is
 *                           removed) until its incident ends;
 *   (3) spot_rate_guard     Spot node groups are not scaled up while the
 *                           observed interruption rate (per Spot node-hour)
 *                           is above spot_rate_threshold; scaling resumes
 *                           once it is below spot_rate_resume (hysteresis);
 *   (4) suspend_scale_down  no scale-down while any zone incident lasts.
 *
 * Every switch turns on reaction_delay after its trigger and off
 * reaction_delay after the trigger clears (operators restore the normal
 * setup after the all-clear, not before). A trigger that clears before its
 * delay elapsed cancels the pending change. Queries take the current time
 * and apply due changes, so the caller only needs to ask at its own scan
 * times; ss_zf_next_change tells it when to look again.
 */
#ifndef SPOTSIM_ZONE_FAILURE_H
#define SPOTSIM_ZONE_FAILURE_H

#include <stdbool.h>

#include "models/policy.h"
#include "models/scenario.h"

typedef struct ss_zf_switch {
    bool on;
    bool pending;
    bool pending_value;
    ss_time pending_at;
} ss_zf_switch;

typedef struct ss_zf_state {
    ss_zone_mitigations m;
    int n_zones;
    bool incident[SS_MAX_ZONES];
    ss_zf_switch spread_dropped;             /* (1) */
    ss_zf_switch zone_removed[SS_MAX_ZONES]; /* (2) */
    ss_zf_switch spot_guard;                 /* (3) */
    ss_zf_switch scale_down_suspended;       /* (4) */
} ss_zf_state;

void ss_zf_init(ss_zf_state *s, const ss_zone_mitigations *m, int n_zones);

/* A zone incident begins / ends at t (outage start/end as observed). */
void ss_zf_incident_begin(ss_zf_state *s, int zone, ss_time t);
void ss_zf_incident_end(ss_zf_state *s, int zone, ss_time t);
/* The observed Spot interruption rate (interruptions per Spot node-hour) at t. */
void ss_zf_observe_rate(ss_zf_state *s, double rate, ss_time t);

bool ss_zf_zone_spread_dropped(ss_zf_state *s, ss_time t);
bool ss_zf_zone_removed(ss_zf_state *s, int zone, ss_time t);
bool ss_zf_spot_scale_up_blocked(ss_zf_state *s, ss_time t);
bool ss_zf_scale_down_suspended(ss_zf_state *s, ss_time t);

/* Earliest pending switch change after... (SS_TIME_NEVER if none). */
ss_time ss_zf_next_change(const ss_zf_state *s);

/* The switches as a run-time policy the Kubernetes model calls
 * (models/policy.h); s must outlive the run. */
ss_policy ss_zf_policy(ss_zf_state *s);

#endif
