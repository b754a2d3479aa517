/*
 * yaml_bind.c - the engine of the table-driven YAML binder (see yaml_bind.h).
 *
 * Reads values of a libyaml document (or bare scalar text) into struct fields
 * described by ss_bind_key tables, with range checks and messages that name
 * FILE:LINE:COL and the key path; writes the same fields back as canonical
 * text for hashing. The engine knows nothing about scenarios beyond the
 * ss_scenario pointer it passes to custom handlers.
 */
#include "sim/scenario/yaml_bind.h"
#include "sim/scenario/scenario_io.h"
#include "sim/scenario/names.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Paths and errors ----------------------------------------------------- */

size_t ss_bind_push(ss_bind_ctx *c, const char *seg, int index)
{
    size_t mark = c->path_len;
    size_t room = sizeof c->path - c->path_len;
    int n;
    if (seg)
        n = snprintf(c->path + c->path_len, room, "%s%s", c->path_len ? "." : "", seg);
    else
        n = snprintf(c->path + c->path_len, room, "[%d]", index);
    if (n > 0)
        c->path_len += (size_t)n < room ? (size_t)n : room - 1;
    return mark;
}

void ss_bind_pop(ss_bind_ctx *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

int ss_bind_fail(ss_bind_ctx *c, const ss_bind_value *v, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->file && v && v->line > 0)
        return ss_err_set(c->err, "%s:%d:%d: key '%s': %s", c->file, v->line, v->col, c->path,
                          msg);
    if (c->file)
        return ss_err_set(c->err, "%s: key '%s': %s", c->file, c->path, msg);
    return ss_err_set(c->err, "key '%s': %s", c->path, msg);
}

static void record_pos(ss_bind_ctx *c, const ss_bind_value *v)
{
    if (!c->file || !v || v->line <= 0)
        return;
    SS_GROW(c->pos, c->cap_pos, c->n_pos + 1);
    ss_bind_pos *p = &c->pos[c->n_pos++];
    size_t n = c->path_len < sizeof p->path - 1 ? c->path_len : sizeof p->path - 1;
    memcpy(p->path, c->path, n);
    p->path[n] = '\0';
    p->line = v->line;
    p->col = v->col;
}

/* ---- Values --------------------------------------------------------------- */

ss_bind_value ss_bind_node(const ss_bind_value *parent, yaml_node_t *node)
{
    ss_bind_value v = {parent->doc, node, NULL, 0, 0};
    if (node) {
        v.line = (int)node->start_mark.line + 1;
        v.col = (int)node->start_mark.column + 1;
        if (node->type == YAML_SCALAR_NODE)
            v.text = (const char *)node->data.scalar.value;
    }
    return v;
}

yaml_node_item_t *ss_bind_seq(const ss_bind_value *v, size_t *n)
{
    if (!v->node || v->node->type != YAML_SEQUENCE_NODE) {
        *n = 0;
        return NULL;
    }
    *n = (size_t)(v->node->data.sequence.items.top - v->node->data.sequence.items.start);
    return v->node->data.sequence.items.start;
}

static const char *node_kind_name(const ss_bind_value *v)
{
    if (!v->node)
        return "a scalar";
    switch (v->node->type) {
    case YAML_SEQUENCE_NODE:
        return "a sequence";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "a scalar";
    }
}

static int need_scalar(ss_bind_ctx *c, const ss_bind_value *v, const char *what)
{
    if (v->text)
        return 0;
    return ss_bind_fail(c, v, "expected %s, got %s", what, node_kind_name(v));
}

int ss_bind_parse_int(const char *s, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    while (*end == ' ')
        end++;
    if (*end)
        return -1;
    *out = x;
    return 0;
}

