/*
 * backtest.c - scoring predicted vs realized (see backtest.h, docs/fit.md).
 */
#include "policies/backtest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/kernel/util.h"

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Average ranks (1-based) of x into r. */
static void ranks(const double *x, size_t n, double *r)
{
    ranked *t = ss_malloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++)
        t[i] = (ranked){x[i], i};
    qsort(t, n, sizeof *t, cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && t[j].v == t[i].v)
            j++;
        double avg = ((double)(i + 1) + (double)j) / 2.0; /* ranks i+1..j */
        for (size_t k = i; k < j; k++)
            r[t[k].i] = avg;
        i = j;
    }
    free(t);
}

double ss_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double *rx = ss_malloc(n * sizeof *rx), *ry = ss_malloc(n * sizeof *ry);
    ranks(x, n, rx);
    ranks(y, n, ry);
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += rx[i];
        my += ry[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    free(rx);
    free(ry);
    if (!(sxx > 0) || !(syy > 0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

void ss_prediction_interval(const double *x, size_t n, double conf, double *lo, double *hi)
{
    if (n == 0) {
        *lo = *hi = NAN;
        return;
    }
    double *s = ss_malloc(n * sizeof *s);
    memcpy(s, x, n * sizeof *s);
    gsl_sort(s, 1, n);
    *lo = gsl_stats_quantile_from_sorted_data(s, 1, n, (1.0 - conf) / 2.0);
    *hi = gsl_stats_quantile_from_sorted_data(s, 1, n, (1.0 + conf) / 2.0);
    free(s);
}

void ss_backtest_score(ss_bt_candidate *c, size_t n, double slo, int recommended,
                       ss_bt_summary *out)
{
    memset(out, 0, sizeof *out);
    out->recommended = recommended;
    out->best_hindsight = -1;
    out->regret_usd_month = NAN;
    out->n = (int)n;
    if (n == 0) {
        out->avail_coverage = out->cost_coverage = out->avail_mae = out->cost_mae =
            out->cost_mape = out->spearman_cost = out->spearman_avail = NAN;
        return;
    }
    double *pc = ss_malloc(n * sizeof *pc), *rc = ss_malloc(n * sizeof *rc);
    double *pa = ss_malloc(n * sizeof *pa), *ra = ss_malloc(n * sizeof *ra);
    int cov_a = 0, cov_c = 0, n_mape = 0;
    for (size_t i = 0; i < n; i++) {
        ss_bt_candidate *k = &c[i];
        k->avail_covered = k->real_avail >= k->pred_avail_lo && k->real_avail <= k->pred_avail_hi;
        k->cost_covered = k->real_cost >= k->pred_cost_lo && k->real_cost <= k->pred_cost_hi;
        k->pred_slo_met = slo > 0 && k->pred_avail >= slo;
        k->slo_met = slo > 0 && k->real_avail >= slo;
        cov_a += k->avail_covered;
        cov_c += k->cost_covered;
        out->avail_mae += fabs(k->pred_avail - k->real_avail);
        out->cost_mae += fabs(k->pred_cost - k->real_cost);
        if (k->real_cost > 0) {
            out->cost_mape += fabs(k->pred_cost - k->real_cost) / k->real_cost;
            n_mape++;
        }
        if (k->pred_slo_met && !k->slo_met)
            out->pred_meets_real_fails++;
        bool ok = slo <= 0 || k->slo_met;
        if (ok && (out->best_hindsight < 0 || k->real_cost < c[out->best_hindsight].real_cost))
            out->best_hindsight = (int)i;
        pc[i] = k->pred_cost;
        rc[i] = k->real_cost;
        pa[i] = k->pred_avail;
        ra[i] = k->real_avail;
    }
    out->avail_coverage = (double)cov_a / (double)n;
    out->cost_coverage = (double)cov_c / (double)n;
    out->avail_mae /= (double)n;
    out->cost_mae /= (double)n;
    out->cost_mape = n_mape ? out->cost_mape / n_mape : NAN;
    out->spearman_cost = ss_spearman(pc, rc, n);
    out->spearman_avail = ss_spearman(pa, ra, n);
    if (recommended >= 0 && (size_t)recommended < n && out->best_hindsight >= 0)
        out->regret_usd_month = c[recommended].real_cost - c[out->best_hindsight].real_cost;
    free(pc);
    free(rc);
    free(pa);
    free(ra);
}
