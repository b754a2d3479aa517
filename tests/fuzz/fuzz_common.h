/*
 * fuzz_common.h - what one fuzz input exercises, shared by the libFuzzer
 * targets (tests/fuzz/fuzz_*.c, built by scripts/fuzz) and by the replay of
 * the regression corpus in the test suite (tests/test_fuzz_corpus.c).
 *
 * Beyond "no crash, no leak, no undefined behaviour" (ASan + UBSan), each
 * input checks properties, and abort()s when one fails:
 *   import:   a failed import names the reason and leaves the store as it
 *             was (provenance rows before == after); a successful one adds
 *             exactly one provenance row, or none when already imported;
 *   scenario: a refused file has a message starting with its name; an
 *             accepted one exports (ECS: ecs.config of exactly 4 lines,
 *             Terraform; Kubernetes: YAML) without error.
 */
#ifndef SPOTSIM_FUZZ_COMMON_H
#define SPOTSIM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets/import.h"
#include "datasets/store.h"
#include "policies/export.h"
#include "sim/scenario/scenario_io.h"

static long fuzz_provenance_rows(ss_store *st)
{
    sqlite3_stmt *s = NULL;
    long v = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM provenance", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* One import of data as format fmt into an in-memory store kept for the
 * process (the importer reads files: the input goes to a file first). */
static inline int fuzz_import_one(ss_import_format fmt, const uint8_t *data, size_t n)
{
    static ss_store st;
    static char path[64];
    static int ready;
    ss_err err;
    if (!ready) {
        if (ss_store_open(&st, ":memory:", 0, &err)) {
            fprintf(stderr, "fuzz: %s\n", err.msg);
            abort();
        }
        snprintf(path, sizeof path, "/tmp/spotsim-fuzz-%ld.in", (long)getpid());
        ready = 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(data, 1, n, f) != n)
        abort();
    fclose(f);
    ss_import_opts o;
    ss_import_opts_init(&o);
    o.format = fmt;
    o.pool = "m5.large@us-east-1a"; /* SkyPilot: pool and start are not in the file */
    o.has_start = true;
    o.start = (ss_time)1700000000000LL;
    o.snapshot = "2024-01-01"; /* Spot Advisor, spot.js */
    ss_import_result r;
    long before = fuzz_provenance_rows(&st);
    err.msg[0] = 0;
    int rc = ss_import_file(&st, path, &o, &r, &err);
    long after = fuzz_provenance_rows(&st);
    if (rc != 0 && (after != before || !err.msg[0])) {
        fprintf(stderr, "fuzz: failed import changed the store or gave no reason (%ld -> %ld): %s\n", before, after,
                err.msg);
        abort();
    }
    if (rc == 0 && after != before + (r.already_imported ? 0 : 1)) {
        fprintf(stderr, "fuzz: import added %ld provenance rows\n", after - before);
        abort();
    }
    return 0;
}

static inline int count_lines(const char *s)
{
    int k = 0;
    for (; *s; s++)
        k += *s == '\n';
    return k;
}

static inline int fuzz_scenario_one(const uint8_t *data, size_t n)
{
    char *text = malloc(n + 1);
    if (!text)
        abort();
    memcpy(text, data, n);
    text[n] = 0;
    ss_scenario *sc = calloc(1, sizeof *sc);
    ss_err err;
    err.msg[0] = 0;
    if (ss_scenario_load_string(text, "fuzz.yaml", sc, &err)) {
        if (strncmp(err.msg, "fuzz.yaml", 9) != 0) {
            fprintf(stderr, "fuzz: refusal without the file name: %s\n", err.msg);
            abort();
        }
    } else {
        char *out = NULL;
        if (sc->orchestrator == SS_ORCH_ECS) {
            if (ss_export_ecs_config(sc, &out, &err) || count_lines(out) != 4) {
                fprintf(stderr, "fuzz: ecs.config is not 4 lines:\n%s\n", out ? out : err.msg);
                abort();
            }
            free(out);
            out = NULL;
            if (sc->n_asgs > 0 && !ss_export_terraform(sc, &out, &err))
                free(out);
        } else if (!ss_export_k8s_yaml(sc, &out, &err)) {
            free(out);
        }
    }
    free(sc);
    free(text);
    return 0;
}

#endif
