/*
 * asg_victims.c - the scale-in victim index of an Auto Scaling group: per
 * pool and purchase option, the candidates sorted by a static key (see
 * asg_victims.h for why the per-pool maximum is enough).
 */
#include "models/asg_victims.h"

#ifndef __unused
#define __unused __attribute__((unused)) /* used by RB_GENERATE_STATIC */
#endif
#include <bsd/sys/tree.h> /* OpenBSD red-black tree macros (libbsd) */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "sim/kernel/rng.h"
#include "sim/kernel/util.h"

/* The keyed random number of the Default policy's last step (asg.c's
 * s_random uses the same key). */
#define KEY_VICTIM 0x56494354ULL

enum { BY_NONE, BY_HOUR, BY_NEWEST, BY_OLDEST };

struct ss_victim_entry {
    RB_ENTRY(ss_victim_entry) link;
    int64_t k1, k2; /* ascending */
    double rnd;     /* descending */
    int id;         /* ascending */
};

/* a before b: k1, k2 ascending, rnd descending, id ascending */
static int entry_cmp(const struct ss_victim_entry *a, const struct ss_victim_entry *b)
{
    if (a->k1 != b->k1)
        return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2)
        return a->k2 < b->k2 ? -1 : 1;
    if (a->rnd != b->rnd)
        return a->rnd > b->rnd ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

RB_HEAD(ss_victim_tree, ss_victim_entry);
RB_GENERATE_STATIC(ss_victim_tree, ss_victim_entry, link, entry_cmp)

static int step_kind(ss_termination_policy p)
{
    switch (p) {
    case SS_TERM_DEFAULT:
    case SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR:
        return BY_HOUR; /* Default: allocation strategy (pool-level), then this */
    case SS_TERM_NEWEST_INSTANCE:
        return BY_NEWEST;
    case SS_TERM_OLDEST_INSTANCE:
        return BY_OLDEST;
    case SS_TERM_ALLOCATION_STRATEGY:
    case SS_TERM_OLDEST_LAUNCH_TEMPLATE:
        break;
    }
    return BY_NONE;
}

void ss_asg_victims_init(ss_asg_group *g)
{
    size_t n = 2 * (size_t)g->f->n_pools;
    g->vic = ss_malloc(n * sizeof *g->vic);
    for (size_t k = 0; k < n; k++)
        RB_INIT(&g->vic[k]);
    g->vic_mode = g->vic_sec = BY_NONE;
    for (int p = 0; p < g->cfg->n_termination_policies; p++) {
        int k = step_kind(g->cfg->termination_policies[p]);
        if (k == BY_NONE)
            continue;
        if (g->vic_mode == BY_NONE) {
            g->vic_mode = k;
            if (k != BY_HOUR)
                break; /* the launch time is then fixed: later steps tie */
        } else if (k != BY_HOUR) {
            g->vic_sec = k; /* among equal launch mod 1 h */
            break;
        }
    }
}

void ss_asg_victims_free(ss_asg_group *g)
{
    if (g->vic)
        for (size_t k = 0; k < 2 * (size_t)g->f->n_pools; k++) {
            struct ss_victim_entry *e, *next;
            RB_FOREACH_SAFE(e, ss_victim_tree, &g->vic[k], next) {
                RB_REMOVE(ss_victim_tree, &g->vic[k], e);
                free(e);
            }
        }
    free(g->vic);
    g->vic = NULL;
}

static int64_t hour_phase(ss_time t)
{
    int64_t r = t % SS_HOUR;
    return r < 0 ? r + SS_HOUR : r;
}

static struct ss_victim_entry entry_of(const ss_asg_group *g, const ss_instance *in)
{
    struct ss_victim_entry e = {.id = in->id};
    switch (g->vic_mode) {
    case BY_HOUR:
        e.k1 = hour_phase(in->launch);
        e.k2 = g->vic_sec == BY_NEWEST ? -in->launch : g->vic_sec == BY_OLDEST ? in->launch : 0;
        break;
    case BY_NEWEST:
        e.k1 = -in->launch;
        break;
    case BY_OLDEST:
        e.k1 = in->launch;
        break;
    }
    e.rnd = ss_rng_keyed_uniform(g->f->seed, (uint64_t)g->f->replica, in->key, KEY_VICTIM);
    return e;
}

void ss_asg_victims_sync(ss_asg_group *g, ss_instance *in)
{
    bool want = in->asg_counted && !in->protected_;
    if (want == in->asg_victim)
        return;
    struct ss_victim_tree *t = &g->vic[2 * (size_t)in->pool + (in->spot ? 1 : 0)];
    struct ss_victim_entry key = entry_of(g, in);
    if (want) {
        struct ss_victim_entry *e = ss_malloc(sizeof *e);
        *e = key;
        RB_INSERT(ss_victim_tree, t, e);
    } else {
        struct ss_victim_entry *e = RB_FIND(ss_victim_tree, t, &key);
        if (!e)
            ss_fatal("asg: victim index out of step for instance %d", in->id);
        RB_REMOVE(ss_victim_tree, t, e);
        free(e);
    }
    in->asg_victim = want;
}

ss_instance *ss_asg_victims_best(const ss_asg_group *g, int pool, bool spot)
{
    struct ss_victim_tree *t = &g->vic[2 * (size_t)pool + (spot ? 1 : 0)];
    struct ss_victim_entry *e = NULL;
    if (g->vic_mode == BY_HOUR) {
        /* the first phase after now's (the most of its hour elapsed), the
         * first of all when none is (wrap around) */
        struct ss_victim_entry probe = {.k1 = hour_phase(ss_evq_now(g->f->q)) + 1, .k2 = INT64_MIN,
                                        .rnd = INFINITY, .id = INT_MIN};
        e = RB_NFIND(ss_victim_tree, t, &probe);
    }
    if (!e)
        e = RB_MIN(ss_victim_tree, t);
    return e ? ss_fleet_inst(g->f, e->id) : NULL;
}
