/*
 * fit_store.h - what `spotsim fit` reads from the store (the evidence, as
 * plain arrays, with the same selection and window rules as `spotsim stats`
 * so the two agree number for number) and how a fitted model is kept: a
 * row of fit_models (name, window, model JSON, source JSON, report text).
 */
#ifndef SPOTSIM_FIT_STORE_H
#define SPOTSIM_FIT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "datasets/stats.h"
#include "datasets/store.h"

/* Interruption evidence of one pool in the window. */
typedef struct ss_fit_evidence_pool {
    char region[SS_STATS_NAME], zone[SS_STATS_NAME], instance_type[SS_STATS_NAME];
    long interruptions;          /* distinct instances with a notice in the window */
    double exposure_hours;       /* spot instance-hours in the window (as stats) */
    double observed_hours;       /* hours of the window with >= 1 spot instance alive */
    ss_time *notice;             /* first notice per interrupted instance, ascending */
    size_t n_notice;
    ss_time *launch, *end;       /* spot instances overlapping the window, each sorted;
                                    end SS_TIME_NEVER = still running */
    size_t n_inst;
    double *life;                /* lifetimes in hours of instances launched in the window */
    int *life_event;             /* 1 interrupted, 0 censored */
    size_t n_life;
    double hour_count[24], hour_exposure[24]; /* notices and instance-hours by UTC hour */
    double dow_count[7], dow_exposure[7];     /* ... by UTC day of week, Monday = 0 */
    double *hourly;              /* notices per hour of the window (for correlation) */
    size_t n_hourly;
} ss_fit_evidence_pool;

/* A capacity trace of one pool on its own grid; down[i] = 1: no capacity in
 * [start + i gap, start + (i + 1) gap); level[i] = the capacity there as a
 * replay sets it (available-count: the value; flags: 0 or -1 = unlimited). */
typedef struct ss_fit_trace {
    char zone[SS_STATS_NAME], instance_type[SS_STATS_NAME];
    ss_time start, gap;
    size_t n;
    uint8_t *down;
    int *level;
} ss_fit_trace;

typedef struct ss_fit_evidence {
    ss_time from, to;            /* the window with open ends resolved to the data */
    ss_fit_evidence_pool *pools; /* pools with spot inventory or notices in the window */
    size_t n_pools;
    ss_fit_trace *traces;        /* every trace of the selected pools with samples in the window */
    size_t n_traces;
    char *provenance_json;       /* files imported into the store */
} ss_fit_evidence;

int ss_fit_evidence_load(ss_store *st, const ss_stats_filter *f, ss_fit_evidence *out,
                         ss_err *err);
void ss_fit_evidence_free(ss_fit_evidence *e);

/* Save (replacing a model of the same name) in one transaction. */
int ss_fit_store_save(ss_store *st, const char *name, ss_time from, ss_time to,
                      const char *model_json, const char *source_json, const char *report,
                      ss_err *err);
/* The model JSON of NAME (malloc'd). Fails naming the models the store has. */
int ss_fit_store_load(ss_store *st, const char *name, char **model_json, ss_err *err);

#endif
