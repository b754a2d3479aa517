/*
 * optimize.c - the optimization driver (see optimize.h): candidate
 * generation per method, parallel evaluation with OpenMP, batched storage
 * from the master thread, resume, summaries and the frontier CSV.
 */
#include "policies/optimize.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <omp.h>

#include "policies/nsga2.h"
#include "policies/results.h"

static const char *const method_names[] = {"auto", "grid", "lhs", "random", "nsga2"};

const char *ss_search_method_name(ss_search_method m)
{
    return (unsigned)m < SS_ARRAY_LEN(method_names) ? method_names[m] : "?";
}

int ss_search_method_parse(const char *s, ss_search_method *out)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(method_names); i++)
        if (!strcmp(s, method_names[i])) {
            *out = (ss_search_method)i;
            return 0;
        }
    return -1;
}

/* ---- storage ---------------------------------------------------------------- */

typedef struct stored_slot {
    int cand, replica;
    bool failed;
    char *error;
    ss_metrics m;
} stored_slot;

typedef struct driver {
    const ss_space *sp;
    ss_opt_config cfg;
    ss_eval_fn fn;
    void *ctx;
    ss_store *st;
    ss_opt_result *r;
    size_t cap;
    ss_cand_set *set;
    /* resume: stored candidate hashes by id, stored slots */
    char (*stored_hash)[17];
    int n_stored;
    stored_slot *slots;
    size_t n_slots;
    sqlite3_stmt *ins_cand, *ins_res;
    long total_slots_hint;
    double t0;
    bool stop;
    long new_done;
} driver;

static char *insert_result_sql(void)
{
    size_t cap = 4096, len = 0;
    char *s = ss_malloc(cap);
    len += (size_t)snprintf(s, cap, "INSERT INTO candidate_results(optimization_id, candidate_id, replica");
    for (int i = 0; i < SS_METRIC_COUNT; i++)
        len += (size_t)snprintf(s + len, cap - len, ", %s", ss_metric_table[i].name);
    len += (size_t)snprintf(s + len, cap - len, ", extra_json) VALUES(?, ?, ?");
    for (int i = 0; i < SS_METRIC_COUNT; i++)
        len += (size_t)snprintf(s + len, cap - len, ", ?");
    snprintf(s + len, cap - len, ", ?)");
    return s;
}

static void now_iso(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int store_begin_optimization(driver *d, const ss_opt_meta *meta, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(d->st,
                         "INSERT INTO optimizations(created_at, scenario_name, scenario_path, "
                         "scenario_hash, scenario_text, method, budget, replicas, seed, objectives, "
                         "status, version, data_provenance, extra_json) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,'running',?,?,?)",
                         &s, err))
        return -1;
    char now[32], obj[2 * SS_NAME_MAX + 2], extra[128], stat[32];
    now_iso(now, sizeof now);
    snprintf(obj, sizeof obj, "%s,%s", d->cfg.objectives[0], d->cfg.objectives[1]);
    ss_statistic_format(&d->cfg.statistic, stat, sizeof stat);
    snprintf(extra, sizeof extra, "{\"population\":%d,\"statistic\":\"%s\"}", d->cfg.population, stat);
    sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, meta && meta->scenario_name ? meta->scenario_name : "", -1, SQLITE_TRANSIENT);
    if (meta && meta->scenario_path)
        sqlite3_bind_text(s, 3, meta->scenario_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, meta && meta->scenario_hash ? meta->scenario_hash : "", -1, SQLITE_TRANSIENT);
    if (meta && meta->scenario_text)
        sqlite3_bind_text(s, 5, meta->scenario_text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, ss_search_method_name(d->cfg.method), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, d->cfg.budget);
    sqlite3_bind_int(s, 8, d->cfg.replicas);
    sqlite3_bind_int64(s, 9, (sqlite3_int64)d->cfg.seed);
    sqlite3_bind_text(s, 10, obj, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 11, SPOTSIM_VERSION, -1, SQLITE_STATIC);
    if (meta && meta->data_provenance)
        sqlite3_bind_text(s, 12, meta->data_provenance, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 13, extra, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return ss_err_set(err, "%s: cannot record the optimization: %s", d->st->path,
                          sqlite3_errmsg(d->st->db));
    d->r->id = (int64_t)sqlite3_last_insert_rowid(d->st->db);
    return 0;
}

