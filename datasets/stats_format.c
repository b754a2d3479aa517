/*
 * stats_format.c - render stats rows and buckets as an aligned text table,
 * CSV (RFC 4180) or JSON (jansson, keys in a fixed order).
 *
 * One column table drives all three formats, so a number has the same name
 * in CSV and JSON (the ss_stats_row field name) and the text table only
 * chooses headers with units and the decimals to show. CSV and JSON carry
 * full precision; NaN (no value) is an empty CSV field, JSON null and a
 * blank text cell.
 */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats.h"

typedef enum { C_STR, C_LONG, C_INT, C_NUM } ckind;

typedef struct col {
    int section;       /* 0 = identity columns (every section) */
    const char *key;   /* CSV header / JSON key */
    const char *head;  /* text header, NULL = not in the text table */
    ckind kind;
    size_t off;
    int dec;           /* decimals in text */
    const char *suffix; /* text suffix, e.g. "x" */
} col;

#define R(f) offsetof(ss_stats_row, f)
static const col row_cols[] = {
    {0, "key", "KEY", C_STR, R(key), 0, ""},
    {0, "region", NULL, C_STR, R(region), 0, ""},
    {0, "zone", NULL, C_STR, R(zone), 0, ""},
    {0, "instance_type", NULL, C_STR, R(instance_type), 0, ""},
    {0, "product", NULL, C_STR, R(product), 0, ""},
    {0, "n_pools", NULL, C_INT, R(n_pools), 0, ""},
    {SS_SECTION_PRICES, "price_records", "RECS", C_LONG, R(price_records), 0, ""},
    {SS_SECTION_PRICES, "price_min", "MIN", C_NUM, R(price_min), 4, ""},
    {SS_SECTION_PRICES, "price_median", "MEDIAN", C_NUM, R(price_median), 4, ""},
    {SS_SECTION_PRICES, "price_mean", "MEAN", C_NUM, R(price_mean), 4, ""},
    {SS_SECTION_PRICES, "price_max", "MAX", C_NUM, R(price_max), 4, ""},
    {SS_SECTION_PRICES, "price_twmean", "TW-MEAN", C_NUM, R(price_twmean), 4, ""},
    {SS_SECTION_PRICES, "price_changes", "CHG", C_LONG, R(price_changes), 0, ""},
    {SS_SECTION_PRICES, "price_covered_hours", NULL, C_NUM, R(price_covered_hours), 1, ""},
    {SS_SECTION_PRICES, "price_uncovered_hours", NULL, C_NUM, R(price_uncovered_hours), 1, ""},
    {SS_SECTION_PRICES, "ondemand", "OD", C_NUM, R(ondemand), 4, ""},
    {SS_SECTION_PRICES, "savings_ratio", "SAVINGS", C_NUM, R(savings_ratio), 1, "x"},
    {SS_SECTION_PRICES, "savings_pct", "SAVE %", C_NUM, R(savings_pct), 1, ""},
    {SS_SECTION_INTERRUPTIONS, "instances", "INST", C_LONG, R(instances), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "exposure_hours", "EXPO h", C_NUM, R(exposure_hours), 1, ""},
    {SS_SECTION_INTERRUPTIONS, "interruptions", "INTR", C_LONG, R(interruptions), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "rebalances", "REBAL", C_LONG, R(rebalances), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "rate_per_1000h", "/1000h", C_NUM, R(rate_per_1000h), 2, ""},
    {SS_SECTION_INTERRUPTIONS, "observed_monthly_pct", "MONTHLY %", C_NUM, R(observed_monthly_pct),
     1, ""},
    {SS_SECTION_INTERRUPTIONS, "observed_label", "OBSERVED", C_STR, R(observed_label), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "advisor_label", "ADVISOR", C_STR, R(advisor_label), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "advisor_bucket", NULL, C_INT, R(advisor_bucket), 0, ""},
    {SS_SECTION_INTERRUPTIONS, "advisor_savings_pct", "ADV SAVE%", C_INT, R(advisor_savings_pct),
     0, ""},
    {SS_SECTION_SURVIVAL, "lifetimes", "N", C_LONG, R(lifetimes), 0, ""},
    {SS_SECTION_SURVIVAL, "lifetime_events", "EVENTS", C_LONG, R(lifetime_events), 0, ""},
    {SS_SECTION_SURVIVAL, "km_median_hours", "KM MED h", C_NUM, R(km_median_hours), 2, ""},
    {SS_SECTION_SURVIVAL, "km_s1h", "S(1h)", C_NUM, R(km_s1h), 3, ""},
    {SS_SECTION_SURVIVAL, "km_s6h", "S(6h)", C_NUM, R(km_s6h), 3, ""},
    {SS_SECTION_SURVIVAL, "km_s24h", "S(24h)", C_NUM, R(km_s24h), 3, ""},
    {SS_SECTION_SURVIVAL, "weibull_k", "WB k", C_NUM, R(weibull_k), 3, ""},
    {SS_SECTION_SURVIVAL, "weibull_lambda_hours", "WB SCALE h", C_NUM, R(weibull_lambda_hours), 2,
     ""},
    {SS_SECTION_SURVIVAL, "weibull_median_hours", "WB MED h", C_NUM, R(weibull_median_hours),
     2, ""},
    {SS_SECTION_TRACES, "traces", "TRACES", C_LONG, R(traces), 0, ""},
    {SS_SECTION_TRACES, "trace_hours", "TRACE h", C_NUM, R(trace_hours), 1, ""},
    {SS_SECTION_TRACES, "unavail_hours", "UNAVAIL h", C_NUM, R(unavail_hours), 1, ""},
    {SS_SECTION_TRACES, "unavail_pct", "UNAVAIL %", C_NUM, R(unavail_pct), 2, ""},
    {SS_SECTION_TRACES, "outages", "OUTAGES", C_LONG, R(outages), 0, ""},
    {SS_SECTION_TRACES, "longest_outage_hours", "LONGEST h", C_NUM, R(longest_outage_hours), 2,
     ""},
};
#undef R

