/*
 * import.h - `spotsim import`: real AWS exports into the SQLite store.
 *
 * One call imports one file in ONE transaction: a provenance row (file name,
 * SHA-256, format, canonical options, rows, skipped) plus the records. A file
 * that was already imported with the same format and options is a no-op. Any
 * malformed record fails the whole file (the store is left unchanged) with a
 * message naming FILE:LINE (or FILE: [index]), the field and the value, unless
 * opts->skip_bad, in which case bad records are counted and skipped.
 * See docs/formats.md for every accepted shape and the mappings applied.
 */
#ifndef SPOTSIM_IMPORT_H
#define SPOTSIM_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "datasets/store.h"
#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

typedef enum ss_import_format {
    SS_IMPORT_AUTO = 0,
    SS_IMPORT_PRICE_JSON,    /* {"SpotPriceHistory":[...]} (AWS CLI)             */
    SS_IMPORT_PRICE_JSONL,   /* one price record object per line                 */
    SS_IMPORT_PRICE_CSV,     /* CSV with a header naming the columns             */
    SS_IMPORT_PRICE_TSV,     /* archive TSV: AZ-ID type product price timestamp  */
    SS_IMPORT_EVENTS_JSON,   /* EventBridge events: JSON array                   */
    SS_IMPORT_EVENTS_JSONL,  /* EventBridge events: one per line                 */
    SS_IMPORT_INVENTORY_CSV, /* instance inventory                               */
    SS_IMPORT_RECORDS_CSV,   /* flat interruption records                        */
    SS_IMPORT_SKYPILOT,      /* {"metadata":{"gap_seconds":G},"data":[...]}      */
    SS_IMPORT_ADVISOR,       /* Spot Advisor JSON                                */
    SS_IMPORT_ONDEMAND_2016, /* ,AvailabilityZone(=region),InstanceType,OnDemand */
    SS_IMPORT_ONDEMAND_CSV,  /* region,instance_type,os,usd_per_hour             */
    SS_IMPORT_SPOTJS,        /* legacy spot.js price snapshot                    */
    SS_IMPORT_INSTANCES_JSON, /* aws ec2 describe-instances: the inventory       */
    SS_IMPORT_SPOT_REQUESTS_JSON, /* aws ec2 describe-spot-instance-requests     */
    SS_IMPORT_FORMAT_COUNT
} ss_import_format;

/* JSON-document shapes are loaded whole (jansson); files above this size are
 * refused before reading (streamed shapes have no limit). */
#define SS_IMPORT_MAX_JSON_BYTES ((long long)256 * 1024 * 1024)
/* How many skip reasons are kept for the report. */
#define SS_IMPORT_REASONS 5

typedef struct ss_import_opts {
    ss_import_format format;  /* SS_IMPORT_AUTO = detect from content */
    bool skip_bad;            /* skip malformed records instead of failing */
    const char *zone_map;     /* CSV zone_id,zone_name (TSV / AvailabilityZoneId) */
    /* SkyPilot traces */
    const char *pool;         /* TYPE@ZONE; NULL = from the file name */
    bool has_start;
    ss_time start;            /* time of sample 0; default = date in the directory name */
    long start_offset;        /* sample 0 is start_offset samples after start */
    const char *meaning;      /* available-count | preempted-flag | available-flag */
    long capacity;            /* 0 = default (max value for counts, 1 for flags) */
    /* Spot Advisor / spot.js: snapshot date YYYY-MM-DD; NULL = from the file name.
     * On-Demand tables: the date from which the prices are in effect; NULL =
     * from the file name, else undated. */
    const char *snapshot;
} ss_import_opts;

typedef struct ss_import_result {
    ss_import_format format;  /* the format used (detected or forced) */
    bool already_imported;    /* provenance says this file+format+options is in */
    long records;             /* records read from the file (good + skipped) */
    long added;               /* rows added to the data tables */
    long duplicates;          /* identical records already present (ignored) */
    long skipped;             /* bad records skipped (skip_bad only) */
    long not_offered;         /* spot.js "N/A" entries (not records) */
    ss_time t_min, t_max;     /* span of the record timestamps (0,0 if none) */
    int n_reasons;
    char reasons[SS_IMPORT_REASONS][512]; /* first skip reasons */
    char note[256];           /* an assumption the import made ("" = none) */
    char summary[512];        /* what the file added: regions, zones, types, time span */
} ss_import_result;

void ss_import_opts_init(ss_import_opts *o);

/* Import one file. Returns 0 (also when already imported) or -1 with err set;
 * on -1 the store is unchanged. */
int ss_import_file(ss_store *st, const char *path, const ss_import_opts *opts,
                   ss_import_result *res, ss_err *err);

/* Format names as used by --format and stored in provenance.format. */
const char *ss_import_format_name(ss_import_format f);
int ss_import_format_parse(const char *name, ss_import_format *out);

/* Detect the format from the first bytes of a file (head, n bytes; whole
 * file if n < size). Fails with a reason naming path (binary data, empty,
 * unknown shape). */
int ss_import_detect(const char *path, const char *head, size_t n, ss_import_format *out,
                     ss_err *err);

/* Canonical product / OS name: "Linux/UNIX (Amazon VPC)" -> "Linux/UNIX",
 * "linux"/"Linux" -> "Linux/UNIX", "mswin" -> "Windows", ... Writes into out;
 * returns 0, or -1 if s is empty. */
int ss_import_product(const char *s, char *out, size_t n);

/* Modern name of a legacy spot.js region ("us-east" -> "us-east-1"); NULL if
 * unknown. Modern names map to themselves. */
const char *ss_import_legacy_region(const char *legacy);

#endif
