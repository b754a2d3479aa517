/*
 * test_export.c - exports parse back (jansson, libyaml) and match hand-written
 * golden files derived from aws-semantics.md for fixed scenarios, field by
 * field (types included); Terraform is checked for structure and exact
 * attribute names.
 */
#include "tests/testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "policies/export.h"

static void add_type(ss_scenario *sc, const char *name, int weight)
{
    ss_instance_type *t = &sc->market.types[sc->market.n_types++];
    memset(t, 0, sizeof *t);
    strcpy(t->name, name);
    t->weight = weight;
}

static void ecs_scenario(ss_scenario *sc)
{
    ss_scenario_defaults(sc);
    strcpy(sc->name, "web");
    strcpy(sc->market.region, "us-east-1");
    strcpy(sc->market.zones[0], "us-east-1a");
    strcpy(sc->market.zones[1], "us-east-1b");
    sc->market.n_zones = 2;
    add_type(sc, "m5.large", 0);
    add_type(sc, "c5.large", 2);
    ss_asg *a = &sc->asgs[sc->n_asgs++];
    ss_asg_defaults(a);
    strcpy(a->name, "web-asg");
    a->min_size = 1;
    a->max_size = 10;
    a->desired_capacity = 4;
    a->od_base_capacity = 1;
    a->od_percentage_above_base = 25;
    a->spot_allocation = SS_SPOT_PRICE_CAPACITY_OPTIMIZED;
    a->capacity_rebalance = true;
    a->health_check_grace = 60 * SS_SECOND;
    a->termination_policies[0] = SS_TERM_ALLOCATION_STRATEGY;
    a->termination_policies[1] = SS_TERM_OLDEST_INSTANCE;
    a->n_termination_policies = 2;
    a->az_distribution = SS_AZ_BALANCED_ONLY;
    ss_capacity_provider *cp = &sc->providers[sc->n_providers++];
    ss_capacity_provider_defaults(cp);
    strcpy(cp->name, "web-spot");
    cp->asg = 0;
    cp->target_capacity = 90;
    cp->instance_warmup = 120 * SS_SECOND;
    cp->managed_termination_protection = true;
    cp->base = 1;
    cp->weight = 3;
    ss_service *s = &sc->service;
    strcpy(s->name, "web");
    s->desired_count = 6;
    s->min_healthy_percent = 50;
    s->placement[0] = (ss_placement){SS_PLACE_SPREAD, SS_FIELD_ZONE};
    s->placement[1] = (ss_placement){SS_PLACE_BINPACK, SS_FIELD_MEMORY};
    s->n_placement = 2;
    s->spot_draining = true;
    s->stop_timeout = 90 * SS_SECOND;
}

static void k8s_scenario(ss_scenario *sc)
{
    ss_scenario_defaults(sc);
    strcpy(sc->name, "api");
    sc->orchestrator = SS_ORCH_KUBERNETES;
    strcpy(sc->market.region, "us-east-1");
    strcpy(sc->market.zones[0], "us-east-1a");
    strcpy(sc->market.zones[1], "us-east-1b");
    sc->market.n_zones = 2;
    add_type(sc, "m5.large", 0);
    ss_asg *a = &sc->asgs[sc->n_asgs++];
    ss_asg_defaults(a);
    strcpy(a->name, "spot-1a");
    a->type_idx[0] = 0;
    a->n_types = 1;
    a->zone_idx[0] = 0;
    a->n_zones = 1;
    a->min_size = 0;
    a->max_size = 4;
    a->desired_capacity = 2;
    a->od_percentage_above_base = 0;
    a->spot_allocation = SS_SPOT_CAPACITY_OPTIMIZED;
    a->spot = true;
    strcpy(a->labels[0][0], "team");
    strcpy(a->labels[0][1], "web");
    a->n_labels = 1;
    strcpy(a->taints[0][0], "spot");
    strcpy(a->taints[0][1], "true");
    strcpy(a->taints[0][2], "NoSchedule");
    a->n_taints = 1;
    a = &sc->asgs[sc->n_asgs++];
    ss_asg_defaults(a);
    strcpy(a->name, "od-1b");
    a->type_idx[0] = 0;
    a->n_types = 1;
    a->zone_idx[0] = 1;
    a->n_zones = 1;
    a->min_size = 1;
    a->max_size = 4;
    a->desired_capacity = 1;
    a->spot = false;
    ss_deployment *d = &sc->k8s.deployment;
    strcpy(d->name, "api");
    d->replicas = 6;
    d->cpu_request = 0.25;
    d->memory_request_mib = 256;
    d->spread[0] = (ss_spread_constraint){"topology.kubernetes.io/zone", 1, 2, false, false, false};
    d->spread[1] = (ss_spread_constraint){"eks.amazonaws.com/capacityType", 2, 0, true, false, false};
    d->n_spread = 2;
    d->pdb_min_available = 4;
    d->termination_grace = 45 * SS_SECOND;
    strcpy(d->tolerations[0], "spot");
    d->n_tolerations = 1;
}