int ss_optimize_load_config(ss_store *st, int64_t id, ss_opt_config *cfg, char **scenario_text,
                            char **scenario_hash, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT method, budget, replicas, seed, objectives, extra_json, "
                         "scenario_text, scenario_hash FROM optimizations WHERE id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)id);
    int rc = -1;
    if (sqlite3_step(s) != SQLITE_ROW) {
        ss_err_set(err, "%s: no optimization with id %lld", st->path, (long long)id);
        goto out;
    }
    const char *method = (const char *)sqlite3_column_text(s, 0);
    if (!method || ss_search_method_parse(method, &cfg->method)) {
        ss_err_set(err, "optimization %lld: unknown method '%s'", (long long)id, method ? method : "");
        goto out;
    }
    cfg->budget = sqlite3_column_int(s, 1);
    cfg->replicas = sqlite3_column_int(s, 2);
    cfg->seed = (uint64_t)sqlite3_column_int64(s, 3);
    const char *obj = (const char *)sqlite3_column_text(s, 4);
    const char *comma = obj ? strchr(obj, ',') : NULL;
    if (!comma || (size_t)(comma - obj) >= SS_NAME_MAX || strlen(comma + 1) >= SS_NAME_MAX) {
        ss_err_set(err, "optimization %lld: bad objectives '%s'", (long long)id, obj ? obj : "");
        goto out;
    }
    memcpy(cfg->objectives[0], obj, (size_t)(comma - obj));
    cfg->objectives[0][comma - obj] = 0;
    strcpy(cfg->objectives[1], comma + 1);
    const char *extra = (const char *)sqlite3_column_text(s, 5);
    cfg->population = 40;
    if (extra) {
        const char *p = strstr(extra, "\"population\":");
        if (p)
            cfg->population = atoi(p + 13);
        p = strstr(extra, "\"statistic\":\"");
        if (p) {
            char stat[32] = {0};
            sscanf(p + 13, "%31[^\"]", stat);
            if (ss_statistic_parse(stat, &cfg->statistic, err))
                goto out;
        }
    }
    if (scenario_text) {
        const char *t = (const char *)sqlite3_column_text(s, 6);
        *scenario_text = t ? ss_strdup(t) : NULL;
    }
    if (scenario_hash) {
        const char *t = (const char *)sqlite3_column_text(s, 7);
        *scenario_hash = ss_strdup(t ? t : "");
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    return rc;
}

static void read_metrics(sqlite3_stmt *s, int col0, ss_metrics *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < SS_METRIC_COUNT; i++)
        ss_metrics_set(m, i, sqlite3_column_double(s, col0 + i));
}

static int load_stored(driver *d, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(d->st, "SELECT candidate_id, params_hash FROM candidates WHERE optimization_id = ? "
                                "ORDER BY candidate_id", &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)d->r->id);
    size_t cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int id = sqlite3_column_int(s, 0);
        if (id != d->n_stored) {
            sqlite3_finalize(s);
            return ss_err_set(err, "optimization %lld: candidate ids are not contiguous at %d",
                              (long long)d->r->id, id);
        }
        SS_GROW(d->stored_hash, cap, (size_t)d->n_stored + 1);
        const char *h = (const char *)sqlite3_column_text(s, 1);
        snprintf(d->stored_hash[d->n_stored], 17, "%s", h ? h : "");
        d->n_stored++;
    }
    sqlite3_finalize(s);
    char sql[4096];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT candidate_id, replica, extra_json");
    for (int i = 0; i < SS_METRIC_COUNT; i++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ", %s", ss_metric_table[i].name);
    snprintf(sql + len, sizeof sql - len,
             " FROM candidate_results WHERE optimization_id = ? ORDER BY candidate_id, replica");
    if (ss_store_prepare(d->st, sql, &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)d->r->id);
    cap = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        SS_GROW(d->slots, cap, d->n_slots + 1);
        stored_slot *x = &d->slots[d->n_slots++];
        memset(x, 0, sizeof *x);
        x->cand = sqlite3_column_int(s, 0);
        x->replica = sqlite3_column_int(s, 1);
        const char *extra = (const char *)sqlite3_column_text(s, 2);
        if (extra && strstr(extra, "\"error\"")) {
            x->failed = true;
            x->error = ss_strdup(extra);
        }
        read_metrics(s, 3, &x->m);
    }
    sqlite3_finalize(s);
    return 0;
}

