/*
 * test_karpenter_export.c - `spotsim export --format karpenter`: NodePool
 * (karpenter.sh/v1) and EC2NodeClass (karpenter.k8s.aws/v1) documents,
 * checked offline against the pinned schema subsets of the upstream CRDs
 * (tests/data/schemas/, PROVENANCE.md there), and the values they carry.
 *
 * The documents are read with libyaml and turned into jansson values
 * (plain scalars that are integers become integers, true/false booleans,
 * everything else strings, as a YAML 1.2 core-schema loader does); the
 * schema keywords used by the pinned files are checked by validate().
 */
#include "tests/testutil.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "policies/export.h"
#include "sim/scenario/scenario_io.h"

/* ---- YAML -> JSON ------------------------------------------------------------ */

static json_t *to_json(yaml_document_t *doc, yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *s = (const char *)n->data.scalar.value;
        if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
            char *end;
            long long v = strtoll(s, &end, 10);
            if (*s && !*end)
                return json_integer(v);
            if (!strcmp(s, "true") || !strcmp(s, "false"))
                return json_boolean(!strcmp(s, "true"));
        }
        return json_string(s);
    }
    case YAML_SEQUENCE_NODE: {
        json_t *a = json_array();
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
            json_array_append_new(a, to_json(doc, yaml_document_get_node(doc, *i)));
        return a;
    }
    case YAML_MAPPING_NODE: {
        json_t *o = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_object_set_new(o, (const char *)k->data.scalar.value,
                                to_json(doc, yaml_document_get_node(doc, p->value)));
        }
        return o;
    }
    default:
        return json_null();
    }
}

/* Every document of a YAML stream, as a JSON array. */
static json_t *load_docs(const char *text)
{
    yaml_parser_t p;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    json_t *docs = json_array();
    for (;;) {
        yaml_document_t d;
        assert_true(yaml_parser_load(&p, &d));
        yaml_node_t *root = yaml_document_get_root_node(&d);
        if (!root) {
            yaml_document_delete(&d);
            break;
        }
        json_array_append_new(docs, to_json(&d, root));
        yaml_document_delete(&d);
    }
    yaml_parser_delete(&p);
    return docs;
}

/* ---- the schema subset ------------------------------------------------------- */

static bool type_ok(const char *t, const json_t *v)
{
    if (!strcmp(t, "object"))
        return json_is_object(v);
    if (!strcmp(t, "array"))
        return json_is_array(v);
    if (!strcmp(t, "string"))
        return json_is_string(v);
    if (!strcmp(t, "integer"))
        return json_is_integer(v);
    if (!strcmp(t, "number"))
        return json_is_number(v);
    if (!strcmp(t, "boolean"))
        return json_is_boolean(v);
    return false;
}

static bool re_ok(const char *pattern, const char *s)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
        fail_msg("bad pattern in the schema: %s", pattern);
    bool ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Number of violations of schema s by value v at path; each is printed. */
