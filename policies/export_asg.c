/*
 * export_asg.c - an ASG as `aws autoscaling create-auto-scaling-group
 * --cli-input-json` input (aws-semantics.md §1.12), built with jansson.
 *
 * Types matter: WeightedCapacity and SpotMaxPrice are strings,
 * VPCZoneIdentifier is one comma-separated string of subnet ids (one
 * placeholder per zone), sizes are integers. Fields equal to the API default
 * are still written when they change behaviour a reader might assume
 * (OnDemandPercentageAboveBaseCapacity: default 100 = all On-Demand).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policies/export.h"

const char *ss_export_spot_alloc_name(ss_spot_alloc a)
{
    switch (a) {
    case SS_SPOT_CAPACITY_OPTIMIZED: return "capacity-optimized";
    case SS_SPOT_CAPACITY_OPTIMIZED_PRIORITIZED: return "capacity-optimized-prioritized";
    case SS_SPOT_PRICE_CAPACITY_OPTIMIZED: return "price-capacity-optimized";
    case SS_SPOT_LOWEST_PRICE:
    default: return "lowest-price";
    }
}

const char *ss_export_od_alloc_name(ss_od_alloc a)
{
    return a == SS_OD_LOWEST_PRICE ? "lowest-price" : "prioritized";
}

const char *ss_export_termination_name(ss_termination_policy t)
{
    switch (t) {
    case SS_TERM_ALLOCATION_STRATEGY: return "AllocationStrategy";
    case SS_TERM_OLDEST_LAUNCH_TEMPLATE: return "OldestLaunchTemplate";
    case SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR: return "ClosestToNextInstanceHour";
    case SS_TERM_NEWEST_INSTANCE: return "NewestInstance";
    case SS_TERM_OLDEST_INSTANCE: return "OldestInstance";
    case SS_TERM_DEFAULT:
    default: return "Default";
    }
}

const char *ss_export_az_distribution_name(ss_az_distribution d)
{
    return d == SS_AZ_BALANCED_ONLY ? "balanced-only" : "balanced-best-effort";
}

static int check_asg(const ss_scenario *sc, int asg, ss_err *err)
{
    if (asg < 0 || asg >= sc->n_asgs)
        return ss_err_set(err, "export: the scenario has no ASG #%d (it has %d)", asg, sc->n_asgs);
    const ss_asg *a = &sc->asgs[asg];
    for (int i = 0; i < a->n_types; i++)
        if (a->type_idx[i] < 0 || a->type_idx[i] >= sc->market.n_types)
            return ss_err_set(err, "export: asg '%s' type index %d out of range", a->name, a->type_idx[i]);
    for (int i = 0; i < a->n_zones; i++)
        if (a->zone_idx[i] < 0 || a->zone_idx[i] >= sc->market.n_zones)
            return ss_err_set(err, "export: asg '%s' zone index %d out of range", a->name, a->zone_idx[i]);
    return 0;
}

char *ss_export_dump_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        ss_fatal("out of memory (json)");
    size_t n = strlen(s);
    char *r = ss_malloc(n + 2);
    memcpy(r, s, n);
    r[n] = '\n';
    r[n + 1] = 0;
    free(s);
    return r;
}

int ss_export_asg_json(const ss_scenario *sc, int asg, char **out, ss_err *err)
{
    *out = NULL;
    if (check_asg(sc, asg, err))
        return -1;
    const ss_asg *a = &sc->asgs[asg];
    const ss_market *m = &sc->market;
    json_t *root = json_object();
    json_object_set_new(root, "AutoScalingGroupName", json_string(a->name));

    json_t *mip = json_object(), *lt = json_object(), *spec = json_object(), *ovr = json_array();
    char ltname[SS_NAME_MAX + 16];
    if (sc->orchestrator == SS_ORCH_ECS) {
        /* the launch template of the export (launch-template.json) */
        ss_export_launch_template_name(sc, ltname, sizeof ltname);
        json_object_set_new(spec, "LaunchTemplateName", json_string(ltname));
    } else {
        json_object_set_new(spec, "LaunchTemplateId", json_string("<launch-template-id>"));
    }
    json_object_set_new(spec, "Version", json_string("$Latest"));
    json_object_set_new(lt, "LaunchTemplateSpecification", spec);
    int nt = a->n_types > 0 ? a->n_types : m->n_types;
    for (int i = 0; i < nt; i++) {
        const ss_instance_type *t = &m->types[a->n_types > 0 ? a->type_idx[i] : i];
        json_t *o = json_object();
        json_object_set_new(o, "InstanceType", json_string(t->name));
        if (t->weight > 0) {
            char w[32];
            snprintf(w, sizeof w, "%d", t->weight);
            json_object_set_new(o, "WeightedCapacity", json_string(w)); /* a string (§1.12) */
        }
        json_array_append_new(ovr, o);
    }
    json_object_set_new(lt, "Overrides", ovr);
    json_object_set_new(mip, "LaunchTemplate", lt);

    json_t *dist = json_object();
    json_object_set_new(dist, "OnDemandAllocationStrategy", json_string(ss_export_od_alloc_name(a->od_allocation)));
    json_object_set_new(dist, "OnDemandBaseCapacity", json_integer(a->od_base_capacity));
    json_object_set_new(dist, "OnDemandPercentageAboveBaseCapacity", json_integer(a->od_percentage_above_base));
    json_object_set_new(dist, "SpotAllocationStrategy", json_string(ss_export_spot_alloc_name(a->spot_allocation)));
    if (a->spot_allocation == SS_SPOT_LOWEST_PRICE) /* only valid with lowest-price */
        json_object_set_new(dist, "SpotInstancePools", json_integer(a->spot_instance_pools));
    if (a->spot_max_price > 0) {
        char p[32];
        snprintf(p, sizeof p, "%.6g", a->spot_max_price);
        json_object_set_new(dist, "SpotMaxPrice", json_string(p));
    }
    json_object_set_new(mip, "InstancesDistribution", dist);
    json_object_set_new(root, "MixedInstancesPolicy", mip);

    json_object_set_new(root, "MinSize", json_integer(a->min_size));
    json_object_set_new(root, "MaxSize", json_integer(a->max_size));
    /* over-provisioning (policy.extra_spot) is native: N_extra more units */
    int extra = sc->policy.group == asg ? sc->policy.extra_spot : 0;
    json_object_set_new(root, "DesiredCapacity", json_integer(a->desired_capacity + extra));
    json_object_set_new(root, "HealthCheckGracePeriod", json_integer(a->health_check_grace / SS_SECOND));

    /* one subnet placeholder per zone, comma-separated in ONE string */
    char vpc[SS_MAX_ZONES * (SS_NAME_MAX + 16)] = "";
    int nz = a->n_zones > 0 ? a->n_zones : m->n_zones;
    for (int i = 0; i < nz; i++) {
        const char *z = m->zones[a->n_zones > 0 ? a->zone_idx[i] : i];
        size_t len = strlen(vpc);
        snprintf(vpc + len, sizeof vpc - len, "%s<subnet-for-%s>", i ? "," : "", z);
    }
    json_object_set_new(root, "VPCZoneIdentifier", json_string(vpc));

    json_t *tp = json_array();
    for (int i = 0; i < a->n_termination_policies; i++)
        json_array_append_new(tp, json_string(ss_export_termination_name(a->termination_policies[i])));
    if (a->n_termination_policies == 0)
        json_array_append_new(tp, json_string("Default"));
    json_object_set_new(root, "TerminationPolicies", tp);
    /* ECS managed termination protection requires scale-in protection (§3.1) */
    bool protect = a->new_instances_protected;
    for (int i = 0; i < sc->n_providers; i++)
        if (sc->providers[i].asg == asg && sc->providers[i].managed_termination_protection)
            protect = true;
    json_object_set_new(root, "NewInstancesProtectedFromScaleIn", json_boolean(protect));
    json_object_set_new(root, "CapacityRebalance", json_boolean(a->capacity_rebalance));
    json_t *azd = json_object();
    json_object_set_new(azd, "CapacityDistributionStrategy",
                        json_string(ss_export_az_distribution_name(a->az_distribution)));
    json_object_set_new(root, "AvailabilityZoneDistribution", azd);
    *out = ss_export_dump_json(root);
    return 0;
}
