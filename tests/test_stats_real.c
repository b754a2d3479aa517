/*
 * test_stats_real.c - `spotsim stats` on the real derived interruption log
 * (../shared/datasets/derived/interruption-log-2023-08): facts known from
 * its README (600 warnings: us-east-1f 195, us-east-2a 75, us-west-2c 330;
 * 606 inventory rows) and exposure recomputed here from the inventory CSV.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats.h"

#ifndef assert_double_equal
#define assert_double_equal(a, b, eps)                                                         \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (eps)))                                                         \
            fail_msg("%s = %.17g, expected %.17g (+/- %g)", #a, a_, b_, (double)(eps));         \
    } while (0)
#endif

typedef struct real_fx {
    char *dir;
    char db[512];
    char log[512];
} real_fx;

static int setup(void **state)
{
    real_fx *fx = calloc(1, sizeof *fx);
    fx->dir = tu_mkdtemp();
    snprintf(fx->db, sizeof fx->db, "%s/real.db", fx->dir);
    *state = fx;
    return 0;
}

/* Import the derived log into the test's store (from the test body: skips
 * the test, naming it, when ../shared/datasets is absent). */
#define import_log(fx) import_log_for((fx), __func__)
static void import_log_for(real_fx *fx, const char *test_name)
{
    snprintf(fx->log, sizeof fx->log, "%s/derived/interruption-log-2023-08",
             tu_shared_datasets_for(test_name));
    int rc = tu_system(tu_fmt("'%s' import --db '%s' '%s/instance-inventory.csv'"
                              " '%s/interruption-warnings.jsonl' > /dev/null",
                              tu_spotsim_bin(), fx->db, fx->log, fx->log));
    if (rc != 0)
        fail_msg("spotsim import of the derived log failed (exit %d)", rc);
}

