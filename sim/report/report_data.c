/*
 * report_data.c - read what a report shows from the store: an optimization's
 * candidates with their replica statistics, frontier and recommendation; a
 * run's summary and timeline. Only SELECTs; the writers live elsewhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <yaml.h>

#include "sim/report/report.h"

static char *col_str(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return ss_strdup(t ? (const char *)t : "");
}

static double col_num(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

int ss_report_latest(ss_store *st, const char *table, int64_t *id, ss_err *err)
{
    /* The newest run, or the newest optimization a user started: those a
     * backtest stored for its training windows are part of that backtest
     * (spotsim report --optimization ID shows them). */
    const char *sql = !strcmp(table, "runs")
                          ? "SELECT COALESCE(MAX(id), 0) FROM runs"
                          : "SELECT COALESCE(MAX(id), 0) FROM optimizations WHERE id NOT IN "
                            "(SELECT optimization_id FROM backtests"
                            " WHERE optimization_id IS NOT NULL)";
    sqlite3_stmt *s;
    if (ss_store_prepare(st, sql, &s, err))
        return -1;
    *id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return 0;
}

int ss_report_run_for_hash(ss_store *st, const char *hash, int64_t *id, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "SELECT COALESCE(MAX(id), 0) FROM runs WHERE scenario_hash = ?", &s,
                         err))
        return -1;
    sqlite3_bind_text(s, 1, hash ? hash : "", -1, SQLITE_STATIC);
    *id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return 0;
}

/* ---- Optimization ------------------------------------------------------- */

