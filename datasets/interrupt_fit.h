/*
 * interrupt_fit.h - estimation from imported observations: interruption
 * notices grouped into bursts, the parameters of the stochastic model fitted
 * from a log, Spot Advisor hazards, and capacity traces turned into change
 * points. Pure functions of the data; the models (models/interrupt.h) use
 * the results, the loader (datasets/data_load.c) computes them once.
 */
#ifndef SPOTSIM_INTERRUPT_FIT_H
#define SPOTSIM_INTERRUPT_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "datasets/market_data.h"

/* Hazard per instance-hour of a Spot Advisor bucket (midpoint of the
 * monthly interruption-frequency band, documented in the README). */
double ss_advisor_bucket_hazard(int bucket);

/* Group one pool's interruption notices (sorted ascending) into bursts: a
 * burst starts at a notice and takes every later notice within `window` of
 * that first one. frac = interrupted / alive just before the burst, where the
 * observed fleet's instances are given by launch[] (sorted) and end[] (sorted,
 * SS_TIME_NEVER = still alive); alive counts launch < t_b <= end. Returns the
 * number of bursts (the array is malloc'd, *out NULL when 0). */
size_t ss_interrupt_group_bursts(const ss_time *notice, size_t n_notice, const ss_time *launch,
                                 const ss_time *end, size_t n_inst, ss_time window,
                                 ss_burst **out);

/* Parameters of the stochastic model (c) fitted from a replay log. */
typedef struct ss_interrupt_fit {
    double hazard_per_hour;     /* single-instance bursts / exposure instance-hours */
    double burst_rate_per_hour; /* multi-instance bursts / observed pool-hours */
    double beta_a, beta_b;      /* Beta of multi-instance burst fractions; 0 = not fitted */
    int n_single, n_multi;
    bool beta_mle;              /* true: maximum likelihood; false: method of moments */
} ss_interrupt_fit;

void ss_interrupt_fit_log(const ss_burst *b, size_t n, double exposure_hours,
                          double observed_hours, ss_interrupt_fit *out);

/* Meaning of the values of a capacity trace (capacity_traces.meaning). */
typedef enum ss_trace_meaning {
    SS_TRACE_AVAILABLE_COUNT = 0, /* value = instances the pool holds => capacity = value */
    SS_TRACE_PREEMPTED_FLAG,      /* 1 = preempted => capacity 0, else unlimited */
    SS_TRACE_AVAILABLE_FLAG       /* 0 = unavailable => capacity 0, else unlimited */
} ss_trace_meaning;

/* Parse "available-count" / "preempted-flag" / "available-flag"; -1 if none. */
int ss_trace_meaning_parse(const char *s, ss_trace_meaning *out);

/* Turn samples (t[i] ascending, value v[i] holding on [t[i], t[i+1])) into
 * change points of capacity (-1 = unlimited): the first sample, every sample
 * whose capacity differs from the previous one, and -1 at `end` (the trace's
 * end, after which capacity is unlimited). Returns the number of points;
 * arrays malloc'd (NULL when 0). */
size_t ss_capacity_trace_points(ss_trace_meaning m, const ss_time *t, const int *v, size_t n,
                                ss_time end, ss_time **cap_t, int **cap_value);

/* Beta(a, b) fits of samples in (0, 1). Both return 0, or -1 when they cannot
 * (too few samples, zero variance, no convergence). */
int ss_beta_fit_moments(const double *x, size_t n, double *a, double *b);
int ss_beta_fit_mle(const double *x, size_t n, double *a, double *b);

#endif
