/*
 * test_export.c - exports parse back (jansson, libyaml) and match hand-written
 * golden files derived from aws-semantics.md for fixed scenarios, field by
 * field (types included); Terraform is checked for structure and exact
 * attribute names.
 */
#include "tests/testutil.h"

#include <ctype.h>
#include <dirent.h>
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

/* ecs_scenario plus a second group "web od" (API defaults, m5.large in
 * us-east-1b, 0..4, desired 2) and its provider "web-od" (defaults). */
static void ecs2_scenario(ss_scenario *sc)
{
    ecs_scenario(sc);
    ss_asg *a = &sc->asgs[sc->n_asgs++];
    ss_asg_defaults(a);
    strcpy(a->name, "web od");
    a->type_idx[0] = 0;
    a->n_types = 1;
    a->zone_idx[0] = 1;
    a->n_zones = 1;
    a->max_size = 4;
    a->desired_capacity = 2;
    ss_capacity_provider *cp = &sc->providers[sc->n_providers++];
    ss_capacity_provider_defaults(cp);
    strcpy(cp->name, "web-od");
    cp->asg = 1;
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
    /* ECS_RESERVED_MEMORY when the provider keeps memory from tasks */
    assert_int_equal(ss_export_ecs_config(&sc, &s, &err), 0);
    assert_null(strstr(s, "ECS_RESERVED_MEMORY"));
    free(s);
    sc.providers[0].reserved_memory_mib = 256;
    assert_int_equal(ss_export_ecs_config(&sc, &s, &err), 0);
    assert_non_null(strstr(s, "\nECS_RESERVED_MEMORY=256\n"));
    free(s);
    sc.providers[0].reserved_memory_mib = 0;
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
        "        launch_template_id = aws_launch_template.this.id\n",
        "        version            = aws_launch_template.this.latest_version\n",
        /* item 7 of issue 15: a complete module */
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n",
        "  lifecycle {\n    ignore_changes = [desired_capacity]\n  }\n",
        "  tag {\n    key                 = \"AmazonECSManaged\"\n    value               = \"true\"\n",
        "resource \"aws_launch_template\" \"this\" {\n  name                   = \"web-spotsim\"\n",
        /* the simulated ecs.config: draining on, stop timeout 90 s */
        "    ECS_CLUSTER=${var.cluster_name}\n    ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\n"
        "    ECS_CONTAINER_STOP_TIMEOUT=90s\n",
        "resource \"aws_ecs_cluster_capacity_providers\" \"this\" {\n",
        "  capacity_providers = [aws_ecs_capacity_provider.web-spot.name]\n",
        /* target group: deregistration 300 s (default); time to healthy
         * 150 s = 30 s x 5 checks */
        "  deregistration_delay = 300\n",
        "    interval          = 30\n    healthy_threshold = 5\n",
        "resource \"aws_ecs_task_definition\" \"this\" {\n",
        "resource \"aws_ecs_service\" \"this\" {\n",
        "  desired_count                      = 6\n",
        "  deployment_minimum_healthy_percent = 50\n",
        "    target_group_arn = aws_lb_target_group.this.arn\n",
        /* no weighted_capacity in this override: nothing to align with
         * (terraform fmt) */
        "        instance_type = \"m5.large\"\n",
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
    /* AZRebalance runs unless suspended (TF-ASG suspended_processes) */
    assert_null(strstr(s, "suspended_processes"));
    free(s);
    sc.asgs[0].az_rebalance = false;
    assert_int_equal(ss_export_terraform(&sc, &s, &err), 0);
    assert_non_null(strstr(s, "  suspended_processes       = [\"AZRebalance\"]\n"));
    free(s);
}

/* The sorted file names of dir, joined by spaces. */
static char *dir_listing(const char *dir)
{
    char names[32][256];
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) && n < 32;)
        if (e->d_name[0] != '.')
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    char *s = calloc(1, 32 * 257 + 1);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, names[i]);
    }
    return s;
}

static void check_file_json(const char *dir, const char *name, const char *golden)
{
    char *text = tu_read_file(tu_fmt("%s/%s", dir, name), NULL);
    if (!text)
        fail_msg("%s/%s was not written", dir, name);
    check_json(text, golden);
    free(text);
}

/* One valid --cli-input-json document per file: per ASG, per provider,
 * the service; names from the resources (sanitised). */
