/*
 * fleet_policy.c - On-Demand fallback, over-provisioning and SpotHedge-style
 * zone placement for a Spot Auto Scaling group (interface and mechanisms in
 * fleet_policy.h; docs/policies.md).
 *
 * Events the controller reacts to, as EventBridge delivers them:
 *   "EC2 Instance Launch Unsuccessful" (source aws.autoscaling), whose
 *   StatusMessage carries InsufficientInstanceCapacity
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/automating-ec2-auto-scaling-with-eventbridge.html
 *   "EC2 Spot Instance Interruption Warning" (source aws.ec2)
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 * The action is UpdateAutoScalingGroup (DesiredCapacity and
 * MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity).
 */
#include "policies/fleet_policy.h"

#include <math.h>
#include <string.h>

bool ss_fp_enabled(const ss_fleet_policy *p)
{
    return p->fallback || p->extra_spot > 0 || p->placement != SS_PLACE_ASG;
}

void ss_fp_init(ss_fp_state *s, const ss_fleet_policy *p, int n_zones)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    s->n_zones = n_zones < SS_MAX_ZONES ? n_zones : SS_MAX_ZONES;
    s->pending_at = SS_TIME_NEVER;
    s->healthy_since = SS_TIME_NEVER;
}

/* ---- SpotHedge placement -------------------------------------------------------- */

static void zone_event(ss_fp_state *s, int zone, ss_time t)
{
    if (s->p.placement != SS_PLACE_SPOTHEDGE || zone < 0 || zone >= s->n_zones)
        return;
    s->preempted[zone] = true;
    s->last_event[zone] = t;
}

bool ss_fp_zone_active(ss_fp_state *s, int zone, ss_time t)
{
    if (s->p.placement != SS_PLACE_SPOTHEDGE || zone < 0 || zone >= s->n_zones)
        return true;
    /* quiet zones return to the active set */
    int active = 0;
    for (int z = 0; z < s->n_zones; z++) {
        if (s->preempted[z] && t - s->last_event[z] >= s->p.zone_quiet)
            s->preempted[z] = false;
        active += !s->preempted[z];
    }
    if (active == 0) /* every zone preempted: all become active again */
        for (int z = 0; z < s->n_zones; z++)
            s->preempted[z] = false;
    return !s->preempted[zone];
}

/* ---- On-Demand fallback ----------------------------------------------------------- */

static void detect(ss_fp_state *s, ss_time t)
{
    if (!s->p.fallback || s->active)
        return;
    ss_time at = t + (s->p.detection_delay > 0 ? s->p.detection_delay : 0);
    if (at < s->pending_at)
        s->pending_at = at;
}

void ss_fp_launch_failed(ss_fp_state *s, int zone, bool spot, ss_time t)
{
    if (!spot)
        return;
    zone_event(s, zone, t);
    if (s->p.trigger == SS_FB_LAUNCH_FAILURES || s->p.trigger == SS_FB_EITHER)
        detect(s, t);
}

void ss_fp_spot_notice(ss_fp_state *s, int zone, ss_time t)
{
    zone_event(s, zone, t);
    if (s->p.trigger != SS_FB_INTERRUPTIONS && s->p.trigger != SS_FB_EITHER)
        return;
    /* warnings within the window (ring of the most recent ones) */
    s->warnings[s->next_warning] = t;
    s->next_warning = (s->next_warning + 1) % SS_FP_MAX_WARNINGS;
    if (s->n_warnings < SS_FP_MAX_WARNINGS)
        s->n_warnings++;
    int recent = 0;
    for (int i = 0; i < s->n_warnings; i++)
        if (t - s->warnings[i] < s->p.interruption_window || s->warnings[i] == t)
            recent++;
    if (recent >= s->p.interruption_threshold)
        detect(s, t);
}

int ss_fp_od_cover(ss_fp_state *s, int spot_wanted, int spot_ready, int spot_booting, ss_time t)
{
    if (!s->p.fallback)
        return 0;
    if (!s->active && s->pending_at != SS_TIME_NEVER && t >= s->pending_at) {
        s->active = true;
        s->active_since = s->pending_at;
        s->pending_at = SS_TIME_NEVER;
        s->cover = 0;
        s->healthy_since = SS_TIME_NEVER;
    }
    if (!s->active)
        return 0;
    /* The SLO needs the group's Spot target without the N_extra instances
     * (SpotHedge: the extra replicas absorb preemptions; On-Demand covers
     * only what the service itself lacks). */
    int need = spot_wanted - s->p.extra_spot;
    int shortfall = need - spot_ready, uncovered = shortfall - spot_booting;
    if (s->p.release_on_launch)
        shortfall = uncovered; /* a successful Spot launch releases its cover */
    int want = shortfall > 0 ? (int)ceil(s->p.cover * shortfall - 1e-9) : 0;
    int grow = uncovered > 0 ? (int)ceil(s->p.cover * uncovered - 1e-9) : 0;
    if (grow > s->cover)
        s->cover = grow; /* grows at once */
    if (want >= s->cover) {
        s->healthy_since = SS_TIME_NEVER;
    } else {
        /* Spot came back: the cover shrinks to what is still short once that
         * has held for spot_healthy_time (and the fallback for min_hold) */
        if (s->healthy_since == SS_TIME_NEVER)
            s->healthy_since = t;
        if (t >= s->healthy_since + s->p.spot_healthy_time && t >= s->active_since + s->p.min_hold) {
            s->cover = want;
            s->healthy_since = SS_TIME_NEVER;
        }
    }
    /* Released once the whole Spot target (N_extra included) is ready again:
     * the group then scales in On-Demand first. */
    if (s->cover == 0 && spot_wanted - spot_ready <= 0 && s->healthy_since == SS_TIME_NEVER)
        s->active = false;
    return s->cover;
}

