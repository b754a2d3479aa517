/*
 * pareto.c - replica statistics with intervals, non-dominated sorting of two
 * objectives, and the 2-D hypervolume.
 */
#include "policies/pareto.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

int ss_statistic_parse(const char *s, ss_statistic *out, ss_err *err)
{
    if (!strcmp(s, "mean")) {
        *out = (ss_statistic){SS_STAT_MEAN, 0};
        return 0;
    }
    if (!strcmp(s, "median")) {
        *out = (ss_statistic){SS_STAT_PERCENTILE, 50};
        return 0;
    }
    if (s[0] == 'p' && s[1]) {
        char *end = NULL;
        double v = strtod(s + 1, &end);
        if (end && !*end && v >= 0 && v <= 100) {
            *out = (ss_statistic){SS_STAT_PERCENTILE, v};
            return 0;
        }
    }
    return ss_err_set(err, "statistic '%s': expected mean, median or pN with 0 <= N <= 100", s);
}

void ss_statistic_format(const ss_statistic *st, char *buf, size_t n)
{
    if (st->kind == SS_STAT_MEAN)
        snprintf(buf, n, "mean");
    else
        snprintf(buf, n, "p%g", st->pct);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ss_summarize(const double *x, int n, const ss_statistic *st, ss_summary *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n < 1) {
        out->value = out->lo = out->hi = out->mean = NAN;
        return;
    }
    size_t un = (size_t)n;
    out->mean = gsl_stats_mean(x, 1, un);
    out->sd = n > 1 ? gsl_stats_sd_m(x, 1, un, out->mean) : 0.0;
    if (st->kind == SS_STAT_MEAN) {
        out->value = out->mean;
        if (n > 1) {
            double h = gsl_cdf_tdist_Qinv(0.025, (double)(n - 1)) * out->sd / sqrt((double)n);
            out->lo = out->mean - h;
            out->hi = out->mean + h;
        } else {
            out->lo = out->hi = out->mean;
        }
        return;
    }
    double *s = ss_malloc(sizeof(double) * un);
    memcpy(s, x, sizeof(double) * un);
    qsort(s, un, sizeof(double), cmp_double);
    double p = st->pct / 100.0;
    out->value = gsl_stats_quantile_from_sorted_data(s, 1, un, p);
    /* Order-statistic interval: the k-th smallest is below the p-quantile
     * with probability P(Binom(n, p) >= k). Lower rank l: the largest k with
     * P(B <= k-1) <= 0.025; upper rank u: the smallest k with P(B <= k-1) >=
     * 0.975; clamped to [1, n] (then the interval is [min, max] and has less
     * than 95% coverage - there are too few replicas). */
    int l = 1, u = n;
    for (int k = 1; k <= n; k++)
        if (gsl_cdf_binomial_P((unsigned)(k - 1), p, (unsigned)n) <= 0.025)
            l = k;
    for (int k = n; k >= 1; k--)
        if (gsl_cdf_binomial_P((unsigned)(k - 1), p, (unsigned)n) >= 0.975)
            u = k;
    out->lo = s[l - 1];
    out->hi = s[u - 1];
    if (out->lo > out->value)
        out->lo = out->value;
    if (out->hi < out->value)
        out->hi = out->value;
    free(s);
}

int ss_objective_direction(const char *metric)
{
    static const char *const maximised[] = {"availability", "served_fraction", "savings_ratio"};
    for (size_t i = 0; i < SS_ARRAY_LEN(maximised); i++)
        if (!strcmp(metric, maximised[i]))
            return 1;
    return -1;
}

typedef struct pt {
    double a, b;
    int i;
} pt;

static int cmp_pt(const void *x, const void *y)
{
    const pt *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

int ss_pareto_front(int n, const double *f1, const double *f2, int dir1, int dir2,
                    const bool *valid, bool *on_front)
{
    pt *p = ss_malloc(sizeof(pt) * (size_t)(n > 0 ? n : 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        on_front[i] = false;
        if ((valid && !valid[i]) || isnan(f1[i]) || isnan(f2[i]))
            continue;
        /* orient both to minimisation */
        p[m++] = (pt){dir1 > 0 ? -f1[i] : f1[i], dir2 > 0 ? -f2[i] : f2[i], i};
    }
    qsort(p, (size_t)m, sizeof(pt), cmp_pt);
    /* Sweep by increasing a. A point is dominated iff some point with smaller
     * a has b <= its b, or a point with equal a has a smaller b. Within a group
     * of equal a only the group's minimum b can survive; it survives iff it is
     * strictly below the best b of all earlier groups. */
    int count = 0;
    double best = INFINITY;
    for (int g = 0; g < m;) {
        int h = g;
        while (h < m && p[h].a == p[g].a)
            h++;
        double gmin = p[g].b; /* sorted by b within the group */
        if (gmin < best) {
            for (int k = g; k < h && p[k].b == gmin; k++) {
                on_front[p[k].i] = true;
                count++;
            }
            best = gmin;
        }
        g = h;
    }
    free(p);
    return count;
}

double ss_pareto_hypervolume(int n, const double *f1, const double *f2, double r1, double r2)
{
    pt *p = ss_malloc(sizeof(pt) * (size_t)(n > 0 ? n : 1));
    int m = 0;
    for (int i = 0; i < n; i++)
        if (f1[i] < r1 && f2[i] < r2)
            p[m++] = (pt){f1[i], f2[i], i};
    qsort(p, (size_t)m, sizeof(pt), cmp_pt);
    /* Sweep by increasing f1: each point adds the slab between its f1 and the
     * reference, from its f2 up to the lowest f2 seen so far. */
    double hv = 0, best = r2;
    for (int k = 0; k < m; k++) {
        if (p[k].b < best) {
            hv += (r1 - p[k].a) * (best - p[k].b);
            best = p[k].b;
        }
    }
    free(p);
    return hv;
}
