/*
 * export_tf.c - Terraform HCL (aws provider): one aws_autoscaling_group with
 * a mixed_instances_policy per ASG (§1.13) and, for ECS, one
 * aws_ecs_capacity_provider per capacity provider (§3.1). Unknowns are
 * variables (launch template id, one subnet id per zone).
 *
 * health_check_grace_period is always written: Terraform's default (300 s)
 * differs from the API default (0) the scenario documents. HCL has no
 * library among our dependencies; the text is small and regular, so it is
 * printed, with strings escaped.
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

int ss_export_terraform(const ss_scenario *sc, char **res, ss_err *err)
{
    *res = NULL;
    const ss_market *m = &sc->market;
    ss_buf b = {0};
    char e1[SS_PATH_MAX], e2[SS_PATH_MAX];
    ss_buf_printf(&b,
                  "# Terraform for scenario \"%s\" (spotsim export). Fill in the variables.\n\n",
                  hcl(sc->name, e1, sizeof e1));
    ss_buf_printf(&b, "variable \"launch_template_id\" {\n  type        = string\n"
                      "  description = \"launch template of the instances\"\n}\n\n");
    ss_buf_printf(&b, "variable \"subnet_ids\" {\n  type        = map(string)\n"
                      "  description = \"subnet id per availability zone\"\n  default = {\n");
    for (int z = 0; z < m->n_zones; z++)
        ss_buf_printf(&b, "    \"%s\" = \"<subnet-for-%s>\"\n", hcl(m->zones[z], e1, sizeof e1),
                      hcl(m->zones[z], e2, sizeof e2));
    ss_buf_printf(&b, "  }\n}\n");
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        for (int i = 0; i < a->n_types; i++)
            if (a->type_idx[i] < 0 || a->type_idx[i] >= m->n_types) {
                free(b.s);
                return ss_err_set(err, "export: asg '%s' type index out of range", a->name);
            }
        for (int i = 0; i < a->n_zones; i++)
            if (a->zone_idx[i] < 0 || a->zone_idx[i] >= m->n_zones) {
                free(b.s);
                return ss_err_set(err, "export: asg '%s' zone index out of range", a->name);
            }
        bool protect = a->new_instances_protected;
        for (int i = 0; i < sc->n_providers; i++)
            if (sc->providers[i].asg == g && sc->providers[i].managed_termination_protection)
                protect = true;
        ss_buf_printf(&b, "\nresource \"aws_autoscaling_group\" \"%s\" {\n",
                      ident(a->name, e1, sizeof e1));
        ss_buf_printf(&b, "  name                      = \"%s\"\n", hcl(a->name, e1, sizeof e1));
        ss_buf_printf(&b, "  min_size                  = %d\n", a->min_size);
        ss_buf_printf(&b, "  max_size                  = %d\n", a->max_size);
        ss_buf_printf(&b, "  desired_capacity          = %d\n", a->desired_capacity);
        ss_buf_printf(&b, "  vpc_zone_identifier       = [");
        int nz = a->n_zones > 0 ? a->n_zones : m->n_zones;
        for (int z = 0; z < nz; z++)
            ss_buf_printf(&b, "%svar.subnet_ids[\"%s\"]", z ? ", " : "",
                          hcl(m->zones[a->n_zones > 0 ? a->zone_idx[z] : z], e1, sizeof e1));
        ss_buf_printf(&b, "]\n");
        ss_buf_printf(&b, "  capacity_rebalance        = %s\n",
                      a->capacity_rebalance ? "true" : "false");
        ss_buf_printf(&b, "  health_check_grace_period = %lld\n",
                      (long long)(a->health_check_grace / SS_SECOND));
        ss_buf_printf(&b, "  termination_policies      = [");
        int ntp = a->n_termination_policies > 0 ? a->n_termination_policies : 1;
        for (int i = 0; i < ntp; i++)
            ss_buf_printf(&b, "%s\"%s\"", i ? ", " : "",
                          ss_export_termination_name(a->n_termination_policies > 0
                                                         ? a->termination_policies[i]
                                                         : SS_TERM_DEFAULT));
        ss_buf_printf(&b, "]\n");
        ss_buf_printf(&b, "  protect_from_scale_in     = %s\n", protect ? "true" : "false");
        if (!a->az_rebalance)
            ss_buf_printf(&b, "  suspended_processes       = [\"AZRebalance\"]\n");
        ss_buf_printf(&b,
                      "\n  availability_zone_distribution {\n    capacity_distribution_strategy = "
                      "\"%s\"\n  }\n",
                      ss_export_az_distribution_name(a->az_distribution));
        ss_buf_printf(&b, "\n  mixed_instances_policy {\n    instances_distribution {\n");
        ss_buf_printf(&b, "      on_demand_allocation_strategy            = \"%s\"\n",
                      ss_export_od_alloc_name(a->od_allocation));
        ss_buf_printf(&b, "      on_demand_base_capacity                  = %d\n",
                      a->od_base_capacity);
        ss_buf_printf(&b, "      on_demand_percentage_above_base_capacity = %d\n",
                      a->od_percentage_above_base);
        ss_buf_printf(&b, "      spot_allocation_strategy                 = \"%s\"\n",
                      ss_export_spot_alloc_name(a->spot_allocation));
        if (a->spot_allocation == SS_SPOT_LOWEST_PRICE)
            ss_buf_printf(&b, "      spot_instance_pools                      = %d\n",
                          a->spot_instance_pools);
        if (a->spot_max_price > 0)
            ss_buf_printf(&b, "      spot_max_price                           = \"%.6g\"\n",
                          a->spot_max_price);
        ss_buf_printf(&b, "    }\n\n    launch_template {\n      launch_template_specification {\n"
                          "        launch_template_id = var.launch_template_id\n        version    "
                          "        = \"$Latest\"\n      }\n");
        int nt = a->n_types > 0 ? a->n_types : m->n_types;
        for (int i = 0; i < nt; i++) {
            const ss_instance_type *t = &m->types[a->n_types > 0 ? a->type_idx[i] : i];
            ss_buf_printf(&b, "\n      override {\n        instance_type     = \"%s\"\n",
                          hcl(t->name, e1, sizeof e1));
            if (t->weight > 0)
                ss_buf_printf(&b, "        weighted_capacity = \"%d\"\n", t->weight);
            ss_buf_printf(&b, "      }\n");
        }
        ss_buf_printf(&b, "    }\n  }\n");
        if (sc->orchestrator == SS_ORCH_ECS)
            ss_buf_printf(&b, "\n  tag {\n    key                 = \"AmazonECSManaged\"\n    "
                              "value               = \"true\"\n"
                              "    propagate_at_launch = true\n  }\n");
        ss_buf_printf(&b, "}\n");
    }
    if (sc->orchestrator == SS_ORCH_ECS) {
        for (int i = 0; i < sc->n_providers; i++) {
            const ss_capacity_provider *cp = &sc->providers[i];
            if (cp->asg < 0 || cp->asg >= sc->n_asgs) {
                free(b.s);
                return ss_err_set(err, "export: capacity provider '%s' refers to ASG #%d", cp->name,
                                  cp->asg);
            }
            ss_buf_printf(&b, "\nresource \"aws_ecs_capacity_provider\" \"%s\" {\n",
                          ident(cp->name, e1, sizeof e1));
            ss_buf_printf(&b, "  name = \"%s\"\n\n  auto_scaling_group_provider {\n",
                          hcl(cp->name, e1, sizeof e1));
            ss_buf_printf(&b, "    auto_scaling_group_arn         = aws_autoscaling_group.%s.arn\n",
                          ident(sc->asgs[cp->asg].name, e1, sizeof e1));
            ss_buf_printf(&b, "    managed_termination_protection = \"%s\"\n",
                          cp->managed_termination_protection ? "ENABLED" : "DISABLED");
            ss_buf_printf(&b, "    managed_draining               = \"%s\"\n\n",
                          cp->managed_draining ? "ENABLED" : "DISABLED");
            ss_buf_printf(&b, "    managed_scaling {\n");
            ss_buf_printf(&b, "      status                    = \"%s\"\n",
                          cp->managed_scaling ? "ENABLED" : "DISABLED");
            ss_buf_printf(&b, "      target_capacity           = %d\n", cp->target_capacity);
            ss_buf_printf(&b, "      minimum_scaling_step_size = %d\n", cp->min_scaling_step);
            ss_buf_printf(&b, "      maximum_scaling_step_size = %d\n", cp->max_scaling_step);
            ss_buf_printf(&b, "      instance_warmup_period    = %lld\n",
                          (long long)(cp->instance_warmup / SS_SECOND));
            ss_buf_printf(&b, "    }\n  }\n}\n");
        }
    }
    *res = b.s;
    return 0;
}
