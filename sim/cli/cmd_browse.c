/*
 * cmd_browse.c - what the store holds, the way git log / kubectl get /
 * terraform show present it:
 *
 *   spotsim list [--json]            imports, runs, optimizations with ids and
 *                                    headline figures
 *   spotsim show REF [--json]        one of them in detail
 *   spotsim diff A B [--json]        two runs / candidates side by side
 *   spotsim explain REF              what drives a candidate's shortfalls and
 *                                    the counterfactual of its most
 *                                    influential parameter
 *
 * REF: run:ID, opt:ID (the recommended candidate), opt:ID/CAND, import:ID.
 * Everything is read from the store (read-only); nothing is simulated.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "datasets/store.h"
#include "models/metrics.h"
#include "sim/cli/cli.h"

const char ss_usage_list[] =
    "Usage: spotsim list [--db FILE] [--json]\n"
    "\n"
    "The imports, runs and optimizations in the store, newest last, with their\n"
    "ids (for show, diff, explain, export and report), scenario, date and\n"
    "headline figures: cost per month, availability, the all-On-Demand baseline.\n"
    "\n"
    "  --db FILE    store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  --json       as JSON\n"
    "  -h, --help   this text\n"
    "\n"
    "Examples:\n"
    "  spotsim list\n"
    "  spotsim list --json | jq '.optimizations[-1].id'\n";

const char ss_usage_show[] =
    "Usage: spotsim show REF [--db FILE] [--json]\n"
    "\n"
    "One stored item in detail. REF is run:ID, opt:ID (its recommended\n"
    "candidate), opt:ID/CAND or import:ID (ids from spotsim list).\n"
    "\n"
    "  --db FILE    store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  --json       as JSON\n"
    "  -h, --help   this text\n"
    "\n"
    "Examples:\n"
    "  spotsim show opt:1\n"
    "  spotsim show run:2 --json\n";

const char ss_usage_diff[] =
    "Usage: spotsim diff A B [--db FILE] [--json]\n"
    "\n"
    "Two runs or optimization candidates side by side: the parameters that\n"
    "differ, cost, availability, shortfalls, interruptions, with B - A.\n"
    "A and B are run:ID, opt:ID (recommended) or opt:ID/CAND.\n"
    "\n"
    "  --db FILE    store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  --json       as JSON\n"
    "  -h, --help   this text\n"
    "\n"
    "Examples:\n"
    "  spotsim diff opt:1 opt:1/7\n"
    "  spotsim diff run:1 run:2\n";

const char ss_usage_explain[] =
    "Usage: spotsim explain REF [--db FILE]\n"
    "\n"
    "What drives a candidate's shortfalls (episodes, their length, the\n"
    "interruptions and task restarts behind them, capacity that could not be\n"
    "launched, draining) and the counterfactual of its most influential\n"
    "parameter: the evaluated candidates that differ from it in that parameter\n"
    "only. REF is opt:ID (the recommended candidate), opt:ID/CAND or run:ID.\n"
    "\n"
    "  --db FILE    store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  -h, --help   this text\n"
    "\n"
    "Examples:\n"
    "  spotsim explain opt:1\n"
    "  spotsim explain opt:1/12\n";

/* ---- references --------------------------------------------------------------- */

typedef enum ref_kind { REF_RUN, REF_OPT, REF_IMPORT } ref_kind;

typedef struct ref {
    ref_kind kind;
    long id, cand; /* cand -1: the recommended one */
} ref;

static int parse_ref(const char *s, ref *r, ss_err *err)
{
    const char *colon = strchr(s, ':');
    r->cand = -1;
    if (!colon)
        return ss_err_set(err, "'%s': expected run:ID, opt:ID, opt:ID/CAND or import:ID", s);
    size_t n = (size_t)(colon - s);
    if ((n == 3 && !strncmp(s, "run", 3)))
        r->kind = REF_RUN;
    else if ((n == 3 && !strncmp(s, "opt", 3)) || (n == 12 && !strncmp(s, "optimization", 12)))
        r->kind = REF_OPT;
    else if (n == 6 && !strncmp(s, "import", 6))
        r->kind = REF_IMPORT;
    else
        return ss_err_set(err, "'%s': expected run:ID, opt:ID, opt:ID/CAND or import:ID", s);
    char *end;
    errno = 0;
    r->id = strtol(colon + 1, &end, 10);
    if (errno || end == colon + 1 || r->id < 1)
        return ss_err_set(err, "'%s': not an id after '%.*s:'", s, (int)n, s);
    if (*end == '/' && r->kind == REF_OPT) {
        const char *c = end + 1;
        errno = 0;
        r->cand = strtol(c, &end, 10);
        if (errno || end == c || r->cand < 0)
            return ss_err_set(err, "'%s': not a candidate number after '/'", s);
    }
    if (*end)
        return ss_err_set(err, "'%s': unexpected '%s'", s, end);
    return 0;
}

