/*
 * export_tf.c - one complete Terraform module (aws provider >= 5) for the
 * scenario, `terraform fmt`-clean:
 *
 *   ECS:        aws_ecs_cluster, aws_launch_template (ECS-optimized AMI from
 *               its SSM parameter, user data writing the simulated
 *               ecs.config), one aws_autoscaling_group per ASG (mixed
 *               instances §1.13, AmazonECSManaged tag, lifecycle
 *               ignore_changes = [desired_capacity] so that applies do not
 *               fight managed scaling), aws_ecs_capacity_provider (§3.1),
 *               aws_ecs_cluster_capacity_providers, aws_lb_target_group
 *               (deregistration delay and health check as simulated),
 *               aws_ecs_task_definition and aws_ecs_service (§3.3, §3.6, §3.7);
 *   Kubernetes: the node groups' ASGs with the Cluster Autoscaler
 *               auto-discovery tags (the same ignore_changes: CA owns the
 *               desired capacity).
 * What the user must supply are variables without defaults.
 *
 * HCL has no C library among Debian's packages; the text is small and
 * regular, so it is printed, strings escaped, and then aligned the way
 * `terraform fmt` (hclwrite.Format) aligns: in a run of consecutive
 * single-line attributes at one indentation, the '=' signs line up; a block,
 * a blank line, a multi-line value or a change of indentation ends the run.
 * The test suite checks the output with hclwrite itself (tests/tools/hclfmt).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/export.h"

/* HCL string literal body: escape quotes, backslashes, template starts and
 * control characters (\n, \r, \t, else \uNNNN: HCL's escapes), so no name can
 * end the string or the line. The reader refuses control characters in
 * names already; this holds for scenarios built any other way. */
static const char *hcl(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    for (; *s && o + 8 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            if (c == '\n' || c == '\r' || c == '\t') {
                buf[o++] = '\\';
                buf[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            } else {
                o += (size_t)snprintf(buf + o, n - o, "\\u%04x", c);
            }
            continue;
        }
        if (c == '"' || c == '\\')
            buf[o++] = '\\';
        else if ((c == '$' || c == '%') && s[1] == '{')
            buf[o++] = *s; /* $${ and %%{ are literal */
        buf[o++] = *s;
    }
    buf[o] = 0;
    return buf;
}

/* Terraform resource names: letters, digits, underscores, dashes. */
static const char *ident(const char *s, char *buf, size_t n)
{
    size_t o = 0;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        buf[o++] = '_';
    for (; *s && o + 1 < n; s++)
        buf[o++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                                  (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'
                              ? *s
                              : '_');
    buf[o] = 0;
    return buf;
}

/* ---- alignment (terraform fmt) --------------------------------------------------- */

/* The key length of a single-line attribute "<indent>key = value", or -1
 * (not an attribute, or its value opens a multi-line bracket or heredoc). */
static int attr_key(const char *line, size_t len, size_t *indent)
{
    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;
    *indent = i;
    size_t k = i;
    if (k < len && line[k] == '"') { /* quoted map key */
        k++;
        while (k < len && line[k] != '"')
            k += line[k] == '\\' ? 2 : 1;
        k++;
    } else {
        while (k < len && line[k] != ' ' && line[k] != '=')
            k++;
    }
    if (k == i || k >= len)
        return -1;
    size_t e = k;
    while (e < len && line[e] == ' ')
        e++;
    if (e >= len || line[e] != '=' || (e + 1 < len && line[e + 1] == '='))
        return -1;
    char last = line[len - 1];
    if (last == '{' || last == '[' || last == '(')
        return -1;
    for (size_t j = e; j + 1 < len; j++) /* a heredoc value (line is not NUL-terminated) */
        if (line[j] == '<' && line[j + 1] == '<')
            return -1;
    return (int)(k - i);
}

/* Rewrite text with the '=' of each run of attributes aligned. */
static char *align(const char *text)
{
    /* split into lines */
    size_t n = 0, cap = 0;
    const char **ls = NULL;
    size_t *lens = NULL, lcap = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        SS_GROW(ls, cap, n + 1);
        SS_GROW(lens, lcap, n + 1);
        ls[n] = p;
        lens[n] = len;
        n++;
        p += len + (nl ? 1 : 0);
    }
    int *key = ss_malloc(sizeof(int) * (n + 1)), *width = ss_malloc(sizeof(int) * (n + 1));
    size_t *ind = ss_malloc(sizeof(size_t) * (n + 1));
    bool heredoc = false;
    for (size_t i = 0; i < n; i++) {
        key[i] = heredoc ? -1 : attr_key(ls[i], lens[i], &ind[i]);
        ind[i] = heredoc ? 0 : ind[i];
        size_t t = 0;
        while (t < lens[i] && ls[i][t] == ' ')
            t++;
        if (heredoc && lens[i] - t == 3 && !strncmp(ls[i] + t, "EOT", 3))
            heredoc = false; /* the closing marker ends the body */
        else if (!heredoc && lens[i] >= 6 && !strncmp(ls[i] + lens[i] - 6, "<<-EOT", 6))
            heredoc = true;
    }
    for (size_t i = 0; i < n;) {
        if (key[i] < 0) {
            i++;
            continue;
        }
        size_t j = i;
        int w = 0;
        while (j < n && key[j] >= 0 && ind[j] == ind[i]) {
            if (key[j] > w)
                w = key[j];
            j++;
        }
        for (size_t k = i; k < j; k++)
            width[k] = w;
        i = j;
    }
    ss_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (key[i] < 0) {
            ss_buf_append(&b, ls[i], lens[i]);
        } else {
            const char *eq = strchr(ls[i] + ind[i] + (size_t)key[i], '=');
            const char *val = eq + 1;
            while (*val == ' ')
                val++;
            ss_buf_printf(&b, "%*s%.*s%*s = %.*s", (int)ind[i], "", key[i], ls[i] + ind[i],
                          width[i] - key[i], "", (int)(lens[i] - (size_t)(val - ls[i])), val);
        }
        ss_buf_append(&b, "\n", 1);
    }
    free(ls);
    free(lens);
    free(key);
    free(width);
    free(ind);
    return b.s;
}

