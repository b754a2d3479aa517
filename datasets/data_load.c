/*
 * data_load.c - ss_data_load: everything one scenario's market needs, read
 * once from the store (docs/market.md, "Loading market data").
 *
 * For each pool (type x zone of scenario.market) it loads the Spot price
 * series, the On-Demand price, vCPU/memory, the Spot Advisor bucket, the
 * observed interruption log (exposure, bursts, fitted hazard) and capacity
 * traces; then the data span and the provenance of every imported file.
 *
 * Pools in the store are matched on (region, zone, instance_type) and a
 * product equal to the scenario's product or to it + " (Amazon VPC)" (the
 * pre-2019 spelling of DescribeSpotPriceHistory), the exact product first.
 */
#include "datasets/data_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "datasets/import.h"
#include "datasets/interrupt_fit.h"

/* Pools of one (region, zone, type, product) in the store, exact product first. */
#define POOL_IDS_SQL                                                                               \
    "SELECT id FROM pools WHERE region=?1 AND zone=?2 AND instance_type=?3"                        \
    " AND (product=?4 OR product=?4 || ' (Amazon VPC)')"

typedef struct loader {
    ss_store *st;
    const ss_market *m;
    ss_time start, end; /* the horizon (both 0: all data) */
    ss_data *d;
    char region[SS_NAME_MAX];
    char product[SS_NAME_MAX]; /* the scenario's product, normalised as the importers do */
    char os[2][SS_NAME_MAX];   /* `os` values to try: the product, then its short name */
    ss_time log_end; /* latest time the log knows of (open instances run until it) */
    ss_err *err;
} loader;

/* Short OS name of a product (the spelling of hand-made on-demand tables
 * and of the Spot Advisor's keys); the importers store the product itself. */
static const char *product_os(const char *product)
{
    static const struct {
        const char *prefix, *os;
    } map[] = {{"Linux/UNIX", "Linux"},
               {"SUSE Linux", "SUSE"},
               {"Red Hat Enterprise Linux", "RHEL"},
               {"Windows", "Windows"}};
    for (size_t i = 0; i < SS_ARRAY_LEN(map); i++)
        if (!strncmp(product, map[i].prefix, strlen(map[i].prefix)))
            return map[i].os;
    return product;
}

static int prep(loader *L, const char *sql, sqlite3_stmt **s)
{
    return ss_store_prepare(L->st, sql, s, L->err);
}

static void bind_pool(sqlite3_stmt *s, const loader *L, const ss_pool *p)
{
    sqlite3_bind_text(s, 1, L->region, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, p->zone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, p->instance_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, L->product, -1, SQLITE_TRANSIENT);
}

/* "the store has N pools in REGION: type/zone, ..." for the error message. */
static void describe_region(loader *L, char *buf, size_t n)
{
    sqlite3_stmt *s;
    buf[0] = '\0';
    if (ss_store_prepare(L->st,
                         "SELECT p.instance_type, p.zone, p.product FROM pools p WHERE p.region=?1"
                         " AND EXISTS(SELECT 1 FROM spot_prices sp WHERE sp.pool_id=p.id)"
                         " ORDER BY p.instance_type, p.zone, p.product",
                         &s, NULL))
        return;
    sqlite3_bind_text(s, 1, L->region, -1, SQLITE_TRANSIENT);
    size_t count = 0, len = 0;
    char list[600] = "";
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (count < 10 && len < sizeof list - 100)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s/%s (%s)",
                                    count ? ", " : "", (const char *)sqlite3_column_text(s, 0),
                                    (const char *)sqlite3_column_text(s, 1),
                                    (const char *)sqlite3_column_text(s, 2));
        count++;
    }
    sqlite3_finalize(s);
    if (count == 0) {
        snprintf(buf, n, "the store has no spot prices in %s", L->region);
        return;
    }
    snprintf(buf, n, "the store has %zu pool%s in %s: %s%s", count, count == 1 ? "" : "s",
             L->region, list, count > 10 ? ", ..." : "");
}

