/*
 * test_data_load.c - ss_data_load on a store filled with SQL by hand, every
 * expected value worked out from the rows inserted (see the comments).
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "datasets/import.h"
#include "datasets/store.h"
#include "datasets/data_load.h"
#include "datasets/market_data.h"
#include "models/interrupt.h"
#include "models/scenario.h"

#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.15g, expected %.15g (tolerance %g)", #a, a_, b_, (double)(eps));      \
    } while (0)

#define T0 1700000000000LL
#define M 60000LL
#define H 3600000LL

/* The store (times as offsets from T0, in ms):
 *   pools 1 m5.large/us-east-1a, 2 m5.large/us-east-1b, 3 c5.large/us-east-1a (Linux/UNIX),
 *         4 c5.large/us-east-1b (Linux/UNIX (Amazon VPC)), 5 m5.large/us-west-2a
 *   prices pool 1: -1h 0.04, +1h 0.05, +3h 0.045; pools 2-4: one record at -2h; 5 none
 *   m5.large/us-east-1a log: i1..i4 spot from 0; warnings i1 +10m, i2 +11.5m, i3 +21.5m
 *         (ends 2 min later; i4 open); a flat record for i1 at +12m (later: ignored),
 *         a rebalance recommendation for i4 (not a notice), and an on-demand
 *         instance (not exposure). c5.large/us-east-1b: j1 spot 0..+2h (log end).
 *   trace on c5.large/us-east-1a, preempted-flag, gap 5m: 0 1 1 0 from 0.
 *   os: the importers store the product ("Linux/UNIX"); the short name ("Linux")
 *   of hand-made tables is the fallback (the c5.large on-demand row). */
static const char fill_sql[] =
    "INSERT INTO provenance VALUES(1,'prices.csv','aa11','spot-csv','',7,0,'2024-01-01'),"
    " (2,'inventory.csv','bb22','inventory','',6,0,'2024-01-01');"
    "INSERT INTO pools VALUES(1,'us-east-1','us-east-1a','m5.large','Linux/UNIX'),"
    " (2,'us-east-1','us-east-1b','m5.large','Linux/UNIX'),"
    " (3,'us-east-1','us-east-1a','c5.large','Linux/UNIX'),"
    " (4,'us-east-1','us-east-1b','c5.large','Linux/UNIX (Amazon VPC)'),"
    " (5,'us-west-2','us-west-2a','m5.large','Linux/UNIX');"
    "INSERT INTO spot_prices(pool_id,t_ms,usd_per_hour) VALUES"
    " (1,1700000000000-3600000,0.04),(1,1700000000000+3600000,0.05),"
    " (1,1700000000000+3*3600000,0.045),"
    " (2,1700000000000-7200000,0.041),(3,1700000000000-7200000,0.031),"
    " (4,1700000000000-7200000,0.032);"
    "INSERT INTO ondemand_prices(region,instance_type,os,usd_per_hour) VALUES"
    " ('us-east-1','m5.large','Linux/UNIX',0.096),('us-east-1','m5.large','Windows',0.188),"
    " ('us-east-1','c5.large','Linux',0.085);"
    "INSERT INTO instance_specs(instance_type,vcpu,memory_mib) VALUES"
    " ('m5.large',2,8192),('c5.large',2,4096);"
    "INSERT INTO advisor(region,os,instance_type,savings_pct,bucket,snapshot) VALUES"
    " ('us-east-1','Linux','m5.large',70,1,'2023-01-01'),"
    " ('us-east-1','Linux/UNIX','m5.large',60,3,'2024-01-01'),"
    " ('us-east-1','Windows','m5.large',10,4,'2025-01-01');"
    "INSERT INTO instances(instance_id,pool_id,lifecycle,launch_ms,end_ms,end_reason) VALUES"
    " ('i1',1,'spot',1700000000000,1700000000000+12*60000,'spot-interruption'),"
    " ('i2',1,'spot',1700000000000,1700000000000+135*6000,'spot-interruption'),"
    " ('i3',1,'spot',1700000000000,1700000000000+235*6000,'spot-interruption'),"
    " ('i4',1,'spot',1700000000000,NULL,NULL),"
    " ('o1',1,'on-demand',1700000000000,NULL,NULL),"
    " ('j1',4,'spot',1700000000000,1700000000000+7200000,'user');"
    "INSERT INTO interruption_events(event_key,kind,instance_id,t_ms,pool_id) VALUES"
    " ('w1','interruption-warning','i1',1700000000000+10*60000,NULL),"
    " ('w2','interruption-warning','i2',1700000000000+115*6000,NULL),"
    " ('w3','interruption-warning','i3',1700000000000+215*6000,NULL),"
    " ('f1','interruption','i1',1700000000000+12*60000,NULL),"
    " ('r4','rebalance-recommendation','i4',1700000000000+5*60000,NULL);"
    "INSERT INTO capacity_traces VALUES(1,3,1700000000000,300000,'preempted-flag',NULL,4,NULL);"
    "INSERT INTO capacity_samples VALUES(1,0,1700000000000,0),(1,1,1700000000000+300000,1),"
    " (1,2,1700000000000+600000,1),(1,3,1700000000000+900000,0);";

