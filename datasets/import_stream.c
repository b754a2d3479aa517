/*
 * import_stream.c - the streaming readers under every text format: CSV/TSV
 * through libcsv (fixed 64 KiB chunks, one record buffer reused), JSON lines
 * through jansson one line at a time, and whole JSON documents.
 *
 * Memory does not grow with the file: the CSV record buffer grows only with
 * the longest record, the JSON-lines buffer with the longest line (capped).
 */
#include "datasets/import_internal.h"

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
    json_error_t je;
    json_t *v = json_loadf(fp, 0, &je);
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
