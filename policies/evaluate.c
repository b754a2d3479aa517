/*
 * evaluate.c - ss_evaluate: the orchestrator model with the scenario's
 * run-time decision rules installed.
 */
#include "policies/evaluate.h"

#include <string.h>

#include "policies/fleet_policy.h"
#include "policies/zone_failure.h"

/* ---- Two rule sets installed together (Kubernetes: the zone-failure
 * mitigations and the fleet rule's On-Demand fallback for node groups) ----
 * Observations go to both; a decision holds when either rule takes it
 * (zone_active: when both allow); amounts add up; the earliest wake-up wins. */
typedef struct chain {
    ss_policy a, b;
} chain;

static void ch_zone_incident(void *st, int zone, bool begin, ss_time t)
{
    chain *c = st;
    ss_pol_zone_incident(&c->a, zone, begin, t);
    ss_pol_zone_incident(&c->b, zone, begin, t);
}
static void ch_observe_spot_rate(void *st, double rate, ss_time t)
{
    chain *c = st;
    ss_pol_observe_spot_rate(&c->a, rate, t);
    ss_pol_observe_spot_rate(&c->b, rate, t);
}
static bool ch_zone_spread_dropped(void *st, ss_time t)
{
    chain *c = st;
    return ss_pol_zone_spread_dropped(&c->a, t) || ss_pol_zone_spread_dropped(&c->b, t);
}
static bool ch_zone_removed(void *st, int zone, ss_time t)
{
    chain *c = st;
    return ss_pol_zone_removed(&c->a, zone, t) || ss_pol_zone_removed(&c->b, zone, t);
}
static bool ch_spot_scale_up_blocked(void *st, ss_time t)
{
    chain *c = st;
    return ss_pol_spot_scale_up_blocked(&c->a, t) || ss_pol_spot_scale_up_blocked(&c->b, t);
}
static bool ch_scale_down_suspended(void *st, ss_time t)
{
    chain *c = st;
    return ss_pol_scale_down_suspended(&c->a, t) || ss_pol_scale_down_suspended(&c->b, t);
}
static void ch_launch_failed(void *st, int group, int zone, bool spot, ss_time t)
{
    chain *c = st;
    ss_pol_launch_failed(&c->a, group, zone, spot, t);
    ss_pol_launch_failed(&c->b, group, zone, spot, t);
}
static void ch_spot_notice(void *st, int group, int zone, ss_time t)
{
    chain *c = st;
    ss_pol_spot_notice(&c->a, group, zone, t);
    ss_pol_spot_notice(&c->b, group, zone, t);
}
static bool ch_zone_active(void *st, int group, int zone, ss_time t)
{
    chain *c = st;
    return ss_pol_zone_active(&c->a, group, zone, t) && ss_pol_zone_active(&c->b, group, zone, t);
}
static int ch_extra_spot(void *st, int group)
{
    chain *c = st;
    return ss_pol_extra_spot(&c->a, group) + ss_pol_extra_spot(&c->b, group);
}
static int ch_od_cover(void *st, int group, int wanted, int ready, int booting, ss_time t)
{
    chain *c = st;
    return ss_pol_od_cover(&c->a, group, wanted, ready, booting, t) +
           ss_pol_od_cover(&c->b, group, wanted, ready, booting, t);
}
static ss_time ch_wake_at(void *st, int group, ss_time t)
{
    chain *c = st;
    ss_time x = ss_pol_wake_at(&c->a, group, t), y = ss_pol_wake_at(&c->b, group, t);
    return x < y ? x : y;
}

static const ss_policy_ops chain_ops = {
    .name = "chain",
    .zone_incident = ch_zone_incident,
    .observe_spot_rate = ch_observe_spot_rate,
    .zone_spread_dropped = ch_zone_spread_dropped,
    .zone_removed = ch_zone_removed,
    .spot_scale_up_blocked = ch_spot_scale_up_blocked,
    .scale_down_suspended = ch_scale_down_suspended,
    .launch_failed = ch_launch_failed,
    .spot_notice = ch_spot_notice,
    .zone_active = ch_zone_active,
    .extra_spot = ch_extra_spot,
    .od_cover = ch_od_cover,
    .wake_at = ch_wake_at,
};

/* The Kubernetes rules: the zone-failure mitigations, chained with the fleet
 * rule (On-Demand fallback to a node group) when the scenario has one. */
typedef struct k8s_rules {
    ss_zf_state zf;
    ss_fp_state fp;
    chain ch;
} k8s_rules;

static ss_policy k8s_policy(const ss_scenario *sc, k8s_rules *r)
{
    ss_zf_init(&r->zf, &sc->k8s.mitigations, sc->market.n_zones);
    ss_policy zf = ss_zf_policy(&r->zf);
    if (!ss_fp_enabled(&sc->policy))
        return zf;
    ss_fp_init(&r->fp, &sc->policy, sc->market.n_zones);
    r->ch.a = zf;
    r->ch.b = ss_fp_policy(&r->fp);
    ss_policy p = {&chain_ops, &r->ch};
    return p;
}

int ss_evaluate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                ss_metrics *out, ss_timeline *tl, ss_err *err)
{
    memset(out, 0, sizeof *out);
    switch (sc->orchestrator) {
    case SS_ORCH_ECS: {
        if (!ss_fp_enabled(&sc->policy))
            return ss_ecs_simulate(sc, d, seed, replica, NULL, out, tl, err);
        ss_fp_state fp;
        ss_fp_init(&fp, &sc->policy, sc->market.n_zones);
        ss_policy pol = ss_fp_policy(&fp);
        return ss_ecs_simulate(sc, d, seed, replica, &pol, out, tl, err);
    }
    case SS_ORCH_KUBERNETES: {
        k8s_rules r;
        ss_policy pol = k8s_policy(sc, &r);
        return ss_k8s_simulate(sc, d, seed, replica, &pol, out, tl, err);
    }
    }
    return ss_err_set(err, "orchestrator: unknown value %d", (int)sc->orchestrator);
}

ss_ecs *ss_evaluate_ecs_new(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                            ss_timeline *tl, ss_fp_state *fp, ss_policy *pol, ss_err *err)
{
    if (!ss_fp_enabled(&sc->policy))
        return ss_ecs_new(sc, d, seed, replica, tl, err);
    ss_fp_init(fp, &sc->policy, sc->market.n_zones);
    *pol = ss_fp_policy(fp);
    return ss_ecs_new_policy(sc, d, seed, replica, tl, false, pol, err);
}

int ss_evaluate_k8s_traced(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                           ss_metrics *out, ss_k8s_trace *trace, ss_err *err)
{
    k8s_rules r;
    ss_policy pol = k8s_policy(sc, &r);
    return ss_k8s_simulate_traced(sc, d, seed, replica, &pol, out, trace, err);
}
