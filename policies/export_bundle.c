/*
 * export_bundle.c - everything a user needs to apply a simulated ECS service
 * or Kubernetes cluster, each file the input of one command, plus APPLY.md:
 * the placeholders in one table and the commands in the order they run.
 *
 * ECS, beyond the ASG, capacity provider and service (export_asg.c,
 * export_ecs.c):
 *   - launch-template.json: `aws ec2 create-launch-template --cli-input-json`
 *     whose user data writes the simulated /etc/ecs/ecs.config (cluster, Spot
 *     instance draining, stop timeout) - Amazon ECS Developer Guide, "Bootstrap
 *     container instances with Amazon EC2 user data" and "Spot Instance
 *     draining";
 *   - ecs-cluster-capacity-providers.json: `aws ecs put-cluster-capacity-
 *     providers --cli-input-json` (the association create-service needs);
 *   - ecs-task-definition.json: `aws ecs register-task-definition
 *     --cli-input-json` with the simulated CPU units, memory and stop timeout;
 *   - target-group-attributes.json / target-group-health-check.json:
 *     `aws elbv2 modify-target-group-attributes` / `modify-target-group`
 *     with the deregistration delay and the health check the simulation
 *     assumed (time to healthy = interval x healthy threshold).
 * Kubernetes: k8s.yaml and cluster-autoscaler-values.yaml (Karpenter:
 * k8s.yaml with the NodePools and karpenter-values.yaml, no main.tf).
 *
 * Placeholders are written <name>: `spotsim export --set name=value`
 * fills them (ss_export_fill), also inside the base64 user data.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nettle/base64.h>

#include "policies/export.h"
#include "policies/fleet_policy.h"

/* ---- placeholders ------------------------------------------------------------- */

typedef struct placeholder_doc {
    const char *prefix; /* "<subnet-for-" matches every zone */
    const char *meaning;
} placeholder_doc;

static const placeholder_doc placeholder_docs[] = {
    {"<cluster-name>", "the ECS cluster (or EKS cluster) name"},
    {"<region>", "the AWS region (the scenario names none)"},
    {"<subnet-for-", "the id of a subnet in that availability zone (subnet-...)"},
    {"<asg-arn-of-", "the ARN of that Auto Scaling group (aws autoscaling describe-auto-scaling-groups)"},
    {"<security-group-id>", "the security group of the container instances (sg-...)"},
    {"<instance-profile-name>", "the instance profile with the AmazonEC2ContainerServiceforEC2Role policy"},
    {"<container-image>", "the image of the service's container"},
    {"<target-group-arn>", "the ARN of the load balancer target group of the service"},
    {"<launch-template-id>", "the id of the launch template (lt-...)"},
    {"<karpenter-node-role>", "the IAM role of the nodes Karpenter launches (KarpenterNodeRole-...)"},
    {"<interruption-queue>", "the SQS queue Karpenter reads Spot interruption warnings, rebalance recommendations, "
                             "state changes and health events from (EventBridge rules)"},
};

static const char *placeholder_meaning(const char *ph)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(placeholder_docs); i++)
        if (!strncmp(ph, placeholder_docs[i].prefix, strlen(placeholder_docs[i].prefix)))
            return placeholder_docs[i].meaning;
    return "a value spotsim does not know";
}