static json_t *load_golden_json(const char *name)
{
    json_error_t je;
    json_t *j = json_load_file(tu_fmt("%s/tests/data/export/%s", tu_source_dir(), name), 0, &je);
    if (!j)
        fail_msg("golden %s: %s line %d", name, je.text, je.line);
    return j;
}

static void check_json(const char *text, const char *golden)
{
    json_error_t je;
    json_t *got = json_loads(text, 0, &je);
    if (!got)
        fail_msg("export %s does not parse: %s\n%s", golden, je.text, text);
    json_t *want = load_golden_json(golden);
    if (!json_equal(got, want))
        fail_msg("export differs from %s:\n%s", golden, text);
    json_decref(got);
    json_decref(want);
}

static void test_asg_json(void **state)
{
    (void)state;
    ss_scenario sc;
    ecs_scenario(&sc);
    char *s;
    ss_err err;
    assert_int_equal(ss_export_asg_json(&sc, 0, &s, &err), 0);
    check_json(s, "asg.json");
    /* §1.12 types: WeightedCapacity string, VPCZoneIdentifier one string,
     * sizes integers, flags booleans. */
    json_t *j = json_loads(s, 0, NULL);
    json_t *ov = json_object_get(json_object_get(json_object_get(j, "MixedInstancesPolicy"), "LaunchTemplate"), "Overrides");
    assert_true(json_is_string(json_object_get(json_array_get(ov, 1), "WeightedCapacity")));
    assert_true(json_is_string(json_object_get(j, "VPCZoneIdentifier")));
    assert_true(json_is_integer(json_object_get(j, "MinSize")));
    assert_true(json_is_boolean(json_object_get(j, "CapacityRebalance")));
    json_decref(j);
    free(s);
    /* lowest-price: SpotInstancePools appears; a max price is a string */
    sc.asgs[0].spot_allocation = SS_SPOT_LOWEST_PRICE;
    sc.asgs[0].spot_max_price = 0.05;
    assert_int_equal(ss_export_asg_json(&sc, 0, &s, &err), 0);
    j = json_loads(s, 0, NULL);
    json_t *dist = json_object_get(json_object_get(j, "MixedInstancesPolicy"), "InstancesDistribution");
    assert_int_equal(json_integer_value(json_object_get(dist, "SpotInstancePools")), 2);
    assert_string_equal(json_string_value(json_object_get(dist, "SpotMaxPrice")), "0.05");
    json_decref(j);
    free(s);
    assert_int_equal(ss_export_asg_json(&sc, 3, &s, &err), -1);
    assert_null(s);
}

static void test_ecs_json(void **state)
{
    (void)state;
    ss_scenario sc;
    ecs_scenario(&sc);
    char *s;
    ss_err err;
    assert_int_equal(ss_export_ecs_capacity_provider_json(&sc, 0, &s, &err), 0);
    check_json(s, "ecs-capacity-provider.json");
    free(s);
    assert_int_equal(ss_export_ecs_service_json(&sc, &s, &err), 0);
    check_json(s, "ecs-service.json");
    free(s);
    assert_int_equal(ss_export_ecs_config(&sc, &s, &err), 0);
    /* every non-comment line equals the golden's lines, in order */
    char *want = tu_read_file(tu_fmt("%s/tests/data/export/ecs.config", tu_source_dir()), NULL);
    assert_non_null(want);
    char got_lines[1024] = "";
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n"))
        if (line[0] != '#') {
            strcat(got_lines, line);
            strcat(got_lines, "\n");
        }
    assert_string_equal(got_lines, want);
    free(want);
    free(s);
    /* default placement written as the documented default (§3.7) */
    sc.service.n_placement = 0;
    sc.service.distinct_instance = true;
    assert_int_equal(ss_export_ecs_service_json(&sc, &s, &err), 0);
    json_t *j = json_loads(s, 0, NULL);
    json_t *p0 = json_array_get(json_object_get(j, "placementStrategy"), 0);
    assert_string_equal(json_string_value(json_object_get(p0, "type")), "spread");
    assert_string_equal(json_string_value(json_object_get(p0, "field")), "attribute:ecs.availability-zone");
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "placementConstraints"), 0), "type")),
                        "distinctInstance");
    json_decref(j);
    free(s);
}

