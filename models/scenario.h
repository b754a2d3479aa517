/*
 * scenario.h - the scenario: plain data describing one setup to simulate.
 *
 * This is the contract between the scenario reader (sim/scenario/scenario_load.c, YAML),
 * the models (models/), the policies (policies/) and the exporters. It holds
 * no pointers to run-time state; a scenario is immutable during evaluation,
 * so many threads can evaluate it at once. Times are ss_time (ms); money is
 * USD; percentages are integers 0..100 as in the AWS APIs.
 *
 * Defaults (ss_scenario_defaults) are the documented AWS/ECS/Kubernetes
 * defaults of ../shared/docs/aws-semantics.md unless a field says otherwise.
 *
 * Extending: append fields at the end of the struct concerned; keep the
 * YAML key, the default and the README entry in step.
 */
#ifndef SPOTSIM_SCENARIO_H
#define SPOTSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "datasets/market_spec.h"
#include "sim/kernel/simtime.h"

/* SS_NAME_MAX, SS_MAX_TYPES/ZONES/..., ss_dist and the market section
 * (ss_market) are declared with the market data (datasets/market_spec.h). */

/* ---- Auto Scaling group with a MixedInstancesPolicy ----------------------- */
typedef enum ss_spot_alloc {
    SS_SPOT_LOWEST_PRICE = 0,
    SS_SPOT_CAPACITY_OPTIMIZED,
    SS_SPOT_CAPACITY_OPTIMIZED_PRIORITIZED,
    SS_SPOT_PRICE_CAPACITY_OPTIMIZED
} ss_spot_alloc;

typedef enum ss_od_alloc { SS_OD_PRIORITIZED = 0, SS_OD_LOWEST_PRICE } ss_od_alloc;

typedef enum ss_az_distribution {
    SS_AZ_BALANCED_BEST_EFFORT = 0,
    SS_AZ_BALANCED_ONLY
} ss_az_distribution;

typedef enum ss_termination_policy {
    SS_TERM_DEFAULT = 0,
    SS_TERM_ALLOCATION_STRATEGY,
    SS_TERM_OLDEST_LAUNCH_TEMPLATE,
    SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR,
    SS_TERM_NEWEST_INSTANCE,
    SS_TERM_OLDEST_INSTANCE
} ss_termination_policy;

typedef struct ss_asg {
    char name[SS_NAME_MAX];
    int type_idx[SS_MAX_TYPES];   /* indices into market.types (override order) */
    int n_types;                  /* 0 = all market types */
    int zone_idx[SS_MAX_ZONES];   /* indices into market.zones */
    int n_zones;                  /* 0 = all market zones */
    int min_size, max_size, desired_capacity;
    int od_base_capacity;         /* OnDemandBaseCapacity, default 0 */
    int od_percentage_above_base; /* default 100 (all On-Demand!) */
    ss_spot_alloc spot_allocation;      /* API default lowest-price */
    ss_od_alloc od_allocation;          /* default prioritized */
    int spot_instance_pools;            /* default 2, lowest-price only */
    double spot_max_price;              /* 0 = On-Demand price */
    bool capacity_rebalance;
    ss_az_distribution az_distribution;
    ss_termination_policy termination_policies[4];
    int n_termination_policies;
    bool new_instances_protected;       /* NewInstancesProtectedFromScaleIn */
    ss_time health_check_grace;         /* default 0 (API) */
    double pco_capacity_band;           /* price-capacity-optimized: relative hazard band, default 0.25 */
    ss_time launch_retry;               /* after a failed launch, retry interval; default 30 s */
    /* Kubernetes node groups only: */
    bool spot;                          /* node group purchase type (k8s: one type per group) */
    char labels[SS_MAX_LABELS][2][SS_NAME_MAX];
    int n_labels;
    char taints[SS_MAX_TAINTS][3][SS_NAME_MAX]; /* key, value, effect */
    int n_taints;
    int priority;                       /* priority expander */
    /* Capacity Rebalancing: a rebalance recommendation whose replacement
     * would go to a riskier pool waits and is re-evaluated this often
     * (aws-semantics §1.6 step 2; AWS publishes no interval). Default 60 s. */
    ss_time capacity_rebalance_poll;
    /* The AZRebalance process (default on; false = suspended): after a zone
     * or pool recovers, launch in the zones with the fewest instances and
     * terminate in the others (aws-semantics §1.5). */
    bool az_rebalance;
} ss_asg;

