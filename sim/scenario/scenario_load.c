/*
 * scenario_load.c - the scenario file: key tables, reader, ss_scenario_set,
 * validation and the canonical hash (API in sim/scenario/scenario_io.h).
 *
 * Every key of the YAML file is one row of a table below (name, type, range,
 * default, AWS name, description); the engine in sim/scenario/yaml_bind.c reads,
 * writes and walks them. docs/scenario.md is generated from these rows and a
 * test keeps the two in step, so a new key means: add the struct field
 * (models/scenario.h), its default (models/scenario.c), one row here.
 *
 * Names used in keys mirror the AWS/ECS/Kubernetes API names in snake_case
 * (OnDemandBaseCapacity -> on_demand_base_capacity, targetCapacity ->
 * target_capacity, maxSkew -> max_skew) so that users can copy values from
 * their real configuration.
 */
#include "sim/scenario/scenario_io.h"
#include "sim/kernel/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/store.h"
#include "models/metrics.h"
#include "policies/fleet_policy.h"
#include "sim/scenario/yaml_bind.h"
#include "sim/scenario/limits.h"
#include "sim/scenario/names.h"

#define BIG 1e18

/* ---- Row macros ----------------------------------------------------------- */
#define FSIZE(T, f) sizeof(((T *)0)->f)
#define FLEN(T, f) ((int)(sizeof(((T *)0)->f) / sizeof(((T *)0)->f[0])))

/* One row: a key bound to field f of struct T; the extras (designated
 * initialisers) say what its kind needs. */
#define KROW(knd, T, f, nm, td, df, aw, dc, ...)                                                \
    {.name = nm, .kind = knd, .off = offsetof(T, f), .type_doc = td, .def = df, .aws = aw,     \
     .doc = dc, __VA_ARGS__}
#define KI(T, f, nm, l, h, df, aw, dc) KROW(SS_B_INT, T, f, nm, "integer", df, aw, dc, .lo = l, .hi = h)
#define KIN(T, f, nm, l, h, df, aw, dc)                                                         \
    KROW(SS_B_INT, T, f, nm, "integer or -1", df, aw, dc, .lo = l, .hi = h, .flags = SS_BF_OPTNEG)
#define KP(T, f, nm, l, h, df, aw, dc)                                                          \
    KROW(SS_B_PERCENT, T, f, nm, "percent (20 or \"20%\")", df, aw, dc, .lo = l, .hi = h)
#define KPN(T, f, nm, l, h, df, aw, dc)                                                         \
    KROW(SS_B_PERCENT, T, f, nm, "percent or -1", df, aw, dc, .lo = l, .hi = h,                 \
         .flags = SS_BF_OPTNEG)
#define KD(T, f, nm, l, h, df, aw, dc) KROW(SS_B_DOUBLE, T, f, nm, "number", df, aw, dc, .lo = l, .hi = h)
#define KF(T, f, nm, df, aw, dc)                                                                \
    KROW(SS_B_DOUBLE, T, f, nm, "fraction (0.95 or \"95%\")", df, aw, dc, .lo = 0, .hi = 1,     \
         .flags = SS_BF_FRACTION)
#define KB(T, f, nm, df, aw, dc) KROW(SS_B_BOOL, T, f, nm, "bool", df, aw, dc, .flags = 0)
#define KS(T, f, nm, df, aw, dc) KROW(SS_B_STR, T, f, nm, "string", df, aw, dc, .size = FSIZE(T, f))
#define KSX(T, f, nm, fl, df, aw, dc)                                                           \
    KROW(SS_B_STR, T, f, nm, "string", df, aw, dc, .size = FSIZE(T, f), .flags = fl)
/* a name with an API rule (sim/scenario/names.h) */
#define KSN(T, f, nm, chk, df, aw, dc)                                                          \
    KROW(SS_B_STR, T, f, nm, "string", df, aw, dc, .size = FSIZE(T, f), .check = chk)
#define KDUR(T, f, nm, l, h, df, aw, dc)                                                        \
    KROW(SS_B_DURATION, T, f, nm, "duration", df, aw, dc, .lo = l, .hi = h)
#define KT(T, f, nm, df, aw, dc) KROW(SS_B_TIME, T, f, nm, "timestamp", df, aw, dc, .flags = 0)
#define KE(T, f, nm, nms, df, aw, dc)                                                           \
    KROW(SS_B_ENUM, T, f, nm, "enum", df, aw, dc, .size = FSIZE(T, f), .names = nms)
#define KDIST(T, f, nm, df, aw, dc)                                                             \
    KROW(SS_B_DIST, T, f, nm, "duration or distribution", df, aw, dc, .flags = 0)
#define KSL(T, f, cnt, nm, df, aw, dc)                                                          \
    KROW(SS_B_STRLIST, T, f, nm, "list of strings", df, aw, dc, .size = FSIZE(T, f[0]),         \
         .count_off = offsetof(T, cnt), .max = FLEN(T, f))
#define KSEC(T, f, nm, sb, fl, dc) KROW(SS_B_SECTION, T, f, nm, "mapping", "", "", dc, .sub = &sb, .flags = fl)
#define KSEC0(nm, sb, fl, dc)                                                                   \
    {.name = nm, .kind = SS_B_SECTION, .off = 0, .sub = &sb, .flags = fl, .type_doc = "mapping", \
     .def = "", .aws = "", .doc = dc}
#define KLIST(T, f, cnt, nm, sb, in, fi, sk, fl, aw, dc)                                        \
    KROW(SS_B_LIST, T, f, nm, "list of mappings", "[]", aw, dc, .size = FSIZE(T, f[0]),          \
         .count_off = offsetof(T, cnt), .max = FLEN(T, f), .sub = &sb, .init = in, .fin = fi,   \
         .scalar_key = sk, .flags = fl)
#define KC(nm, f, w, fl, td, df, aw, dc)                                                        \
    {.name = nm, .kind = SS_B_CUSTOM, .fn = f, .write = w, .flags = fl, .type_doc = td,        \
     .def = df, .aws = aw, .doc = dc}
/* A custom key whose value is rows of name cells (see rows_write). */
#define KROWS(T, fld, cnt, mx, width, nm, f, td, df, aw, dc)                                    \
    KROW(SS_B_CUSTOM, T, fld, nm, td, df, aw, dc, .fn = f, .write = rows_write, .count_off = cnt, \
         .max = mx, .size = width)
/* A key naming an ASG, stored as its index in field f (see asg_ref_fn). */
#define KASG(T, f, nm, td, df, aw, dc)                                                          \
    KROW(SS_B_CUSTOM, T, f, nm, td, df, aw, dc, .fn = asg_ref_fn, .write = asg_ref_write)
/* A list of market types (which 0) or zones (which 1) by name, stored as
 * indices in field f with its count in cnt (see market_names_fn). */
#define KNAMES(T, f, cnt, which, nm, td, df, aw, dc)                                             \
    KROW(SS_B_CUSTOM, T, f, nm, td, df, aw, dc, .fn = market_names_fn,                          \
         .write = market_names_write, .count_off = offsetof(T, cnt), .size = which)
#define SECTION(var, nm, arr, T)                                                                \
    static const ss_bind_section var = {nm, arr, SS_ARRAY_LEN(arr), sizeof(T)}

/* ---- Enum spellings (index = C enum value; "canonical|alias") -------------- */
static const char *const orch_names[] = {"ecs", "kubernetes|k8s", NULL};
static const char *const interrupt_names[] = {"none", "replay", "trace", "stochastic",
                                              "max-price", NULL};
static const char *const uncovered_names[] = {"refuse", "fill", NULL};

/* market.interruptions: one of interrupt_names, or {model: NAME} naming a
 * model fitted by `spotsim fit` (docs/fit.md). */
static int interruptions_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                            const ss_bind_value *v)
{
    (void)k;
    ss_market *m = base;
    if (v->text) {
        if (!strncmp(v->text, "model:", 6)) { /* the canonical writer's form */
            const char *name = v->text + 6;
            if (!name[0] || strlen(name) >= sizeof m->interrupt_model)
                return ss_bind_fail(c, v, "expected a model name after 'model:'");
            snprintf(m->interrupt_model, sizeof m->interrupt_model, "%s", name);
            m->interruptions = SS_INTERRUPT_MODEL;
            return 0;
        }
        int idx = ss_bind_enum_lookup(interrupt_names, v->text);
        if (idx < 0) {
            const char *sug = ss_bind_suggest(v->text, ss_bind_names_at, interrupt_names, SIZE_MAX);
            if (sug)
                return ss_bind_fail(c, v, "unknown value '%s' (did you mean '%s'?)", v->text, sug);
            return ss_bind_fail(c, v,
                                "unknown value '%s' (expected one of: none, replay, trace,"
                                " stochastic, max-price, or {model: NAME})",
                                v->text);
        }
        m->interruptions = (ss_interruption_source)idx;
        m->interrupt_model[0] = '\0';
        return 0;
    }
    if (!v->node || v->node->type != YAML_MAPPING_NODE)
        return ss_bind_fail(c, v, "expected a source name or {model: NAME}");
    const char *name = NULL;
    for (yaml_node_pair_t *pr = v->node->data.mapping.pairs.start;
         pr < v->node->data.mapping.pairs.top; pr++) {
        ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, pr->key));
        ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, pr->value));
        if (!kv.text || strcmp(kv.text, "model"))
            return ss_bind_fail(c, &kv, "unknown key '%s' (expected 'model')",
                                kv.text ? kv.text : "?");
        if (!vv.text || !vv.text[0])
            return ss_bind_fail(c, &vv, "expected the name of a fitted model");
        name = vv.text;
    }
    if (!name)
        return ss_bind_fail(c, v, "expected {model: NAME}");
    if (strlen(name) >= sizeof m->interrupt_model)
        return ss_bind_fail(c, v, "model name longer than %zu characters",
                            sizeof m->interrupt_model - 1);
    snprintf(m->interrupt_model, sizeof m->interrupt_model, "%s", name);
    m->interruptions = SS_INTERRUPT_MODEL;
    return 0;
}

static void interruptions_write(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                                ss_buf *out)
{
    (void)sc;
    (void)k;
    const ss_market *m = base;
    if (m->interruptions == SS_INTERRUPT_MODEL)
        ss_buf_printf(out, "model:%s", m->interrupt_model);
    else
        ss_buf_printf(out, "%s",
                      (int)m->interruptions >= 0 && (int)m->interruptions < 5
                          ? interrupt_names[m->interruptions]
                          : "?");
}
static const char *const spot_alloc_names[] = {"lowest-price", "capacity-optimized",
                                               "capacity-optimized-prioritized",
                                               "price-capacity-optimized", NULL};
static const char *const od_alloc_names[] = {"prioritized", "lowest-price", NULL};
static const char *const az_dist_names[] = {"balanced-best-effort", "balanced-only", NULL};
static const char *const term_names[] = {"Default", "AllocationStrategy", "OldestLaunchTemplate",
                                         "ClosestToNextInstanceHour", "NewestInstance",
                                         "OldestInstance", NULL};
static const char *const place_kind_names[] = {"spread", "binpack", "random", NULL};
static const char *const place_field_names[] = {
    "attribute:ecs.availability-zone|availability-zone|zone", "instanceId|host|instance-id",
    "attribute:ecs.instance-type|instance-type", "cpu", "memory", "none", NULL};
static const char *const expander_names[] = {"random", "most-pods", "least-waste", "price",
                                             "priority", NULL};
static const char *const unsat_names[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
static const char *const affinity_names[] = {"Honor", "Ignore", NULL};
static const char *const taints_policy_names[] = {"Ignore", "Honor", NULL};
static const char *const method_names[] = {"auto", "grid", "lhs", "random", "nsga2|nsga-ii",
                                           NULL};
static const char *const provisioner_names[] = {"cluster-autoscaler|ca", "karpenter", NULL};
static const char *const karp_capacity_names[] = {"spot-and-on-demand|spot,on-demand|both", "spot",
                                                  "on-demand", NULL};
static const char *const karp_consolidation_names[] = {"WhenEmptyOrUnderutilized", "WhenEmpty", NULL};
static const char *const trigger_names[] = {"launch-failures", "interruptions", "either", NULL};
static const char *const spot_place_names[] = {"asg|round-robin", "spothedge", NULL};
static const char *const taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

/* ---- Custom handlers ----------------------------------------------------- */

static const char *type_name_at(const void *sc, size_t i)
{
    return ((const ss_scenario *)sc)->market.types[i].name;
}
static const char *zone_name_at(const void *sc, size_t i)
{
    return ((const ss_scenario *)sc)->market.zones[i];
}
static const char *asg_name_at(const void *sc, size_t i)
{
    return ((const ss_scenario *)sc)->asgs[i].name;
}
static const char *metric_name_at(const void *unused, size_t i)
{
    (void)unused;
    return i < SS_METRIC_COUNT ? ss_metric_table[i].name : NULL;
}

/* Items of a sequence (a scalar counts as a one-item list), bounded by max. */
static int seq_items(ss_bind_ctx *c, const ss_bind_value *v, int max, ss_bind_value *items,
                     int *n)
{
    if (v->text) {
        if (!v->text[0]) { /* `key:` with nothing = empty list */
            *n = 0;
            return 0;
        }
        items[0] = *v;
        *n = 1;
        return 0;
    }
    size_t cnt;
    yaml_node_item_t *it = ss_bind_seq(v, &cnt);
    if (!it)
        return ss_bind_fail(c, v, "expected a sequence, got a mapping");
    if (cnt > (size_t)max)
        return ss_bind_fail(c, v, "too many items (%zu, at most %d)", cnt, max);
    for (size_t i = 0; i < cnt; i++) {
        items[i] = ss_bind_node(v, yaml_document_get_node(v->doc, it[i]));
        if (!items[i].text)
            return ss_bind_fail(c, &items[i], "expected a name in the list");
    }
    *n = (int)cnt;
    return 0;
}

/* asg.instance_types / asg.zones: names resolved to market indices. */
static int bind_name_indices(ss_bind_ctx *c, const ss_bind_value *v, int *idx, int *count,
                             int max, ss_bind_name_at at, int n_names, const char *what)
{
    ss_bind_value items[SS_MAX_TYPES];
    int n, out[SS_MAX_TYPES];
    if (seq_items(c, v, max, items, &n))
        return -1;
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int j = 0; j < n_names; j++)
            if (!strcmp(at(c->sc, (size_t)j), items[i].text))
                found = j;
        if (found < 0) {
            const char *sug = ss_bind_suggest(items[i].text, at, c->sc, (size_t)n_names);
            if (n_names == 0)
                return ss_bind_fail(c, &items[i], "unknown %s '%s' (market.%ss is empty)", what,
                                    items[i].text, what);
            if (sug)
                return ss_bind_fail(c, &items[i],
                                    "unknown %s '%s' (did you mean '%s'?)", what, items[i].text,
                                    sug);
            return ss_bind_fail(c, &items[i], "unknown %s '%s' (not in market.%ss)", what,
                                items[i].text, what);
        }
        for (int j = 0; j < i; j++)
            if (out[j] == found)
                return ss_bind_fail(c, &items[i], "duplicate %s '%s'", what, items[i].text);
        out[i] = found;
    }
    memcpy(idx, out, (size_t)n * sizeof *idx);
    *count = n;
    return 0;
}

