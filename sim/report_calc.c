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

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/report.h"

int ss_report_t_interval(const double *x, size_t n, double *mean, double *half)
{
    if (n == 0)
        return -1;
    *mean = gsl_stats_mean(x, 1, n);
    if (n == 1) {
        *half = 0.0;
        return 0;
    }
    double sd = gsl_stats_sd_m(x, 1, n, *mean);
    /* two-sided 95%: the 0.975 quantile of Student's t with n-1 d.o.f. */
    *half = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
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
    pt *p = ss_malloc((n ? n : 1) * sizeof *p);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(cost[i]) && !isnan(avail[i]))
            p[m++] = (pt){cost[i], avail[i], i};
    qsort(p, m, sizeof *p, pt_cmp);
    /* Sweep by cost: a point is non-dominated iff its availability beats every
     * cheaper-or-equal point's (the sort puts the best availability first
     * among equal costs, so later equal-cost points are dominated). */
    size_t k = 0;
    double best = -INFINITY;
    for (size_t j = 0; j < m; j++) {
        if (p[j].avail > best) {
            idx[k++] = p[j].i;
            best = p[j].avail;
        }
    }
    free(p);
    return k;
}

typedef struct {
    double d;
    int e;
} obs;

static int obs_cmp(const void *a, const void *b)
{
    const obs *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return q->e - p->e; /* events before censorings at the same time */
}

size_t ss_report_kaplan_meier(const double *d, const int *event, size_t n, double *t_out,
                              double *s_out)
{
    obs *o = ss_malloc((n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < n; i++)
        o[i] = (obs){d[i], event[i] ? 1 : 0};
    qsort(o, n, sizeof *o, obs_cmp);
    size_t k = 0;
    t_out[k] = 0.0;
    s_out[k++] = 1.0;
    double s = 1.0;
    size_t at_risk = n;
    for (size_t i = 0; i < n;) {
        size_t j = i, deaths = 0;
        /* censored at the same time as an event still count as at risk */
        while (j < n && o[j].d == o[i].d) {
            deaths += (size_t)o[j].e;
            j++;
        }
        if (deaths) {
            s *= 1.0 - (double)deaths / (double)at_risk;
            t_out[k] = o[i].d;
            s_out[k++] = s;
        }
        at_risk -= j - i;
        i = j;
    }
    free(o);
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
