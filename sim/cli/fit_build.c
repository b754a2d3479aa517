/*
 * fit_build.c - `spotsim fit` as a library step: evidence in, a named model
 * and a plain-language report out (docs/fit.md). The estimators are the pure
 * functions of models/fit_model.h and models/interrupt.h; this file decides
 * what is fitted, what is too thin to fit, and says so.
 */
#include "sim/cli/fit_build.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>

#include "models/interrupt.h"
#include "sim/kernel/rng.h"

void ss_fit_output_free(ss_fit_output *o)
{
    free(o->report.s);
    for (size_t i = 0; i < o->n_qq; i++) {
        free(o->qq[i].model_q);
        free(o->qq[i].data_q);
    }
    free(o->qq);
    free(o->source_json);
    memset(o, 0, sizeof *o);
}

static void fit_pool(const ss_fit_evidence_pool *e, ss_time window, ss_fit_pool *p,
                     ss_fit_output *o)
{
    ss_buf *r = &o->report;
    memset(p, 0, sizeof *p);
    snprintf(p->instance_type, sizeof p->instance_type, "%s", e->instance_type);
    snprintf(p->zone, sizeof p->zone, "%s", e->zone);
    p->interruptions = e->interruptions;
    p->exposure_hours = e->exposure_hours;
    p->observed_hours = e->observed_hours;
    ss_fit_poisson_ci(e->interruptions, e->exposure_hours, 0.95, &p->rate_per_hour, &p->rate_lo,
                      &p->rate_hi);
    p->thin = e->interruptions < SS_FIT_MIN_EVENTS;

    /* model (c): bursts of the pool's notices */
    ss_burst *b = NULL;
    size_t nb = ss_interrupt_group_bursts(e->notice, e->n_notice, e->launch, e->end, e->n_inst,
                                          window, &b);
    ss_interrupt_fit f;
    ss_interrupt_fit_log(b, nb, e->exposure_hours, e->observed_hours, &f);
    p->hazard_per_hour = f.hazard_per_hour;
    p->burst_rate_per_hour = f.burst_rate_per_hour;
    p->beta_a = f.beta_a > 0 ? f.beta_a : NAN;
    p->beta_b = f.beta_b > 0 ? f.beta_b : NAN;
    p->n_single = f.n_single;
    p->n_multi = f.n_multi;
    double fs = 0;
    for (size_t i = 0; i < nb; i++)
        if (b[i].interrupted > 1)
            fs += b[i].frac;
    p->mean_burst_frac = f.n_multi ? fs / f.n_multi : NAN;
    free(b);

    /* lifetimes */
    p->lifetimes = (long)e->n_life;
    for (size_t i = 0; i < e->n_life; i++)
        p->lifetime_events += e->life_event[i];
    p->km_median_hours = p->weibull_k = p->weibull_lambda_hours = NAN;
    p->k_lo = p->k_hi = p->lambda_lo = p->lambda_hi = p->ks_d = p->ks_crit = NAN;
    ss_km km;
    ss_km_estimate(e->life, e->life_event, e->n_life, &km);
    p->km_median_hours = ss_km_median(&km);
    ss_weibull wb;
    ss_err werr;
    bool wb_ok = p->lifetime_events >= SS_FIT_MIN_WEIBULL &&
                 ss_weibull_fit(e->life, e->life_event, e->n_life, &wb, &werr) == 0;
    if (wb_ok) {
        p->weibull_k = wb.k;
        p->weibull_lambda_hours = wb.lambda;
        if (ss_weibull_ci(e->life, e->life_event, e->n_life, wb.k, wb.lambda, 0.95, &p->k_lo,
                          &p->k_hi, &p->lambda_lo, &p->lambda_hi))
            p->k_lo = p->k_hi = p->lambda_lo = p->lambda_hi = NAN;
        p->ks_d = ss_fit_ks_km_weibull(km.t, km.s, km.n, wb.k, wb.lambda);
        p->ks_crit = 1.36 / sqrt((double)p->lifetime_events);
        ss_fit_qq q = {0};
        snprintf(q.label, sizeof q.label, "%s %s", p->instance_type, p->zone);
        q.model_q = ss_malloc((km.n ? km.n : 1) * sizeof *q.model_q);
        q.data_q = ss_malloc((km.n ? km.n : 1) * sizeof *q.data_q);
        q.n = ss_fit_qq_weibull(km.t, km.s, km.n, wb.k, wb.lambda, q.model_q, q.data_q);
        o->qq = ss_realloc(o->qq, (o->n_qq + 1) * sizeof *o->qq);
        o->qq[o->n_qq++] = q;
    }

    /* report */
    ss_buf_printf(r, "\n%s %s\n", p->instance_type, p->zone);
    ss_buf_printf(r, "  rate            %ld interruptions / %.1f instance-hours = %.3f per 1,000 h"
                     "  95%% [%.3f, %.3f] (exact Poisson)\n",
                  p->interruptions, p->exposure_hours, 1000 * p->rate_per_hour,
                  1000 * p->rate_lo, 1000 * p->rate_hi);
    if (p->thin)
        ss_buf_printf(r, "  TOO THIN        fewer than %d interruptions: the rate above is all"
                         " the data says; do not read a lifetime law or bursts into it\n",
                      SS_FIT_MIN_EVENTS);
    ss_buf_printf(r, "  bursts (%.0f min) %d single interruptions -> hazard %.3f per 1,000 h;"
                     " %d multi-instance bursts -> %.3f per day",
                  (double)window / (double)SS_MINUTE, p->n_single, 1000 * p->hazard_per_hour,
                  p->n_multi, 24 * p->burst_rate_per_hour);
    if (p->n_multi > 0)
        ss_buf_printf(r, ", mean share of the pool hit %.0f %%", 100 * p->mean_burst_frac);
    if (p->beta_a > 0)
        ss_buf_printf(r, ", Beta(%.2f, %.2f)", p->beta_a, p->beta_b);
    ss_buf_printf(r, "\n  lifetimes       %ld launched in the window, %ld interrupted; KM median ",
                  p->lifetimes, p->lifetime_events);
    if (isnan(p->km_median_hours))
        ss_buf_printf(r, "not reached");
    else
        ss_buf_printf(r, "%.2f h", p->km_median_hours);
    ss_buf_printf(r, "\n");
    if (wb_ok) {
        ss_buf_printf(r, "  Weibull         k %.3f [%.3f, %.3f], lambda %.2f h [%.2f, %.2f] (95 %%,"
                         " Wald)\n",
                      p->weibull_k, p->k_lo, p->k_hi, p->weibull_lambda_hours, p->lambda_lo,
                      p->lambda_hi);
        ss_buf_printf(r, "  goodness of fit KS distance KM vs Weibull %.3f (5 %% critical value"
                         " ~%.3f): %s\n",
                      p->ks_d, p->ks_crit,
                      p->ks_d <= p->ks_crit ? "consistent with a Weibull"
                                            : "NOT a Weibull; the Q-Q chart shows where");
    } else if (p->lifetime_events < SS_FIT_MIN_WEIBULL) {
        ss_buf_printf(r, "  Weibull         not fitted: %ld interrupted lifetimes (need %d)\n",
                      p->lifetime_events, SS_FIT_MIN_WEIBULL);
    } else {
        ss_buf_printf(r, "  Weibull         not fitted: %s\n", werr.msg);
    }
    ss_km_free(&km);
}

