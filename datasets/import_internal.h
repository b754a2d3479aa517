/*
 * import_internal.h - shared machinery of the import_*.c readers (not a public
 * interface: only datasets/import_*.c and detect.c include it).
 *
 * Each reader walks its file and hands records to the helpers here, which
 * validate fields, cache pool ids and insert through prepared statements. A
 * bad record goes through ss_imp_bad(): fatal by default, counted and skipped
 * with --skip-bad.
 */
#ifndef SPOTSIM_IMPORT_INTERNAL_H
#define SPOTSIM_IMPORT_INTERNAL_H

#include <stdio.h>

#include <jansson.h>
#include <sqlite3.h>
#include <uthash.h>

#include "datasets/import.h"

typedef struct ss_imp_pool {
    char key[200]; /* region \x1f zone \x1f type \x1f product */
    sqlite3_int64 id;
    UT_hash_handle hh;
} ss_imp_pool;

typedef struct ss_imp_zone_t {
    char id[32];
    char name[64];
    bool stored;   /* from table zone_ids (an earlier --zone-map) */
    bool from_map; /* from this import's --zone-map */
    UT_hash_handle hh;
} ss_imp_zone_t;

enum {
    SS_IMP_ST_PRICE_INS,
    SS_IMP_ST_PRICE_GET,
    SS_IMP_ST_EVENT_INS,
    SS_IMP_ST_EVENT_GET,
    SS_IMP_ST_INST_INS,
    SS_IMP_ST_INST_GET,
    SS_IMP_ST_SAMPLE_INS,
    SS_IMP_ST_GENERIC_INS,
    SS_IMP_ST_GENERIC_GET,
    SS_IMP_ST_COUNT
};

typedef struct ss_imp {
    ss_store *st;
    const char *path;          /* as given, used in every message */
    const ss_import_opts *o;
    ss_import_result *res;
    ss_err *err;
    sqlite3_int64 source_id;
    ss_imp_pool *pools;
    ss_imp_zone_t *zones;
    sqlite3_stmt *stmt[SS_IMP_ST_COUNT];
    char loc[600];             /* "FILE:LINE" or "FILE: [i]" of the current record */
    char options[512];         /* canonical options (provenance) */
    ss_time snapshot_ms;       /* resolved --snapshot (advisor, spot.js) */
    char snapshot[16];
} ss_imp;

/* Set c->loc for the record at a line, or at an array index. */
void ss_imp_at_line(ss_imp *c, long line);
void ss_imp_at_index(ss_imp *c, size_t index);

/* A bad record: message is prefixed with c->loc. With skip_bad, counts it,
 * keeps the first reasons and returns 1 (skip); otherwise fills c->err and
 * returns -1 (abort the file). */
int ss_imp_bad(ss_imp *c, const char *fmt, ...) SS_PRINTF(2, 3);
/* A fatal file-level error (never skippable): "FILE: message", returns -1. */
int ss_imp_fail(ss_imp *c, const char *fmt, ...) SS_PRINTF(2, 3);

/* Prepared statement slot (prepared on first use, reset before return). */
sqlite3_stmt *ss_imp_stmt(ss_imp *c, int slot, const char *sql);
/* Step an INSERT ... ON CONFLICT DO NOTHING; returns 1 if a row was added,
 * 0 if it conflicted, -1 on SQL error (c->err set). Resets the statement. */
int ss_imp_step_insert(ss_imp *c, sqlite3_stmt *s);

/* Field validation; each returns 0 or the ss_imp_bad() code. */
int ss_imp_time(ss_imp *c, const char *field, const char *v, ss_time *out);
int ss_imp_price(ss_imp *c, const char *field, const char *v, double *out);
int ss_imp_type(ss_imp *c, const char *field, const char *v);
/* Zone name or AZ ID -> (region, zone name); AZ IDs go through --zone-map. */
int ss_imp_zone(ss_imp *c, const char *field, const char *v, char *region, size_t rn,
                char *zone, size_t zn);
int ss_imp_region(ss_imp *c, const char *field, const char *v);
int ss_imp_product(ss_imp *c, const char *field, const char *v, char *out, size_t n);

/* Cached get-or-create pool id. */
int ss_imp_pool_id(ss_imp *c, const char *region, const char *zone, const char *type,
                   const char *product, sqlite3_int64 *out);
void ss_imp_span(ss_imp *c, ss_time t);

/* One spot price record (strings as read), validated and inserted. */
int ss_imp_price_record(ss_imp *c, const char *zone, const char *type, const char *product,
                        const char *price, const char *timestamp);

/* Streaming CSV over libcsv: fn gets each non-blank record with its line.
 * fn returns 0 to go on, -1 to abort. Returns 0 or -1. */
typedef int (*ss_imp_row_fn)(ss_imp *c, long line, char **f, size_t nf, void *ud);
int ss_imp_csv_stream(ss_imp *c, FILE *fp, unsigned char delim, ss_imp_row_fn fn, void *ud);

/* JSON lines: fn gets each non-blank line parsed (borrowed reference). */
typedef int (*ss_imp_json_fn)(ss_imp *c, json_t *v, void *ud);
int ss_imp_jsonl_stream(ss_imp *c, FILE *fp, ss_imp_json_fn fn, void *ud);
/* Whole JSON document (size checked by the caller). Returns a new ref or NULL. */
json_t *ss_imp_json_load(ss_imp *c, FILE *fp);
/* Decode the elements of a JSON array one at a time: the document is either
 * the array, or an object whose field `member` is the array (other fields are
 * decoded and skipped). fn gets each element with c->loc set to its index;
 * non-zero from fn stops. Memory does not grow with the number of elements. */
typedef int (*ss_imp_json_elem_fn)(ss_imp *c, json_t *v, void *ud);
int ss_imp_json_array_stream(ss_imp *c, FILE *fp, const char *member, ss_imp_json_elem_fn fn,
                             void *ud);

/* Header matching: lower-case, without spaces, '_' and '-'. */
void ss_imp_norm_header(const char *in, char *out, size_t n);

/* JSON helpers: string member (NULL + ss_imp_bad if missing / not a string). */
int ss_imp_json_str(ss_imp *c, json_t *obj, const char *key, const char **out);

/* The readers (one per format family). */
int ss_imp_price_json(ss_imp *c, FILE *fp);
int ss_imp_price_jsonl(ss_imp *c, FILE *fp);
int ss_imp_price_csv(ss_imp *c, FILE *fp);
int ss_imp_price_tsv(ss_imp *c, FILE *fp);
int ss_imp_events_json(ss_imp *c, FILE *fp);
int ss_imp_events_jsonl(ss_imp *c, FILE *fp);
int ss_imp_inventory_csv(ss_imp *c, FILE *fp);
int ss_imp_records_csv(ss_imp *c, FILE *fp);
int ss_imp_skypilot(ss_imp *c, FILE *fp);
int ss_imp_advisor(ss_imp *c, FILE *fp);
int ss_imp_ondemand_2016(ss_imp *c, FILE *fp);
int ss_imp_ondemand_csv(ss_imp *c, FILE *fp);
int ss_imp_spotjs(ss_imp *c, FILE *fp);
int ss_imp_instances_json(ss_imp *c, FILE *fp);
int ss_imp_spot_requests_json(ss_imp *c, FILE *fp);
/* Canonical options of the skypilot reader (resolves pool/start/meaning). */
int ss_imp_skypilot_options(ss_imp *c, char *out, size_t n);

#endif
