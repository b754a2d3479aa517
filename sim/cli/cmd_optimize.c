/*
 * cmd_optimize.c - `spotsim optimize`: search the scenario's `search:` space,
 * store every (candidate, replica), write the frontier, the recommendation
 * and the exports of the recommended configuration.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "datasets/store.h"
#include "datasets/data_load.h"
#include "datasets/market_data.h"
#include "sim/scenario/scenario_io.h"
#include "policies/baseline.h"
#include "policies/export.h"
#include "policies/optimize.h"
#include "policies/optimize_eval.h"
#include "sim/cli/cli.h"
#include "sim/cli/fit_build.h"
#include "sim/kernel/fileio.h"
#ifdef SPOTSIM_HAVE_MPI
#include <omp.h>

#include "sim/cli/optimize_mpi.h"
#endif

const char ss_usage_optimize[] =
    "Usage: spotsim optimize SCENARIO [options]\n"
    "\n"
    "Search the scenario's `search:` space for the cost/availability Pareto frontier\n"
    "and recommend the cheapest configuration that meets the SLO.\n"
    "\n"
    "Options (defaults come from the scenario's search: block):\n"
    "  --db FILE            store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  --method M           grid | lhs | random | nsga2 | auto (grid if it fits the budget)\n"
    "  --budget N           candidates to evaluate (grid: all points)\n"
    "  --replicas N         replicas per candidate (common random numbers)\n"
    "  --seed S             seed of the candidate generator\n"
    "  --threads N          OpenMP threads (default: all cores)\n"
    "  --slo A              availability SLO: 99.9% or 0.999 (a bare 99.9 is refused:\n"
    "                       it could be read as a fraction or a percentage)\n"
    "  --statistic S        mean | median | pN (N% worst case), e.g. p5\n"
    "  --objectives A,B     two metric names (default cost_per_month_usd,availability)\n"
    "  --out DIR            output directory (default results/optimization-ID)\n"
    "  --resume ID          continue an interrupted optimization\n"
    "  --quiet              no progress output\n"
    "  --json               print the id, the recommendation and the frontier as JSON\n"
    "                       (instead of the id alone)\n"
    "  --mpi                distribute the evaluations over the ranks of an MPI job:\n"
    "                       mpirun -n K spotsim optimize SCENARIO --mpi ... (builds\n"
    "                       with SPOTSIM_MPI=ON only)\n"
    "  -h, --help           this text\n"
    "\n"
    "Writes frontier.csv, recommendation.txt and the recommended configuration\n"
    "(asg.json, ecs-capacity-provider.json, ecs-service.json, ecs.config or\n"
    "k8s.yaml, main.tf); prints the optimization id. Exit 0; 1 on failure or when\n"
    "no candidate meets the SLO; 2 on usage errors; 130 when interrupted (resume\n"
    "with --resume ID). See docs/optimize.md.\n"
    "\n"
    "Examples:\n"
    "  spotsim optimize examples/ecs-api-3az-2016.yaml --slo 99.9% --out results/opt\n"
    "  spotsim optimize examples/k8s-zone-spread.yaml --method lhs --budget 50 --replicas 4\n"
    "  spotsim optimize examples/ecs-api-3az-2016.yaml --resume 3\n";

static volatile sig_atomic_t g_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

typedef struct progress {
    bool tty, quiet;
    double last;            /* elapsed time of the last line (not a TTY) */
    long printed;           /* done count of the last line, -1 none */
    bool started;
    long first_done;        /* the first report: rate and ETA count from it, */
    double first_elapsed;   /* so slots loaded by --resume do not inflate them */
} progress;

/* Seconds between two lines when stderr is not a terminal (a log file or a
 * pipe): a line per batch would flood it. */
#define PROGRESS_LOG_INTERVAL 10.0

