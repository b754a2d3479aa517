/*
 * export_k8s.c - Kubernetes YAML (multi-document), written with libyaml's
 * emitter: the Deployment (replicas, requests, topologySpreadConstraints
 * §4.1, required node affinity, tolerations, terminationGracePeriodSeconds
 * §4.2), its PodDisruptionBudget (§4.2) and an eksctl ClusterConfig whose
 * nodeGroups are the scenario's ASGs (instance types, sizes, zones, labels,
 * taints, Spot instancesDistribution), or, with provisioner karpenter, the
 * Karpenter NodePools and their EC2NodeClass.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "policies/export.h"

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    ss_buf_append(data, (const char *)buffer, size);
    return 1;
}

typedef struct em {
    yaml_emitter_t e;
    yaml_event_t ev;
    int ok;
} em;

static void emit(em *m)
{
    if (m->ok && !yaml_emitter_emit(&m->e, &m->ev))
        m->ok = 0;
}

/* Start a YAML stream into b (its text is *out of em_close). */
static int em_open(em *m, ss_buf *b, bool unicode, ss_err *err)
{
    memset(m, 0, sizeof *m);
    if (!yaml_emitter_initialize(&m->e))
        return ss_err_set(err, "export: cannot initialise the YAML emitter");
    yaml_emitter_set_output(&m->e, write_handler, b);
    if (unicode)
        yaml_emitter_set_unicode(&m->e, 1);
    yaml_emitter_set_width(&m->e, 120);
    m->ok = 1;
    yaml_stream_start_event_initialize(&m->ev, YAML_UTF8_ENCODING);
    emit(m);
    return 0;
}

/* End the stream: *out = the text, or -1 with the emitter's problem. */
static int em_close(em *m, ss_buf *b, char **out, ss_err *err)
{
    yaml_stream_end_event_initialize(&m->ev);
    emit(m);
    int ok = m->ok;
    char problem[256];
    snprintf(problem, sizeof problem, "%s", m->e.problem ? m->e.problem : "unknown");
    yaml_emitter_delete(&m->e);
    if (!ok) {
        free(b->s);
        return ss_err_set(err, "export: YAML emitter: %s", problem);
    }
    *out = b->s;
    return 0;
}


/* A string that YAML would read as something else (number, bool, null) or
 * that has indicator characters is double-quoted; others are plain. */
