/*
 * cmd_backtest.c - `spotsim backtest SCENARIO --train FROM..TO --test FROM..TO`:
 * would the recommendation have held up in the time that followed?
 *
 * Per fold: (1) fit a model on the training window from the evidence of the
 * scenario's pools (interruption log, capacity traces) and, when there is
 * evidence, let the scenario draw its interruptions from it; (2) optimize on
 * the training window (its prices, the fitted model's replicas with common
 * random numbers); (3) replay every candidate on the test window with that
 * window's real data (its log, its traces, its prices); (4) score predicted
 * against realized (policies/backtest.c) and store it. --rolling K slides both
 * windows K times by the test window's length. docs/fit.md.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "datasets/data_load.h"
#include "models/eval.h"
#include "models/interrupt.h"
#include "policies/backtest.h"
#include "policies/export.h"
#include "policies/optimize.h"
#include "policies/optimize_eval.h"
#include "sim/cli/cli.h"
#include "sim/cli/fit_build.h"
#include "sim/report/report.h"
#include "sim/scenario/scenario_io.h"

const char ss_usage_backtest[] =
    "Usage: spotsim backtest SCENARIO --train FROM..TO --test FROM..TO [options]\n"
    "\n"
    "Fit the interruption/capacity model on the training window (when the store\n"
    "has evidence for the scenario's pools), optimize there, then evaluate the\n"
    "recommendation and every candidate on the test window with that window's real\n"
    "data. Prints and stores, per candidate, predicted vs realized availability and\n"
    "cost per month, whether the predicted interval held the realized value and\n"
    "whether the SLO was met; the Spearman rank correlation of predicted and\n"
    "realized; the cheapest candidate in hindsight.\n"
    "\n"
    "Options:\n"
    "  --db FILE              store (default $SPOTSIM_DB, else " SS_STORE_DEFAULT_PATH ")\n"
    "  --train FROM..TO       training window (ISO-8601 timestamps)\n"
    "  --test FROM..TO        test window\n"
    "  --rolling K            K folds: fold k shifts both windows by k test lengths\n"
    "  --budget N             candidates (default: the scenario's search.budget)\n"
    "  --replicas N           training replicas per candidate (default: the\n"
    "                         scenario's; at least 8 when a fitted capacity process\n"
    "                         draws them)\n"
    "  --test-replicas N      replicas per candidate on the test window (default 4;\n"
    "                         1 when a trace is replayed: one history)\n"
    "  --slo A                availability SLO, 99.9% or 0.999 (default: search.slo)\n"
    "  --realized SRC         test-window interruptions: auto (default: the log when\n"
    "                         it covers the pools, else the traces, else the\n"
    "                         scenario's own source), replay, trace, max-price or\n"
    "                         scenario\n"
    "  --threads N            threads (default: all cores; results do not depend on\n"
    "                         it)\n"
    "  --out DIR              write DIR/backtest.csv and the chart backtest.png/.svg\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage. See docs/fit.md.\n";

static int parse_window(const char *s, ss_time *a, ss_time *b)
{
    const char *dots = strstr(s, "..");
    if (!dots || dots == s || (size_t)(dots - s) >= 64)
        return -1;
    char left[64];
    memcpy(left, s, (size_t)(dots - s));
    left[dots - s] = '\0';
    if (ss_time_parse(left, a) || ss_time_parse(dots + 2, b) || *b <= *a)
        return -1;
    return 0;
}

typedef enum { REAL_AUTO, REAL_REPLAY, REAL_TRACE, REAL_MAX_PRICE, REAL_SCENARIO } realized_src;

typedef struct bt_opts {
    const char *db, *path, *outdir;
    ss_time train_from, train_to, test_from, test_to;
    int rolling, test_replicas, threads;
    long budget, replicas;
    double slo_pct;
    realized_src realized;
} bt_opts;

/* The evidence filter of the scenario's pools. */
static void scenario_filter(const ss_scenario *sc, ss_stats_filter *f, const char **types,
                            const char **zones, char *region, size_t rn)
{
    ss_stats_filter_init(f);
    for (int i = 0; i < sc->market.n_types; i++)
        types[i] = sc->market.types[i].name;
    for (int i = 0; i < sc->market.n_zones; i++)
        zones[i] = sc->market.zones[i];
    f->types = types;
    f->n_types = (size_t)sc->market.n_types;
    f->zones = zones;
    f->n_zones = (size_t)sc->market.n_zones;
    /* region "" = zones of several regions (each zone names its own): the
     * zone names select the pools, in every region */
    region[0] = '\0';
    if (sc->market.region[0])
        snprintf(region, rn, "%s", sc->market.region);
    f->region = region[0] ? region : NULL;
}

