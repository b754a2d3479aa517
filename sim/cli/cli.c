/*
 * cli.c - command table, usage texts and shared CLI error helpers.
 */
#include "sim/cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
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