static bool needs_quotes(const char *s)
{
    static const char *const special[] = {"true", "false", "yes", "no", "on", "off", "null", "~",
                                          "True", "False", "Yes", "No", "On", "Off", "Null", "TRUE",
                                          "FALSE", "YES", "NO", "ON", "OFF", "NULL", "y", "n", "Y", "N"};
    if (!*s)
        return true;
    for (size_t i = 0; i < SS_ARRAY_LEN(special); i++)
        if (!strcmp(s, special[i]))
            return true;
    char *end;
    (void)strtod(s, &end);
    if (*end == 0)
        return true;
    if (!isalpha((unsigned char)s[0]) && s[0] != '/' && s[0] != '$')
        return true;
    for (const char *p = s; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._/-$", *p))
            return true;
    return false;
}

static void str(em *m, const char *s)
{
    yaml_scalar_event_initialize(&m->ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
                                 needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
    emit(m);
}

static void num(em *m, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    yaml_scalar_event_initialize(&m->ev, NULL, NULL, (yaml_char_t *)b, (int)strlen(b), 1, 1,
                                 YAML_PLAIN_SCALAR_STYLE);
    emit(m);
}

static void boolean(em *m, bool v)
{
    const char *b = v ? "true" : "false";
    yaml_scalar_event_initialize(&m->ev, NULL, NULL, (yaml_char_t *)b, (int)strlen(b), 1, 1,
                                 YAML_PLAIN_SCALAR_STYLE);
    emit(m);
}

static void map_begin(em *m)
{
    yaml_mapping_start_event_initialize(&m->ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    emit(m);
}

static void map_end(em *m)
{
    yaml_mapping_end_event_initialize(&m->ev);
    emit(m);
}

static void seq_begin(em *m)
{
    yaml_sequence_start_event_initialize(&m->ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    emit(m);
}

static void seq_end(em *m)
{
    yaml_sequence_end_event_initialize(&m->ev);
    emit(m);
}

static void kv(em *m, const char *k, const char *v)
{
    str(m, k);
    str(m, v);
}

static void kn(em *m, const char *k, long long v)
{
    str(m, k);
    num(m, v);
}

static void doc_begin(em *m)
{
    yaml_document_start_event_initialize(&m->ev, NULL, NULL, NULL, 0);
    emit(m);
}

static void doc_end(em *m)
{
    yaml_document_end_event_initialize(&m->ev, 1);
    emit(m);
}

static void app_selector(em *m, const char *app)
{
    str(m, "matchLabels");
    map_begin(m);
    kv(m, "app", app);
    map_end(m);
}

/* A new YAML document for one Kubernetes object: apiVersion, kind and an
 * open metadata map (the caller writes the name and closes it). */
static void object_begin(em *m, const char *api_version, const char *kind)
{
    doc_begin(m);
    map_begin(m);
    kv(m, "apiVersion", api_version);
    kv(m, "kind", kind);
    str(m, "metadata");
    map_begin(m);
}

static void deployment(em *m, const ss_scenario *sc)
{
    const ss_deployment *d = &sc->k8s.deployment;
    object_begin(m, "apps/v1", "Deployment");
    kv(m, "name", d->name);
    map_end(m);
    str(m, "spec");
    map_begin(m);
    kn(m, "replicas", d->replicas);
    str(m, "selector");
    map_begin(m);
    app_selector(m, d->name);
    map_end(m);
    str(m, "template");
    map_begin(m);
    str(m, "metadata");
    map_begin(m);
    str(m, "labels");
    map_begin(m);
    kv(m, "app", d->name);
    map_end(m);
    map_end(m);
    str(m, "spec");
    map_begin(m);
    kn(m, "terminationGracePeriodSeconds", d->termination_grace / SS_SECOND);
    if (d->n_spread > 0) {
        str(m, "topologySpreadConstraints");
        seq_begin(m);
        for (int i = 0; i < d->n_spread && i < SS_MAX_SPREAD; i++) {
            const ss_spread_constraint *c = &d->spread[i];
            map_begin(m);
            kn(m, "maxSkew", c->max_skew);
            kv(m, "topologyKey", c->topology_key);
            kv(m, "whenUnsatisfiable", c->schedule_anyway ? "ScheduleAnyway" : "DoNotSchedule");
            str(m, "labelSelector");
            map_begin(m);
            app_selector(m, d->name);
            map_end(m);
            if (c->min_domains > 0 && !c->schedule_anyway) /* only valid with DoNotSchedule */
                kn(m, "minDomains", c->min_domains);
            if (c->node_affinity_ignore)
                kv(m, "nodeAffinityPolicy", "Ignore");
            if (c->node_taints_honor)
                kv(m, "nodeTaintsPolicy", "Honor");
            map_end(m);
        }
        seq_end(m);
    }
    if (d->node_selector[0][0]) {
        str(m, "affinity");
        map_begin(m);
        str(m, "nodeAffinity");
        map_begin(m);
        str(m, "requiredDuringSchedulingIgnoredDuringExecution");
        map_begin(m);
        str(m, "nodeSelectorTerms");
        seq_begin(m);
        map_begin(m);
        str(m, "matchExpressions");
        seq_begin(m);
        map_begin(m);
        kv(m, "key", d->node_selector[0]);
        kv(m, "operator", "In");
        str(m, "values");
        seq_begin(m);
        str(m, d->node_selector[1]);
        seq_end(m);
        map_end(m);
        seq_end(m);
        map_end(m);
        seq_end(m);
        map_end(m);
        map_end(m);
        map_end(m);
    }
    if (d->n_tolerations > 0) {
        str(m, "tolerations");
        seq_begin(m);
        for (int i = 0; i < d->n_tolerations && i < SS_MAX_TAINTS; i++) {
            map_begin(m);
            kv(m, "key", d->tolerations[i]);
            kv(m, "operator", "Exists");
            map_end(m);
        }
        seq_end(m);
    }
    str(m, "containers");
    seq_begin(m);
    map_begin(m);
    kv(m, "name", d->name);
    kv(m, "image", "<container-image>");
    str(m, "resources");
    map_begin(m);
    str(m, "requests");
    map_begin(m);
    char cpu[32], mem[32];
    snprintf(cpu, sizeof cpu, "%lldm", (long long)(d->cpu_request * 1000.0 + 0.5));
    snprintf(mem, sizeof mem, "%lldMi", (long long)(d->memory_request_mib + 0.5));
    kv(m, "cpu", cpu);
    kv(m, "memory", mem);
    map_end(m);
    map_end(m);
    map_end(m);
    seq_end(m);
    map_end(m); /* template.spec */
    map_end(m); /* template */
    map_end(m); /* spec */
    map_end(m);
    doc_end(m);
}

static void pdb(em *m, const ss_scenario *sc)
{
    const ss_deployment *d = &sc->k8s.deployment;
    if (d->pdb_min_available < 0 && d->pdb_max_unavailable < 0 && d->pdb_min_available_pct < 0)
        return;
    object_begin(m, "policy/v1", "PodDisruptionBudget");
    char name[SS_NAME_MAX + 8];
    snprintf(name, sizeof name, "%s-pdb", d->name);
    kv(m, "name", name);
    map_end(m);
    str(m, "spec");
    map_begin(m);
    /* one of minAvailable / maxUnavailable (the API allows only one) */
    if (d->pdb_min_available >= 0) {
        kn(m, "minAvailable", d->pdb_min_available);
    } else if (d->pdb_min_available_pct >= 0) {
        char pct[16];
        snprintf(pct, sizeof pct, "%d%%", d->pdb_min_available_pct);
        kv(m, "minAvailable", pct);
    } else {
        kn(m, "maxUnavailable", d->pdb_max_unavailable);
    }
    str(m, "selector");
    map_begin(m);
    app_selector(m, d->name);
    map_end(m);
    map_end(m);
    map_end(m);
    doc_end(m);
}

static void cluster_config(em *m, const ss_scenario *sc)
{
    const ss_market *mk = &sc->market;
    object_begin(m, "eksctl.io/v1alpha5", "ClusterConfig");
    kv(m, "name", "<cluster-name>");
    kv(m, "region", mk->region[0] ? mk->region : "<region>");
    map_end(m);
    str(m, "nodeGroups");
    seq_begin(m);
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        map_begin(m);
        kv(m, "name", a->name);
        int nt = a->n_types > 0 ? a->n_types : mk->n_types;
        bool mixed = a->spot || nt > 1;
        if (!mixed && nt == 1)
            kv(m, "instanceType", mk->types[a->n_types > 0 ? a->type_idx[0] : 0].name);
        kn(m, "minSize", a->min_size);
        kn(m, "maxSize", a->max_size);
        kn(m, "desiredCapacity", a->desired_capacity);
        str(m, "availabilityZones");
        seq_begin(m);
        int nz = a->n_zones > 0 ? a->n_zones : mk->n_zones;
        for (int z = 0; z < nz; z++)
            str(m, mk->zones[a->n_zones > 0 ? a->zone_idx[z] : z]);
        seq_end(m);
        /* A node group is all Spot or all On-Demand, as simulated
         * (models/k8s_sim.c sets OnDemandBaseCapacity 0 and
         * OnDemandPercentageAboveBaseCapacity 0 or 100 from `spot`): one
         * capacity-type label is then true of every node, and a spread over
         * it counts what the simulation counted. */
        const char *ct_key =
            sc->k8s.capacity_type_label[0] ? sc->k8s.capacity_type_label : "eks.amazonaws.com/capacityType";
        const char *ct_val = a->spot ? "SPOT" : "ON_DEMAND";
        str(m, "labels");
        map_begin(m);
        kv(m, ct_key, ct_val);
        for (int l = 0; l < a->n_labels && l < SS_MAX_LABELS; l++)
            if (strcmp(a->labels[l][0], ct_key))
                kv(m, a->labels[l][0], a->labels[l][1]);
        map_end(m);
        /* Cluster Autoscaler auto-discovery and scale-from-zero templates
         * (kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/
         * README.md, "Auto-Discovery Setup" and "Scaling a node group to
         * 0"): the ASG tags CA reads to find the group and to know the
         * labels and taints of a node it has not seen yet. */
        str(m, "tags");
        map_begin(m);
        kv(m, "k8s.io/cluster-autoscaler/enabled", "true");
        kv(m, "k8s.io/cluster-autoscaler/<cluster-name>", "owned");
        char tk[SS_NAME_MAX + 64], tv[2 * SS_NAME_MAX + 4];
        snprintf(tk, sizeof tk, "k8s.io/cluster-autoscaler/node-template/label/%s", ct_key);
        kv(m, tk, ct_val);
        for (int l = 0; l < a->n_labels && l < SS_MAX_LABELS; l++)
            if (strcmp(a->labels[l][0], ct_key)) {
                snprintf(tk, sizeof tk, "k8s.io/cluster-autoscaler/node-template/label/%s", a->labels[l][0]);
                kv(m, tk, a->labels[l][1]);
            }
        for (int t = 0; t < a->n_taints && t < SS_MAX_TAINTS; t++) {
            snprintf(tk, sizeof tk, "k8s.io/cluster-autoscaler/node-template/taint/%s", a->taints[t][0]);
            snprintf(tv, sizeof tv, "%s:%s", a->taints[t][1], a->taints[t][2]);
            kv(m, tk, tv);
        }
        map_end(m);
        if (a->n_taints > 0) {
            str(m, "taints");
            seq_begin(m);
            for (int t = 0; t < a->n_taints && t < SS_MAX_TAINTS; t++) {
                map_begin(m);
                kv(m, "key", a->taints[t][0]);
                kv(m, "value", a->taints[t][1]);
                kv(m, "effect", a->taints[t][2]);
                map_end(m);
            }
            seq_end(m);
        }
        if (mixed) {
            str(m, "instancesDistribution");
            map_begin(m);
            str(m, "instanceTypes");
            seq_begin(m);
            for (int i = 0; i < nt; i++)
                str(m, mk->types[a->n_types > 0 ? a->type_idx[i] : i].name);
            seq_end(m);
            kn(m, "onDemandBaseCapacity", 0);
            kn(m, "onDemandPercentageAboveBaseCapacity", a->spot ? 0 : 100);
            kv(m, "spotAllocationStrategy", ss_export_spot_alloc_name(a->spot_allocation));
            if (a->spot_allocation == SS_SPOT_LOWEST_PRICE)
                kn(m, "spotInstancePools", a->spot_instance_pools);
            map_end(m);
        }
        str(m, "propagateASGTags");
        boolean(m, true);
        map_end(m);
    }
    seq_end(m);
    map_end(m);
    doc_end(m);
}

/* ---- Karpenter: NodePool (karpenter.sh/v1) + EC2NodeClass (karpenter.k8s.aws/v1) ----
 * Field names, types and patterns from the CRDs (pkg/apis/crds/karpenter.sh_nodepools.yaml
 * and karpenter.k8s.aws_ec2nodeclasses.yaml of aws/karpenter-provider-aws; pinned
 * subset in tests/data/schemas/, see its PROVENANCE.md). */

#define KARP_NODECLASS "default"

/* A duration as the CRD's pattern ^(([0-9]+(s|m|h))+)|(Never)$ wants it
 * (Go's time.Duration spelling without sub-seconds): 90 s -> "1m30s". */
static void karp_duration(ss_time t, char *buf, size_t n)
{
    long long s = (long long)(t / SS_SECOND);
    long long h = s / 3600, m = (s % 3600) / 60, r = s % 60;
    int k = 0;
    buf[0] = 0;
    if (h)
        k += snprintf(buf + k, n - (size_t)k, "%lldh", h);
    if (m)
        k += snprintf(buf + k, n - (size_t)k, "%lldm", m);
    if (r || k == 0)
        snprintf(buf + k, n - (size_t)k, "%llds", r);
}

static void requirement(em *m, const char *key, const char *const *values, int n)
{
    map_begin(m);
    kv(m, "key", key);
    kv(m, "operator", "In");
    str(m, "values");
    seq_begin(m);
    for (int i = 0; i < n; i++)
        str(m, values[i]);
    seq_end(m);
    map_end(m);
}

static void node_pool(em *m, const ss_scenario *sc, const ss_node_pool *np)
{
    const ss_market *mk = &sc->market;
    char buf[64];
    object_begin(m, "karpenter.sh/v1", "NodePool");
    kv(m, "name", np->name);
    map_end(m);
    str(m, "spec");
    map_begin(m);
    str(m, "template");
    map_begin(m);
    int nl = 0;
    for (int l = 0; l < np->n_labels && l < SS_MAX_LABELS; l++)
        nl += strcmp(np->labels[l][0], "karpenter.sh/nodepool") != 0; /* restricted: Karpenter sets it */
    if (nl > 0) {
        str(m, "metadata");
        map_begin(m);
        str(m, "labels");
        map_begin(m);
        for (int l = 0; l < np->n_labels && l < SS_MAX_LABELS; l++)
            if (strcmp(np->labels[l][0], "karpenter.sh/nodepool"))
                kv(m, np->labels[l][0], np->labels[l][1]);
        map_end(m);
        map_end(m);
    }
    str(m, "spec");
    map_begin(m);
    str(m, "nodeClassRef");
    map_begin(m);
    kv(m, "group", "karpenter.k8s.aws");
    kv(m, "kind", "EC2NodeClass");
    kv(m, "name", KARP_NODECLASS);
    map_end(m);
    str(m, "requirements");
    seq_begin(m);
    static const char *const cap_both[] = {"spot", "on-demand"}, *const cap_spot[] = {"spot"},
                             *const cap_od[] = {"on-demand"};
    if (np->capacity_types == SS_KARP_SPOT)
        requirement(m, "karpenter.sh/capacity-type", cap_spot, 1);
    else if (np->capacity_types == SS_KARP_OD)
        requirement(m, "karpenter.sh/capacity-type", cap_od, 1);
    else
        requirement(m, "karpenter.sh/capacity-type", cap_both, 2);
    const char *names[SS_MAX_TYPES > SS_MAX_ZONES ? SS_MAX_TYPES : SS_MAX_ZONES];
    int nt = np->n_types > 0 ? np->n_types : mk->n_types;
    for (int i = 0; i < nt; i++)
        names[i] = mk->types[np->n_types > 0 ? np->type_idx[i] : i].name;
    requirement(m, "node.kubernetes.io/instance-type", names, nt);
    int nz = np->n_zones > 0 ? np->n_zones : mk->n_zones;
    for (int i = 0; i < nz; i++)
        names[i] = mk->zones[np->n_zones > 0 ? np->zone_idx[i] : i];
    requirement(m, "topology.kubernetes.io/zone", names, nz);
    seq_end(m);
    if (np->expire_after > 0)
        karp_duration(np->expire_after, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "Never");
    kv(m, "expireAfter", buf);
    map_end(m); /* template.spec */
    map_end(m); /* template */
    str(m, "disruption");
    map_begin(m);
    kv(m, "consolidationPolicy",
       np->consolidation_policy == SS_KARP_WHEN_EMPTY ? "WhenEmpty" : "WhenEmptyOrUnderutilized");
    karp_duration(np->consolidate_after, buf, sizeof buf);
    kv(m, "consolidateAfter", buf);
    str(m, "budgets");
    seq_begin(m);
    map_begin(m);
    snprintf(buf, sizeof buf, "%d%s", np->budget_nodes, np->budget_percent ? "%" : "");
    kv(m, "nodes", buf); /* a string in the CRD, even for a count */
    map_end(m);
    seq_end(m);
    map_end(m);
    if (np->limit_cpu > 0) {
        str(m, "limits");
        map_begin(m);
        snprintf(buf, sizeof buf, "%lld", (long long)np->limit_cpu);
        if ((double)(long long)np->limit_cpu != np->limit_cpu)
            snprintf(buf, sizeof buf, "%lldm", (long long)(np->limit_cpu * 1000.0 + 0.5));
        kv(m, "cpu", buf);
        map_end(m);
    }
    if (np->weight > 0)
        kn(m, "weight", np->weight);
    map_end(m); /* spec */
    map_end(m);
    doc_end(m);
}

/* The EC2NodeClass the NodePools refer to: what spotsim does not know (the
 * node role, the cluster's discovery tag) is a placeholder. */
static void ec2_node_class(em *m)
{
    object_begin(m, "karpenter.k8s.aws/v1", "EC2NodeClass");
    kv(m, "name", KARP_NODECLASS);
    map_end(m);
    str(m, "spec");
    map_begin(m);
    kv(m, "role", "<karpenter-node-role>");
    str(m, "amiSelectorTerms");
    seq_begin(m);
    map_begin(m);
    kv(m, "alias", "al2023@latest");
    map_end(m);
    seq_end(m);
    const char *terms[2] = {"subnetSelectorTerms", "securityGroupSelectorTerms"};
    for (int i = 0; i < 2; i++) {
        str(m, terms[i]);
        seq_begin(m);
        map_begin(m);
        str(m, "tags");
        map_begin(m);
        kv(m, "karpenter.sh/discovery", "<cluster-name>");
        map_end(m);
        map_end(m);
        seq_end(m);
    }
    map_end(m);
    map_end(m);
    doc_end(m);
}

static int k8s_emit(const ss_scenario *sc, bool workload, bool karpenter, char **out, ss_err *err);

int ss_export_karpenter_yaml(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (sc->orchestrator != SS_ORCH_KUBERNETES || sc->k8s.karpenter.n_pools <= 0)
        return ss_err_set(err, "export: karpenter needs a Kubernetes scenario with kubernetes.karpenter.node_pools");
    return k8s_emit(sc, false, true, out, err);
}

int ss_export_k8s_yaml(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (sc->orchestrator != SS_ORCH_KUBERNETES)
        return ss_err_set(err, "export: k8s-yaml needs a kubernetes scenario (this one is ecs: its tasks "
                               "are not pods)");
    return k8s_emit(sc, true, sc->k8s.provisioner == SS_PROV_KARPENTER, out, err);
}

static int k8s_emit(const ss_scenario *sc, bool workload, bool karpenter, char **out, ss_err *err)
{
    const ss_karpenter *kp = &sc->k8s.karpenter;
    for (int i = 0; karpenter && i < kp->n_pools; i++) {
        const ss_node_pool *np = &kp->pools[i];
        for (int j = 0; j < np->n_types; j++)
            if (np->type_idx[j] < 0 || np->type_idx[j] >= sc->market.n_types)
                return ss_err_set(err, "export: NodePool '%s' type index out of range", np->name);
        for (int j = 0; j < np->n_zones; j++)
            if (np->zone_idx[j] < 0 || np->zone_idx[j] >= sc->market.n_zones)
                return ss_err_set(err, "export: NodePool '%s' zone index out of range", np->name);
        if ((np->n_types == 0 && sc->market.n_types == 0) || (np->n_zones == 0 && sc->market.n_zones == 0))
            return ss_err_set(err, "export: NodePool '%s' has no instance type or zone", np->name);
    }
    *out = NULL;
    for (int g = 0; g < sc->n_asgs; g++) {
        const ss_asg *a = &sc->asgs[g];
        for (int i = 0; i < a->n_types; i++)
            if (a->type_idx[i] < 0 || a->type_idx[i] >= sc->market.n_types)
                return ss_err_set(err, "export: node group '%s' type index out of range", a->name);
        for (int i = 0; i < a->n_zones; i++)
            if (a->zone_idx[i] < 0 || a->zone_idx[i] >= sc->market.n_zones)
                return ss_err_set(err, "export: node group '%s' zone index out of range", a->name);
    }
    em m;
    ss_buf b = {0};
    if (em_open(&m, &b, true, err))
        return -1;
    if (workload) {
        deployment(&m, sc);
        pdb(&m, sc);
    }
    if (karpenter) {
        for (int i = 0; i < kp->n_pools; i++)
            node_pool(&m, sc, &kp->pools[i]);
        ec2_node_class(&m);
    } else {
        cluster_config(&m, sc);
    }
    return em_close(&m, &b, out, err);
}

/* ---- Cluster Autoscaler Helm values ------------------------------------------ */

static const char *expander_flag(ss_expander e)
{
    switch (e) {
    case SS_EXPANDER_RANDOM: return "random";
    case SS_EXPANDER_MOST_PODS: return "most-pods";
    case SS_EXPANDER_PRICE: return "price";
    case SS_EXPANDER_PRIORITY: return "priority";
    case SS_EXPANDER_LEAST_WASTE:
    default: return "least-waste";
    }
}

/* A duration as a Go duration string ("10s", "15m", "90s"). */
static void go_duration(ss_time t, char *buf, size_t n)
{
    long long s = (long long)(t / SS_SECOND);
    if (s > 0 && s % 3600 == 0)
        snprintf(buf, n, "%lldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(buf, n, "%lldm", s / 60);
    else
        snprintf(buf, n, "%llds", s);
}

int ss_export_ca_values(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (sc->orchestrator != SS_ORCH_KUBERNETES)
        return ss_err_set(err, "export: Cluster Autoscaler values need a kubernetes scenario");
    const ss_cluster_autoscaler *ca = &sc->k8s.autoscaler;
    em m;
    ss_buf b = {0};
    if (em_open(&m, &b, false, err))
        return -1;
    doc_begin(&m);
    map_begin(&m);
    /* charts/cluster-autoscaler/values.yaml (kubernetes/autoscaler):
     * cloudProvider, awsRegion, autoDiscovery.clusterName, extraArgs (each
     * key is a command-line flag), expanderPriorities. */
    kv(&m, "cloudProvider", "aws");
    kv(&m, "awsRegion", sc->market.region[0] ? sc->market.region : "<region>");
    str(&m, "autoDiscovery");
    map_begin(&m);
    kv(&m, "clusterName", "<cluster-name>");
    map_end(&m);
    str(&m, "extraArgs");
    map_begin(&m);
    char d[32];
    kv(&m, "expander", expander_flag(ca->expander));
    go_duration(ca->scan_interval, d, sizeof d);
    kv(&m, "scan-interval", d);
    go_duration(ca->max_node_provision_time, d, sizeof d);
    kv(&m, "max-node-provision-time", d);
    go_duration(ca->initial_backoff, d, sizeof d);
    kv(&m, "initial-node-group-backoff-duration", d);
    go_duration(ca->max_backoff, d, sizeof d);
    kv(&m, "max-node-group-backoff-duration", d);
    go_duration(ca->scale_down_unneeded_time, d, sizeof d);
    kv(&m, "scale-down-unneeded-time", d);
    go_duration(ca->scale_down_delay_after_add, d, sizeof d);
    kv(&m, "scale-down-delay-after-add", d);
    char u[32];
    snprintf(u, sizeof u, "%.6g", ca->scale_down_utilization_threshold);
    kv(&m, "scale-down-utilization-threshold", u);
    /* the simulation does not balance similar node groups: the flag is
     * written as simulated (CA's default, false) */
    kv(&m, "balance-similar-node-groups", "false");
    map_end(&m);
    if (ca->expander == SS_EXPANDER_PRIORITY && sc->n_asgs > 0) {
        /* priority -> list of node-group name regexes (expander/priority/
         * readme.md); higher wins. Every node group is listed under its
         * own priority. */
        str(&m, "expanderPriorities");
        map_begin(&m);
        int done[SS_MAX_ASGS] = {0};
        for (int g = 0; g < sc->n_asgs; g++) {
            if (done[g])
                continue;
            char pr[32];
            snprintf(pr, sizeof pr, "%d", sc->asgs[g].priority);
            str(&m, pr);
            seq_begin(&m);
            for (int h = g; h < sc->n_asgs; h++)
                if (!done[h] && sc->asgs[h].priority == sc->asgs[g].priority) {
                    char re[SS_NAME_MAX + 24];
                    /* eksctl names the ASG eksctl-CLUSTER-nodegroup-NAME-NodeGroup-ID */
                    snprintf(re, sizeof re, ".*-nodegroup-%s-.*", sc->asgs[h].name);
                    str(&m, re);
                    done[h] = 1;
                }
            seq_end(&m);
        }
        map_end(&m);
    }
    map_end(&m);
    doc_end(&m);
    return em_close(&m, &b, out, err);
}

/* A settings duration as Go's time.ParseDuration reads it ("1s", "10s",
 * "1500ms"). */
static void settings_duration(ss_time t, char *buf, size_t n)
{
    if (t % SS_SECOND)
        snprintf(buf, n, "%lldms", (long long)t);
    else
        karp_duration(t, buf, n);
}

int ss_export_karpenter_values(const ss_scenario *sc, char **out, ss_err *err)
{
    *out = NULL;
    if (sc->orchestrator != SS_ORCH_KUBERNETES || sc->k8s.provisioner != SS_PROV_KARPENTER)
        return ss_err_set(err, "export: Karpenter values need a kubernetes scenario with provisioner karpenter");
    const ss_karpenter *kp = &sc->k8s.karpenter;
    em m;
    ss_buf b = {0};
    if (em_open(&m, &b, false, err))
        return -1;
    doc_begin(&m);
    map_begin(&m);
    /* charts/karpenter/values.yaml (aws/karpenter-provider-aws): settings
     * (the controller's BATCH_*_DURATION, INTERRUPTION_QUEUE, FEATURE_GATES
     * options, kubernetes-sigs/karpenter pkg/operator/options/options.go) */
    str(&m, "settings");
    map_begin(&m);
    kv(&m, "clusterName", "<cluster-name>");
    /* interruption handling is on exactly when the queue is set */
    kv(&m, "interruptionQueue", kp->interruption_handling ? "<interruption-queue>" : "");
    char d[32];
    settings_duration(kp->batch_idle, d, sizeof d);
    kv(&m, "batchIdleDuration", d);
    settings_duration(kp->batch_max, d, sizeof d);
    kv(&m, "batchMaxDuration", d);
    str(&m, "featureGates");
    map_begin(&m);
    str(&m, "spotToSpotConsolidation");
    boolean(&m, kp->spot_to_spot);
    map_end(&m);
    map_end(&m);
    map_end(&m);
    doc_end(&m);
    return em_close(&m, &b, out, err);
}
