/*
 * fit_build.h - from loaded evidence (datasets/fit_store.h) to a fitted
 * model (models/fit_model.h) and its printed report; and the glue that lets
 * a scenario with `interruptions: {model: NAME}` run on it. Shared by
 * `spotsim fit`, `run`, `optimize` and `backtest`.
 */
#ifndef SPOTSIM_FIT_BUILD_H
#define SPOTSIM_FIT_BUILD_H

#include <stdio.h>

#include "datasets/fit_store.h"
#include "datasets/market_data.h"
#include "models/fit_model.h"

typedef struct ss_fit_qq {
    char label[160];
    size_t n;
    double *model_q, *data_q;   /* hours */
} ss_fit_qq;

typedef struct ss_fit_output {
    ss_buf report;              /* the text `spotsim fit` prints */
    ss_fit_qq *qq;              /* one per pool with a Weibull fit */
    size_t n_qq;
    char *source_json;          /* window, filter, traces used, provenance */
} ss_fit_output;

/* Fit every pool of the evidence and, from the largest set of traces that
 * share a start and a sample period, the joint capacity process. name and
 * burst_window go into the model. Returns -1 only on a hard failure; thin
 * data is reported, not an error. */
int ss_fit_build(const ss_fit_evidence *ev, const char *name, ss_time burst_window,
                 ss_fit_model *out, ss_fit_output *o, ss_err *err);
void ss_fit_output_free(ss_fit_output *o);

/* Check a fitted model against a later window (`spotsim fit --holdout`):
 * for each fitted pool with exposure in the hold-out, whether the realized
 * count of interruptions falls in the predictive 95 % interval
 * [Poisson 2.5 % quantile at rate_lo x exposure, 97.5 % quantile at rate_hi
 * x exposure]; for the capacity process, `paths` generated paths as long as
 * the hold-out traces (stream (seed, path, SS_RNG_CAPACITY_MODEL)) give the
 * 2.5-97.5 % range of each zone's share of time without capacity, mean
 * outage and the share with every zone out, against the realized ones.
 * Appends to r; *checks and *covered count the comparisons. */
void ss_fit_holdout(const ss_fit_model *m, const ss_fit_evidence *hold, uint64_t seed, int paths,
                    ss_buf *r, int *checks, int *covered);

/* Q-Q points as CSV: label,model_quantile_hours,data_quantile_hours. */
void ss_fit_write_qq_csv(const ss_fit_output *o, FILE *f);

/* If the scenario's interruptions name a model: load it from the store and
 * attach it to the data (d->fit_model points into *owned, which the caller
 * frees with ss_fit_model_free and then free()). No-op otherwise. */
int ss_fit_attach_scenario(ss_store *st, const ss_scenario *sc, ss_data *d, ss_fit_model **owned,
                           ss_err *err);

#endif