static void test_export_files(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_scenario sc;
    ss_err err;
    ecs2_scenario(&sc);
    const char *d2 = tu_fmt("%s/two", dir);
    char two[1024];
    snprintf(two, sizeof two, "%s", d2);
    assert_int_equal(ss_mkdirs(two, &err), 0);
    assert_int_equal(ss_export_asg_files(&sc, two, &err), 2);
    assert_int_equal(ss_export_ecs_files(&sc, two, &err), 4);
    char *ls = dir_listing(two);
    assert_string_equal(ls, "asg-web-asg.json asg-web_od.json ecs-capacity-provider-web-od.json "
                            "ecs-capacity-provider-web-spot.json ecs-service.json ecs.config");
    free(ls);
    check_file_json(two, "asg-web-asg.json", "asg.json");
    check_file_json(two, "asg-web_od.json", "asg-web_od.json");
    check_file_json(two, "ecs-capacity-provider-web-spot.json", "ecs-capacity-provider.json");
    check_file_json(two, "ecs-capacity-provider-web-od.json", "ecs-capacity-provider-web-od.json");
    check_file_json(two, "ecs-service.json", "ecs-service-2cp.json");
    /* a single group / provider: the plain names */
    ecs_scenario(&sc);
    char one[1024];
    snprintf(one, sizeof one, "%s/one/nested", dir);
    assert_int_equal(ss_mkdirs(one, &err), 0);
    assert_int_equal(ss_optimize_write_exports(&sc, one, &err), 0);
    ls = dir_listing(one);
    assert_string_equal(ls, "asg.json ecs-capacity-provider.json ecs-service.json ecs.config main.tf");
    free(ls);
    check_file_json(one, "asg.json", "asg.json");
    check_file_json(one, "ecs-capacity-provider.json", "ecs-capacity-provider.json");
    check_file_json(one, "ecs-service.json", "ecs-service.json");
    /* a file where a directory is expected */
    assert_int_equal(ss_mkdirs(tu_fmt("%s/asg.json", one), &err), -1);
    char name[64];
    ss_export_file_name("asg", "a/b c", ".json", name, sizeof name);
    assert_string_equal(name, "asg-a_b_c.json");
    tu_rmtree(dir);
    free(dir);
}