static void correlation(const ss_fit_evidence *ev, ss_buf *r)
{
    bool any = false;
    for (size_t i = 0; i < ev->n_pools; i++)
        for (size_t j = i + 1; j < ev->n_pools; j++) {
            const ss_fit_evidence_pool *a = &ev->pools[i], *b = &ev->pools[j];
            if (!a->n_hourly || a->n_hourly != b->n_hourly || a->n_notice == 0 ||
                b->n_notice == 0)
                continue;
            if (!any)
                ss_buf_printf(r, "\nCorrelation of hourly interruption counts between pools"
                                 " (Pearson):\n");
            any = true;
            ss_buf_printf(r, "  %s %s ~ %s %s: %.3f\n", a->instance_type, a->zone,
                          b->instance_type, b->zone,
                          ss_fit_pearson(a->hourly, b->hourly, a->n_hourly));
        }
    if (!any && ev->n_pools > 1)
        ss_buf_printf(r, "\nCorrelation between pools: fewer than two pools with interruptions"
                         " in the window\n");
}

static void seasonality(const ss_fit_evidence *ev, ss_buf *r)
{
    double c[24] = {0}, x[24] = {0}, dc[7] = {0}, dx[7] = {0};
    for (size_t i = 0; i < ev->n_pools; i++) {
        for (int h = 0; h < 24; h++) {
            c[h] += ev->pools[i].hour_count[h];
            x[h] += ev->pools[i].hour_exposure[h];
        }
        for (int d = 0; d < 7; d++) {
            dc[d] += ev->pools[i].dow_count[d];
            dx[d] += ev->pools[i].dow_exposure[d];
        }
    }
    /* the span the inventory covers: a weekly pattern needs several weeks */
    ss_time lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < ev->n_pools; i++) {
        const ss_fit_evidence_pool *p = &ev->pools[i];
        for (size_t k = 0; k < p->n_inst; k++) {
            ss_time a = p->launch[k] < ev->from ? ev->from : p->launch[k];
            ss_time b = p->end[k] > ev->to ? ev->to : p->end[k];
            if (a < lo)
                lo = a;
            if (b > hi)
                hi = b;
        }
    }
    double weeks = hi > lo ? (double)(hi - lo) / (double)(7 * SS_DAY) : 0.0;
    static const char *const what[] = {"Time of day", "Day of week"};
    static const char *const unit[] = {"UTC hour", "UTC day of the week"};
    static const char *const of[] = {"the hour of day", "the day of the week"};
    for (int k = 0; k < 2; k++) {
        if (k == 1 && weeks < 4.0) {
            ss_buf_printf(r, "Day of week: too short to test (the inventory covers %.1f weeks; with"
                             " fewer than 4 a weekly pattern cannot be told from day-to-day"
                             " change)\n",
                          weeks);
            continue;
        }
        double stat;
        int dof;
        bool enough;
        double p = k == 0 ? ss_fit_rate_chisq(c, x, 24, &stat, &dof, &enough)
                          : ss_fit_rate_chisq(dc, dx, 7, &stat, &dof, &enough);
        if (!enough) {
            ss_buf_printf(r, "%s%s: too thin to test (a %s with exposure expects fewer than 5"
                             " interruptions under a constant rate, or only one has exposure)\n",
                          k == 0 ? "\n" : "", what[k], unit[k]);
            continue;
        }
        ss_buf_printf(r, "%s%s: chi-square %.1f on %d dof, p = %.3g: ", k == 0 ? "\n" : "",
                      what[k], stat, dof, p);
        if (p < 0.05)
            ss_buf_printf(r, "the rate depends on %s (the generator ignores this; see docs/fit.md"
                             " Limits)\n",
                          of[k]);
        else
            ss_buf_printf(r, "no evidence that the rate depends on %s\n", of[k]);
    }
}

