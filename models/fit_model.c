/*
 * fit_model.c - estimators of `spotsim fit` (rate intervals, Weibull
 * intervals and goodness of fit, Q-Q points, correlation, seasonality) and
 * the JSON form of a fitted model. See fit_model.h and docs/fit.md.
 */
#include "models/fit_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

void ss_fit_poisson_ci(long k, double exposure, double conf, double *rate, double *lo, double *hi)
{
    if (!(exposure > 0.0) || k < 0) {
        *rate = *lo = *hi = NAN;
        return;
    }
    double a = (1.0 - conf) / 2.0;
    *rate = (double)k / exposure;
    *lo = k == 0 ? 0.0 : gsl_cdf_chisq_Pinv(a, 2.0 * (double)k) / (2.0 * exposure);
    *hi = gsl_cdf_chisq_Pinv(1.0 - a, 2.0 * (double)k + 2.0) / (2.0 * exposure);
}

double ss_weibull_cdf(double t, double k, double lambda)
{
    if (!(t > 0.0))
        return 0.0;
    return -expm1(-pow(t / lambda, k));
}

double ss_weibull_quantile(double p, double k, double lambda)
{
    return lambda * pow(-log1p(-p), 1.0 / k);
}

int ss_weibull_ci(const double *t, const int *event, size_t n, double k, double lambda,
                  double conf, double *k_lo, double *k_hi, double *l_lo, double *l_hi)
{
    /* Second derivatives of the log-likelihood in (u, v) = (ln k, ln lambda),
     * with lz = ln t - v, w = exp(k lz), d events:
     *   l_uu = k sum_E lz - k sum w lz - k^2 sum w lz^2
     *   l_uv = -k d + k^2 sum w lz + k sum w
     *   l_vv = -k^2 sum w                                                   */
    double d = 0, se = 0, sw = 0, swl = 0, swl2 = 0;
    double v = log(lambda);
    for (size_t i = 0; i < n; i++) {
        if (!(t[i] > 0.0))
            continue;
        double lz = log(t[i]) - v, w = exp(k * lz);
        if (event[i]) {
            d += 1;
            se += lz;
        }
        sw += w;
        swl += w * lz;
        swl2 += w * lz * lz;
    }
    double luu = k * se - k * swl - k * k * swl2;
    double luv = -k * d + k * k * swl + k * sw;
    double lvv = -k * k * sw;
    /* observed information I = -H; covariance = I^-1 */
    double i11 = -luu, i12 = -luv, i22 = -lvv;
    double det = i11 * i22 - i12 * i12;
    if (!(i11 > 0.0) || !(det > 0.0))
        return -1;
    double var_u = i22 / det, var_v = i11 / det;
    double z = gsl_cdf_ugaussian_Pinv(0.5 + conf / 2.0);
    double u = log(k);
    *k_lo = exp(u - z * sqrt(var_u));
    *k_hi = exp(u + z * sqrt(var_u));
    *l_lo = exp(v - z * sqrt(var_v));
    *l_hi = exp(v + z * sqrt(var_v));
    return 0;
}

double ss_fit_ks_km_weibull(const double *t, const double *s, size_t n, double k, double lambda)
{
    double dmax = 0.0, prev = 1.0;
    for (size_t i = 0; i < n; i++) {
        double f = ss_weibull_cdf(t[i], k, lambda);
        double before = fabs((1.0 - prev) - f), after = fabs((1.0 - s[i]) - f);
        if (before > dmax)
            dmax = before;
        if (after > dmax)
            dmax = after;
        prev = s[i];
    }
    return dmax;
}

size_t ss_fit_qq_weibull(const double *t, const double *s, size_t n, double k, double lambda,
                         double *model_q, double *data_q)
{
    size_t m = 0;
    double prev = 1.0;
    for (size_t i = 0; i < n; i++) {
        double p = 1.0 - (prev + s[i]) / 2.0;
        prev = s[i];
        if (!(p > 0.0 && p < 1.0))
            continue;
        model_q[m] = ss_weibull_quantile(p, k, lambda);
        data_q[m] = t[i];
        m++;
    }
    return m;
}

