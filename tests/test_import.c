/*
 * test_import.c - every real and derived data file imports, with record
 * counts, spans and values checked against figures computed here by simple
 * scans of the files (not through the importer) or stated in the shared
 * READMEs; re-importing adds nothing.
 */
#include "tests/testutil.h"

#include <ctype.h>
#include <string.h>

#include "datasets/import.h"
#include "sim/kernel/simtime.h"
#include "tests/test_import_util.h"

typedef struct fx {
    char *dir;
    ss_store st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    ss_err err;
    if (ss_store_open(&f->st, tu_fmt("%s/s.db", f->dir), 0, &err))
        fail_msg("%s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ss_store_close(&f->st);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A macro so that a skip for missing data names the calling test. */
#define real(rel) tu_fmt("%s/real/%s", tu_shared_datasets(), (rel))

/* min/max of the ISO timestamps that follow `key` in a file (own scan). */
static void scan_span(const char *path, const char *key, ss_time *lo, ss_time *hi)
{
    size_t n;
    char *buf = tu_read_file(path, &n);
    assert_non_null(buf);
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    size_t k = strlen(key);
    for (char *p = buf; (p = itl_find(p, buf + n, key, k)) != NULL; p += k) {
        char ts[40];
        size_t j = 0;
        const char *q = p + k;
        while (j + 1 < sizeof ts && *q && *q != '"' && *q != ',' && *q != '\n' && *q != '\t')
            ts[j++] = *q++;
        ts[j] = '\0';
        ss_time t;
        if (ss_time_parse(ts, &t))
            fail_msg("%s: scan found bad timestamp '%s'", path, ts);
        if (t < *lo)
            *lo = t;
        if (t > *hi)
            *hi = t;
    }
    free(buf);
}

static long lines_of(const char *path) { return itl_count(path, "\n"); }

static void hshazly_json(void **state)
{
    fx *f = *state;
    static const char *files[] = {"c1.xlarge-us-east-1a", "m1.large-us-east-1b", "m1.small-us-east-1c",
                                  "m3.medium-us-east-1a", "m4.10xlarge-us-east-1c", "t1.micro-us-east-1b"};
    for (size_t i = 0; i < SS_ARRAY_LEN(files); i++) {
        const char *p = real(tu_fmt("hshazly-spot-price-history-2016/%s.json", files[i]));
        char path[1024];
        snprintf(path, sizeof path, "%s", p);
        long expect = itl_count(path, "\"SpotPrice\"");
        ss_time lo, hi;
        scan_span(path, "\"Timestamp\": \"", &lo, &hi);
        ss_import_result r = itl_import_ok(&f->st, path, NULL);
        assert_int_equal(r.format, SS_IMPORT_PRICE_JSON);
        assert_int_equal(r.records, expect);
        assert_int_equal(r.added, expect); /* PROVENANCE: no duplicate records */
        assert_int_equal(r.t_min, lo);
        assert_int_equal(r.t_max, hi);
    }
    /* m1.small-us-east-1c: 137 records (grep -c SpotPrice); newest is
     * 2016-04-25T07:23:10.000Z at 0.0072 (first record of the file) */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM spot_prices JOIN pools p ON p.id=pool_id"
                                            " WHERE p.zone='us-east-1c' AND p.instance_type='m1.small'"),
                     137);
    ss_time t;
    ss_time_parse("2016-04-25T07:23:10Z", &t);
    assert_int_equal(itl_query_long(&f->st, tu_fmt("SELECT round(usd_per_hour*1e6) FROM spot_prices"
                                                   " JOIN pools p ON p.id=pool_id WHERE p.zone='us-east-1c'"
                                                   " AND p.instance_type='m1.small' AND t_ms=%lld",
                                                   (long long)t)),
                     7200);
    /* region and product of the pools */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE region<>'us-east-1'"
                                            " OR product<>'Linux/UNIX'"), 0);
}