/* The command: ecs-json and multi-ASG asg-json write one file per input. */
static void test_export_cli(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char bin[1024], ex[1024];
    snprintf(bin, sizeof bin, "%s", tu_spotsim_bin());
    snprintf(ex, sizeof ex, "%s/tests/data/export/ecs-api.yaml", tu_source_dir());
    /* ecs-json needs a directory */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-json >/dev/null 2>&1", bin, ex)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-json --out '%s/ecs' 2>/dev/null", bin, ex, dir)), 0);
    char ecs[1024];
    snprintf(ecs, sizeof ecs, "%s/ecs", dir);
    char *ls = dir_listing(ecs);
    /* everything aws needs to apply the service, with APPLY.md (issue 15 item 6) */
    assert_string_equal(ls, "APPLY.md asg.json ecs-capacity-provider.json ecs-cluster-capacity-providers.json "
                            "ecs-service.json ecs-task-definition.json ecs.config launch-template.json "
                            "target-group-attributes.json target-group-health-check.json user-data.sh");
    free(ls);
    /* each file is the API input itself (no wrapper), values from
     * tests/data/export/ecs-api.yaml by hand: provider api-cp on api-asg, targetCapacity 100,
     * warm-up 300 s, termination protection off, draining on; service api,
     * 6 tasks, strategy [api-cp base 0 weight 1], 100/200 %, spread by zone
     * then binpack memory */
    json_t *cp = json_load_file(tu_fmt("%s/ecs-capacity-provider.json", ecs), 0, NULL);
    assert_non_null(cp);
    assert_int_equal(json_object_size(cp), 2);
    assert_string_equal(json_string_value(json_object_get(cp, "name")), "api-cp");
    json_t *asgp = json_object_get(cp, "autoScalingGroupProvider");
    assert_string_equal(json_string_value(json_object_get(asgp, "autoScalingGroupArn")), "<asg-arn-of-api-asg>");
    json_t *ms = json_object_get(asgp, "managedScaling");
    assert_int_equal(json_integer_value(json_object_get(ms, "targetCapacity")), 100);
    assert_int_equal(json_integer_value(json_object_get(ms, "instanceWarmupPeriod")), 300);
    assert_string_equal(json_string_value(json_object_get(asgp, "managedTerminationProtection")), "DISABLED");
    assert_string_equal(json_string_value(json_object_get(asgp, "managedDraining")), "ENABLED");
    json_decref(cp);
    json_t *svc = json_load_file(tu_fmt("%s/ecs-service.json", ecs), 0, NULL);
    assert_non_null(svc);
    assert_null(json_object_get(svc, "service"));
    assert_string_equal(json_string_value(json_object_get(svc, "serviceName")), "api");
    assert_int_equal(json_integer_value(json_object_get(svc, "desiredCount")), 6);
    json_t *st = json_object_get(svc, "capacityProviderStrategy");
    assert_int_equal(json_array_size(st), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(st, 0), "capacityProvider")), "api-cp");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(st, 0), "base")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(st, 0), "weight")), 1);
    json_t *dc = json_object_get(svc, "deploymentConfiguration");
    assert_int_equal(json_integer_value(json_object_get(dc, "minimumHealthyPercent")), 100);
    assert_int_equal(json_integer_value(json_object_get(dc, "maximumPercent")), 200);
    json_t *ps = json_object_get(svc, "placementStrategy");
    assert_int_equal(json_array_size(ps), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 1), "type")), "binpack");
    assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 1), "field")), "memory");
    json_decref(svc);
    /* one input on stdout */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-service-json >'%s/svc.json'", bin, ex, dir)), 0);
    svc = json_load_file(tu_fmt("%s/svc.json", dir), 0, NULL);
    assert_non_null(svc);
    assert_string_equal(json_string_value(json_object_get(svc, "cluster")), "<cluster-name>");
    json_decref(svc);
    /* two ASGs: one file per group, or --asg NAME; never a JSON array */
    FILE *f = fopen(tu_fmt("%s/two.yaml", dir), "w");
    assert_non_null(f);
    fputs("name: two\norchestrator: ecs\n"
          "market:\n  region: us-east-1\n  zones: [us-east-1a, us-east-1b]\n"
          "  instance_types:\n    - {name: m3.medium, vcpu: 1, memory_mib: 3840}\n"
          "    - {name: m1.large, vcpu: 2, memory_mib: 7680}\n"
          "asgs:\n"
          "  - {name: spot-a, instance_types: [m3.medium], zones: [us-east-1a], max_size: 4,\n"
          "     on_demand_percentage_above_base_capacity: 0}\n"
          "  - {name: od-b, instance_types: [m1.large], zones: [us-east-1b], max_size: 4}\n"
          "capacity_providers:\n"
          "  - {name: cp-spot, asg: spot-a, weight: 3}\n"
          "  - {name: cp-od, asg: od-b, base: 1, weight: 1}\n"
          "service: {name: web, desired_count: 4, cpu: 512, memory: 1024}\n", f);
    fclose(f);
    char two[1024];
    snprintf(two, sizeof two, "%s/two.yaml", dir);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format asg-json >/dev/null 2>&1", bin, two)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format asg-json --out '%s/asgs' 2>/dev/null", bin, two, dir)), 0);
    ls = dir_listing(tu_fmt("%s/asgs", dir));
    assert_string_equal(ls, "asg-od-b.json asg-spot-a.json");
    free(ls);
    json_t *g = json_load_file(tu_fmt("%s/asgs/asg-od-b.json", dir), 0, NULL);
    assert_true(json_is_object(g));
    assert_string_equal(json_string_value(json_object_get(g, "AutoScalingGroupName")), "od-b");
    assert_string_equal(json_string_value(json_object_get(g, "VPCZoneIdentifier")), "<subnet-for-us-east-1b>");
    json_decref(g);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format asg-json --asg spot-a >'%s/a.json'", bin, two, dir)), 0);
    g = json_load_file(tu_fmt("%s/a.json", dir), 0, NULL);
    assert_true(json_is_object(g));
    assert_string_equal(json_string_value(json_object_get(g, "AutoScalingGroupName")), "spot-a");
    json_decref(g);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format asg-json --asg nope >/dev/null 2>&1", bin, two)), 1);
    /* two providers: ecs-capacity-provider-json needs --provider */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-capacity-provider-json >/dev/null 2>&1", bin, two)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-capacity-provider-json --provider cp-od "
                                      "--out '%s' 2>/dev/null", bin, two, dir)), 0);
    cp = json_load_file(tu_fmt("%s/ecs-capacity-provider.json", dir), 0, NULL); /* dir: default name */
    assert_non_null(cp);
    assert_string_equal(json_string_value(json_object_get(cp, "name")), "cp-od");
    json_decref(cp);
    tu_rmtree(dir);
    free(dir);
}


