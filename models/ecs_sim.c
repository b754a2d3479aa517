/*
 * ecs_sim.c - ss_ecs_simulate: set up the fleet, the Auto Scaling groups, the
 * capacity providers and the service on one kernel, run the horizon, and
 * turn the integrals into metrics.
 *
 * Warm start: the horizon begins in steady state. Every ASG's initial
 * desired capacity is running and registered at `start`, and the service's
 * initial tasks are placed RUNNING and healthy at `start` (tasks that do not
 * fit stay PROVISIONING and count as shortfall until capacity arrives).
 *
 * Draining on a Spot notice happens when the service has Spot draining
 * (ECS_ENABLE_SPOT_INSTANCE_DRAINING, the agent polls every 1 s) or the
 * instance's capacity provider has managed draining (§3.4; modelled with the
 * same 1 s latency). Terminations decided by the ASG (scale-in, Capacity
 * Rebalancing) are drained first only with managed draining (a lifecycle
 * hook held until the instance has no tasks); otherwise the tasks die with
 * the instance.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/ecs.h"

#define AGENT_POLL (1 * SS_SECOND)

static int cp_of(const ss_ecs *e, const ss_instance *in) { return e->cp_of_asg[in->asg]; }

static void h_launched(void *ctx, ss_instance *in)
{
    ss_ecs *e = ctx;
    if ((size_t)in->id >= e->cap_inst) {
        size_t old = e->cap_inst, cap = old ? 2 * old : 256;
        while (cap <= (size_t)in->id)
            cap *= 2;
        e->inst_head = ss_realloc(e->inst_head, cap * sizeof *e->inst_head);
        e->inst_open = ss_realloc(e->inst_open, cap * sizeof *e->inst_open);
        for (size_t i = old; i < cap; i++) {
            e->inst_head[i] = -1;
            e->inst_open[i] = false;
        }
        e->cap_inst = cap;
    }
    /* The warm-up clock (§3.2: scale-out waits while an instance is within
     * instanceWarmupPeriod of its launch) runs from real launches only: the
     * initial fleet of a warm start has been in service for long
     * ("Amazon ECS managed scaling behavior", docs.aws.amazon.com/AmazonECS/
     * latest/developerguide/managed-scaling-behavior.html), so the first
     * datapoint may scale out at once. */
    int cp = cp_of(e, in);
    if (cp >= 0 && !e->warm && in->launch > e->cps[cp].last_launch)
        e->cps[cp].last_launch = in->launch;
}

static void h_running(void *ctx, ss_instance *in)
{
    ss_ecs *e = ctx;
    int cp = cp_of(e, in);
    if (cp >= 0)
        e->cps[cp].n_running++;
}

static void h_registered(void *ctx, ss_instance *in)
{
    ss_ecs *e = ctx;
    ss_ecs_open_instance(e, in);
    if (!e->warm)
        ss_ecs_request_sched(e, ss_evq_now(e->q));
}

static bool drains_on_notice(const ss_ecs *e, const ss_instance *in)
{
    int cp = cp_of(e, in);
    return e->sc->service.spot_draining || (cp >= 0 && e->sc->providers[cp].managed_draining);
}

static void h_notice(void *ctx, ss_instance *in, ss_time deadline)
{
    ss_ecs *e = ctx;
    (void)deadline;
    if (drains_on_notice(e, in))
        ss_evq_schedule(e->q, ss_evq_now(e->q) + AGENT_POLL, SS_ECS_EV_DRAIN, e, in->id, 0);
}

static bool h_terminating(void *ctx, ss_instance *in)
{
    ss_ecs *e = ctx;
    int cp = cp_of(e, in);
    if (cp < 0 || !e->sc->providers[cp].managed_draining || in->ntasks == 0)
        return false;
    in->lifecycle_held = true;
    ss_evq_schedule(e->q, ss_evq_now(e->q), SS_ECS_EV_DRAIN, e, in->id, 0);
    return true;
}

static void h_terminated(void *ctx, ss_instance *in)
{
    ss_ecs *e = ctx;
    int cp = cp_of(e, in);
    if (cp >= 0 && in->running_at != SS_TIME_NEVER)
        e->cps[cp].n_running--;
    ss_ecs_instance_gone(e, in);
}

static void h_launch_failed(void *ctx, int pool, ss_launch_block why)
{
    (void)pool;
    (void)why;
    ss_ecs_timeline(ctx, "launch-failed");
}

static void f_event(void *ctx, ss_time t, const char *what)
{
    ss_ecs *e = ctx;
    (void)t;
    ss_ecs_timeline(e, what);
    if (!strncmp(what, "outage", 6))
        ss_ecs_account(e);
}

