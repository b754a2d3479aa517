/*
 * report_doc.c - index.html and index.md of `spotsim report`.
 *
 * Both say the same, in the same order: a plain-words summary (what to run,
 * what it costs against all On-Demand, how available it was), the charts
 * with one-line captions, then the tables. The HTML is self-contained
 * (inline CSS, charts by relative link, nothing external) and holds nothing
 * that changes between two runs on the same store.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include <jansson.h>

#include "sim/report/report.h"

#define MAX_FRONTIER_ROWS 40

static void html_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Markdown: escape what would start markup or break a table cell. */
static void md_esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("\\`*_{}[]<>|#", *s))
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

typedef struct {
    FILE *h, *m;
} out2;

/* Plain text into both documents (escaped for each). */
static void both(out2 *o, const char *s)
{
    html_esc(o->h, s);
    md_esc(o->m, s);
}

static void bothf(out2 *o, const char *fmt, ...) SS_PRINTF(2, 3);
static void bothf(out2 *o, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    both(o, buf);
}

static void money(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else if (v >= 100)
        snprintf(buf, n, "$%.0f", v);
    else
        snprintf(buf, n, "$%.2f", v);
}

static void params_text(const char *json, char *buf, size_t n)
{
    json_t *j = json_loads(json, 0, NULL);
    size_t len = 0;
    buf[0] = '\0';
    if (json_is_object(j)) {
        const char **keys = ss_malloc((json_object_size(j) + 1) * sizeof *keys);
        size_t nk = 0;
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) keys[nk++] = k;
        /* sorted keys: stable whatever order the writer used */
        for (size_t a = 1; a < nk; a++)
            for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
                const char *t = keys[b];
                keys[b] = keys[b - 1];
                keys[b - 1] = t;
            }
        for (size_t i = 0; i < nk && len + 1 < n; i++) {
            v = json_object_get(j, keys[i]);
            char *d = json_is_string(v) ? ss_strdup(json_string_value(v))
                                        : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            len += (size_t)snprintf(buf + len, n - len, "%s%s = %s", i ? ", " : "", keys[i],
                                    d ? d : "?");
            free(d);
            if (len >= n)
                len = n - 1;
        }
        free(keys);
    } else {
        snprintf(buf, n, "%s", json ? json : "");
    }
    json_decref(j);
}

static void para_open(out2 *o) { fputs("<p>", o->h); }
static void para_close(out2 *o)
{
    fputs("</p>\n", o->h);
    fputs("\n\n", o->m);
}

static void heading(out2 *o, int level, const char *text)
{
    fprintf(o->h, "<h%d>", level);
    html_esc(o->h, text);
    fprintf(o->h, "</h%d>\n", level);
    for (int i = 0; i < level; i++)
        fputc('#', o->m);
    fputc(' ', o->m);
    md_esc(o->m, text);
    fputs("\n\n", o->m);
}

/* A table: header cells then rows of cells (already formatted text). */
static void table_head(out2 *o, const char *const *cols, size_t n)
{
    fputs("<table>\n<tr>", o->h);
    fputs("|", o->m);
    for (size_t i = 0; i < n; i++) {
        fputs("<th>", o->h);
        html_esc(o->h, cols[i]);
        fputs("</th>", o->h);
        fputc(' ', o->m);
        md_esc(o->m, cols[i]);
        fputs(" |", o->m);
    }
    fputs("</tr>\n", o->h);
    fputs("\n|", o->m);
    for (size_t i = 0; i < n; i++)
        fputs(" --- |", o->m);
    fputc('\n', o->m);
}

static void table_row(out2 *o, const char *const *cells, size_t n, int highlight)
{
    fputs(highlight ? "<tr class=\"rec\">" : "<tr>", o->h);
    fputs("|", o->m);
    for (size_t i = 0; i < n; i++) {
        fputs("<td>", o->h);
        html_esc(o->h, cells[i]);
        fputs("</td>", o->h);
        fputc(' ', o->m);
        if (highlight)
            fputs("**", o->m);
        md_esc(o->m, cells[i]);
        if (highlight)
            fputs("**", o->m);
        fputs(" |", o->m);
    }
    fputs("</tr>\n", o->h);
    fputc('\n', o->m);
}

static void table_end(out2 *o)
{
    fputs("</table>\n", o->h);
    fputc('\n', o->m);
}

/* ---- Sections ------------------------------------------------------------------ */

/* ---- Parameters in words ------------------------------------------------------ */

static int on_off(const char *v)
{
    return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
           !strcasecmp(v, "enabled") || !strcmp(v, "1");
}