typedef struct fixture {
    char *dir;
    ss_store st;
    ss_scenario sc;
} fixture;

static int setup_store(void **state, bool fill)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    ss_err err;
    if (ss_store_open(&f->st, tu_fmt("%s/t.db", f->dir), 0, &err) ||
        (fill && ss_store_exec(&f->st, fill_sql, &err)))
        fail_msg("store: %s", err.msg);
    ss_scenario_defaults(&f->sc);
    ss_market *m = &f->sc.market;
    strcpy(m->region, "us-east-1");
    m->n_zones = 2;
    strcpy(m->zones[0], "us-east-1a");
    strcpy(m->zones[1], "us-east-1b");
    m->n_types = 2;
    strcpy(m->types[0].name, "m5.large");
    m->types[0].memory_mib = 9000; /* scenario wins over instance_specs */
    strcpy(m->types[1].name, "c5.large");
    m->types[1].ondemand_usd_per_hour = 0.1; /* scenario wins over ondemand_prices */
    *state = f;
    return 0;
}

static int setup(void **state) { return setup_store(state, true); }
static int setup_empty(void **state) { return setup_store(state, false); }

static int teardown(void **state)
{
    fixture *f = *state;
    ss_store_close(&f->st);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void loads_everything(void **state)
{
    fixture *f = *state;
    ss_data *d;
    ss_err err;
    if (ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err))
        fail_msg("%s", err.msg);
    const ss_pool *m5a = ss_data_pool(d, 0, 0), *m5b = ss_data_pool(d, 0, 1);
    const ss_pool *c5a = ss_data_pool(d, 1, 0), *c5b = ss_data_pool(d, 1, 1);
    assert_string_equal(m5a->instance_type, "m5.large");
    assert_string_equal(c5b->zone, "us-east-1b");
    /* prices: whole stored span */
    assert_int_equal(m5a->spot.n, 3);
    assert_int_equal(m5a->spot.t[0], T0 - H);
    assert_near(m5a->spot.usd_per_hour[2], 0.045, 0);
    assert_int_equal(c5b->spot.n, 1); /* found through the "(Amazon VPC)" product */
    assert_near(c5b->spot.usd_per_hour[0], 0.032, 0);
    /* span: latest first record (-1h) .. latest record (+3h) */
    assert_int_equal(d->span_start, T0 - H);
    assert_int_equal(d->span_end, T0 + 3 * H);
    /* on-demand (Linux row, not Windows) / scenario override; specs / override */
    assert_near(m5a->ondemand_usd_per_hour, 0.096, 0);
    assert_near(c5a->ondemand_usd_per_hour, 0.1, 0);
    assert_near(m5a->vcpu, 2, 0);
    assert_near(m5a->memory_mib, 9000, 0);
    assert_near(c5a->memory_mib, 4096, 0);
    /* advisor: latest Linux snapshot (2024-01-01: bucket 3, 60%) */
    assert_int_equal(m5b->advisor_bucket, 3);
    assert_near(m5b->advisor_savings_pct, 60, 0);
    assert_int_equal(c5a->advisor_bucket, -1);

    /* m5.large/us-east-1a log. Log end = latest time in the log = j1's end +2h.
     * Exposure: i1 12m + i2 13.5m + i3 23.5m + i4 (open) 120m = 169 min.
     * Observed pool-hours: alive from 0 to +2h = 2 h. Bursts: +10m 2 of 4
     * (0.5), +21.5m 1 of 2 (0.5). Fit: one singleton => hazard 1/(169/60)
     * = 60/169 per hour; one multi burst in 2 h => 0.5 per hour; Beta not
     * fittable from one burst (0 => the scenario's). */
    assert_true(m5a->has_log);
    assert_int_equal(m5a->log_interruptions, 3);
    assert_near(m5a->log_exposure_hours, 169.0 / 60.0, 1e-12);
    assert_near(m5a->log_observed_hours, 2.0, 1e-12);
    assert_int_equal(m5a->n_bursts, 2);
    assert_int_equal(m5a->bursts[0].t, T0 + 10 * M);
    assert_int_equal(m5a->bursts[0].interrupted, 2);
    assert_int_equal(m5a->bursts[0].alive, 4);
    assert_int_equal(m5a->bursts[1].t, T0 + 21 * M + 30000);
    assert_near(m5a->bursts[1].frac, 0.5, 0);
    assert_int_equal(m5a->hazard_origin, SS_HAZARD_FITTED);
    assert_near(m5a->hazard_per_hour, 60.0 / 169.0, 1e-12);
    assert_near(m5a->burst_rate_per_hour, 0.5, 1e-12);
    assert_near(m5a->burst_beta_a, 0, 0);
    /* c5.large/us-east-1b: j1 observed 2 h, never interrupted: fitted hazard 0 */
    assert_true(c5b->has_log);
    assert_near(c5b->log_exposure_hours, 2.0, 1e-12);
    assert_int_equal(c5b->n_bursts, 0);
    assert_int_equal(c5b->hazard_origin, SS_HAZARD_FITTED);
    assert_near(c5b->hazard_per_hour, 0.0, 0);
    /* m5.large/us-east-1b: no log => advisor bucket 3 => -ln(1-0.175)/730 */
    assert_false(m5b->has_log);
    assert_int_equal(m5b->hazard_origin, SS_HAZARD_ADVISOR);
    assert_near(m5b->hazard_per_hour, -log(0.825) / 730.0, 1e-15);
    assert_int_equal(c5a->hazard_origin, SS_HAZARD_NONE);
    /* trace on c5.large/us-east-1a: preempted 0 1 1 0 => (0,-1) (+5m,0) (+15m,-1) */
    assert_true(c5a->has_trace);
    assert_false(m5a->has_trace);
    assert_int_equal(c5a->n_cap, 3);
    assert_int_equal(c5a->cap_t[1], T0 + 5 * M);
    assert_int_equal(c5a->cap_value[1], 0);
    assert_int_equal(c5a->cap_t[2], T0 + 15 * M);
    assert_int_equal(c5a->cap_value[2], -1);
    /* provenance */
    json_error_t je;
    json_t *pj = json_loads(d->provenance_json, 0, &je);
    assert_non_null(pj);
    assert_int_equal(json_array_size(pj), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(pj, 1), "sha256")),
                        "bb22");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(pj, 0), "rows")), 7);
    json_decref(pj);
    ss_data_free(d);
    /* Without the scenario's price, c5.large takes the store's row, spelled
     * with the short OS name "Linux" (fallback after "Linux/UNIX"). */
    f->sc.market.types[1].ondemand_usd_per_hour = 0;
    if (ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err))
        fail_msg("%s", err.msg);
    assert_near(ss_data_pool(d, 1, 0)->ondemand_usd_per_hour, 0.085, 0);
    ss_data_free(d);
}