static int teardown(void **state)
{
    real_fx *fx = *state;
    tu_rmtree(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

/* Exposure per zone from the inventory CSV itself: sum of (end - launch),
 * an empty end meaning "until the last timestamp of the file" (the window
 * end that stats resolves when no --to is given). */
typedef struct inv_exposure {
    char zone[3][16];
    double ms[3];
    size_t rows;
} inv_exposure;

static void exposure_from_csv(const char *path, inv_exposure *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    char line[512];
    struct {
        char zone[16];
        ss_time launch, end;
        int open;
    } *rows = calloc(1000, sizeof *rows);
    size_t n = 0;
    ss_time last = INT64_MIN;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f) && n < 1000) {
        /* instance_id,instance_type,availability_zone,lifecycle,launch,end,reason */
        char *field[7] = {0};
        size_t k = 0;
        char *p = line;
        line[strcspn(line, "\r\n")] = '\0';
        while (k < 7) {
            field[k++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        assert_int_equal(k, 7);
        snprintf(rows[n].zone, sizeof rows[n].zone, "%s", field[2]);
        assert_int_equal(ss_time_parse(field[4], &rows[n].launch), 0);
        rows[n].open = field[5][0] == '\0';
        if (!rows[n].open)
            assert_int_equal(ss_time_parse(field[5], &rows[n].end), 0);
        if (rows[n].launch > last)
            last = rows[n].launch;
        if (!rows[n].open && rows[n].end > last)
            last = rows[n].end;
        n++;
    }
    fclose(f);
    out->rows = n;
    size_t nz = 0;
    for (size_t i = 0; i < n; i++) {
        size_t z = 0;
        while (z < nz && strcmp(out->zone[z], rows[i].zone))
            z++;
        if (z == nz) {
            assert_true(nz < 3);
            snprintf(out->zone[nz++], sizeof out->zone[0], "%s", rows[i].zone);
        }
        out->ms[z] += (double)((rows[i].open ? last : rows[i].end) - rows[i].launch);
    }
    free(rows);
}

static void known_counts_and_exposure(void **state)
{
    real_fx *fx = *state;
    import_log(fx);
    inv_exposure inv;
    exposure_from_csv(tu_fmt("%s/instance-inventory.csv", fx->log), &inv);
    assert_int_equal(inv.rows, 606);

    ss_store st;
    ss_err err;
    if (ss_store_open(&st, fx->db, 1, &err))
        fail_msg("%s", err.msg);
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    ss_stats_row *rows, *all;
    size_t n, na;
    if (ss_stats_pools(&st, &f, SS_BY_ZONE, &rows, &n, &err) ||
        ss_stats_pools(&st, &f, SS_BY_ALL, &all, &na, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(n, 3);
    const char *zones[] = {"us-east-1f", "us-east-2a", "us-west-2c"};
    const long want[] = {195, 75, 330};
    double total_ms = 0;
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(rows[i].key, zones[i]);
        assert_int_equal(rows[i].interruptions, want[i]);
        assert_int_equal(rows[i].rebalances, 0);
        size_t z = 0;
        while (z < 3 && strcmp(inv.zone[z], zones[i]))
            z++;
        assert_true(z < 3);
        assert_double_equal(rows[i].exposure_hours, inv.ms[z] / 3600000.0, 1e-9);
        total_ms += inv.ms[z];
        /* every warned instance ended by an interruption in the log */
        assert_int_equal(rows[i].lifetime_events, want[i]);
    }
    double expo = total_ms / 3600000.0;
    assert_int_equal(na, 1);
    assert_int_equal(all[0].interruptions, 600);
    assert_int_equal(all[0].instances, 606);
    assert_double_equal(all[0].exposure_hours, expo, 1e-9);
    assert_double_equal(all[0].rate_per_1000h, 1000.0 * 600.0 / expo, 1e-9);
    /* KM and Weibull on 606 lifetimes: the curve is a proper survival
     * function and the Weibull median sits near the KM median. */
    assert_true(all[0].km_s1h >= all[0].km_s6h && all[0].km_s6h >= all[0].km_s24h);
    assert_true(all[0].weibull_k > 0.2 && all[0].weibull_k < 5);
    assert_true(all[0].weibull_median_hours > 0.5 * all[0].km_median_hours &&
                all[0].weibull_median_hours < 2.0 * all[0].km_median_hours);
    ss_stats_rows_free(rows);
    ss_stats_rows_free(all);

    /* Seasonality buckets partition the same counts and exposure. */
    const ss_stats_by bys[] = {SS_BY_HOUR, SS_BY_WEEK};
    for (size_t b = 0; b < 2; b++) {
        ss_stats_bucket *bk;
        size_t nb;
        if (ss_stats_breakdown(&st, &f, bys[b], &bk, &nb, &err))
            fail_msg("%s", err.msg);
        long sum = 0;
        double ex = 0;
        for (size_t i = 0; i < nb; i++) {
            sum += bk[i].interruptions;
            ex += bk[i].exposure_hours;
        }
        assert_int_equal(sum, 600);
        assert_double_equal(ex, expo, 1e-6);
        ss_stats_buckets_free(bk);
    }
    /* The first warning is at 2023-08-03T01:38:00Z (README): a window
     * ending then holds none, one ending a minute later holds some. */
    assert_int_equal(ss_time_parse("2023-08-03T01:38:00Z", &f.to), 0);
    if (ss_stats_pools(&st, &f, SS_BY_ALL, &all, &na, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(na, 1);
    assert_int_equal(all[0].interruptions, 0);
    ss_stats_rows_free(all);
    f.to += 60000;
    if (ss_stats_pools(&st, &f, SS_BY_ALL, &all, &na, &err))
        fail_msg("%s", err.msg);
    assert_true(all[0].interruptions > 0);
    ss_stats_rows_free(all);
    ss_store_close(&st);
}

static void cli_total_line(void **state)
{
    real_fx *fx = *state;
    import_log(fx);
    const char *out = tu_fmt("%s/zone.csv", fx->dir);
    char path[512];
    snprintf(path, sizeof path, "%s", out);
    assert_int_equal(tu_system(tu_fmt("'%s' stats --db '%s' --by zone --section interruptions"
                                      " --csv > '%s'",
                                      tu_spotsim_bin(), fx->db, path)),
                     0);
    size_t len;
    char *text = tu_read_file(path, &len);
    assert_non_null(text);
    /* Find the interruptions column from the header, then check each zone
     * row (no field here needs quoting, so splitting at commas is exact). */
    const char *zones[] = {"us-east-1f", "us-east-2a", "us-west-2c"};
    const long want[] = {195, 75, 330};
    int col = -1, found = 0;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        char *fields[64];
        int nf = 0;
        for (char *p = line; nf < 64;) {
            fields[nf++] = p;
            char *c = strchr(p, ',');
            if (!c)
                break;
            *c = '\0';
            p = c + 1;
        }
        if (col < 0) {
            for (int i = 0; i < nf; i++)
                if (!strcmp(fields[i], "interruptions"))
                    col = i;
            assert_true(col >= 0);
            continue;
        }
        for (int z = 0; z < 3; z++)
            if (!strcmp(fields[0], zones[z])) {
                assert_int_equal(atol(fields[col]), want[z]);
                found++;
            }
    }
    assert_int_equal(found, 3);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(known_counts_and_exposure, setup, teardown),
        cmocka_unit_test_setup_teardown(cli_total_line, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
