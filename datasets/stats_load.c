/*
 * stats_load.c - read what `spotsim stats` needs from the store, per selected
 * pool: price records, On-Demand price, Spot Advisor bucket, spot inventory,
 * first notices per distinct instance, capacity traces.
 *
 * One query per table (ordered by pool id) rather than one per pool, so a
 * store with thousands of pools is read in a handful of scans.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats_internal.h"

void ss_stats_filter_init(ss_stats_filter *f)
{
    memset(f, 0, sizeof *f);
    f->from = SS_STATS_OPEN_FROM;
    f->to = SS_STATS_OPEN_TO;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

static void copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static int cmp_pool_id(const void *key, const void *elem)
{
    sqlite3_int64 a = *(const sqlite3_int64 *)key, b = ((const ssx_pool *)elem)->id;
    return a < b ? -1 : a > b;
}

static ssx_pool *find_pool(ssx_data *d, sqlite3_int64 id)
{
    return d->n ? bsearch(&id, d->pools, d->n, sizeof *d->pools, cmp_pool_id) : NULL;
}

/* Rows come ordered by pool: the pool of this row, looked up only when the
 * pool changes (then the caller's array capacity for it starts at 0). NULL
 * when the pool is not selected. */
static ssx_pool *row_pool(ssx_data *d, ssx_pool *cur, sqlite3_int64 id, size_t *cap)
{
    if (cur && cur->id == id)
        return cur;
    *cap = 0;
    return find_pool(d, id);
}

static void span(ssx_data *d, ss_time t)
{
    if (t < d->from_eff)
        d->from_eff = t;
    if (t > d->to_eff)
        d->to_eff = t;
}

/* The os of advisor / On-Demand rows: the importer stores the product text
 * ("Linux/UNIX"); hand-made stores may say "Linux" | "Windows". Both match. */
static const char *os_of_product(const char *product)
{
    return strstr(product, "Windows") ? "Windows" : "Linux";
}

static int step_error(ss_store *st, sqlite3_stmt *s, int rc, ss_err *err)
{
    if (rc != SQLITE_DONE) {
        ss_err_set(err, "%s: reading statistics: %s", st->path, sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_finalize(s);
    return 0;
}

static int load_pools(ss_store *st, const ss_stats_filter *f, const char *product, ssx_data *d,
                      ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT id, region, zone, instance_type, product FROM pools"
                         " WHERE product = ?1 AND (?2 IS NULL OR region = ?2) ORDER BY id",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, product, -1, SQLITE_STATIC);
    if (f->region)
        sqlite3_bind_text(s, 2, f->region, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *zone = (const char *)sqlite3_column_text(s, 2);
        const char *type = (const char *)sqlite3_column_text(s, 3);
        if (!zone || !type || !in_list(zone, f->zones, f->n_zones) ||
            !in_list(type, f->types, f->n_types))
            continue;
        SS_GROW(d->pools, cap, d->n + 1);
        ssx_pool *p = &d->pools[d->n++];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(s, 0);
        copy_text(p->region, sizeof p->region, s, 1);
        copy_text(p->zone, sizeof p->zone, s, 2);
        copy_text(p->type, sizeof p->type, s, 3);
        copy_text(p->product, sizeof p->product, s, 4);
        p->od = NAN;
        p->adv_bucket = -1;
        p->adv_savings = -1;
    }
    return step_error(st, s, rc, err);
}

static int load_prices(ss_store *st, const char *product, ssx_data *d, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT sp.pool_id, sp.t_ms, sp.usd_per_hour FROM spot_prices sp"
                         " JOIN pools p ON p.id = sp.pool_id"
                         " WHERE p.product = ?1 AND sp.t_ms < ?2 ORDER BY sp.pool_id, sp.t_ms",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, product, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, d->to);
    ssx_pool *p = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(s, 0);
        if (!(p = row_pool(d, p, id, &cap)))
            continue;
        if (p->n_prices + 1 > cap) { /* grow both parallel arrays together */
            SS_GROW(p->pt, cap, p->n_prices + 1);
            p->pp = ss_realloc(p->pp, cap * sizeof *p->pp);
        }
        p->pt[p->n_prices] = sqlite3_column_int64(s, 1);
        p->pp[p->n_prices] = sqlite3_column_double(s, 2);
        p->n_prices++;
    }
    /* The step function reaches into the window from its first record (or
     * the window start) to its last record. */
    for (size_t i = 0; i < d->n; i++) {
        ssx_pool *q = &d->pools[i];
        if (q->n_prices) {
            span(d, q->pt[0] < d->from ? d->from : q->pt[0]);
            span(d, q->pt[q->n_prices - 1] < d->from ? d->from : q->pt[q->n_prices - 1]);
        }
    }
    return step_error(st, s, rc, err);
}