int ss_export_subst_parse(const char *arg, ss_export_subst *s, ss_err *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return ss_err_set(err, "--set: expected NAME=VALUE (e.g. cluster-name=prod), got '%s'", arg);
    size_t kn = (size_t)(eq - arg);
    if (kn + 3 > sizeof s->key)
        return ss_err_set(err, "--set: name too long in '%s'", arg);
    const char *v = eq + 1;
    if (!*v)
        return ss_err_set(err, "--set %.*s: empty value", (int)kn, arg);
    /* values go into JSON, YAML and HCL strings unescaped: keep to
     * characters that need no escaping in any of them */
    for (const char *p = v; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  strchr("._:/@+=,-", c);
        if (!ok)
            return ss_err_set(err, "--set %.*s: the value may hold letters, digits and ._:/@+=,- only",
                              (int)kn, arg);
    }
    if (strlen(v) >= sizeof s->value)
        return ss_err_set(err, "--set %.*s: value too long", (int)kn, arg);
    const char *k = arg;
    if (*k == '<' && kn >= 2 && arg[kn - 1] == '>') {
        k++;
        kn -= 2;
    }
    snprintf(s->key, sizeof s->key, "<%.*s>", (int)kn, k);
    snprintf(s->value, sizeof s->value, "%s", v);
    return 0;
}

char *ss_export_fill(const char *text, const ss_export_subst *subst, int n)
{
    ss_buf b = {0};
    const char *p = text;
    while (*p) {
        int hit = -1;
        if (*p == '<')
            for (int i = 0; i < n; i++)
                if (!strncmp(p, subst[i].key, strlen(subst[i].key))) {
                    hit = i;
                    break;
                }
        if (hit >= 0) {
            ss_buf_append(&b, subst[hit].value, strlen(subst[hit].value));
            p += strlen(subst[hit].key);
        } else {
            ss_buf_append(&b, p, 1);
            p++;
        }
    }
    if (!b.s)
        return ss_strdup("");
    return b.s;
}

/* Every distinct "<name>" (letters, digits, ._:- inside) in text, appended
 * to list (n entries, each SS_NAME_MAX + 32 wide) with the file name. */
typedef struct ph_entry {
    char name[SS_NAME_MAX + 32];
    char files[512];
} ph_entry;

static void collect_placeholders(const char *text, const char *file, ph_entry **list, int *n, size_t *cap)
{
    for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1;
        while ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' || *q == '.' || *q == '_' ||
               *q == ':' || (*q >= 'A' && *q <= 'Z'))
            q++;
        if (*q != '>' || q == p + 1 || q - p >= SS_NAME_MAX + 30)
            continue;
        char name[SS_NAME_MAX + 32];
        snprintf(name, sizeof name, "%.*s", (int)(q - p + 1), p);
        int k = 0;
        while (k < *n && strcmp((*list)[k].name, name))
            k++;
        if (k == *n) {
            SS_GROW(*list, *cap, (size_t)*n + 1);
            memset(&(*list)[k], 0, sizeof **list);
            snprintf((*list)[k].name, sizeof (*list)[k].name, "%s", name);
            (*n)++;
        }
        ph_entry *e = &(*list)[k];
        if (!strstr(e->files, file)) {
            size_t len = strlen(e->files);
            snprintf(e->files + len, sizeof e->files - len, "%s`%s`", len ? ", " : "", file);
        }
    }
}

/* ---- ECS pieces ------------------------------------------------------------------ */

static const char *ecs_check(const ss_scenario *sc, ss_err *err)
{
    if (sc->orchestrator != SS_ORCH_ECS) {
        ss_err_set(err, "export: the scenario's orchestrator is not ecs");
        return NULL;
    }
    return sc->service.name;
}

void ss_export_launch_template_name(const ss_scenario *sc, char *buf, size_t n)
{
    snprintf(buf, n, "%s-spotsim", sc->service.name[0] ? sc->service.name : sc->name);
}

int ss_export_user_data(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    char *cfg;
    if (ss_export_ecs_config(sc, &cfg, err))
        return -1;
    ss_buf b = {0};
    /* cloud-init runs this as root before the ECS agent starts (the agent
     * reads /etc/ecs/ecs.config at start) */
    ss_buf_printf(&b, "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\n");
    for (const char *line = cfg; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len && line[0] != '#') {
            ss_buf_append(&b, line, len);
            ss_buf_append(&b, "\n", 1);
        }
        line += len + (nl ? 1 : 0);
    }
    ss_buf_printf(&b, "EOF\n");
    free(cfg);
    *out = b.s;
    return 0;
}