/* Issue 15 item 4: the simulation runs a Kubernetes node group all Spot or
 * all On-Demand (models/k8s_sim.c zeroes OnDemandBaseCapacity and sets the
 * percentage from `spot`). A Spot group whose scenario entry still carries
 * the API's On-Demand defaults (base 2, 100 % above base) must be exported
 * as simulated - base 0, 0 % On-Demand - so that its capacity-type label
 * SPOT is true of every node; an On-Demand group with two types is 100 %
 * On-Demand and labelled ON_DEMAND. */
static void test_k8s_capacity_type_is_true(void **state)
{
    (void)state;
    ss_scenario *sc = calloc(1, sizeof *sc);
    k8s_scenario(sc);
    sc->asgs[0].od_base_capacity = 2;
    sc->asgs[0].od_percentage_above_base = 100;
    add_type(sc, "c5.large", 0);
    sc->asgs[1].type_idx[1] = 1;
    sc->asgs[1].n_types = 2;
    sc->asgs[1].od_percentage_above_base = 30; /* ignored by the simulation: all On-Demand */
    char *s;
    ss_err err;
    assert_int_equal(ss_export_k8s_yaml(sc, &s, &err), 0);
    const char *spot = strstr(s, "- name: spot-1a");
    const char *od = strstr(s, "- name: od-1b");
    assert_non_null(spot);
    assert_non_null(od);
    assert_true(spot < od);
    char *spot_part = strndup(spot, (size_t)(od - spot));
    assert_non_null(strstr(spot_part, "eks.amazonaws.com/capacityType: SPOT"));
    assert_non_null(strstr(spot_part, "onDemandBaseCapacity: 0\n"));
    assert_non_null(strstr(spot_part, "onDemandPercentageAboveBaseCapacity: 0\n"));
    assert_null(strstr(spot_part, "ON_DEMAND"));
    assert_non_null(strstr(od, "eks.amazonaws.com/capacityType: ON_DEMAND"));
    assert_non_null(strstr(od, "onDemandPercentageAboveBaseCapacity: 100\n"));
    assert_non_null(strstr(od, "onDemandBaseCapacity: 0\n"));
    assert_null(strstr(od, "SPOT"));
    free(spot_part);
    free(s);
    /* an ECS scenario is not a Deployment (its 16 tasks are not 1 pod) */
    ecs_scenario(sc);
    assert_int_equal(ss_export_k8s_yaml(sc, &s, &err), -1);
    assert_null(s);
    assert_non_null(strstr(err.msg, "kubernetes"));
    assert_int_equal(ss_export_ca_values(sc, &s, &err), -1);
    free(sc);
}

/* Issue 15 item 8: the Cluster Autoscaler settings of k8s_scenario (the
 * scenario defaults, docs/kubernetes.md): expander least-waste, scan every
 * 10 s, node provision 15 min, backoff 5 min .. 30 min, scale-down after
 * 10 min unneeded / 10 min after an add, utilization 0.5; balancing is not
 * simulated: false. With the priority expander, groups by priority. */
