/*
 * import_core.c - ss_import_file: checks, provenance and the one transaction
 * per file, plus the field validators and pool cache every reader shares.
 *
 * Order of work for one file (cheap refusals first, so a bad file costs
 * little and never touches the store):
 *   1. open (non-blocking, so a FIFO is refused rather than waited on) +
 *      fstat: regular file, not empty;
 *   2. detect the format from the first 64 KiB (unless forced);
 *   3. whole-document JSON shapes: refuse files above SS_IMPORT_MAX_JSON_BYTES;
 *   4. one streaming pass: SHA-256 (nettle) and a NUL / UTF-8 check;
 *   5. BEGIN IMMEDIATE, then the provenance lookup inside it: same
 *      sha256+format+options => "already imported" (atomic against a
 *      concurrent import of the same file);
 *   6. provenance row; the reader; row counts; COMMIT.
 *      Any error => ROLLBACK, so the store is unchanged.
 */
#include "datasets/import_internal.h"
#include "sim/kernel/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <csv.h>
#include <nettle/sha2.h>

static const char *const format_names[SS_IMPORT_FORMAT_COUNT] = {
    [SS_IMPORT_AUTO] = "auto",
    [SS_IMPORT_PRICE_JSON] = "price-json",
    [SS_IMPORT_PRICE_JSONL] = "price-jsonl",
    [SS_IMPORT_PRICE_CSV] = "price-csv",
    [SS_IMPORT_PRICE_TSV] = "price-tsv",
    [SS_IMPORT_EVENTS_JSON] = "events-json",
    [SS_IMPORT_EVENTS_JSONL] = "events-jsonl",
    [SS_IMPORT_INVENTORY_CSV] = "inventory-csv",
    [SS_IMPORT_RECORDS_CSV] = "records-csv",
    [SS_IMPORT_SKYPILOT] = "skypilot",
    [SS_IMPORT_ADVISOR] = "advisor",
    [SS_IMPORT_ONDEMAND_2016] = "ondemand-2016",
    [SS_IMPORT_ONDEMAND_CSV] = "ondemand-csv",
    [SS_IMPORT_SPOTJS] = "spotjs",
    [SS_IMPORT_INSTANCES_JSON] = "instances-json",
    [SS_IMPORT_SPOT_REQUESTS_JSON] = "spot-requests-json",
};

const char *ss_import_format_name(ss_import_format f)
{
    return (unsigned)f < SS_IMPORT_FORMAT_COUNT ? format_names[f] : "?";
}

int ss_import_format_parse(const char *name, ss_import_format *out)
{
    for (int i = 0; i < SS_IMPORT_FORMAT_COUNT; i++)
        if (!strcmp(name, format_names[i])) {
            *out = (ss_import_format)i;
            return 0;
        }
    return -1;
}

void ss_import_opts_init(ss_import_opts *o)
{
    memset(o, 0, sizeof *o);
}

/* ---- names ---------------------------------------------------------------- */

int ss_import_product(const char *s, char *out, size_t n)
{
    static const struct {
        const char *in, *out;
    } map[] = {{"linux", "Linux/UNIX"},           {"linux/unix", "Linux/UNIX"},
               {"windows", "Windows"},            {"mswin", "Windows"},
               {"suse linux", "SUSE Linux"},      {"suse", "SUSE Linux"},
               {"red hat enterprise linux", "Red Hat Enterprise Linux"},
               {"rhel", "Red Hat Enterprise Linux"}};
    char buf[128];
    size_t len = strlen(s);
    /* "X (Amazon VPC)" is the same product as X: the VPC suffix dates from
     * EC2-Classic and does not change the price or the pool. */
    static const char vpc[] = " (Amazon VPC)";
    if (len >= sizeof vpc - 1 && !strcmp(s + len - (sizeof vpc - 1), vpc))
        len -= sizeof vpc - 1;
    if (len == 0 || len >= sizeof buf)
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[len] = '\0';
    for (size_t i = 0; i < SS_ARRAY_LEN(map); i++)
        if (!strcmp(buf, map[i].in)) {
            snprintf(out, n, "%s", map[i].out);
            return 0;
        }
    snprintf(out, n, "%.*s", (int)len, s);
    return 0;
}

const char *ss_import_legacy_region(const char *legacy)
{
    static const struct {
        const char *in, *out;
    } map[] = {{"us-east", "us-east-1"},       {"us-west", "us-west-1"},
               {"us-west-2", "us-west-2"},     {"us-east-2", "us-east-2"},
               {"eu-ireland", "eu-west-1"},    {"eu-west-1", "eu-west-1"},
               {"eu-frankfurt", "eu-central-1"}, {"apac-sin", "ap-southeast-1"},
               {"apac-syd", "ap-southeast-2"}, {"apac-tokyo", "ap-northeast-1"},
               {"ap-northeast-2", "ap-northeast-2"}, {"ap-south-1", "ap-south-1"},
               {"sa-east-1", "sa-east-1"},     {"us-gov-west-1", "us-gov-west-1"}};
    for (size_t i = 0; i < SS_ARRAY_LEN(map); i++)
        if (!strcmp(legacy, map[i].in))
            return map[i].out;
    return NULL;
}