/* ---- YAML structural comparison via libyaml documents ---------------------------- */

static char scalar_kind(const yaml_node_t *n)
{
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 's';
    const char *v = (const char *)n->data.scalar.value;
    if (!strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "null"))
        return 'b';
    char *end;
    (void)strtod(v, &end);
    return *v && !*end ? 'n' : 's';
}

static bool node_equal(yaml_document_t *da, yaml_node_t *a, yaml_document_t *db, yaml_node_t *b, char *path, size_t pn)
{
    if (!a || !b || a->type != b->type) {
        fprintf(stderr, "YAML type differs at %s\n", path);
        return false;
    }
    size_t pl = strlen(path);
    switch (a->type) {
    case YAML_SCALAR_NODE:
        if (strcmp((char *)a->data.scalar.value, (char *)b->data.scalar.value) || scalar_kind(a) != scalar_kind(b)) {
            fprintf(stderr, "YAML scalar differs at %s: '%s' vs '%s'\n", path, a->data.scalar.value, b->data.scalar.value);
            return false;
        }
        return true;
    case YAML_SEQUENCE_NODE: {
        long na = a->data.sequence.items.top - a->data.sequence.items.start;
        long nb = b->data.sequence.items.top - b->data.sequence.items.start;
        if (na != nb) {
            fprintf(stderr, "YAML sequence length differs at %s: %ld vs %ld\n", path, na, nb);
            return false;
        }
        for (long i = 0; i < na; i++) {
            snprintf(path + pl, pn - pl, "[%ld]", i);
            if (!node_equal(da, yaml_document_get_node(da, a->data.sequence.items.start[i]), db,
                            yaml_document_get_node(db, b->data.sequence.items.start[i]), path, pn))
                return false;
        }
        path[pl] = 0;
        return true;
    }
    case YAML_MAPPING_NODE: {
        long na = a->data.mapping.pairs.top - a->data.mapping.pairs.start;
        long nb = b->data.mapping.pairs.top - b->data.mapping.pairs.start;
        if (na != nb) {
            fprintf(stderr, "YAML mapping size differs at %s: %ld vs %ld\n", path, na, nb);
            return false;
        }
        for (long i = 0; i < na; i++) {
            yaml_node_pair_t *p = &a->data.mapping.pairs.start[i];
            const char *key = (char *)yaml_document_get_node(da, p->key)->data.scalar.value;
            yaml_node_t *match = NULL;
            for (long j = 0; j < nb; j++) {
                yaml_node_pair_t *q = &b->data.mapping.pairs.start[j];
                if (!strcmp(key, (char *)yaml_document_get_node(db, q->key)->data.scalar.value))
                    match = yaml_document_get_node(db, q->value);
            }
            snprintf(path + pl, pn - pl, ".%s", key);
            if (!match) {
                fprintf(stderr, "YAML key missing at %s\n", path);
                return false;
            }
            if (!node_equal(da, yaml_document_get_node(da, p->value), db, match, path, pn))
                return false;
        }
        path[pl] = 0;
        return true;
    }
    default:
        return false;
    }
}

static int load_docs(const char *text, yaml_document_t *docs, int max)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int n = 0;
    for (;;) {
        if (n >= max)
            break;
        if (!yaml_parser_load(&p, &docs[n]))
            fail_msg("YAML does not parse: %s (line %zu)", p.problem, p.problem_mark.line + 1);
        if (!yaml_document_get_root_node(&docs[n])) {
            yaml_document_delete(&docs[n]);
            break;
        }
        n++;
    }
    yaml_parser_delete(&p);
    return n;
}