static int load_reference(ss_store *st, ssx_data *d, ss_err *err)
{
    sqlite3_stmt *od, *adv, *rng;
    if (ss_store_prepare(st,
                         "SELECT usd_per_hour FROM ondemand_prices WHERE region = ?1"
                         " AND instance_type = ?2 AND os IN (?3, ?4)"
                         /* the price in effect at the window end (the latest dated at
                          * or before it; else the earliest) */
                         " ORDER BY os = ?3 DESC, effective_ms <= ?5 DESC,"
                         " CASE WHEN effective_ms <= ?5 THEN -effective_ms ELSE effective_ms END"
                         " LIMIT 1",
                         &od, err))
        return -1;
    if (ss_store_prepare(st,
                         "SELECT a.bucket, a.savings_pct, COALESCE(r.label, '') FROM advisor a"
                         " LEFT JOIN advisor_ranges r ON r.bucket = a.bucket"
                         " WHERE a.region = ?1 AND a.os IN (?2, ?4) AND a.instance_type = ?3"
                         " ORDER BY a.snapshot DESC, a.os = ?4 DESC LIMIT 1",
                         &adv, err)) {
        sqlite3_finalize(od);
        return -1;
    }
    for (size_t i = 0; i < d->n; i++) {
        ssx_pool *p = &d->pools[i];
        const char *os = os_of_product(p->product);
        sqlite3_reset(od);
        sqlite3_bind_text(od, 1, p->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(od, 2, p->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(od, 3, os, -1, SQLITE_STATIC);
        sqlite3_bind_text(od, 4, p->product, -1, SQLITE_STATIC);
        sqlite3_bind_int64(od, 5, d->to);
        if (sqlite3_step(od) == SQLITE_ROW)
            p->od = sqlite3_column_double(od, 0);
        sqlite3_reset(adv);
        sqlite3_bind_text(adv, 1, p->region, -1, SQLITE_STATIC);
        sqlite3_bind_text(adv, 2, os, -1, SQLITE_STATIC);
        sqlite3_bind_text(adv, 3, p->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(adv, 4, p->product, -1, SQLITE_STATIC);
        if (sqlite3_step(adv) == SQLITE_ROW) {
            p->adv_bucket = sqlite3_column_int(adv, 0);
            p->adv_savings = sqlite3_column_int(adv, 1);
            copy_text(p->adv_label, sizeof p->adv_label, adv, 2);
        }
    }
    sqlite3_finalize(od);
    sqlite3_finalize(adv);
    if (ss_store_prepare(st, "SELECT label, max_pct FROM advisor_ranges ORDER BY max_pct", &rng,
                         err))
        return -1;
    int rc;
    while ((rc = sqlite3_step(rng)) == SQLITE_ROW && d->n_ranges < SS_ARRAY_LEN(d->range_max)) {
        copy_text(d->range_label[d->n_ranges], sizeof d->range_label[0], rng, 0);
        d->range_max[d->n_ranges++] = sqlite3_column_double(rng, 1);
    }
    if (rc == SQLITE_ROW)
        rc = SQLITE_DONE;
    return step_error(st, rng, rc, err);
}

static int load_instances(ss_store *st, ssx_data *d, ss_err *err)
{
    sqlite3_stmt *s;
    /* An instance ended by an interruption is an event of the survival
     * analysis; so is one that received a warning or an interruption record
     * whatever its end_reason says. Without end_ms, an interrupted instance
     * ends at its interruption record, else 2 minutes after its warning. */
    if (ss_store_prepare(
            st,
            "SELECT i.pool_id, i.launch_ms, i.end_ms,"
            "  COALESCE(lower(i.end_reason) LIKE '%interrupt%', 0),"
            "  (SELECT MIN(t_ms) FROM interruption_events e WHERE e.instance_id = i.instance_id"
            "     AND e.kind = 'interruption'),"
            "  (SELECT MIN(t_ms) FROM interruption_events e WHERE e.instance_id = i.instance_id"
            "     AND e.kind = 'interruption-warning')"
            " FROM instances i WHERE i.lifecycle = 'spot' AND i.pool_id IS NOT NULL"
            "   AND i.launch_ms < ?1"
            " ORDER BY i.pool_id, i.launch_ms, i.instance_id",
            &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, d->to);
    ssx_pool *p = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(s, 0);
        if (!(p = row_pool(d, p, id, &cap)))
            continue;
        ssx_inst in;
        in.launch = sqlite3_column_int64(s, 1);
        bool has_int = sqlite3_column_type(s, 4) != SQLITE_NULL;
        bool has_warn = sqlite3_column_type(s, 5) != SQLITE_NULL;
        in.interrupted = sqlite3_column_int(s, 3) || has_int || has_warn;
        if (sqlite3_column_type(s, 2) != SQLITE_NULL)
            in.end = sqlite3_column_int64(s, 2);
        else if (has_int)
            in.end = sqlite3_column_int64(s, 4);
        else if (has_warn)
            in.end = sqlite3_column_int64(s, 5) + 2 * SS_MINUTE;
        else
            in.end = SS_STATS_OPEN_TO;
        if (in.end < in.launch)
            in.end = in.launch;
        if (in.end != SS_STATS_OPEN_TO && in.end <= d->from)
            continue; /* over before the window */
        SS_GROW(p->inst, cap, p->n_inst + 1);
        p->inst[p->n_inst++] = in;
        span(d, in.launch < d->from ? d->from : in.launch);
        if (in.end != SS_STATS_OPEN_TO)
            span(d, in.end > d->to ? d->to : in.end);
    }
    return step_error(st, s, rc, err);
}

static int load_events(ss_store *st, ssx_data *d, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT pool_id, kind = 'rebalance-recommendation' AS reb, MIN(t_ms) AS t"
                         " FROM interruptions WHERE t_ms >= ?1 AND t_ms < ?2"
                         "   AND pool_id IS NOT NULL"
                         " GROUP BY pool_id, instance_id, reb ORDER BY pool_id, t, instance_id",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, d->from);
    sqlite3_bind_int64(s, 2, d->to);
    ssx_pool *p = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(s, 0);
        if (!(p = row_pool(d, p, id, &cap)))
            continue;
        SS_GROW(p->ev, cap, p->n_ev + 1);
        p->ev[p->n_ev].rebalance = sqlite3_column_int(s, 1) != 0;
        p->ev[p->n_ev].t = sqlite3_column_int64(s, 2);
        span(d, p->ev[p->n_ev].t);
        p->n_ev++;
    }
    return step_error(st, s, rc, err);
}

static int load_traces(ss_store *st, ssx_data *d, ss_err *err)
{
    sqlite3_stmt *s, *smp;
    if (ss_store_prepare(st,
                         "SELECT id, pool_id, gap_ms, meaning FROM capacity_traces"
                         " ORDER BY pool_id, start_ms, id",
                         &s, err))
        return -1;
    if (ss_store_prepare(st,
                         "SELECT t_ms, value FROM capacity_samples WHERE trace_id = ?1"
                         " AND t_ms < ?2 AND t_ms > ?3 - ?4 ORDER BY idx",
                         &smp, err)) {
        sqlite3_finalize(s);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ssx_pool *p = find_pool(d, sqlite3_column_int64(s, 1));
        if (!p)
            continue;
        ssx_trace tr = {0};
        tr.gap = sqlite3_column_int64(s, 2);
        const char *m = (const char *)sqlite3_column_text(s, 3);
        tr.meaning = !m ? SSX_AVAIL_COUNT
                     : !strcmp(m, "preempted-flag") ? SSX_PREEMPTED_FLAG
                     : !strcmp(m, "available-flag") ? SSX_AVAIL_FLAG
                                                     : SSX_AVAIL_COUNT;
        sqlite3_reset(smp);
        sqlite3_bind_int64(smp, 1, sqlite3_column_int64(s, 0));
        sqlite3_bind_int64(smp, 2, d->to);
        /* t > from - gap, computed without overflowing an open window */
        sqlite3_bind_int64(smp, 3, d->from == SS_STATS_OPEN_FROM ? d->from + tr.gap : d->from);
        sqlite3_bind_int64(smp, 4, tr.gap);
        size_t cap = 0;
        int src;
        while ((src = sqlite3_step(smp)) == SQLITE_ROW) {
            if (tr.n + 1 > cap) {
                SS_GROW(tr.t, cap, tr.n + 1);
                tr.v = ss_realloc(tr.v, cap * sizeof *tr.v);
            }
            tr.t[tr.n] = sqlite3_column_int64(smp, 0);
            tr.v[tr.n] = sqlite3_column_int(smp, 1);
            tr.n++;
        }
        if (src != SQLITE_DONE) {
            free(tr.t);
            free(tr.v);
            sqlite3_finalize(smp);
            return step_error(st, s, src, err);
        }
        if (tr.n == 0)
            continue;
        span(d, tr.t[0] < d->from ? d->from : tr.t[0]);
        ss_time last = tr.t[tr.n - 1] + tr.gap;
        span(d, last > d->to ? d->to : last);
        p->tr = ss_realloc(p->tr, (p->n_tr + 1) * sizeof *p->tr);
        p->tr[p->n_tr++] = tr;
    }
    sqlite3_finalize(smp);
    return step_error(st, s, rc, err);
}

int ssx_load(ss_store *st, const ss_stats_filter *f, ssx_data *d, ss_err *err)
{
    memset(d, 0, sizeof *d);
    d->from = f->from;
    d->to = f->to;
    if (d->from >= d->to)
        return ss_err_set(err, "empty window: --from must be before --to");
    d->from_eff = SS_STATS_OPEN_TO;
    d->to_eff = SS_STATS_OPEN_FROM;
    const char *product = f->product ? f->product : "Linux/UNIX";
    if (load_pools(st, f, product, d, err) || load_prices(st, product, d, err) ||
        load_reference(st, d, err) || load_instances(st, d, err) || load_events(st, d, err) ||
        load_traces(st, d, err)) {
        ssx_free(d);
        return -1;
    }
    if (d->from_eff > d->to_eff) /* no data at all */
        d->from_eff = d->to_eff = 0;
    if (d->from != SS_STATS_OPEN_FROM)
        d->from_eff = d->from;
    if (d->to != SS_STATS_OPEN_TO)
        d->to_eff = d->to;
    return 0;
}

void ssx_free(ssx_data *d)
{
    for (size_t i = 0; i < d->n; i++) {
        ssx_pool *p = &d->pools[i];
        free(p->pt);
        free(p->pp);
        free(p->inst);
        free(p->ev);
        for (size_t k = 0; k < p->n_tr; k++) {
            free(p->tr[k].t);
            free(p->tr[k].v);
        }
        free(p->tr);
    }
    free(d->pools);
    memset(d, 0, sizeof *d);
}