/* ---- ECS --------------------------------------------------------------- */
typedef struct ss_capacity_provider {
    char name[SS_NAME_MAX];
    int asg;                        /* index into scenario.asgs */
    bool managed_scaling;           /* default true */
    int target_capacity;            /* 1..100, default 100 */
    int min_scaling_step, max_scaling_step; /* 1, 10000 */
    ss_time instance_warmup;        /* default 300 s */
    bool managed_termination_protection;
    bool managed_draining;          /* default true */
    int base, weight;               /* the service's capacity provider strategy item */
    /* What the ECS agent registers for its instances (models/ecs.h
     * ss_ecs_registered_mem): installed memory less the platform and kernel
     * share (a fraction; default 207/8192: an 8 GiB m4.large registers
     * 7985 MiB) less ECS_RESERVED_MEMORY; vCPU x 1024 less reserved_cpu. */
    double memory_overhead;         /* default 0.02527 */
    double reserved_memory_mib;     /* ECS_RESERVED_MEMORY, default 0 */
    double reserved_cpu;            /* CPU units kept from tasks, default 0 */
} ss_capacity_provider;

typedef enum ss_placement_kind {
    SS_PLACE_SPREAD = 0,
    SS_PLACE_BINPACK,
    SS_PLACE_RANDOM
} ss_placement_kind;

typedef enum ss_placement_field {
    SS_FIELD_ZONE = 0,      /* attribute:ecs.availability-zone */
    SS_FIELD_INSTANCE_ID,   /* instanceId / host */
    SS_FIELD_INSTANCE_TYPE, /* attribute:ecs.instance-type */
    SS_FIELD_CPU,
    SS_FIELD_MEMORY,
    SS_FIELD_NONE
} ss_placement_field;

typedef struct ss_placement {
    ss_placement_kind kind;
    ss_placement_field field;
} ss_placement;

typedef struct ss_service {
    char name[SS_NAME_MAX];
    int desired_count;
    char demand_trace[SS_PATH_MAX];   /* CSV time,value; empty = fixed desired_count */
    double target_value;              /* target tracking: demand units per task */
    int min_tasks, max_tasks;         /* service auto scaling bounds */
    ss_time scale_out_cooldown, scale_in_cooldown; /* 300 s each */
    double task_cpu;                  /* vCPU units (1024 = 1 vCPU as in ECS) */
    double task_memory_mib;
    int min_healthy_percent;          /* default 100 */
    int maximum_percent;              /* default 200 */
    ss_placement placement[SS_MAX_PLACEMENT];
    int n_placement;                  /* 0 = default spread by zone */
    bool distinct_instance;           /* placement constraint */
    ss_time health_check_grace;       /* healthCheckGracePeriodSeconds, default 0 */
    ss_time time_to_healthy;          /* LB healthy after RUNNING, default 150 s (30 s x 5) */
    ss_dist task_start;               /* PENDING -> RUNNING latency (image pull, start) */
    ss_time deregistration_delay;     /* default 300 s */
    ss_time stop_timeout;             /* default 30 s */
    bool spot_draining;               /* ECS_ENABLE_SPOT_INSTANCE_DRAINING, default false */
    ss_time scheduler_delay;          /* how soon the scheduler notices a dead task, default 10 s */
} ss_service;