static int validate(const json_t *s, const json_t *v, const char *path)
{
    int bad = 0;
#define VIOLATION(...)                                                                             \
    do {                                                                                           \
        fprintf(stderr, "  %s: ", path);                                                           \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fputc('\n', stderr);                                                                       \
        bad++;                                                                                     \
    } while (0)
    const json_t *t = json_object_get(s, "type");
    if (json_is_string(t) && !type_ok(json_string_value(t), v)) {
        VIOLATION("not of type %s", json_string_value(t));
        return bad;
    }
    if (json_is_array(t)) {
        bool any = false;
        size_t i;
        const json_t *e;
        json_array_foreach(t, i, e) any |= type_ok(json_string_value(e), v);
        if (!any) {
            VIOLATION("none of the allowed types");
            return bad;
        }
    }
    const json_t *en = json_object_get(s, "enum");
    if (en) {
        bool any = false;
        size_t i;
        const json_t *e;
        json_array_foreach(en, i, e) any |= json_equal(e, v);
        if (!any)
            VIOLATION("not one of the enum values");
    }
    if (json_is_string(v)) {
        const char *str = json_string_value(v);
        const json_t *pt = json_object_get(s, "pattern");
        if (pt && !re_ok(json_string_value(pt), str))
            VIOLATION("'%s' does not match %s", str, json_string_value(pt));
        const json_t *mx = json_object_get(s, "maxLength"), *mn = json_object_get(s, "minLength");
        if (mx && (json_int_t)strlen(str) > json_integer_value(mx))
            VIOLATION("longer than %lld", (long long)json_integer_value(mx));
        if (mn && (json_int_t)strlen(str) < json_integer_value(mn))
            VIOLATION("shorter than %lld", (long long)json_integer_value(mn));
    }
    if (json_is_integer(v)) {
        const json_t *mx = json_object_get(s, "maximum"), *mn = json_object_get(s, "minimum");
        if (mx && json_integer_value(v) > json_integer_value(mx))
            VIOLATION("above the maximum");
        if (mn && json_integer_value(v) < json_integer_value(mn))
            VIOLATION("below the minimum");
        const json_t *pt = json_object_get(s, "pattern"); /* int-or-string quantities */
        if (pt) {
            char b[32];
            snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
            if (!re_ok(json_string_value(pt), b))
                VIOLATION("%s does not match the pattern", b);
        }
    }
    if (json_is_array(v)) {
        const json_t *mx = json_object_get(s, "maxItems"), *mn = json_object_get(s, "minItems");
        if (mx && (json_int_t)json_array_size(v) > json_integer_value(mx))
            VIOLATION("more than %lld items", (long long)json_integer_value(mx));
        if (mn && (json_int_t)json_array_size(v) < json_integer_value(mn))
            VIOLATION("fewer than %lld items", (long long)json_integer_value(mn));
        const json_t *it = json_object_get(s, "items");
        size_t i;
        const json_t *e;
        if (it)
            json_array_foreach(v, i, e)
            {
                char p[512];
                snprintf(p, sizeof p, "%s[%zu]", path, i);
                bad += validate(it, e, p);
            }
    }
    if (json_is_object(v)) {
        const json_t *req = json_object_get(s, "required");
        size_t i;
        const json_t *e;
        json_array_foreach(req, i, e) if (!json_object_get(v, json_string_value(e)))
            VIOLATION("missing required '%s'", json_string_value(e));
        const json_t *mx = json_object_get(s, "maxProperties"),
                     *mn = json_object_get(s, "minProperties");
        if (mx && (json_int_t)json_object_size(v) > json_integer_value(mx))
            VIOLATION("more than %lld properties", (long long)json_integer_value(mx));
        if (mn && (json_int_t)json_object_size(v) < json_integer_value(mn))
            VIOLATION("fewer than %lld properties", (long long)json_integer_value(mn));
        const json_t *props = json_object_get(s, "properties"),
                     *add = json_object_get(s, "additionalProperties");
        const json_t *notnames = json_object_get(s, "propertyNamesNot");
        const char *k;
        const json_t *val;
        json_object_foreach((json_t *)v, k, val)
        {
            char p[512];
            snprintf(p, sizeof p, "%s.%s", path, k);
            json_array_foreach(notnames, i, e) if (!strcmp(json_string_value(e), k))
                VIOLATION("property '%s' is restricted", k);
            const json_t *sub = props ? json_object_get(props, k) : NULL;
            if (sub)
                bad += validate(sub, val, p);
            else if (json_is_false(add))
                VIOLATION("unknown property '%s'", k);
            else if (json_is_object(add))
                bad += validate(add, val, p);
        }
    }
#undef VIOLATION
    return bad;
}

static json_t *schema(const char *file)
{
    json_error_t je;
    json_t *s = json_load_file(tu_fmt("%s/tests/data/schemas/%s", tu_source_dir(), file), 0, &je);
    if (!s)
        fail_msg("%s: %s", file, je.text);
    return s;
}

/* Violations of a document against the schema of its kind. */
static int check_doc(const json_t *doc)
{
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    json_t *s = schema(kind && !strcmp(kind, "EC2NodeClass")
                           ? "karpenter.k8s.aws_v1_ec2nodeclass.schema.json"
                           : "karpenter.sh_v1_nodepool.schema.json");
    int bad = validate(s, doc, kind ? kind : "?");
    json_decref(s);
    return bad;
}

/* ---- the scenario -------------------------------------------------------------- */