/* A run or a candidate: what show / diff / explain compare. */
typedef struct item {
    char label[64];
    char scenario[256];
    char hash[32];
    json_t *params; /* candidate parameters (object), or NULL for a run */
    double mean[SS_METRIC_COUNT];
    int n;          /* replicas */
    double baseline; /* all-On-Demand USD/month, NAN if not stored */
    long cand;
} item;

static void item_free(item *it)
{
    json_decref(it->params);
    it->params = NULL;
}

/* Columns 0 and 1 of the row: the scenario's name and hash. */
static void name_and_hash(sqlite3_stmt *s, item *it)
{
    const unsigned char *a = sqlite3_column_text(s, 0), *b = sqlite3_column_text(s, 1);
    snprintf(it->scenario, sizeof it->scenario, "%s", a ? (const char *)a : "");
    snprintf(it->hash, sizeof it->hash, "%s", b ? (const char *)b : "");
}

/* Means of every metric over the rows of table WHERE where (bound ids). */
static int load_means(ss_store *st, const char *table, const char *where, long a, long b, item *it, ss_err *err)
{
    char sql[4096];
    size_t len = (size_t)snprintf(sql, sizeof sql, "SELECT COUNT(*)");
    for (int m = 0; m < SS_METRIC_COUNT; m++)
        len += (size_t)snprintf(sql + len, sizeof sql - len, ", AVG(%s)", ss_metric_table[m].name);
    snprintf(sql + len, sizeof sql - len, " FROM %s WHERE %s", table, where);
    sqlite3_stmt *s;
    if (ss_store_prepare(st, sql, &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, a);
    if (b >= 0)
        sqlite3_bind_int64(s, 2, b);
    if (sqlite3_step(s) == SQLITE_ROW) {
        it->n = sqlite3_column_int(s, 0);
        for (int m = 0; m < SS_METRIC_COUNT; m++)
            it->mean[m] = sqlite3_column_type(s, m + 1) == SQLITE_NULL ? NAN : sqlite3_column_double(s, m + 1);
    }
    sqlite3_finalize(s);
    return 0;
}

static int load_item(ss_store *st, const char *db, const ref *r, item *it, ss_err *err)
{
    memset(it, 0, sizeof *it);
    it->baseline = NAN;
    it->cand = -1;
    sqlite3_stmt *s;
    if (r->kind == REF_IMPORT)
        return ss_err_set(err, "import:%ld has no results to compare (spotsim show import:%ld)", r->id, r->id);
    if (r->kind == REF_RUN) {
        if (ss_store_prepare(st, "SELECT scenario_name, scenario_hash FROM runs WHERE id = ?", &s, err))
            return -1;
        sqlite3_bind_int64(s, 1, r->id);
        if (sqlite3_step(s) != SQLITE_ROW) {
            sqlite3_finalize(s);
            return ss_err_set(err, "%s: no run %ld (spotsim list shows them)", db, r->id);
        }
        name_and_hash(s, it);
        sqlite3_finalize(s);
        snprintf(it->label, sizeof it->label, "run:%ld", r->id);
        if (load_means(st, "run_results", "run_id = ?", r->id, -1, it, err))
            return -1;
        if (ss_store_prepare(st,
                             "SELECT json_extract(extra_json, '$.ondemand_baseline_per_month') FROM run_results "
                             "WHERE run_id = ? AND json_valid(extra_json) LIMIT 1",
                             &s, err))
            return -1;
        sqlite3_bind_int64(s, 1, r->id);
        if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
            it->baseline = sqlite3_column_double(s, 0);
        sqlite3_finalize(s);
        return 0;
    }
    if (ss_store_prepare(st,
                         "SELECT scenario_name, scenario_hash, json_extract(extra_json, '$.recommended'), "
                         "json_extract(extra_json, '$.ondemand_baseline_per_month') FROM optimizations "
                         "WHERE id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, r->id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return ss_err_set(err, "%s: no optimization %ld (spotsim list shows them)", db, r->id);
    }
    name_and_hash(s, it);
    long rec = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
    double bl = sqlite3_column_type(s, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 3);
    sqlite3_finalize(s);
    long cand = r->cand;
    if (cand < 0) {
        if (rec < 0)
            return ss_err_set(err, "optimization %ld has no recommended candidate: name one, opt:%ld/CAND", r->id,
                              r->id);
        cand = rec;
    }
    it->baseline = bl; /* one per optimization: its scenario as written, all On-Demand */
    it->cand = cand;
    snprintf(it->label, sizeof it->label, "opt:%ld/%ld", r->id, cand);
    if (ss_store_prepare(st, "SELECT params_json FROM candidates WHERE optimization_id = ? AND candidate_id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, r->id);
    sqlite3_bind_int64(s, 2, cand);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return ss_err_set(err, "%s: optimization %ld has no candidate %ld", db, r->id, cand);
    }
    const char *pj = (const char *)sqlite3_column_text(s, 0);
    it->params = pj ? json_loads(pj, 0, NULL) : NULL;
    if (!json_is_object(it->params)) {
        json_decref(it->params);
        it->params = json_object();
    }
    sqlite3_finalize(s);
    return load_means(st, "candidate_results", "optimization_id = ? AND candidate_id = ?", r->id, cand, it, err);
}

/* A parameter value as text (strings bare, others as JSON). */
static void value_text(json_t *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "-");
    else if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, n, "%s", s ? s : "?");
        free(s);
    }
}