/* ---- candidates --------------------------------------------------------------- */

/* Map a proposed candidate to its index in the result, adding it when new
 * (and budget allows). Returns the index, or -1 when over budget. */
static int add_candidate(driver *d, const ss_candidate *c, int generation, bool capped, ss_err *err,
                         int *rc)
{
    *rc = 0;
    char *json = ss_space_params_json(d->sp, c);
    char hash[17];
    ss_space_params_hash(json, hash);
    int found = ss_cand_set_find(d->set, hash);
    if (found >= 0) {
        free(json);
        return found;
    }
    if (capped && d->r->n >= d->cfg.budget) {
        free(json);
        return -1;
    }
    int id = d->r->n;
    if (id < d->n_stored && strcmp(d->stored_hash[id], hash)) {
        free(json);
        *rc = ss_err_set(err, "optimization %lld: cannot resume: candidate %d differs from the stored "
                              "one (scenario, data or spotsim version changed?)",
                         (long long)d->r->id, id);
        return -1;
    }
    ss_cand_set_add(d->set, hash);
    SS_GROW(d->r->c, d->cap, (size_t)id + 1);
    ss_opt_candidate *oc = &d->r->c[id];
    memset(oc, 0, sizeof *oc);
    oc->c = *c;
    oc->c.id = id;
    oc->c.generation = generation;
    memcpy(oc->hash, hash, 17);
    oc->params_json = json;
    oc->rep = ss_calloc((size_t)d->cfg.replicas, sizeof(ss_metrics));
    oc->done = ss_calloc((size_t)d->cfg.replicas, sizeof(bool));
    d->r->n++;
    if (d->st && id >= d->n_stored) {
        sqlite3_reset(d->ins_cand);
        sqlite3_bind_int64(d->ins_cand, 1, (sqlite3_int64)d->r->id);
        sqlite3_bind_int(d->ins_cand, 2, id);
        sqlite3_bind_int(d->ins_cand, 3, generation);
        sqlite3_bind_text(d->ins_cand, 4, json, -1, SQLITE_STATIC);
        sqlite3_bind_text(d->ins_cand, 5, hash, -1, SQLITE_STATIC);
        if (sqlite3_step(d->ins_cand) != SQLITE_DONE) {
            *rc = ss_err_set(err, "%s: cannot store candidate %d: %s", d->st->path, id,
                             sqlite3_errmsg(d->st->db));
            return -1;
        }
    }
    /* Restore stored replicas of this candidate. */
    for (size_t k = 0; k < d->n_slots; k++) {
        stored_slot *x = &d->slots[k];
        if (x->cand != id || x->replica < 0 || x->replica >= d->cfg.replicas)
            continue;
        oc->done[x->replica] = true;
        oc->rep[x->replica] = x->m;
        if (x->failed && !oc->failed) {
            oc->failed = true;
            oc->error = ss_strdup(x->error);
        }
        d->r->loaded++;
    }
    return id;
}

/* ---- evaluation ------------------------------------------------------------------ */