static void test_ca_values(void **state)
{
    (void)state;
    ss_scenario *sc = calloc(1, sizeof *sc);
    k8s_scenario(sc);
    char *s;
    ss_err err;
    assert_int_equal(ss_export_ca_values(sc, &s, &err), 0);
    yaml_parser_t p;
    yaml_document_t doc;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)s, strlen(s));
    assert_true(yaml_parser_load(&p, &doc));
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    assert_non_null(root);
    assert_int_equal(root->type, YAML_MAPPING_NODE);
    yaml_parser_delete(&p);
    yaml_document_delete(&doc);
    static const char *const must[] = {
        "cloudProvider: aws\n",
        "awsRegion: us-east-1\n",
        "autoDiscovery:\n  clusterName: \"<cluster-name>\"\n",
        "  expander: least-waste\n",
        "  scan-interval: \"10s\"\n",
        "  max-node-provision-time: \"15m\"\n",
        "  initial-node-group-backoff-duration: \"5m\"\n",
        "  max-node-group-backoff-duration: \"30m\"\n",
        "  scale-down-unneeded-time: \"10m\"\n",
        "  scale-down-delay-after-add: \"10m\"\n",
        "  scale-down-utilization-threshold: \"0.5\"\n",
        "  balance-similar-node-groups: \"false\"\n",
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(must); i++)
        if (!strstr(s, must[i]))
            fail_msg("CA values lack <%s>:\n%s", must[i], s);
    assert_null(strstr(s, "expanderPriorities"));
    free(s);
    /* priority expander: spot-1a priority 10, od-1b priority 1; 90 s scan */
    sc->k8s.autoscaler.expander = SS_EXPANDER_PRIORITY;
    sc->k8s.autoscaler.scan_interval = 90 * SS_SECOND;
    sc->asgs[0].priority = 10;
    sc->asgs[1].priority = 1;
    assert_int_equal(ss_export_ca_values(sc, &s, &err), 0);
    if (!strstr(s, "  expander: priority\n") || !strstr(s, "  scan-interval: \"90s\"\n") ||
        !strstr(s, "expanderPriorities:\n  \"10\":\n  - \".*-nodegroup-spot-1a-.*\"\n"
                   "  \"1\":\n  - \".*-nodegroup-od-1b-.*\"\n"))
        fail_msg("priority expander values:\n%s", s);
    free(s);
    free(sc);
}

/* Issue 15 item 6: the ELB health check whose interval x healthy threshold
 * is the simulated time to healthy. 150 s = 30 s x 5 (the default pair);
 * 100 s: 30 does not divide, 5 checks of 20 s; 7 s: no exact pair (7 is
 * prime and 7/7 = 1 s < 5 s), nearest is 2 x 5 s = 10 s; 3000 s: 30 s x 100
 * is out of range (threshold <= 10), 5 x 600 s too (interval <= 300), 10 x
 * 300 s exactly. */
static void test_health_check(void **state)
{
    (void)state;
    int i, k;
    ss_export_health_check(150 * SS_SECOND, &i, &k);
    assert_int_equal(i, 30);
    assert_int_equal(k, 5);
    ss_export_health_check(100 * SS_SECOND, &i, &k);
    assert_int_equal(i, 20);
    assert_int_equal(k, 5);
    ss_export_health_check(7 * SS_SECOND, &i, &k);
    assert_int_equal(i, 5);
    assert_int_equal(k, 2);
    ss_export_health_check(3000 * SS_SECOND, &i, &k);
    assert_int_equal(i, 300);
    assert_int_equal(k, 10);
}

/* Issue 15 item 6: the launch template's user data writes the simulated
 * ecs.config (draining on, stop timeout 90 s in ecs_scenario), and --set
 * fills placeholders before the base64 encoding. */
static void test_user_data_and_fill(void **state)
{
    (void)state;
    ss_scenario *sc = calloc(1, sizeof *sc);
    ecs_scenario(sc);
    char *ud, *lt;
    ss_err err;
    assert_int_equal(ss_export_user_data(sc, &ud, &err), 0);
    assert_string_equal(ud, "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\nECS_CLUSTER=<cluster-name>\n"
                            "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true\nECS_CONTAINER_STOP_TIMEOUT=90s\nEOF\n");
    ss_export_subst sub[2];
    assert_int_equal(ss_export_subst_parse("cluster-name=prod", &sub[0], &err), 0);
    assert_int_equal(ss_export_subst_parse("<security-group-id>=sg-0abc", &sub[1], &err), 0);
    assert_string_equal(sub[1].key, "<security-group-id>");
    /* a value that would need escaping in JSON/YAML/HCL is refused */
    ss_export_subst bad;
    assert_int_equal(ss_export_subst_parse("cluster-name=a\"b", &bad, &err), -1);
    assert_int_equal(ss_export_subst_parse("novalue", &bad, &err), -1);
    char *filled = ss_export_fill(ud, sub, 2);
    assert_non_null(strstr(filled, "ECS_CLUSTER=prod\n"));
    assert_int_equal(ss_export_launch_template_json(sc, filled, &lt, &err), 0);
    json_t *j = json_loads(lt, 0, NULL);
    assert_non_null(j);
    json_t *data = json_object_get(j, "LaunchTemplateData");
    assert_string_equal(json_string_value(json_object_get(j, "LaunchTemplateName")), "web-spotsim");
    /* "#!/b" is base64 "IyEvYg==" without padding for the first 3 bytes
     * "#!/" = 0x23 0x21 0x2f -> "IyEv" */
    const char *b64 = json_string_value(json_object_get(data, "UserData"));
    assert_non_null(b64);
    assert_int_equal(strncmp(b64, "IyEv", 4), 0);
    /* the encoding has 4 characters per 3 bytes, rounded up */
    assert_int_equal(strlen(b64), (strlen(filled) + 2) / 3 * 4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(data, "IamInstanceProfile"), "Name")),
                        "<instance-profile-name>");
    json_decref(j);
    free(lt);
    free(filled);
    free(ud);
    free(sc);
}

