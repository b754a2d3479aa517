/*
 * cmd_stats.c - `spotsim stats`: interruption governance and price
 * statistics per capacity pool (the computations live in datasets/stats*.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/stats.h"
#include "sim/cli/cli.h"

const char ss_usage_stats[] =
    "Usage: spotsim stats [OPTIONS]\n"
    "\n"
    "Interruption frequency, instance lifetimes, capacity-trace outages, spot prices and\n"
    "savings against On-Demand, per capacity pool (instance type x zone), over a window.\n"
    "\n"
    "Options:\n"
    "  --db FILE          store (default $SPOTSIM_DB, else " SS_STORE_DEFAULT_PATH ")\n"
    "  --from T, --to T   window [T1, T2), ISO-8601 (e.g. 2023-08-03T00:00:00Z or 2023-08-03);\n"
    "                     default: the span of the selected data\n"
    "  --region R         only pools of region R (e.g. us-east-1)\n"
    "  --type T           only instance type T (repeatable, or comma-separated)\n"
    "  --zone Z           only availability zone Z (repeatable, or comma-separated)\n"
    "  --product P        product description (default Linux/UNIX)\n"
    "  --by G             pool (default) | zone | type | week | hour  (week, hour: seasonality\n"
    "                     buckets with interruption counts, rates and mean price)\n"
    "  --section S        prices | interruptions | survival | traces | all (default)\n"
    "  --csv              CSV (one header row, RFC 4180)\n"
    "  --json             JSON\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 success (also when nothing matches), 1 failure, 2 usage error.\n"
    "See docs/stats.md for the definitions.\n"
    "\n"
    "Examples:\n"
    "  spotsim stats --by zone\n"
    "  spotsim stats --type m3.medium --section interruptions --json\n"
    "  spotsim stats --from 2016-03-01T00:00:00Z --to 2016-04-01T00:00:00Z --csv\n";

/* Split comma-separated values into a growing list (pointers into argv copies). */
static void add_list(char ***list, size_t *n, size_t *cap, char *arg)
{
    for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
        if (!*tok)
            continue;
        SS_GROW(*list, *cap, *n + 1);
        (*list)[(*n)++] = tok;
    }
}

/* When nothing matched: name the first --region/--zone/--type value that no
 * pool in the store has, with the nearest one that exists ("did you mean").
 * Writes "" when every value exists (then the window is what excluded all). */
static void unknown_filter_hint(ss_store *st, const ss_stats_filter *f, char *out, size_t n)
{
    static const struct {
        const char *column, *option;
    } cols[] = {{"region", "--region"}, {"zone", "--zone"}, {"instance_type", "--type"}};
    out[0] = '\0';
    for (size_t c = 0; c < SS_ARRAY_LEN(cols) && !out[0]; c++) {
        const char *const *vals = c == 0 ? &f->region : c == 1 ? f->zones : f->types;
        size_t nv = c == 0 ? (f->region ? 1 : 0) : c == 1 ? f->n_zones : f->n_types;
        for (size_t i = 0; i < nv && !out[0]; i++) {
            char sql[128];
            snprintf(sql, sizeof sql, "SELECT DISTINCT %s FROM pools", cols[c].column);
            sqlite3_stmt *q;
            if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
                return;
            int found = 0;
            size_t best_d = (size_t)-1;
            char best[96] = "";
            while (sqlite3_step(q) == SQLITE_ROW) {
                const char *v = (const char *)sqlite3_column_text(q, 0);
                if (!v)
                    continue;
                if (!strcmp(v, vals[i])) {
                    found = 1;
                    break;
                }
                size_t d = ss_edit_distance(vals[i], v);
                if (d < best_d) {
                    best_d = d;
                    snprintf(best, sizeof best, "%s", v);
                }
            }
            sqlite3_finalize(q);
            if (!found)
                snprintf(out, n, "no pool in the store has %s '%s'%s%s%s", cols[c].option + 2,
                         vals[i], best[0] && best_d <= 3 ? " (did you mean '" : "",
                         best[0] && best_d <= 3 ? best : "", best[0] && best_d <= 3 ? "'?)" : "");
        }
    }
}

