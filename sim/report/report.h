/*
 * report.h - `spotsim report`: charts (gnuplot) and an HTML/Markdown report
 * built from the stored results alone (runs, optimizations, market data).
 *
 * Layers, one file each:
 *   report_calc.c  pure computations: t-intervals, Pareto frontier, the
 *                  recommended candidate, Kaplan-Meier, ISO weeks, formats
 *   report_data.c  reading the store into the structs below
 *   report_plot.c  gnuplot: locating it and the templates, TSV + parameter
 *                  files, running `gnuplot -c` with fork/execvp (no shell)
 *   report_doc.c   index.html and index.md
 *   report.c       ss_report_build: the whole report into a directory
 * Library code: nothing here prints or exits.
 */
#ifndef SPOTSIM_REPORT_H
#define SPOTSIM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "datasets/store.h"
#include "models/metrics.h"
#include "sim/kernel/util.h"

#define SS_REPORT_PNG 1
#define SS_REPORT_SVG 2
#define SS_REPORT_DEFAULT_SLO 0.999   /* when the optimization stored none */
#define SS_REPORT_HOURS_PER_MONTH 720.0 /* a 30-day month, as cost_per_month_usd */

/* ---- Options ----------------------------------------------------------- */
typedef struct ss_report_opts {
    const char *db_path;      /* NULL = SS_STORE_DEFAULT_PATH */
    int64_t run_id;           /* > 0: this run */
    int64_t optimization_id;  /* > 0: this optimization */
    int latest;               /* newest optimization (and newest run) */
    int stats;                /* governance view: market data only */
    const char *out_dir;      /* NULL = "results/report" */
    int formats;              /* SS_REPORT_PNG | SS_REPORT_SVG */
    int log_availability;     /* frontier: log-scale unavailability axis */
    const char *gnuplot_dir;  /* NULL = ss_report_template_dir() */
    const char *path_env;     /* PATH to search for gnuplot; NULL = getenv("PATH") */
} ss_report_opts;

void ss_report_opts_defaults(ss_report_opts *o);

/* What was written: chart files (relative to out_dir) and gnuplot warnings. */
typedef struct ss_report_result {
    char **files;
    size_t n_files;
    char *warnings;   /* gnuplot's stderr, concatenated; NULL if none */
} ss_report_result;

void ss_report_result_free(ss_report_result *r);

/* Build the report. Writes into a staging directory inside out_dir and moves
 * each file into place only when everything succeeded, so a failure leaves
 * out_dir as it was (apart from files of an earlier report). */
int ss_report_build(const ss_report_opts *o, ss_report_result *res, ss_err *err);

/* ---- Pure computations (report_calc.c) ---------------------------------- */

/* Mean and half-width of the two-sided 95% Student-t interval of x[0..n).
 * n = 1: half-width 0 (no interval from one replica). n = 0: -1. */
int ss_report_t_interval(const double *x, size_t n, double *mean, double *half);

/* Pareto frontier for (lower cost, higher avail): writes the indices of the
 * non-dominated points into idx (room for n), ordered by cost ascending, and
 * returns their number. Of exact duplicates only the first index is kept.
 * NaN points are never on the frontier. */
size_t ss_report_pareto(const double *cost, const double *avail, size_t n, size_t *idx);

/* Kaplan-Meier survival of durations d[i] with event[i] (1 = the event,
 * 0 = censored). Writes the step points (t_out[k], s_out[k]) where the curve
 * drops, starting with (0, 1); room for n + 1. Returns the number of points. */
size_t ss_report_kaplan_meier(const double *d, const int *event, size_t n, double *t_out,
                              double *s_out);

/* ISO 8601 week of a UTC time: year and week 1..53. */
void ss_report_iso_week(int64_t t_ms, int *year, int *week);
/* Monday 00:00 UTC of the ISO week containing t_ms. */
int64_t ss_report_week_start(int64_t t_ms);

/* "2.7x cheaper (-63%)" from baseline and cost (both > 0); "n/a" else. */
void ss_report_fmt_savings(double baseline, double cost, char *buf, size_t n);
/* Availability as percent with enough digits to show its nines:
 * 0.99912 -> "99.91%", 0.9999993 -> "99.9999%", 1 -> "100%". */
void ss_report_fmt_availability(double a, char *buf, size_t n);
/* A value of a statistic over replicas: "mean" or "pQ" (0 < Q < 100, the
 * Q-th percentile, linear interpolation). NaN on an unknown name or n = 0. */