/* ---- errors and locations ------------------------------------------------- */

void ss_imp_at_line(ss_imp *c, long line)
{
    snprintf(c->loc, sizeof c->loc, "%s:%ld", c->path, line);
}

void ss_imp_at_index(ss_imp *c, size_t index)
{
    snprintf(c->loc, sizeof c->loc, "%s: [%zu]", c->path, index);
}

int ss_imp_bad(ss_imp *c, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->o->skip_bad) {
        ss_import_result *r = c->res;
        if (r->n_reasons < SS_IMPORT_REASONS)
        {
            int w = snprintf(r->reasons[r->n_reasons++], sizeof r->reasons[0], "%.200s: %.300s", c->loc, msg);
            (void)w;
        }
        r->skipped++;
        return 1;
    }
    return ss_err_set(c->err, "%s: %s", c->loc, msg);
}

int ss_imp_fail(ss_imp *c, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ss_err_set(c->err, "%s: %s", c->path, msg);
}

/* ---- statements ------------------------------------------------------------ */

sqlite3_stmt *ss_imp_stmt(ss_imp *c, int slot, const char *sql)
{
    if (!c->stmt[slot] && ss_store_prepare(c->st, sql, &c->stmt[slot], c->err))
        return NULL;
    return c->stmt[slot];
}

int ss_imp_step_insert(ss_imp *c, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return ss_err_set(c->err, "%s: %s: %s", c->loc, c->st->path, sqlite3_errmsg(c->st->db));
    return sqlite3_changes(c->st->db) > 0 ? 1 : 0;
}

/* ---- validators ------------------------------------------------------------ */

int ss_imp_time(ss_imp *c, const char *field, const char *v, ss_time *out)
{
    if (ss_time_parse(v, out))
        return ss_imp_bad(c, "field '%s': value '%.60s' is not an ISO-8601 timestamp", field, v);
    return 0;
}

int ss_imp_price(ss_imp *c, const char *field, const char *v, double *out)
{
    /* Plain decimal only: no sign, exponent, hex, inf or nan (AWS never
     * writes them and strtod would accept them). */
    const char *p = v;
    int digits = 0, dots = 0;
    if (*p == '-') {
        char *end;
        double d = strtod(v, &end);
        if (end != v && !*end && d != 0)
            return ss_imp_bad(c, "field '%s': value '%.60s' is negative", field, v);
    }
    for (; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '.' && !dots)
            dots++;
        else
            break;
    }
    if (*p || !digits)
        return ss_imp_bad(c, "field '%s': value '%.60s' is not a non-negative decimal number", field,
                          v);
    *out = strtod(v, NULL);
    if (!isfinite(*out))
        return ss_imp_bad(c, "field '%s': value '%.60s' is out of range", field, v);
    return 0;
}

int ss_imp_type(ss_imp *c, const char *field, const char *v)
{
    /* family.size, e.g. m3.medium, c5d.18xlarge, u-6tb1.metal */
    const char *dot = strchr(v, '.');
    int ok = dot && dot != v && dot[1] && !strchr(dot + 1, '.') && strlen(v) < 40;
    for (const char *p = v; ok && *p; p++)
        ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' || *p == '-';
    if (!ok)
        return ss_imp_bad(c, "field '%s': value '%.60s' is not an instance type (family.size)",
                          field, v);
    return 0;
}

int ss_imp_zone(ss_imp *c, const char *field, const char *v, char *region, size_t rn, char *zone,
                size_t zn)
{
    if (strlen(v) >= 32 || ss_region_of_zone(v, region, rn))
        return ss_imp_bad(c, "field '%s': value '%.60s' is neither an AZ name (us-east-1a) nor an "
                          "AZ ID (use1-az4)", field, v);
    if (strstr(v, "-az")) {
        ss_imp_zone_t *z = NULL;
        HASH_FIND_STR(c->zones, v, z);
        snprintf(zone, zn, "%s", z ? z->name : v);
        if (z && ss_region_of_zone(z->name, region, rn))
            return ss_imp_bad(c, "field '%s': AZ ID '%s' maps to '%s', not an AZ name", field, v,
                              z->name);
    } else {
        size_t l = strlen(v); /* < 32, checked above */
        if (l >= zn)
            return ss_imp_bad(c, "field '%s': value '%.60s' is too long", field, v);
        memcpy(zone, v, l + 1);
    }
    return 0;
}