int ss_export_launch_template_json(const ss_scenario *sc, const char *user_data, char **out, ss_err *err)
{
    *out = NULL;
    if (!ecs_check(sc, err))
        return -1;
    char name[SS_NAME_MAX + 16];
    ss_export_launch_template_name(sc, name, sizeof name);
    size_t n = strlen(user_data);
    char *b64 = ss_malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1);
    base64_encode_raw(b64, n, (const uint8_t *)user_data);
    b64[BASE64_ENCODE_RAW_LENGTH(n)] = 0;
    json_t *root = json_object(), *data = json_object(), *prof = json_object(), *sg = json_array(),
           *md = json_object();
    json_object_set_new(root, "LaunchTemplateName", json_string(name));
    /* The ECS-optimized AMI through its public SSM parameter (EC2 User
     * Guide, "Use a Systems Manager parameter instead of an AMI ID"). */
    json_object_set_new(data, "ImageId",
                        json_string("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"));
    json_object_set_new(prof, "Name", json_string("<instance-profile-name>"));
    json_object_set_new(data, "IamInstanceProfile", prof);
    json_array_append_new(sg, json_string("<security-group-id>"));
    json_object_set_new(data, "SecurityGroupIds", sg);
    json_object_set_new(data, "UserData", json_string(b64));
    json_object_set_new(md, "HttpTokens", json_string("required"));
    json_object_set_new(data, "MetadataOptions", md);
    json_object_set_new(root, "LaunchTemplateData", data);
    free(b64);
    *out = ss_export_dump_json(root);
    return 0;
}

int ss_export_cluster_capacity_providers_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (!ecs_check(sc, err))
        return -1;
    if (sc->n_providers < 1)
        return ss_err_set(err, "export: the scenario has no capacity provider");
    json_t *root = json_object(), *cps = json_array(), *strat = json_array();
    json_object_set_new(root, "cluster", json_string("<cluster-name>"));
    for (int i = 0; i < sc->n_providers; i++) {
        json_array_append_new(cps, json_string(sc->providers[i].name));
        json_t *it = json_object();
        json_object_set_new(it, "capacityProvider", json_string(sc->providers[i].name));
        json_object_set_new(it, "base", json_integer(sc->providers[i].base));
        json_object_set_new(it, "weight", json_integer(sc->providers[i].weight));
        json_array_append_new(strat, it);
    }
    json_object_set_new(root, "capacityProviders", cps);
    json_object_set_new(root, "defaultCapacityProviderStrategy", strat);
    *out = ss_export_dump_json(root);
    return 0;
}

int ss_export_task_definition_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (!ecs_check(sc, err))
        return -1;
    const ss_service *s = &sc->service;
    long long cpu = (long long)(s->task_cpu + 0.5), mem = (long long)(s->task_memory_mib + 0.5);
    if (cpu < 1 || mem < 1)
        return ss_err_set(err, "export: the service's task cpu (%g) and memory (%g MiB) must be positive",
                          s->task_cpu, s->task_memory_mib);
    json_t *root = json_object(), *rc = json_array(), *cds = json_array(), *cd = json_object(),
           *pm = json_array(), *p = json_object();
    json_object_set_new(root, "family", json_string(s->name));
    /* bridge mode with a dynamic host port: several tasks per instance
     * behind one target group, as simulated (binpacking by CPU/memory) */
    json_object_set_new(root, "networkMode", json_string("bridge"));
    json_array_append_new(rc, json_string("EC2"));
    json_object_set_new(root, "requiresCompatibilities", rc);
    char b[32];
    snprintf(b, sizeof b, "%lld", cpu);
    json_object_set_new(root, "cpu", json_string(b));
    snprintf(b, sizeof b, "%lld", mem);
    json_object_set_new(root, "memory", json_string(b));
    json_object_set_new(cd, "name", json_string(s->name));
    json_object_set_new(cd, "image", json_string("<container-image>"));
    json_object_set_new(cd, "essential", json_true());
    json_object_set_new(cd, "cpu", json_integer(cpu));
    json_object_set_new(cd, "memory", json_integer(mem));
    json_object_set_new(p, "containerPort", json_integer(SS_EXPORT_CONTAINER_PORT));
    json_object_set_new(p, "hostPort", json_integer(0));
    json_object_set_new(p, "protocol", json_string("tcp"));
    json_array_append_new(pm, p);
    json_object_set_new(cd, "portMappings", pm);
    if (s->stop_timeout > 0)
        json_object_set_new(cd, "stopTimeout", json_integer(s->stop_timeout / SS_SECOND));
    json_array_append_new(cds, cd);
    json_object_set_new(root, "containerDefinitions", cds);
    *out = ss_export_dump_json(root);
    return 0;
}

