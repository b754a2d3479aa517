/*
 * test_coverage.c - "no silent extrapolation" (issue 10): what the market
 * rules do at the edges of the data, each against a hand-computed figure.
 *
 *   equal-instant rule  every pool event of one instant is applied before any
 *                       controller reacts to it;
 *   notice rule         on capacity traces a pool never holds capacity the
 *                       trace says was gone, and launches are accepted until
 *                       the drop.
 */
#include "tests/testutil.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/asg.h"
#include "models/ecs.h"
#include "models/eval.h"
#include "models/fleet.h"
#include "policies/evaluate.h"
#include "tests/ecs_fixture.h"

/* One Spot task per instance (1 vCPU, task 1024 CPU), no latencies at all:
 * instances run and register at launch, tasks start and are healthy at once,
 * the scheduler sees a dead task at once. ASG of `desired` Spot instances
 * over nz zones, launch retry 30 s (the default). */
static void no_latency_scenario(ss_scenario *sc, int nz, ss_time horizon, int desired)
{
    fx_scenario(sc, 1, nz, horizon, desired, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
    sc->instance_launch = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->instance_register = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->service.task_start = (ss_dist){.kind = SS_DIST_FIXED, .a = 0};
    sc->service.time_to_healthy = 0;
    sc->service.scheduler_delay = 0;
    sc->service.desired_count = desired;
    sc->service.task_cpu = 1024;
    sc->service.task_memory_mib = 512;
}

/* ---- the equal-instant rule ------------------------------------------------------------ */

/* The repro: two pools (zones a and b) whose traces both go 0 -> 1 at
 * T0 + 300 s, 2 tasks of one instance each, horizon 3600 s. The ASG tries at
 * T0 and retries every 30 s; its retry at T0 + 300 s (scheduled at T0 + 270 s)
 * must see both pools' new capacity: both instances launch at T0 + 300 s and
 * the service is whole from then on: availability = 3300 / 3600 = 91.6667 %.
 * (Applied one pool at a time, the retry ran between the two changes, the
 * second launch failed and waited one retry: 3270 / 3600 = 90.8333 %.) */
static void equal_instant_capacity_changes(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 2, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 300 * SS_SECOND};
    int v[] = {0, 1};
    fx_trace(d, 0, t, v, 2);
    fx_trace(d, 1, t, v, 2);
    ss_scenario sc;
    no_latency_scenario(&sc, 2, SS_HOUR, 2);
    ss_metrics m;
    ss_err err;
    if (ss_evaluate(&sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_near(m.availability, 3300.0 / 3600.0, 1e-12);
    assert_int_equal(m.launches, 2);
    /* attempts at T0, T0+30 s, ..., T0+270 s (10 retries) fail in both
     * zones (the ASG tries zone a, then b): 20 failed attempts */
    assert_int_equal(m.failed_launches, 20);
    ss_data_free(d);
}

/* The same rule when the controller's event was scheduled long before: the
 * traces go 0 -> 1 at T0 + 600 s, the ASG's launch_retry is 600 s, so its
 * first retry (scheduled at T0, when its first attempt failed) falls on the
 * instant of the change. The capacity changes still come first: both
 * instances launch at T0 + 600 s, availability (3600 - 600)/3600 = 83.333 %.
 * (A retry run before the changes fails and waits another 600 s: 66.667 %.) */
static void equal_instant_before_an_early_scheduled_controller(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 2, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 600 * SS_SECOND};
    int v[] = {0, 1};
    fx_trace(d, 0, t, v, 2);
    fx_trace(d, 1, t, v, 2);
    ss_scenario sc;
    no_latency_scenario(&sc, 2, SS_HOUR, 2);
    sc.asgs[0].launch_retry = 600 * SS_SECOND;
    ss_metrics m;
    ss_err err;
    if (ss_evaluate(&sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_near(m.availability, 3000.0 / 3600.0, 1e-12);
    assert_int_equal(m.launches, 2);
    ss_data_free(d);
}

/* ---- the notice rule on traces ---------------------------------------------------------- */

/* One pool, 1 task on 1 instance, horizon 600 s. Capacity 1 on [T0, T0+60 s),
 * 0 on [T0+60 s, T0+300 s), 1 from T0+300 s. notice 120 s, notice_lead 120 s.
 * The instance launches at T0; the drop at T0+60 s sends the notice at
 * max(T0+60-120, T0) = T0, and it terminates AT THE DROP (T0+60 s), not a full
 * notice later: the trace says the capacity was gone. The replacement fails
 * at T0+60 s and every 30 s after, and launches at T0+300 s (the change,
 * applied before the retry of that instant). Unavailable [T0+60, T0+300) =
 * 240 s: availability 360/600 = 60 % (keeping the instance the full notice,
 * to T0+120 s, gave 420/600 = 70 %). */
static void capacity_shorter_than_the_notice(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 60 * SS_SECOND, FX_T0 + 300 * SS_SECOND};
    int v[] = {1, 0, 1};
    fx_trace(d, 0, t, v, 3);
    ss_scenario sc;
    no_latency_scenario(&sc, 1, 600 * SS_SECOND, 1);
    ss_metrics m;
    ss_err err;
    if (ss_evaluate(&sc, d, 1, 0, &m, NULL, &err))
        fail_msg("%s", err.msg);
    assert_near(m.availability, 360.0 / 600.0, 1e-12);
    assert_int_equal(m.interruptions, 1);
    assert_int_equal(m.launches, 2);
    /* Spot hours: [T0, T0+60 s) + [T0+300 s, T0+600 s) = 360 s */
    assert_near(m.spot_instance_hours, 360.0 / 3600.0, 1e-12);
    ss_data_free(d);
}

/* No foresight: capacity 1 until T0 + 200 s, then 0; the ASG's desired count
 * is 0 until T0 + 100 s. The notice for the drop would come at T0 + 80 s, but
 * the trace says the capacity is there until T0 + 200 s: a launch at
 * T0 + 100 s is accepted (it used to be refused from T0 + 80 s), and that
 * instance, launched after the notices went out, terminates at the drop,
 * T0 + 200 s: it ran 100 s. */
static void no_launch_refused_before_a_drop(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 1, 2048);
    ss_time t[] = {FX_T0, FX_T0 + 200 * SS_SECOND};
    int v[] = {1, 0};
    fx_trace(d, 0, t, v, 2);
    ss_scenario sc;
    no_latency_scenario(&sc, 1, 600 * SS_SECOND, 0);
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + 100 * SS_SECOND);
    assert_int_equal(ss_fleet_can_launch(&e->fleet, 0, true, 0), SS_LAUNCH_OK);
    ss_asg_set_desired(&e->asgs[0], 1);
    assert_int_equal(e->fleet.n, 1);
    ss_instance *in = ss_fleet_inst(&e->fleet, 0);
    assert_int_equal(in->launch, FX_T0 + 100 * SS_SECOND);
    ss_ecs_run_until(e, FX_T0 + 300 * SS_SECOND);
    assert_int_equal(in->state, SS_INST_TERMINATED);
    assert_int_equal(in->notice_at, FX_T0 + 200 * SS_SECOND);
    assert_int_equal(in->end, FX_T0 + 200 * SS_SECOND);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    ss_data_free(d);
}