static void show_progress(void *vctx, long done, long total, double elapsed)
{
    progress *p = vctx;
    if (p->quiet)
        return;
    if (!p->started) {
        p->started = true;
        p->first_done = done;
        p->first_elapsed = elapsed;
        p->printed = -1;
    }
    double span = elapsed - p->first_elapsed;
    double rate = span > 0 ? (double)(done - p->first_done) / span : elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 && total > done ? (double)(total - done) / rate : 0;
    double pct = total > 0 ? 100.0 * (double)done / (double)total : 100.0;
    if (p->tty) {
        int width = 30, fill = total > 0 ? (int)(width * (double)done / (double)total) : 0;
        if (fill > width)
            fill = width;
        fprintf(stderr, "\r[%.*s%*s] %ld/%ld (%3.0f%%)  %.1f eval/s  ETA %.0fs ", fill,
                "##############################", width - fill, "", done, total, pct, rate, eta);
        fflush(stderr);
    } else if (done != p->printed && (done == total || elapsed - p->last >= PROGRESS_LOG_INTERVAL)) {
        fprintf(stderr, "optimize: %ld/%ld evaluations (%.0f%%), %.1f/s, ETA %.0fs\n", done, total, pct, rate,
                eta);
        p->last = elapsed;
        p->printed = done;
    }
}

#ifdef SPOTSIM_HAVE_MPI
/* An MPI rank other than 0. Start-up is two collective steps: (A) rank 0
 * has opened the store and loaded its data (or failed: everyone stops), so
 * the store exists and is not being created while workers read it; (B)
 * every worker has loaded what the evaluator needs - scenario, space,
 * market data, from the store opened read-only and closed again, so that
 * only rank 0 ever writes it. Then evaluate this rank's share of every
 * batch until rank 0 says stop. */
static int mpi_worker_main(const char *path, const char *db, int threads, int rank)
{
    if (!ss_mpi_all_ok(true)) { /* (A): rank 0 failed and said why */
        ss_mpi_finalize();
        return SS_EXIT_FAIL;
    }
    ss_err err;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_space *space = ss_malloc(sizeof *space);
    ss_data *data = NULL;
    ss_fit_model *model = NULL;
    ss_store st = {0};
    bool ok = ss_scenario_load_file(path, sc, &err) == 0 && ss_space_build(&sc->search, space, &err) == 0 &&
              ss_store_open(&st, db, 1, &err) == 0 && ss_data_load(&st, &sc->market, sc->start, sc->end, &data, &err) == 0 &&
              ss_fit_attach_scenario(&st, sc, data, &model, &err) == 0;
    space->bind = &ss_scenario_binder;
    if (!ok)
        ss_fail("optimize", "MPI rank %d: %s", rank, err.msg);
    if (st.db)
        ss_store_close(&st);
    int rc = SS_EXIT_FAIL;
    if (ss_mpi_all_ok(ok)) { /* (B) */
        ss_scenario_eval_ctx ectx = {sc, space, data};
        ss_mpi_ctx mc = {ss_scenario_eval_fn, &ectx, threads};
        if (ss_mpi_worker(&mc, &err))
            ss_fail("optimize", "%s", err.msg);
        else
            rc = SS_EXIT_OK;
    }
    ss_data_free(data);
    if (model) {
        ss_fit_model_free(model);
        free(model);
    }
    free(space);
    free(sc);
    ss_mpi_finalize();
    return rc;
}
#endif

typedef struct baseline_ctx {
    const ss_scenario *sc;
    const ss_data *data;
    bool done;
    int rc;
    double value;
} baseline_ctx;

/* The all-On-Demand baseline: the scenario as written (not the candidate),
 * simulated all On-Demand with the scenario's own replicas and seed - the
 * same figure `spotsim run` shows for that scenario. Computed once. */
static int candidate_baseline(void *vctx, int cand_index, double *usd_month, ss_err *err)
{
    (void)cand_index;
    baseline_ctx *b = vctx;
    if (!b->done) {
        b->rc = ss_ondemand_baseline(b->sc, b->data, b->sc->replicas > 0 ? b->sc->replicas : 1, &b->value, err);
        b->done = true;
    }
    *usd_month = b->value;
    return b->rc;
}