void ss_export_health_check(ss_time time_to_healthy, int *interval_s, int *threshold)
{
    /* ELB: HealthCheckIntervalSeconds 5..300, HealthyThresholdCount 2..10;
     * a new target is healthy after `threshold` passing checks, one per
     * interval (ELB User Guide, "Health checks for your target groups").
     * Prefer the default interval (30 s) when it divides exactly, then
     * any exact pair, then the nearest. */
    long long t = (long long)(time_to_healthy / SS_SECOND);
    if (t % 30 == 0 && t / 30 >= 2 && t / 30 <= 10) {
        *interval_s = 30;
        *threshold = (int)(t / 30);
        return;
    }
    for (int k = 5; k >= 2; k--)
        if (t % k == 0 && t / k >= 5 && t / k <= 300) {
            *interval_s = (int)(t / k);
            *threshold = k;
            return;
        }
    for (int k = 6; k <= 10; k++)
        if (t % k == 0 && t / k >= 5 && t / k <= 300) {
            *interval_s = (int)(t / k);
            *threshold = k;
            return;
        }
    long long best = 0, bk = 2, bi = 5;
    for (int k = 2; k <= 10; k++) {
        long long i = (t + k / 2) / k;
        i = i < 5 ? 5 : i > 300 ? 300 : i;
        long long d = llabs(i * k - t);
        if (k == 2 || d < best) {
            best = d;
            bk = k;
            bi = i;
        }
    }
    *interval_s = (int)bi;
    *threshold = (int)bk;
}

int ss_export_target_group_attributes_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (!ecs_check(sc, err))
        return -1;
    json_t *root = json_object(), *attrs = json_array(), *a = json_object();
    json_object_set_new(root, "TargetGroupArn", json_string("<target-group-arn>"));
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)(sc->service.deregistration_delay / SS_SECOND));
    json_object_set_new(a, "Key", json_string("deregistration_delay.timeout_seconds"));
    json_object_set_new(a, "Value", json_string(v));
    json_array_append_new(attrs, a);
    json_object_set_new(root, "Attributes", attrs);
    *out = ss_export_dump_json(root);
    return 0;
}

int ss_export_target_group_health_json(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (!ecs_check(sc, err))
        return -1;
    int interval, threshold;
    ss_export_health_check(sc->service.time_to_healthy, &interval, &threshold);
    json_t *root = json_object();
    json_object_set_new(root, "TargetGroupArn", json_string("<target-group-arn>"));
    json_object_set_new(root, "HealthCheckIntervalSeconds", json_integer(interval));
    json_object_set_new(root, "HealthyThresholdCount", json_integer(threshold));
    *out = ss_export_dump_json(root);
    return 0;
}

/* ---- the bundle -------------------------------------------------------------------- */

typedef struct bundle {
    const char *dir;
    const ss_export_subst *subst;
    int n_subst;
    ph_entry *ph;
    int n_ph;
    size_t cap_ph;
    ss_buf steps;
    int n_files;
} bundle;