#define B(f) offsetof(ss_stats_bucket, f)
static const col bucket_cols[] = {
    {0, "bucket", "BUCKET", C_STR, B(label), 0, ""},
    {0, "interruptions", "INTERRUPTED", C_LONG, B(interruptions), 0, ""},
    {0, "rebalances", "REBALANCE", C_LONG, B(rebalances), 0, ""},
    {0, "exposure_hours", "EXPOSURE h", C_NUM, B(exposure_hours), 1, ""},
    {0, "rate_per_1000h", "PER 1000 h", C_NUM, B(rate_per_1000h), 2, ""},
    {0, "price_twmean", "TW-MEAN $/h", C_NUM, B(price_twmean), 4, ""},
    {0, "price_covered_hours", "PRICED h", C_NUM, B(price_covered_hours), 1, ""},
};
#undef B

static const struct {
    int mask;
    const char *name, *title;
} sections[] = {
    {SS_SECTION_PRICES, "prices", "Spot prices (USD/h; OD = On-Demand; SAVINGS = OD / TW-MEAN)"},
    {SS_SECTION_INTERRUPTIONS, "interruptions", "Interruptions (INTR = distinct instances; /1000h per 1,000 instance-hours)"},
    {SS_SECTION_SURVIVAL, "survival", "Instance lifetime survival (Kaplan-Meier; Weibull MLE)"},
    {SS_SECTION_TRACES, "traces", "Capacity-trace unavailability"},
};

int ss_stats_section_parse(const char *s, int *mask)
{
    if (!strcmp(s, "all")) {
        *mask = SS_SECTION_ALL;
        return 0;
    }
    for (size_t i = 0; i < SS_ARRAY_LEN(sections); i++)
        if (!strcmp(s, sections[i].name)) {
            *mask = sections[i].mask;
            return 0;
        }
    return -1;
}

/* Text of a cell; full = CSV precision. Returns "" for no value. */
static void cell(const col *c, const void *obj, bool full, char *buf, size_t n)
{
    const char *p = (const char *)obj + c->off;
    switch (c->kind) {
    case C_STR:
        snprintf(buf, n, "%s", p);
        break;
    case C_LONG: {
        long v;
        memcpy(&v, p, sizeof v);
        snprintf(buf, n, "%ld", v);
        break;
    }
    case C_INT: {
        int v;
        memcpy(&v, p, sizeof v);
        if (v < 0 && c->off != offsetof(ss_stats_row, n_pools))
            buf[0] = '\0';
        else
            snprintf(buf, n, "%d", v);
        break;
    }
    case C_NUM: {
        double v;
        memcpy(&v, p, sizeof v);
        if (isnan(v))
            buf[0] = '\0';
        else if (full)
            snprintf(buf, n, "%.15g", v);
        else
            snprintf(buf, n, "%.*f%s", c->dec, v, c->suffix);
        break;
    }
    }
}

static json_t *json_cell(const col *c, const void *obj)
{
    const char *p = (const char *)obj + c->off;
    switch (c->kind) {
    case C_STR:
        return json_string(p);
    case C_LONG: {
        long v;
        memcpy(&v, p, sizeof v);
        return json_integer(v);
    }
    case C_INT: {
        int v;
        memcpy(&v, p, sizeof v);
        return v < 0 && c->off != offsetof(ss_stats_row, n_pools) ? json_null() : json_integer(v);
    }
    case C_NUM:
    default: {
        double v;
        memcpy(&v, p, sizeof v);
        return isnan(v) || isinf(v) ? json_null() : json_real(v);
    }
    }
}