/* "[m3.medium, m1.large]" -> "m3.medium and m1.large" */
static void list_words(const char *v, char *buf, size_t n)
{
    char tmp[512];
    size_t k = 0;
    for (const char *c = v; *c && k + 1 < sizeof tmp; c++)
        if (*c != '[' && *c != ']' && *c != '"' && *c != '\'')
            tmp[k++] = *c;
    tmp[k] = '\0';
    char *items[32];
    size_t ni = 0;
    for (char *tok = strtok(tmp, ","); tok && ni < 32; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        size_t l = strlen(tok);
        while (l && tok[l - 1] == ' ')
            tok[--l] = '\0';
        if (*tok)
            items[ni++] = tok;
    }
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ni && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s",
                                i == 0 ? "" : i + 1 == ni ? " and " : ", ", items[i]);
}

/* One searched parameter as a phrase a reader who does not know the keys
 * can follow; unknown keys are written "key = value". */
static void param_phrase(const char *path, const char *v, char *buf, size_t n)
{
    const char *dot = strrchr(path, '.');
    const char *f = dot ? dot + 1 : path;
    int asg = !strncmp(path, "asg.", 4) || !strncmp(path, "asgs[", 5);
    int cp = !strncmp(path, "capacity_providers[", 19);
    int svc = !strncmp(path, "service.", 8);
    double x = strtod(v, NULL);
    char w[512];
    if (asg && !strcmp(f, "instance_types")) {
        list_words(v, w, sizeof w);
        snprintf(buf, n, "instance types: %s", w);
    } else if (asg && !strcmp(f, "on_demand_base_capacity")) {
        if (x == 0)
            snprintf(buf, n, "no On-Demand base (OnDemandBaseCapacity 0)");
        else
            snprintf(buf, n, "the first %s instance%s On-Demand (OnDemandBaseCapacity %s)", v,
                     x == 1 ? "" : "s", v);
    } else if (asg && !strcmp(f, "on_demand_percentage_above_base_capacity")) {
        snprintf(buf, n, "above the base, %g%% On-Demand and %g%% Spot"
                         " (OnDemandPercentageAboveBaseCapacity %s)",
                 x, 100 - x, v);
    } else if (asg && !strcmp(f, "spot_allocation_strategy")) {
        const char *why = !strcmp(v, "lowest-price")               ? "the cheapest pools"
                          : !strcmp(v, "capacity-optimized")       ? "the pools least likely to be interrupted"
                          : !strcmp(v, "price-capacity-optimized") ? "cheap pools that are also unlikely to be interrupted"
                          : !strcmp(v, "capacity-optimized-prioritized")
                              ? "the least interrupted pools, in the override order"
                              : NULL;
        if (why)
            snprintf(buf, n, "Spot instances from %s (SpotAllocationStrategy %s)", why, v);
        else
            snprintf(buf, n, "SpotAllocationStrategy %s", v);
    } else if (asg && !strcmp(f, "spot_instance_pools")) {
        snprintf(buf, n, "Spot spread over the %s cheapest pool%s of each zone (SpotInstancePools)",
                 v, x == 1 ? "" : "s");
    } else if (asg && !strcmp(f, "spot_max_price")) {
        if (x == 0)
            snprintf(buf, n, "no Spot maximum price (the On-Demand price)");
        else
            snprintf(buf, n, "Spot maximum price %s USD/h", v);
    } else if (asg && !strcmp(f, "capacity_rebalance")) {
        snprintf(buf, n, "capacity rebalancing %s", on_off(v) ? "on" : "off");
    } else if (cp && !strcmp(f, "target_capacity")) {
        if (x >= 100)
            snprintf(buf, n, "capacity provider target capacity 100%% (no spare instances)");
        else
            snprintf(buf, n, "capacity provider target capacity %g%% (about %g%% spare instances)",
                     x, 100 - x);
    } else if (cp && !strcmp(f, "managed_draining")) {
        snprintf(buf, n, "managed draining %s", on_off(v) ? "on" : "off");
    } else if (cp && !strcmp(f, "managed_termination_protection")) {
        snprintf(buf, n, "managed termination protection %s", on_off(v) ? "on" : "off");
    } else if (svc && !strcmp(f, "spot_instance_draining")) {
        snprintf(buf, n, "Spot instance draining %s%s", on_off(v) ? "on" : "off",
                 on_off(v) ? " (tasks move when the 2-minute notice arrives)"
                           : " (tasks die with the instance)");
    } else if (svc && !strcmp(f, "desired_count")) {
        snprintf(buf, n, "%s tasks", v);
    } else {
        snprintf(buf, n, "%s = %s", path, v);
    }
}

