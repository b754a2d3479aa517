/*
 * cmd_run.c - `spotsim run`: evaluate one scenario over its horizon for one
 * or more replicas, print a summary, store the run.
 *
 * Replicas run in parallel (OpenMP); each replica is a pure function of
 * (scenario, data, seed, replica), so the output does not depend on the
 * thread count. Replica 0 also yields the timeline and the per-zone
 * breakdown.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <jansson.h>

#include "policies/baseline.h"
#include "policies/results.h"
#include "datasets/store.h"
#include "datasets/data_load.h"
#include "datasets/market_data.h"
#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "sim/scenario/scenario_io.h"
#include "sim/cli/cli.h"
#include "sim/cli/fit_build.h"
#include "sim/kernel/evq.h"
#include "sim/kernel/fileio.h"

const char ss_usage_run[] =
    "Usage: spotsim run SCENARIO [options]\n"
    "\n"
    "Simulate the scenario (YAML) over its horizon on the imported market data,\n"
    "print cost and availability, and store the run in the results tables.\n"
    "\n"
    "Options:\n"
    "  --db FILE          store (default $SPOTSIM_DB, else " SS_STORE_DEFAULT_PATH ")\n"
    "  --replicas N       independent replicas (default: the scenario's, 1)\n"
    "  --seed S           master seed (default: the scenario's, 1)\n"
    "  --from T, --to T   override the horizon (ISO-8601 timestamps)\n"
    "  --json             print the summary as JSON\n"
    "  --timeline FILE    write replica 0's timeline as CSV (t, required, healthy,\n"
    "                     desired, running, pending, spot_instances, od_instances, event,\n"
    "                     cost_usd, spot_cost_usd, od_cost_usd: USD billed so far)\n"
    "  --quiet            print only the run id (with --json: the JSON only)\n"
    "  -h, --help         this text\n"
    "\n"
    "With several replicas the summary gives the mean and a 95% interval\n"
    "(Student t). Exit status: 0 ok, 1 failure (bad scenario or data), 2 usage.\n"
    "See docs/simulation.md.\n"
    "\n"
    "Examples:\n"
    "  spotsim run examples/ecs-api-3az-2016.yaml --replicas 8\n"
    "  spotsim run examples/k8s-zone-spread.yaml --timeline timeline.csv\n"
    "  spotsim run examples/ecs-api-3az-2016.yaml --json --quiet | jq .metrics.availability.mean\n";

#define N_ZONE_COLS 5
typedef struct zone_row {
    double spot_h, od_h, cost;
    int64_t interruptions, launches;
} zone_row;

typedef struct stat {
    double mean, lo, hi;
} stat;

static stat summarize(const ss_metrics *m, int n, int id)
{
    stat s = {0, 0, 0};
    for (int k = 0; k < n; k++)
        s.mean += ss_metrics_get(&m[k], id);
    s.mean /= n;
    s.lo = s.hi = s.mean;
    if (n > 1) {
        double var = 0;
        for (int k = 0; k < n; k++) {
            double d = ss_metrics_get(&m[k], id) - s.mean;
            var += d * d;
        }
        var /= (n - 1);
        double h = gsl_cdf_tdist_Pinv(0.975, n - 1) * sqrt(var / n);
        s.lo = s.mean - h;
        s.hi = s.mean + h;
    }
    return s;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char tmp[8192];
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        SS_GROW(buf, cap, len + n + 1);
        memcpy(buf + len, tmp, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = ss_calloc(1, 1);
    buf[len] = 0;
    return buf;
}

/* Replica 0 through the step-wise ECS API, for the per-zone breakdown. */
static int replica0_ecs(const ss_scenario *sc, const ss_data *d, uint64_t seed, ss_metrics *out, ss_timeline *tl,
                        zone_row *zones, ss_err *err)
{
    ss_fp_state fp;
    ss_policy pol;
    ss_ecs *e = ss_evaluate_ecs_new(sc, d, seed, 0, tl, &fp, &pol, err);
    if (!e)
        return -1;
    ss_ecs_finish(e, out);
    for (int id = 0; id < e->fleet.n; id++) {
        const ss_instance *in = ss_fleet_inst(&e->fleet, id);
        zone_row *z = &zones[in->zone_idx];
        double h = (double)(in->end - in->launch) / (double)SS_HOUR;
        if (in->spot)
            z->spot_h += h;
        else
            z->od_h += h;
        z->cost += in->cost;
        z->interruptions += in->noticed;
        z->launches++;
    }
    ss_ecs_free(e);
    return 0;
}

