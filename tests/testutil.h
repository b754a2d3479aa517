/*
 * testutil.h - shared helpers for the cmocka suites.
 */
#ifndef SPOTSIM_TESTUTIL_H
#define SPOTSIM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Source tree root (from the environment ctest sets, else the compile-time path). */
const char *tu_source_dir(void);
/* ../shared/datasets beside the checkout (the larger real-data collection;
 * SPOTSIM_SHARED_DATASETS overrides the path, which is how the skip itself is
 * tested). When it is absent the calling test is SKIPPED (cmocka skip()) after
 * one line on stdout naming the test, the path and why: a clone of this
 * repository alone passes the suite. Call it from a test body, never from a
 * setup fixture (a skip there is reported as a setup error by cmocka). */
#define tu_shared_datasets() tu_shared_datasets_for(__func__)
const char *tu_shared_datasets_for(const char *test_name);
/* Path of the spotsim binary (SPOTSIM_BIN, set by ctest). */
const char *tu_spotsim_bin(void);
/* A fresh empty temporary directory (removed by tu_rmtree). */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
/* Run a shell command line; returns its exit status (or -1). Output goes to
 * the files out/err if non-NULL. */
int tu_system(const char *cmdline);
/* Read a whole file (NUL-terminated); NULL on failure. */
char *tu_read_file(const char *path, size_t *len);
/* snprintf into a static rotating buffer (for building paths). */
const char *tu_fmt(const char *fmt, ...);

#endif