static void list_open(out2 *o) { fputs("<ul>\n", o->h); }
static void list_item(out2 *o, const char *text)
{
    fputs("<li>", o->h);
    html_esc(o->h, text);
    fputs("</li>\n", o->h);
    fputs("- ", o->m);
    md_esc(o->m, text);
    fputc('\n', o->m);
}
static void list_close(out2 *o)
{
    fputs("</ul>\n", o->h);
    fputc('\n', o->m);
}

/* The candidate's parameters as phrases, in the order of op->param_names. */
static void params_list(out2 *o, const ss_report_optim *op, const char *params_json)
{
    json_t *j = json_loads(params_json, 0, NULL);
    list_open(o);
    int any = 0;
    for (size_t k = 0; k < op->n_params; k++) {
        json_t *v = json_object_get(j, op->param_names[k]);
        if (!v)
            continue;
        char *dv = json_is_string(v) ? ss_strdup(json_string_value(v))
                                     : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char phrase[768];
        param_phrase(op->param_names[k], dv ? dv : "?", phrase, sizeof phrase);
        list_item(o, phrase);
        free(dv);
        any = 1;
    }
    if (!any)
        list_item(o, "the scenario as written (no searched parameters)");
    list_close(o);
    json_decref(j);
}

static double yaml_num(const char *yaml, const char *path)
{
    char v[64];
    if (ss_report_yaml_scalar(yaml, path, v, sizeof v))
        return NAN;
    char *end;
    double x = strtod(v, &end);
    if (*end == '%') {
        x /= 100;
        end++;
    }
    return *end ? NAN : x;
}

/* What "available" means for this scenario: the SLO minimum of tasks. */
static void slo_meaning(const char *yaml, char *buf, size_t n)
{
    double frac = yaml_num(yaml, "slo.min_fraction"), abs_min = yaml_num(yaml, "slo.min_healthy");
    double want = yaml_num(yaml, "service.desired_count");
    if (isnan(want))
        want = yaml_num(yaml, "kubernetes.deployment.replicas");
    const char *unit = isnan(yaml_num(yaml, "service.desired_count")) ? "pods" : "tasks";
    if (!isnan(abs_min) && abs_min >= 0)
        snprintf(buf, n, "at least %g %s healthy", abs_min, unit);
    else if (!isnan(frac) && !isnan(want))
        snprintf(buf, n, "at least %g of the %g %s healthy (%g%%)", ceil(frac * want - 1e-9), want,
                 unit, 100 * frac);
    else if (!isnan(frac))
        snprintf(buf, n, "at least %g%% of the %s healthy", 100 * frac, unit);
    else
        snprintf(buf, n, "every %s healthy", unit);
}

/* Where the numbers come from: prices, interruptions, horizon. */
static void evidence_para(out2 *o, const char *yaml, const char *region)
{
    char src[128] = "stochastic", v[128], model[128] = "";
    if (ss_report_yaml_scalar(yaml, "market.interruptions", v, sizeof v) == 0)
        snprintf(src, sizeof src, "%s", v);
    else if (ss_report_yaml_scalar(yaml, "market.interruptions.model", model, sizeof model) == 0)
        snprintf(src, sizeof src, "model");
    para_open(o);
    bothf(o, "Where the numbers come from: Spot prices are replayed from the price history"
             " imported for %s",
          region && *region ? region : "the scenario's region");
    char a[64], b[64];
    if (ss_report_yaml_scalar(yaml, "horizon.start", a, sizeof a) == 0 &&
        ss_report_yaml_scalar(yaml, "horizon.end", b, sizeof b) == 0)
        bothf(o, " (%s to %s)", a, b);
    both(o, ". ");
    if (!strcmp(src, "stochastic")) {
        both(o, "Interruptions are drawn at random: each Spot instance has a lifetime from its"
                " pool's Spot Advisor frequency band (or a rate fitted on an imported interruption"
                " log)");
        double rate = yaml_num(yaml, "market.burst_rate_per_day");
        if (!isnan(rate) && rate > 0)
            bothf(o, ", and pool-wide bursts arrive %g times per pool per day, each taking a"
                     " random share of the pool's instances - the burst rate is an assumption of"
                     " the scenario file, not data: check it before acting",
                  rate);
        both(o, ". ");
    } else if (!strcmp(src, "replay")) {
        both(o, "Interruptions replay an imported interruption log, burst by burst. ");
    } else if (!strcmp(src, "max-price")) {
        both(o, "Interruptions follow the pre-2017 rule: a Spot instance is lost when its pool's"
                " price rises above the maximum price. ");
    } else if (!strcmp(src, "trace") || !strcmp(src, "traces")) {
        both(o, "Interruptions follow imported capacity traces. ");
    } else if (!strcmp(src, "none")) {
        both(o, "No interruptions are simulated. ");
    } else if (!strcmp(src, "model")) {
        bothf(o, "Interruptions are drawn from the model \"%s\" that spotsim fit estimated from"
                 " imported evidence (interruption rates and bursts per pool, and the capacity"
                 " process of the traced zones; docs/fit.md); pools the model has no evidence for"
                 " use their Spot Advisor frequency band, an assumption. ",
              model);
    }
    both(o, "Costs are per 30-day month, billed per second as AWS does.");
    para_close(o);
}