/* The bundle (issue 15 item 6): every file, and APPLY.md with the
 * placeholders and the commands in order; an ASG simulated without AZ
 * rebalancing gets its suspend-processes line. */
static void test_bundle(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    ss_scenario *sc = calloc(1, sizeof *sc);
    ecs_scenario(sc);
    sc->asgs[0].az_rebalance = false;
    ss_err err;
    /* 12 files: APPLY.md, asg.json, ecs-capacity-provider.json,
     * ecs-cluster-capacity-providers.json, ecs-service.json,
     * ecs-task-definition.json, ecs.config, launch-template.json, main.tf,
     * target-group-attributes.json, target-group-health-check.json,
     * user-data.sh */
    assert_int_equal(ss_export_bundle(sc, dir, NULL, 0, true, &err), 12);
    char *ls = dir_listing(dir);
    assert_string_equal(ls, "APPLY.md asg.json ecs-capacity-provider.json ecs-cluster-capacity-providers.json "
                            "ecs-service.json ecs-task-definition.json ecs.config launch-template.json main.tf "
                            "target-group-attributes.json target-group-health-check.json user-data.sh");
    free(ls);
    char *md = tu_read_file(tu_fmt("%s/APPLY.md", dir), NULL);
    assert_non_null(md);
    const char *order[] = {"aws ecs create-cluster --cluster-name <cluster-name>",
                           "aws ec2 create-launch-template --cli-input-json file://launch-template.json",
                           "aws autoscaling create-auto-scaling-group --cli-input-json file://asg.json",
                           "aws autoscaling suspend-processes --auto-scaling-group-name web-asg "
                           "--scaling-processes AZRebalance",
                           "aws ecs create-capacity-provider --cli-input-json file://ecs-capacity-provider.json",
                           "aws ecs put-cluster-capacity-providers",
                           "aws elbv2 modify-target-group-attributes",
                           "aws ecs register-task-definition",
                           "aws ecs create-service --cli-input-json file://ecs-service.json"};
    const char *at = md;
    for (size_t i = 0; i < SS_ARRAY_LEN(order); i++) {
        const char *p = strstr(at, order[i]);
        if (!p)
            fail_msg("APPLY.md lacks, or has out of order, <%s>:\n%s", order[i], md);
        at = p;
    }
    /* the placeholders table: every placeholder once, with where it is */
    assert_non_null(strstr(md, "| `<target-group-arn>` | the ARN of the load balancer target group of the service | "
                               "`target-group-attributes.json`, `target-group-health-check.json`, "
                               "`ecs-service.json` |"));
    assert_non_null(strstr(md, "| `<subnet-for-us-east-1a>` |"));
    free(md);
    free(sc);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_asg_json),
        cmocka_unit_test(test_ecs_json),
        cmocka_unit_test(test_k8s_yaml),
        cmocka_unit_test(test_terraform),
        cmocka_unit_test(test_export_files),
        cmocka_unit_test(test_export_cli),
        cmocka_unit_test(test_k8s_capacity_type_is_true),
        cmocka_unit_test(test_ca_values),
        cmocka_unit_test(test_health_check),
        cmocka_unit_test(test_user_data_and_fill),
        cmocka_unit_test(test_bundle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