/* The figures show / diff print, in order. */
static const char *const headline[] = {"cost_per_month_usd", "availability", "served_fraction", "shortfall_episodes",
                                       "shortfall_p95_s", "shortfall_max_s", "shortfall_task_hours", "interruptions",
                                       "task_restarts", "launches", "failed_launches", "spot_instance_hours",
                                       "od_instance_hours"};

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static json_t *item_json(const item *it)
{
    json_t *o = json_object();
    json_object_set_new(o, "ref", json_string(it->label));
    json_object_set_new(o, "scenario", json_string(it->scenario));
    json_object_set_new(o, "scenario_hash", json_string(it->hash));
    if (it->params)
        json_object_set(o, "params", it->params);
    json_object_set_new(o, "replicas", json_integer(it->n));
    json_t *m = json_object();
    for (size_t i = 0; i < SS_ARRAY_LEN(headline); i++) {
        int id = ss_metric_lookup(headline[i]);
        json_object_set_new(m, headline[i], isnan(it->mean[id]) ? json_null() : json_real(it->mean[id]));
    }
    json_object_set_new(o, "metrics", m);
    json_object_set_new(o, "ondemand_baseline_per_month", isnan(it->baseline) ? json_null() : json_real(it->baseline));
    return o;
}

/* ---- common option parsing --------------------------------------------------------- */

static int parse_common(const char *cmd, int argc, char **argv, const char **db, bool *json, int want_args)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    *db = ss_default_db();
    *json = false;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': *db = optarg; break;
        case 'j': *json = true; break;
        case 'h': ss_print_usage(cmd); return -2;
        case ':': return ss_usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
        default: return ss_unknown_option(cmd, argv[optind - 1], opts);
        }
    }
    if (argc - optind != want_args)
        return ss_usage_error(cmd, want_args == 0   ? "unexpected argument '%s'"
                                   : want_args == 1 ? "expected one REF (run:ID, opt:ID, opt:ID/CAND, import:ID)"
                                                    : "expected two REFs (run:ID, opt:ID, opt:ID/CAND)",
                              optind < argc ? argv[optind] : "");
    return 0;
}

static int open_store(const char *cmd, const char *db, ss_store *st)
{
    ss_err err;
    FILE *f = fopen(db, "rb");
    if (!f)
        return ss_fail(cmd, "%s: no store there (import data or set --db / SPOTSIM_DB)", db);
    fclose(f);
    if (ss_store_open(st, db, 1, &err))
        return ss_fail(cmd, "%s", err.msg);
    return 0;
}

/* "kind:id" in one of 4 rotating buffers (for a printf argument list). */
static const char *refstr(const char *kind, json_int_t id)
{
    static char buf[4][48];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s:%lld", kind, (long long)id);
    return buf[k];
}

/* ---- list --------------------------------------------------------------------------- */