int ss_cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},      {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},      {"region", required_argument, NULL, 'r'},
        {"type", required_argument, NULL, 'T'},    {"zone", required_argument, NULL, 'z'},
        {"product", required_argument, NULL, 'p'}, {"by", required_argument, NULL, 'b'},
        {"section", required_argument, NULL, 's'}, {"csv", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    const char *db = ss_default_db();
    ss_stats_by by = SS_BY_POOL;
    int sections = SS_SECTION_ALL;
    ss_stats_fmt fmt = SS_FMT_TEXT;
    char **types = NULL, **zones = NULL;
    size_t n_types = 0, n_zones = 0, cap_types = 0, cap_zones = 0;
    char **copies = NULL;
    size_t n_copies = 0, cap_copies = 0;
    int rc = SS_EXIT_OK, c;

    ss_getopt_reset();
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
        case 't':
            if (ss_time_parse(optarg, c == 'f' ? &f.from : &f.to)) {
                rc = ss_usage_error("stats", "--%s: not a timestamp: '%s'",
                                    c == 'f' ? "from" : "to", optarg);
                goto out;
            }
            break;
        case 'r':
            f.region = optarg;
            break;
        case 'T':
        case 'z':
            SS_GROW(copies, cap_copies, n_copies + 1);
            copies[n_copies] = ss_strdup(optarg);
            if (c == 'T')
                add_list(&types, &n_types, &cap_types, copies[n_copies]);
            else
                add_list(&zones, &n_zones, &cap_zones, copies[n_copies]);
            n_copies++;
            break;
        case 'p':
            f.product = optarg;
            break;
        case 'b':
            if (ss_stats_by_parse(optarg, &by) || by == SS_BY_ALL) {
                static const char *const bys[] = {"pool", "zone", "type", "week", "hour", NULL};
                rc = ss_bad_choice("stats", "--by", optarg, bys);
                goto out;
            }
            break;
        case 's':
            if (ss_stats_section_parse(optarg, &sections)) {
                static const char *const secs[] = {"prices", "interruptions", "survival", "traces", "all",
                                                   NULL};
                rc = ss_bad_choice("stats", "--section", optarg, secs);
                goto out;
            }
            break;
        case 'c':
            fmt = SS_FMT_CSV;
            break;
        case 'j':
            fmt = SS_FMT_JSON;
            break;
        case 'h':
            rc = ss_print_usage("stats");
            goto out;
        case ':':
            rc = ss_usage_error("stats", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            rc = ss_unknown_option("stats", argv[optind - 1], opts);
            goto out;
        }
    }
    if (optind < argc) {
        rc = ss_usage_error("stats", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (f.from != SS_STATS_OPEN_FROM && f.to != SS_STATS_OPEN_TO && f.from >= f.to) {
        rc = ss_usage_error("stats", "--from must be before --to");
        goto out;
    }
    f.types = (const char *const *)types;
    f.n_types = n_types;
    f.zones = (const char *const *)zones;
    f.n_zones = n_zones;

    ss_store st;
    ss_err err = {{0}};
    if (ss_store_open(&st, db, 1, &err)) {
        rc = ss_fail("stats", "%s", err.msg);
        goto out;
    }
    char *text = NULL;
    size_t n = 0;
    if (by == SS_BY_WEEK || by == SS_BY_HOUR) {
        ss_stats_bucket *b;
        if (ss_stats_breakdown(&st, &f, by, &b, &n, &err) == 0) {
            text = ss_stats_format_buckets(b, n, by, fmt);
            ss_stats_buckets_free(b);
        }
    } else {
        ss_stats_row *rows, *total = NULL;
        size_t nt = 0;
        if (ss_stats_pools(&st, &f, by, &rows, &n, &err) == 0) {
            if (n > 1 && ss_stats_pools(&st, &f, SS_BY_ALL, &total, &nt, &err)) {
                ss_stats_rows_free(rows);
                rows = NULL;
                n = 0;
            } else {
                text = ss_stats_format_rows(rows, n, nt ? total : NULL, by, sections, fmt);
                ss_stats_rows_free(rows);
                ss_stats_rows_free(total);
            }
        }
    }
    char hint[256] = "";
    if (text && n == 0)
        unknown_filter_hint(&st, &f, hint, sizeof hint);
    ss_store_close(&st);
    if (!text) {
        rc = ss_fail("stats", "%s", err.msg);
        goto out;
    }
    const char *none = hint[0] ? hint : "no pool has data in the selected window and filters";
    if (n == 0 && fmt == SS_FMT_TEXT)
        printf("No statistics: %s (store %s).\n", none, db);
    else {
        fputs(text, stdout);
        if (n == 0)
            fprintf(stderr, "spotsim stats: %s\n", none);
    }
    free(text);
    if (fflush(stdout) != 0)
        rc = ss_fail("stats", "writing output failed");
out:
    for (size_t i = 0; i < n_copies; i++)
        free(copies[i]);
    free(copies);
    free(types);
    free(zones);
    return rc;
}
