/*
 * interrupt_fit.c - from an observed interruption log to bursts (source (a))
 * and to the parameters of the stochastic model (c) (modeling-notes §2).
 *
 * Fitting splits the log's bursts by size so that no interruption is counted
 * twice: a burst that hit one instance is an independent per-instance event
 * (it feeds the hazard per instance-hour), a burst that hit two or more is a
 * pool event (it feeds the Poisson burst rate and the Beta law of the
 * fraction hit). See docs/market.md.
 */
#include "datasets/interrupt_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_errno.h>

double ss_advisor_bucket_hazard(int bucket)
{
    /* Spot Advisor buckets are monthly interruption-frequency bands <5%, 5-10%,
     * 10-15%, 15-20%, >20%; take the midpoints (25% for the open band) as the
     * probability p that an instance is interrupted within a month of 730 h,
     * and the constant hazard with that probability: -ln(1 - p) / 730. */
    static const double midpoint[] = {0.025, 0.075, 0.125, 0.175, 0.25};
    if (bucket < 0 || bucket >= (int)SS_ARRAY_LEN(midpoint))
        return 0.0;
    return -log1p(-midpoint[bucket]) / 730.0;
}

/* Number of elements of the sorted array v that are < x. */
static size_t count_below(const ss_time *v, size_t n, ss_time x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t ss_interrupt_group_bursts(const ss_time *notice, size_t n_notice, const ss_time *launch,
                                 const ss_time *end, size_t n_inst, ss_time window,
                                 ss_burst **out)
{
    *out = NULL;
    size_t n_out = 0, cap = 0;
    for (size_t i = 0; i < n_notice;) {
        ss_time tb = notice[i];
        size_t j = i;
        while (j < n_notice && notice[j] - tb <= window)
            j++;
        /* Alive just before tb: launched before tb and not ended before tb. */
        size_t launched = count_below(launch, n_inst, tb);
        size_t ended = count_below(end, n_inst, tb);
        int alive = launched > ended ? (int)(launched - ended) : 0;
        int hit = (int)(j - i);
        if (alive < hit)
            alive = hit; /* an inventory that misses some interrupted instances */
        SS_GROW(*out, cap, n_out + 1);
        (*out)[n_out++] = (ss_burst){.t = tb,
                                     .frac = (double)hit / (double)alive,
                                     .interrupted = hit,
                                     .alive = alive};
        i = j;
    }
    return n_out;
}

int ss_beta_fit_moments(const double *x, size_t n, double *a, double *b)
{
    if (n < 2)
        return -1;
    double m = 0.0, v = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    v /= (double)(n - 1);
    if (!(m > 0.0 && m < 1.0) || !(v > 0.0) || v >= m * (1.0 - m))
        return -1;
    double c = m * (1.0 - m) / v - 1.0;
    *a = m * c;
    *b = (1.0 - m) * c;
    return 0;
}

/* Mean log-likelihood statistics: the Beta is an exponential family, so the
 * likelihood depends on the samples only through mean ln x and mean ln(1-x). */
typedef struct beta_stats {
    double s1, s2;
} beta_stats;

/* Negative mean log-likelihood in (u, v) = (ln a, ln b): the log-parameters
 * keep a, b > 0 without constraints. */
static double beta_nll(const gsl_vector *p, void *params)
{
    const beta_stats *st = params;
    double a = exp(gsl_vector_get(p, 0)), b = exp(gsl_vector_get(p, 1));
    return -((a - 1.0) * st->s1 + (b - 1.0) * st->s2 - gsl_sf_lnbeta(a, b));
}

static void beta_nll_grad(const gsl_vector *p, void *params, gsl_vector *g)
{
    const beta_stats *st = params;
    double a = exp(gsl_vector_get(p, 0)), b = exp(gsl_vector_get(p, 1));
    double psab = gsl_sf_psi(a + b);
    gsl_vector_set(g, 0, -a * (st->s1 - gsl_sf_psi(a) + psab));
    gsl_vector_set(g, 1, -b * (st->s2 - gsl_sf_psi(b) + psab));
}

static void beta_nll_fdf(const gsl_vector *p, void *params, double *f, gsl_vector *g)
{
    *f = beta_nll(p, params);
    beta_nll_grad(p, params, g);
}

int ss_beta_fit_mle(const double *x, size_t n, double *a, double *b)
{
    if (n < 2)
        return -1;
    beta_stats st = {0.0, 0.0};
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0.0 && x[i] < 1.0))
            return -1;
        st.s1 += log(x[i]);
        st.s2 += log1p(-x[i]);
    }
    st.s1 /= (double)n;
    st.s2 /= (double)n;
    double a0 = 1.0, b0 = 1.0;
    if (ss_beta_fit_moments(x, n, &a0, &b0))
        return -1; /* zero variance: the MLE diverges */

    /* GSL errors must not abort the process: the handler is process-wide, so
     * restore whatever was installed. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_multimin_function_fdf fn = {beta_nll, beta_nll_grad, beta_nll_fdf, 2, &st};
    gsl_vector *p = gsl_vector_alloc(2);
    gsl_vector_set(p, 0, log(a0));
    gsl_vector_set(p, 1, log(b0));
    gsl_multimin_fdfminimizer *m =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, 2);
    gsl_multimin_fdfminimizer_set(m, &fn, p, 0.1, 0.1);
    int status = GSL_CONTINUE;
    for (int it = 0; it < 500 && status == GSL_CONTINUE; it++) {
        if (gsl_multimin_fdfminimizer_iterate(m))
            break;
        status = gsl_multimin_test_gradient(m->gradient, 1e-9);
    }
    /* A stalled iterate at a point with a tiny gradient is still an optimum. */
    if (status != GSL_SUCCESS && gsl_multimin_test_gradient(m->gradient, 1e-6) == GSL_SUCCESS)
        status = GSL_SUCCESS;
    double ra = exp(gsl_vector_get(m->x, 0)), rb = exp(gsl_vector_get(m->x, 1));
    gsl_multimin_fdfminimizer_free(m);
    gsl_vector_free(p);
    gsl_set_error_handler(old);
    if (status != GSL_SUCCESS || !isfinite(ra) || !isfinite(rb))
        return -1;
    *a = ra;
    *b = rb;
    return 0;
}

