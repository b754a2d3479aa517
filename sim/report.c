/*
 * report.c - ss_report_build: select what to show, draw the result charts
 * (frontier, fleet timeline, sensitivity), call the market charts and the
 * document writer, and move everything from a staging directory into place.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/report.h"

void ss_report_opts_defaults(ss_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->formats = SS_REPORT_PNG | SS_REPORT_SVG;
}

void ss_report_result_free(ss_report_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i]);
    free(r->files);
    free(r->warnings);
    memset(r, 0, sizeof *r);
}

/* Scenario names can be long: titles show at most 32 characters. */
static const char *short_name(const char *name, char *buf, size_t n)
{
    size_t len = strlen(name);
    if (len <= 32 || n < 36)
        return name;
    snprintf(buf, n, "%.29s...", name);
    return buf;
}

/* ---- Frontier ---------------------------------------------------------------- */

static double unavail_of(double a, double ufloor)
{
    double u = 1.0 - a;
    return u < ufloor ? ufloor : u;
}

static int frontier_chart(const ss_report_optim *o, double baseline, int log_avail,
                          ss_report_gp *g, ss_report_charts *charts, ss_err *err)
{
    /* the log axis bottoms out one decade below the best non-perfect point */
    double umin = 1.0, xmax = 0, amin = 1.0;
    for (size_t c = 0; c < o->n_cands; c++) {
        const ss_report_candidate *k = &o->cands[c];
        if (k->n == 0)
            continue;
        double u = 1.0 - (k->avail_mean + k->avail_half);
        if (u > 0 && u < umin)
            umin = u;
        if (1.0 - k->avail_mean > 0 && 1.0 - k->avail_mean < umin)
            umin = 1.0 - k->avail_mean;
        xmax = fmax(xmax, k->cost_mean + k->cost_half);
        amin = fmin(amin, k->avail_mean - k->avail_half);
    }
    double ufloor = pow(10.0, floor(log10(umin)) - 1.0);
    if (ufloor < 1e-9)
        ufloor = 1e-9;
    int perfect = 0;
    for (size_t c = 0; c < o->n_cands; c++)
        if (o->cands[c].n && 1.0 - o->cands[c].avail_mean < ufloor)
            perfect = 1;
    if (!isnan(baseline))
        xmax = fmax(xmax, baseline);
    if (!isnan(o->cost_floor_month))
        xmax = fmax(xmax, o->cost_floor_month);
    xmax *= 1.08;
    if (!(xmax > 0))
        xmax = 1;

    FILE *f = ss_report_data_open(g, "frontier_points.tsv", err);
    if (!f)
        return -1;
    fputs("# candidate\tcost_per_month_usd\tavailability_pct\tunavailability\n", f);
    for (size_t c = 0; c < o->n_cands; c++) {
        const ss_report_candidate *k = &o->cands[c];
        if (k->n)
            fprintf(f, "%lld\t%.6f\t%.8f\t%.6g\n", (long long)k->id, k->cost_mean,
                    100 * k->avail_mean, unavail_of(k->avail_mean, ufloor));
    }
    if (ss_report_data_close(f, "frontier_points.tsv", err))
        return -1;
    if (!(f = ss_report_data_open(g, "frontier_line.tsv", err)))
        return -1;
    fputs("# candidate\tcost\tavailability_pct\tunavailability\tcost_lo\tcost_hi\tavail_pct_lo"
          "\tavail_pct_hi\tunavail_lo\tunavail_hi\n",
          f);
    for (size_t i = 0; i < o->n_frontier; i++) {
        const ss_report_candidate *k = &o->cands[o->frontier[i]];
        double ahi = fmin(1.0, k->avail_mean + k->avail_half), alo = k->avail_mean - k->avail_half;
        fprintf(f, "%lld\t%.6f\t%.8f\t%.6g\t%.6f\t%.6f\t%.8f\t%.8f\t%.6g\t%.6g\n", (long long)k->id,
                k->cost_mean, 100 * k->avail_mean, unavail_of(k->avail_mean, ufloor),
                k->cost_mean - k->cost_half, k->cost_mean + k->cost_half, 100 * alo, 100 * ahi,
                unavail_of(ahi, ufloor), unavail_of(alo, ufloor));
    }
    if (ss_report_data_close(f, "frontier_line.tsv", err))
        return -1;
    const ss_report_candidate *r = &o->cands[o->recommended];
    if (!(f = ss_report_data_open(g, "frontier_rec.tsv", err)))
        return -1;
    fputs("# cost\tavailability_pct\tunavailability\n", f);
    fprintf(f, "%.6f\t%.8f\t%.6g\n", r->cost_mean, 100 * r->avail_mean,
            unavail_of(r->avail_mean, ufloor));
    if (ss_report_data_close(f, "frontier_rec.tsv", err))
        return -1;

    ss_report_params p = {0};
    char buf[512], av[32];
    char sn[40];
    snprintf(buf, sizeof buf, "Cost vs availability: %zu candidates of optimization %lld (%s)",
             o->n_cands, (long long)o->id, short_name(o->scenario_name, sn, sizeof sn));
    ss_report_param_str(&p, "title", buf);
    ss_report_param_str(&p, "xlabel", "cost (USD per 30-day month)");
    ss_report_param_str(&p, "ylabel",
                        log_avail ? "availability (log scale of unavailability)"
                                  : "availability (% of time at or above the SLO minimum)");
    ss_report_param_num(&p, "logscale", log_avail);
    ss_report_param_num(&p, "xmax", xmax);
    double ymin = 100 * fmin(amin, o->slo) - 0.05 * 100 * (1 - fmin(amin, o->slo));
    ss_report_param_num(&p, "ymin", floor(ymin * 100) / 100);
    ss_report_param_num(&p, "ymax", log_avail ? 1.0 : 100.0 + 0.02 * (100.0 - ymin));
    ss_report_param_num(&p, "ufloor", ufloor);
    ss_report_param_num(&p, "ufloor_is_perfect", perfect);
    ss_report_param_num(&p, "has_baseline", !isnan(baseline));
    ss_report_param_num(&p, "baseline", isnan(baseline) ? 0 : baseline);
    ss_report_param_num(&p, "has_floor", !isnan(o->cost_floor_month));
    ss_report_param_num(&p, "cost_floor", isnan(o->cost_floor_month) ? 0 : o->cost_floor_month);
    ss_report_param_num(&p, "has_slo", 1);
    ss_report_param_num(&p, "slo_y", log_avail ? 1.0 - o->slo : 100 * o->slo);
    ss_report_fmt_availability(o->slo, av, sizeof av);
    snprintf(buf, sizeof buf, "SLO %s (%s)", av, o->statistic);
    ss_report_param_str(&p, "slo_title", buf);
    ss_report_param_num(&p, "has_rec", 1);
    ss_report_param_num(&p, "rec_x", r->cost_mean);
    ss_report_param_num(&p, "rec_y", log_avail ? unavail_of(r->avail_mean, ufloor)
                                               : 100 * r->avail_mean);
    ss_report_fmt_availability(r->avail_mean, av, sizeof av);
    snprintf(buf, sizeof buf, "recommended: candidate %lld, $%.0f/month, %s", (long long)r->id,
             r->cost_mean, av);
    ss_report_param_str(&p, "rec_label", buf);
    int rc = ss_report_plot(g, "frontier.gp", "frontier", &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    ss_report_charts_add(charts, "frontier", "Cost vs availability",
                         "Every candidate (grey, mean of its replicas), the Pareto frontier (blue,"
                         " with 95% t-intervals across replicas), the recommended configuration"
                         " (orange ring), the all-On-Demand cost (dashed red) and the SLO.");
    return 0;
}

/* ---- Sensitivity ------------------------------------------------------------ */

#define MAX_PANELS 9
#define MAX_CATS 24

static void json_value_text(json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        snprintf(buf, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, n, "%g", json_real_value(v));
    else if (json_is_true(v))
        snprintf(buf, n, "true");
    else if (json_is_false(v))
        snprintf(buf, n, "false");
    else {
        char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        snprintf(buf, n, "%s", d ? d : "?");
        free(d);
    }
}

/* A number, or a string that is exactly a number (the optimizer writes every
 * parameter value as a string: "2", "0.5", "capacity-optimized"). */
static int json_as_number(json_t *v, double *x, int *is_int)
{
    if (json_is_integer(v)) {
        *x = (double)json_integer_value(v);
        *is_int = 1;
        return 1;
    }
    if (json_is_real(v)) {
        *x = json_real_value(v);
        *is_int = 0;
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!*s)
            return 0;
        *x = strtod(s, &end);
        if (*end || !isfinite(*x))
            return 0;
        *is_int = *x == floor(*x) && !strpbrk(s, ".eE");
        return 1;
    }
    return 0;
}