int ss_cmd_list(int argc, char **argv)
{
    const char *db;
    bool json;
    int rc = parse_common("list", argc, argv, &db, &json, 0);
    if (rc)
        return rc == -2 ? SS_EXIT_OK : rc;
    ss_store st;
    if (open_store("list", db, &st))
        return SS_EXIT_FAIL;
    ss_err err;
    sqlite3_stmt *s = NULL;
    json_t *o = json_object(), *imports = json_array(), *runs = json_array(), *opts = json_array();
    rc = SS_EXIT_FAIL;
    if (ss_store_prepare(&st, "SELECT id, imported_at, format, rows, file_name FROM provenance ORDER BY id", &s, &err))
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW)
        json_array_append_new(imports, json_pack("{s:I, s:s, s:s, s:I, s:s}", "id",
                                                 (json_int_t)sqlite3_column_int64(s, 0), "imported_at",
                                                 (const char *)sqlite3_column_text(s, 1), "format",
                                                 (const char *)sqlite3_column_text(s, 2), "rows",
                                                 (json_int_t)sqlite3_column_int64(s, 3), "file",
                                                 (const char *)sqlite3_column_text(s, 4)));
    sqlite3_finalize(s);
    if (ss_store_prepare(&st,
                         "SELECT r.id, r.created_at, r.scenario_name, r.replicas, AVG(x.cost_per_month_usd), "
                         "AVG(x.availability), MAX(json_extract(CASE WHEN json_valid(x.extra_json) THEN "
                         "x.extra_json END, '$.ondemand_baseline_per_month')) FROM runs r LEFT JOIN run_results "
                         "x ON x.run_id = r.id GROUP BY r.id ORDER BY r.id",
                         &s, &err))
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *x = json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)sqlite3_column_int64(s, 0), "created_at",
                              (const char *)sqlite3_column_text(s, 1), "scenario",
                              (const char *)sqlite3_column_text(s, 2), "replicas", sqlite3_column_int(s, 3));
        json_object_set_new(x, "cost_per_month_usd",
                            sqlite3_column_type(s, 4) == SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(s, 4)));
        json_object_set_new(x, "availability",
                            sqlite3_column_type(s, 5) == SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(s, 5)));
        json_object_set_new(x, "ondemand_baseline_per_month",
                            sqlite3_column_type(s, 6) == SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(s, 6)));
        json_array_append_new(runs, x);
    }
    sqlite3_finalize(s);
    if (ss_store_prepare(&st,
                         "SELECT o.id, o.created_at, o.scenario_name, o.method, o.status, "
                         "(SELECT COUNT(*) FROM candidates c WHERE c.optimization_id = o.id), "
                         "json_extract(o.extra_json, '$.recommended'), "
                         "(SELECT AVG(cost_per_month_usd) FROM candidate_results r WHERE r.optimization_id = o.id "
                         " AND r.candidate_id = json_extract(o.extra_json, '$.recommended')), "
                         "(SELECT AVG(availability) FROM candidate_results r WHERE r.optimization_id = o.id "
                         " AND r.candidate_id = json_extract(o.extra_json, '$.recommended')), "
                         "json_extract(o.extra_json, '$.ondemand_baseline_per_month') "
                         "FROM optimizations o ORDER BY o.id",
                         &s, &err))
        goto out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        json_t *x = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)sqlite3_column_int64(s, 0),
                              "created_at", (const char *)sqlite3_column_text(s, 1), "scenario",
                              (const char *)sqlite3_column_text(s, 2), "method", (const char *)sqlite3_column_text(s, 3),
                              "status", (const char *)sqlite3_column_text(s, 4), "candidates",
                              sqlite3_column_int(s, 5));
        json_object_set_new(x, "recommended",
                            sqlite3_column_type(s, 6) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int(s, 6)));
        for (int k = 7; k <= 9; k++) {
            const char *key = k == 7 ? "cost_per_month_usd" : k == 8 ? "availability" : "ondemand_baseline_per_month";
            json_object_set_new(x, key,
                                sqlite3_column_type(s, k) == SQLITE_NULL ? json_null()
                                                                        : json_real(sqlite3_column_double(s, k)));
        }
        json_array_append_new(opts, x);
    }
    sqlite3_finalize(s);
    s = NULL;
    if (json) {
        json_object_set_new(o, "store", json_string(db));
        json_object_set(o, "imports", imports);
        json_object_set(o, "runs", runs);
        json_object_set(o, "optimizations", opts);
        print_json(o);
        o = NULL;
    } else {
        printf("store %s\n\nIMPORTS\n  %-9s %-20s %-22s %9s  %s\n", db, "ID", "IMPORTED", "FORMAT", "ROWS", "FILE");
        for (size_t i = 0; i < json_array_size(imports); i++) {
            json_t *x = json_array_get(imports, i);
            printf("  %-9s %-20s %-22s %9lld  %s\n",
                   refstr("import", json_integer_value(json_object_get(x, "id"))),
                   json_string_value(json_object_get(x, "imported_at")),
                   json_string_value(json_object_get(x, "format")),
                   (long long)json_integer_value(json_object_get(x, "rows")),
                   json_string_value(json_object_get(x, "file")));
        }
        printf("\nRUNS\n  %-8s %-20s %-28s %4s %12s %13s %14s\n", "REF", "CREATED", "SCENARIO", "REPL", "USD/MONTH",
               "AVAILABILITY", "ALL-OD/MONTH");
        for (size_t i = 0; i < json_array_size(runs); i++) {
            json_t *x = json_array_get(runs, i);
            printf("  %-8s %-20s %-28.28s %4lld %12.2f %12.4f%% %14.2f\n",
                   refstr("run", json_integer_value(json_object_get(x, "id"))),
                   json_string_value(json_object_get(x, "created_at")),
                   json_string_value(json_object_get(x, "scenario")),
                   (long long)json_integer_value(json_object_get(x, "replicas")),
                   json_real_value(json_object_get(x, "cost_per_month_usd")),
                   100 * json_real_value(json_object_get(x, "availability")),
                   json_is_real(json_object_get(x, "ondemand_baseline_per_month"))
                       ? json_real_value(json_object_get(x, "ondemand_baseline_per_month"))
                       : NAN);
        }
        printf("\nOPTIMIZATIONS (figures of the recommended candidate)\n  %-8s %-20s %-28s %-6s %-11s %5s %5s "
               "%12s %13s %14s\n",
               "REF", "CREATED", "SCENARIO", "METHOD", "STATUS", "CANDS", "REC", "USD/MONTH", "AVAILABILITY",
               "ALL-OD/MONTH");
        for (size_t i = 0; i < json_array_size(opts); i++) {
            json_t *x = json_array_get(opts, i);
            json_t *rec = json_object_get(x, "recommended");
            char recs[16] = "-";
            if (json_is_integer(rec))
                snprintf(recs, sizeof recs, "%lld", (long long)json_integer_value(rec));
            json_t *cm = json_object_get(x, "cost_per_month_usd"), *av = json_object_get(x, "availability"),
                   *bl = json_object_get(x, "ondemand_baseline_per_month");
            printf("  %-8s %-20s %-28.28s %-6s %-11s %5lld %5s %12.2f %12.4f%% %14.2f\n",
                   refstr("opt", json_integer_value(json_object_get(x, "id"))),
                   json_string_value(json_object_get(x, "created_at")),
                   json_string_value(json_object_get(x, "scenario")), json_string_value(json_object_get(x, "method")),
                   json_string_value(json_object_get(x, "status")),
                   (long long)json_integer_value(json_object_get(x, "candidates")), recs,
                   json_is_number(cm) ? json_number_value(cm) : NAN,
                   json_is_number(av) ? 100 * json_number_value(av) : NAN,
                   json_is_number(bl) ? json_number_value(bl) : NAN);
        }
    }
    rc = SS_EXIT_OK;