/* ---- the coverage rule, through `spotsim run` ------------------------------------------- */

/* A store with one pool, m5.large in us-east-1a, whose price history is
 * 0.04 USD/h at 2024-01-01T12:00:00Z and 0.05 from one second later, and a
 * scenario of one Spot instance (no latencies) over `horizon` with the
 * extra market keys `market_extra`. Returns the exit status of `spotsim run
 * args`; stdout in DIR/NAME.out, stderr in DIR/NAME.err. */
static int run_one(const char *dir, const char *name, const char *horizon, const char *market_extra,
                   const char *args)
{
    FILE *f = fopen(tu_fmt("%s/prices.csv", dir), "w");
    assert_non_null(f);
    fputs("TimeStamp,SpotPrice,InstanceType,OS type,AvailabilityZone\n"
          "2024-01-01 12:00:00,0.0400,m5.large,Linux/UNIX,us-east-1a\n"
          "2024-01-01 12:00:01,0.0500,m5.large,Linux/UNIX,us-east-1a\n",
          f);
    fclose(f);
    f = fopen(tu_fmt("%s/%s.yaml", dir, name), "w");
    assert_non_null(f);
    fprintf(
        f,
        "name: %s\n"
        "orchestrator: ecs\n"
        "%s"
        "market:\n"
        "  region: us-east-1\n"
        "  zones: [us-east-1a]\n"
        "  instance_types: [{name: m5.large, vcpu: 2, memory_mib: 8192, on_demand_price: 0.096}]\n"
        "%s"
        "%s"
        "asg: {min_size: 0, max_size: 1, desired_capacity: 1,"
        " on_demand_percentage_above_base_capacity: 0}\n"
        "capacity_providers: [{name: cp, managed_scaling: false}]\n"
        "service: {desired_count: 1, cpu: 1024, memory: 1024, time_to_healthy: 0s, task_start: 0s,"
        " scheduler_delay: 0s}\n"
        "latencies: {instance_launch: 0s, instance_register: 0s}\n",
        name, horizon, strstr(market_extra, "interruptions:") ? "" : "  interruptions: none\n",
        market_extra);
    fclose(f);
    if (tu_system(
            tu_fmt("test -f '%s/s.db' || '%s' import --db '%s/s.db' '%s/prices.csv' >/dev/null",
                   dir, tu_spotsim_bin(), dir, dir)) != 0)
        fail_msg("import failed");
    return tu_system(tu_fmt("'%s' run --db '%s/s.db' '%s/%s.yaml' %s >'%s/%s.out' 2>'%s/%s.err'",
                            tu_spotsim_bin(), dir, dir, name, args, dir, name, dir, name));
}