/* Did you mean: the zones (any region) where the type has prices, and the
 * types that have prices in the zone, as "TYPE has prices in Z1, Z2; ZONE
 * has prices for T1, T2; " ("" when neither). */
static void did_you_mean(loader *L, const ss_pool *p, char *buf, size_t n)
{
    static const char *const sql[2] = {
        "SELECT DISTINCT zone FROM pools WHERE instance_type=?1 AND zone<>?2 AND EXISTS(SELECT 1"
        " FROM spot_prices sp WHERE sp.pool_id=pools.id) ORDER BY zone LIMIT 9",
        "SELECT DISTINCT instance_type FROM pools WHERE zone=?2 AND instance_type<>?1 AND EXISTS("
        "SELECT 1 FROM spot_prices sp WHERE sp.pool_id=pools.id) ORDER BY instance_type LIMIT 9"};
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *s;
        if (ss_store_prepare(L->st, sql[k], &s, NULL))
            return;
        sqlite3_bind_text(s, 1, p->instance_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, p->zone, -1, SQLITE_TRANSIENT);
        int i = 0;
        while (sqlite3_step(s) == SQLITE_ROW && len + 80 < n) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            if (i == 8) {
                len += (size_t)snprintf(buf + len, n - len, ", ...");
                break;
            }
            if (i == 0)
                len += (size_t)snprintf(buf + len, n - len, "%s has prices %s ",
                                        k ? p->zone : p->instance_type, k ? "for" : "in");
            else
                len += (size_t)snprintf(buf + len, n - len, ", ");
            len += (size_t)snprintf(buf + len, n - len, "%s", v ? v : "");
            i++;
        }
        if (i && len + 3 < n)
            len += (size_t)snprintf(buf + len, n - len, "; ");
        sqlite3_finalize(s);
    }
}

/* Spot prices of one pool: the stored span, or [start, end) of the scenario
 * plus the last record at or before start (the price in force at start). */
static int load_prices(loader *L, ss_pool *p)
{
    bool horizon = L->start != 0 || L->end != 0;
    sqlite3_stmt *s;
    if (prep(L,
             "WITH ids AS (" POOL_IDS_SQL
             "   AND EXISTS(SELECT 1 FROM spot_prices WHERE pool_id=pools.id)"
             "   ORDER BY product<>?4, id LIMIT 1)"
             " SELECT t_ms, usd_per_hour FROM spot_prices WHERE pool_id=(SELECT id FROM ids)"
             " AND t_ms >= COALESCE((SELECT MAX(t_ms) FROM spot_prices WHERE"
             "   pool_id=(SELECT id FROM ids) AND t_ms <= ?5), ?5) AND t_ms < ?6 ORDER BY t_ms",
             &s))
        return -1;
    bind_pool(s, L, p);
    sqlite3_bind_int64(s, 5, horizon ? L->start : INT64_MIN);
    sqlite3_bind_int64(s, 6, horizon ? L->end : INT64_MAX);
    ss_time *t = NULL;
    double *u = NULL;
    size_t n = 0, ct = 0, cu = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        SS_GROW(t, ct, n + 1);
        SS_GROW(u, cu, n + 1);
        t[n] = sqlite3_column_int64(s, 0);
        u[n] = sqlite3_column_double(s, 1);
        n++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(t);
        free(u);
        return ss_err_set(L->err, "%s: reading spot prices of %s in %s: %s", L->st->path,
                          p->instance_type, p->zone, sqlite3_errmsg(L->st->db));
    }
    if (n == 0) {
        char what[1024], near[600];
        describe_region(L, what, sizeof what);
        did_you_mean(L, p, near, sizeof near);
        return ss_err_set(L->err, "no spot price for %s in %s (%s)%s; %s%s", p->instance_type,
                          p->zone, L->product,
                          horizon ? " before the end of the scenario horizon" : "", near, what);
    }
    ss_price_series_set(&p->spot, t, u, n);
    free(t);
    free(u);
    return 0;
}