/* A list of market instance types (k->size 0) or zones (k->size 1) by name,
 * stored as indices: an int array at k->off, its count at k->count_off
 * (asgs[].instance_types/zones, node pools' instance_types/zones). */
static int market_names_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    int *idx = (int *)(void *)((char *)base + k->off);
    int *count = (int *)(void *)((char *)base + k->count_off);
    return k->size == 0 ? bind_name_indices(c, v, idx, count, SS_MAX_TYPES, type_name_at,
                                            c->sc->market.n_types, "instance_type")
                        : bind_name_indices(c, v, idx, count, SS_MAX_ZONES, zone_name_at,
                                            c->sc->market.n_zones, "zone");
}

static void market_names_write(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                               ss_buf *out)
{
    const int *idx = (const int *)(const void *)((const char *)base + k->off);
    int n = *(const int *)(const void *)((const char *)base + k->count_off);
    bool types = k->size == 0;
    int max = types ? SS_MAX_TYPES : SS_MAX_ZONES;
    int n_names = types ? sc->market.n_types : sc->market.n_zones;
    ss_buf_printf(out, "[");
    for (int i = 0; i < n && i < max; i++)
        ss_buf_printf(out, "%s%s", i ? "," : "",
                      idx[i] >= 0 && idx[i] < n_names
                          ? (types ? type_name_at : zone_name_at)(sc, (size_t)idx[i])
                          : "?");
    ss_buf_printf(out, "]");
}

/* A count ("3") or a percentage ("50%") in [min, 1000000] (percent: to 100):
 * *x and *pct, or a message naming what was expected. */
static int count_or_percent(ss_bind_ctx *c, const ss_bind_value *v, long long min,
                            const char *what, long long *x, bool *pct)
{
    if (!v->text)
        return ss_bind_fail(c, v, "expected %s or a percentage", what);
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v->text);
    size_t n = strlen(buf);
    *pct = n > 0 && buf[n - 1] == '%';
    if (*pct)
        buf[n - 1] = '\0';
    if (ss_bind_parse_int(buf, x) || *x < min || (*pct && (*x < 0 || *x > 100)) || *x > 1000000)
        return ss_bind_fail(c, v, "expected %s >= 0 or a percentage 0%%..100%%, got '%s'", what,
                            v->text);
    return 0;
}

/* spec.disruption.budgets[0].nodes: "10%" or a node count. */
static int budget_nodes_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_node_pool *np = base;
    long long x = 0;
    bool pct = false;
    if (count_or_percent(c, v, 0, "a node count", &x, &pct))
        return -1;
    np->budget_nodes = (int)x;
    np->budget_percent = pct;
    return 0;
}

static void budget_nodes_write(const ss_scenario *sc, const ss_bind_key *k, const void *base, ss_buf *out)
{
    (void)sc, (void)k;
    const ss_node_pool *np = base;
    ss_buf_printf(out, "%d%s", np->budget_nodes, np->budget_percent ? "%" : "");
}

static int term_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_asg *a = base;
    ss_bind_value items[4];
    int n, out[4];
    if (seq_items(c, v, 4, items, &n))
        return -1;
    if (n == 0)
        return ss_bind_fail(c, v, "needs at least one policy (the API default is [Default])");
    for (int i = 0; i < n; i++) {
        out[i] = ss_bind_enum_lookup(term_names, items[i].text);
        if (out[i] < 0) {
            const char *sug = ss_bind_suggest(items[i].text, ss_bind_names_at, term_names,
                                              SIZE_MAX);
            return ss_bind_fail(c, &items[i], "unknown termination policy '%s'%s%s%s",
                                items[i].text, sug ? " (did you mean '" : "", sug ? sug : "",
                                sug ? "'?)" : "");
        }
        if (out[i] == SS_TERM_DEFAULT && i != n - 1)
            return ss_bind_fail(c, &items[i], "Default must be the last termination policy");
    }
    for (int i = 0; i < n; i++)
        a->termination_policies[i] = (ss_termination_policy)out[i];
    a->n_termination_policies = n;
    return 0;
}

static void term_write(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                       ss_buf *out)
{
    (void)sc, (void)k;
    const ss_asg *a = base;
    ss_buf_printf(out, "[");
    for (int i = 0; i < a->n_termination_policies && i < 4; i++) {
        int t = (int)a->termination_policies[i];
        ss_buf_printf(out, "%s%s", i ? "," : "", t >= 0 && t < 6 ? term_names[t] : "?");
    }
    ss_buf_printf(out, "]");
}

static int copy_name(ss_bind_ctx *c, const ss_bind_value *v, char *dst, size_t cap)
{
    if (!v->text)
        return ss_bind_fail(c, v, "expected a string");
    size_t n = strlen(v->text);
    if (n >= cap)
        return ss_bind_fail(c, v, "text too long (%zu characters, at most %zu)", n, cap - 1);
    memset(dst, 0, cap);
    memcpy(dst, v->text, n);
    return 0;
}

static int bind_labels(ss_bind_ctx *c, const ss_bind_value *v, char (*labels)[2][SS_NAME_MAX],
                       int *n_labels);

static int labels_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_asg *a = base;
    return bind_labels(c, v, a->labels, &a->n_labels);
}

/* kubernetes.karpenter.node_pools[].labels (spec.template.metadata.labels) */
static int pool_labels_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_node_pool *np = base;
    return bind_labels(c, v, np->labels, &np->n_labels);
}

static int bind_labels(ss_bind_ctx *c, const ss_bind_value *v, char (*labels)[2][SS_NAME_MAX],
                       int *n_labels)
{
    if (v->text && !v->text[0]) {
        *n_labels = 0;
        return 0;
    }
    if (!v->node || v->node->type != YAML_MAPPING_NODE)
        return ss_bind_fail(c, v, "expected a mapping of label: value");
    yaml_node_pair_t *p0 = v->node->data.mapping.pairs.start, *p1 = v->node->data.mapping.pairs.top;
    if (p1 - p0 > SS_MAX_LABELS)
        return ss_bind_fail(c, v, "too many labels (at most %d)", SS_MAX_LABELS);
    char tmp[SS_MAX_LABELS][2][SS_NAME_MAX];
    int n = 0;
    for (yaml_node_pair_t *p = p0; p < p1; p++, n++) {
        ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, p->key));
        ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, p->value));
        if (copy_name(c, &kv, tmp[n][0], SS_NAME_MAX) || copy_name(c, &vv, tmp[n][1], SS_NAME_MAX))
            return -1;
        for (int j = 0; j < n; j++)
            if (!strcmp(tmp[j][0], tmp[n][0]))
                return ss_bind_fail(c, &kv, "duplicate label '%s'", tmp[n][0]);
    }
    memcpy(labels, tmp, sizeof tmp);
    *n_labels = n;
    return 0;
}

/* The canonical text of a key whose value is rows of NUL-padded name cells
 * ([max][width][SS_NAME_MAX] at k->off; k->size = width; the row count at
 * k->count_off, or one row when that is 0): cells joined by "=" then ":",
 * rows by ",". Labels "k=v", taints "k=v:Effect", the node selector "k=v". */
static void rows_write(const ss_scenario *sc, const ss_bind_key *k, const void *base, ss_buf *out)
{
    (void)sc;
    const char *cells = (const char *)base + k->off;
    int width = (int)k->size;
    int n = k->count_off ? *(const int *)(const void *)((const char *)base + k->count_off) : 1;
    if (n > k->max)
        n = k->max;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < width; j++)
            ss_buf_printf(out, "%s%s", j ? (j == 1 ? "=" : ":") : (i ? "," : ""),
                          cells + ((size_t)i * (size_t)width + (size_t)j) * SS_NAME_MAX);
}

/* Taints as "key=value:Effect" or "key:Effect" (kubectl taint syntax). */
static int taints_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_asg *a = base;
    ss_bind_value items[SS_MAX_TAINTS];
    int n;
    char tmp[SS_MAX_TAINTS][3][SS_NAME_MAX];
    if (seq_items(c, v, SS_MAX_TAINTS, items, &n))
        return -1;
    memset(tmp, 0, sizeof tmp);
    for (int i = 0; i < n; i++) {
        const char *s = items[i].text;
        const char *colon = strrchr(s, ':');
        const char *eq = strchr(s, '=');
        if (!colon || colon == s || (eq && eq > colon))
            return ss_bind_fail(c, &items[i],
                                "taint '%s' must be key=value:Effect or key:Effect", s);
        int eff = ss_bind_enum_lookup(taint_effects, colon + 1);
        if (eff < 0)
            return ss_bind_fail(c, &items[i],
                                "unknown taint effect '%s' (NoSchedule, PreferNoSchedule, "
                                "NoExecute)",
                                colon + 1);
        size_t kl = (size_t)((eq ? eq : colon) - s);
        size_t vl = eq ? (size_t)(colon - eq - 1) : 0;
        if (kl >= SS_NAME_MAX || vl >= SS_NAME_MAX)
            return ss_bind_fail(c, &items[i], "taint key or value too long");
        memcpy(tmp[i][0], s, kl);
        if (eq)
            memcpy(tmp[i][1], eq + 1, vl);
        snprintf(tmp[i][2], SS_NAME_MAX, "%s", taint_effects[eff]);
    }
    memcpy(a->taints, tmp, sizeof tmp);
    a->n_taints = n;
    return 0;
}

/* A reference to an ASG by name, stored as its index (an int at k->off):
 * capacity_providers[].asg, policy.group. */
static int asg_ref_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    int *idx = (int *)(void *)((char *)base + k->off);
    if (!v->text)
        return ss_bind_fail(c, v, "expected the name of an ASG");
    for (int i = 0; i < c->sc->n_asgs; i++)
        if (!strcmp(c->sc->asgs[i].name, v->text)) {
            *idx = i;
            return 0;
        }
    const char *sug = ss_bind_suggest(v->text, asg_name_at, c->sc, (size_t)c->sc->n_asgs);
    if (sug)
        return ss_bind_fail(c, v, "unknown ASG '%s' (did you mean '%s'?)", v->text, sug);
    return ss_bind_fail(c, v, "unknown ASG '%s' (define it under asg: or asgs:)", v->text);
}

static void asg_ref_write(const ss_scenario *sc, const ss_bind_key *k, const void *base, ss_buf *out)
{
    int i = *(const int *)(const void *)((const char *)base + k->off);
    ss_buf_printf(out, "%s", i >= 0 && i < sc->n_asgs ? sc->asgs[i].name : i < 0 ? "none" : "?");
}

/* policy.preset: a named published policy; sets the fields it names (keys
 * given after it in the file override them). */
static int policy_preset_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    if (!v->text || ss_fp_preset(base, v->text))
        return ss_bind_fail(c, v, "unknown preset '%s' (none, round-robin, spothedge, spothedge-fallback)",
                            v->text ? v->text : "a collection");
    return 0;
}

/* pdb.min_available: an integer, or "50%" (sets min_available_percent). */
static int pdb_min_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_deployment *d = base;
    long long x = 0;
    bool pct = false;
    if (count_or_percent(c, v, -1, "an integer", &x, &pct))
        return -1;
    if (pct) {
        d->pdb_min_available_pct = (int)x;
        d->pdb_min_available = -1;
    } else {
        d->pdb_min_available = (int)x;
        if (x >= 0)
            d->pdb_min_available_pct = -1;
    }
    return 0;
}

static void pdb_min_write(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                          ss_buf *out)
{
    (void)sc, (void)k;
    ss_buf_printf(out, "%d", ((const ss_deployment *)base)->pdb_min_available);
}

