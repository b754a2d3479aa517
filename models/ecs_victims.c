/*
 * ecs_victims.c - which task a service scale-in stops (aws-semantics.md
 * §3.7; "Amazon ECS task placement strategies", docs.aws.amazon.com/
 * AmazonECS/latest/developerguide/task-placement-strategies.html: on
 * scale-in the strategies pick the task to stop), in O(groups x log n)
 * instead of a scan of every live task per stopped task.
 *
 * The scan (ss_ecs_scale_in_scan, the reference) takes the surplus task
 * from the lowest class present - PROVISIONING (newest first), then
 * PENDING, then RUNNING, never a STOPPING or doomed one - and among placed
 * ones the lexicographic maximum of (score under strategy 1, ..., strategy
 * k, keyed draw; then the lowest id): a total order. Its scores are of
 * three kinds: group scores, equal for every task of one (zone, instance
 * type) group (spread by zone / type: the service's tasks there); instance
 * scores (spread by instance: its task count; binpack: what would remain
 * after the stop); task scores (random and the final draw: a keyed draw of
 * the task). So the maximum over all tasks of a class is the maximum over
 * the groups of the group's best instance, whose key is (its instance
 * scores, the draw of its best task of that class, -that task's id) - the
 * best task of an instance being the highest draw among its tasks of the
 * class. Per class and group a max-heap keeps instance keys:
 *
 *   - a fresh entry whenever an instance's key may have risen: a task
 *     placed on it (a new PENDING task; a higher count for a spread by
 *     instance), a task of it running (a new RUNNING one), a task released
 *     from it (more room left for binpack) (ss_ecs_victims_touch);
 *   - at the top, the instance's key is recomputed (O(its tasks)); an entry
 *     that no longer matches (the key fell: a task stopped, the instance
 *     drains or is gone) is dropped and the true key pushed, so the top is
 *     always an exact maximum;
 *   - when entries outnumber instances 4 to 1 the heaps are rebuilt;
 *   - nothing is kept before the first scale-in (most runs have none).
 *
 * PROVISIONING tasks: the newest is the last PROVISIONING one of e->prov
 * (id order); the ones behind it that left PROVISIONING are popped off.
 */
#include <stdlib.h>
#include <string.h>

#include "models/ecs.h"
#include "sim/kernel/heap.h"
#include "sim/kernel/rng.h"

#define KEY_SCALE_IN 0x5343494eULL

enum { CLS_PENDING, CLS_RUNNING, N_CLS };

struct ventry {
    double key[SS_MAX_PLACEMENT + 1]; /* instance-level and task scores in strategy order, then the draw */
    int task, inst;                   /* the instance's best task of the class */
};

typedef struct vheap {
    struct ventry *h;
    size_t n, cap;
} vheap;

struct ss_ecs_victims {
    int np;                          /* strategies */
    ss_placement pl[SS_MAX_PLACEMENT];
    bool group[SS_MAX_PLACEMENT];    /* strategy k scores whole groups */
    int nk;                          /* key components: non-group strategies + the draw */
    int n_types, n_groups;
    bool by_count, by_room;          /* a spread by instance / a binpack among the strategies */
    vheap *g[N_CLS];                 /* n_groups heaps per class */
    size_t entries;
    bool built;                      /* built at the first scale-in (many runs have none) */
};

static const ss_placement default_pl[2] = {{SS_PLACE_SPREAD, SS_FIELD_ZONE}, {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}};

double ss_ecs_victim_score(const ss_ecs *e, const ss_task *t, const ss_placement *p)
{
    const ss_service *s = &e->sc->service;
    const ss_instance *in = ss_fleet_inst(&e->fleet, t->inst);
    switch (p->kind) {
    case SS_PLACE_SPREAD:
        switch (p->field) {
        case SS_FIELD_ZONE:
            return e->zone_tasks[t->zone];
        case SS_FIELD_INSTANCE_TYPE:
            return e->type_tasks[t->type];
        default:
            return in->ntasks;
        }
    case SS_PLACE_BINPACK:
        if (p->field == SS_FIELD_MEMORY)
            return ss_ecs_registered_mem(e, in->asg, in->memory_mib) - in->mem_used + s->task_memory_mib;
        return ss_ecs_registered_cpu(e, in->asg, in->vcpu) - in->cpu_used + s->task_cpu;
    case SS_PLACE_RANDOM:
    default:
        return t->draw;
    }
}

