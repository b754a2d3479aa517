/*
 * import_catalog.c - reference tables: the Spot Instance Advisor JSON
 * (instance_specs, advisor_ranges, advisor), on-demand price tables (the 2016
 * CSV and a plain region,instance_type,os,usd_per_hour CSV) and the legacy
 * spot.js regional price snapshot (spot_price_snapshots).
 *
 * Instance specs and advisor ranges describe types, not moments: the first
 * import keeps them and later identical-or-not rows count as duplicates.
 * Advisor rows are per snapshot date; on-demand and snapshot prices are
 * checked like spot prices (same key + other value = conflict).
 */
#include "datasets/import_internal.h"

#include <math.h>
#include <string.h>

static int bad(int rc) { return rc < 0 ? -1 : 0; }

static void at_key(ss_imp *c, const char *a, const char *b, const char *k)
{
    snprintf(c->loc, sizeof c->loc, "%s: [%s%s%s%s%s]", c->path, a, b ? "." : "", b ? b : "",
             k ? "." : "", k ? k : "");
}

/* Generic INSERT ... ON CONFLICT DO NOTHING with duplicate/conflict check:
 * check_sql returns one row with 1 when the stored row equals this one. */
static int put_checked(ss_imp *c, sqlite3_stmt *ins, sqlite3_stmt *get, int conflicts_are_errors,
                       const char *what)
{
    int rc = ss_imp_step_insert(c, ins);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        c->res->added++;
        return 0;
    }
    int same = !conflicts_are_errors;
    if (get) {
        same = same || (sqlite3_step(get) == SQLITE_ROW && sqlite3_column_int(get, 0));
        sqlite3_reset(get);
    }
    if (same) {
        c->res->duplicates++;
        return 0;
    }
    return bad(ss_imp_bad(c, "%s is already stored with another value (conflicting duplicate)", what));
}

/* ---- Spot Advisor ------------------------------------------------------------ */

static int advisor_specs(ss_imp *c, json_t *types)
{
    const char *type;
    json_t *spec;
    sqlite3_stmt *ins;
    if (ss_store_prepare(c->st, "INSERT INTO instance_specs(instance_type, vcpu, memory_mib, emr,"
                                " source_id) VALUES(?,?,?,?,?) ON CONFLICT DO NOTHING",
                         &ins, c->err))
        return -1;
    int rc = 0;
    json_object_foreach(types, type, spec)
    {
        at_key(c, "instance_types", type, NULL);
        c->res->records++;
        if ((rc = ss_imp_type(c, "instance_types", type)) > 0) {
            rc = 0;
            continue;
        }
        if (rc)
            break;
        json_t *cores = json_object_get(spec, "cores"), *ram = json_object_get(spec, "ram_gb");
        json_t *emr = json_object_get(spec, "emr");
        if (!json_is_object(spec) || !json_is_number(cores) || !json_is_number(ram) ||
            json_number_value(cores) <= 0 || json_number_value(ram) <= 0 ||
            (emr && !json_is_boolean(emr))) {
            if ((rc = bad(ss_imp_bad(c, "expected {\"cores\": >0, \"ram_gb\": >0, \"emr\": bool}"))))
                break;
            continue;
        }
        sqlite3_bind_text(ins, 1, type, -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 2, json_number_value(cores));
        sqlite3_bind_double(ins, 3, json_number_value(ram) * 1024.0);
        if (emr)
            sqlite3_bind_int(ins, 4, json_is_true(emr));
        else
            sqlite3_bind_null(ins, 4);
        sqlite3_bind_int64(ins, 5, c->source_id);
        if ((rc = put_checked(c, ins, NULL, 0, "instance type")))
            break;
    }
    sqlite3_finalize(ins);
    return rc;
}

