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

/* Fit every pool of the evidence and, when traces of two or more... one or
 * more zones share a grid, the joint capacity process. name and
 * burst_window go into the model. Returns -1 only on a hard failure; thin
 * data is reported, not an error. */
int ss_fit_build(const ss_fit_evidence *ev, const char *name, ss_time burst_window,
                 ss_fit_model *out, ss_fit_output *o, ss_err *err);
void ss_fit_output_free(ss_fit_output *o);

/* Q-Q points as CSV: label,model_quantile_hours,data_quantile_hours. */
void ss_fit_write_qq_csv(const ss_fit_output *o, FILE *f);

/* If the scenario's interruptions name a model: load it from the store and
 * attach it to the data (d->fit_model points into *owned, which the caller
 * frees with ss_fit_model_free and then free()). No-op otherwise. */
int ss_fit_attach_scenario(ss_store *st, const ss_scenario *sc, ss_data *d, ss_fit_model **owned,
                           ss_err *err);

#endif
