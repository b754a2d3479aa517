/*
 * optimize_cli.h - helpers shared by the tests that run `spotsim optimize`
 * through the binary (tests/test_optimize_cli.c, tests/mpi/
 * test_optimize_mpi.c): a store with the bundled samples the small scenario
 * needs, and byte comparison of output files.
 */
#ifndef SPOTSIM_TESTS_OPTIMIZE_CLI_H
#define SPOTSIM_TESTS_OPTIMIZE_CLI_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "tests/testutil.h"

/* tests/data/optimize/ecs-small.yaml: 24 grid candidates x 2 replicas. */
#define OC_SLOTS 48

static inline const char *oc_scenario(void)
{
    return tu_fmt("%s/tests/data/optimize/ecs-small.yaml", tu_source_dir());
}

/* Import the two bundled samples the scenario needs into db. */
static inline void oc_import(const char *db)
{
    char samples[1024];
    snprintf(samples, sizeof samples, "%s/datasets/samples", tu_source_dir());
    int rc = tu_system(tu_fmt("'%s' import --db '%s' --quiet '%s/eu-west-3a-2020-linux.csv' "
                              "'%s/spot-advisor-data_2025-06-28.json' >/dev/null",
                              tu_spotsim_bin(), db, samples, samples));
    if (rc != 0)
        fail_msg("spotsim import of the samples into %s exited %d", db, rc);
}

/* One integer from a query on db (-1 when it fails). */
static inline long oc_query_long(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    long v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

/* Fail unless files a and b exist and are byte-identical. */
static inline void oc_same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = tu_read_file(a, &na), *y = tu_read_file(b, &nb);
    if (!x || !y)
        fail_msg("cannot read %s or %s", a, b);
    if (na != nb || memcmp(x, y, na))
        fail_msg("%s and %s differ:\n--- %s\n%s\n--- %s\n%s", a, b, a, x, b, y);
    free(x);
    free(y);
}

/* The optimization id printed on stdout (saved in file). */
static inline long oc_read_id(const char *file)
{
    char *s = tu_read_file(file, NULL);
    if (!s)
        fail_msg("no stdout file %s", file);
    long id = strtol(s, NULL, 10);
    free(s);
    return id;
}

#endif
