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
int ss_export_terraform(const ss_scenario *sc, char **out, ss_err *err);

/* AWS API spellings of the enums (shared by the exporters). */
const char *ss_export_spot_alloc_name(ss_spot_alloc a);
const char *ss_export_od_alloc_name(ss_od_alloc a);
const char *ss_export_termination_name(ss_termination_policy t);
const char *ss_export_az_distribution_name(ss_az_distribution d);

/* Write text to dir/name via a temporary file and rename. */
int ss_write_file_atomic(const char *dir, const char *name, const char *text, ss_err *err);
/* Every export that fits the orchestrator into dir: ECS: asg.json (asg-NAME.json
 * per ASG when several), ecs-capacity-provider.json (-NAME per provider when
 * several), ecs-service.json, ecs.config; Kubernetes: k8s.yaml; both: main.tf. */
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

/* json_dumps with 2-space indent, insertion order and a final newline;
 * takes the reference to o. */
struct json_t;
char *ss_export_dump_json(struct json_t *o);

#endif