/* The largest set of traces sharing (start, gap), one per zone. */
static size_t pick_traces(const ss_fit_evidence *ev, size_t *pick)
{
    size_t best = 0;
    long best_len = -1;
    for (size_t i = 0; i < ev->n_traces; i++) {
        size_t n = 0;
        long len = (long)ev->traces[i].n;
        size_t tmp[SS_MAX_ZONES];
        for (size_t j = 0; j < ev->n_traces && n < SS_MAX_ZONES; j++) {
            const ss_fit_trace *a = &ev->traces[i], *b = &ev->traces[j];
            if (a->start != b->start || a->gap != b->gap)
                continue;
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= !strcmp(ev->traces[tmp[k]].zone, b->zone) &&
                       !strcmp(ev->traces[tmp[k]].instance_type, b->instance_type);
            if (dup)
                continue;
            tmp[n++] = j;
            if ((long)b->n < len)
                len = (long)b->n;
        }
        if (n > best || (n == best && len > best_len)) {
            best = n;
            best_len = len;
            memcpy(pick, tmp, n * sizeof *pick);
        }
    }
    return best;
}

static int fit_capacity(const ss_fit_evidence *ev, ss_fit_model *m, ss_buf *r, json_t *used,
                        ss_err *err)
{
    size_t pick[SS_MAX_ZONES];
    size_t nz = pick_traces(ev, pick);
    if (nz == 0)
        return 0;
    long steps = LONG_MAX;
    const uint8_t *down[SS_MAX_ZONES];
    const int *level[SS_MAX_ZONES];
    int *own[SS_MAX_ZONES] = {NULL};
    for (size_t z = 0; z < nz; z++) {
        const ss_fit_trace *t = &ev->traces[pick[z]];
        if ((long)t->n < steps)
            steps = (long)t->n;
        down[z] = t->down;
        level[z] = t->level;
        if (!t->level) { /* on/off evidence only: 0 when down, else unlimited */
            own[z] = ss_malloc((t->n ? t->n : 1) * sizeof **own);
            for (size_t i = 0; i < t->n; i++)
                own[z][i] = t->down[i] ? 0 : -1;
            level[z] = own[z];
        }
    }
    const ss_fit_trace *t0 = &ev->traces[pick[0]];
    int frc = ss_cap_fit_levels((int)nz, level, steps, t0->gap, &m->cap, err);
    for (size_t z = 0; z < nz; z++)
        free(own[z]);
    if (frc)
        return -1;
    m->has_capacity = true;
    for (size_t z = 0; z < nz; z++) {
        const ss_fit_trace *t = &ev->traces[pick[z]];
        snprintf(m->cap.zone[z], sizeof m->cap.zone[z], "%s", t->zone);
        snprintf(m->cap.instance_type[z], sizeof m->cap.instance_type[z], "%s", t->instance_type);
        json_t *o = json_object();
        json_object_set_new(o, "zone", json_string(t->zone));
        json_object_set_new(o, "instance_type", json_string(t->instance_type));
        json_object_set_new(o, "start_ms", json_integer(t->start));
        json_object_set_new(o, "gap_ms", json_integer(t->gap));
        json_object_set_new(o, "samples", json_integer(steps));
        json_array_append_new(used, o);
    }
    const ss_cap_model *c = &m->cap;
    double hours = (double)steps * (double)c->step / (double)SS_HOUR;
    char a[SS_TIME_BUFLEN];
    int max_level = -1;
    for (int s = 0; s < c->n_states; s++)
        for (int z = 0; z < c->n_zones; z++)
            if (c->st[s].level[z] > max_level)
                max_level = c->st[s].level[z];
    /* flag traces: on/off (unlimited when on); count traces: the levels */
    char lv_txt[64] = "on/off over";
    if (max_level >= 0)
        snprintf(lv_txt, sizeof lv_txt, "over capacity levels 0..%d of", max_level);
    ss_buf_printf(r, "\nCapacity process (joint semi-Markov %s %zu zone%s; %ld samples"
                     " of %.0f s from %s, %.1f days; %d joint states seen):\n",
                  lv_txt, nz, nz == 1 ? "" : "s", steps, (double)c->step / 1000.0,
                  ss_time_format(t0->start, a), hours / 24.0, c->n_states);
    double indep_all = 1.0;
    bool thin = false;
    for (int z = 0; z < c->n_zones; z++) {
        ss_buf_printf(r, "  %-14s %-12s no capacity %5.1f %% of the time, %ld outages, mean %s",
                      c->zone[z], c->instance_type[z], 100 * c->frac_down[z], c->outages[z],
                      c->outages[z] ? "" : "-");
        if (c->outages[z])
            ss_buf_printf(r, "%.2f h", c->mean_outage_steps[z] * (double)c->step /
                                           (double)SS_HOUR);
        ss_buf_printf(r, "%s\n", c->outages[z] < SS_FIT_MIN_OUTAGES ? "  (TOO THIN: fewer than 3"
                                                                      " outages)"
                                                                    : "");
        thin |= c->outages[z] < SS_FIT_MIN_OUTAGES;
        indep_all *= c->frac_down[z];
    }
    if (c->n_zones > 1) {
        ss_buf_printf(r, "  all %d zones out together %.2f %% of the time (%.2f %% if they were"
                         " independent)\n",
                      c->n_zones, 100 * c->frac_all_down, 100 * indep_all);
        /* pairwise correlation of the out-of-capacity indicators (phi) */
        double *x = ss_malloc((size_t)steps * sizeof *x), *y = ss_malloc((size_t)steps * sizeof *y);
        ss_buf_printf(r, "  correlation of no-capacity between zones (phi):");
        for (size_t za = 0; za < nz; za++)
            for (size_t zb = za + 1; zb < nz; zb++) {
                for (long i = 0; i < steps; i++) {
                    x[i] = down[za][i];
                    y[i] = down[zb][i];
                }
                ss_buf_printf(r, " %s~%s %.2f", m->cap.zone[za], m->cap.zone[zb],
                              ss_fit_pearson(x, y, (size_t)steps));
            }
        ss_buf_printf(r, "\n");
        free(x);
        free(y);
    }
    if (thin)
        ss_buf_printf(r, "  The process is fitted, but a zone with fewer than %d outages gives"
                         " little evidence of how long outages last.\n",
                      SS_FIT_MIN_OUTAGES);
    size_t others = ev->n_traces - nz;
    if (others)
        ss_buf_printf(r, "  %zu other trace%s (another start or sample period) not in this"
                         " process: select them with --zones/--types/--from/--to.\n",
                      others, others == 1 ? "" : "s");
    return 0;
}