static void parse_extra(ss_report_optim *o, const char *extra)
{
    o->slo = SS_REPORT_DEFAULT_SLO;
    o->slo_stored = 0;
    snprintf(o->statistic, sizeof o->statistic, "mean");
    o->cost_floor_month = NAN;
    o->baseline_month = NAN;
    o->stored_recommended = -1;
    if (!extra || !*extra)
        return;
    json_t *j = json_loads(extra, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    json_t *v = json_object_get(j, "slo");
    if (json_is_number(v) && json_number_value(v) > 0 && json_number_value(v) <= 1) {
        o->slo = json_number_value(v);
        o->slo_stored = 1;
    }
    v = json_object_get(j, "statistic");
    if (json_is_string(v) && !isnan(ss_report_statistic((double[]){1.0}, 1, json_string_value(v))))
        snprintf(o->statistic, sizeof o->statistic, "%s", json_string_value(v));
    /* `spotsim optimize` stores "recommended" (a candidate_id) with "slo";
     * "recommended_candidate" is the older spelling, still accepted */
    v = json_object_get(j, "recommended");
    if (!json_is_integer(v))
        v = json_object_get(j, "recommended_candidate");
    if (json_is_integer(v))
        o->stored_recommended = json_integer_value(v);
    v = json_object_get(j, "cost_floor_per_month");
    if (json_is_number(v))
        o->cost_floor_month = json_number_value(v);
    v = json_object_get(j, "ondemand_baseline_per_month");
    if (json_is_number(v))
        o->baseline_month = json_number_value(v);
    v = json_object_get(j, "out");
    if (json_is_string(v))
        o->export_dir = ss_strdup(json_string_value(v));
    json_decref(j);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Union of the candidates' params_json keys, sorted. */
static void collect_param_names(ss_report_optim *o)
{
    size_t cap = 0;
    for (size_t c = 0; c < o->n_cands; c++) {
        json_t *j = json_loads(o->cands[c].params_json, 0, NULL);
        const char *key;
        json_t *val;
        if (json_is_object(j)) {
            json_object_foreach(j, key, val)
            {
                size_t k;
                for (k = 0; k < o->n_params; k++)
                    if (!strcmp(o->param_names[k], key))
                        break;
                if (k == o->n_params) {
                    SS_GROW(o->param_names, cap, o->n_params + 1);
                    o->param_names[o->n_params++] = ss_strdup(key);
                }
            }
        }
        json_decref(j);
    }
    if (o->n_params)
        qsort(o->param_names, o->n_params, sizeof *o->param_names, name_cmp);
}

/* The statistic of a minimised metric (cost): the optimizer reads "pN" as
 * the N% worst case, i.e. the (100-N)-th percentile of a cost. */
static double cost_statistic(const double *x, size_t n, const char *statistic)
{
    if (!strcmp(statistic, "median") || !strcmp(statistic, "mean"))
        return ss_report_statistic(x, n, statistic);
    if (statistic[0] == 'p') {
        char flip[32];
        snprintf(flip, sizeof flip, "p%.10g", 100.0 - strtod(statistic + 1, NULL));
        double v = ss_report_statistic(x, n, flip);
        if (!isnan(v))
            return v;
    }
    return ss_report_statistic(x, n, "mean");
}

/* The optimizer's rule (docs/optimize.md): the cheapest candidate (cost
 * statistic) whose availability statistic reaches the SLO, ties to the lower
 * id; none: the most available frontier point. A stored "recommended" that
 * names another candidate is kept in stored_recommended for the document to
 * point out, but the rule decides: the stored value is only as good as the
 * program that wrote it. */
static void choose_recommended(ss_report_optim *o)
{
    o->recommended = -1;
    o->recommended_meets_slo = 0;
    for (size_t c = 0; c < o->n_cands; c++) {
        const ss_report_candidate *k = &o->cands[c];
        if (k->n == 0 || !(k->avail_stat >= o->slo))
            continue;
        if (o->recommended < 0 || k->cost_stat < o->cands[o->recommended].cost_stat)
            o->recommended = (long)c;
    }
    if (o->recommended >= 0) {
        o->recommended_meets_slo = 1;
        return;
    }
    long best = -1;
    for (size_t k = 0; k < o->n_frontier; k++) {
        size_t c = o->frontier[k];
        if (best < 0 || o->cands[c].avail_stat > o->cands[best].avail_stat)
            best = (long)c;
    }
    o->recommended = best;
}

int ss_report_load_optim(ss_store *st, int64_t id, ss_report_optim *o, ss_err *err)
{
    memset(o, 0, sizeof *o);
    o->recommended = -1;
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT created_at, scenario_name, scenario_text, scenario_hash, method,"
                         " status, replicas, seed, extra_json FROM optimizations WHERE id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return ss_err_set(err, "%s: no optimization with id %lld", st->path, (long long)id);
    }
    o->id = id;
    o->created_at = col_str(s, 0);
    o->scenario_name = col_str(s, 1);
    o->scenario_text = col_str(s, 2);
    o->scenario_hash = col_str(s, 3);
    o->method = col_str(s, 4);
    o->status = col_str(s, 5);
    o->replicas = sqlite3_column_int(s, 6);
    o->seed = sqlite3_column_int64(s, 7);
    parse_extra(o, (const char *)sqlite3_column_text(s, 8));
    sqlite3_finalize(s);
    if (!o->slo_stored) {
        /* the scenario's search.slo (spotsim optimize does not copy it) */
        char v[64];
        if (ss_report_yaml_scalar(o->scenario_text, "search.slo", v, sizeof v) == 0) {
            char *end;
            double x = strtod(v, &end);
            if (!*end && x > 0 && x <= 1) {
                o->slo = x;
                o->slo_stored = 1;
            }
        }
    }

    if (ss_store_prepare(st,
                         "SELECT candidate_id, params_json FROM candidates WHERE optimization_id = ?"
                         " ORDER BY candidate_id",
                         &s, err))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        SS_GROW(o->cands, cap, o->n_cands + 1);
        ss_report_candidate *c = &o->cands[o->n_cands++];
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(s, 0);
        c->params_json = col_str(s, 1);
    }
    sqlite3_finalize(s);

    if (ss_store_prepare(st,
                         "SELECT cost_per_month_usd, availability, served_fraction,"
                         " ondemand_baseline_usd, horizon_hours, spot_instance_hours FROM candidate_results"
                         " WHERE optimization_id = ? AND candidate_id = ? ORDER BY replica",
                         &s, err))
        goto fail;
    size_t vcap = 0;
    double *cost = NULL, *av = NULL, *served = NULL, *base = NULL;
    for (size_t ci = 0; ci < o->n_cands; ci++) {
        ss_report_candidate *c = &o->cands[ci];
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, c->id);
        size_t n = 0, nb = 0;
        double spot_h = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            double cm = col_num(s, 0), a = col_num(s, 1);
            if (isnan(cm) || isnan(a))
                continue; /* a failed replica: no metrics to average */
            if (n + 1 > vcap) {
                vcap = vcap ? 2 * vcap : 8;
                cost = ss_realloc(cost, vcap * sizeof *cost);
                av = ss_realloc(av, vcap * sizeof *av);
                served = ss_realloc(served, vcap * sizeof *served);
                base = ss_realloc(base, vcap * sizeof *base);
            }
            cost[n] = cm;
            av[n] = a;
            served[n] = col_num(s, 2);
            double b = col_num(s, 3), h = col_num(s, 4);
            if (!isnan(b) && h > 0)
                base[nb++] = b * SS_REPORT_HOURS_PER_MONTH / h;
            double sh = col_num(s, 5);
            spot_h += sh; /* NULL (NaN) makes the mean unknown */
            n++;
        }
        c->n = (int)n;
        if (n == 0) {
            c->cost_mean = c->avail_mean = c->avail_stat = c->served_mean = c->cost_stat = NAN;
            c->baseline_month = c->spot_hours_mean = NAN;
            continue;
        }
        ss_report_t_interval(cost, n, &c->cost_mean, &c->cost_half);
        ss_report_t_interval(av, n, &c->avail_mean, &c->avail_half);
        c->avail_stat = ss_report_statistic(av, n, o->statistic);
        c->cost_stat = cost_statistic(cost, n, o->statistic);
        double sm = 0;
        for (size_t k = 0; k < n; k++)
            sm += served[k];
        c->served_mean = sm / (double)n;
        c->spot_hours_mean = spot_h / (double)n;
        double bm = 0;
        for (size_t k = 0; k < nb; k++)
            bm += base[k];
        c->baseline_month = nb ? bm / (double)nb : NAN;
    }
    sqlite3_finalize(s);
    free(cost);
    free(av);
    free(served);
    free(base);

    double *cm = ss_malloc((o->n_cands + 1) * sizeof *cm);
    double *am = ss_malloc((o->n_cands + 1) * sizeof *am);
    for (size_t c = 0; c < o->n_cands; c++) {
        cm[c] = o->cands[c].cost_mean;
        am[c] = o->cands[c].avail_mean;
    }
    o->frontier = ss_malloc((o->n_cands + 1) * sizeof *o->frontier);
    o->n_frontier = ss_report_pareto(cm, am, o->n_cands, o->frontier);
    for (size_t k = 0; k < o->n_frontier; k++)
        o->cands[o->frontier[k]].on_frontier = 1;
    free(cm);
    free(am);
    choose_recommended(o);
    collect_param_names(o);
    return 0;
