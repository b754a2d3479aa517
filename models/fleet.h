/*
 * fleet.h - the EC2 instances of one evaluation, the Spot market they live in
 * (pool capacity, interruption notices, zone outages) and their bill.
 *
 * The fleet is shared by every Auto Scaling group of an evaluation (ECS: one
 * ASG per capacity provider; Kubernetes: one per node group). It owns the
 * instances and drives the interruption sources of models/interrupt.h on the
 * event kernel; it knows nothing of ECS or Kubernetes. What happens to an
 * instance (notice, termination) is reported to its owner through the
 * ss_fleet_owner callbacks (models/asg.c installs them for its groups).
 *
 * Instance keys: key = hash(pool, n-th launch into that pool), never global
 * launch order, so that two candidate policies launching the n-th instance
 * into a pool see the same interruption and latency draws (common random
 * numbers, modeling-notes §6).
 *
 * Instances are stored in fixed blocks: an ss_instance pointer stays valid
 * for the whole evaluation (launching more instances never moves them).
 *
 * Capacity traces (docs/market.md, "the notice rule on traces"): the trace
 * says when capacity was there, so the pool never holds more Spot instances
 * (noticed ones included, until they terminate) than the trace's value at
 * that instant, and launches are accepted up to the drop. A drop at t gives
 * the excess its notice at max(t - market.notice_lead, start) (newest first,
 * or keyed random order) with the termination due at t; instances still
 * beyond the capacity at t (launched after the notices) get the notice and
 * terminate at t. Every pool event of one instant (all pools) is applied in
 * one handler before any controller runs at that instant.
 *
 * Billing (modeling-notes §1): every instance is billed from `running` (EC2
 * does not bill `pending`) to its termination (or the horizon end) with
 * ss_bill_spot / ss_bill_ondemand (per second, 60 s minimum); a Spot
 * instance that EC2 interrupts within its first instance-hour is free
 * (Linux/UNIX and Windows; not for instances warm started at the horizon
 * start). The all-On-Demand baseline bills exactly the same running times
 * at the On-Demand price of the instance's type.
 */
#ifndef SPOTSIM_FLEET_H
#define SPOTSIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "datasets/market_data.h"
#include "models/metrics.h"
#include "models/interrupt.h"
#include "models/scenario.h"
#include "sim/kernel/evq.h"
#include "sim/kernel/util.h"

/* Event-type ranges of the kernel (sim/kernel/evq.h has SS_EV_MAX_TYPES = 64):
 * fleet 1..7, Auto Scaling 8..15, the orchestrator (ECS or Kubernetes,
 * never both in one evaluation) 16..63. */
#define SS_EVT_FLEET_FIRST 1
#define SS_EVT_ASG_FIRST 8
#define SS_EVT_ORCH_FIRST 16

typedef enum ss_inst_state {
    SS_INST_PENDING = 0,  /* launch requested, not yet running */
    SS_INST_RUNNING,      /* running (EC2 state), in service */
    SS_INST_DRAINING,     /* leaving: notice received or termination requested */
    SS_INST_TERMINATED
} ss_inst_state;

/* Why an instance ended (ss_instance.end_reason). */
typedef enum ss_end_reason {
    SS_END_NONE = 0,
    SS_END_INTERRUPTED,   /* Spot interruption (after the notice) */
    SS_END_SCALE_IN,      /* Auto Scaling scale-in */
    SS_END_REBALANCED,    /* Capacity Rebalancing replaced it */
    SS_END_OUTAGE,        /* zone outage with instances_lost */
    SS_END_HORIZON        /* still alive at the horizon end (billing only) */
} ss_end_reason;