static json_t *json_of(const char *dir, const char *name)
{
    json_error_t je;
    json_t *j = json_load_file(tu_fmt("%s/%s.out", dir, name), 0, &je);
    if (!j)
        fail_msg("%s.out: %s", name, je.text);
    return j;
}

static double metric_mean(json_t *j, const char *metric)
{
    json_t *m = json_object_get(json_object_get(json_object_get(j, "metrics"), metric), "mean");
    if (!m)
        fail_msg("no metrics.%s.mean", metric);
    return json_number_value(m);
}

/* The case: the window starts 12 h before the pool's first price
 * record. By default the run is refused (exit 1), naming the pool, where
 * its prices start and how much is uncovered (12.00 h). With
 * `market.uncovered: fill` it runs and says so: the instance lives
 * [00:00, 24:00), of which 12 h are before the first record: 12.00
 * uncovered instance-hours, in the text, per pool in --json, and in the
 * metrics (results store). Over a window inside the data, [12:00, 36:00),
 * nothing is uncovered and the cost is the exact integral:
 * 1 s x 0.04 + (86400 - 1) s x 0.05 = (0.04 + 86399 x 0.05) / 3600 USD. */
static void run_refuses_or_reports_uncovered_price_time(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    FILE *f;
    const char *early = "horizon: {start: 2024-01-01T00:00:00Z, duration: 24h}\n";
    assert_int_equal(run_one(dir, "refused", early, "", ""), 1);
    char *err = tu_read_file(tu_fmt("%s/refused.err", dir), NULL);
    assert_non_null(err);
    if (!strstr(err, "spot prices of m5.large in us-east-1a start at 2024-01-01T12:00:00Z (12.00 h"
                     " uncovered)") ||
        !strstr(err, "market.uncovered: fill"))
        fail_msg("refusal does not name the pool and span:\n%s", err);
    free(err);

    assert_int_equal(run_one(dir, "fill", early, "  uncovered: fill\n", ""), 0);
    char *out = tu_read_file(tu_fmt("%s/fill.out", dir), NULL);
    assert_non_null(out);
    if (!strstr(out,
                "uncovered      12.00 Spot instance-h (before the first price record 12.00,") ||
        !strstr(out, "  m5.large/us-east-1a                 12.00         0.00"))
        fail_msg("text output lacks the uncovered hours:\n%s", out);
    free(out);
    err = tu_read_file(tu_fmt("%s/fill.err", dir), NULL);
    assert_non_null(strstr(err, "12.00 Spot instance-hours before a pool's first price record"));
    free(err);
    /* optimize over the same uncovered window: every candidate's replica
     * has its 12.00 h (the instance lives the whole window whatever the
     * On-Demand percentage searched: 0 -> one Spot instance; with 100 the
     * instance is On-Demand and has none: the mean over the two is 6.00) */
    f = fopen(tu_fmt("%s/opt.yaml", dir), "w");
    assert_non_null(f);
    char *y = tu_read_file(tu_fmt("%s/fill.yaml", dir), NULL);
    assert_non_null(y);
    fprintf(f,
            "%ssearch:\n  method: grid\n  params:\n"
            "    - {path: asg.on_demand_percentage_above_base_capacity, values: [0, 100]}\n",
            y);
    fclose(f);
    free(y);
    assert_int_equal(
        tu_system(tu_fmt("'%s' optimize --db '%s/s.db' '%s/opt.yaml' --replicas 1 --quiet"
                         " --out '%s/opt' >'%s/opt.out' 2>'%s/opt.err'",
                         tu_spotsim_bin(), dir, dir, dir, dir, dir)),
        0);
    err = tu_read_file(tu_fmt("%s/opt.err", dir), NULL);
    assert_non_null(err);
    if (!strstr(err,
                "warning: per candidate replica, 6.00 Spot instance-hours before a pool's first"
                " price record"))
        fail_msg("optimize does not warn:\n%s", err);
    free(err);
    assert_int_equal(run_one(dir, "fillj", early, "  uncovered: fill\n", "--json"), 0);
    json_t *j = json_of(dir, "fillj");
    assert_near(metric_mean(j, "price_uncovered_hours"), 12.0, 1e-12);
    json_t *p0 = json_array_get(json_object_get(j, "pools"), 0);
    assert_string_equal(json_string_value(json_object_get(p0, "pool")), "m5.large/us-east-1a");
    assert_near(json_number_value(json_object_get(p0, "price_uncovered_hours")), 12.0, 1e-12);
    long long run_id = (long long)json_integer_value(json_object_get(j, "run_id"));
    json_decref(j);
    /* the results store: the metric column and replica 0's pools */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(tu_fmt("%s/s.db", dir), &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT price_uncovered_hours, json_extract(extra_json,"
                                        " '$.pools[0].price_uncovered_hours') FROM run_results"
                                        " WHERE run_id = ?1 AND replica = 0",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(q, 1, run_id);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_near(sqlite3_column_double(q, 0), 12.0, 1e-12);
    assert_near(sqlite3_column_double(q, 1), 12.0, 1e-12);
    sqlite3_finalize(q);
    sqlite3_close(db);

    const char *inside = "horizon: {start: 2024-01-01T12:00:00Z, duration: 24h}\n";
    assert_int_equal(run_one(dir, "inside", inside, "", "--json"), 0);
    j = json_of(dir, "inside");
    assert_near(metric_mean(j, "price_uncovered_hours"), 0.0, 0);
    assert_near(metric_mean(j, "capacity_uncovered_hours"), 0.0, 0);
    /* --json prints 12 significant digits */
    assert_near(metric_mean(j, "spot_cost_usd"), (0.04 + 86399 * 0.05) / 3600.0, 1e-11);
    json_decref(j);
    tu_rmtree(dir);
    free(dir);
}

/* Item 5: with the default max price (the On-Demand price, here 0.03 USD/h)
 * below the Spot price (0.04, then 0.05), every Spot launch is refused. The
 * ASG tries at 12:00 and retries every 30 s until the end of the 1-hour
 * horizon: at 12:00:00, 12:00:30, ..., 12:59:30 = 120 attempts, all "price
 * above the max price", none "no capacity"; stderr warns and names the
 * pool, and the text and JSON say it. */
static void refused_launches_by_cause_and_pool(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    const char *h = "horizon: {start: 2024-01-01T12:00:00Z, duration: 1h}\n";
    /* the On-Demand price of the type comes from the scenario: override it */
    assert_int_equal(run_one(dir, "price", h, "", "--json"), 0);
    json_t *j = json_of(dir, "price");
    assert_near(metric_mean(j, "refused_price"), 0, 0); /* 0.096 > 0.05: launches */
    json_decref(j);
    FILE *f = fopen(tu_fmt("%s/cheap.yaml", dir), "w");
    assert_non_null(f);
    char *y = tu_read_file(tu_fmt("%s/price.yaml", dir), NULL);
    assert_non_null(y);
    char *at = strstr(y, "on_demand_price: 0.096");
    assert_non_null(at);
    memcpy(at, "on_demand_price: 0.030", 22);
    fputs(y, f);
    fclose(f);
    free(y);
    int rc = tu_system(
        tu_fmt("'%s' run --db '%s/s.db' '%s/cheap.yaml' --json >'%s/cheap.out' 2>'%s/cheap.err'",
               tu_spotsim_bin(), dir, dir, dir, dir));
    assert_int_equal(rc, 0);
    j = json_of(dir, "cheap");
    assert_near(metric_mean(j, "refused_price"), 120, 0);
    assert_near(metric_mean(j, "refused_capacity"), 0, 0);
    assert_near(metric_mean(j, "failed_launches"), 120, 0);
    assert_near(metric_mean(j, "cost_usd"), 0, 0);
    json_t *p0 = json_array_get(json_object_get(j, "pools"), 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "refused_price")), 120);
    json_decref(j);
    /* the text shows no ratio (it used to say "savings 0.0x") and the
     * refusals by cause */
    rc = tu_system(tu_fmt("'%s' run --db '%s/s.db' '%s/cheap.yaml' >'%s/cheap.txt' 2>/dev/null", tu_spotsim_bin(),
                          dir, dir, dir));
    assert_int_equal(rc, 0);
    char *txt = tu_read_file(tu_fmt("%s/cheap.txt", dir), NULL);
    assert_non_null(txt);
    const char *od_line = strstr(txt, "\nall On-Demand  ");
    assert_non_null(od_line);
    const char *eol = strchr(od_line + 1, '\n');
    assert_non_null(eol);
    if (strstr(txt, "savings 0.0x") || (strstr(od_line, "the cost") && strstr(od_line, "the cost") < eol) ||
        !strstr(txt, "refused        120.0 launch attempts: price above the max price 120.0,"
                     " no capacity 0.0\n"))
        fail_msg("text output:\n%s", txt);
    free(txt);
    char *err = tu_read_file(tu_fmt("%s/cheap.err", dir), NULL);
    assert_non_null(err);
    if (!strstr(err,
                "warning: 120.0 Spot launch attempts were refused because the Spot price was above"
                " the max price") ||
        !strstr(err, "m5.large/us-east-1a 120"))
        fail_msg("no warning naming the pool:\n%s", err);
    free(err);
    tu_rmtree(dir);
    free(dir);
}

