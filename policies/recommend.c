/*
 * recommend.c - pick the cheapest candidate that meets the availability SLO
 * and explain the choice: cost, savings against all On-Demand, SLO margin,
 * the next cheaper candidate and why it fails, the cost floor, and which
 * parameters the objectives are most sensitive to.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "policies/baseline.h"
#include "policies/optimize.h"

static bool usable(const ss_opt_result *r, int i)
{
    if (r->c[i].failed)
        return false;
    for (int k = 0; k < r->cfg.replicas; k++)
        if (!r->c[i].done[k])
            return false;
    return true;
}

static void describe(const ss_opt_result *r, int i, ss_buf *b)
{
    for (int p = 0; p < r->space.n; p++) {
        char v[SS_NAME_MAX + 64];
        ss_space_value_text(&r->space, &r->c[i].c, p, v, sizeof v);
        ss_buf_printf(b, "    %s = %s\n", r->space.p[p].path, v);
    }
}

/* Why a rank correlation is undefined (printed instead of "nan"). */
typedef enum rho_why { RHO_OK = 0, RHO_TOO_FEW, RHO_NO_VARIATION, RHO_PARAM_FIXED } rho_why;

/* Spearman rank correlation of parameter p with metric m over the given
 * candidates; NAN (and *why says why) when fewer than 3 candidates, the
 * metric is constant (no variation) or the parameter is constant. */
static double rank_corr(const ss_opt_result *r, const int *idx, int n, int p, int m, double *range,
                        rho_why *why)
{
    *range = NAN;
    *why = RHO_TOO_FEW;
    if (n < 2)
        return NAN;
    double *x = ss_malloc(sizeof(double) * (size_t)n), *y = ss_malloc(sizeof(double) * (size_t)n);
    double *work = ss_malloc(sizeof(double) * 2 * (size_t)n);
    for (int k = 0; k < n; k++) {
        double v = ss_space_numeric(&r->space, &r->c[idx[k]].c, p);
        x[k] = isnan(v) ? r->c[idx[k]].c.x[p] : v; /* non-numeric values: level order */
        ss_summary s;
        ss_opt_summary(r, idx[k], m, &s);
        y[k] = s.mean;
    }
    /* range: spread of the objective's mean across the parameter's values */
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++) {
        double sum = 0;
        int cnt = 0;
        bool first = true;
        for (int j = 0; j < n; j++) {
            if (x[j] == x[k]) {
                if (j < k) {
                    first = false;
                    break;
                }
                sum += y[j];
                cnt++;
            }
        }
        if (!first || !cnt)
            continue;
        lo = fmin(lo, sum / cnt);
        hi = fmax(hi, sum / cnt);
    }
    *range = hi - lo;
    double sx = gsl_stats_sd(x, 1, (size_t)n), sy = gsl_stats_sd(y, 1, (size_t)n);
    double rho = NAN;
    if (!(sy > 0))
        *why = RHO_NO_VARIATION;
    else if (!(sx > 0))
        *why = RHO_PARAM_FIXED;
    else if (n >= 3) {
        rho = gsl_stats_spearman(x, 1, y, 1, (size_t)n, work);
        *why = RHO_OK;
    }
    free(x);
    free(y);
    free(work);
    return rho;
}

/* rho as text: the number, or why there is none. */
static void rho_text(double rho, rho_why why, char *buf, size_t n)
{
    if (why == RHO_OK && !isnan(rho))
        snprintf(buf, n, "%6.3f", rho);
    else
        snprintf(buf, n, "%s",
                 why == RHO_NO_VARIATION  ? "no variation"
                 : why == RHO_PARAM_FIXED ? "param fixed"
                                          : "too few");
}

/* True when metric m has the same mean for every listed candidate. */
static bool constant_metric(const ss_opt_result *r, const int *idx, int n, int m, double *value)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++) {
        ss_summary s;
        ss_opt_summary(r, idx[k], m, &s);
        lo = fmin(lo, s.mean);
        hi = fmax(hi, s.mean);
    }
    *value = lo;
    return n > 0 && lo == hi;
}

int ss_recommend(const ss_opt_result *r, double slo, double cost_floor_usd_month,
                 ss_recommendation *out)
{
    return ss_recommend_with_baseline(r, slo, cost_floor_usd_month, NULL, NULL, out);
}