static void csv_table(FILE *f, const col *cols, size_t nc, int sections_mask, const void *objs,
                      size_t size, size_t n)
{
    bool first = true;
    for (size_t c = 0; c < nc; c++) {
        if (cols[c].section && !(cols[c].section & sections_mask))
            continue;
        if (!first)
            fputc(',', f);
        ss_csv_field(f, cols[c].key);
        first = false;
    }
    fputs("\r\n", f);
    char buf[256];
    for (size_t r = 0; r < n; r++) {
        const void *obj = (const char *)objs + r * size;
        first = true;
        for (size_t c = 0; c < nc; c++) {
            if (cols[c].section && !(cols[c].section & sections_mask))
                continue;
            if (!first)
                fputc(',', f);
            cell(&cols[c], obj, true, buf, sizeof buf);
            ss_csv_field(f, buf);
            first = false;
        }
        fputs("\r\n", f);
    }
}

/* An aligned table: the first column left-aligned, numbers right-aligned,
 * total (may be NULL) after a rule. */
static void text_table(FILE *f, const col *cols, size_t nc, int section, const char *key_head,
                       const void *objs, size_t size, size_t n, const void *total)
{
    size_t idx[64], m = 0;
    for (size_t c = 0; c < nc && m < SS_ARRAY_LEN(idx); c++)
        if (cols[c].head && (cols[c].section == 0 || cols[c].section == section))
            idx[m++] = c;
    size_t rows = n + (total ? 1 : 0);
    char(*cells)[48] = ss_calloc((rows + 1) * m, sizeof *cells);
    size_t width[64] = {0};
    for (size_t j = 0; j < m; j++) {
        snprintf(cells[j], sizeof cells[j], "%s", j == 0 ? key_head : cols[idx[j]].head);
        width[j] = strlen(cells[j]);
    }
    for (size_t r = 0; r < rows; r++) {
        const void *obj = r < n ? (const char *)objs + r * size : total;
        for (size_t j = 0; j < m; j++) {
            char *s = cells[(r + 1) * m + j];
            cell(&cols[idx[j]], obj, false, s, sizeof cells[0]);
            size_t w = strlen(s);
            if (w > width[j])
                width[j] = w;
        }
    }
    size_t line = 0;
    for (size_t j = 0; j < m; j++)
        line += width[j] + (j ? 2 : 0);
    for (size_t r = 0; r <= rows; r++) {
        if (total && r == rows) {
            for (size_t k = 0; k < line; k++)
                fputc('-', f);
            fputc('\n', f);
        }
        for (size_t j = 0; j < m; j++) {
            const char *s = cells[r * m + j];
            if (j == 0)
                fprintf(f, "%-*s", (int)width[j], s);
            else
                fprintf(f, "  %*s", (int)width[j], s);
        }
        fputc('\n', f);
    }
    free(cells);
}

/* Whether a row has anything to show in a section: the text tables leave out
 * pools that only exist for another section (a trace-only pool has no price
 * row). CSV and JSON keep every row, with empty cells. */
static bool row_has(const ss_stats_row *r, int section)
{
    switch (section) {
    case SS_SECTION_PRICES:
        return r->price_records > 0 || r->price_covered_hours > 0;
    case SS_SECTION_INTERRUPTIONS:
        return r->instances > 0 || r->interruptions > 0 || r->rebalances > 0;
    case SS_SECTION_SURVIVAL:
        return r->lifetimes > 0;
    case SS_SECTION_TRACES:
        return r->traces > 0;
    default:
        return true;
    }
}

static const char *key_head(ss_stats_by by)
{
    switch (by) {
    case SS_BY_ZONE:
        return "ZONE";
    case SS_BY_TYPE:
        return "TYPE";
    case SS_BY_ALL:
        return "ALL";
    case SS_BY_WEEK:
        return "ISO WEEK";
    case SS_BY_HOUR:
        return "HOUR (UTC)";
    default:
        return "POOL (type zone)";
    }
}

static char *dump_json(json_t *root)
{
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!s)
        ss_fatal("out of memory");
    size_t n = strlen(s);
    char *out = ss_malloc(n + 2);
    memcpy(out, s, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    free(s);
    return out;
}

