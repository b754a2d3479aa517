/*
 * export_ecs.c - ECS: `aws ecs create-capacity-provider --cli-input-json`
 * (§3.1), `aws ecs create-service --cli-input-json` with the capacity
 * provider strategy (§3.3), deployment configuration (§3.6) and placement
 * (§3.7), and the container agent's /etc/ecs/ecs.config lines (§3.4/3.5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policies/export.h"
#include "sim/kernel/fileio.h"


static const char *enabled(bool b) { return b ? "ENABLED" : "DISABLED"; }

int ss_export_ecs_capacity_provider_json(const ss_scenario *sc, int provider, char **out, ss_err *err)
{
    *out = NULL;
    if (provider < 0 || provider >= sc->n_providers)
        return ss_err_set(err, "export: the scenario has no capacity provider #%d (it has %d)",
                          provider, sc->n_providers);
    const ss_capacity_provider *cp = &sc->providers[provider];
    if (cp->asg < 0 || cp->asg >= sc->n_asgs)
        return ss_err_set(err, "export: capacity provider '%s' refers to ASG #%d", cp->name, cp->asg);
    json_t *root = json_object(), *asgp = json_object(), *ms = json_object();
    json_object_set_new(root, "name", json_string(cp->name));
    char arn[SS_NAME_MAX + 32];
    snprintf(arn, sizeof arn, "<asg-arn-of-%s>", sc->asgs[cp->asg].name);
    json_object_set_new(asgp, "autoScalingGroupArn", json_string(arn));
    json_object_set_new(ms, "status", json_string(enabled(cp->managed_scaling)));
    json_object_set_new(ms, "targetCapacity", json_integer(cp->target_capacity));
    json_object_set_new(ms, "minimumScalingStepSize", json_integer(cp->min_scaling_step));
    json_object_set_new(ms, "maximumScalingStepSize", json_integer(cp->max_scaling_step));
    json_object_set_new(ms, "instanceWarmupPeriod", json_integer(cp->instance_warmup / SS_SECOND));
    json_object_set_new(asgp, "managedScaling", ms);
    json_object_set_new(asgp, "managedTerminationProtection",
                        json_string(enabled(cp->managed_termination_protection)));
    json_object_set_new(asgp, "managedDraining", json_string(enabled(cp->managed_draining)));
    json_object_set_new(root, "autoScalingGroupProvider", asgp);
    *out = ss_export_dump_json(root);
    return 0;
}

static const char *placement_field(ss_placement_field f)
{
    switch (f) {
    case SS_FIELD_ZONE: return "attribute:ecs.availability-zone";
    case SS_FIELD_INSTANCE_ID: return "instanceId";
    case SS_FIELD_INSTANCE_TYPE: return "attribute:ecs.instance-type";
    case SS_FIELD_CPU: return "cpu";
    case SS_FIELD_MEMORY: return "memory";
    case SS_FIELD_NONE:
    default: return NULL;
    }
}

int ss_export_ecs_service_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    const ss_service *s = &sc->service;
    if (sc->n_providers < 1)
        return ss_err_set(err, "export: the service needs at least one capacity provider");
    json_t *root = json_object();
    json_object_set_new(root, "cluster", json_string("<cluster-name>"));
    json_object_set_new(root, "serviceName", json_string(s->name));
    /* the family of ecs-task-definition.json: its latest ACTIVE revision */
    json_object_set_new(root, "taskDefinition", json_string(s->name));
    /* The simulation's tasks become healthy through a load balancer health
     * check (service.time_to_healthy) and drain through its deregistration
     * delay: the service has a target group. */
    json_t *lbs = json_array(), *lb = json_object();
    json_object_set_new(lb, "targetGroupArn", json_string("<target-group-arn>"));
    json_object_set_new(lb, "containerName", json_string(s->name));
    json_object_set_new(lb, "containerPort", json_integer(SS_EXPORT_CONTAINER_PORT));
    json_array_append_new(lbs, lb);
    json_object_set_new(root, "loadBalancers", lbs);
    /* over-provisioning (policy.extra_spot): N_extra more tasks */
    json_object_set_new(root, "desiredCount", json_integer(s->desired_count + sc->policy.extra_spot));
    json_t *cps = json_array();
    for (int i = 0; i < sc->n_providers; i++) {
        json_t *it = json_object();
        json_object_set_new(it, "capacityProvider", json_string(sc->providers[i].name));
        json_object_set_new(it, "base", json_integer(sc->providers[i].base));
        json_object_set_new(it, "weight", json_integer(sc->providers[i].weight));
        json_array_append_new(cps, it);
    }
    json_object_set_new(root, "capacityProviderStrategy", cps);
    json_t *dc = json_object();
    json_object_set_new(dc, "maximumPercent", json_integer(s->maximum_percent));
    json_object_set_new(dc, "minimumHealthyPercent", json_integer(s->min_healthy_percent));
    json_object_set_new(root, "deploymentConfiguration", dc);
    if (s->distinct_instance) {
        json_t *pc = json_array(), *c = json_object();
        json_object_set_new(c, "type", json_string("distinctInstance"));
        json_array_append_new(pc, c);
        json_object_set_new(root, "placementConstraints", pc);
    }
    json_t *ps = json_array();
    if (s->n_placement == 0) {
        /* the ECS default, written out so that the file says what it does */
        json_t *p = json_object();
        json_object_set_new(p, "type", json_string("spread"));
        json_object_set_new(p, "field", json_string("attribute:ecs.availability-zone"));
        json_array_append_new(ps, p);
    }
    for (int i = 0; i < s->n_placement && i < SS_MAX_PLACEMENT; i++) {
        json_t *p = json_object();
        const ss_placement *q = &s->placement[i];
        const char *type = q->kind == SS_PLACE_BINPACK ? "binpack"
                           : q->kind == SS_PLACE_RANDOM ? "random"
                                                        : "spread";
        json_object_set_new(p, "type", json_string(type));
        const char *field = placement_field(q->field);
        if (q->kind != SS_PLACE_RANDOM && field)
            json_object_set_new(p, "field", json_string(field));
        json_array_append_new(ps, p);
    }
    json_object_set_new(root, "placementStrategy", ps);
    json_object_set_new(root, "schedulingStrategy", json_string("REPLICA"));
    /* only valid with loadBalancers (CreateService: "If your service's
     * tasks take a while to start and respond to Elastic Load Balancing
     * health checks..."; ECS rejects it without a load balancer) - the
     * service above always has one */
    if (s->health_check_grace > 0 && json_array_size(lbs) > 0)
        json_object_set_new(root, "healthCheckGracePeriodSeconds",
                            json_integer(s->health_check_grace / SS_SECOND));
    *out = ss_export_dump_json(root);
    return 0;
}