/* ---- Sections ------------------------------------------------------------------ */

static void summary_optim(out2 *o, const ss_report_doc *d)
{
    const ss_report_optim *op = d->optim;
    const ss_report_candidate *r = &op->cands[op->recommended];
    char cost[32], base[32], sav[64], av[32], lo[32], hi[32], slo[32], meaning[160];
    money(cost, sizeof cost, r->cost_mean);
    money(base, sizeof base, d->baseline_month);
    ss_report_fmt_savings(d->baseline_month, r->cost_mean, sav, sizeof sav);
    ss_report_fmt_availability(r->avail_mean, av, sizeof av);
    ss_report_fmt_availability(r->avail_mean - r->avail_half, lo, sizeof lo);
    ss_report_fmt_availability(fmin(1.0, r->avail_mean + r->avail_half), hi, sizeof hi);
    ss_report_fmt_availability(op->slo, slo, sizeof slo);
    slo_meaning(op->scenario_text, meaning, sizeof meaning);

    fputs("<div class=\"summary\">\n", o->h);
    para_open(o);
    fputs("<strong>", o->h);
    fputs("**", o->m);
    bothf(o, "Recommended configuration (candidate %lld of %zu evaluated):", (long long)r->id,
          op->n_cands);
    fputs("</strong>", o->h);
    fputs("**", o->m);
    para_close(o);
    params_list(o, op, r->params_json);
    para_open(o);
    bothf(o, "It costs %s per month, against %s per month for the scenario as written, simulated all "
             "On-Demand: %s.",
          cost, base, sav);
    /* the cheapest evaluated configuration that runs no Spot at all */
    long od = -1;
    for (size_t c = 0; c < op->n_cands; c++)
        if (op->cands[c].n && op->cands[c].spot_hours_mean == 0 &&
            (od < 0 || op->cands[c].cost_mean < op->cands[od].cost_mean))
            od = (long)c;
    if (od >= 0 && od != op->recommended) {
        char oc[32], s2[64];
        money(oc, sizeof oc, op->cands[od].cost_mean);
        ss_report_fmt_savings(op->cands[od].cost_mean, r->cost_mean, s2, sizeof s2);
        bothf(o, " The cheapest configuration evaluated that uses no Spot at all (candidate %lld)"
                 " costs %s per month: the recommendation is %s.",
              (long long)op->cands[od].id, oc, s2);
    }
    para_close(o);
    para_open(o);
    bothf(o,
          "On the simulated history it was available %s of the time (mean of %d replicas; 95%% "
          "interval %s to %s), \"available\" meaning %s.",
          av, r->n, lo, hi, meaning);
    if (op->recommended_meets_slo)
        bothf(o, " That meets the availability target of %s (%s over replicas%s), and it is the"
                 " cheapest configuration evaluated that does.",
              slo, op->statistic, op->slo_stored ? "" : "; default target, none was stored");
    else
        bothf(o, " No configuration reached the availability target of %s (%s over replicas%s);"
                 " this is the most available one found.",
              slo, op->statistic, op->slo_stored ? "" : "; default target, none was stored");
    /* the error budget in minutes per 30-day month (43,200 minutes):
     * allowed (1 - SLO) x 43200, spent (1 - availability) x 43200 */
    double spent = (1.0 - r->avail_mean) * 43200.0, budget = (1.0 - op->slo) * 43200.0;
    if (budget > 0)
        bothf(o, " That is %.1f minutes below the SLO minimum per 30-day month against an error budget of"
                 " %.1f minutes: %.1f minutes (%.0f%% of the budget) %s.",
              spent, budget, fabs(budget - spent), 100.0 * fabs(budget - spent) / budget,
              spent <= budget ? "left" : "over");
    para_close(o);
    if (op->stored_recommended >= 0 && op->stored_recommended != r->id) {
        para_open(o);
        bothf(o, "Note: the store names candidate %lld as the optimizer's recommendation, but by"
                 " its rule (the cheapest candidate meeting the target) it is candidate %lld, shown"
                 " here; check the exported configuration is candidate %lld's.",
              (long long)op->stored_recommended, (long long)r->id, (long long)r->id);
        para_close(o);
    }
    fputs("</div>\n", o->h);

    /* What the frontier shows: its two ends, how many meet the target, and
     * the neighbours of the recommendation (what one step costs or saves). */
    if (op->n_frontier) {
        const ss_report_candidate *c0 = &op->cands[op->frontier[0]];
        const ss_report_candidate *c1 = &op->cands[op->frontier[op->n_frontier - 1]];
        size_t meet = 0, ok = 0;
        for (size_t c = 0; c < op->n_cands; c++)
            if (op->cands[c].n) {
                ok++;
                meet += op->cands[c].avail_stat >= op->slo;
            }
        char m0[32], m1[32], a0[32], a1[32];
        money(m0, sizeof m0, c0->cost_mean);
        money(m1, sizeof m1, c1->cost_mean);
        ss_report_fmt_availability(c0->avail_mean, a0, sizeof a0);
        ss_report_fmt_availability(c1->avail_mean, a1, sizeof a1);
        para_open(o);
        bothf(o, "What the frontier shows: %zu of the %zu configurations evaluated meet the %s"
                 " target. The Pareto frontier (the configurations no other one beats on both"
                 " cost and availability) has %zu points, from %s per month at %s available"
                 " (candidate %lld) to %s per month at %s (candidate %lld).",
              meet, ok, slo, op->n_frontier, m0, a0, (long long)c0->id, m1, a1,
              (long long)c1->id);
        for (size_t k = 0; k < op->n_frontier; k++) {
            if ((long)op->frontier[k] != op->recommended)
                continue;
            if (k > 0) {
                const ss_report_candidate *p = &op->cands[op->frontier[k - 1]];
                char dm[32], pa[32];
                money(dm, sizeof dm, r->cost_mean - p->cost_mean);
                ss_report_fmt_availability(p->avail_mean, pa, sizeof pa);
                bothf(o, " The next cheaper frontier point saves %s per month but is available"
                         " only %s.",
                      dm, pa);
            }
            if (k + 1 < op->n_frontier) {
                const ss_report_candidate *q = &op->cands[op->frontier[k + 1]];
                char dm[32], qa[32];
                money(dm, sizeof dm, q->cost_mean - r->cost_mean);
                ss_report_fmt_availability(q->avail_mean, qa, sizeof qa);
                bothf(o, " The next more available one reaches %s for %s more per month.", qa,
                      dm);
            }
        }
        para_close(o);
    }
    if (!isnan(op->cost_floor_month)) {
        char fl[32];
        money(fl, sizeof fl, op->cost_floor_month);
        para_open(o);
        bothf(o, "Cost floor (perfect foresight, never interrupted): %s per month.", fl);
        para_close(o);
    }
}