typedef struct ss_instance {
    int id;                  /* index in the fleet, 0.. */
    uint64_t key;            /* hash(pool, n-th launch into pool): common random numbers */
    int pool;                /* type_idx * n_zones + zone_idx */
    int type_idx, zone_idx;
    int asg;                 /* owning group index (scenario.asgs) */
    bool spot;
    ss_inst_state state;
    bool registered;         /* ECS container instance ACTIVE / node Ready */
    bool noticed;            /* a Spot interruption notice was received */
    bool rebalance;          /* a rebalance recommendation was received */
    bool protected_;         /* scale-in protection */
    bool leaving;            /* the ASG no longer counts it (being replaced/terminated) */
    ss_end_reason end_reason;
    int units;               /* WeightedCapacity (1 when unweighted) */
    double vcpu, memory_mib;
    double cpu_used, mem_used;  /* orchestrator bookkeeping (ECS CPU units / MiB) */
    int ntasks;                 /* orchestrator bookkeeping: tasks/pods placed */
    ss_time launch;          /* launch request */
    ss_time running_at;      /* SS_TIME_NEVER until running (billing starts) */
    ss_time registered_at;
    ss_time notice_at;       /* SS_TIME_NEVER unless noticed */
    ss_time end;             /* termination (billing ends); SS_TIME_NEVER while alive */
    ss_time deadline;        /* termination due after the notice; SS_TIME_NEVER unless noticed */
    ss_ev_handle ev_notice;  /* pending stochastic notice */
    ss_ev_handle ev_rbr;     /* pending rebalance recommendation */
    ss_ev_handle ev_state;   /* pending running / registered event (ASG) */
    ss_ev_handle ev_end;     /* pending termination at the notice deadline (fleet) */
    size_t pool_slot;        /* position in the pool's alive list (internal) */
    double cost;             /* final bill (set at termination / horizon end) */
    bool orch_draining;      /* orchestrator: container instance DRAINING / node cordoned */
    bool lifecycle_held;     /* a termination held by on_terminating (lifecycle hook) */
    bool asg_counted;        /* included in its group's incremental counts (asg.c, internal) */
    bool asg_pending;        /* ... as a PENDING instance (asg.c, internal) */
    bool asg_victim;         /* in its group's scale-in victim index (asg_victims.c, internal) */
    ss_ev_handle ev_cr;      /* pending Capacity Rebalancing re-evaluation (asg.c) */
    bool warm;               /* warm started: in service at the horizon start (not "new") */
    int azr_old;             /* AZRebalance: the instance this one replaces, -1 (asg.c) */
} ss_instance;

/* Callbacks of the owner of a set of instances (an ASG). All may be NULL. */
typedef struct ss_fleet_owner {
    void *ctx;
    /* Interruption notice: the instance terminates at `deadline`. */
    void (*on_notice)(void *ctx, ss_instance *in, ss_time deadline);
    /* Rebalance recommendation (before a notice, or never followed by one). */
    void (*on_rebalance)(void *ctx, ss_instance *in);
    /* The instance is gone (interrupted, outage, or terminated by the ASG). */
    void (*on_terminated)(void *ctx, ss_instance *in);
    /* Launch capacity came back: a zone outage ended or a pool's Spot
     * capacity grew (every owner is told). */
    void (*on_capacity_back)(void *ctx);
} ss_fleet_owner;

/* Per-pool market state. */
typedef struct ss_fleet_pool {
    int capacity;            /* current Spot capacity (-1 unlimited) */
    uint64_t launches;       /* launches so far (for keys) */
    int *alive;              /* ids of alive (not terminated, not noticed) Spot instances */
    size_t n_alive, cap_alive;
    int alive_od;            /* alive On-Demand instances */
    int n_leaving;           /* noticed Spot instances not yet terminated (hold capacity) */
    /* What the data did not back (docs/market.md, "the coverage rule"), and
     * the launches refused here, by cause (index: ss_launch_block). */
    double price_uncovered_hours;    /* Spot instance-hours before the first price record */
    double capacity_uncovered_hours; /* traces: Spot instance-hours outside the pool's traces */
    int64_t refused[5];
    bool used;               /* some group may launch here */
} ss_fleet_pool;

