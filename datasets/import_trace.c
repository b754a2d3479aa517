/*
 * import_trace.c - SkyPilot capacity traces ({"metadata":{"gap_seconds":G},
 * "data":[...]}) into capacity_traces + capacity_samples.
 *
 * The files hold neither the pool nor the start time nor the meaning of the
 * values (PROVENANCE §5), so all three come from the command line:
 *   pool     --pool TYPE@ZONE, else from the file name <zone>_<gpu>_<n>.json
 *            (v100_1 p3.2xlarge, v100_8 p3.16xlarge, k80_1 p2.xlarge,
 *            k80_8 p2.8xlarge);
 *   start    --start TIMESTAMP, else midnight UTC of the date in the
 *            directory name (aws-MM-DD-YYYY); --start-offset N then puts
 *            sample 0 N samples (N * gap) after that start;
 *   meaning  --meaning available-count|preempted-flag|available-flag (required:
 *            the sources disagree, so we never guess).
 */
#include "datasets/import_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct trace_opts {
    char type[40], zone[40], region[32];
    ss_time start;
    long offset;
    const char *meaning;
    long capacity;
} trace_opts;

static const char *base_name(const char *p)
{
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

static int resolve(ss_imp *c, trace_opts *t)
{
    const ss_import_opts *o = c->o;
    memset(t, 0, sizeof *t);
    if (o->pool) {
        const char *at = strchr(o->pool, '@');
        if (!at || at == o->pool || (size_t)(at - o->pool) >= sizeof t->type ||
            strlen(at + 1) >= sizeof t->zone)
            return ss_imp_fail(c, "option --pool: value '%s' is not TYPE@ZONE (p3.2xlarge@us-east-1a)",
                               o->pool);
        snprintf(t->type, sizeof t->type, "%.*s", (int)(at - o->pool), o->pool);
        snprintf(t->zone, sizeof t->zone, "%s", at + 1);
    } else {
        static const struct {
            const char *gpu, *type;
        } gpus[] = {{"v100_1", "p3.2xlarge"}, {"v100_8", "p3.16xlarge"},
                    {"k80_1", "p2.xlarge"},   {"k80_8", "p2.8xlarge"}};
        const char *b = base_name(c->path);
        const char *us = strchr(b, '_');
        const char *dot = strrchr(b, '.');
        int found = 0;
        if (us && dot && dot > us && (size_t)(us - b) < sizeof t->zone)
            for (size_t i = 0; i < SS_ARRAY_LEN(gpus); i++)
                if ((size_t)(dot - us - 1) == strlen(gpus[i].gpu) &&
                    !strncmp(us + 1, gpus[i].gpu, strlen(gpus[i].gpu))) {
                    snprintf(t->zone, sizeof t->zone, "%.*s", (int)(us - b), b);
                    snprintf(t->type, sizeof t->type, "%s", gpus[i].type);
                    found = 1;
                }
        if (!found)
            return ss_imp_fail(c, "no pool: give --pool TYPE@ZONE (the file name is not "
                               "<zone>_<v100|k80>_<1|8>.json)");
    }
    if (ss_region_of_zone(t->zone, t->region, sizeof t->region) || strstr(t->zone, "-az"))
        return ss_imp_fail(c, "option --pool: zone '%s' is not an AZ name (us-east-1a)", t->zone);
    if (ss_imp_type(c, "--pool", t->type))
        return -1;
    if (o->has_start) {
        t->start = o->start;
    } else {
        /* directory name aws-MM-DD-YYYY (the trace set's date) */
        char dir[512];
        snprintf(dir, sizeof dir, "%s", c->path);
        char *slash = strrchr(dir, '/');
        const char *d = NULL;
        if (slash) {
            *slash = '\0';
            d = base_name(dir);
        }
        unsigned mo, dd, yy;
        char tail;
        if (!d || sscanf(d, "aws-%2u-%2u-%4u%c", &mo, &dd, &yy, &tail) != 3 || mo < 1 || mo > 12 ||
            dd < 1 || dd > 31)
            return ss_imp_fail(c, "no start time: give --start TIMESTAMP (the directory name is "
                               "not aws-MM-DD-YYYY)");
        t->start = ss_days_from_civil(yy, mo, dd) * SS_DAY;
    }
    if (o->start_offset < 0)
        return ss_imp_fail(c, "option --start-offset: value %ld is negative", o->start_offset);
    t->offset = o->start_offset;
    if (!o->meaning)
        return ss_imp_fail(c, "give --meaning available-count|preempted-flag|available-flag: the "
                           "trace sources disagree on what the values mean (docs/formats.md)");
    if (strcmp(o->meaning, "available-count") && strcmp(o->meaning, "preempted-flag") &&
        strcmp(o->meaning, "available-flag"))
        return ss_imp_fail(c, "option --meaning: value '%s' is not available-count, "
                           "preempted-flag or available-flag", o->meaning);
    t->meaning = o->meaning;
    if (o->capacity < 0)
        return ss_imp_fail(c, "option --capacity: value %ld is negative", o->capacity);
    t->capacity = o->capacity;
    return 0;
}

int ss_imp_skypilot_options(ss_imp *c, char *out, size_t n)
{
    trace_opts t;
    if (resolve(c, &t))
        return -1;
    char tb[SS_TIME_BUFLEN];
    snprintf(out, n, "pool=%s@%s;start=%s;offset=%ld;meaning=%s;capacity=%ld", t.type, t.zone,
             ss_time_format(t.start, tb), t.offset, t.meaning, t.capacity);
    return 0;
}

static int as_int(json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d == (double)(long long)d) {
            *out = (long long)d;
            return 0;
        }
    }
    return -1;
}

