/*
 * ecs_sched.c - the ECS service scheduler and task placement
 * (aws-semantics.md §3.4, §3.6, §3.7).
 *
 * One pass (coalesced: at most one per instant):
 *   good      = tasks PROVISIONING/PENDING/RUNNING not on a DRAINING instance
 *   doomed    = RUNNING tasks on DRAINING instances (need replacement)
 *   start     min(desired - good - dead_unseen, floor(desired x max% / 100) - active)
 *             new tasks (provider by the strategy split, ecs_capacity.c)
 *   stop      doomed tasks while healthy - 1 >= ceil(desired x minHealthy% / 100),
 *             unhealthy ones first
 *   scale-in  surplus good tasks: PROVISIONING, then PENDING, then RUNNING
 *             chosen by the placement strategies (scale_in_victim)
 *   place     every PROVISIONING task (oldest first) on a fitting instance.
 * Killed tasks (instance terminated without draining) are replaced only once
 * the scheduler "sees" them, scheduler_delay later (dead_unseen).
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "models/ecs.h"
#include "sim/kernel/rng.h"

#define KEY_PLACE_RANDOM 0x504c4143ULL

void ss_ecs_request_sched(ss_ecs *e, ss_time t)
{
    if (ss_evq_pending(e->q, e->ev_sched)) {
        if (e->sched_at <= t)
            return;
        ss_evq_cancel(e->q, e->ev_sched);
    }
    e->sched_at = t;
    e->ev_sched = ss_evq_schedule(e->q, t, SS_ECS_EV_SCHED, e, 0, 0);
}

static bool fits(const ss_ecs *e, const ss_instance *in)
{
    const ss_service *s = &e->sc->service;
    if (in->state == SS_INST_TERMINATED || in->state == SS_INST_PENDING || !in->registered ||
        in->orch_draining || in->leaving)
        return false;
    if (s->distinct_instance && in->ntasks > 0)
        return false;
    if (in->cpu_used + s->task_cpu > ss_ecs_registered_cpu(e, in->asg, in->vcpu) + 1e-9)
        return false;
    if (in->mem_used + s->task_memory_mib > ss_ecs_registered_mem(e, in->asg, in->memory_mib) + 1e-9)
        return false;
    return true;
}

/* Score of a candidate under one strategy: lower is better. */
static double score(const ss_ecs *e, const ss_task *t, const ss_instance *in, const ss_placement *p)
{
    const ss_service *s = &e->sc->service;
    switch (p->kind) {
    case SS_PLACE_SPREAD:
        switch (p->field) {
        case SS_FIELD_ZONE:
            return e->zone_tasks[in->zone_idx];
        case SS_FIELD_INSTANCE_TYPE:
            return e->type_tasks[in->type_idx]; /* placed, not stopping */
        default:
            return in->ntasks;
        }
    case SS_PLACE_BINPACK:
        if (p->field == SS_FIELD_MEMORY)
            return ss_ecs_registered_mem(e, in->asg, in->memory_mib) - in->mem_used - s->task_memory_mib;
        return ss_ecs_registered_cpu(e, in->asg, in->vcpu) - in->cpu_used - s->task_cpu;
    case SS_PLACE_RANDOM:
    default:
        return ss_rng_keyed_uniform(e->seed, (uint64_t)e->replica, (uint64_t)t->id, in->key ^ KEY_PLACE_RANDOM);
    }
}