out:
    if (rc)
        ss_fail("list", "%s", err.msg);
    json_decref(imports);
    json_decref(runs);
    json_decref(opts);
    json_decref(o);
    ss_store_close(&st);
    return rc;
}

/* ---- show ---------------------------------------------------------------------------- */

static void print_item(const item *it)
{
    printf("%s  scenario %s (hash %s), %d replica(s)\n", it->label, it->scenario, it->hash, it->n);
    if (it->params && json_object_size(it->params)) {
        printf("parameters:\n");
        const char *k;
        json_t *v;
        json_object_foreach(it->params, k, v)
        {
            char t[256];
            value_text(v, t, sizeof t);
            printf("  %-44s %s\n", k, t);
        }
    }
    printf("figures (mean over replicas):\n");
    for (size_t i = 0; i < SS_ARRAY_LEN(headline); i++) {
        int id = ss_metric_lookup(headline[i]);
        if (!strcmp(headline[i], "availability") || !strcmp(headline[i], "served_fraction"))
            printf("  %-28s %.4f%%\n", headline[i], 100 * it->mean[id]);
        else
            printf("  %-28s %.2f %s\n", headline[i], it->mean[id], ss_metric_table[id].unit);
    }
    if (!isnan(it->baseline))
        printf("  %-28s %.2f USD/month (the scenario as written, simulated all On-Demand)\n", "all On-Demand",
               it->baseline);
}