double ss_fit_pearson(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (!(sxx > 0.0) || !(syy > 0.0))
        return NAN;
    return sxy / sqrt(sxx * syy);
}

double ss_fit_rate_chisq(const double *count, const double *exposure, size_t nb, double *stat,
                         int *dof, bool *enough)
{
    double total = 0, texp = 0;
    int used = 0;
    for (size_t b = 0; b < nb; b++) {
        total += count[b];
        texp += exposure[b];
    }
    *stat = NAN;
    *dof = 0;
    *enough = false;
    if (!(texp > 0.0) || !(total > 0.0))
        return NAN;
    double x2 = 0;
    for (size_t b = 0; b < nb; b++) {
        if (!(exposure[b] > 0.0))
            continue;
        double e = total * exposure[b] / texp;
        if (e < 5.0)
            return NAN;
        x2 += (count[b] - e) * (count[b] - e) / e;
        used++;
    }
    if (used < 2)
        return NAN;
    *enough = true;
    *stat = x2;
    *dof = used - 1;
    return gsl_cdf_chisq_Q(x2, (double)*dof);
}

/* ---- model JSON ------------------------------------------------------------- */

void ss_fit_model_free(ss_fit_model *m)
{
    if (!m)
        return;
    free(m->pools);
    ss_cap_model_free(&m->cap);
    memset(m, 0, sizeof *m);
}

/* NaN is not JSON: null. */
static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static double get_num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

#define POOL_NUMS(X)                                                                               \
    X(exposure_hours) X(observed_hours) X(rate_per_hour) X(rate_lo) X(rate_hi)                     \
    X(hazard_per_hour) X(burst_rate_per_hour) X(beta_a) X(beta_b) X(mean_burst_frac)               \
    X(km_median_hours) X(weibull_k) X(weibull_lambda_hours) X(k_lo) X(k_hi) X(lambda_lo)           \
    X(lambda_hi) X(ks_d) X(ks_crit)

char *ss_fit_model_to_json(const ss_fit_model *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string("spotsim-fit-1"));
    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "from_ms", json_integer(m->from));
    json_object_set_new(o, "to_ms", json_integer(m->to));
    json_object_set_new(o, "burst_window_ms", json_integer(m->burst_window));
    json_t *pools = json_array();
    for (size_t i = 0; i < m->n_pools; i++) {
        const ss_fit_pool *p = &m->pools[i];
        json_t *x = json_object();
        json_object_set_new(x, "instance_type", json_string(p->instance_type));
        json_object_set_new(x, "zone", json_string(p->zone));
        json_object_set_new(x, "interruptions", json_integer(p->interruptions));
        json_object_set_new(x, "n_single", json_integer(p->n_single));
        json_object_set_new(x, "n_multi", json_integer(p->n_multi));
        json_object_set_new(x, "lifetimes", json_integer(p->lifetimes));
        json_object_set_new(x, "lifetime_events", json_integer(p->lifetime_events));
        json_object_set_new(x, "thin", json_boolean(p->thin));
#define X(f) json_object_set_new(x, #f, num(p->f));
        POOL_NUMS(X)
#undef X
        json_array_append_new(pools, x);
    }
    json_object_set_new(o, "pools", pools);
    if (m->has_capacity) {
        const ss_cap_model *c = &m->cap;
        json_t *x = json_object();
        json_t *zones = json_array();
        for (int z = 0; z < c->n_zones; z++) {
            json_t *zz = json_object();
            json_object_set_new(zz, "zone", json_string(c->zone[z]));
            json_object_set_new(zz, "instance_type", json_string(c->instance_type[z]));
            json_object_set_new(zz, "frac_down", num(c->frac_down[z]));
            json_object_set_new(zz, "mean_outage_steps", num(c->mean_outage_steps[z]));
            json_object_set_new(zz, "outages", json_integer(c->outages[z]));
            json_array_append_new(zones, zz);
        }
        json_object_set_new(x, "zones", zones);
        json_object_set_new(x, "step_ms", json_integer(c->step));
        json_object_set_new(x, "steps", json_integer(c->steps));
        json_object_set_new(x, "frac_all_down", num(c->frac_all_down));
        json_t *states = json_array();
        for (int s = 0; s < c->n_states; s++) {
            const ss_cap_state *st = &c->st[s];
            json_t *sx = json_object();
            json_object_set_new(sx, "down", json_integer(st->down));
            json_t *lv = json_array();
            for (int z = 0; z < c->n_zones; z++)
                json_array_append_new(lv, json_integer(st->level[z]));
            json_object_set_new(sx, "level", lv);
            json_t *soj = json_array(), *next = json_array();
            for (size_t j = 0; j < st->n_soj; j++)
                json_array_append_new(soj, json_integer(st->soj[j]));
            for (int j = 0; j < c->n_states; j++)
                json_array_append_new(next, json_integer(st->next_count[j]));
            json_object_set_new(sx, "sojourns", soj);
            json_object_set_new(sx, "next", next);
            json_array_append_new(states, sx);
        }
        json_object_set_new(x, "states", states);
        json_object_set_new(o, "capacity", x);
    }
    char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    char *out = ss_strdup(txt);
    free(txt);
    return out;
}