static int advisor_ranges(ss_imp *c, json_t *ranges, int *nbuckets)
{
    sqlite3_stmt *ins;
    if (ss_store_prepare(c->st, "INSERT INTO advisor_ranges(bucket, label, max_pct) VALUES(?,?,?)"
                                " ON CONFLICT DO NOTHING",
                         &ins, c->err))
        return -1;
    size_t i;
    json_t *r;
    int rc = 0;
    *nbuckets = 0;
    json_array_foreach(ranges, i, r)
    {
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        at_key(c, "ranges", idx, NULL);
        c->res->records++;
        json_t *index = json_object_get(r, "index"), *label = json_object_get(r, "label"),
               *max = json_object_get(r, "max");
        if (!json_is_integer(index) || json_integer_value(index) != (json_int_t)i ||
            !json_is_string(label) || !json_is_number(max) || json_number_value(max) < 0 ||
            json_number_value(max) > 100) {
            rc = ss_imp_fail(c, "ranges[%zu]: expected {\"index\": %zu, \"label\": text, "
                             "\"max\": 0..100}", i, i);
            break;
        }
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        sqlite3_bind_text(ins, 2, json_string_value(label), -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 3, json_number_value(max));
        if ((rc = put_checked(c, ins, NULL, 0, "range")))
            break;
        (*nbuckets)++;
    }
    sqlite3_finalize(ins);
    return rc;
}

static int advisor_rows(ss_imp *c, json_t *adv, int nbuckets)
{
    sqlite3_stmt *ins, *get;
    if (ss_store_prepare(c->st, "INSERT INTO advisor(region, os, instance_type, savings_pct, bucket,"
                                " snapshot, source_id) VALUES(?1,?2,?3,?4,?5,?6,?7)"
                                " ON CONFLICT DO NOTHING",
                         &ins, c->err))
        return -1;
    if (ss_store_prepare(c->st, "SELECT savings_pct = ?4 AND bucket = ?5 FROM advisor WHERE"
                                " region = ?1 AND os = ?2 AND instance_type = ?3 AND snapshot = ?6",
                         &get, c->err)) {
        sqlite3_finalize(ins);
        return -1;
    }
    const char *region, *os, *type;
    json_t *oses, *types, *e;
    int rc = 0;
    json_object_foreach(adv, region, oses)
    {
        at_key(c, "spot_advisor", region, NULL);
        if (ss_imp_region(c, "spot_advisor", region) || !json_is_object(oses)) {
            rc = ss_err_set(c->err, "%s: [spot_advisor.%s]: not a region name with an object of "
                            "operating systems", c->path, region);
            break;
        }
        json_object_foreach(oses, os, types)
        {
            char osn[64];
            at_key(c, "spot_advisor", region, os);
            if (ss_import_product(os, osn, sizeof osn) || !json_is_object(types)) {
                rc = ss_imp_fail(c, "[spot_advisor.%s.%s]: expected an object of instance types",
                                 region, os);
                break;
            }
            json_object_foreach(types, type, e)
            {
                snprintf(c->loc, sizeof c->loc, "%s: [spot_advisor.%s.%s.%s]", c->path, region, os,
                         type);
                c->res->records++;
                int r1 = ss_imp_type(c, "instance type", type);
                if (r1) {
                    if ((rc = bad(r1)))
                        break;
                    continue;
                }
                json_t *s = json_object_get(e, "s"), *r = json_object_get(e, "r");
                if (!json_is_integer(s) || !json_is_integer(r) || json_integer_value(s) < -1000 ||
                    json_integer_value(s) > 100 || json_integer_value(r) < 0 ||
                    json_integer_value(r) >= nbuckets) {
                    if ((rc = bad(ss_imp_bad(c, "expected {\"s\": savings -1000..100, \"r\": range "
                                             "index 0..%d}", nbuckets - 1))))
                        break;
                    continue;
                }
                sqlite3_stmt *st2[2] = {ins, get};
                for (int k = 0; k < 2; k++) {
                    sqlite3_bind_text(st2[k], 1, region, -1, SQLITE_STATIC);
                    sqlite3_bind_text(st2[k], 2, osn, -1, SQLITE_TRANSIENT);
                    sqlite3_bind_text(st2[k], 3, type, -1, SQLITE_STATIC);
                    sqlite3_bind_int64(st2[k], 4, json_integer_value(s));
                    sqlite3_bind_int64(st2[k], 5, json_integer_value(r));
                    sqlite3_bind_text(st2[k], 6, c->snapshot, -1, SQLITE_STATIC);
                }
                sqlite3_bind_int64(ins, 7, c->source_id);
                if ((rc = put_checked(c, ins, get, 1, "this advisor row")))
                    break;
            }
            if (rc)
                break;
        }
        if (rc)
            break;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(get);
    return rc;
}

int ss_imp_advisor(ss_imp *c, FILE *fp)
{
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    int rc = -1, nb;
    json_t *types = json_object_get(root, "instance_types"), *ranges = json_object_get(root, "ranges"),
           *adv = json_object_get(root, "spot_advisor");
    if (!json_is_object(types) || !json_is_array(ranges) || !json_is_object(adv))
        ss_imp_fail(c, "expected the Spot Advisor shape: objects 'instance_types' and "
                    "'spot_advisor' and an array 'ranges'");
    else if (!advisor_specs(c, types) && !advisor_ranges(c, ranges, &nb) && !advisor_rows(c, adv, nb))
        rc = 0;
    c->res->t_min = c->res->t_max = c->snapshot_ms;
    json_decref(root);
    return rc;
}

/* ---- on-demand price tables ---------------------------------------------------- */

typedef struct od_csv {
    int region, type, os, price;
    size_t nfields;
    int have_header, is2016;
    sqlite3_stmt *ins, *get;
} od_csv;

/* Header spellings of plain On-Demand CSVs (normalised: lower case, letters
 * and digits only). */
static bool od_is(const char *h, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(h, *names))
            return true;
    return false;
}

