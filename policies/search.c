/*
 * search.c - search space building, candidate encoding, canonical params
 * JSON and hashing (see search.h for the encoding).
 */
#include "policies/search.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <uthash.h>

#include "sim/kernel/rng.h"

/* ---- parsing helpers ------------------------------------------------------ */

static bool parse_number(const char *s, double *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return false;
    char *end = NULL;
    double v = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (!end || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static int find_param(const ss_space *sp, const char *path)
{
    for (int i = 0; i < sp->n; i++)
        if (!strcmp(sp->p[i].path, path))
            return i;
    return -1;
}

static int new_param(ss_space *sp, const char *path, ss_err *err)
{
    if (sp->n >= SS_MAX_SEARCH_PARAMS)
        return ss_err_set(err, "search: too many parameters (at most %d)", SS_MAX_SEARCH_PARAMS);
    if (!path || !*path || strlen(path) >= SS_PATH_MAX)
        return ss_err_set(err, "search.params[%d]: empty or too long path", sp->n);
    if (find_param(sp, path) >= 0)
        return ss_err_set(err, "search.params[%d]: duplicate path '%s'", sp->n, path);
    ss_space_param *p = &sp->p[sp->n];
    memset(p, 0, sizeof *p);
    strcpy(p->path, path);
    return 0;
}

int ss_space_add_values(ss_space *sp, const char *path, const char *const *values, int n,
                        ss_err *err)
{
    if (new_param(sp, path, err))
        return -1;
    if (n < 1 || n > SS_MAX_SEARCH_VALUES)
        return ss_err_set(err, "search.params[%d] (%s): need 1..%d values, got %d", sp->n, path,
                          SS_MAX_SEARCH_VALUES, n);
    ss_space_param *p = &sp->p[sp->n];
    p->kind = SS_PARAM_VALUES;
    p->n_levels = n;
    p->numeric = true;
    for (int i = 0; i < n; i++) {
        if (strlen(values[i]) >= SS_NAME_MAX)
            return ss_err_set(err, "search.params[%d] (%s): value %d too long", sp->n, path, i);
        strcpy(p->values[i], values[i]);
        for (int j = 0; j < i; j++)
            if (!strcmp(p->values[j], values[i]))
                return ss_err_set(err, "search.params[%d] (%s): duplicate value '%s'", sp->n,
                                  path, values[i]);
        if (!parse_number(values[i], &p->num[i]))
            p->numeric = false;
    }
    sp->n++;
    return 0;
}

int ss_space_add_range(ss_space *sp, const char *path, double lo, double hi, double step,
                       bool integer, ss_err *err)
{
    if (new_param(sp, path, err))
        return -1;
    if (!isfinite(lo) || !isfinite(hi) || !isfinite(step) || hi < lo || step < 0)
        return ss_err_set(err, "search.params[%d] (%s): bad range [%g, %g] step %g", sp->n, path,
                          lo, hi, step);
    ss_space_param *p = &sp->p[sp->n];
    p->lo = lo;
    p->hi = hi;
    p->integer = integer;
    p->numeric = true;
    if (integer && step == 0)
        step = 1; /* an integer range is stepped by 1 */
    if (integer && (lo != floor(lo) || step != floor(step)))
        return ss_err_set(err, "search.params[%d] (%s): integer range with fractional bound/step",
                          sp->n, path);
    p->step = step;
    if (step > 0) {
        double levels = floor((hi - lo) / step + 1e-9) + 1;
        if (levels > 1e6)
            return ss_err_set(err, "search.params[%d] (%s): %.0f levels is too many", sp->n,
                              path, levels);
        p->kind = SS_PARAM_STEPPED;
        p->n_levels = (int)levels;
    } else {
        p->kind = SS_PARAM_CONTINUOUS;
    }
    sp->n++;
    return 0;
}

int ss_space_add_constraint(ss_space *sp, const char *text, ss_err *err)
{
    if (sp->n_constraints >= SS_MAX_CONSTRAINTS)
        return ss_err_set(err, "search.constraints: at most %d", SS_MAX_CONSTRAINTS);
    static const struct {
        const char *tok;
        ss_cmp_op op;
    } ops[] = {{"<=", SS_CMP_LE}, {">=", SS_CMP_GE}, {"<", SS_CMP_LT}, {">", SS_CMP_GT}};
    int k = sp->n_constraints;
    for (size_t o = 0; o < SS_ARRAY_LEN(ops); o++) {
        const char *at = strstr(text, ops[o].tok);
        if (!at)
            continue;
        char lhs[SS_PATH_MAX], rhs[SS_PATH_MAX];
        size_t ln = (size_t)(at - text);
        const char *r = at + strlen(ops[o].tok);
        if (ln >= sizeof lhs || strlen(r) >= sizeof rhs)
            break;
        memcpy(lhs, text, ln);
        lhs[ln] = 0;
        strcpy(rhs, r);
        char *sides[2] = {lhs, rhs};
        ss_space_constraint *c = &sp->c[k];
        int *idx[2] = {&c->a, &c->b};
        double *cst[2] = {&c->ca, &c->cb};
        for (int s = 0; s < 2; s++) {
            char *t = sides[s];
            while (isspace((unsigned char)*t))
                t++;
            size_t tl = strlen(t);
            while (tl && isspace((unsigned char)t[tl - 1]))
                t[--tl] = 0;
            *idx[s] = -1;
            *cst[s] = 0;
            if (parse_number(t, cst[s]))
                continue;
            int pi = find_param(sp, t);
            if (pi < 0)
                return ss_err_set(err, "search.constraints[%d] '%s': '%s' is not a search parameter",
                                  k, text, t);
            if (!sp->p[pi].numeric)
                return ss_err_set(err, "search.constraints[%d] '%s': parameter '%s' is not numeric",
                                  k, text, t);
            *idx[s] = pi;
        }
        c->op = ops[o].op;
        sp->n_constraints++;
        return 0;
    }
    return ss_err_set(err, "search.constraints[%d] '%s': expected 'a <= b' (<=, <, >=, >)", k, text);
}

int ss_space_build(const ss_search *s, ss_space *sp, ss_err *err)
{
    memset(sp, 0, sizeof *sp);
    if (s->n_params < 0 || s->n_params > SS_MAX_SEARCH_PARAMS)
        return ss_err_set(err, "search: bad parameter count %d", s->n_params);
    for (int i = 0; i < s->n_params; i++) {
        const ss_search_param *q = &s->params[i];
        int rc;
        if (q->is_range) {
            rc = ss_space_add_range(sp, q->path, q->lo, q->hi, q->step, q->integer, err);
        } else {
            const char *vals[SS_MAX_SEARCH_VALUES];
            int nv = q->n_values < 0 ? 0 : q->n_values > SS_MAX_SEARCH_VALUES ? SS_MAX_SEARCH_VALUES
                                                                               : q->n_values;
            for (int v = 0; v < nv; v++)
                vals[v] = q->values[v];
            rc = ss_space_add_values(sp, q->path, vals, q->n_values, err);
        }
        if (rc)
            return -1;
    }
    for (int i = 0; i < s->n_constraints; i++)
        if (ss_space_add_constraint(sp, s->constraints[i], err))
            return -1;
    return 0;
}

/* ---- encoding ---------------------------------------------------------------- */

double ss_space_gene_lo(const ss_space *sp, int i)
{
    return sp->p[i].kind == SS_PARAM_CONTINUOUS ? sp->p[i].lo : 0.0;
}

double ss_space_gene_hi(const ss_space *sp, int i)
{
    return sp->p[i].kind == SS_PARAM_CONTINUOUS ? sp->p[i].hi : (double)(sp->p[i].n_levels - 1);
}

static void continuous_text(double v, char *buf, size_t n)
{
    snprintf(buf, n, "%.6g", v);
}

void ss_space_normalize(const ss_space *sp, ss_candidate *c)
{
    c->n = sp->n;
    for (int i = 0; i < sp->n; i++) {
        double lo = ss_space_gene_lo(sp, i), hi = ss_space_gene_hi(sp, i);
        double g = c->x[i];
        if (!isfinite(g))
            g = lo;
        g = g < lo ? lo : g > hi ? hi : g;
        if (sp->p[i].kind == SS_PARAM_CONTINUOUS) {
            char buf[64];
            continuous_text(g, buf, sizeof buf);
            g = strtod(buf, NULL);
            /* quantisation may step just outside the range: clamp the text value */
            if (g < lo)
                g = lo;
            if (g > hi)
                g = hi;
        } else {
            g = floor(g + 0.5);
        }
        c->x[i] = g;
    }
    for (int i = sp->n; i < SS_MAX_SEARCH_PARAMS; i++)
        c->x[i] = 0;
}

double ss_space_numeric(const ss_space *sp, const ss_candidate *c, int i)
{
    const ss_space_param *p = &sp->p[i];
    switch (p->kind) {
    case SS_PARAM_VALUES:
        return p->numeric ? p->num[(int)c->x[i]] : NAN;
    case SS_PARAM_STEPPED:
        return p->lo + c->x[i] * p->step;
    case SS_PARAM_CONTINUOUS:
    default:
        return c->x[i];
    }
}

void ss_space_value_text(const ss_space *sp, const ss_candidate *c, int i, char *buf, size_t n)
{
    const ss_space_param *p = &sp->p[i];
    switch (p->kind) {
    case SS_PARAM_VALUES:
        snprintf(buf, n, "%s", p->values[(int)c->x[i]]);
        break;
    case SS_PARAM_STEPPED: {
        double v = ss_space_numeric(sp, c, i);
        if (p->integer)
            snprintf(buf, n, "%lld", (long long)llround(v));
        else
            snprintf(buf, n, "%.10g", v);
        break;
    }
    case SS_PARAM_CONTINUOUS:
    default:
        if (p->integer)
            snprintf(buf, n, "%lld", (long long)llround(c->x[i]));
        else
            continuous_text(c->x[i], buf, n);
        break;
    }
}

bool ss_space_feasible(const ss_space *sp, const ss_candidate *c)
{
    for (int k = 0; k < sp->n_constraints; k++) {
        const ss_space_constraint *q = &sp->c[k];
        double a = q->a >= 0 ? ss_space_numeric(sp, c, q->a) : q->ca;
        double b = q->b >= 0 ? ss_space_numeric(sp, c, q->b) : q->cb;
        bool ok;
        switch (q->op) {
        case SS_CMP_LE: ok = a <= b; break;
        case SS_CMP_LT: ok = a < b; break;
        case SS_CMP_GE: ok = a >= b; break;
        case SS_CMP_GT: default: ok = a > b; break;
        }
        if (!ok)
            return false;
    }
    return true;
}

char *ss_space_params_json(const ss_space *sp, const ss_candidate *c)
{
    json_t *o = json_object();
    for (int i = 0; i < sp->n; i++) {
        char buf[SS_NAME_MAX + 64];
        ss_space_value_text(sp, c, i, buf, sizeof buf);
        json_object_set_new(o, sp->p[i].path, json_string(buf));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (!s)
        ss_fatal("out of memory (params json)");
    char *r = ss_strdup(s);
    free(s);
    return r;
}

void ss_space_params_hash(const char *json, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)ss_hash_str(json, 0x5350543153454152ULL));
}

int ss_space_parse_json(const ss_space *sp, const char *json, ss_candidate *c, ss_err *err)
{
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return ss_err_set(err, "params json: %s", o ? "not an object" : je.text);
    }
    memset(c, 0, sizeof *c);
    c->n = sp->n;
    int rc = 0;
    for (int i = 0; i < sp->n && !rc; i++) {
        const ss_space_param *p = &sp->p[i];
        json_t *v = json_object_get(o, p->path);
        if (!json_is_string(v)) {
            rc = ss_err_set(err, "params json: missing '%s'", p->path);
            break;
        }
        const char *t = json_string_value(v);
        if (p->kind == SS_PARAM_VALUES) {
            int found = -1;
            for (int l = 0; l < p->n_levels; l++)
                if (!strcmp(p->values[l], t))
                    found = l;
            if (found < 0)
                rc = ss_err_set(err, "params json: '%s' = '%s' is not a value of the space", p->path, t);
            c->x[i] = found;
        } else {
            double d;
            if (!parse_number(t, &d)) {
                rc = ss_err_set(err, "params json: '%s' = '%s' is not a number", p->path, t);
                break;
            }
            c->x[i] = p->kind == SS_PARAM_STEPPED ? (d - p->lo) / p->step : d;
        }
    }
    json_decref(o);
    if (!rc)
        ss_space_normalize(sp, c);
    return rc;
}