double ss_ecs_task_draw(const ss_ecs *e, int id)
{
    return ss_rng_keyed_uniform(e->seed, (uint64_t)e->replica, (uint64_t)id, KEY_SCALE_IN);
}

void ss_ecs_victims_init(ss_ecs *e)
{
    if (ss_ecs_placement_scan)
        return;
    const ss_service *s = &e->sc->service;
    int np = s->n_placement > 0 && s->n_placement <= SS_MAX_PLACEMENT ? s->n_placement : 2;
    const ss_placement *pl = s->n_placement > 0 ? s->placement : default_pl;
    ss_ecs_victims *v = ss_calloc(1, sizeof *v);
    v->np = np;
    for (int k = 0; k < np; k++) {
        v->pl[k] = pl[k];
        v->group[k] = pl[k].kind == SS_PLACE_SPREAD &&
                      (pl[k].field == SS_FIELD_ZONE || pl[k].field == SS_FIELD_INSTANCE_TYPE);
        v->nk += !v->group[k];
        v->by_count |= pl[k].kind == SS_PLACE_SPREAD && pl[k].field == SS_FIELD_INSTANCE_ID;
        v->by_room |= pl[k].kind == SS_PLACE_BINPACK;
    }
    v->nk++; /* the final draw */
    v->n_types = e->sc->market.n_types > 0 ? e->sc->market.n_types : 1;
    v->n_groups = (e->sc->market.n_zones > 0 ? e->sc->market.n_zones : 1) * v->n_types;
    for (int c = 0; c < N_CLS; c++)
        v->g[c] = ss_calloc((size_t)v->n_groups, sizeof *v->g[c]);
    e->vic = v;
}

void ss_ecs_victims_free(ss_ecs *e)
{
    ss_ecs_victims *v = e->vic;
    if (!v)
        return;
    for (int c = 0; c < N_CLS; c++) {
        for (int g = 0; g < v->n_groups; g++)
            free(v->g[c][g].h);
        free(v->g[c]);
    }
    free(v);
    e->vic = NULL;
}

/* a before b in the max-heap: higher key first, then the lower task id */
static bool above(const struct ventry *a, const struct ventry *b, int nk)
{
    for (int j = 0; j < nk; j++)
        if (a->key[j] != b->key[j])
            return a->key[j] > b->key[j];
    return a->task < b->task;
}

SS_HEAP_DEFINE(hp, struct ventry, above)

/* The instance's key for class c now; false when it has no task of the
 * class that may stop (none, draining, gone). */
static bool instance_key(const ss_ecs *e, const ss_instance *in, int c, struct ventry *out)
{
    const ss_ecs_victims *v = e->vic;
    if (in->state == SS_INST_TERMINATED || in->orch_draining)
        return false;
    ss_task_state want = c == CLS_PENDING ? SS_TASK_PENDING : SS_TASK_RUNNING;
    int best = -1;
    double best_u = 0;
    for (int id = e->inst_head[in->id]; id >= 0; id = e->tasks[id].inst_next) {
        if (e->tasks[id].state != want)
            continue;
        double u = e->tasks[id].draw;
        if (best < 0 || u > best_u || (u == best_u && id < best)) {
            best = id;
            best_u = u;
        }
    }
    if (best < 0)
        return false;
    memset(out, 0, sizeof *out);
    const ss_task *t = &e->tasks[best];
    int j = 0;
    for (int k = 0; k < v->np; k++)
        if (!v->group[k])
            out->key[j++] = ss_ecs_victim_score(e, t, &v->pl[k]);
    out->key[j] = best_u;
    out->task = best;
    out->inst = in->id;
    return true;
}

static bool same(const struct ventry *a, const struct ventry *b, int nk)
{
    if (a->task != b->task)
        return false;
    for (int j = 0; j < nk; j++)
        if (a->key[j] != b->key[j])
            return false;
    return true;
}

static void push(ss_ecs_victims *v, int c, int group, const struct ventry *en)
{
    vheap *h = &v->g[c][group];
    SS_GROW(h->h, h->cap, h->n + 1);
    h->h[h->n++] = *en;
    hp_sift_up(h->h, h->n - 1, v->nk);
    v->entries++;
}

static int group_of(const ss_ecs_victims *v, const ss_instance *in)
{
    return in->zone_idx * v->n_types + in->type_idx;
}

