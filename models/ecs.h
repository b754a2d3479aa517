/*
 * ecs.h - the Amazon ECS on EC2 model (aws-semantics.md §3): internal state
 * shared by the models/ecs_*.c files. The public entry point is
 * ss_ecs_simulate (models/eval.h).
 *
 * Production setup modelled: ALB -> target group -> one ECS service whose
 * capacity provider strategy spreads tasks over capacity providers, each an
 * Auto Scaling group (models/asg.h) with optional managed scaling.
 *
 *   ecs_sim.c        set-up, run, metrics, timeline, ASG hooks
 *   ecs_capacity.c   capacity provider strategy split, managed scaling (CPR)
 *   ecs_sched.c      service scheduler and task placement
 *   ecs_index.c      placement index (best instance in O(groups + log n))
 *   ecs_task.c       task lifecycle, stopping, Spot / managed draining
 *   ecs_autoscale.c  service auto scaling (target tracking on a demand trace)
 */
#ifndef SPOTSIM_ECS_H
#define SPOTSIM_ECS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "models/asg.h"
#include "models/avail.h"
#include "models/eval.h"
#include "models/fleet.h"

enum {
    SS_ECS_EV_TASK_RUNNING = SS_EVT_ORCH_FIRST, /* a = task id */
    SS_ECS_EV_TASK_HEALTHY,                     /* a = task id */
    SS_ECS_EV_TASK_STOPPED,                     /* a = task id */
    SS_ECS_EV_SCHED,                            /* scheduler pass */
    SS_ECS_EV_SEEN,                             /* a = dead tasks the scheduler now sees */
    SS_ECS_EV_DRAIN,                            /* a = instance id: agent sets DRAINING */
    SS_ECS_EV_CP_TICK,                          /* a = provider: managed scaling minute (reference mode) */
    SS_ECS_EV_SAS_TICK,                         /* service auto scaling minute */
    SS_ECS_EV_SAMPLE,                           /* timeline sample */
    SS_ECS_EV_LIFECYCLE                         /* a = instance id: complete a held termination if empty */
};

typedef enum ss_task_state {
    SS_TASK_PROVISIONING = 0, /* waiting for capacity */
    SS_TASK_PENDING,          /* placed, starting (image pull, start) */
    SS_TASK_RUNNING,
    SS_TASK_STOPPING,         /* deregistration delay + stop timeout */
    SS_TASK_STOPPED
} ss_task_state;

typedef struct ss_task {
    int id;
    int cp;                   /* capacity provider index */
    int inst;                 /* instance id, -1 while PROVISIONING */
    int zone;                 /* zone index of the instance, -1 */
    ss_task_state state;
    bool healthy;
    ss_time created, running_at;
    ss_ev_handle ev;
    size_t live_slot;
    int type;                 /* instance type index once placed, -1 */
    int inst_next, inst_prev; /* list of the tasks on one instance (ss_ecs.inst_head) */
    double draw;              /* keyed draw that breaks scale-in ties (ss_ecs_task_draw) */
} ss_task;

typedef struct ss_ecs_cp {
    ss_time last_scale_out;   /* SS_TIME_NEVER... stored as very old */
    int low_datapoints;       /* consecutive minutes with CPR < target */
    int n_tasks;              /* live, non-stopping tasks on this provider */
    int provisioning;         /* its PROVISIONING tasks */
    int n_running;            /* running (not pending, not terminated) instances of its ASG */
    int n_busy;               /* ... of which with at least one task */
    ss_time last_launch;      /* latest launch request into its ASG */
    /* Managed scaling datapoints (ecs_capacity.c): the next one-minute
     * datapoint not yet evaluated and its place among events at that time
     * (events with a sequence number below tick_seq come first). */
    ss_time tick_t;
    uint64_t tick_seq;
    int per_small, per_large; /* tasks per instance of the smallest / largest type */
} ss_ecs_cp;

typedef struct ss_ecs_index ss_ecs_index; /* ecs_index.c */
typedef struct ss_ecs_victims ss_ecs_victims; /* ecs_victims.c */