static int od_row(ss_imp *c, long line, char **f, size_t nf, void *ud)
{
    od_csv *o = ud;
    (void)line;
    static const char *const regions[] = {"region", "regioncode", "location", NULL};
    static const char *const types[] = {"instancetype", "instancecode", "type", "instance",
                                        "instancename", NULL};
    static const char *const oss[] = {"os", "operatingsystem", "platform", NULL};
    static const char *const prices[] = {"usdperhour", "price", "priceperhour", "ondemandprice",
                                         "usd", "priceusd", "hourlyprice", "ondemandusdperhour",
                                         NULL};
    if (!o->have_header) {
        o->region = o->type = o->os = o->price = -1;
        for (size_t i = 0; i < nf; i++) {
            char h[64];
            ss_imp_norm_header(f[i], h, sizeof h);
            if (o->is2016 ? !strcmp(h, "availabilityzone") : od_is(h, regions))
                o->region = (int)i;
            else if (o->is2016 ? !strcmp(h, "instancetype") : od_is(h, types))
                o->type = (int)i;
            else if (!o->is2016 && od_is(h, oss))
                o->os = (int)i;
            else if (o->is2016 ? !strcmp(h, "ondemand") : od_is(h, prices))
                o->price = (int)i;
        }
        if (o->region < 0 || o->type < 0 || o->price < 0)
            return ss_err_set(c->err, "%s:1: header lacks %s", c->path,
                              o->is2016 ? "AvailabilityZone, InstanceType or OnDemand"
                                        : "a region, an instance type (instance_type, instance"
                                          " type or code) or a price (usd_per_hour, price) column");
        if (!o->is2016 && o->os < 0)
            snprintf(c->res->note, sizeof c->res->note,
                     "no os column: every price taken as Linux/UNIX");
        o->nfields = nf;
        o->have_header = 1;
        return 0;
    }
    c->res->records++;
    if (nf != o->nfields)
        return bad(ss_imp_bad(c, "expected %zu fields as in the header, got %zu", o->nfields, nf));
    const char *region = f[o->region], *type = f[o->type];
    char os[64] = "Linux/UNIX"; /* the 2016 table's OnDemand column is Linux */
    double price;
    int rc;
    if ((rc = ss_imp_region(c, o->is2016 ? "AvailabilityZone" : "region", region)) ||
        (rc = ss_imp_type(c, o->is2016 ? "InstanceType" : "instance_type", type)) ||
        (!o->is2016 && o->os >= 0 && (rc = ss_imp_product(c, "os", f[o->os], os, sizeof os))) ||
        (rc = ss_imp_price(c, o->is2016 ? "OnDemand" : "usd_per_hour", f[o->price], &price)))
        return bad(rc);
    sqlite3_stmt *st2[2] = {o->ins, o->get};
    for (int k = 0; k < 2; k++) {
        sqlite3_bind_text(st2[k], 1, region, -1, SQLITE_STATIC);
        sqlite3_bind_text(st2[k], 2, type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st2[k], 3, os, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st2[k], 4, c->snapshot_ms);
    }
    sqlite3_bind_double(o->ins, 5, price);
    sqlite3_bind_int64(o->ins, 6, c->source_id);
    rc = ss_imp_step_insert(c, o->ins);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        c->res->added++;
        return 0;
    }
    /* a price of this date is stored: the same is a duplicate, another value
     * a conflict naming both */
    double stored = NAN;
    if (sqlite3_step(o->get) == SQLITE_ROW)
        stored = sqlite3_column_double(o->get, 0);
    sqlite3_reset(o->get);
    if (stored == price) {
        c->res->duplicates++;
        return 0;
    }
    char when[64];
    if (c->snapshot_ms)
        snprintf(when, sizeof when, "in effect from %s", c->snapshot);
    else
        snprintf(when, sizeof when, "without a date");
    return bad(ss_imp_bad(c,
                          "the on-demand price of %s in %s (%s) %s is stored as %.6g USD/h, this"
                          " file says %.6g; import a table of another date with --snapshot"
                          " YYYY-MM-DD (or a date in its file name)",
                          type, region, os, when, stored, price));
}