/* Item 2: a trace that is all zeros, [12:00, 14:00) (2 samples, gap 1 h),
 * with the prices above. Run past its end, to 18:00: refused by default,
 * naming the trace's span and the 4.00 uncovered hours. With fill, capacity
 * is unlimited after 14:00: the instance launches at 14:00 (the change is
 * applied before the ASG's retry of that instant) and availability is
 * 4 h / 6 h = 66.6667 %, with its 4.00 instance-hours reported uncovered.
 * Without a horizon the run covers what all the data covers: prices from
 * 12:00:00, the trace to 14:00: [12:00, 14:00), availability 0. */
static void capacity_trace_coverage_and_default_horizon(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    FILE *f = fopen(tu_fmt("%s/trace.json", dir), "w");
    assert_non_null(f);
    fputs("{\"metadata\":{\"gap_seconds\":3600},\"data\":[0,0]}\n", f);
    fclose(f);
    /* run_one writes prices.csv; import it and the trace into s.db first */
    assert_int_equal(run_one(dir, "prices-only",
                             "horizon: {start: 2024-01-01T12:00:00Z, duration: 1h}\n", "",
                             "--quiet"),
                     0);
    assert_int_equal(
        tu_system(tu_fmt("'%s' import --db '%s/s.db' --format skypilot --pool m5.large@us-east-1a"
                         " --start 2024-01-01T12:00:00Z --meaning available-count '%s/trace.json'"
                         " >/dev/null",
                         tu_spotsim_bin(), dir, dir)),
        0);
    const char *past = "horizon: {start: 2024-01-01T12:00:00Z, duration: 6h}\n";
    assert_int_equal(run_one(dir, "past", past, "  interruptions: trace\n", ""), 1);
    char *err = tu_read_file(tu_fmt("%s/past.err", dir), NULL);
    assert_non_null(err);
    if (!strstr(err, "the capacity trace of m5.large in us-east-1a covers 2024-01-01T12:00:00Z .."
                     " 2024-01-01T14:00:00Z (4.00 h uncovered)"))
        fail_msg("refusal does not name the trace span:\n%s", err);
    free(err);
    assert_int_equal(
        run_one(dir, "pastfill", past, "  interruptions: trace\n  uncovered: fill\n", "--json"), 0);
    json_t *j = json_of(dir, "pastfill");
    assert_near(metric_mean(j, "availability"), 4.0 / 6.0, 1e-11);
    assert_near(metric_mean(j, "capacity_uncovered_hours"), 4.0, 1e-11);
    assert_near(metric_mean(j, "price_uncovered_hours"), 0.0, 0);
    json_t *p0 = json_array_get(json_object_get(j, "pools"), 0);
    assert_near(json_number_value(json_object_get(p0, "capacity_uncovered_hours")), 4.0, 1e-11);
    json_decref(j);
    assert_int_equal(run_one(dir, "dflt", "", "  interruptions: trace\n", "--json"), 0);
    j = json_of(dir, "dflt");
    assert_string_equal(json_string_value(json_object_get(j, "start")), "2024-01-01T12:00:00Z");
    assert_string_equal(json_string_value(json_object_get(j, "end")), "2024-01-01T14:00:00Z");
    assert_near(metric_mean(j, "availability"), 0.0, 0);
    assert_near(metric_mean(j, "capacity_uncovered_hours"), 0.0, 0);
    json_decref(j);
    tu_rmtree(dir);
    free(dir);

    /* No common span: the trace covers [09:00, 11:00), prices begin at
     * 12:00. Without a horizon the run fails naming both bounds in ISO
     * 8601 (it used to print raw milliseconds). */
    dir = tu_mkdtemp();
    f = fopen(tu_fmt("%s/trace.json", dir), "w");
    assert_non_null(f);
    fputs("{\"metadata\":{\"gap_seconds\":3600},\"data\":[0,0]}\n", f);
    fclose(f);
    assert_int_equal(run_one(dir, "prices-only",
                             "horizon: {start: 2024-01-01T12:00:00Z, duration: 1h}\n", "",
                             "--quiet"),
                     0);
    assert_int_equal(
        tu_system(tu_fmt("'%s' import --db '%s/s.db' --format skypilot --pool m5.large@us-east-1a"
                         " --start 2024-01-01T09:00:00Z --meaning available-count '%s/trace.json'"
                         " >/dev/null",
                         tu_spotsim_bin(), dir, dir)),
        0);
    assert_int_equal(run_one(dir, "nospan", "", "  interruptions: trace\n", ""), 1);
    err = tu_read_file(tu_fmt("%s/nospan.err", dir), NULL);
    assert_non_null(err);
    if (!strstr(err,
                "no horizon is covered by all the market data: the spot prices of m5.large in"
                " us-east-1a start at 2024-01-01T12:00:00Z, but the capacity trace of m5.large in"
                " us-east-1a ends at 2024-01-01T11:00:00Z") ||
        strstr(err, "1704"))
        fail_msg("unclear empty-span message:\n%s", err);
    free(err);
    tu_rmtree(dir);
    free(dir);
}

