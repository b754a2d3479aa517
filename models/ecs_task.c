/*
 * ecs_task.c - ECS task lifecycle (aws-semantics.md §3.5, §3.6) and
 * container-instance draining (§3.4), plus the h/m/d accounting.
 *
 *   PROVISIONING -> (placed) PENDING -> (task_start) RUNNING
 *     -> healthy after time_to_healthy (the grace period does not delay it)
 *   stop: STOPPING (not healthy: deregistered from the target group) for
 *     deregistration_delay + stop_timeout, then STOPPED (resources freed)
 *   instance terminated: every task on it is STOPPED at once.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "models/ecs.h"
#include "sim/kernel/rng.h"

#define KEY_TASK_START 0x5453544bULL

static ss_task *task_of(ss_ecs *e, int64_t id) { return &e->tasks[id]; }

int ss_ecs_required(const ss_ecs *e)
{
    const ss_slo *s = &e->sc->slo;
    if (s->min_healthy >= 0)
        return s->min_healthy;
    return (int)ceil(s->min_fraction * e->demand_tasks - 1e-9);
}

int ss_ecs_healthy(const ss_ecs *e)
{
    int h = 0;
    for (int z = 0; z < e->sc->market.n_zones && z < SS_MAX_ZONES; z++)
        if (!e->fleet.zone_unhealthy[z])
            h += e->healthy_zone[z];
    return h;
}

void ss_ecs_timeline(ss_ecs *e, const char *event)
{
    if (!e->tl)
        return;
    ss_timeline_row r = {.t = ss_evq_now(e->q),
                         .required = ss_ecs_required(e),
                         .healthy = ss_ecs_healthy(e),
                         .desired = e->desired,
                         .running = e->n_running,
                         .pending = e->n_pending,
                         .spot_instances = e->fleet.alive_spot,
                         .od_instances = e->fleet.alive_od,
                         .event = event};
    ss_fleet_billed(&e->fleet, r.t, &r.spot_cost_usd, &r.od_cost_usd);
    ss_timeline_push(e->tl, &r);
}

void ss_ecs_account(ss_ecs *e)
{
    ss_avail_set(&e->avail, ss_evq_now(e->q), ss_ecs_healthy(e), ss_ecs_required(e), e->demand_tasks,
                 e->n_pending);
}

ss_task *ss_ecs_task_new(ss_ecs *e, int cp)
{
    SS_GROW(e->tasks, e->cap_tasks, e->n_tasks + 1);
    ss_task *t = &e->tasks[e->n_tasks];
    memset(t, 0, sizeof *t);
    t->id = (int)e->n_tasks++;
    t->cp = cp;
    t->inst = -1;
    t->zone = -1;
    t->state = SS_TASK_PROVISIONING;
    t->created = ss_evq_now(e->q);
    t->running_at = SS_TIME_NEVER;
    t->type = -1;
    t->inst_next = t->inst_prev = -1;
    t->draw = ss_ecs_task_draw(e, t->id);
    SS_GROW(e->prov, e->cap_prov, e->n_prov + 1);
    e->prov[e->n_prov++] = t->id; /* ids grow: the list stays in id order */
    SS_GROW(e->live, e->cap_live, e->n_live + 1);
    t->live_slot = e->n_live;
    e->live[e->n_live++] = t->id;
    e->n_pending++;
    e->n_provisioning++;
    if (cp >= 0) {
        e->cps[cp].n_tasks++;
        e->cps[cp].provisioning++;
    }
    return t;
}

static void live_remove(ss_ecs *e, ss_task *t)
{
    size_t k = t->live_slot;
    int last = e->live[--e->n_live];
    e->live[k] = last;
    e->tasks[last].live_slot = k;
}

bool ss_ecs_task_doomed(const ss_ecs *e, const ss_task *t)
{
    if (t->inst < 0)
        return false;
    return ss_fleet_inst(&e->fleet, t->inst)->orch_draining;
}

void ss_ecs_open_instance(ss_ecs *e, const ss_instance *in)
{
    if (e->idx) { /* its scores changed or it may fit again: a fresh entry */
        ss_ecs_index_push(e, in);
        return;
    }
    if (e->inst_open[in->id])
        return;
    e->inst_open[in->id] = true;
    SS_GROW(e->open[in->asg], e->cap_open[in->asg], e->n_open[in->asg] + 1);
    e->open[in->asg][e->n_open[in->asg]++] = in->id;
}