typedef struct ss_ecs {
    const ss_scenario *sc;
    const ss_data *d;
    ss_evq *q;
    uint64_t seed;
    int replica;
    ss_time start, end;
    ss_fleet fleet;
    ss_asg_group asgs[SS_MAX_ASGS];
    int n_asgs;
    int cp_of_asg[SS_MAX_ASGS];       /* provider index of each ASG, -1 */
    ss_ecs_cp cps[SS_MAX_PROVIDERS];
    int n_cps;
    /* tasks */
    ss_task *tasks;
    size_t n_tasks, cap_tasks;
    int *live;                        /* ids of tasks not STOPPED */
    size_t n_live, cap_live;
    int zone_tasks[SS_MAX_ZONES];     /* placed, not stopping */
    int type_tasks[SS_MAX_TYPES];     /* placed, not stopping, by instance type */
    /* Indexes that keep every scheduler step O(tasks or instances involved)
     * instead of O(all tasks / all instances); ecs_task.c, ecs_sched.c. */
    int *inst_head;                   /* by instance id: first task placed and not yet released, -1 */
    bool *inst_open;                  /* by instance id: listed in its group's open list */
    size_t cap_inst;
    int *open[SS_MAX_ASGS];           /* instances that may fit a task (lazy: checked at placement) */
    size_t n_open[SS_MAX_ASGS], cap_open[SS_MAX_ASGS];
    int *doomed;                      /* RUNNING tasks of instances set DRAINING, by task id
                                         (lazy: dropped once no longer RUNNING there) */
    size_t n_doomed_list, cap_doomed;
    int *prov;                        /* tasks created, in id order (lazy: PROVISIONING ones matter) */
    size_t n_prov, cap_prov;
    size_t prov_head;                 /* prov[0..prov_head) have all left PROVISIONING */
    uint64_t *keys;                   /* sort keys (live slot, task id) */
    size_t cap_keys;
    int *scratch;                     /* task ids being worked on */
    size_t cap_scratch;
    ss_ecs_index *idx;                /* placement index (NULL: the scan of open[]) */
    ss_ecs_victims *vic;              /* service scale-in index (NULL: the scan of live[]) */
    ss_instance **cand;               /* placement candidates */
    size_t cap_cand;
    double *cand_score;               /* their scores under one strategy */
    size_t cap_cand_score;
    int healthy_zone[SS_MAX_ZONES];   /* healthy tasks per zone */
    int n_running, n_pending;         /* RUNNING; PROVISIONING + PENDING */
    int dead_unseen;                  /* killed tasks the scheduler has not noticed yet */
    int n_doomed;                     /* active tasks on DRAINING instances */
    int n_doomed_unhealthy;           /* ... of which RUNNING and not yet healthy */
    int n_provisioning;               /* PROVISIONING tasks (all providers) */
    int desired;                      /* service desiredCount */
    double demand_tasks;              /* d(t) */
    ss_ev_handle ev_sched;
    ss_time sched_at;
    bool warm;                        /* placing the initial tasks at the start */
    /* service auto scaling */
    ss_time *dem_t;
    double *dem_v;
    size_t n_dem;
    ss_time last_sas_out, last_sas_in;
    int last_sas_out_target;
    /* accounting */
    ss_avail avail;
    ss_timeline *tl;
    int64_t task_restarts;
    bool minute_ticks;                /* managed scaling as one kernel event per minute (reference) */
    int n_managed;                    /* providers with managed scaling */
    bool sas_on;                      /* service auto scaling (demand trace), analytic datapoints */
    ss_time sas_tick_t;               /* its next datapoint not yet evaluated ... */
    uint64_t sas_tick_seq;            /* ... and its place among events (as ss_ecs_cp.tick_seq) */
    char err[256];                    /* first model error (reported after the run) */
} ss_ecs;

/* What the ECS agent registers for an instance of group asg ("Reserving
 * Amazon ECS Linux container instance memory", docs.aws.amazon.com/
 * AmazonECS/latest/developerguide/memory-management.html): the memory the
 * operating system reports, i.e. the installed memory less the platform
 * and kernel share (memory_overhead: an 8 GiB m4.large reports 7985 MiB,
 * 207 MiB = 2.527 % less), less ECS_RESERVED_MEMORY; CPU: vCPU x 1024 less
 * reserved_cpu. Placement fits tasks into these, managed scaling counts
 * tasks per instance with them. */
static inline double ss_ecs_registered_mem(const ss_ecs *e, int asg, double memory_mib)
{
    int cp = e->cp_of_asg[asg];
    if (cp < 0)
        return memory_mib;
    const ss_capacity_provider *c = &e->sc->providers[cp];
    return memory_mib - round(memory_mib * c->memory_overhead) - c->reserved_memory_mib;
}

static inline double ss_ecs_registered_cpu(const ss_ecs *e, int asg, double vcpu)
{
    int cp = e->cp_of_asg[asg];
    return vcpu * 1024.0 - (cp < 0 ? 0.0 : e->sc->providers[cp].reserved_cpu);
}

/* ecs_sim.c: step-wise API (ss_ecs_simulate = new + finish + free). */
ss_ecs *ss_ecs_new(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                   ss_err *err);
/* As ss_ecs_new; minute_ticks = true evaluates managed scaling with one
 * kernel event per provider and minute (the reference implementation the
 * analytic one is tested against: same metrics and timeline, byte for byte). */
ss_ecs *ss_ecs_new_opts(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                        bool minute_ticks, ss_err *err);
/* As ss_ecs_new_opts with run-time fleet rules (models/policy.h) acting on
 * the Auto Scaling groups; pol may be NULL and must outlive the model. */
ss_ecs *ss_ecs_new_policy(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_timeline *tl,
                          bool minute_ticks, const ss_policy *pol, ss_err *err);
void ss_ecs_run_until(ss_ecs *e, ss_time t);
void ss_ecs_finish(ss_ecs *e, ss_metrics *out);
void ss_ecs_free(ss_ecs *e);
/* Invariants (tests): tasks on live instances, per-instance counts, counters,
 * the per-instance task lists and per-type counts. */