int ss_bind_parse_double(const char *s, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

/* Does s match one of the '|'-separated spellings of an enum name? */
static int enum_match(const char *spellings, const char *s)
{
    size_t ls = strlen(s);
    const char *p = spellings;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == ls && !strncasecmp(p, s, n))
            return 1;
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

int ss_bind_enum_lookup(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (enum_match(names[i], s))
            return i;
    return -1;
}

/* The canonical spelling (before the first '|'), copied into buf. */
static const char *enum_canon(const char *spellings, char *buf, size_t n)
{
    const char *bar = strchr(spellings, '|');
    size_t len = bar ? (size_t)(bar - spellings) : strlen(spellings);
    if (len >= n)
        len = n - 1;
    memcpy(buf, spellings, len);
    buf[len] = '\0';
    return buf;
}

const char *ss_bind_names_at(const void *names, size_t i)
{
    return ((const char *const *)names)[i];
}

const char *ss_bind_suggest(const char *s, ss_bind_name_at at, const void *user, size_t n)
{
    /* Suggest the closest name when it is within a third of the length (at
     * least 2 edits): close enough to be a typo, not a different word. */
    static _Thread_local char canon_best[SS_PATH_MAX];
    size_t best_d = (size_t)-1;
    size_t limit = strlen(s) / 3;
    if (limit < 2)
        limit = 2;
    for (size_t i = 0; i < n; i++) {
        const char *name = at(user, i);
        if (!name)
            break;
        char canon[SS_PATH_MAX];
        enum_canon(name, canon, sizeof canon);
        size_t d = ss_edit_distance(s, canon);
        if (d < best_d) {
            best_d = d;
            memcpy(canon_best, canon, sizeof canon);
        }
    }
    return best_d <= limit ? canon_best : NULL;
}

static void enum_list_text(const char *const *names, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && len + 1 < n; i++) {
        char canon[128];
        int w = snprintf(buf + len, n - len, "%s%s", i ? ", " : "",
                         enum_canon(names[i], canon, sizeof canon));
        if (w < 0)
            break;
        len += (size_t)w;
        if (len >= n)
            len = n - 1;
    }
}