static json_t *cand_json(const ss_opt_result *r, int i)
{
    const ss_opt_candidate *c = &r->c[i];
    json_t *o = json_object();
    json_object_set_new(o, "candidate", json_integer(i));
    json_t *params = c->params_json ? json_loads(c->params_json, 0, NULL) : NULL;
    json_object_set_new(o, "params", params ? params : json_object());
    for (int j = 0; j < 2; j++) {
        json_t *x = json_object();
        json_object_set_new(x, "value", json_real(c->obj[j].value));
        json_object_set_new(x, "ci95_low", json_real(c->obj[j].lo));
        json_object_set_new(x, "ci95_high", json_real(c->obj[j].hi));
        json_object_set_new(o, r->cfg.objectives[j], x);
    }
    return o;
}

/* optimize --json: the id, where the files are, the recommendation (null
 * when none) and the frontier, on stdout. */
static void print_json_result(const ss_opt_result *r, const char *outdir, double slo, int pick, double baseline)
{
    json_t *o = json_object();
    json_object_set_new(o, "optimization_id", json_integer(r->id));
    json_object_set_new(o, "out", json_string(outdir));
    char stat[32];
    ss_statistic_format(&r->cfg.statistic, stat, sizeof stat);
    json_object_set_new(o, "statistic", json_string(stat));
    json_object_set_new(o, "slo", slo > 0 ? json_real(slo) : json_null());
    if (pick >= 0) {
        json_t *rec = cand_json(r, pick);
        json_object_set_new(rec, "ondemand_baseline_per_month", isnan(baseline) ? json_null() : json_real(baseline));
        json_object_set_new(o, "recommended", rec);
    } else {
        json_object_set_new(o, "recommended", json_null());
    }
    json_t *fr = json_array();
    for (int i = 0; i < r->n; i++)
        if (r->c[i].on_front)
            json_array_append_new(fr, cand_json(r, i));
    json_object_set_new(o, "frontier", fr);
    json_object_set_new(o, "candidates", json_integer(r->n));
    char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (txt)
        printf("%s\n", txt);
    free(txt);
    json_decref(o);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* What the data did not back, over every candidate replica of the
 * optimization (docs/market.md, "the coverage rule"): a warning on stderr. */
static void warn_uncovered(ss_store *st, long long id)
{
    sqlite3_stmt *s;
    if (ss_store_prepare(st,
                         "SELECT AVG(price_uncovered_hours), AVG(capacity_uncovered_hours),"
                         " AVG(refused_price) FROM candidate_results WHERE optimization_id = ?1",
                         &s, NULL))
        return;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        double pu = sqlite3_column_double(s, 0), cu = sqlite3_column_double(s, 1),
               rp = sqlite3_column_double(s, 2);
        if (pu > 0 || cu > 0)
            fprintf(stderr,
                    "spotsim optimize: warning: per candidate replica, %.2f Spot instance-hours before"
                    " a pool's first price record and %.2f outside its capacity traces are not backed"
                    " by data (market.uncovered: fill; columns price_uncovered_hours,"
                    " capacity_uncovered_hours)\n",
                    pu, cu);
        if (rp > 0)
            fprintf(stderr,
                    "spotsim optimize: warning: per candidate replica, %.1f Spot launch attempts were"
                    " refused because the Spot price was above the max price (column refused_price)\n",
                    rp);
    }
    sqlite3_finalize(s);
}

