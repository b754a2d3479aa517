/*
 * import_stream.c - the streaming readers under every text format: CSV/TSV
 * through libcsv (fixed 64 KiB chunks, one record buffer reused), JSON lines
 * through jansson one line at a time, and whole JSON documents.
 *
 * Memory does not grow with the file: the CSV record buffer grows only with
 * the longest record, the JSON-lines buffer with the longest line (capped).
 */
#include "datasets/import_internal.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define MAX_FIELDS 64
#define MAX_LINE_BYTES (1 << 20)

typedef struct csv_state {
    ss_imp *c;
    ss_imp_row_fn fn;
    void *ud;
    char *buf;             /* field texts, NUL-separated */
    size_t len, cap;
    size_t off[MAX_FIELDS];
    size_t nf;
    long line;             /* line of the next character */
    long rec_line;         /* line the current record started on */
    int prev_term;         /* terminator of the previous record */
    int failed;
    int too_many;
} csv_state;

static void on_field(void *data, size_t n, void *p)
{
    csv_state *s = p;
    if (s->failed)
        return;
    if (s->nf == 0)
        s->rec_line = s->line;
    for (size_t i = 0; i < n; i++)
        if (((char *)data)[i] == '\n')
            s->line++; /* a quoted field spanning lines */
    if (s->nf >= MAX_FIELDS) {
        s->too_many = 1;
        return;
    }
    SS_GROW(s->buf, s->cap, s->len + n + 1);
    s->off[s->nf++] = s->len;
    if (n)
        memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len++] = '\0';
}

static void on_record(int term, void *p)
{
    csv_state *s = p;
    if (s->failed)
        return;
    /* CRLF: the '\r' ends the record, the '\n' comes as an empty record */
    if (s->nf == 0 && term == '\n' && s->prev_term == '\r') {
        s->prev_term = term;
        return;
    }
    s->prev_term = term;
    if (s->nf > 0) {
        ss_imp *c = s->c;
        if (s->too_many) {
            ss_err_set(c->err, "%s:%ld: more than %d fields", c->path, s->rec_line, MAX_FIELDS);
            s->failed = 1;
        } else {
            char *fields[MAX_FIELDS];
            for (size_t i = 0; i < s->nf; i++)
                fields[i] = s->buf + s->off[i];
            ss_imp_at_line(c, s->rec_line);
            if (s->fn(c, s->rec_line, fields, s->nf, s->ud))
                s->failed = 1;
        }
    }
    s->nf = 0;
    s->len = 0;
    s->too_many = 0;
    if (term != -1)
        s->line++;
}

static int is_space_only(unsigned char ch) { return ch == ' '; }

int ss_imp_csv_stream(ss_imp *c, FILE *fp, unsigned char delim, ss_imp_row_fn fn, void *ud)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_REPALL_NL) != 0)
        return ss_err_set(c->err, "%s: csv_init failed", c->path);
    csv_set_delim(&p, delim);
    /* Only ' ' is trimmed: with tab as the delimiter a tab must not be eaten. */
    csv_set_space_func(&p, is_space_only);
    csv_state s;
    memset(&s, 0, sizeof s);
    s.c = c;
    s.fn = fn;
    s.ud = ud;
    s.line = 1;
    static char chunk[1 << 16];
    size_t n;
    int rc = 0;
    while (!s.failed && (n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (csv_parse(&p, chunk, n, on_field, on_record, &s) != n) {
            rc = ss_err_set(c->err, "%s:%ld: malformed CSV: %s", c->path, s.line,
                            csv_strerror(csv_error(&p)));
            break;
        }
    }
    if (!rc && !s.failed && ferror(fp))
        rc = ss_err_set(c->err, "%s: read error: %s", c->path, strerror(errno));
    if (!rc && !s.failed && csv_fini(&p, on_field, on_record, &s) != 0)
        rc = ss_err_set(c->err, "%s:%ld: malformed CSV: %s (unterminated quote?)", c->path, s.line,
                        csv_strerror(csv_error(&p)));
    csv_free(&p);
    free(s.buf);
    return rc || s.failed ? -1 : 0;
}