static void fmt_dur(double s, char *buf, size_t n)
{
    if (s < 120)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, n, "%.1f min", s / 60);
    else
        snprintf(buf, n, "%.1f h", s / 3600);
}

/* ---- coverage and refused launches (docs/market.md, "the coverage rule") ---- */

static bool tally_nonzero(const ss_pool_tally *t)
{
    return t->price_uncovered_hours > 0 || t->capacity_uncovered_hours > 0 || t->refused_price > 0 ||
           t->refused_capacity > 0;
}

static void pool_name(const ss_scenario *sc, int pool, char *buf, size_t n)
{
    int nz = sc->market.n_zones;
    snprintf(buf, n, "%s/%s", sc->market.types[pool / nz].name, sc->market.zones[pool % nz]);
}

/* Warnings on stderr (whatever the output format): launches refused because
 * the Spot price was above the max price, and hours the data does not back. */
static void warn_coverage(const ss_scenario *sc, const ss_metrics *m, int R, const ss_timeline *tl)
{
    stat rp = summarize(m, R, SS_METRIC_refused_price),
         pu = summarize(m, R, SS_METRIC_price_uncovered_hours),
         cu = summarize(m, R, SS_METRIC_capacity_uncovered_hours);
    char name[2 * SS_NAME_MAX + 2];
    if (rp.mean > 0) {
        fprintf(stderr,
                "spotsim run: warning: %.1f Spot launch attempt%s refused because the Spot price was"
                " above the max price (spot_max_price; 0 = the On-Demand price)",
                rp.mean, rp.mean == 1 ? " was" : "s were");
        const char *sep = ": ";
        for (int p = 0; tl && p < tl->n_pools; p++)
            if (tl->pools[p].refused_price > 0) {
                pool_name(sc, p, name, sizeof name);
                fprintf(stderr, "%s%s %lld", sep, name, (long long)tl->pools[p].refused_price);
                sep = ", ";
            }
        fprintf(stderr, "%s\n", tl && tl->n_pools ? " (replica 0)" : "");
    }
    if (pu.mean > 0 || cu.mean > 0)
        fprintf(stderr,
                "spotsim run: warning: %.2f Spot instance-hours before a pool's first price record"
                " and %.2f outside its capacity traces are not backed by data (market.uncovered:"
                " fill); see \"uncovered\" per pool\n",
                pu.mean, cu.mean);
}

static void print_pools_text(const ss_scenario *sc, const ss_metrics *m, int R, const ss_timeline *tl)
{
    stat pu = summarize(m, R, SS_METRIC_price_uncovered_hours),
         cu = summarize(m, R, SS_METRIC_capacity_uncovered_hours),
         rp = summarize(m, R, SS_METRIC_refused_price), rc = summarize(m, R, SS_METRIC_refused_capacity);
    printf("uncovered      %.2f Spot instance-h (before the first price record %.2f, outside the"
           " capacity traces %.2f)\n",
           pu.mean + cu.mean, pu.mean, cu.mean);
    printf("refused        %.1f launch attempts: price above the max price %.1f, no capacity %.1f\n",
           summarize(m, R, SS_METRIC_failed_launches).mean, rp.mean, rc.mean);
    bool any = false;
    for (int p = 0; tl && p < tl->n_pools; p++)
        any |= tally_nonzero(&tl->pools[p]);
    if (!any)
        return;
    printf("per pool (replica 0):\n  %-28s %12s %12s %14s %12s\n", "pool", "price-unc-h", "cap-unc-h",
           "refused-price", "refused-cap");
    char name[2 * SS_NAME_MAX + 2];
    for (int p = 0; p < tl->n_pools; p++) {
        const ss_pool_tally *t = &tl->pools[p];
        if (!tally_nonzero(t))
            continue;
        pool_name(sc, p, name, sizeof name);
        printf("  %-28s %12.2f %12.2f %14lld %12lld\n", name, t->price_uncovered_hours,
               t->capacity_uncovered_hours, (long long)t->refused_price, (long long)t->refused_capacity);
    }
}