static const char *scenario_yaml =
    "orchestrator: kubernetes\n"
    "horizon: {start: 2020-09-13T12:26:40Z, duration: 1h}\n"
    "market:\n"
    "  region: us-east-1\n"
    "  zones: [us-east-1a, us-east-1b, us-east-1c]\n"
    "  instance_types:\n"
    "    - {name: m5.large, vcpu: 2, memory_mib: 8192, on_demand_price: 0.096}\n"
    "    - {name: m5.xlarge, vcpu: 4, memory_mib: 16384, on_demand_price: 0.192}\n"
    "kubernetes:\n"
    "  deployment: {name: web, replicas: 4, cpu: 1, memory: 1024, pdb: {max_unavailable: 1}}\n"
    "  provisioner: karpenter\n"
    "  karpenter:\n"
    "    node_pools:\n"
    "      - name: spot-first\n"
    "        weight: 10\n"
    "        instance_types: [m5.large, m5.xlarge]\n"
    "        zones: [us-east-1a, us-east-1b]\n"
    "        limit_cpu: 16\n"
    "        labels: {team: web}\n"
    "        consolidate_after: 90s\n"
    "        budget_nodes: 2\n"
    "        expire_after: 0\n"
    "      - name: on-demand\n"
    "        capacity_types: on-demand\n"
    "        consolidation_policy: WhenEmpty\n";