static int bind_enum(ss_bind_ctx *c, const ss_bind_key *k, void *field, const ss_bind_value *v)
{
    if (need_scalar(c, v, "a name"))
        return -1;
    int idx = ss_bind_enum_lookup(k->names, v->text);
    if (idx < 0) {
        char list[512];
        enum_list_text(k->names, list, sizeof list);
        const char *sug = ss_bind_suggest(v->text, ss_bind_names_at, k->names, SIZE_MAX);
        if (sug)
            return ss_bind_fail(c, v, "unknown value '%s' (did you mean '%s'?)", v->text, sug);
        return ss_bind_fail(c, v, "unknown value '%s' (expected one of: %s)", v->text, list);
    }
    if (k->size == sizeof(bool))
        *(bool *)field = idx != 0;
    else
        *(int *)field = idx;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"true", "yes", "on", "enabled", NULL};
    static const char *const f[] = {"false", "no", "off", "disabled", NULL};
    for (int i = 0; t[i]; i++) {
        if (!strcasecmp(s, t[i])) {
            *out = true;
            return 0;
        }
        if (!strcasecmp(s, f[i])) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

static int range_fail(ss_bind_ctx *c, const ss_bind_key *k, const ss_bind_value *v,
                      const char *unit)
{
    if (k->hi >= 1e15)
        return ss_bind_fail(c, v, "value '%s' out of range (must be >= %g%s)", v->text, k->lo,
                            unit);
    return ss_bind_fail(c, v, "value '%s' out of range (%g..%g%s)", v->text, k->lo, k->hi, unit);
}

static int bind_duration_text(ss_bind_ctx *c, const ss_bind_value *v, ss_time *out)
{
    if (ss_duration_parse(v->text, out) != 0)
        return ss_bind_fail(c, v,
                            "expected a duration like 90s, 5m, 2h, 1d or a number of seconds, "
                            "got '%s'",
                            v->text);
    return 0;
}

/* One field of a distribution map, in seconds (durations) or plain numbers. */
static int dist_field(ss_bind_ctx *c, const ss_bind_value *v, bool duration, double *out)
{
    if (need_scalar(c, v, duration ? "a duration" : "a number"))
        return -1;
    if (duration) {
        ss_time t;
        if (bind_duration_text(c, v, &t))
            return -1;
        *out = (double)t / 1000.0;
        return 0;
    }
    if (ss_bind_parse_double(v->text, out) || *out <= 0)
        return ss_bind_fail(c, v, "expected a positive number, got '%s'", v->text);
    return 0;
}

static const char *const dist_names[] = {"fixed", "uniform", "exponential", "lognormal", "gamma",
                                         "normal", NULL};

static int bind_dist(ss_bind_ctx *c, ss_dist *d, const ss_bind_value *v)
{
    if (v->text) { /* a plain duration = fixed */
        ss_time t;
        if (bind_duration_text(c, v, &t))
            return -1;
        *d = (ss_dist){SS_DIST_FIXED, (double)t / 1000.0, 0.0};
        return 0;
    }
    if (!v->node || v->node->type != YAML_MAPPING_NODE)
        return ss_bind_fail(c, v, "expected a duration or a mapping {dist: lognormal, median: "
                                  "60s, sigma: 0.3}");
    /* Which keys each distribution takes, and whether each is a duration. */
    static const struct {
        const char *a, *b;
        bool a_dur, b_dur;
    } shape[] = {
        {"value", NULL, true, false},    {"min", "max", true, true}, {"mean", NULL, true, false},
        {"median", "sigma", true, false}, {"shape", "scale", false, true},
        {"mean", "sd", true, true},
    };
    yaml_node_pair_t *p0 = v->node->data.mapping.pairs.start;
    yaml_node_pair_t *p1 = v->node->data.mapping.pairs.top;
    int kind = -1;
    for (yaml_node_pair_t *p = p0; p < p1; p++) {
        ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, p->key));
        if (kv.text && !strcmp(kv.text, "dist")) {
            ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, p->value));
            if (need_scalar(c, &vv, "a distribution name"))
                return -1;
            kind = ss_bind_enum_lookup(dist_names, vv.text);
            if (kind < 0)
                return ss_bind_fail(c, &vv,
                                    "unknown distribution '%s' (expected one of: fixed, uniform, "
                                    "exponential, lognormal, gamma, normal)",
                                    vv.text);
        }
    }
    if (kind < 0)
        return ss_bind_fail(c, v, "distribution map needs 'dist' (fixed, uniform, exponential, "
                                  "lognormal, gamma, normal)");
    ss_dist r = {(ss_dist_kind)kind, 0.0, 0.0};
    bool have_a = false, have_b = shape[kind].b == NULL;
    for (yaml_node_pair_t *p = p0; p < p1; p++) {
        ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, p->key));
        ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, p->value));
        if (!kv.text)
            return ss_bind_fail(c, &kv, "distribution keys must be scalars");
        if (!strcmp(kv.text, "dist"))
            continue;
        size_t mark = ss_bind_push(c, kv.text, 0);
        int rc = 0;
        if (!strcmp(kv.text, shape[kind].a)) {
            rc = dist_field(c, &vv, shape[kind].a_dur, &r.a);
            have_a = true;
        } else if (shape[kind].b && !strcmp(kv.text, shape[kind].b)) {
            rc = dist_field(c, &vv, shape[kind].b_dur, &r.b);
            have_b = true;
        } else if (kind == SS_DIST_FIXED && !strcmp(kv.text, "value")) {
            rc = 0;
        } else {
            rc = ss_bind_fail(c, &kv, "unknown key for dist %s (expected %s%s%s)",
                              dist_names[kind], shape[kind].a, shape[kind].b ? ", " : "",
                              shape[kind].b ? shape[kind].b : "");
        }
        ss_bind_pop(c, mark);
        if (rc)
            return -1;
    }
    if (!have_a || !have_b)
        return ss_bind_fail(c, v, "dist %s needs %s%s%s", dist_names[kind], shape[kind].a,
                            shape[kind].b ? " and " : "", shape[kind].b ? shape[kind].b : "");
    if (kind == SS_DIST_UNIFORM && r.b < r.a)
        return ss_bind_fail(c, v, "uniform needs min <= max");
    *d = r;
    return 0;
}

