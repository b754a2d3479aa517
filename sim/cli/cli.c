/*
 * cli.c - command table, usage texts and shared CLI error helpers.
 */
#include "sim/cli/cli.h"

#include "datasets/store.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


const ss_command ss_commands[] = {
    {"import", ss_cmd_import, "import price history, interruption logs, traces, advisor and on-demand data",
     ss_usage_import},
    {"stats", ss_cmd_stats, "interruption frequency, lifetimes, prices and savings per capacity pool",
     ss_usage_stats},
    {"run", ss_cmd_run, "simulate a scenario on the stored history and report cost and availability",
     ss_usage_run},
    {"optimize", ss_cmd_optimize, "search the policy space: Pareto frontier and recommended configuration",
     ss_usage_optimize},
    {"report", ss_cmd_report, "charts (gnuplot) and an HTML/Markdown report of stored results",
     ss_usage_report},
    {"fit", ss_cmd_fit, "fit interruption and capacity models from the evidence; store them by name",
     ss_usage_fit},
    {"backtest", ss_cmd_backtest, "optimize on a training window, check every candidate on the window after",
     ss_usage_backtest},
    {"export", ss_cmd_export, "write a scenario's configuration as ASG JSON, ECS JSON, Kubernetes YAML or Terraform",
     ss_usage_export},
    {"list", ss_cmd_list, "the imports, runs and optimizations in the store, with ids and headline figures",
     ss_usage_list},
    {"show", ss_cmd_show, "one run, optimization candidate or import in detail", ss_usage_show},
    {"diff", ss_cmd_diff, "two runs or candidates side by side: parameters, cost, availability, shortfalls",
     ss_usage_diff},
    {"explain", ss_cmd_explain, "what drives a candidate's shortfalls; its most influential parameter's counterfactual",
     ss_usage_explain},
    {NULL, NULL, NULL, NULL}};

const ss_command *ss_command_find(const char *name)
{
    for (const ss_command *c = ss_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

/* "spotsim CMD: message\n" with every control character but newline and tab
 * shown as \xHH: a message quotes names and values from the user's files,
 * and a raw escape sequence there must not reach the terminal. */
SS_PRINTF(2, 0) static void print_message(const char *cmd, const char *fmt, va_list ap)
{
    char msg[4096];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "spotsim %s: ", cmd);
    for (const char *p = msg; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fputc('\n', stderr);
}

int ss_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_message(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'spotsim %s --help'.\n", cmd);
    return SS_EXIT_USAGE;
}

int ss_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    print_message(cmd, fmt, ap);
    va_end(ap);
    return SS_EXIT_FAIL;
}

int ss_print_usage(const char *cmd)
{
    const ss_command *c = ss_command_find(cmd);
    if (!c)
        return SS_EXIT_USAGE;
    fputs(c->usage, stdout);
    return SS_EXIT_OK;
}

void ss_getopt_reset(void)
{
    optind = 0; /* glibc: 0 also reinitialises its internal state */
    opterr = 0;
}

const char *ss_suggest(const char *word, const char *const *cands, int n)
{
    const char *best = NULL;
    size_t bd = (size_t)-1, len = strlen(word);
    /* close enough to be a typo: 2 edits, or a third of a long word */
    size_t limit = len >= 9 ? len / 3 : 2;
    for (int i = 0; i < n; i++) {
        if (!cands[i])
            continue;
        size_t d = ss_edit_distance(word, cands[i]);
        if (d < bd) {
            bd = d;
            best = cands[i];
        }
    }
    return best && bd <= limit ? best : NULL;
}

const char *ss_suggest_command(const char *word)
{
    const char *names[64];
    int n = 0;
    for (const ss_command *c = ss_commands; c->name && n < 64; c++)
        names[n++] = c->name;
    return ss_suggest(word, names, n);
}

int ss_unknown_option(const char *cmd, const char *arg, const struct option *opts)
{
    if (!arg || strncmp(arg, "--", 2) != 0)
        return ss_usage_error(cmd, "unknown option '%s'", arg ? arg : "");
    char word[128];
    snprintf(word, sizeof word, "%s", arg + 2);
    char *eq = strchr(word, '=');
    if (eq)
        *eq = 0;
    const char *names[128];
    int n = 0;
    for (const struct option *o = opts; o->name && n < 128; o++)
        names[n++] = o->name;
    const char *s = ss_suggest(word, names, n);
    if (s)
        return ss_usage_error(cmd, "unknown option '%s' (did you mean '--%s'?)", arg, s);
    return ss_usage_error(cmd, "unknown option '%s'", arg);
}

int ss_bad_choice(const char *cmd, const char *opt, const char *got, const char *const *choices)
{
    ss_buf b = {0};
    int n = 0;
    for (; choices[n]; n++)
        ss_buf_printf(&b, "%s%s", n ? ", " : "", choices[n]);
    const char *s = ss_suggest(got, choices, n);
    int rc = s ? ss_usage_error(cmd, "%s: unknown value '%s' (did you mean '%s'?); expected one of %s", opt,
                                got, s, b.s)
               : ss_usage_error(cmd, "%s: unknown value '%s'; expected one of %s", opt, got, b.s);
    free(b.s);
    return rc;
}

int ss_choice_index(const char *got, const char *const *choices)
{
    for (int i = 0; choices[i]; i++)
        if (!strcmp(got, choices[i]))
            return i;
    return -1;
}

const char *ss_default_db(void)
{
    const char *e = getenv("SPOTSIM_DB");
    return e && *e ? e : SS_STORE_DEFAULT_PATH;
}