static void test_k8s_yaml(void **state)
{
    (void)state;
    ss_scenario sc;
    k8s_scenario(&sc);
    char *s;
    ss_err err;
    assert_int_equal(ss_export_k8s_yaml(&sc, &s, &err), 0);
    char *want = tu_read_file(tu_fmt("%s/tests/data/export/k8s.yaml", tu_source_dir()), NULL);
    assert_non_null(want);
    yaml_document_t got[4], exp[4];
    int ng = load_docs(s, got, 4), ne = load_docs(want, exp, 4);
    assert_int_equal(ne, 3);
    if (ng != ne)
        fail_msg("k8s export has %d documents, golden %d:\n%s", ng, ne, s);
    for (int i = 0; i < ng; i++) {
        char path[512];
        snprintf(path, sizeof path, "doc%d", i);
        if (!node_equal(&got[i], yaml_document_get_root_node(&got[i]), &exp[i],
                        yaml_document_get_root_node(&exp[i]), path, sizeof path))
            fail_msg("k8s export differs from the golden file:\n%s", s);
    }
    for (int i = 0; i < ng; i++)
        yaml_document_delete(&got[i]);
    for (int i = 0; i < ne; i++)
        yaml_document_delete(&exp[i]);
    free(want);
    free(s);
    /* no PDB set: two documents; a percentage PDB is a string "50%" */
    sc.k8s.deployment.pdb_min_available = -1;
    assert_int_equal(ss_export_k8s_yaml(&sc, &s, &err), 0);
    assert_int_equal(load_docs(s, got, 4), 2);
    for (int i = 0; i < 2; i++)
        yaml_document_delete(&got[i]);
    free(s);
    sc.k8s.deployment.pdb_min_available_pct = 50;
    assert_int_equal(ss_export_k8s_yaml(&sc, &s, &err), 0);
    assert_non_null(strstr(s, "minAvailable: \"50%\""));
    free(s);
}

static int count_char(const char *s, char c)
{
    int n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_terraform(void **state)
{
    (void)state;
    ss_scenario sc;
    ecs_scenario(&sc);
    char *s;
    ss_err err;
    assert_int_equal(ss_export_terraform(&sc, &s, &err), 0);
    /* balanced braces and brackets, never negative depth */
    int depth = 0;
    for (const char *p = s; *p; p++) {
        depth += *p == '{';
        depth -= *p == '}';
        assert_true(depth >= 0);
    }
    assert_int_equal(depth, 0);
    assert_int_equal(count_char(s, '['), count_char(s, ']'));
    assert_int_equal(count_char(s, '"') % 2, 0);
    /* required arguments and exact attribute names of §1.13 / §3.1 */
    static const char *const must[] = {
        "resource \"aws_autoscaling_group\" \"web-asg\" {",
        "  min_size                  = 1\n",
        "  max_size                  = 10\n",
        "  desired_capacity          = 4\n",
        "  vpc_zone_identifier       = [var.subnet_ids[\"us-east-1a\"], var.subnet_ids[\"us-east-1b\"]]\n",
        "  capacity_rebalance        = true\n",
        "  health_check_grace_period = 60\n",
        "  termination_policies      = [\"AllocationStrategy\", \"OldestInstance\"]\n",
        "  protect_from_scale_in     = true\n",
        "    capacity_distribution_strategy = \"balanced-only\"\n",
        "  mixed_instances_policy {\n    instances_distribution {\n",
        "      on_demand_allocation_strategy            = \"prioritized\"\n",
        "      on_demand_base_capacity                  = 1\n",
        "      on_demand_percentage_above_base_capacity = 25\n",
        "      spot_allocation_strategy                 = \"price-capacity-optimized\"\n",
        "    launch_template {\n      launch_template_specification {\n",
        "        launch_template_id = var.launch_template_id\n",
        "        instance_type     = \"m5.large\"\n",
        "        instance_type     = \"c5.large\"\n        weighted_capacity = \"2\"\n",
        "resource \"aws_ecs_capacity_provider\" \"web-spot\" {",
        "    auto_scaling_group_arn         = aws_autoscaling_group.web-asg.arn\n",
        "    managed_termination_protection = \"ENABLED\"\n",
        "    managed_draining               = \"ENABLED\"\n",
        "      target_capacity           = 90\n",
        "      instance_warmup_period    = 120\n",
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(must); i++)
        if (!strstr(s, must[i]))
            fail_msg("terraform lacks <%s>:\n%s", must[i], s);
    /* spot_instance_pools only with lowest-price (§1.13) */
    assert_null(strstr(s, "spot_instance_pools"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asg_json),
        cmocka_unit_test(test_ecs_json),
        cmocka_unit_test(test_k8s_yaml),
        cmocka_unit_test(test_terraform),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
