/*
 * ecs_index.c - the placement index: which open instance of an ASG a task
 * goes to, in O(groups + log n) instead of a scan of every open instance.
 *
 * ss_ecs_place (ecs_sched.c) picks, among the instances that fit, the
 * lexicographic minimum of (score under strategy 1, ..., strategy k,
 * instance id): "each strategy keeps the best candidates, the lowest id
 * breaks the final tie" (aws-semantics.md §3.6). Scores are of two kinds:
 *   - group scores, equal for every instance of one (zone, type) group:
 *     spread by zone (tasks in the zone), spread by instance type;
 *   - instance scores, which change only when a task is placed on or
 *     released from that instance: spread by instance id (its task count),
 *     binpack by memory or CPU (what would remain after placing).
 * Within one group the group scores are constant, so the group's best
 * instance is the minimum of (its instance scores in strategy order, id):
 * one binary heap per (ASG, zone, type) keeps it at the top. The pick is
 * the best of the groups' tops under the full tuple (<= zones x types
 * comparisons). The result is the instance the scan picks, bit for bit.
 *
 * The heaps are lazy: an instance gets a fresh entry (its version + 1)
 * whenever its scores change or it may fit again (placed on, released
 * from, registered: the calls of ss_ecs_open_instance and
 * ss_ecs_task_place); an entry whose version is old, or whose instance no
 * longer fits (draining, leaving, terminated, full), is dropped when it
 * reaches the top. Stale entries are swept when they outnumber live
 * instances 4 to 1.
 *
 * A random strategy ("random: places tasks randomly", Amazon ECS task
 * placement strategies) draws per task, so no heap orders it. When every
 * strategy before it scores whole groups (spread by zone or instance type;
 * or random comes first), the index keeps, per (ASG, zone, type), the open
 * instances in a dense array instead: the pick takes the groups that tie on
 * those strategies, draws one of their open instances uniformly (a keyed
 * draw of the task and the attempt) and, if it does not fit, drops it from
 * its array (it is open again at its next push) and draws again: rejection
 * sampling, so the pick is uniform among the instances that fit, in
 * O(groups) per draw and amortized O(1) draws per dropped instance. The
 * strategies after a random one would only break ties between equal draws,
 * which do not occur. With a spread by instance or a binpack before the
 * random strategy, placement keeps the scan.
 */
#include <stdlib.h>
#include <string.h>

#include "models/ecs.h"
#include "sim/kernel/heap.h"
#include "sim/kernel/rng.h"

#define KEY_PLACE_DRAW 0x44524157ULL

struct ss_ecs_ientry {
    double key[SS_MAX_PLACEMENT]; /* instance scores, in strategy order */
    int id;
    uint32_t version;
};

typedef struct heap {
    struct ss_ecs_ientry *h;
    size_t n, cap;
} heap;

typedef struct pool_ids { /* random: the open instances of one group */
    int *id;
    size_t n, cap;
} pool_ids;

struct ss_ecs_index {
    int np;                        /* strategies */
    ss_placement pl[SS_MAX_PLACEMENT];
    int inst_k[SS_MAX_PLACEMENT];  /* strategy -> instance-score slot, or -1 (group score) */
    int nk;                        /* instance scores */
    int n_types, n_groups;         /* groups per ASG: zones x types */
    heap *g[SS_MAX_ASGS];          /* n_groups heaps per ASG */
    size_t entries[SS_MAX_ASGS];   /* entries in the ASG's heaps */
    uint32_t *ver;                 /* by instance id */
    size_t cap_ver;
    bool random;                   /* pl[np] is random: arrays, not heaps */
    pool_ids *r[SS_MAX_ASGS];      /* random: n_groups arrays per ASG */
    int *pos;                      /* random: by instance id, its slot in its array or -1 */
};

static bool less(const struct ss_ecs_ientry *a, const struct ss_ecs_ientry *b, int nk)
{
    for (int j = 0; j < nk; j++)
        if (a->key[j] != b->key[j])
            return a->key[j] < b->key[j];
    return a->id < b->id;
}

SS_HEAP_DEFINE(hp, struct ss_ecs_ientry, less)

static void pop(heap *h, int nk)
{
    h->h[0] = h->h[--h->n];
    if (h->n)
        hp_sift_down(h->h, h->n, 0, nk);
}

static const ss_placement default_pl[2] = {{SS_PLACE_SPREAD, SS_FIELD_ZONE}, {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}};

bool ss_ecs_placement_scan;