/* Distinct (all fields but the price) keys among the data lines of a CSV/TSV. */
static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static long distinct_keys(const char *path, char sep, int price_col, int skip_header)
{
    size_t n;
    char *buf = tu_read_file(path, &n);
    assert_non_null(buf);
    char **keys = NULL;
    size_t nk = 0, cap = 0;
    char *save = NULL;
    int first = 1;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (first && skip_header) {
            first = 0;
            continue;
        }
        /* drop the price column */
        char key[512];
        size_t kl = 0;
        int col = 0;
        for (char *p = line; *p && kl + 1 < sizeof key; p++) {
            if (*p == sep)
                col++;
            if (col != price_col)
                key[kl++] = *p;
        }
        key[kl] = '\0';
        SS_GROW(keys, cap, nk + 1);
        keys[nk++] = strdup(key);
    }
    qsort(keys, nk, sizeof *keys, cmpstr);
    long d = 0;
    for (size_t i = 0; i < nk; i++) {
        if (i == 0 || strcmp(keys[i], keys[i - 1]))
            d++;
    }
    for (size_t i = 0; i < nk; i++)
        free(keys[i]);
    free(keys);
    free(buf);
    return d;
}

static void price_csv_and_tsv(void **state)
{
    fx *f = *state;
    struct {
        const char *rel;
        ss_import_format fmt;
        char sep;
        int price_col, header;
        const char *ts_key;
    } cases[] = {
        {"aws-spot-analysis-2014/us-east-1a_c3-xlarge.csv", SS_IMPORT_PRICE_CSV, ',', 1, 1, "\n"},
        {"aws-spot-analysis-2014/us-east-1a_c3-2xlarge.csv", SS_IMPORT_PRICE_CSV, ',', 1, 1, "\n"},
        {"eu-west-3a-2020/ec2-prices-2020-02-29_2020-05-14.csv", SS_IMPORT_PRICE_CSV, ',', 3, 1, NULL},
        {"ericpauley-spot-price-history-2022-05/2022-05_us-regions.tsv", SS_IMPORT_PRICE_TSV, '\t', 3, 0, NULL},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(cases); i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s", real(cases[i].rel));
        long records = lines_of(path) - cases[i].header;
        long distinct = distinct_keys(path, cases[i].sep, cases[i].price_col, cases[i].header);
        ss_import_result r = itl_import_ok(&f->st, path, NULL);
        assert_int_equal(r.format, cases[i].fmt);
        assert_int_equal(r.records, records);
        /* identical repeats are duplicates; none of these files has a
         * conflicting one (else the import would have failed) */
        assert_int_equal(r.added, distinct);
        assert_int_equal(r.duplicates, records - distinct);
    }
    /* PROVENANCE §2: every row of the "us-east-1a" 2014 files is us-west-1a;
     * 3,912 + 7,299 rows. */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM spot_prices JOIN pools p ON p.id=pool_id"
                                            " WHERE p.zone='us-west-1a' AND p.region='us-west-1'"),
                     3912 + 7299);
    /* PROVENANCE §2 first row: 2014-02-16 18:13:46, 0.3421, c3.xlarge */
    assert_int_equal(itl_query_long(&f->st, "SELECT min(t_ms) FROM spot_prices JOIN pools p ON p.id=pool_id"
                                            " WHERE p.instance_type='c3.xlarge'"),
                     (ss_days_from_civil(2014, 2, 16) * 86400 + 18 * 3600 + 13 * 60 + 46) * 1000);
    /* TSV: AZ IDs kept as zone names without a zone map; regions from them */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE zone LIKE 'use1-az%'"
                                            " AND region<>'us-east-1'"), 0);
    /* grep -P '^usw1-az3\tc6i.large\t': Linux/UNIX, RHEL and SUSE rows */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE zone='usw1-az3' AND"
                                            " region='us-west-1' AND instance_type='c6i.large'"), 3);
    /* eu-west-3a span: 2020-02-29 .. 2020-05-14 (PROVENANCE §8) */
    assert_int_equal(itl_query_long(&f->st, "SELECT min(t_ms)/86400000 FROM spot_prices JOIN pools p"
                                            " ON p.id=pool_id WHERE p.zone='eu-west-3a'"),
                     ss_days_from_civil(2020, 2, 29));
    assert_int_equal(itl_query_long(&f->st, "SELECT max(t_ms)/86400000 FROM spot_prices JOIN pools p"
                                            " ON p.id=pool_id WHERE p.zone='eu-west-3a'"),
                     ss_days_from_civil(2020, 5, 14));
}

