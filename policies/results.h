/*
 * results.h - storing `spotsim run` results: one row in runs, one row per
 * replica in run_results (one column per SS_METRICS metric), and the
 * timeline of one replica in run_timeline. All in one transaction: a run is
 * stored completely or not at all.
 */
#ifndef SPOTSIM_RESULTS_H
#define SPOTSIM_RESULTS_H

#include <sqlite3.h>
#include <stdint.h>

#include "datasets/store.h"
#include "models/eval.h"
#include "models/metrics.h"
#include "models/scenario.h"

typedef struct ss_run_record {
    const ss_scenario *sc;
    const char *scenario_text;     /* the file as read (may be NULL) */
    const char *scenario_hash;     /* ss_scenario_hash */
    uint64_t seed;
    int replicas;
    ss_time start, end;            /* effective horizon */
    const char *data_provenance;   /* JSON (may be NULL) */
    const ss_metrics *results;     /* replicas entries */
    const char *const *extra_json; /* per replica (may be NULL) */
    const ss_timeline *timeline;   /* of timeline_replica (may be NULL) */
    int timeline_replica;
} ss_run_record;

/* Create (or widen) the tables with one column per metric (SS_METRICS):
 * run_results and candidate_results. Writers call it before they insert. */
int ss_results_schema(ss_store *st, ss_err *err);

int ss_results_insert_run(ss_store *st, const ss_run_record *r, sqlite3_int64 *run_id, ss_err *err);

#endif