/* The Spot price step in force for a pool, cached: [lo, hi). */
typedef struct ss_fleet_price {
    ss_time lo, hi;
    double usd_per_hour;
} ss_fleet_price;

typedef struct ss_fleet_stats {
    double spot_cost, od_cost, od_baseline;  /* USD */
    double spot_hours, od_hours;             /* instance-hours */
    double uncovered_pool_hours;             /* Spot hours in pools without evidence */
    ss_time price_uncovered_ms;              /* Spot time before the first price record */
    ss_time capacity_uncovered_ms;           /* traces: Spot time outside the pool's traces */
    int64_t refused_price, refused_capacity; /* failed launches by cause (price above max; full) */
    int64_t launches, failed_launches, interruptions, rebalance_recommendations;
} ss_fleet_stats;

#define SS_FLEET_BLOCK 256 /* 48 KiB: below malloc's mmap threshold, reused across evaluations */

typedef struct ss_fleet {
    const ss_scenario *sc;
    const ss_data *d;
    ss_evq *q;
    uint64_t seed;
    int replica;
    ss_time start, end;      /* horizon */
    int n_pools, n_zones;
    ss_fleet_pool *pools;
    ss_instance **blocks;    /* SS_FLEET_BLOCK instances each */
    size_t n_blocks;
    int n;                   /* instances ever launched */
    ss_fleet_owner owners[SS_MAX_ASGS];
    bool zone_down[SS_MAX_ZONES];     /* zone outage: launches fail */
    bool zone_unhealthy[SS_MAX_ZONES]; /* zone outage without instance loss */
    ss_pool_events events;   /* pool events of this replica */
    ss_fleet_stats stats;
    /* Optional observer of notable moments (timeline "event" column). */
    void (*on_event)(void *ctx, ss_time t, const char *what);
    void *event_ctx;
    size_t next_event;       /* next pool event to schedule (chained) */
    int alive_spot, alive_od; /* alive (not terminated) instances, all groups */
    double *risk;            /* by pool: ss_fleet_pool_risk with headroom (static part) */
    ss_fleet_price *price;   /* by pool: cached Spot price step (ss_fleet_spot_price) */
    size_t next_capnotice;   /* next capacity event whose lead notice to schedule (chained) */
    ss_time *elevated_until; /* by pool: at elevated risk before this time (rebalance recommendations) */
    int first_alive;         /* lowest id not terminated (or n): where ss_fleet_billed starts */
} ss_fleet;

/* Set up the fleet on the kernel q over horizon [start, end): registers the
 * fleet's event handlers, computes the pool events of the interruption
 * source for this replica (only pools in use_pool, may be NULL = all) and
 * schedules them and the zone outages. */
int ss_fleet_init(ss_fleet *f, const ss_scenario *sc, const ss_data *d, ss_evq *q, uint64_t seed,
                  int replica, ss_time start, ss_time end, const bool *use_pool, ss_err *err);
void ss_fleet_free(ss_fleet *f);
void ss_fleet_set_owner(ss_fleet *f, int asg, const ss_fleet_owner *o);

static inline ss_instance *ss_fleet_inst(const ss_fleet *f, int id)
{
    return &f->blocks[(size_t)id / SS_FLEET_BLOCK][(size_t)id % SS_FLEET_BLOCK];
}

/* Why a launch may fail right now: 0 = it can launch; otherwise a reason. */
typedef enum ss_launch_block {
    SS_LAUNCH_OK = 0,
    SS_LAUNCH_NO_CAPACITY,   /* InsufficientInstanceCapacity: pool full (trace) */
    SS_LAUNCH_ZONE_DOWN,     /* zone outage */
    SS_LAUNCH_PRICE,         /* Spot price above the group's max price */
    SS_LAUNCH_NO_PRICE       /* no price data for a Spot pool at all */
} ss_launch_block;

/* Whether a launch into pool (spot or On-Demand) at the current time would
 * succeed; max_price 0 = the On-Demand price. */