static void summary_run(out2 *o, const ss_report_doc *d)
{
    const ss_report_run *r = d->run;
    char cost[32], base[32], sav[64], av[32];
    money(cost, sizeof cost, r->mean[SS_METRIC_cost_per_month_usd]);
    /* the run's own all-On-Demand baseline (the service simulated all
     * On-Demand), stored by `spotsim run` */
    money(base, sizeof base, r->baseline_month);
    ss_report_fmt_savings(r->baseline_month, r->mean[SS_METRIC_cost_per_month_usd], sav, sizeof sav);
    ss_report_fmt_availability(r->mean[SS_METRIC_availability], av, sizeof av);
    para_open(o);
    bothf(o,
          "%s (run %lld, \"%s\", %s, %d replica(s)): %s per month against %s simulated all"
          " On-Demand (%s); available %s of the time, %.1f shortfall episodes and %.1f"
          " interruption notices per replica on average.",
          d->optim ? "The scenario as written in its file" : "Simulated", (long long)r->id,
          r->scenario_name, r->orchestrator, r->n_results, cost, base, sav, av,
          r->mean[SS_METRIC_shortfall_episodes], r->mean[SS_METRIC_interruptions]);
    if (d->optim && d->optim->recommended >= 0) {
        const ss_report_candidate *c = &d->optim->cands[d->optim->recommended];
        double dc = c->cost_mean - r->mean[SS_METRIC_cost_per_month_usd];
        char dm[32], ca[32];
        money(dm, sizeof dm, fabs(dc));
        ss_report_fmt_availability(c->avail_mean, ca, sizeof ca);
        bothf(o, " The recommendation costs %s %s per month and is available %s instead of %s.",
              dm, dc >= 0 ? "more" : "less", ca, av);
    }
    para_close(o);
    /* what the data did not back, and launches the max price refused
     * (docs/market.md, "the coverage rule") */
    double pu = r->mean[SS_METRIC_price_uncovered_hours], cu = r->mean[SS_METRIC_capacity_uncovered_hours],
           rp = r->mean[SS_METRIC_refused_price];
    if (pu > 0 || cu > 0 || rp > 0) {
        para_open(o);
        if (pu > 0 || cu > 0)
            bothf(o,
                  "Not backed by data (market.uncovered: fill): %.2f Spot instance-hours before a"
                  " pool's first price record and %.2f outside its capacity traces per replica.",
                  pu > 0 ? pu : 0.0, cu > 0 ? cu : 0.0);
        if (rp > 0)
            bothf(o,
                  "%s%.1f launch attempts per replica were refused because the Spot price was above"
                  " the max price.",
                  pu > 0 || cu > 0 ? " " : "", rp);
        para_close(o);
    }
    if (!d->optim) {
        char meaning[160];
        slo_meaning(r->scenario_text, meaning, sizeof meaning);
        para_open(o);
        bothf(o, "\"Available\" means %s.", meaning);
        para_close(o);
    }
}