static void nodepools_valid_against_crd_schema(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_err err;
    assert_int_equal(ss_scenario_load_string(scenario_yaml, "k.yaml", &sc, &err), 0);
    char *text = NULL;
    assert_int_equal(ss_export_karpenter_yaml(&sc, &text, &err), 0);
    json_t *docs = load_docs(text);
    assert_int_equal(json_array_size(docs), 3); /* two NodePools, one EC2NodeClass */
    for (size_t i = 0; i < json_array_size(docs); i++)
        assert_int_equal(check_doc(json_array_get(docs, i)), 0);
    /* the values carried */
    json_t *a = json_array_get(docs, 0), *b = json_array_get(docs, 1),
           *nc = json_array_get(docs, 2);
    assert_string_equal(json_string_value(json_object_get(a, "kind")), "NodePool");
    json_t *spec = json_object_get(a, "spec");
    assert_int_equal(json_integer_value(json_object_get(spec, "weight")), 10);
    json_t *dis = json_object_get(spec, "disruption");
    assert_string_equal(json_string_value(json_object_get(dis, "consolidateAfter")), "1m30s");
    assert_string_equal(json_string_value(json_object_get(dis, "consolidationPolicy")),
                        "WhenEmptyOrUnderutilized");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(dis, "budgets"), 0), "nodes")),
                        "2");
    /* a quantity: the emitter quotes "16" (a string, as the CRD's int-or-string allows) */
    assert_string_equal(json_string_value(json_object_get(json_object_get(spec, "limits"), "cpu")),
                        "16");
    json_t *tspec = json_object_get(json_object_get(spec, "template"), "spec");
    assert_string_equal(json_string_value(json_object_get(tspec, "expireAfter")), "Never");
    json_t *reqs = json_object_get(tspec, "requirements");
    assert_int_equal(json_array_size(reqs), 3);
    json_t *cap = json_object_get(json_array_get(reqs, 0), "values");
    assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "key")),
                        "karpenter.sh/capacity-type");
    assert_int_equal(json_array_size(cap), 2);
    assert_string_equal(json_string_value(json_array_get(cap, 0)), "spot");
    assert_string_equal(json_string_value(json_array_get(cap, 1)), "on-demand");
    json_t *zones = json_object_get(json_array_get(reqs, 2), "values");
    assert_int_equal(json_array_size(zones), 2);
    assert_string_equal(json_string_value(json_array_get(zones, 1)), "us-east-1b");
    json_t *labels =
        json_object_get(json_object_get(json_object_get(spec, "template"), "metadata"), "labels");
    assert_string_equal(json_string_value(json_object_get(labels, "team")), "web");
    /* the second pool: defaults (10 %, 720h, 0s), On-Demand only, all
     * types and zones, no weight or limits */
    json_t *spec2 = json_object_get(b, "spec");
    assert_null(json_object_get(spec2, "weight"));
    assert_null(json_object_get(spec2, "limits"));
    json_t *dis2 = json_object_get(spec2, "disruption");
    assert_string_equal(json_string_value(json_object_get(dis2, "consolidateAfter")), "0s");
    assert_string_equal(json_string_value(json_object_get(dis2, "consolidationPolicy")),
                        "WhenEmpty");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(dis2, "budgets"), 0), "nodes")),
                        "10%");
    json_t *tspec2 = json_object_get(json_object_get(spec2, "template"), "spec");
    assert_string_equal(json_string_value(json_object_get(tspec2, "expireAfter")), "720h");
    json_t *reqs2 = json_object_get(tspec2, "requirements");
    assert_int_equal(json_array_size(json_object_get(json_array_get(reqs2, 0), "values")), 1);
    assert_int_equal(json_array_size(json_object_get(json_array_get(reqs2, 1), "values")), 2);
    assert_int_equal(json_array_size(json_object_get(json_array_get(reqs2, 2), "values")), 3);
    /* both refer to the EC2NodeClass written */
    const char *ncname =
        json_string_value(json_object_get(json_object_get(nc, "metadata"), "name"));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(tspec, "nodeClassRef"), "name")), ncname);
    assert_string_equal(json_string_value(json_object_get(nc, "kind")), "EC2NodeClass");
    json_decref(docs);
    free(text);

    /* k8s-yaml of a Karpenter scenario: Deployment, PDB, then the same
     * NodePools and EC2NodeClass instead of an eksctl ClusterConfig */
    assert_int_equal(ss_export_k8s_yaml(&sc, &text, &err), 0);
    docs = load_docs(text);
    assert_int_equal(json_array_size(docs), 5);
    const char *kinds[5] = {"Deployment", "PodDisruptionBudget", "NodePool", "NodePool",
                            "EC2NodeClass"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(docs, (size_t)i), "kind")), kinds[i]);
    for (int i = 2; i < 5; i++)
        assert_int_equal(check_doc(json_array_get(docs, (size_t)i)), 0);
    json_decref(docs);
    free(text);

    /* the bundled example exports valid documents too */
    if (ss_scenario_load_file(tu_fmt("%s/examples/k8s-karpenter.yaml", tu_source_dir()), &sc, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(ss_export_karpenter_yaml(&sc, &text, &err), 0);
    docs = load_docs(text);
    assert_int_equal(json_array_size(docs), 2);
    for (size_t i = 0; i < json_array_size(docs); i++)
        assert_int_equal(check_doc(json_array_get(docs, i)), 0);
    json_decref(docs);
    free(text);
}

/* The validator catches what the API server would refuse (or prune): each
 * mutation of a valid NodePool is one violation. */
static void schema_rejects_broken_documents(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_err err;
    assert_int_equal(ss_scenario_load_string(scenario_yaml, "k.yaml", &sc, &err), 0);
    char *text = NULL;
    assert_int_equal(ss_export_karpenter_yaml(&sc, &text, &err), 0);
    json_t *docs = load_docs(text);
    free(text);
    for (int mutation = 0; mutation < 8; mutation++) {
        json_t *np = json_deep_copy(json_array_get(docs, 0));
        json_t *spec = json_object_get(np, "spec");
        json_t *dis = json_object_get(spec, "disruption");
        json_t *tspec = json_object_get(json_object_get(spec, "template"), "spec");
        switch (mutation) {
        case 0:
            json_object_set_new(dis, "consolidationPolicy", json_string("Sometimes"));
            break;
        case 1:
            json_object_del(tspec, "nodeClassRef");
            break;
        case 2:
            json_object_set_new(spec, "weight", json_integer(0));
            break;
        case 3:
            json_object_set_new(dis, "consolidateAfter", json_string("90"));
            break;
        case 4:
            json_object_set_new(json_array_get(json_object_get(dis, "budgets"), 0), "nodes",
                                json_string("150%"));
            break;
        case 5:
            json_object_set_new(spec, "ttlSecondsAfterEmpty", json_integer(30));
            break;
        case 6:
            json_object_set_new(json_array_get(json_object_get(tspec, "requirements"), 0),
                                "operator", json_string("Equals"));
            break;
        default:
            json_object_set_new(dis, "consolidateAfter", json_integer(30));
            break;
        }
        if (check_doc(np) != 1)
            fail_msg("mutation %d: expected exactly one violation", mutation);
        json_decref(np);
    }
    json_t *nc = json_deep_copy(json_array_get(docs, 2));
    json_object_del(json_object_get(nc, "spec"), "subnetSelectorTerms");
    assert_int_equal(check_doc(nc), 1);
    json_decref(nc);
    json_decref(docs);
}

/* The apply bundle of a Karpenter scenario: k8s.yaml (Deployment, PDB,
 * NodePools, EC2NodeClass), karpenter-values.yaml (the chart's settings as
 * simulated) and APPLY.md; no main.tf (Terraform would write node groups).
 * Interruption handling off = no queue. */
static void bundle_and_values(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_err err;
    assert_int_equal(ss_scenario_load_string(scenario_yaml, "k.yaml", &sc, &err), 0);
    sc.k8s.karpenter.batch_idle = 1500;
    sc.k8s.karpenter.spot_to_spot = true;
    char *dir = tu_mkdtemp();
    assert_int_equal(ss_export_bundle(&sc, dir, NULL, 0, true, &err), 3);
    char *tf = tu_read_file(tu_fmt("%s/main.tf", dir), NULL);
    assert_null(tf);
    char *text = tu_read_file(tu_fmt("%s/karpenter-values.yaml", dir), NULL);
    assert_non_null(text);
    json_t *docs = load_docs(text);
    json_t *set = json_object_get(json_array_get(docs, 0), "settings");
    assert_string_equal(json_string_value(json_object_get(set, "interruptionQueue")),
                        "<interruption-queue>");
    assert_string_equal(json_string_value(json_object_get(set, "batchIdleDuration")), "1500ms");
    assert_string_equal(json_string_value(json_object_get(set, "batchMaxDuration")), "10s");
    assert_true(json_is_true(
        json_object_get(json_object_get(set, "featureGates"), "spotToSpotConsolidation")));
    json_decref(docs);
    free(text);
    text = tu_read_file(tu_fmt("%s/k8s.yaml", dir), NULL);
    docs = load_docs(text);
    assert_int_equal(json_array_size(docs), 5);
    json_decref(docs);
    free(text);
    char *apply = tu_read_file(tu_fmt("%s/APPLY.md", dir), NULL);
    assert_non_null(strstr(apply, "helm upgrade --install karpenter"));
    assert_non_null(strstr(apply, "<karpenter-node-role>"));
    free(apply);
    tu_rmtree(dir);
    free(dir);
    /* the recommendation's split: Karpenter is the controller, the
     * NodePools its declarative configuration */
    char *sum = ss_fleet_policy_summary(&sc);
    assert_non_null(strstr(sum, "Needs a controller: Karpenter"));
    assert_non_null(strstr(sum, "NodePool 'spot-first' (Spot, On-Demand when Spot is unavailable, "
                                "WhenEmptyOrUnderutilized after 90 s, budget 2 nodes)"));
    assert_non_null(
        strstr(sum, "NodePool 'on-demand' (On-Demand, WhenEmpty after 0 s, budget 10 %)"));
    free(sum);
    sc.k8s.karpenter.interruption_handling = false;
    assert_int_equal(ss_export_karpenter_values(&sc, &text, &err), 0);
    docs = load_docs(text);
    set = json_object_get(json_array_get(docs, 0), "settings");
    assert_string_equal(json_string_value(json_object_get(set, "interruptionQueue")), "");
    json_decref(docs);
    free(text);
}

/* The command line: --format karpenter writes the file; a Cluster
 * Autoscaler scenario has no NodePool to export (exit 1, clear message). */
static void cli_export_karpenter(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    const char *scen = tu_fmt("%s/k.yaml", dir);
    FILE *f = fopen(scen, "w");
    fputs(scenario_yaml, f);
    fclose(f);
    assert_int_equal(
        tu_system(tu_fmt("%s export %s --format karpenter --out %s/np.yaml 2>/dev/null",
                         tu_spotsim_bin(), scen, dir)),
        0);
    char *text = tu_read_file(tu_fmt("%s/np.yaml", dir), NULL);
    assert_non_null(text);
    json_t *docs = load_docs(text);
    assert_int_equal(json_array_size(docs), 3);
    json_decref(docs);
    free(text);
    const char *ca = tu_fmt("%s/ca.yaml", dir);
    f = fopen(ca, "w");
    fputs("orchestrator: kubernetes\n"
          "horizon: {start: 2020-09-13T12:26:40Z, duration: 1h}\n"
          "market: {region: us-east-1, zones: [us-east-1a], instance_types: [{name: m5.large, "
          "vcpu: 2, "
          "memory_mib: 8192}]}\n"
          "asgs: [{name: g, spot: true, min_size: 0, max_size: 3}]\n",
          f);
    fclose(f);
    assert_int_equal(tu_system(tu_fmt("%s export %s --format karpenter > %s/err.txt 2>&1",
                                      tu_spotsim_bin(), ca, dir)),
                     1);
    char *msg = tu_read_file(tu_fmt("%s/err.txt", dir), NULL);
    assert_non_null(strstr(msg, "node_pools"));
    free(msg);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nodepools_valid_against_crd_schema),
        cmocka_unit_test(schema_rejects_broken_documents),
        cmocka_unit_test(bundle_and_values),
        cmocka_unit_test(cli_export_karpenter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