static json_t *pools_json(const ss_scenario *sc, const ss_timeline *tl)
{
    json_t *arr = json_array();
    char name[2 * SS_NAME_MAX + 2];
    int nz = sc->market.n_zones;
    for (int p = 0; tl && p < tl->n_pools; p++) {
        const ss_pool_tally *t = &tl->pools[p];
        pool_name(sc, p, name, sizeof name);
        json_t *x = json_object();
        json_object_set_new(x, "pool", json_string(name));
        json_object_set_new(x, "instance_type", json_string(sc->market.types[p / nz].name));
        json_object_set_new(x, "zone", json_string(sc->market.zones[p % nz]));
        json_object_set_new(x, "price_uncovered_hours", json_real(t->price_uncovered_hours));
        json_object_set_new(x, "capacity_uncovered_hours", json_real(t->capacity_uncovered_hours));
        json_object_set_new(x, "refused_price", json_integer(t->refused_price));
        json_object_set_new(x, "refused_capacity", json_integer(t->refused_capacity));
        json_array_append_new(arr, x);
    }
    return arr;
}

static void print_text(const ss_scenario *sc, sqlite3_int64 run_id, const char *hash, uint64_t seed, int R,
                       ss_time start, ss_time end, const ss_metrics *m, const zone_row *zones, double baseline)
{
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    printf("run %lld: %s (scenario %s), seed %llu, %d replica%s\n", (long long)run_id, sc->name, hash,
           (unsigned long long)seed, R, R == 1 ? "" : "s");
    printf("horizon        %s .. %s (%.1f h)\n", ss_time_format(start, a), ss_time_format(end, b),
           (double)(end - start) / (double)SS_HOUR);
#define S(id) summarize(m, R, SS_METRIC_##id)
    stat c = S(cost_usd), cs = S(spot_cost_usd), co = S(od_cost_usd), cm = S(cost_per_month_usd),
         bl = S(ondemand_baseline_usd), sv = S(savings_ratio), av = S(availability), sf = S(served_fraction),
         ep = S(shortfall_episodes), p50 = S(shortfall_p50_s), p95 = S(shortfall_p95_s), mx = S(shortfall_max_s),
         in = S(interruptions), tr = S(task_restarts), la = S(launches), fl = S(failed_launches),
         rb = S(rebalance_recommendations);
#undef S
    printf("cost           %.2f USD (Spot %.2f, On-Demand %.2f)", c.mean, cs.mean, co.mean);
    if (R > 1)
        printf("  95%% [%.2f, %.2f]", c.lo, c.hi);
    printf("\ncost per month %.2f USD\n", cm.mean);
    /* the baseline is the same service simulated all On-Demand (one rule
     * everywhere: policies/baseline.h); the fleet-billing metric
     * ondemand_baseline_usd stays in --json under its own definition */
    (void)bl;
    (void)sv;
    if (baseline > 0 && cm.mean > 0)
        printf("all On-Demand  %.2f USD/month (" SS_BASELINE_DEFINITION "): %.1fx the cost, %.1f%% saved\n",
               baseline, baseline / cm.mean, 100.0 * (baseline - cm.mean) / baseline);
    else
        printf("all On-Demand  %.2f USD/month (" SS_BASELINE_DEFINITION ")\n", baseline);
    printf("availability   %.4f%%", 100 * av.mean);
    if (R > 1)
        printf("  95%% [%.4f%%, %.4f%%]", 100 * av.lo, 100 * (av.hi > 1 ? 1 : av.hi));
    printf("\nserved         %.4f%%\n", 100 * sf.mean);
    char d1[32], d2[32], d3[32];
    fmt_dur(p50.mean, d1, sizeof d1);
    fmt_dur(p95.mean, d2, sizeof d2);
    fmt_dur(mx.mean, d3, sizeof d3);
    printf("shortfalls     %.1f episodes, p50 %s, p95 %s, max %s\n", ep.mean, d1, d2, d3);
    printf("interruptions  %.1f (rebalance recommendations %.1f), task restarts %.1f\n", in.mean, rb.mean,
           tr.mean);
    printf("launches       %.1f (failed attempts %.1f)\n", la.mean, fl.mean);
    if (sc->orchestrator == SS_ORCH_KUBERNETES) {
        stat pe = summarize(m, R, SS_METRIC_pending_task_hours), ev = summarize(m, R, SS_METRIC_evictions),
             pb = summarize(m, R, SS_METRIC_pdb_blocked_evictions), sk = summarize(m, R, SS_METRIC_skew_violations);
        printf("pending pods   %.2f pod-h\n", pe.mean);
        printf("evictions      %.1f (refused by the PDB %.1f), skew violations %.1f\n", ev.mean, pb.mean, sk.mean);
    }
    if (zones) {
        printf("per zone (replica 0):\n  %-16s %10s %10s %10s %8s\n", "zone", "spot-h", "od-h", "cost", "notices");
        for (int z = 0; z < sc->market.n_zones; z++)
            printf("  %-16s %10.1f %10.1f %10.2f %8lld\n", sc->market.zones[z], zones[z].spot_h, zones[z].od_h,
                   zones[z].cost, (long long)zones[z].interruptions);
    }
}