/* ---- Kubernetes -------------------------------------------------------- */
typedef struct ss_spread_constraint {
    char topology_key[SS_NAME_MAX]; /* topology.kubernetes.io/zone, a capacity-type label, ... */
    int max_skew;                   /* > 0 */
    int min_domains;                /* 0 = nil (1) */
    bool schedule_anyway;           /* false = DoNotSchedule */
    bool node_affinity_ignore;      /* nodeAffinityPolicy Ignore (default Honor) */
    bool node_taints_honor;         /* nodeTaintsPolicy Honor (default Ignore) */
} ss_spread_constraint;

typedef enum ss_expander {
    SS_EXPANDER_RANDOM = 0,
    SS_EXPANDER_MOST_PODS,
    SS_EXPANDER_LEAST_WASTE,
    SS_EXPANDER_PRICE,
    SS_EXPANDER_PRIORITY
} ss_expander;

typedef struct ss_deployment {
    char name[SS_NAME_MAX];
    int replicas;
    double cpu_request;               /* vCPU */
    double memory_request_mib;
    ss_spread_constraint spread[SS_MAX_SPREAD];
    int n_spread;
    int pdb_min_available;            /* -1 = unset */
    int pdb_max_unavailable;          /* -1 = unset */
    int pdb_min_available_pct;        /* -1 = unset */
    ss_time termination_grace;        /* default 30 s */
    ss_dist pod_startup;              /* scheduled -> ready */
    char tolerations[SS_MAX_TAINTS][SS_NAME_MAX]; /* tolerated taint keys */
    int n_tolerations;
    char node_selector[2][SS_NAME_MAX];           /* required node affinity key=value, empty = none */
} ss_deployment;

typedef struct ss_cluster_autoscaler {
    ss_expander expander;             /* default least-waste */
    ss_time scan_interval;            /* 10 s */
    ss_time max_node_provision_time;  /* 15 min */
    ss_time initial_backoff, max_backoff; /* 5 min, 30 min */
    ss_time scale_down_unneeded_time; /* 10 min */
    ss_time scale_down_delay_after_add; /* 10 min */
    double scale_down_utilization_threshold; /* 0.5 */
    bool simulate_spread;             /* scale-up simulation honours topology spread */
    ss_dist node_provision;           /* launch -> node Ready */
    ss_time max_pod_eviction_time;    /* 2 min: a scale-down drain gives up after it */
    ss_time scale_down_delay_after_failure; /* 3 min */
    bool scale_down_unready_enabled;  /* true */
    ss_time scale_down_unready_time;  /* 20 min */
} ss_cluster_autoscaler;

typedef struct ss_zone_mitigations {
    bool drop_zone_spread;            /* (1) temporarily drop the zone spread constraint */
    bool remove_zone_groups;          /* (2) remove failed zone's node groups from autoscaling */
    bool spot_rate_guard;             /* (3) stop scaling Spot groups above an interruption rate */
    double spot_rate_threshold;       /*     interruptions per node-hour that trips (3) */
    double spot_rate_resume;          /*     ... and resumes below */
    bool suspend_scale_down;          /* (4) suspend scale-down during the incident */
    ss_time reaction_delay;           /* operator/automation delay, default 5 min */
} ss_zone_mitigations;

/* ---- Karpenter (kubernetes.provisioner: karpenter; models/karpenter.h) ---- */
typedef enum ss_provisioner { SS_PROV_CLUSTER_AUTOSCALER = 0, SS_PROV_KARPENTER } ss_provisioner;

/* NodePool requirement karpenter.sh/capacity-type In [...] */
typedef enum ss_karp_capacity {
    SS_KARP_SPOT_AND_OD = 0,          /* [spot, on-demand]: Spot preferred */
    SS_KARP_SPOT,
    SS_KARP_OD
} ss_karp_capacity;

typedef enum ss_karp_consolidation {
    SS_KARP_WHEN_EMPTY_OR_UNDERUTILIZED = 0, /* karpenter.sh/v1 default */
    SS_KARP_WHEN_EMPTY
} ss_karp_consolidation;

#define SS_MAX_NODE_POOLS 8

