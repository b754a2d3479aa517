/*
 * optimize.h - the optimization driver: generate candidates (grid, LHS,
 * random, NSGA-II), evaluate candidates x replicas in parallel with common
 * random numbers, store results as they finish, resume, summarise.
 *
 * The driver is generic over an evaluator callback so that it can be tested
 * with analytic functions; the simulator glue is policies/optimize_eval.c.
 *
 * Determinism: every candidate is evaluated with replica indices
 * 0..replicas-1 and the evaluator's own seed (common random numbers);
 * results are stored per (candidate, replica) slot and reduced in candidate
 * order, so every output is byte-identical whatever the thread count.
 * Candidate lists are a pure function of (space, method, budget, seed,
 * population) and, for NSGA-II, of the previous generations' results - so a
 * resumed run regenerates the same list and only evaluates missing slots.
 */
#ifndef SPOTSIM_OPTIMIZE_H
#define SPOTSIM_OPTIMIZE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "datasets/store.h"
#include "models/metrics.h"
#include "policies/pareto.h"
#include "policies/search.h"

typedef int (*ss_eval_fn)(void *ctx, const ss_candidate *c, int replica, ss_metrics *out,
                          ss_err *err);

/* One (candidate, replica) evaluation. Self-contained plain data (no
 * pointers), so that a distributed driver can ship it as bytes. */
typedef struct ss_opt_slot {
    int cand, replica;
    int rc;              /* the evaluator's return code */
    ss_candidate c;      /* the candidate (id = cand) */
    ss_metrics m;        /* zero when rc != 0 */
    ss_err err;          /* the failure when rc != 0 */
} ss_opt_slot;

/* Evaluate every slot of a batch (fill rc, m, err), wherever: the default
 * is OpenMP threads in this process (ss_optimize_eval_slots); sim/
 * optimize_mpi.c spreads a batch over MPI ranks. Returns -1 only when the
 * batch as a whole could not be evaluated (err says why). */
typedef int (*ss_batch_fn)(void *ctx, ss_opt_slot *slots, int n, ss_err *err);

/* Evaluate slots k = first, first + stride, ... < n with OpenMP (threads
 * <= 0: the OpenMP default), dynamic schedule. */
void ss_optimize_eval_slots(ss_eval_fn fn, void *ctx, ss_opt_slot *slots, int n, int first,
                            int stride, int threads);

/* Called by the driver (master thread) after each batch of evaluations. */
typedef void (*ss_progress_fn)(void *ctx, long done, long total, double elapsed_s);

typedef struct ss_opt_config {
    ss_search_method method;       /* AUTO resolved by ss_optimize_run */
    int budget;                    /* candidates (grid: ignored, all points) */
    int replicas;
    int population;                /* NSGA-II */
    uint64_t seed;                 /* candidate generation (and recorded) */
    char objectives[2][SS_NAME_MAX];
    ss_statistic statistic;
    int threads;                   /* 0 = OpenMP default */
    int batch;                     /* evaluations per stored batch; 0 = 16 x threads */
    ss_progress_fn progress;
    void *progress_ctx;
    volatile sig_atomic_t *stop;   /* non-zero: finish the batch and return (interrupted) */
    long stop_after;               /* test hook: stop once this many new evaluations are stored */
    ss_batch_fn batch_fn;          /* NULL: evaluate with OpenMP here */
    void *batch_ctx;
} ss_opt_config;

/* Recorded with the optimization (store). */
typedef struct ss_opt_meta {
    const char *scenario_name, *scenario_path, *scenario_hash, *scenario_text;
    const char *data_provenance;   /* JSON or NULL */
} ss_opt_meta;

typedef struct ss_opt_candidate {
    ss_candidate c;
    char hash[17];
    char *params_json;
    ss_metrics *rep;     /* [replicas] */
    bool *done;          /* [replicas] */
    bool failed;         /* some replica failed: excluded from the frontier */
    char *error;         /* first failure message */
    ss_summary obj[2];   /* the objectives' statistic */
    bool on_front;
} ss_opt_candidate;

typedef struct ss_opt_result {
    ss_space space;
    ss_opt_config cfg;   /* with the method resolved */
    int n;
    ss_opt_candidate *c;
    int64_t id;          /* optimization id in the store (0 without store) */
    bool interrupted;
    bool complete;       /* every slot evaluated */
    long evaluated;      /* evaluations run by this call (not loaded) */
    long loaded;         /* evaluations loaded from the store (resume) */
    int obj_id[2];       /* metric ids */
    int obj_dir[2];      /* +1 maximise, -1 minimise */
} ss_opt_result;

const char *ss_search_method_name(ss_search_method m);
int ss_search_method_parse(const char *s, ss_search_method *out);

/* Run (or, with resume_id > 0, continue) an optimization. st may be NULL (no
 * storage, no resume). On resume, cfg's method/budget/replicas/seed/
 * objectives/population must be those stored (use ss_optimize_load_config). */
int ss_optimize_run(const ss_space *sp, const ss_opt_config *cfg, ss_eval_fn fn, void *ctx,
                    ss_store *st, const ss_opt_meta *meta, int64_t resume_id, ss_opt_result *out,
                    ss_err *err);
void ss_opt_result_free(ss_opt_result *r);

/* The stored configuration and scenario text/hash of an optimization
 * (strings malloc'd; free them). */
int ss_optimize_load_config(ss_store *st, int64_t id, ss_opt_config *cfg, char **scenario_text,
                            char **scenario_hash, ss_err *err);

/* Summary (with cfg's statistic) of metric id over a candidate's replicas. */
void ss_opt_summary(const ss_opt_result *r, int cand, int metric_id, ss_summary *out);

/* frontier.csv: one row per candidate in id order (see docs/optimize.md). */
int ss_optimize_write_csv(const ss_opt_result *r, FILE *f, ss_err *err);

/* ---- recommendation (policies/recommend.c) ---------------------------------- */
typedef struct ss_recommendation {
    int pick;             /* candidate index or -1 */
    int next_cheaper;     /* the next cheaper candidate that fails, or -1 */
    double slo;           /* fraction, e.g. 0.999 */
    int cost_metric, slo_metric;
    char *text;           /* explanation (malloc'd) */
    double baseline_month; /* the all-On-Demand baseline of the pick (USD/month), NAN if unknown */
} ss_recommendation;

/* The all-On-Demand baseline of candidate cand in USD per month (the same
 * service and policy simulated all On-Demand: policies/baseline.h). */
typedef int (*ss_baseline_fn)(void *ctx, int cand, double *usd_month, ss_err *err);

/* Cheapest candidate (by the statistic of the cost metric = objective 1 if
 * it is minimised, else cost_per_month_usd) whose SLO metric statistic
 * (objective 2 if it is availability or served_fraction, else
 * availability) is >= slo. cost_floor_usd_month: NAN if unknown. */
int ss_recommend(const ss_opt_result *r, double slo, double cost_floor_usd_month,
                 ss_recommendation *out);
/* The same, with the baseline of the pick from bfn (NULL: none shown). */
int ss_recommend_with_baseline(const ss_opt_result *r, double slo, double cost_floor_usd_month,
                               ss_baseline_fn bfn, void *bctx, ss_recommendation *out);
void ss_recommendation_free(ss_recommendation *rec);

#endif
