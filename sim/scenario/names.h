/*
 * names.h - what the APIs spotsim exports to accept as names, checked when a
 * scenario is read (sim/scenario/yaml_bind.c calls these through the
 * `check` of a string key). Each returns 0, or -1 with the rule broken in why.
 *
 * Every string of a scenario is also refused when it holds a NUL or a
 * control character (only `description` may hold line breaks and tabs):
 * names are copied into ecs.config, main.tf, JSON, YAML and messages.
 */
#ifndef SPOTSIM_SCENARIO_NAMES_H
#define SPOTSIM_SCENARIO_NAMES_H

#include <stddef.h>

/* AutoScalingGroupName: 1-255 characters, no control characters
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html);
 * also no leading or trailing space (the console and the CLI trim them). */
int ss_name_check_asg(const char *s, char *why, size_t n);
/* ECS capacity provider name: up to 255 letters, digits, underscores and
 * hyphens, not starting with "aws", "ecs" or "fargate"
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html). */
int ss_name_check_ecs_capacity_provider(const char *s, char *why, size_t n);
/* ECS service name: up to 255 letters, digits, underscores and hyphens
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html). */
int ss_name_check_ecs_service(const char *s, char *why, size_t n);
/* Kubernetes object name (Deployment metadata.name): an RFC 1123 subdomain,
 * at most 253 lowercase letters, digits, '-' and '.', starting and ending
 * with a letter or digit (k8s.io/apimachinery/pkg/util/validation/
 * validation.go, IsDNS1123Subdomain). */
int ss_name_check_k8s_object(const char *s, char *why, size_t n);
/* Any string of a scenario: no NUL (len is the scalar's length) and no
 * control character; multiline allows '\n', '\r' and '\t'. */
int ss_text_check(const char *s, size_t len, int multiline, char *why, size_t n);

#endif