/* Fill, collect the placeholders left, write; takes text. */
static int put(bundle *b, const char *name, char *text, ss_err *err)
{
    char *filled = ss_export_fill(text, b->subst, b->n_subst);
    free(text);
    collect_placeholders(filled, name, &b->ph, &b->n_ph, &b->cap_ph);
    int rc = ss_write_file_atomic(b->dir, name, filled, err);
    free(filled);
    if (!rc)
        b->n_files++;
    return rc;
}

static void step(bundle *b, const char *fmt, ...) SS_PRINTF(2, 3);
static void step(bundle *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ss_buf_printf(&b->steps, "%s\n", line);
}

static int ecs_bundle(const ss_scenario *sc, bundle *b, ss_err *err)
{
    char *s = NULL, *ud = NULL, name[SS_NAME_MAX + 48], lt[SS_NAME_MAX + 16];
    ss_export_launch_template_name(sc, lt, sizeof lt);
    step(b, "```sh\n# 1. the cluster (its instances join it through ECS_CLUSTER in the user data)");
    step(b, "aws ecs create-cluster --cluster-name <cluster-name>");
    step(b, "# 2. the launch template (ECS-optimized AMI, user data writing /etc/ecs/ecs.config)");
    if (ss_export_user_data(sc, &ud, err))
        return -1;
    char *filled_ud = ss_export_fill(ud, b->subst, b->n_subst);
    free(ud);
    collect_placeholders(filled_ud, "launch-template.json (user data)", &b->ph, &b->n_ph, &b->cap_ph);
    int rc = ss_export_launch_template_json(sc, filled_ud, &s, err);
    if (!rc)
        rc = put(b, "user-data.sh", filled_ud, err);
    else
        free(filled_ud);
    if (rc || put(b, "launch-template.json", s, err))
        return -1;
    step(b, "aws ec2 create-launch-template --cli-input-json file://launch-template.json");
    step(b, "# 3. the Auto Scaling group(s)");
    for (int g = 0; g < sc->n_asgs; g++) {
        if (ss_export_asg_json(sc, g, &s, err))
            return -1;
        if (sc->n_asgs == 1)
            snprintf(name, sizeof name, "asg.json");
        else
            ss_export_file_name("asg", sc->asgs[g].name, ".json", name, sizeof name);
        if (put(b, name, s, err))
            return -1;
        step(b, "aws autoscaling create-auto-scaling-group --cli-input-json file://%s", name);
        if (!sc->asgs[g].az_rebalance) /* simulated without AZ rebalancing */
            step(b, "aws autoscaling suspend-processes --auto-scaling-group-name %s --scaling-processes AZRebalance",
                 sc->asgs[g].name);
    }
    step(b, "# 4. the capacity provider(s), with the ARN of their ASG, and the cluster association");
    for (int p = 0; p < sc->n_providers; p++) {
        const char *an = sc->asgs[sc->providers[p].asg].name;
        step(b,
             "sed -i \"s|<asg-arn-of-%s>|$(aws autoscaling describe-auto-scaling-groups "
             "--auto-scaling-group-names %s --query 'AutoScalingGroups[0].AutoScalingGroupARN' --output "
             "text)|\" %s",
             an, an,
             sc->n_providers == 1 ? "ecs-capacity-provider.json" : "ecs-capacity-provider-*.json");
    }
    for (int p = 0; p < sc->n_providers; p++) {
        if (ss_export_ecs_capacity_provider_json(sc, p, &s, err))
            return -1;
        if (sc->n_providers == 1)
            snprintf(name, sizeof name, "ecs-capacity-provider.json");
        else
            ss_export_file_name("ecs-capacity-provider", sc->providers[p].name, ".json", name, sizeof name);
        if (put(b, name, s, err))
            return -1;
        step(b, "aws ecs create-capacity-provider --cli-input-json file://%s", name);
    }
    if (ss_export_cluster_capacity_providers_json(sc, &s, err) ||
        put(b, "ecs-cluster-capacity-providers.json", s, err))
        return -1;
    step(b, "aws ecs put-cluster-capacity-providers --cli-input-json file://ecs-cluster-capacity-providers.json");
    step(b, "# 5. the target group as simulated (deregistration delay, time to healthy)");
    if (ss_export_target_group_attributes_json(sc, &s, err) || put(b, "target-group-attributes.json", s, err))
        return -1;
    step(b, "aws elbv2 modify-target-group-attributes --cli-input-json file://target-group-attributes.json");
    if (ss_export_target_group_health_json(sc, &s, err) || put(b, "target-group-health-check.json", s, err))
        return -1;
    step(b, "aws elbv2 modify-target-group --cli-input-json file://target-group-health-check.json");
    step(b, "# 6. the task definition and the service");
    if (ss_export_task_definition_json(sc, &s, err) || put(b, "ecs-task-definition.json", s, err))
        return -1;
    step(b, "aws ecs register-task-definition --cli-input-json file://ecs-task-definition.json");
    if (sc->n_providers > 0) {
        if (ss_export_ecs_service_json(sc, &s, err) || put(b, "ecs-service.json", s, err))
            return -1;
        step(b, "aws ecs create-service --cli-input-json file://ecs-service.json");
    }
    if (ss_export_ecs_config(sc, &s, err) || put(b, "ecs.config", s, err))
        return -1;
    if (ss_fp_enabled(&sc->policy)) {
        /* fleet rules beyond the AWS natives: the controller's part */
        if (ss_export_fleet_policy_json(sc, &s, err) || put(b, "fleet-policy.json", s, err))
            return -1;
        step(b, "# 7. the fleet rules (On-Demand fallback, over-provisioning, zone placement) need a "
                "controller: fleet-policy.json holds its EventBridge rules and scaling action "
                "(docs/policies.md)");
    }
    step(b, "```\n\n`ecs.config` is the agent configuration the user data writes (for instances you "
            "start another way). The launch template is `%s`.",
         lt);
    return 0;
}

