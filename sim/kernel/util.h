/*
 * util.h - small shared helpers: checked allocation, error records, hashing.
 *
 * Error convention used across spotsim: functions that can fail return 0 on
 * success and -1 on failure, and fill a caller-supplied ss_err with one line
 * that names the file, line (or array index), field and value at fault.
 * Library code never prints and never exits; only sim/cli/main.c and the cmd_*
 * files turn an ss_err into a message and an exit code.
 */
#ifndef SPOTSIM_UTIL_H
#define SPOTSIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define SS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SS_NORETURN __attribute__((noreturn))
#else
#define SS_PRINTF(a, b)
#define SS_NORETURN
#endif

#define SS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

typedef struct ss_err {
    char msg[1024];
} ss_err;

/* Set the message (printf-style). Always returns -1 so callers can write
 * `return ss_err_set(err, "...")`. A NULL err is allowed and ignored. */
int ss_err_set(ss_err *err, const char *fmt, ...) SS_PRINTF(2, 3);
/* Prefix an existing message: "prefix: old message". Returns -1. */
int ss_err_prefix(ss_err *err, const char *fmt, ...) SS_PRINTF(2, 3);

/* Allocation that aborts with a message on out-of-memory (like zmalloc). */
void *ss_malloc(size_t n);
void *ss_calloc(size_t n, size_t size);
void *ss_realloc(void *p, size_t n);
char *ss_strdup(const char *s);
/* Grow *p (an array of elem-size items with capacity *cap) to hold need. */
void ss_grow(void **p, size_t *cap, size_t need, size_t elem);
#define SS_GROW(ptr, cap, need) ss_grow((void **)&(ptr), &(cap), (need), sizeof(*(ptr)))

SS_NORETURN void ss_fatal(const char *fmt, ...) SS_PRINTF(1, 2);

/* 64-bit mixing (SplitMix64 finaliser) and keyed hashing. Used to derive seeds
 * and keyed uniform draws; documented in sim/kernel/rng.h. */
uint64_t ss_mix64(uint64_t x);
uint64_t ss_hash_bytes(const void *data, size_t n, uint64_t seed);
uint64_t ss_hash_str(const char *s, uint64_t seed);

/* Monotonic wall clock in seconds (for progress and benchmarks only; never
 * used by the simulation, whose clock is simulated time). */
double ss_wall_seconds(void);
/* Peak resident set size of this process in bytes (0 if unknown). */
size_t ss_peak_rss_bytes(void);

/* A growable text buffer: {0} is empty; s is NUL-terminated once written;
 * the caller frees s. */
typedef struct ss_buf {
    char *s;
    size_t len, cap;
} ss_buf;
void ss_buf_printf(ss_buf *b, const char *fmt, ...) SS_PRINTF(2, 3);
void ss_buf_append(ss_buf *b, const char *data, size_t n);

/* Write s as one CSV field, quoted as RFC 4180 says when it holds a comma,
 * a quote or a line break. */
void ss_csv_field(FILE *f, const char *s);

/* Case-sensitive Levenshtein distance (for "did you mean" hints). */
size_t ss_edit_distance(const char *a, const char *b);

#endif
