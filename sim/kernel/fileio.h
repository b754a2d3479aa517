/*
 * fileio.h - files written whole or not at all, and files opened for reading
 * that are known to be regular files.
 *
 * ss_afile: write to "<path>.tmp", then ss_afile_commit checks every write
 * (the stream's error flag, fflush, fsync, fclose) and only then renames the
 * temporary file over <path>. Any failure (a full disk: ENOSPC, EDQUOT, EIO)
 * removes the temporary file and leaves the previous <path> untouched, with a
 * message naming the path and the reason. Never a short file in place.
 */
#ifndef SPOTSIM_FILEIO_H
#define SPOTSIM_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/kernel/util.h"

typedef struct ss_afile {
    FILE *f;
    char path[1024];
    char tmp[1040];
} ss_afile;

/* Create "<path>.tmp" for writing. */
int ss_afile_open(ss_afile *a, const char *path, ss_err *err);
/* Check every write, fsync, close and rename into place; on failure remove the
 * temporary file and return -1 with the reason (e.g. "No space left on
 * device"). a->f is NULL afterwards either way. */
int ss_afile_commit(ss_afile *a, ss_err *err);
/* Give up: close and remove the temporary file (no-op when already closed). */
void ss_afile_abort(ss_afile *a);

/* Write len bytes to path atomically (ss_afile). */
int ss_write_path_atomic(const char *path, const char *data, size_t len, ss_err *err);

/* Can a file be created at path (its directory exists and is writable, path
 * is not a directory)? Checked by creating and removing "<path>.tmp", which is
 * what ss_afile_open does, so no run or search is wasted on an output that
 * cannot be written. */
int ss_check_writable_path(const char *path, ss_err *err);
/* Same for a directory that outputs will be written into (created if
 * missing, as with mkdir -p). */
int ss_check_writable_dir(const char *dir, ss_err *err);

/* mkdir -p dir; "<dir>: not a directory" when something else is there. */
int ss_mkdir_p(const char *dir, ss_err *err);

/* Open path for reading as a stream; refuse anything but a regular file
 * (a FIFO with no writer would block forever, a directory or device is
 * never an input) with "<path>: not a regular file (a FIFO)". The open
 * itself is non-blocking, so a FIFO is refused at once. */
FILE *ss_fopen_regular(const char *path, ss_err *err);

/* Flush stdout and report a write error on it (a full disk or a closed
 * pipe behind `> FILE`): returns -1 with the reason in err. */
int ss_stdout_close_check(ss_err *err);

/* Copy s into buf (size n) with every control character (bytes below 0x20
 * and 0x7f) replaced by a visible escape such as "\n" or "\x1b", so a name
 * printed to a terminal cannot move the cursor, change colours or fake a
 * new line. Returns buf. */
char *ss_printable(const char *s, char *buf, size_t n);

#endif