/* node_selector: {key: value} (one pair) or "key=value". */
static int node_selector_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                            const ss_bind_value *v)
{
    (void)k;
    ss_deployment *d = base;
    char key[SS_NAME_MAX] = "", val[SS_NAME_MAX] = "";
    if (v->text) {
        const char *eq = strchr(v->text, '=');
        if (v->text[0] && (!eq || eq == v->text))
            return ss_bind_fail(c, v, "expected key=value or {key: value}, got '%s'", v->text);
        if (eq) {
            size_t kl = (size_t)(eq - v->text);
            if (kl >= SS_NAME_MAX || strlen(eq + 1) >= SS_NAME_MAX)
                return ss_bind_fail(c, v, "node selector too long");
            memcpy(key, v->text, kl);
            key[kl] = '\0';
            snprintf(val, sizeof val, "%s", eq + 1);
        }
    } else if (v->node && v->node->type == YAML_MAPPING_NODE) {
        yaml_node_pair_t *p0 = v->node->data.mapping.pairs.start;
        yaml_node_pair_t *p1 = v->node->data.mapping.pairs.top;
        if (p1 - p0 > 1)
            return ss_bind_fail(c, v, "only one node selector label is supported");
        if (p1 > p0) {
            ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, p0->key));
            ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, p0->value));
            if (copy_name(c, &kv, key, sizeof key) || copy_name(c, &vv, val, sizeof val))
                return -1;
        }
    } else {
        return ss_bind_fail(c, v, "expected key=value or {key: value}");
    }
    memset(d->node_selector, 0, sizeof d->node_selector);
    memcpy(d->node_selector[0], key, sizeof key);
    memcpy(d->node_selector[1], val, sizeof val);
    return 0;
}

static int number_pair(ss_bind_ctx *c, const ss_bind_value *v, double *a, double *b)
{
    size_t n;
    yaml_node_item_t *it = ss_bind_seq(v, &n);
    if (!it || n != 2)
        return ss_bind_fail(c, v, "expected a pair [a, b]");
    double x[2];
    for (size_t i = 0; i < 2; i++) {
        ss_bind_value iv = ss_bind_node(v, yaml_document_get_node(v->doc, it[i]));
        if (!iv.text || ss_bind_parse_double(iv.text, &x[i]))
            return ss_bind_fail(c, &iv, "expected a number");
    }
    *a = x[0];
    *b = x[1];
    return 0;
}

static int beta_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_market *m = base;
    double a = 0, b = 0;
    if (number_pair(c, v, &a, &b))
        return -1;
    if (a <= 0 || b <= 0)
        return ss_bind_fail(c, v, "Beta parameters must be > 0");
    m->burst_beta_a = a;
    m->burst_beta_b = b;
    return 0;
}

static void beta_write(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                       ss_buf *out)
{
    (void)sc, (void)k;
    const ss_market *m = base;
    ss_buf_printf(out, "[%.17g,%.17g]", m->burst_beta_a, m->burst_beta_b);
}

/* horizon.duration: end = start + duration (start is applied first). */
static int duration_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    (void)k;
    ss_scenario *sc = base;
    ss_time d;
    if (!v->text || ss_duration_parse(v->text, &d) || d <= 0)
        return ss_bind_fail(c, v, "expected a positive duration like 30d, got '%s'",
                            v->text ? v->text : "a collection");
    if (sc->start == 0)
        return ss_bind_fail(c, v, "horizon.duration needs horizon.start");
    if (c->file && sc->end != 0 && sc->end != sc->start + d)
        return ss_bind_fail(c, v, "give horizon.end or horizon.duration, not both");
    sc->end = sc->start + d;
    return 0;
}

/* ---- Search block ---------------------------------------------------------- */

static int is_integer_key(const ss_bind_key *k)
{
    return k->kind == SS_B_INT || k->kind == SS_B_PERCENT || k->kind == SS_B_U64;
}

static int search_path_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                          const ss_bind_value *v)
{
    (void)k;
    ss_search_param *p = base;
    if (copy_name(c, v, p->path, sizeof p->path))
        return -1;
    const ss_bind_key *key;
    void *b;
    ss_err e;
    if (ss_bind_resolve(ss_scenario_root_section(), NULL, p->path, &key, NULL, &b, &e))
        return ss_bind_fail(c, v, "%s", e.msg);
    if (!strncmp(p->path, "search.", 7) || key->kind == SS_B_SECTION ||
        (key->kind == SS_B_LIST && !(key->flags & SS_BF_SINGLE)))
        return ss_bind_fail(c, v, "'%s' cannot be searched (use a key with a value)", p->path);
    p->integer = is_integer_key(key);
    return 0;
}

/* A copy of the scenario read so far, reused across the search block (the
 * struct is large: allocating it per parameter would dominate load time). */
static ss_scenario *scratch_copy(ss_bind_ctx *c)
{
    if (!c->scratch)
        c->scratch = ss_malloc(sizeof *c->scratch);
    memcpy(c->scratch, c->sc, sizeof *c->scratch);
    return c->scratch;
}

/* Check that value text is accepted by ss_scenario_set for the param path,
 * on a scratch copy of the scenario read so far. */
static int check_value(ss_bind_ctx *c, const ss_bind_value *at, ss_scenario *scratch,
                       const char *path, const char *text)
{
    ss_err e;
    if (ss_scenario_set(scratch, path, text, &e))
        return ss_bind_fail(c, at, "value '%s' rejected: %s", text, e.msg);
    return 0;
}

static int search_values_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                            const ss_bind_value *v)
{
    (void)k;
    ss_search_param *p = base;
    size_t n;
    yaml_node_item_t *it = ss_bind_seq(v, &n);
    if (!it || n == 0)
        return ss_bind_fail(c, v, "expected a non-empty sequence of values");
    if (n > SS_MAX_SEARCH_VALUES)
        return ss_bind_fail(c, v, "too many values (%zu, at most %d)", n, SS_MAX_SEARCH_VALUES);
    if (!p->path[0])
        return ss_bind_fail(c, v, "needs 'path'");
    ss_scenario *scratch = scratch_copy(c);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        ss_bind_value iv = ss_bind_node(v, yaml_document_get_node(v->doc, it[i]));
        char text[SS_NAME_MAX];
        size_t mark = ss_bind_push(c, NULL, (int)i);
        if (iv.text) {
            if (strlen(iv.text) >= sizeof text)
                rc = ss_bind_fail(c, &iv, "value too long (at most %d characters)",
                                  SS_NAME_MAX - 1);
            else
                snprintf(text, sizeof text, "%s", iv.text);
        } else {
            /* A sequence value (e.g. a set of instance types) is kept as flow text. */
            size_t m;
            yaml_node_item_t *jt = ss_bind_seq(&iv, &m);
            ss_buf sb = {0};
            ss_buf_printf(&sb, "[");
            for (size_t j = 0; jt && j < m && !rc; j++) {
                ss_bind_value jv = ss_bind_node(&iv, yaml_document_get_node(iv.doc, jt[j]));
                if (!jv.text)
                    rc = ss_bind_fail(c, &jv, "nested values must be scalars");
                else
                    ss_buf_printf(&sb, "%s%s", j ? ", " : "", jv.text);
            }
            ss_buf_printf(&sb, "]");
            if (!jt)
                rc = ss_bind_fail(c, &iv, "expected a scalar or a sequence");
            else if (!rc && sb.len >= sizeof text)
                rc = ss_bind_fail(c, &iv, "value too long (at most %d characters as flow text)",
                                  SS_NAME_MAX - 1);
            else if (!rc)
                memcpy(text, sb.s, sb.len + 1);
            free(sb.s);
        }
        if (!rc)
            rc = check_value(c, &iv, scratch, p->path, text);
        if (!rc)
            memcpy(p->values[i], text, sizeof text);
        ss_bind_pop(c, mark);
    }
    if (rc)
        return -1;
    p->n_values = (int)n;
    return 0;
}

static int search_range_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                           const ss_bind_value *v)
{
    (void)k;
    ss_search_param *p = base;
    double lo = 0, hi = 0;
    if (number_pair(c, v, &lo, &hi))
        return -1;
    if (hi < lo)
        return ss_bind_fail(c, v, "range [lo, hi] needs lo <= hi");
    if (!p->path[0])
        return ss_bind_fail(c, v, "needs 'path'");
    ss_scenario *scratch = scratch_copy(c);
    char text[64];
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++) {
        double x = i ? hi : lo;
        if (p->integer)
            snprintf(text, sizeof text, "%.0f", x);
        else
            snprintf(text, sizeof text, "%.17g", x);
        rc = check_value(c, v, scratch, p->path, text);
    }
    if (rc)
        return -1;
    p->is_range = true;
    p->lo = lo;
    p->hi = hi;
    return 0;
}

static int search_param_fin(ss_bind_ctx *c, void *elem, const ss_bind_value *v)
{
    ss_search_param *p = elem;
    if (!p->path[0])
        return ss_bind_fail(c, v, "a search parameter needs 'path'");
    if (p->is_range == (p->n_values > 0))
        return ss_bind_fail(c, v, "give either 'values' or 'range' for '%s'", p->path);
    if (p->step < 0)
        return ss_bind_fail(c, v, "step must be >= 0");
    return 0;
}

static void search_param_init(void *elem)
{
    memset(elem, 0, sizeof(ss_search_param));
}

/* One side of "lhs op rhs": a number or the path of a search parameter with
 * numeric values (what the optimizer can compare, policies/search.c). */