static void print_json(const ss_scenario *sc, sqlite3_int64 run_id, const char *hash, uint64_t seed, int R,
                       ss_time start, ss_time end, const ss_metrics *m, const zone_row *zones, double baseline,
                       const ss_timeline *tl)
{
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN];
    json_t *o = json_object();
    json_object_set_new(o, "run_id", json_integer(run_id));
    json_object_set_new(o, "scenario", json_string(sc->name));
    json_object_set_new(o, "scenario_hash", json_string(hash));
    json_object_set_new(o, "seed", json_integer((json_int_t)seed));
    json_object_set_new(o, "replicas", json_integer(R));
    json_object_set_new(o, "start", json_string(ss_time_format(start, a)));
    json_object_set_new(o, "end", json_string(ss_time_format(end, b)));
    json_t *bo = json_object();
    json_object_set_new(bo, "cost_per_month_usd", json_real(baseline));
    json_object_set_new(bo, "definition", json_string(SS_BASELINE_DEFINITION));
    json_object_set_new(o, "ondemand_baseline", bo);
    json_t *mm = json_object();
    for (int i = 0; i < SS_METRIC_COUNT; i++) {
        stat s = summarize(m, R, i);
        json_t *x = json_object();
        json_object_set_new(x, "mean", json_real(s.mean));
        json_object_set_new(x, "ci95_low", json_real(s.lo));
        json_object_set_new(x, "ci95_high", json_real(s.hi));
        json_object_set_new(x, "unit", json_string(ss_metric_table[i].unit));
        json_object_set_new(mm, ss_metric_table[i].name, x);
    }
    json_object_set_new(o, "metrics", mm);
    json_t *rep = json_array();
    for (int k = 0; k < R; k++) {
        json_t *x = json_object();
        for (int i = 0; i < SS_METRIC_COUNT; i++)
            json_object_set_new(x, ss_metric_table[i].name,
                                ss_metric_table[i].is_int ? json_integer((json_int_t)ss_metrics_get(&m[k], i))
                                                          : json_real(ss_metrics_get(&m[k], i)));
        json_array_append_new(rep, x);
    }
    json_object_set_new(o, "per_replica", rep);
    if (zones) {
        json_t *zs = json_array();
        for (int z = 0; z < sc->market.n_zones; z++) {
            json_t *x = json_object();
            json_object_set_new(x, "zone", json_string(sc->market.zones[z]));
            json_object_set_new(x, "spot_instance_hours", json_real(zones[z].spot_h));
            json_object_set_new(x, "od_instance_hours", json_real(zones[z].od_h));
            json_object_set_new(x, "cost_usd", json_real(zones[z].cost));
            json_object_set_new(x, "interruptions", json_integer(zones[z].interruptions));
            json_array_append_new(zs, x);
        }
        json_object_set_new(o, "zones", zs);
    }
    /* per pool of replica 0: uncovered instance-hours and refused launches */
    json_object_set_new(o, "pools", pools_json(sc, tl));
    char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    printf("%s\n", txt);
    free(txt);
    json_decref(o);
}

