/*
 * report_market.c - the market charts of `spotsim report`, drawn from the
 * imported data alone: Spot price histories per pool with the On-Demand
 * price, the interruption heatmap (pools x ISO weeks), weekly interruptions
 * per zone and per instance type, and Kaplan-Meier lifetime curves.
 *
 * Interrupted instances are counted once per (pool, instance) at their first
 * notice or interruption record, so a log holding both the two-minute warning
 * and the interruption of one instance does not count it twice. Events with
 * no known pool (neither in the event nor in the inventory) are left out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/report/report.h"

#define MAX_PRICE_TYPES 4
#define MAX_PRICE_TYPES_STATS 6
#define MAX_ZONES_PER_CHART 8
#define MAX_HEAT_POOLS 25
#define MAX_SERIES 8
#define MAX_KM_POOLS 6
#define MIN_KM_INSTANCES 5

static void add_chart(ss_report_charts *c, const char *name, const char *heading,
                      const char *caption)
{
    SS_GROW(c->items, c->cap, c->n + 1);
    ss_report_chart *ch = &c->items[c->n++];
    snprintf(ch->name, sizeof ch->name, "%s", name);
    snprintf(ch->heading, sizeof ch->heading, "%s", heading);
    snprintf(ch->caption, sizeof ch->caption, "%s", caption);
}

void ss_report_charts_add(ss_report_charts *c, const char *name, const char *heading,
                          const char *caption)
{
    add_chart(c, name, heading, caption);
}

static const char *region_sql(const char *region)
{
    return region && *region ? region : NULL;
}

int ss_report_pick_region(ss_store *st, const char *scenario_yaml, char *out, size_t n,
                          ss_err *err)
{
    out[0] = '\0';
    if (scenario_yaml && (ss_report_yaml_scalar(scenario_yaml, "market.region", out, n) == 0 ||
                          ss_report_yaml_scalar(scenario_yaml, "region", out, n) == 0))
        return 0;
    /* no scenario region: the region with the most price records */
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT p.region FROM spot_prices s JOIN pools p ON p.id = s.pool_id"
                         " GROUP BY p.region ORDER BY COUNT(*) DESC, p.region LIMIT 1",
                         &s, err))
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return 0;
}

/* ---- Prices ----------------------------------------------------------------- */