/* ---- stats: the default window ---------------------------------------------------------- */

/* `spotsim stats` without --to ends its window at the last datum of any
 * kind, not at the last price record: prices of m5.large/us-east-1a at
 * 00:00 and 01:00, an inventory of two Spot instances launched at 00:00
 * (one ended at 02:00, one still running), and a capacity trace of 4
 * samples 1 h apart from 00:00 (it ends at 04:00). Window [00:00, 04:00);
 * exposure 2 h + 4 h (the open instance runs to the window end) = 6 h.
 * (Ending at the last price record, 01:00, would give 2 h.) */
static void stats_default_window_ends_at_the_last_datum(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    FILE *f = fopen(tu_fmt("%s/p.csv", dir), "w");
    assert_non_null(f);
    fputs("TimeStamp,SpotPrice,InstanceType,OS type,AvailabilityZone\n"
          "2024-01-01 00:00:00,0.0400,m5.large,Linux/UNIX,us-east-1a\n"
          "2024-01-01 01:00:00,0.0500,m5.large,Linux/UNIX,us-east-1a\n",
          f);
    fclose(f);
    f = fopen(tu_fmt("%s/inv.csv", dir), "w");
    assert_non_null(f);
    fputs("instance_id,instance_type,availability_zone,lifecycle,launch_time,end_time,end_reason\n"
          "i-0000000000000000a,m5.large,us-east-1a,spot,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,"
          "user\n"
          "i-0000000000000000b,m5.large,us-east-1a,spot,2024-01-01T00:00:00Z,,\n",
          f);
    fclose(f);
    f = fopen(tu_fmt("%s/t.json", dir), "w");
    assert_non_null(f);
    fputs("{\"metadata\":{\"gap_seconds\":3600},\"data\":[2,2,1,1]}\n", f);
    fclose(f);
    const char *db = tu_fmt("%s/s.db", dir);
    char dbp[1024];
    snprintf(dbp, sizeof dbp, "%s", db);
    assert_int_equal(tu_system(tu_fmt("'%s' import --db '%s' '%s/p.csv' '%s/inv.csv' >/dev/null",
                                      tu_spotsim_bin(), dbp, dir, dir)),
                     0);
    assert_int_equal(
        tu_system(tu_fmt("'%s' import --db '%s' --format skypilot --pool m5.large@us-east-1a"
                         " --start 2024-01-01T00:00:00Z --meaning available-count '%s/t.json'"
                         " >/dev/null",
                         tu_spotsim_bin(), dbp, dir)),
        0);
    assert_int_equal(
        tu_system(
            tu_fmt("'%s' stats --db '%s' --by zone --section interruptions --json > '%s/s.json'",
                   tu_spotsim_bin(), dbp, dir)),
        0);
    json_error_t je;
    json_t *j = json_load_file(tu_fmt("%s/s.json", dir), 0, &je);
    if (!j)
        fail_msg("stats --json: %s", je.text);
    json_t *w = json_object_get(j, "window");
    assert_string_equal(json_string_value(json_object_get(w, "from")), "2024-01-01T00:00:00Z");
    assert_string_equal(json_string_value(json_object_get(w, "to")), "2024-01-01T04:00:00Z");
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    assert_near(
        json_number_value(json_object_get(json_object_get(row, "interruptions"), "exposure_hours")),
        6.0, 1e-9);
    json_decref(j);
    tu_rmtree(dir);
    free(dir);
}