/* ---- the module -------------------------------------------------------------------------- */

static int check_indices(const ss_scenario *sc, ss_err *err)
{
    const ss_market *m = &sc->market;
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        for (int i = 0; i < a->n_types; i++)
            if (a->type_idx[i] < 0 || a->type_idx[i] >= m->n_types)
                return ss_err_set(err, "export: asg '%s' type index out of range", a->name);
        for (int i = 0; i < a->n_zones; i++)
            if (a->zone_idx[i] < 0 || a->zone_idx[i] >= m->n_zones)
                return ss_err_set(err, "export: asg '%s' zone index out of range", a->name);
    }
    for (int i = 0; sc->orchestrator == SS_ORCH_ECS && i < sc->n_providers; i++)
        if (sc->providers[i].asg < 0 || sc->providers[i].asg >= sc->n_asgs)
            return ss_err_set(err, "export: capacity provider '%s' refers to ASG #%d", sc->providers[i].name,
                              sc->providers[i].asg);
    return 0;
}

static void variables(ss_buf *b, const ss_scenario *sc)
{
    const ss_market *m = &sc->market;
    bool ecs = sc->orchestrator == SS_ORCH_ECS;
    ss_buf_printf(b, "variable \"cluster_name\" {\n  type = string\n  description = \"the %s cluster\"\n}\n\n",
                  ecs ? "ECS" : "EKS");
    ss_buf_printf(b, "variable \"subnet_ids\" {\n  type = map(string)\n  description = \"subnet id per "
                     "availability zone, keys:");
    char e1[SS_PATH_MAX];
    for (int z = 0; z < m->n_zones; z++)
        ss_buf_printf(b, "%s %s", z ? "," : "", hcl(m->zones[z], e1, sizeof e1));
    ss_buf_printf(b, "\"\n}\n\n");
    if (ecs) {
        ss_buf_printf(b, "variable \"vpc_id\" {\n  type = string\n  description = \"the VPC of the target "
                         "group\"\n}\n\n");
        ss_buf_printf(b, "variable \"security_group_ids\" {\n  type = list(string)\n  description = \"security "
                         "groups of the container instances\"\n}\n\n");
        ss_buf_printf(b, "variable \"instance_profile_name\" {\n  type = string\n  description = \"instance "
                         "profile with the AmazonEC2ContainerServiceforEC2Role policy\"\n}\n\n");
        ss_buf_printf(b, "variable \"container_image\" {\n  type = string\n  description = \"the image of "
                         "the service's container\"\n}\n\n");
        ss_buf_printf(b, "variable \"container_port\" {\n  type = number\n  default = %d\n  description = "
                         "\"the port the container listens on\"\n}\n",
                      SS_EXPORT_CONTAINER_PORT);
    } else {
        ss_buf_printf(b, "variable \"launch_template_id\" {\n  type = string\n  description = \"launch "
                         "template of the node groups (EKS-optimized AMI, bootstrap)\"\n}\n");
    }
}

