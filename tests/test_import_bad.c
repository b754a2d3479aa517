/*
 * test_import_bad.c - bad input never crashes and never half-writes: every
 * file of tests/data/bad/ (and a 1 GB sparse file made here) fails with a
 * message naming the file and line/index and the field or reason, and a full
 * ordered dump of the store is byte-identical before and after. Also
 * --skip-bad counts, and the CLI exit codes.
 */
#include "tests/testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "datasets/import.h"
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
    /* some content, so "unchanged" is checked against a non-empty store */
    char path[1024];
    snprintf(path, sizeof path, "%s/datasets/samples/m1.small-us-east-1c.json", tu_source_dir());
    itl_import_ok(&f->st, path, NULL);
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

typedef struct bad_case {
    const char *file;
    const char *where;   /* "FILE:LINE" / "FILE: [i]" suffix expected */
    const char *what;    /* field, value or reason expected in the message */
    ss_import_format format;
    const char *meaning, *pool, *snapshot;
} bad_case;

/* Expected locations counted by hand in the files (tests/data/bad/, made by
 * the generator recorded in docs/formats.md): line 1 is the header. */
static const bad_case cases[] = {
    {"truncated.json", "truncated.json:4", "invalid JSON", 0, NULL, NULL, NULL},
    {"wrong-type.json", "wrong-type.json: [1]", "'SpotPrice' is not a string", 0, NULL, NULL, NULL},
    {"bad-timestamp.csv", "bad-timestamp.csv:3", "'2016-13-45T07:23:10Z'", 0, NULL, NULL, NULL},
    {"negative-price.csv", "negative-price.csv:4", "'-0.5' is negative", 0, NULL, NULL, NULL},
    {"nonnumeric-price.tsv", "nonnumeric-price.tsv:2", "'SpotPrice': value 'abc'", 0, NULL, NULL, NULL},
    {"unknown-zone.csv", "unknown-zone.csv:2", "'moon-base-9'", 0, NULL, NULL, NULL},
    {"empty.csv", "empty.csv", "empty file", 0, NULL, NULL, NULL},
    {"whitespace.json", "whitespace.json", "empty file", 0, NULL, NULL, NULL},
    {"nul.csv", "nul.csv:3", "NUL byte", 0, NULL, NULL, NULL},
    {"nul.csv", "nul.csv:3", "NUL byte", SS_IMPORT_PRICE_CSV, NULL, NULL, NULL},
    {"invalid-utf8.csv", "invalid-utf8.csv:3", "invalid UTF-8", 0, NULL, NULL, NULL},
    {"invalid-utf8.csv", "invalid-utf8.csv:3", "invalid UTF-8", SS_IMPORT_PRICE_CSV, NULL, NULL, NULL},
    {"conflict.csv", "conflict.csv:3", "conflicts with the stored price", 0, NULL, NULL, NULL},
    {"events-missing-field.jsonl", "events-missing-field.jsonl:2", "'instance-id' is missing", 0, NULL,
     NULL, NULL},
    {"events-bad-json.jsonl", "events-bad-json.jsonl:3", "invalid JSON", 0, NULL, NULL, NULL},
    {"inventory-bad-lifecycle.csv", "inventory-bad-lifecycle.csv:3", "'lifecycle': value 'reserved'", 0,
     NULL, NULL, NULL},
    {"records-end-before-launch.csv", "records-end-before-launch.csv:2", "before launch_time", 0, NULL,
     NULL, NULL},
    {"skypilot-bad-value.json", "skypilot-bad-value.json: [2]", "\"x\"", 0, "available-count",
     "p3.2xlarge@us-east-1f", NULL},
    {"skypilot-bad-value.json", "skypilot-bad-value.json", "--pool", 0, "available-count", NULL, NULL},
    {"advisor-bad-range.json", "advisor-bad-range.json: [spot_advisor.us-east-1.Linux.m5.large]",
     "range index 0..1", 0, NULL, NULL, "2025-01-01"},
    {"advisor-bad-range.json", "advisor-bad-range.json", "--snapshot", 0, NULL, NULL, NULL},
    {"spotjs-unknown-region.json", "spotjs-unknown-region.json: [config.regions[0]]", "'mars-north'", 0,
     NULL, NULL, "2021-04-06"},
    {"header-only.csv", "header-only.csv", "no records", 0, NULL, NULL, NULL},
    {"unknown-shape.txt", "unknown-shape.txt:1", "unknown format", 0, NULL, NULL, NULL},
    {"field-count.csv", "field-count.csv:2", "expected 5 fields", 0, NULL, NULL, NULL},
    {"ondemand-bad-price.csv", "ondemand-bad-price.csv:3", "'usd_per_hour': value 'cheap'", 0, NULL, NULL,
     NULL},
    {"mixed.csv", "mixed.csv:3", "'yesterday'", 0, NULL, NULL, NULL},
    /* forced to a format it is not: still a clear error */
    {"bad-timestamp.csv", "bad-timestamp.csv:1", "invalid JSON", SS_IMPORT_PRICE_JSON, NULL, NULL, NULL},
};