void ss_ecs_task_place(ss_ecs *e, ss_task *t, ss_instance *in)
{
    const ss_service *s = &e->sc->service;
    t->inst = in->id;
    t->zone = in->zone_idx;
    t->type = in->type_idx;
    t->state = SS_TASK_PENDING;
    t->inst_prev = -1;
    t->inst_next = e->inst_head[in->id];
    if (t->inst_next >= 0)
        e->tasks[t->inst_next].inst_prev = t->id;
    e->inst_head[in->id] = t->id;
    e->type_tasks[t->type]++;
    in->cpu_used += s->task_cpu;
    in->mem_used += s->task_memory_mib;
    if (in->ntasks++ == 0 && e->cp_of_asg[in->asg] >= 0)
        e->cps[e->cp_of_asg[in->asg]].n_busy++;
    e->cps[t->cp].provisioning--;
    e->n_provisioning--;
    e->zone_tasks[t->zone]++;
    if (e->idx)
        ss_ecs_index_push(e, in); /* its instance scores changed */
    ss_ecs_update_protection(e, in);
    if (e->warm) {
        /* initial tasks: already running and healthy when the horizon starts */
        t->state = SS_TASK_RUNNING;
        t->running_at = ss_evq_now(e->q);
        t->healthy = true;
        e->n_pending--;
        e->n_running++;
        e->healthy_zone[t->zone]++;
        ss_ecs_victims_touch(e, in, SS_ECS_TOUCH_PLACED);
        ss_ecs_victims_touch(e, in, SS_ECS_TOUCH_RUNNING);
        return;
    }
    ss_ecs_victims_touch(e, in, SS_ECS_TOUCH_PLACED);
    double u = ss_rng_keyed_uniform(e->seed, (uint64_t)e->replica, (uint64_t)t->id, KEY_TASK_START);
    t->ev = ss_evq_schedule(e->q, ss_evq_now(e->q) + ss_dist_quantile_ms(&s->task_start, u),
                            SS_ECS_EV_TASK_RUNNING, e, t->id, 0);
}

/* Free the task's resources on its instance. */
static void release(ss_ecs *e, ss_task *t)
{
    if (t->inst < 0)
        return;
    const ss_service *s = &e->sc->service;
    ss_instance *in = ss_fleet_inst(&e->fleet, t->inst);
    if (t->inst_prev >= 0)
        e->tasks[t->inst_prev].inst_next = t->inst_next;
    else
        e->inst_head[in->id] = t->inst_next;
    if (t->inst_next >= 0)
        e->tasks[t->inst_next].inst_prev = t->inst_prev;
    t->inst_next = t->inst_prev = -1;
    in->cpu_used -= s->task_cpu;
    in->mem_used -= s->task_memory_mib;
    if (--in->ntasks == 0 && e->cp_of_asg[in->asg] >= 0)
        e->cps[e->cp_of_asg[in->asg]].n_busy--;
    ss_ecs_open_instance(e, in); /* after every score change: the index keys it now */
    ss_ecs_update_protection(e, in);
    ss_ecs_victims_touch(e, in, SS_ECS_TOUCH_RELEASED);
    if (in->lifecycle_held && in->ntasks == 0 && in->state != SS_INST_TERMINATED)
        /* managed draining: the lifecycle hook completes when the instance is
         * empty (as an event: never terminate from inside a scheduler pass) */
        ss_evq_schedule(e->q, ss_evq_now(e->q), SS_ECS_EV_LIFECYCLE, e, in->id, 0);
}

/* Leave the "active" counts (pending/running/zone/healthy/provider). */
static void deactivate(ss_ecs *e, ss_task *t)
{
    if (t->state == SS_TASK_RUNNING && !t->healthy && ss_ecs_task_doomed(e, t))
        e->n_doomed_unhealthy--;
    if (t->state == SS_TASK_PROVISIONING) {
        e->n_provisioning--;
        if (t->cp >= 0)
            e->cps[t->cp].provisioning--;
    }
    if (t->state == SS_TASK_PROVISIONING || t->state == SS_TASK_PENDING)
        e->n_pending--;
    else if (t->state == SS_TASK_RUNNING)
        e->n_running--;
    if (t->state != SS_TASK_STOPPING && t->state != SS_TASK_STOPPED) {
        if (ss_ecs_task_doomed(e, t))
            e->n_doomed--;
        if (t->zone >= 0)
            e->zone_tasks[t->zone]--;
        if (t->type >= 0)
            e->type_tasks[t->type]--;
        if (t->cp >= 0)
            e->cps[t->cp].n_tasks--;
    }
    if (t->healthy) {
        t->healthy = false;
        e->healthy_zone[t->zone]--;
    }
    ss_evq_cancel(e->q, t->ev);
}

