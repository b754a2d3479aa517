/*
 * export.h - write a scenario's configuration in the formats users apply:
 *   - `aws autoscaling create-auto-scaling-group --cli-input-json` (one per ASG)
 *   - `aws ecs create-capacity-provider` / `aws ecs create-service
 *     --cli-input-json`, and the /etc/ecs/ecs.config lines
 *   - Kubernetes YAML: Deployment, PodDisruptionBudget and an eksctl
 *     ClusterConfig with the node groups, or Karpenter NodePools and an
 *     EC2NodeClass
 *   - Terraform: aws_autoscaling_group (mixed_instances_policy) and
 *     aws_ecs_capacity_provider
 * Field names and types follow ../shared/docs/aws-semantics.md §1.12, §1.13,
 * §3.1, §3.3, §3.6, §3.7, §4.1, §4.2. Things spotsim does not know (launch
 * template, subnets, ARNs, cluster, image) are placeholders in angle
 * brackets, e.g. "<launch-template-id>", "<subnet-for-us-east-1a>".
 * Every function returns a malloc'd NUL-terminated text in *out.
 */
#ifndef SPOTSIM_EXPORT_H
#define SPOTSIM_EXPORT_H

#include "models/scenario.h"
#include "sim/kernel/util.h"

int ss_export_asg_json(const ss_scenario *sc, int asg, char **out, ss_err *err);
int ss_export_ecs_capacity_provider_json(const ss_scenario *sc, int provider, char **out, ss_err *err);
int ss_export_ecs_service_json(const ss_scenario *sc, char **out, ss_err *err);
int ss_export_ecs_config(const ss_scenario *sc, char **out, ss_err *err);
/* Kubernetes: Deployment, PodDisruptionBudget, then the eksctl ClusterConfig
 * (cluster autoscaler) or the Karpenter NodePools + EC2NodeClass
 * (provisioner karpenter). */
int ss_export_k8s_yaml(const ss_scenario *sc, char **out, ss_err *err);
/* Karpenter only: one NodePool (karpenter.sh/v1) per
 * kubernetes.karpenter.node_pools[] and the EC2NodeClass
 * (karpenter.k8s.aws/v1) they share. */
int ss_export_karpenter_yaml(const ss_scenario *sc, char **out, ss_err *err);
/* Karpenter Helm values (chart karpenter): settings.clusterName,
 * interruptionQueue (empty without interruption handling), the batch
 * durations and featureGates.spotToSpotConsolidation. */
int ss_export_karpenter_values(const ss_scenario *sc, char **out, ss_err *err);
/* Cluster Autoscaler Helm values (chart cluster-autoscaler): auto-discovery
 * and the simulated settings as extraArgs flags (expander, scan interval,
 * backoff, scale-down thresholds, balance-similar-node-groups) and, with the
 * priority expander, expanderPriorities. */
int ss_export_ca_values(const ss_scenario *sc, char **out, ss_err *err);
int ss_export_terraform(const ss_scenario *sc, char **out, ss_err *err);
/* The controller part of the scenario's fleet rules (policy:): EventBridge
 * rules and the UpdateAutoScalingGroup action with the parameters
 * (fleet-policy.json; policies/export_policy.c). */
int ss_export_fleet_policy_json(const ss_scenario *sc, char **out, ss_err *err);
/* Plain text for the recommendation: which parts are AWS-native
 * configuration and which need the controller ("" without fleet rules);
 * malloc'd. */
char *ss_fleet_policy_summary(const ss_scenario *sc);

/* AWS API spellings of the enums (shared by the exporters). */
const char *ss_export_spot_alloc_name(ss_spot_alloc a);
const char *ss_export_od_alloc_name(ss_od_alloc a);
const char *ss_export_termination_name(ss_termination_policy t);
const char *ss_export_az_distribution_name(ss_az_distribution d);