static void derived_log(void **state)
{
    fx *f = *state;
    const char *dir = tu_fmt("%s/derived/interruption-log-2023-08", tu_shared_datasets());
    char inv[1024], rec[1024], warn[1024];
    snprintf(inv, sizeof inv, "%s/instance-inventory.csv", dir);
    snprintf(rec, sizeof rec, "%s/interruption-records.csv", dir);
    snprintf(warn, sizeof warn, "%s/interruption-warnings.jsonl", dir);
    ss_import_result r = itl_import_ok(&f->st, inv, NULL);
    assert_int_equal(r.format, SS_IMPORT_INVENTORY_CSV);
    assert_int_equal(r.added, 606); /* derived README */
    assert_int_equal(lines_of(inv) - 1, 606);
    r = itl_import_ok(&f->st, warn, NULL);
    assert_int_equal(r.format, SS_IMPORT_EVENTS_JSONL);
    assert_int_equal(r.added, 600);
    assert_int_equal(r.added, itl_count(warn, "\"EC2 Spot Instance Interruption Warning\""));
    /* first warning 2023-08-03T01:38:00Z (derived README) */
    assert_int_equal(r.t_min, (ss_days_from_civil(2023, 8, 3) * 86400 + 3600 + 38 * 60) * 1000);
    /* per zone through the interruptions view (events joined with the inventory) */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruptions i JOIN pools p ON"
                                            " p.id=i.pool_id WHERE i.kind='interruption-warning' AND"
                                            " p.zone='us-east-1f'"), 195);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruptions i JOIN pools p ON"
                                            " p.id=i.pool_id WHERE i.kind='interruption-warning' AND"
                                            " p.zone='us-east-2a'"), 75);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruptions i JOIN pools p ON"
                                            " p.id=i.pool_id WHERE i.kind='interruption-warning' AND"
                                            " p.zone='us-west-2c'"), 330);
    /* flat records: the instances are the inventory's (duplicates), the
     * interruption events are new; each warning is 120 s before its end */
    r = itl_import_ok(&f->st, rec, NULL);
    assert_int_equal(r.format, SS_IMPORT_RECORDS_CSV);
    assert_int_equal(r.records, 600);
    assert_int_equal(r.duplicates, 600);
    assert_int_equal(r.added, 600);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruption_events w JOIN"
                                            " interruption_events x USING(instance_id) WHERE"
                                            " w.kind='interruption-warning' AND x.kind='interruption'"
                                            " AND x.t_ms - w.t_ms = 120000"), 600);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM instances WHERE end_ms IS NULL"), 6);
}