/* One row of up to two doubles from a query with text parameters ?1..?3
 * (binding a parameter the query lacks is a harmless SQLITE_RANGE); *found
 * is false when there is no row or the first column is NULL. */
static int query_double(loader *L, const char *sql, const char *a, const char *b, const char *c,
                        double *v1, double *v2, bool *found)
{
    sqlite3_stmt *s;
    if (prep(L, sql, &s))
        return -1;
    sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
    if (c)
        sqlite3_bind_text(s, 3, c, -1, SQLITE_TRANSIENT);
    *found = false;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *found = sqlite3_column_type(s, 0) != SQLITE_NULL;
        *v1 = sqlite3_column_double(s, 0);
        if (v2)
            *v2 = sqlite3_column_double(s, 1);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ss_err_set(L->err, "%s: %s", L->st->path, sqlite3_errmsg(L->st->db));
    return 0;
}

static int load_static(loader *L, ss_pool *p, const ss_instance_type *it)
{
    bool found = false;
    double a = 0.0, b = 0.0;
    /* the store's On-Demand price: load_ondemand, once the horizon is known */
    p->ondemand_usd_per_hour = it->ondemand_usd_per_hour > 0.0 ? it->ondemand_usd_per_hour : 0.0;
    p->vcpu = it->vcpu;
    p->memory_mib = it->memory_mib;
    if (!(p->vcpu > 0.0) || !(p->memory_mib > 0.0)) {
        if (query_double(L,
                         "SELECT vcpu, memory_mib FROM instance_specs WHERE instance_type=?2",
                         "", p->instance_type, NULL, &a, &b, &found))
            return -1;
        if (found) {
            if (!(p->vcpu > 0.0))
                p->vcpu = a;
            if (!(p->memory_mib > 0.0))
                p->memory_mib = b;
        }
    }
    found = false;
    for (int k = 0; k < 2 && !found; k++) {
        if (query_double(L,
                         "SELECT bucket, savings_pct FROM advisor WHERE region=?1 AND"
                         " instance_type=?2 AND os=?3 ORDER BY snapshot DESC LIMIT 1",
                         L->region, p->instance_type, L->os[k], &a, &b, &found))
            return -1;
        if (found) {
            p->advisor_bucket = (int)a;
            p->advisor_savings_pct = b;
        }
    }
    return 0;
}

/* The store's On-Demand price of a pool in effect at t: the latest dated
 * at or before t (an undated price counts as dated 0, in effect since
 * ever), else the earliest one (a table dated after t is the best there
 * is). os tried as the product, then its short name. */
static int load_ondemand(loader *L, ss_pool *p, ss_time t)
{
    sqlite3_stmt *s;
    if (prep(L,
             "SELECT usd_per_hour FROM ondemand_prices WHERE region=?1 AND instance_type=?2"
             " AND os=?3 ORDER BY effective_ms <= ?4 DESC,"
             " CASE WHEN effective_ms <= ?4 THEN -effective_ms ELSE effective_ms END LIMIT 1",
             &s))
        return -1;
    int rc = SQLITE_DONE;
    for (int k = 0; k < 2 && rc != SQLITE_ROW; k++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, L->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, p->instance_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, L->os[k], -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(s, 4, t);
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            p->ondemand_usd_per_hour = sqlite3_column_double(s, 0);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ss_err_set(L->err, "%s: %s", L->st->path, sqlite3_errmsg(L->st->db));
    if (rc != SQLITE_ROW)
        return 0;
    /* the whole dated series (same os as found), so that a run bills each
     * instant at the price in effect then */
    if (prep(L,
             "SELECT effective_ms, usd_per_hour FROM ondemand_prices WHERE region=?1 AND"
             " instance_type=?2 AND os=?3 ORDER BY effective_ms",
             &s))
        return -1;
    ss_time *et = NULL;
    double *u = NULL;
    size_t n = 0, ct = 0, cu = 0;
    for (int k = 0; k < 2 && n == 0; k++) {
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, L->region, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, p->instance_type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, L->os[k], -1, SQLITE_TRANSIENT);
        while (sqlite3_step(s) == SQLITE_ROW) {
            SS_GROW(et, ct, n + 1);
            SS_GROW(u, cu, n + 1);
            et[n] = sqlite3_column_int64(s, 0);
            u[n] = sqlite3_column_double(s, 1);
            n++;
        }
    }
    sqlite3_finalize(s);
    ss_price_series_set(&p->ondemand, et, u, n);
    free(et);
    free(u);
    return 0;
}