static void on_sample(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_ecs_timeline(e, NULL);
    ss_evq_schedule(q, ss_evq_now(q) + e->sc->sample_interval, SS_ECS_EV_SAMPLE, e, 0, 0);
}

static int validate(const ss_scenario *sc, const ss_data *d, ss_err *err)
{
    if (sc->n_providers < 1)
        return ss_err_set(err, "ecs: the scenario has no capacity provider");
    if (sc->n_asgs < 1)
        return ss_err_set(err, "ecs: the scenario has no Auto Scaling group");
    if (d->n_types != sc->market.n_types || d->n_zones != sc->market.n_zones)
        return ss_err_set(err, "ecs: market data has %d types x %d zones, scenario %d x %d", d->n_types,
                          d->n_zones, sc->market.n_types, sc->market.n_zones);
    bool any_weight = false;
    for (int i = 0; i < sc->n_providers; i++) {
        const ss_capacity_provider *c = &sc->providers[i];
        if (c->asg < 0 || c->asg >= sc->n_asgs)
            return ss_err_set(err, "capacity_providers[%d] (%s): asg index %d out of range", i, c->name, c->asg);
        if (c->weight > 0 || c->base > 0)
            any_weight = true;
    }
    if (!any_weight)
        return ss_err_set(err, "capacity provider strategy: every weight is 0 (CreateService would fail)");
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        int nt = a->n_types ? a->n_types : sc->market.n_types;
        for (int k = 0; k < nt; k++) {
            int ti = a->n_types ? a->type_idx[k] : k;
            if (ti < 0 || ti >= d->n_types)
                return ss_err_set(err, "asgs[%d] (%s): instance type index %d out of range", g, a->name, ti);
            const ss_pool *p = ss_data_pool(d, ti, 0);
            if (!(p->ondemand_usd_per_hour > 0))
                return ss_err_set(err, "asgs[%d] (%s): instance type %s has no On-Demand price in %s (needed "
                                  "for On-Demand instances and the all-On-Demand baseline; set "
                                  "market.instance_types[].on_demand_price or import on-demand prices)",
                                  g, a->name, sc->market.types[ti].name, sc->market.region);
            if (!(p->vcpu > 0) || !(p->memory_mib > 0))
                return ss_err_set(err, "asgs[%d] (%s): instance type %s has no vCPU/memory (set "
                                  "market.instance_types[].vcpu and .memory_mib or import instance specs)", g, a->name, sc->market.types[ti].name);
        }
    }
    return 0;
}

ss_ecs *ss_ecs_new(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                   ss_err *err)
{
    return ss_ecs_new_opts(sc, d, seed, replica, tl, false, err);
}

ss_ecs *ss_ecs_new_opts(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                        bool minute_ticks, ss_err *err)
{
    return ss_ecs_new_policy(sc, d, seed, replica, tl, minute_ticks, NULL, err);
}