void ss_ecs_task_stop(ss_ecs *e, ss_task *t, bool restart)
{
    if (t->state == SS_TASK_STOPPING || t->state == SS_TASK_STOPPED)
        return;
    if (restart)
        e->task_restarts++;
    bool placed_running = t->state == SS_TASK_RUNNING;
    deactivate(e, t);
    if (t->inst < 0 || !placed_running) {
        /* PROVISIONING / PENDING tasks stop at once */
        t->state = SS_TASK_STOPPED;
        release(e, t);
        live_remove(e, t);
        return;
    }
    const ss_service *s = &e->sc->service;
    t->state = SS_TASK_STOPPING;
    t->ev = ss_evq_schedule(e->q, ss_evq_now(e->q) + s->deregistration_delay + s->stop_timeout,
                            SS_ECS_EV_TASK_STOPPED, e, t->id, 0);
}

void ss_ecs_task_kill(ss_ecs *e, ss_task *t)
{
    if (t->state == SS_TASK_STOPPED)
        return;
    if (t->state != SS_TASK_STOPPING) {
        e->task_restarts++;
        e->dead_unseen++;
    }
    deactivate(e, t);
    t->state = SS_TASK_STOPPED;
    release(e, t);
    live_remove(e, t);
}

static void on_task_running(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_task *t = task_of(e, ev->a);
    if (t->state != SS_TASK_PENDING)
        return;
    const ss_service *s = &e->sc->service;
    t->state = SS_TASK_RUNNING;
    t->running_at = ss_evq_now(e->q);
    e->n_pending--;
    e->n_running++;
    if (t->inst >= 0)
        ss_ecs_victims_touch(e, ss_fleet_inst(&e->fleet, t->inst), SS_ECS_TOUCH_RUNNING);
    /* The load balancer marks the target healthy after HealthCheckInterval x
     * HealthyThresholdCount (time_to_healthy) whatever the service's
     * healthCheckGracePeriodSeconds: the grace period only makes the
     * scheduler ignore failing checks for that long (CreateService
     * healthCheckGracePeriodSeconds, docs.aws.amazon.com/AmazonECS/latest/
     * APIReference/API_CreateService.html; time to healthy: ECS best
     * practices, load-balancer-healthcheck.html). Tasks never fail their
     * checks here, so the grace period changes nothing. */
    t->ev = ss_evq_schedule(e->q, t->running_at + s->time_to_healthy, SS_ECS_EV_TASK_HEALTHY, e, t->id, 0);
    ss_ecs_account(e);
}

static void on_task_healthy(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_task *t = task_of(e, ev->a);
    if (t->state != SS_TASK_RUNNING || t->healthy)
        return;
    t->healthy = true;
    e->healthy_zone[t->zone]++;
    if (ss_ecs_task_doomed(e, t))
        e->n_doomed_unhealthy--;
    ss_ecs_account(e);
    /* a healthy replacement may let the scheduler stop a draining task */
    ss_ecs_request_sched(e, ss_evq_now(e->q));
}

static void on_task_stopped(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_task *t = task_of(e, ev->a);
    if (t->state != SS_TASK_STOPPING)
        return;
    t->state = SS_TASK_STOPPED;
    release(e, t);
    live_remove(e, t);
    ss_ecs_request_sched(e, ss_evq_now(e->q));
}

static void on_seen(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    e->dead_unseen -= (int)ev->a;
    ss_ecs_schedule_pass(e);
}

/* Copy the ids of the tasks on an instance into e->scratch; returns how many. */
static size_t tasks_on(ss_ecs *e, const ss_instance *in)
{
    size_t n = 0;
    for (int id = e->inst_head[in->id]; id >= 0; id = e->tasks[id].inst_next) {
        SS_GROW(e->scratch, e->cap_scratch, n + 1);
        e->scratch[n++] = id;
    }
    return n;
}