static void skypilot_traces(void **state)
{
    fx *f = *state;
    const char *sets[] = {"preemption/4-node/aws-08-03-2023/us-east-1f_v100_1.json",
                          "preemption/4-node/aws-08-03-2023/us-west-2c_v100_1.json",
                          "availability/1-node/aws-02-15-2023/us-east-1a_v100_1.json",
                          "availability/1-node/aws-10-26-2022/us-west-2b_k80_8.json"};
    ss_time starts[] = {ss_days_from_civil(2023, 8, 3) * SS_DAY, ss_days_from_civil(2023, 8, 3) * SS_DAY,
                        ss_days_from_civil(2023, 2, 15) * SS_DAY,
                        ss_days_from_civil(2022, 10, 26) * SS_DAY};
    long gaps[] = {300, 300, 195, 600};
    for (size_t i = 0; i < SS_ARRAY_LEN(sets); i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s", real(tu_fmt("skypilot-spot-traces/%s", sets[i])));
        /* samples = commas inside "data": [...] + 1 (own scan) */
        long n = itl_count(path, ",") - itl_count(path, "\"gap_seconds\"") + 1;
        ss_import_opts o;
        ss_import_opts_init(&o);
        o.format = SS_IMPORT_SKYPILOT;
        o.meaning = "available-count";
        ss_import_result r = itl_import_ok(&f->st, path, &o);
        assert_int_equal(r.records, n);
        assert_int_equal(r.added, n);
        assert_int_equal(r.t_min, starts[i]);
        assert_int_equal(r.t_max, starts[i] + (n - 1) * gaps[i] * 1000);
    }
    /* PROVENANCE §5 sample counts; 4-node capacity defaults to max value 4 */
    assert_int_equal(itl_query_long(&f->st, "SELECT n_samples FROM capacity_traces t JOIN pools p ON"
                                            " p.id=t.pool_id WHERE p.zone='us-east-1f'"), 3664);
    assert_int_equal(itl_query_long(&f->st, "SELECT capacity FROM capacity_traces t JOIN pools p ON"
                                            " p.id=t.pool_id WHERE p.zone='us-west-2c'"), 4);
    assert_int_equal(itl_query_long(&f->st, "SELECT n_samples FROM capacity_traces t JOIN pools p ON"
                                            " p.id=t.pool_id WHERE p.zone='us-east-1a' AND"
                                            " p.instance_type='p3.2xlarge'"), 20158);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE instance_type='p2.8xlarge'"
                                            " AND zone='us-west-2b'"), 1);
    /* without --meaning the import refuses (semantics are ambiguous) */
    ss_import_opts o;
    ss_import_opts_init(&o);
    ss_import_result r;
    ss_err err;
    assert_int_equal(ss_import_file(&f->st, real("skypilot-spot-traces/preemption/4-node/aws-08-03-2023/"
                                                 "us-east-2a_v100_1.json"), &o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "--meaning"));
}

static void advisor_ondemand_spotjs(void **state)
{
    fx *f = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s", real("spot-advisor/spot-advisor-data_2025-06-28.json"));
    long types = itl_count(path, "\"cores\":");
    long rows = itl_count(path, "{\"s\":");
    ss_import_result r = itl_import_ok(&f->st, path, NULL);
    assert_int_equal(r.format, SS_IMPORT_ADVISOR);
    assert_int_equal(types, 929); /* PROVENANCE §6 */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM instance_specs"), types);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM advisor WHERE snapshot='2025-06-28'"),
                     rows);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(DISTINCT region) FROM advisor"), 33);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM advisor_ranges"), 5);
    /* values seen in the file: us-east-1 Linux m6i.2xlarge {"s": 58, "r": 4};
     * c6i.32xlarge has 128 cores and 256 GiB */
    assert_int_equal(itl_query_long(&f->st, "SELECT savings_pct*10+bucket FROM advisor WHERE region="
                                            "'us-east-1' AND os='Linux/UNIX' AND instance_type='m6i.2xlarge'"),
                     584);
    assert_int_equal(itl_query_long(&f->st, "SELECT vcpu*100000+memory_mib FROM instance_specs WHERE"
                                            " instance_type='c6i.32xlarge'"), 128 * 100000 + 256 * 1024);

    snprintf(path, sizeof path, "%s", real("aws-spot-analysis-ondemand-2016/pricing-data.csv"));
    r = itl_import_ok(&f->st, path, NULL);
    assert_int_equal(r.format, SS_IMPORT_ONDEMAND_2016);
    assert_int_equal(r.added, lines_of(path) - 1); /* 560 */
    /* row 0: us-east-1,t1.micro,0.02 */
    assert_int_equal(itl_query_long(&f->st, "SELECT round(usd_per_hour*1000) FROM ondemand_prices WHERE"
                                            " region='us-east-1' AND instance_type='t1.micro'"
                                            " AND os='Linux/UNIX'"), 20);

    snprintf(path, sizeof path, "%s", real("aws-spot-js-2021/spot-price-data_2021-04-06.json"));
    long prices = itl_count(path, "\"USD\":\"");
    long na = itl_count(path, "\"USD\":\"N/A");
    r = itl_import_ok(&f->st, path, NULL);
    assert_int_equal(r.format, SS_IMPORT_SPOTJS);
    assert_int_equal(r.added, prices - na);
    assert_int_equal(r.not_offered, na);
    /* legacy names -> modern: us-east, us-east-2, us-west, eu-ireland, apac-syd */
    assert_int_equal(itl_query_long(&f->st, "SELECT count(DISTINCT region) FROM spot_price_snapshots WHERE"
                                            " region IN ('us-east-1','us-east-2','us-west-1','eu-west-1',"
                                            "'ap-southeast-2')"), 5);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(DISTINCT region) FROM spot_price_snapshots"), 5);
    /* first size of us-east: a1.medium linux 0.0084, at 2021-04-06 */
    assert_int_equal(itl_query_long(&f->st, tu_fmt("SELECT round(usd_per_hour*10000) FROM"
                                                   " spot_price_snapshots WHERE region='us-east-1' AND"
                                                   " instance_type='a1.medium' AND os='Linux/UNIX' AND"
                                                   " t_ms=%lld", (long long)(ss_days_from_civil(2021, 4, 6) * SS_DAY))),
                     84);
}

