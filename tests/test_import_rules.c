/*
 * test_import_rules.c - On-Demand prices carry the date from which they
 * are in effect (issue 10, item 6): two tables of different years live in
 * one store, a run uses the one in effect at its horizon start, a real
 * conflict names both values, and plain On-Demand CSVs import under their
 * common header spellings (OS defaulting to Linux/UNIX, with a note).
 * Also (item 8) where the data is: the import summary names what a file
 * added, and a file whose name says one zone while its rows say another
 * gets a note; "no spot price" says where the type and the zone do have
 * prices. And (item 7) AZ IDs: a zone map must keep an ID in its region,
 * the map is kept so that the same file without it imports under the same
 * names, and a scenario may name AZ IDs of its region.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/data_load.h"
#include "datasets/import.h"
#include "datasets/market_data.h"
#include "datasets/store.h"
#include "policies/evaluate.h"
#include "sim/scenario/scenario_io.h"

typedef struct fx {
    char *dir;
    ss_store st;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    ss_err err;
    if (ss_store_open(&f->st, tu_fmt("%s/s.db", f->dir), 0, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
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

static const char *write_file(fx *f, const char *name, const char *text)
{
    const char *path = tu_fmt("%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static int import(fx *f, const char *path, const char *snapshot, ss_import_result *r, ss_err *err)
{
    ss_import_opts o;
    ss_import_opts_init(&o);
    o.snapshot = snapshot;
    char p[1024];
    snprintf(p, sizeof p, "%s", path);
    return ss_import_file(&f->st, p, &o, r, err);
}

/* The On-Demand price ss_data_load gives m5.large in us-east-1a over a
 * horizon starting at `start`. */