int ss_export_ecs_config(const ss_scenario *sc, char **out, ss_err *err)
{
    (void)err;
    const ss_service *s = &sc->service;
    /* the name is in a comment line: shown with control characters escaped,
     * so it cannot start a line of its own (e.g. a second ECS_CLUSTER=) */
    char shown[4 * SS_NAME_MAX + 1];
    ss_printable(s->name, shown, sizeof shown);
    char buf[640];
    int n = snprintf(buf, sizeof buf,
                     "# /etc/ecs/ecs.config for the container instances of service %s (spotsim export)\n"
                     "ECS_CLUSTER=<cluster-name>\n"
                     "ECS_ENABLE_SPOT_INSTANCE_DRAINING=%s\n"
                     "ECS_CONTAINER_STOP_TIMEOUT=%llds\n",
                     shown, s->spot_draining ? "true" : "false",
                     (long long)(s->stop_timeout / SS_SECOND));
    /* ECS_RESERVED_MEMORY of the first capacity provider (one file for the
     * service's instances; the scenario keeps it per provider) */
    if (n > 0 && (size_t)n < sizeof buf && sc->n_providers > 0 && sc->providers[0].reserved_memory_mib > 0)
        snprintf(buf + n, sizeof buf - (size_t)n, "ECS_RESERVED_MEMORY=%.0f\n",
                 sc->providers[0].reserved_memory_mib);
    *out = ss_strdup(buf);
    return 0;
}