ss_ecs *ss_ecs_new_policy(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                          bool minute_ticks, const ss_policy *pol, ss_err *err)
{
    if (validate(sc, d, err))
        return NULL;
    ss_time start, end;
    if (ss_data_horizon(sc->start, sc->end, d, "ecs", &start, &end, err))
        return NULL;
    ss_ecs *e = ss_calloc(1, sizeof *e);
    e->sc = sc;
    ss_ecs_index_init(e);
    ss_ecs_victims_init(e);
    e->d = d;
    e->seed = seed;
    e->replica = replica;
    e->start = start;
    e->end = end;
    e->tl = tl;
    e->minute_ticks = minute_ticks;
    e->q = ss_evq_new(256); /* slots grow on demand: the steady state needs a few hundred */
    ss_evq_reset(e->q, start);

    int n_pools = d->n_types * d->n_zones;
    bool *use = ss_calloc((size_t)n_pools, sizeof *use);
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        int nt = a->n_types ? a->n_types : sc->market.n_types;
        int nz = a->n_zones ? a->n_zones : sc->market.n_zones;
        for (int i = 0; i < nt; i++)
            for (int z = 0; z < nz; z++)
                use[(a->n_types ? a->type_idx[i] : i) * d->n_zones + (a->n_zones ? a->zone_idx[z] : z)] = true;
    }
    int frc = ss_fleet_init(&e->fleet, sc, d, e->q, seed, replica, start, end, use, err);
    free(use);
    if (frc) {
        ss_ecs_index_free(e);
        ss_ecs_victims_free(e);
        ss_evq_free(e->q);
        free(e);
        return NULL;
    }
    e->fleet.on_event = f_event;
    e->fleet.event_ctx = e;

    e->desired = sc->service.desired_count;
    /* ---- policy hook: over-provisioning runs N_extra more tasks (one per
     * extra Spot instance of the policy's group; the SLO keeps its count) ---- */
    e->desired += ss_pol_extra_spot(pol, sc->policy.group);
    e->demand_tasks = e->desired;
    if (ss_ecs_load_demand(e, err)) {
        ss_ecs_free(e);
        return NULL;
    }
    e->n_cps = sc->n_providers;
    for (int g = 0; g < SS_MAX_ASGS; g++)
        e->cp_of_asg[g] = -1;
    for (int i = 0; i < sc->n_providers; i++)
        e->cp_of_asg[sc->providers[i].asg] = i;

    ss_ecs_register_task_events(e);
    ss_ecs_register_sched_events(e);
    ss_ecs_register_cp_events(e);
    ss_ecs_register_sas_events(e);
    ss_evq_on(e->q, SS_ECS_EV_SAMPLE, on_sample, NULL);

    ss_asg_hooks hooks = {.ctx = e,
                          .on_running = h_running,
                          .on_registered = h_registered,
                          .on_notice = h_notice,
                          .on_terminating = h_terminating,
                          .on_terminated = h_terminated,
                          .on_launch_failed = tl ? h_launch_failed : NULL,
                          .on_launched = h_launched,
                          .policy = pol};
    e->n_asgs = sc->n_asgs;
    e->warm = true;
    for (int g = 0; g < sc->n_asgs; g++) {
        ss_asg_init(&e->asgs[g], &e->fleet, g, &hooks);
        ss_asg_warm_start(&e->asgs[g]);
    }
    for (int i = 0; i < e->n_cps; i++) {
        e->cps[i].per_small = ss_ecs_tasks_per_instance(e, i, false);
        e->cps[i].per_large = ss_ecs_tasks_per_instance(e, i, true);
    }
    ss_avail_init(&e->avail, start, 0, ss_ecs_required(e), e->demand_tasks, 0);
    ss_ecs_schedule_pass(e); /* initial tasks, warm */
    e->warm = false;
    ss_ecs_account(e);
    if (tl) {
        ss_ecs_timeline(e, "start");
        if (sc->sample_interval > 0)
            ss_evq_schedule(e->q, start + sc->sample_interval, SS_ECS_EV_SAMPLE, e, 0, 0);
    }
    return e;
}

/* The event loop. Managed scaling datapoints are not kernel events (see
 * ecs_capacity.c): before each event, the datapoints that come before it
 * are evaluated (ss_ecs_cp_advance), then the event is dispatched. */
void ss_ecs_run_until(ss_ecs *e, ss_time t)
{
    if (t > e->end)
        t = e->end;
    if (e->minute_ticks || (e->n_managed == 0 && !e->sas_on)) {
        ss_evq_run_until(e->q, t);
        return;
    }
    for (;;) {
        const ss_event *ev = ss_evq_peek(e->q);
        if (!ev || ev->time >= t) {
            if (ss_ecs_cp_advance(e, t - 1, UINT64_MAX))
                continue;
            ss_evq_run_until(e->q, t);
            return;
        }
        if (ss_ecs_cp_advance(e, ev->time, ev->seq))
            continue; /* a datapoint changed a desired capacity: peek again */
        ss_evq_step(e->q);
    }
}

void ss_ecs_finish(ss_ecs *e, ss_metrics *out)
{
    memset(out, 0, sizeof *out);
    ss_ecs_run_until(e, e->end);
    if (e->tl)
        ss_ecs_timeline(e, "end");
    ss_avail_finish(&e->avail, e->end, out);
    ss_fleet_finish(&e->fleet);
    ss_fleet_metrics(&e->fleet, e->start, e->end, out);
    if (e->tl)
        ss_fleet_tally(&e->fleet, e->tl);
    out->task_restarts = e->task_restarts;
}

void ss_ecs_free(ss_ecs *e)
{
    if (!e)
        return;
    for (int g = 0; g < e->n_asgs; g++)
        ss_asg_free(&e->asgs[g]);
    ss_fleet_free(&e->fleet);
    ss_avail_free(&e->avail);
    free(e->tasks);
    free(e->live);
    free(e->inst_head);
    free(e->inst_open);
    ss_ecs_index_free(e);
    ss_ecs_victims_free(e);
    for (int g = 0; g < SS_MAX_ASGS; g++)
        free(e->open[g]);
    free(e->doomed);
    free(e->prov);
    free(e->scratch);
    free(e->keys);
    free(e->cand);
    free(e->cand_score);
    free(e->dem_t);
    free(e->dem_v);
    ss_evq_free(e->q);
    free(e);
}

