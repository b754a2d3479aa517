/*
 * fit_model.h - fitted interruption and capacity models (`spotsim fit`,
 * docs/fit.md): pure functions from plain arrays to estimates, and the
 * generator that draws new sample paths from a fitted capacity process.
 *
 * Nothing here reads the store: datasets/fit_store.c loads the evidence
 * (interruption log, inventory, capacity traces) into plain arrays and saves
 * a fitted model as JSON; the CLI (sim/cli/fit_build.c) ties the two.
 *
 *   interruptions  per pool: Poisson rate per instance-hour with an exact
 *                  (Garwood) interval; the burst split of model (c) (single
 *                  interruptions -> hazard, multi-instance bursts -> Poisson
 *                  burst rate and Beta fraction); a Weibull of the lifetimes
 *                  with Wald intervals and the Kolmogorov-Smirnov distance
 *                  between the Kaplan-Meier curve and the fit.
 *   capacity       one semi-Markov process over the JOINT capacity state of the
 *                  traced zones (each zone's level: the instances it holds,
 *                  0 = none, or unlimited; bit z of `down` = zone z at 0): the
 *                  embedded jump chain's transition counts and the observed
 *                  sojourn times of each joint state, resampled when
 *                  generating. Modelling the joint state keeps the cross-zone
 *                  correlation (all zones out together) that independent
 *                  per-zone processes would lose.
 */
#ifndef SPOTSIM_FIT_MODEL_H
#define SPOTSIM_FIT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/scenario.h"
#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

/* Evidence below these is "too thin" (said plainly in the report). */
#define SS_FIT_MIN_EVENTS 5        /* interruptions of a pool for a usable rate */
#define SS_FIT_MIN_WEIBULL 10      /* lifetime events for a Weibull fit */
#define SS_FIT_MIN_OUTAGES 3       /* outages of a zone for a capacity process */

/* ---- small estimators ------------------------------------------------------ */

/* Exact two-sided interval of a Poisson rate k / exposure at level conf
 * (Garwood 1936): lo = chi2_{(1-conf)/2}(2k) / (2 E), hi = chi2_{(1+conf)/2}(2k + 2) / (2 E);
 * lo = 0 when k = 0. NaN when exposure <= 0. */
void ss_fit_poisson_ci(long k, double exposure, double conf, double *rate, double *lo, double *hi);

/* Weibull S(t) = exp(-(t/lambda)^k) helpers. */
double ss_weibull_cdf(double t, double k, double lambda);
double ss_weibull_quantile(double p, double k, double lambda);

/* Wald intervals of k and lambda from the observed information of the
 * censored Weibull log-likelihood at (k, lambda), computed in (ln k, ln lambda)
 * and mapped back (so both bounds are > 0). Returns -1 when the information
 * matrix is not positive definite. */
int ss_weibull_ci(const double *t, const int *event, size_t n, double k, double lambda,
                  double conf, double *k_lo, double *k_hi, double *l_lo, double *l_hi);

/* Kolmogorov-Smirnov distance between a Kaplan-Meier curve (steps at t[i]
 * with survival s[i] just after, ascending) and a Weibull: the largest
 * |F_KM - F_W| over both sides of every step, up to the last step. */
double ss_fit_ks_km_weibull(const double *t, const double *s, size_t n, double k, double lambda);

/* Quantile-quantile points of a Kaplan-Meier curve against a Weibull: for
 * step i the plotting position p_i = 1 - (S(t_i^-) + S(t_i)) / 2 and the pair
 * (model quantile at p_i, t_i). Returns the number of points (<= n) written
 * to model_q / data_q (caller's arrays of n). */
size_t ss_fit_qq_weibull(const double *t, const double *s, size_t n, double k, double lambda,
                         double *model_q, double *data_q);

/* Pearson correlation of two series (NaN when either is constant). */
double ss_fit_pearson(const double *x, const double *y, size_t n);

/* Pearson chi-square test of a constant rate across buckets: count[b] events
 * over exposure[b]; expected_b = total * exposure_b / total exposure.
 * Returns the p-value, with *stat and *dof; NaN (and *enough = false) when
 * some bucket with exposure expects fewer than 5 events. */
double ss_fit_rate_chisq(const double *count, const double *exposure, size_t nb, double *stat,
                         int *dof, bool *enough);

/* ---- interruption model per pool ------------------------------------------ */

typedef struct ss_fit_pool {
    char instance_type[SS_NAME_MAX], zone[SS_NAME_MAX];
    long interruptions;          /* distinct instances with a notice */
    double exposure_hours;       /* spot instance-hours */
    double observed_hours;       /* hours with >= 1 instance alive */
    double rate_per_hour, rate_lo, rate_hi; /* all interruptions / exposure, 95 % */
    /* model (c): singles -> hazard, multi-instance bursts -> bursts */
    double hazard_per_hour, burst_rate_per_hour, beta_a, beta_b;
    int n_single, n_multi;
    double mean_burst_frac;      /* mean fraction of the pool hit per multi burst; NaN none */
    /* lifetimes */
    long lifetimes, lifetime_events;
    double km_median_hours;      /* NaN when S never reaches 0.5 */
    double weibull_k, weibull_lambda_hours; /* NaN: not fitted */
    double k_lo, k_hi, lambda_lo, lambda_hi;
    double ks_d, ks_crit;        /* KS distance and its 5 % critical value 1.36 / sqrt(events) */
    bool thin;                   /* fewer than SS_FIT_MIN_EVENTS interruptions */
} ss_fit_pool;