int ss_fit_build(const ss_fit_evidence *ev, const char *name, ss_time burst_window,
                 ss_fit_model *out, ss_fit_output *o, ss_err *err)
{
    memset(out, 0, sizeof *out);
    memset(o, 0, sizeof *o);
    snprintf(out->name, sizeof out->name, "%s", name);
    out->from = ev->from;
    out->to = ev->to;
    out->burst_window = burst_window;
    ss_buf *r = &o->report;
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    ss_buf_printf(r, "model %s: evidence %s .. %s\n", name, ss_time_format(ev->from, a),
                  ss_time_format(ev->to, b));
    out->pools = ss_calloc(ev->n_pools ? ev->n_pools : 1, sizeof *out->pools);
    for (size_t i = 0; i < ev->n_pools; i++)
        fit_pool(&ev->pools[i], burst_window, &out->pools[out->n_pools++], o);
    if (ev->n_pools == 0)
        ss_buf_printf(r, "\nNo interruption evidence (spot inventory or notices) in the window:"
                         " no interruption model.\n");
    else {
        correlation(ev, r);
        seasonality(ev, r);
    }
    json_t *src = json_object();
    json_object_set_new(src, "from_ms", json_integer(ev->from));
    json_object_set_new(src, "to_ms", json_integer(ev->to));
    json_t *pools = json_array();
    for (size_t i = 0; i < ev->n_pools; i++) {
        json_t *x = json_object();
        json_object_set_new(x, "instance_type", json_string(ev->pools[i].instance_type));
        json_object_set_new(x, "zone", json_string(ev->pools[i].zone));
        json_object_set_new(x, "instances", json_integer((json_int_t)ev->pools[i].n_inst));
        json_object_set_new(x, "notices", json_integer((json_int_t)ev->pools[i].n_notice));
        json_array_append_new(pools, x);
    }
    json_object_set_new(src, "log_pools", pools);
    json_t *used = json_array();
    int rc = fit_capacity(ev, out, r, used, err);
    json_object_set_new(src, "traces", used);
    /* Q-Q points, for the report's chart */
    json_t *qq = json_array();
    for (size_t i = 0; i < o->n_qq; i++) {
        json_t *x = json_object(), *mq = json_array(), *dq = json_array();
        json_object_set_new(x, "label", json_string(o->qq[i].label));
        for (size_t k = 0; k < o->qq[i].n; k++) {
            json_array_append_new(mq, json_real(o->qq[i].model_q[k]));
            json_array_append_new(dq, json_real(o->qq[i].data_q[k]));
        }
        json_object_set_new(x, "model_hours", mq);
        json_object_set_new(x, "data_hours", dq);
        json_array_append_new(qq, x);
    }
    json_object_set_new(src, "qq", qq);
    json_t *prov = json_loads(ev->provenance_json ? ev->provenance_json : "[]", 0, NULL);
    json_object_set_new(src, "files", prov ? prov : json_array());
    char *txt = json_dumps(src, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(src);
    o->source_json = ss_strdup(txt ? txt : "{}");
    free(txt);
    if (ev->n_traces == 0)
        ss_buf_printf(r, "\nNo capacity trace in the window: no capacity process.\n");
    if (rc) {
        ss_fit_model_free(out);
        return -1;
    }
    return 0;
}

/* Smallest k with P(Poisson(mu) <= k) >= p. */
static long poisson_quantile(double mu, double p)
{
    if (!(mu > 0))
        return 0;
    long k = 0;
    while (gsl_cdf_poisson_P((unsigned)k, mu) < p && k < 100000000L)
        k++;
    return k;
}

typedef struct hold_rle {
    uint32_t *s;
    long *len;
    size_t n, cap1, cap2;
    ss_time last_t, step;
} hold_rle;

static void hold_collect(void *ctx, ss_time t, uint32_t down)
{
    hold_rle *r = ctx;
    if (r->n > 0)
        r->len[r->n - 1] = (long)((t - r->last_t) / r->step);
    SS_GROW(r->s, r->cap1, r->n + 1);
    SS_GROW(r->len, r->cap2, r->n + 1);
    r->s[r->n] = down;
    r->len[r->n++] = 0;
    r->last_t = t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void range_of(double *v, int n, double *lo, double *hi)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[k++] = v[i];
    if (k == 0) {
        *lo = *hi = NAN;
        return;
    }
    qsort(v, (size_t)k, sizeof *v, cmp_double);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)k, 0.025);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, (size_t)k, 0.975);
}

