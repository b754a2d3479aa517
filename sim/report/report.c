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
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/report/report.h"

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
    double umin = 1.0, xmax = 0, amin = 1.0, umax = 0;
    for (size_t c = 0; c < o->n_cands; c++) {
        const ss_report_candidate *k = &o->cands[c];
        if (k->n == 0)
            continue;
        umax = fmax(umax, 1.0 - (k->avail_mean - k->avail_half));
        double u = 1.0 - (k->avail_mean + k->avail_half);
        if (u > 0 && u < umin)
            umin = u;
        if (1.0 - k->avail_mean > 0 && 1.0 - k->avail_mean < umin)
            umin = 1.0 - k->avail_mean;
        xmax = fmax(xmax, k->cost_mean + k->cost_half);
        amin = fmin(amin, k->avail_mean - k->avail_half);
    }
    /* Every candidate at 100%: a log axis of unavailability has nothing to
     * show (all points on its floor), so the linear axis is used. */
    if (!(umax > 0))
        log_avail = 0;
    /* the log axis stops one decade above the worst candidate, not at 0% */
    double utop = umax > 0 ? fmin(1.0, pow(10.0, ceil(log10(fmax(umax, 1.0 - o->slo))))) : 1.0;
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
    ss_report_param_num(&p, "ymax", log_avail ? utop : 100.0 + 0.02 * (100.0 - ymin));
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
                         " (orange ring), the all-On-Demand baseline (dashed red: the scenario as written,"
                         " simulated with no Spot) and the SLO.");
    return 0;
}

/* Copy the export files of dir (those present) into the staging directory
 * as apply-NAME; returns how many, or -1. */
static int copy_exports(const char *dir, ss_report_gp *g, ss_err *err)
{
    static const char *const names[] = {"APPLY.md", "launch-template.json", "user-data.sh", "asg.json",
                                        "ecs-capacity-provider.json", "ecs-cluster-capacity-providers.json",
                                        "target-group-attributes.json", "target-group-health-check.json",
                                        "ecs-task-definition.json", "ecs-service.json", "ecs.config", "k8s.yaml",
                                        "cluster-autoscaler-values.yaml", "main.tf"};
    int n = 0;
    for (size_t i = 0; i < SS_ARRAY_LEN(names); i++) {
        char src[PATH_MAX], dst[PATH_MAX], name[128];
        snprintf(src, sizeof src, "%s/%s", dir, names[i]);
        FILE *in = fopen(src, "rb");
        if (!in)
            continue;
        snprintf(name, sizeof name, "apply-%s", names[i]);
        snprintf(dst, sizeof dst, "%s/%s", g->stage, name);
        FILE *out = fopen(dst, "wb");
        if (!out) {
            fclose(in);
            return ss_err_set(err, "%s: cannot write: %s", dst, strerror(errno));
        }
        char buf[65536];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, k, out);
        int bad = ferror(in) || ferror(out);
        fclose(in);
        if (fclose(out) != 0 || bad)
            return ss_err_set(err, "%s: copy failed", dst);
        ss_report_gp_add_file(g, name);
        n++;
    }
    return n;
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

/* A category of a sensitivity panel: its label, and its number when every
 * value of the parameter is one (then categories sort numerically). */
typedef struct {
    char text[64];
    double num;
} sens_cat;

static int cat_cmp_num(const void *a, const void *b)
{
    double x = ((const sens_cat *)a)->num, y = ((const sens_cat *)b)->num;
    return x < y ? -1 : x > y;
}

static int cat_cmp_text(const void *a, const void *b)
{
    return strcmp(((const sens_cat *)a)->text, ((const sens_cat *)b)->text);
}

/* Panel title in words for the usual keys; else the last path segment. */
static void param_short(const char *path, char *buf, size_t n)
{
    const char *dot = strrchr(path, '.');
    const char *f = dot ? dot + 1 : path;
    static const char *const names[][2] = {
        {"instance_types", "instance types"},
        {"on_demand_base_capacity", "On-Demand base (instances)"},
        {"on_demand_percentage_above_base_capacity", "On-Demand % above the base"},
        {"spot_allocation_strategy", "Spot allocation strategy"},
        {"spot_instance_pools", "Spot pools per zone"},
        {"target_capacity", "target capacity % (100 = no spare)"},
        {"spot_instance_draining", "Spot instance draining"},
        {"managed_draining", "managed draining"},
        {"capacity_rebalance", "capacity rebalancing"},
        {"desired_count", "tasks"},
        {"replicas", "replicas"},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(names); i++)
        if (!strcmp(f, names[i][0])) {
            snprintf(buf, n, "%s", names[i][1]);
            return;
        }
    snprintf(buf, n, "%s", f);
}