static int ondemand(ss_imp *c, FILE *fp, int is2016)
{
    od_csv o;
    memset(&o, 0, sizeof o);
    o.is2016 = is2016;
    if (ss_store_prepare(c->st, "INSERT INTO ondemand_prices(region, instance_type, os, effective_ms,"
                                " usd_per_hour, source_id) VALUES(?1,?2,?3,?4,?5,?6)"
                                " ON CONFLICT DO NOTHING",
                         &o.ins, c->err))
        return -1;
    if (ss_store_prepare(c->st, "SELECT usd_per_hour FROM ondemand_prices WHERE region = ?1"
                                " AND instance_type = ?2 AND os = ?3 AND effective_ms = ?4",
                         &o.get, c->err)) {
        sqlite3_finalize(o.ins);
        return -1;
    }
    int rc = ss_imp_csv_stream(c, fp, ',', od_row, &o);
    sqlite3_reset(o.ins);
    sqlite3_reset(o.get);
    sqlite3_finalize(o.ins);
    sqlite3_finalize(o.get);
    if (rc == 0 && c->snapshot_ms)
        c->res->t_min = c->res->t_max = c->snapshot_ms;
    else if (rc == 0 && !c->res->note[0])
        snprintf(c->res->note, sizeof c->res->note,
                 "undated: these prices hold until the first dated price of the same region,"
                 " type and OS (--snapshot YYYY-MM-DD dates them)");
    return rc;
}

int ss_imp_ondemand_2016(ss_imp *c, FILE *fp) { return ondemand(c, fp, 1); }
int ss_imp_ondemand_csv(ss_imp *c, FILE *fp) { return ondemand(c, fp, 0); }

/* ---- legacy spot.js ---------------------------------------------------------------- */

static int spotjs_size(ss_imp *c, const char *region, json_t *size, sqlite3_stmt *ins,
                       sqlite3_stmt *get)
{
    json_t *name = json_object_get(size, "size"), *cols = json_object_get(size, "valueColumns");
    if (!json_is_string(name) || !json_is_array(cols)) {
        c->res->records++;
        return bad(ss_imp_bad(c, "expected {\"size\": type, \"valueColumns\": [...]}"));
    }
    const char *type = json_string_value(name);
    size_t i;
    json_t *col;
    json_array_foreach(cols, i, col)
    {
        json_t *cn = json_object_get(col, "name");
        json_t *usd = json_object_get(json_object_get(col, "prices"), "USD");
        c->res->records++;
        char os[64];
        if (!json_is_string(cn) || !json_is_string(usd) ||
            ss_import_product(json_string_value(cn), os, sizeof os)) {
            if (bad(ss_imp_bad(c, "valueColumns[%zu]: expected {\"name\": linux|mswin, \"prices\": "
                               "{\"USD\": text}}", i)))
                return -1;
            continue;
        }
        const char *p = json_string_value(usd);
        if (!strncmp(p, "N/A", 3)) {
            c->res->records--;
            c->res->not_offered++; /* not sold there: not a record */
            continue;
        }
        double price;
        int rc = ss_imp_type(c, "size", type);
        if (!rc)
            rc = ss_imp_price(c, "valueColumns.prices.USD", p, &price);
        if (rc) {
            if (bad(rc))
                return -1;
            continue;
        }
        sqlite3_stmt *st2[2] = {ins, get};
        for (int k = 0; k < 2; k++) {
            sqlite3_bind_text(st2[k], 1, region, -1, SQLITE_STATIC);
            sqlite3_bind_text(st2[k], 2, type, -1, SQLITE_STATIC);
            sqlite3_bind_text(st2[k], 3, os, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st2[k], 4, c->snapshot_ms);
            sqlite3_bind_double(st2[k], 5, price);
        }
        sqlite3_bind_int64(ins, 6, c->source_id);
        if (put_checked(c, ins, get, 1, "the snapshot price of this region/type/os"))
            return -1;
    }
    return 0;
}