void ss_ecs_index_init(ss_ecs *e)
{
    if (ss_ecs_placement_scan)
        return;
    const ss_service *s = &e->sc->service;
    const ss_placement *pl = s->n_placement ? s->placement : default_pl;
    int np = s->n_placement > 0 && s->n_placement <= SS_MAX_PLACEMENT ? s->n_placement : 2;
    if (!s->n_placement)
        pl = default_pl;
    bool random = false;
    for (int k = 0; k < np; k++) {
        if (pl[k].kind == SS_PLACE_RANDOM) {
            random = true;
            np = k; /* what follows would only break ties of equal draws */
            break;
        }
        if (pl[k].kind != SS_PLACE_SPREAD && pl[k].kind != SS_PLACE_BINPACK)
            return;
    }
    if (random)
        for (int k = 0; k < np; k++)
            if (!(pl[k].kind == SS_PLACE_SPREAD &&
                  (pl[k].field == SS_FIELD_ZONE || pl[k].field == SS_FIELD_INSTANCE_TYPE)))
                return; /* an instance-level strategy before random: the scan */
    ss_ecs_index *x = ss_calloc(1, sizeof *x);
    x->np = np;
    x->random = random;
    for (int k = 0; k < np; k++)
        x->pl[k] = pl[k];
    for (int k = 0; k < np; k++) {
        bool group = pl[k].kind == SS_PLACE_SPREAD &&
                     (pl[k].field == SS_FIELD_ZONE || pl[k].field == SS_FIELD_INSTANCE_TYPE);
        x->inst_k[k] = group ? -1 : x->nk++;
    }
    x->n_types = e->sc->market.n_types > 0 ? e->sc->market.n_types : 1;
    int nz = e->sc->market.n_zones > 0 ? e->sc->market.n_zones : 1;
    x->n_groups = nz * x->n_types;
    for (int a = 0; a < SS_MAX_ASGS; a++) {
        x->g[a] = NULL;
        x->r[a] = NULL;
    }
    x->pos = NULL;
    e->idx = x;
}

void ss_ecs_index_free(ss_ecs *e)
{
    ss_ecs_index *x = e->idx;
    if (!x)
        return;
    for (int a = 0; a < SS_MAX_ASGS; a++) {
        if (x->g[a]) {
            for (int g = 0; g < x->n_groups; g++)
                free(x->g[a][g].h);
            free(x->g[a]);
        }
        if (x->r[a]) {
            for (int g = 0; g < x->n_groups; g++)
                free(x->r[a][g].id);
            free(x->r[a]);
        }
    }
    free(x->ver);
    free(x->pos);
    free(x);
    e->idx = NULL;
}

/* The instance score of strategy k (as ecs_sched.c scores it). */
static double inst_score(const ss_ecs *e, const ss_instance *in, const ss_placement *p)
{
    const ss_service *s = &e->sc->service;
    if (p->kind == SS_PLACE_BINPACK)
        return p->field == SS_FIELD_MEMORY
                   ? ss_ecs_registered_mem(e, in->asg, in->memory_mib) - in->mem_used - s->task_memory_mib
                   : ss_ecs_registered_cpu(e, in->asg, in->vcpu) - in->cpu_used - s->task_cpu;
    return in->ntasks; /* spread by instance id */
}

static int group_of(const ss_ecs_index *x, const ss_instance *in)
{
    return in->zone_idx * x->n_types + in->type_idx;
}

/* Drop the entries whose version is old (their instance has a newer one). */
static void sweep(ss_ecs_index *x, int asg)
{
    size_t total = 0;
    for (int g = 0; g < x->n_groups; g++) {
        heap *h = &x->g[asg][g];
        size_t k = 0;
        for (size_t i = 0; i < h->n; i++)
            if (h->h[i].version == x->ver[h->h[i].id])
                h->h[k++] = h->h[i];
        h->n = k;
        for (size_t i = k / 2; i-- > 0;)
            hp_sift_down(h->h, h->n, i, x->nk);
        total += k;
    }
    x->entries[asg] = total;
}

void ss_ecs_index_push(ss_ecs *e, const ss_instance *in)
{
    ss_ecs_index *x = e->idx;
    if ((size_t)in->id >= x->cap_ver) {
        size_t old = x->cap_ver, cap = old ? 2 * old : 256;
        while (cap <= (size_t)in->id)
            cap *= 2;
        x->ver = ss_realloc(x->ver, cap * sizeof *x->ver);
        memset(x->ver + old, 0, (cap - old) * sizeof *x->ver);
        if (x->random) {
            x->pos = ss_realloc(x->pos, cap * sizeof *x->pos);
            for (size_t i = old; i < cap; i++)
                x->pos[i] = -1;
        }
        x->cap_ver = cap;
    }
    int asg = in->asg;
    if (x->random) { /* open: in its group's array (once) */
        if (!x->r[asg])
            x->r[asg] = ss_calloc((size_t)x->n_groups, sizeof *x->r[asg]);
        if (x->pos[in->id] >= 0)
            return;
        pool_ids *a = &x->r[asg][group_of(x, in)];
        SS_GROW(a->id, a->cap, a->n + 1);
        x->pos[in->id] = (int)a->n;
        a->id[a->n++] = in->id;
        return;
    }
    if (!x->g[asg])
        x->g[asg] = ss_calloc((size_t)x->n_groups, sizeof *x->g[asg]);
    struct ss_ecs_ientry en;
    memset(&en, 0, sizeof en);
    for (int k = 0; k < x->np; k++)
        if (x->inst_k[k] >= 0)
            en.key[x->inst_k[k]] = inst_score(e, in, &x->pl[k]);
    en.id = in->id;
    en.version = ++x->ver[in->id];
    heap *h = &x->g[asg][group_of(x, in)];
    SS_GROW(h->h, h->cap, h->n + 1);
    h->h[h->n++] = en;
    hp_sift_up(h->h, h->n - 1, x->nk);
    if (++x->entries[asg] > 4 * (size_t)e->fleet.n + 1024)
        sweep(x, asg);
}