/* Karpenter: k8s.yaml holds the Deployment, its PDB, the NodePools and the
 * EC2NodeClass; karpenter-values.yaml the controller settings. */
static int karpenter_bundle(const ss_scenario *sc, bundle *b, ss_err *err)
{
    char *s = NULL;
    if (ss_export_k8s_yaml(sc, &s, err) || put(b, "k8s.yaml", s, err))
        return -1;
    if (ss_export_karpenter_values(sc, &s, err) || put(b, "karpenter-values.yaml", s, err))
        return -1;
    step(b, "```sh\n# 1. Karpenter with the simulated settings (its IAM roles%s set up as in the Karpenter "
            "getting-started guide)",
         sc->k8s.karpenter.interruption_handling ? ", the SQS interruption queue and its EventBridge rules" : "");
    step(b, "helm upgrade --install karpenter oci://public.ecr.aws/karpenter/karpenter -n kube-system "
            "-f karpenter-values.yaml");
    step(b, "# 2. the NodePools and their EC2NodeClass, then the Deployment and its PodDisruptionBudget");
    step(b, "kubectl apply -f k8s.yaml\n```");
    return 0;
}

static int k8s_bundle(const ss_scenario *sc, bundle *b, ss_err *err)
{
    if (sc->k8s.provisioner == SS_PROV_KARPENTER)
        return karpenter_bundle(sc, b, err);
    char *s = NULL;
    if (ss_export_k8s_yaml(sc, &s, err) || put(b, "k8s.yaml", s, err))
        return -1;
    if (ss_export_ca_values(sc, &s, err) || put(b, "cluster-autoscaler-values.yaml", s, err))
        return -1;
    step(b, "```sh\n# 1. the node groups (the eksctl ClusterConfig is the last document of k8s.yaml)");
    step(b, "yq 'select(.kind == \"ClusterConfig\")' k8s.yaml > cluster.yaml");
    step(b, "eksctl create nodegroup --config-file cluster.yaml");
    step(b, "# 2. the Cluster Autoscaler with the simulated settings");
    step(b, "helm repo add autoscaler https://kubernetes.github.io/autoscaler");
    step(b, "helm upgrade --install cluster-autoscaler autoscaler/cluster-autoscaler -n kube-system "
            "-f cluster-autoscaler-values.yaml");
    step(b, "# 3. the Deployment and its PodDisruptionBudget");
    step(b, "yq 'select(.kind != \"ClusterConfig\")' k8s.yaml | kubectl apply -f -");
    if (ss_fp_enabled(&sc->policy)) {
        /* the On-Demand fallback for the node groups: the controller's part */
        if (ss_export_fleet_policy_json(sc, &s, err) || put(b, "fleet-policy.json", s, err))
            return -1;
        step(b, "# 4. the On-Demand fallback needs a controller: fleet-policy.json holds its EventBridge "
                "rules on the Spot node groups and the MinSize action on the On-Demand one "
                "(docs/policies.md)");
    }
    step(b, "```");
    return 0;
}