/* Of the n tasks in ids[] (swap-removed as they go), the one that comes
 * first in the live list and matches `pending_only`, or -1. Stopping or
 * killing tasks in this order reproduces a front-to-back scan of the live
 * list that removes by swapping in the last element (the live order decides
 * later tie-breaks, so it must not depend on how the tasks were found). */
static int take_first_live(ss_ecs *e, int *ids, size_t *n, bool pending_only)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < *n; i++) {
        const ss_task *t = &e->tasks[ids[i]];
        if (t->state == SS_TASK_STOPPED || (pending_only && t->state != SS_TASK_PENDING))
            continue;
        if (best == SIZE_MAX || t->live_slot < e->tasks[ids[best]].live_slot)
            best = i;
    }
    if (best == SIZE_MAX)
        return -1;
    int id = ids[best];
    ids[best] = ids[--*n];
    return id;
}

void ss_ecs_drain_instance(ss_ecs *e, ss_instance *in)
{
    if (in->orch_draining || in->state == SS_INST_TERMINATED)
        return;
    in->orch_draining = true;
    size_t n = tasks_on(e, in);
    for (size_t i = 0; i < n; i++) {
        const ss_task *t = &e->tasks[e->scratch[i]];
        if (t->state != SS_TASK_STOPPING)
            e->n_doomed++;
        if (t->state == SS_TASK_RUNNING && !t->healthy)
            e->n_doomed_unhealthy++;
        /* No task becomes RUNNING on a DRAINING instance later (nothing is
         * placed there, PENDING ones stop below): the RUNNING ones now are
         * all the scheduler will ever have to stop here. */
        if (t->state == SS_TASK_RUNNING) {
            SS_GROW(e->doomed, e->cap_doomed, e->n_doomed_list + 1);
            e->doomed[e->n_doomed_list++] = t->id;
        }
    }
    /* PENDING service tasks on it stop at once (§3.4); RUNNING ones are
     * replaced by the scheduler within minimumHealthy/maximumPercent. */
    int id;
    while ((id = take_first_live(e, e->scratch, &n, true)) >= 0)
        ss_ecs_task_stop(e, &e->tasks[id], true);
    ss_ecs_schedule_pass(e);
    ss_ecs_account(e);
    if (in->lifecycle_held && in->ntasks == 0)
        ss_evq_schedule(e->q, ss_evq_now(e->q), SS_ECS_EV_LIFECYCLE, e, in->id, 0);
}

static void on_lifecycle(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_instance *in = ss_fleet_inst(&e->fleet, (int)ev->a);
    if (!in->lifecycle_held || in->ntasks > 0 || in->state == SS_INST_TERMINATED)
        return;
    in->lifecycle_held = false;
    ss_asg_complete_lifecycle(&e->asgs[in->asg], in);
}

static void on_drain(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_ecs_drain_instance(e, ss_fleet_inst(&e->fleet, (int)ev->a));
}

void ss_ecs_instance_gone(ss_ecs *e, ss_instance *in)
{
    int killed = e->dead_unseen;
    size_t n = tasks_on(e, in);
    int id;
    while ((id = take_first_live(e, e->scratch, &n, false)) >= 0)
        ss_ecs_task_kill(e, &e->tasks[id]);
    killed = e->dead_unseen - killed;
    if (killed > 0)
        ss_evq_schedule(e->q, ss_evq_now(e->q) + e->sc->service.scheduler_delay, SS_ECS_EV_SEEN, e,
                        killed, 0);
    ss_ecs_account(e);
}

void ss_ecs_register_task_events(ss_ecs *e)
{
    ss_evq_on(e->q, SS_ECS_EV_TASK_RUNNING, on_task_running, NULL);
    ss_evq_on(e->q, SS_ECS_EV_TASK_HEALTHY, on_task_healthy, NULL);
    ss_evq_on(e->q, SS_ECS_EV_TASK_STOPPED, on_task_stopped, NULL);
    ss_evq_on(e->q, SS_ECS_EV_SEEN, on_seen, NULL);
    ss_evq_on(e->q, SS_ECS_EV_DRAIN, on_drain, NULL);
    ss_evq_on(e->q, SS_ECS_EV_LIFECYCLE, on_lifecycle, NULL);
}