static int price_chart(ss_store *st, ss_report_gp *g, ss_report_charts *charts, const char *region,
                       const char *type, const char *zones, int k, ss_err *err)
{
    sqlite3_stmt *s, *q;
    if (ss_store_prepare(st,
                         "SELECT p.id, p.zone, p.region, p.product FROM pools p WHERE p.instance_type = ?1"
                         " AND (?2 IS NULL OR p.region = ?2)"
                         " AND (?3 IS NULL OR instr(?3, ',' || p.zone || ',') > 0)"
                         " AND EXISTS(SELECT 1 FROM spot_prices s WHERE s.pool_id = p.id)"
                         " ORDER BY p.region, p.zone, p.product LIMIT " SS_STR(MAX_ZONES_PER_CHART),
                         &s, err))
        return -1;
    if (ss_store_prepare(st,
                         "SELECT t_ms, usd_per_hour FROM spot_prices WHERE pool_id = ? ORDER BY t_ms",
                         &q, err)) {
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region_sql(region), -1, SQLITE_STATIC);
    if (zones && *zones)
        sqlite3_bind_text(s, 3, zones, -1, SQLITE_STATIC);
    char chart[64], dname[80];
    snprintf(chart, sizeof chart, "prices_%d", k);
    snprintf(dname, sizeof dname, "%s.tsv", chart);
    FILE *f = ss_report_data_open(g, dname, err);
    if (!f) {
        sqlite3_finalize(s);
        sqlite3_finalize(q);
        return -1;
    }
    ss_report_params p = {0};
    int n_series = 0;
    double tmin = INFINITY, tmax = -INFINITY, ymax = 0, mean_sum = 0;
    char first_region[64] = "";
    int multi_region = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *zone = (const char *)sqlite3_column_text(s, 1);
        const char *preg = (const char *)sqlite3_column_text(s, 2);
        const char *product = (const char *)sqlite3_column_text(s, 3);
        if (!first_region[0])
            snprintf(first_region, sizeof first_region, "%s", preg);
        else if (strcmp(first_region, preg))
            multi_region = 1;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, sqlite3_column_int64(s, 0));
        if (n_series)
            fputs("\n\n", f);
        fprintf(f, "# %s %s %s\n", zone, type, product);
        double prev_t = NAN, prev_v = NAN, integral = 0, t0 = NAN;
        while (sqlite3_step(q) == SQLITE_ROW) {
            double t = (double)(sqlite3_column_int64(q, 0) / 1000);
            double v = sqlite3_column_double(q, 1);
            if (!isnan(prev_t)) {
                fprintf(f, "%.0f\t%.6g\n", t, prev_v); /* the step: old price until now */
                integral += prev_v * (t - prev_t);
            } else {
                t0 = t;
            }
            fprintf(f, "%.0f\t%.6g\n", t, v);
            prev_t = t;
            prev_v = v;
            if (t < tmin)
                tmin = t;
            if (t > tmax)
                tmax = t;
            if (v > ymax)
                ymax = v;
        }
        /* time-weighted mean over the pool's covered span (one record: its price) */
        mean_sum += prev_t > t0 ? integral / (prev_t - t0) : prev_v;
        char key[64], title[160];
        snprintf(key, sizeof key, "series_title_%d", n_series);
        if (strncmp(product, "Linux/UNIX", 10) != 0)
            snprintf(title, sizeof title, "%s (%s)", zone, product);
        else
            snprintf(title, sizeof title, "%s", zone);
        ss_report_param_str(&p, key, title);
        n_series++;
    }
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    if (ss_report_data_close(f, dname, err)) {
        ss_report_params_free(&p);
        return -1;
    }
    /* On-Demand price of the type in the region (Linux first) */
    double od = NAN;
    if (!multi_region &&
        ss_store_prepare(st,
                         "SELECT usd_per_hour FROM ondemand_prices WHERE region = ? AND instance_type = ?"
                         " ORDER BY (os = 'Linux') DESC, (os LIKE 'Linux%') DESC, os LIMIT 1",
                         &q, err) == 0) {
        sqlite3_bind_text(q, 1, first_region, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            od = sqlite3_column_double(q, 0);
        sqlite3_finalize(q);
    }
    double spot_mean = n_series ? mean_sum / n_series : NAN;
    char title[512], caption[512];
    const char *where = multi_region ? "several regions" : first_region;
    if (od > 0 && spot_mean > 0)
        snprintf(title, sizeof title,
                 "Spot price of %s in %s: on average %.1fx cheaper than On-Demand ($%.4f/h)", type,
                 where, od / spot_mean, od);
    else
        snprintf(title, sizeof title, "Spot price of %s in %s (no On-Demand price imported)", type,
                 where);
    ss_report_param_str(&p, "title", title);
    {
        char df[96];
        snprintf(df, sizeof df, "data/%s", dname);
        ss_report_param_str(&p, "datafile", df);
    }
    ss_report_param_num(&p, "n_series", n_series);
    ss_report_param_num(&p, "has_od", od > 0);
    ss_report_param_num(&p, "od_price", od > 0 ? od : 0);
    ss_report_param_str(&p, "od_title", "On-Demand price");
    if (tmax <= tmin)
        tmax = tmin + 86400;
    ss_report_param_num(&p, "tmin", tmin);
    ss_report_param_num(&p, "tmax", tmax);
    ss_report_param_num(&p, "span_days", (tmax - tmin) / 86400);
    /* one spike (2016 us-east-1c reached 10x On-Demand) must not flatten the
     * chart: the axis stops at 1.5x the On-Demand price, and the caption says so */
    int clipped = od > 0 && ymax > 1.5 * od;
    ss_report_param_num(&p, "ymax", clipped ? 1.5 * od : fmax(ymax, od > 0 ? od : 0) * 1.12);
    int rc = ss_report_plot(g, "prices.gp", chart, &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    if (od > 0 && spot_mean > 0)
        snprintf(caption, sizeof caption,
                 "Spot price history of %s per zone (%d pools). Dashed red: On-Demand $%.4f/h;"
                 " time-weighted Spot mean $%.4f/h (%.1fx cheaper).",
                 type, n_series, od, spot_mean, od / spot_mean);
    else
        snprintf(caption, sizeof caption, "Spot price history of %s per zone (%d pools).", type,
                 n_series);
    if (clipped) {
        size_t cl = strlen(caption);
        snprintf(caption + cl, sizeof caption - cl,
                 " The axis stops at 1.5x On-Demand; the highest Spot price was $%.4f/h.", ymax);
    }
    char heading[128];
    snprintf(heading, sizeof heading, "Spot prices: %s", type);
    add_chart(charts, chart, heading, caption);
    return 0;
}

int ss_report_price_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                           const char *region, int stats_mode, const char *types, const char *zones,
                           ss_err *err)
{
    /* only the pools the scenario uses, when it names them (types, zones
     * as ",a,b,") */
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT p.instance_type FROM spot_prices s JOIN pools p ON p.id = s.pool_id"
                         " WHERE (?1 IS NULL OR p.region = ?1)"
                         " AND (?3 IS NULL OR instr(?3, ',' || p.instance_type || ',') > 0)"
                         " AND (?4 IS NULL OR instr(?4, ',' || p.zone || ',') > 0)"
                         " GROUP BY p.instance_type ORDER BY COUNT(*) DESC, p.instance_type LIMIT ?2",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, region_sql(region), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, stats_mode ? MAX_PRICE_TYPES_STATS : MAX_PRICE_TYPES);
    if (types && *types)
        sqlite3_bind_text(s, 3, types, -1, SQLITE_STATIC);
    if (zones && *zones)
        sqlite3_bind_text(s, 4, zones, -1, SQLITE_STATIC);
    char tlist[MAX_PRICE_TYPES_STATS][64];
    int n = 0;
    while (n < MAX_PRICE_TYPES_STATS && sqlite3_step(s) == SQLITE_ROW)
        snprintf(tlist[n++], sizeof tlist[0], "%s", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    for (int k = 0; k < n; k++)
        if (price_chart(st, g, charts, region, tlist[k], zones, k, err))
            return -1;
    return 0;
}