static int copy_str_as(ss_bind_ctx *c, const ss_bind_value *v, char *dst, size_t cap, bool multiline)
{
    if (need_scalar(c, v, "a string"))
        return -1;
    size_t n = strlen(v->text);
    /* a NUL (YAML "\0") would cut the name silently; a control character
     * would reach ecs.config, main.tf or a terminal */
    char why[160];
    size_t len = v->node ? v->node->data.scalar.length : n;
    if (ss_text_check(v->text, len, multiline, why, sizeof why))
        return ss_bind_fail(c, v, "%s; not allowed here", why);
    if (n >= cap)
        return ss_bind_fail(c, v, "text too long (%zu characters, at most %zu)", n, cap - 1);
    memset(dst, 0, cap); /* zero tail: no stale bytes behind the string */
    memcpy(dst, v->text, n);
    return 0;
}

static int copy_str(ss_bind_ctx *c, const ss_bind_value *v, char *dst, size_t cap)
{
    return copy_str_as(c, v, dst, cap, false);
}

static int bind_strlist(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    char *arr = (char *)base + k->off;
    int *count = (int *)((char *)base + k->count_off);
    if (v->text) { /* one scalar = a list of one */
        if (copy_str(c, v, arr, k->size))
            return -1;
        *count = 1;
        return 0;
    }
    size_t n;
    yaml_node_item_t *it = ss_bind_seq(v, &n);
    if (!it)
        return ss_bind_fail(c, v, "expected a sequence, got %s", node_kind_name(v));
    if (n > (size_t)k->max)
        return ss_bind_fail(c, v, "too many items (%zu, at most %d)", n, k->max);
    for (size_t i = 0; i < n; i++) {
        ss_bind_value iv = ss_bind_node(v, yaml_document_get_node(v->doc, it[i]));
        size_t mark = ss_bind_push(c, NULL, (int)i);
        int rc = copy_str(c, &iv, arr + i * k->size, k->size);
        for (size_t j = 0; !rc && j < i; j++)
            if (!strcmp(arr + j * k->size, iv.text))
                rc = ss_bind_fail(c, &iv, "duplicate item '%s'", iv.text);
        ss_bind_pop(c, mark);
        if (rc)
            return -1;
    }
    *count = (int)n;
    return 0;
}

static int bind_list(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    char *arr = (char *)base + k->off;
    int *count = (int *)((char *)base + k->count_off);
    if (k->flags & SS_BF_SINGLE) {
        if (!v->node || v->node->type != YAML_MAPPING_NODE)
            return ss_bind_fail(c, v, "expected a mapping, got %s", node_kind_name(v));
        k->init(arr);
        if (ss_bind_mapping(c, k->sub, arr, v))
            return -1;
        if (k->fin && k->fin(c, arr, v))
            return -1;
        *count = 1;
        return 0;
    }
    size_t n;
    yaml_node_item_t *it = ss_bind_seq(v, &n);
    if (!it)
        return ss_bind_fail(c, v, "expected a sequence, got %s", node_kind_name(v));
    if (n > (size_t)k->max)
        return ss_bind_fail(c, v, "too many items (%zu, at most %d)", n, k->max);
    /* Items are read into the struct directly; on error the caller discards
     * the whole scenario (load) or the caller's copy is left partly updated
     * (set): count is only raised after each item succeeded. */
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        ss_bind_value iv = ss_bind_node(v, yaml_document_get_node(v->doc, it[i]));
        void *elem = arr + i * k->size;
        size_t mark = ss_bind_push(c, NULL, (int)i);
        k->init(elem);
        int rc;
        if (iv.text && k->scalar_key) {
            const ss_bind_key *sk = NULL;
            for (size_t j = 0; j < k->sub->n_keys; j++)
                if (!strcmp(k->sub->keys[j].name, k->scalar_key))
                    sk = &k->sub->keys[j];
            rc = sk ? ss_bind_key_apply(c, sk, elem, &iv) : -1;
        } else if (!iv.node || iv.node->type != YAML_MAPPING_NODE) {
            rc = ss_bind_fail(c, &iv, "expected a mapping%s, got %s",
                              k->scalar_key ? " or a name" : "", node_kind_name(&iv));
        } else {
            rc = ss_bind_mapping(c, k->sub, elem, &iv);
        }
        if (!rc && k->fin)
            rc = k->fin(c, elem, &iv);
        ss_bind_pop(c, mark);
        if (rc)
            return -1;
        *count = (int)i + 1;
    }
    return 0;
}