/* Import everything, then everything again: the second pass adds nothing. */
static void reimport_adds_nothing(void **state)
{
    fx *f = *state;
    (void)tu_shared_datasets(); /* skip before allocating anything */
    const char *files[] = {"hshazly-spot-price-history-2016/t1.micro-us-east-1a.json",
                           "eu-west-3a-2020/ec2-prices-2020-02-29_2020-05-14.csv",
                           "ericpauley-spot-price-history-2022-05/2022-05_us-regions.tsv",
                           "aws-spot-analysis-ondemand-2016/pricing-data.csv"};
    for (int pass = 0; pass < 2; pass++) {
        char *before = itl_dump(&f->st);
        for (size_t i = 0; i < SS_ARRAY_LEN(files); i++) {
            char path[1024];
            snprintf(path, sizeof path, "%s", real(files[i]));
            ss_import_result r = itl_import_ok(&f->st, path, NULL);
            assert_int_equal(r.already_imported, pass == 1);
        }
        char *after = itl_dump(&f->st);
        if (pass == 1)
            assert_string_equal(before, after);
        free(before);
        free(after);
    }
    /* the same records from another file (the bundled CSV holds t1.micro
     * us-east-1a among others) are duplicates, not additions */
    char path[1024];
    snprintf(path, sizeof path, "%s/datasets/samples/spot-2016-us-east-1.csv", tu_source_dir());
    ss_import_result r = itl_import_ok(&f->st, path, NULL);
    assert_int_equal(r.duplicates, 816); /* grep -c SpotPrice t1.micro-us-east-1a.json */
    assert_int_equal(r.added + r.duplicates, r.records);
}

