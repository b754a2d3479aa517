/*
 * stats.c - `spotsim stats` computations as library functions: rows per pool
 * or group of pools, and seasonality buckets (ISO week, hour of day UTC).
 *
 * The raw data are loaded once (stats_load.c); a row is the reduction of the
 * pools of its group through the accumulators of stats_price.c,
 * stats_interrupt.c and stats_trace.c, so a group's numbers are computed from
 * the pooled raw data (a zone's median is the median of all its records, its
 * survival curve the KM of all its instances), never averaged from rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats_internal.h"

static const char *const by_names[] = {"pool", "zone", "type", "all", "week", "hour"};

int ss_stats_by_parse(const char *s, ss_stats_by *out)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(by_names); i++)
        if (!strcmp(s, by_names[i])) {
            *out = (ss_stats_by)i;
            return 0;
        }
    return -1;
}

const char *ss_stats_by_name(ss_stats_by by)
{
    return (size_t)by < SS_ARRAY_LEN(by_names) ? by_names[by] : "?";
}

void ssx_acc_init(ssx_acc *a)
{
    memset(a, 0, sizeof *a);
    a->od_last = NAN;
}

void ssx_acc_free(ssx_acc *a)
{
    free(a->recs);
    free(a->life);
    free(a->life_event);
    memset(a, 0, sizeof *a);
}

static void accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a)
{
    ssx_price_accumulate(d, p, a);
    ssx_interrupt_accumulate(d, p, a);
    ssx_trace_accumulate(d, p, a);
}

static bool acc_has_data(const ssx_acc *a)
{
    return a->n_recs > 0 || a->covered_ms > 0 || a->instances > 0 || a->interruptions > 0 ||
           a->rebalances > 0 || a->trace_ms > 0;
}

static bool pool_has_data(const ssx_data *d, const ssx_pool *p)
{
    ssx_acc a;
    ssx_acc_init(&a);
    accumulate(d, p, &a);
    bool yes = acc_has_data(&a);
    ssx_acc_free(&a);
    return yes;
}

typedef struct keyed {
    char key[160];
    const ssx_pool *p;
} keyed;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->p->id < b->p->id ? -1 : a->p->id > b->p->id;
}

static void make_key(const ssx_pool *p, ss_stats_by by, char *key, size_t n)
{
    switch (by) {
    case SS_BY_ZONE:
        snprintf(key, n, "%s", p->zone);
        break;
    case SS_BY_TYPE:
        snprintf(key, n, "%s", p->type);
        break;
    case SS_BY_ALL:
        snprintf(key, n, "TOTAL");
        break;
    default:
        snprintf(key, n, "%s %s", p->type, p->zone);
        break;
    }
}

/* dst = src for the first pool of a group, "*" once two pools differ. */
static void merge_text(char *dst, size_t n, const char *src, bool first)
{
    if (first)
        snprintf(dst, n, "%s", src);
    else if (strcmp(dst, src))
        snprintf(dst, n, "*");
}

static void fill_row(const ssx_data *d, const keyed *k, size_t m, ss_stats_row *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", k[0].key);
    r->from_ms = d->from_eff;
    r->to_ms = d->to_eff;
    r->n_pools = (int)m;
    r->advisor_bucket = -1;
    r->advisor_savings_pct = -1;
    ssx_acc a;
    ssx_acc_init(&a);
    bool adv_same = true;
    for (size_t i = 0; i < m; i++) {
        const ssx_pool *p = k[i].p;
        merge_text(r->region, sizeof r->region, p->region, i == 0);
        merge_text(r->zone, sizeof r->zone, p->zone, i == 0);
        merge_text(r->instance_type, sizeof r->instance_type, p->type, i == 0);
        merge_text(r->product, sizeof r->product, p->product, i == 0);
        if (i > 0 && (p->adv_bucket != k[0].p->adv_bucket ||
                      p->adv_savings != k[0].p->adv_savings))
            adv_same = false;
        accumulate(d, p, &a);
    }
    /* The advisor speaks of (region, type): shown when the group agrees. */
    if (adv_same) {
        r->advisor_bucket = k[0].p->adv_bucket;
        r->advisor_savings_pct = k[0].p->adv_savings;
        snprintf(r->advisor_label, sizeof r->advisor_label, "%s", k[0].p->adv_label);
    }
    ssx_price_finish(&a, r);
    ssx_interrupt_finish(d, &a, r);
    ssx_survival_finish(&a, r);
    ssx_trace_finish(&a, r);
    ssx_acc_free(&a);
}

