/*
 * report_fit.c - the report's evidence charts (docs/fit.md): the Q-Q chart
 * of the newest fitted model (Kaplan-Meier lifetime quantiles against its
 * Weibull, with the KS distances in the caption) and the predicted vs
 * realized chart of the newest backtest of the reported scenario.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/report/report.h"

static int qq_chart(ss_store *st, ss_report_gp *g, ss_report_charts *charts, ss_err *err)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT name, model_json, source_json FROM fit_models"
                         " ORDER BY created_at DESC, name LIMIT 1",
                         &s, err))
        return -1;
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return 0;
    }
    char name[128];
    snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(s, 0));
    json_t *model = json_loads((const char *)sqlite3_column_text(s, 1), 0, NULL);
    json_t *src = json_loads((const char *)sqlite3_column_text(s, 2), 0, NULL);
    sqlite3_finalize(s);
    json_t *qq = src ? json_object_get(src, "qq") : NULL;
    int rc = 0;
    if (!json_is_array(qq) || json_array_size(qq) == 0)
        goto done;
    FILE *f = ss_report_data_open(g, "qq.tsv", err);
    if (!f) {
        rc = -1;
        goto done;
    }
    ss_report_params p = {0};
    double xmax = 0;
    for (size_t i = 0; i < json_array_size(qq); i++) {
        json_t *x = json_array_get(qq, i);
        json_t *mq = json_object_get(x, "model_hours"), *dq = json_object_get(x, "data_hours");
        for (size_t k = 0; k < json_array_size(mq) && k < json_array_size(dq); k++) {
            double a = json_number_value(json_array_get(mq, k)),
                   b = json_number_value(json_array_get(dq, k));
            fprintf(f, "%.6g\t%.6g\n", a, b);
            xmax = fmax(xmax, fmax(a, b));
        }
        fprintf(f, "\n\n");
        char key[64];
        snprintf(key, sizeof key, "series_title_%zu", i);
        ss_report_param_str(&p, key, json_string_value(json_object_get(x, "label")));
    }
    rc = ss_report_data_close(f, "qq.tsv", err);
    char title[256];
    snprintf(title, sizeof title, "Lifetimes of model %s: Kaplan-Meier quantiles vs the fitted Weibull",
             name);
    ss_report_param_str(&p, "title", title);
    ss_report_param_num(&p, "n_series", (double)json_array_size(qq));
    ss_report_param_num(&p, "xmax", xmax > 0 ? xmax * 1.05 : 1.0);
    if (rc == 0)
        rc = ss_report_plot(g, "qq.gp", "qq", &p, err);
    ss_report_params_free(&p);
    if (rc == 0) {
        char cap[512];
        size_t len = (size_t)snprintf(cap, sizeof cap,
                                      "Points on the diagonal: the Weibull fits. Kolmogorov-Smirnov"
                                      " distance (5 %% critical value):");
        json_t *pools = model ? json_object_get(model, "pools") : NULL;
        for (size_t i = 0; i < json_array_size(pools) && len < sizeof cap - 80; i++) {
            json_t *x = json_array_get(pools, i);
            double d = json_number_value(json_object_get(x, "ks_d")),
                   c = json_number_value(json_object_get(x, "ks_crit"));
            if (!json_is_number(json_object_get(x, "ks_d")))
                continue;
            len += (size_t)snprintf(cap + len, sizeof cap - len, " %s %s %.3f (%.3f)%s",
                                    json_string_value(json_object_get(x, "instance_type")),
                                    json_string_value(json_object_get(x, "zone")), d, c,
                                    d <= c ? "" : " rejected");
        }
        snprintf(cap + len, sizeof cap - len, ". spotsim fit, docs/fit.md.");
        ss_report_charts_add(charts, "qq", "Goodness of fit of the lifetime model", cap);
    }
done:
    json_decref(model);
    json_decref(src);
    return rc;
}

static int backtest_chart(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                          const char *scenario_hash, ss_err *err)
{
    sqlite3_stmt *s;
    /* the newest backtest invocation of the scenario: its folds share created_at */
    if (ss_store_prepare(st,
                         "SELECT id, fold, realized_source, recommended, summary_json FROM backtests"
                         " WHERE scenario_hash = ?1 AND created_at = (SELECT MAX(created_at) FROM"
                         " backtests WHERE scenario_hash = ?1) ORDER BY id",
                         &s, err))
        return -1;
    sqlite3_bind_text(s, 1, scenario_hash, -1, SQLITE_TRANSIENT);
    sqlite3_stmt *q;
    if (ss_store_prepare(st,
                         "SELECT 100 * pred_availability, 100 * pred_availability_lo,"
                         " 100 * pred_availability_hi, 100 * real_availability, pred_cost_per_month,"
                         " pred_cost_lo, pred_cost_hi, real_cost_per_month, candidate_id"
                         " FROM backtest_candidates WHERE backtest_id = ?1 ORDER BY candidate_id",
                         &q, err)) {
        sqlite3_finalize(s);
        return -1;
    }
    FILE *f = NULL;
    int folds = 0, n = 0, rc = 0;
    double cov = 0, mae_a = 0, mae_c = 0;
    char realized[64] = "";
    ss_buf rec = {0};
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (!f && !(f = ss_report_data_open(g, "backtest.tsv", err))) {
            rc = -1;
            break;
        }
        int64_t id = sqlite3_column_int64(s, 0);
        int pick = sqlite3_column_int(s, 3);
        snprintf(realized, sizeof realized, "%s", (const char *)sqlite3_column_text(s, 2));
        json_t *sum = json_loads((const char *)sqlite3_column_text(s, 4), 0, NULL);
        int nc = (int)json_integer_value(json_object_get(sum, "candidates"));
        cov += json_number_value(json_object_get(sum, "availability_coverage")) * nc;
        mae_a += json_number_value(json_object_get(sum, "availability_mae")) * nc;
        mae_c += json_number_value(json_object_get(sum, "cost_mae_usd_month")) * nc;
        n += nc;
        json_decref(sum);
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        while (sqlite3_step(q) == SQLITE_ROW) {
            for (int k = 0; k < 8; k++)
                fprintf(f, "%s%.9g", k ? "\t" : "", sqlite3_column_double(q, k));
            fprintf(f, "\n");
            if (sqlite3_column_int(q, 8) == pick) {
                for (int k = 0; k < 8; k++)
                    ss_buf_printf(&rec, "%s%.9g", k ? "\t" : "", sqlite3_column_double(q, k));
                ss_buf_printf(&rec, "\n");
            }
        }
        folds++;
    }
    sqlite3_finalize(s);
    sqlite3_finalize(q);
    if (rc || !f)
        goto done;
    fprintf(f, "NaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\n\n\n%sNaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\n",
            rec.s ? rec.s : "");
    rc = ss_report_data_close(f, "backtest.tsv", err);
    if (rc)
        goto done;
    ss_report_params p = {0};
    ss_report_param_str(&p, "title", "Backtest: predicted on the training window vs realized on"
                                     " the test window");
    rc = ss_report_plot(g, "backtest.gp", "backtest", &p, err);
    ss_report_params_free(&p);
    if (rc == 0 && n > 0) {
        char cap[512];
        snprintf(cap, sizeof cap,
                 "%d fold%s, %d candidate evaluations, realized with %s: the realized availability"
                 " fell inside the predicted 95 %% interval for %.0f %% of the candidates; mean"
                 " absolute error %.4f percentage points of availability and %.2f USD per month."
                 " spotsim backtest, docs/fit.md.",
                 folds, folds == 1 ? "" : "s", n, realized, 100 * cov / n, 100 * mae_a / n,
                 mae_c / n);
        ss_report_charts_add(charts, "backtest", "Would it have held up? Backtest", cap);
    }
done:
    free(rec.s);
    return rc;
}

int ss_report_fit_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                         const char *scenario_hash, ss_err *err)
{
    /* stores of schema version 1 (read-only, never migrated) have no such tables */
    sqlite3_stmt *s;
    if (ss_store_prepare(st, "SELECT 1 FROM sqlite_master WHERE name = 'fit_models'", &s, err))
        return -1;
    bool have = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    if (!have)
        return 0;
    if (qq_chart(st, g, charts, err))
        return -1;
    if (scenario_hash && backtest_chart(st, g, charts, scenario_hash, err))
        return -1;
    return 0;
}