static void jsonl_zone_map_events_array(void **state)
{
    fx *f = *state;
    const char *jl = tu_fmt("%s/p.jsonl", f->dir);
    char jlp[1024];
    snprintf(jlp, sizeof jlp, "%s", jl);
    FILE *fp = fopen(jlp, "w");
    fprintf(fp, "{\"AvailabilityZone\":\"us-east-2b\",\"InstanceType\":\"c5.large\",\"ProductDescription\":"
                "\"Linux/UNIX (Amazon VPC)\",\"SpotPrice\":\"0.0350\",\"Timestamp\":\"2024-01-01T00:00:00Z\"}\n"
                "\n{\"AvailabilityZoneId\":\"use2-az3\",\"InstanceType\":\"c5.large\",\"ProductDescription\":"
                "\"Windows (Amazon VPC)\",\"SpotPrice\":\"0.1\",\"Timestamp\":\"2024-01-01T01:00:00Z\"}\n");
    fclose(fp);
    ss_import_result r = itl_import_ok(&f->st, jlp, NULL);
    assert_int_equal(r.format, SS_IMPORT_PRICE_JSONL);
    assert_int_equal(r.added, 2);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE product IN ('Linux/UNIX',"
                                            "'Windows')"), 2);
    /* TSV with a zone map: use1-az4 -> us-east-1b */
    char tsv[1024], map[1024];
    snprintf(tsv, sizeof tsv, "%s/p.tsv", f->dir);
    snprintf(map, sizeof map, "%s/zones.csv", f->dir);
    fp = fopen(tsv, "w");
    fprintf(fp, "use1-az4\tm5.large\tLinux/UNIX\t0.040000\t2022-05-31T18:23:08+00:00\n");
    fclose(fp);
    fp = fopen(map, "w");
    fprintf(fp, "zone_id,zone_name\nuse1-az4,us-east-1b\n");
    fclose(fp);
    ss_import_opts o;
    ss_import_opts_init(&o);
    o.zone_map = map;
    r = itl_import_ok(&f->st, tsv, &o);
    assert_int_equal(r.added, 1);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM pools WHERE zone='us-east-1b' AND"
                                            " region='us-east-1' AND instance_type='m5.large'"), 1);
    /* EventBridge JSON array with a rebalance recommendation */
    char ev[1024];
    snprintf(ev, sizeof ev, "%s/ev.json", f->dir);
    fp = fopen(ev, "w");
    fprintf(fp, "[{\"version\":\"0\",\"id\":\"r-1\",\"detail-type\":\"EC2 Instance Rebalance Recommendation\","
                "\"source\":\"aws.ec2\",\"time\":\"2023-08-03T01:30:00Z\",\"region\":\"us-east-2\","
                "\"resources\":[],\"detail\":{\"instance-id\":\"i-1234567890abcdef0\"}},\n"
                "{\"version\":\"0\",\"id\":\"w-1\",\"detail-type\":\"EC2 Spot Instance Interruption Warning\","
                "\"source\":\"aws.ec2\",\"time\":\"2023-08-03T01:38:00Z\",\"region\":\"us-east-2\","
                "\"resources\":[],\"detail\":{\"instance-id\":\"i-1234567890abcdef0\",\"instance-action\":\"stop\"}}]\n");
    fclose(fp);
    r = itl_import_ok(&f->st, ev, NULL);
    assert_int_equal(r.format, SS_IMPORT_EVENTS_JSON);
    assert_int_equal(r.added, 2);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruption_events WHERE event_key='r-1'"
                                            " AND kind='rebalance-recommendation' AND action IS NULL"), 1);
    assert_int_equal(itl_query_long(&f->st, "SELECT count(*) FROM interruption_events WHERE event_key='w-1'"
                                            " AND action='stop'"), 1);
}

static void names(void **state)
{
    (void)state;
    char out[64];
    /* the documented product mapping */
    assert_int_equal(ss_import_product("Linux/UNIX (Amazon VPC)", out, sizeof out), 0);
    assert_string_equal(out, "Linux/UNIX");
    ss_import_product("Windows (Amazon VPC)", out, sizeof out);
    assert_string_equal(out, "Windows");
    ss_import_product("mswin", out, sizeof out);
    assert_string_equal(out, "Windows");
    ss_import_product("Linux", out, sizeof out);
    assert_string_equal(out, "Linux/UNIX");
    ss_import_product("SUSE Linux (Amazon VPC)", out, sizeof out);
    assert_string_equal(out, "SUSE Linux");
    assert_int_equal(ss_import_product("", out, sizeof out), -1);
    assert_string_equal(ss_import_legacy_region("us-east"), "us-east-1");
    assert_string_equal(ss_import_legacy_region("us-west"), "us-west-1");
    assert_string_equal(ss_import_legacy_region("eu-ireland"), "eu-west-1");
    assert_string_equal(ss_import_legacy_region("apac-syd"), "ap-southeast-2");
    assert_null(ss_import_legacy_region("mars"));
    for (int i = 0; i < SS_IMPORT_FORMAT_COUNT; i++) {
        ss_import_format g;
        assert_int_equal(ss_import_format_parse(ss_import_format_name((ss_import_format)i), &g), 0);
        assert_int_equal(g, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(hshazly_json, setup, teardown),
        cmocka_unit_test_setup_teardown(price_csv_and_tsv, setup, teardown),
        cmocka_unit_test_setup_teardown(derived_log, setup, teardown),
        cmocka_unit_test_setup_teardown(skypilot_traces, setup, teardown),
        cmocka_unit_test_setup_teardown(advisor_ondemand_spotjs, setup, teardown),
        cmocka_unit_test_setup_teardown(reimport_adds_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(jsonl_zone_map_events_array, setup, teardown),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