int ss_imp_skypilot(ss_imp *c, FILE *fp)
{
    trace_opts t;
    if (resolve(c, &t))
        return -1;
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    int rc = -1;
    int flags = strcmp(t.meaning, "available-count") != 0;
    json_t *meta = json_object_get(root, "metadata");
    json_t *data = json_object_get(root, "data");
    long long gap;
    if (!json_is_object(root) || !json_is_object(meta)) {
        ss_imp_fail(c, "field 'metadata' is missing or not an object");
        goto out;
    }
    if (as_int(json_object_get(meta, "gap_seconds"), &gap) || gap <= 0 || gap > 86400 * 7) {
        ss_imp_fail(c, "field 'metadata.gap_seconds' is not a positive whole number of seconds "
                    "(up to a week)");
        goto out;
    }
    if (!json_is_array(data) || json_array_size(data) == 0) {
        ss_imp_fail(c, "field 'data' is %s", !data ? "missing" : !json_is_array(data) ? "not an array"
                                                                               : "empty");
        goto out;
    }
    /* values first: the default capacity of a count trace is its maximum */
    long long maxv = 0;
    size_t i;
    json_t *v;
    json_array_foreach(data, i, v)
    {
        long long x;
        if (!as_int(v, &x) && x > maxv)
            maxv = x;
    }
    long long cap = t.capacity ? t.capacity : flags ? 1 : (maxv > 0 ? maxv : 1);
    ss_time gap_ms = gap * SS_SECOND;
    ss_time start = t.start + t.offset * gap_ms;
    sqlite3_int64 pool;
    ss_imp_at_index(c, 0);
    if (ss_imp_pool_id(c, t.region, t.zone, t.type, "Linux/UNIX", &pool))
        goto out;
    sqlite3_stmt *s;
    if (ss_store_prepare(c->st,
                         "INSERT INTO capacity_traces(pool_id, start_ms, gap_ms, meaning, capacity,"
                         " n_samples, source_id) VALUES(?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                         &s, c->err))
        goto out;
    sqlite3_bind_int64(s, 1, pool);
    sqlite3_bind_int64(s, 2, start);
    sqlite3_bind_int64(s, 3, gap_ms);
    sqlite3_bind_text(s, 4, t.meaning, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, cap);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)json_array_size(data));
    sqlite3_bind_int64(s, 7, c->source_id);
    int ins = ss_imp_step_insert(c, s);
    sqlite3_finalize(s);
    if (ins < 0)
        goto out;
    sqlite3_int64 trace_id = 0;
    if (ins == 0) {
        /* the same pool/start/meaning is stored already: same shape = the
         * same trace (duplicates); otherwise two traces disagree */
        sqlite3_stmt *g;
        if (ss_store_prepare(c->st,
                             "SELECT gap_ms = ? AND n_samples = ? FROM capacity_traces"
                             " WHERE pool_id = ? AND start_ms = ? AND meaning = ?",
                             &g, c->err))
            goto out;
        sqlite3_bind_int64(g, 1, gap_ms);
        sqlite3_bind_int64(g, 2, (sqlite3_int64)json_array_size(data));
        sqlite3_bind_int64(g, 3, pool);
        sqlite3_bind_int64(g, 4, start);
        sqlite3_bind_text(g, 5, t.meaning, -1, SQLITE_STATIC);
        int same = sqlite3_step(g) == SQLITE_ROW && sqlite3_column_int(g, 0);
        sqlite3_finalize(g);
        if (!same) {
            char tb[SS_TIME_BUFLEN];
            ss_imp_fail(c, "a different %s trace of %s@%s starting %s is already stored "
                        "(conflicting duplicate)", t.meaning, t.type, t.zone,
                        ss_time_format(start, tb));
            goto out;
        }
        c->res->records = c->res->duplicates = (long)json_array_size(data);
        ss_imp_span(c, start);
        ss_imp_span(c, start + (ss_time)(json_array_size(data) - 1) * gap_ms);
        rc = 0;
        goto out;
    }
    trace_id = sqlite3_last_insert_rowid(c->st->db);
    sqlite3_stmt *ss = ss_imp_stmt(c, SS_IMP_ST_SAMPLE_INS,
                                   "INSERT INTO capacity_samples(trace_id, idx, t_ms, value)"
                                   " VALUES(?,?,?,?)");
    if (!ss)
        goto out;
    json_array_foreach(data, i, v)
    {
        long long x;
        ss_imp_at_index(c, i);
        c->res->records++;
        if (as_int(v, &x) || x < 0 || x > cap) {
            char *txt = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            int b = ss_imp_bad(c, "field 'data': value %.40s is not a whole number in 0..%lld (%s)",
                               txt ? txt : "?", cap, t.meaning);
            free(txt);
            if (b < 0)
                goto out;
            continue;
        }
        ss_time ts = start + (ss_time)i * gap_ms;
        sqlite3_bind_int64(ss, 1, trace_id);
        sqlite3_bind_int64(ss, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(ss, 3, ts);
        sqlite3_bind_int64(ss, 4, x);
        if (ss_imp_step_insert(c, ss) < 0)
            goto out;
        c->res->added++;
        ss_imp_span(c, ts);
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}