int ss_cmd_show(int argc, char **argv)
{
    const char *db;
    bool json;
    int rc = parse_common("show", argc, argv, &db, &json, 1);
    if (rc)
        return rc == -2 ? SS_EXIT_OK : rc;
    ref r;
    ss_err err;
    if (parse_ref(argv[optind], &r, &err))
        return ss_usage_error("show", "%s", err.msg);
    ss_store st;
    if (open_store("show", db, &st))
        return SS_EXIT_FAIL;
    rc = SS_EXIT_OK;
    if (r.kind == REF_IMPORT) {
        sqlite3_stmt *s;
        if (ss_store_prepare(&st, "SELECT file_name, sha256, format, options, rows, skipped, imported_at FROM "
                                  "provenance WHERE id = ?",
                             &s, &err)) {
            rc = ss_fail("show", "%s", err.msg);
        } else {
            sqlite3_bind_int64(s, 1, r.id);
            if (sqlite3_step(s) != SQLITE_ROW) {
                rc = ss_fail("show", "%s: no import %ld (spotsim list shows them)", db, r.id);
            } else {
                const char *names[] = {"file", "sha256", "format", "options", "rows", "skipped", "imported_at"};
                json_t *o = json_object();
                json_object_set_new(o, "ref", json_string(refstr("import", r.id)));
                for (int i = 0; i < 7; i++)
                    json_object_set_new(o, names[i],
                                        i == 4 || i == 5 ? json_integer(sqlite3_column_int64(s, i))
                                                         : json_string((const char *)sqlite3_column_text(s, i)));
                if (json) {
                    print_json(o);
                } else {
                    for (int i = 0; i < 7; i++) {
                        char t[512];
                        value_text(json_object_get(o, names[i]), t, sizeof t);
                        printf("%-12s %s\n", names[i], t);
                    }
                    json_decref(o);
                }
            }
            sqlite3_finalize(s);
        }
    } else {
        item it;
        if (load_item(&st, db, &r, &it, &err)) {
            rc = ss_fail("show", "%s", err.msg);
        } else if (json) {
            print_json(item_json(&it));
        } else {
            print_item(&it);
        }
        item_free(&it);
    }
    ss_store_close(&st);
    return rc;
}

/* ---- diff ------------------------------------------------------------------------------ */

int ss_cmd_diff(int argc, char **argv)
{
    const char *db;
    bool json;
    int rc = parse_common("diff", argc, argv, &db, &json, 2);
    if (rc)
        return rc == -2 ? SS_EXIT_OK : rc;
    ref ra, rb;
    ss_err err;
    if (parse_ref(argv[optind], &ra, &err) || parse_ref(argv[optind + 1], &rb, &err))
        return ss_usage_error("diff", "%s", err.msg);
    ss_store st;
    if (open_store("diff", db, &st))
        return SS_EXIT_FAIL;
    item a, b;
    memset(&b, 0, sizeof b);
    if (load_item(&st, db, &ra, &a, &err) || load_item(&st, db, &rb, &b, &err)) {
        item_free(&a);
        item_free(&b);
        ss_store_close(&st);
        return ss_fail("diff", "%s", err.msg);
    }
    /* parameters: the union of both, those that differ */
    json_t *pd = json_array();
    json_t *keys = json_object();
    const char *k;
    json_t *v;
    if (a.params)
        json_object_foreach(a.params, k, v) json_object_set_new(keys, k, json_true());
    if (b.params)
        json_object_foreach(b.params, k, v) json_object_set_new(keys, k, json_true());
    json_object_foreach(keys, k, v)
    {
        json_t *va = a.params ? json_object_get(a.params, k) : NULL, *vb = b.params ? json_object_get(b.params, k) : NULL;
        if (va && vb && json_equal(va, vb))
            continue;
        json_t *row = json_object();
        json_object_set_new(row, "param", json_string(k));
        json_object_set(row, "a", va ? va : json_null());
        json_object_set(row, "b", vb ? vb : json_null());
        json_array_append_new(pd, row);
    }
    json_decref(keys);
    if (json) {
        json_t *o = json_object();
        json_object_set_new(o, "a", item_json(&a));
        json_object_set_new(o, "b", item_json(&b));
        json_object_set_new(o, "params_differ", pd);
        print_json(o);
    } else {
        printf("%-44s %22s %22s %14s\n", "", a.label, b.label, "B - A");
        if (strcmp(a.hash, b.hash))
            printf("%-44s %22.22s %22.22s\n", "scenario", a.scenario, b.scenario);
        for (size_t i = 0; i < json_array_size(pd); i++) {
            json_t *row = json_array_get(pd, i);
            char ta[64], tb[64];
            json_t *va = json_object_get(row, "a"), *vb = json_object_get(row, "b");
            /* a run has no searched parameters: its values are the file's */
            if (json_is_null(va) && !a.params)
                snprintf(ta, sizeof ta, "(as written)");
            else
                value_text(va, ta, sizeof ta);
            if (json_is_null(vb) && !b.params)
                snprintf(tb, sizeof tb, "(as written)");
            else
                value_text(vb, tb, sizeof tb);
            printf("%-44.44s %22.22s %22.22s\n", json_string_value(json_object_get(row, "param")), ta, tb);
        }
        if (json_array_size(pd) == 0 && a.params && b.params)
            printf("%-44s %22s %22s\n", "(parameters)", "same", "same");
        for (size_t i = 0; i < SS_ARRAY_LEN(headline); i++) {
            int id = ss_metric_lookup(headline[i]);
            bool pct = !strcmp(headline[i], "availability") || !strcmp(headline[i], "served_fraction");
            double f = pct ? 100 : 1;
            printf("%-44s %21.*f%s %21.*f%s %+13.*f%s\n", headline[i], pct ? 4 : 2, f * a.mean[id], pct ? "%" : " ",
                   pct ? 4 : 2, f * b.mean[id], pct ? "%" : " ", pct ? 4 : 2, f * (b.mean[id] - a.mean[id]),
                   pct ? "%" : " ");
        }
        json_decref(pd);
    }
    item_free(&a);
    item_free(&b);
    ss_store_close(&st);
    return SS_EXIT_OK;
}