int ss_bind_key_apply(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v)
{
    void *field = (char *)base + k->off;
    long long iv;
    double dv;
    record_pos(c, v);
    switch (k->kind) {
    case SS_B_INT:
    case SS_B_PERCENT: {
        if (need_scalar(c, v, k->kind == SS_B_INT ? "an integer" : "a percentage"))
            return -1;
        char buf[64];
        snprintf(buf, sizeof buf, "%s", v->text);
        size_t n = strlen(buf);
        if (k->kind == SS_B_PERCENT && n > 0 && buf[n - 1] == '%')
            buf[n - 1] = '\0';
        if (ss_bind_parse_int(buf, &iv))
            return ss_bind_fail(c, v, "expected %s, got '%s'",
                                k->kind == SS_B_INT ? "an integer" : "a percentage like 20 or 20%",
                                v->text);
        if ((k->flags & SS_BF_OPTNEG) && iv == -1) {
            *(int *)field = -1;
            return 0;
        }
        if ((double)iv < k->lo || (double)iv > k->hi)
            return range_fail(c, k, v, k->kind == SS_B_PERCENT ? "%" : "");
        *(int *)field = (int)iv;
        return 0;
    }
    case SS_B_U64: {
        if (need_scalar(c, v, "an unsigned integer"))
            return -1;
        char *end;
        errno = 0;
        unsigned long long u = strtoull(v->text, &end, 10);
        if (errno || end == v->text || *end || v->text[0] == '-')
            return ss_bind_fail(c, v, "expected an unsigned integer, got '%s'", v->text);
        *(uint64_t *)field = (uint64_t)u;
        return 0;
    }
    case SS_B_DOUBLE: {
        if (need_scalar(c, v, "a number"))
            return -1;
        if (k->flags & SS_BF_SLO) {
            ss_err e2;
            if (ss_slo_parse(v->text, true, &dv, &e2))
                return ss_bind_fail(c, v, "%s", e2.msg);
            *(double *)field = dv;
            return 0;
        }
        char buf[64];
        snprintf(buf, sizeof buf, "%s", v->text);
        size_t n = strlen(buf);
        bool pct = (k->flags & SS_BF_FRACTION) && n > 0 && buf[n - 1] == '%';
        if (pct)
            buf[n - 1] = '\0';
        if (ss_bind_parse_double(buf, &dv))
            return ss_bind_fail(c, v, "expected a number, got '%s'", v->text);
        if (pct)
            dv /= 100.0;
        if (dv < k->lo || dv > k->hi)
            return range_fail(c, k, v, "");
        *(double *)field = dv;
        return 0;
    }
    case SS_B_BOOL: {
        if (need_scalar(c, v, "true or false"))
            return -1;
        if (parse_bool(v->text, (bool *)field))
            return ss_bind_fail(c, v, "expected true or false, got '%s'", v->text);
        return 0;
    }
    case SS_B_STR: {
        if (copy_str_as(c, v, field, k->size, (k->flags & SS_BF_TEXT) != 0))
            return -1;
        char why[200];
        if (k->check && k->check((const char *)field, why, sizeof why))
            return ss_bind_fail(c, v, "'%s': %s", (const char *)field, why);
        return 0;
    }
    case SS_B_DURATION: {
        if (need_scalar(c, v, "a duration"))
            return -1;
        ss_time t;
        if (bind_duration_text(c, v, &t))
            return -1;
        if ((double)t < k->lo * 1000.0 || (double)t > k->hi * 1000.0)
            return range_fail(c, k, v, " s");
        *(ss_time *)field = t;
        return 0;
    }
    case SS_B_TIME: {
        if (need_scalar(c, v, "a timestamp"))
            return -1;
        if (ss_time_parse(v->text, (ss_time *)field))
            return ss_bind_fail(c, v,
                                "expected an ISO-8601 timestamp like 2016-03-01T00:00:00Z, got "
                                "'%s'",
                                v->text);
        return 0;
    }
    case SS_B_ENUM:
        return bind_enum(c, k, field, v);
    case SS_B_DIST:
        return bind_dist(c, (ss_dist *)field, v);
    case SS_B_STRLIST:
        return bind_strlist(c, k, base, v);
    case SS_B_SECTION:
        return ss_bind_mapping(c, k->sub, field, v);
    case SS_B_LIST:
        return bind_list(c, k, base, v);
    case SS_B_CUSTOM:
        return k->fn(c, k, base, v);
    }
    return ss_bind_fail(c, v, "internal: unknown key kind");
}