fail:
    ss_report_optim_free(o);
    return -1;
}

void ss_report_optim_free(ss_report_optim *o)
{
    if (!o)
        return;
    free(o->created_at);
    free(o->export_dir);
    free(o->scenario_name);
    free(o->scenario_text);
    free(o->scenario_hash);
    free(o->method);
    free(o->status);
    for (size_t c = 0; c < o->n_cands; c++)
        free(o->cands[c].params_json);
    free(o->cands);
    free(o->frontier);
    for (size_t k = 0; k < o->n_params; k++)
        free(o->param_names[k]);
    free(o->param_names);
    memset(o, 0, sizeof *o);
}

/* ---- Run ---------------------------------------------------------------- */

int ss_report_load_run(ss_store *st, int64_t id, ss_report_run *r, ss_err *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT created_at, scenario_name, scenario_text, scenario_hash,"
                         " orchestrator, replicas, seed FROM runs WHERE id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return ss_err_set(err, "%s: no run with id %lld", st->path, (long long)id);
    }
    r->id = id;
    r->created_at = col_str(s, 0);
    r->scenario_name = col_str(s, 1);
    r->scenario_text = col_str(s, 2);
    r->scenario_hash = col_str(s, 3);
    r->orchestrator = col_str(s, 4);
    r->replicas = sqlite3_column_int(s, 5);
    r->seed = sqlite3_column_int64(s, 6);
    sqlite3_finalize(s);

    /* SELECT <every metric column> FROM run_results ... */
    char sql[4096];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT ");
    for (int m = 0; m < SS_METRIC_COUNT; m++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, "%s%s", m ? ", " : "",
                                ss_metric_table[m].name);
    snprintf(sql + len, sizeof sql - len, " FROM run_results WHERE run_id = ? ORDER BY replica");
    if (ss_store_prepare(st, sql, &s, err))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    double *vals[SS_METRIC_COUNT] = {0};
    size_t n = 0, cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n + 1 > cap) {
            size_t nc = cap ? 2 * cap : 8;
            for (int m = 0; m < SS_METRIC_COUNT; m++)
                vals[m] = ss_realloc(vals[m], nc * sizeof(double));
            cap = nc;
        }
        for (int m = 0; m < SS_METRIC_COUNT; m++)
            vals[m][n] = col_num(s, m);
        n++;
    }
    sqlite3_finalize(s);
    r->n_results = (int)n;
    for (int m = 0; m < SS_METRIC_COUNT; m++) {
        /* NaN (NULL) replicas are left out of that metric's interval */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(vals[m][i]))
                vals[m][k++] = vals[m][i];
        if (ss_report_t_interval(vals[m], k, &r->mean[m], &r->half[m]))
            r->mean[m] = r->half[m] = NAN;
        free(vals[m]);
    }

    /* the all-On-Demand baseline `spotsim run` stores with each replica */
    r->baseline_month = NAN;
    if (ss_store_prepare(st,
                         "SELECT json_extract(extra_json, '$.ondemand_baseline_per_month') FROM run_results "
                         "WHERE run_id = ? AND json_valid(extra_json) ORDER BY replica LIMIT 1",
                         &s, err))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        r->baseline_month = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    /* replica 0's cost and hours by zone (`spotsim run`, ECS) */
    if (ss_store_prepare(st,
                         "SELECT json_extract(extra_json, '$.zones') FROM run_results WHERE run_id = ? AND "
                         "replica = 0 AND json_valid(extra_json)",
                         &s, err))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        r->zones_json = col_str(s, 0);
    sqlite3_finalize(s);

    if (ss_store_prepare(st,
                         "SELECT t_ms, required, healthy, spot_instances, od_instances, event,"
                         " spot_cost_usd, od_cost_usd"
                         " FROM run_timeline WHERE run_id = ? AND replica = 0 ORDER BY t_ms, rowid",
                         &s, err))
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        SS_GROW(r->tl, cap, r->n_tl + 1);
        ss_report_tl_row *row = &r->tl[r->n_tl++];
        row->t_ms = sqlite3_column_int64(s, 0);
        row->required = col_num(s, 1);
        row->healthy = col_num(s, 2);
        row->spot = sqlite3_column_int(s, 3);
        row->od = sqlite3_column_int(s, 4);
        row->event = sqlite3_column_type(s, 5) == SQLITE_NULL ? NULL : col_str(s, 5);
        row->spot_cost = col_num(s, 6);
        row->od_cost = col_num(s, 7);
    }
    sqlite3_finalize(s);
    return 0;