double ss_report_statistic(const double *x, size_t n, const char *statistic);

/* gnuplot single-quoted string literal of s (quotes doubled, control
 * characters and backquotes replaced by spaces/quotes) into out. */
void ss_report_gp_quote(const char *s, char *out, size_t n);

/* ---- Data (report_data.c) ------------------------------------------------ */
typedef struct ss_report_candidate {
    int64_t id;
    char *params_json;
    int n;                     /* replicas with results */
    double cost_mean, cost_half;   /* cost_per_month_usd, 95% t half-width */
    double avail_mean, avail_half; /* availability */
    double avail_stat;         /* the SLO statistic of availability */
    double served_mean;
    double baseline_month;     /* mean ondemand_baseline_usd scaled to a month */
    int on_frontier;
    double spot_hours_mean;    /* mean spot_instance_hours (0: an all-On-Demand fleet) */
    double cost_stat;          /* the statistic of cost (pN: the (100-N)-th percentile) */
} ss_report_candidate;

typedef struct ss_report_optim {
    int64_t id;
    char *created_at, *scenario_name, *scenario_text, *scenario_hash, *method, *status;
    int replicas;
    int64_t seed;
    double slo;                /* SLO on availability */
    int slo_stored;            /* 1 = from extra_json, 0 = default */
    char statistic[16];
    double cost_floor_month;   /* NaN if not stored */
    double baseline_month;     /* the scenario as written, simulated all On-Demand (USD/month); NaN if not stored */
    char *export_dir;          /* where optimize wrote the exports (absolute), NULL if not stored */
    int64_t stored_recommended;/* extra_json "recommended", -1 if none (see choose_recommended) */
    ss_report_candidate *cands;
    size_t n_cands;
    size_t *frontier;          /* indices into cands, by cost */
    size_t n_frontier;
    long recommended;          /* index into cands, -1 = none */
    int recommended_meets_slo;
    char **param_names;        /* union of params_json keys, sorted */
    size_t n_params;
} ss_report_optim;

typedef struct ss_report_tl_row {
    int64_t t_ms;
    double required, healthy;
    int spot, od;
    double spot_cost, od_cost; /* USD billed so far; NaN in runs stored before schema 4 */
    char *event;
} ss_report_tl_row;

typedef struct ss_report_run {
    int64_t id;
    char *created_at, *scenario_name, *scenario_text, *scenario_hash, *orchestrator;
    int replicas, n_results;
    int64_t seed;
    double mean[SS_METRIC_COUNT], half[SS_METRIC_COUNT];
    double baseline_month;     /* the service simulated all On-Demand (USD/month); NaN if not stored */
    char *zones_json;          /* replica 0's per-zone breakdown (JSON array), NULL if not stored */
    ss_report_tl_row *tl;      /* replica 0, by time */
    size_t n_tl;
} ss_report_run;

int ss_report_load_optim(ss_store *st, int64_t id, ss_report_optim *o, ss_err *err);
void ss_report_optim_free(ss_report_optim *o);
int ss_report_load_run(ss_store *st, int64_t id, ss_report_run *r, ss_err *err);
void ss_report_run_free(ss_report_run *r);
/* Newest optimization / run id (by id); 0 when there is none. */
int ss_report_latest(ss_store *st, const char *table, int64_t *id, ss_err *err);
/* Newest run whose scenario_hash is hash; 0 when none. */
int ss_report_run_for_hash(ss_store *st, const char *hash, int64_t *id, ss_err *err);

/* Scalar at a dotted key path ("market.region") of a YAML text, copied into
 * out; -1 when absent or not a scalar. */
int ss_report_yaml_scalar(const char *yaml, const char *path, char *out, size_t n);
/* The names in the sequence at a dotted key path (scalars, or mappings'
 * `name`), as ",a,b," in out; returns how many (0: none, out ""). */
int ss_report_yaml_names(const char *yaml, const char *path, char *out, size_t n);

/* ---- gnuplot (report_plot.c) --------------------------------------------- */

/* Directory of the templates: $SPOTSIM_GNUPLOT_DIR, else
 * SPOTSIM_SOURCE_DIR/scripts/gnuplot, else ../../scripts/gnuplot or
 * ../share/spotsim/gnuplot beside the running binary. */
int ss_report_template_dir(char *out, size_t n, ss_err *err);
/* Full path of gnuplot on path_env (a PATH value). -1 with the message
 * "gnuplot not found: install it with 'apt-get install gnuplot-nox'". */
