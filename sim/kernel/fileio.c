/*
 * fileio.c - atomic file writing with every write checked, regular-file
 * reading, printable names. See fileio.h.
 */
#include "sim/kernel/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ss_afile_open(ss_afile *a, const char *path, ss_err *err)
{
    memset(a, 0, sizeof *a);
    if (snprintf(a->path, sizeof a->path, "%s", path) >= (int)sizeof a->path)
        return ss_err_set(err, "%.200s...: path too long", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp", path);
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return ss_err_set(err, "%s: is a directory", path);
    a->f = fopen(a->tmp, "w");
    if (!a->f)
        return ss_err_set(err, "%s: cannot write: %s", path, strerror(errno));
    return 0;
}

int ss_afile_commit(ss_afile *a, ss_err *err)
{
    if (!a->f)
        return ss_err_set(err, "%s: not open", a->path);
    /* The stream's error flag covers every earlier fputs/fprintf/fwrite whose
     * buffered part failed; fflush pushes out the rest; fsync makes the bytes
     * durable before the rename makes them visible. errno is saved at the
     * first failure. */
    int e = 0;
    if (ferror(a->f))
        e = errno ? errno : EIO;
    if (!e && fflush(a->f) != 0)
        e = errno ? errno : EIO;
    int fd = fileno(a->f);
    if (!e && fd >= 0 && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
        e = errno;
    if (fclose(a->f) != 0 && !e)
        e = errno ? errno : EIO;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0)
        e = errno;
    if (e) {
        remove(a->tmp);
        return ss_err_set(err, "%s: write failed: %s (the previous file, if any, is unchanged)", a->path,
                          strerror(e));
    }
    return 0;
}

void ss_afile_abort(ss_afile *a)
{
    if (a->f) {
        fclose(a->f);
        a->f = NULL;
        remove(a->tmp);
    }
}

int ss_write_path_atomic(const char *path, const char *data, size_t len, ss_err *err)
{
    ss_afile a;
    if (ss_afile_open(&a, path, err))
        return -1;
    errno = 0;
    if (len && fwrite(data, 1, len, a.f) != len) {
        int e = errno ? errno : EIO;
        ss_afile_abort(&a);
        return ss_err_set(err, "%s: write failed: %s (the previous file, if any, is unchanged)", path,
                          strerror(e));
    }
    return ss_afile_commit(&a, err);
}

int ss_check_writable_path(const char *path, ss_err *err)
{
    ss_afile a;
    if (ss_afile_open(&a, path, err))
        return -1;
    fclose(a.f);
    remove(a.tmp);
    return 0;
}

int ss_mkdir_p(const char *dir, ss_err *err)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return ss_err_set(err, "%.200s...: path too long", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return ss_err_set(err, "%s: cannot create directory: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return ss_err_set(err, "%s: cannot create directory: %s", buf, strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ss_err_set(err, "%s: not a directory", buf);
    return 0;
}

int ss_check_writable_dir(const char *dir, ss_err *err)
{
    if (ss_mkdir_p(dir, err))
        return -1;
    char probe[1100];
    snprintf(probe, sizeof probe, "%s/.spotsim-write-check", dir);
    return ss_check_writable_path(probe, err) ? ss_err_set(err, "%s: directory is not writable", dir) : 0;
}

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a file";
}

FILE *ss_fopen_regular(const char *path, ss_err *err)
{
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
     * writer forever; for a regular file the flag changes nothing, and it is
     * cleared before any read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        ss_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ss_err_set(err, "%s: not a regular file (%s); give a file", path, kind_of(sb.st_mode));
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        ss_err_set(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int ss_stdout_close_check(ss_err *err)
{
    errno = 0;
    bool flush_failed = fflush(stdout) != 0;
    int e = errno;
    if (flush_failed && e)
        return ss_err_set(err, "standard output: write failed: %s", strerror(e));
    /* an earlier write failed: its errno is gone, the output is short */
    if (flush_failed || ferror(stdout))
        return ss_err_set(err, "standard output: write failed (the output is incomplete)");
    return 0;
}

char *ss_printable(const char *s, char *buf, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    if (!n)
        return buf;
    for (; s && *s && k + 1 < n; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[5];
        size_t m = 0;
        if (c == '\n') {
            esc[m++] = '\\';
            esc[m++] = 'n';
        } else if (c == '\t') {
            esc[m++] = '\\';
            esc[m++] = 't';
        } else if (c == '\r') {
            esc[m++] = '\\';
            esc[m++] = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            esc[m++] = '\\';
            esc[m++] = 'x';
            esc[m++] = hex[c >> 4];
            esc[m++] = hex[c & 15];
        } else {
            esc[m++] = (char)c;
        }
        if (k + m + 1 > n)
            break;
        memcpy(buf + k, esc, m);
        k += m;
    }
    buf[k] = 0;
    return buf;
}