static int store_batch(driver *d, const ss_opt_slot *w, int n, ss_err *err)
{
    if (!d->st)
        return 0;
    if (ss_store_begin(d->st, err))
        return -1;
    for (int k = 0; k < n; k++) {
        sqlite3_stmt *s = d->ins_res;
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        sqlite3_bind_int64(s, 1, (sqlite3_int64)d->r->id);
        sqlite3_bind_int(s, 2, w[k].cand);
        sqlite3_bind_int(s, 3, w[k].replica);
        char *extra = NULL;
        if (w[k].rc == 0) {
            for (int i = 0; i < SS_METRIC_COUNT; i++) {
                if (ss_metric_table[i].is_int)
                    sqlite3_bind_int64(s, 4 + i, (sqlite3_int64)ss_metrics_get(&w[k].m, i));
                else
                    sqlite3_bind_double(s, 4 + i, ss_metrics_get(&w[k].m, i));
            }
        } else {
            json_t *o = json_pack("{s:s}", "error", w[k].err.msg);
            extra = o ? json_dumps(o, JSON_COMPACT) : NULL;
            json_decref(o);
            if (!extra)
                ss_fatal("out of memory (error json)");
            sqlite3_bind_text(s, 4 + SS_METRIC_COUNT, extra, -1, SQLITE_TRANSIENT);
        }
        int rc = sqlite3_step(s);
        free(extra);
        if (rc != SQLITE_DONE) {
            ss_err_set(err, "%s: cannot store result (%d, %d): %s", d->st->path, w[k].cand,
                       w[k].replica, sqlite3_errmsg(d->st->db));
            ss_store_rollback(d->st);
            return -1;
        }
    }
    return ss_store_commit(d->st, err);
}

void ss_optimize_eval_slots(ss_eval_fn fn, void *ctx, ss_opt_slot *slots, int n, int first,
                            int stride, int threads)
{
    if (threads <= 0)
        threads = omp_get_max_threads();
    if (stride < 1)
        stride = 1;
    int m = first < n ? (n - first + stride - 1) / stride : 0;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int j = 0; j < m; j++) {
        ss_opt_slot *s = &slots[first + j * stride];
        s->rc = fn(ctx, &s->c, s->replica, &s->m, &s->err);
        if (s->rc)
            memset(&s->m, 0, sizeof s->m);
    }
}

static int eval_here(void *vd, ss_opt_slot *slots, int n, ss_err *err)
{
    (void)err;
    driver *d = vd;
    ss_optimize_eval_slots(d->fn, d->ctx, slots, n, 0, 1, d->cfg.threads);
    return 0;
}

/* Evaluate every missing slot of candidates [from, to). */
static int evaluate_range(driver *d, int from, int to, ss_err *err)
{
    int R = d->cfg.replicas;
    size_t cap = 0, n = 0;
    ss_opt_slot *w = NULL;
    for (int i = from; i < to; i++)
        for (int k = 0; k < R; k++)
            if (!d->r->c[i].done[k]) {
                SS_GROW(w, cap, n + 1);
                memset(&w[n], 0, sizeof w[n]);
                w[n].cand = i;
                w[n].replica = k;
                w[n].c = d->r->c[i].c;
                n++;
            }
    int threads = d->cfg.threads > 0 ? d->cfg.threads : omp_get_max_threads();
    int batch = d->cfg.batch > 0 ? d->cfg.batch : 16 * threads;
    ss_batch_fn bfn = d->cfg.batch_fn ? d->cfg.batch_fn : eval_here;
    void *bctx = d->cfg.batch_fn ? d->cfg.batch_ctx : d;
    int rc = 0;
    for (size_t b = 0; b < n && !d->stop; b += (size_t)batch) {
        int m = (int)((n - b) < (size_t)batch ? (n - b) : (size_t)batch);
        ss_opt_slot *wb = w + b;
        if (bfn(bctx, wb, m, err)) {
            rc = -1;
            break;
        }
        /* master: fold in order, store */
        for (int k = 0; k < m; k++) {
            ss_opt_candidate *oc = &d->r->c[wb[k].cand];
            oc->done[wb[k].replica] = true;
            oc->rep[wb[k].replica] = wb[k].m;
            if (wb[k].rc && !oc->failed) {
                oc->failed = true;
                oc->error = ss_strdup(wb[k].err.msg);
            }
        }
        if (store_batch(d, wb, m, err)) {
            rc = -1;
            break;
        }
        d->r->evaluated += m;
        d->new_done += m;
        if (d->cfg.progress)
            d->cfg.progress(d->cfg.progress_ctx, d->r->loaded + d->r->evaluated,
                            d->total_slots_hint, ss_wall_seconds() - d->t0);
        if ((d->cfg.stop && *d->cfg.stop) || (d->cfg.stop_after > 0 && d->new_done >= d->cfg.stop_after))
            d->stop = true;
    }
    free(w);
    return rc;
}