int ss_imp_region(ss_imp *c, const char *field, const char *v)
{
    /* area-direction-N, e.g. us-east-1, ap-southeast-2, us-gov-west-1 */
    size_t len = strlen(v);
    int ok = len >= 9 && len < 32 && isdigit((unsigned char)v[len - 1]) && v[len - 2] == '-' &&
             islower((unsigned char)v[0]);
    for (const char *p = v; ok && *p; p++)
        ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-';
    if (!ok)
        return ss_imp_bad(c, "field '%s': value '%.60s' is not a region name (us-east-1)", field,
                          v);
    return 0;
}

int ss_imp_product(ss_imp *c, const char *field, const char *v, char *out, size_t n)
{
    if (ss_import_product(v, out, n))
        return ss_imp_bad(c, "field '%s': value '%.60s' is not a product description", field, v);
    return 0;
}

void ss_imp_span(ss_imp *c, ss_time t)
{
    ss_import_result *r = c->res;
    if (r->t_min == 0 && r->t_max == 0) {
        r->t_min = r->t_max = t;
    } else {
        if (t < r->t_min)
            r->t_min = t;
        if (t > r->t_max)
            r->t_max = t;
    }
}

int ss_imp_pool_id(ss_imp *c, const char *region, const char *zone, const char *type,
                   const char *product, sqlite3_int64 *out)
{
    /* Build "region\x1fzone\x1ftype\x1fproduct" by hand: this runs once per
     * record, and snprintf was a visible share of the CSV import time. */
    char key[200];
    const char *parts[4] = {region, zone, type, product};
    size_t kl = 0;
    for (int i = 0; i < 4; i++) {
        size_t l = strlen(parts[i]);
        if (kl + l + 2 > sizeof key)
            return ss_imp_bad(c, "pool name too long");
        memcpy(key + kl, parts[i], l);
        kl += l;
        key[kl++] = i < 3 ? '\x1f' : '\0';
    }
    kl--;
    ss_imp_pool *p = NULL;
    HASH_FIND_STR(c->pools, key, p);
    if (!p) {
        sqlite3_int64 id;
        if (ss_store_pool_id(c->st, region, zone, type, product, &id, c->err))
            return -1;
        p = ss_calloc(1, sizeof *p);
        memcpy(p->key, key, kl + 1);
        p->id = id;
        HASH_ADD_STR(c->pools, key, p);
    }
    *out = p->id;
    return 0;
}

/* ---- the shared spot-price record ----------------------------------------- */

int ss_imp_price_record(ss_imp *c, const char *zone_s, const char *type, const char *product_s,
                        const char *price_s, const char *ts)
{
    char region[32], zone[64], product[128];
    double price;
    ss_time t;
    int rc;
    if ((rc = ss_imp_zone(c, "AvailabilityZone", zone_s, region, sizeof region, zone, sizeof zone)) ||
        (rc = ss_imp_type(c, "InstanceType", type)) ||
        (rc = ss_imp_product(c, "ProductDescription", product_s, product, sizeof product)) ||
        (rc = ss_imp_price(c, "SpotPrice", price_s, &price)) ||
        (rc = ss_imp_time(c, "Timestamp", ts, &t)))
        return rc < 0 ? -1 : 0;
    sqlite3_int64 pool;
    if (ss_imp_pool_id(c, region, zone, type, product, &pool))
        return -1;
    sqlite3_stmt *s = ss_imp_stmt(c, SS_IMP_ST_PRICE_INS,
                                  "INSERT INTO spot_prices(pool_id, t_ms, usd_per_hour, source_id)"
                                  " VALUES(?,?,?,?) ON CONFLICT DO NOTHING");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, pool);
    sqlite3_bind_int64(s, 2, t);
    sqlite3_bind_double(s, 3, price);
    sqlite3_bind_int64(s, 4, c->source_id);
    rc = ss_imp_step_insert(c, s);
    if (rc < 0)
        return -1;
    ss_imp_span(c, t);
    if (rc == 1) {
        c->res->added++;
        return 0;
    }
    /* Same pool and time already stored: identical price = duplicate,
     * another price = a conflict (two histories disagree). */
    sqlite3_stmt *g = ss_imp_stmt(c, SS_IMP_ST_PRICE_GET,
                                  "SELECT usd_per_hour FROM spot_prices WHERE pool_id=? AND t_ms=?");
    if (!g)
        return -1;
    sqlite3_bind_int64(g, 1, pool);
    sqlite3_bind_int64(g, 2, t);
    double old = sqlite3_step(g) == SQLITE_ROW ? sqlite3_column_double(g, 0) : NAN;
    sqlite3_reset(g);
    if (old == price) {
        c->res->duplicates++;
        return 0;
    }
    char tb[SS_TIME_BUFLEN];
    rc = ss_imp_bad(c, "field 'SpotPrice': value '%s' conflicts with the stored price %.6f of %s %s "
                    "%s at %s", price_s, old, zone, type, product, ss_time_format(t, tb));
    return rc < 0 ? -1 : 0;
}