int ss_imp_jsonl_stream(ss_imp *c, FILE *fp, ss_imp_json_fn fn, void *ud)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, fp)) > 0) {
        lineno++;
        ss_imp_at_line(c, lineno);
        if (n > MAX_LINE_BYTES) {
            rc = ss_imp_fail(c, "line %ld is longer than %d bytes", lineno, MAX_LINE_BYTES);
            break;
        }
        ssize_t i = 0;
        while (i < n && isspace((unsigned char)line[i]))
            i++;
        if (i == n)
            continue;
        json_error_t je;
        json_t *v = json_loadb(line, (size_t)n, 0, &je);
        if (!v) {
            rc = ss_imp_bad(c, "invalid JSON at column %d: %s", je.column, je.text);
            if (rc > 0) {
                rc = 0;
                c->res->records++;
                continue;
            }
            break;
        }
        rc = fn(c, v, ud);
        json_decref(v);
        if (rc)
            break;
    }
    if (!rc && ferror(fp))
        rc = ss_err_set(c->err, "%s: read error: %s", c->path, strerror(errno));
    free(line);
    return rc ? -1 : 0;
}

json_t *ss_imp_json_load(ss_imp *c, FILE *fp)
{
    /* Read into one buffer and parse with json_loadb: json_loadf reads
     * through getc, which was a visible cost on large documents. The caller
     * has checked the size against SS_IMPORT_MAX_JSON_BYTES. */
    size_t len = 0, cap = 1 << 16;
    char *buf = ss_malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap)
            SS_GROW(buf, cap, cap * 2);
    }
    json_error_t je;
    json_t *v = json_loadb(buf, len, 0, &je);
    free(buf);
    if (!v)
        ss_err_set(c->err, "%s:%d: invalid JSON (column %d): %s", c->path, je.line, je.column,
                   je.text);
    return v;
}

void ss_imp_norm_header(const char *in, char *out, size_t n)
{
    size_t j = 0;
    /* a UTF-8 byte-order mark before the first header */
    if (!strncmp(in, "\xEF\xBB\xBF", 3))
        in += 3;
    for (; *in && j + 1 < n; in++)
        if (*in != ' ' && *in != '_' && *in != '-')
            out[j++] = (char)tolower((unsigned char)*in);
    out[j] = '\0';
}

int ss_imp_json_str(ss_imp *c, json_t *obj, const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return ss_imp_bad(c, "field '%s' is missing", key);
    if (!json_is_string(v))
        return ss_imp_bad(c, "field '%s' is not a string", key);
    *out = json_string_value(v);
    return 0;
}

/* ---- one element at a time out of a JSON document --------------------------
 *
 * jansson builds a whole document as a tree: for a million price records that
 * is tens of millions of small allocations, which dominated the import. Here
 * jansson still decodes every token, but one array element (or one key, or
 * one value of the enclosing object) at a time, with JSON_DISABLE_EOF_CHECK:
 * jansson then reports in error.position how many bytes the value took, and
 * the loop steps over the separators between values. Memory per record is
 * reused, and the file is read through a private read-only mapping. */

static size_t skip_ws(const char *b, size_t n, size_t i)
{
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
        i++;
    return i;
}

static long line_of(const char *b, size_t pos)
{
    long line = 1;
    for (size_t i = 0; i < pos; i++)
        line += b[i] == '\n';
    return line;
}