/* Every heap anew: one entry per instance and class with a candidate. */
static void rebuild(ss_ecs *e)
{
    ss_ecs_victims *v = e->vic;
    for (int c = 0; c < N_CLS; c++)
        for (int g = 0; g < v->n_groups; g++)
            v->g[c][g].n = 0;
    v->entries = 0;
    for (int id = 0; id < e->fleet.n; id++) {
        const ss_instance *in = ss_fleet_inst(&e->fleet, id);
        struct ventry en;
        for (int c = 0; c < N_CLS; c++)
            if (instance_key(e, in, c, &en))
                push(v, c, group_of(v, in), &en);
    }
}

void ss_ecs_victims_touch(ss_ecs *e, const ss_instance *in, ss_ecs_touch why)
{
    ss_ecs_victims *v = e->vic;
    if (!v || !v->built)
        return;
    /* Only a rise needs an entry (a fall is found at the top): a placed
     * task is a new PENDING one and, with a spread by instance, raises the
     * count of both classes; a running one is a new RUNNING one; a release
     * raises what binpack leaves. */
    bool cls[N_CLS] = {why == SS_ECS_TOUCH_PLACED || (why == SS_ECS_TOUCH_RELEASED && v->by_room),
                       why == SS_ECS_TOUCH_RUNNING || (why == SS_ECS_TOUCH_PLACED && v->by_count) ||
                           (why == SS_ECS_TOUCH_RELEASED && v->by_room)};
    struct ventry en;
    for (int c = 0; c < N_CLS; c++)
        if (cls[c] && instance_key(e, in, c, &en))
            push(v, c, group_of(v, in), &en);
    if (v->entries > 4 * (size_t)e->fleet.n + 1024)
        rebuild(e);
}

/* The exact best entry of one heap (after dropping and re-pushing the ones
 * whose key fell), or NULL. */
static const struct ventry *top(ss_ecs *e, int c, int g)
{
    ss_ecs_victims *v = e->vic;
    vheap *h = &v->g[c][g];
    while (h->n > 0) {
        struct ventry cur, old = h->h[0];
        bool has = instance_key(e, ss_fleet_inst(&e->fleet, old.inst), c, &cur);
        if (has && same(&cur, &old, v->nk))
            return &h->h[0];
        h->h[0] = h->h[--h->n];
        if (h->n)
            hp_sift_down(h->h, h->n, 0, v->nk);
        v->entries--;
        if (has)
            push(v, c, g, &cur);
    }
    return NULL;
}

static ss_task *pick_class(ss_ecs *e, int c)
{
    ss_ecs_victims *v = e->vic;
    const struct ventry *best = NULL;
    double bv[SS_MAX_PLACEMENT + 1] = {0};
    for (int g = 0; g < v->n_groups; g++) {
        const struct ventry *en = top(e, c, g);
        if (!en)
            continue;
        /* the full tuple: group scores from the task's zone / type now */
        const ss_task *t = &e->tasks[en->task];
        double val[SS_MAX_PLACEMENT + 1];
        int j = 0;
        for (int k = 0; k < v->np; k++)
            val[k] = v->group[k] ? ss_ecs_victim_score(e, t, &v->pl[k]) : en->key[j++];
        val[v->np] = en->key[j];
        int cmp = best ? 0 : 1;
        for (int k = 0; k <= v->np && cmp == 0; k++)
            if (val[k] != bv[k])
                cmp = val[k] > bv[k] ? 1 : -1;
        if (cmp == 0)
            cmp = en->task < best->task ? 1 : -1;
        if (cmp > 0) {
            best = en;
            memcpy(bv, val, sizeof val);
        }
    }
    return best ? &e->tasks[best->task] : NULL;
}

ss_task *ss_ecs_victims_pick(ss_ecs *e)
{
    /* PROVISIONING first, the newest: pop the tasks behind it that left */
    while (e->n_prov > 0 && e->tasks[e->prov[e->n_prov - 1]].state != SS_TASK_PROVISIONING)
        e->n_prov--;
    if (e->prov_head > e->n_prov)
        e->prov_head = e->n_prov;
    if (e->n_prov > 0)
        return &e->tasks[e->prov[e->n_prov - 1]];
    if (!e->vic->built) {
        rebuild(e);
        e->vic->built = true;
    }
    ss_task *t = pick_class(e, CLS_PENDING);
    return t ? t : pick_class(e, CLS_RUNNING);
}
