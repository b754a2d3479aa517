/*
 * pareto.h - per-candidate statistics across replicas and the two-objective
 * Pareto frontier.
 *
 * Each objective is a metric name (models/metrics.h) with a direction:
 * availability, served_fraction and savings_ratio are maximised, every other
 * metric (cost, shortfall, interruptions, ...) minimised. A candidate's value
 * of an objective is a statistic of its replicas: the mean (95% interval
 * mean +- t(0.975, n-1) s / sqrt(n), GSL's t quantile) or a percentile pN
 * (linear interpolation between order statistics, GSL; 95% interval from the
 * distribution-free binomial order-statistic bounds, widened to [min, max]
 * when there are too few replicas for 95%).
 */
#ifndef SPOTSIM_PARETO_H
#define SPOTSIM_PARETO_H

#include <stdbool.h>

#include "sim/kernel/util.h"

typedef enum ss_stat_kind { SS_STAT_MEAN = 0, SS_STAT_PERCENTILE } ss_stat_kind;

typedef struct ss_statistic {
    ss_stat_kind kind;
    double pct;   /* percentile in [0, 100] */
} ss_statistic;

typedef struct ss_summary {
    double value, lo, hi;  /* the statistic and its 95% interval */
    double mean, sd;       /* always filled (sd 0 for one replica) */
    int n;
} ss_summary;

/* "mean", "median" (= p50) or "pN" with 0 <= N <= 100 (e.g. p5, p2.5). */
int ss_statistic_parse(const char *s, ss_statistic *out, ss_err *err);
void ss_statistic_format(const ss_statistic *st, char *buf, size_t n);
/* Summarise n values (not modified). n >= 1. */
void ss_summarize(const double *x, int n, const ss_statistic *st, ss_summary *out);

/* +1 if the metric is maximised, -1 if minimised. */
int ss_objective_direction(const char *metric);

/* Mark the non-dominated points among n (f1[i], f2[i]) with directions dir1,
 * dir2 (+1 maximise, -1 minimise). valid may be NULL; invalid points are
 * never on the front and never dominate. Points with identical values are all
 * on the front when none dominates them. O(n log n). Returns the front size. */
int ss_pareto_front(int n, const double *f1, const double *f2, int dir1, int dir2,
                    const bool *valid, bool *on_front);

/* Hypervolume (area) dominated by the minimisation points (f1, f2) and bounded
 * by the reference point (r1, r2); points not strictly better than the
 * reference in both are ignored. */
double ss_pareto_hypervolume(int n, const double *f1, const double *f2, double r1, double r2);

#endif
