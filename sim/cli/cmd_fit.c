/*
 * cmd_fit.c - `spotsim fit`: fit interruption and capacity models from the
 * imported evidence, print the fit and its goodness, store it as a named
 * model a scenario can use (`interruptions: {model: NAME}`). docs/fit.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/export.h"
#include "sim/cli/cli.h"
#include "sim/cli/fit_build.h"
#include "sim/report/report.h"

const char ss_usage_fit[] =
    "Usage: spotsim fit --name NAME [options]\n"
    "\n"
    "Fit, per capacity pool, the interruption rate per instance-hour (exact 95%\n"
    "interval), Kaplan-Meier lifetimes with censoring, a Weibull with intervals and\n"
    "its Kolmogorov-Smirnov distance to the KM curve, bursts (model (c): hazard,\n"
    "burst rate, Beta of the share hit), correlation between pools, time-of-day\n"
    "seasonality; and from capacity traces a joint semi-Markov process of the\n"
    "zones' capacity levels (on/off for flag traces). Says plainly when the data is\n"
    "too thin. Stores the model as NAME:\n"
    "a scenario uses it with `market.interruptions: {model: NAME}`.\n"
    "\n"
    "Options:\n"
    "  --db FILE            store (default $SPOTSIM_DB, else " SS_STORE_DEFAULT_PATH ")\n"
    "  --name NAME          the model's name (required; replaces one of that name)\n"
    "  --from T, --to T     evidence window (ISO-8601; default: all the data)\n"
    "  --region R           only pools of this region\n"
    "  --type T, --zone Z   only these instance types / zones (repeatable, or a,b)\n"
    "  --burst-window DUR   a pool's notices within DUR form one burst (default 3m)\n"
    "  --out DIR            also write DIR/fit.txt, DIR/qq.csv and the Q-Q chart\n"
    "                       DIR/qq.png and .svg (needs gnuplot)\n"
    "  --holdout FROM..TO   check the model against a later window: interruption\n"
    "                       counts and capacity marginals of that window against\n"
    "                       95% predictive ranges (200 generated paths)\n"
    "  --seed S             seed of the generated paths (default 1)\n"
    "  --dry-run            print the fit, store nothing\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 ok, 1 failure (no store, bad window, I/O), 2 usage.\n"
    "See docs/fit.md.\n";

static void add_list(char ***list, size_t *n, size_t *cap, char *csv)
{
    for (char *tok = strtok(csv, ","); tok; tok = strtok(NULL, ",")) {
        SS_GROW(*list, *cap, *n + 1);
        (*list)[(*n)++] = tok;
    }
}

static int write_outputs(const char *dir, const ss_fit_output *o, ss_err *err)
{
    if (ss_mkdirs(dir, err) || ss_write_file_atomic(dir, "fit.txt", o->report.s, err))
        return -1;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    if (!f)
        return ss_err_set(err, "out of memory");
    ss_fit_write_qq_csv(o, f);
    fclose(f);
    int rc = ss_write_file_atomic(dir, "qq.csv", csv, err);
    free(csv);
    if (rc || o->n_qq == 0)
        return rc;
    /* the Q-Q chart */
    ss_report_gp g;
    memset(&g, 0, sizeof g);
    g.formats = SS_REPORT_PNG | SS_REPORT_SVG;
    snprintf(g.stage, sizeof g.stage, "%s", dir);
    char data_dir[1100];
    snprintf(data_dir, sizeof data_dir, "%s/data", dir);
    if (ss_mkdirs(data_dir, err) || ss_report_template_dir(g.template_dir, sizeof g.template_dir, err) ||
        ss_report_find_gnuplot(getenv("PATH"), g.gnuplot, sizeof g.gnuplot, err))
        return -1;
    FILE *d = ss_report_data_open(&g, "qq.tsv", err);
    if (!d) {
        ss_report_gp_free(&g);
        return -1;
    }
    double xmax = 0;
    ss_report_params p = {0};
    for (size_t i = 0; i < o->n_qq; i++) {
        for (size_t k = 0; k < o->qq[i].n; k++) {
            fprintf(d, "%.6g\t%.6g\n", o->qq[i].model_q[k], o->qq[i].data_q[k]);
            if (o->qq[i].model_q[k] > xmax)
                xmax = o->qq[i].model_q[k];
            if (o->qq[i].data_q[k] > xmax)
                xmax = o->qq[i].data_q[k];
        }
        fprintf(d, "\n\n");
        char key[64];
        snprintf(key, sizeof key, "series_title_%zu", i);
        ss_report_param_str(&p, key, o->qq[i].label);
    }
    rc = ss_report_data_close(d, "qq.tsv", err);
    ss_report_param_str(&p, "title", "Lifetimes: Kaplan-Meier quantiles vs the fitted Weibull");
    ss_report_param_num(&p, "n_series", (double)o->n_qq);
    ss_report_param_num(&p, "xmax", xmax > 0 ? xmax * 1.05 : 1.0);
    if (rc == 0)
        rc = ss_report_plot(&g, "qq.gp", "qq", &p, err);
    ss_report_params_free(&p);
    ss_report_gp_free(&g);
    return rc;
}

