/*
 * fit_store.c - the evidence `spotsim fit` reads and the fit_models table.
 *
 * The evidence goes through the `spotsim stats` loader and accumulators
 * (stats_load.c, stats_interrupt.c), so the counts, exposure and lifetimes a
 * fit starts from are exactly the ones `stats` prints for the same filter
 * and window (tests/test_fit.c checks it).
 */
#include "datasets/fit_store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "datasets/stats_internal.h"

static int cmp_time(const void *a, const void *b)
{
    ss_time x = *(const ss_time *)a, y = *(const ss_time *)b;
    return (x > y) - (x < y);
}

/* Spread [a, b) over the 24 UTC hours of day. */
static void add_hours(double *bucket, ss_time a, ss_time b)
{
    while (a < b) {
        ss_time day_ms = ((a % SS_DAY) + SS_DAY) % SS_DAY;
        int h = (int)(day_ms / SS_HOUR);
        ss_time next = a - day_ms + (ss_time)(h + 1) * SS_HOUR;
        ss_time stop = next < b ? next : b;
        bucket[h] += (double)(stop - a) / (double)SS_HOUR;
        a = stop;
    }
}

/* Spread [a, b) over the 7 UTC days of the week (1970-01-01 was a Thursday:
 * Monday = 0 is (days + 3) mod 7). */
static void add_days(double *bucket, ss_time a, ss_time b)
{
    while (a < b) {
        ss_time day_ms = ((a % SS_DAY) + SS_DAY) % SS_DAY;
        ss_time days = (a - day_ms) / SS_DAY;
        int d = (int)(((days + 3) % 7 + 7) % 7);
        ss_time next = a - day_ms + SS_DAY;
        ss_time stop = next < b ? next : b;
        bucket[d] += (double)(stop - a) / (double)SS_HOUR;
        a = stop;
    }
}

static int day_of_week(ss_time t)
{
    ss_time day_ms = ((t % SS_DAY) + SS_DAY) % SS_DAY;
    ss_time days = (t - day_ms) / SS_DAY;
    return (int)(((days + 3) % 7 + 7) % 7);
}

static void load_pool(const ssx_data *d, const ssx_pool *p, ss_fit_evidence_pool *e)
{
    snprintf(e->region, sizeof e->region, "%s", p->region);
    snprintf(e->zone, sizeof e->zone, "%s", p->zone);
    snprintf(e->instance_type, sizeof e->instance_type, "%s", p->type);
    ssx_acc a;
    ssx_acc_init(&a);
    ssx_interrupt_accumulate(d, p, &a);
    e->interruptions = a.interruptions;
    e->exposure_hours = a.exposure_ms / (double)SS_HOUR;
    /* lifetimes: move the accumulator's arrays */
    e->life = a.life;
    e->life_event = a.life_event;
    e->n_life = a.n_life;
    a.life = NULL;
    a.life_event = NULL;
    ssx_acc_free(&a);

    e->notice = ss_malloc((p->n_ev ? p->n_ev : 1) * sizeof *e->notice);
    for (size_t i = 0; i < p->n_ev; i++)
        if (!p->ev[i].rebalance)
            e->notice[e->n_notice++] = p->ev[i].t;
    qsort(e->notice, e->n_notice, sizeof *e->notice, cmp_time);

    e->launch = ss_malloc((p->n_inst ? p->n_inst : 1) * sizeof *e->launch);
    e->end = ss_malloc((p->n_inst ? p->n_inst : 1) * sizeof *e->end);
    ss_time cover_end = INT64_MIN;
    double observed = 0;
    for (size_t i = 0; i < p->n_inst; i++) { /* ascending launch (loader order) */
        const ssx_inst *in = &p->inst[i];
        ss_time end = in->end == SS_STATS_OPEN_TO ? d->to_eff : in->end;
        ss_time lo = in->launch > d->from_eff ? in->launch : d->from_eff;
        ss_time hi = end < d->to_eff ? end : d->to_eff;
        if (hi > lo) {
            add_hours(e->hour_exposure, lo, hi);
            add_days(e->dow_exposure, lo, hi);
            ss_time from = lo > cover_end ? lo : cover_end;
            if (hi > from) {
                observed += (double)(hi - from);
                cover_end = hi;
            }
        }
        e->launch[e->n_inst] = in->launch;
        e->end[e->n_inst] = in->end == SS_STATS_OPEN_TO ? SS_TIME_NEVER : in->end;
        e->n_inst++;
    }
    e->observed_hours = observed / (double)SS_HOUR;
    qsort(e->launch, e->n_inst, sizeof *e->launch, cmp_time);
    qsort(e->end, e->n_inst, sizeof *e->end, cmp_time);
    for (size_t i = 0; i < e->n_notice; i++) {
        ss_time day_ms = ((e->notice[i] % SS_DAY) + SS_DAY) % SS_DAY;
        e->hour_count[day_ms / SS_HOUR] += 1.0;
        e->dow_count[day_of_week(e->notice[i])] += 1.0;
    }
    /* notices per hour of the window, for the correlation between pools
     * (capped at ten years of hours) */
    ss_time span = d->to_eff - d->from_eff;
    if (span > 0 && span / SS_HOUR < 24L * 3660L) {
        e->n_hourly = (size_t)((span + SS_HOUR - 1) / SS_HOUR);
        e->hourly = ss_calloc(e->n_hourly, sizeof *e->hourly);
        for (size_t i = 0; i < e->n_notice; i++) {
            ss_time k = (e->notice[i] - d->from_eff) / SS_HOUR;
            if (k >= 0 && (size_t)k < e->n_hourly)
                e->hourly[k] += 1.0;
        }
    }
}

