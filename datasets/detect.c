/*
 * detect.c - which import format a file is, from its first bytes.
 *
 * Rules (first match wins), on the first 64 KiB:
 *   NUL byte or invalid UTF-8             -> refused as binary data
 *   only whitespace                       -> refused as empty
 *   starts with '[' / '{' (JSON):
 *     "SpotPriceHistory"                  -> price-json
 *     "gap_seconds"                       -> skypilot
 *     "spot_advisor" / "instance_types"   -> advisor
 *     "valueColumns"                      -> spotjs
 *     "detail-type":  '[' events-json, '{' events-jsonl
 *     "SpotPrice":    '[' price-json,  '{' price-jsonl
 *   a first line with tabs and 5 fields   -> price-tsv
 *   SPOTPRICEHISTORY<TAB>... (aws --output text) -> price-tsv
 *   a CSV header (first line), by the columns it names:
 *     SpotPrice                           -> price-csv
 *     lifecycle                           -> inventory-csv
 *     interruption_time                   -> records-csv
 *     OnDemand and AvailabilityZone       -> ondemand-2016
 *     usd_per_hour, or region + instance type/code + price/usd -> ondemand-csv
 */
#include <ctype.h>
#include <string.h>

#include "datasets/import_internal.h"

static int has(const char *head, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (head[i] == needle[0] && !memcmp(head + i, needle, k))
            return 1;
    return 0;
}

/* Valid UTF-8 without NUL; a sequence cut by the end of the head is fine. */
static int text_ok(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        unsigned b = s[i];
        size_t need = 0;
        if (b == 0) {
            *bad = i;
            return 0;
        }
        if (b < 0x80)
            need = 0;
        else if (b >= 0xC2 && b <= 0xDF)
            need = 1;
        else if (b >= 0xE0 && b <= 0xEF)
            need = 2;
        else if (b >= 0xF0 && b <= 0xF4)
            need = 3;
        else {
            *bad = i;
            return 0;
        }
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n)
                return 1;
            if ((s[i + k] & 0xC0) != 0x80) {
                *bad = i;
                return 0;
            }
        }
        i += need + 1;
    }
    return 1;
}

static long line_of(const char *s, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

int ss_import_detect(const char *path, const char *head, size_t n, ss_import_format *out,
                     ss_err *err)
{
    size_t badat;
    if (!text_ok((const unsigned char *)head, n, &badat))
        return ss_err_set(err, "%s:%ld: binary data (%s at byte %zu): not a text export", path,
                          line_of(head, badat), head[badat] ? "invalid UTF-8" : "NUL byte", badat);
    size_t i = 0;
    if (n >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < n && isspace((unsigned char)head[i]))
        i++;
    if (i == n)
        return ss_err_set(err, "%s: empty file (only whitespace)", path);
    const char *s = head + i;
    size_t m = n - i;
    if (s[0] == '[' || s[0] == '{') {
        int arr = s[0] == '[';
        if (has(s, m, "\"SpotPriceHistory\""))
            *out = SS_IMPORT_PRICE_JSON;
        else if (has(s, m, "\"Reservations\""))
            *out = SS_IMPORT_INSTANCES_JSON;
        else if (has(s, m, "\"SpotInstanceRequests\""))
            *out = SS_IMPORT_SPOT_REQUESTS_JSON;
        else if (has(s, m, "\"gap_seconds\""))
            *out = SS_IMPORT_SKYPILOT;
        else if (has(s, m, "\"spot_advisor\"") || has(s, m, "\"instance_types\""))
            *out = SS_IMPORT_ADVISOR;
        else if (has(s, m, "\"valueColumns\""))
            *out = SS_IMPORT_SPOTJS;
        else if (has(s, m, "\"detail-type\""))
            *out = arr ? SS_IMPORT_EVENTS_JSON : SS_IMPORT_EVENTS_JSONL;
        else if (has(s, m, "\"SpotPrice\""))
            *out = arr ? SS_IMPORT_PRICE_JSON : SS_IMPORT_PRICE_JSONL;
        else
            return ss_err_set(err, "%s:1: JSON of unknown shape (none of SpotPriceHistory, "
                              "SpotPrice, detail-type, gap_seconds, spot_advisor, valueColumns "
                              "in the first %zu bytes); use --format", path, n);
        return 0;
    }
    /* first line */
    size_t eol = 0;
    while (eol < m && s[eol] != '\n' && s[eol] != '\r')
        eol++;
    size_t tabs = 0, commas = 0;
    for (size_t k = 0; k < eol; k++) {
        tabs += s[k] == '\t';
        commas += s[k] == ',';
    }
    if (tabs == 4) {
        *out = SS_IMPORT_PRICE_TSV;
        return 0;
    }
    /* `aws ec2 describe-spot-price-history --output text`: SPOTPRICEHISTORY
     * rows (or a NEXTTOKEN row first), read by the same TSV reader */
    if ((eol > 17 && !memcmp(s, "SPOTPRICEHISTORY\t", 17)) || (eol > 10 && !memcmp(s, "NEXTTOKEN\t", 10))) {
        *out = SS_IMPORT_PRICE_TSV;
        return 0;
    }
    char line[1024], norm[1024];
    snprintf(line, sizeof line, "%.*s", (int)(eol < sizeof line ? eol : sizeof line - 1), s);
    ss_imp_norm_header(line, norm, sizeof norm);
    if (commas > 0) {
        if (strstr(norm, "spotprice"))
            *out = SS_IMPORT_PRICE_CSV;
        else if (strstr(norm, "lifecycle"))
            *out = SS_IMPORT_INVENTORY_CSV;
        else if (strstr(norm, "interruptiontime"))
            *out = SS_IMPORT_RECORDS_CSV;
        else if (strstr(norm, "ondemand") && strstr(norm, "availabilityzone"))
            *out = SS_IMPORT_ONDEMAND_2016;
        else if (strstr(norm, "usdperhour") ||
                 (strstr(norm, "region") &&
                  (strstr(norm, "instancetype") || strstr(norm, "instancecode")) &&
                  (strstr(norm, "price") || strstr(norm, "usd"))))
            *out = SS_IMPORT_ONDEMAND_CSV; /* plain On-Demand prices, common spellings */
        else
            goto unknown;
        return 0;
    }
unknown:
    return ss_err_set(err, "%s:1: unknown format: first line '%.80s' is no known CSV header, "
                      "TSV record or JSON; use --format", path, line);
}