static bool has_log(const ss_fit_evidence *ev)
{
    for (size_t i = 0; i < ev->n_pools; i++)
        if (ev->pools[i].exposure_hours > 0)
            return true;
    return false;
}

/* Training replicas when the scenario asks for fewer and a fitted capacity
 * process draws the paths (--replicas overrides). */
#define BT_MODEL_REPLICAS 8

typedef struct fold_result {
    ss_bt_candidate *c;
    size_t n;
    ss_bt_summary s;
    int64_t backtest_id, optimization_id;
    char model[SS_NAME_MAX];
    int model_pools, model_thin, model_zones; /* fitted pools, of which too thin; traced zones */
    int replicas;                             /* training replicas per candidate */
    char realized[48];
} fold_result;

static int store_fold(ss_store *st, const ss_scenario *sc, const char *hash, int fold,
                      const ss_time w[4], double slo, fold_result *fr, ss_err *err)
{
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const ss_bt_summary *s = &fr->s;
    /* NaN (e.g. a Spearman of constant values) is JSON null */
#define NUM(x) (isfinite(x) ? json_real(x) : json_null())
    json_t *js = json_object();
    json_object_set_new(js, "candidates", json_integer(s->n));
    json_object_set_new(js, "availability_coverage", NUM(s->avail_coverage));
    json_object_set_new(js, "cost_coverage", NUM(s->cost_coverage));
    json_object_set_new(js, "availability_mae", NUM(s->avail_mae));
    json_object_set_new(js, "cost_mae_usd_month", NUM(s->cost_mae));
    json_object_set_new(js, "cost_mape", NUM(s->cost_mape));
    json_object_set_new(js, "spearman_cost", NUM(s->spearman_cost));
    json_object_set_new(js, "spearman_availability", NUM(s->spearman_avail));
    json_object_set_new(js, "regret_usd_month", NUM(s->regret_usd_month));
    json_object_set_new(js, "predicted_met_realized_failed", json_integer(s->pred_meets_real_fails));
#undef NUM
    char *summary = json_dumps(js, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(js);
    if (ss_store_begin(st, err)) {
        free(summary);
        return -1;
    }
    sqlite3_stmt *q;
    if (ss_store_prepare(st,
                         "INSERT INTO backtests(created_at, scenario_name, scenario_hash, fold,"
                         " train_from_ms, train_to_ms, test_from_ms, test_to_ms, optimization_id,"
                         " model_name, realized_source, slo, recommended, best_hindsight,"
                         " summary_json) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         &q, err)) {
        free(summary);
        goto fail;
    }
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, sc->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(q, 4, fold);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_int64(q, 5 + i, w[i]);
    sqlite3_bind_int64(q, 9, fr->optimization_id);
    if (fr->model[0])
        sqlite3_bind_text(q, 10, fr->model, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 11, fr->realized, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(q, 12, slo);
    sqlite3_bind_int(q, 13, s->recommended >= 0 ? fr->c[s->recommended].id : -1);
    sqlite3_bind_int(q, 14, s->best_hindsight >= 0 ? fr->c[s->best_hindsight].id : -1);
    sqlite3_bind_text(q, 15, summary ? summary : "{}", -1, SQLITE_TRANSIENT);
    free(summary);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        ss_err_set(err, "%s: storing the backtest: %s", st->path, sqlite3_errmsg(st->db));
        goto fail;
    }
    fr->backtest_id = sqlite3_last_insert_rowid(st->db);
    if (ss_store_prepare(st,
                         "INSERT INTO backtest_candidates VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &q,
                         err))
        goto fail;
    for (size_t i = 0; i < fr->n; i++) {
        const ss_bt_candidate *c = &fr->c[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, fr->backtest_id);
        sqlite3_bind_int(q, 2, c->id);
        double v[] = {c->pred_avail, c->pred_avail_lo, c->pred_avail_hi, c->real_avail,
                      c->pred_cost,  c->pred_cost_lo,  c->pred_cost_hi,  c->real_cost};
        for (int k = 0; k < 8; k++)
            sqlite3_bind_double(q, 3 + k, v[k]);
        sqlite3_bind_int(q, 11, c->avail_covered);
        sqlite3_bind_int(q, 12, c->cost_covered);
        sqlite3_bind_int(q, 13, c->pred_slo_met);
        sqlite3_bind_int(q, 14, c->slo_met);
        if (sqlite3_step(q) != SQLITE_DONE) {
            ss_err_set(err, "%s: storing the backtest: %s", st->path, sqlite3_errmsg(st->db));
            sqlite3_finalize(q);
            goto fail;
        }
    }
    sqlite3_finalize(q);
    return ss_store_commit(st, err);
fail:
    ss_store_rollback(st);
    return -1;
}

/* One fold. w = train from, train to, test from, test to. */
static int run_fold(ss_store *st, const bt_opts *o, const ss_scenario *base, int fold,
                    const ss_time w[4], fold_result *fr, ss_err *err)
{
    memset(fr, 0, sizeof *fr);
    int rc = -1;
    ss_scenario *tr = ss_malloc(sizeof *tr), *te = ss_malloc(sizeof *te);
    memcpy(tr, base, sizeof *tr);
    memcpy(te, base, sizeof *te);
    tr->start = w[0];
    tr->end = w[1];
    te->start = w[2];
    te->end = w[3];
    ss_data *dtr = NULL, *dte = NULL;
    ss_fit_evidence ev = {0}, evt = {0};
    ss_fit_model model = {0};
    bool have_model = false, have_res = false;
    ss_fit_output fo = {0};
    ss_opt_result res = {0};
    ss_opt_slot *slots = NULL;
    ss_space space;
    const char *types[SS_MAX_TYPES], *zones[SS_MAX_ZONES];
    char region[SS_NAME_MAX];
    ss_stats_filter f;
    scenario_filter(base, &f, types, zones, region, sizeof region);

    /* (1) the model of the training window */
    f.from = w[0];
    f.to = w[1];
    if (ss_fit_evidence_load(st, &f, &ev, err))
        goto out;
    bool evidence = has_log(&ev) || ev.n_traces > 0;
    bool model_source = base->market.interruptions != SS_INTERRUPT_NONE &&
                        base->market.interruptions != SS_INTERRUPT_MAX_PRICE;
    if (evidence && model_source) {
        char a[SS_TIME_BUFLEN];
        ss_time_format(w[0], a);
        snprintf(fr->model, sizeof fr->model, "bt-%.30s-%d-%.10s", base->name, fold, a);
        if (ss_fit_build(&ev, fr->model, base->market.burst_window > 0 ? base->market.burst_window
                                                                     : 3 * SS_MINUTE,
                         &model, &fo, err))
            goto out;
        have_model = true;
        for (size_t i = 0; i < model.n_pools; i++) {
            fr->model_pools++;
            fr->model_thin += model.pools[i].thin;
        }
        fr->model_zones = model.has_capacity ? model.cap.n_zones : 0;
        char *json = ss_fit_model_to_json(&model);
        int src = ss_fit_store_save(st, fr->model, model.from, model.to, json, fo.source_json,
                                    fo.report.s, err);
        free(json);
        if (src)
            goto out;
        tr->market.interruptions = SS_INTERRUPT_MODEL;
        snprintf(tr->market.interrupt_model, sizeof tr->market.interrupt_model, "%s", fr->model);
    }
    /* (2) optimize on the training window */
    if (ss_data_load(st, &tr->market, tr->start, tr->end, &dtr, err))
        goto out;
    if (have_model) {
        ss_fit_attach(&model, dtr);
    } else if (tr->market.interruptions == SS_INTERRUPT_MODEL) {
        ss_err_set(err, "the scenario names model '%s'; a backtest refits the model on each"
                        " training window, so give the scenario the source the model came from"
                        " (replay or trace)",
                   tr->market.interrupt_model);
        goto out;
    }
    if (ss_space_build(&base->search, &space, err))
        goto out;
    space.bind = &ss_scenario_binder;
    ss_opt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.method = base->search.method;
    cfg.budget = o->budget > 0 ? (int)o->budget : base->search.budget;
    cfg.replicas = o->replicas > 0 ? (int)o->replicas : base->search.replicas;
    /* A trace scenario searches with one replica (a replay is one history);
     * drawn from a fitted capacity process, one path gives no interval. */
    if (o->replicas <= 0 && have_model && model.has_capacity && cfg.replicas < BT_MODEL_REPLICAS)
        cfg.replicas = BT_MODEL_REPLICAS;
    fr->replicas = cfg.replicas;
    cfg.population = base->search.population;
    cfg.seed = base->seed;
    cfg.threads = o->threads;
    memcpy(cfg.objectives, base->search.objectives, sizeof cfg.objectives);
    if (ss_statistic_parse(base->search.statistic[0] ? base->search.statistic : "mean",
                           &cfg.statistic, err))
        goto out;
    char hash[17];
    ss_scenario_hash(tr, hash);
    ss_opt_meta meta = {tr->name, o->path, hash, NULL, dtr->provenance_json};
    ss_scenario_eval_ctx ectx = {tr, &space, dtr};
    if (ss_optimize_run(&space, &cfg, ss_scenario_eval_fn, &ectx, st, &meta, 0, &res, err))
        goto out;
    have_res = true;
    fr->optimization_id = res.id;
    double slo = !isnan(o->slo_pct) ? o->slo_pct / 100.0 : base->search.slo_availability;
    ss_recommendation rec;
    int pick = ss_recommend(&res, slo, NAN, &rec) ? -1 : rec.pick;
    ss_recommendation_free(&rec);

    /* (3) the test window with its real data */
    f.from = w[2];
    f.to = w[3];
    if (ss_fit_evidence_load(st, &f, &evt, err))
        goto out;
    realized_src rs = o->realized;
    if (rs == REAL_AUTO)
        rs = base->market.interruptions == SS_INTERRUPT_TRACE && evt.n_traces ? REAL_TRACE
             : has_log(&evt)                                                ? REAL_REPLAY
             : evt.n_traces                                                 ? REAL_TRACE
             : base->market.interruptions == SS_INTERRUPT_MAX_PRICE         ? REAL_MAX_PRICE
                                                                            : REAL_SCENARIO;
    switch (rs) {
    case REAL_REPLAY:
        te->market.interruptions = SS_INTERRUPT_REPLAY;
        snprintf(fr->realized, sizeof fr->realized, "replay (log)");
        break;
    case REAL_TRACE:
        te->market.interruptions = SS_INTERRUPT_TRACE;
        snprintf(fr->realized, sizeof fr->realized, "trace");
        break;
    case REAL_MAX_PRICE:
        te->market.interruptions = SS_INTERRUPT_MAX_PRICE;
        snprintf(fr->realized, sizeof fr->realized, "max-price (price rule)");
        break;
    default:
        if (te->market.interruptions == SS_INTERRUPT_MODEL) {
            ss_err_set(err, "--realized scenario: the scenario's source is a fitted model, not"
                            " data of the test window");
            goto out;
        }
        snprintf(fr->realized, sizeof fr->realized, "scenario (assumed, no evidence)");
        break;
    }
    if (ss_data_load(st, &te->market, te->start, te->end, &dte, err))
        goto out;
    /* default: 1 replica for a trace replay (the trace is the only source of
     * interruptions: every replica is the same history), else 4 */
    int R = o->test_replicas > 0 ? o->test_replicas : rs == REAL_TRACE ? 1 : 4;
    slots = ss_calloc((size_t)res.n * (size_t)R + 1, sizeof *slots);
    int ns = 0;
    for (int i = 0; i < res.n; i++) {
        if (res.c[i].failed)
            continue;
        for (int k = 0; k < R; k++) {
            slots[ns].cand = i;
            slots[ns].replica = k;
            slots[ns].c = res.c[i].c;
            ns++;
        }
    }
    ss_scenario_eval_ctx tctx = {te, &space, dte};
    ss_optimize_eval_slots(ss_scenario_eval_fn, &tctx, slots, ns, 0, 1, o->threads);
    for (int s = 0; s < ns; s++)
        if (slots[s].rc) {
            ss_err_set(err, "test window, candidate %d: %s", slots[s].cand, slots[s].err.msg);
            goto out;
        }

    /* (4) score */
    fr->c = ss_calloc((size_t)res.n + 1, sizeof *fr->c);
    int rec_idx = -1;
    double *pa = ss_malloc((size_t)cfg.replicas * sizeof *pa);
    double *pc = ss_malloc((size_t)cfg.replicas * sizeof *pc);
    for (int i = 0, s = 0; i < res.n; i++) {
        if (res.c[i].failed)
            continue;
        ss_bt_candidate *c = &fr->c[fr->n];
        c->id = i;
        double sa = 0, sc2 = 0;
        for (int k = 0; k < cfg.replicas; k++) {
            pa[k] = res.c[i].rep[k].availability;
            pc[k] = res.c[i].rep[k].cost_per_month_usd;
            sa += pa[k];
            sc2 += pc[k];
        }
        c->pred_avail = sa / cfg.replicas;
        c->pred_cost = sc2 / cfg.replicas;
        ss_prediction_interval(pa, (size_t)cfg.replicas, 0.95, &c->pred_avail_lo,
                               &c->pred_avail_hi);
        ss_prediction_interval(pc, (size_t)cfg.replicas, 0.95, &c->pred_cost_lo,
                               &c->pred_cost_hi);
        double ra = 0, rcst = 0;
        for (int k = 0; k < R; k++, s++) {
            ra += slots[s].m.availability;
            rcst += slots[s].m.cost_per_month_usd;
        }
        c->real_avail = ra / R;
        c->real_cost = rcst / R;
        if (i == pick)
            rec_idx = (int)fr->n;
        fr->n++;
    }
    free(pa);
    free(pc);
    ss_backtest_score(fr->c, fr->n, slo, rec_idx, &fr->s);
    char thash[17];
    ss_scenario_hash(base, thash);
    if (store_fold(st, base, thash, fold, w, slo, fr, err))
        goto out;
    rc = 0;
out:
    free(slots);
    if (have_res)
        ss_opt_result_free(&res);
    ss_data_free(dtr);
    ss_data_free(dte);
    if (have_model)
        ss_fit_model_free(&model);
    ss_fit_output_free(&fo);
    ss_fit_evidence_free(&ev);
    ss_fit_evidence_free(&evt);
    free(tr);
    free(te);
    if (rc) {
        free(fr->c);
        fr->c = NULL;
    }
    return rc;
}

static void print_fold(const fold_result *fr, int fold, const ss_time w[4], double slo)
{
    char a[SS_TIME_BUFLEN], b[SS_TIME_BUFLEN], c2[SS_TIME_BUFLEN], d[SS_TIME_BUFLEN];
    const ss_bt_summary *s = &fr->s;
    printf("fold %d: train %s .. %s, test %s .. %s (backtest %lld, optimization %lld)\n", fold,
           ss_time_format(w[0], a), ss_time_format(w[1], b), ss_time_format(w[2], c2),
           ss_time_format(w[3], d), (long long)fr->backtest_id, (long long)fr->optimization_id);
    if (fr->model[0]) {
        printf("  predicted from   model %s (%d pool%s with interruption evidence", fr->model,
               fr->model_pools, fr->model_pools == 1 ? "" : "s");
        if (fr->model_thin)
            printf(", %d of them TOO THIN: fewer than %d interruptions", fr->model_thin,
                   SS_FIT_MIN_EVENTS);
        if (fr->model_zones)
            printf("; capacity process of %d zone%s", fr->model_zones,
                   fr->model_zones == 1 ? "" : "s");
        printf("), %d replica%s per candidate\n", fr->replicas, fr->replicas == 1 ? "" : "s");
    } else {
        printf("  predicted from   the scenario's own source (no evidence in the training"
               " window)\n");
    }
    printf("  realized with    %s\n", fr->realized);
    printf("  %-10s %-26s %-9s %-9s %-24s %-9s %s\n", "candidate", "pred. availability [95%]",
           "realized", "in int.", "pred. USD/month [95%]", "realized", "SLO met");
    for (size_t i = 0; i < fr->n; i++) {
        const ss_bt_candidate *c = &fr->c[i];
        bool show = (int)i == s->recommended || (int)i == s->best_hindsight || fr->n <= 12;
        if (!show)
            continue;
        char tag[16] = "";
        if ((int)i == s->recommended)
            snprintf(tag, sizeof tag, " (rec.)");
        else if ((int)i == s->best_hindsight)
            snprintf(tag, sizeof tag, " (best)");
        printf("  %4d%-6s %8.4f%% [%.4f, %.4f] %8.4f%% %-9s %7.1f [%.1f, %.1f] %8.1f  %s\n", c->id,
               tag, 100 * c->pred_avail, 100 * c->pred_avail_lo, 100 * c->pred_avail_hi,
               100 * c->real_avail, c->avail_covered ? "yes" : "NO", c->pred_cost, c->pred_cost_lo,
               c->pred_cost_hi, c->real_cost, slo > 0 ? (c->slo_met ? "yes" : "NO") : "-");
    }
    printf("  calibration      %d candidates: realized availability inside the predicted interval"
           " %.0f %%, cost %.0f %%\n",
           s->n, 100 * s->avail_coverage, 100 * s->cost_coverage);
    printf("                   mean abs. error: availability %.4f pp, cost %.2f USD/month (%.1f %%)\n",
           100 * s->avail_mae, s->cost_mae, 100 * s->cost_mape);
    char sc_txt[48], sa_txt[48];
    if (isnan(s->spearman_cost))
        snprintf(sc_txt, sizeof sc_txt, "n/a (one side constant)");
    else
        snprintf(sc_txt, sizeof sc_txt, "%.3f", s->spearman_cost);
    if (isnan(s->spearman_avail))
        snprintf(sa_txt, sizeof sa_txt, "n/a (one side constant)");
    else
        snprintf(sa_txt, sizeof sa_txt, "%.3f", s->spearman_avail);
    printf("                   Spearman predicted vs realized: cost %s, availability %s\n", sc_txt,
           sa_txt);
    if (slo > 0)
        printf("                   %d candidate%s predicted to meet the SLO of %.4g %% did not\n",
               s->pred_meets_real_fails, s->pred_meets_real_fails == 1 ? "" : "s", 100 * slo);
    if (s->recommended >= 0) {
        const ss_bt_candidate *r = &fr->c[s->recommended];
        printf("  recommendation   candidate %d: realized %.4f %% (%s the SLO), %.1f USD/month\n",
               r->id, 100 * r->real_avail, r->slo_met ? "met" : "MISSED", r->real_cost);
    } else {
        printf("  recommendation   none (no candidate met the SLO on the training window)\n");
    }
    if (s->best_hindsight >= 0)
        printf("  best in hindsight candidate %d: %.1f USD/month%s", fr->c[s->best_hindsight].id,
               fr->c[s->best_hindsight].real_cost, isfinite(s->regret_usd_month) ? "" : "\n");
    if (s->best_hindsight >= 0 && isfinite(s->regret_usd_month)) {
        if (s->regret_usd_month >= 0)
            printf(" (the recommendation cost %.1f USD/month more)\n", s->regret_usd_month);
        else /* the recommendation was cheaper: it missed the SLO on the test window */
            printf(" (the recommendation cost %.1f USD/month less and missed the SLO)\n",
                   -s->regret_usd_month);
    }
    if (s->best_hindsight < 0)
        printf("  best in hindsight none: no candidate met the SLO on the test window\n");
}

static int write_outputs(const char *dir, const fold_result *fr, int n_folds, ss_err *err)
{
    if (ss_mkdirs(dir, err))
        return -1;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    if (!f)
        return ss_err_set(err, "out of memory");
    fprintf(f, "fold,candidate,pred_availability,pred_availability_lo,pred_availability_hi,"
               "real_availability,availability_covered,pred_cost_per_month,pred_cost_lo,"
               "pred_cost_hi,real_cost_per_month,cost_covered,pred_slo_met,slo_met,recommended,"
               "best_hindsight\n");
    for (int k = 0; k < n_folds; k++)
        for (size_t i = 0; i < fr[k].n; i++) {
            const ss_bt_candidate *c = &fr[k].c[i];
            fprintf(f, "%d,%d,%.9g,%.9g,%.9g,%.9g,%d,%.9g,%.9g,%.9g,%.9g,%d,%d,%d,%d,%d\n", k,
                    c->id, c->pred_avail, c->pred_avail_lo, c->pred_avail_hi, c->real_avail,
                    c->avail_covered, c->pred_cost, c->pred_cost_lo, c->pred_cost_hi,
                    c->real_cost, c->cost_covered, c->pred_slo_met, c->slo_met,
                    (int)i == fr[k].s.recommended, (int)i == fr[k].s.best_hindsight);
        }
    fclose(f);
    int rc = ss_write_file_atomic(dir, "backtest.csv", csv, err);
    free(csv);
    if (rc)
        return -1;
    ss_report_gp g;
    memset(&g, 0, sizeof g);
    g.formats = SS_REPORT_PNG | SS_REPORT_SVG;
    snprintf(g.stage, sizeof g.stage, "%s", dir);
    char data_dir[1100];
    snprintf(data_dir, sizeof data_dir, "%s/data", dir);
    if (ss_mkdirs(data_dir, err) ||
        ss_report_template_dir(g.template_dir, sizeof g.template_dir, err) ||
        ss_report_find_gnuplot(getenv("PATH"), g.gnuplot, sizeof g.gnuplot, err))
        return -1;
    FILE *d = ss_report_data_open(&g, "backtest.tsv", err);
    if (!d) {
        ss_report_gp_free(&g);
        return -1;
    }
    /* block 0: every candidate; block 1: the recommendations */
    for (int blk = 0; blk < 2; blk++) {
        for (int k = 0; k < n_folds; k++)
            for (size_t i = 0; i < fr[k].n; i++) {
                if (blk == 1 && (int)i != fr[k].s.recommended)
                    continue;
                const ss_bt_candidate *c = &fr[k].c[i];
                fprintf(d, "%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\t%.9g\n",
                        100 * c->pred_avail, 100 * c->pred_avail_lo, 100 * c->pred_avail_hi,
                        100 * c->real_avail, c->pred_cost, c->pred_cost_lo, c->pred_cost_hi,
                        c->real_cost);
            }
        fprintf(d, "NaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\n\n\n");
    }
    rc = ss_report_data_close(d, "backtest.tsv", err);
    ss_report_params p = {0};
    ss_report_param_str(&p, "title", "Backtest: predicted on the training window vs realized"
                                     " on the test window");
    if (rc == 0)
        rc = ss_report_plot(&g, "backtest.gp", "backtest", &p, err);
    ss_report_params_free(&p);
    ss_report_gp_free(&g);
    return rc;
}

int ss_cmd_backtest(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"train", required_argument, NULL, 'a'},
        {"test", required_argument, NULL, 'b'},     {"rolling", required_argument, NULL, 'k'},
        {"budget", required_argument, NULL, 'B'},   {"replicas", required_argument, NULL, 'r'},
        {"test-replicas", required_argument, NULL, 'R'}, {"slo", required_argument, NULL, 'S'},
        {"realized", required_argument, NULL, 'z'}, {"threads", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    bt_opts o = {.db = ss_default_db(), .rolling = 1, .test_replicas = 0, .slo_pct = NAN,
                 .budget = -1, .replicas = -1};
    bool have_train = false, have_test = false;
    int c;
    char *end;
    ss_getopt_reset();
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        long v = 0;
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'a':
        case 'b':
            if (parse_window(optarg, c == 'a' ? &o.train_from : &o.test_from,
                             c == 'a' ? &o.train_to : &o.test_to))
                return ss_usage_error("backtest", "--%s: expected FROM..TO (ISO-8601, FROM before"
                                                  " TO), got '%s'",
                                      c == 'a' ? "train" : "test", optarg);
            if (c == 'a')
                have_train = true;
            else
                have_test = true;
            break;
        case 'k':
        case 'B':
        case 'r':
        case 'R':
        case 't':
            v = strtol(optarg, &end, 10);
            if (*end || end == optarg || v < 1 || v > 1000000)
                return ss_usage_error("backtest", "%s: expected a positive integer, got '%s'",
                                      argv[optind - 1], optarg);
            if (c == 'k')
                o.rolling = (int)(v > 1000 ? 1000 : v);
            else if (c == 'B')
                o.budget = v;
            else if (c == 'r')
                o.replicas = v;
            else if (c == 'R')
                o.test_replicas = (int)(v > 10000 ? 10000 : v);
            else
                o.threads = (int)(v > 4096 ? 4096 : v);
            break;
        case 'S': {
            /* the one SLO rule (sim/scenario/slo.c): 99.9% or 0.999 */
            ss_err serr;
            double frac;
            if (ss_slo_parse(optarg, false, &frac, &serr))
                return ss_usage_error("backtest", "--slo: %s", serr.msg);
            o.slo_pct = 100.0 * frac;
            break;
        }
        case 'z': {
            static const char *names[] = {"auto", "replay", "trace", "max-price", "scenario"};
            int k = -1;
            for (int i = 0; i < 5; i++)
                if (!strcmp(optarg, names[i]))
                    k = i;
            if (k < 0)
                return ss_usage_error("backtest", "--realized: expected auto, replay, trace,"
                                                  " max-price or scenario, got '%s'", optarg);
            o.realized = (realized_src)k;
            break;
        }
        case 'o': o.outdir = optarg; break;
        case 'h': return ss_print_usage("backtest");
        case ':':
            return ss_usage_error("backtest", "option '%s' needs a value", argv[optind - 1]);
        default: return ss_unknown_option("backtest", argv[optind - 1], opts);
        }
    }
    if (optind != argc - 1)
        return ss_usage_error("backtest", optind >= argc ? "missing SCENARIO"
                                                         : "one SCENARIO expected");
    if (!have_train || !have_test)
        return ss_usage_error("backtest", "--train FROM..TO and --test FROM..TO are required");
    if (o.test_from < o.train_to)
        return ss_usage_error("backtest", "the test window must start at or after the end of"
                                          " the training window");
    o.path = argv[optind];

    ss_err err;
    int rc = SS_EXIT_FAIL;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_store st = {0};
    fold_result *fr = ss_calloc((size_t)o.rolling, sizeof *fr);
    int done = 0;
    if (access(o.db, R_OK) != 0) {
        ss_fail("backtest", "%s: no store here (import data first, or give --db)", o.db);
        goto out;
    }
    if (ss_scenario_load_file(o.path, sc, &err) || ss_store_open(&st, o.db, 0, &err)) {
        ss_fail("backtest", "%s", err.msg);
        goto out;
    }
    if (sc->search.n_params == 0) {
        ss_fail("backtest", "%s: the scenario has no search: block (nothing to optimize)", o.path);
        goto out;
    }
    double slo = !isnan(o.slo_pct) ? o.slo_pct / 100.0 : sc->search.slo_availability;
    ss_time shift = o.test_to - o.test_from;
    double cov_a = 0, cov_c = 0, mae_a = 0, mae_c = 0, mape = 0;
    int n_all = 0, rec_met = 0, rec_n = 0;
    for (int k = 0; k < o.rolling; k++) {
        ss_time w[4] = {o.train_from + k * shift, o.train_to + k * shift, o.test_from + k * shift,
                        o.test_to + k * shift};
        if (run_fold(&st, &o, sc, k, w, &fr[k], &err)) {
            ss_fail("backtest", "fold %d: %s", k, err.msg);
            goto out;
        }
        done++;
        print_fold(&fr[k], k, w, slo);
        const ss_bt_summary *s = &fr[k].s;
        cov_a += s->avail_coverage * s->n;
        cov_c += s->cost_coverage * s->n;
        mae_a += s->avail_mae * s->n;
        mae_c += s->cost_mae * s->n;
        mape += (isfinite(s->cost_mape) ? s->cost_mape : 0) * s->n;
        n_all += s->n;
        if (s->recommended >= 0) {
            rec_n++;
            rec_met += fr[k].c[s->recommended].slo_met;
        }
    }
    if (o.rolling > 1 && n_all > 0)
        printf("\nover %d folds (%d candidate evaluations): availability inside the predicted"
               " interval %.0f %%, cost %.0f %%; mean abs. error availability %.4f pp, cost %.2f"
               " USD/month (%.1f %%); the recommendation met the SLO in %d of %d folds\n",
               o.rolling, n_all, 100 * cov_a / n_all, 100 * cov_c / n_all, 100 * mae_a / n_all,
               mae_c / n_all, 100 * mape / n_all, rec_met, rec_n);
    if (o.outdir && write_outputs(o.outdir, fr, done, &err)) {
        ss_fail("backtest", "%s", err.msg);
        goto out;
    }
    rc = SS_EXIT_OK;
out:
    for (int k = 0; k < o.rolling; k++)
        free(fr[k].c);
    free(fr);
    if (st.db)
        ss_store_close(&st);
    free(sc);
    return rc;
}