static void summarize_candidate(ss_opt_result *r, int i)
{
    for (int j = 0; j < 2; j++)
        ss_opt_summary(r, i, r->obj_id[j], &r->c[i].obj[j]);
}

void ss_opt_summary(const ss_opt_result *r, int cand, int metric_id, ss_summary *out)
{
    int R = r->cfg.replicas;
    double *x = ss_malloc(sizeof(double) * (size_t)R);
    int n = 0;
    for (int k = 0; k < R; k++)
        if (r->c[cand].done[k])
            x[n++] = ss_metrics_get(&r->c[cand].rep[k], metric_id);
    /* pN is the N% worst case: the N-th percentile of a maximised metric,
     * the (100-N)-th of a minimised one. */
    ss_statistic st = r->cfg.statistic;
    if (st.kind == SS_STAT_PERCENTILE && ss_objective_direction(ss_metric_table[metric_id].name) < 0)
        st.pct = 100.0 - st.pct;
    ss_summarize(x, n, &st, out);
    free(x);
}

static bool cand_complete(const ss_opt_result *r, int i)
{
    for (int k = 0; k < r->cfg.replicas; k++)
        if (!r->c[i].done[k])
            return false;
    return true;
}

/* NSGA-II objective values (minimisation) of candidate i. */
static void min_values(const ss_opt_result *r, int i, double *f)
{
    for (int j = 0; j < 2; j++) {
        double v = r->c[i].obj[j].value;
        f[j] = r->c[i].failed || isnan(v) ? NAN : r->obj_dir[j] > 0 ? -v : v;
    }
}

static int run_batch(driver *d, const ss_candidate *props, int n, int generation, bool capped,
                     int *idx, ss_err *err)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        idx[i] = add_candidate(d, &props[i], generation, capped, err, &rc);
        if (rc)
            return -1;
    }
    /* the total is set before the search starts (ss_optimize_run); it
     * only grows here if a method submits more than it said */
    if ((long)d->r->n * d->cfg.replicas > d->total_slots_hint)
        d->total_slots_hint = (long)d->r->n * d->cfg.replicas;
    if (evaluate_range(d, 0, d->r->n, err))
        return -1;
    for (int i = 0; i < d->r->n; i++)
        summarize_candidate(d->r, i);
    return 0;
}

static int run_nsga2(driver *d, ss_err *err)
{
    ss_nsga2 *g = ss_nsga2_new(d->sp, d->cfg.seed, d->cfg.population);
    ss_candidate *props;
    int n;
    ss_nsga2_initial(g, &props, &n);
    int rc = 0, stale = 0;
    for (int gen = 0; !d->stop; gen++) {
        int before = d->r->n;
        int *idx = ss_malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
        if (run_batch(d, props, n, gen, true, idx, err)) {
            free(idx);
            rc = -1;
            break;
        }
        /* tell only the proposals that exist (over-budget ones are dropped) */
        ss_candidate *told = ss_malloc(sizeof(ss_candidate) * (size_t)(n > 0 ? n : 1));
        double (*f)[2] = ss_malloc(sizeof(double[2]) * (size_t)(n > 0 ? n : 1));
        int m = 0;
        bool all_done = true;
        for (int i = 0; i < n; i++) {
            if (idx[i] < 0)
                continue;
            if (!cand_complete(d->r, idx[i]))
                all_done = false;
            told[m] = d->r->c[idx[i]].c;
            min_values(d->r, idx[i], f[m]);
            m++;
        }
        free(idx);
        free(props);
        props = NULL;
        if (d->stop || !all_done) {
            free(told);
            free(f);
            break;
        }
        ss_nsga2_tell(g, told, (const double (*)[2])f, m);
        free(told);
        free(f);
        stale = d->r->n == before ? stale + 1 : 0;
        /* stop at the budget, or when 5 generations brought nothing new
         * (a small space that NSGA-II has exhausted) */
        if (d->r->n >= d->cfg.budget || stale >= 5)
            break;
        ss_nsga2_ask(g, &props, &n);
    }
    free(props);
    ss_nsga2_free(g);
    return rc;
}