/* The files of the optimization's export directory with the command that
 * applies each, linked (relative to the page); in APPLY.md's order. */
static void apply_section(out2 *o, const ss_report_doc *d)
{
    static const struct {
        const char *file, *command;
    } steps[] = {
        {"APPLY.md", "the placeholders left and these commands, in order"},
        {"launch-template.json", "aws ec2 create-launch-template --cli-input-json file://launch-template.json"},
        {"asg.json", "aws autoscaling create-auto-scaling-group --cli-input-json file://asg.json"},
        {"ecs-capacity-provider.json", "aws ecs create-capacity-provider --cli-input-json file://ecs-capacity-provider.json"},
        {"ecs-cluster-capacity-providers.json",
         "aws ecs put-cluster-capacity-providers --cli-input-json file://ecs-cluster-capacity-providers.json"},
        {"target-group-attributes.json",
         "aws elbv2 modify-target-group-attributes --cli-input-json file://target-group-attributes.json"},
        {"target-group-health-check.json", "aws elbv2 modify-target-group --cli-input-json file://target-group-health-check.json"},
        {"ecs-task-definition.json", "aws ecs register-task-definition --cli-input-json file://ecs-task-definition.json"},
        {"ecs-service.json", "aws ecs create-service --cli-input-json file://ecs-service.json"},
        {"k8s.yaml", "eksctl create nodegroup (its ClusterConfig), kubectl apply -f (the rest)"},
        {"cluster-autoscaler-values.yaml", "helm upgrade --install cluster-autoscaler autoscaler/cluster-autoscaler -f ..."},
        {"main.tf", "terraform init && terraform apply (all of the above as one module)"},
    };
    const ss_report_optim *op = d->optim;
    if (!d->export_rel || !op || !op->export_dir)
        return;
    heading(o, 2, "Apply the recommendation");
    para_open(o);
    bothf(o, "spotsim optimize wrote the recommended configuration to %s as files you can apply as they are"
             " (copies beside this page); each with the command that applies it, run in that directory:",
          op->export_dir);
    para_close(o);
    list_open(o);
    int shown = 0;
    for (size_t i = 0; i < SS_ARRAY_LEN(steps); i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", op->export_dir, steps[i].file);
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        char link[PATH_MAX + 64];
        snprintf(link, sizeof link, "%s%s", d->export_rel, steps[i].file);
        fputs("<li><a href=\"", o->h);
        html_esc(o->h, link);
        fputs("\"><code>", o->h);
        html_esc(o->h, steps[i].file);
        fputs("</code></a>: <code>", o->h);
        html_esc(o->h, steps[i].command);
        fputs("</code></li>\n", o->h);
        fputs("- [`", o->m);
        fputs(steps[i].file, o->m);
        fputs("`](", o->m);
        fputs(link, o->m);
        fputs("): `", o->m);
        fputs(steps[i].command, o->m);
        fputs("`\n", o->m);
        shown++;
    }
    list_close(o);
    if (!shown) {
        para_open(o);
        bothf(o, "(No export file is left in the directory optimize wrote, %s.)", op->export_dir);
        para_close(o);
    }
}

static void charts_section(out2 *o, const ss_report_doc *d)
{
    heading(o, 2, "Charts");
    const char *ext = (d->formats & SS_REPORT_PNG) ? "png" : "svg";
    for (size_t i = 0; i < d->n_charts; i++) {
        const ss_report_chart *c = &d->charts[i];
        heading(o, 3, c->heading);
        fprintf(o->h, "<figure><img src=\"%s.%s\" width=\"1280\" height=\"720\" alt=\"", c->name,
                ext);
        html_esc(o->h, c->heading);
        fputs("\"><figcaption>", o->h);
        html_esc(o->h, c->caption);
        if ((d->formats & SS_REPORT_PNG) && (d->formats & SS_REPORT_SVG))
            fprintf(o->h, " <a href=\"%s.svg\">SVG</a>", c->name);
        fputs("</figcaption></figure>\n", o->h);
        fprintf(o->m, "![%s](%s.%s)\n\n", c->name, c->name, ext);
        md_esc(o->m, c->caption);
        fputs("\n\n", o->m);
    }
}