static void horizon_keeps_price_at_start(void **state)
{
    fixture *f = *state;
    f->sc.start = T0 + 2 * H;
    f->sc.end = T0 + 4 * H;
    ss_data *d;
    ss_err err;
    if (ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err))
        fail_msg("%s", err.msg);
    /* pool 1 in [+2h, +4h): the record in force at +2h (+1h, 0.05) and +3h */
    const ss_pool *p = ss_data_pool(d, 0, 0);
    assert_int_equal(p->spot.n, 2);
    assert_int_equal(p->spot.t[0], T0 + H);
    assert_near(p->spot.usd_per_hour[0], 0.05, 0);
    assert_int_equal(ss_data_pool(d, 1, 0)->spot.n, 1);
    assert_int_equal(d->span_end, T0 + 4 * H);
    ss_data_free(d);
    /* A horizon that ends before any record: no price, clear error. */
    f->sc.start = T0 - 10 * H;
    f->sc.end = T0 - 5 * H;
    assert_int_equal(ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err), -1);
    assert_null(d);
    assert_non_null(strstr(err.msg, "no spot price for m5.large in us-east-1a (Linux/UNIX)"));
}

static void missing_pool_is_a_clear_error(void **state)
{
    fixture *f = *state;
    strcpy(f->sc.market.types[1].name, "r5.large");
    ss_data *d;
    ss_err err;
    assert_int_equal(ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err), -1);
    assert_null(d);
    /* did you mean: r5.large has prices nowhere; us-east-1a has prices for
     * c5.large and m5.large (the fixture); then the four us-east-1 pools
     * with prices, sorted by type, zone, product */
    assert_string_equal(err.msg,
                        "no spot price for r5.large in us-east-1a (Linux/UNIX); us-east-1a has "
                        "prices for c5.large, m5.large; the store has 4 "
                        "pools in us-east-1: c5.large/us-east-1a (Linux/UNIX), c5.large/us-east-1b "
                        "(Linux/UNIX (Amazon VPC)), m5.large/us-east-1a (Linux/UNIX), "
                        "m5.large/us-east-1b (Linux/UNIX)");
    /* a region with no prices at all */
    strcpy(f->sc.market.types[1].name, "m5.large");
    strcpy(f->sc.market.region, "eu-west-3");
    assert_int_equal(ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err), -1);
    assert_non_null(strstr(err.msg, "the store has no spot prices in eu-west-3"));
    /* no types */
    f->sc.market.n_types = 0;
    assert_int_equal(ss_data_load(&f->st, &f->sc.market, f->sc.start, f->sc.end, &d, &err), -1);
    assert_non_null(strstr(err.msg, "instance types"));
}