static void asg_resource(ss_buf *b, const ss_scenario *sc, int g)
{
    const ss_market *m = &sc->market;
    const ss_asg *a = &sc->asgs[g];
    char e1[SS_PATH_MAX];
    bool ecs = sc->orchestrator == SS_ORCH_ECS;
    bool protect = a->new_instances_protected;
    for (int i = 0; i < sc->n_providers; i++)
        if (ecs && sc->providers[i].asg == g && sc->providers[i].managed_termination_protection)
            protect = true;
    /* Kubernetes node groups are all Spot or all On-Demand, as simulated */
    int od_base = ecs ? a->od_base_capacity : 0;
    int od_pct = ecs ? a->od_percentage_above_base : a->spot ? 0 : 100;
    ss_buf_printf(b, "\nresource \"aws_autoscaling_group\" \"%s\" {\n", ident(a->name, e1, sizeof e1));
    ss_buf_printf(b, "  name = \"%s\"\n", hcl(a->name, e1, sizeof e1));
    ss_buf_printf(b, "  min_size = %d\n", a->min_size);
    ss_buf_printf(b, "  max_size = %d\n", a->max_size);
    /* over-provisioning (policy.extra_spot) adds to the policy's group */
    ss_buf_printf(b, "  desired_capacity = %d\n",
                  a->desired_capacity + (sc->policy.group == g ? sc->policy.extra_spot : 0));
    ss_buf_printf(b, "  vpc_zone_identifier = [");
    int nz = a->n_zones > 0 ? a->n_zones : m->n_zones;
    for (int z = 0; z < nz; z++)
        ss_buf_printf(b, "%svar.subnet_ids[\"%s\"]", z ? ", " : "",
                      hcl(m->zones[a->n_zones > 0 ? a->zone_idx[z] : z], e1, sizeof e1));
    ss_buf_printf(b, "]\n");
    ss_buf_printf(b, "  capacity_rebalance = %s\n", a->capacity_rebalance ? "true" : "false");
    /* always written: Terraform's default (300 s) is not the API's (0) */
    ss_buf_printf(b, "  health_check_grace_period = %lld\n", (long long)(a->health_check_grace / SS_SECOND));
    ss_buf_printf(b, "  termination_policies = [");
    int ntp = a->n_termination_policies > 0 ? a->n_termination_policies : 1;
    for (int i = 0; i < ntp; i++)
        ss_buf_printf(b, "%s\"%s\"", i ? ", " : "",
                      ss_export_termination_name(a->n_termination_policies > 0 ? a->termination_policies[i]
                                                                               : SS_TERM_DEFAULT));
    ss_buf_printf(b, "]\n");
    ss_buf_printf(b, "  protect_from_scale_in = %s\n", protect ? "true" : "false");
    if (!a->az_rebalance)
        ss_buf_printf(b, "  suspended_processes = [\"AZRebalance\"]\n");
    ss_buf_printf(b, "\n  availability_zone_distribution {\n    capacity_distribution_strategy = \"%s\"\n  }\n",
                  ss_export_az_distribution_name(a->az_distribution));
    ss_buf_printf(b, "\n  mixed_instances_policy {\n    instances_distribution {\n");
    ss_buf_printf(b, "      on_demand_allocation_strategy = \"%s\"\n", ss_export_od_alloc_name(a->od_allocation));
    ss_buf_printf(b, "      on_demand_base_capacity = %d\n", od_base);
    ss_buf_printf(b, "      on_demand_percentage_above_base_capacity = %d\n", od_pct);
    ss_buf_printf(b, "      spot_allocation_strategy = \"%s\"\n", ss_export_spot_alloc_name(a->spot_allocation));
    if (a->spot_allocation == SS_SPOT_LOWEST_PRICE)
        ss_buf_printf(b, "      spot_instance_pools = %d\n", a->spot_instance_pools);
    if (a->spot_max_price > 0)
        ss_buf_printf(b, "      spot_max_price = \"%.6g\"\n", a->spot_max_price);
    ss_buf_printf(b, "    }\n\n    launch_template {\n      launch_template_specification {\n");
    if (ecs)
        ss_buf_printf(b, "        launch_template_id = aws_launch_template.this.id\n"
                         "        version = aws_launch_template.this.latest_version\n      }\n");
    else
        ss_buf_printf(b, "        launch_template_id = var.launch_template_id\n"
                         "        version = \"$Latest\"\n      }\n");
    int nt = a->n_types > 0 ? a->n_types : m->n_types;
    for (int i = 0; i < nt; i++) {
        const ss_instance_type *t = &m->types[a->n_types > 0 ? a->type_idx[i] : i];
        ss_buf_printf(b, "\n      override {\n        instance_type = \"%s\"\n", hcl(t->name, e1, sizeof e1));
        if (t->weight > 0)
            ss_buf_printf(b, "        weighted_capacity = \"%d\"\n", t->weight);
        ss_buf_printf(b, "      }\n");
    }
    ss_buf_printf(b, "    }\n  }\n");
    if (ecs) {
        /* ECS managed scaling tags the group; declaring it keeps plans clean */
        ss_buf_printf(b, "\n  tag {\n    key = \"AmazonECSManaged\"\n    value = \"true\"\n"
                         "    propagate_at_launch = true\n  }\n");
    } else {
        /* Cluster Autoscaler auto-discovery (cloudprovider/aws/README.md) */
        ss_buf_printf(b, "\n  tag {\n    key = \"k8s.io/cluster-autoscaler/enabled\"\n    value = \"true\"\n"
                         "    propagate_at_launch = false\n  }\n");
        ss_buf_printf(b, "\n  tag {\n    key = \"k8s.io/cluster-autoscaler/${var.cluster_name}\"\n"
                         "    value = \"owned\"\n    propagate_at_launch = false\n  }\n");
    }
    /* the desired capacity belongs to ECS managed scaling / the Cluster
     * Autoscaler once running: an apply must not reset it */
    ss_buf_printf(b, "\n  lifecycle {\n    ignore_changes = [desired_capacity]\n  }\n}\n");
}