int ss_export_bundle(const ss_scenario *sc, const char *dir, const ss_export_subst *subst, int n_subst,
                     bool with_terraform, ss_err *err)
{
    bundle b = {.dir = dir, .subst = subst, .n_subst = n_subst};
    int rc = sc->orchestrator == SS_ORCH_ECS ? ecs_bundle(sc, &b, err) : k8s_bundle(sc, &b, err);
    char *s = NULL;
    /* Terraform writes node groups (ASGs); Karpenter launches its own
     * instances: no module for it */
    if (sc->orchestrator == SS_ORCH_KUBERNETES && sc->k8s.provisioner == SS_PROV_KARPENTER)
        with_terraform = false;
    if (!rc && with_terraform) {
        rc = ss_export_terraform(sc, &s, err);
        if (!rc)
            rc = put(&b, "main.tf", s, err);
    }
    if (!rc) {
        ss_buf md = {0};
        ss_buf_printf(&md, "# Applying the simulated configuration of \"%s\"\n\n", sc->name);
        if (b.n_ph > 0) {
            ss_buf_printf(&md, "Replace these placeholders first (or export again with `spotsim export ... "
                               "--set NAME=VALUE`, which also fills the base64 user data):\n\n"
                               "| placeholder | what | in |\n|---|---|---|\n");
            for (int i = 0; i < b.n_ph; i++)
                ss_buf_printf(&md, "| `%s` | %s | %s |\n", b.ph[i].name, placeholder_meaning(b.ph[i].name),
                              b.ph[i].files);
        } else {
            ss_buf_printf(&md, "Every placeholder is filled.\n");
        }
        if (sc->orchestrator == SS_ORCH_ECS)
            ss_buf_printf(&md, "\nValues to check: the container port is %d (`ecs-task-definition.json`, "
                               "`ecs-service.json`).\n",
                          SS_EXPORT_CONTAINER_PORT);
        char *steps = ss_export_fill(b.steps.s ? b.steps.s : "", subst, n_subst);
        ss_buf_printf(&md, "\nThen, in this directory:\n\n%s", steps);
        free(steps);
        if (with_terraform)
            ss_buf_printf(&md, "\nOr all of it with Terraform: `main.tf` is one module (`terraform init && "
                               "terraform apply`), its variables are the placeholders above.\n");
        rc = ss_write_file_atomic(dir, "APPLY.md", md.s, err);
        free(md.s);
        if (!rc)
            b.n_files++;
    }
    free(b.ph);
    free(b.steps.s);
    return rc ? -1 : b.n_files;
}