int ss_stats_pools(ss_store *st, const ss_stats_filter *f, ss_stats_by by, ss_stats_row **rows,
                   size_t *n, ss_err *err)
{
    *rows = NULL;
    *n = 0;
    if (by != SS_BY_POOL && by != SS_BY_ZONE && by != SS_BY_TYPE && by != SS_BY_ALL)
        return ss_err_set(err, "grouping '%s' gives buckets: use ss_stats_breakdown",
                          ss_stats_by_name(by));
    ssx_data d;
    if (ssx_load(st, f, &d, err))
        return -1;
    keyed *k = ss_malloc((d.n ? d.n : 1) * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (!pool_has_data(&d, &d.pools[i]))
            continue;
        k[m].p = &d.pools[i];
        make_key(&d.pools[i], by, k[m].key, sizeof k[m].key);
        m++;
    }
    qsort(k, m, sizeof *k, cmp_keyed);
    ss_stats_row *out = ss_calloc(m ? m : 1, sizeof *out);
    size_t nr = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && !strcmp(k[j].key, k[i].key))
            j++;
        fill_row(&d, k + i, j - i, &out[nr++]);
        i = j;
    }
    free(k);
    ssx_free(&d);
    *rows = out;
    *n = nr;
    return 0;
}

void ss_stats_rows_free(ss_stats_row *rows) { free(rows); }

/* ---- seasonality buckets -------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* ISO weeks start on Monday; 1970-01-05 (day 4) was a Monday. */
static int64_t week_of(ss_time t) { return floor_div(floor_div(t, SS_DAY) - 4, 7); }
static ss_time week_start(int64_t w) { return (4 + 7 * w) * SS_DAY; }

typedef struct bucketing {
    ss_stats_by by;
    int64_t first;          /* index of buckets[0] */
    size_t n;
    ss_stats_bucket *b;
    double *integral, *covered_ms, *exposure_ms;
    bool *used;
} bucketing;

static int64_t bucket_index(const bucketing *bk, ss_time t)
{
    if (bk->by == SS_BY_HOUR)
        return floor_div(t - floor_div(t, SS_DAY) * SS_DAY, SS_HOUR);
    return week_of(t);
}

static ss_time bucket_next(const bucketing *bk, ss_time t)
{
    if (bk->by == SS_BY_HOUR)
        return (floor_div(t, SS_HOUR) + 1) * SS_HOUR;
    return week_start(week_of(t) + 1);
}

static size_t slot(const bucketing *bk, ss_time t)
{
    int64_t i = bucket_index(bk, t) - bk->first;
    if (i < 0)
        i = 0;
    if ((size_t)i >= bk->n)
        i = (int64_t)bk->n - 1;
    return (size_t)i;
}

/* Split [a, b) at bucket boundaries; add (b - a) * w to arr per bucket. */
static void split_add(bucketing *bk, ss_time a, ss_time b, double *arr, double w)
{
    while (a < b) {
        ss_time e = bucket_next(bk, a);
        if (e > b)
            e = b;
        size_t s = slot(bk, a);
        arr[s] += (double)(e - a) * w;
        bk->used[s] = true;
        a = e;
    }
}

static void price_piece(void *ctx, ss_time a, ss_time b, double price)
{
    bucketing *bk = ctx;
    split_add(bk, a, b, bk->integral, price);
    split_add(bk, a, b, bk->covered_ms, 1.0);
}

