/*
 * import_price.c - spot price history in its four real shapes: the AWS CLI
 * JSON document, JSON lines of the same records, CSV with a header naming
 * the columns (any order), and the archive TSV (AZ IDs, no header).
 * Every record ends in ss_imp_price_record (import_core.c).
 */
#include "datasets/import_internal.h"

#include <string.h>

/* One JSON price record object. Returns 0 (stored or skipped) or -1. */
static int price_json_record(ss_imp *c, json_t *o)
{
    const char *zone, *type, *product, *price, *ts;
    int rc;
    c->res->records++;
    if (!json_is_object(o))
        return ss_imp_bad(c, "record is not a JSON object") < 0 ? -1 : 0;
    /* AvailabilityZone (name) or, in newer CLI output, AvailabilityZoneId */
    const char *zkey = json_object_get(o, "AvailabilityZone") || !json_object_get(o, "AvailabilityZoneId")
                           ? "AvailabilityZone"
                           : "AvailabilityZoneId";
    if ((rc = ss_imp_json_str(c, o, zkey, &zone)) || (rc = ss_imp_json_str(c, o, "InstanceType", &type)) ||
        (rc = ss_imp_json_str(c, o, "ProductDescription", &product)) ||
        (rc = ss_imp_json_str(c, o, "SpotPrice", &price)) ||
        (rc = ss_imp_json_str(c, o, "Timestamp", &ts)))
        return rc < 0 ? -1 : 0;
    return ss_imp_price_record(c, zone, type, product, price, ts);
}

static int price_json_elem(ss_imp *c, json_t *v, void *ud)
{
    (void)ud;
    return price_json_record(c, v);
}

int ss_imp_price_json(ss_imp *c, FILE *fp)
{
    return ss_imp_json_array_stream(c, fp, "SpotPriceHistory", price_json_elem, NULL);
}

static int price_jsonl_line(ss_imp *c, json_t *v, void *ud)
{
    (void)ud;
    return price_json_record(c, v);
}

int ss_imp_price_jsonl(ss_imp *c, FILE *fp) { return ss_imp_jsonl_stream(c, fp, price_jsonl_line, NULL); }

/* ---- CSV with a header ------------------------------------------------------ */

enum { COL_ZONE, COL_TYPE, COL_PRODUCT, COL_PRICE, COL_TS, COL_N };

typedef struct price_csv {
    int col[COL_N];
    size_t nfields;
    int have_header;
} price_csv;

static int price_csv_header(ss_imp *c, char **f, size_t nf, price_csv *pc)
{
    static const struct {
        const char *name;
        int col;
    } names[] = {{"availabilityzone", COL_ZONE}, {"availabilityzoneid", COL_ZONE},
                 {"az", COL_ZONE},               {"instancetype", COL_TYPE},
                 {"productdescription", COL_PRODUCT}, {"ostype", COL_PRODUCT},
                 {"os", COL_PRODUCT},            {"spotprice", COL_PRICE},
                 {"price", COL_PRICE},           {"timestamp", COL_TS},
                 {"time", COL_TS}};
    static const char *const col_names[COL_N] = {"AvailabilityZone", "InstanceType",
                                                 "ProductDescription", "SpotPrice", "Timestamp"};
    for (int k = 0; k < COL_N; k++)
        pc->col[k] = -1;
    for (size_t i = 0; i < nf; i++) {
        char h[64];
        ss_imp_norm_header(f[i], h, sizeof h);
        for (size_t k = 0; k < SS_ARRAY_LEN(names); k++)
            if (!strcmp(h, names[k].name)) {
                if (pc->col[names[k].col] >= 0)
                    return ss_err_set(c->err, "%s:1: header names column '%s' twice", c->path,
                                       col_names[names[k].col]);
                pc->col[names[k].col] = (int)i;
            }
    }
    for (int k = 0; k < COL_N; k++)
        if (pc->col[k] < 0)
            return ss_err_set(c->err, "%s:1: header has no '%s' column (header: %s,...)", c->path,
                              col_names[k], f[0]);
    pc->nfields = nf;
    pc->have_header = 1;
    return 0;
}

static int price_csv_row(ss_imp *c, long line, char **f, size_t nf, void *ud)
{
    price_csv *pc = ud;
    if (!pc->have_header) {
        (void)line;
        return price_csv_header(c, f, nf, pc);
    }
    c->res->records++;
    if (nf != pc->nfields)
        return ss_imp_bad(c, "expected %zu fields as in the header, got %zu", pc->nfields, nf) < 0
                   ? -1
                   : 0;
    return ss_imp_price_record(c, f[pc->col[COL_ZONE]], f[pc->col[COL_TYPE]],
                               f[pc->col[COL_PRODUCT]], f[pc->col[COL_PRICE]], f[pc->col[COL_TS]]);
}

int ss_imp_price_csv(ss_imp *c, FILE *fp)
{
    price_csv pc;
    memset(&pc, 0, sizeof pc);
    return ss_imp_csv_stream(c, fp, ',', price_csv_row, &pc);
}

/* ---- archive TSV: AZ-ID InstanceType ProductDescription SpotPrice Timestamp --- */

static int price_tsv_row(ss_imp *c, long line, char **f, size_t nf, void *ud)
{
    (void)line;
    (void)ud;
    /* `aws ec2 describe-spot-price-history --output text`: one row per
     * record, "SPOTPRICEHISTORY" then the record's scalars in the CLI's
     * (alphabetical) key order - AvailabilityZone, InstanceType,
     * ProductDescription, SpotPrice, Timestamp; a page's NEXTTOKEN row
     * carries no record. */
    if (nf >= 1 && !strcmp(f[0], "NEXTTOKEN"))
        return 0;
    if (nf >= 1 && !strcmp(f[0], "SPOTPRICEHISTORY")) {
        c->res->records++;
        if (nf != 6)
            return ss_imp_bad(c, "expected SPOTPRICEHISTORY and 5 fields (AvailabilityZone, InstanceType, "
                                 "ProductDescription, SpotPrice, Timestamp), got %zu",
                              nf - 1) < 0
                       ? -1
                       : 0;
        return ss_imp_price_record(c, f[1], f[2], f[3], f[4], f[5]);
    }
    c->res->records++;
    if (nf != 5)
        return ss_imp_bad(c, "expected 5 tab-separated fields (AZ-ID, InstanceType, "
                          "ProductDescription, SpotPrice, Timestamp), got %zu", nf) < 0
                   ? -1
                   : 0;
    return ss_imp_price_record(c, f[0], f[1], f[2], f[3], f[4]);
}

int ss_imp_price_tsv(ss_imp *c, FILE *fp) { return ss_imp_csv_stream(c, fp, '\t', price_tsv_row, NULL); }
