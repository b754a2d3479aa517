/*
 * util.c - checked allocation, error records, hashing, clocks.
 */
#include "sim/kernel/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

int ss_err_set(ss_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int ss_err_prefix(ss_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[512], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%.400s: %.600s", prefix, old);
    return -1;
}

void ss_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("spotsim: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void *ss_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ss_fatal("out of memory allocating %zu bytes", n);
    return p;
}

void *ss_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ss_fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *ss_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ss_fatal("out of memory reallocating %zu bytes", n);
    return q;
}

char *ss_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = ss_malloc(n);
    memcpy(d, s, n);
    return d;
}

void ss_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    *p = ss_realloc(*p, c * elem);
    *cap = c;
}

uint64_t ss_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t ss_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    /* FNV-1a over the bytes, then the SplitMix64 finaliser for avalanche. */
    const unsigned char *b = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ ss_mix64(seed);
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return ss_mix64(h);
}

uint64_t ss_hash_str(const char *s, uint64_t seed)
{
    return ss_hash_bytes(s, strlen(s), seed);
}

double ss_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

size_t ss_peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (size_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

size_t ss_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void ss_buf_printf(ss_buf *b, const char *fmt, ...)
{
    /* Format straight into the free room; grow and retry only when it did
     * not fit (one vsnprintf in the common case). */
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            ss_fatal("ss_buf_printf: bad format '%s'", fmt);
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t need = b->len + (size_t)n + 1;
        SS_GROW(b->s, b->cap, need < 256 ? 256 : need);
    }
}

void ss_buf_append(ss_buf *b, const char *data, size_t n)
{
    SS_GROW(b->s, b->cap, b->len + n + 1);
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ss_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