static int cmp_time(const void *a, const void *b)
{
    ss_time x = *(const ss_time *)a, y = *(const ss_time *)b;
    return (x > y) - (x < y);
}

/* Read a one- or two-column int64 query bound to the pool into arrays. */
static int read_times(loader *L, const ss_pool *p, const char *sql, ss_time **c0, ss_time **c1,
                      size_t *n)
{
    sqlite3_stmt *s;
    if (prep(L, sql, &s))
        return -1;
    bind_pool(s, L, p);
    size_t cap0 = 0, cap1 = 0;
    *n = 0;
    *c0 = NULL;
    if (c1)
        *c1 = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        SS_GROW(*c0, cap0, *n + 1);
        (*c0)[*n] = sqlite3_column_int64(s, 0);
        if (c1) {
            SS_GROW(*c1, cap1, *n + 1);
            (*c1)[*n] = sqlite3_column_type(s, 1) == SQLITE_NULL ? SS_TIME_NEVER
                                                                 : sqlite3_column_int64(s, 1);
        }
        (*n)++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        free(*c0);
        if (c1)
            free(*c1);
        return ss_err_set(L->err, "%s: reading the interruption log of %s in %s: %s",
                          L->st->path, p->instance_type, p->zone, sqlite3_errmsg(L->st->db));
    }
    return 0;
}

/* Exposure, bursts and the fitted stochastic parameters of one pool. */
static int load_log(loader *L, ss_pool *p)
{
    ss_time *launch, *end, *notice;
    size_t n_inst, n_notice;
    if (read_times(L, p,
                   "SELECT launch_ms, end_ms FROM instances WHERE lifecycle='spot' AND pool_id IN ("
                   POOL_IDS_SQL ") ORDER BY launch_ms",
                   &launch, &end, &n_inst))
        return -1;
    /* One notice per instance: its earliest warning (or flat interruption
     * record when no warning was imported). */
    if (read_times(L, p,
                   "SELECT MIN(t_ms) FROM interruptions WHERE kind IN"
                   " ('interruption-warning','interruption') AND pool_id IN (" POOL_IDS_SQL ")"
                   " GROUP BY instance_id ORDER BY 1",
                   &notice, NULL, &n_notice)) {
        free(launch);
        free(end);
        return -1;
    }
    /* Exposure (instance-hours) and observed pool-hours (time with >= 1
     * instance alive), open instances running until the end of the log. */
    double exposure = 0.0, observed = 0.0;
    ss_time cover_end = INT64_MIN;
    for (size_t i = 0; i < n_inst; i++) { /* launch ascending */
        ss_time e = end[i] == SS_TIME_NEVER ? L->log_end : end[i];
        if (e <= launch[i])
            continue;
        exposure += (double)(e - launch[i]);
        ss_time from = launch[i] > cover_end ? launch[i] : cover_end;
        if (e > from) {
            observed += (double)(e - from);
            cover_end = e;
        }
    }
    p->log_exposure_hours = exposure / (double)SS_HOUR;
    p->log_observed_hours = observed / (double)SS_HOUR;
    p->log_interruptions = (int)n_notice;
    p->has_log = exposure > 0.0;
    if (n_inst > 1)
        qsort(end, n_inst, sizeof *end, cmp_time);
    ss_time window = L->m->burst_window > 0 ? L->m->burst_window : 3 * SS_MINUTE;
    p->n_bursts = ss_interrupt_group_bursts(notice, n_notice, launch, end, n_inst, window,
                                            &p->bursts);
    free(launch);
    free(end);
    free(notice);
    if (p->has_log) {
        ss_interrupt_fit f;
        ss_interrupt_fit_log(p->bursts, p->n_bursts, p->log_exposure_hours,
                             p->log_observed_hours, &f);
        p->hazard_per_hour = f.hazard_per_hour;
        p->burst_rate_per_hour = f.burst_rate_per_hour;
        p->burst_beta_a = f.beta_a;
        p->burst_beta_b = f.beta_b;
        p->hazard_origin = SS_HAZARD_FITTED;
    } else if (p->advisor_bucket >= 0) {
        p->hazard_per_hour = ss_advisor_bucket_hazard(p->advisor_bucket);
        p->hazard_origin = SS_HAZARD_ADVISOR;
    }
    return 0;
}

