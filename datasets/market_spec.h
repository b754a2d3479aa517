/*
 * market_spec.h - the market a scenario asks for: region, product, zones,
 * instance types (with optional overrides), the interruption source and its
 * parameters, zone outages. Plain data shared by the loader of market data
 * (datasets/data_load.c), which reads what it names from the store, and by
 * the scenario (models/scenario.h), whose `market:` section it is.
 */
#ifndef SPOTSIM_MARKET_SPEC_H
#define SPOTSIM_MARKET_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

#define SS_NAME_MAX 64
#define SS_PATH_MAX 512
#define SS_MAX_TYPES 40        /* overrides per ASG (API limit) */
#define SS_MAX_ZONES 12      /* a scenario may span regions (issue 13: 9 zones in 3) */
#define SS_MAX_ASGS 32         /* ECS: a few; Kubernetes: one per node group */
#define SS_MAX_PROVIDERS 8
#define SS_MAX_PLACEMENT 5     /* ECS limit: 5 strategies per service */
#define SS_MAX_SPREAD 4
#define SS_MAX_LABELS 8
#define SS_MAX_TAINTS 4
#define SS_MAX_OUTAGES 8
#define SS_MAX_SEARCH_PARAMS 32
#define SS_MAX_SEARCH_VALUES 32
#define SS_MAX_CONSTRAINTS 8

/* ---- Distributions of latencies (seconds) ------------------------------- */
typedef enum ss_dist_kind {
    SS_DIST_FIXED = 0,   /* a */
    SS_DIST_UNIFORM,     /* [a, b) */
    SS_DIST_EXPONENTIAL, /* mean a */
    SS_DIST_LOGNORMAL,   /* median a, sigma b (of the log) */
    SS_DIST_GAMMA,       /* shape a, scale b */
    SS_DIST_NORMAL       /* mean a, sd b, truncated at 0 */
} ss_dist_kind;

typedef struct ss_dist {
    ss_dist_kind kind;
    double a, b;
} ss_dist;

/* ---- Market and data --------------------------------------------------- */
typedef enum ss_interruption_source {
    SS_INTERRUPT_NONE = 0,
    SS_INTERRUPT_REPLAY,     /* (a) imported interruption log, burst-preserving */
    SS_INTERRUPT_TRACE,      /* (b) capacity traces */
    SS_INTERRUPT_STOCHASTIC, /* (c) hazard from Spot Advisor buckets or fitted */
    SS_INTERRUPT_MAX_PRICE,  /* (d) price above SpotMaxPrice (pre-2017 rule) */
    SS_INTERRUPT_MODEL       /* a fitted model of the store (`spotsim fit`, docs/fit.md) */
} ss_interruption_source;

typedef struct ss_instance_type {
    char name[SS_NAME_MAX];        /* e.g. "m5.large" */
    double vcpu;                   /* 0 = look up in the store (advisor specs) */
    double memory_mib;             /* 0 = look up in the store */
    int weight;                    /* WeightedCapacity, 0 = unweighted (1) */
    double ondemand_usd_per_hour;  /* 0 = look up in the store */
    double spot_usd_per_hour;      /* > 0: constant Spot price instead of the store's history */
} ss_instance_type;

typedef struct ss_zone_outage {
    char zone[SS_NAME_MAX];
    ss_time start, end;
    bool instances_lost;   /* true: instances in the zone terminate; false: unhealthy only */
    ss_time flap_period;   /* 0 = steady outage; >0 = health flaps with this period */
} ss_zone_outage;

/* Time the market data does not cover inside the horizon (docs/market.md,
 * "the coverage rule"): refuse the run naming pools and spans, or fill it
 * (price before a pool's first record = that record's price; capacity
 * outside a trace = unlimited) and report it as uncovered instance-hours. */
typedef enum ss_uncovered_rule { SS_UNCOVERED_REFUSE = 0, SS_UNCOVERED_FILL } ss_uncovered_rule;

typedef struct ss_market {
    char region[SS_NAME_MAX];
    char product[SS_NAME_MAX];            /* "Linux/UNIX" */
    char zones[SS_MAX_ZONES][SS_NAME_MAX];
    int n_zones;
    ss_instance_type types[SS_MAX_TYPES];
    int n_types;
    ss_interruption_source interruptions;
    ss_time burst_window;                 /* replay: co-interruption window, default 3 min */
    ss_time notice_lead;                  /* traces: notice before capacity loss, default 120 s */
    bool trace_newest_first;              /* traces: which instances get the notice */
    double stochastic_scale;              /* multiply hazards (stress testing), default 1 */
    double burst_rate_per_day;            /* stochastic: pool burst arrivals, 0 = fitted/none */
    double burst_beta_a, burst_beta_b;    /* stochastic: fraction hit per burst ~ Beta(a,b) */
    ss_time notice;                       /* interruption notice lead, default 120 s */
    double rebalance_probability;         /* P(rebalance recommendation precedes notice) */
    ss_dist rebalance_lead;               /* RBR lead before the notice (seconds) */
    ss_time rebalance_risk_window;        /* a pool is at elevated risk this long after an RBR in it;
                                           * 0 = never (static risk only). Default 1 h */
    ss_zone_outage outages[SS_MAX_OUTAGES];
    int n_outages;
    char interrupt_model[SS_NAME_MAX];    /* interruptions: {model: NAME} (SS_INTERRUPT_MODEL) */
    ss_uncovered_rule uncovered;          /* default refuse */
} ss_market;

#endif