/* ---- options, zone map, hashing -------------------------------------------- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char x[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = x[d[i] >> 4];
        out[2 * i + 1] = x[d[i] & 15];
    }
    out[2 * n] = '\0';
}

typedef struct zmap_ctx {
    ss_imp *c;
    struct sha256_ctx sha;
} zmap_ctx;

static int zmap_row(ss_imp *c, long line, char **f, size_t nf, void *ud)
{
    (void)ud;
    char region[32];
    if (nf != 2)
        return ss_err_set(c->err, "%s:%ld: zone map needs 2 fields (zone_id,zone_name), got %zu",
                          c->path, line, nf);
    if (line == 1 && ss_region_of_zone(f[0], region, sizeof region))
        return 0; /* header */
    if (ss_region_of_zone(f[0], region, sizeof region) || !strstr(f[0], "-az") ||
        strlen(f[0]) >= 32)
        return ss_err_set(c->err, "%s:%ld: field 'zone_id': value '%.60s' is not an AZ ID",
                          c->path, line, f[0]);
    char name_region[32];
    if (ss_region_of_zone(f[1], name_region, sizeof name_region) || strstr(f[1], "-az") ||
        strlen(f[1]) >= 64)
        return ss_err_set(c->err, "%s:%ld: field 'zone_name': value '%.60s' is not an AZ name",
                          c->path, line, f[1]);
    /* An AZ ID names its region (euw1 = eu-west-1): a name of another region
     * is a wrong map, not a mapping. */
    if (strcmp(region, name_region))
        return ss_err_set(c->err, "%s:%ld: AZ ID '%s' is in %s but the map gives '%s', a zone of %s",
                          c->path, line, f[0], region, f[1], name_region);
    ss_imp_zone_t *z = NULL;
    HASH_FIND_STR(c->zones, f[0], z);
    if (z && z->stored && strcmp(z->name, f[1]))
        return ss_err_set(c->err,
                          "%s:%ld: AZ ID '%s' maps to '%s' here, but the store maps it to '%s' (from"
                          " an earlier --zone-map)",
                          c->path, line, f[0], f[1], z->name);
    if (!z) {
        z = ss_calloc(1, sizeof *z);
        snprintf(z->id, sizeof z->id, "%s", f[0]);
        HASH_ADD_STR(c->zones, id, z);
    }
    snprintf(z->name, sizeof z->name, "%s", f[1]);
    z->from_map = true;
    return 0;
}

/* The AZ ID -> name mappings of earlier --zone-map imports (table zone_ids),
 * so that a file naming AZ IDs imports under the same zone names with or
 * without the map. */
static int load_stored_zone_ids(ss_imp *c)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(c->st, "SELECT zone_id, zone_name FROM zone_ids", &s, c->err))
        return -1;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *name = (const char *)sqlite3_column_text(s, 1);
        if (!id || !name)
            continue;
        ss_imp_zone_t *z = ss_calloc(1, sizeof *z);
        snprintf(z->id, sizeof z->id, "%s", id);
        snprintf(z->name, sizeof z->name, "%s", name);
        z->stored = true;
        HASH_ADD_STR(c->zones, id, z);
    }
    sqlite3_finalize(s);
    return 0;
}

/* Keep this file's map (inside the import's transaction). */
static int store_zone_ids(ss_imp *c)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(c->st, "INSERT INTO zone_ids(zone_id, zone_name, source_id) VALUES(?1,?2,?3)"
                                " ON CONFLICT DO NOTHING",
                         &s, c->err))
        return -1;
    ss_imp_zone_t *z, *zt;
    int rc = 0;
    HASH_ITER(hh, c->zones, z, zt)
    {
        if (!z->from_map || z->stored)
            continue;
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, z->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, z->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, c->source_id);
        if (sqlite3_step(s) != SQLITE_DONE) {
            rc = ss_err_set(c->err, "%s: zone_ids: %s", c->st->path, sqlite3_errmsg(c->st->db));
            break;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

static int load_zone_map(ss_imp *c, char *digest_hex)
{
    FILE *fp = ss_fopen_regular(c->o->zone_map, c->err);
    if (!fp)
        return ss_err_prefix(c->err, "zone map");
    struct sha256_ctx sha;
    sha256_init(&sha);
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        sha256_update(&sha, n, buf);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&sha, sizeof d, d);
    hex(d, 8, digest_hex);
    rewind(fp);
    /* The zone map is not the imported file: its errors name it instead. */
    const char *saved = c->path;
    c->path = c->o->zone_map;
    int rc = ss_imp_csv_stream(c, fp, ',', zmap_row, NULL);
    c->path = saved;
    fclose(fp);
    return rc;
}

