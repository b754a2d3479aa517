/*
 * store.h - the embedded SQLite store: imported datasets and results.
 *
 * One file (default results/spotsim.db). The schema is versioned with
 * PRAGMA user_version; ss_store_open migrates older files forward inside one
 * BEGIN IMMEDIATE transaction that also reads the version, so two processes
 * opening a new or old store at once cannot both migrate it. Migration steps
 * are a table in store.c (append a step and raise SS_STORE_SCHEMA_VERSION).
 *
 * Concurrent use: any number of readers; writers take turns. A writer that
 * finds the store locked waits (retrying with backoff) up to
 * SS_STORE_LOCK_WAIT_S seconds, or $SPOTSIM_LOCK_TIMEOUT seconds when set,
 * telling the notice callback (if one is set) after 2 s and every 30 s.
 */
#ifndef SPOTSIM_STORE_H
#define SPOTSIM_STORE_H

#include <sqlite3.h>

#include "sim/kernel/util.h"

#define SS_STORE_DEFAULT_PATH "results/spotsim.db"
#define SS_STORE_SCHEMA_VERSION 4

#define SS_STORE_LOCK_WAIT_S 3600

typedef struct ss_store {
    sqlite3 *db;
    char path[512];
    struct ss_store_wait *wait; /* busy-handler state (store.c) */
} ss_store;

/* Called while a writer waits for the lock: path, seconds waited so far and
 * the limit. The CLI prints it; library code never prints. */
typedef void (*ss_store_wait_fn)(const char *path, double waited_s, double limit_s);
void ss_store_set_wait_notice(ss_store_wait_fn fn);

/* Open (creating and migrating as needed). readonly: open an existing file
 * without writing (fails if it is missing or too new). */
int ss_store_open(ss_store *st, const char *path, int readonly, ss_err *err);
void ss_store_close(ss_store *st);

/* Run SQL with no result rows. */
int ss_store_exec(ss_store *st, const char *sql, ss_err *err);
int ss_store_begin(ss_store *st, ss_err *err);   /* BEGIN IMMEDIATE */
int ss_store_commit(ss_store *st, ss_err *err);
void ss_store_rollback(ss_store *st);

/* Prepare, or fail with the SQL error in err. */
int ss_store_prepare(ss_store *st, const char *sql, sqlite3_stmt **out, ss_err *err);

/* A column of a table whose columns a layer above the store defines. */
typedef struct ss_store_column {
    const char *name;
    int is_int; /* INTEGER, else REAL */
} ss_store_column;

/* CREATE TABLE IF NOT EXISTS name(keys, <cols>, extra_json TEXT, PRIMARY
 * KEY(pk)), and ADD COLUMN for each of cols an existing table lacks. Call it
 * inside the writer's transaction. */
int ss_store_ensure_table(ss_store *st, const char *name, const char *keys, const char *pk,
                          const ss_store_column *cols, size_t n, ss_err *err);

/* Get-or-create a pool id for (region, zone, instance_type, product). */
int ss_store_pool_id(ss_store *st, const char *region, const char *zone, const char *instance_type,
                     const char *product, sqlite3_int64 *out, ss_err *err);

/* Region of an AZ name ("us-east-1a" -> "us-east-1") or AZ ID ("use1-az4" ->
 * "us-east-1"). Returns 0, or -1 if the text is neither. */
int ss_region_of_zone(const char *zone, char *region, size_t n);

#endif