static const char *key_name_at(const void *s, size_t i)
{
    return ((const ss_bind_section *)s)->keys[i].name;
}

static const ss_bind_key *find_key(const ss_bind_section *s, const char *name)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (!strcmp(s->keys[i].name, name))
            return &s->keys[i];
    return NULL;
}

int ss_bind_mapping(ss_bind_ctx *c, const ss_bind_section *s, void *base, const ss_bind_value *v)
{
    if (!v->node || v->node->type != YAML_MAPPING_NODE)
        return ss_bind_fail(c, v, "expected a mapping of keys, got %s", node_kind_name(v));
    yaml_node_pair_t *p0 = v->node->data.mapping.pairs.start;
    yaml_node_pair_t *p1 = v->node->data.mapping.pairs.top;
    /* Pass 1: every key is a known scalar, and none repeats. */
    for (yaml_node_pair_t *p = p0; p < p1; p++) {
        ss_bind_value kv = ss_bind_node(v, yaml_document_get_node(v->doc, p->key));
        if (!kv.text)
            return ss_bind_fail(c, &kv, "keys must be plain names, got %s", node_kind_name(&kv));
        size_t mark = ss_bind_push(c, kv.text, 0);
        int rc = 0;
        if (!find_key(s, kv.text)) {
            const char *sug = ss_bind_suggest(kv.text, key_name_at, s, s->n_keys);
            if (sug)
                rc = ss_bind_fail(c, &kv, "unknown key (did you mean '%s'?)", sug);
            else
                rc = ss_bind_fail(c, &kv, "unknown key in section '%s'", s->name);
        }
        for (yaml_node_pair_t *q = p0; !rc && q < p; q++) {
            yaml_node_t *qk = yaml_document_get_node(v->doc, q->key);
            if (qk && qk->type == YAML_SCALAR_NODE &&
                !strcmp((const char *)qk->data.scalar.value, kv.text))
                rc = ss_bind_fail(c, &kv, "duplicate key (first given at line %d)",
                                  (int)qk->start_mark.line + 1);
        }
        ss_bind_pop(c, mark);
        if (rc)
            return -1;
    }
    /* Pass 2: apply in table order (names are defined before they are used). */
    for (size_t i = 0; i < s->n_keys; i++) {
        const ss_bind_key *k = &s->keys[i];
        for (yaml_node_pair_t *p = p0; p < p1; p++) {
            yaml_node_t *kn = yaml_document_get_node(v->doc, p->key);
            if (strcmp((const char *)kn->data.scalar.value, k->name))
                continue;
            ss_bind_value vv = ss_bind_node(v, yaml_document_get_node(v->doc, p->value));
            size_t mark = ss_bind_push(c, k->name, 0);
            int rc = ss_bind_key_apply(c, k, base, &vv);
            ss_bind_pop(c, mark);
            if (rc)
                return -1;
        }
    }
    return 0;
}

