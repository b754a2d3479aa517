/*
 * results.c - insert a run into runs / run_results / run_timeline.
 */
#include "policies/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int step_done(ss_store *st, sqlite3_stmt *s, ss_err *err)
{
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE)
        return ss_err_set(err, "%s: %s", st->path, sqlite3_errmsg(st->db));
    sqlite3_reset(s);
    return 0;
}

int ss_results_schema(ss_store *st, ss_err *err)
{
    ss_store_column cols[SS_METRIC_COUNT];
    for (int i = 0; i < SS_METRIC_COUNT; i++) {
        cols[i].name = ss_metric_table[i].name;
        cols[i].is_int = ss_metric_table[i].is_int;
    }
    if (ss_store_ensure_table(st, "run_results",
                              "run_id INTEGER NOT NULL REFERENCES runs(id), replica INTEGER NOT NULL",
                              "run_id, replica", cols, SS_METRIC_COUNT, err) ||
        ss_store_ensure_table(st, "candidate_results",
                              "optimization_id INTEGER NOT NULL, candidate_id INTEGER NOT NULL,"
                              " replica INTEGER NOT NULL",
                              "optimization_id, candidate_id, replica", cols, SS_METRIC_COUNT, err))
        return -1;
    return 0;
}

int ss_results_insert_run(ss_store *st, const ss_run_record *r, sqlite3_int64 *run_id, ss_err *err)
{
    sqlite3_stmt *s = NULL;
    char created[32];
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    if (ss_store_begin(st, err))
        return -1;
    if (ss_results_schema(st, err))
        goto fail;
    if (ss_store_prepare(st,
                         "INSERT INTO runs(created_at, scenario_name, scenario_path, scenario_hash,"
                         " scenario_text, orchestrator, seed, replicas, horizon_start_ms, horizon_end_ms,"
                         " version, data_provenance) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                         &s, err))
        goto fail;
    sqlite3_bind_text(s, 1, created, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, r->sc->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, r->sc->source_path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, r->scenario_hash ? r->scenario_hash : "", -1, SQLITE_TRANSIENT);
    if (r->scenario_text)
        sqlite3_bind_text(s, 5, r->scenario_text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 6, r->sc->orchestrator == SS_ORCH_ECS ? "ecs" : "kubernetes", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)r->seed);
    sqlite3_bind_int(s, 8, r->replicas);
    sqlite3_bind_int64(s, 9, r->start);
    sqlite3_bind_int64(s, 10, r->end);
    sqlite3_bind_text(s, 11, SPOTSIM_VERSION, -1, SQLITE_STATIC);
    if (r->data_provenance)
        sqlite3_bind_text(s, 12, r->data_provenance, -1, SQLITE_TRANSIENT);
    if (step_done(st, s, err))
        goto fail;
    sqlite3_finalize(s);
    s = NULL;
    sqlite3_int64 id = sqlite3_last_insert_rowid(st->db);

    /* run_results: columns from SS_METRICS */
    char *sql = NULL;
    size_t len = 0, cap = 0;
    const char *head = "INSERT INTO run_results(run_id, replica";
    SS_GROW(sql, cap, strlen(head) + 1);
    strcpy(sql, head);
    len = strlen(sql);
    for (int i = 0; i < SS_METRIC_COUNT; i++) {
        size_t n = strlen(ss_metric_table[i].name) + 3;
        SS_GROW(sql, cap, len + n + 1);
        len += (size_t)snprintf(sql + len, cap - len, ", %s", ss_metric_table[i].name);
    }
    SS_GROW(sql, cap, len + 64 + 3 * SS_METRIC_COUNT);
    len += (size_t)snprintf(sql + len, cap - len, ", extra_json) VALUES(?, ?");
    for (int i = 0; i < SS_METRIC_COUNT + 1; i++)
        len += (size_t)snprintf(sql + len, cap - len, ", ?");
    snprintf(sql + len, cap - len, ")");
    int prc = ss_store_prepare(st, sql, &s, err);
    free(sql);
    if (prc)
        goto fail;
    for (int k = 0; k < r->replicas; k++) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, k);
        for (int i = 0; i < SS_METRIC_COUNT; i++) {
            double v = ss_metrics_get(&r->results[k], i);
            if (ss_metric_table[i].is_int)
                sqlite3_bind_int64(s, 3 + i, (sqlite3_int64)v);
            else
                sqlite3_bind_double(s, 3 + i, v);
        }
        if (r->extra_json && r->extra_json[k])
            sqlite3_bind_text(s, 3 + SS_METRIC_COUNT, r->extra_json[k], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(s, 3 + SS_METRIC_COUNT);
        if (step_done(st, s, err))
            goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;

    if (r->timeline && r->timeline->n) {
        if (ss_store_prepare(st,
                             "INSERT INTO run_timeline(run_id, replica, t_ms, required, healthy, desired,"
                             " running, pending, spot_instances, od_instances, event, spot_cost_usd,"
                             " od_cost_usd)"
                             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             &s, err))
            goto fail;
        for (size_t i = 0; i < r->timeline->n; i++) {
            const ss_timeline_row *w = &r->timeline->rows[i];
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_int(s, 2, r->timeline_replica);
            sqlite3_bind_int64(s, 3, w->t);
            sqlite3_bind_double(s, 4, w->required);
            sqlite3_bind_double(s, 5, w->healthy);
            sqlite3_bind_double(s, 6, w->desired);
            sqlite3_bind_double(s, 7, w->running);
            sqlite3_bind_double(s, 8, w->pending);
            sqlite3_bind_int(s, 9, w->spot_instances);
            sqlite3_bind_int(s, 10, w->od_instances);
            if (w->event)
                sqlite3_bind_text(s, 11, w->event, -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(s, 11);
            sqlite3_bind_double(s, 12, w->spot_cost_usd);
            sqlite3_bind_double(s, 13, w->od_cost_usd);
            if (step_done(st, s, err))
                goto fail;
        }
        sqlite3_finalize(s);
        s = NULL;
    }
    if (ss_store_commit(st, err))
        goto fail;
    *run_id = id;
    return 0;
fail:
    if (s)
        sqlite3_finalize(s);
    ss_store_rollback(st);
    return -1;
}
