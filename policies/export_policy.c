/*
 * export_policy.c - the part of a recommendation that AWS does not offer
 * natively, as the concrete controller a user deploys: EventBridge rules
 * (event patterns) and the scaling action a function performs, with the
 * policy's parameters (docs/policies.md).
 *
 * Native (exported elsewhere): the ASG (asg.json / main.tf) with N_extra
 * already in DesiredCapacity and the ECS service with it in desiredCount.
 * Controller (this file): On-Demand fallback and SpotHedge placement.
 *
 * Event shapes:
 *   Auto Scaling "EC2 Instance Launch Unsuccessful" / "... Successful",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/automating-ec2-auto-scaling-with-eventbridge.html
 *   EC2 "EC2 Spot Instance Interruption Warning",
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 *   wildcard matching in event patterns,
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "policies/export.h"
#include "policies/fleet_policy.h"

static json_t *strs1(const char *a)
{
    json_t *x = json_array();
    json_array_append_new(x, json_string(a));
    return x;
}

static json_t *rule(const char *name, const char *source, const char *detail_type, json_t *detail,
                    const char *why)
{
    json_t *r = json_object(), *pat = json_object();
    json_object_set_new(r, "Name", json_string(name));
    json_object_set_new(pat, "source", strs1(source));
    json_object_set_new(pat, "detail-type", strs1(detail_type));
    if (detail)
        json_object_set_new(pat, "detail", detail);
    json_object_set_new(r, "EventPattern", pat);
    json_object_set_new(r, "Targets", strs1("<controller-function-arn>"));
    json_object_set_new(r, "Purpose", json_string(why));
    return r;
}

static json_t *asg_detail(const char *asg, bool capacity_only)
{
    json_t *d = json_object();
    json_object_set_new(d, "AutoScalingGroupName", strs1(asg));
    if (capacity_only) {
        json_t *w = json_array(), *o = json_object();
        json_object_set_new(o, "wildcard", json_string("*InsufficientInstanceCapacity*"));
        json_array_append_new(w, o);
        json_object_set_new(d, "StatusMessage", w);
    }
    return d;
}

static double secs(ss_time t) { return (double)t / (double)SS_SECOND; }

/* Distinct regions of the group's zones (a zone's region is its name
 * without the trailing letter, as ss_region_of_zone reads it). */
static int group_regions(const ss_scenario *sc, const ss_asg *a)
{
    char seen[SS_MAX_ZONES][SS_NAME_MAX];
    int n = 0, nz = a->n_zones > 0 ? a->n_zones : sc->market.n_zones;
    for (int i = 0; i < nz; i++) {
        const char *z = sc->market.zones[a->n_zones > 0 ? a->zone_idx[i] : i];
        size_t l = strlen(z);
        char r[SS_NAME_MAX];
        snprintf(r, sizeof r, "%.*s", (int)(l > 0 ? l - 1 : 0), z);
        int k = 0;
        while (k < n && strcmp(seen[k], r))
            k++;
        if (k == n)
            snprintf(seen[n++], SS_NAME_MAX, "%s", r);
    }
    return n;
}

static const char *trigger_name(ss_fallback_trigger t)
{
    return t == SS_FB_LAUNCH_FAILURES ? "launch-failures" : t == SS_FB_INTERRUPTIONS ? "interruptions" : "either";
}

/* The On-Demand fallback's parameters both controllers share. */
static json_t *fallback_params(const ss_fleet_policy *p)
{
    json_t *fb = json_object();
    json_object_set_new(fb, "Trigger", json_string(trigger_name(p->trigger)));
    json_object_set_new(fb, "DetectionDelaySeconds", json_real(secs(p->detection_delay)));
    json_object_set_new(fb, "InterruptionThreshold", json_integer(p->interruption_threshold));
    json_object_set_new(fb, "InterruptionWindowSeconds", json_real(secs(p->interruption_window)));
    json_object_set_new(fb, "Cover", json_real(p->cover));
    json_object_set_new(fb, "SpotHealthySeconds", json_real(secs(p->spot_healthy_time)));
    json_object_set_new(fb, "MinHoldSeconds", json_real(secs(p->min_hold)));
    json_object_set_new(fb, "ReleaseOnLaunch", json_boolean(p->release_on_launch));
    return fb;
}

/* Kubernetes (cluster autoscaler): the rules watch every Spot node group;
 * the action raises the MinSize of the On-Demand node group fallback_group
 * (models/k8s_sim.c od_fallback). */