/* Append change points, merging equal times (later wins) and equal values. */
static void append_points(ss_pool *p, size_t *cap1, size_t *cap2, const ss_time *t, const int *v,
                          size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p->n_cap > 0 && p->cap_t[p->n_cap - 1] == t[i])
            p->n_cap--;
        if (p->n_cap > 0 && p->cap_value[p->n_cap - 1] == v[i])
            continue;
        SS_GROW(p->cap_t, *cap1, p->n_cap + 1);
        SS_GROW(p->cap_value, *cap2, p->n_cap + 1);
        p->cap_t[p->n_cap] = t[i];
        p->cap_value[p->n_cap] = v[i];
        p->n_cap++;
    }
}

/* Capacity traces of the pool, in start order; a trace that starts before
 * the previous one ended is skipped (overlapping traces would contradict). */
static int load_traces(loader *L, ss_pool *p)
{
    sqlite3_stmt *s, *q;
    if (prep(L,
             "SELECT id, gap_ms, meaning FROM capacity_traces WHERE pool_id IN (" POOL_IDS_SQL ")"
             " ORDER BY start_ms, id",
             &s))
        return -1;
    if (prep(L, "SELECT t_ms, value FROM capacity_samples WHERE trace_id=?1 ORDER BY idx", &q)) {
        sqlite3_finalize(s);
        return -1;
    }
    bind_pool(s, L, p);
    size_t cap1 = 0, cap2 = 0, capc1 = 0, capc2 = 0;
    ss_time prev_end = INT64_MIN;
    int rc, ret = 0;
    while (ret == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(s, 0);
        ss_time gap = sqlite3_column_int64(s, 1);
        ss_trace_meaning meaning;
        if (ss_trace_meaning_parse((const char *)sqlite3_column_text(s, 2), &meaning)) {
            ret = ss_err_set(L->err, "%s: capacity trace %lld: unknown meaning '%s'",
                             L->st->path, (long long)id, sqlite3_column_text(s, 2));
            break;
        }
        ss_time *t = NULL;
        int *v = NULL;
        size_t n = 0, ct = 0, cv = 0;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        while (sqlite3_step(q) == SQLITE_ROW) {
            SS_GROW(t, ct, n + 1);
            SS_GROW(v, cv, n + 1);
            t[n] = sqlite3_column_int64(q, 0);
            v[n] = sqlite3_column_int(q, 1);
            n++;
        }
        if (n > 0 && t[0] >= prev_end) {
            ss_time *pt;
            int *pv;
            ss_time tend = t[n - 1] + gap;
            size_t k = ss_capacity_trace_points(meaning, t, v, n, tend, &pt, &pv);
            append_points(p, &cap1, &cap2, pt, pv, k);
            free(pt);
            free(pv);
            if (p->n_cov > 0 && p->cov_hi[p->n_cov - 1] == t[0]) {
                p->cov_hi[p->n_cov - 1] = tend; /* back to back: one covered span */
            } else {
                SS_GROW(p->cov_lo, capc1, p->n_cov + 1);
                SS_GROW(p->cov_hi, capc2, p->n_cov + 1);
                p->cov_lo[p->n_cov] = t[0];
                p->cov_hi[p->n_cov] = tend;
                p->n_cov++;
            }
            prev_end = tend;
            p->has_trace = true;
        }
        free(t);
        free(v);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    return ret;
}

/* A constant Spot price (market.instance_types[].spot_price): one step from
 * the horizon start, or from the pool's first capacity-trace point when the
 * horizon is the data's span; the pool's span then ends where its trace does. */
static int constant_price(loader *L, ss_pool *p, double usd, ss_time *span_end)
{
    ss_time t0;
    if (L->start != 0)
        t0 = L->start;
    else if (p->has_trace && p->n_cap > 0)
        t0 = p->cap_t[0];
    else
        return ss_err_set(L->err, "%s in %s: a constant spot_price needs horizon.start or a capacity "
                          "trace of the pool (to know when the data begins)", p->instance_type, p->zone);
    ss_price_series_set(&p->spot, &t0, &usd, 1);
    *span_end = p->has_trace && p->n_cap > 0 ? p->cap_t[p->n_cap - 1] : t0;
    return 0;
}

static int load_provenance(loader *L)
{
    sqlite3_stmt *s;
    if (prep(L, "SELECT file_name, sha256, format, rows FROM provenance ORDER BY id", &s))
        return -1;
    json_t *arr = json_array();
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_string((const char *)sqlite3_column_text(s, 0)));
        json_object_set_new(o, "sha256", json_string((const char *)sqlite3_column_text(s, 1)));
        json_object_set_new(o, "format", json_string((const char *)sqlite3_column_text(s, 2)));
        json_object_set_new(o, "rows", json_integer(sqlite3_column_int64(s, 3)));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(s);
    char *txt = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (!txt)
        return ss_err_set(L->err, "provenance: cannot encode JSON");
    L->d->provenance_json = ss_strdup(txt);
    free(txt);
    return 0;
}

