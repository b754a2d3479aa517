/*
 * report_calc.c - the pure computations behind `spotsim report`: confidence
 * intervals, the Pareto frontier, Kaplan-Meier survival, ISO weeks and the
 * plain-words formats of money and availability. No I/O.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/report/report.h"

#include <stdbool.h>

#include "datasets/stats.h"
#include "policies/pareto.h"

/* The three statistics below are the library's (policies/pareto.c,
 * datasets/stats_survival.c), adapted to the shapes the charts want. */

int ss_report_t_interval(const double *x, size_t n, double *mean, double *half)
{
    if (n == 0)
        return -1;
    ss_statistic st = {SS_STAT_MEAN, 0.0};
    ss_summary sum;
    ss_summarize(x, (int)n, &st, &sum);
    *mean = sum.mean;
    *half = n > 1 ? (sum.hi - sum.lo) / 2.0 : 0.0;
    return 0;
}

typedef struct {
    double cost, avail;
    size_t i;
} pt;

static int pt_cmp(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->cost != q->cost)
        return p->cost < q->cost ? -1 : 1;
    if (p->avail != q->avail)
        return p->avail > q->avail ? -1 : 1;
    return p->i < q->i ? -1 : (p->i > q->i);
}

size_t ss_report_pareto(const double *cost, const double *avail, size_t n, size_t *idx)
{
    bool *valid = ss_calloc(n ? n : 1, sizeof *valid), *on = ss_calloc(n ? n : 1, sizeof *on);
    for (size_t i = 0; i < n; i++)
        valid[i] = !isnan(cost[i]) && !isnan(avail[i]);
    ss_pareto_front((int)n, cost, avail, -1, +1, valid, on);
    pt *p = ss_malloc((n ? n : 1) * sizeof *p);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (on[i])
            p[m++] = (pt){cost[i], avail[i], i};
    /* Along the line by cost; of identical points, the first candidate only. */
    qsort(p, m, sizeof *p, pt_cmp);
    size_t k = 0;
    for (size_t j = 0; j < m; j++)
        if (k == 0 || p[j].cost != cost[idx[k - 1]] || p[j].avail != avail[idx[k - 1]])
            idx[k++] = p[j].i;
    free(p);
    free(valid);
    free(on);
    return k;
}

size_t ss_report_kaplan_meier(const double *d, const int *event, size_t n, double *t_out,
                              double *s_out)
{
    ss_km km;
    ss_km_estimate(d, event, n, &km);
    size_t k = 0;
    t_out[k] = 0.0; /* the curve starts at S(0) = 1 */
    s_out[k++] = 1.0;
    for (size_t i = 0; i < km.n; i++) {
        t_out[k] = km.t[i];
        s_out[k++] = km.s[i];
    }
    ss_km_free(&km);
    return k;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void ss_report_iso_week(int64_t t_ms, int *year, int *week)
{
    int64_t days = floor_div(t_ms, 86400000);
    int64_t wd = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday; Monday = 0 */
    /* The ISO year of a week is the year of its Thursday. */
    time_t thu = (time_t)((days - wd + 3) * 86400);
    struct tm tm;
    gmtime_r(&thu, &tm);
    *year = tm.tm_year + 1900;
    *week = tm.tm_yday / 7 + 1;
}

int64_t ss_report_week_start(int64_t t_ms)
{
    int64_t days = floor_div(t_ms, 86400000);
    int64_t wd = ((days + 3) % 7 + 7) % 7;
    return (days - wd) * 86400000;
}

void ss_report_fmt_savings(double baseline, double cost, char *buf, size_t n)
{
    if (!(baseline > 0) || !(cost > 0) || !isfinite(baseline) || !isfinite(cost)) {
        snprintf(buf, n, "n/a");
        return;
    }
    double pct = (cost / baseline - 1.0) * 100.0;
    if (cost <= baseline)
        snprintf(buf, n, "%.1fx cheaper (%+.0f%%)", baseline / cost, pct);
    else
        snprintf(buf, n, "%.1fx more expensive (%+.0f%%)", cost / baseline, pct);
}

void ss_report_fmt_availability(double a, char *buf, size_t n)
{
    if (isnan(a)) {
        snprintf(buf, n, "n/a");
        return;
    }
    if (a >= 1.0) {
        snprintf(buf, n, "100%%");
        return;
    }
    if (a <= 0.0) {
        snprintf(buf, n, "0%%");
        return;
    }
    int nines = (int)floor(-log10(1.0 - a));
    int dec = nines - 2;
    if (dec < 2)
        dec = 2;
    if (dec > 6)
        dec = 6;
    /* truncate, never round up: 99.99996% must not read "100.0000%" */
    double scale = pow(10.0, dec);
    double v = floor(a * 100.0 * scale + 1e-9) / scale;
    snprintf(buf, n, "%.*f%%", dec, v);
}

double ss_report_statistic(const double *x, size_t n, const char *statistic)
{
    if (n == 0 || !statistic)
        return NAN;
    if (!strcmp(statistic, "mean"))
        return gsl_stats_mean(x, 1, n);
    if (!strcmp(statistic, "median"))
        statistic = "p50";
    if (statistic[0] == 'p' && statistic[1]) {
        char *end;
        double q = strtod(statistic + 1, &end); /* "p5", "p2.5" as the optimizer writes */
        if (*end || !(q > 0) || !(q < 100))
            return NAN;
        double *s = ss_malloc(n * sizeof *s);
        memcpy(s, x, n * sizeof *s);
        gsl_sort(s, 1, n);
        double v = gsl_stats_quantile_from_sorted_data(s, 1, n, q / 100.0);
        free(s);
        return v;
    }
    return NAN;
}

void ss_report_gp_quote(const char *s, char *out, size_t n)
{
    size_t k = 0;
    if (n < 3) {
        if (n)
            out[0] = '\0';
        return;
    }
    out[k++] = '\'';
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && k + 3 < n; p++) {
        unsigned char c = *p;
        if (c < 0x20 || c == 0x7f)
            c = ' ';
        else if (c == '`')
            c = '\''; /* never let a backquote reach gnuplot, even quoted */
        if (c == '\'') {
            if (k + 4 >= n)
                break;
            out[k++] = '\'';
        }
        out[k++] = (char)c;
    }
    out[k++] = '\'';
    out[k] = '\0';
}