/* ---- explain ---------------------------------------------------------------------------- */

typedef struct cand_row {
    long id;
    json_t *params;
    double cost, avail;
} cand_row;

int ss_cmd_explain(int argc, char **argv)
{
    const char *db;
    bool json;
    int rc = parse_common("explain", argc, argv, &db, &json, 1);
    if (rc)
        return rc == -2 ? SS_EXIT_OK : rc;
    (void)json;
    ref r;
    ss_err err;
    if (parse_ref(argv[optind], &r, &err))
        return ss_usage_error("explain", "%s", err.msg);
    if (r.kind == REF_IMPORT)
        return ss_usage_error("explain", "import:%ld has no shortfalls to explain", r.id);
    ss_store st;
    if (open_store("explain", db, &st))
        return SS_EXIT_FAIL;
    item it;
    if (load_item(&st, db, &r, &it, &err)) {
        ss_store_close(&st);
        return ss_fail("explain", "%s", err.msg);
    }
#define M(name) it.mean[SS_METRIC_##name]
    double horizon = M(horizon_hours);
    double short_h = (1.0 - M(availability)) * horizon;
    printf("%s (scenario %s, %d replica(s)): available %.4f%% of %.0f h, %.1f min below the SLO minimum\n",
           it.label, it.scenario, it.n, 100 * M(availability), horizon, 60 * short_h);
    printf("What drives the shortfalls (means over replicas):\n");
    printf("  episodes            %.1f, p95 %.0f s, longest %.0f s: ", M(shortfall_episodes), M(shortfall_p95_s),
           M(shortfall_max_s));
    if (M(shortfall_episodes) <= 0)
        printf("none\n");
    else if (M(shortfall_max_s) > 4 * M(shortfall_p95_s) + 1)
        printf("one long outage dominates (burst or capacity that could not be replaced)\n");
    else
        printf("many short gaps (replacement time after each interruption)\n");
    printf("  interruptions       %.1f notices, %.1f rebalance recommendations\n", M(interruptions),
           M(rebalance_recommendations));
    printf("  task restarts       %.1f (%.2f per interruption: %s)\n", M(task_restarts),
           M(interruptions) > 0 ? M(task_restarts) / M(interruptions) : 0.0,
           M(interruptions) > 0 && M(task_restarts) / M(interruptions) > 1.5
               ? "several tasks per instance; binpacking concentrates the loss"
               : "about one task per interruption");
    printf("  launch failures     %.1f of %.1f launches%s\n", M(failed_launches), M(launches),
           M(failed_launches) > 0 ? ": Spot capacity was not there when replacements were asked for" : "");
    printf("  lost task-hours     %.2f; Spot %.0f instance-h, On-Demand %.0f instance-h\n",
           M(shortfall_task_hours), M(spot_instance_hours), M(od_instance_hours));
    if (it.params) {
        printf("  draining            ");
        json_t *d = json_object_get(it.params, "service.spot_instance_draining");
        if (d)
            printf("service.spot_instance_draining = %s\n", json_is_true(d) || (json_is_string(d) &&
                                                                                 !strcmp(json_string_value(d), "true"))
                                                                    ? "true"
                                                                    : "false");
        else
            printf("as the scenario says (not a searched parameter)\n");
    }
    if (r.kind != REF_OPT) {
        printf("(a run has no candidates to compare: explain opt:ID/CAND for the counterfactual)\n");
        item_free(&it);
        ss_store_close(&st);
        return SS_EXIT_OK;
    }
    /* every evaluated candidate's parameters and mean cost / availability */
    sqlite3_stmt *s;
    cand_row *rows = NULL;
    size_t n = 0, cap = 0;
    if (ss_store_prepare(&st,
                         "SELECT c.candidate_id, c.params_json, AVG(r.cost_per_month_usd), AVG(r.availability) "
                         "FROM candidates c JOIN candidate_results r ON r.optimization_id = c.optimization_id AND "
                         "r.candidate_id = c.candidate_id WHERE c.optimization_id = ? GROUP BY c.candidate_id "
                         "ORDER BY c.candidate_id",
                         &s, &err)) {
        item_free(&it);
        ss_store_close(&st);
        return ss_fail("explain", "%s", err.msg);
    }
    sqlite3_bind_int64(s, 1, r.id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        SS_GROW(rows, cap, n + 1);
        rows[n].id = sqlite3_column_int(s, 0);
        const char *pj = (const char *)sqlite3_column_text(s, 1);
        rows[n].params = pj ? json_loads(pj, 0, NULL) : json_object();
        rows[n].cost = sqlite3_column_double(s, 2);
        rows[n].avail = sqlite3_column_double(s, 3);
        n++;
    }
    sqlite3_finalize(s);
    /* the most influential parameter: the widest spread of mean
     * availability across its values, over all candidates */
    const char *best = NULL;
    double best_range = -1;
    const char *k;
    json_t *v;
    json_object_foreach(it.params, k, v)
    {
        json_t *vals = json_object(); /* value text -> [sum, count] */
        for (size_t i = 0; i < n; i++) {
            char t[256];
            value_text(json_object_get(rows[i].params, k), t, sizeof t);
            json_t *acc = json_object_get(vals, t);
            if (!acc) {
                acc = json_pack("[f, i]", 0.0, 0);
                json_object_set_new(vals, t, acc);
            }
            json_array_set_new(acc, 0, json_real(json_real_value(json_array_get(acc, 0)) + rows[i].avail));
            json_array_set_new(acc, 1, json_integer(json_integer_value(json_array_get(acc, 1)) + 1));
        }
        double lo = INFINITY, hi = -INFINITY;
        const char *vk;
        json_t *acc;
        json_object_foreach(vals, vk, acc)
        {
            double mean = json_real_value(json_array_get(acc, 0)) / (double)json_integer_value(json_array_get(acc, 1));
            lo = fmin(lo, mean);
            hi = fmax(hi, mean);
        }
        json_decref(vals);
        if (hi - lo > best_range) {
            best_range = hi - lo;
            best = k;
        }
    }
    if (!best) {
        printf("No searched parameter: nothing to compare.\n");
    } else {
        char cur[256];
        value_text(json_object_get(it.params, best), cur, sizeof cur);
        printf("Most influential parameter: %s (mean availability spans %.4f points across its values)\n", best,
               100 * best_range);
        printf("Counterfactual: the evaluated candidates equal to %s but for %s:\n", it.label, best);
        printf("  %-10s %-24s %12s %13s\n", "candidate", "value", "USD/month", "availability");
        printf("  %-10ld %-24.24s %12.2f %12.4f%%  (this one)\n", it.cand, cur, M(cost_per_month_usd),
               100 * M(availability));
        int found = 0;
        for (size_t i = 0; i < n; i++) {
            if (rows[i].id == it.cand)
                continue;
            bool same = true;
            json_object_foreach(it.params, k, v) if (strcmp(k, best) && !json_equal(v, json_object_get(rows[i].params, k)))
                same = false;
            if (!same)
                continue;
            char t[256];
            value_text(json_object_get(rows[i].params, best), t, sizeof t);
            printf("  %-10ld %-24.24s %12.2f %12.4f%%  (%+.2f USD/month, %+.4f points)\n", rows[i].id, t,
                   rows[i].cost, 100 * rows[i].avail, rows[i].cost - M(cost_per_month_usd),
                   100 * (rows[i].avail - M(availability)));
            found++;
        }
        if (!found)
            printf("  none was evaluated (a grid search evaluates them all; or spotsim run the scenario with %s "
                   "changed)\n",
                   best);
    }
#undef M
    for (size_t i = 0; i < n; i++)
        json_decref(rows[i].params);
    free(rows);
    item_free(&it);
    ss_store_close(&st);
    return SS_EXIT_OK;
}