static double od_at(fx *f, const char *start)
{
    ss_scenario *sc = calloc(1, sizeof *sc);
    ss_scenario_defaults(sc);
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->market.n_zones = 1;
    strcpy(sc->market.zones[0], "us-east-1a");
    assert_int_equal(ss_time_parse(start, &sc->start), 0);
    sc->end = sc->start + SS_DAY;
    ss_data *d;
    ss_err err;
    if (ss_data_load(&f->st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s", err.msg);
    double v = d->pools[0].ondemand_usd_per_hour;
    ss_data_free(d);
    free(sc);
    return v;
}

/* A 2016 table dated by its file name (0.120) and a 2020 table dated by
 * --snapshot (0.096) for the same region/type/os: both are stored; a run
 * in 2017 uses 0.120 (the latest dated at or before its start), one in
 * 2021 uses 0.096, one in 2015 (before both) the earliest, 0.120. */
static void two_years_in_one_store(void **state)
{
    fx *f = *state;
    ss_import_result r;
    ss_err err;
    const char *prices = write_file(f, "p.csv",
                                    "TimeStamp,SpotPrice,InstanceType,OS type,AvailabilityZone\n"
                                    "2015-01-01 00:00:00,0.03,m5.large,Linux/UNIX,us-east-1a\n");
    if (import(f, prices, NULL, &r, &err))
        fail_msg("%s", err.msg);
    const char *t16 =
        write_file(f, "ondemand-2016-01-01.csv",
                   "region,instance_type,os,usd_per_hour\nus-east-1,m5.large,Linux/UNIX,0.120\n");
    if (import(f, t16, NULL, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.added, 1);
    const char *t20 = write_file(
        f, "od.csv", "region,instance_type,os,usd_per_hour\nus-east-1,m5.large,Linux/UNIX,0.096\n");
    if (import(f, t20, "2020-01-01", &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.added, 1);
    assert_true(od_at(f, "2017-06-01T00:00:00Z") == 0.120);
    assert_true(od_at(f, "2021-06-01T00:00:00Z") == 0.096);
    assert_true(od_at(f, "2015-06-01T00:00:00Z") == 0.120);

    /* A run across the change bills each instant at the price in effect:
     * one On-Demand instance (no launch latency) over 2019-12-31 ..
     * 2020-01-02: 24 h x 0.120 + 24 h x 0.096 = 2.88 + 2.304 = 5.184 USD. */
    ss_scenario *sc = calloc(1, sizeof *sc);
    if (ss_scenario_load_string(
            "name: od\norchestrator: ecs\n"
            "horizon: {start: 2019-12-31T00:00:00Z, end: 2020-01-02T00:00:00Z}\n"
            "market:\n  region: us-east-1\n  zones: [us-east-1a]\n"
            "  instance_types: [{name: m5.large, vcpu: 2, memory_mib: 8192}]\n"
            "  interruptions: none\n"
            "asg: {min_size: 0, max_size: 1, desired_capacity: 1,"
            " on_demand_base_capacity: 1}\n"
            "capacity_providers: [{name: cp, managed_scaling: false}]\n"
            "service: {desired_count: 0}\n"
            "latencies: {instance_launch: 0s, instance_register: 0s}\n",
            "od.yaml", sc, &err))
        fail_msg("%s", err.msg);
    ss_data *d;
    if (ss_data_load(&f->st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s", err.msg);
    ss_metrics m;
    if (ss_evaluate(sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(m.launches, 1);
    if (!(fabs(m.od_cost_usd - 5.184) < 1e-12))
        fail_msg("od_cost_usd = %.17g, expected 5.184", m.od_cost_usd);
    ss_data_free(d);
    free(sc);
}

/* Another value for the same date is a real conflict: the message names
 * the stored value and the file's, the store is unchanged. */
static void conflict_names_both_values(void **state)
{
    fx *f = *state;
    ss_import_result r;
    ss_err err;
    const char *a = write_file(
        f, "a.csv", "region,instance_type,os,usd_per_hour\nus-east-1,m5.large,Linux/UNIX,0.096\n");
    if (import(f, a, "2020-01-01", &r, &err))
        fail_msg("%s", err.msg);
    const char *b = write_file(
        f, "b.csv", "region,instance_type,os,usd_per_hour\nus-east-1,m5.large,Linux/UNIX,0.1\n");
    assert_int_equal(import(f, b, "2020-01-01", &r, &err), -1);
    if (!strstr(err.msg, "in effect from 2020-01-01 is stored as 0.096 USD/h, this file says 0.1"))
        fail_msg("conflict message: %s", err.msg);
    /* same value again: a duplicate, not a conflict */
    const char *c =
        write_file(f, "c.csv",
                   "region,instance_type,os,usd_per_hour\nus-east-1,m5.large,Linux/UNIX,0.096\n\n");
    assert_int_equal(import(f, c, "2020-01-01", &r, &err), 0);
    assert_int_equal(r.duplicates, 1);
}

/* Plain On-Demand CSVs: "Region,Instance Type,Price" (no OS column: Linux/
 * UNIX, with a note) and "region,instance_code,price_per_hour" are
 * detected and imported. */
static void common_header_spellings(void **state)
{
    fx *f = *state;
    ss_import_result r;
    ss_err err;
    const char *a = write_file(
        f, "a.csv",
        "Region,Instance Type,Price\nus-east-1,m5.large,0.096\nus-east-1,c5.large,0.085\n");
    if (import(f, a, NULL, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.format, SS_IMPORT_ONDEMAND_CSV);
    assert_int_equal(r.added, 2);
    assert_non_null(strstr(r.note, "Linux/UNIX"));
    /* undated, so no time span; the regions and types it added */
    assert_string_equal(r.summary, "1 region (us-east-1); 2 types (c5.large, m5.large)");
    const char *b =
        write_file(f, "b.csv",
                   "region,instance_code,os,price_per_hour\neu-west-1,m5.large,Linux/UNIX,0.107\n");
    if (import(f, b, NULL, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.format, SS_IMPORT_ONDEMAND_CSV);
    assert_int_equal(r.added, 1);
    /* neither --snapshot nor a date in the name: undated, and said so */
    assert_non_null(strstr(r.note, "undated"));
}

static void import_summary_and_did_you_mean(void **state)
{
    fx *f = *state;
    ss_import_result r;
    ss_err err;
    const char *p = write_file(f, "prices-us-east-1c.csv",
                               "TimeStamp,SpotPrice,InstanceType,OS type,AvailabilityZone\n"
                               "2024-01-01 12:00:00,0.04,m5.large,Linux/UNIX,us-east-1a\n"
                               "2024-01-01 13:00:00,0.05,c5.large,Linux/UNIX,us-east-1b\n");
    if (import(f, p, NULL, &r, &err))
        fail_msg("%s", err.msg);
    assert_string_equal(r.summary,
                        "1 region (us-east-1); 2 zones (us-east-1a, us-east-1b); 2 types"
                        " (c5.large, m5.large); 2024-01-01T12:00:00Z .. 2024-01-01T13:00:00Z");
    assert_string_equal(r.note,
                        "the file name says us-east-1c but its rows are in us-east-1a and other"
                        " zones");
    /* m5.large in us-east-1b: the type has prices in us-east-1a, the zone
     * for c5.large */
    ss_scenario *sc = calloc(1, sizeof *sc);
    ss_scenario_defaults(sc);
    sc->market.n_types = 1;
    strcpy(sc->market.types[0].name, "m5.large");
    sc->market.n_zones = 1;
    strcpy(sc->market.zones[0], "us-east-1b");
    ss_data *d;
    assert_int_equal(ss_data_load(&f->st, &sc->market, sc->start, sc->end, &d, &err), -1);
    if (!strstr(err.msg,
                "no spot price for m5.large in us-east-1b (Linux/UNIX); m5.large has prices in"
                " us-east-1a; us-east-1b has prices for c5.large; "))
        fail_msg("%s", err.msg);
    free(sc);
}

static void zone_ids(void **state)
{
    fx *f = *state;
    ss_import_result r;
    ss_err err;
    const char *tsv =
        write_file(f, "arch.tsv",
                   "euw1-az1\tm5.large\tLinux/UNIX\t0.040000\t2022-05-31T18:23:08+00:00\n"
                   "euw1-az3\tm5.large\tLinux/UNIX\t0.041000\t2022-05-31T18:23:08+00:00\n");
    /* a map that sends an eu-west-1 ID to a us-east-1 zone is refused */
    const char *bad = write_file(f, "bad.csv", "zone_id,zone_name\neuw1-az1,us-east-1a\n");
    ss_import_opts o;
    ss_import_opts_init(&o);
    o.zone_map = bad;
    char p[1024];
    snprintf(p, sizeof p, "%s", tsv);
    assert_int_equal(ss_import_file(&f->st, p, &o, &r, &err), -1);
    if (!strstr(err.msg,
                "AZ ID 'euw1-az1' is in eu-west-1 but the map gives 'us-east-1a', a zone of"
                " us-east-1"))
        fail_msg("%s", err.msg);
    /* a right map: euw1-az1 -> eu-west-1b (euw1-az3 stays an ID) */
    const char *good = write_file(f, "good.csv", "zone_id,zone_name\neuw1-az1,eu-west-1b\n");
    o.zone_map = good;
    if (ss_import_file(&f->st, p, &o, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.added, 2);
    assert_non_null(strstr(r.summary, "2 zones (eu-west-1b, euw1-az3)"));
    /* the same file without the map adds nothing: the kept map names the
     * same pools */
    o.zone_map = NULL;
    if (ss_import_file(&f->st, p, &o, &r, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(r.added, 0);
    assert_int_equal(r.duplicates, 2);
    /* a scenario in eu-west-1 may name the AZ ID the store holds */
    ss_scenario *sc = calloc(1, sizeof *sc);
    if (ss_scenario_load_string("name: ids\norchestrator: ecs\nmarket:\n  region: eu-west-1\n"
                                "  zones: [euw1-az3, eu-west-1b]\n  instance_types: [m5.large]\n",
                                "ids.yaml", sc, &err))
        fail_msg("%s", err.msg);
    ss_data *d;
    if (ss_data_load(&f->st, &sc->market, sc->start, sc->end, &d, &err))
        fail_msg("%s", err.msg);
    assert_true(d->pools[0].spot.usd_per_hour[0] == 0.041);
    assert_true(d->pools[1].spot.usd_per_hour[0] == 0.040);
    ss_data_free(d);
    /* an ID of another region is still refused */
    assert_int_equal(
        ss_scenario_load_string("name: ids\norchestrator: ecs\nmarket:\n  region: eu-west-1\n"
                                "  zones: [use1-az4]\n  instance_types: [m5.large]\n",
                                "ids.yaml", sc, &err),
        -1);
    assert_non_null(strstr(err.msg, "zone 'use1-az4' is not in region 'eu-west-1'"));
    free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_years_in_one_store, setup, teardown),
        cmocka_unit_test_setup_teardown(conflict_names_both_values, setup, teardown),
        cmocka_unit_test_setup_teardown(common_header_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(import_summary_and_did_you_mean, setup, teardown),
        cmocka_unit_test_setup_teardown(zone_ids, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