int ss_imp_spotjs(ss_imp *c, FILE *fp)
{
    json_t *root = ss_imp_json_load(c, fp);
    if (!root)
        return -1;
    sqlite3_stmt *ins = NULL, *get = NULL;
    int rc = -1;
    json_t *regions = json_object_get(json_object_get(root, "config"), "regions");
    if (!json_is_array(regions)) {
        ss_imp_fail(c, "expected the spot.js shape: config.regions[]");
        goto out;
    }
    if (ss_store_prepare(c->st, "INSERT INTO spot_price_snapshots(region, instance_type, os, t_ms,"
                                " usd_per_hour, source_id) VALUES(?1,?2,?3,?4,?5,?6)"
                                " ON CONFLICT DO NOTHING",
                         &ins, c->err) ||
        ss_store_prepare(c->st, "SELECT usd_per_hour = ?5 FROM spot_price_snapshots WHERE"
                                " region = ?1 AND instance_type = ?2 AND os = ?3 AND t_ms = ?4",
                         &get, c->err))
        goto out;
    size_t ri;
    json_t *reg;
    json_array_foreach(regions, ri, reg)
    {
        json_t *rn = json_object_get(reg, "region"), *its = json_object_get(reg, "instanceTypes");
        const char *modern = json_is_string(rn) ? ss_import_legacy_region(json_string_value(rn)) : NULL;
        snprintf(c->loc, sizeof c->loc, "%s: [config.regions[%zu]]", c->path, ri);
        if (!modern) {
            /* a region we cannot name cannot be joined with anything: refuse
             * the file rather than guess */
            ss_err_set(c->err, "%s: field 'region': value '%.40s' is not a known legacy spot.js "
                       "region (docs/formats.md lists them)", c->loc,
                       json_is_string(rn) ? json_string_value(rn) : "(not a string)");
            goto out;
        }
        if (!json_is_array(its)) {
            ss_err_set(c->err, "%s: field 'instanceTypes' is not an array", c->loc);
            goto out;
        }
        size_t ti, si;
        json_t *it, *sz;
        json_array_foreach(its, ti, it)
        {
            json_t *sizes = json_object_get(it, "sizes");
            if (!json_is_array(sizes)) {
                snprintf(c->loc, sizeof c->loc, "%s: [config.regions[%zu].instanceTypes[%zu]]",
                         c->path, ri, ti);
                ss_err_set(c->err, "%s: field 'sizes' is not an array", c->loc);
                goto out;
            }
            json_array_foreach(sizes, si, sz)
            {
                snprintf(c->loc, sizeof c->loc,
                         "%s: [config.regions[%zu].instanceTypes[%zu].sizes[%zu]]", c->path, ri, ti,
                         si);
                if (spotjs_size(c, modern, sz, ins, get))
                    goto out;
            }
        }
    }
    c->res->t_min = c->res->t_max = c->snapshot_ms;
    rc = 0;
out:
    if (ins)
        sqlite3_reset(ins);
    sqlite3_finalize(ins);
    sqlite3_finalize(get);
    json_decref(root);
    return rc;
}