/* Below this many multi-instance bursts the MLE is too noisy: method of moments. */
#define MLE_MIN_BURSTS 5

void ss_interrupt_fit_log(const ss_burst *b, size_t n, double exposure_hours,
                          double observed_hours, ss_interrupt_fit *out)
{
    *out = (ss_interrupt_fit){0};
    double *x = ss_malloc((n ? n : 1) * sizeof *x);
    size_t nx = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].interrupted <= 1)
            out->n_single++;
        else
            x[nx++] = b[i].frac;
    }
    out->n_multi = (int)nx;
    if (exposure_hours > 0.0)
        out->hazard_per_hour = (double)out->n_single / exposure_hours;
    if (observed_hours > 0.0)
        out->burst_rate_per_hour = (double)nx / observed_hours;
    /* Fractions of 1 (whole pool lost) are common and outside the Beta's open
     * support: squeeze into (0, 1) with x' = (x (n-1) + 1/2) / n (Smithson &
     * Verkuilen 2006), which moves the data by at most 1/(2n). */
    for (size_t i = 0; i < nx; i++)
        x[i] = (x[i] * (double)(nx - 1) + 0.5) / (double)nx;
    if (nx >= MLE_MIN_BURSTS && ss_beta_fit_mle(x, nx, &out->beta_a, &out->beta_b) == 0)
        out->beta_mle = true;
    else if (ss_beta_fit_moments(x, nx, &out->beta_a, &out->beta_b) != 0)
        out->beta_a = out->beta_b = 0.0;
    free(x);
}

int ss_trace_meaning_parse(const char *s, ss_trace_meaning *out)
{
    static const char *names[] = {"available-count", "preempted-flag", "available-flag"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, names[i])) {
            *out = (ss_trace_meaning)i;
            return 0;
        }
    return -1;
}

static int trace_capacity(ss_trace_meaning m, int v)
{
    switch (m) {
    case SS_TRACE_AVAILABLE_COUNT:
        return v < 0 ? 0 : v;
    case SS_TRACE_PREEMPTED_FLAG:
        return v == 1 ? 0 : -1;
    case SS_TRACE_AVAILABLE_FLAG:
    default:
        return v == 0 ? 0 : -1;
    }
}

size_t ss_capacity_trace_points(ss_trace_meaning m, const ss_time *t, const int *v, size_t n,
                                ss_time end, ss_time **cap_t, int **cap_value)
{
    *cap_t = NULL;
    *cap_value = NULL;
    if (n == 0)
        return 0;
    size_t k = 0, cap1 = 0, cap2 = 0;
    for (size_t i = 0; i < n; i++) {
        int c = trace_capacity(m, v[i]);
        if (k > 0 && (*cap_value)[k - 1] == c)
            continue;
        SS_GROW(*cap_t, cap1, k + 1);
        SS_GROW(*cap_value, cap2, k + 1);
        (*cap_t)[k] = t[i];
        (*cap_value)[k] = c;
        k++;
    }
    if (end > t[n - 1] && (*cap_value)[k - 1] != -1) {
        SS_GROW(*cap_t, cap1, k + 1);
        SS_GROW(*cap_value, cap2, k + 1);
        (*cap_t)[k] = end;
        (*cap_value)[k] = -1;
        k++;
    }
    return k;
}