/* ---- capacity process ------------------------------------------------------ */

typedef struct ss_cap_state {
    uint32_t down;               /* bit z: zone z has no capacity (level[z] == 0) */
    int level[SS_MAX_ZONES];     /* capacity of each zone in this state: instances the
                                    pool holds (available-count traces), 0 = none,
                                    -1 = unlimited (flag traces, or an on/off fit) */
    double time_steps;           /* observed steps in this state */
    size_t n_soj;                /* observed sojourns */
    int *soj;                    /* their lengths in steps */
    int *next_count;             /* [n_states] transitions to each state */
} ss_cap_state;

typedef struct ss_cap_model {
    int n_zones;
    char zone[SS_MAX_ZONES][SS_NAME_MAX];
    char instance_type[SS_MAX_ZONES][SS_NAME_MAX];
    ss_time step;                /* sample period */
    long steps;                  /* observed length in steps */
    int n_states;
    ss_cap_state *st;            /* joint states seen, ordered by first visit */
    /* observed marginals (what the generator must reproduce) */
    double frac_down[SS_MAX_ZONES];
    double mean_outage_steps[SS_MAX_ZONES];
    long outages[SS_MAX_ZONES];
    double frac_all_down;
} ss_cap_model;

/* Marginal statistics of a joint on/off path given as run-length encoded
 * states (state[i] holds for len[i] steps; consecutive equal states are
 * merged by the function). */
typedef struct ss_cap_marginals {
    double frac_down[SS_MAX_ZONES];
    double mean_outage_steps[SS_MAX_ZONES]; /* NaN when no outage */
    long outages[SS_MAX_ZONES];
    double frac_all_down;
    long steps;
} ss_cap_marginals;

void ss_cap_marginals_of(int n_zones, const uint32_t *state, const long *len, size_t n,
                         ss_cap_marginals *out);

/* Fit from aligned per-zone samples: down[z][i] (1 = no capacity) for
 * i < n_steps, all zones sampled on the same grid of `step`. The path is
 * read as cyclic (the last sojourn leads back to the first state), so every
 * visited state has an outgoing transition; the first and last runs, cut
 * by the observation window, are joined. Returns -1 with err when there is
 * no step or no zone. */
int ss_cap_fit(int n_zones, const uint8_t *const *down, long n_steps, ss_time step,
               ss_cap_model *out, ss_err *err);
/* The same over capacity levels: level[z][i] = instances zone z holds in step
 * i (0 = none, -1 = unlimited). A joint state is the vector of levels, so a
 * zone at 1 of the 4 instances a service wants differs from a full one.
 * ss_cap_fit is this with levels 0 (down) and -1 (up). */
int ss_cap_fit_levels(int n_zones, const int *const *level, long n_steps, ss_time step,
                      ss_cap_model *out, ss_err *err);
void ss_cap_model_free(ss_cap_model *m);

/* One sample path on [start, end): the state in force at `start` is drawn
 * from the time-stationary law (state s with probability time_steps_s /
 * steps) with a residual sojourn uniform in 1..length of a resampled sojourn;
 * then sojourns are resampled from the observed ones of the state and the
 * next state from the observed transition counts. Calls fn(ctx, t, state)
 * at start and at every change. */
typedef void (*ss_cap_path_fn)(void *ctx, ss_time t, uint32_t down);
void ss_cap_generate(const ss_cap_model *m, gsl_rng *r, ss_time start, ss_time end,
                     ss_cap_path_fn fn, void *ctx);
/* The same path (same random numbers), reported as joint states: fn(ctx, t,
 * state index into m->st) at start and at every change of state, also when
 * only a level changes and the on/off pattern does not. */
typedef void (*ss_cap_state_fn)(void *ctx, ss_time t, int state);
void ss_cap_generate_states(const ss_cap_model *m, gsl_rng *r, ss_time start, ss_time end,
                            ss_cap_state_fn fn, void *ctx);

/* ---- a named model ---------------------------------------------------------- */

typedef struct ss_fit_model {
    char name[SS_NAME_MAX];
    ss_time from, to;            /* the window the evidence came from */
    ss_time burst_window;
    size_t n_pools;
    ss_fit_pool *pools;
    bool has_capacity;
    ss_cap_model cap;
} ss_fit_model;

void ss_fit_model_free(ss_fit_model *m);

/* JSON (jansson) round trip; the text is what the store keeps. */
char *ss_fit_model_to_json(const ss_fit_model *m);
int ss_fit_model_from_json(const char *text, ss_fit_model *out, ss_err *err);

#endif
