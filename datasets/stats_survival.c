/*
 * stats_survival.c - instance lifetime survival: Kaplan-Meier product-limit
 * estimate and a Weibull fit by maximum likelihood, both with right
 * censoring (an instance still running, or ended for another reason than an
 * interruption, tells only that its lifetime exceeds what was observed).
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats_internal.h"

typedef struct km_obs {
    double t;
    int event;
} km_obs;

static int cmp_obs(const void *x, const void *y)
{
    const km_obs *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return b->event - a->event; /* events first: censored at t are at risk at t */
}

void ss_km_estimate(const double *time, const int *event, size_t n, ss_km *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    km_obs *o = ss_malloc(n * sizeof *o);
    for (size_t i = 0; i < n; i++) {
        o[i].t = time[i];
        o[i].event = event[i] != 0;
    }
    qsort(o, n, sizeof *o, cmp_obs);
    out->t = ss_malloc(n * sizeof *out->t);
    out->n_risk = ss_malloc(n * sizeof *out->n_risk);
    out->d = ss_malloc(n * sizeof *out->d);
    out->s = ss_malloc(n * sizeof *out->s);
    double s = 1.0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        long d = 0;
        while (j < n && o[j].t == o[i].t) {
            d += o[j].event;
            j++;
        }
        if (d > 0) {
            long at_risk = (long)(n - i);
            s *= 1.0 - (double)d / (double)at_risk;
            out->t[out->n] = o[i].t;
            out->n_risk[out->n] = at_risk;
            out->d[out->n] = d;
            out->s[out->n] = s;
            out->n++;
        }
        i = j;
    }
    free(o);
}

double ss_km_at(const ss_km *km, double t)
{
    double s = 1.0;
    for (size_t i = 0; i < km->n && km->t[i] <= t; i++)
        s = km->s[i];
    return s;
}

double ss_km_median(const ss_km *km)
{
    for (size_t i = 0; i < km->n; i++)
        if (km->s[i] <= 0.5)
            return km->t[i];
    return NAN;
}

void ss_km_free(ss_km *km)
{
    free(km->t);
    free(km->n_risk);
    free(km->d);
    free(km->s);
    memset(km, 0, sizeof *km);
}

/* ---- Weibull MLE ---------------------------------------------------------- */

typedef struct wb_data {
    const double *t; /* scaled to mean 1 for conditioning */
    const int *e;
    size_t n;
    double d;        /* number of events */
    double sum_log_e; /* sum of log t over events */
} wb_data;

/* Negative log-likelihood per observation and its gradient in x = (log k,
 * log lambda). With z = t / lambda, w = z^k, d events:
 *   l = d log k - d k log lambda + (k - 1) sum_E log t - sum_all w
 *   dl/dlog k      = d + k (sum_E log z) - k sum_all w log z
 *   dl/dlog lambda = k (sum_all w - d)                                  */
static void wb_eval(const gsl_vector *x, void *params, double *f, gsl_vector *g)
{
    const wb_data *w = params;
    double u = gsl_vector_get(x, 0), v = gsl_vector_get(x, 1);
    double k = exp(u);
    double sum_w = 0, sum_wlz = 0;
    for (size_t i = 0; i < w->n; i++) {
        double lz = log(w->t[i]) - v;
        double wi = exp(k * lz);
        sum_w += wi;
        sum_wlz += wi * lz;
    }
    double sum_e_lz = w->sum_log_e - w->d * v;
    double ll = w->d * u - w->d * k * v + (k - 1.0) * w->sum_log_e - sum_w;
    double nn = (double)w->n;
    if (f)
        *f = -ll / nn;
    if (g) {
        gsl_vector_set(g, 0, -(w->d + k * sum_e_lz - k * sum_wlz) / nn);
        gsl_vector_set(g, 1, -(k * (sum_w - w->d)) / nn);
    }
}

static double wb_f(const gsl_vector *x, void *p)
{
    double f;
    wb_eval(x, p, &f, NULL);
    return isfinite(f) ? f : GSL_POSINF;
}
static void wb_df(const gsl_vector *x, void *p, gsl_vector *g) { wb_eval(x, p, NULL, g); }
static void wb_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g) { wb_eval(x, p, f, g); }