int ss_optimize_run(const ss_space *sp, const ss_opt_config *cfg, ss_eval_fn fn, void *ctx,
                    ss_store *st, const ss_opt_meta *meta, int64_t resume_id, ss_opt_result *out,
                    ss_err *err)
{
    memset(out, 0, sizeof *out);
    out->space = *sp;
    out->cfg = *cfg;
    if (cfg->replicas < 1)
        return ss_err_set(err, "replicas must be >= 1 (got %d)", cfg->replicas);
    if (cfg->budget < 1)
        return ss_err_set(err, "budget must be >= 1 (got %d)", cfg->budget);
    for (int j = 0; j < 2; j++) {
        out->obj_id[j] = ss_metric_lookup(cfg->objectives[j]);
        if (out->obj_id[j] < 0)
            return ss_err_set(err, "objective '%s' is not a metric (see models/metrics.h)",
                              cfg->objectives[j]);
        out->obj_dir[j] = ss_objective_direction(cfg->objectives[j]);
    }
    if (out->cfg.population < 4)
        out->cfg.population = 40;
    if (out->cfg.method == SS_SEARCH_AUTO)
        out->cfg.method = ss_space_grid_size(sp) <= cfg->budget ? SS_SEARCH_GRID : SS_SEARCH_NSGA2;
    if (sp->n == 0)
        out->cfg.method = SS_SEARCH_GRID; /* one candidate: the scenario as it is */

    driver d;
    memset(&d, 0, sizeof d);
    d.sp = sp;
    d.cfg = out->cfg;
    d.fn = fn;
    d.ctx = ctx;
    d.st = st;
    d.r = out;
    d.set = ss_cand_set_new();
    d.t0 = ss_wall_seconds();
    int rc = 0;
    if (st) {
        rc = ss_results_schema(st, err);
        if (!rc && resume_id > 0) {
            out->id = resume_id;
            rc = load_stored(&d, err);
            if (!rc) {
                /* it runs again: `report` and the store say so until it ends */
                char sql[96];
                snprintf(sql, sizeof sql, "UPDATE optimizations SET status = 'running' WHERE id = %lld",
                         (long long)resume_id);
                rc = ss_store_exec(st, sql, err);
            }
        } else if (!rc) {
            rc = store_begin_optimization(&d, meta, err);
        }
        char *sql = insert_result_sql();
        if (!rc)
            rc = ss_store_prepare(st,
                                  "INSERT INTO candidates(optimization_id, candidate_id, generation, "
                                  "params_json, params_hash) VALUES(?,?,?,?,?)",
                                  &d.ins_cand, err);
        if (!rc)
            rc = ss_store_prepare(st, sql, &d.ins_res, err);
        free(sql);
    }
    if (!rc) {
        ss_candidate *props = NULL;
        int n = 0;
        switch (d.cfg.method) {
        case SS_SEARCH_GRID:
            rc = ss_grid_generate(sp, &props, &n, err);
            break;
        case SS_SEARCH_LHS:
            rc = ss_lhs_generate(sp, d.cfg.seed, d.cfg.budget, &props, &n, err);
            break;
        case SS_SEARCH_RANDOM:
            rc = ss_random_generate(sp, d.cfg.seed, d.cfg.budget, &props, &n, err);
            break;
        case SS_SEARCH_NSGA2:
        default: {
            /* the true total: budget x replicas, or the whole space when it
             * is smaller (NSGA-II never proposes a candidate twice) */
            double g = ss_space_grid_size(sp);
            long cands = g > 0 && g < (double)d.cfg.budget ? (long)g : (long)d.cfg.budget;
            d.total_slots_hint = cands * d.cfg.replicas;
            rc = run_nsga2(&d, err);
            break;
        }
            break;
        }
        if (!rc && d.cfg.method != SS_SEARCH_NSGA2) {
            d.total_slots_hint = (long)n * d.cfg.replicas;
            int *idx = ss_malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
            rc = run_batch(&d, props, n, 0, false, idx, err);
            free(idx);
        }
        free(props);
    }
    if (!rc && !d.stop && d.cfg.progress) {
        /* finished: the last report says so, with the total that was done
         * (NSGA-II may stop before its budget when the space is exhausted) */
        long done = out->loaded + out->evaluated;
        d.cfg.progress(d.cfg.progress_ctx, done, done, ss_wall_seconds() - d.t0);
    }
    if (!rc) {
        out->interrupted = d.stop;
        out->complete = !d.stop;
        for (int i = 0; i < out->n; i++)
            if (!cand_complete(out, i))
                out->complete = false;
        double *f1 = ss_malloc(sizeof(double) * (size_t)(out->n + 1));
        double *f2 = ss_malloc(sizeof(double) * (size_t)(out->n + 1));
        bool *valid = ss_malloc(sizeof(bool) * (size_t)(out->n + 1));
        bool *front = ss_malloc(sizeof(bool) * (size_t)(out->n + 1));
        for (int i = 0; i < out->n; i++) {
            summarize_candidate(out, i);
            f1[i] = out->c[i].obj[0].value;
            f2[i] = out->c[i].obj[1].value;
            valid[i] = !out->c[i].failed && cand_complete(out, i);
        }
        ss_pareto_front(out->n, f1, f2, out->obj_dir[0], out->obj_dir[1], valid, front);
        for (int i = 0; i < out->n; i++)
            out->c[i].on_front = front[i];
        free(f1);
        free(f2);
        free(valid);
        free(front);
        if (st) {
            char sql[128];
            snprintf(sql, sizeof sql, "UPDATE optimizations SET status = '%s' WHERE id = %lld",
                     out->complete ? "done" : "interrupted", (long long)out->id);
            rc = ss_store_exec(st, sql, err);
        }
    }
    if (d.ins_cand)
        sqlite3_finalize(d.ins_cand);
    if (d.ins_res)
        sqlite3_finalize(d.ins_res);
    ss_cand_set_free(d.set);
    free(d.stored_hash);
    for (size_t k = 0; k < d.n_slots; k++)
        free(d.slots[k].error);
    free(d.slots);
    if (rc)
        ss_opt_result_free(out);
    return rc;
}