static void frontier_table(out2 *o, const ss_report_optim *op)
{
    heading(o, 2, "Pareto frontier");
    static const char *const cols[] = {"candidate", "cost / month", "+/- 95%", "availability",
                                       "+/- 95%", "served", "parameters"};
    table_head(o, cols, SS_ARRAY_LEN(cols));
    size_t n = op->n_frontier < MAX_FRONTIER_ROWS ? op->n_frontier : MAX_FRONTIER_ROWS;
    for (size_t i = 0; i < n; i++) {
        const ss_report_candidate *c = &op->cands[op->frontier[i]];
        char id[32], cost[32], ch[32], av[32], ah[32], sv[32], ptxt[1024];
        snprintf(id, sizeof id, "%lld", (long long)c->id);
        money(cost, sizeof cost, c->cost_mean);
        money(ch, sizeof ch, c->cost_half);
        ss_report_fmt_availability(c->avail_mean, av, sizeof av);
        snprintf(ah, sizeof ah, "%.3f pp", 100 * c->avail_half);
        ss_report_fmt_availability(c->served_mean, sv, sizeof sv);
        params_text(c->params_json, ptxt, sizeof ptxt);
        const char *cells[] = {id, cost, ch, av, ah, sv, ptxt};
        table_row(o, cells, SS_ARRAY_LEN(cells), (long)op->frontier[i] == op->recommended);
    }
    table_end(o);
    if (op->n_frontier > n) {
        para_open(o);
        bothf(o, "(%zu more frontier points in data/frontier_line.tsv)", op->n_frontier - n);
        para_close(o);
    }
}

static void recommended_table(out2 *o, const ss_report_optim *op)
{
    heading(o, 2, "Recommended parameters");
    static const char *const cols[] = {"parameter", "value"};
    table_head(o, cols, 2);
    json_t *j = json_loads(op->cands[op->recommended].params_json, 0, NULL);
    for (size_t k = 0; k < op->n_params; k++) {
        json_t *v = json_object_get(j, op->param_names[k]);
        if (!v)
            continue;
        char *dv = json_is_string(v) ? ss_strdup(json_string_value(v))
                                     : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        const char *cells[] = {op->param_names[k], dv ? dv : "?"};
        table_row(o, cells, 2, 0);
        free(dv);
    }
    json_decref(j);
    table_end(o);
}

/* Replica 0's cost, instance-hours and interruption notices by zone, with
 * each zone's share of the cost. */
static void zone_table(out2 *o, const ss_report_run *r)
{
    json_t *zs = r->zones_json ? json_loads(r->zones_json, 0, NULL) : NULL;
    if (!json_is_array(zs) || json_array_size(zs) == 0) {
        json_decref(zs);
        return;
    }
    double total = 0;
    size_t i;
    json_t *z;
    json_array_foreach(zs, i, z) total += json_number_value(json_object_get(z, "cost_usd"));
    char h[128];
    snprintf(h, sizeof h, "Cost by zone (run %lld, replica 0)", (long long)r->id);
    heading(o, 2, h);
    static const char *const cols[] = {"zone", "cost (USD)", "share", "Spot instance-h", "On-Demand instance-h",
                                       "interruption notices"};
    table_head(o, cols, SS_ARRAY_LEN(cols));
    json_array_foreach(zs, i, z)
    {
        char c[32], sh[32], sp[32], od[32], in[32];
        double cost = json_number_value(json_object_get(z, "cost_usd"));
        snprintf(c, sizeof c, "%.2f", cost);
        snprintf(sh, sizeof sh, "%.0f%%", total > 0 ? 100 * cost / total : 0.0);
        snprintf(sp, sizeof sp, "%.1f", json_number_value(json_object_get(z, "spot_instance_hours")));
        snprintf(od, sizeof od, "%.1f", json_number_value(json_object_get(z, "od_instance_hours")));
        snprintf(in, sizeof in, "%lld", (long long)json_integer_value(json_object_get(z, "interruptions")));
        const char *zn = json_string_value(json_object_get(z, "zone"));
        const char *cells[] = {zn ? zn : "?", c, sh, sp, od, in};
        table_row(o, cells, SS_ARRAY_LEN(cells), 0);
    }
    table_end(o);
    json_decref(zs);
}