static int k8s_fallback_json(const ss_scenario *sc, char **out, ss_err *err)
{
    const ss_fleet_policy *p = &sc->policy;
    if (p->fallback_group < 0 || p->fallback_group >= sc->n_asgs)
        return ss_err_set(err, "export: policy.fallback_group names no node group of the scenario");
    const ss_asg *od = &sc->asgs[p->fallback_group];
    char name[SS_NAME_MAX + 64];
    json_t *root = json_object(), *native = json_object(), *spot = json_array();
    for (int g = 0; g < sc->n_asgs; g++)
        if (sc->asgs[g].spot)
            json_array_append_new(spot, json_string(sc->asgs[g].name));
    json_object_set_new(native, "SpotNodeGroups", spot);
    json_object_set_new(native, "OnDemandNodeGroup", json_string(od->name));
    json_object_set_new(native, "MinSize", json_integer(od->min_size));
    json_object_set_new(native, "MaxSize", json_integer(od->max_size));
    json_object_set_new(native, "Where",
                        json_string("k8s.yaml (eksctl ClusterConfig node groups) and main.tf: the node groups "
                                    "at these sizes; the cluster autoscaler discovers all of them"));
    json_object_set_new(root, "Native", native);

    json_t *ctl = json_object(), *rules = json_array();
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        if (!a->spot)
            continue;
        if (p->trigger != SS_FB_INTERRUPTIONS) {
            snprintf(name, sizeof name, "%s-spot-insufficient-capacity", a->name);
            json_array_append_new(rules, rule(name, "aws.autoscaling", "EC2 Instance Launch Unsuccessful",
                                              asg_detail(a->name, true),
                                              "trigger: a Spot launch of the node group failed for capacity"));
        }
        snprintf(name, sizeof name, "%s-launch-successful", a->name);
        json_array_append_new(rules, rule(name, "aws.autoscaling", "EC2 Instance Launch Successful",
                                          asg_detail(a->name, false),
                                          p->release_on_launch ? "release: a Spot launch succeeded"
                                                               : "release: a Spot node is back (then wait "
                                                                 "until it is Ready)"));
    }
    if (p->trigger != SS_FB_LAUNCH_FAILURES)
        json_array_append_new(rules, rule("spot-node-groups-interruption-warning", "aws.ec2",
                                          "EC2 Spot Instance Interruption Warning", NULL,
                                          "trigger: count warnings of the Spot node groups' instances (the "
                                          "function checks the aws:autoscaling:groupName tag)"));
    json_t *fb = fallback_params(p);
    json_object_set_new(fb, "OnDemandNodeGroup", json_string(od->name));
    json_object_set_new(fb, "BaseMinSize", json_integer(od->min_size));
    json_object_set_new(fb, "BaseMaxSize", json_integer(od->max_size));
    json_object_set_new(
        fb, "Action",
        json_string("autoscaling:UpdateAutoScalingGroup on OnDemandNodeGroup: MinSize = BaseMinSize + C and "
                    "MaxSize = max(BaseMaxSize, MinSize, DesiredCapacity), where C = ceil(Cover x (desired "
                    "capacity of the Spot node groups - their Ready nodes - their instances booting)), raised "
                    "DetectionDelaySeconds after a trigger event and never lowered while Spot is short; C is "
                    "lowered to ceil(Cover x (desired - Ready)) once that has held SpotHealthySeconds and the "
                    "fallback MinHoldSeconds. Lowering MinSize removes no node: the cluster autoscaler scales "
                    "the group down when its nodes are unneeded"));
    json_object_set_new(ctl, "OnDemandFallback", fb);
    json_object_set_new(ctl, "Rules", rules);
    json_object_set_new(root, "Controller", ctl);
    *out = ss_export_dump_json(root);
    return 0;
}

