/*
 * enospc.c - LD_PRELOAD fault injector: a disk that fills up.
 *
 * Streams that `fopen` (or `fopen64`) opens for writing on a path containing
 * $SPOTSIM_ENOSPC_MATCH accept $SPOTSIM_ENOSPC_AFTER bytes (default 0) and
 * then fail every write with ENOSPC, as write(2) does on a full file system.
 * The data that fits is written through to the real file, so a writer that
 * ignores the error leaves a short file behind, exactly as on a full disk.
 * Everything else is untouched. Used by tests/test_faults.c.
 *
 * glibc's stdio calls its internal write, which LD_PRELOAD cannot replace;
 * the stream is therefore replaced instead (fopencookie) at fopen time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    FILE *real;
    size_t left;
} full_disk;

static ssize_t fd_write(void *c, const char *buf, size_t n)
{
    full_disk *d = c;
    size_t k = n < d->left ? n : d->left;
    if (k && fwrite(buf, 1, k, d->real) != k)
        k = 0;
    d->left -= k;
    if (k < n) {
        errno = ENOSPC;
        /* glibc: a short count is a write error for the stream */
        return k ? (ssize_t)k : -1;
    }
    return (ssize_t)n;
}

static int fd_close(void *c)
{
    full_disk *d = c;
    int rc = fclose(d->real);
    free(d);
    return rc;
}

typedef FILE *(*fopen_fn)(const char *, const char *);

static FILE *wrap(fopen_fn real_fopen, const char *path, const char *mode)
{
    const char *match = getenv("SPOTSIM_ENOSPC_MATCH");
    FILE *f = real_fopen(path, mode);
    if (!f || !match || !*match || !strstr(path, match) || !(strchr(mode, 'w') || strchr(mode, 'a')))
        return f;
    full_disk *d = malloc(sizeof *d);
    if (!d)
        return f;
    const char *after = getenv("SPOTSIM_ENOSPC_AFTER");
    d->real = f;
    d->left = after ? (size_t)strtoull(after, NULL, 10) : 0;
    setvbuf(f, NULL, _IONBF, 0);
    cookie_io_functions_t io = {NULL, fd_write, NULL, fd_close};
    FILE *w = fopencookie(d, mode, io);
    if (!w) {
        free(d);
        return f;
    }
    return w;
}

FILE *fopen(const char *path, const char *mode)
{
    static fopen_fn real;
    if (!real)
        real = (fopen_fn)dlsym(RTLD_NEXT, "fopen");
    return wrap(real, path, mode);
}

FILE *fopen64(const char *path, const char *mode)
{
    static fopen_fn real;
    if (!real)
        real = (fopen_fn)dlsym(RTLD_NEXT, "fopen64");
    return wrap(real, path, mode);
}
