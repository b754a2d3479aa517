/*
 * k8s_fixture.h - the hand-built Kubernetes layout shared by the cluster and
 * scheduler-index tests (header-only; included by tests/test_*.c).
 */
#ifndef SPOTSIM_K8S_FIXTURE_H
#define SPOTSIM_K8S_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "models/k8s.h"

/* 3 zones; node groups (spot, od) x zone, all m5.large (2 vCPU, 8 GiB);
 * 30 pods of 0.5 vCPU and 1 GiB; the first n_spread of two hard spread
 * constraints, zone then capacity type, each maxSkew 1. */
static inline void k8s_fixture_scenario(ss_scenario *sc, int n_spread)
{
    ss_scenario_defaults(sc);
    sc->orchestrator = SS_ORCH_KUBERNETES;
    sc->market.n_zones = 3;
    strcpy(sc->market.zones[0], "us-east-1a");
    strcpy(sc->market.zones[1], "us-east-1b");
    strcpy(sc->market.zones[2], "us-east-1c");
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->n_asgs = 6;
    for (int g = 0; g < 6; g++) {
        ss_asg_defaults(&sc->asgs[g]);
        snprintf(sc->asgs[g].name, SS_NAME_MAX, "ng-%c-%s", 'a' + g / 2, g % 2 ? "od" : "spot");
        sc->asgs[g].zone_idx[0] = g / 2;
        sc->asgs[g].n_zones = 1;
        sc->asgs[g].spot = g % 2 == 0;
    }
    ss_deployment *d = &sc->k8s.deployment;
    d->replicas = 30;
    d->cpu_request = 0.5;
    d->memory_request_mib = 1024;
    d->n_spread = n_spread;
    strcpy(d->spread[0].topology_key, SS_K8S_ZONE_KEY);
    d->spread[0].max_skew = 1;
    strcpy(d->spread[1].topology_key, sc->k8s.capacity_type_label);
    d->spread[1].max_skew = 1;
}

#endif