static int snapshot_option(ss_imp *c, bool optional)
{
    const char *s = c->o->snapshot;
    char date[16] = "";
    if (s) {
        snprintf(date, sizeof date, "%s", s);
    } else {
        /* the last YYYY-MM-DD in the file name */
        const char *base = strrchr(c->path, '/');
        base = base ? base + 1 : c->path;
        for (const char *p = base; *p; p++) {
            ss_time t;
            if (strlen(p) >= 10 && isdigit((unsigned char)p[0]) && !ss_time_parse_n(p, 10, &t))
                snprintf(date, sizeof date, "%.10s", p);
        }
        if (!*date && optional) {
            c->snapshot_ms = 0; /* undated */
            return 0;
        }
        if (!*date)
            return ss_imp_fail(c, "no snapshot date: give --snapshot YYYY-MM-DD (the file name "
                               "holds no YYYY-MM-DD)");
    }
    if (strlen(date) != 10 || ss_time_parse(date, &c->snapshot_ms))
        return ss_imp_fail(c, "option --snapshot: value '%s' is not a date YYYY-MM-DD", date);
    snprintf(c->snapshot, sizeof c->snapshot, "%s", date);
    snprintf(c->options, sizeof c->options, "snapshot=%s", date);
    return 0;
}

static int is_json_document(ss_import_format f)
{
    return f == SS_IMPORT_PRICE_JSON || f == SS_IMPORT_EVENTS_JSON || f == SS_IMPORT_SKYPILOT ||
           f == SS_IMPORT_INSTANCES_JSON || f == SS_IMPORT_SPOT_REQUESTS_JSON ||
           f == SS_IMPORT_ADVISOR || f == SS_IMPORT_SPOTJS;
}

/* SHA-256 of the whole file, refusing NUL bytes and invalid UTF-8 (with the
 * line they are on): a binary file must not be half-parsed as text. */
static int hash_and_check(ss_imp *c, FILE *fp, char *sha_hex)
{
    struct sha256_ctx sha;
    sha256_init(&sha);
    static unsigned char buf[1 << 16];
    size_t n;
    long line = 1;
    int need = 0;              /* continuation bytes still expected */
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the next continuation */
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
        sha256_update(&sha, n, buf);
        for (size_t i = 0; i < n; i++) {
            unsigned b = buf[i];
            if (need) {
                if (b < lo || b > hi)
                    return ss_err_set(c->err, "%s:%ld: binary data: invalid UTF-8 byte 0x%02X",
                                      c->path, line, b);
                need--;
                lo = 0x80;
                hi = 0xBF;
                continue;
            }
            if (b < 0x80) {
                if (b == 0)
                    return ss_err_set(c->err, "%s:%ld: binary data: NUL byte", c->path, line);
                if (b == '\n')
                    line++;
            } else if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                if (b == 0xE0)
                    lo = 0xA0;
                if (b == 0xED)
                    hi = 0x9F;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                if (b == 0xF0)
                    lo = 0x90;
                if (b == 0xF4)
                    hi = 0x8F;
            } else {
                return ss_err_set(c->err, "%s:%ld: binary data: invalid UTF-8 byte 0x%02X", c->path,
                                  line, b);
            }
        }
    }
    if (ferror(fp))
        return ss_err_set(c->err, "%s: read error: %s", c->path, strerror(errno));
    if (need)
        return ss_err_set(c->err, "%s:%ld: binary data: truncated UTF-8 sequence at end of file",
                          c->path, line);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&sha, sizeof d, d);
    hex(d, sizeof d, sha_hex);
    return 0;
}