int ss_export_fleet_policy_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    const ss_fleet_policy *p = &sc->policy;
    if (sc->orchestrator == SS_ORCH_KUBERNETES)
        return k8s_fallback_json(sc, out, err);
    if (p->group < 0 || p->group >= sc->n_asgs)
        return ss_err_set(err, "export: policy.group %d is not an ASG of the scenario", p->group);
    const ss_asg *a = &sc->asgs[p->group];
    char name[SS_NAME_MAX + 64];
    json_t *root = json_object();

    json_t *native = json_object();
    json_object_set_new(native, "AutoScalingGroupName", json_string(a->name));
    json_object_set_new(native, "DesiredCapacity", json_integer(a->desired_capacity + p->extra_spot));
    json_object_set_new(native, "ExtraSpot", json_integer(p->extra_spot));
    json_object_set_new(native, "CapacityRebalance", json_boolean(a->capacity_rebalance));
    json_object_set_new(native, "AZRebalanceSuspended", json_boolean(!a->az_rebalance));
    json_object_set_new(native, "Where",
                        json_string("asg.json / main.tf (DesiredCapacity includes ExtraSpot) and "
                                    "ecs-service.json (desiredCount includes ExtraSpot)"));
    int regions = group_regions(sc, a);
    if (regions > 1)
        json_object_set_new(native, "Regions",
                            json_string("the group's zones span several regions: an Auto Scaling group is "
                                        "regional, so deploy one group per region (this file's rules in "
                                        "each) and let the controller spread the Spot target over them"));
    json_object_set_new(root, "Native", native);

    json_t *ctl = json_object(), *rules = json_array();
    if (p->fallback) {
        if (p->trigger != SS_FB_INTERRUPTIONS) {
            snprintf(name, sizeof name, "%s-spot-insufficient-capacity", a->name);
            json_array_append_new(rules, rule(name, "aws.autoscaling", "EC2 Instance Launch Unsuccessful",
                                              asg_detail(a->name, true),
                                              "trigger: a Spot launch of the group failed for capacity"));
        }
        if (p->trigger != SS_FB_LAUNCH_FAILURES) {
            snprintf(name, sizeof name, "%s-spot-interruption-warning", a->name);
            json_array_append_new(rules, rule(name, "aws.ec2", "EC2 Spot Instance Interruption Warning", NULL,
                                              "trigger: count warnings of the group's instances (the "
                                              "function checks the aws:autoscaling:groupName tag)"));
        }
        snprintf(name, sizeof name, "%s-launch-successful", a->name);
        json_array_append_new(rules, rule(name, "aws.autoscaling", "EC2 Instance Launch Successful",
                                          asg_detail(a->name, false),
                                          p->release_on_launch
                                              ? "release: a Spot launch succeeded"
                                              : "release: a Spot instance is back (then wait until it is "
                                                "registered and healthy)"));
        json_t *fb = fallback_params(p);
        json_object_set_new(
            fb, "Action",
            json_string("autoscaling:UpdateAutoScalingGroup on the group: DesiredCapacity = D + ExtraSpot + C "
                        "and MixedInstancesPolicy.InstancesDistribution.OnDemandBaseCapacity = B + C, where "
                        "C = ceil(Cover x (Spot units the service needs - Spot units ready - Spot units "
                        "booting)), raised DetectionDelaySeconds after a trigger event and never lowered "
                        "while Spot is short; C is lowered to ceil(Cover x (needed - ready)) once that has "
                        "held SpotHealthySeconds and the fallback MinHoldSeconds; the group then scales in "
                        "On-Demand first"));
        json_object_set_new(fb, "BaseDesiredCapacity", json_integer(a->desired_capacity));
        json_object_set_new(fb, "BaseOnDemandBaseCapacity", json_integer(a->od_base_capacity));
        json_object_set_new(fb, "MaxSize", json_integer(a->max_size));
        json_object_set_new(ctl, "OnDemandFallback", fb);
    }
    if (p->placement == SS_PLACE_SPOTHEDGE) {
        snprintf(name, sizeof name, "%s-spot-zone-events", a->name);
        json_array_append_new(rules, rule(name, "aws.ec2", "EC2 Spot Instance Interruption Warning", NULL,
                                          "placement: the warned instance's zone becomes preempted"));
        if (!p->fallback || p->trigger == SS_FB_INTERRUPTIONS) {
            snprintf(name, sizeof name, "%s-spot-insufficient-capacity", a->name);
            json_array_append_new(rules, rule(name, "aws.autoscaling", "EC2 Instance Launch Unsuccessful",
                                              asg_detail(a->name, true),
                                              "placement: the failed zone becomes preempted"));
        }
        json_t *pl = json_object();
        json_object_set_new(pl, "ZoneQuietSeconds", json_real(secs(p->zone_quiet)));
        json_object_set_new(
            pl, "Action",
            json_string("autoscaling:UpdateAutoScalingGroup VPCZoneIdentifier = the subnets of the active "
                        "zones (a zone is preempted on a warning or capacity failure in it and active again "
                        "after ZoneQuietSeconds without one; when none is active, all are)"));
        json_object_set_new(ctl, "SpotHedgePlacement", pl);
    }
    json_object_set_new(ctl, "Rules", rules);
    json_object_set_new(root, "Controller", ctl);
    *out = ss_export_dump_json(root);
    return 0;
}