/* Tic label of a category: lists without brackets ("m3.medium+m1.large"),
 * long strategy names abbreviated. */
static void cat_label(const char *v, char *buf, size_t n)
{
    static const char *const abbrev[][2] = {
        {"capacity-optimized-prioritized", "cap-opt-prio"},
        {"price-capacity-optimized", "price-cap-opt"},
        {"capacity-optimized", "cap-opt"},
    };
    for (size_t i = 0; i < SS_ARRAY_LEN(abbrev); i++)
        if (!strcmp(v, abbrev[i][0])) {
            snprintf(buf, n, "%s", abbrev[i][1]);
            return;
        }
    size_t k = 0;
    for (const char *c = v; *c && k + 1 < n; c++) {
        if (*c == '[' || *c == ']' || *c == '"' || *c == ' ')
            continue;
        buf[k++] = *c == ',' ? '+' : *c;
    }
    buf[k] = '\0';
}

/* One panel per searched parameter that takes at least two values: its
 * values as categories on x (numeric ones in numeric order), every
 * candidate's mean availability (blue, left of the tic) and cost (orange,
 * right of it), and per value the average over its candidates (large
 * markers, joined), which is what the eye should compare. */
static int sensitivity_chart(const ss_report_optim *o, ss_report_gp *g, ss_report_charts *charts,
                             ss_err *err)
{
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
    size_t np = 0;
    sens_cat *cats = ss_calloc(MAX_CATS, sizeof *cats);
    for (size_t k = 0; k < o->n_params && np < MAX_PANELS && !rc; k++) {
        const char *name = o->param_names[k];
        int numeric = 1;
        size_t ncat = 0;
        for (size_t c = 0; c < o->n_cands; c++) {
            json_t *v = json_object_get(js[c], name);
            if (!v || !o->cands[c].n)
                continue;
            char t[64];
            json_value_text(v, t, sizeof t);
            size_t j;
            for (j = 0; j < ncat; j++)
                if (!strcmp(cats[j].text, t))
                    break;
            if (j < ncat || ncat == MAX_CATS)
                continue;
            snprintf(cats[ncat].text, sizeof cats[0].text, "%s", t);
            int iv;
            if (!json_as_number(v, &cats[ncat].num, &iv))
                numeric = 0;
            ncat++;
        }
        if (ncat < 2)
            continue; /* a parameter with one value has nothing to show */
        qsort(cats, ncat, sizeof *cats, numeric ? cat_cmp_num : cat_cmp_text);
        double *asum = ss_calloc(ncat, sizeof *asum), *csum = ss_calloc(ncat, sizeof *csum);
        size_t *cnt = ss_calloc(ncat, sizeof *cnt);
        char dname[64];
        snprintf(dname, sizeof dname, "sensitivity_%zu.tsv", np);
        FILE *f = ss_report_data_open(g, dname, err);
        if (!f) {
            rc = -1;
        } else {
            fprintf(f, "# category_index\tavailability_pct\tcost_per_month_usd (%s)\n", name);
            for (size_t c = 0; c < o->n_cands; c++) {
                json_t *v = json_object_get(js[c], name);
                if (!v || !o->cands[c].n)
                    continue;
                char t[64];
                json_value_text(v, t, sizeof t);
                for (size_t j = 0; j < ncat; j++)
                    if (!strcmp(cats[j].text, t)) {
                        fprintf(f, "%zu\t%.8f\t%.6f\n", j, 100 * o->cands[c].avail_mean,
                                o->cands[c].cost_mean);
                        asum[j] += 100 * o->cands[c].avail_mean;
                        csum[j] += o->cands[c].cost_mean;
                        cnt[j]++;
                    }
            }
            if (ss_report_data_close(f, dname, err))
                rc = -1;
        }
        snprintf(dname, sizeof dname, "sensitivity_%zu_mean.tsv", np);
        if (!rc && !(f = ss_report_data_open(g, dname, err)))
            rc = -1;
        if (!rc) {
            fputs("# category_index\tmean_availability_pct\tmean_cost_per_month_usd\tcandidates\n",
                  f);
            for (size_t j = 0; j < ncat; j++)
                if (cnt[j])
                    fprintf(f, "%zu\t%.8f\t%.6f\t%zu\n", j, asum[j] / (double)cnt[j],
                            csum[j] / (double)cnt[j], cnt[j]);
            if (ss_report_data_close(f, dname, err))
                rc = -1;
        }
        free(asum);
        free(csum);
        free(cnt);
        char key[64], title[128];
        param_short(name, title, sizeof title);
        snprintf(key, sizeof key, "panel_title_%zu", np);
        ss_report_param_str(&p, key, title);
        snprintf(key, sizeof key, "n_cat_%zu", np);
        ss_report_param_num(&p, key, (double)ncat);
        size_t longest = 0;
        for (size_t j = 0; j < ncat; j++) {
            char lab[64];
            cat_label(cats[j].text, lab, sizeof lab);
            longest = strlen(lab) > longest ? strlen(lab) : longest;
            snprintf(key, sizeof key, "cat_%zu_%zu", np, j);
            ss_report_param_label(&p, key, lab);
        }
        /* rotate the labels when they would run into each other */
        snprintf(key, sizeof key, "rot_%zu", np);
        ss_report_param_num(&p, key, (double)(longest * ncat > 30));
        np++;
    }
    free(cats);
    for (size_t c = 0; c < o->n_cands; c++)
        json_decref(js[c]);
    free(js);
    if (!rc && np) {
        size_t cols = np <= 1 ? 1 : np <= 4 ? 2 : 3;
        size_t rows = (np + cols - 1) / cols;
        ss_report_param_str(&p, "title",
                            "What each parameter does: availability (blue, left axis) and cost per"
                            " month (orange, right axis)");
        ss_report_param_num(&p, "n_panels", (double)np);
        ss_report_param_num(&p, "cols", (double)cols);
        ss_report_param_num(&p, "rows", (double)rows);
        double lo = floor(amin - 0.05 * (100 - amin) - 1e-9);
        /* a tenth of a percent resolution when everything is above 99% */
        if (amin > 99)
            lo = floor((amin - 0.1 * (100 - amin)) * 10 - 1e-9) / 10;
        ss_report_param_num(&p, "amin", lo < 0 ? 0 : lo);
        ss_report_param_num(&p, "amax", 100 + 0.03 * (100 - lo));
        ss_report_param_num(&p, "cmax", cmax * 1.1 + 1e-9);
        rc = ss_report_plot(g, "sensitivity.gp", "sensitivity", &p, err);
        if (!rc)
            ss_report_charts_add(
                charts, "sensitivity", "What each parameter does",
                "One panel per searched parameter that took more than one value, its values"
                " along the bottom. Small dots: every candidate's mean availability (blue, left"
                " axis) and cost per month (orange, right axis); large markers joined by a line:"
                " the average over the candidates with that value. A value whose blue marker is"
                " high while its orange one is low buys availability cheaply.");
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

typedef struct {
    double a, b;
    int outage;
} tl_window;

/* The parameters of one timeline chart over [t0, t1]: windows narrower than
 * min_w are widened to min_w around their middle so that a 3-minute
 * shortfall stays visible on a two-month axis (the caption says so). */
static void timeline_params(ss_report_params *p, const char *title, double t0, double t1,
                            const tl_window *w, size_t nw, double min_w, double ymax_t,
                            double ymax_i, int n_ev, int n_rb, int n_out)
{
    int obj = 0;
    for (size_t i = 0; i < nw; i++) {
        double a = w[i].a, b = w[i].b;
        if (b < t0 || a > t1)
            continue;
        if (b - a < min_w) {
            double m = (a + b) / 2;
            a = m - min_w / 2;
            b = m + min_w / 2;
        }
        shade(p, &obj, fmax(a, t0), fmin(b, t1), w[i].outage ? "#777777" : "#d55e00");
    }
    ss_report_param_str(p, "title", title);
    ss_report_param_num(p, "tmin", t0);
    ss_report_param_num(p, "tmax", t1);
    ss_report_param_num(p, "span_days", (t1 - t0) / 86400);
    ss_report_param_num(p, "ymax_tasks", ceil(ymax_t * 1.18));
    ss_report_param_num(p, "ymax_inst", ceil(ymax_i * 1.25));
    ss_report_param_num(p, "n_events", n_ev);
    ss_report_param_num(p, "n_rebal", n_rb);
    ss_report_param_num(p, "n_outages", n_out);
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
    fputs("# t_s\trequired\thealthy\tspot_instances\tod_instances (expanded to steps)\n", f);
    fputs("# t_s\tkind (1 interruption notice, 2 rebalance recommendation)\n", fe);
    double ymax_t = 1, ymax_i = 1, tmin = (double)(r->tl[0].t_ms / 1000),
           tmax = (double)(r->tl[r->n_tl - 1].t_ms / 1000);
    int n_ev = 0, n_rb = 0, n_out = 0, n_short = 0;
    double short_start = NAN, out_start = NAN;
    tl_window *win = NULL;
    size_t nw = 0, wcap = 0;
    long worst = -1; /* the longest shortfall episode */
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
            SS_GROW(win, wcap, nw + 1);
            win[nw] = (tl_window){short_start, t, 0};
            if (worst < 0 || t - short_start > win[worst].b - win[worst].a)
                worst = (long)nw;
            nw++;
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
                SS_GROW(win, wcap, nw + 1);
                win[nw++] = (tl_window){out_start, t, 1};
                out_start = NAN;
                n_out++;
            }
        }
    }
    if (!isnan(short_start)) {
        SS_GROW(win, wcap, nw + 1);
        win[nw] = (tl_window){short_start, tmax, 0};
        if (worst < 0 || tmax - short_start > win[worst].b - win[worst].a)
            worst = (long)nw;
        nw++;
        n_short++;
    }
    if (!isnan(out_start)) {
        SS_GROW(win, wcap, nw + 1);
        win[nw++] = (tl_window){out_start, tmax, 1};
        n_out++;
    }
    int rc = ss_report_data_close(f, "timeline.tsv", err);
    rc |= ss_report_data_close(fe, "timeline_events.tsv", err);
    if (rc) {
        free(win);
        return -1;
    }
    if (tmax <= tmin)
        tmax = tmin + 3600;
    char title[512];
    char sn[40];
    snprintf(title, sizeof title,
             "Run %lld (%s), replica 0: %d interruption notices, %d shortfall episodes",
             (long long)r->id, short_name(r->scenario_name, sn, sizeof sn), n_ev, n_short);
    ss_report_params p = {0};
    /* 1/300 of the span: about 4 pixels of the 1280-pixel chart */
    timeline_params(&p, title, tmin, tmax, win, nw, (tmax - tmin) / 300, ymax_t, ymax_i, n_ev,
                    n_rb, n_out);
    rc = ss_report_plot(g, "timeline.gp", "timeline", &p, err);
    ss_report_params_free(&p);
    if (rc) {
        free(win);
        return -1;
    }
    ss_report_charts_add(charts, "timeline", "Fleet timeline",
                         "Top: tasks required by the SLO (dashed) and healthy (blue); shortfall"
                         " (fewer healthy tasks than required) shaded red - short episodes are"
                         " widened to stay visible -, zone outages grey, interruption notices as"
                         " red triangles. Bottom: On-Demand (blue) and Spot (orange) instances,"
                         " stacked.");
    /* Over more than two days one episode is a hairline: zoom on the longest
     * one, 3 hours either side, at its true width. */
    if (worst >= 0 && tmax - tmin > 2 * 86400) {
        double m = (win[worst].a + win[worst].b) / 2;
        double z0 = fmax(tmin, m - 3 * 3600), z1 = fmin(tmax, m + 3 * 3600);
        char zt[512], when[32];
        time_t tt = (time_t)win[worst].a;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        snprintf(zt, sizeof zt, "The longest shortfall of run %lld: %.1f minutes from %s UTC",
                 (long long)r->id, (win[worst].b - win[worst].a) / 60, when);
        ss_report_params pz = {0};
        timeline_params(&pz, zt, z0, z1, win, nw, 0, ymax_t, ymax_i, n_ev, n_rb, n_out);
        rc = ss_report_plot(g, "timeline.gp", "timeline_zoom", &pz, err);
        ss_report_params_free(&pz);
        if (!rc)
            ss_report_charts_add(
                charts, "timeline_zoom", "Fleet timeline: the longest shortfall",
                "The same run over 6 hours around its longest shortfall episode: the"
                " interruption notice (red triangle), the healthy tasks falling below the SLO"
                " minimum until replacements pass their health checks, and the instances"
                " replaced.");
    }
    free(win);
    return rc ? -1 : 0;
}