/* Decode one JSON value at *pos; advances *pos past it. NULL on error (c->err set). */
static json_t *decode_at(ss_imp *c, const char *b, size_t n, size_t *pos, const char *what)
{
    json_error_t je;
    json_t *v = json_loadb(b + *pos, n - *pos, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
    if (!v) {
        size_t at = *pos + (je.position > 0 ? (size_t)je.position : 0);
        ss_err_set(c->err, "%s:%ld: invalid JSON in %s: %s", c->path, line_of(b, at), what, je.text);
        return NULL;
    }
    *pos += (size_t)je.position;
    return v;
}

static int expect(ss_imp *c, const char *b, size_t n, size_t *pos, char ch, const char *where)
{
    *pos = skip_ws(b, n, *pos);
    if (*pos >= n)
        return ss_err_set(c->err, "%s:%ld: invalid JSON: the document ends early (truncated?) %s",
                          c->path, line_of(b, n), where);
    if (b[*pos] != ch)
        return ss_err_set(c->err, "%s:%ld: invalid JSON: expected '%c' %s, found '%c'", c->path,
                          line_of(b, *pos), ch, where, b[*pos]);
    (*pos)++;
    return 0;
}

/* Stream the elements of the array at *pos (which points at '['). */
static int stream_array(ss_imp *c, const char *b, size_t n, size_t *pos, ss_imp_json_elem_fn fn,
                        void *ud)
{
    if (expect(c, b, n, pos, '[', "at the start of the record array"))
        return -1;
    *pos = skip_ws(b, n, *pos);
    if (*pos < n && b[*pos] == ']') {
        (*pos)++;
        return 0;
    }
    for (size_t index = 0;; index++) {
        *pos = skip_ws(b, n, *pos);
        char what[64];
        snprintf(what, sizeof what, "record [%zu]", index);
        json_t *v = decode_at(c, b, n, pos, what);
        if (!v)
            return -1;
        ss_imp_at_index(c, index);
        int rc = fn(c, v, ud);
        json_decref(v);
        if (rc)
            return -1;
        *pos = skip_ws(b, n, *pos);
        if (*pos >= n)
            return ss_err_set(c->err, "%s:%ld: invalid JSON: the document ends inside the record "
                                      "array (truncated?)",
                              c->path, line_of(b, n));
        if (b[*pos] == ']') {
            (*pos)++;
            return 0;
        }
        if (expect(c, b, n, pos, ',', "between records"))
            return -1;
    }
}

int ss_imp_json_array_stream(ss_imp *c, FILE *fp, const char *member, ss_imp_json_elem_fn fn,
                             void *ud)
{
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0 || sb.st_size <= 0)
        return ss_imp_fail(c, "cannot read the file (empty or not a regular file)");
    size_t n = (size_t)sb.st_size;
    void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
    if (map == MAP_FAILED)
        return ss_imp_fail(c, "cannot map the file: %s", strerror(errno));
    const char *b = map;
    size_t pos = skip_ws(b, n, 0);
    if (pos + 3 <= n && !memcmp(b + pos, "\xEF\xBB\xBF", 3)) /* UTF-8 BOM */
        pos = skip_ws(b, n, pos + 3);
    int rc = 0, found = 0;
    if (pos < n && b[pos] == '[') {
        found = 1;
        rc = stream_array(c, b, n, &pos, fn, ud);
    } else if (pos < n && b[pos] == '{') {
        /* one object, or several one after the other: the pages of a
         * paginated `aws ... --no-paginate` / `--starting-token` loop
         * concatenated into one file ({...}{...} or one per line) */
        while (!rc && pos < n && b[pos] == '{') {
            pos++;
            pos = skip_ws(b, n, pos);
            if (pos < n && b[pos] == '}')
                pos++;
            else
                for (;;) {
                    pos = skip_ws(b, n, pos);
                    json_t *key = decode_at(c, b, n, &pos, "an object key");
                    if (!key) {
                        rc = -1;
                        break;
                    }
                    int is_member = json_is_string(key) && !strcmp(json_string_value(key), member);
                    int is_string = json_is_string(key);
                    json_decref(key);
                    if (!is_string) {
                        rc = ss_err_set(c->err, "%s:%ld: invalid JSON: object keys must be strings",
                                        c->path, line_of(b, pos));
                        break;
                    }
                    if ((rc = expect(c, b, n, &pos, ':', "after an object key")))
                        break;
                    pos = skip_ws(b, n, pos);
                    if (is_member) {
                        if (pos >= n || b[pos] != '[') {
                            rc = ss_imp_fail(c, "field '%s' is not an array of price records", member);
                            break;
                        }
                        found = 1;
                        if ((rc = stream_array(c, b, n, &pos, fn, ud)))
                            break;
                    } else {
                        json_t *skip = decode_at(c, b, n, &pos, "an object value");
                        if (!skip) {
                            rc = -1;
                            break;
                        }
                        json_decref(skip);
                    }
                    pos = skip_ws(b, n, pos);
                    if (pos < n && b[pos] == '}') {
                        pos++;
                        break;
                    }
                    if ((rc = expect(c, b, n, &pos, ',', "between object members")))
                        break;
                }
            pos = skip_ws(b, n, pos);
        }
    } else {
        rc = ss_err_set(c->err, "%s:%ld: invalid JSON: expected '[' or '{' at the start", c->path,
                        line_of(b, pos));
    }
    if (!rc) {
        pos = skip_ws(b, n, pos);
        if (pos < n)
            rc = ss_err_set(c->err, "%s:%ld: invalid JSON: unexpected data after the document",
                            c->path, line_of(b, pos));
        else if (!found)
            rc = ss_imp_fail(c, "field '%s' is missing, expected an array of price records", member);
    }
    munmap(map, n);
    return rc;
}