typedef struct ss_node_pool {
    char name[SS_NAME_MAX];
    ss_karp_capacity capacity_types;
    int type_idx[SS_MAX_TYPES];       /* node.kubernetes.io/instance-type In [...] */
    int n_types;                      /* 0 = all market types */
    int zone_idx[SS_MAX_ZONES];       /* topology.kubernetes.io/zone In [...] */
    int n_zones;                      /* 0 = all market zones */
    double limit_cpu;                 /* spec.limits.cpu (vCPU); 0 = no limit */
    int weight;                       /* spec.weight 0..100 (0 = unset) */
    char labels[SS_MAX_LABELS][2][SS_NAME_MAX];
    int n_labels;
    ss_karp_consolidation consolidation_policy;
    ss_time consolidate_after;        /* spec.disruption.consolidateAfter, default 0s */
    int budget_nodes;                 /* spec.disruption.budgets[0].nodes, default 10 ... */
    bool budget_percent;              /* ... percent */
    ss_time expire_after;             /* spec.template.spec.expireAfter, default 720h; 0 = Never */
} ss_node_pool;

typedef struct ss_karpenter {
    ss_node_pool pools[SS_MAX_NODE_POOLS];
    int n_pools;
    ss_time batch_idle;               /* BATCH_IDLE_DURATION, 1 s */
    ss_time batch_max;                /* BATCH_MAX_DURATION, 10 s */
    bool interruption_handling;       /* --interruption-queue set (SQS + EventBridge), default true */
    bool spot_to_spot;                /* feature gate SpotToSpotConsolidation, default false */
    ss_dist node_provision;           /* EC2 running -> node Ready, default 50 s */
} ss_karpenter;

typedef struct ss_kubernetes {
    ss_deployment deployment;
    ss_cluster_autoscaler autoscaler;
    ss_time handler_delay;            /* notice -> cordon+drain (event queue ~2 s) */
    bool drain_on_rebalance;
    ss_zone_mitigations mitigations;
    char capacity_type_label[SS_NAME_MAX]; /* default "eks.amazonaws.com/capacityType" */
    bool scheduler_lowest_id_ties;    /* false: equal scores -> uniform draw (kube-scheduler) */
    ss_provisioner provisioner;       /* cluster-autoscaler (asgs = node groups) or karpenter */
    ss_karpenter karpenter;
} ss_kubernetes;

/* ---- Run-time fleet policies beyond the AWS natives (policies/fleet_policy.c) ----
 * Rules a controller applies to one Spot Auto Scaling group (`group`):
 * On-Demand fallback, over-provisioning and SpotHedge-style zone placement.
 * All off by default (the static configuration alone). */
typedef enum ss_fallback_trigger {
    SS_FB_LAUNCH_FAILURES = 0, /* EventBridge "EC2 Instance Launch Unsuccessful" (capacity) */
    SS_FB_INTERRUPTIONS,       /* EventBridge "EC2 Spot Instance Interruption Warning" count */
    SS_FB_EITHER
} ss_fallback_trigger;

typedef enum ss_spot_placement {
    SS_PLACE_ASG = 0,          /* the ASG's own AZ balancing (round-robin over zones) */
    SS_PLACE_SPOTHEDGE         /* active / preempted zone sets (SpotHedge, EuroSys'25) */
} ss_spot_placement;

typedef struct ss_fleet_policy {
    int group;                       /* index into asgs (the Spot group), default 0 */
    int extra_spot;                  /* N_extra Spot instances beyond the SLO's need */
    ss_spot_placement placement;
    ss_time zone_quiet;              /* SpotHedge: preempted zone returns after this quiet time */
    bool fallback;                   /* On-Demand fallback on/off */
    ss_fallback_trigger trigger;
    ss_time detection_delay;         /* event -> fallback capacity requested */
    int interruption_threshold;      /* warnings within interruption_window that trip */
    ss_time interruption_window;
    double cover;                    /* fraction of the Spot shortfall covered by On-Demand */
    ss_time spot_healthy_time;       /* Spot at full strength this long before release */
    ss_time min_hold;                /* hysteresis: fallback stays at least this long */
    bool release_on_launch;          /* release counts booting Spot too ("Launch Successful" rule) */
    /* Kubernetes (cluster autoscaler): the On-Demand node group whose MinSize
     * the fallback raises by the cover; the rule watches every Spot node
     * group. -1: none (ECS/ASG: the cover goes into `group` itself). */
    int fallback_group;
} ss_fleet_policy;