/* ---- messages name keys that exist ------------------------------------------------------ */

/* Every "market.instance_types[].KEY" an error message names is a key of
 * docs/scenario.md's table (one said `ondemand_usd_per_hour`, a C field). */
static void check_keys_documented(const char *msg)
{
    char *doc = tu_read_file(tu_fmt("%s/docs/scenario.md", tu_source_dir()), NULL);
    assert_non_null(doc);
    int n = 0;
    for (const char *p = msg; (p = strstr(p, "market.instance_types[].")) != NULL; n++) {
        size_t k = strlen("market.instance_types[].");
        while (p[k] == '_' || (p[k] >= 'a' && p[k] <= 'z'))
            k++;
        char key[128];
        snprintf(key, sizeof key, "| `%.*s` |", (int)k, p);
        if (!strstr(doc, key))
            fail_msg("message names %s, not in docs/scenario.md:\n%s", key, msg);
        p += k;
    }
    assert_true(n > 0);
    free(doc);
}

/* An On-Demand instance type without an On-Demand price, and one without
 * vCPU/memory: the messages say which scenario key to set. */
static void messages_name_existing_keys(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.0};
    ss_data *d = fx_data(1, 1, spot, od, 1, 2048);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_HOUR, 1, 100);
    ss_metrics m;
    ss_err err;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "has no On-Demand price"));
    check_keys_documented(err.msg);
    d->pools[0].ondemand_usd_per_hour = 0.3;
    d->pools[0].vcpu = 0;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "has no vCPU/memory"));
    check_keys_documented(err.msg);
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_instant_capacity_changes),
        cmocka_unit_test(equal_instant_before_an_early_scheduled_controller),
        cmocka_unit_test(capacity_shorter_than_the_notice),
        cmocka_unit_test(no_launch_refused_before_a_drop),
        cmocka_unit_test(run_refuses_or_reports_uncovered_price_time),
        cmocka_unit_test(refused_launches_by_cause_and_pool),
        cmocka_unit_test(capacity_trace_coverage_and_default_horizon),
        cmocka_unit_test(messages_name_existing_keys),
        cmocka_unit_test(stats_default_window_ends_at_the_last_datum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
