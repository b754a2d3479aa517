/*
 * interrupt_model.c - interruptions drawn from a fitted model (scenario
 * `interruptions: {model: NAME}`, docs/fit.md): the model's per-pool hazard,
 * burst rate and Beta feed the stochastic source (c) of interrupt.c, and its
 * capacity process generates one sample path per replica: each pool of a
 * traced zone gets the zone's capacity level of the path (instances it
 * holds, 0 = none, -1 = unlimited), as a replayed trace sets it.
 *
 * Common random numbers: the path of a replica comes from the stream
 * (seed, replica, SS_RNG_CAPACITY_MODEL) and is generated for every zone of
 * the model whatever pools a candidate uses (use_pool only filters the
 * events), so all candidates face the same capacity history.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/fit_model.h"
#include "models/interrupt.h"
#include "sim/kernel/rng.h"

static int model_pool(const ss_fit_model *m, const ss_pool *p)
{
    for (size_t i = 0; i < m->n_pools; i++)
        if (!strcmp(m->pools[i].instance_type, p->instance_type) &&
            !strcmp(m->pools[i].zone, p->zone) && m->pools[i].exposure_hours > 0)
            return (int)i;
    return -1;
}

static int cap_zone(const ss_fit_model *m, const ss_pool *p)
{
    if (!m->has_capacity)
        return -1;
    for (int z = 0; z < m->cap.n_zones; z++)
        if (!strcmp(m->cap.instance_type[z], p->instance_type) && !strcmp(m->cap.zone[z], p->zone))
            return z;
    return -1;
}

void ss_fit_attach(const ss_fit_model *m, ss_data *d)
{
    d->fit_model = m;
    int n = d->n_types * d->n_zones;
    for (int pi = 0; pi < n; pi++) {
        ss_pool *p = &d->pools[pi];
        int k = model_pool(m, p);
        if (k >= 0) {
            const ss_fit_pool *f = &m->pools[k];
            p->hazard_per_hour = f->hazard_per_hour;
            p->burst_rate_per_hour = f->burst_rate_per_hour;
            p->burst_beta_a = f->beta_a > 0 ? f->beta_a : 0.0;
            p->burst_beta_b = f->beta_b > 0 ? f->beta_b : 0.0;
            p->hazard_origin = SS_HAZARD_FITTED;
        } else {
            p->burst_rate_per_hour = 0.0;
            p->burst_beta_a = p->burst_beta_b = 0.0;
            if (p->advisor_bucket >= 0) {
                p->hazard_per_hour = ss_advisor_bucket_hazard(p->advisor_bucket);
                p->hazard_origin = SS_HAZARD_ADVISOR;
            } else {
                p->hazard_per_hour = 0.0;
                p->hazard_origin = SS_HAZARD_NONE;
            }
        }
    }
}

bool ss_fit_model_covers(const ss_data *d, int pool)
{
    const ss_fit_model *m = d->fit_model;
    if (!m)
        return false;
    const ss_pool *p = &d->pools[pool];
    return model_pool(m, p) >= 0 || cap_zone(m, p) >= 0;
}

typedef struct path_ctx {
    const ss_cap_model *m;
    const bool *use_pool;
    const int *zone_of_pool; /* cap zone of each pool or -1 */
    int n_pools;
    int prev;                /* previous state, -1 before the first */
    ss_pool_events *out;
} path_ctx;

/* A pool's capacity follows its zone's level in the joint state: an event
 * at the start for every zone not unlimited, then one per level change. */
static void on_change(void *vctx, ss_time t, int state)
{
    path_ctx *c = vctx;
    const int *now = c->m->st[state].level;
    for (int pi = 0; pi < c->n_pools; pi++) {
        int z = c->zone_of_pool[pi];
        if (z < 0 || (c->use_pool && !c->use_pool[pi]))
            continue;
        if (c->prev < 0 ? now[z] == -1 : now[z] == c->m->st[c->prev].level[z])
            continue;
        SS_GROW(c->out->ev, c->out->cap, c->out->n + 1);
        c->out->ev[c->out->n++] = (ss_pool_event){
            .t = t, .pool = pi, .kind = SS_POOLEV_CAPACITY, .capacity = now[z]};
    }
    c->prev = state;
}

void ss_fit_capacity_events(const ss_data *d, uint64_t seed, int replica, const bool *use_pool,
                            ss_time start, ss_time end, ss_pool_events *out)
{
    const ss_fit_model *m = d->fit_model;
    if (!m || !m->has_capacity || m->cap.n_states == 0)
        return;
    int n = d->n_types * d->n_zones;
    int *zone_of = ss_malloc((size_t)n * sizeof *zone_of);
    bool any = false;
    for (int pi = 0; pi < n; pi++) {
        zone_of[pi] = cap_zone(m, &d->pools[pi]);
        any |= zone_of[pi] >= 0;
    }
    if (any) {
        path_ctx c = {&m->cap, use_pool, zone_of, n, -1, out};
        gsl_rng *r = ss_rng_new(seed, (uint64_t)replica, SS_RNG_CAPACITY_MODEL);
        ss_cap_generate_states(&m->cap, r, start, end, on_change, &c);
        ss_rng_free(r);
    }
    free(zone_of);
}