static void run_table(out2 *o, const ss_report_run *r)
{
    char h[128];
    snprintf(h, sizeof h, "Run %lld summary", (long long)r->id);
    heading(o, 2, h);
    static const char *const cols[] = {"metric", "mean", "+/- 95%", "unit", "meaning"};
    table_head(o, cols, SS_ARRAY_LEN(cols));
    for (int m = 0; m < SS_METRIC_COUNT; m++) {
        if (isnan(r->mean[m]))
            continue;
        char mean[48], half[48];
        snprintf(mean, sizeof mean, "%.6g", r->mean[m]);
        snprintf(half, sizeof half, "%.3g", r->half[m]);
        const char *cells[] = {ss_metric_table[m].name, mean, half, ss_metric_table[m].unit,
                               ss_metric_table[m].description};
        table_row(o, cells, SS_ARRAY_LEN(cells), 0);
    }
    table_end(o);
}

static const char css[] =
    "<style>\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1320px;"
    "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ddd}\n"
    ".summary{background:#f3f8fc;border-left:5px solid #0072b2;padding:.6em 1.2em;font-size:1.1em}\n"
    "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #ddd}\n"
    "figcaption{color:#555;font-size:.95em}\n"
    "table{border-collapse:collapse;margin:1em 0;font-size:.92em}\n"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}tr.rec td{background:#fff3d6;font-weight:bold}\n"
    ".meta{color:#666;font-size:.9em}\n"
    "</style>\n";

int ss_report_write_docs(const ss_report_doc *d, const char *dir, ss_err *err)
{
    char hp[PATH_MAX], mp[PATH_MAX];
    snprintf(hp, sizeof hp, "%s/index.html", dir);
    snprintf(mp, sizeof mp, "%s/index.md", dir);
    out2 o = {fopen(hp, "w"), fopen(mp, "w")};
    if (!o.h || !o.m) {
        if (o.h)
            fclose(o.h);
        if (o.m)
            fclose(o.m);
        return ss_err_set(err, "%s: cannot write: %s", dir, strerror(errno));
    }
    char title[256];
    const char *name = d->optim ? d->optim->scenario_name
                       : d->run ? d->run->scenario_name
                                : "market data";
    snprintf(title, sizeof title, "spotsim report: %s", name);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", o.h);
    html_esc(o.h, title);
    fputs("</title>\n", o.h);
    fputs(css, o.h);
    fputs("</head>\n<body>\n", o.h);
    heading(&o, 1, title);

    fputs("<p class=\"meta\">", o.h);
    if (d->optim)
        bothf(&o, "Optimization %lld of %s (%s search, %zu candidates x %d replicas, seed %lld).",
              (long long)d->optim->id, d->optim->created_at, d->optim->method, d->optim->n_cands,
              d->optim->replicas, (long long)d->optim->seed);
    if (d->run)
        bothf(&o, "%sRun %lld of %s (seed %lld).", d->optim ? " " : "", (long long)d->run->id,
              d->run->created_at, (long long)d->run->seed);
    if (d->stats_mode)
        both(&o, "Governance view of the imported market data (no simulation).");
    bothf(&o, " Region: %s. spotsim %s.", d->region && *d->region ? d->region : "all regions",
          SPOTSIM_VERSION);
    fputs("</p>\n", o.h);
    fputs("\n\n", o.m);

    heading(&o, 2, "Summary");
    if (d->optim && d->optim->recommended >= 0)
        summary_optim(&o, d);
    if (d->run)
        summary_run(&o, d);
    if (d->optim || d->run)
        evidence_para(&o, d->optim ? d->optim->scenario_text : d->run->scenario_text, d->region);
    if (d->stats_mode) {
        para_open(&o);
        both(&o, "These charts show how often Spot capacity was taken back, per zone, instance"
                 " type and pool, how long Spot instances lived, and how Spot prices compared with"
                 " On-Demand prices over the imported history.");
        para_close(&o);
    }
    apply_section(&o, d);
    if (!d->n_charts) {
        para_open(&o);
        both(&o, "No chart: the store holds no data to draw.");
        para_close(&o);
    } else {
        charts_section(&o, d);
    }
    if (d->optim && d->optim->n_frontier)
        frontier_table(&o, d->optim);
    if (d->optim && d->optim->recommended >= 0 && d->optim->n_params)
        recommended_table(&o, d->optim);
    if (d->run) {
        zone_table(&o, d->run);
        run_table(&o, d->run);
    }
    fputs("</body>\n</html>\n", o.h);
    int bad = ferror(o.h) || ferror(o.m);
    bad |= fclose(o.h) != 0;
    bad |= fclose(o.m) != 0;
    if (bad)
        return ss_err_set(err, "%s: write failed", dir);
    return 0;
}