/* The derived log restates a SkyPilot 4-node trace (derived README): a drop of
 * the count by n at sample j interrupts n instances whose warning is at
 * start + j*300 s - 120 s. So the bursts ss_data_load finds from the imported
 * inventory + warnings (+ flat records, which repeat them 120 s later) must be
 * exactly the trace's drops: t = start + j*300 s - 120 s, interrupted
 * c[j-1] - c[j], alive c[j-1]; and the exposure the integral of the count. */
typedef struct golden {
    size_t n;
    int *c;
} golden;

static golden read_trace(const char *path)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fail_msg("%s: %s", path, je.text);
    json_t *data = json_object_get(root, "data");
    golden g = {json_array_size(data), NULL};
    g.c = malloc(g.n * sizeof *g.c);
    for (size_t i = 0; i < g.n; i++)
        g.c[i] = (int)json_integer_value(json_array_get(data, i));
    json_decref(root);
    return g;
}

static void real_derived_log(void **state)
{
    fixture *f = *state;
    const char *ds = tu_shared_datasets();
    const char *files[] = {"instance-inventory.csv", "interruption-warnings.jsonl",
                           "interruption-records.csv"};
    ss_err err;
    for (size_t i = 0; i < 3; i++) {
        ss_import_opts o;
        ss_import_opts_init(&o);
        ss_import_result r;
        if (ss_import_file(&f->st, tu_fmt("%s/derived/interruption-log-2023-08/%s", ds, files[i]),
                           &o, &r, &err))
            fail_msg("import: %s", err.msg);
    }
    /* ss_data_load needs prices: one flat record per pool at the start. */
    const ss_time start = ss_days_from_civil(2023, 8, 3) * SS_DAY;
    if (ss_store_exec(&f->st,
                      "INSERT INTO spot_prices(pool_id,t_ms,usd_per_hour) SELECT id, 1691020800000,"
                      " 0.9 FROM pools WHERE instance_type='p3.2xlarge'",
                      &err))
        fail_msg("%s", err.msg);
    assert_int_equal(start, 1691020800000LL);
    const char *zones[] = {"us-east-1f", "us-east-2a", "us-west-2c"};
    const int warnings[] = {195, 75, 330}; /* derived README */
    golden g[3];
    /* The log ends at its latest launch/end: the last change of any trace. */
    ss_time log_end = 0;
    for (int z = 0; z < 3; z++) {
        g[z] = read_trace(tu_fmt("%s/real/skypilot-spot-traces/preemption/4-node/aws-08-03-2023/"
                                 "%s_v100_1.json", ds, zones[z]));
        for (size_t j = 1; j < g[z].n; j++)
            if (g[z].c[j] != g[z].c[j - 1] && start + (ss_time)j * 300000 > log_end)
                log_end = start + (ss_time)j * 300000;
    }
    for (int z = 0; z < 3; z++) {
        ss_scenario sc;
        ss_scenario_defaults(&sc);
        sc.market.n_types = 1;
        strcpy(sc.market.types[0].name, "p3.2xlarge");
        sc.market.n_zones = 1;
        strcpy(sc.market.zones[0], zones[z]); /* region from the zone */
        ss_data *d;
        if (ss_data_load(&f->st, &sc.market, sc.start, sc.end, &d, &err))
            fail_msg("%s", err.msg);
        const ss_pool *p = &d->pools[0];
        assert_true(p->has_log);
        assert_int_equal(p->log_interruptions, warnings[z]);
        size_t nb = 0;
        int n_single = 0, n_multi = 0, total = 0;
        double exposure_ms = 0.0, observed_ms = 0.0;
        for (size_t j = 0; j < g[z].n; j++) {
            ss_time a = start + (ss_time)j * 300000;
            ss_time b = j + 1 < g[z].n ? a + 300000 : log_end;
            if (b > log_end)
                b = log_end;
            if (b > a) {
                exposure_ms += (double)g[z].c[j] * (double)(b - a);
                observed_ms += g[z].c[j] > 0 ? (double)(b - a) : 0.0;
            }
            if (j == 0 || g[z].c[j] >= g[z].c[j - 1])
                continue;
            int hit = g[z].c[j - 1] - g[z].c[j];
            total += hit;
            if (nb >= p->n_bursts)
                fail_msg("%s: fewer bursts than trace drops", zones[z]);
            const ss_burst *bu = &p->bursts[nb++];
            assert_int_equal(bu->t, a - 120000);
            assert_int_equal(bu->interrupted, hit);
            assert_int_equal(bu->alive, g[z].c[j - 1]);
            hit == 1 ? n_single++ : n_multi++;
        }
        assert_int_equal(nb, p->n_bursts);
        assert_int_equal(total, warnings[z]);
        assert_near(p->log_exposure_hours, exposure_ms / 3.6e6, 1e-9);
        assert_near(p->log_observed_hours, observed_ms / 3.6e6, 1e-9);
        assert_near(p->hazard_per_hour, n_single / (exposure_ms / 3.6e6), 1e-12);
        assert_near(p->burst_rate_per_hour, n_multi / (observed_ms / 3.6e6), 1e-12);
        if (n_multi >= 2)
            assert_true(p->burst_beta_a > 0 && p->burst_beta_b > 0);
        free(g[z].c);
        ss_data_free(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loads_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(horizon_keeps_price_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_pool_is_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(real_derived_log, setup_empty, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