/* ---- Path resolution ------------------------------------------------------ */

int ss_bind_resolve(const ss_bind_section *root, ss_scenario *sc, const char *path,
                    const ss_bind_key **key, const ss_bind_section **sec, void **base,
                    ss_err *err)
{
    const ss_bind_section *s = root;
    char *b = (char *)sc;
    const char *p = path;
    if (!path || !*path)
        return ss_err_set(err, "key '': empty key path");
    for (;;) {
        size_t n = strcspn(p, ".[");
        char seg[SS_NAME_MAX];
        if (n == 0 || n >= sizeof seg)
            return ss_err_set(err, "key '%s': malformed key path", path);
        memcpy(seg, p, n);
        seg[n] = '\0';
        p += n;
        const ss_bind_key *k = find_key(s, seg);
        if (!k) {
            const char *sug = ss_bind_suggest(seg, key_name_at, s, s->n_keys);
            if (sug)
                return ss_err_set(err, "key '%s': unknown key '%s' (did you mean '%s'?)", path,
                                  seg, sug);
            return ss_err_set(err, "key '%s': unknown key '%s' in section '%s'", path, seg,
                              s->name);
        }
        long idx = -1;
        if (*p == '[') {
            char *end;
            idx = strtol(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || idx < 0)
                return ss_err_set(err, "key '%s': malformed index", path);
            if (k->kind != SS_B_LIST || (k->flags & SS_BF_SINGLE))
                return ss_err_set(err, "key '%s': '%s' is not a list", path, seg);
            p = end + 1;
        }
        if (!*p) {
            if (idx >= 0)
                return ss_err_set(err, "key '%s': a list item cannot be set as a whole; set "
                                       "its keys",
                                  path);
            *key = k;
            *base = b;
            if (sec)
                *sec = s;
            return 0;
        }
        if (*p != '.')
            return ss_err_set(err, "key '%s': malformed key path", path);
        p++;
        if (k->kind == SS_B_SECTION) {
            if (b)
                b += k->off;
            s = k->sub;
        } else if (k->kind == SS_B_LIST) {
            if (k->flags & SS_BF_SINGLE)
                idx = 0;
            else if (idx < 0)
                return ss_err_set(err, "key '%s': '%s' is a list: use %s[N]", path, seg, seg);
            if (idx >= k->max)
                return ss_err_set(err, "key '%s': index %ld out of range (at most %d items)",
                                  path, idx, k->max);
            if (b) {
                int count = *(int *)(b + k->count_off);
                if (idx >= count)
                    return ss_err_set(err, "key '%s': index %ld but the scenario has %d %s",
                                      path, idx, count, seg);
                b += k->off + (size_t)idx * k->size;
            }
            s = k->sub;
        } else {
            return ss_err_set(err, "key '%s': '%s' has no sub-keys", path, seg);
        }
    }
}

/* ---- Canonical writer ------------------------------------------------------ */