static int cat_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int sensitivity_chart(const ss_report_optim *o, ss_report_gp *g, ss_report_charts *charts,
                             ss_err *err)
{
    size_t np = o->n_params < MAX_PANELS ? o->n_params : MAX_PANELS;
    ss_report_params p = {0};
    double amin = 100, cmax = 0;
    json_t **js = ss_calloc(o->n_cands + 1, sizeof *js);
    for (size_t c = 0; c < o->n_cands; c++) {
        js[c] = json_loads(o->cands[c].params_json, 0, NULL);
        if (o->cands[c].n) {
            amin = fmin(amin, 100 * o->cands[c].avail_mean);
            cmax = fmax(cmax, o->cands[c].cost_mean);
        }
    }
    int rc = 0;
    for (size_t k = 0; k < np && !rc; k++) {
        const char *name = o->param_names[k];
        /* numeric when every value present is a number; else categories */
        int numeric = 1, integral = 1;
        double vmin = INFINITY, vmax = -INFINITY;
        char (*cats)[64] = ss_calloc(MAX_CATS, sizeof *cats);
        size_t ncat = 0;
        for (size_t c = 0; c < o->n_cands; c++) {
            json_t *v = json_object_get(js[c], name);
            if (!v)
                continue;
            double xv;
            int iv;
            if (!json_as_number(v, &xv, &iv)) {
                numeric = 0;
            } else {
                integral &= iv;
                vmin = fmin(vmin, xv);
                vmax = fmax(vmax, xv);
            }
            char t[64];
            json_value_text(v, t, sizeof t);
            size_t j;
            for (j = 0; j < ncat; j++)
                if (!strcmp(cats[j], t))
                    break;
            if (j == ncat && ncat < MAX_CATS)
                snprintf(cats[ncat++], sizeof cats[0], "%s", t);
        }
        if (!numeric)
            qsort(cats, ncat, sizeof *cats, cat_cmp);
        char dname[64];
        snprintf(dname, sizeof dname, "sensitivity_%zu.tsv", k);
        FILE *f = ss_report_data_open(g, dname, err);
        if (!f) {
            free(cats);
            rc = -1;
            break;
        }
        fprintf(f, "# %s\tavailability_pct\tcost_per_month_usd\n", numeric ? "value" : "category");
        for (size_t c = 0; c < o->n_cands; c++) {
            json_t *v = json_object_get(js[c], name);
            if (!v || !o->cands[c].n)
                continue;
            double x = NAN;
            int iv;
            if (numeric) {
                json_as_number(v, &x, &iv);
            } else {
                char t[64];
                json_value_text(v, t, sizeof t);
                for (size_t j = 0; j < ncat; j++)
                    if (!strcmp(cats[j], t))
                        x = (double)j;
            }
            if (!isnan(x))
                fprintf(f, "%.10g\t%.8f\t%.6f\n", x, 100 * o->cands[c].avail_mean,
                        o->cands[c].cost_mean);
        }
        if (ss_report_data_close(f, dname, err))
            rc = -1;
        char key[64];
        snprintf(key, sizeof key, "panel_title_%zu", k);
        ss_report_param_str(&p, key, name);
        snprintf(key, sizeof key, "is_cat_%zu", k);
        ss_report_param_num(&p, key, !numeric);
        snprintf(key, sizeof key, "int_step_%zu", k);
        ss_report_param_num(&p, key, numeric && integral && vmax - vmin <= 20);
        snprintf(key, sizeof key, "n_cat_%zu", k);
        ss_report_param_num(&p, key, numeric ? 0 : (double)ncat);
        for (size_t j = 0; !numeric && j < ncat; j++) {
            snprintf(key, sizeof key, "cat_%zu_%zu", k, j);
            ss_report_param_label(&p, key, cats[j]);
        }
        free(cats);
    }
    for (size_t c = 0; c < o->n_cands; c++)
        json_decref(js[c]);
    free(js);
    if (!rc) {
        size_t cols = np <= 1 ? 1 : np <= 4 ? 2 : 3;
        size_t rows = (np + cols - 1) / cols;
        ss_report_param_str(&p, "title",
                            "Sensitivity: availability (blue, left) and cost (orange, right) of"
                            " every candidate against each searched parameter");
        ss_report_param_num(&p, "n_panels", (double)np);
        ss_report_param_num(&p, "cols", (double)cols);
        ss_report_param_num(&p, "rows", (double)rows);
        double lo = floor(amin - 0.05 * (100 - amin) - 1e-9);
        ss_report_param_num(&p, "amin", lo < 0 ? 0 : lo);
        ss_report_param_num(&p, "amax", 100 + 0.03 * (100 - lo));
        ss_report_param_num(&p, "cmax", cmax * 1.1 + 1e-9);
        rc = ss_report_plot(g, "sensitivity.gp", "sensitivity", &p, err);
        if (!rc)
            ss_report_charts_add(charts, "sensitivity", "Sensitivity to each parameter",
                                 "Each panel: one searched parameter; every candidate's mean"
                                 " availability (blue dots, left axis) and cost per month"
                                 " (orange squares, right axis).");
    }
    ss_report_params_free(&p);
    return rc;
}