int ss_weibull_fit(const double *time, const int *event, size_t n, ss_weibull *out, ss_err *err)
{
    memset(out, 0, sizeof *out);
    out->k = out->lambda = out->median = out->loglik = NAN;
    double *t = ss_malloc((n ? n : 1) * sizeof *t);
    int *e = ss_malloc((n ? n : 1) * sizeof *e);
    size_t m = 0;
    double sum = 0, first = NAN;
    bool distinct = false;
    for (size_t i = 0; i < n; i++) {
        if (!(time[i] > 0) || !isfinite(time[i]))
            continue;
        t[m] = time[i];
        e[m] = event[i] != 0;
        sum += t[m];
        if (e[m]) {
            if (isnan(first))
                first = t[m];
            else if (t[m] != first)
                distinct = true;
        }
        m++;
    }
    wb_data w = {t, e, m, 0, 0};
    double scale = m ? sum / (double)m : 1.0;
    for (size_t i = 0; i < m; i++) {
        t[i] /= scale;
        if (e[i]) {
            w.d += 1;
            w.sum_log_e += log(t[i]);
        }
    }
    int rc = 0;
    if (w.d < 2 || !distinct) {
        rc = ss_err_set(err, "Weibull fit needs at least 2 distinct interruption times (have %.0f"
                             " events)", w.d);
        goto done;
    }
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multimin_function_fdf fn = {wb_f, wb_df, wb_fdf, 2, &w};
    gsl_vector *x = gsl_vector_alloc(2);
    /* Start from the exponential MLE: k = 1, lambda = total time / events. */
    gsl_vector_set(x, 0, 0.0);
    gsl_vector_set(x, 1, log((double)m / w.d));
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 2);
    gsl_multimin_fdfminimizer_set(mz, &fn, x, 0.05, 0.1);
    int status = GSL_CONTINUE, iter = 0;
    while (status == GSL_CONTINUE && iter < 500) {
        iter++;
        if (gsl_multimin_fdfminimizer_iterate(mz))
            break;
        status = gsl_multimin_test_gradient(mz->gradient, 1e-9);
    }
    const gsl_vector *best = gsl_multimin_fdfminimizer_x(mz);
    double u = gsl_vector_get(best, 0), v = gsl_vector_get(best, 1);
    double gnorm = gsl_blas_dnrm2(mz->gradient);
    double fmin = mz->f;
    gsl_multimin_fdfminimizer_free(mz);
    gsl_vector_free(x);
    gsl_set_error_handler(old);
    /* BFGS may stop early for lack of progress at the optimum; accept that
     * when the gradient is small. */
    if (!isfinite(u) || !isfinite(v) || !(gnorm < 1e-5) || u > 6.0) {
        rc = ss_err_set(err, "Weibull fit did not converge (|gradient| %g after %d iterations)",
                        gnorm, iter);
        goto done;
    }
    out->k = exp(u);
    out->lambda = exp(v) * scale;
    out->median = out->lambda * pow(log(2.0), 1.0 / out->k);
    /* log-likelihood in the caller's time unit: each event's density gains
     * -log(scale) from the change of variable. */
    out->loglik = -fmin * (double)m - w.d * log(scale);
    out->iterations = iter;
done:
    free(t);
    free(e);
    return rc;
}

void ssx_survival_finish(const ssx_acc *a, ss_stats_row *r)
{
    r->lifetimes = (long)a->n_life;
    r->lifetime_events = 0;
    for (size_t i = 0; i < a->n_life; i++)
        r->lifetime_events += a->life_event[i];
    r->km_median_hours = r->km_s1h = r->km_s6h = r->km_s24h = NAN;
    r->weibull_k = r->weibull_lambda_hours = r->weibull_median_hours = NAN;
    if (a->n_life == 0)
        return;
    ss_km km;
    ss_km_estimate(a->life, a->life_event, a->n_life, &km);
    r->km_median_hours = ss_km_median(&km);
    r->km_s1h = ss_km_at(&km, 1.0);
    r->km_s6h = ss_km_at(&km, 6.0);
    r->km_s24h = ss_km_at(&km, 24.0);
    ss_km_free(&km);
    ss_weibull wb;
    if (ss_weibull_fit(a->life, a->life_event, a->n_life, &wb, NULL) == 0) {
        r->weibull_k = wb.k;
        r->weibull_lambda_hours = wb.lambda;
        r->weibull_median_hours = wb.median;
    }
}