static void expect_failure(fx *f, const char *path, const ss_import_opts *o, const char *where,
                           const char *what)
{
    char *before = itl_dump(&f->st);
    ss_import_result r;
    ss_err err = {{0}};
    int rc = ss_import_file(&f->st, path, o, &r, &err);
    if (rc != -1)
        fail_msg("%s: import succeeded, expected an error about %s", path, what);
    if (!strstr(err.msg, where) || !strstr(err.msg, what))
        fail_msg("%s: message '%s' lacks '%s' or '%s'", path, err.msg, where, what);
    char *after = itl_dump(&f->st);
    if (strcmp(before, after))
        fail_msg("%s: the store changed on a failed import", path);
    free(before);
    free(after);
}

static void corpus(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < SS_ARRAY_LEN(cases); i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/data/bad/%s", tu_source_dir(), cases[i].file);
        ss_import_opts o;
        ss_import_opts_init(&o);
        o.format = cases[i].format;
        o.meaning = cases[i].meaning;
        o.pool = cases[i].pool;
        o.snapshot = cases[i].snapshot;
        o.has_start = cases[i].pool != NULL; /* start 1970-01-01: any fixed time */
        expect_failure(f, path, &o, cases[i].where, cases[i].what);
    }
}

/* 1 GiB sparse files: refused fast, without reading 1 GiB. */
static void sparse(void **state)
{
    fx *f = *state;
    char json[1024], csv[1024];
    snprintf(json, sizeof json, "%s/huge.json", f->dir);
    snprintf(csv, sizeof csv, "%s/huge.csv", f->dir);
    int fd = open(json, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    static const char head[] = "{\"SpotPriceHistory\": [\n";
    assert_int_equal(write(fd, head, sizeof head - 1), (ssize_t)(sizeof head - 1));
    assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
    close(fd);
    fd = open(csv, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    static const char hcsv[] = "AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n";
    assert_int_equal(write(fd, hcsv, sizeof hcsv - 1), (ssize_t)(sizeof hcsv - 1));
    assert_int_equal(ftruncate(fd, (off_t)1 << 30), 0);
    close(fd);
    ss_import_opts o;
    ss_import_opts_init(&o);
    double t0 = ss_wall_seconds();
    /* detected: the zeros after the head are binary data */
    expect_failure(f, json, &o, "huge.json:2", "NUL byte");
    expect_failure(f, csv, &o, "huge.csv:2", "NUL byte");
    /* forced to the whole-document shape: refused by size (fstat) first */
    o.format = SS_IMPORT_PRICE_JSON;
    expect_failure(f, json, &o, "huge.json", "256 MiB limit");
    o.format = SS_IMPORT_PRICE_JSONL; /* streamed: stops at the first NUL */
    expect_failure(f, json, &o, "huge.json:2", "NUL byte");
    assert_true(ss_wall_seconds() - t0 < 5.0);
}

static void skip_bad(void **state)
{
    fx *f = *state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/bad/mixed.csv", tu_source_dir());
    ss_import_opts o;
    ss_import_opts_init(&o);
    o.skip_bad = true;
    ss_import_result r = itl_import_ok(&f->st, path, &o);
    /* mixed.csv: 5 records; line 3 bad timestamp, line 5 negative price */
    assert_int_equal(r.records, 5);
    assert_int_equal(r.added, 3);
    assert_int_equal(r.skipped, 2);
    assert_int_equal(r.n_reasons, 2);
    assert_non_null(strstr(r.reasons[0], "mixed.csv:3"));
    assert_non_null(strstr(r.reasons[1], "mixed.csv:5"));
    assert_int_equal(itl_query_long(&f->st, "SELECT skipped*100+rows FROM provenance WHERE"
                                            " file_name='mixed.csv'"), 203);
    /* a file whose every record is bad is still an error */
    snprintf(path, sizeof path, "%s/tests/data/bad/unknown-zone.csv", tu_source_dir());
    expect_failure(f, path, &o, "unknown-zone.csv", "every record is bad");
    /* structural errors are not skippable */
    snprintf(path, sizeof path, "%s/tests/data/bad/truncated.json", tu_source_dir());
    expect_failure(f, path, &o, "truncated.json:4", "invalid JSON");
}

static void cli(void **state)
{
    fx *f = *state;
    const char *bin = tu_spotsim_bin();
    char db[1024], good[1024], bad[1024], q[4096];
    snprintf(db, sizeof db, "%s/sub/dir/cli.db", f->dir); /* parent dirs are created */
    snprintf(good, sizeof good, "%s/datasets/samples/ondemand-2016.csv", tu_source_dir());
    snprintf(bad, sizeof bad, "%s/tests/data/bad/negative-price.csv", tu_source_dir());
    assert_int_equal(tu_system(tu_fmt("'%s' import --help >/dev/null", bin)), 0);
    assert_int_equal(tu_system(tu_fmt("'%s' import --bogus x 2>/dev/null", bin)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s' 2>/dev/null", bin, db)), 2);
    assert_int_equal(tu_system(tu_fmt("'%s' import --format nope '%s' 2>/dev/null", bin, good)), 2);
    /* one bad file among two: exit 1, the good one is in, the error names FILE:LINE */
    snprintf(q, sizeof q, "'%s' import --db '%s' '%s' '%s' >'%s/out' 2>'%s/err'", bin, db, good, bad,
             f->dir, f->dir);
    assert_int_equal(tu_system(q), 1);
    char *err = tu_read_file(tu_fmt("%s/err", f->dir), NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "negative-price.csv:4"));
    free(err);
    ss_store st;
    ss_err e;
    assert_int_equal(ss_store_open(&st, db, 1, &e), 0);
    assert_int_equal(itl_query_long(&st, "SELECT count(*) FROM ondemand_prices"), 560);
    ss_store_close(&st);
    /* again: already imported, exit 0 */
    snprintf(q, sizeof q, "'%s' import --db '%s' '%s' >'%s/out2'", bin, db, good, f->dir);
    assert_int_equal(tu_system(q), 0);
    char *out = tu_read_file(tu_fmt("%s/out2", f->dir), NULL);
    assert_non_null(out);
    assert_non_null(strstr(out, "already imported"));
    free(out);
    /* skypilot without --meaning: refused */
    snprintf(q, sizeof q, "'%s' import --db '%s' '%s/datasets/samples/skypilot/4-node/aws-08-03-2023/"
                          "us-east-1f_v100_1.json' 2>/dev/null", bin, db, tu_source_dir());
    assert_int_equal(tu_system(q), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(corpus, setup, teardown),
        cmocka_unit_test_setup_teardown(sparse, setup, teardown),
        cmocka_unit_test_setup_teardown(skip_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(cli, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