fail:
    ss_report_run_free(r);
    return -1;
}

void ss_report_run_free(ss_report_run *r)
{
    if (!r)
        return;
    free(r->created_at);
    free(r->scenario_name);
    free(r->scenario_text);
    free(r->scenario_hash);
    free(r->orchestrator);
    free(r->zones_json);
    for (size_t i = 0; i < r->n_tl; i++)
        free(r->tl[i].event);
    free(r->tl);
    memset(r, 0, sizeof *r);
}

/* ---- Scenario text ------------------------------------------------------- */

/* The node at a dotted key path of doc's root, or NULL. */
static yaml_node_t *yaml_at(yaml_document_t *doc, const char *path)
{
    yaml_node_t *node = yaml_document_get_root_node(doc);
    const char *seg = path;
    while (node && *seg) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        yaml_node_t *next = NULL;
        if (node->type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *pr = node->data.mapping.pairs.start; pr < node->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(doc, pr->key);
                if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
                    !memcmp(k->data.scalar.value, seg, len)) {
                    next = yaml_document_get_node(doc, pr->value);
                    break;
                }
            }
        node = next;
        seg = dot ? dot + 1 : seg + len;
    }
    return node;
}

int ss_report_yaml_names(const char *yaml, const char *path, char *out, size_t n)
{
    out[0] = 0;
    if (!yaml || !*yaml)
        return 0;
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, strlen(yaml));
    if (!yaml_parser_load(&p, &doc)) {
        yaml_parser_delete(&p);
        return 0;
    }
    int count = 0;
    yaml_node_t *node = yaml_at(&doc, path);
    if (node && node->type == YAML_SEQUENCE_NODE) {
        snprintf(out, n, ",");
        for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(&doc, *it);
            if (e && e->type == YAML_MAPPING_NODE) /* {name: m5.large, ...} */
                for (yaml_node_pair_t *pr = e->data.mapping.pairs.start; pr < e->data.mapping.pairs.top; pr++) {
                    yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
                    if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "name")) {
                        e = yaml_document_get_node(&doc, pr->value);
                        break;
                    }
                }
            if (!e || e->type != YAML_SCALAR_NODE)
                continue;
            size_t len = strlen(out);
            if (len + e->data.scalar.length + 2 >= n)
                break;
            snprintf(out + len, n - len, "%s,", (const char *)e->data.scalar.value);
            count++;
        }
        if (!count)
            out[0] = 0;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return count;
}

int ss_report_yaml_scalar(const char *yaml, const char *path, char *out, size_t n)
{
    if (!yaml || !*yaml)
        return -1;
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p))
        return -1;
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, strlen(yaml));
    int rc = -1;
    if (!yaml_parser_load(&p, &doc)) {
        yaml_parser_delete(&p);
        return -1;
    }
    yaml_node_t *node = yaml_document_get_root_node(&doc);
    const char *seg = path;
    while (node && *seg) {
        const char *dot = strchr(seg, '.');
        size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
        yaml_node_t *next = NULL;
        if (node->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *pr = node->data.mapping.pairs.start;
                 pr < node->data.mapping.pairs.top; pr++) {
                yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
                if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == len &&
                    !memcmp(k->data.scalar.value, seg, len)) {
                    next = yaml_document_get_node(&doc, pr->value);
                    break;
                }
            }
        }
        node = next;
        seg = dot ? dot + 1 : seg + len;
    }
    if (node && node->type == YAML_SCALAR_NODE && node->data.scalar.length < n) {
        memcpy(out, node->data.scalar.value, node->data.scalar.length);
        out[node->data.scalar.length] = '\0';
        rc = 0;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return rc;
}