static void check_line(ss_buf *r, const char *what, double real, double lo, double hi, double scale,
                       const char *unit, int *checks, int *covered)
{
    bool in = real >= lo && real <= hi;
    (*checks)++;
    *covered += in;
    ss_buf_printf(r, "  %-44s realized %8.3f%s, predicted 95%% [%.3f, %.3f]%s: %s\n", what,
                  real * scale, unit, lo * scale, hi * scale, unit, in ? "inside" : "OUTSIDE");
}

void ss_fit_holdout(const ss_fit_model *m, const ss_fit_evidence *hold, uint64_t seed, int paths,
                    ss_buf *r, int *checks, int *covered)
{
    *checks = *covered = 0;
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    ss_buf_printf(r, "\nHold-out %s .. %s: the model against what followed\n",
                  ss_time_format(hold->from, a), ss_time_format(hold->to, b));
    for (size_t i = 0; i < m->n_pools; i++) {
        const ss_fit_pool *p = &m->pools[i];
        const ss_fit_evidence_pool *h = NULL;
        for (size_t k = 0; k < hold->n_pools; k++)
            if (!strcmp(hold->pools[k].instance_type, p->instance_type) &&
                !strcmp(hold->pools[k].zone, p->zone))
                h = &hold->pools[k];
        if (!h || !(h->exposure_hours > 0) || isnan(p->rate_lo)) {
            ss_buf_printf(r, "  %s %s: no exposure in the hold-out, nothing to check\n",
                          p->instance_type, p->zone);
            continue;
        }
        long lo = poisson_quantile(p->rate_lo * h->exposure_hours, 0.025);
        long hi = poisson_quantile(p->rate_hi * h->exposure_hours, 0.975);
        char what[160];
        snprintf(what, sizeof what, "%s %s interruptions in %.0f inst.-h", p->instance_type,
                 p->zone, h->exposure_hours);
        check_line(r, what, (double)h->interruptions, (double)lo, (double)hi, 1.0, "", checks,
                   covered);
    }
    if (!m->has_capacity)
        return;
    const ss_cap_model *c = &m->cap;
    const ss_fit_trace *tr[SS_MAX_ZONES];
    long steps = LONG_MAX;
    for (int z = 0; z < c->n_zones; z++) {
        tr[z] = NULL;
        for (size_t k = 0; k < hold->n_traces; k++) {
            const ss_fit_trace *t = &hold->traces[k];
            if (!strcmp(t->zone, c->zone[z]) && !strcmp(t->instance_type, c->instance_type[z]) &&
                t->gap == c->step && (z == 0 || !tr[0] || t->start == tr[0]->start)) {
                tr[z] = t;
                break;
            }
        }
        if (!tr[z]) {
            ss_buf_printf(r, "  capacity: no hold-out trace of %s %s on the model's grid, nothing"
                             " to check\n",
                          c->instance_type[z], c->zone[z]);
            return;
        }
        if ((long)tr[z]->n < steps)
            steps = (long)tr[z]->n;
    }
    /* realized */
    uint32_t *rs = ss_malloc((size_t)steps * sizeof *rs);
    long *rl = ss_malloc((size_t)steps * sizeof *rl);
    for (long i = 0; i < steps; i++) {
        rs[i] = 0;
        rl[i] = 1;
        for (int z = 0; z < c->n_zones; z++)
            if (tr[z]->down[i])
                rs[i] |= 1u << z;
    }
    ss_cap_marginals real;
    ss_cap_marginals_of(c->n_zones, rs, rl, (size_t)steps, &real);
    free(rs);
    free(rl);
    /* predicted */
    int nz = c->n_zones;
    double *fd = ss_malloc((size_t)(paths * nz) * sizeof *fd);
    double *mo = ss_malloc((size_t)(paths * nz) * sizeof *mo);
    double *al = ss_malloc((size_t)paths * sizeof *al);
    ss_time end = (ss_time)steps * c->step;
    for (int pth = 0; pth < paths; pth++) {
        gsl_rng *g = ss_rng_new(seed, (uint64_t)pth, SS_RNG_CAPACITY_MODEL);
        hold_rle h = {0};
        h.step = c->step;
        ss_cap_generate(c, g, 0, end, hold_collect, &h);
        ss_rng_free(g);
        if (h.n > 0)
            h.len[h.n - 1] = (long)((end - h.last_t) / c->step);
        ss_cap_marginals gm;
        ss_cap_marginals_of(nz, h.s, h.len, h.n, &gm);
        for (int z = 0; z < nz; z++) {
            fd[z * paths + pth] = gm.frac_down[z];
            mo[z * paths + pth] = gm.mean_outage_steps[z];
        }
        al[pth] = gm.frac_all_down;
        free(h.s);
        free(h.len);
    }
    double hours_per_step = (double)c->step / (double)SS_HOUR;
    ss_buf_printf(r, "  capacity over %ld samples, %d generated paths:\n", steps, paths);
    for (int z = 0; z < nz; z++) {
        double lo, hi;
        char what[160];
        range_of(&fd[z * paths], paths, &lo, &hi);
        snprintf(what, sizeof what, "%s share of time without capacity", c->zone[z]);
        check_line(r, what, real.frac_down[z], lo, hi, 100.0, " %", checks, covered);
        range_of(&mo[z * paths], paths, &lo, &hi);
        snprintf(what, sizeof what, "%s mean outage", c->zone[z]);
        if (!isnan(real.mean_outage_steps[z]))
            check_line(r, what, real.mean_outage_steps[z], lo, hi, hours_per_step, " h", checks,
                       covered);
    }
    if (nz > 1) {
        double lo, hi;
        range_of(al, paths, &lo, &hi);
        check_line(r, "all zones out together", real.frac_all_down, lo, hi, 100.0, " %", checks,
                   covered);
    }
    free(fd);
    free(mo);
    free(al);
}

void ss_fit_write_qq_csv(const ss_fit_output *o, FILE *f)
{
    fprintf(f, "pool,model_quantile_hours,data_quantile_hours\n");
    for (size_t i = 0; i < o->n_qq; i++)
        for (size_t k = 0; k < o->qq[i].n; k++) {
            ss_csv_field(f, o->qq[i].label);
            fprintf(f, ",%.6g,%.6g\n", o->qq[i].model_q[k], o->qq[i].data_q[k]);
        }
}

int ss_fit_attach_scenario(ss_store *st, const ss_scenario *sc, ss_data *d, ss_fit_model **owned,
                           ss_err *err)
{
    *owned = NULL;
    if (sc->market.interruptions != SS_INTERRUPT_MODEL)
        return 0;
    char *json = NULL;
    if (ss_fit_store_load(st, sc->market.interrupt_model, &json, err))
        return -1;
    ss_fit_model *m = ss_malloc(sizeof *m);
    int rc = ss_fit_model_from_json(json, m, err);
    free(json);
    if (rc) {
        free(m);
        return ss_err_prefix(err, "market.interruptions: model '%s'", sc->market.interrupt_model),
               -1;
    }
    ss_fit_attach(m, d);
    *owned = m;
    return 0;
}