static int run_reader(ss_imp *c, ss_import_format f, FILE *fp)
{
    switch (f) {
    case SS_IMPORT_PRICE_JSON: return ss_imp_price_json(c, fp);
    case SS_IMPORT_PRICE_JSONL: return ss_imp_price_jsonl(c, fp);
    case SS_IMPORT_PRICE_CSV: return ss_imp_price_csv(c, fp);
    case SS_IMPORT_PRICE_TSV: return ss_imp_price_tsv(c, fp);
    case SS_IMPORT_EVENTS_JSON: return ss_imp_events_json(c, fp);
    case SS_IMPORT_EVENTS_JSONL: return ss_imp_events_jsonl(c, fp);
    case SS_IMPORT_INVENTORY_CSV: return ss_imp_inventory_csv(c, fp);
    case SS_IMPORT_RECORDS_CSV: return ss_imp_records_csv(c, fp);
    case SS_IMPORT_SKYPILOT: return ss_imp_skypilot(c, fp);
    case SS_IMPORT_ADVISOR: return ss_imp_advisor(c, fp);
    case SS_IMPORT_ONDEMAND_2016: return ss_imp_ondemand_2016(c, fp);
    case SS_IMPORT_ONDEMAND_CSV: return ss_imp_ondemand_csv(c, fp);
    case SS_IMPORT_SPOTJS: return ss_imp_spotjs(c, fp);
    case SS_IMPORT_INSTANCES_JSON: return ss_imp_instances_json(c, fp);
    case SS_IMPORT_SPOT_REQUESTS_JSON: return ss_imp_spot_requests_json(c, fp);
    default: return ss_imp_fail(c, "no reader for format %d", (int)f);
    }
}

static void now_iso(char *buf)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ss_time_format((ss_time)ts.tv_sec * 1000, buf);
}

static int provenance_exists(ss_imp *c, const char *sha, const char *fmt, int *found)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(c->st,
                         "SELECT 1 FROM provenance WHERE sha256=? AND format=? AND options=?", &s,
                         c->err))
        return -1;
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, fmt, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, c->options, -1, SQLITE_STATIC);
    *found = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return 0;
}

static int provenance_insert(ss_imp *c, const char *sha, const char *fmt)
{
    sqlite3_stmt *s;
    char now[SS_TIME_BUFLEN];
    now_iso(now);
    const char *base = strrchr(c->path, '/');
    base = base ? base + 1 : c->path;
    if (ss_store_prepare(c->st,
                         "INSERT INTO provenance(file_name, sha256, format, options, rows, skipped,"
                         " imported_at) VALUES(?,?,?,?,0,0,?)",
                         &s, c->err))
        return -1;
    sqlite3_bind_text(s, 1, base, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, fmt, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, c->options, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return ss_err_set(c->err, "%s: provenance: %s", c->st->path, sqlite3_errmsg(c->st->db));
    c->source_id = sqlite3_last_insert_rowid(c->st->db);
    return 0;
}

static int provenance_finish(ss_imp *c)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(c->st, "UPDATE provenance SET rows=?, skipped=? WHERE id=?", &s, c->err))
        return -1;
    sqlite3_bind_int64(s, 1, c->res->added);
    sqlite3_bind_int64(s, 2, c->res->skipped);
    sqlite3_bind_int64(s, 3, c->source_id);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return ss_err_set(c->err, "%s: provenance: %s", c->st->path, sqlite3_errmsg(c->st->db));
    return 0;
}

/* A set of distinct names (uthash), listed sorted: the first six, then "...". */
typedef struct word {
    char s[64];
    UT_hash_handle hh;
} word;

typedef struct word_set {
    word *h;
    int total;
} word_set;

static void word_add(word_set *w, const char *v, size_t len)
{
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(len < sizeof key ? len : sizeof key - 1), v);
    word *e = NULL;
    HASH_FIND_STR(w->h, key, e);
    if (e)
        return;
    e = ss_calloc(1, sizeof *e);
    memcpy(e->s, key, sizeof e->s);
    HASH_ADD_STR(w->h, s, e);
    w->total++;
}

static int cmp_word(const word *a, const word *b) { return strcmp(a->s, b->s); }