/* ---- progress on a terminal (long runs) ---------------------------------------- */

static ss_time g_prog_start, g_prog_end;
static double g_prog_t0, g_prog_last, g_prog_after = 2.0;
static int g_prog_shown;

/* Called by the event queues every 65,536 events (sim/kernel/evq.h), from
 * any replica's thread: at most one line a second, after 2 s; the
 * replica that reports shows how far it got. */
static void run_progress(ss_time now)
{
    if (g_prog_end <= g_prog_start)
        return;
#pragma omp critical(spotsim_run_progress)
    {
        double w = ss_wall_seconds();
        if (w - g_prog_t0 >= g_prog_after && w - g_prog_last >= 1.0) {
            g_prog_last = w;
            double f = ((double)now - (double)g_prog_start) / ((double)g_prog_end - (double)g_prog_start);
            f = f < 0 ? 0 : f > 1 ? 1 : f;
            char b[SS_TIME_BUFLEN];
            fprintf(stderr, "\rspotsim run: simulating, %5.1f%% of the horizon (at %s), %.0f s ", 100.0 * f,
                    ss_time_format(now, b), w - g_prog_t0);
            g_prog_shown = 1;
        }
    }
}

/* rows of one run's timeline (72 bytes each in memory): 5 million is about
 * 9.5 years at the default 60 s sample interval */
#define TIMELINE_MAX_ROWS 5000000

static int write_timeline(const char *path, const ss_timeline *tl, ss_err *err)
{
    ss_afile a;
    if (ss_afile_open(&a, path, err))
        return ss_err_prefix(err, "--timeline");
    fprintf(a.f, "t,required,healthy,desired,running,pending,spot_instances,od_instances,event,cost_usd,"
                 "spot_cost_usd,od_cost_usd\n");
    char b[SS_TIME_BUFLEN];
    for (size_t i = 0; i < tl->n && !ferror(a.f); i++) {
        const ss_timeline_row *r = &tl->rows[i];
        /* %.17g: the last row's cost_usd reads back as the run's cost exactly */
        fprintf(a.f, "%s,%g,%g,%g,%g,%g,%d,%d,%s,%.17g,%.17g,%.17g\n", ss_time_format(r->t, b), r->required,
                r->healthy, r->desired, r->running, r->pending, r->spot_instances, r->od_instances,
                r->event ? r->event : "", r->spot_cost_usd + r->od_cost_usd, r->spot_cost_usd, r->od_cost_usd);
    }
    if (ss_afile_commit(&a, err))
        return ss_err_prefix(err, "--timeline");
    return 0;
}