ss_launch_block ss_fleet_can_launch(const ss_fleet *f, int pool, bool spot, double max_price);
/* A launch into pool was attempted and refused for `why` (counted in
 * failed_launches, and by cause and pool). */
void ss_fleet_launch_refused(ss_fleet *f, int pool, ss_launch_block why);
/* Spot price of a pool now (= ss_price_at(&pool.spot, now, NULL)); the step
 * in force is cached, so repeated calls cost a comparison. */
double ss_fleet_spot_price(const ss_fleet *f, int pool);
/* Remaining Spot capacity of a pool (INT32_MAX when unlimited). */
int ss_fleet_headroom(const ss_fleet *f, int pool);

/* Launch an instance now (the caller checked ss_fleet_can_launch). The new
 * instance is PENDING; its stochastic notice (if any) is scheduled. The
 * caller (the ASG) schedules running/registration. Returns the instance. */
ss_instance *ss_fleet_launch(ss_fleet *f, int asg, int pool, bool spot);
/* Mark running now (EC2 running; the caller schedules this). */
void ss_fleet_set_running(ss_fleet *f, ss_instance *in);
/* Terminate now (no notice): bills it, removes it from its pool, cancels its
 * pending events and calls the owner's on_terminated. Idempotent. */
void ss_fleet_terminate(ss_fleet *f, ss_instance *in, ss_end_reason why);
/* Give the 2-minute notice now: the instance terminates at now + notice. */
void ss_fleet_notice(ss_fleet *f, ss_instance *in);
/* Give a rebalance recommendation now (once per instance; none after the
 * notice); the owner's on_rebalance runs. */
void ss_fleet_rebalance(ss_fleet *f, ss_instance *in);
/* Bill every alive instance up to the horizon end (call once at the end). */
void ss_fleet_finish(ss_fleet *f);
/* The fleet's share of an evaluation's metrics, after ss_fleet_finish: cost
 * (Spot, On-Demand, per 30-day month), the all-On-Demand baseline and savings,
 * interruptions and rebalance recommendations, launches, instance-hours,
 * uncovered pool-hours and the horizon [start, end). Other fields untouched. */
void ss_fleet_metrics(const ss_fleet *f, ss_time start, ss_time end, ss_metrics *out);

/* USD billed up to t (at most the horizon end), Spot and On-Demand: the
 * instances already billed plus each alive instance's charge from
 * `running` to t (per second, 60 s minimum, as at its termination). At the
 * horizon end, before ss_fleet_finish, spot + od equals the metric cost_usd
 * exactly. It can step down when a Spot instance EC2 interrupts within its
 * first hour turns out free (its charge so far is dropped). */
void ss_fleet_billed(const ss_fleet *f, ss_time t, double *spot, double *od);

/* Copy the per-pool coverage and refusal tallies into tl (after finish). */
struct ss_timeline;
void ss_fleet_tally(const ss_fleet *f, struct ss_timeline *tl);

/* Counts of alive instances (pending + running + draining) of a group. */
void ss_fleet_count(const ss_fleet *f, int asg, int *spot, int *od);

/* Latency from a distribution as a pure function of a uniform u in [0,1)
 * (inverse CDF), in ms; keyed draws give common random numbers. */
ss_time ss_dist_quantile_ms(const ss_dist *dist, double u);
/* Risk score of a pool for the capacity-aware allocation strategies:
 * expected interruptions per instance-hour (hazard + bursts x mean fraction,
 * or the observed log's rate). Lower is better. Infinite when the pool is
 * full or at elevated risk (a rebalance recommendation in it within
 * market.rebalance_risk_window). */
double ss_fleet_pool_risk(const ss_fleet *f, int pool);
/* Whether a pool is at elevated risk now (a rebalance recommendation in it
 * within market.rebalance_risk_window). */
bool ss_fleet_pool_elevated(const ss_fleet *f, int pool);

#endif