int ss_cmd_optimize(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"method", required_argument, NULL, 'm'},
        {"budget", required_argument, NULL, 'b'},   {"replicas", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},     {"threads", required_argument, NULL, 't'},
        {"slo", required_argument, NULL, 'S'},      {"statistic", required_argument, NULL, 'T'},
        {"objectives", required_argument, NULL, 'o'}, {"out", required_argument, NULL, 'O'},
        {"resume", required_argument, NULL, 'R'},   {"quiet", no_argument, NULL, 'q'},
        {"mpi", no_argument, NULL, 'M'},         {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    const char *db = ss_default_db(), *method = NULL, *statistic = NULL, *objectives = NULL,
               *outdir = NULL;
    long budget = -1, replicas = -1, threads = 0, resume = 0;
    long long seed = -1;
    double slo = NAN;
    bool quiet = false, use_mpi = false, json = false;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        long v;
        switch (c) {
        case 'd': db = optarg; break;
        case 'm': {
            static const char *const methods[] = {"auto", "grid", "lhs", "random", "nsga2", NULL};
            ss_search_method mm;
            if (ss_search_method_parse(optarg, &mm))
                return ss_bad_choice("optimize", "--method", optarg, methods);
            method = optarg;
            break;
        }
        case 'b':
            if (parse_int(optarg, 1, 10000000, &budget))
                return ss_usage_error("optimize", "--budget: expected a positive integer, got '%s'", optarg);
            break;
        case 'r':
            if (parse_int(optarg, 1, 100000, &replicas))
                return ss_usage_error("optimize", "--replicas: expected a positive integer, got '%s'", optarg);
            break;
        case 's':
            if (parse_int(optarg, 0, 0x7fffffffL, &v))
                return ss_usage_error("optimize", "--seed: expected a non-negative integer, got '%s'", optarg);
            seed = v;
            break;
        case 't':
            if (parse_int(optarg, 1, 4096, &threads))
                return ss_usage_error("optimize", "--threads: expected a positive integer, got '%s'", optarg);
            break;
        case 'S': {
            ss_err serr;
            if (ss_slo_parse(optarg, false, &slo, &serr))
                return ss_usage_error("optimize", "--slo: %s", serr.msg);
            break;
        }
        case 'T': statistic = optarg; break;
        case 'o': objectives = optarg; break;
        case 'O': outdir = optarg; break;
        case 'R':
            if (parse_int(optarg, 1, 0x7fffffffL, &resume))
                return ss_usage_error("optimize", "--resume: expected an optimization id, got '%s'", optarg);
            break;
        case 'q': quiet = true; break;
        case 'M': use_mpi = true; break;
        case 'j': json = true; break;
        case 'h': return ss_print_usage("optimize");
        case ':': return ss_usage_error("optimize", "option '%s' needs an argument", argv[optind - 1]);
        default: return ss_unknown_option("optimize", argv[optind - 1], opts);
        }
    }
    if (optind != argc - 1)
        return ss_usage_error("optimize", optind >= argc ? "missing SCENARIO" : "one SCENARIO expected");
    const char *path = argv[optind];
#ifdef SPOTSIM_HAVE_MPI
    int mpi_rank = 0, mpi_size = 1;
    bool mpi_synced = false; /* passed start-up step (A), see mpi_worker_main */
    if (use_mpi) {
        ss_err merr;
        if (ss_mpi_init(NULL, NULL, &mpi_rank, &mpi_size, &merr))
            return ss_fail("optimize", "%s", merr.msg);
        if (mpi_rank > 0)
            return mpi_worker_main(path, db, (int)threads, mpi_rank);
        if (!quiet)
            fprintf(stderr, "spotsim optimize: MPI job of %d ranks\n", mpi_size);
    }
#else
    if (use_mpi) {
        fprintf(stderr, "spotsim optimize: --mpi: this build has no MPI support (configure with "
                        "-DSPOTSIM_MPI=ON; see docs/optimize.md)\n");
        return SS_EXIT_USAGE;
    }