static size_t word_list(word_set *w, const char *what, char *buf, size_t n)
{
    if (!w->total || n < 2)
        return 0;
    HASH_SORT(w->h, cmp_word);
    size_t len = (size_t)snprintf(buf, n, "%d %s%s (", w->total, what, w->total == 1 ? "" : "s");
    int shown = 0;
    for (word *e = w->h; e && shown < 6 && len < n; e = e->hh.next, shown++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", shown ? ", " : "", e->s);
    if (len < n)
        len += (size_t)snprintf(buf + len, n - len, "%s)", w->total > shown ? ", ..." : "");
    return len < n ? len : n - 1;
}

static void word_free(word_set *w)
{
    word *e, *t;
    HASH_ITER(hh, w->h, e, t)
    {
        HASH_DEL(w->h, e);
        free(e);
    }
}

/* What the file added, from the pools it named and its time span: "regions
 * ..., zones ..., types ..., from .. to ..". */
static void summarize(ss_imp *c)
{
    word_set reg = {0}, zon = {0}, typ = {0};
    ss_imp_pool *p, *pt;
    HASH_ITER(hh, c->pools, p, pt)
    {
        /* key: region \x1f zone \x1f type \x1f product */
        const char *f[4] = {p->key, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            const char *sep = f[k - 1] ? strchr(f[k - 1], '\x1f') : NULL;
            f[k] = sep ? sep + 1 : NULL;
        }
        if (!f[3])
            continue;
        word_add(&reg, f[0], (size_t)(f[1] - 1 - f[0]));
        word_add(&zon, f[1], (size_t)(f[2] - 1 - f[1]));
        word_add(&typ, f[2], (size_t)(f[3] - 1 - f[2]));
    }
    /* formats without pools: the regions and types of their rows */
    static const char *const tables[] = {"ondemand_prices", "advisor", "spot_price_snapshots"};
    for (size_t k = 0; k < SS_ARRAY_LEN(tables) && !reg.total; k++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT DISTINCT region, instance_type FROM %s WHERE source_id = ?1", tables[k]);
        sqlite3_stmt *q;
        if (ss_store_prepare(c->st, sql, &q, NULL))
            continue;
        sqlite3_bind_int64(q, 1, c->source_id);
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(q, 0);
            const char *t = (const char *)sqlite3_column_text(q, 1);
            if (r)
                word_add(&reg, r, strlen(r));
            if (t)
                word_add(&typ, t, strlen(t));
        }
        sqlite3_finalize(q);
    }
    char *b = c->res->summary;
    size_t n = sizeof c->res->summary, len = 0;
    word_set *sets[3] = {&reg, &zon, &typ};
    const char *what[3] = {"region", "zone", "type"};
    for (int i = 0; i < 3; i++) {
        if (!sets[i]->total)
            continue;
        if (len && len + 2 < n)
            len += (size_t)snprintf(b + len, n - len, "; ");
        len += word_list(sets[i], what[i], b + len, n - len);
    }
    /* a zone in the file name that none of its rows names */
    const char *base = strrchr(c->path, '/');
    base = base ? base + 1 : c->path;
    for (const char *q = base; zon.total && *q && !c->res->note[0]; q++) {
        /* xx-name-Nx: two letters, '-', letters, '-', a digit, a letter */
        size_t k = 0;
        if (!(islower((unsigned char)q[0]) && islower((unsigned char)q[1]) && q[2] == '-') ||
            (q > base && isalnum((unsigned char)q[-1])))
            continue;
        k = 3;
        while (islower((unsigned char)q[k]))
            k++;
        if (k == 3 || q[k] != '-' || !isdigit((unsigned char)q[k + 1]) ||
            !islower((unsigned char)q[k + 2]) || isalnum((unsigned char)q[k + 3]))
            continue;
        size_t zl = k + 3;
        char zq[64];
        snprintf(zq, sizeof zq, "%.*s", (int)(zl < sizeof zq ? zl : sizeof zq - 1), q);
        word *found = NULL;
        HASH_FIND_STR(zon.h, zq, found);
        if (!found) {
            HASH_SORT(zon.h, cmp_word);
            snprintf(c->res->note, sizeof c->res->note,
                     "the file name says %s but its rows are in %s%s", zq, zon.h->s,
                     zon.total > 1 ? " and other zones" : "");
        }
    }
    if (c->res->t_min || c->res->t_max) {
        char a[SS_TIME_BUFLEN], z[SS_TIME_BUFLEN];
        if (len + 2 < n && c->res->t_min == c->res->t_max)
            snprintf(b + len, n - len, "%sat %s", len ? "; " : "", ss_time_format(c->res->t_min, a));
        else if (len + 2 < n)
            snprintf(b + len, n - len, "%s%s .. %s", len ? "; " : "", ss_time_format(c->res->t_min, a),
                     ss_time_format(c->res->t_max, z));
    }
    word_free(&reg);
    word_free(&zon);
    word_free(&typ);
}

static void ctx_free(ss_imp *c)
{
    for (int i = 0; i < SS_IMP_ST_COUNT; i++)
        sqlite3_finalize(c->stmt[i]);
    ss_imp_pool *p, *pt;
    HASH_ITER(hh, c->pools, p, pt)
    {
        HASH_DEL(c->pools, p);
        free(p);
    }
    ss_imp_zone_t *z, *zt;
    HASH_ITER(hh, c->zones, z, zt)
    {
        HASH_DEL(c->zones, z);
        free(z);
    }
}