/* Cost over time: the USD billed so far (run_timeline, replica 0), On-Demand
 * and Spot stacked; none for runs stored before the timeline carried it. */
static int cost_chart(const ss_report_run *r, ss_report_gp *g, ss_report_charts *charts,
                      ss_err *err)
{
    for (size_t i = 0; i < r->n_tl; i++)
        if (isnan(r->tl[i].spot_cost) || isnan(r->tl[i].od_cost))
            return 0;
    FILE *f = ss_report_data_open(g, "cost.tsv", err);
    if (!f)
        return -1;
    fputs("# t_s\tod_cost_usd\tspot_cost_usd (USD billed so far)\n", f);
    double ymax = 0;
    for (size_t i = 0; i < r->n_tl; i++) {
        const ss_report_tl_row *w = &r->tl[i];
        fprintf(f, "%.0f\t%.10g\t%.10g\n", (double)(w->t_ms / 1000), w->od_cost, w->spot_cost);
        ymax = fmax(ymax, w->od_cost + w->spot_cost);
    }
    if (ss_report_data_close(f, "cost.tsv", err))
        return -1;
    const ss_report_tl_row *last = &r->tl[r->n_tl - 1];
    double tmin = (double)(r->tl[0].t_ms / 1000), tmax = (double)(last->t_ms / 1000);
    if (tmax <= tmin)
        tmax = tmin + 3600;
    char title[512], sn[40];
    snprintf(title, sizeof title, "Run %lld (%s), replica 0: %.2f USD billed (Spot %.2f, On-Demand %.2f)",
             (long long)r->id, short_name(r->scenario_name, sn, sizeof sn), last->spot_cost + last->od_cost,
             last->spot_cost, last->od_cost);
    ss_report_params p = {0};
    ss_report_param_str(&p, "title", title);
    ss_report_param_num(&p, "tmin", tmin);
    ss_report_param_num(&p, "tmax", tmax);
    ss_report_param_num(&p, "span_days", (tmax - tmin) / 86400);
    ss_report_param_num(&p, "ymax_usd", ymax > 0 ? ymax * 1.1 : 1);
    int rc = ss_report_plot(g, "cost.gp", "cost", &p, err);
    ss_report_params_free(&p);
    if (rc)
        return -1;
    ss_report_charts_add(charts, "cost", "Cost over time",
                         "Replica 0: the USD billed from the horizon start up to each instant,"
                         " On-Demand (blue) and Spot (orange) stacked; the top edge at the end is"
                         " the replica's cost. Instances are billed per second from running"
                         " (60-second minimum); the curve steps down where a Spot instance"
                         " interrupted within its first hour turns out free.");
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

    /* the one all-On-Demand baseline: the service simulated all On-Demand
     * (policies/baseline.h), as `optimize` / `run` stored it; none shown
     * when the store predates it */
    double baseline = NAN;
    if (op && op->recommended >= 0)
        baseline = op->baseline_month;
    else if (rp)
        baseline = rp->baseline_month;

    if (op && op->n_frontier && frontier_chart(op, baseline, o->log_availability, &g, &charts, err))
        goto unstage;
    if (rp && rp->n_tl && timeline_chart(rp, &g, &charts, err))
        goto unstage;
    if (rp && rp->n_tl && cost_chart(rp, &g, &charts, err))
        goto unstage;
    if (op && op->n_params && op->n_frontier && sensitivity_chart(op, &g, &charts, err))
        goto unstage;
    /* the market charts show the pools the scenario uses */
    char types[2048] = "", zones[1024] = "";
    const char *stext = op ? op->scenario_text : rp ? rp->scenario_text : NULL;
    if (!o->stats) {
        ss_report_yaml_names(stext, "market.instance_types", types, sizeof types);
        ss_report_yaml_names(stext, "market.zones", zones, sizeof zones);
    }
    if (ss_report_price_charts(&st, &g, &charts, region, o->stats, types, zones, err) ||
        ss_report_interruption_charts(&st, &g, &charts, region, o->stats, types, zones, err) ||
        ss_report_survival_chart(&st, &g, &charts, region, types, zones, err) ||
        ss_report_fit_charts(&st, &g, &charts,
                             op ? op->scenario_hash : rp ? rp->scenario_hash : NULL, err))
        goto unstage;

    /* the optimization's exports, copied into the report (apply-FILE) so
     * that the page stays self-contained and its links resolve wherever it
     * is moved */
    int copied = op && op->export_dir ? copy_exports(op->export_dir, &g, err) : 0;
    if (copied < 0)
        goto unstage;
    ss_report_doc doc = {.export_rel = copied > 0 ? "apply-" : NULL,
                         .optim = op,
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
