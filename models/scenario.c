/*
 * scenario.c - documented defaults of a scenario, and the §1.2 split.
 */
#include "models/scenario.h"

#include <string.h>

void ss_asg_defaults(ss_asg *a)
{
    memset(a, 0, sizeof *a);
    strcpy(a->name, "asg");
    a->min_size = 0;
    a->max_size = 10;
    a->desired_capacity = 0;
    a->od_base_capacity = 0;
    a->od_percentage_above_base = 100; /* API default: all On-Demand */
    a->spot_allocation = SS_SPOT_LOWEST_PRICE;
    a->od_allocation = SS_OD_PRIORITIZED;
    a->spot_instance_pools = 2;
    a->spot_max_price = 0.0;
    a->capacity_rebalance = false;
    a->az_distribution = SS_AZ_BALANCED_BEST_EFFORT;
    a->termination_policies[0] = SS_TERM_DEFAULT;
    a->n_termination_policies = 1;
    a->health_check_grace = 0;
    a->pco_capacity_band = 0.25;
    a->launch_retry = 30 * SS_SECOND;
    a->spot = true;
    a->capacity_rebalance_poll = 60 * SS_SECOND;
    a->az_rebalance = true;
}

void ss_capacity_provider_defaults(ss_capacity_provider *cp)
{
    memset(cp, 0, sizeof *cp);
    strcpy(cp->name, "cp");
    cp->managed_scaling = true;
    cp->target_capacity = 100;
    cp->min_scaling_step = 1;
    cp->max_scaling_step = 10000;
    cp->instance_warmup = 300 * SS_SECOND;
    cp->managed_termination_protection = false;
    cp->managed_draining = true;
    cp->base = 0;
    cp->weight = 1;
    cp->memory_overhead = 0.02527;
    cp->reserved_memory_mib = 0;
    cp->reserved_cpu = 0;
}