ss_instance *ss_ecs_place(ss_ecs *e, const ss_task *t)
{
    const ss_service *s = &e->sc->service;
    /* the provider's ASG: its open instances (registered, or with
     * resources freed since the last look); those that do not fit now leave
     * the list until they register or free resources again. The candidate
     * order does not matter: every filter keeps all the best, and the final
     * tie-break is the lowest id. */
    int asg = e->sc->providers[t->cp].asg;
    if (e->idx) /* the same pick from the index (ecs_index.c) */
        return ss_ecs_index_pick(e, asg, t, fits);
    SS_GROW(e->cand, e->cap_cand, e->n_open[asg] + 1);
    ss_instance **c = e->cand;
    size_t n = 0, keep = 0;
    int *open = e->open[asg];
    for (size_t i = 0; i < e->n_open[asg]; i++) {
        ss_instance *in = ss_fleet_inst(&e->fleet, open[i]);
        if (fits(e, in)) {
            c[n++] = in;
            open[keep++] = open[i];
        } else {
            e->inst_open[open[i]] = false;
        }
    }
    e->n_open[asg] = keep;
    ss_placement defaults[2] = {{SS_PLACE_SPREAD, SS_FIELD_ZONE}, {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}};
    const ss_placement *pl = s->n_placement ? s->placement : defaults;
    int np = s->n_placement ? s->n_placement : 2;
    SS_GROW(e->cand_score, e->cap_cand_score, n + 1);
    double *v = e->cand_score;
    for (int k = 0; k < np && n > 1; k++) {
        double best = INFINITY;
        for (size_t i = 0; i < n; i++) {
            v[i] = score(e, t, c[i], &pl[k]); /* each candidate scored once */
            if (v[i] < best)
                best = v[i];
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (v[i] <= best)
                c[m++] = c[i];
        n = m;
    }
    ss_instance *pick = NULL;
    for (size_t i = 0; i < n; i++) /* final tie-break: oldest instance (lowest id) */
        if (!pick || c[i]->id < pick->id)
            pick = c[i];
    return pick;
}

static int ceil_pct(int d, int pct) { return (d * pct + 99) / 100; }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Surplus task to stop on scale-in: PROVISIONING (newest first), then
 * PENDING, then RUNNING; among placed ones the service's placement
 * strategies in order decide (the default spread(zone), spread(instanceId)
 * is ECS's default: the zone with the most tasks, then the instance with
 * the most tasks), and what is still tied is a keyed random choice ("within
 * a zone at random"). */
static ss_task *scale_in_victim(ss_ecs *e)
{
    if (e->vic) /* the same pick from the index (ecs_victims.c) */
        return ss_ecs_victims_pick(e);
    const ss_service *s = &e->sc->service;
    SS_GROW(e->scratch, e->cap_scratch, e->n_live + 1);
    int *c = e->scratch;
    size_t n = 0;
    int cls = 3;
    for (size_t i = 0; i < e->n_live; i++) {
        ss_task *t = &e->tasks[e->live[i]];
        if (t->state == SS_TASK_STOPPING || ss_ecs_task_doomed(e, t))
            continue;
        int k = t->state == SS_TASK_PROVISIONING ? 0 : t->state == SS_TASK_PENDING ? 1 : 2;
        if (k > cls)
            continue;
        if (k < cls) {
            cls = k;
            n = 0;
        }
        c[n++] = t->id;
    }
    if (n == 0)
        return NULL;
    if (cls == 0) {
        int best = c[0];
        for (size_t i = 1; i < n; i++)
            if (c[i] > best)
                best = c[i];
        return &e->tasks[best];
    }
    static const ss_placement defaults[2] = {{SS_PLACE_SPREAD, SS_FIELD_ZONE},
                                             {SS_PLACE_SPREAD, SS_FIELD_INSTANCE_ID}};
    const ss_placement *pl = s->n_placement ? s->placement : defaults;
    int np = s->n_placement ? s->n_placement : 2;
    static const ss_placement last = {SS_PLACE_RANDOM, SS_FIELD_NONE};
    SS_GROW(e->cand_score, e->cap_cand_score, n + 1);
    double *v = e->cand_score;
    for (int k = 0; k <= np && n > 1; k++) {
        const ss_placement *p = k < np ? &pl[k] : &last;
        double best = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            v[i] = ss_ecs_victim_score(e, &e->tasks[c[i]], p);
            if (v[i] > best)
                best = v[i];
        }
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (v[i] >= best)
                c[m++] = c[i];
        n = m;
    }
    int pick = c[0];
    for (size_t i = 1; i < n; i++) /* equal keyed draws: the lower id */
        if (c[i] < pick)
            pick = c[i];
    return &e->tasks[pick];
}

void ss_ecs_schedule_pass(ss_ecs *e)
{
    const ss_service *s = &e->sc->service;
    int D = e->desired;
    /* counters kept by the task lifecycle (ss_ecs_check recounts them in tests) */
    int active = e->n_pending + e->n_running;
    int good = active - e->n_doomed;
    int healthy = 0;
    for (int z = 0; z < e->sc->market.n_zones; z++)
        healthy += e->healthy_zone[z];
    /* start replacements / new tasks within maximumPercent */
    int need = D - good - e->dead_unseen;
    int room = (D * s->maximum_percent) / 100 - active;
    if (room < 0)
        room = 0;
    int start = need < room ? need : room;
    for (int k = 0; k < start; k++)
        ss_ecs_task_new(e, ss_ecs_pick_provider(e));
    /* stop doomed tasks within minimumHealthyPercent, unhealthy ones first,
     * in live-list order. The RUNNING tasks on DRAINING instances come from
     * the doomed list (only those, not every task of a draining instance:
     * the STOPPING ones stay listed there for the deregistration delay, and
     * walking them was the cost of every pass at 100,000 instances);
     * stopping a RUNNING task keeps it in the live list (STOPPING), so
     * sorting them by live slot once is the same as scanning the live list
     * in each pass. */
    int min_healthy = ceil_pct(D, s->min_healthy_percent);
    /* Nothing to stop when no doomed task is unhealthy and the healthy
     * count is at the floor: skip collecting them (a burst of notices leaves
     * thousands of doomed tasks waiting while their replacements start, and
     * every pass in between would otherwise gather and sort them all). */
    if (e->n_doomed > 0 && (e->n_doomed_unhealthy > 0 || healthy - 1 >= min_healthy)) {
        size_t nd = 0, kd = 0;
        for (size_t i = 0; i < e->n_doomed_list; i++) {
            const ss_task *t = &e->tasks[e->doomed[i]];
            if (t->state != SS_TASK_RUNNING || ss_fleet_inst(&e->fleet, t->inst)->state == SS_INST_TERMINATED)
                continue; /* lazy removal: stopped since */
            e->doomed[kd++] = e->doomed[i];
            /* sort key: live slot, then the id (slots are distinct) */
            SS_GROW(e->keys, e->cap_keys, nd + 1);
            e->keys[nd++] = ((uint64_t)t->live_slot << 32) | (uint32_t)t->id;
        }
        e->n_doomed_list = kd;
        if (nd > 1)
            qsort(e->keys, nd, sizeof *e->keys, cmp_u64);
        for (int pass = 0; pass < 2 && e->n_doomed > 0; pass++)
            for (size_t i = 0; i < nd; i++) {
                ss_task *t = &e->tasks[(uint32_t)(e->keys[i] & 0xffffffffu)];
                bool stop = t->state == SS_TASK_RUNNING && (pass == 0 ? !t->healthy : healthy - 1 >= min_healthy);
                if (!stop)
                    continue;
                if (t->healthy)
                    healthy--;
                ss_ecs_task_stop(e, t, true);
            }
    }
    /* scale-in: surplus good tasks */
    while (good > D) {
        ss_task *v = scale_in_victim(e);
        if (!v)
            break;
        ss_ecs_task_stop(e, v, false);
        good--;
    }
    /* place PROVISIONING tasks, oldest first. e->prov lists them in id
     * order among tasks that left PROVISIONING since, dropped lazily: from
     * the front as the oldest are placed, the rest once they outnumber the
     * waiting tasks (amortized O(1) per task). The pass ends when no
     * provider has room: a fleet short of capacity with thousands of tasks
     * waiting costs O(1) per pass, not O(waiting tasks). Tasks created
     * during the pass wait for the next one. */
    size_t h = e->prov_head;
    while (h < e->n_prov && e->tasks[e->prov[h]].state != SS_TASK_PROVISIONING)
        h++;
    if (e->n_prov - h > 2 * (size_t)e->n_provisioning + 64) {
        size_t np = 0;
        for (size_t i = h; i < e->n_prov; i++)
            if (e->tasks[e->prov[i]].state == SS_TASK_PROVISIONING)
                e->prov[np++] = e->prov[i];
        e->n_prov = np;
        h = 0;
    }
    if (h == e->n_prov)
        e->n_prov = h = 0;
    e->prov_head = h;
    size_t end = e->n_prov;
    bool full[SS_MAX_PROVIDERS] = {false};
    int n_full = 0;
    for (size_t i = h; i < end && n_full < e->n_cps; i++) {
        ss_task *t = &e->tasks[e->prov[i]]; /* e->prov may grow (move) in the loop */
        if (t->state != SS_TASK_PROVISIONING || full[t->cp])
            continue; /* same requirements: no instance of this provider fits */
        ss_instance *in = ss_ecs_place(e, t);
        if (in) {
            ss_ecs_task_place(e, t, in);
        } else {
            full[t->cp] = true;
            n_full++;
        }
    }
    ss_ecs_account(e);
}

static void on_sched(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs_schedule_pass((ss_ecs *)ev->obj);
}

void ss_ecs_register_sched_events(ss_ecs *e) { ss_evq_on(e->q, SS_ECS_EV_SCHED, on_sched, NULL); }