int ss_ecs_check(const ss_ecs *e, ss_err *err);

/* ecs_task.c */
ss_task *ss_ecs_task_new(ss_ecs *e, int cp);
void ss_ecs_task_place(ss_ecs *e, ss_task *t, ss_instance *in);
void ss_ecs_task_stop(ss_ecs *e, ss_task *t, bool restart);
void ss_ecs_task_kill(ss_ecs *e, ss_task *t);
bool ss_ecs_task_doomed(const ss_ecs *e, const ss_task *t);
void ss_ecs_drain_instance(ss_ecs *e, ss_instance *in);
void ss_ecs_instance_gone(ss_ecs *e, ss_instance *in);
/* An instance of group asg may fit a task now (registered / resources freed). */
void ss_ecs_open_instance(ss_ecs *e, const ss_instance *in);
void ss_ecs_register_task_events(ss_ecs *e);
int ss_ecs_required(const ss_ecs *e);
int ss_ecs_healthy(const ss_ecs *e);
void ss_ecs_account(ss_ecs *e);      /* push h, m, d, p to the availability integrals */
void ss_ecs_timeline(ss_ecs *e, const char *event);

/* ecs_sched.c */
void ss_ecs_request_sched(ss_ecs *e, ss_time t);
void ss_ecs_schedule_pass(ss_ecs *e);
ss_instance *ss_ecs_place(ss_ecs *e, const ss_task *t);
void ss_ecs_register_sched_events(ss_ecs *e);

/* ecs_index.c: the placement index (see there); off (e->idx NULL) with a
 * spread by instance or a binpack before a random strategy, or when
 * ss_ecs_placement_scan is set (tests: the scan is the reference the index
 * must match pick for pick; for a random strategy both draw uniformly among
 * the instances that fit, but not the same draws). */
extern bool ss_ecs_placement_scan;
void ss_ecs_index_init(ss_ecs *e);
void ss_ecs_index_free(ss_ecs *e);
void ss_ecs_index_push(ss_ecs *e, const ss_instance *in);
ss_instance *ss_ecs_index_pick(ss_ecs *e, int asg, const ss_task *t,
                               bool (*fits)(const ss_ecs *, const ss_instance *));

/* ecs_victims.c: the service scale-in index (see there); off (e->vic
 * NULL) when ss_ecs_placement_scan is set (the scan is the reference). */
void ss_ecs_victims_init(ss_ecs *e);
void ss_ecs_victims_free(ss_ecs *e);
/* What happened on an instance that may raise its scale-in keys. */
typedef enum { SS_ECS_TOUCH_PLACED, SS_ECS_TOUCH_RUNNING, SS_ECS_TOUCH_RELEASED } ss_ecs_touch;
void ss_ecs_victims_touch(ss_ecs *e, const ss_instance *in, ss_ecs_touch why);
/* The keyed draw of task `id` (random strategy and the final tie-break of
 * service scale-in). */
double ss_ecs_task_draw(const ss_ecs *e, int id);
/* The task a scale-in of the service stops, or NULL. */
ss_task *ss_ecs_victims_pick(ss_ecs *e);
/* Scale-in score of a placed task under one strategy (higher = stopped first). */
double ss_ecs_victim_score(const ss_ecs *e, const ss_task *t, const ss_placement *p);

/* ecs_capacity.c */
int ss_ecs_pick_provider(const ss_ecs *e);
int ss_ecs_strategy_split(const ss_capacity_provider *cps, int n_cps, const int *n_tasks);
void ss_ecs_update_protection(ss_ecs *e, ss_instance *in);
void ss_ecs_register_cp_events(ss_ecs *e);
int ss_ecs_tasks_per_instance(const ss_ecs *e, int cp, bool largest);
/* Analytic managed scaling and service auto scaling: evaluate every
 * datapoint that comes before the event at (t, seq) (pass seq UINT64_MAX
 * for "every datapoint before t").
 * Returns true when it evaluated a datapoint that changed a desired
 * capacity (new events may precede the one at (t, seq): peek again). */
bool ss_ecs_cp_advance(ss_ecs *e, ss_time t, uint64_t seq);
/* Managed scaling scale-out (§3.2): the new desired capacity for N running
 * instances and P PROVISIONING tasks, or -1 for no scale-out. */
int ss_ecs_scale_out_desired(int n_running, int provisioning, int per_instance, int min_step, int max_step,
                             int target_capacity);

/* ecs_autoscale.c */
int ss_ecs_load_demand(ss_ecs *e, ss_err *err);
void ss_ecs_register_sas_events(ss_ecs *e);
double ss_ecs_demand_at(const ss_ecs *e, ss_time t);
/* The service auto scaling datapoint at the current time, and the first
 * datapoint at or after e->sas_tick_t that changes anything if nothing else
 * does (SS_TIME_NEVER if none); for ss_ecs_cp_advance. */
void ss_ecs_sas_tick(ss_ecs *e);
ss_time ss_ecs_sas_first_action(const ss_ecs *e);

#endif