int ss_ecs_check(const ss_ecs *e, ss_err *err)
{
    /* every non-stopped placed task is on a live instance; resources add up;
     * counters match a recount */
    int *cnt = ss_calloc((size_t)e->fleet.n + 1, sizeof *cnt);
    int pending = 0, running = 0, doomed = 0, doomed_unhealthy = 0, rc = 0;
    for (size_t i = 0; i < e->n_live && !rc; i++) {
        const ss_task *t = &e->tasks[e->live[i]];
        if (t->state == SS_TASK_STOPPED)
            rc = ss_err_set(err, "task %d is STOPPED but in the live list", t->id);
        else if (t->state == SS_TASK_PROVISIONING)
            pending++;
        else {
            if (t->state == SS_TASK_PENDING)
                pending++;
            if (t->state == SS_TASK_RUNNING)
                running++;
            if (t->inst < 0 || t->inst >= e->fleet.n) {
                rc = ss_err_set(err, "task %d (state %d) has no instance", t->id, (int)t->state);
                break;
            }
            const ss_instance *in = ss_fleet_inst(&e->fleet, t->inst);
            if (in->state == SS_INST_TERMINATED)
                rc = ss_err_set(err, "task %d runs on terminated instance %d", t->id, in->id);
            cnt[t->inst]++;
            if (t->state != SS_TASK_STOPPING && in->orch_draining)
                doomed++;
            if (t->state == SS_TASK_RUNNING && !t->healthy && in->orch_draining)
                doomed_unhealthy++;
        }
    }
    for (int id = 0; id < e->fleet.n && !rc; id++) {
        const ss_instance *in = ss_fleet_inst(&e->fleet, id);
        if (in->state != SS_INST_TERMINATED && cnt[id] != in->ntasks)
            rc = ss_err_set(err, "instance %d: %d tasks placed, ntasks %d", id, cnt[id], in->ntasks);
        if (in->state != SS_INST_TERMINATED &&
            (in->cpu_used > ss_ecs_registered_cpu(e, in->asg, in->vcpu) + 1e-6 ||
             in->mem_used > ss_ecs_registered_mem(e, in->asg, in->memory_mib) + 1e-6))
            rc = ss_err_set(err, "instance %d: cpu %g / memory %g over the registered %g / %g", id, in->cpu_used,
                            in->mem_used, ss_ecs_registered_cpu(e, in->asg, in->vcpu),
                            ss_ecs_registered_mem(e, in->asg, in->memory_mib));
    }
    /* the indexes: every live placed task is on its instance's list, and
     * the lists hold nothing else; per-type counts match a recount */
    int type_cnt[SS_MAX_TYPES] = {0};
    size_t listed = 0, placed = 0;
    for (size_t i = 0; i < e->n_live && !rc; i++) {
        const ss_task *t = &e->tasks[e->live[i]];
        if (t->inst >= 0) {
            placed++;
            if (t->state != SS_TASK_STOPPING)
                type_cnt[t->type]++;
        }
    }
    for (int id = 0; id < e->fleet.n && !rc; id++)
        for (int k = e->inst_head[id]; k >= 0 && !rc; k = e->tasks[k].inst_next) {
            listed++;
            if (e->tasks[k].inst != id || e->tasks[k].state == SS_TASK_STOPPED)
                rc = ss_err_set(err, "instance %d lists task %d (on %d, state %d)", id, k, e->tasks[k].inst,
                                (int)e->tasks[k].state);
        }
    if (!rc && listed != placed)
        rc = ss_err_set(err, "instance task lists hold %zu tasks, %zu placed", listed, placed);
    for (int ty = 0; ty < SS_MAX_TYPES && !rc; ty++)
        if (type_cnt[ty] != e->type_tasks[ty])
            rc = ss_err_set(err, "type %d: %d tasks placed, type_tasks %d", ty, type_cnt[ty], e->type_tasks[ty]);
    if (!rc && doomed != e->n_doomed)
        rc = ss_err_set(err, "counters: doomed %d, n_doomed %d", doomed, e->n_doomed);
    if (!rc && doomed_unhealthy != e->n_doomed_unhealthy)
        rc = ss_err_set(err, "counters: doomed and unhealthy %d, n_doomed_unhealthy %d", doomed_unhealthy,
                        e->n_doomed_unhealthy);
    if (!rc && (pending != e->n_pending || running != e->n_running))
        rc = ss_err_set(err, "counters: pending %d/%d running %d/%d", pending, e->n_pending, running,
                        e->n_running);
    free(cnt);
    return rc;
}

int ss_ecs_simulate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica,
                    const ss_policy *pol, ss_metrics *out, ss_timeline *tl, ss_err *err)
{
    memset(out, 0, sizeof *out);
    ss_ecs *e = ss_ecs_new_policy(sc, d, seed, replica, tl, false, pol, err);
    if (!e)
        return -1;
    ss_ecs_finish(e, out);
    ss_ecs_free(e);
    return 0;
}
