/*
 * ecs_fixture.h - hand-built scenarios and market data for the fleet, ASG,
 * ECS and evaluation tests (header-only; included by tests/test_*.c).
 */
#ifndef SPOTSIM_ECS_FIXTURE_H
#define SPOTSIM_ECS_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/scenario.h"

/* cmocka's assert_float_equal works in float; compare doubles instead. */
#define assert_near(a, b, eps) fx_near((double)(a), (double)(b), (double)(eps), #a, __FILE__, __LINE__)
static inline void fx_near(double a, double b, double eps, const char *what, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%s = %.15g, expected %.15g (+- %g)\n", what, a, b, eps);
        _fail(file, line);
    }
}

#define FX_T0 ((ss_time)1700000000000LL) /* 2023-11-14T22:13:20Z */

/* nt types x nz zones; every pool of type t: Spot spot[t] USD/h from
 * FX_T0 - 1 day (so the horizon is covered), On-Demand od[t], vcpu/mem. */
static inline ss_data *fx_data(int nt, int nz, const double *spot, const double *od, double vcpu, double mem)
{
    ss_data *d = ss_data_new(nt, nz);
    for (int t = 0; t < nt; t++)
        for (int z = 0; z < nz; z++) {
            ss_pool *p = &d->pools[t * nz + z];
            ss_time t0 = FX_T0 - SS_DAY;
            ss_price_series_set(&p->spot, &t0, &spot[t], 1);
            p->ondemand_usd_per_hour = od[t];
            p->vcpu = vcpu;
            p->memory_mib = mem;
            snprintf(p->instance_type, sizeof p->instance_type, "t%d.large", t);
            snprintf(p->zone, sizeof p->zone, "zone-%c", 'a' + z);
        }
    d->span_start = FX_T0;
    d->span_end = FX_T0 + SS_DAY;
    return d;
}

/* A scenario over [FX_T0, FX_T0 + horizon) with nt types, nz zones, one
 * ASG (all types/zones, min 0 max 20, desired `desired`, od% `od_pct`), one
 * capacity provider without managed scaling, no interruptions. */
static inline void fx_scenario(ss_scenario *sc, int nt, int nz, ss_time horizon, int desired, int od_pct)
{
    ss_scenario_defaults(sc);
    sc->start = FX_T0;
    sc->end = FX_T0 + horizon;
    sc->market.n_types = nt;
    sc->market.n_zones = nz;
    for (int t = 0; t < nt; t++)
        snprintf(sc->market.types[t].name, SS_NAME_MAX, "t%d.large", t);
    for (int z = 0; z < nz; z++)
        snprintf(sc->market.zones[z], SS_NAME_MAX, "zone-%c", 'a' + z);
    sc->market.interruptions = SS_INTERRUPT_NONE;
    sc->n_asgs = 1;
    ss_asg_defaults(&sc->asgs[0]);
    sc->asgs[0].min_size = 0;
    sc->asgs[0].max_size = 20;
    sc->asgs[0].desired_capacity = desired;
    sc->asgs[0].od_percentage_above_base = od_pct;
    sc->n_providers = 1;
    ss_capacity_provider_defaults(&sc->providers[0]);
    sc->providers[0].asg = 0;
    sc->providers[0].managed_scaling = false;
    sc->providers[0].managed_draining = false;
    sc->service.desired_count = 0;
    sc->sample_interval = 0;
}

/* Give pool p a capacity trace (values -1 = unlimited). */
static inline void fx_trace(ss_data *d, int pool, const ss_time *t, const int *v, size_t n)
{
    ss_pool *p = &d->pools[pool];
    p->has_trace = true;
    p->cap_t = ss_malloc(n * sizeof *t);
    p->cap_value = ss_malloc(n * sizeof *v);
    memcpy(p->cap_t, t, n * sizeof *t);
    memcpy(p->cap_value, v, n * sizeof *v);
    p->n_cap = n;
}

#endif
