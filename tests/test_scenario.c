/*
 * test_scenario.c - the scenario file: examples load, documented AWS
 * defaults, the bad-scenario corpus (exact FILE:LINE:COL and key, written by
 * hand from the files), ss_scenario_set round trips and rejections, hash
 * stability, docs coverage of every key, and no crash on mangled input.
 */
#include "tests/testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario_io.h"
#include "sim/scenario/yaml_bind.h"

static ss_scenario *new_sc(void)
{
    return calloc(1, sizeof(ss_scenario));
}

static const char *example(const char *name)
{
    return tu_fmt("%s/examples/%s", tu_source_dir(), name);
}

/* ---- examples ---------------------------------------------------------------- */

static void every_example_loads_and_validates(void **state)
{
    (void)state;
    DIR *d = opendir(tu_fmt("%s/examples", tu_source_dir()));
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    ss_scenario *sc = new_sc();
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        ss_err err = {{0}};
        int rc = ss_scenario_load_file(example(e->d_name), sc, &err);
        if (rc)
            fail_msg("%s: %s", e->d_name, err.msg);
        assert_int_equal(ss_scenario_validate(sc, &err), 0);
        n++;
    }
    closedir(d);
    free(sc);
    assert_int_equal(n, 10); /* the ten examples of examples/README.md */
}

/* The SkyPilot examples (issue 13): horizons on the trace samples, zones of
 * several regions, the issue's semantics. 2023-08-03T00:00Z is day 19572
 * (2023-01-01 = 19358, + 212 days to Aug 1, + 2); the 4-node horizon starts
 * at sample 1975 of 300 s (592500 s) and lasts the 3156 samples the three
 * traces share (946800 s). 2023-02-15 is day 19403 (19358 + 31 + 14); the
 * 9-zone horizon is its 20158 samples of 195 s (3930810 s). */
static void skypilot_examples_have_the_issue_semantics(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    if (ss_scenario_load_file(example("ecs-skypilot-preemption-4node.yaml"), sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sc->start, (19572LL * 86400 + 592500) * 1000);
    assert_int_equal(sc->end - sc->start, 946800LL * 1000);
    assert_string_equal(sc->market.region, "");
    assert_int_equal(sc->market.n_zones, 3);
    assert_true(sc->market.types[0].spot_usd_per_hour == 1.0);
    assert_true(sc->market.types[0].ondemand_usd_per_hour == 3.0);
    assert_int_equal(sc->instance_launch.kind, SS_DIST_FIXED);
    assert_true(sc->instance_launch.a == 300.0 && sc->instance_register.a == 0.0);
    assert_int_equal(sc->slo.min_healthy, 3);
    assert_int_equal(sc->service.desired_count, 3);
    assert_true(sc->policy.fallback);
    if (ss_scenario_load_file(example("ecs-skypilot-availability-9zones.yaml"), sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sc->start, 19403LL * 86400 * 1000);
    assert_int_equal(sc->end - sc->start, 3930810LL * 1000);
    assert_int_equal(sc->market.n_zones, 9);
    assert_string_equal(sc->market.zones[8], "us-west-2c");
    free(sc);
}

/* policy: keys that contradict the model are refused with the key named. */
static void policy_block_is_validated(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    const char *base = "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
                       "asg: {name: web, min_size: 2, max_size: 5}\n";
    /* managed scaling would fight the controller over DesiredCapacity */
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%scapacity_providers: [{name: cp, asg: web}]\n"
                                                        "policy: {on_demand_fallback: true}\n", base),
                                                 "p.yaml", sc, &err), 0);
    assert_non_null(strstr(err.msg, "policy.group"));
    assert_non_null(strstr(err.msg, "managed_scaling: false"));
    /* unknown group and preset */
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {group: wbe}\n", base), "p.yaml", sc, &err), 0);
    assert_non_null(strstr(err.msg, "did you mean 'web'"));
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {preset: spothedge-x}\n", base), "p.yaml", sc,
                                                 &err), 0);
    assert_non_null(strstr(err.msg, "unknown preset"));
    /* a preset sets its fields; later keys override */
    assert_int_equal(ss_scenario_load_string(tu_fmt("%scapacity_providers: [{name: cp, asg: web, managed_scaling: "
                                                    "false}]\npolicy: {preset: spothedge-fallback, detection_delay: "
                                                    "1m}\n", base), "p.yaml", sc, &err), 0);
    assert_int_equal(sc->policy.placement, SS_PLACE_SPOTHEDGE);
    assert_true(sc->policy.fallback);
    assert_int_equal(sc->policy.trigger, SS_FB_EITHER);
    assert_int_equal(sc->policy.detection_delay, 60 * SS_SECOND);
    /* Kubernetes node groups: only the On-Demand fallback, to a named
     * On-Demand node group */
    const char *k8s = "orchestrator: kubernetes\n"
                      "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
                      "asgs: [{name: ng, min_size: 1, max_size: 3, spot: true},\n"
                      "       {name: od, min_size: 0, max_size: 0, spot: false}]\n";
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {extra_spot: 1}\n", k8s), "k.yaml", sc, &err),
                         0);
    assert_non_null(strstr(err.msg, "policy.extra_spot"));
    assert_non_null(strstr(err.msg, "only the On-Demand fallback"));
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {on_demand_fallback: true}\n", k8s), "k.yaml",
                                                 sc, &err), 0);
    assert_non_null(strstr(err.msg, "policy.fallback_group"));
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {on_demand_fallback: true, fallback_group: ng}\n",
                                                        k8s), "k.yaml", sc, &err), 0);
    assert_non_null(strstr(err.msg, "is a Spot group"));
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%spolicy: {on_demand_fallback: true, fallback_group: dd}\n",
                                                        k8s), "k.yaml", sc, &err), 0);
    assert_non_null(strstr(err.msg, "did you mean 'od'"));
    assert_int_equal(ss_scenario_load_string(tu_fmt("%spolicy: {on_demand_fallback: true, fallback_group: od}\n",
                                                    k8s), "k.yaml", sc, &err), 0);
    assert_int_equal(sc->policy.fallback_group, 1);
    /* the key belongs to Kubernetes */
    assert_int_not_equal(ss_scenario_load_string(tu_fmt("%scapacity_providers: [{name: cp, asg: web, "
                                                        "managed_scaling: false}]\npolicy: {on_demand_fallback: "
                                                        "true, fallback_group: web}\n", base), "p.yaml", sc, &err),
                         0);
    assert_non_null(strstr(err.msg, "Kubernetes only"));
    free(sc);
}