/* The group-level score of strategy k for group g's instances. */
static double group_score(const ss_ecs *e, const ss_ecs_index *x, int k, int g)
{
    return x->pl[k].field == SS_FIELD_ZONE ? e->zone_tasks[g / x->n_types] : e->type_tasks[g % x->n_types];
}

/* Random: a uniform draw among the open instances of the groups that tie
 * on the group-level strategies before it, dropping those that no longer
 * fit, until one fits or none is left. */
static ss_instance *pick_random(ss_ecs *e, int asg, const ss_task *t,
                                bool (*fits)(const ss_ecs *, const ss_instance *))
{
    ss_ecs_index *x = e->idx;
    pool_ids *r = x->r[asg];
    if (!r)
        return NULL;
    int tied[SS_MAX_TYPES * SS_MAX_ZONES];
    for (uint64_t attempt = 0;; attempt++) {
        int nt = 0;
        size_t total = 0;
        double best[SS_MAX_PLACEMENT] = {0};
        for (int g = 0; g < x->n_groups; g++) {
            if (r[g].n == 0)
                continue;
            int cmp = nt == 0 ? -1 : 0;
            for (int k = 0; k < x->np && cmp == 0; k++) {
                double v = group_score(e, x, k, g);
                if (v != best[k])
                    cmp = v < best[k] ? -1 : 1;
            }
            if (cmp > 0)
                continue;
            if (cmp < 0) {
                nt = 0;
                total = 0;
                for (int k = 0; k < x->np; k++)
                    best[k] = group_score(e, x, k, g);
            }
            tied[nt++] = g;
            total += r[g].n;
        }
        if (nt == 0)
            return NULL;
        double u = ss_rng_keyed_uniform(e->seed, (uint64_t)e->replica, (uint64_t)t->id, KEY_PLACE_DRAW + attempt);
        size_t i = (size_t)(u * (double)total);
        if (i >= total)
            i = total - 1;
        int g = 0;
        for (int j = 0; j < nt; j++) {
            g = tied[j];
            if (i < r[g].n)
                break;
            i -= r[g].n;
        }
        ss_instance *in = ss_fleet_inst(&e->fleet, r[g].id[i]);
        if (fits(e, in))
            return in;
        /* closed until its next push: swap-remove */
        int last = r[g].id[--r[g].n];
        r[g].id[i] = last;
        x->pos[last] = (int)i;
        x->pos[in->id] = -1;
    }
}

ss_instance *ss_ecs_index_pick(ss_ecs *e, int asg, const ss_task *t,
                               bool (*fits)(const ss_ecs *, const ss_instance *))
{
    ss_ecs_index *x = e->idx;
    if (x->random)
        return pick_random(e, asg, t, fits);
    if (!x->g[asg])
        return NULL;
    ss_instance *pick = NULL;
    double best[SS_MAX_PLACEMENT] = {0};
    for (int g = 0; g < x->n_groups; g++) {
        heap *h = &x->g[asg][g];
        ss_instance *in = NULL;
        while (h->n > 0) {
            const struct ss_ecs_ientry *top = &h->h[0];
            ss_instance *c = ss_fleet_inst(&e->fleet, top->id);
            if (top->version == x->ver[top->id] && fits(e, c)) {
                in = c;
                break;
            }
            if (top->version == x->ver[top->id])
                x->ver[top->id]++; /* no valid entry left: the next push makes one */
            pop(h, x->nk);
            x->entries[asg]--;
        }
        if (!in)
            continue;
        double v[SS_MAX_PLACEMENT];
        for (int k = 0; k < x->np; k++) {
            const ss_placement *p = &x->pl[k];
            if (x->inst_k[k] >= 0)
                v[k] = h->h[0].key[x->inst_k[k]];
            else
                v[k] = p->field == SS_FIELD_ZONE ? e->zone_tasks[in->zone_idx] : e->type_tasks[in->type_idx];
        }
        bool better = !pick;
        for (int k = 0; k < x->np && !better; k++) {
            if (v[k] != best[k]) {
                better = v[k] < best[k];
                goto decided;
            }
        }
        if (!better)
            better = in->id < pick->id;
    decided:
        if (better) {
            pick = in;
            memcpy(best, v, sizeof v);
        }
    }
    return pick;
}