ss_time ss_fp_wake_at(const ss_fp_state *s, ss_time t)
{
    (void)t;
    if (!s->p.fallback)
        return SS_TIME_NEVER;
    if (!s->active)
        return s->pending_at;
    if (s->healthy_since == SS_TIME_NEVER)
        return SS_TIME_NEVER; /* waits for Spot (the group reconciles on every change) */
    ss_time a = s->healthy_since + s->p.spot_healthy_time, b = s->active_since + s->p.min_hold;
    return a > b ? a : b;
}

/* ---- As a run-time policy (models/policy.h) ----------------------------------------- */

/* Which groups the rule watches and which one it answers for. ECS/ASG: one
 * Spot group (`group`) carries the cover itself. Kubernetes with
 * fallback_group: the EventBridge rule matches the Spot node groups' events
 * (the model reports only those) and the cover raises the MinSize of the
 * On-Demand node group fallback_group (models/k8s_sim.c). */
static bool watches(const ss_fp_state *s, int group)
{
    return s->p.fallback_group >= 0 ? group != s->p.fallback_group : group == s->p.group;
}
static bool answers(const ss_fp_state *s, int group)
{
    return group == (s->p.fallback_group >= 0 ? s->p.fallback_group : s->p.group);
}

static void op_launch_failed(void *st, int group, int zone, bool spot, ss_time t)
{
    ss_fp_state *s = st;
    if (watches(s, group))
        ss_fp_launch_failed(s, zone, spot, t);
}
static void op_spot_notice(void *st, int group, int zone, ss_time t)
{
    ss_fp_state *s = st;
    if (watches(s, group))
        ss_fp_spot_notice(s, zone, t);
}
static bool op_zone_active(void *st, int group, int zone, ss_time t)
{
    ss_fp_state *s = st;
    return group != s->p.group || ss_fp_zone_active(s, zone, t);
}
static int op_extra_spot(void *st, int group)
{
    ss_fp_state *s = st;
    return group == s->p.group ? s->p.extra_spot : 0;
}
static int op_od_cover(void *st, int group, int wanted, int ready, int booting, ss_time t)
{
    ss_fp_state *s = st;
    return answers(s, group) ? ss_fp_od_cover(s, wanted, ready, booting, t) : 0;
}
static ss_time op_wake_at(void *st, int group, ss_time t)
{
    ss_fp_state *s = st;
    return answers(s, group) ? ss_fp_wake_at(s, t) : SS_TIME_NEVER;
}

static const ss_policy_ops fp_ops = {
    .name = "fleet-policy",
    .launch_failed = op_launch_failed,
    .spot_notice = op_spot_notice,
    .zone_active = op_zone_active,
    .extra_spot = op_extra_spot,
    .od_cover = op_od_cover,
    .wake_at = op_wake_at,
};

static const ss_policy_ops fp_ops_no_fallback = {
    .name = "fleet-policy",
    .launch_failed = op_launch_failed,
    .spot_notice = op_spot_notice,
    .zone_active = op_zone_active,
    .extra_spot = op_extra_spot,
};

ss_policy ss_fp_policy(ss_fp_state *s)
{
    /* without fallback the group need not count its ready Spot units */
    ss_policy p = {s->p.fallback ? &fp_ops : &fp_ops_no_fallback, s};
    return p;
}

int ss_fp_preset(ss_fleet_policy *p, const char *name)
{
    if (!strcmp(name, "none") || !strcmp(name, "round-robin")) {
        p->placement = SS_PLACE_ASG;
        p->fallback = false;
        return 0;
    }
    if (!strcmp(name, "spothedge") || !strcmp(name, "spothedge-fallback")) {
        p->placement = SS_PLACE_SPOTHEDGE;
        p->fallback = !strcmp(name, "spothedge-fallback");
        if (p->fallback) {
            p->trigger = SS_FB_EITHER;
            p->interruption_threshold = 1;
            p->detection_delay = 0;
            p->cover = 1.0;
            p->spot_healthy_time = 0;
            p->min_hold = 0;
        }
        return 0;
    }
    return -1;
}