static void ecs_example_has_what_its_comments_say(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    if (ss_scenario_load_file(example("ecs-api-3az-2016.yaml"), sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(sc->orchestrator, SS_ORCH_ECS);
    assert_int_equal(sc->market.n_zones, 3);
    assert_string_equal(sc->market.zones[2], "us-east-1c");
    /* stochastic interruptions: advisor hazards at scale 1 plus the file's
     * assumed bursts, 0.25 per pool per day, Beta(2, 2) */
    assert_int_equal(sc->market.interruptions, SS_INTERRUPT_STOCHASTIC);
    assert_true(sc->market.stochastic_scale == 1.0);
    assert_true(sc->market.burst_rate_per_day == 0.25);
    assert_true(sc->market.burst_beta_a == 2.0 && sc->market.burst_beta_b == 2.0);
    /* 2016-02-26T00:00Z: 16857 days since the epoch (1451606400 s / 86400 =
     * 16801 to 2016-01-01, + 31 + 25 = 56 days); the end 2016-04-25 is 59
     * days later (2016 is a leap year: 3 + 31 + 24 + 1 days). */
    assert_int_equal(sc->start, 16857LL * 86400 * 1000);
    assert_int_equal(sc->end - sc->start, 59LL * 86400 * 1000);
    assert_int_equal(sc->replicas, 8);
    assert_int_equal(sc->n_asgs, 1);
    const ss_asg *a = &sc->asgs[0];
    assert_int_equal(a->od_percentage_above_base, 20);
    assert_int_equal(a->spot_allocation, SS_SPOT_PRICE_CAPACITY_OPTIMIZED);
    assert_int_equal(a->n_types, 2);
    assert_int_equal(a->type_idx[0], 0);
    assert_int_equal(a->type_idx[1], 1);
    assert_int_equal(sc->n_providers, 1);
    assert_int_equal(sc->providers[0].asg, 0);
    assert_int_equal(sc->providers[0].target_capacity, 100);
    assert_false(sc->providers[0].managed_draining); /* the service setting alone decides */
    assert_int_equal(sc->service.desired_count, 16);
    assert_true(sc->slo.min_fraction == 0.9);       /* 15 of 16 tasks */
    assert_int_equal(sc->service.n_placement, 2);
    assert_int_equal(sc->service.placement[0].kind, SS_PLACE_SPREAD);
    assert_int_equal(sc->service.placement[0].field, SS_FIELD_ZONE);
    assert_int_equal(sc->service.placement[1].kind, SS_PLACE_BINPACK);
    assert_int_equal(sc->service.placement[1].field, SS_FIELD_MEMORY);
    assert_true(sc->service.spot_draining);
    assert_int_equal(sc->instance_launch.kind, SS_DIST_LOGNORMAL);
    assert_true(sc->instance_launch.a == 60.0 && sc->instance_launch.b == 0.3);
    /* search: 3*5*3*3*3*2 = 810 grid points, budget 300, 8 replicas */
    assert_int_equal(sc->search.n_params, 6);
    assert_int_equal(sc->search.budget, 300);
    assert_int_equal(sc->search.replicas, 8);
    assert_true(sc->search.slo_availability > 0.9989 && sc->search.slo_availability < 0.9991);
    long points = 1;
    for (int i = 0; i < sc->search.n_params; i++)
        points *= sc->search.params[i].n_values;
    assert_int_equal(points, 810);
    assert_string_equal(sc->search.params[3].path, "asg.instance_types");
    assert_string_equal(sc->search.params[3].values[2], "[m3.medium, m1.large]");
    assert_true(sc->search.params[0].integer);
    assert_false(sc->search.params[2].integer);
    /* every search value must be accepted by ss_scenario_set (the optimizer's path) */
    for (int i = 0; i < sc->search.n_params; i++)
        for (int j = 0; j < sc->search.params[i].n_values; j++) {
            if (ss_scenario_set(sc, sc->search.params[i].path, sc->search.params[i].values[j],
                                &err))
                fail_msg("%s", err.msg);
            assert_int_equal(ss_scenario_validate(sc, &err), 0);
        }
    free(sc);
}

static void k8s_examples_differ_only_in_mitigations(void **state)
{
    (void)state;
    ss_scenario *a = new_sc(), *b = new_sc();
    ss_err err;
    assert_int_equal(ss_scenario_load_file(example("k8s-zone-failure.yaml"), a, &err), 0);
    assert_int_equal(ss_scenario_load_file(example("k8s-zone-failure-mitigated.yaml"), b, &err), 0);
    assert_int_equal(a->market.n_outages, 1);
    assert_string_equal(a->market.outages[0].zone, "us-east-1b");
    /* 6 hours */
    assert_int_equal(a->market.outages[0].end - a->market.outages[0].start, 6 * SS_HOUR);
    assert_false(a->k8s.mitigations.drop_zone_spread);
    assert_true(b->k8s.mitigations.drop_zone_spread && b->k8s.mitigations.remove_zone_groups &&
                b->k8s.mitigations.spot_rate_guard && b->k8s.mitigations.suspend_scale_down);
    /* Turning the four mitigations on in a makes the two hash-equal. */
    assert_int_equal(ss_scenario_set(a, "kubernetes.mitigations.drop_zone_spread", "true", &err), 0);
    assert_int_equal(ss_scenario_set(a, "kubernetes.mitigations.remove_zone_groups", "true", &err), 0);
    assert_int_equal(ss_scenario_set(a, "kubernetes.mitigations.spot_rate_guard", "true", &err), 0);
    assert_int_equal(ss_scenario_set(a, "kubernetes.mitigations.suspend_scale_down", "yes", &err), 0);
    char ha[17], hb[17];
    ss_scenario_hash(a, ha);
    ss_scenario_hash(b, hb);
    assert_string_equal(ha, hb); /* names differ: not part of the hash */

    ss_scenario *c = new_sc();
    assert_int_equal(ss_scenario_load_file(example("k8s-zone-and-capacity-spread.yaml"), c, &err), 0);
    assert_int_equal(c->n_asgs, 6);
    assert_int_equal(c->k8s.deployment.n_spread, 2);
    assert_string_equal(c->k8s.deployment.spread[1].topology_key, "eks.amazonaws.com/capacityType");
    assert_int_equal(c->k8s.deployment.pdb_min_available, 4);
    assert_false(c->asgs[3].spot);
    free(a);
    free(b);
    free(c);
}


/* ---- examples run on the bundled data ------------------------------------------------ */

/* Every (type, zone) pool an example's ASGs use has a 2016 us-east-1 price
 * history or 2020 eu-west-3a Linux/UNIX records in ../shared/datasets (from
 * which datasets/samples/ is cut), and the horizon lies inside the data span
 * (2016-02-24 .. 2016-04-25, 2020-02-29 .. 2020-05-14). */
static void examples_use_pools_and_spans_of_the_data(void **state)
{
    (void)state;
    const char *data = tu_shared_datasets();
    char *eu = tu_read_file(tu_fmt("%s/real/eu-west-3a-2020/ec2-prices-2020-02-29_2020-05-14.csv",
                                   data),
                            NULL);
    assert_non_null(eu);
    static const char *files[] = {"ecs-api-3az-2016.yaml",        "ecs-od-base-4pools-2020.yaml",
                                  "k8s-zone-spread.yaml",         "k8s-zone-and-capacity-spread.yaml",
                                  "k8s-zone-failure.yaml",        "k8s-zone-failure-mitigated.yaml"};
    ss_scenario *sc = new_sc();
    ss_err err;
    ss_time s16, e16, s20, e20;
    assert_int_equal(ss_time_parse("2016-02-24T00:00:00Z", &s16), 0);
    assert_int_equal(ss_time_parse("2016-04-25T00:00:00Z", &e16), 0);
    assert_int_equal(ss_time_parse("2020-02-29T00:00:00Z", &s20), 0);
    assert_int_equal(ss_time_parse("2020-05-14T00:00:00Z", &e20), 0);
    for (size_t f = 0; f < SS_ARRAY_LEN(files); f++) {
        if (ss_scenario_load_file(example(files[f]), sc, &err))
            fail_msg("%s", err.msg);
        bool y2016 = !strcmp(sc->market.region, "us-east-1");
        if (!y2016)
            assert_string_equal(sc->market.region, "eu-west-3");
        assert_true(sc->start >= (y2016 ? s16 : s20) && sc->end <= (y2016 ? e16 : e20));
        for (int a = 0; a < sc->n_asgs; a++) {
            const ss_asg *g = &sc->asgs[a];
            int nt = g->n_types ? g->n_types : sc->market.n_types;
            int nz = g->n_zones ? g->n_zones : sc->market.n_zones;
            for (int t = 0; t < nt; t++)
                for (int z = 0; z < nz; z++) {
                    const char *type = sc->market.types[g->n_types ? g->type_idx[t] : t].name;
                    const char *zone = sc->market.zones[g->n_zones ? g->zone_idx[z] : z];
                    if (y2016) {
                        const char *p = tu_fmt("%s/real/hshazly-spot-price-history-2016/%s-%s.json",
                                               data, type, zone);
                        char *j = tu_read_file(p, NULL);
                        if (!j)
                            fail_msg("%s: no 2016 price history for %s in %s", files[f], type,
                                     zone);
                        free(j);
                    } else {
                        const char *needle = tu_fmt("%s,%s,Linux/UNIX,", zone, type);
                        if (!strstr(eu, needle))
                            fail_msg("%s: no 2020 records for %s in %s", files[f], type, zone);
                        /* user-supplied On-Demand price, since the data has none */
                        assert_true(sc->market.types[g->type_idx[t]].ondemand_usd_per_hour > 0);
                    }
                }
        }
    }
    free(eu);
    free(sc);
}

/* ---- defaults ------------------------------------------------------------------ */

static const char *minimal =
    "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
    "asg: {min_size: 2, max_size: 5}\n"
    "capacity_providers: [{name: cp, asg: asg}]\n";

static void defaults_are_the_documented_aws_defaults(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    if (ss_scenario_load_string(minimal, "minimal", sc, &err))
        fail_msg("%s", err.msg);
    const ss_asg *a = &sc->asgs[0];
    assert_int_equal(a->desired_capacity, 2); /* DesiredCapacity defaults to MinSize (§1.1) */
    assert_int_equal(a->od_base_capacity, 0);
    assert_int_equal(a->od_percentage_above_base, 100); /* all On-Demand (§1.2) */
    assert_int_equal(a->spot_allocation, SS_SPOT_LOWEST_PRICE);
    assert_int_equal(a->od_allocation, SS_OD_PRIORITIZED);
    assert_int_equal(a->spot_instance_pools, 2);
    assert_true(a->spot_max_price == 0.0);
    assert_false(a->capacity_rebalance);
    assert_int_equal(a->az_distribution, SS_AZ_BALANCED_BEST_EFFORT);
    assert_int_equal(a->n_termination_policies, 1);
    assert_int_equal(a->termination_policies[0], SS_TERM_DEFAULT);
    assert_false(a->new_instances_protected);
    assert_int_equal(a->health_check_grace, 0); /* API default 0 s (§1.7) */
    assert_int_equal(a->n_types, 0);            /* all market types */
    const ss_capacity_provider *cp = &sc->providers[0];
    assert_true(cp->managed_scaling);
    assert_int_equal(cp->target_capacity, 100);
    assert_int_equal(cp->min_scaling_step, 1);
    assert_int_equal(cp->max_scaling_step, 10000);
    assert_int_equal(cp->instance_warmup, 300 * SS_SECOND);
    assert_false(cp->managed_termination_protection);
    assert_true(cp->managed_draining);
    assert_int_equal(cp->base, 0);
    const ss_service *s = &sc->service;
    assert_int_equal(s->min_healthy_percent, 100);
    assert_int_equal(s->maximum_percent, 200);
    assert_int_equal(s->deregistration_delay, 300 * SS_SECOND);
    assert_int_equal(s->stop_timeout, 30 * SS_SECOND);
    assert_int_equal(s->time_to_healthy, 150 * SS_SECOND); /* 30 s x 5 */
    assert_int_equal(s->health_check_grace, 0);
    assert_int_equal(s->scale_out_cooldown, 300 * SS_SECOND);
    assert_int_equal(s->scale_in_cooldown, 300 * SS_SECOND);
    assert_false(s->spot_draining); /* ECS_ENABLE_SPOT_INSTANCE_DRAINING default false */
    assert_int_equal(s->n_placement, 0);
    const ss_kubernetes *k = &sc->k8s;
    assert_int_equal(k->deployment.termination_grace, 30 * SS_SECOND);
    assert_int_equal(k->autoscaler.expander, SS_EXPANDER_LEAST_WASTE);
    assert_int_equal(k->autoscaler.scan_interval, 10 * SS_SECOND);
    assert_int_equal(k->autoscaler.max_node_provision_time, 15 * SS_MINUTE);
    assert_int_equal(k->autoscaler.scale_down_unneeded_time, 10 * SS_MINUTE);
    assert_true(k->autoscaler.scale_down_utilization_threshold == 0.5);
    assert_int_equal(sc->market.notice, 120 * SS_SECOND);
    assert_int_equal(sc->seed, 1);

    /* a spread constraint given with only its key: DoNotSchedule, Honor, Ignore */
    const char *k8s = "orchestrator: kubernetes\n"
                      "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
                      "asgs: [{name: g}]\n"
                      "kubernetes: {deployment: {topology_spread: "
                      "[{topology_key: kubernetes.io/hostname}]}}\n";
    if (ss_scenario_load_string(k8s, "k8s", sc, &err))
        fail_msg("%s", err.msg);
    const ss_spread_constraint *c = &sc->k8s.deployment.spread[0];
    assert_int_equal(c->max_skew, 1);
    assert_false(c->schedule_anyway);
    assert_false(c->node_affinity_ignore);
    assert_false(c->node_taints_honor);
    assert_int_equal(sc->k8s.deployment.pdb_min_available, -1);
    free(sc);
}

/* ---- bad-scenario corpus ----------------------------------------------------------- */

/* Each file's header (lines 1-5) is name + a market with zones us-east-1a/b
 * and types m3.medium/m1.large; the fault is on the line given. */
static const struct {
    const char *file, *expect;
} corpus[] = {
    {"unknown-key.yaml", "unknown-key.yaml:8:3: key 'asg.on_deman_base_capacity': unknown key "
                         "(did you mean 'on_demand_base_capacity'?)"},
    {"bad-int.yaml", "bad-int.yaml:7:13: key 'asg.min_size': expected an integer, got 'lots'"},
    {"target-capacity-range.yaml",
     "target-capacity-range.yaml:10:22: key 'capacity_providers[0].target_capacity': value "
     "'150' out of range (1..100%)"},
    {"weight-range.yaml",
     "weight-range.yaml:8:34: key 'capacity_providers[0].weight': value '1001' out of range "
     "(0..1000)"},
    {"pools-range.yaml", "pools-range.yaml:7:24: key 'asg.spot_instance_pools': value '21' out of "
                         "range (1..20)"},
    {"duplicate-key.yaml",
     "duplicate-key.yaml:8:3: key 'asg.max_size': duplicate key (first given at line 7)"},
    {"syntax-error.yaml", "syntax-error.yaml:8:11: YAML syntax error: did not find expected ','"},
    {"empty.yaml", "empty.yaml:1:1: empty scenario"},
    {"root-sequence.yaml", "root-sequence.yaml:2:1: the scenario must be a mapping"},
    {"unknown-type.yaml", "unknown-type.yaml:7:20: key 'asg.instance_types': unknown "
                          "instance_type 'm3.medum' (did you mean 'm3.medium'?)"},
    {"unknown-zone.yaml",
     "unknown-zone.yaml:7:23: key 'asg.zones': unknown zone 'us-east-1d'"},
    {"min-gt-max.yaml", "min-gt-max.yaml:7:13: key 'asg.min_size': min_size 5 > max_size 4"},
    {"bad-enum.yaml", "bad-enum.yaml:7:29: key 'asg.spot_allocation_strategy': unknown value "
                      "'price-capacity-optimised' (did you mean 'price-capacity-optimized'?)"},
    {"bad-duration.yaml", "bad-duration.yaml:7:25: key 'service.deregistration_delay': expected a "
                          "duration"},
    {"provider-unknown-asg.yaml",
     "provider-unknown-asg.yaml:8:21: key 'capacity_providers[0].asg': unknown ASG 'worker' "
     "(did you mean 'workers'?)"},
    {"spread-key-unknown.yaml",
     "spread-key-unknown.yaml:12:23: key "
     "'kubernetes.deployment.topology_spread[0].topology_key': no node carries label 'zone'"},
    {"asg-and-asgs.yaml", "asg-and-asgs.yaml:7:1: key 'asgs': give either asg:"},
    {"bad-search-value.yaml",
     "bad-search-value.yaml:11:22: key 'search.params[0].values[2]': value 'many' rejected"},
    {"two-documents.yaml", "two-documents.yaml:7:1: more than one YAML document"},
    {"percent-range.yaml", "percent-range.yaml:7:45: key "
                           "'asg.on_demand_percentage_above_base_capacity': value '120%' out of "
                           "range (0..100%)"},
    {"horizon-backwards.yaml",
     "horizon-backwards.yaml:8:8: key 'horizon.end': horizon end must be after start"},
    {"dist-missing-sigma.yaml", "dist-missing-sigma.yaml:7:20: key 'latencies.instance_launch': "
                                "dist lognormal needs median and sigma"},
    {"search-unknown-path.yaml",
     "search-unknown-path.yaml:8:14: key 'search.params[0].path': key "
     "'asg.on_demand_bse_capacity': unknown key 'on_demand_bse_capacity' (did you mean "
     "'on_demand_base_capacity'?)"},
};

static void bad_corpus_gives_file_line_col_and_key(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_scenario_defaults(sc);
    strcpy(sc->name, "untouched");
    for (size_t i = 0; i < SS_ARRAY_LEN(corpus); i++) {
        ss_err err = {{0}};
        const char *path = tu_fmt("%s/tests/data/scenarios/%s", tu_source_dir(), corpus[i].file);
        if (ss_scenario_load_file(path, sc, &err) == 0)
            fail_msg("%s loaded but must fail", corpus[i].file);
        if (!strstr(err.msg, corpus[i].expect))
            fail_msg("%s:\n  got:      %s\n  expected: %s", corpus[i].file, err.msg,
                     corpus[i].expect);
        /* the message starts with the path given (FILE:...) */
        assert_memory_equal(err.msg, path, strlen(path));
        /* never half-written */
        assert_string_equal(sc->name, "untouched");
    }
    /* every file of the corpus is in the table */
    DIR *d = opendir(tu_fmt("%s/tests/data/scenarios", tu_source_dir()));
    assert_non_null(d);
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".yaml") != NULL;
    closedir(d);
    assert_int_equal(n, SS_ARRAY_LEN(corpus));
    ss_err err;
    assert_int_equal(ss_scenario_load_file("/nonexistent/x.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.yaml: cannot open"));
    free(sc);
}

/* ---- ss_scenario_set --------------------------------------------------------------- */

static const char *two_asgs =
    "market: {region: us-east-1, zones: [us-east-1a, us-east-1b],\n"
    "         instance_types: [m3.medium, m1.large]}\n"
    "asgs:\n"
    "  - {name: od, max_size: 4}\n"
    "  - {name: spot, max_size: 8, on_demand_percentage_above_base_capacity: 0}\n"
    "capacity_providers: [{name: od, asg: od, base: 1}, {name: spot, asg: spot, weight: 3}]\n"
    "service: {placement_strategy: [{type: spread, field: instanceId}]}\n";

static void set_round_trips(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    if (ss_scenario_load_string(two_asgs, "two", sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(ss_scenario_set(sc, "asg.on_demand_base_capacity", "2", &err), 0);
    assert_int_equal(sc->asgs[0].od_base_capacity, 2);
    assert_int_equal(ss_scenario_set(sc, "asgs[1].on_demand_percentage_above_base_capacity",
                                     "20%", &err), 0);
    assert_int_equal(sc->asgs[1].od_percentage_above_base, 20);
    assert_int_equal(ss_scenario_set(sc, "asgs[1].instance_types", "[m1.large, m3.medium]", &err),
                     0);
    assert_int_equal(sc->asgs[1].n_types, 2);
    assert_int_equal(sc->asgs[1].type_idx[0], 1);
    assert_int_equal(sc->asgs[1].type_idx[1], 0);
    assert_int_equal(ss_scenario_set(sc, "capacity_providers[1].weight", "7", &err), 0);
    assert_int_equal(sc->providers[1].weight, 7);
    assert_int_equal(ss_scenario_set(sc, "capacity_providers[0].asg", "spot", &err), 0);
    assert_int_equal(sc->providers[0].asg, 1);
    assert_int_equal(ss_scenario_set(sc, "capacity_providers[0].asg", "od", &err), 0);
    assert_int_equal(ss_scenario_set(sc, "asg.spot_allocation_strategy", "capacity-optimized",
                                     &err), 0);
    assert_int_equal(sc->asgs[0].spot_allocation, SS_SPOT_CAPACITY_OPTIMIZED);
    assert_int_equal(ss_scenario_set(sc, "service.deregistration_delay", "2m", &err), 0);
    assert_int_equal(sc->service.deregistration_delay, 120 * SS_SECOND);
    assert_int_equal(ss_scenario_set(sc, "service.spot_instance_draining", "true", &err), 0);
    assert_true(sc->service.spot_draining);
    assert_int_equal(ss_scenario_set(sc, "service.placement_strategy",
                                     "[{type: binpack, field: cpu}, {type: random}]", &err), 0);
    assert_int_equal(sc->service.n_placement, 2);
    assert_int_equal(sc->service.placement[0].kind, SS_PLACE_BINPACK);
    assert_int_equal(sc->service.placement[0].field, SS_FIELD_CPU);
    assert_int_equal(sc->service.placement[1].field, SS_FIELD_NONE);
    assert_int_equal(ss_scenario_set(sc, "latencies.instance_launch",
                                     "{dist: gamma, shape: 2, scale: 30s}", &err), 0);
    assert_int_equal(sc->instance_launch.kind, SS_DIST_GAMMA);
    assert_true(sc->instance_launch.a == 2.0 && sc->instance_launch.b == 30.0);
    assert_int_equal(ss_scenario_set(sc, "slo.min_fraction", "99.5%", &err), 0);
    assert_true(sc->slo.min_fraction > 0.99499 && sc->slo.min_fraction < 0.99501);
    assert_int_equal(ss_scenario_set(sc, "market.zones", "[us-east-1a]", &err), 0);
    assert_int_equal(sc->market.n_zones, 1);
    assert_int_equal(ss_scenario_set(sc, "market.region", "'us-east-1'", &err), 0);
    assert_string_equal(sc->market.region, "us-east-1");
    assert_int_equal(ss_scenario_set(sc, "seed", "18446744073709551615", &err), 0);
    assert_true(sc->seed == UINT64_MAX);

    /* Kubernetes paths */
    assert_int_equal(ss_scenario_set(sc, "kubernetes.deployment.topology_spread",
                                     "[{topology_key: topology.kubernetes.io/zone}]", &err), 0);
    assert_int_equal(ss_scenario_set(sc, "kubernetes.deployment.topology_spread[0].max_skew", "3",
                                     &err), 0);
    assert_int_equal(sc->k8s.deployment.spread[0].max_skew, 3);
    assert_int_equal(ss_scenario_set(sc, "kubernetes.deployment.topology_spread[0]"
                                         ".when_unsatisfiable",
                                     "ScheduleAnyway", &err), 0);
    assert_true(sc->k8s.deployment.spread[0].schedule_anyway);
    assert_int_equal(ss_scenario_set(sc, "kubernetes.deployment.pdb.min_available", "50%", &err),
                     0);
    assert_int_equal(sc->k8s.deployment.pdb_min_available_pct, 50);
    assert_int_equal(sc->k8s.deployment.pdb_min_available, -1);
    free(sc);
}

static void set_rejects_bad_values_and_leaves_scenario_unchanged(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc(), *before = new_sc();
    ss_err err;
    if (ss_scenario_load_string(two_asgs, "two", sc, &err))
        fail_msg("%s", err.msg);
    memcpy(before, sc, sizeof *sc);
    static const struct {
        const char *path, *value, *expect;
    } bad[] = {
        {"asg.on_demand_base_capacity", "two",
         "key 'asg.on_demand_base_capacity': expected an integer, got 'two'"},
        {"asg.on_demand_percentage_above_base_capacity", "101%", "out of range (0..100%)"},
        {"asg.spot_instance_pools", "0", "out of range (1..20)"},
        {"capacity_providers[0].target_capacity", "0", "out of range (1..100%)"},
        {"capacity_providers[1].weight", "-1", "out of range (0..1000)"},
        {"capacity_providers[2].weight", "1", "index 2 but the scenario has 2 capacity_providers"},
        {"asgs.max_size", "3", "'asgs' is a list: use asgs[N]"},
        {"asg.on_deman_base_capacity", "1", "did you mean 'on_demand_base_capacity'?"},
        {"asg.instance_types", "[m3.medium, c5.large]", "unknown instance_type 'c5.large'"},
        {"asg.instance_types", "[m3.medium, m3.medium]", "duplicate instance_type 'm3.medium'"},
        {"asg.spot_allocation_strategy", "cheapest", "unknown value 'cheapest'"},
        {"service.deregistration_delay", "2 hours", "expected a duration"},
        {"service.deregistration_delay", "2h", "out of range (0..3600 s)"},
        {"service.placement_strategy", "[{type: binpack, field: zone}]",
         "binpack needs field: cpu or memory"},
        {"service.spot_instance_draining", "maybe", "expected true or false"},
        {"market.zones", "[us-east-1a, us-east-1a]", "duplicate item 'us-east-1a'"},
        {"asg.instance_types", "[m3.medium", "is not valid YAML"},
        {"capacity_providers[0].asg", "nope", "unknown ASG 'nope'"},
        {"", "1", "empty key path"},
        {"service", "3", "expected a mapping of keys"},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(bad); i++) {
        err.msg[0] = '\0';
        if (ss_scenario_set(sc, bad[i].path, bad[i].value, &err) == 0)
            fail_msg("set %s = %s accepted", bad[i].path, bad[i].value);
        if (!strstr(err.msg, bad[i].expect))
            fail_msg("set %s = %s:\n  got:      %s\n  expected: %s", bad[i].path, bad[i].value,
                     err.msg, bad[i].expect);
        if (memcmp(sc, before, sizeof *sc))
            fail_msg("set %s = %s modified the scenario", bad[i].path, bad[i].value);
    }
    /* set does per-key checks only; cross-field rules are validate's */
    assert_int_equal(ss_scenario_set(sc, "asg.min_size", "9", &err), 0);
    assert_int_equal(ss_scenario_validate(sc, &err), -1);
    assert_non_null(strstr(err.msg, "key 'asgs[0].min_size': min_size 9 > max_size 4"));
    free(sc);
    free(before);
}

/* ---- hash ------------------------------------------------------------------------------- */

static void hash_is_stable_and_sensitive(void **state)
{
    (void)state;
    ss_scenario *a = new_sc(), *b = new_sc();
    ss_err err;
    char ha[17], hb[17];
    assert_int_equal(ss_scenario_load_file(example("ecs-api-3az-2016.yaml"), a, &err), 0);
    assert_int_equal(ss_scenario_load_file(example("ecs-api-3az-2016.yaml"), b, &err), 0);
    ss_scenario_hash(a, ha);
    ss_scenario_hash(b, hb);
    assert_int_equal(strlen(ha), 16);
    assert_string_equal(ha, hb);
    /* a change changes it; changing back restores it */
    assert_int_equal(ss_scenario_set(b, "asg.on_demand_base_capacity", "1", &err), 0);
    ss_scenario_hash(b, hb);
    assert_string_not_equal(ha, hb);
    assert_int_equal(ss_scenario_set(b, "asg.on_demand_base_capacity", "0", &err), 0);
    ss_scenario_hash(b, hb);
    assert_string_equal(ha, hb);
    /* equal content, different spelling: "20%" vs 20, "5m" vs 300 */
    assert_int_equal(ss_scenario_set(b, "asg.on_demand_percentage_above_base_capacity", "20%",
                                     &err), 0);
    assert_int_equal(ss_scenario_set(b, "capacity_providers[0].instance_warmup_period", "5m",
                                     &err), 0);
    ss_scenario_hash(b, hb);
    assert_string_equal(ha, hb);
    /* stale bytes behind a string and unused list slots are not hashed */
    memset(b->market.region + strlen(b->market.region) + 1, 'x', 8);
    b->asgs[5].max_size = 99;
    ss_scenario_hash(b, hb);
    assert_string_equal(ha, hb);
    /* name, description and the search block are not simulation inputs */
    assert_int_equal(ss_scenario_set(b, "name", "other", &err), 0);
    assert_int_equal(ss_scenario_set(b, "search.budget", "10", &err), 0);
    ss_scenario_hash(b, hb);
    assert_string_equal(ha, hb);
    /* every kind of field counts: a double, a duration, a distribution, a type's price */
    const char *changes[][2] = {{"market.stochastic_scale", "2"},
                                {"service.stop_timeout", "31s"},
                                {"latencies.instance_register", "31s"},
                                {"market.instance_types[1].on_demand_price", "0.2"},
                                {"service.placement_strategy", "[{type: random}]"},
                                {"seed", "43"},
                                {"asg.zones", "[us-east-1a]"}};
    for (size_t i = 0; i < SS_ARRAY_LEN(changes); i++) {
        memcpy(b, a, sizeof *a);
        assert_int_equal(ss_scenario_set(b, changes[i][0], changes[i][1], &err), 0);
        ss_scenario_hash(b, hb);
        if (!strcmp(ha, hb))
            fail_msg("hash unchanged by %s = %s", changes[i][0], changes[i][1]);
    }
    free(a);
    free(b);
}

/* ---- docs ---------------------------------------------------------------------------------- */

typedef struct {
    const char *doc;
    int missing;
} doc_check;

static void check_key_in_doc(const char *path, const ss_bind_key *k, void *user)
{
    (void)k;
    doc_check *d = user;
    char needle[SS_PATH_MAX + 4];
    snprintf(needle, sizeof needle, "`%s`", path);
    if (!strstr(d->doc, needle)) {
        fprintf(stderr, "docs/scenario.md lacks %s\n", needle);
        d->missing++;
    }
}

static void every_key_is_documented(void **state)
{
    (void)state;
    char *doc = tu_read_file(tu_fmt("%s/docs/scenario.md", tu_source_dir()), NULL);
    assert_non_null(doc);
    doc_check d = {doc, 0};
    ss_bind_walk(ss_scenario_root_section(), "", check_key_in_doc, &d);
    free(doc);
    assert_int_equal(d.missing, 0);
}

/* ---- robustness ------------------------------------------------------------------------------ */

static void mangled_input_never_crashes(void **state)
{
    (void)state;
    char *text = tu_read_file(example("ecs-api-3az-2016.yaml"), NULL);
    assert_non_null(text);
    size_t n = strlen(text);
    char *buf = malloc(n + 1);
    ss_scenario *sc = new_sc();
    ss_err err;
    int ok = 0;
    /* every prefix (truncated files) */
    for (size_t cut = 0; cut <= n; cut += (cut + 7 > n && cut < n) ? n - cut : 7) {
        memcpy(buf, text, cut);
        buf[cut] = '\0';
        err.msg[0] = '\0';
        if (ss_scenario_load_string(buf, "cut", sc, &err) == 0)
            ok++;
        else
            assert_true(strlen(err.msg) > 0);
    }
    /* random byte substitutions with YAML-significant characters (fixed LCG) */
    static const char sub[] = ":-[]{},#&*!|>'\"%@` \n\t0a";
    uint64_t x = 12345;
    for (int it = 0; it < 1500; it++) {
        memcpy(buf, text, n + 1);
        for (int k = 0; k < 3; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t pos = (size_t)(x >> 33) % n;
            buf[pos] = sub[(x >> 20) % (sizeof sub - 1)];
        }
        err.msg[0] = '\0';
        if (ss_scenario_load_string(buf, "fuzz", sc, &err))
            assert_true(strlen(err.msg) > 0);
    }
    /* hostile documents: recursive aliases, invalid UTF-8, deep nesting */
    const char *hostile[] = {
        "market: &m {zones: [us-east-1a], instance_types: [m3.medium], region: *m}\n",
        "asg: &a\n  instance_types: &t [*t]\n",
        "asg: &a {name: *a}\n",
        "name: \xff\xfe x\n",
        "? [a, b]\n: c\n",
        "seed: -1\n",
        "seed: 99999999999999999999999\n",
        "replicas: 1e400\n",
        "market: {stochastic_scale: nan}\n",
        "horizon: {duration: 5d}\n",
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(hostile); i++) {
        err.msg[0] = '\0';
        if (ss_scenario_load_string(hostile[i], "hostile", sc, &err) == 0)
            fail_msg("hostile document %zu loaded", i);
        assert_non_null(strstr(err.msg, "hostile:"));
    }
    char *deep = malloc(40012);
    memcpy(deep, "name: ", 6);
    memset(deep + 6, '[', 20000);
    memset(deep + 20006, ']', 20000);
    strcpy(deep + 40006, "\n");
    assert_int_equal(ss_scenario_load_string(deep, "deep", sc, &err), -1);
    /* refused before libyaml (whose time grows with the square of the
     * depth): the 65th '[' is column 6 + 65 = 71 */
    assert_non_null(strstr(err.msg, "deep:1:71: collections nested deeper than 64 levels"));
    free(deep);

    /* ss_scenario_set with hostile values */
    assert_int_equal(ss_scenario_load_string(text, "ok", sc, &err), 0);
    const char *vals[] = {"", "[", "{", "&a [*a]", "!!binary x", "[[[[[]]]]]", "*x", "'", "\"\\x\"",
                          "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, "
                          "21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, "
                          "39, 40, 41]"};
    const char *paths[] = {"asg.instance_types", "service.placement_strategy", "market.zones",
                           "asg.min_size", "latencies.instance_launch", "asg.termination_policies",
                           "asgs", "asg", "search.params", "kubernetes.deployment.pdb"};
    for (size_t i = 0; i < SS_ARRAY_LEN(paths); i++)
        for (size_t j = 0; j < SS_ARRAY_LEN(vals); j++)
            (void)ss_scenario_set(sc, paths[i], vals[j], &err);
    free(sc);
    free(buf);
    free(text);
    assert_true(ok >= 1); /* at least the whole-file prefixes near the end load */
}

/* The first ```yaml block after `heading` in a Markdown file (malloc'd,
 * ending with its last newline); fails the test if there is none. */
static char *md_yaml_block(const char *md_path, const char *heading)
{
    char *doc = tu_read_file(md_path, NULL);
    if (!doc)
        fail_msg("cannot read %s", md_path);
    const char *sec = strstr(doc, heading);
    const char *open = sec ? strstr(sec, "```yaml\n") : NULL;
    const char *close = open ? strstr(open + 8, "\n```") : NULL;
    if (!close)
        fail_msg("%s: no ```yaml block after '%s'", md_path, heading);
    open += 8;
    char *block = strndup(open, (size_t)(close - open) + 1);
    free(doc);
    return block;
}

/* docs/scenario.md shows examples/ecs-api-3az-2016.yaml as its complete
 * example: the copy must be the file, byte for byte. */
static void docs_example_is_the_file(void **state)
{
    (void)state;
    char *block = md_yaml_block(tu_fmt("%s/docs/scenario.md", tu_source_dir()),
                                "## A complete example");
    char *file = tu_read_file(tu_fmt("%s/examples/ecs-api-3az-2016.yaml", tu_source_dir()), NULL);
    assert_non_null(file);
    size_t flen = strlen(file);
    while (flen > 1 && file[flen - 1] == '\n' && file[flen - 2] == '\n')
        flen--;
    if (strlen(block) != flen || memcmp(block, file, flen) != 0)
        fail_msg("docs/scenario.md: the complete example differs from "
                 "examples/ecs-api-3az-2016.yaml; copy the file into the doc");
    free(block);
    free(file);
}

/* The README's scenario example must load and validate as it stands. */
static void readme_example_loads(void **state)
{
    (void)state;
    char *yaml = md_yaml_block(tu_fmt("%s/README.md", tu_source_dir()), "## Scenario file");
    ss_scenario *sc = malloc(sizeof *sc);
    ss_err err = {{0}};
    if (ss_scenario_load_string(yaml, "README.md", sc, &err) || ss_scenario_validate(sc, &err))
        fail_msg("README.md's scenario example: %s", err.msg);
    assert_int_equal(sc->service.desired_count, 16);
    assert_int_equal(sc->asgs[0].od_percentage_above_base, 20);
    assert_int_equal(sc->search.n_params, 2);
    free(sc);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_example_loads_and_validates),
        cmocka_unit_test(skypilot_examples_have_the_issue_semantics),
        cmocka_unit_test(policy_block_is_validated),
        cmocka_unit_test(ecs_example_has_what_its_comments_say),
        cmocka_unit_test(k8s_examples_differ_only_in_mitigations),
        cmocka_unit_test(examples_use_pools_and_spans_of_the_data),
        cmocka_unit_test(defaults_are_the_documented_aws_defaults),
        cmocka_unit_test(bad_corpus_gives_file_line_col_and_key),
        cmocka_unit_test(set_round_trips),
        cmocka_unit_test(set_rejects_bad_values_and_leaves_scenario_unchanged),
        cmocka_unit_test(hash_is_stable_and_sensitive),
        cmocka_unit_test(every_key_is_documented),
        cmocka_unit_test(mangled_input_never_crashes),
        cmocka_unit_test(docs_example_is_the_file),
        cmocka_unit_test(readme_example_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
