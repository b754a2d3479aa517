/*
 * zone_failure.c - delayed policy switches for the zone-failure mitigations.
 */
#include "policies/zone_failure.h"

#include <string.h>

static void settle(ss_zf_switch *w, ss_time t)
{
    if (w->pending && t >= w->pending_at) {
        w->on = w->pending_value;
        w->pending = false;
    }
}

/* Ask for state `want` from t on, effective after delay. */
static void request(ss_zf_switch *w, bool want, ss_time t, ss_time delay)
{
    settle(w, t);
    if (w->pending && w->pending_value == want)
        return; /* already on its way */
    if (w->on == want) {
        w->pending = false; /* cancels an opposite change not yet due */
        return;
    }
    w->pending = true;
    w->pending_value = want;
    w->pending_at = t + (delay > 0 ? delay : 0);
    settle(w, t);
}

void ss_zf_init(ss_zf_state *s, const ss_zone_mitigations *m, int n_zones)
{
    memset(s, 0, sizeof *s);
    s->m = *m;
    s->n_zones = n_zones < SS_MAX_ZONES ? n_zones : SS_MAX_ZONES;
}

static bool any_incident(const ss_zf_state *s)
{
    for (int z = 0; z < s->n_zones; z++)
        if (s->incident[z])
            return true;
    return false;
}

void ss_zf_incident_begin(ss_zf_state *s, int zone, ss_time t)
{
    if (zone < 0 || zone >= s->n_zones)
        return;
    s->incident[zone] = true;
    ss_time dl = s->m.reaction_delay;
    if (s->m.drop_zone_spread)
        request(&s->spread_dropped, true, t, dl);
    if (s->m.remove_zone_groups)
        request(&s->zone_removed[zone], true, t, dl);
    if (s->m.suspend_scale_down)
        request(&s->scale_down_suspended, true, t, dl);
}

void ss_zf_incident_end(ss_zf_state *s, int zone, ss_time t)
{
    if (zone < 0 || zone >= s->n_zones)
        return;
    s->incident[zone] = false;
    ss_time dl = s->m.reaction_delay;
    request(&s->zone_removed[zone], false, t, dl);
    if (!any_incident(s)) {
        request(&s->spread_dropped, false, t, dl);
        request(&s->scale_down_suspended, false, t, dl);
    }
}

void ss_zf_observe_rate(ss_zf_state *s, double rate, ss_time t)
{
    if (!s->m.spot_rate_guard)
        return;
    settle(&s->spot_guard, t);
    bool target = s->spot_guard.pending ? s->spot_guard.pending_value : s->spot_guard.on;
    if (!target && rate > s->m.spot_rate_threshold)
        request(&s->spot_guard, true, t, s->m.reaction_delay);
    else if (target && rate < s->m.spot_rate_resume)
        request(&s->spot_guard, false, t, s->m.reaction_delay);
    /* inside the hysteresis band: keep whatever is on its way */
}

bool ss_zf_zone_spread_dropped(ss_zf_state *s, ss_time t)
{
    settle(&s->spread_dropped, t);
    return s->spread_dropped.on;
}

bool ss_zf_zone_removed(ss_zf_state *s, int zone, ss_time t)
{
    if (zone < 0 || zone >= s->n_zones)
        return false;
    settle(&s->zone_removed[zone], t);
    return s->zone_removed[zone].on;
}

bool ss_zf_spot_scale_up_blocked(ss_zf_state *s, ss_time t)
{
    settle(&s->spot_guard, t);
    return s->spot_guard.on;
}

bool ss_zf_scale_down_suspended(ss_zf_state *s, ss_time t)
{
    settle(&s->scale_down_suspended, t);
    return s->scale_down_suspended.on;
}

static ss_time earliest(ss_time a, const ss_zf_switch *w)
{
    return (w->pending && w->pending_at < a) ? w->pending_at : a;
}

ss_time ss_zf_next_change(const ss_zf_state *s)
{
    ss_time t = SS_TIME_NEVER;
    t = earliest(t, &s->spread_dropped);
    t = earliest(t, &s->spot_guard);
    t = earliest(t, &s->scale_down_suspended);
    for (int z = 0; z < s->n_zones; z++)
        t = earliest(t, &s->zone_removed[z]);
    return t;
}

/* ---- As a run-time policy (models/policy.h) ---------------------------------------- */

static void op_zone_incident(void *st, int zone, bool begin, ss_time t)
{
    if (begin)
        ss_zf_incident_begin(st, zone, t);
    else
        ss_zf_incident_end(st, zone, t);
}
static void op_observe_rate(void *st, double rate, ss_time t) { ss_zf_observe_rate(st, rate, t); }
static bool op_spread_dropped(void *st, ss_time t) { return ss_zf_zone_spread_dropped(st, t); }
static bool op_zone_removed(void *st, int zone, ss_time t) { return ss_zf_zone_removed(st, zone, t); }
static bool op_spot_blocked(void *st, ss_time t) { return ss_zf_spot_scale_up_blocked(st, t); }
static bool op_sd_suspended(void *st, ss_time t) { return ss_zf_scale_down_suspended(st, t); }

static const ss_policy_ops zf_ops = {
    .name = "zone-failure-mitigations",
    .zone_incident = op_zone_incident,
    .observe_spot_rate = op_observe_rate,
    .zone_spread_dropped = op_spread_dropped,
    .zone_removed = op_zone_removed,
    .spot_scale_up_blocked = op_spot_blocked,
    .scale_down_suspended = op_sd_suspended,
};

ss_policy ss_zf_policy(ss_zf_state *s)
{
    ss_policy p = {&zf_ops, s};
    return p;
}