int ss_cmd_fit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"name", required_argument, NULL, 'n'},
        {"from", required_argument, NULL, 'f'},   {"to", required_argument, NULL, 't'},
        {"region", required_argument, NULL, 'r'}, {"type", required_argument, NULL, 'T'},
        {"zone", required_argument, NULL, 'z'},   {"burst-window", required_argument, NULL, 'w'},
        {"out", required_argument, NULL, 'o'},    {"dry-run", no_argument, NULL, 'D'},
        {"holdout", required_argument, NULL, 'H'}, {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    ss_stats_filter f;
    ss_stats_filter_init(&f);
    const char *db = ss_default_db(), *name = NULL, *outdir = NULL;
    ss_time window = 3 * SS_MINUTE;
    bool dry = false, holdout = false;
    ss_time h_from = 0, h_to = 0;
    long long seed = 1;
    char *endp;
    char **types = NULL, **zones = NULL, **copies = NULL;
    size_t n_types = 0, n_zones = 0, cap_t = 0, cap_z = 0, n_copies = 0, cap_c = 0;
    int rc = SS_EXIT_FAIL, c;
    ss_getopt_reset();
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'n': name = optarg; break;
        case 'f':
        case 't':
            if (ss_time_parse(optarg, c == 'f' ? &f.from : &f.to)) {
                rc = ss_usage_error("fit", "--%s: not a timestamp: '%s'", c == 'f' ? "from" : "to",
                                    optarg);
                goto out;
            }
            break;
        case 'r': f.region = optarg; break;
        case 'T':
        case 'z':
            SS_GROW(copies, cap_c, n_copies + 1);
            copies[n_copies] = ss_strdup(optarg);
            if (c == 'T')
                add_list(&types, &n_types, &cap_t, copies[n_copies]);
            else
                add_list(&zones, &n_zones, &cap_z, copies[n_copies]);
            n_copies++;
            break;
        case 'w':
            if (ss_duration_parse(optarg, &window) || window < 0 || window > SS_DAY) {
                rc = ss_usage_error("fit", "--burst-window: expected a duration up to 1d like 3m,"
                                           " got '%s'", optarg);
                goto out;
            }
            break;
        case 'o': outdir = optarg; break;
        case 'D': dry = true; break;
        case 'H': {
            const char *dots = strstr(optarg, "..");
            char left[64];
            if (!dots || dots == optarg || (size_t)(dots - optarg) >= sizeof left) {
                rc = ss_usage_error("fit", "--holdout: expected FROM..TO, got '%s'", optarg);
                goto out;
            }
            memcpy(left, optarg, (size_t)(dots - optarg));
            left[dots - optarg] = '\0';
            if (ss_time_parse(left, &h_from) || ss_time_parse(dots + 2, &h_to) || h_to <= h_from) {
                rc = ss_usage_error("fit", "--holdout: expected FROM..TO (ISO-8601, FROM before"
                                           " TO), got '%s'", optarg);
                goto out;
            }
            holdout = true;
            break;
        }
        case 's':
            seed = strtoll(optarg, &endp, 10);
            if (*endp || endp == optarg || seed < 0) {
                rc = ss_usage_error("fit", "--seed: expected a non-negative integer, got '%s'",
                                    optarg);
                goto out;
            }
            break;
        case 'h': rc = ss_print_usage("fit"); goto out;
        case ':':
            rc = ss_usage_error("fit", "option '%s' needs a value", argv[optind - 1]);
            goto out;
        default:
            rc = ss_unknown_option("fit", argv[optind - 1], opts);
            goto out;
        }
    }
    if (optind < argc) {
        rc = ss_usage_error("fit", "unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!name || !name[0] || strlen(name) >= SS_NAME_MAX) {
        rc = ss_usage_error("fit", name ? "--name: 1 to %d characters" : "--name NAME is required",
                            SS_NAME_MAX - 1);
        goto out;
    }
    if (f.from != SS_STATS_OPEN_FROM && f.to != SS_STATS_OPEN_TO && f.from >= f.to) {
        rc = ss_usage_error("fit", "--from must be before --to");
        goto out;
    }
    f.types = (const char *const *)types;
    f.n_types = n_types;
    f.zones = (const char *const *)zones;
    f.n_zones = n_zones;

    ss_store st = {0};
    ss_err err;
    ss_fit_evidence ev = {0};
    ss_fit_model m = {0};
    ss_fit_output o = {0};
    bool built = false;
    if (access(db, R_OK) != 0) {
        ss_fail("fit", "%s: no store here (import data first, or give --db)", db);
        goto done;
    }
    if (ss_store_open(&st, db, dry, &err) || ss_fit_evidence_load(&st, &f, &ev, &err)) {
        ss_fail("fit", "%s", err.msg);
        goto done;
    }
    if (ev.n_pools == 0 && ev.n_traces == 0) {
        ss_fail("fit", "%s: no interruption evidence (spot inventory, notices) and no capacity "
                       "trace for the selected pools and window: nothing to fit",
                db);
        goto done;
    }
    if (ss_fit_build(&ev, name, window, &m, &o, &err)) {
        ss_fail("fit", "%s", err.msg);
        goto done;
    }
    built = true;
    if (holdout) {
        ss_stats_filter hf = f;
        hf.from = h_from;
        hf.to = h_to;
        ss_fit_evidence hev;
        if (ss_fit_evidence_load(&st, &hf, &hev, &err)) {
            ss_fail("fit", "--holdout: %s", err.msg);
            goto done;
        }
        int checks, covered;
        ss_fit_holdout(&m, &hev, (uint64_t)seed, 200, &o.report, &checks, &covered);
        ss_buf_printf(&o.report, "  %d of %d realized values inside their predicted range\n",
                      covered, checks);
        ss_fit_evidence_free(&hev);
    }
    fputs(o.report.s, stdout);
    if (outdir && write_outputs(outdir, &o, &err)) {
        ss_fail("fit", "%s", err.msg);
        goto done;
    }
    if (!dry) {
        char *json = ss_fit_model_to_json(&m);
        int src = ss_fit_store_save(&st, name, m.from, m.to, json, o.source_json, o.report.s, &err);
        free(json);
        if (src) {
            ss_fail("fit", "%s", err.msg);
            goto done;
        }
        printf("\nstored as model '%s' in %s; use it with `market.interruptions: {model: %s}`\n",
               name, db, name);
    }
    rc = SS_EXIT_OK;
done:
    if (built)
        ss_fit_model_free(&m);
    ss_fit_output_free(&o);
    ss_fit_evidence_free(&ev);
    if (st.db)
        ss_store_close(&st);
out:
    for (size_t i = 0; i < n_copies; i++)
        free(copies[i]);
    free(copies);
    free(types);
    free(zones);
    return rc;
}