void ss_opt_result_free(ss_opt_result *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->c[i].params_json);
        free(r->c[i].rep);
        free(r->c[i].done);
        free(r->c[i].error);
    }
    free(r->c);
    r->c = NULL;
    r->n = 0;
}

/* ---- CSV -------------------------------------------------------------------------- */

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs("", f);
    else
        fprintf(f, "%.10g", v);
}

int ss_optimize_write_csv(const ss_opt_result *r, FILE *f, ss_err *err)
{
    char stat[32];
    ss_statistic_format(&r->cfg.statistic, stat, sizeof stat);
    fputs("candidate_id,generation,params_hash", f);
    for (int i = 0; i < r->space.n; i++) {
        fputc(',', f);
        ss_csv_field(f, r->space.p[i].path);
    }
    fputs(",replicas,failed", f);
    for (int j = 0; j < 2; j++)
        fprintf(f, ",%s_%s,%s_lo95,%s_hi95,%s_replica_mean", r->cfg.objectives[j], stat, r->cfg.objectives[j],
                r->cfg.objectives[j], r->cfg.objectives[j]);
    fputs(",on_frontier\n", f);
    for (int c = 0; c < r->n; c++) {
        const ss_opt_candidate *oc = &r->c[c];
        fprintf(f, "%d,%d,%s", c, oc->c.generation, oc->hash);
        for (int i = 0; i < r->space.n; i++) {
            char buf[SS_NAME_MAX + 64];
            ss_space_value_text(&r->space, &oc->c, i, buf, sizeof buf);
            fputc(',', f);
            ss_csv_field(f, buf);
        }
        int done = 0;
        for (int k = 0; k < r->cfg.replicas; k++)
            done += oc->done[k];
        fprintf(f, ",%d,%d", done, oc->failed ? 1 : 0);
        for (int j = 0; j < 2; j++) {
            const ss_summary *s = &oc->obj[j];
            fputc(',', f);
            csv_num(f, s->value);
            fputc(',', f);
            csv_num(f, s->lo);
            fputc(',', f);
            csv_num(f, s->hi);
            fputc(',', f);
            csv_num(f, s->mean);
        }
        fprintf(f, ",%d\n", oc->on_front ? 1 : 0);
    }
    if (ferror(f))
        return ss_err_set(err, "frontier.csv: write error");
    return 0;
}