/* Write text to dir/name via a temporary file and rename. */
int ss_write_file_atomic(const char *dir, const char *name, const char *text, ss_err *err);
/* Every export that fits the orchestrator into dir: ECS: asg.json (asg-NAME.json
 * per ASG when several), ecs-capacity-provider.json (-NAME per provider when
 * several), ecs-service.json, ecs.config, fleet-policy.json (when the scenario
 * has fleet rules); Kubernetes: k8s.yaml; both: main.tf. */
int ss_optimize_write_exports(const ss_scenario *sc, const char *dir, ss_err *err);

/* mkdir -p dir. */
int ss_mkdirs(const char *dir, ss_err *err);
/* File name "<prefix>-<name><ext>" with name reduced to [A-Za-z0-9._-]
 * (anything else becomes '_'), e.g. ("asg", "web asg", ".json") ->
 * "asg-web_asg.json". */
void ss_export_file_name(const char *prefix, const char *name, const char *ext, char *buf, size_t n);
/* One `create-auto-scaling-group --cli-input-json` file per ASG into dir:
 * asg.json for a single ASG, asg-NAME.json each when several. Returns the
 * number of files written, or -1. */
int ss_export_asg_files(const ss_scenario *sc, const char *dir, ss_err *err);
/* The ECS inputs into dir, each a valid --cli-input-json document:
 * ecs-capacity-provider.json (ecs-capacity-provider-NAME.json each when
 * several providers), ecs-service.json, and ecs.config. Returns the number
 * of files written, or -1. */
int ss_export_ecs_files(const ss_scenario *sc, const char *dir, ss_err *err);

/* The container port the task definition and the service's loadBalancers
 * use (APPLY.md lists it among the values to check). */
#define SS_EXPORT_CONTAINER_PORT 80

/* A placeholder value from `export --set NAME=VALUE`: key is "<NAME>". */
typedef struct ss_export_subst {
    char key[SS_NAME_MAX + 8];
    char value[256];
} ss_export_subst;
/* Parse NAME=VALUE (or <NAME>=VALUE); values are restricted to characters
 * that need no escaping in JSON, YAML or HCL strings. */
int ss_export_subst_parse(const char *arg, ss_export_subst *s, ss_err *err);
/* text with every "<NAME>" of subst replaced (malloc'd). */
char *ss_export_fill(const char *text, const ss_export_subst *subst, int n);

/* ECS, for `aws ... --cli-input-json` (export_bundle.c): */
void ss_export_launch_template_name(const ss_scenario *sc, char *buf, size_t n);
/* The user data script that appends the simulated ecs.config lines. */
int ss_export_user_data(const ss_scenario *sc, char **out, ss_err *err);
/* create-launch-template, user_data as given (base64-encoded here). */
int ss_export_launch_template_json(const ss_scenario *sc, const char *user_data, char **out, ss_err *err);
int ss_export_cluster_capacity_providers_json(const ss_scenario *sc, char **out, ss_err *err);
int ss_export_task_definition_json(const ss_scenario *sc, char **out, ss_err *err);
int ss_export_target_group_attributes_json(const ss_scenario *sc, char **out, ss_err *err);
int ss_export_target_group_health_json(const ss_scenario *sc, char **out, ss_err *err);
/* The ELB health check whose interval x healthy threshold is the simulated
 * time to healthy (interval 5..300 s, threshold 2..10). */
void ss_export_health_check(ss_time time_to_healthy, int *interval_s, int *threshold);
/* Every file needed to apply the scenario into dir, plus APPLY.md (the
 * placeholders left and the commands in order); main.tf too when
 * with_terraform. Returns the number of files written, or -1. */
int ss_export_bundle(const ss_scenario *sc, const char *dir, const ss_export_subst *subst, int n_subst,
                     bool with_terraform, ss_err *err);

/* json_dumps with 2-space indent, insertion order and a final newline;
 * takes the reference to o. */
struct json_t;
char *ss_export_dump_json(struct json_t *o);

#endif