void ss_scenario_defaults(ss_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    strcpy(sc->name, "scenario");
    sc->orchestrator = SS_ORCH_ECS;
    sc->seed = 1;
    sc->replicas = 1;
    sc->sample_interval = 60 * SS_SECOND;

    ss_market *m = &sc->market;
    strcpy(m->product, "Linux/UNIX");
    m->interruptions = SS_INTERRUPT_STOCHASTIC;
    m->burst_window = 3 * SS_MINUTE;
    m->notice_lead = 120 * SS_SECOND;
    m->trace_newest_first = true;
    m->stochastic_scale = 1.0;
    m->burst_beta_a = 1.0;
    m->burst_beta_b = 3.0;
    m->notice = 120 * SS_SECOND;
    m->rebalance_probability = 0.0;
    m->rebalance_lead = (ss_dist){SS_DIST_FIXED, 300.0, 0.0};
    m->rebalance_risk_window = SS_HOUR;

    sc->instance_launch = (ss_dist){SS_DIST_FIXED, 60.0, 0.0};
    sc->instance_register = (ss_dist){SS_DIST_FIXED, 30.0, 0.0};

    ss_service *s = &sc->service;
    strcpy(s->name, "service");
    s->desired_count = 1;
    s->target_value = 0.0;
    s->scale_out_cooldown = 300 * SS_SECOND;
    s->scale_in_cooldown = 300 * SS_SECOND;
    s->task_cpu = 256;
    s->task_memory_mib = 512;
    s->min_healthy_percent = 100;
    s->maximum_percent = 200;
    s->n_placement = 0;
    s->health_check_grace = 0;
    s->time_to_healthy = 150 * SS_SECOND;
    s->task_start = (ss_dist){SS_DIST_FIXED, 20.0, 0.0};
    s->deregistration_delay = 300 * SS_SECOND;
    s->stop_timeout = 30 * SS_SECOND;
    s->spot_draining = false;
    s->scheduler_delay = 10 * SS_SECOND;

    ss_kubernetes *k = &sc->k8s;
    ss_deployment *d = &k->deployment;
    strcpy(d->name, "app");
    d->replicas = 1;
    d->cpu_request = 0.5;
    d->memory_request_mib = 512;
    d->pdb_min_available = -1;
    d->pdb_max_unavailable = -1;
    d->pdb_min_available_pct = -1;
    d->termination_grace = 30 * SS_SECOND;
    d->pod_startup = (ss_dist){SS_DIST_FIXED, 5.0, 0.0};
    ss_cluster_autoscaler *ca = &k->autoscaler;
    ca->expander = SS_EXPANDER_LEAST_WASTE;
    ca->scan_interval = 10 * SS_SECOND;
    ca->max_node_provision_time = 15 * SS_MINUTE;
    ca->initial_backoff = 5 * SS_MINUTE;
    ca->max_backoff = 30 * SS_MINUTE;
    ca->scale_down_unneeded_time = 10 * SS_MINUTE;
    ca->scale_down_delay_after_add = 10 * SS_MINUTE;
    ca->scale_down_utilization_threshold = 0.5;
    ca->simulate_spread = true;
    ca->node_provision = (ss_dist){SS_DIST_FIXED, 50.0, 0.0};
    ca->max_pod_eviction_time = 2 * SS_MINUTE;
    ca->scale_down_delay_after_failure = 3 * SS_MINUTE;
    ca->scale_down_unready_enabled = true;
    ca->scale_down_unready_time = 20 * SS_MINUTE;
    k->handler_delay = 2 * SS_SECOND;
    k->drain_on_rebalance = false;
    k->mitigations.reaction_delay = 5 * SS_MINUTE;
    k->mitigations.spot_rate_threshold = 0.05;
    k->mitigations.spot_rate_resume = 0.02;
    strcpy(k->capacity_type_label, "eks.amazonaws.com/capacityType");
    k->provisioner = SS_PROV_CLUSTER_AUTOSCALER;
    k->karpenter.batch_idle = SS_SECOND;
    k->karpenter.batch_max = 10 * SS_SECOND;
    k->karpenter.interruption_handling = true;
    k->karpenter.spot_to_spot = false;
    k->karpenter.node_provision = (ss_dist){SS_DIST_FIXED, 50.0, 0.0};

    sc->slo.min_healthy = -1;
    sc->policy.zone_quiet = 30 * SS_MINUTE;
    sc->policy.interruption_threshold = 1;
    sc->policy.interruption_window = 10 * SS_MINUTE;
    sc->policy.cover = 1.0;
    sc->policy.spot_healthy_time = 10 * SS_MINUTE;
    sc->policy.fallback_group = -1;
    sc->slo.min_fraction = 1.0;

    ss_search *se = &sc->search;
    se->method = SS_SEARCH_AUTO;
    se->budget = 200;
    se->replicas = 3;
    se->population = 40;
    se->generations = 0; /* derived from the budget */
    strcpy(se->objectives[0], "cost_per_month_usd");
    strcpy(se->objectives[1], "availability");
    strcpy(se->statistic, "mean");
}

void ss_node_pool_defaults(ss_node_pool *p)
{
    memset(p, 0, sizeof *p);
    strcpy(p->name, "default");
    p->capacity_types = SS_KARP_SPOT_AND_OD;
    p->consolidation_policy = SS_KARP_WHEN_EMPTY_OR_UNDERUTILIZED;
    p->consolidate_after = 0;
    p->budget_nodes = 10; /* karpenter.sh/v1 NodePool: budgets default [{nodes: "10%"}] */
    p->budget_percent = true;
    p->expire_after = 720 * SS_HOUR; /* karpenter.sh/v1 NodePool: expireAfter default 720h */
}

void ss_asg_split(int desired, int od_base, int od_pct_above_base, int *od_units, int *spot_units)
{
    /* aws-semantics.md §1.2: base first, then ceil(above * p / 100) in favour
     * of On-Demand. Integer arithmetic keeps the rounding exact. */
    if (desired < 0)
        desired = 0;
    int base = od_base < desired ? od_base : desired;
    if (base < 0)
        base = 0;
    int above = desired - base;
    int od = base + (above * od_pct_above_base + 99) / 100;
    *od_units = od;
    *spot_units = desired - od;
}
