/*
 * evaluate.c - ss_evaluate: the orchestrator model with the scenario's
 * run-time decision rules installed.
 */
#include "policies/evaluate.h"

#include <string.h>

#include "policies/fleet_policy.h"
#include "policies/zone_failure.h"

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
        ss_zf_state zf;
        ss_zf_init(&zf, &sc->k8s.mitigations, sc->market.n_zones);
        ss_policy pol = ss_zf_policy(&zf);
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
    ss_zf_state zf;
    ss_zf_init(&zf, &sc->k8s.mitigations, sc->market.n_zones);
    ss_policy pol = ss_zf_policy(&zf);
    return ss_k8s_simulate_traced(sc, d, seed, replica, &pol, out, trace, err);
}