/* ---- Availability SLO ---------------------------------------------------- */
typedef struct ss_slo {
    int min_healthy;        /* absolute minimum healthy tasks; -1 = use fraction */
    double min_fraction;    /* of desired/demand, default 1.0 */
} ss_slo;

/* ---- Search space (optimizer) ------------------------------------------- */
typedef enum ss_search_method {
    SS_SEARCH_AUTO = 0,     /* grid when it fits the budget, else NSGA-II */
    SS_SEARCH_GRID,
    SS_SEARCH_LHS,
    SS_SEARCH_RANDOM,
    SS_SEARCH_NSGA2
} ss_search_method;

typedef struct ss_search_param {
    char path[SS_PATH_MAX];      /* scenario key path, e.g. "asg.on_demand_base_capacity" */
    int n_values;                /* discrete values (as YAML scalars) ... */
    char values[SS_MAX_SEARCH_VALUES][SS_NAME_MAX];
    bool is_range;               /* ... or a numeric range */
    double lo, hi, step;         /* step 0 = continuous */
    bool integer;
} ss_search_param;

typedef struct ss_search {
    ss_search_method method;
    int budget;                  /* candidates to evaluate */
    int replicas;                /* per candidate */
    int population, generations; /* NSGA-II */
    ss_search_param params[SS_MAX_SEARCH_PARAMS];
    int n_params;
    char constraints[SS_MAX_CONSTRAINTS][SS_NAME_MAX * 2]; /* "a <= b" over param paths */
    int n_constraints;
    char objectives[2][SS_NAME_MAX]; /* metric names; default cost_per_month_usd, availability */
    double slo_availability;         /* e.g. 0.999; 0 = none */
    char statistic[SS_NAME_MAX];     /* "mean" or "p5" ... */
} ss_search;

/* ---- The scenario ---------------------------------------------------------- */
typedef enum ss_orchestrator { SS_ORCH_ECS = 0, SS_ORCH_KUBERNETES } ss_orchestrator;

typedef struct ss_scenario {
    char name[SS_NAME_MAX];
    char description[256];
    char source_path[SS_PATH_MAX];   /* file it was read from */
    ss_orchestrator orchestrator;
    ss_time start, end;              /* horizon [start, end); 0,0 = the data's span */
    uint64_t seed;                   /* default 1 */
    int replicas;                    /* default 1 */
    ss_time sample_interval;         /* timeline sampling, default 60 s (0 = per change) */
    ss_market market;
    ss_asg asgs[SS_MAX_ASGS];
    int n_asgs;
    ss_dist instance_launch;         /* launch request -> running, default fixed 60 s */
    ss_dist instance_register;       /* running -> ECS registered / node Ready, default 30 s */
    ss_capacity_provider providers[SS_MAX_PROVIDERS];
    int n_providers;
    ss_service service;
    ss_kubernetes k8s;
    ss_slo slo;
    ss_search search;
    ss_fleet_policy policy;          /* run-time fleet rules (ECS/ASG) */
} ss_scenario;

/* Fill *sc with every documented default (no ASG, no provider, no types). */
void ss_scenario_defaults(ss_scenario *sc);
/* Defaults of one ASG / capacity provider (for readers adding one). */
void ss_asg_defaults(ss_asg *a);
void ss_capacity_provider_defaults(ss_capacity_provider *cp);
void ss_node_pool_defaults(ss_node_pool *p);

/* The §1.2 On-Demand/Spot split for desired capacity D (units). */
void ss_asg_split(int desired, int od_base, int od_pct_above_base, int *od_units, int *spot_units);

#endif
