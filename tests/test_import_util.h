/*
 * test_import_util.h - helpers shared by tests/test_import*.c (header-only:
 * every tests/test_*.c is its own executable). A full ordered dump of the
 * store, to prove that a failed import changed nothing, and small scans of
 * data files that do NOT use the importer (independent figures).
 */
#ifndef SPOTSIM_TEST_IMPORT_UTIL_H
#define SPOTSIM_TEST_IMPORT_UTIL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/import.h"
#include "tests/testutil.h"

/* Every table, every row, ordered by all columns: one string. */
static inline char *itl_dump(ss_store *st)
{
    size_t len = 0, cap = 0;
    char *out = NULL;
    sqlite3_stmt *t;
    assert_int_equal(sqlite3_prepare_v2(st->db,
                                        "SELECT name FROM sqlite_master WHERE type='table'"
                                        " ORDER BY name", -1, &t, NULL), SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        char sql[512];
        const char *name = (const char *)sqlite3_column_text(t, 0);
        sqlite3_stmt *q;
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
        assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
        int nc = sqlite3_column_count(q);
        sqlite3_finalize(q);
        size_t l = strlen(sql);
        l += (size_t)snprintf(sql + l, sizeof sql - l, " ORDER BY ");
        for (int i = 1; i <= nc && l < sizeof sql - 8; i++)
            l += (size_t)snprintf(sql + l, sizeof sql - l, "%s%d", i > 1 ? "," : "", i);
        assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &q, NULL), SQLITE_OK);
        char line[4096];
        int n = snprintf(line, sizeof line, "## %s\n", name);
        SS_GROW(out, cap, len + (size_t)n + 1);
        memcpy(out + len, line, (size_t)n + 1);
        len += (size_t)n;
        while (sqlite3_step(q) == SQLITE_ROW) {
            for (int i = 0; i < nc; i++) {
                const unsigned char *v = sqlite3_column_text(q, i);
                n = snprintf(line, sizeof line, "%s%s", i ? "|" : "", v ? (const char *)v : "NULL");
                SS_GROW(out, cap, len + (size_t)n + 2);
                memcpy(out + len, line, (size_t)n + 1);
                len += (size_t)n;
            }
            out[len++] = '\n';
            out[len] = '\0';
        }
        sqlite3_finalize(q);
    }
    sqlite3_finalize(t);
    return out;
}

static inline long itl_query_long(ss_store *st, const char *sql)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        fail_msg("SQL error %s in %s", sqlite3_errmsg(st->db), sql);
    long v = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

/* Next occurrence of needle (k bytes) in [p, end), or NULL. A plain loop:
 * ASan's strstr interceptor rescans the whole haystack on every call, which
 * makes repeated strstr over a large file quadratic. */
static inline char *itl_find(char *p, const char *end, const char *needle, size_t k)
{
    for (; p + k <= end; p++)
        if (*p == needle[0] && !memcmp(p, needle, k))
            return p;
    return NULL;
}

/* Count non-overlapping occurrences of needle in a file. */
static inline long itl_count(const char *path, const char *needle)
{
    size_t n;
    char *buf = tu_read_file(path, &n);
    if (!buf)
        fail_msg("cannot read %s", path);
    long c = 0;
    size_t k = strlen(needle);
    for (char *p = buf; (p = itl_find(p, buf + n, needle, k)) != NULL; p += k)
        c++;
    free(buf);
    return c;
}

/* Import one file into st; asserts success. */
static inline ss_import_result itl_import_ok(ss_store *st, const char *path, const ss_import_opts *o)
{
    ss_import_result r;
    ss_err err = {{0}};
    ss_import_opts def;
    if (!o) {
        ss_import_opts_init(&def);
        o = &def;
    }
    if (ss_import_file(st, path, o, &r, &err))
        fail_msg("import of %s failed: %s", path, err.msg);
    return r;
}

#endif