static void ecs_resources(ss_buf *b, const ss_scenario *sc)
{
    const ss_service *s = &sc->service;
    char e1[SS_PATH_MAX], e2[SS_PATH_MAX], lt[SS_NAME_MAX + 16];
    ss_export_launch_template_name(sc, lt, sizeof lt);
    ss_buf_printf(b, "\ndata \"aws_ssm_parameter\" \"ecs_ami\" {\n"
                     "  name = \"/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id\"\n}\n");
    ss_buf_printf(b, "\nresource \"aws_ecs_cluster\" \"this\" {\n  name = var.cluster_name\n}\n");
    /* the user data: the simulated ecs.config lines */
    ss_buf_printf(b, "\nlocals {\n  user_data = <<-EOT\n    #!/bin/bash\n"
                     "    cat >> /etc/ecs/ecs.config <<'EOF'\n    ECS_CLUSTER=${var.cluster_name}\n"
                     "    ECS_ENABLE_SPOT_INSTANCE_DRAINING=%s\n    ECS_CONTAINER_STOP_TIMEOUT=%llds\n",
                  s->spot_draining ? "true" : "false", (long long)(s->stop_timeout / SS_SECOND));
    if (sc->n_providers > 0 && sc->providers[0].reserved_memory_mib > 0) /* as ecs.config */
        ss_buf_printf(b, "    ECS_RESERVED_MEMORY=%.0f\n", sc->providers[0].reserved_memory_mib);
    ss_buf_printf(b, "    EOF\n  EOT\n}\n");
    ss_buf_printf(b, "\nresource \"aws_launch_template\" \"this\" {\n  name = \"%s\"\n"
                     "  image_id = data.aws_ssm_parameter.ecs_ami.value\n"
                     "  vpc_security_group_ids = var.security_group_ids\n"
                     "  user_data = base64encode(local.user_data)\n\n"
                     "  iam_instance_profile {\n    name = var.instance_profile_name\n  }\n\n"
                     "  metadata_options {\n    http_tokens = \"required\"\n  }\n}\n",
                  hcl(lt, e1, sizeof e1));
    for (int g = 0; g < sc->n_asgs; g++)
        asg_resource(b, sc, g);
    for (int i = 0; i < sc->n_providers; i++) {
        const ss_capacity_provider *cp = &sc->providers[i];
        ss_buf_printf(b, "\nresource \"aws_ecs_capacity_provider\" \"%s\" {\n", ident(cp->name, e1, sizeof e1));
        ss_buf_printf(b, "  name = \"%s\"\n\n  auto_scaling_group_provider {\n", hcl(cp->name, e1, sizeof e1));
        ss_buf_printf(b, "    auto_scaling_group_arn = aws_autoscaling_group.%s.arn\n",
                      ident(sc->asgs[cp->asg].name, e1, sizeof e1));
        ss_buf_printf(b, "    managed_termination_protection = \"%s\"\n",
                      cp->managed_termination_protection ? "ENABLED" : "DISABLED");
        ss_buf_printf(b, "    managed_draining = \"%s\"\n\n", cp->managed_draining ? "ENABLED" : "DISABLED");
        ss_buf_printf(b, "    managed_scaling {\n");
        ss_buf_printf(b, "      status = \"%s\"\n", cp->managed_scaling ? "ENABLED" : "DISABLED");
        ss_buf_printf(b, "      target_capacity = %d\n", cp->target_capacity);
        ss_buf_printf(b, "      minimum_scaling_step_size = %d\n", cp->min_scaling_step);
        ss_buf_printf(b, "      maximum_scaling_step_size = %d\n", cp->max_scaling_step);
        ss_buf_printf(b, "      instance_warmup_period = %lld\n", (long long)(cp->instance_warmup / SS_SECOND));
        ss_buf_printf(b, "    }\n  }\n}\n");
    }
    ss_buf_printf(b, "\nresource \"aws_ecs_cluster_capacity_providers\" \"this\" {\n"
                     "  cluster_name = aws_ecs_cluster.this.name\n  capacity_providers = [");
    for (int i = 0; i < sc->n_providers; i++)
        ss_buf_printf(b, "%saws_ecs_capacity_provider.%s.name", i ? ", " : "",
                      ident(sc->providers[i].name, e1, sizeof e1));
    ss_buf_printf(b, "]\n");
    for (int i = 0; i < sc->n_providers; i++)
        ss_buf_printf(b, "\n  default_capacity_provider_strategy {\n    capacity_provider = "
                         "aws_ecs_capacity_provider.%s.name\n    base = %d\n    weight = %d\n  }\n",
                      ident(sc->providers[i].name, e1, sizeof e1), sc->providers[i].base, sc->providers[i].weight);
    ss_buf_printf(b, "}\n");
    int interval, threshold;
    ss_export_health_check(s->time_to_healthy, &interval, &threshold);
    ss_buf_printf(b, "\nresource \"aws_lb_target_group\" \"this\" {\n  name = \"%s\"\n"
                     "  port = var.container_port\n  protocol = \"HTTP\"\n  target_type = \"instance\"\n"
                     "  vpc_id = var.vpc_id\n  deregistration_delay = %lld\n\n"
                     "  health_check {\n    interval = %d\n    healthy_threshold = %d\n  }\n}\n",
                  hcl(lt, e1, sizeof e1), (long long)(s->deregistration_delay / SS_SECOND), interval, threshold);
    long long cpu = (long long)(s->task_cpu + 0.5), mem = (long long)(s->task_memory_mib + 0.5);
    ss_buf_printf(b, "\nresource \"aws_ecs_task_definition\" \"this\" {\n  family = \"%s\"\n"
                     "  network_mode = \"bridge\"\n  requires_compatibilities = [\"EC2\"]\n"
                     "  cpu = \"%lld\"\n  memory = \"%lld\"\n"
                     "  container_definitions = jsonencode([{ name = \"%s\", image = var.container_image, "
                     "essential = true, cpu = %lld, memory = %lld, ",
                  hcl(s->name, e1, sizeof e1), cpu, mem, hcl(s->name, e2, sizeof e2), cpu, mem);
    if (s->stop_timeout > 0)
        ss_buf_printf(b, "stopTimeout = %lld, ", (long long)(s->stop_timeout / SS_SECOND));
    ss_buf_printf(b, "portMappings = [{ containerPort = var.container_port, hostPort = 0, protocol = \"tcp\" }] "
                     "}])\n}\n");
    ss_buf_printf(b, "\nresource \"aws_ecs_service\" \"this\" {\n  name = \"%s\"\n"
                     "  cluster = aws_ecs_cluster.this.id\n  task_definition = aws_ecs_task_definition.this.arn\n"
                     "  desired_count = %d\n  deployment_maximum_percent = %d\n"
                     "  deployment_minimum_healthy_percent = %d\n",
                  hcl(s->name, e1, sizeof e1), s->desired_count, s->maximum_percent, s->min_healthy_percent);
    if (s->health_check_grace > 0) /* with the load_balancer below */
        ss_buf_printf(b, "  health_check_grace_period_seconds = %lld\n",
                      (long long)(s->health_check_grace / SS_SECOND));
    ss_buf_printf(b, "  depends_on = [aws_ecs_cluster_capacity_providers.this]\n");
    for (int i = 0; i < sc->n_providers; i++)
        ss_buf_printf(b, "\n  capacity_provider_strategy {\n    capacity_provider = "
                         "aws_ecs_capacity_provider.%s.name\n    base = %d\n    weight = %d\n  }\n",
                      ident(sc->providers[i].name, e1, sizeof e1), sc->providers[i].base, sc->providers[i].weight);
    if (s->n_placement == 0)
        ss_buf_printf(b, "\n  ordered_placement_strategy {\n    type = \"spread\"\n"
                         "    field = \"attribute:ecs.availability-zone\"\n  }\n");
    for (int i = 0; i < s->n_placement && i < SS_MAX_PLACEMENT; i++) {
        const ss_placement *q = &s->placement[i];
        const char *type = q->kind == SS_PLACE_BINPACK ? "binpack" : q->kind == SS_PLACE_RANDOM ? "random" : "spread";
        const char *field = q->field == SS_FIELD_ZONE            ? "attribute:ecs.availability-zone"
                            : q->field == SS_FIELD_INSTANCE_ID   ? "instanceId"
                            : q->field == SS_FIELD_INSTANCE_TYPE ? "attribute:ecs.instance-type"
                            : q->field == SS_FIELD_CPU           ? "cpu"
                            : q->field == SS_FIELD_MEMORY        ? "memory"
                                                                 : NULL;
        ss_buf_printf(b, "\n  ordered_placement_strategy {\n    type = \"%s\"\n", type);
        if (q->kind != SS_PLACE_RANDOM && field)
            ss_buf_printf(b, "    field = \"%s\"\n", field);
        ss_buf_printf(b, "  }\n");
    }
    if (s->distinct_instance)
        ss_buf_printf(b, "\n  placement_constraints {\n    type = \"distinctInstance\"\n  }\n");
    ss_buf_printf(b, "\n  load_balancer {\n    target_group_arn = aws_lb_target_group.this.arn\n"
                     "    container_name = \"%s\"\n    container_port = var.container_port\n  }\n}\n",
                  hcl(s->name, e1, sizeof e1));
    ss_buf_printf(b, "\noutput \"target_group_arn\" {\n  description = \"attach it to a listener rule of your "
                     "load balancer\"\n  value = aws_lb_target_group.this.arn\n}\n");
}

int ss_export_terraform(const ss_scenario *sc, char **res, ss_err *err)
{
    *res = NULL;
    if (check_indices(sc, err))
        return -1;
    if (sc->orchestrator == SS_ORCH_ECS && sc->n_providers < 1)
        return ss_err_set(err, "export: the ECS service needs at least one capacity provider");
    ss_buf b = {0};
    char e1[SS_PATH_MAX];
    ss_buf_printf(&b, "# Terraform module for scenario \"%s\" (spotsim export): the configuration as\n"
                      "# simulated. Supply the variables without a default, then terraform apply.\n\n",
                  hcl(sc->name, e1, sizeof e1));
    ss_buf_printf(&b, "terraform {\n  required_providers {\n    aws = {\n      source = \"hashicorp/aws\"\n"
                      "      version = \">= 5.0\"\n    }\n  }\n}\n\n");
    variables(&b, sc);
    if (sc->orchestrator == SS_ORCH_ECS)
        ecs_resources(&b, sc);
    else
        for (int g = 0; g < sc->n_asgs; g++)
            asg_resource(&b, sc, g);
    *res = align(b.s);
    free(b.s);
    return 0;
}