static bool unavailable(ssx_meaning m, int v)
{
    return m == SSX_PREEMPTED_FLAG ? v == 1 : v == 0;
}

/* The capacity a replay gives the sample (datasets/interrupt_fit.c,
 * ss_capacity_trace_points): a count is the instances the pool holds, a
 * flag is none or unlimited. */
static int level_of(ssx_meaning m, int v)
{
    if (m == SSX_PREEMPTED_FLAG || m == SSX_AVAIL_FLAG)
        return unavailable(m, v) ? 0 : -1;
    return v < 0 ? 0 : v;
}

static void load_trace(const ssx_data *d, const ssx_pool *p, const ssx_trace *tr,
                       ss_fit_evidence *e)
{
    /* samples inside the window, contiguous from the first one in it */
    size_t first = 0;
    while (first < tr->n && tr->t[first] < d->from_eff)
        first++;
    if (first >= tr->n)
        return;
    ss_fit_trace out = {0};
    snprintf(out.zone, sizeof out.zone, "%s", p->zone);
    snprintf(out.instance_type, sizeof out.instance_type, "%s", p->type);
    out.start = tr->t[first];
    out.gap = tr->gap;
    out.down = ss_malloc(tr->n - first);
    out.level = ss_malloc((tr->n - first) * sizeof *out.level);
    for (size_t i = first; i < tr->n; i++) {
        if (tr->t[i] + tr->gap > d->to_eff)
            break;
        if (tr->t[i] != out.start + (ss_time)out.n * tr->gap)
            break; /* a hole in the samples ends the usable part */
        out.level[out.n] = level_of(tr->meaning, tr->v[i]);
        out.down[out.n++] = unavailable(tr->meaning, tr->v[i]) ? 1 : 0;
    }
    if (out.n == 0) {
        free(out.down);
        free(out.level);
        return;
    }
    e->traces = ss_realloc(e->traces, (e->n_traces + 1) * sizeof *e->traces);
    e->traces[e->n_traces++] = out;
}