double ss_space_grid_size(const ss_space *sp)
{
    double n = 1;
    for (int i = 0; i < sp->n; i++)
        n *= sp->p[i].kind == SS_PARAM_CONTINUOUS ? SS_GRID_CONTINUOUS_LEVELS : sp->p[i].n_levels;
    return n;
}

/* ---- random stream ---------------------------------------------------------- */

gsl_rng *ss_search_rng(uint64_t seed, uint64_t sub)
{
    /* sim/kernel/rng.h stream (seed, replica = sub, SS_RNG_SEARCH) */
    return ss_rng_new(seed, sub, SS_RNG_SEARCH);
}

/* ---- set of candidate hashes (uthash) ------------------------------------------ */

typedef struct cand_entry {
    char hash[17];
    int index;
    UT_hash_handle hh;
} cand_entry;

struct ss_cand_set {
    cand_entry *head;
    int n;
};

ss_cand_set *ss_cand_set_new(void) { return ss_calloc(1, sizeof(ss_cand_set)); }

void ss_cand_set_free(ss_cand_set *s)
{
    if (!s)
        return;
    cand_entry *e, *tmp;
    HASH_ITER(hh, s->head, e, tmp)
    {
        HASH_DEL(s->head, e);
        free(e);
    }
    free(s);
}

int ss_cand_set_add(ss_cand_set *s, const char *hash)
{
    cand_entry *e = NULL;
    HASH_FIND_STR(s->head, hash, e);
    if (e)
        return 0;
    e = ss_calloc(1, sizeof *e);
    snprintf(e->hash, sizeof e->hash, "%s", hash);
    e->index = s->n++;
    HASH_ADD_STR(s->head, hash, e);
    return 1;
}

int ss_cand_set_find(const ss_cand_set *s, const char *hash)
{
    cand_entry *e = NULL;
    HASH_FIND_STR(s->head, hash, e);
    return e ? e->index : -1;
}

int ss_space_accept(const ss_space *sp, ss_cand_set *set, ss_candidate *c, ss_candidate **arr,
                    int *n, size_t *cap)
{
    ss_space_normalize(sp, c);
    if (!ss_space_feasible(sp, c))
        return 0;
    char *json = ss_space_params_json(sp, c);
    char hash[17];
    ss_space_params_hash(json, hash);
    free(json);
    if (!ss_cand_set_add(set, hash))
        return 0;
    SS_GROW(*arr, *cap, (size_t)*n + 1);
    c->id = *n;
    (*arr)[*n] = *c;
    (*n)++;
    return 1;
}