char *ss_fleet_policy_summary(const ss_scenario *sc)
{
    const ss_fleet_policy *p = &sc->policy;
    ss_buf b = {0};
    if (sc->orchestrator == SS_ORCH_KUBERNETES && sc->k8s.provisioner == SS_PROV_KARPENTER) {
        /* Karpenter is itself the controller; what it runs on is declarative */
        const ss_karpenter *k = &sc->k8s.karpenter;
        ss_buf_printf(&b, "\nNeeds a controller: Karpenter (karpenter-values.yaml: interruption handling %s, "
                          "SpotToSpotConsolidation %s). Its configuration (k8s.yaml):",
                      k->interruption_handling ? "on (SQS queue + EventBridge rules)" : "off",
                      k->spot_to_spot ? "on" : "off");
        for (int i = 0; i < k->n_pools; i++) {
            const ss_node_pool *np = &k->pools[i];
            ss_buf_printf(&b, "%s NodePool '%s' (%s, %s after %.0f s, budget %d%s)", i ? ";" : "", np->name,
                          np->capacity_types == SS_KARP_SPOT ? "Spot"
                          : np->capacity_types == SS_KARP_OD ? "On-Demand"
                                                             : "Spot, On-Demand when Spot is unavailable",
                          np->consolidation_policy == SS_KARP_WHEN_EMPTY ? "WhenEmpty" : "WhenEmptyOrUnderutilized",
                          secs(np->consolidate_after), np->budget_nodes, np->budget_percent ? " %" : " nodes");
        }
        ss_buf_printf(&b, " and its EC2NodeClass.\n");
        return b.s;
    }
    if (!ss_fp_enabled(p) || p->group < 0 || p->group >= sc->n_asgs)
        return ss_strdup("");
    if (sc->orchestrator == SS_ORCH_KUBERNETES) {
        if (p->fallback_group < 0 || p->fallback_group >= sc->n_asgs)
            return ss_strdup("");
        const ss_asg *od = &sc->asgs[p->fallback_group];
        ss_buf_printf(&b, "\nAWS-native configuration (k8s.yaml, main.tf): the node groups, the On-Demand one "
                          "'%s' at MinSize %d / MaxSize %d.\nNeeds a controller (fleet-policy.json: EventBridge "
                          "rules on the Spot node groups -> a function calling UpdateAutoScalingGroup on '%s'): "
                          "On-Demand fallback raising its MinSize (trigger %s, detection delay %.0f s, cover "
                          "%.2f, Spot healthy %.0f s, min hold %.0f s%s).\n",
                      od->name, od->min_size, od->max_size, od->name, trigger_name(p->trigger),
                      secs(p->detection_delay), p->cover, secs(p->spot_healthy_time), secs(p->min_hold),
                      p->release_on_launch ? ", released on Spot launch" : "");
        return b.s;
    }
    const ss_asg *a = &sc->asgs[p->group];
    ss_buf_printf(&b, "\nAWS-native configuration (asg.json, ecs-service.json, main.tf): the Auto Scaling "
                      "group '%s' with DesiredCapacity %d",
                  a->name, a->desired_capacity + p->extra_spot);
    if (p->extra_spot > 0)
        ss_buf_printf(&b, " (%d + %d extra Spot)", a->desired_capacity, p->extra_spot);
    ss_buf_printf(&b, ", its MixedInstancesPolicy%s%s.\n", a->capacity_rebalance ? " and Capacity Rebalancing" : "",
                  a->az_rebalance ? ""
                                  : ", AZRebalance suspended (main.tf; or aws autoscaling suspend-processes "
                                    "--scaling-processes AZRebalance)");
    int regions = group_regions(sc, a);
    if (regions > 1)
        ss_buf_printf(&b, "Its zones span %d regions: an Auto Scaling group is regional, so this needs one group "
                          "per region and a controller spreading the Spot target over them.\n",
                      regions);
    if (p->fallback || p->placement == SS_PLACE_SPOTHEDGE) {
        ss_buf_printf(&b, "Needs a controller (fleet-policy.json: EventBridge rules -> a function calling "
                          "UpdateAutoScalingGroup):");
        if (p->fallback)
            ss_buf_printf(&b, " On-Demand fallback (trigger %s, detection delay %.0f s, cover %.2f, Spot healthy "
                              "%.0f s, min hold %.0f s%s)",
                          p->trigger == SS_FB_LAUNCH_FAILURES ? "launch failures"
                          : p->trigger == SS_FB_INTERRUPTIONS ? "interruption warnings"
                                                                : "launch failures or warnings",
                          secs(p->detection_delay), p->cover, secs(p->spot_healthy_time), secs(p->min_hold),
                          p->release_on_launch ? ", released on Spot launch" : "");
        if (p->placement == SS_PLACE_SPOTHEDGE)
            ss_buf_printf(&b, "%s SpotHedge zone placement (zones return after %.0f s quiet)",
                          p->fallback ? ";" : "", secs(p->zone_quiet));
        ss_buf_printf(&b, ".\n");
    }
    return b.s ? b.s : ss_strdup("");
}