void ss_bind_write_value(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                         ss_buf *out)
{
    const void *f = (const char *)base + k->off;
    char canon[128];
    switch (k->kind) {
    case SS_B_INT:
    case SS_B_PERCENT:
        ss_buf_printf(out, "%d", *(const int *)f);
        break;
    case SS_B_U64:
        ss_buf_printf(out, "%llu", (unsigned long long)*(const uint64_t *)f);
        break;
    case SS_B_DOUBLE:
        ss_buf_printf(out, "%.17g", *(const double *)f + 0.0); /* +0.0: -0 prints as 0 */
        break;
    case SS_B_BOOL:
        ss_buf_printf(out, "%s", *(const bool *)f ? "true" : "false");
        break;
    case SS_B_STR:
        ss_buf_printf(out, "%s", (const char *)f);
        break;
    case SS_B_DURATION:
    case SS_B_TIME:
        ss_buf_printf(out, "%lldms", (long long)*(const ss_time *)f);
        break;
    case SS_B_ENUM: {
        int e = k->size == sizeof(bool) ? (int)*(const bool *)f : *(const int *)f;
        int n = 0;
        while (k->names[n])
            n++;
        ss_buf_printf(out, "%s", e >= 0 && e < n ? enum_canon(k->names[e], canon, sizeof canon)
                                                  : "?");
        break;
    }
    case SS_B_DIST: {
        const ss_dist *d = f;
        int kind = (int)d->kind;
        ss_buf_printf(out, "%s(%.17g,%.17g)", kind >= 0 && kind < 6 ? dist_names[kind] : "?",
                       d->a + 0.0, d->b + 0.0);
        break;
    }
    case SS_B_STRLIST: {
        int n = *(const int *)((const char *)base + k->count_off);
        ss_buf_printf(out, "[");
        for (int i = 0; i < n && i < k->max; i++)
            ss_buf_printf(out, "%s%s", i ? "," : "", (const char *)f + (size_t)i * k->size);
        ss_buf_printf(out, "]");
        break;
    }
    case SS_B_CUSTOM:
        if (k->write)
            k->write(sc, k, base, out);
        break;
    case SS_B_SECTION:
    case SS_B_LIST:
        break;
    }
}

void ss_bind_write_section(const ss_scenario *sc, const ss_bind_section *s, const void *base,
                           const char *prefix, ss_buf *out)
{
    char path[SS_PATH_MAX];
    for (size_t i = 0; i < s->n_keys; i++) {
        const ss_bind_key *k = &s->keys[i];
        if (k->flags & SS_BF_NOHASH)
            continue;
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k->name);
        if (k->kind == SS_B_SECTION) {
            ss_bind_write_section(sc, k->sub, (const char *)base + k->off, path, out);
        } else if (k->kind == SS_B_LIST) {
            int n = *(const int *)((const char *)base + k->count_off);
            ss_buf_printf(out, "%s.count=%d\n", path, n);
            for (int j = 0; j < n && j < k->max; j++) {
                char ip[SS_PATH_MAX + 16];
                snprintf(ip, sizeof ip, "%s[%d]", path, j);
                ss_bind_write_section(sc, k->sub,
                                      (const char *)base + k->off + (size_t)j * k->size, ip, out);
            }
        } else if (k->kind != SS_B_CUSTOM || k->write) {
            ss_buf_printf(out, "%s=", path);
            ss_bind_write_value(sc, k, base, out);
            ss_buf_printf(out, "\n");
        }
    }
}

void ss_bind_walk(const ss_bind_section *s, const char *prefix, ss_bind_walk_fn fn, void *user)
{
    char path[SS_PATH_MAX];
    for (size_t i = 0; i < s->n_keys; i++) {
        const ss_bind_key *k = &s->keys[i];
        if (k->flags & SS_BF_NODOC)
            continue;
        snprintf(path, sizeof path, "%s%s%s%s", prefix, *prefix ? "." : "", k->name,
                 k->kind == SS_B_LIST ? "[]" : "");
        fn(path, k, user);
        if (k->kind == SS_B_SECTION || k->kind == SS_B_LIST)
            ss_bind_walk(k->sub, path, fn, user);
    }
}
