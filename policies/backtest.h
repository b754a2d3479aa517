/*
 * backtest.h - scoring a backtest (`spotsim backtest`, docs/fit.md): every
 * candidate of an optimization on a training window, predicted from its
 * training replicas, against what it realized on the test window.
 *
 * Pure functions of plain arrays; the command (sim/cli/cmd_backtest.c) runs
 * the optimizer and the test-window simulations and stores the result.
 */
#ifndef SPOTSIM_BACKTEST_H
#define SPOTSIM_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>

/* Spearman rank correlation (average ranks for ties; Pearson of the ranks).
 * NaN when n < 2 or either side is constant. */
double ss_spearman(const double *x, const double *y, size_t n);

/* Central prediction interval of level conf from n replica values: the
 * (1-conf)/2 and (1+conf)/2 quantiles with linear interpolation between
 * order statistics (R type 7, as gsl_stats_quantile_from_sorted_data). */
void ss_prediction_interval(const double *x, size_t n, double conf, double *lo, double *hi);

typedef struct ss_bt_candidate {
    int id;
    double pred_avail, pred_avail_lo, pred_avail_hi; /* mean and interval over train replicas */
    double pred_cost, pred_cost_lo, pred_cost_hi;    /* cost per month */
    double real_avail, real_cost;                    /* mean over test replicas */
    bool avail_covered, cost_covered;
    bool pred_slo_met, slo_met;
} ss_bt_candidate;

typedef struct ss_bt_summary {
    int n;                       /* candidates scored */
    double avail_coverage;       /* share with the realized availability in its interval */
    double cost_coverage;
    double avail_mae;            /* mean |pred - real| availability (fraction) */
    double cost_mae;             /* mean |pred - real| USD per month */
    double cost_mape;            /* mean |pred - real| / real cost */
    double spearman_cost, spearman_avail;
    int recommended;             /* index or -1 */
    int best_hindsight;          /* cheapest candidate whose realized availability met the SLO */
    double regret_usd_month;     /* realized cost of the recommendation - best in hindsight */
    int pred_meets_real_fails;   /* predicted to meet the SLO but did not */
} ss_bt_summary;

/* Fill the coverage and SLO flags of c[0..n) (c[i].pred_* and real_* set)
 * and the summary. slo: availability fraction (0 = none: SLO flags false,
 * best in hindsight = cheapest realized). recommended: index or -1. */
void ss_backtest_score(ss_bt_candidate *c, size_t n, double slo, int recommended,
                       ss_bt_summary *out);

#endif