/* ---- Interruptions ------------------------------------------------------------ */

typedef struct {
    int64_t pool;
    char label[128], zone[64], type[64];
    int64_t week; /* Monday 00:00 UTC, ms */
} hit;

typedef struct {
    char key[128];
    int64_t total;
    int64_t *per_week;
} group;

static int group_index(group **gs, size_t *n, size_t *cap, const char *key, size_t n_weeks)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*gs)[i].key, key))
            return (int)i;
    SS_GROW(*gs, *cap, *n + 1);
    group *gr = &(*gs)[(*n)++];
    snprintf(gr->key, sizeof gr->key, "%s", key);
    gr->total = 0;
    gr->per_week = ss_calloc(n_weeks ? n_weeks : 1, sizeof(int64_t));
    return (int)(*n - 1);
}

static int group_by_total(const void *a, const void *b)
{
    const group *p = a, *q = b;
    if (p->total != q->total)
        return p->total > q->total ? -1 : 1;
    return strcmp(p->key, q->key);
}

static int group_by_key(const void *a, const void *b)
{
    return strcmp(((const group *)a)->key, ((const group *)b)->key);
}

static void groups_free(group *gs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(gs[i].per_week);
    free(gs);
}

/* Group hits by key (0 pool label, 1 zone, 2 type) over the week grid. */
static group *make_groups(const hit *h, size_t nh, int by, int64_t w0, size_t n_weeks, size_t *ng)
{
    group *gs = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nh; i++) {
        const char *key = by == 0 ? h[i].label : by == 1 ? h[i].zone : h[i].type;
        int gi = group_index(&gs, &n, &cap, key, n_weeks);
        size_t w = (size_t)((h[i].week - w0) / (7 * 86400000LL));
        gs[gi].per_week[w]++;
        gs[gi].total++;
    }
    if (n)
        qsort(gs, n, sizeof *gs, group_by_total);
    *ng = n;
    return gs;
}