static json_t *json_row(const ss_stats_row *r, int mask)
{
    json_t *o = json_object();
    for (size_t c = 0; c < SS_ARRAY_LEN(row_cols); c++)
        if (row_cols[c].section == 0)
            json_object_set_new(o, row_cols[c].key, json_cell(&row_cols[c], r));
    for (size_t s = 0; s < SS_ARRAY_LEN(sections); s++) {
        if (!(sections[s].mask & mask))
            continue;
        json_t *sub = json_object();
        for (size_t c = 0; c < SS_ARRAY_LEN(row_cols); c++)
            if (row_cols[c].section == sections[s].mask)
                json_object_set_new(sub, row_cols[c].key, json_cell(&row_cols[c], r));
        json_object_set_new(o, sections[s].name, sub);
    }
    return o;
}

static json_t *json_window(ss_time from, ss_time to)
{
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    json_t *w = json_object();
    json_object_set_new(w, "from", json_string(ss_time_format(from, a)));
    json_object_set_new(w, "to", json_string(ss_time_format(to, b)));
    return w;
}

static char *memstream_close(FILE *f, char **bufp)
{
    /* open_memstream publishes the buffer at fclose */
    fclose(f);
    char *buf = *bufp;
    if (!buf)
        ss_fatal("out of memory");
    return buf;
}

char *ss_stats_format_rows(const ss_stats_row *rows, size_t n, const ss_stats_row *total,
                           ss_stats_by by, int mask, ss_stats_fmt fmt)
{
    if (fmt == SS_FMT_JSON) {
        json_t *root = json_object();
        json_object_set_new(root, "by", json_string(ss_stats_by_name(by)));
        const ss_stats_row *w = n ? &rows[0] : total;
        if (w)
            json_object_set_new(root, "window", json_window(w->from_ms, w->to_ms));
        else
            json_object_set_new(root, "window", json_null());
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_row(&rows[i], mask));
        json_object_set_new(root, "rows", arr);
        json_object_set_new(root, "total", total ? json_row(total, mask) : json_null());
        return dump_json(root);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        ss_fatal("out of memory");
    if (fmt == SS_FMT_CSV) {
        csv_table(f, row_cols, SS_ARRAY_LEN(row_cols), mask, rows, sizeof *rows, n);
        return memstream_close(f, &buf);
    }
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    if (n)
        fprintf(f, "Window %s .. %s (end exclusive), %zu row%s\n",
                ss_time_format(rows[0].from_ms, a), ss_time_format(rows[0].to_ms, b), n,
                n == 1 ? "" : "s");
    for (size_t s = 0; s < SS_ARRAY_LEN(sections); s++) {
        if (!(sections[s].mask & mask))
            continue;
        ss_stats_row *shown = ss_malloc((n ? n : 1) * sizeof *shown);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (row_has(&rows[i], sections[s].mask))
                shown[m++] = rows[i];
        fprintf(f, "\n%s\n", sections[s].title);
        if (m == 0)
            fprintf(f, "(no data for this section in the window and filters)\n");
        else
            text_table(f, row_cols, SS_ARRAY_LEN(row_cols), sections[s].mask, key_head(by), shown,
                       sizeof *shown, m, n > 1 ? total : NULL);
        free(shown);
        if (sections[s].mask == SS_SECTION_PRICES) {
            double unc = 0;
            for (size_t i = 0; i < n; i++)
                unc += rows[i].price_uncovered_hours;
            if (unc > 0)
                fprintf(f, "Uncovered (before a pool's first record, excluded): %.1f pool-hours\n",
                        unc);
        }
    }
    return memstream_close(f, &buf);
}

char *ss_stats_format_buckets(const ss_stats_bucket *bk, size_t n, ss_stats_by by,
                              ss_stats_fmt fmt)
{
    if (fmt == SS_FMT_JSON) {
        json_t *root = json_object();
        json_object_set_new(root, "by", json_string(ss_stats_by_name(by)));
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            for (size_t c = 0; c < SS_ARRAY_LEN(bucket_cols); c++)
                json_object_set_new(o, bucket_cols[c].key, json_cell(&bucket_cols[c], &bk[i]));
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "buckets", arr);
        return dump_json(root);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        ss_fatal("out of memory");
    if (fmt == SS_FMT_CSV)
        csv_table(f, bucket_cols, SS_ARRAY_LEN(bucket_cols), SS_SECTION_ALL, bk, sizeof *bk, n);
    else {
        fprintf(f, "Seasonality by %s\n", by == SS_BY_HOUR ? "hour of day (UTC)" : "ISO week");
        text_table(f, bucket_cols, SS_ARRAY_LEN(bucket_cols), 0, key_head(by), bk, sizeof *bk, n,
                   NULL);
    }
    return memstream_close(f, &buf);
}