static void copy_str(char *dst, size_t n, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    snprintf(dst, n, "%s", s ? s : "");
}

static int load_capacity(const json_t *x, ss_cap_model *c, ss_err *err)
{
    const json_t *zones = json_object_get(x, "zones"), *states = json_object_get(x, "states");
    if (!json_is_array(zones) || !json_is_array(states) || json_array_size(zones) < 1 ||
        json_array_size(zones) > SS_MAX_ZONES)
        return ss_err_set(err, "fitted model: capacity: expected 1..%d zones and a state list",
                          SS_MAX_ZONES);
    c->n_zones = (int)json_array_size(zones);
    for (int z = 0; z < c->n_zones; z++) {
        const json_t *zz = json_array_get(zones, (size_t)z);
        copy_str(c->zone[z], sizeof c->zone[z], zz, "zone");
        copy_str(c->instance_type[z], sizeof c->instance_type[z], zz, "instance_type");
        c->frac_down[z] = get_num(zz, "frac_down");
        c->mean_outage_steps[z] = get_num(zz, "mean_outage_steps");
        c->outages[z] = (long)json_integer_value(json_object_get(zz, "outages"));
    }
    c->step = (ss_time)json_integer_value(json_object_get(x, "step_ms"));
    c->steps = (long)json_integer_value(json_object_get(x, "steps"));
    c->frac_all_down = get_num(x, "frac_all_down");
    c->n_states = (int)json_array_size(states);
    c->st = ss_calloc((size_t)(c->n_states ? c->n_states : 1), sizeof *c->st);
    long total = 0;
    for (int s = 0; s < c->n_states; s++) {
        const json_t *sx = json_array_get(states, (size_t)s);
        ss_cap_state *st = &c->st[s];
        st->down = (uint32_t)json_integer_value(json_object_get(sx, "down"));
        /* levels (absent in an on/off model: 0 when down, else unlimited) */
        const json_t *lv = json_object_get(sx, "level");
        if (lv && (!json_is_array(lv) || json_array_size(lv) != (size_t)c->n_zones))
            return ss_err_set(err, "fitted model: capacity state %d: expected %d levels", s,
                              c->n_zones);
        for (int z = 0; z < SS_MAX_ZONES; z++) {
            json_int_t v = -1;
            if (z < c->n_zones && lv)
                v = json_integer_value(json_array_get(lv, (size_t)z));
            else if (z < c->n_zones)
                v = (st->down >> z) & 1u ? 0 : -1;
            if (v < -1 || v > 1000000)
                return ss_err_set(err, "fitted model: capacity state %d: level %lld", s,
                                  (long long)v);
            st->level[z] = (int)v;
        }
        if (lv) {
            uint32_t d = 0;
            for (int z = 0; z < c->n_zones; z++)
                if (st->level[z] == 0)
                    d |= 1u << z;
            if (d != st->down)
                return ss_err_set(err, "fitted model: capacity state %d: 'down' does not match"
                                       " the levels", s);
        }
        const json_t *soj = json_object_get(sx, "sojourns"), *next = json_object_get(sx, "next");
        if (!json_is_array(soj) || !json_is_array(next) ||
            json_array_size(next) != (size_t)c->n_states)
            return ss_err_set(err, "fitted model: capacity state %d: bad sojourns/next", s);
        st->n_soj = json_array_size(soj);
        st->soj = ss_malloc((st->n_soj ? st->n_soj : 1) * sizeof *st->soj);
        st->next_count = ss_malloc((size_t)c->n_states * sizeof *st->next_count);
        for (size_t j = 0; j < st->n_soj; j++) {
            json_int_t v = json_integer_value(json_array_get(soj, j));
            if (v < 1 || v > 0x7fffffff)
                return ss_err_set(err, "fitted model: capacity state %d: sojourn %lld", s,
                                  (long long)v);
            st->soj[j] = (int)v;
            st->time_steps += (double)v;
            total += (long)v;
        }
        for (int j = 0; j < c->n_states; j++)
            st->next_count[j] = (int)json_integer_value(json_array_get(next, (size_t)j));
    }
    if (c->step <= 0 || total != c->steps)
        return ss_err_set(err, "fitted model: capacity: step %lld ms and %ld steps do not match "
                               "the sojourns (%ld steps)",
                          (long long)c->step, c->steps, total);
    return 0;
}