#endif

    ss_err err;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    int exit_code = SS_EXIT_FAIL;
    ss_store st = {0};
    ss_data *data = NULL;
    ss_fit_model *model = NULL;
    ss_opt_result res = {0};
    bool have_res = false, outputs_pending = false, no_slo_met = false;
    char *text = NULL, *stored_hash = NULL;
    if (ss_scenario_load_file(path, sc, &err)) {
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    /* configuration: scenario search block, then the command line */
    ss_opt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.method = sc->search.method;
    cfg.budget = sc->search.budget;
    cfg.replicas = sc->search.replicas;
    cfg.population = sc->search.population;
    cfg.seed = sc->seed;
    memcpy(cfg.objectives, sc->search.objectives, sizeof cfg.objectives);
    if (ss_statistic_parse(sc->search.statistic[0] ? sc->search.statistic : "mean", &cfg.statistic, &err)) {
        ss_fail("optimize", "%s: search.statistic: %s", path, err.msg);
        goto out;
    }
    if (method && ss_search_method_parse(method, &cfg.method)) {
        exit_code = ss_usage_error("optimize", "--method: '%s'", method); /* checked above */
        goto out;
    }
    if (budget > 0)
        cfg.budget = (int)budget;
    if (replicas > 0)
        cfg.replicas = (int)replicas;
    if (seed >= 0)
        cfg.seed = (uint64_t)seed;
    if (statistic && ss_statistic_parse(statistic, &cfg.statistic, &err)) {
        exit_code = ss_usage_error("optimize", "--statistic: %s", err.msg);
        goto out;
    }
    if (objectives) {
        const char *comma = strchr(objectives, ',');
        if (!comma || strchr(comma + 1, ',') || (size_t)(comma - objectives) >= SS_NAME_MAX ||
            strlen(comma + 1) >= SS_NAME_MAX) {
            exit_code = ss_usage_error("optimize", "--objectives: expected two metric names 'a,b', got '%s'", objectives);
            goto out;
        }
        memcpy(cfg.objectives[0], objectives, (size_t)(comma - objectives));
        cfg.objectives[0][comma - objectives] = 0;
        strcpy(cfg.objectives[1], comma + 1);
    }
    for (int j = 0; j < 2; j++)
        if (ss_metric_lookup(cfg.objectives[j]) < 0) {
            exit_code = ss_usage_error("optimize", "objective '%s' is not a metric", cfg.objectives[j]);
            goto out;
        }
    double slo_frac = !isnan(slo) ? slo : sc->search.slo_availability;
    cfg.threads = (int)threads;

    ss_space space;
    if (ss_space_build(&sc->search, &space, &err)) {
        ss_fail("optimize", "%s: %s", path, err.msg);
        goto out;
    }
    space.bind = &ss_scenario_binder;
    /* the outputs are checked before the search, not after it */
    if (ss_check_writable_dir(outdir ? outdir : "results", &err)) {
        ss_fail("optimize", "--out: %s", err.msg);
        goto out;
    }
    if (ss_store_open(&st, db, 0, &err)) {
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    char hash[17];
    ss_scenario_hash(sc, hash);
    if (resume > 0) {
        ss_opt_config stored;
        memset(&stored, 0, sizeof stored);
        stored.statistic = cfg.statistic;
        if (ss_optimize_load_config(&st, resume, &stored, &text, &stored_hash, &err)) {
            ss_fail("optimize", "%s", err.msg);
            goto out;
        }
        if (strcmp(stored_hash, hash)) {
            ss_fail("optimize", "--resume %ld: %s is not the scenario of that optimization (hash %s, stored %s)",
                    resume, path, hash, stored_hash);
            goto out;
        }
        stored.threads = cfg.threads;
        cfg = stored;
    }
    if (ss_data_load(&st, &sc->market, sc->start, sc->end, &data, &err) ||
        ss_fit_attach_scenario(&st, sc, data, &model, &err)) {
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    progress prog = {.tty = isatty(fileno(stderr)) != 0, .quiet = quiet, .printed = -1};
    cfg.progress = show_progress;
    cfg.progress_ctx = &prog;
    cfg.stop = &g_stop;
    const char *hook = getenv("SPOTSIM_TEST_STOP_AFTER"); /* test hook: simulate a kill */
    if (hook)
        cfg.stop_after = atol(hook);
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    char *scen_text = NULL;
    {
        FILE *f = fopen(path, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            if (n >= 0) {
                scen_text = ss_calloc((size_t)n + 1, 1);
                if (fread(scen_text, 1, (size_t)n, f) != (size_t)n) {
                    free(scen_text);
                    scen_text = NULL;
                }
            }
            fclose(f);
        }
    }
    ss_opt_meta meta = {sc->name, path, hash, scen_text, data->provenance_json};
    ss_scenario_eval_ctx ectx = {sc, &space, data};
#ifdef SPOTSIM_HAVE_MPI
    ss_mpi_ctx mctx = {ss_scenario_eval_fn, &ectx, cfg.threads};
    if (use_mpi) {
        mpi_synced = true;
        ss_mpi_all_ok(true); /* (A): the store exists, workers may read it */
        if (!ss_mpi_all_ok(true)) { /* (B) */
            free(scen_text);
            sigaction(SIGINT, &old_int, NULL);
            sigaction(SIGTERM, &old_term, NULL);
            ss_fail("optimize", "an MPI rank could not load the scenario or its data (see its message)");
            goto out;
        }
        cfg.batch_fn = ss_mpi_batch;
        cfg.batch_ctx = &mctx;
        /* keep every rank's threads busy: 16 slots per thread per rank */
        int per = cfg.threads > 0 ? cfg.threads : omp_get_max_threads();
        cfg.batch = 16 * per * mpi_size;
    }
#endif
    int rc = ss_optimize_run(&space, &cfg, ss_scenario_eval_fn, &ectx, &st, &meta, resume, &res, &err);
#ifdef SPOTSIM_HAVE_MPI
    if (use_mpi)
        ss_mpi_stop_workers();
#endif
    free(scen_text);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (prog.tty && !quiet)
        fputc('\n', stderr);
    if (rc) {
        ss_fail("optimize", "%s", err.msg);
        if (res.id > 0) {
            /* What was evaluated is stored; say so and how to go on. The
             * status is set to 'interrupted' when the store lets us. */
            char sql[128];
            ss_err e2;
            snprintf(sql, sizeof sql, "UPDATE optimizations SET status = 'interrupted' WHERE id = %lld",
                     (long long)res.id);
            ss_store_exec(&st, sql, &e2);
            fprintf(stderr, "spotsim optimize: optimization %lld stopped; the evaluations stored so far are kept. "
                            "Continue with: spotsim optimize %s --db %s --resume %lld\n",
                    (long long)res.id, path, db, (long long)res.id);
        }
        goto out;
    }
    have_res = true;
    if (!json) {
        printf("%lld\n", (long long)res.id);
        fflush(stdout);
    }
    warn_uncovered(&st, res.id);
    if (res.interrupted) {
        fprintf(stderr, "spotsim optimize: interrupted; %ld evaluations stored. Continue with: spotsim optimize %s --db %s --resume %lld\n",
                res.loaded + res.evaluated, path, db, (long long)res.id);
        exit_code = 130;
        goto out;
    }
    char dirbuf[512];
    if (!outdir) {
        snprintf(dirbuf, sizeof dirbuf, "results/optimization-%lld", (long long)res.id);
        outdir = dirbuf;
    }
    /* from here on the search is complete and stored: a failure to write
     * an output says how to write them again without searching */
    outputs_pending = true;
    if (ss_mkdirs(outdir, &err)) {
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    {
        char *csv = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&csv, &len);
        if (!f || ss_optimize_write_csv(&res, f, &err)) {
            if (f)
                fclose(f);
            free(csv);
            ss_fail("optimize", "%s", err.msg);
            goto out;
        }
        fclose(f);
        rc = ss_write_file_atomic(outdir, "frontier.csv", csv, &err);
        free(csv);
        if (rc) {
            ss_fail("optimize", "%s", err.msg);
            goto out;
        }
    }
    double floor_usd = NAN;
    ss_err ferr;
    if (ss_cost_floor(sc, data, &floor_usd, &ferr))
        floor_usd = NAN;
    if (slo_frac <= 0) {
        ss_write_file_atomic(outdir, "recommendation.txt",
                   "No SLO given (--slo 99.9% or search.slo): frontier only, no recommendation.\n", &err);
        if (!quiet)
            fprintf(stderr, "spotsim optimize: no SLO given; wrote %s/frontier.csv only\n", outdir);
        exit_code = SS_EXIT_OK;
        if (json)
            print_json_result(&res, outdir, 0, -1, NAN);
        goto out;
    }
    ss_recommendation rec;
    /* ss_recommend returns 0 with the candidate in rec.pick, or -1 when no
     * candidate meets the SLO; the baseline is the scenario as written,
     * simulated all On-Demand. */
    baseline_ctx bctx = {.sc = sc, .data = data};
    int pick = ss_recommend_with_baseline(&res, slo_frac, floor_usd, candidate_baseline, &bctx, &rec) ? -1
                                                                                                     : rec.pick;
    if (ss_write_file_atomic(outdir, "recommendation.txt", rec.text, &err)) {
        ss_recommendation_free(&rec);
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    if (pick < 0) {
        no_slo_met = true;
        if (json)
            print_json_result(&res, outdir, slo_frac, -1, NAN);
        fputs(rec.text, stderr);
        ss_recommendation_free(&rec);
        ss_fail("optimize", "no candidate meets the SLO of %.6g%% (see %s/recommendation.txt)", slo_frac * 100, outdir);
        goto out;
    }
    if (!quiet)
        fputs(rec.text, stderr);
    char *rec_text = ss_strdup(rec.text);
    double rec_baseline = rec.baseline_month;
    ss_recommendation_free(&rec);
    {
        /* The report draws the recommendation, the SLO and the cost floor
         * (perfect foresight, USD per month) from these. */
        char sql[512], floor_sql[160] = "";
        if (!isnan(floor_usd))
            snprintf(floor_sql, sizeof floor_sql, ", '$.cost_floor_per_month', %.17g", floor_usd);
        if (!isnan(rec_baseline))
            snprintf(floor_sql + strlen(floor_sql), sizeof floor_sql - strlen(floor_sql),
                     ", '$.ondemand_baseline_per_month', %.17g", rec_baseline);
        /* where the exports are, for the report's "apply it" section */
        char absout[PATH_MAX];
        if (!realpath(outdir, absout))
            snprintf(absout, sizeof absout, "%s", outdir);
        snprintf(sql, sizeof sql,
                 "UPDATE optimizations SET extra_json = json_set(coalesce(extra_json, '{}'), "
                 "'$.recommended', %d, '$.slo', %.17g%s, '$.out', ?) WHERE id = %lld",
                 pick, slo_frac, floor_sql, (long long)res.id);
        sqlite3_stmt *up = NULL;
        if (ss_store_prepare(&st, sql, &up, &err)) {
            ss_fail("optimize", "%s", err.msg);
            goto out;
        }
        sqlite3_bind_text(up, 1, absout, -1, SQLITE_TRANSIENT);
        int src = sqlite3_step(up);
        sqlite3_finalize(up);
        if (src != SQLITE_DONE) {
            ss_fail("optimize", "%s: cannot record the recommendation: %s", db, sqlite3_errmsg(st.db));
            goto out;
        }
    }
    ss_scenario *best = ss_malloc(sizeof *best);
    if (ss_candidate_scenario(sc, &space, &res.c[pick].c, best, &err) ||
        ss_export_bundle(best, outdir, NULL, 0, true, &err) < 0) {
        free(best);
        free(rec_text);
        ss_fail("optimize", "%s", err.msg);
        goto out;
    }
    {
        /* fleet rules: which parts are native configuration, which need the controller */
        char *extra = ss_fleet_policy_summary(best);
        if (extra[0]) {
            ss_buf b = {0};
            ss_buf_printf(&b, "%s%s", rec_text, extra);
            if (!quiet)
                fputs(extra, stderr);
            if (ss_write_file_atomic(outdir, "recommendation.txt", b.s, &err)) {
                free(b.s);
                free(extra);
                free(best);
                free(rec_text);
                ss_fail("optimize", "%s", err.msg);
                goto out;
            }
            free(b.s);
        }
        free(extra);
    }
    free(rec_text);
    free(best);
    exit_code = SS_EXIT_OK;
    if (json)
        print_json_result(&res, outdir, slo_frac, pick, rec_baseline);
    outputs_pending = false;
out:
    if (outputs_pending && exit_code == SS_EXIT_FAIL && !no_slo_met)
        fprintf(stderr,
                "spotsim optimize: optimization %lld is stored; write its outputs again (no new evaluation) with: "
                "spotsim optimize %s --db %s --resume %lld --out %s\n",
                (long long)res.id, path, db, (long long)res.id, outdir);
#ifdef SPOTSIM_HAVE_MPI
    if (use_mpi) {
        if (!mpi_synced)
            ss_mpi_all_ok(false); /* release the workers waiting to start */
        ss_mpi_finalize();
    }
#endif
    if (have_res)
        ss_opt_result_free(&res);
    ss_data_free(data);
    if (model) {
        ss_fit_model_free(model);
        free(model);
    }
    if (st.db)
        ss_store_close(&st);
    free(text);
    free(stored_hash);
    free(sc);
    return exit_code;
}