static int constraint_side(const ss_search *s, const char *t, size_t n, char *why, size_t why_n)
{
    char buf[SS_PATH_MAX];
    while (n && isspace((unsigned char)*t)) {
        t++;
        n--;
    }
    while (n && isspace((unsigned char)t[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf) {
        snprintf(why, why_n, "missing operand");
        return -1;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    double x;
    if (!ss_bind_parse_double(buf, &x))
        return 0;
    for (int i = 0; i < s->n_params; i++) {
        const ss_search_param *p = &s->params[i];
        if (strcmp(p->path, buf))
            continue;
        for (int j = 0; j < p->n_values; j++)
            if (ss_bind_parse_double(p->values[j], &x)) {
                snprintf(why, why_n, "parameter '%s' has a non-numeric value '%s'", buf,
                         p->values[j]);
                return -1;
            }
        return 0;
    }
    snprintf(why, why_n, "'%s' is neither a number nor a search parameter path", buf);
    return -1;
}

static int constraints_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                          const ss_bind_value *v)
{
    (void)k;
    ss_search *s = base;
    ss_bind_value items[SS_MAX_CONSTRAINTS];
    int n;
    if (seq_items(c, v, SS_MAX_CONSTRAINTS, items, &n))
        return -1;
    static const char *const ops[] = {"<=", ">=", "<", ">"};
    for (int i = 0; i < n; i++) {
        const char *t = items[i].text;
        const char *at = NULL;
        size_t oplen = 0;
        for (size_t o = 0; o < SS_ARRAY_LEN(ops) && !at; o++) {
            at = strstr(t, ops[o]);
            oplen = strlen(ops[o]);
        }
        char why[SS_PATH_MAX + 128];
        size_t mark = ss_bind_push(c, NULL, i);
        int rc = 0;
        if (!at)
            rc = ss_bind_fail(c, &items[i], "constraint '%s' needs an operator (<=, <, >=, >)", t);
        else if (constraint_side(s, t, (size_t)(at - t), why, sizeof why) ||
                 constraint_side(s, at + oplen, strlen(at + oplen), why, sizeof why))
            rc = ss_bind_fail(c, &items[i], "constraint '%s': %s", t, why);
        else if (strlen(t) >= sizeof s->constraints[0])
            rc = ss_bind_fail(c, &items[i], "constraint too long");
        ss_bind_pop(c, mark);
        if (rc)
            return -1;
    }
    for (int i = 0; i < n; i++)
        snprintf(s->constraints[i], sizeof s->constraints[i], "%s", items[i].text);
    s->n_constraints = n;
    return 0;
}

static int objectives_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                         const ss_bind_value *v)
{
    (void)k;
    ss_search *s = base;
    ss_bind_value items[2];
    int n;
    if (seq_items(c, v, 2, items, &n))
        return -1;
    if (n != 2)
        return ss_bind_fail(c, v, "expected two metric names (cost, availability)");
    for (int i = 0; i < n; i++) {
        /* A leading '-' or '+' is not used: cost metrics are minimised and
         * availability metrics maximised by the optimizer. */
        if (ss_metric_lookup(items[i].text) < 0) {
            const char *sug = ss_bind_suggest(items[i].text, metric_name_at, NULL,
                                              SS_METRIC_COUNT);
            return ss_bind_fail(c, &items[i], "unknown metric '%s'%s%s%s", items[i].text,
                                sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
        }
    }
    for (int i = 0; i < 2; i++)
        snprintf(s->objectives[i], sizeof s->objectives[i], "%s", items[i].text);
    return 0;
}

/* mean | median | min | max | pNN (percentile over replicas). */
static int statistic_fn(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                        const ss_bind_value *v)
{
    (void)k;
    ss_search *s = base;
    if (!v->text)
        return ss_bind_fail(c, v, "expected mean, median, min, max or pNN");
    const char *t = v->text;
    bool ok = !strcmp(t, "mean") || !strcmp(t, "median") || !strcmp(t, "min") ||
              !strcmp(t, "max");
    if (!ok && t[0] == 'p') {
        long long x;
        ok = !ss_bind_parse_int(t + 1, &x) && x >= 1 && x <= 99;
    }
    if (!ok)
        return ss_bind_fail(c, v, "expected mean, median, min, max or pNN (p1..p99), got '%s'",
                            t);
    snprintf(s->statistic, sizeof s->statistic, "%s", t);
    return 0;
}

/* ---- Element defaults and completion ---------------------------------------- */

static void type_init(void *e)
{
    memset(e, 0, sizeof(ss_instance_type));
}
static void outage_init(void *e)
{
    ss_zone_outage *o = e;
    memset(o, 0, sizeof *o);
    o->instances_lost = true;
}
static void asg_init(void *e)
{
    ss_asg *a = e;
    ss_asg_defaults(a);
    a->desired_capacity = -1; /* not given: DesiredCapacity defaults to MinSize */
}
static int asg_fin(ss_bind_ctx *c, void *e, const ss_bind_value *v)
{
    (void)c;
    (void)v;
    ss_asg *a = e;
    if (a->desired_capacity < 0)
        a->desired_capacity = a->min_size;
    return 0;
}
static void pool_init(void *e)
{
    ss_node_pool_defaults(e);
}
static void cp_init(void *e)
{
    ss_capacity_provider_defaults(e);
}
static void placement_init(void *e)
{
    ss_placement *p = e;
    p->kind = SS_PLACE_SPREAD;
    p->field = SS_FIELD_ZONE;
}
static int placement_fin(ss_bind_ctx *c, void *e, const ss_bind_value *v)
{
    ss_placement *p = e;
    if (p->kind == SS_PLACE_RANDOM)
        p->field = SS_FIELD_NONE;
    else if (p->kind == SS_PLACE_BINPACK && p->field != SS_FIELD_CPU &&
             p->field != SS_FIELD_MEMORY)
        return ss_bind_fail(c, v, "binpack needs field: cpu or memory");
    else if (p->kind == SS_PLACE_SPREAD &&
             (p->field == SS_FIELD_CPU || p->field == SS_FIELD_MEMORY || p->field == SS_FIELD_NONE))
        return ss_bind_fail(c, v, "spread needs field: attribute:ecs.availability-zone, "
                                  "instanceId or attribute:ecs.instance-type");
    return 0;
}
static void spread_init(void *e)
{
    ss_spread_constraint *s = e;
    memset(s, 0, sizeof *s);
    snprintf(s->topology_key, sizeof s->topology_key, "topology.kubernetes.io/zone");
    s->max_skew = 1;
}

/* ---- Tables ------------------------------------------------------------------ */

static const ss_bind_key horizon_keys[] = {
    KT(ss_scenario, start, "start", "data span", "",
       "first simulated instant (ISO-8601, UTC if no zone)"),
    KT(ss_scenario, end, "end", "data span", "", "end of the horizon (exclusive)"),
    KC("duration", duration_fn, NULL, 0, "duration", "", "",
       "alternative to end: end = start + duration"),
};
SECTION(horizon_sec, "horizon", horizon_keys, ss_scenario);

static const ss_bind_key type_keys[] = {
    KS(ss_instance_type, name, "name", "(required)", "InstanceType", "instance type, e.g. m5.large"),
    KD(ss_instance_type, vcpu, "vcpu", 0, 4096, "0 (from the store)", "",
       "vCPUs; 0 = look up in the store (Spot Advisor specs)"),
    KD(ss_instance_type, memory_mib, "memory_mib", 0, 1e8, "0 (from the store)", "",
       "memory in MiB; 0 = look up in the store"),
    KI(ss_instance_type, weight, "weight", 0, 999, "0 (unweighted = 1)", "WeightedCapacity",
       "capacity units of one instance (1..999); 0 = unweighted"),
    KD(ss_instance_type, ondemand_usd_per_hour, "on_demand_price", 0, 1e6, "0 (from the store)",
       "", "On-Demand USD/hour; 0 = look up in the store"),
    KD(ss_instance_type, spot_usd_per_hour, "spot_price", 0, 1e6, "0 (from the store)", "",
       "constant Spot USD/hour instead of the store's price history; 0 = look up in the store"),
};
SECTION(type_sec, "market.instance_types[]", type_keys, ss_instance_type);

static const ss_bind_key outage_keys[] = {
    KS(ss_zone_outage, zone, "zone", "(required)", "", "zone that fails (one of market.zones)"),
    KT(ss_zone_outage, start, "start", "(required)", "", "outage start"),
    KT(ss_zone_outage, end, "end", "(required)", "", "outage end (recovery)"),
    KB(ss_zone_outage, instances_lost, "instances_lost", "true", "",
       "true: instances in the zone terminate; false: they stay but are unhealthy"),
    KDUR(ss_zone_outage, flap_period, "flap_period", 0, BIG, "0", "",
         "0 = steady outage; >= 5 s = health flaps with this period (at most 10^6 flaps)"),
};
SECTION(outage_sec, "market.zone_outages[]", outage_keys, ss_zone_outage);

static const ss_bind_key market_keys[] = {
    KS(ss_market, region, "region", "\"\"", "Region",
       "AWS region, e.g. us-east-1; empty = each zone's region from its name (zones of several regions)"),
    KS(ss_market, product, "product", "Linux/UNIX", "ProductDescription",
       "price product: Linux/UNIX, Windows, ..."),
    KSL(ss_market, zones, n_zones, "zones", "[]", "AvailabilityZones",
        "zones of the market (up to 12, of one region or, with region empty, of several); ASGs "
        "use all of them unless they list theirs"),
    KLIST(ss_market, types, n_types, "instance_types", type_sec, type_init, NULL, "name", 0,
          "Overrides[].InstanceType",
          "instance types: names, or mappings {name, vcpu, memory_mib, weight, on_demand_price}"),
    KC("interruptions", interruptions_fn, interruptions_write, 0, "enum or {model: NAME}",
       "stochastic", "",
       "interruption source: none, replay (log), trace (capacity), stochastic (hazard), "
       "max-price (pre-2017 price rule), or {model: NAME} fitted by spotsim fit"),
    KDUR(ss_market, burst_window, "burst_window", 0, 86400, "3m", "",
         "replay: interruptions of one pool within this window form one burst"),
    KDUR(ss_market, notice_lead, "notice_lead", 0, 3600, "120s", "",
         "trace: notice lead before the capacity drop (instances terminate at the drop)"),
    KE(ss_market, uncovered, "uncovered", uncovered_names, "refuse", "",
       "horizon time the data does not cover: refuse (name pools and spans) or fill (first price"
       " before a pool's first record, unlimited capacity outside a trace) and report it"),
    KB(ss_market, trace_newest_first, "trace_newest_first", "true", "",
       "trace: the newest instances get the notice first (else a keyed random pick)"),
    KD(ss_market, stochastic_scale, "stochastic_scale", 0, 1e6, "1", "",
       "multiply every hazard (stress testing)"),
    KD(ss_market, burst_rate_per_day, "burst_rate_per_day", 0, 1e6, "0 (fitted/none)", "",
       "stochastic: pool burst arrivals per day"),
    KC("burst_beta", beta_fn, beta_write, 0, "[a, b]", "[1, 3]", "",
       "stochastic: fraction of a pool hit per burst ~ Beta(a, b)"),
    KDUR(ss_market, notice, "notice", 0, 3600, "120s", "",
         "interruption notice lead (the 2-minute warning)"),
    KF(ss_market, rebalance_probability, "rebalance_probability", "0", "",
       "probability that a rebalance recommendation precedes a notice"),
    KDIST(ss_market, rebalance_lead, "rebalance_lead", "300s", "",
          "how long before the notice the rebalance recommendation arrives"),
    KDUR(ss_market, rebalance_risk_window, "rebalance_risk_window", 0, 30 * 86400, "3600s", "",
         "a pool counts as at elevated risk this long after a rebalance recommendation in it "
         "(capacity-aware allocation and Capacity Rebalancing avoid it; AWS does not publish "
         "how it rates pools); 0 = static risk only"),
    KLIST(ss_market, outages, n_outages, "zone_outages", outage_sec, outage_init, NULL, NULL, 0,
          "", "zone outage windows {zone, start, end, instances_lost, flap_period}"),
};
SECTION(market_sec, "market", market_keys, ss_market);

static const ss_bind_key latency_keys[] = {
    KDIST(ss_scenario, instance_launch, "instance_launch", "60s", "",
          "launch request -> instance running"),
    KDIST(ss_scenario, instance_register, "instance_register", "30s", "",
          "running -> registered in ECS / node Ready"),
};
SECTION(latency_sec, "latencies", latency_keys, ss_scenario);

static const ss_bind_key asg_keys[] = {
    KSN(ss_asg, name, "name", ss_name_check_asg, "asg", "AutoScalingGroupName", "name (capacity providers refer to it)"),
    KNAMES(ss_asg, type_idx, n_types, 0, "instance_types", "list of type names",
       "[] (all market types)", "Overrides[].InstanceType",
       "override list, in priority order (names from market.instance_types)"),
    KNAMES(ss_asg, zone_idx, n_zones, 1, "zones", "list of zone names", "[] (all market zones)",
       "AvailabilityZones", "enabled zones (names from market.zones)"),
    KI(ss_asg, min_size, "min_size", 0, 100000, "0", "MinSize", "minimum capacity (units)"),
    KI(ss_asg, max_size, "max_size", 0, 100000, "10", "MaxSize", "maximum capacity (units)"),
    KI(ss_asg, desired_capacity, "desired_capacity", 0, 100000, "min_size", "DesiredCapacity",
       "initial desired capacity (units)"),
    KI(ss_asg, od_base_capacity, "on_demand_base_capacity", 0, 100000, "0",
       "OnDemandBaseCapacity", "units filled by On-Demand first"),
    KP(ss_asg, od_percentage_above_base, "on_demand_percentage_above_base_capacity", 0, 100,
       "100", "OnDemandPercentageAboveBaseCapacity",
       "On-Demand share above the base (API default 100 = no Spot!)"),
    KE(ss_asg, spot_allocation, "spot_allocation_strategy", spot_alloc_names, "lowest-price",
       "SpotAllocationStrategy",
       "lowest-price, capacity-optimized, capacity-optimized-prioritized, price-capacity-optimized"),
    KE(ss_asg, od_allocation, "on_demand_allocation_strategy", od_alloc_names, "prioritized",
       "OnDemandAllocationStrategy", "prioritized or lowest-price"),
    KI(ss_asg, spot_instance_pools, "spot_instance_pools", 1, 20, "2", "SpotInstancePools",
       "pools per zone (lowest-price only)"),
    KD(ss_asg, spot_max_price, "spot_max_price", 0, 1e6, "0 (On-Demand price)", "SpotMaxPrice",
       "USD/hour; 0 = On-Demand price (min 0.001 when set)"),
    KB(ss_asg, capacity_rebalance, "capacity_rebalance", "false", "CapacityRebalance",
       "replace Spot instances on a rebalance recommendation"),
    KE(ss_asg, az_distribution, "capacity_distribution_strategy", az_dist_names,
       "balanced-best-effort", "AvailabilityZoneDistribution.CapacityDistributionStrategy",
       "balanced-best-effort or balanced-only"),
    KC("termination_policies", term_fn, term_write, 0, "list of names", "[Default]",
       "TerminationPolicies",
       "Default, AllocationStrategy, OldestLaunchTemplate, ClosestToNextInstanceHour, "
       "NewestInstance, OldestInstance (Default last)"),
    KB(ss_asg, new_instances_protected, "new_instances_protected_from_scale_in", "false",
       "NewInstancesProtectedFromScaleIn", "scale-in protection for new instances"),
    KDUR(ss_asg, health_check_grace, "health_check_grace_period", 0, 7200 * 24, "0s",
         "HealthCheckGracePeriod", "API default 0 (console/Terraform: 300 s)"),
    KD(ss_asg, pco_capacity_band, "pco_capacity_band", 0, 100, "0.25", "",
       "price-capacity-optimized: pools within this relative hazard band of the best count as "
       "best (AWS does not publish it)"),
    KDUR(ss_asg, launch_retry, "launch_retry", 1, 86400, "30s", "",
         "retry interval after a failed launch"),
    KDUR(ss_asg, capacity_rebalance_poll, "capacity_rebalance_poll", 1, 86400, "60s", "",
         "Capacity Rebalancing: re-evaluation interval while the replacement pool is riskier"),
    KB(ss_asg, az_rebalance, "az_rebalance", "true", "AZRebalance process (SuspendProcesses)",
       "after a zone or pool recovers, move instances back to balance the zones (launch before "
       "terminate); false = the process is suspended"),
    KB(ss_asg, spot, "spot", "true", "capacityType",
       "Kubernetes node group: Spot (true) or On-Demand (false)"),
    KROWS(ss_asg, labels, offsetof(ss_asg, n_labels), SS_MAX_LABELS, 2, "labels", labels_fn, "mapping", "{}", "node labels",
       "Kubernetes node group: node labels {key: value}"),
    KROWS(ss_asg, taints, offsetof(ss_asg, n_taints), SS_MAX_TAINTS, 3, "taints", taints_fn, "list of strings", "[]", "node taints",
       "Kubernetes node group: taints key=value:Effect"),
    KI(ss_asg, priority, "priority", -1000000, 1000000, "0", "priority expander ConfigMap",
       "Kubernetes node group: priority (higher wins, priority expander)"),
};
SECTION(asg_sec, "asgs[]", asg_keys, ss_asg);

static const ss_bind_key cp_keys[] = {
    KSN(ss_capacity_provider, name, "name", ss_name_check_ecs_capacity_provider, "cp", "name", "capacity provider name"),
    KASG(ss_capacity_provider, asg, "asg", "ASG name", "(required)", "autoScalingGroupArn",
       "the ASG it manages (by name)"),
    KB(ss_capacity_provider, managed_scaling, "managed_scaling", "true", "managedScaling.status",
       "ECS managed scaling on"),
    KP(ss_capacity_provider, target_capacity, "target_capacity", 1, 100, "100",
       "managedScaling.targetCapacity", "CapacityProviderReservation target (< 100 keeps spare)"),
    KI(ss_capacity_provider, min_scaling_step, "minimum_scaling_step_size", 1, 10000, "1",
       "managedScaling.minimumScalingStepSize", "minimum instances per scale-out"),
    KI(ss_capacity_provider, max_scaling_step, "maximum_scaling_step_size", 1, 10000, "10000",
       "managedScaling.maximumScalingStepSize", "maximum instances per scale-out"),
    KDUR(ss_capacity_provider, instance_warmup, "instance_warmup_period", 0, 10000, "300s",
         "managedScaling.instanceWarmupPeriod", "scale-out blocked while an instance warms up"),
    KB(ss_capacity_provider, managed_termination_protection, "managed_termination_protection",
       "false", "managedTerminationProtection", "protect instances running tasks from scale-in"),
    KB(ss_capacity_provider, managed_draining, "managed_draining", "true", "managedDraining",
       "drain instances before any termination (incl. Spot interruption)"),
    KI(ss_capacity_provider, base, "base", 0, 100000, "0", "capacityProviderStrategy[].base",
       "tasks placed on this provider first (one provider only)"),
    KI(ss_capacity_provider, weight, "weight", 0, 1000, "1", "capacityProviderStrategy[].weight",
       "share of tasks beyond the base"),
    KD(ss_capacity_provider, memory_overhead, "memory_overhead", 0, 0.9, "0.02527", "",
       "share of installed memory the agent does not register (platform, kernel; an 8 GiB "
       "m4.large registers 7985 MiB)"),
    KD(ss_capacity_provider, reserved_memory_mib, "reserved_memory", 0, 1e8, "0", "ECS_RESERVED_MEMORY",
       "MiB the agent keeps from tasks"),
    KD(ss_capacity_provider, reserved_cpu, "reserved_cpu", 0, 1e6, "0", "",
       "CPU units kept from tasks (the agent registers vCPU x 1024)"),
};
SECTION(cp_sec, "capacity_providers[]", cp_keys, ss_capacity_provider);

static const ss_bind_key placement_keys[] = {
    KE(ss_placement, kind, "type", place_kind_names, "spread", "placementStrategy[].type",
       "spread, binpack or random"),
    KE(ss_placement, field, "field", place_field_names, "attribute:ecs.availability-zone",
       "placementStrategy[].field",
       "spread: attribute:ecs.availability-zone, instanceId (host), attribute:ecs.instance-type; "
       "binpack: cpu, memory"),
};
SECTION(placement_sec, "service.placement_strategy[]", placement_keys, ss_placement);

static const ss_bind_key service_keys[] = {
    KSN(ss_service, name, "name", ss_name_check_ecs_service, "service", "serviceName", "service name"),
    KI(ss_service, desired_count, "desired_count", 0, 1000000, "1", "desiredCount",
       "tasks wanted (when no demand trace)"),
    KS(ss_service, demand_trace, "demand_trace", "\"\"", "",
       "CSV time,value of demand; empty = fixed desired_count"),
    KD(ss_service, target_value, "target_value", 0, 1e12, "0", "TargetValue",
       "target tracking: demand units per task"),
    KI(ss_service, min_tasks, "min_tasks", 0, 1000000, "0", "MinCapacity",
       "service auto scaling lower bound"),
    KI(ss_service, max_tasks, "max_tasks", 0, 1000000, "0 (no auto scaling)", "MaxCapacity",
       "service auto scaling upper bound"),
    KDUR(ss_service, scale_out_cooldown, "scale_out_cooldown", 0, 86400, "300s",
         "ScaleOutCooldown", "target tracking scale-out cooldown"),
    KDUR(ss_service, scale_in_cooldown, "scale_in_cooldown", 0, 86400, "300s", "ScaleInCooldown",
         "target tracking scale-in cooldown"),
    KD(ss_service, task_cpu, "cpu", 1, 1e6, "256", "cpu", "task CPU units (1024 = 1 vCPU)"),
    KD(ss_service, task_memory_mib, "memory", 1, 1e8, "512", "memory", "task memory (MiB)"),
    KP(ss_service, min_healthy_percent, "minimum_healthy_percent", 0, 100, "100",
       "deploymentConfiguration.minimumHealthyPercent", "lower bound while replacing tasks"),
    KP(ss_service, maximum_percent, "maximum_percent", 100, 1000, "200",
       "deploymentConfiguration.maximumPercent", "upper bound while replacing tasks"),
    KLIST(ss_service, placement, n_placement, "placement_strategy", placement_sec, placement_init,
          placement_fin, NULL, 0, "placementStrategy",
          "up to 5 strategies; [] = spread by zone (the ECS default)"),
    KB(ss_service, distinct_instance, "distinct_instance", "false",
       "placementConstraints distinctInstance", "at most one task per instance"),
    KDUR(ss_service, health_check_grace, "health_check_grace_period", 0, 2147483647.0, "0s",
         "healthCheckGracePeriodSeconds", "unhealthy checks ignored this long after start"),
    KDUR(ss_service, time_to_healthy, "time_to_healthy", 0, 86400, "150s", "",
         "RUNNING -> healthy in the target group (ALB 30 s x 5)"),
    KDIST(ss_service, task_start, "task_start", "20s", "", "PENDING -> RUNNING (image pull, start)"),
    KDUR(ss_service, deregistration_delay, "deregistration_delay", 0, 3600, "300s",
         "deregistration_delay.timeout_seconds", "load balancer connection draining"),
    KDUR(ss_service, stop_timeout, "stop_timeout", 0, 86400, "30s", "ECS_CONTAINER_STOP_TIMEOUT",
         "SIGTERM -> SIGKILL"),
    KB(ss_service, spot_draining, "spot_instance_draining", "false",
       "ECS_ENABLE_SPOT_INSTANCE_DRAINING", "agent drains the instance on the Spot notice"),
    KDUR(ss_service, scheduler_delay, "scheduler_delay", 0, 3600, "10s", "",
         "how soon the scheduler notices a dead task"),
};
SECTION(service_sec, "service", service_keys, ss_service);

static const ss_bind_key spread_keys[] = {
    KS(ss_spread_constraint, topology_key, "topology_key", "topology.kubernetes.io/zone",
       "topologyKey", "node label defining the domains"),
    KI(ss_spread_constraint, max_skew, "max_skew", 1, 1000000, "1", "maxSkew",
       "largest allowed difference between domains"),
    KI(ss_spread_constraint, min_domains, "min_domains", 0, 1000000, "0 (nil = 1)", "minDomains",
       "with DoNotSchedule: global minimum is 0 while fewer domains exist"),
    KE(ss_spread_constraint, schedule_anyway, "when_unsatisfiable", unsat_names, "DoNotSchedule",
       "whenUnsatisfiable", "DoNotSchedule (hard) or ScheduleAnyway (soft)"),
    KE(ss_spread_constraint, node_affinity_ignore, "node_affinity_policy", affinity_names,
       "Honor", "nodeAffinityPolicy", "Honor or Ignore"),
    KE(ss_spread_constraint, node_taints_honor, "node_taints_policy", taints_policy_names,
       "Ignore", "nodeTaintsPolicy", "Ignore or Honor"),
};
SECTION(spread_sec, "kubernetes.deployment.topology_spread[]", spread_keys, ss_spread_constraint);

static const ss_bind_key pdb_keys[] = {
    KC("min_available", pdb_min_fn, pdb_min_write, 0, "integer or percent", "unset",
       "minAvailable", "pods that must stay available (2 or \"50%\")"),
    KIN(ss_deployment, pdb_max_unavailable, "max_unavailable", 0, 1000000, "unset",
        "maxUnavailable", "pods that may be down (-1 = unset)"),
    KPN(ss_deployment, pdb_min_available_pct, "min_available_percent", 0, 100, "unset",
        "minAvailable (percent)", "minAvailable as a percentage (-1 = unset)"),
};
SECTION(pdb_sec, "kubernetes.deployment.pdb", pdb_keys, ss_deployment);

static const ss_bind_key deployment_keys[] = {
    KSN(ss_deployment, name, "name", ss_name_check_k8s_object, "app", "metadata.name", "deployment name"),
    KI(ss_deployment, replicas, "replicas", 0, 1000000, "1", "replicas", "pods wanted"),
    KD(ss_deployment, cpu_request, "cpu", 0.001, 1e5, "0.5", "resources.requests.cpu",
       "CPU request (vCPU)"),
    KD(ss_deployment, memory_request_mib, "memory", 1, 1e8, "512", "resources.requests.memory",
       "memory request (MiB)"),
    KLIST(ss_deployment, spread, n_spread, "topology_spread", spread_sec, spread_init, NULL, NULL,
          0, "topologySpreadConstraints", "spread constraints (ANDed, up to 4)"),
    KSEC0("pdb", pdb_sec, 0, "PodDisruptionBudget: one of the three keys"),
    KDUR(ss_deployment, termination_grace, "termination_grace_period", 0, 86400, "30s",
         "terminationGracePeriodSeconds", "SIGTERM -> SIGKILL"),
    KDIST(ss_deployment, pod_startup, "pod_startup", "5s", "", "scheduled -> ready"),
    KSL(ss_deployment, tolerations, n_tolerations, "tolerations", "[]", "tolerations[].key",
        "taint keys the pods tolerate"),
    KROWS(ss_deployment, node_selector, 0, 1, 2, "node_selector", node_selector_fn, "key=value or {key: value}",
       "none", "nodeSelector", "required node label"),
};
SECTION(deployment_sec, "kubernetes.deployment", deployment_keys, ss_deployment);

static const ss_bind_key autoscaler_keys[] = {
    KE(ss_cluster_autoscaler, expander, "expander", expander_names, "least-waste", "--expander",
       "random, most-pods, least-waste, price, priority"),
    KDUR(ss_cluster_autoscaler, scan_interval, "scan_interval", 1, 3600, "10s", "--scan-interval",
         "autoscaler loop period"),
    KDUR(ss_cluster_autoscaler, max_node_provision_time, "max_node_provision_time", 1, 86400,
         "15m", "--max-node-provision-time", "a node not Ready by then is given up"),
    KDUR(ss_cluster_autoscaler, initial_backoff, "initial_node_group_backoff_duration", 0, 86400,
         "5m", "--initial-node-group-backoff-duration", "first backoff of a failing group"),
    KDUR(ss_cluster_autoscaler, max_backoff, "max_node_group_backoff_duration", 0, 86400, "30m",
         "--max-node-group-backoff-duration", "longest backoff"),
    KDUR(ss_cluster_autoscaler, scale_down_unneeded_time, "scale_down_unneeded_time", 0, 86400,
         "10m", "--scale-down-unneeded-time", "node unneeded this long before removal"),
    KDUR(ss_cluster_autoscaler, scale_down_delay_after_add, "scale_down_delay_after_add", 0,
         86400, "10m", "--scale-down-delay-after-add", "no scale-down this long after a scale-up"),
    KD(ss_cluster_autoscaler, scale_down_utilization_threshold,
       "scale_down_utilization_threshold", 0, 1, "0.5", "--scale-down-utilization-threshold",
       "requests/allocatable below which a node is unneeded"),
    KB(ss_cluster_autoscaler, simulate_spread, "simulate_spread", "true", "",
       "scale-up simulation honours topology spread"),
    KDIST(ss_cluster_autoscaler, node_provision, "node_provision", "50s", "",
          "launch -> node Ready"),
    KDUR(ss_cluster_autoscaler, max_pod_eviction_time, "max_pod_eviction_time", 0, 86400, "2m",
         "--max-pod-eviction-time", "a scale-down drain whose evictions are refused this long fails"),
    KDUR(ss_cluster_autoscaler, scale_down_delay_after_failure, "scale_down_delay_after_failure",
         0, 86400, "3m", "--scale-down-delay-after-failure", "no scale-down this long after a failed one"),
    KB(ss_cluster_autoscaler, scale_down_unready_enabled, "scale_down_unready_enabled", "true",
       "--scale-down-unready-enabled", "NotReady nodes may be scaled down"),
    KDUR(ss_cluster_autoscaler, scale_down_unready_time, "scale_down_unready_time", 0, 86400,
         "20m", "--scale-down-unready-time", "an unneeded NotReady node is removed after this long"),
};
SECTION(autoscaler_sec, "kubernetes.autoscaler", autoscaler_keys, ss_cluster_autoscaler);

static const ss_bind_key mitigation_keys[] = {
    KB(ss_zone_mitigations, drop_zone_spread, "drop_zone_spread", "false", "",
       "(1) drop the zone spread constraint during a zone incident"),
    KB(ss_zone_mitigations, remove_zone_groups, "remove_zone_groups", "false", "",
       "(2) remove the failed zone's node groups from autoscaling"),
    KB(ss_zone_mitigations, spot_rate_guard, "spot_rate_guard", "false", "",
       "(3) stop scaling Spot groups above an interruption rate"),
    KD(ss_zone_mitigations, spot_rate_threshold, "spot_rate_threshold", 0, 1e6, "0.05", "",
       "interruptions per node-hour that trip (3)"),
    KD(ss_zone_mitigations, spot_rate_resume, "spot_rate_resume", 0, 1e6, "0.02", "",
       "rate below which (3) resumes"),
    KB(ss_zone_mitigations, suspend_scale_down, "suspend_scale_down", "false", "",
       "(4) suspend scale-down during the incident"),
    KDUR(ss_zone_mitigations, reaction_delay, "reaction_delay", 0, 86400, "5m", "",
         "operator/automation delay before mitigations apply"),
};
SECTION(mitigation_sec, "kubernetes.mitigations", mitigation_keys, ss_zone_mitigations);

static const ss_bind_key pool_keys[] = {
    KSN(ss_node_pool, name, "name", ss_name_check_k8s_object, "default", "metadata.name", "NodePool name"),
    KE(ss_node_pool, capacity_types, "capacity_types", karp_capacity_names, "spot-and-on-demand",
       "requirements karpenter.sh/capacity-type In",
       "spot-and-on-demand (Spot preferred), spot or on-demand"),
    KNAMES(ss_node_pool, type_idx, n_types, 0, "instance_types", "list of type names",
       "[] (all market types)", "requirements node.kubernetes.io/instance-type In",
       "instance types Karpenter may launch"),
    KNAMES(ss_node_pool, zone_idx, n_zones, 1, "zones", "list of zone names", "[] (all market zones)",
       "requirements topology.kubernetes.io/zone In", "zones Karpenter may launch into"),
    KD(ss_node_pool, limit_cpu, "limit_cpu", 0, 1e9, "0 (no limit)", "limits.cpu",
       "vCPU of all the pool's nodes together"),
    KI(ss_node_pool, weight, "weight", 0, 100, "0 (unset)", "weight",
       "higher-weight NodePools are tried first"),
    KROWS(ss_node_pool, labels, offsetof(ss_node_pool, n_labels), SS_MAX_LABELS, 2, "labels",
          pool_labels_fn, "mapping", "{}", "template.metadata.labels", "node labels"),
    KE(ss_node_pool, consolidation_policy, "consolidation_policy", karp_consolidation_names,
       "WhenEmptyOrUnderutilized", "disruption.consolidationPolicy",
       "WhenEmptyOrUnderutilized or WhenEmpty"),
    KDUR(ss_node_pool, consolidate_after, "consolidate_after", 0, 315360000.0, "0s",
         "disruption.consolidateAfter", "no pod scheduled or removed on a node this long before it is consolidatable"),
    KC("budget_nodes", budget_nodes_fn, budget_nodes_write, 0, "count or percent", "10%",
       "disruption.budgets[0].nodes", "nodes that may be disrupted at once (consolidation)"),
    KDUR(ss_node_pool, expire_after, "expire_after", 0, 315360000.0, "720h",
         "template.spec.expireAfter", "node lifetime before it is replaced; 0 = Never"),
};
SECTION(pool_sec, "kubernetes.karpenter.node_pools[]", pool_keys, ss_node_pool);

static const ss_bind_key karpenter_keys[] = {
    KLIST(ss_karpenter, pools, n_pools, "node_pools", pool_sec, pool_init, NULL, NULL, 0,
          "NodePool", "Karpenter NodePools (one EC2NodeClass shared)"),
    KDUR(ss_karpenter, batch_idle, "batch_idle_duration", 0, 3600, "1s", "BATCH_IDLE_DURATION",
         "a provisioning batch ends after this long without a new pending pod"),
    KDUR(ss_karpenter, batch_max, "batch_max_duration", 0, 3600, "10s", "BATCH_MAX_DURATION",
         "longest provisioning batch"),
    KB(ss_karpenter, interruption_handling, "interruption_handling", "true",
       "--interruption-queue (SQS + EventBridge)",
       "on the Spot notice: cordon, drain and launch a replacement at once"),
    KB(ss_karpenter, spot_to_spot, "spot_to_spot_consolidation", "false",
       "--feature-gates SpotToSpotConsolidation", "allow replacing a Spot node by a cheaper Spot node"),
    KDIST(ss_karpenter, node_provision, "node_provision", "50s", "",
          "EC2 running -> node Ready (kubelet registration)"),
};
SECTION(karpenter_sec, "kubernetes.karpenter", karpenter_keys, ss_karpenter);

static const ss_bind_key k8s_keys[] = {
    KSEC(ss_kubernetes, deployment, "deployment", deployment_sec, 0, "the Deployment"),
    KSEC(ss_kubernetes, autoscaler, "autoscaler", autoscaler_sec, 0, "Cluster Autoscaler flags"),
    KDUR(ss_kubernetes, handler_delay, "handler_delay", 0, 3600, "2s", "",
         "notice -> cordon+drain (node termination handler)"),
    KB(ss_kubernetes, drain_on_rebalance, "drain_on_rebalance", "false", "",
       "handler also drains on rebalance recommendations"),
    KSEC(ss_kubernetes, mitigations, "mitigations", mitigation_sec, 0,
         "zone-failure mitigations"),
    KS(ss_kubernetes, capacity_type_label, "capacity_type_label",
       "eks.amazonaws.com/capacityType", "", "node label carrying SPOT / ON_DEMAND"),
    KB(ss_kubernetes, scheduler_lowest_id_ties, "scheduler_lowest_id_ties", "false", "",
       "equal node scores go to the lowest node id (false: uniform draw, as kube-scheduler)"),
    KE(ss_kubernetes, provisioner, "provisioner", provisioner_names, "cluster-autoscaler", "",
       "cluster-autoscaler (asgs are node groups) or karpenter (kubernetes.karpenter)"),
    KSEC(ss_kubernetes, karpenter, "karpenter", karpenter_sec, 0, "Karpenter NodePools and settings"),
};
SECTION(k8s_sec, "kubernetes", k8s_keys, ss_kubernetes);

static const ss_bind_key slo_keys[] = {
    KIN(ss_slo, min_healthy, "min_healthy", 0, 1000000, "-1 (use min_fraction)", "",
        "absolute minimum healthy tasks"),
    KF(ss_slo, min_fraction, "min_fraction", "1.0", "",
       "minimum healthy as a fraction of desired/demand"),
};
SECTION(slo_sec, "slo", slo_keys, ss_slo);

static const ss_bind_key policy_keys[] = {
    KC("preset", policy_preset_fn, NULL, SS_BF_NOHASH, "name", "none", "",
       "a published policy: none / round-robin (ASG zone balancing, no fallback), spothedge "
       "(dynamic placement), spothedge-fallback (+ immediate On-Demand fallback); later keys "
       "override"),
    KASG(ss_fleet_policy, group, "group", "ASG name", "the first ASG", "",
       "the Spot Auto Scaling group the rules act on"),
    KI(ss_fleet_policy, extra_spot, "extra_spot", 0, 10000, "0", "",
       "N_extra: Spot instances (and tasks) beyond the SLO's need"),
    KE(ss_fleet_policy, placement, "placement", spot_place_names, "asg", "",
       "Spot zone placement: asg (the group's AZ balancing) or spothedge (active/preempted zones)"),
    KDUR(ss_fleet_policy, zone_quiet, "zone_quiet", 0, BIG, "30m", "",
         "spothedge: a preempted zone becomes active again after this long without events"),
    KB(ss_fleet_policy, fallback, "on_demand_fallback", "false", "",
       "On-Demand fallback (EventBridge rule + controller raising OnDemandBaseCapacity)"),
    KE(ss_fleet_policy, trigger, "trigger", trigger_names, "launch-failures", "",
       "what trips the fallback: launch-failures (InsufficientInstanceCapacity), interruptions "
       "(warnings within interruption_window), either"),
    KDUR(ss_fleet_policy, detection_delay, "detection_delay", 0, BIG, "0", "",
         "event -> fallback capacity requested (EventBridge delivery + controller)"),
    KI(ss_fleet_policy, interruption_threshold, "interruption_threshold", 1, SS_FP_MAX_WARNINGS, "1",
       "", "interruptions trigger: warnings within the window that trip the fallback"),
    KDUR(ss_fleet_policy, interruption_window, "interruption_window", 0, BIG, "10m", "",
         "interruptions trigger: the counting window"),
    KD(ss_fleet_policy, cover, "cover", 0, 1, "1", "",
       "fraction of the Spot shortfall covered by On-Demand (rounded up)"),
    KDUR(ss_fleet_policy, spot_healthy_time, "spot_healthy_time", 0, BIG, "10m", "",
         "Spot at full strength this long before the On-Demand cover is released"),
    KDUR(ss_fleet_policy, min_hold, "min_hold", 0, BIG, "0", "",
         "hysteresis: the fallback lasts at least this long"),
    KB(ss_fleet_policy, release_on_launch, "release_on_launch", "false", "",
       "release the cover when Spot launches succeed (an \"EC2 Instance Launch Successful\" rule), "
       "not when Spot is ready"),
    KASG(ss_fleet_policy, fallback_group, "fallback_group", "node group name", "none", "",
         "Kubernetes (cluster autoscaler): the On-Demand node group whose MinSize the fallback "
         "raises by the cover; the rule watches every Spot node group"),
};
SECTION(policy_sec, "policy", policy_keys, ss_fleet_policy);

static const ss_bind_key param_keys[] = {
    KC("path", search_path_fn, NULL, 0, "key path", "(required)", "",
       "scenario key to vary, e.g. asg.on_demand_base_capacity"),
    KC("range", search_range_fn, NULL, 0, "[lo, hi]", "", "", "numeric range"),
    KD(ss_search_param, step, "step", 0, 1e12, "0 (continuous)", "", "grid step of the range"),
    KC("values", search_values_fn, NULL, 0, "list", "", "",
       "discrete values (scalars or flow lists)"),
};
SECTION(param_sec, "search.params[]", param_keys, ss_search_param);

static const ss_bind_key search_keys[] = {
    KE(ss_search, method, "method", method_names, "auto", "",
       "auto (grid when it fits the budget), grid, lhs, random, nsga2"),
    KI(ss_search, budget, "budget", 1, 10000000, "200", "", "candidates to evaluate"),
    KI(ss_search, replicas, "replicas", 1, 100000, "3", "", "replicas per candidate"),
    KI(ss_search, population, "population", 2, 100000, "40", "", "NSGA-II population"),
    KI(ss_search, generations, "generations", 0, 100000, "0 (from the budget)", "",
       "NSGA-II generations"),
    KLIST(ss_search, params, n_params, "params", param_sec, search_param_init, search_param_fin,
          NULL, 0, "", "parameters {path, values | range, step}"),
    KC("constraints", constraints_fn, NULL, 0, "list of strings", "[]", "",
       "\"a <= b\" over search parameter paths and numbers (<=, <, >=, >)"),
    KC("objectives", objectives_fn, NULL, 0, "two metric names",
       "[cost_per_month_usd, availability]", "", "cost and availability metrics"),
    {.name = "slo", .kind = SS_B_DOUBLE, .off = offsetof(ss_search, slo_availability), .lo = 0,
     .hi = 1, .flags = SS_BF_SLO, .type_doc = "availability (\"99.9%\" or 0.999; a bare number >= 1 is refused as ambiguous)",
     .def = "0 (none)", .aws = "", .doc = "availability floor for the recommendation"},
    KC("statistic", statistic_fn, NULL, 0, "string", "mean", "",
       "over replicas: mean, median, min, max, pNN"),
};
SECTION(search_sec, "search", search_keys, ss_search);

static const ss_bind_key root_keys[] = {
    KSX(ss_scenario, name, "name", SS_BF_NOHASH, "scenario", "", "scenario name"),
    KSX(ss_scenario, description, "description", SS_BF_NOHASH | SS_BF_TEXT, "\"\"", "", "free text"),
    KE(ss_scenario, orchestrator, "orchestrator", orch_names, "ecs", "", "ecs or kubernetes"),
    KSEC0("horizon", horizon_sec, 0, "simulated period {start, end | duration}"),
    {.name = "seed", .kind = SS_B_U64, .off = offsetof(ss_scenario, seed),
     .type_doc = "unsigned integer", .def = "1", .aws = "", .doc = "random seed"},
    KI(ss_scenario, replicas, "replicas", 1, 100000, "1", "",
       "independent replicas (stochastic sources)"),
    KDUR(ss_scenario, sample_interval, "sample_interval", 0, 86400, "60s", "",
         "timeline sampling (0 = every change)"),
    KSEC(ss_scenario, market, "market", market_sec, 0, "the Spot market and data"),
    KSEC0("latencies", latency_sec, 0, "instance launch latencies"),
    KLIST(ss_scenario, asgs, n_asgs, "asg", asg_sec, asg_init, asg_fin, NULL,
          SS_BF_SINGLE | SS_BF_NOHASH | SS_BF_NODOC, "", "one ASG (= asgs[0])"),
    KLIST(ss_scenario, asgs, n_asgs, "asgs", asg_sec, asg_init, asg_fin, NULL, 0, "",
          "Auto Scaling groups (ECS) / node groups (Kubernetes); `asg:` = one"),
    KLIST(ss_scenario, providers, n_providers, "capacity_providers", cp_sec, cp_init, NULL, NULL,
          0, "capacityProviders", "ECS capacity providers and the service's strategy"),
    KSEC(ss_scenario, service, "service", service_sec, 0, "the ECS service"),
    KSEC(ss_scenario, k8s, "kubernetes", k8s_sec, 0, "the Kubernetes deployment and cluster"),
    KSEC(ss_scenario, slo, "slo", slo_sec, 0, "availability SLO"),
    KSEC(ss_scenario, search, "search", search_sec, SS_BF_NOHASH, "optimizer search space"),
    KSEC(ss_scenario, policy, "policy", policy_sec, 0,
         "run-time fleet rules: On-Demand fallback, over-provisioning, SpotHedge placement (ECS)"),
};
SECTION(root_sec, "", root_keys, ss_scenario);

const ss_bind_section *ss_scenario_root_section(void)
{
    return &root_sec;
}

/* ---- Validation ---------------------------------------------------------------- */

typedef struct vctx {
    const ss_bind_ctx *pos; /* loader positions, or NULL */
    ss_err *err;
} vctx;

static int vfail(const vctx *v, const char *path, const char *fmt, ...) SS_PRINTF(3, 4);
static int vfail(const vctx *v, const char *path, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->pos && v->pos->file) {
        /* The position of the key itself, else of its nearest enclosing key. */
        /* `asg:` records its keys as asg.x; validation names them asgs[0].x. */
        char alt[SS_PATH_MAX];
        const char *look = path;
        if (!strncmp(path, "asgs[0]", 7) && v->pos->sc->n_asgs == 1) {
            snprintf(alt, sizeof alt, "asg%s", path + 7);
            look = alt;
        }
        const ss_bind_pos *best = NULL;
        const char *shown = path;
        size_t best_len = 0;
        for (int pass = 0; pass < 2; pass++) {
            const char *q = pass ? look : path;
            for (size_t i = 0; i < v->pos->n_pos; i++) {
                const ss_bind_pos *p = &v->pos->pos[i];
                size_t l = strlen(p->path);
                if (!strncmp(p->path, q, l) && (q[l] == '\0' || q[l] == '.' || q[l] == '[') &&
                    l >= best_len) {
                    best = p;
                    best_len = l;
                    shown = q;
                }
            }
        }
        if (best)
            return ss_err_set(v->err, "%s:%d:%d: key '%s': %s", v->pos->file, best->line,
                              best->col, shown, msg);
        return ss_err_set(v->err, "%s: key '%s': %s", v->pos->file, path, msg);
    }
    return ss_err_set(v->err, "key '%s': %s", path, msg);
}

static const char *provider_name_at(const void *sc, size_t i)
{
    return ((const ss_scenario *)sc)->providers[i].name;
}

/* Whether name i of a list (name_at) repeats an earlier one. */
static bool repeats_earlier(const char *(*name_at)(const void *, size_t), const ss_scenario *sc,
                            int i)
{
    for (int j = 0; j < i; j++)
        if (!strcmp(name_at(sc, (size_t)j), name_at(sc, (size_t)i)))
            return true;
    return false;
}

/* Whether some node group carries label key (and value, when val != NULL). */
static bool group_label(const ss_scenario *sc, const char *key, const char *val)
{
    if (sc->k8s.provisioner == SS_PROV_KARPENTER) {
        const ss_karpenter *k = &sc->k8s.karpenter;
        for (int a = 0; a < k->n_pools; a++) {
            if (!strcmp(key, "karpenter.sh/nodepool") && (!val || !strcmp(k->pools[a].name, val)))
                return true;
            for (int l = 0; l < k->pools[a].n_labels; l++)
                if (!strcmp(k->pools[a].labels[l][0], key) && (!val || !strcmp(k->pools[a].labels[l][1], val)))
                    return true;
        }
        if (!strcmp(key, "karpenter.sh/capacity-type"))
            return !val || !strcmp(val, "spot") || !strcmp(val, "on-demand");
        return false;
    }
    for (int a = 0; a < sc->n_asgs; a++)
        for (int l = 0; l < sc->asgs[a].n_labels; l++)
            if (!strcmp(sc->asgs[a].labels[l][0], key) &&
                (!val || !strcmp(sc->asgs[a].labels[l][1], val)))
                return true;
    return false;
}

static int validate_market(const ss_scenario *sc, const vctx *v, int *weighted)
{
    char p[SS_PATH_MAX];
    const ss_market *m = &sc->market;
    if ((sc->start != 0) != (sc->end != 0))
        return vfail(v, sc->start ? "horizon.start" : "horizon.end",
                     "give both horizon.start and horizon.end (or duration), or neither");
    if (sc->start && sc->end <= sc->start)
        return vfail(v, "horizon.end", "horizon end must be after start");
    for (int i = 0; i < m->n_zones; i++) {
        /* an AZ name (us-east-1a) or an AZ ID (use1-az4, as the archive TSV
         * and the importer store them without --zone-map) of the region */
        char zr[SS_NAME_MAX];
        bool by_id = !ss_region_of_zone(m->zones[i], zr, sizeof zr) && !strcmp(zr, m->region);
        if (m->region[0] && !by_id && strncmp(m->zones[i], m->region, strlen(m->region)))
            return vfail(v, "market.zones", "zone '%s' is not in region '%s'", m->zones[i],
                         m->region);
    }
    *weighted = 0;
    for (int i = 0; i < m->n_types; i++) {
        snprintf(p, sizeof p, "market.instance_types[%d]", i);
        if (!m->types[i].name[0])
            return vfail(v, p, "instance type needs a name");
        if (repeats_earlier(type_name_at, sc, i))
            return vfail(v, p, "duplicate instance type '%s'", m->types[i].name);
        *weighted += m->types[i].weight > 0;
    }
    if (*weighted && *weighted != m->n_types)
        return vfail(v, "market.instance_types",
                     "weight set on %d of %d types: WeightedCapacity must be set on all or none",
                     *weighted, m->n_types);
    for (int i = 0; i < m->n_outages; i++) {
        const ss_zone_outage *o = &m->outages[i];
        snprintf(p, sizeof p, "market.zone_outages[%d]", i);
        bool known = false;
        for (int z = 0; z < m->n_zones; z++)
            known |= !strcmp(m->zones[z], o->zone);
        if (!known)
            return vfail(v, p, "zone '%s' is not in market.zones", o->zone);
        if (o->end <= o->start)
            return vfail(v, p, "outage end must be after start");
        /* A health flap shorter than a load balancer's shortest health-check
         * interval (5 s: HealthCheckIntervalSeconds 5..300,
         * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html)
         * is not observable, and each flap is simulated events. */
        if (o->flap_period > 0 && o->flap_period < SS_FLAP_PERIOD_MIN)
            return vfail(v, p, "flap_period must be 0 (steady) or at least 5s (the shortest health-check interval)");
        if (o->flap_period > 0 && (o->end - o->start) / o->flap_period > SS_FLAPS_MAX)
            return vfail(v, p, "flap_period: %lld flaps in the outage; at most %d (raise flap_period)",
                         (long long)((o->end - o->start) / o->flap_period), SS_FLAPS_MAX);
    }
    if (m->interruptions == SS_INTERRUPT_STOCHASTIC &&
        (m->burst_beta_a <= 0 || m->burst_beta_b <= 0))
        return vfail(v, "market.burst_beta", "Beta parameters must be > 0");
    if (sc->n_asgs > 0 && (m->n_types == 0 || m->n_zones == 0))
        return vfail(v, m->n_types == 0 ? "market.instance_types" : "market.zones",
                     "an ASG needs market.instance_types and market.zones");
    return 0;
}

static int validate_asg(const ss_scenario *sc, const vctx *v, int i)
{
    const ss_market *m = &sc->market;
    const ss_asg *a = &sc->asgs[i];
    char p[SS_PATH_MAX];
    /* Order rules, one per row: lo <= hi, named by key. */
    struct {
        const char *key, *lo_name, *hi_name;
        int lo, hi;
    } order[] = {
        {"min_size", "min_size", "max_size", a->min_size, a->max_size},
        {"desired_capacity", "min_size", "desired_capacity", a->min_size, a->desired_capacity},
        {"desired_capacity", "desired_capacity", "max_size", a->desired_capacity, a->max_size},
        {"on_demand_base_capacity", "on_demand_base_capacity", "max_size", a->od_base_capacity,
         a->max_size},
    };
    snprintf(p, sizeof p, "asgs[%d]", i);
    if (!a->name[0])
        return vfail(v, p, "ASG needs a name");
    for (size_t r = 0; r < SS_ARRAY_LEN(order); r++)
        if (order[r].lo > order[r].hi) {
            snprintf(p, sizeof p, "asgs[%d].%s", i, order[r].key);
            return vfail(v, p, "%s %d > %s %d", order[r].lo_name, order[r].lo, order[r].hi_name,
                         order[r].hi);
        }
    snprintf(p, sizeof p, "asgs[%d].spot_max_price", i);
    if (a->spot_max_price != 0 && a->spot_max_price < 0.001)
        return vfail(v, p, "spot_max_price must be 0 (On-Demand price) or >= 0.001");
    snprintf(p, sizeof p, "asgs[%d]", i);
    if (repeats_earlier(asg_name_at, sc, i))
        return vfail(v, p, "duplicate ASG name '%s'", a->name);
    snprintf(p, sizeof p, "asgs[%d].instance_types", i);
    for (int t = 0; t < a->n_types; t++)
        if (a->type_idx[t] < 0 || a->type_idx[t] >= m->n_types)
            return vfail(v, p, "instance type index %d out of range", a->type_idx[t]);
    if (sc->orchestrator == SS_ORCH_KUBERNETES) {
        /* CA models a group from its first type: all must look alike. */
        const ss_instance_type *t0 = &m->types[a->type_idx[0]];
        for (int t = 1; t < a->n_types; t++) {
            const ss_instance_type *ti = &m->types[a->type_idx[t]];
            if (t0->vcpu && ti->vcpu && (t0->vcpu != ti->vcpu || t0->memory_mib != ti->memory_mib))
                return vfail(v, p, "a node group's types must have the same vCPU and memory "
                                   "(Cluster Autoscaler models the group from the first)");
        }
    }
    snprintf(p, sizeof p, "asgs[%d].zones", i);
    for (int z = 0; z < a->n_zones; z++)
        if (a->zone_idx[z] < 0 || a->zone_idx[z] >= m->n_zones)
            return vfail(v, p, "zone index %d out of range", a->zone_idx[z]);
    return 0;
}

static int validate_ecs(const ss_scenario *sc, const vctx *v, int weighted)
{
    char p[SS_PATH_MAX];
    int with_base = 0, weight_sum = 0;
    for (int i = 0; i < sc->n_providers; i++) {
        const ss_capacity_provider *cp = &sc->providers[i];
        snprintf(p, sizeof p, "capacity_providers[%d]", i);
        if (repeats_earlier(provider_name_at, sc, i))
            return vfail(v, p, "duplicate capacity provider name '%s'", cp->name);
        if (cp->asg < 0 || cp->asg >= sc->n_asgs)
            return vfail(v, p, "capacity provider '%s' needs an existing asg", cp->name);
        for (int j = 0; j < i; j++)
            if (sc->providers[j].asg == cp->asg)
                return vfail(v, p, "ASG '%s' already belongs to capacity provider '%s'",
                             sc->asgs[cp->asg].name, sc->providers[j].name);
        if (cp->min_scaling_step > cp->max_scaling_step)
            return vfail(v, p, "minimum_scaling_step_size > maximum_scaling_step_size");
        if (weighted)
            return vfail(v, p, "ECS capacity providers do not support ASGs with instance weights");
        with_base += cp->base > 0;
        weight_sum += cp->weight;
    }
    const ss_service *s = &sc->service;
    struct {
        const char *key;
        bool broken;
        const char *msg;
    } rows[] = {
        {"capacity_providers", with_base > 1, "only one capacity provider may have base > 0"},
        {"capacity_providers", sc->n_providers > 0 && weight_sum == 0,
         "all weights are 0: ECS would reject the strategy"},
        {"capacity_providers", sc->n_asgs > 0 && sc->n_providers == 0,
         "an ECS scenario needs a capacity provider"},
        {"service.min_tasks", s->max_tasks > 0 && s->min_tasks > s->max_tasks,
         "min_tasks > max_tasks"},
        {"service.target_value", s->demand_trace[0] && s->target_value <= 0,
         "a demand trace needs target_value > 0"},
    };
    for (size_t r = 0; r < SS_ARRAY_LEN(rows); r++)
        if (rows[r].broken)
            return vfail(v, rows[r].key, "%s", rows[r].msg);
    return 0;
}

/* Karpenter: NodePools with distinct names whose offerings exist in the
 * market; the node labels the pods refer to come from the pools then. */
static int validate_karpenter(const ss_scenario *sc, const vctx *v)
{
    char p[SS_PATH_MAX];
    const ss_karpenter *k = &sc->k8s.karpenter;
    if (k->n_pools == 0)
        return vfail(v, "kubernetes.karpenter.node_pools",
                     "provisioner karpenter needs at least one NodePool");
    if (k->batch_max < k->batch_idle)
        return vfail(v, "kubernetes.karpenter.batch_max_duration",
                     "batch_max_duration must be >= batch_idle_duration");
    const ss_zone_mitigations *mi = &sc->k8s.mitigations;
    if (mi->drop_zone_spread || mi->remove_zone_groups || mi->spot_rate_guard || mi->suspend_scale_down)
        return vfail(v, "kubernetes.mitigations",
                     "the zone-failure mitigations act on the cluster autoscaler's node groups; "
                     "with provisioner karpenter leave them off");
    for (int i = 0; i < k->n_pools; i++) {
        snprintf(p, sizeof p, "kubernetes.karpenter.node_pools[%d].name", i);
        if (!k->pools[i].name[0])
            return vfail(v, p, "a NodePool needs a name");
        for (int j = 0; j < i; j++)
            if (!strcmp(k->pools[j].name, k->pools[i].name))
                return vfail(v, p, "duplicate NodePool name '%s'", k->pools[i].name);
        if (sc->market.n_types == 0) {
            snprintf(p, sizeof p, "kubernetes.karpenter.node_pools[%d].instance_types", i);
            return vfail(v, p, "market.instance_types is empty: nothing to launch");
        }
    }
    return 0;
}

static int validate_k8s(const ss_scenario *sc, const vctx *v)
{
    char p[SS_PATH_MAX];
    const ss_deployment *d = &sc->k8s.deployment;
    bool karp = sc->k8s.provisioner == SS_PROV_KARPENTER;
    if (karp && validate_karpenter(sc, v))
        return -1;
    if (!karp && sc->n_asgs == 0)
        return vfail(v, "asgs", "a Kubernetes scenario needs node groups (asgs)");
    int pdb = (d->pdb_min_available >= 0) + (d->pdb_max_unavailable >= 0) +
              (d->pdb_min_available_pct >= 0);
    if (pdb > 1)
        return vfail(v, "kubernetes.deployment.pdb",
                     "give only one of min_available, max_unavailable, min_available_percent");
    for (int i = 0; i < d->n_spread; i++) {
        const char *key = d->spread[i].topology_key;
        snprintf(p, sizeof p, "kubernetes.deployment.topology_spread[%d].topology_key", i);
        bool known = !strcmp(key, "topology.kubernetes.io/zone") ||
                     !strcmp(key, "kubernetes.io/hostname") ||
                     !strcmp(key, sc->k8s.capacity_type_label) || group_label(sc, key, NULL);
        if (!known)
            return vfail(v, p,
                         "no node carries label '%s' (zone, hostname, capacity_type_label "
                         "or a node group label)",
                         key);
        if (d->spread[i].min_domains > 0 && d->spread[i].schedule_anyway)
            return vfail(v, p, "min_domains needs when_unsatisfiable: DoNotSchedule");
    }
    if (d->node_selector[0][0] && !group_label(sc, d->node_selector[0], d->node_selector[1]))
        return vfail(v, "kubernetes.deployment.node_selector", "no node group has label %s=%s",
                     d->node_selector[0], d->node_selector[1]);
    const ss_zone_mitigations *mi = &sc->k8s.mitigations;
    if (mi->spot_rate_resume > mi->spot_rate_threshold)
        return vfail(v, "kubernetes.mitigations.spot_rate_resume",
                     "spot_rate_resume must be <= spot_rate_threshold");
    return 0;
}

/* policy: the fleet rules act on one ECS/ASG Spot group (docs/policies.md). */
static int validate_policy(const ss_scenario *sc, const vctx *v)
{
    const ss_fleet_policy *fp = &sc->policy;
    if (!ss_fp_enabled(fp)) {
        if (fp->fallback_group >= 0)
            return vfail(v, "policy.fallback_group", "needs on_demand_fallback: true");
        return 0;
    }
    if (sc->orchestrator == SS_ORCH_KUBERNETES) {
        /* node groups: only the On-Demand fallback, to a named On-Demand group */
        if (sc->k8s.provisioner != SS_PROV_CLUSTER_AUTOSCALER)
            return vfail(v, "policy",
                         "Karpenter falls back to On-Demand itself (NodePool capacity types "
                         "spot + on-demand); the fleet rules act on cluster-autoscaler node groups");
        if (fp->extra_spot > 0 || fp->placement != SS_PLACE_ASG)
            return vfail(v, fp->extra_spot > 0 ? "policy.extra_spot" : "policy.placement",
                         "on Kubernetes node groups only the On-Demand fallback is modelled");
        if (fp->fallback_group < 0)
            return vfail(v, "policy.fallback_group",
                         "Kubernetes: name the On-Demand node group whose MinSize the fallback raises");
        if (sc->asgs[fp->fallback_group].spot)
            return vfail(v, "policy.fallback_group", "node group '%s' is a Spot group; name an "
                         "On-Demand one", sc->asgs[fp->fallback_group].name);
        return 0;
    }
    if (fp->fallback_group >= 0)
        return vfail(v, "policy.fallback_group",
                     "Kubernetes only: on ECS/ASG the cover goes into policy.group itself");
    if (fp->group < 0 || fp->group >= sc->n_asgs)
        return vfail(v, "policy.group", "the policy needs an existing ASG");
    for (int i = 0; i < sc->n_providers; i++)
        if (sc->providers[i].asg == fp->group && sc->providers[i].managed_scaling)
            return vfail(v, "policy.group",
                         "ASG '%s' is scaled by ECS managed scaling (capacity provider '%s'); the "
                         "fleet rules set its DesiredCapacity themselves: set managed_scaling: false",
                         sc->asgs[fp->group].name, sc->providers[i].name);
    if (fp->extra_spot > 0 && sc->service.demand_trace[0])
        return vfail(v, "policy.extra_spot",
                     "over-provisioning adds tasks to a fixed desired_count; not with a demand trace");
    return 0;
}

static int validate_impl(const ss_scenario *sc, const vctx *v)
{
    int weighted;
    if (validate_market(sc, v, &weighted))
        return -1;
    for (int i = 0; i < sc->n_asgs; i++)
        if (validate_asg(sc, v, i))
            return -1;
    if (sc->orchestrator == SS_ORCH_ECS ? validate_ecs(sc, v, weighted) : validate_k8s(sc, v))
        return -1;
    return validate_policy(sc, v);
}

int ss_scenario_validate(const ss_scenario *sc, ss_err *err)
{
    vctx v = {NULL, err};
    return validate_impl(sc, &v);
}

/* ---- Reading ------------------------------------------------------------------- */

static int yaml_problem(const char *name, const yaml_parser_t *ps, ss_err *err)
{
    const yaml_mark_t *mk = ps->problem ? &ps->problem_mark : &ps->context_mark;
    if (ps->error == YAML_MEMORY_ERROR)
        return ss_err_set(err, "%s: out of memory reading YAML", name);
    return ss_err_set(err, "%s:%zu:%zu: YAML syntax error: %s%s%s%s", name, mk->line + 1,
                      mk->column + 1, ps->problem ? ps->problem : "malformed document",
                      ps->context ? " (" : "", ps->context ? ps->context : "",
                      ps->context ? ")" : "");
}

int ss_scenario_load_string(const char *yaml, const char *name, ss_scenario *out, ss_err *err)
{
    if (!name)
        name = "<string>";
    if (!yaml)
        return ss_err_set(err, "%s: no text", name);
    if (ss_scenario_text_limits(yaml, strlen(yaml), name, err))
        return -1;
    yaml_parser_t ps;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&ps))
        return ss_err_set(err, "%s: cannot initialise the YAML parser", name);
    yaml_parser_set_input_string(&ps, (const unsigned char *)yaml, strlen(yaml));
    if (!yaml_parser_load(&ps, &doc)) {
        yaml_problem(name, &ps, err);
        yaml_parser_delete(&ps);
        return -1;
    }
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_scenario_defaults(sc);
    ss_bind_ctx c;
    memset(&c, 0, sizeof c);
    c.file = name;
    c.sc = sc;
    c.err = err;
    int rc = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    ss_bind_value rv = {&doc, root, NULL, 1, 1};
    if (root)
        rv = ss_bind_node(&rv, root);
    if (!root) {
        rc = ss_err_set(err, "%s:1:1: empty scenario (expected a mapping with keys such as name, "
                             "market, asg, service)",
                        name);
    } else if (root->type != YAML_MAPPING_NODE) {
        rc = ss_err_set(err, "%s:%d:%d: the scenario must be a mapping of keys, got a %s", name,
                        rv.line, rv.col, root->type == YAML_SEQUENCE_NODE ? "sequence" : "scalar");
    } else {
        /* `asg:` (one group) and `asgs:` (a list) are two spellings of one list. */
        int has_asg = 0, has_asgs = 0;
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            if (k && k->type == YAML_SCALAR_NODE) {
                has_asg |= !strcmp((const char *)k->data.scalar.value, "asg");
                has_asgs |= !strcmp((const char *)k->data.scalar.value, "asgs");
                if (has_asg && has_asgs) {
                    ss_bind_value kv = ss_bind_node(&rv, k);
                    size_t mark = ss_bind_push(&c, (const char *)k->data.scalar.value, 0);
                    rc = ss_bind_fail(&c, &kv, "give either asg: (one group) or asgs: (a list), "
                                               "not both");
                    ss_bind_pop(&c, mark);
                    break;
                }
            }
        }
        if (!rc)
            rc = ss_bind_mapping(&c, &root_sec, sc, &rv);
    }
    yaml_document_delete(&doc);
    if (!rc) {
        /* A second document in the stream is almost always a mistake. */
        if (!yaml_parser_load(&ps, &doc)) {
            rc = yaml_problem(name, &ps, err);
        } else {
            yaml_node_t *r2 = yaml_document_get_root_node(&doc);
            if (r2)
                rc = ss_err_set(err, "%s:%zu:%zu: more than one YAML document (remove '---')",
                                name, r2->start_mark.line + 1, r2->start_mark.column + 1);
            yaml_document_delete(&doc);
        }
    }
    yaml_parser_delete(&ps);
    if (!rc) {
        vctx v = {&c, err};
        rc = validate_impl(sc, &v);
    }
    if (!rc)
        memcpy(out, sc, sizeof *sc);
    free(c.pos);
    free(c.scratch);
    free(sc);
    return rc;
}