/* ---- Timeline ------------------------------------------------------------------ */

static int is_notice(const char *ev)
{
    return ev && (strstr(ev, "interruption") || strstr(ev, "notice")) && !strstr(ev, "rebalance");
}

static void shade(ss_report_params *p, int *obj, double a, double b, const char *colour)
{
    char line[256];
    snprintf(line, sizeof line,
             "set object %d rect from %.0f, graph 0 to %.0f, graph 1 behind fc rgb '%s'"
             " fs solid 0.25 noborder\n",
             ++*obj, a, b, colour);
    /* numbers and a fixed colour only: safe to append as a command */
    SS_GROW(p->buf, p->cap, p->len + strlen(line) + 1);
    memcpy(p->buf + p->len, line, strlen(line) + 1);
    p->len += strlen(line);
}

static int timeline_chart(const ss_report_run *r, ss_report_gp *g, ss_report_charts *charts,
                          ss_err *err)
{
    FILE *f = ss_report_data_open(g, "timeline.tsv", err);
    if (!f)
        return -1;
    FILE *fe = ss_report_data_open(g, "timeline_events.tsv", err);
    if (!fe) {
        fclose(f);
        return -1;
    }
    ss_report_params p = {0};
    fputs("# t_s\trequired\thealthy\tspot_instances\tod_instances (expanded to steps)\n", f);
    fputs("# t_s\tkind (1 interruption notice, 2 rebalance recommendation)\n", fe);
    double ymax_t = 1, ymax_i = 1, tmin = (double)(r->tl[0].t_ms / 1000),
           tmax = (double)(r->tl[r->n_tl - 1].t_ms / 1000);
    int n_ev = 0, n_rb = 0, n_out = 0, obj = 0, n_short = 0;
    double short_start = NAN, out_start = NAN;
    for (size_t i = 0; i < r->n_tl; i++) {
        const ss_report_tl_row *w = &r->tl[i];
        double t = (double)(w->t_ms / 1000);
        if (i) {
            const ss_report_tl_row *v = &r->tl[i - 1];
            fprintf(f, "%.0f\t%.6g\t%.6g\t%d\t%d\n", t, v->required, v->healthy, v->spot, v->od);
        }
        fprintf(f, "%.0f\t%.6g\t%.6g\t%d\t%d\n", t, w->required, w->healthy, w->spot, w->od);
        ymax_t = fmax(ymax_t, fmax(w->required, w->healthy));
        ymax_i = fmax(ymax_i, (double)(w->spot + w->od));
        int short_now = w->healthy < w->required;
        if (short_now && isnan(short_start))
            short_start = t;
        if (!short_now && !isnan(short_start)) {
            shade(&p, &obj, short_start, t, "#d55e00");
            short_start = NAN;
            n_short++;
        }
        if (w->event) {
            if (strstr(w->event, "rebalance")) {
                fprintf(fe, "%.0f\t2\n", t);
                n_rb++;
            } else if (is_notice(w->event)) {
                fprintf(fe, "%.0f\t1\n", t);
                n_ev++;
            }
            if (strstr(w->event, "outage-start") && isnan(out_start))
                out_start = t;
            if (strstr(w->event, "outage-end") && !isnan(out_start)) {
                shade(&p, &obj, out_start, t, "#777777");
                out_start = NAN;
                n_out++;
            }
        }
    }
    if (!isnan(short_start)) {
        shade(&p, &obj, short_start, tmax, "#d55e00");
        n_short++;
    }
    if (!isnan(out_start)) {
        shade(&p, &obj, out_start, tmax, "#777777");
        n_out++;
    }
    int rc = ss_report_data_close(f, "timeline.tsv", err);
    rc |= ss_report_data_close(fe, "timeline_events.tsv", err);
    if (rc) {
        ss_report_params_free(&p);
        return -1;
    }
    if (tmax <= tmin)
        tmax = tmin + 3600;
    char title[512];
    char sn[40];
    snprintf(title, sizeof title,
             "Run %lld (%s), replica 0: %d interruption notices, %d shortfall episodes",
             (long long)r->id, short_name(r->scenario_name, sn, sizeof sn), n_ev, n_short);
    ss_report_param_str(&p, "title", title);
    ss_report_param_num(&p, "tmin", tmin);
    ss_report_param_num(&p, "tmax", tmax);
    ss_report_param_num(&p, "span_days", (tmax - tmin) / 86400);
    ss_report_param_num(&p, "ymax_tasks", ceil(ymax_t * 1.18));
    ss_report_param_num(&p, "ymax_inst", ceil(ymax_i * 1.25));
    ss_report_param_num(&p, "n_events", n_ev);
    ss_report_param_num(&p, "n_rebal", n_rb);
    ss_report_param_num(&p, "n_outages", n_out);
    rc = ss_report_plot(g, "timeline.gp", "timeline", &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    ss_report_charts_add(charts, "timeline", "Fleet timeline",
                         "Top: tasks required by the SLO (dashed) and healthy (blue); shortfall"
                         " shaded red, zone outages grey, interruption notices as red triangles."
                         " Bottom: On-Demand (blue) and Spot (orange) instances, stacked.");
    return 0;
}

/* ---- Staging ------------------------------------------------------------------------ */

static void rmtree_stage(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                rmtree_stage(p);
            else
                unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int mkdir_p(const char *path, ss_err *err)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return ss_err_set(err, "%s: cannot create directory: %s", tmp, strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return ss_err_set(err, "%s: cannot create directory: %s", tmp, strerror(errno));
    return 0;
}

static int publish(ss_report_gp *g, const char *out, ss_report_result *res, ss_err *err)
{
    char dst[PATH_MAX], src[PATH_MAX];
    snprintf(dst, sizeof dst, "%s/data", out);
    if (mkdir_p(dst, err))
        return -1;
    for (size_t i = 0; i < g->n_files; i++) {
        snprintf(src, sizeof src, "%s/%s", g->stage, g->files[i]);
        snprintf(dst, sizeof dst, "%s/%s", out, g->files[i]);
        if (rename(src, dst) != 0)
            return ss_err_set(err, "%s: cannot move into place: %s", dst, strerror(errno));
    }
    res->files = ss_malloc((g->n_files + 1) * sizeof *res->files);
    for (size_t i = 0; i < g->n_files; i++)
        res->files[i] = ss_strdup(g->files[i]);
    res->n_files = g->n_files;
    return 0;
}

/* ---- The report --------------------------------------------------------------------- */

int ss_report_build(const ss_report_opts *o, ss_report_result *res, ss_err *err)
{
    memset(res, 0, sizeof *res);
    ss_report_gp g = {0};
    g.formats = o->formats ? o->formats : (SS_REPORT_PNG | SS_REPORT_SVG);
    const char *path_env = o->path_env ? o->path_env : getenv("PATH");
    if (ss_report_find_gnuplot(path_env, g.gnuplot, sizeof g.gnuplot, err))
        return -1;
    if (o->gnuplot_dir) {
        if (!realpath(o->gnuplot_dir, g.template_dir))
            return ss_err_set(err, "%s: gnuplot template directory: %s", o->gnuplot_dir,
                              strerror(errno));
    } else if (ss_report_template_dir(g.template_dir, sizeof g.template_dir, err)) {
        return -1;
    }
    const char *db = o->db_path ? o->db_path : SS_STORE_DEFAULT_PATH;
    if (access(db, R_OK) != 0)
        return ss_err_set(err, "%s: no store here (import data first, or give --db)", db);
    ss_store st;
    if (ss_store_open(&st, db, 1, err))
        return -1;

    ss_report_optim optim = {0}, *op = NULL;
    ss_report_run run = {0}, *rp = NULL;
    ss_report_charts charts = {0};
    int rc = -1;
    int64_t oid = 0, rid = 0;
    if (!o->stats) {
        if (o->optimization_id > 0)
            oid = o->optimization_id;
        else if (o->run_id > 0)
            rid = o->run_id;
        else if (ss_report_latest(&st, "optimizations", &oid, err) ||
                 ss_report_latest(&st, "runs", &rid, err))
            goto done;
        if (oid && ss_report_load_optim(&st, oid, &optim, err) == 0)
            op = &optim;
        else if (oid)
            goto done;
        /* an optimization's report shows the newest run of the same scenario */
        if (op && !rid && ss_report_run_for_hash(&st, op->scenario_hash, &rid, err))
            goto done;
        if (rid && ss_report_load_run(&st, rid, &run, err) == 0)
            rp = &run;
        else if (rid)
            goto done;
        if (!op && !rp) {
            ss_err_set(err, "%s: no runs or optimizations stored (run 'spotsim run' or 'spotsim"
                            " optimize' first, or use --stats for the market data alone)",
                       db);
            goto done;
        }
        if (op && op->n_frontier == 0 && !rp) {
            ss_err_set(err, "%s: optimization %lld has no candidate results yet", db,
                       (long long)op->id);
            goto done;
        }
    }

    const char *out = o->out_dir ? o->out_dir : "results/report";
    if (mkdir_p(out, err))
        goto done;
    char stage_rel[PATH_MAX];
    snprintf(stage_rel, sizeof stage_rel, "%s/.staging-%ld", out, (long)getpid());
    rmtree_stage(stage_rel);
    if (mkdir(stage_rel, 0777) != 0 || !realpath(stage_rel, g.stage)) {
        ss_err_set(err, "%s: cannot create: %s", stage_rel, strerror(errno));
        goto done;
    }
    char datadir[PATH_MAX];
    snprintf(datadir, sizeof datadir, "%s/data", g.stage);
    if (mkdir(datadir, 0777) != 0) {
        ss_err_set(err, "%s: cannot create: %s", datadir, strerror(errno));
        goto unstage;
    }

    char region[64] = "";
    if (!o->stats &&
        ss_report_pick_region(&st, op ? op->scenario_text : rp->scenario_text, region,
                              sizeof region, err))
        goto unstage;

    double baseline = NAN;
    if (op && op->recommended >= 0)
        baseline = op->cands[op->recommended].baseline_month;
    else if (rp && rp->mean[SS_METRIC_horizon_hours] > 0)
        baseline = rp->mean[SS_METRIC_ondemand_baseline_usd] * SS_REPORT_HOURS_PER_MONTH /
                   rp->mean[SS_METRIC_horizon_hours];

    if (op && op->n_frontier && frontier_chart(op, baseline, o->log_availability, &g, &charts, err))
        goto unstage;
    if (rp && rp->n_tl && timeline_chart(rp, &g, &charts, err))
        goto unstage;
    if (op && op->n_params && op->n_frontier && sensitivity_chart(op, &g, &charts, err))
        goto unstage;
    if (ss_report_price_charts(&st, &g, &charts, region, o->stats, err) ||
        ss_report_interruption_charts(&st, &g, &charts, region, o->stats, err) ||
        ss_report_survival_chart(&st, &g, &charts, region, err))
        goto unstage;

    ss_report_doc doc = {.optim = op,
                         .run = rp,
                         .stats_mode = o->stats,
                         .region = region,
                         .baseline_month = baseline,
                         .charts = charts.items,
                         .n_charts = charts.n,
                         .formats = g.formats};
    if (ss_report_write_docs(&doc, g.stage, err))
        goto unstage;
    ss_report_gp_add_file(&g, "index.html");
    ss_report_gp_add_file(&g, "index.md");
    if (publish(&g, out, res, err))
        goto unstage;
    if (g.warnings)
        res->warnings = ss_strdup(g.warnings);
    rc = 0;
unstage:
    rmtree_stage(g.stage[0] ? g.stage : stage_rel);
done:
    if (rc)
        ss_report_result_free(res);
    ss_report_charts_free(&charts);
    ss_report_optim_free(&optim);
    ss_report_run_free(&run);
    ss_report_gp_free(&g);
    ss_store_close(&st);
    return rc;
}