int ss_fit_model_from_json(const char *text, ss_fit_model *out, ss_err *err)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loads(text, 0, &je);
    if (!o)
        return ss_err_set(err, "fitted model: bad JSON at line %d: %s", je.line, je.text);
    int rc = 0;
    const char *fmt = json_string_value(json_object_get(o, "format"));
    if (!fmt || strcmp(fmt, "spotsim-fit-1")) {
        rc = ss_err_set(err, "fitted model: unknown format '%s'", fmt ? fmt : "(none)");
        goto done;
    }
    copy_str(out->name, sizeof out->name, o, "name");
    out->from = (ss_time)json_integer_value(json_object_get(o, "from_ms"));
    out->to = (ss_time)json_integer_value(json_object_get(o, "to_ms"));
    out->burst_window = (ss_time)json_integer_value(json_object_get(o, "burst_window_ms"));
    const json_t *pools = json_object_get(o, "pools");
    out->n_pools = json_is_array(pools) ? json_array_size(pools) : 0;
    out->pools = ss_calloc(out->n_pools ? out->n_pools : 1, sizeof *out->pools);
    for (size_t i = 0; i < out->n_pools; i++) {
        const json_t *x = json_array_get(pools, i);
        ss_fit_pool *p = &out->pools[i];
        copy_str(p->instance_type, sizeof p->instance_type, x, "instance_type");
        copy_str(p->zone, sizeof p->zone, x, "zone");
        p->interruptions = (long)json_integer_value(json_object_get(x, "interruptions"));
        p->n_single = (int)json_integer_value(json_object_get(x, "n_single"));
        p->n_multi = (int)json_integer_value(json_object_get(x, "n_multi"));
        p->lifetimes = (long)json_integer_value(json_object_get(x, "lifetimes"));
        p->lifetime_events = (long)json_integer_value(json_object_get(x, "lifetime_events"));
        p->thin = json_is_true(json_object_get(x, "thin"));
#define X(f) p->f = get_num(x, #f);
        POOL_NUMS(X)
#undef X
    }
    const json_t *cap = json_object_get(o, "capacity");
    if (json_is_object(cap)) {
        out->has_capacity = true;
        rc = load_capacity(cap, &out->cap, err);
    }
done:
    json_decref(o);
    if (rc)
        ss_fit_model_free(out);
    return rc;
}