static void iso_week_label(int64_t w, char *buf, size_t n)
{
    int64_t thursday = 4 + 7 * w + 3; /* the ISO year is the Thursday's year */
    int64_t y;
    unsigned mo, da;
    ss_civil_from_days(thursday, &y, &mo, &da);
    int64_t doy = thursday - ss_days_from_civil(y, 1, 1);
    snprintf(buf, n, "%04d-W%02d", (int)y, (int)(doy / 7 + 1));
}

int ss_stats_breakdown(ss_store *st, const ss_stats_filter *f, ss_stats_by by,
                       ss_stats_bucket **buckets, size_t *n, ss_err *err)
{
    *buckets = NULL;
    *n = 0;
    if (by != SS_BY_WEEK && by != SS_BY_HOUR)
        return ss_err_set(err, "grouping '%s' gives rows: use ss_stats_pools", ss_stats_by_name(by));
    ssx_data d;
    if (ssx_load(st, f, &d, err))
        return -1;
    bucketing bk = {.by = by};
    if (by == SS_BY_HOUR) {
        bk.first = 0;
        bk.n = 24;
    } else {
        bk.first = week_of(d.from_eff);
        int64_t last = week_of(d.to_eff > d.from_eff ? d.to_eff - 1 : d.from_eff);
        if (last - bk.first > 52 * 200) {
            ssx_free(&d);
            return ss_err_set(err, "window spans more than 200 years: give --from and --to");
        }
        bk.n = (size_t)(last - bk.first + 1);
    }
    bk.b = ss_calloc(bk.n, sizeof *bk.b);
    bk.integral = ss_calloc(bk.n, sizeof(double));
    bk.covered_ms = ss_calloc(bk.n, sizeof(double));
    bk.exposure_ms = ss_calloc(bk.n, sizeof(double));
    bk.used = ss_calloc(bk.n, sizeof(bool));
    for (size_t i = 0; i < d.n; i++) {
        const ssx_pool *p = &d.pools[i];
        ssx_price_pieces(&d, p, price_piece, &bk);
        for (size_t k = 0; k < p->n_ev; k++) {
            size_t s = slot(&bk, p->ev[k].t);
            if (p->ev[k].rebalance)
                bk.b[s].rebalances++;
            else
                bk.b[s].interruptions++;
            bk.used[s] = true;
        }
        for (size_t k = 0; k < p->n_inst; k++) {
            const ssx_inst *in = &p->inst[k];
            ss_time end = in->end == SS_STATS_OPEN_TO ? d.to_eff : in->end;
            ss_time a = in->launch > d.from_eff ? in->launch : d.from_eff;
            ss_time b = end < d.to_eff ? end : d.to_eff;
            if (b > a)
                split_add(&bk, a, b, bk.exposure_ms, 1.0);
        }
    }
    bool any = false;
    for (size_t i = 0; i < bk.n; i++)
        any = any || bk.used[i];
    ss_stats_bucket *out = ss_calloc(bk.n, sizeof *out);
    size_t m = 0;
    for (size_t i = 0; i < bk.n; i++) {
        if (by == SS_BY_WEEK ? !bk.used[i] : !any)
            continue;
        ss_stats_bucket *o = &out[m++];
        *o = bk.b[i];
        o->index = bk.first + (int64_t)i;
        if (by == SS_BY_HOUR)
            snprintf(o->label, sizeof o->label, "%02lld", (long long)o->index);
        else
            iso_week_label(o->index, o->label, sizeof o->label);
        o->exposure_hours = bk.exposure_ms[i] / (double)SS_HOUR;
        o->rate_per_1000h = o->exposure_hours > 0
                                ? 1000.0 * (double)o->interruptions / o->exposure_hours
                                : NAN;
        o->price_covered_hours = bk.covered_ms[i] / (double)SS_HOUR;
        o->price_twmean = bk.covered_ms[i] > 0 ? bk.integral[i] / bk.covered_ms[i] : NAN;
    }
    free(bk.b);
    free(bk.integral);
    free(bk.covered_ms);
    free(bk.exposure_ms);
    free(bk.used);
    ssx_free(&d);
    *buckets = out;
    *n = m;
    return 0;
}

void ss_stats_buckets_free(ss_stats_bucket *buckets) { free(buckets); }