int ss_report_find_gnuplot(const char *path_env, char *out, size_t n, ss_err *err);

/* ---- Internals shared by the report_*.c files ------------------------------ */
#include <stdio.h>

/* A gnuplot session: where gnuplot and the templates are, the staging
 * directory (absolute) the charts and data go to, what was written. */
typedef struct ss_report_gp {
    char gnuplot[1024];
    char template_dir[1024];
    char stage[1024];
    int formats;
    char *warnings;
    size_t wlen, wcap;
    char **files;         /* relative to stage */
    size_t n_files, files_cap;
} ss_report_gp;

/* The parameters file of one chart: a gnuplot script of assignments whose
 * strings are quoted with ss_report_gp_quote and whose numbers are printed
 * by the program; the templates `load` it. */
typedef struct ss_report_params {
    char *buf;
    size_t len, cap;
} ss_report_params;

void ss_report_param_str(ss_report_params *p, const char *name, const char *value);
void ss_report_param_num(ss_report_params *p, const char *name, double v);
/* A tic label: like ss_report_param_str with '%' doubled (gnuplot formats it). */
void ss_report_param_label(ss_report_params *p, const char *name, const char *value);
void ss_report_param_strf(ss_report_params *p, const char *name, const char *fmt, ...)
    SS_PRINTF(3, 4);
void ss_report_params_free(ss_report_params *p);

/* Record a written file (relative to the stage). */
void ss_report_gp_add_file(ss_report_gp *g, const char *rel);
/* Open stage/data/<name> for writing (and record it); NULL + err on failure. */
FILE *ss_report_data_open(ss_report_gp *g, const char *name, ss_err *err);
int ss_report_data_close(FILE *f, const char *name, ss_err *err);
/* Write data/<chart>.params.gp and draw <chart>.png / <chart>.svg with
 * `gnuplot -d -c <template_dir>/<template> data/<chart>.params.gp OUT png|svg`
 * run in the stage directory. gnuplot's stderr is kept as a warning. */
int ss_report_plot(ss_report_gp *g, const char *tmpl, const char *chart, const ss_report_params *p,
                   ss_err *err);
void ss_report_gp_free(ss_report_gp *g);

typedef struct ss_report_chart {
    char name[64];        /* file stem: <name>.png / <name>.svg */
    char caption[512];
    char heading[128];
} ss_report_chart;

/* A growing list of charts. */
typedef struct ss_report_charts {
    ss_report_chart *items;
    size_t n, cap;
} ss_report_charts;

void ss_report_charts_add(ss_report_charts *c, const char *name, const char *heading,
                          const char *caption);
void ss_report_charts_free(ss_report_charts *c);

#define SS_STR_(x) #x
#define SS_STR(x) SS_STR_(x)

/* Market charts (report_market.c); region NULL or "" = all regions. */
int ss_report_pick_region(ss_store *st, const char *scenario_yaml, char *out, size_t n,
                          ss_err *err);
/* types / zones: ",a,b," lists of the scenario's pools, or NULL for all. */
int ss_report_price_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                           const char *region, int stats_mode, const char *types, const char *zones,
                           ss_err *err);
int ss_report_interruption_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                                  const char *region, int stats_mode, const char *types, const char *zones,
                                  ss_err *err);
int ss_report_survival_chart(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                             const char *region, const char *types, const char *zones, ss_err *err);

/* Evidence charts (report_fit.c, docs/fit.md): the Q-Q chart of the newest
 * fitted model, and predicted vs realized of the newest backtest of the
 * scenario with this hash (NULL: none). */
int ss_report_fit_charts(ss_store *st, ss_report_gp *g, ss_report_charts *charts,
                         const char *scenario_hash, ss_err *err);

/* Everything the documents show. */

typedef struct ss_report_doc {
    const ss_report_optim *optim;   /* NULL if none */
    const ss_report_run *run;       /* NULL if none */
    int stats_mode;
    const char *region;
    double baseline_month;          /* NaN if unknown */
    ss_report_chart *charts;
    size_t n_charts;
    int formats;
    const char *market_summary;     /* one paragraph about the market data, may be NULL */
    const char *export_rel;         /* prefix of the copies of the optimization's exports beside the
                                     * page ("apply-"), or NULL when there are none */
} ss_report_doc;

/* index.html and index.md into dir. */
int ss_report_write_docs(const ss_report_doc *d, const char *dir, ss_err *err);

#endif