int ss_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"replicas", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},     {"json", no_argument, NULL, 'j'},
        {"timeline", required_argument, NULL, 't'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},       {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *db = ss_default_db(), *tl_path = NULL;
    int replicas = -1, json = 0, quiet = 0, c;
    long long seed = -1;
    ss_time from = 0, to = 0;
    bool have_from = false, have_to = false;
    char *end;
    ss_getopt_reset();
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'r':
            replicas = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg || replicas < 1 || replicas > 100000)
                return ss_usage_error("run", "--replicas: expected an integer 1..100000, got '%s'", optarg);
            break;
        case 's':
            seed = strtoll(optarg, &end, 10);
            if (*end || end == optarg || seed < 0)
                return ss_usage_error("run", "--seed: expected a non-negative integer, got '%s'", optarg);
            break;
        case 'j':
            json = 1;
            break;
        case 't':
            tl_path = optarg;
            break;
        case 'f':
        case 'T':
            if (ss_time_parse(optarg, c == 'f' ? &from : &to))
                return ss_usage_error("run", "--%s: not a timestamp: '%s'", c == 'f' ? "from" : "to", optarg);
            if (c == 'f')
                have_from = true;
            else
                have_to = true;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            return ss_print_usage("run");
        case ':':
            return ss_usage_error("run", "option '%s' needs an argument", argv[optind - 1]);
        default:
            return ss_unknown_option("run", argv[optind - 1], opts);
        }
    }
    if (optind != argc - 1)
        return ss_usage_error("run", optind >= argc ? "missing SCENARIO" : "expected one SCENARIO");
    const char *path = argv[optind];

    ss_err err;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_store st = {0};
    ss_data *d = NULL;
    ss_metrics *res = NULL;
    char *text = NULL;
    char **extra = NULL;
    char *zone_json = NULL;
    ss_timeline tl = {0};
    ss_fit_model *model = NULL;
    int rc = SS_EXIT_FAIL;
    /* an output that cannot be written is found before the simulation */
    if (tl_path && ss_check_writable_path(tl_path, &err)) {
        ss_fail("run", "--timeline: %s", err.msg);
        goto out;
    }
    if (ss_scenario_load_file(path, sc, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    if (seed >= 0)
        sc->seed = (uint64_t)seed;
    if (replicas > 0)
        sc->replicas = replicas;
    if (have_from)
        sc->start = from;
    if (have_to)
        sc->end = to;
    if ((have_from || have_to) && sc->end <= sc->start) {
        ss_fail("run", "--from/--to: the horizon is empty");
        goto out;
    }
    if (ss_store_open(&st, db, 0, &err) || ss_data_load(&st, &sc->market, sc->start, sc->end, &d, &err) ||
        ss_fit_attach_scenario(&st, sc, d, &model, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    if (ss_data_horizon(sc->start, sc->end, d, "horizon", &sc->start, &sc->end, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    /* Replica 0's timeline is kept in memory and stored: its size is known
     * before the run (one row per sample_interval), so an absurd one (a
     * 100-year horizon: 52 million rows, 4 GiB) is refused here, with the
     * way out, instead of running out of memory hours later. */
    if (sc->sample_interval > 0) {
        double rows = ((double)sc->end - (double)sc->start) / (double)sc->sample_interval;
        if (rows > TIMELINE_MAX_ROWS) {
            double need_s = ceil(((double)sc->end - (double)sc->start) / TIMELINE_MAX_ROWS / 1000.0);
            ss_fail("run",
                    "%s: the timeline would hold %.0f rows (%.0f days every %gs); at most %d: set "
                    "sample_interval to at least %.0fs, or shorten the horizon",
                    path, rows, ((double)sc->end - (double)sc->start) / (double)SS_DAY,
                    (double)sc->sample_interval / 1000.0, TIMELINE_MAX_ROWS, need_s);
            goto out;
        }
    }
    int R = sc->replicas > 0 ? sc->replicas : 1;
    res = ss_calloc((size_t)R, sizeof *res);
    if (!quiet && isatty(fileno(stderr))) {
        g_prog_start = sc->start;
        g_prog_end = sc->end;
        g_prog_t0 = ss_wall_seconds();
        g_prog_last = 0;
        g_prog_shown = 0;
        const char *after = getenv("SPOTSIM_TEST_PROGRESS_AFTER"); /* test hook: seconds before the first line */
        g_prog_after = after ? atof(after) : 2.0;
        ss_evq_set_progress(run_progress);
    }
    zone_row zones[SS_MAX_ZONES];
    memset(zones, 0, sizeof zones);
    bool have_zones = sc->orchestrator == SS_ORCH_ECS;
    int failed = 0;
    char first_err[1024] = "";
#pragma omp parallel for schedule(dynamic, 1)
    for (int k = 0; k < R; k++) {
        ss_err e2;
        int r2;
        if (k == 0 && have_zones)
            r2 = replica0_ecs(sc, d, sc->seed, &res[0], &tl, zones, &e2);
        else
            r2 = ss_evaluate(sc, d, sc->seed, k, &res[k], k == 0 ? &tl : NULL, &e2);
        if (r2) {
#pragma omp critical
            {
                if (!failed)
                    snprintf(first_err, sizeof first_err, "%s", e2.msg);
                failed = 1;
            }
        }
    }
    ss_evq_set_progress(NULL);
    if (g_prog_shown)
        fputc('\n', stderr);
    if (failed) {
        ss_fail("run", "%s", first_err);
        goto out;
    }
    double baseline = 0;
    if (ss_ondemand_baseline(sc, d, R, &baseline, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    /* stored with each replica's row (run_results.extra_json) for the report */
    char bjson[128];
    snprintf(bjson, sizeof bjson, "{\"ondemand_baseline_per_month\": %.17g}", baseline);
    extra = ss_malloc(sizeof(char *) * (size_t)R);
    for (int k = 0; k < R; k++)
        extra[k] = bjson;
    /* replica 0 also keeps its per-zone breakdown, for the report, and its
     * per-pool coverage and refused launches (docs/market.md, "the coverage
     * rule") */
    {
        json_t *z0 = json_object();
        json_object_set_new(z0, "ondemand_baseline_per_month", json_real(baseline));
        if (have_zones) {
            json_t *zs = json_array();
            for (int z = 0; z < sc->market.n_zones; z++)
                json_array_append_new(zs, json_pack("{s:s, s:f, s:f, s:f, s:I}", "zone", sc->market.zones[z],
                                                    "spot_instance_hours", zones[z].spot_h, "od_instance_hours",
                                                    zones[z].od_h, "cost_usd", zones[z].cost, "interruptions",
                                                    (json_int_t)zones[z].interruptions));
            json_object_set_new(z0, "zones", zs);
        }
        json_object_set_new(z0, "pools", pools_json(sc, &tl));
        zone_json = json_dumps(z0, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        json_decref(z0);
        if (zone_json)
            extra[0] = zone_json;
    }
    char hash[17];
    ss_scenario_hash(sc, hash);
    text = read_text(path);
    ss_run_record rec = {.sc = sc,
                         .scenario_text = text,
                         .scenario_hash = hash,
                         .seed = sc->seed,
                         .replicas = R,
                         .start = sc->start,
                         .end = sc->end,
                         .data_provenance = d->provenance_json,
                         .results = res,
                         .timeline = &tl,
                         .timeline_replica = 0,
                         .extra_json = (const char *const *)extra};
    /* the timeline file first: if it cannot be written, nothing is stored */
    if (tl_path && write_timeline(tl_path, &tl, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    sqlite3_int64 run_id = 0;
    if (ss_results_insert_run(&st, &rec, &run_id, &err)) {
        ss_fail("run", "%s", err.msg);
        goto out;
    }
    warn_coverage(sc, res, R, &tl);
    /* --json wins over --quiet: a script asking for JSON gets it */
    if (json)
        print_json(sc, run_id, hash, sc->seed, R, sc->start, sc->end, res, have_zones ? zones : NULL, baseline,
                   &tl);
    else if (quiet)
        printf("%lld\n", (long long)run_id);
    else {
        print_text(sc, run_id, hash, sc->seed, R, sc->start, sc->end, res, have_zones ? zones : NULL, baseline);
        print_pools_text(sc, res, R, &tl);
    }
    rc = SS_EXIT_OK;
out:
    free(extra);
    free(zone_json);
    ss_timeline_free(&tl);
    free(text);
    free(res);
    if (d)
        ss_data_free(d);
    if (model) {
        ss_fit_model_free(model);
        free(model);
    }
    if (st.db)
        ss_store_close(&st);
    free(sc);
    return rc;
}