static int weekly_chart(ss_report_gp *g, ss_report_charts *charts, const char *chart,
                        const char *what, group *gs, size_t ng, int64_t w0, size_t n_weeks,
                        const char *region, ss_err *err)
{
    size_t ns = ng < MAX_SERIES ? ng : MAX_SERIES;
    char dname[96];
    snprintf(dname, sizeof dname, "%s.tsv", chart);
    FILE *f = ss_report_data_open(g, dname, err);
    if (!f)
        return -1;
    ss_report_params p = {0};
    int64_t ymax = 1;
    for (size_t k = 0; k < ns; k++) {
        if (k)
            fputs("\n\n", f);
        fprintf(f, "# %s\n", gs[k].key);
        for (size_t w = 0; w < n_weeks; w++) {
            fprintf(f, "%lld\t%lld\n", (long long)((w0 + (int64_t)w * 7 * 86400000LL) / 1000),
                    (long long)gs[k].per_week[w]);
            if (gs[k].per_week[w] > ymax)
                ymax = gs[k].per_week[w];
        }
        char key[64], title[192];
        snprintf(key, sizeof key, "series_title_%zu", k);
        snprintf(title, sizeof title, "%s (%lld)", gs[k].key, (long long)gs[k].total);
        ss_report_param_str(&p, key, title);
    }
    if (ss_report_data_close(f, dname, err)) {
        ss_report_params_free(&p);
        return -1;
    }
    char title[256], df[128];
    snprintf(title, sizeof title, "Spot interruptions per week and %s (%s)", what,
             region && *region ? region : "all regions");
    snprintf(df, sizeof df, "data/%s", dname);
    ss_report_param_str(&p, "title", title);
    ss_report_param_str(&p, "datafile", df);
    ss_report_param_num(&p, "n_series", (double)ns);
    double tmin = (double)(w0 / 1000) - 86400 * 2;
    double tmax = (double)((w0 + (int64_t)(n_weeks - 1) * 7 * 86400000LL) / 1000) + 86400 * 2;
    ss_report_param_num(&p, "tmin", tmin);
    ss_report_param_num(&p, "tmax", tmax);
    ss_report_param_num(&p, "ymax", (double)ymax * 1.15 + 0.5);
    int rc = ss_report_plot(g, "weekly.gp", chart, &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    char heading[128], caption[512];
    snprintf(heading, sizeof heading, "Interruptions per %s over time", what);
    snprintf(caption, sizeof caption,
             "Interrupted Spot instances per ISO week and %s (the %zu most affected; total in the"
             " legend).",
             what, ns);
    add_chart(charts, chart, heading, caption);
    return 0;
}

static int heatmap_chart(ss_report_gp *g, ss_report_charts *charts, group *gs, size_t ng,
                         int64_t w0, size_t n_weeks, const char *region, ss_err *err)
{
    size_t np = ng < MAX_HEAT_POOLS ? ng : MAX_HEAT_POOLS;
    /* the most interrupted pools, shown in name order (zone, type) */
    qsort(gs, np, sizeof *gs, group_by_key);
    FILE *f = ss_report_data_open(g, "heatmap.tsv", err);
    if (!f)
        return -1;
    ss_report_params p = {0};
    int64_t zmax = 1;
    fputs("# week_index\tpool_index\tinterrupted_instances\n", f);
    for (size_t w = 0; w < n_weeks; w++) {
        for (size_t k = 0; k < np; k++) {
            fprintf(f, "%zu\t%zu\t%lld\n", w, k, (long long)gs[k].per_week[w]);
            if (gs[k].per_week[w] > zmax)
                zmax = gs[k].per_week[w];
        }
        fputs("\n", f);
    }
    for (size_t k = 0; k < np; k++) {
        char key[64];
        snprintf(key, sizeof key, "pool_label_%zu", k);
        ss_report_param_label(&p, key, gs[k].key);
    }
    for (size_t w = 0; w < n_weeks; w++) {
        char key[64], lab[32];
        int y, wk;
        ss_report_iso_week(w0 + (int64_t)w * 7 * 86400000LL, &y, &wk);
        snprintf(key, sizeof key, "week_label_%zu", w);
        snprintf(lab, sizeof lab, "%d-W%02d", y, wk);
        ss_report_param_label(&p, key, lab);
    }
    if (ss_report_data_close(f, "heatmap.tsv", err)) {
        ss_report_params_free(&p);
        return -1;
    }
    char title[256];
    snprintf(title, sizeof title, "Interrupted Spot instances per pool and ISO week (%s)",
             region && *region ? region : "all regions");
    ss_report_param_str(&p, "title", title);
    ss_report_param_num(&p, "n_pools", (double)np);
    ss_report_param_num(&p, "n_weeks", (double)n_weeks);
    ss_report_param_num(&p, "week_step", (double)(n_weeks > 26 ? (n_weeks + 25) / 26 : 1));
    ss_report_param_num(&p, "zmax", (double)zmax);
    int rc = ss_report_plot(g, "heatmap.gp", "heatmap", &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    char caption[512];
    snprintf(caption, sizeof caption,
             "Each cell counts the Spot instances of a pool (zone, instance type) interrupted in"
             " that week; darker is worse. These are the interruption records imported for %s"
             " (%zu pool%s shown, at most the 25 most interrupted): evidence about those pools,"
             " which a simulation uses only where it runs in them.",
             region && *region ? region : "all regions", np, np == 1 ? "" : "s");
    add_chart(charts, "heatmap", "Interruption heatmap", caption);
    return 0;
}

int ss_report_interruption_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                                  const char *region, int stats_mode, const char *types, const char *zones,
                                  ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT i.pool_id, p.zone, p.instance_type, i.instance_id, MIN(i.t_ms)"
                         " FROM interruptions i JOIN pools p ON p.id = i.pool_id"
                         " WHERE i.kind IN ('interruption', 'interruption-warning')"
                         " AND (?1 IS NULL OR p.region = ?1)"
                         " AND (?2 IS NULL OR instr(?2, ',' || p.instance_type || ',') > 0)"
                         " AND (?3 IS NULL OR instr(?3, ',' || p.zone || ',') > 0)"
                         " GROUP BY i.pool_id, i.instance_id ORDER BY i.pool_id, i.instance_id",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, region_sql(region), -1, SQLITE_STATIC);
    if (types && *types)
        sqlite3_bind_text(s, 2, types, -1, SQLITE_STATIC);
    if (zones && *zones)
        sqlite3_bind_text(s, 3, zones, -1, SQLITE_STATIC);
    hit *h = NULL;
    size_t nh = 0, cap = 0;
    int64_t wmin = INT64_MAX, wmax = INT64_MIN;
    while (sqlite3_step(s) == SQLITE_ROW) {
        SS_GROW(h, cap, nh + 1);
        hit *x = &h[nh++];
        x->pool = sqlite3_column_int64(s, 0);
        snprintf(x->zone, sizeof x->zone, "%s", (const char *)sqlite3_column_text(s, 1));
        snprintf(x->type, sizeof x->type, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(x->label, sizeof x->label, "%s %s", x->zone, x->type);
        x->week = ss_report_week_start(sqlite3_column_int64(s, 4));
        if (x->week < wmin)
            wmin = x->week;
        if (x->week > wmax)
            wmax = x->week;
    }
    sqlite3_finalize(s);
    int rc = 0;
    if (nh) {
        size_t n_weeks = (size_t)((wmax - wmin) / (7 * 86400000LL)) + 1;
        size_t ng;
        group *gs = make_groups(h, nh, 0, wmin, n_weeks, &ng);
        rc = heatmap_chart(g, charts, gs, ng, wmin, n_weeks, region, err);
        groups_free(gs, ng);
        if (!rc && stats_mode) {
            gs = make_groups(h, nh, 1, wmin, n_weeks, &ng);
            rc = weekly_chart(g, charts, "weekly_zone", "zone", gs, ng, wmin, n_weeks, region, err);
            groups_free(gs, ng);
        }
        if (!rc && stats_mode) {
            gs = make_groups(h, nh, 2, wmin, n_weeks, &ng);
            rc = weekly_chart(g, charts, "weekly_type", "instance type", gs, ng, wmin, n_weeks,
                              region, err);
            groups_free(gs, ng);
        }
    }
    free(h);
    return rc;
}

/* ---- Survival ------------------------------------------------------------------- */

int ss_report_survival_chart(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                             const char *region, const char *types, const char *zones, ss_err *err)
{
    /* The data's end: instances still running then are censored there. */
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "SELECT MAX(COALESCE(end_ms, launch_ms)) FROM instances", &s, err))
        return -1;
    int64_t t_end = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    if (ss_store_prepare(st,
                         "SELECT i.pool_id, p.zone, p.instance_type, COUNT(*) FROM instances i"
                         " JOIN pools p ON p.id = i.pool_id WHERE i.lifecycle = 'spot'"
                         " AND (?1 IS NULL OR p.region = ?1)"
                         " AND (?2 IS NULL OR instr(?2, ',' || p.instance_type || ',') > 0)"
                         " AND (?3 IS NULL OR instr(?3, ',' || p.zone || ',') > 0) GROUP BY i.pool_id"
                         " HAVING COUNT(*) >= " SS_STR(MIN_KM_INSTANCES)
                         " ORDER BY COUNT(*) DESC, p.zone, p.instance_type LIMIT " SS_STR(MAX_KM_POOLS),
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, region_sql(region), -1, SQLITE_STATIC);
    if (types && *types)
        sqlite3_bind_text(s, 2, types, -1, SQLITE_STATIC);
    if (zones && *zones)
        sqlite3_bind_text(s, 3, zones, -1, SQLITE_STATIC);
    sqlite3_stmt *q;
    if (ss_store_prepare(st,
                         "SELECT i.launch_ms, i.end_ms, (i.end_reason LIKE '%interrupt%') OR EXISTS("
                         "SELECT 1 FROM interruption_events e WHERE e.instance_id = i.instance_id"
                         " AND e.kind IN ('interruption', 'interruption-warning'))"
                         " FROM instances i WHERE i.pool_id = ? AND i.lifecycle = 'spot'"
                         " ORDER BY i.instance_id",
                         &q, err)) {
        sqlite3_finalize(s);
        return -1;
    }
    FILE *f = NULL;
    ss_report_params p = {0};
    int n_series = 0, rc = 0;
    double xmax = 1;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (!f && !(f = ss_report_data_open(g, "survival.tsv", err))) {
            rc = -1;
            break;
        }
        int64_t pool = sqlite3_column_int64(s, 0);
        size_t cnt = (size_t)sqlite3_column_int64(s, 3);
        double *d = ss_malloc(cnt * sizeof *d), *t = ss_malloc((cnt + 1) * sizeof *t),
               *sv = ss_malloc((cnt + 1) * sizeof *sv);
        int *ev = ss_malloc(cnt * sizeof *ev);
        size_t n = 0, events = 0;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, pool);
        while (n < cnt && sqlite3_step(q) == SQLITE_ROW) {
            int64_t l = sqlite3_column_int64(q, 0);
            int open = sqlite3_column_type(q, 1) == SQLITE_NULL;
            int64_t e = open ? t_end : sqlite3_column_int64(q, 1);
            d[n] = (double)(e - l) / 3600000.0;
            if (d[n] < 0)
                d[n] = 0;
            ev[n] = !open && sqlite3_column_int(q, 2);
            events += (size_t)ev[n];
            if (d[n] > xmax)
                xmax = d[n];
            n++;
        }
        size_t k = ss_report_kaplan_meier(d, ev, n, t, sv);
        if (n_series)
            fputs("\n\n", f);
        fprintf(f, "# %s %s\n", (const char *)sqlite3_column_text(s, 1),
                (const char *)sqlite3_column_text(s, 2));
        for (size_t i = 0; i < k; i++)
            fprintf(f, "%.6g\t%.6g\n", t[i], sv[i]);
        /* carry the last level to the longest observation */
        double longest = 0;
        for (size_t i = 0; i < n; i++)
            longest = fmax(longest, d[i]);
        fprintf(f, "%.6g\t%.6g\n", longest, sv[k - 1]);
        char key[64], title[192];
        snprintf(key, sizeof key, "series_title_%d", n_series);
        snprintf(title, sizeof title, "%s %s (%zu instances, %zu interrupted)",
                 (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
                 n, events);
        ss_report_param_str(&p, key, title);
        n_series++;
        free(d);
        free(t);
        free(sv);
        free(ev);
    }
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    if (f && ss_report_data_close(f, "survival.tsv", err))
        rc = -1;
    if (!rc && n_series) {
        ss_report_param_str(&p, "title",
                            "Spot instance lifetimes (Kaplan-Meier): share still running after t");
        ss_report_param_num(&p, "n_series", n_series);
        ss_report_param_num(&p, "xmax", xmax * 1.02);
        rc = ss_report_plot(g, "survival.gp", "survival", &p, err);
        if (!rc)
            add_chart(charts, "survival", "Instance lifetimes",
                      "Kaplan-Meier estimate of the share of Spot instances not yet interrupted"
                      " after t hours, per pool (instances still running at the end of the data,"
                      " or ended otherwise, are censored).");
    }
    ss_report_params_free(&p);
    return rc;
}

void ss_report_charts_free(ss_report_charts *c)
{
    free(c->items);
    memset(c, 0, sizeof *c);
}