int ss_recommend_with_baseline(const ss_opt_result *r, double slo, double cost_floor_usd_month,
                               ss_baseline_fn bfn, void *bctx, ss_recommendation *out)
{
    memset(out, 0, sizeof *out);
    out->baseline_month = NAN;
    out->pick = out->next_cheaper = -1;
    out->slo = slo;
    int cm = r->obj_dir[0] < 0 ? r->obj_id[0] : ss_metric_lookup("cost_per_month_usd");
    int am = ss_metric_lookup("availability");
    for (int j = 1; j >= 0; j--) {
        const char *nm = r->cfg.objectives[j];
        if (!strcmp(nm, "availability") || !strcmp(nm, "served_fraction"))
            am = r->obj_id[j];
    }
    out->cost_metric = cm;
    out->slo_metric = am;
    const char *cname = ss_metric_table[cm].name, *aname = ss_metric_table[am].name;
    char stat[32];
    ss_statistic_format(&r->cfg.statistic, stat, sizeof stat);

    ss_summary *cs = ss_calloc((size_t)(r->n + 1), sizeof(ss_summary));
    ss_summary *as = ss_calloc((size_t)(r->n + 1), sizeof(ss_summary));
    int best_avail = -1;
    for (int i = 0; i < r->n; i++) {
        if (!usable(r, i))
            continue;
        ss_opt_summary(r, i, cm, &cs[i]);
        ss_opt_summary(r, i, am, &as[i]);
        if (as[i].value >= slo && (out->pick < 0 || cs[i].value < cs[out->pick].value))
            out->pick = i;
        if (best_avail < 0 || as[i].value > as[best_avail].value ||
            (as[i].value == as[best_avail].value && cs[i].value < cs[best_avail].value))
            best_avail = i;
    }
    ss_buf b = {0};
    if (out->pick < 0) {
        ss_buf_printf(&b, "No candidate meets the SLO: %s (%s) >= %.6g.\n", aname, stat, slo);
        if (best_avail >= 0) {
            ss_buf_printf(&b,
                          "The most available candidate is %d with %s %s = %.6g (short by %.6g) at "
                          "%.2f %s:\n",
                          best_avail, aname, stat, as[best_avail].value, slo - as[best_avail].value,
                          cs[best_avail].value, ss_metric_table[cm].unit);
            describe(r, best_avail, &b);
        } else {
            ss_buf_printf(&b, "No candidate was evaluated successfully.\n");
        }
        ss_buf_printf(
            &b, "Widen the search space (more On-Demand base, more instance types or zones) or "
                "relax the SLO.\n");
        out->text = b.s;
        free(cs);
        free(as);
        return -1;
    }
    int p = out->pick;
    ss_buf_printf(&b, "Recommended: candidate %d (the cheapest whose %s %s >= %.6g)\n", p, aname,
                  stat, slo);
    describe(r, p, &b);
    ss_buf_printf(&b, "  %s (%s): %.2f %s, 95%% interval [%.2f, %.2f] over %d replicas\n", cname,
                  stat, cs[p].value, ss_metric_table[cm].unit, cs[p].lo, cs[p].hi, cs[p].n);
    ss_summary cm_mean;
    ss_opt_summary(r, p, ss_metric_lookup("cost_per_month_usd"), &cm_mean);
    double od_month = NAN;
    ss_err berr;
    if (bfn && bfn(bctx, p, &od_month, &berr) == 0 && od_month > 0) {
        out->baseline_month = od_month;
        ss_buf_printf(&b, "  all On-Demand (" SS_BASELINE_DEFINITION "): %.2f USD/month; this saves %.2f "
                          "USD/month (%.1f%%)\n",
                      od_month, od_month - cm_mean.mean, 100.0 * (od_month - cm_mean.mean) / od_month);
    } else if (bfn) {
        ss_buf_printf(&b, "  all On-Demand: not simulated (%s)\n", berr.msg);
    }
    ss_buf_printf(&b, "  %s (%s): %.6g, 95%% interval [%.6g, %.6g]; margin over the SLO %+.6g\n",
                  aname, stat, as[p].value, as[p].lo, as[p].hi, as[p].value - slo);
    if (!isnan(cost_floor_usd_month) && cost_floor_usd_month > 0)
        ss_buf_printf(&b,
                      "  cost floor (perfect foresight): %.2f USD/month; the recommendation costs "
                      "%.1f%% more\n",
                      cost_floor_usd_month,
                      100.0 * (cm_mean.mean - cost_floor_usd_month) / cost_floor_usd_month);
    /* the next cheaper candidate: the most expensive of those cheaper than the pick */
    for (int i = 0; i < r->n; i++)
        if (usable(r, i) && cs[i].value < cs[p].value &&
            (out->next_cheaper < 0 || cs[i].value > cs[out->next_cheaper].value))
            out->next_cheaper = i;
    if (out->next_cheaper >= 0) {
        int q = out->next_cheaper;
        ss_buf_printf(
            &b,
            "Next cheaper: candidate %d at %.2f %s (%.2f less) fails the SLO: %s %s = %.6g "
            "< %.6g (short by %.6g)\n",
            q, cs[q].value, ss_metric_table[cm].unit, cs[p].value - cs[q].value, aname, stat,
            as[q].value, slo, slo - as[q].value);
        describe(r, q, &b);
    } else {
        ss_buf_printf(&b, "No cheaper candidate was evaluated.\n");
    }
    /* sensitivity */
    int *all = ss_malloc(sizeof(int) * (size_t)(r->n + 1)),
        *fr = ss_malloc(sizeof(int) * (size_t)(r->n + 1));
    int na = 0, nf = 0;
    for (int i = 0; i < r->n; i++) {
        if (!usable(r, i))
            continue;
        all[na++] = i;
        if (r->c[i].on_front)
            fr[nf++] = i;
    }
    if (r->space.n > 0) {
        ss_buf_printf(
            &b,
            "Sensitivity (Spearman rank correlation of each parameter with the mean of each "
            "objective, on the frontier (%d) and over all candidates (%d); range = spread of "
            "the objective's mean across the parameter's values, all candidates):\n",
            nf, na);
        /* an objective without any spread says nothing about the parameters:
         * say so once instead of a column of undefined correlations */
        for (int j = 0; j < 2; j++) {
            double v;
            if (na > 1 && constant_metric(r, all, na, r->obj_id[j], &v))
                ss_buf_printf(&b,
                              "  %s is %.6g for every candidate: the history produced no %s "
                              "differences between candidates.\n",
                              r->cfg.objectives[j], v, r->cfg.objectives[j]);
        }
        /* the noise of each objective: the candidates' typical 95% interval
         * half-width (mean over all candidates) */
        double noise[2] = {0, 0};
        for (int j = 0; j < 2 && na > 0; j++) {
            for (int k = 0; k < na; k++) {
                ss_summary sm;
                ss_opt_summary(r, all[k], r->obj_id[j], &sm);
                double hw = (sm.hi - sm.lo) / 2;
                noise[j] += isfinite(hw) ? hw : 0;
            }
            noise[j] /= na;
        }
        for (int q = 0; q < r->space.n; q++) {
            ss_buf_printf(&b, "  %s\n", r->space.p[q].path);
            for (int j = 0; j < 2; j++) {
                double rg_f, rg_a;
                rho_why wf, wa;
                double rf = rank_corr(r, fr, nf, q, r->obj_id[j], &rg_f, &wf);
                double ra = rank_corr(r, all, na, q, r->obj_id[j], &rg_a, &wa);
                char tf[32], ta[32];
                rho_text(rf, wf, tf, sizeof tf);
                rho_text(ra, wa, ta, sizeof ta);
                ss_buf_printf(&b, "    %-28s rho frontier %12s  all %12s  range %.6g", r->cfg.objectives[j], tf,
                              ta, rg_a);
                /* an effect smaller than the replicas' own spread is not one
                 * to act on (e.g. an allocation strategy on a calm market) */
                if (isfinite(rg_a) && noise[j] > 0 && rg_a < noise[j])
                    ss_buf_printf(&b, "  (within noise: below the typical 95%% half-width %.3g)", noise[j]);
                ss_buf_printf(&b, "\n");
            }
        }
    }
    free(all);
    free(fr);
    free(cs);
    free(as);
    out->text = b.s;
    return 0;
}

void ss_recommendation_free(ss_recommendation *rec)
{
    free(rec->text);
    rec->text = NULL;
}