static int load_log_end(loader *L)
{
    bool found;
    double v;
    if (query_double(L,
                     "SELECT MAX(x) FROM (SELECT MAX(launch_ms) x FROM instances"
                     " UNION ALL SELECT MAX(end_ms) FROM instances"
                     " UNION ALL SELECT MAX(t_ms) FROM interruption_events)",
                     "", "", NULL, &v, NULL, &found))
        return -1;
    L->log_end = found ? (ss_time)v : 0;
    return 0;
}

int ss_data_load(ss_store *st, const ss_market *m, ss_time start, ss_time end, ss_data **out,
                 ss_err *err)
{
    *out = NULL;
    if (m->n_types <= 0 || m->n_zones <= 0)
        return ss_err_set(err, "market: the scenario lists %d instance types and %d zones; "
                               "both must be at least 1",
                          m->n_types, m->n_zones);
    loader L = {.st = st, .m = m, .start = start, .end = end, .err = err};
    /* market.region empty: each zone's own region (a scenario may span
     * regions, e.g. us-east-1f, us-east-2a and us-west-2c). */
    if (m->region[0])
        snprintf(L.region, sizeof L.region, "%s", m->region);
    for (int zi = 0; zi < m->n_zones && !m->region[0]; zi++)
        if (ss_region_of_zone(m->zones[zi], L.region, sizeof L.region))
            return ss_err_set(err, "market.region is empty and zone '%s' names no region",
                              m->zones[zi]);
    if (ss_import_product(m->product, L.product, sizeof L.product))
        return ss_err_set(err, "market.product: '%s' is not a product description", m->product);
    snprintf(L.os[0], sizeof L.os[0], "%s", L.product);
    snprintf(L.os[1], sizeof L.os[1], "%s", product_os(L.product));
    ss_data *d = L.d = ss_data_new(m->n_types, m->n_zones);
    if (load_log_end(&L))
        goto fail;
    d->span_start = INT64_MIN;
    d->span_end = INT64_MIN;
    /* the pools that decide the default horizon (named in errors) */
    const ss_pool *p_start = NULL, *p_trace_start = NULL, *p_trace_end = NULL;
    ss_time trace_start = INT64_MIN, trace_end = INT64_MAX;
    bool traces = m->interruptions == SS_INTERRUPT_TRACE;
    for (int ti = 0; ti < m->n_types; ti++)
        for (int zi = 0; zi < m->n_zones; zi++) {
            ss_pool *p = &d->pools[ti * m->n_zones + zi];
            snprintf(p->instance_type, sizeof p->instance_type, "%s", m->types[ti].name);
            snprintf(p->zone, sizeof p->zone, "%s", m->zones[zi]);
            if (m->region[0])
                snprintf(L.region, sizeof L.region, "%s", m->region);
            else
                ss_region_of_zone(m->zones[zi], L.region, sizeof L.region); /* checked above */
            ss_time last = INT64_MIN;
            if (m->types[ti].spot_usd_per_hour > 0) {
                if (load_static(&L, p, &m->types[ti]) || load_log(&L, p) || load_traces(&L, p) ||
                    constant_price(&L, p, m->types[ti].spot_usd_per_hour, &last))
                    goto fail;
            } else {
                if (load_prices(&L, p) || load_static(&L, p, &m->types[ti]) || load_log(&L, p) ||
                    load_traces(&L, p))
                    goto fail;
                last = p->spot.t[p->spot.n - 1];
            }
            if (p->spot.t[0] > d->span_start) {
                d->span_start = p->spot.t[0];
                p_start = p;
            }
            if (last > d->span_end)
                d->span_end = last;
            if (traces && p->n_cov > 0) {
                if (p->cov_lo[0] > trace_start) {
                    trace_start = p->cov_lo[0];
                    p_trace_start = p;
                }
                if (p->cov_hi[p->n_cov - 1] < trace_end) {
                    trace_end = p->cov_hi[p->n_cov - 1];
                    p_trace_end = p;
                }
            }
        }
    if (p_trace_end) {
        if (trace_start > d->span_start)
            d->span_start = trace_start;
        d->span_end = trace_end;
    }
    if (end != 0)
        d->span_end = end;
    if (d->span_end <= d->span_start) {
        char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
        bool by_trace = p_trace_start && trace_start >= d->span_start;
        const ss_pool *ps = by_trace ? p_trace_start : p_start;
        char from[200];
        snprintf(from, sizeof from, "%s of %s in %s start%s at %s",
                 by_trace ? "the capacity trace" : "the spot prices", ps->instance_type, ps->zone,
                 by_trace ? "s" : "", ss_time_format(d->span_start, a));
        if (p_trace_end)
            snprintf(d->span_why, sizeof d->span_why,
                     "no horizon is covered by all the market data: %s, but the capacity trace"
                     " of %s in %s ends at %s; set `horizon` (or --from/--to) and `market."
                     "uncovered: fill` to run outside the data",
                     from, p_trace_end->instance_type, p_trace_end->zone,
                     ss_time_format(trace_end, b));
        else
            snprintf(d->span_why, sizeof d->span_why,
                     "no horizon is covered by all the market data: %s, which is also the last"
                     " price record of any pool; set `horizon` (or --from/--to)",
                     from);
    }
    if (d->span_end < d->span_start)
        d->span_end = d->span_start;
    /* On-Demand prices in effect at the horizon start (docs/market.md §3) */
    ss_time od_at = start != 0 || end != 0 ? start : d->span_start;
    for (int i = 0; i < m->n_types * m->n_zones; i++) {
        if (d->pools[i].ondemand_usd_per_hour > 0.0)
            continue;
        if (m->region[0]) /* the pool's region (the zones may span regions) */
            snprintf(L.region, sizeof L.region, "%s", m->region);
        else
            ss_region_of_zone(m->zones[i % m->n_zones], L.region, sizeof L.region);
        if (load_ondemand(&L, &d->pools[i], od_at))
            goto fail;
    }
    if (load_provenance(&L))
        goto fail;
    *out = d;
    return 0;
fail:
    ss_data_free(d);
    return -1;
}