int ss_scenario_load_file(const char *path, ss_scenario *out, ss_err *err)
{
    FILE *f = ss_fopen_regular(path, err);
    if (!f)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        SS_GROW(buf, cap, len + 65536);
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return ss_err_set(err, "%s: read error", path);
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) {
        free(buf);
        return ss_err_set(err, "%s: contains a NUL byte (not a text file)", path);
    }
    ss_scenario *sc = ss_malloc(sizeof *sc);
    int rc = ss_scenario_load_string(buf, path, sc, err);
    free(buf);
    if (!rc) {
        snprintf(sc->source_path, sizeof sc->source_path, "%s", path);
        memcpy(out, sc, sizeof *sc);
    }
    free(sc);
    return rc;
}

/* ---- Setting by path --------------------------------------------------------------- */

int ss_scenario_set(ss_scenario *sc, const char *path, const char *value, ss_err *err)
{
    const ss_bind_key *k;
    const ss_bind_section *sec;
    void *base;
    if (ss_bind_resolve(&root_sec, sc, path, &k, &sec, &base, err))
        return -1;
    if (!value)
        return ss_err_set(err, "key '%s': no value", path);
    ss_bind_ctx c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.err = err;
    snprintf(c.path, sizeof c.path, "%s", path);
    c.path_len = strlen(c.path);

    /* Plain scalars (the optimizer's common case) are bound from the text
     * directly; only collections and quoted text go through libyaml. */
    const char *t = value;
    while (*t == ' ')
        t++;
    bool yaml = strchr("[{'\"|>!&*", *t) && *t;
    yaml = yaml || strchr(value, '\n');
    ss_bind_value v = {NULL, NULL, value, 0, 0};
    yaml_parser_t ps;
    yaml_document_t doc;
    if (yaml) {
        if (!yaml_parser_initialize(&ps))
            return ss_err_set(err, "key '%s': cannot initialise the YAML parser", path);
        yaml_parser_set_input_string(&ps, (const unsigned char *)value, strlen(value));
        if (!yaml_parser_load(&ps, &doc)) {
            ss_err_set(err, "key '%s': value '%s' is not valid YAML: %s", path, value,
                       ps.problem ? ps.problem : "syntax error");
            yaml_parser_delete(&ps);
            return -1;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        ss_bind_value dv = {&doc, root, "", 0, 0};
        v = root ? ss_bind_node(&dv, root) : dv;
        v.line = v.col = 0;
    }
    /* Compound values may fail half-way: keep a copy of the struct holding
     * the key (an ASG, the service, ...) to restore, so that a rejected value
     * leaves the scenario exactly as it was. Custom keys only write inside
     * their section's struct. */
    bool compound = k->kind == SS_B_LIST || k->kind == SS_B_SECTION || k->kind == SS_B_STRLIST ||
                    k->kind == SS_B_CUSTOM || k->kind == SS_B_DIST;
    void *saved = NULL;
    if (compound) {
        saved = ss_malloc(sec->size);
        memcpy(saved, base, sec->size);
    }
    int rc = ss_bind_key_apply(&c, k, base, &v);
    if (rc && saved)
        memcpy(base, saved, sec->size);
    free(saved);
    if (yaml) {
        yaml_document_delete(&doc);
        yaml_parser_delete(&ps);
    }
    return rc;
}

const ss_param_binder ss_scenario_binder = {ss_scenario_set, ss_scenario_validate};

/* ---- Hash ------------------------------------------------------------------------ */

void ss_scenario_hash(const ss_scenario *sc, char buf[17])
{
    /* Hash the canonical text of every simulation input (all keys but name,
     * description and the search block): independent of struct padding,
     * stale bytes behind strings and unused array slots. */
    ss_buf b = {0};
    ss_buf_printf(&b, "spotsim-scenario-v1\n");
    ss_bind_write_section(sc, &root_sec, sc, "", &b);
    uint64_t h = ss_hash_bytes(b.s, b.len, 0x5c3a4e10u);
    free(b.s);
    snprintf(buf, 17, "%016llx", (unsigned long long)h);
}