static int import_open(ss_imp *c, FILE *fp, ss_import_format *fmt)
{
    struct stat sb;
    if (fstat(fileno(fp), &sb))
        return ss_imp_fail(c, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return ss_imp_fail(c, "not a regular file");
    if (sb.st_size == 0)
        return ss_imp_fail(c, "empty file (0 bytes)");
    if (*fmt == SS_IMPORT_AUTO) {
        static char head[1 << 16];
        size_t n = fread(head, 1, sizeof head, fp);
        if (ss_import_detect(c->path, head, n, fmt, c->err))
            return -1;
        rewind(fp);
    }
    if (is_json_document(*fmt) && (long long)sb.st_size > SS_IMPORT_MAX_JSON_BYTES)
        return ss_imp_fail(c, "%lld bytes is above the %lld MiB limit for whole-document JSON "
                           "(format %s); split it or convert it to JSON lines",
                           (long long)sb.st_size, SS_IMPORT_MAX_JSON_BYTES >> 20,
                           ss_import_format_name(*fmt));
    return 0;
}

int ss_import_file(ss_store *st, const char *path, const ss_import_opts *opts,
                   ss_import_result *res, ss_err *err)
{
    ss_imp c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    c.st = st;
    c.path = path;
    c.o = opts;
    c.res = res;
    c.err = err;
    snprintf(c.loc, sizeof c.loc, "%s", path);
    int rc = -1;
    ss_import_format fmt = opts->format;
    /* a FIFO, directory or device is refused here, without blocking */
    FILE *fp = ss_fopen_regular(path, err);
    if (!fp)
        return -1;
    char sha[2 * SHA256_DIGEST_SIZE + 1];
    if (import_open(&c, fp, &fmt) || hash_and_check(&c, fp, sha))
        goto out;
    rewind(fp);
    res->format = fmt;
    /* canonical options: only those that change what this format stores */
    if (fmt == SS_IMPORT_SKYPILOT) {
        if (ss_imp_skypilot_options(&c, c.options, sizeof c.options))
            goto out;
    } else if (fmt == SS_IMPORT_ADVISOR || fmt == SS_IMPORT_SPOTJS) {
        if (snapshot_option(&c, false))
            goto out;
    } else if (fmt == SS_IMPORT_ONDEMAND_2016 || fmt == SS_IMPORT_ONDEMAND_CSV) {
        /* the date from which the prices are in effect (optional) */
        if (snapshot_option(&c, true))
            goto out;
    }
    if ((fmt == SS_IMPORT_PRICE_TSV || fmt == SS_IMPORT_PRICE_CSV || fmt == SS_IMPORT_PRICE_JSON ||
         fmt == SS_IMPORT_PRICE_JSONL) &&
        load_stored_zone_ids(&c))
        goto out;
    if (opts->zone_map && (fmt == SS_IMPORT_PRICE_TSV || fmt == SS_IMPORT_PRICE_CSV ||
                           fmt == SS_IMPORT_PRICE_JSON || fmt == SS_IMPORT_PRICE_JSONL)) {
        char zh[20];
        if (load_zone_map(&c, zh))
            goto out;
        snprintf(c.options, sizeof c.options, "zone-map=%s", zh);
    }
    /* Bulk-load settings for this connection, restored below: foreign keys
     * are not re-checked per row (every parent row - pool, provenance,
     * trace - is created by this import in this transaction), and a larger
     * page cache avoids spilling the transaction to the WAL early. Durability
     * settings (WAL, synchronous=NORMAL) are left alone: they are what make
     * a crash mid-import safe. */
    if (ss_store_exec(st, "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-32768", err))
        goto out;
    if (ss_store_begin(st, err))
        goto restore;
    /* The duplicate check is inside the write transaction (BEGIN IMMEDIATE
     * holds the store's write lock): two imports of one file at once see
     * each other, and the second says "already imported". */
    int found;
    if (provenance_exists(&c, sha, ss_import_format_name(fmt), &found))
        goto rollback;
    if (found) {
        res->already_imported = true;
        ss_store_rollback(st);
        rc = 0;
        goto restore;
    }
    if (provenance_insert(&c, sha, ss_import_format_name(fmt)) || run_reader(&c, fmt, fp))
        goto rollback;
    if (res->records == 0 && res->skipped == 0) {
        ss_imp_fail(&c, "no records (format %s)", ss_import_format_name(fmt));
        goto rollback;
    }
    if (res->added + res->duplicates == 0 && res->skipped > 0) {
        ss_imp_fail(&c, "every record is bad (%ld skipped); first: %s", res->skipped,
                    res->reasons[0]);
        goto rollback;
    }
    if ((opts->zone_map && store_zone_ids(&c)) || provenance_finish(&c) || ss_store_commit(st, err))
        goto rollback;
    summarize(&c);
    rc = 0;
    goto restore;
rollback:
    /* statements must be reset before ROLLBACK can release their locks */
    for (int i = 0; i < SS_IMP_ST_COUNT; i++)
        if (c.stmt[i])
            sqlite3_reset(c.stmt[i]);
    ss_store_rollback(st);
restore:
    sqlite3_exec(st->db, "PRAGMA foreign_keys=ON; PRAGMA cache_size=-2000", NULL, NULL, NULL);
out:
    ctx_free(&c);
    fclose(fp);
    return rc;
}