static int load_provenance(ss_store *st, ss_fit_evidence *e, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "SELECT file_name, sha256, format FROM provenance ORDER BY id", &s,
                         err))
        return -1;
    json_t *arr = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string((const char *)sqlite3_column_text(s, 0)));
        json_object_set_new(o, "sha256", json_string((const char *)sqlite3_column_text(s, 1)));
        json_object_set_new(o, "format", json_string((const char *)sqlite3_column_text(s, 2)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(s);
    char *txt = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    e->provenance_json = ss_strdup(txt ? txt : "[]");
    free(txt);
    return 0;
}

/* Pools by instance type then zone, as `stats` prints them. */
static int cmp_pool(const void *a, const void *b)
{
    const ss_fit_evidence_pool *x = a, *y = b;
    int c = strcmp(x->instance_type, y->instance_type);
    return c ? c : strcmp(x->zone, y->zone);
}

static int cmp_trace(const void *a, const void *b)
{
    const ss_fit_trace *x = a, *y = b;
    int c = strcmp(x->instance_type, y->instance_type);
    if (!c)
        c = strcmp(x->zone, y->zone);
    return c ? c : (x->start > y->start) - (x->start < y->start);
}

int ss_fit_evidence_load(ss_store *st, const ss_stats_filter *f, ss_fit_evidence *out,
                         ss_err *err)
{
    memset(out, 0, sizeof *out);
    ssx_data d;
    if (ssx_load(st, f, &d, err))
        return -1;
    out->from = d.from_eff;
    out->to = d.to_eff;
    for (size_t i = 0; i < d.n; i++) {
        const ssx_pool *p = &d.pools[i];
        if (p->n_inst > 0 || p->n_ev > 0) {
            out->pools = ss_realloc(out->pools, (out->n_pools + 1) * sizeof *out->pools);
            ss_fit_evidence_pool *e = &out->pools[out->n_pools++];
            memset(e, 0, sizeof *e);
            load_pool(&d, p, e);
            if (e->exposure_hours <= 0 && e->n_notice == 0) {
                ss_fit_evidence_pool tmp = *e;
                out->n_pools--;
                free(tmp.notice);
                free(tmp.launch);
                free(tmp.end);
                free(tmp.life);
                free(tmp.life_event);
                free(tmp.hourly);
            }
        }
        for (size_t k = 0; k < p->n_tr; k++)
            load_trace(&d, p, &p->tr[k], out);
    }
    ssx_free(&d);
    if (out->n_pools > 1)
        qsort(out->pools, out->n_pools, sizeof *out->pools, cmp_pool);
    if (out->n_traces > 1)
        qsort(out->traces, out->n_traces, sizeof *out->traces, cmp_trace);
    if (load_provenance(st, out, err)) {
        ss_fit_evidence_free(out);
        return -1;
    }
    return 0;
}

void ss_fit_evidence_free(ss_fit_evidence *e)
{
    for (size_t i = 0; i < e->n_pools; i++) {
        ss_fit_evidence_pool *p = &e->pools[i];
        free(p->notice);
        free(p->launch);
        free(p->end);
        free(p->life);
        free(p->life_event);
        free(p->hourly);
    }
    free(e->pools);
    for (size_t i = 0; i < e->n_traces; i++) {
        free(e->traces[i].down);
        free(e->traces[i].level);
    }
    free(e->traces);
    free(e->provenance_json);
    memset(e, 0, sizeof *e);
}

int ss_fit_store_save(ss_store *st, const char *name, ss_time from, ss_time to,
                      const char *model_json, const char *source_json, const char *report,
                      ss_err *err)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (ss_store_begin(st, err))
        return -1;
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "INSERT OR REPLACE INTO fit_models(name, created_at, from_ms, to_ms,"
                         " model_json, source_json, report_text) VALUES(?,?,?,?,?,?,?)",
                         &s, err)) {
        ss_store_rollback(st);
        return -1;
    }
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, from);
    sqlite3_bind_int64(s, 4, to);
    sqlite3_bind_text(s, 5, model_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, source_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, report ? report : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        ss_err_set(err, "%s: saving fitted model '%s': %s", st->path, name,
                   sqlite3_errmsg(st->db));
        ss_store_rollback(st);
        return -1;
    }
    return ss_store_commit(st, err);
}

int ss_fit_store_load(ss_store *st, const char *name, char **model_json, ss_err *err)
{
    *model_json = NULL;
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "SELECT model_json FROM fit_models WHERE name = ?1", &s, err))
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *model_json = ss_strdup((const char *)sqlite3_column_text(s, 0));
        sqlite3_finalize(s);
        return 0;
    }
    sqlite3_finalize(s);
    char have[512] = "";
    size_t len = 0;
    if (ss_store_prepare(st, "SELECT name FROM fit_models ORDER BY name LIMIT 20", &s, err))
        return -1;
    while (sqlite3_step(s) == SQLITE_ROW && len < sizeof have - 80)
        len += (size_t)snprintf(have + len, sizeof have - len, "%s%s", len ? ", " : "",
                                (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return ss_err_set(err, "%s: no fitted model named '%s' (%s%s); create it with `spotsim fit "
                           "--name %s`",
                      st->path, name, len ? "the store has: " : "the store has none",
                      have, name);
}
