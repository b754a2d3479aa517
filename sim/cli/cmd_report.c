/*
 * cmd_report.c - `spotsim report`: option parsing and messages around
 * ss_report_build (sim/report/report.h), which does the work.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/cli/cli.h"
#include "sim/report/report.h"

const char ss_usage_report[] =
    "Usage: spotsim report [--db FILE] [--run ID | --optimization ID | --latest | --stats]\n"
    "                      [--out DIR] [--format png|svg|both] [--log-availability] [--json]\n"
    "\n"
    "Draw charts with gnuplot and write DIR/index.html and DIR/index.md from the\n"
    "results stored by 'spotsim run' and 'spotsim optimize' and the imported data.\n"
    "\n"
    "  --db FILE            the store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  --run ID             report this run (timeline, summary, market charts)\n"
    "  --optimization ID    report this optimization (frontier, recommendation,\n"
    "                       sensitivity) and the newest run of the same scenario\n"
    "  --latest             the newest optimization and the newest run (default)\n"
    "  --stats              governance view of the market data alone: prices,\n"
    "                       interruptions per zone, type and pool, lifetimes\n"
    "  --out DIR            output directory (default results/report)\n"
    "  --format F           png, svg or both (default both)\n"
    "  --log-availability   frontier: log scale of unavailability (99%, 99.9%, ...)\n"
    "  --json               print the files written as JSON (out, index_html, index_md,\n"
    "                       charts, files)\n"
    "  -h, --help           this text\n"
    "\n"
    "Needs gnuplot (apt-get install gnuplot-nox). Templates are read from\n"
    "$SPOTSIM_GNUPLOT_DIR, else the source tree's scripts/gnuplot.\n"
    "Exit status: 0 done, 1 failure (no gnuplot, no data, I/O), 2 usage error.\n"
    "\n"
    "Examples:\n"
    "  spotsim report --optimization 1 --out results/report\n"
    "  spotsim report --latest --format svg\n"
    "  spotsim report --stats --out results/market\n";

static int parse_id(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int ss_cmd_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"run", required_argument, NULL, 'r'},
        {"optimization", required_argument, NULL, 'o'},
        {"latest", no_argument, NULL, 'l'},
        {"stats", no_argument, NULL, 's'},
        {"out", required_argument, NULL, 'O'},
        {"format", required_argument, NULL, 'f'},
        {"log-availability", no_argument, NULL, 'L'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ss_report_opts o;
    ss_report_opts_defaults(&o);
    o.db_path = ss_default_db();
    int selectors = 0, json = 0;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.db_path = optarg; break;
        case 'r':
            if (parse_id(optarg, &o.run_id))
                return ss_usage_error("report", "--run: '%s' is not a positive run id", optarg);
            selectors++;
            break;
        case 'o':
            if (parse_id(optarg, &o.optimization_id))
                return ss_usage_error("report", "--optimization: '%s' is not a positive id",
                                      optarg);
            selectors++;
            break;
        case 'l': o.latest = 1; selectors++; break;
        case 's': o.stats = 1; selectors++; break;
        case 'O': o.out_dir = optarg; break;
        case 'f':
        {
            static const char *const fmts[] = {"png", "svg", "both", NULL};
            int k = ss_choice_index(optarg, fmts);
            if (k < 0)
                return ss_bad_choice("report", "--format", optarg, fmts);
            o.formats = k == 0 ? SS_REPORT_PNG : k == 1 ? SS_REPORT_SVG : SS_REPORT_PNG | SS_REPORT_SVG;
            break;
        }
        case 'L': o.log_availability = 1; break;
        case 'j': json = 1; break;
        case 'h': return ss_print_usage("report");
        case ':': return ss_usage_error("report", "option '%s' needs an argument", argv[optind - 1]);
        default: return ss_unknown_option("report", argv[optind - 1], longopts);
        }
    }
    if (optind < argc)
        return ss_usage_error("report", "unexpected argument '%s'", argv[optind]);
    if (selectors > 1)
        return ss_usage_error("report",
                              "--run, --optimization, --latest and --stats exclude each other");
    ss_report_result res;
    ss_err err = {{0}};
    if (ss_report_build(&o, &res, &err))
        return ss_fail("report", "%s", err.msg);
    if (res.warnings)
        fprintf(stderr, "spotsim report: gnuplot warnings:\n%s", res.warnings);
    const char *out = o.out_dir ? o.out_dir : "results/report";
    size_t charts = 0;
    for (size_t i = 0; i < res.n_files; i++) {
        const char *dot = strrchr(res.files[i], '.');
        if (dot && (!strcmp(dot, ".png") || !strcmp(dot, ".svg")))
            charts++;
    }
    if (json) {
        json_t *j = json_object(), *files = json_array();
        for (size_t i = 0; i < res.n_files; i++)
            json_array_append_new(files, json_string(res.files[i]));
        json_object_set_new(j, "out", json_string(out));
        json_object_set_new(j, "index_html", json_sprintf("%s/index.html", out));
        json_object_set_new(j, "index_md", json_sprintf("%s/index.md", out));
        json_object_set_new(j, "charts", json_integer((json_int_t)charts));
        json_object_set_new(j, "files", files);
        char *txt = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(j);
    } else {
        printf("report: %s/index.html, %s/index.md and %zu chart files\n", out, out, charts);
    }
    ss_report_result_free(&res);
    return SS_EXIT_OK;
}
