/*
 * cli.h - the command surface of the spotsim binary.
 *
 * Each subcommand lives in sim/cmd_<name>.c as `int ss_cmd_<name>(int argc,
 * char **argv)` (argv[0] is the subcommand name) and parses its own options
 * with getopt_long. Exit codes: 0 success, 1 failure (bad data, I/O, ...),
 * 2 usage error (unknown option, missing argument).
 */
#ifndef SPOTSIM_CLI_H
#define SPOTSIM_CLI_H

#include <stdio.h>

#include "sim/kernel/util.h"

#define SS_EXIT_OK 0
#define SS_EXIT_FAIL 1
#define SS_EXIT_USAGE 2

typedef struct ss_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;  /* one line for `spotsim --help` */
    const char *usage;    /* full text for `spotsim help NAME` / `NAME --help` */
} ss_command;

extern const ss_command ss_commands[];
const ss_command *ss_command_find(const char *name);

/* Print "spotsim NAME: message" and "Try 'spotsim NAME --help'." to stderr;
 * returns SS_EXIT_USAGE. */
int ss_usage_error(const char *cmd, const char *fmt, ...) SS_PRINTF(2, 3);
/* Print "spotsim NAME: message" to stderr; returns SS_EXIT_FAIL. */
int ss_fail(const char *cmd, const char *fmt, ...) SS_PRINTF(2, 3);
/* Print the command's usage text to stdout; returns SS_EXIT_OK. */
int ss_print_usage(const char *cmd);

/* The candidate closest to word by edit distance when it is close enough to
 * be a typo (at most 2 edits, or a third of a word of 9+ letters), else NULL. */
const char *ss_suggest(const char *word, const char *const *cands, int n);
/* The command name closest to word, or NULL. */
const char *ss_suggest_command(const char *word);
/* Usage error for an unknown option, with "did you mean '--x'?" from opts. */
struct option;
int ss_unknown_option(const char *cmd, const char *arg, const struct option *opts);
/* Usage error for an option value not among choices (NULL-terminated),
 * naming the closest and listing all. */
int ss_bad_choice(const char *cmd, const char *opt, const char *got, const char *const *choices);
/* Index of got in choices (NULL-terminated), or -1. */
int ss_choice_index(const char *got, const char *const *choices);
/* The store when --db is not given: $SPOTSIM_DB, else results/spotsim.db. */
const char *ss_default_db(void);

/* getopt_long wrapper state reset (getopt is process-global). */
void ss_getopt_reset(void);

/* Usage texts, each defined in its cmd_<name>.c. */
extern const char ss_usage_import[], ss_usage_stats[], ss_usage_run[], ss_usage_optimize[],
    ss_usage_report[], ss_usage_export[], ss_usage_fit[], ss_usage_backtest[], ss_usage_list[], ss_usage_show[],
    ss_usage_diff[], ss_usage_explain[];

/* Subcommands. */
int ss_cmd_import(int argc, char **argv);
int ss_cmd_stats(int argc, char **argv);
int ss_cmd_run(int argc, char **argv);
int ss_cmd_optimize(int argc, char **argv);
int ss_cmd_report(int argc, char **argv);
int ss_cmd_export(int argc, char **argv);
int ss_cmd_fit(int argc, char **argv);
int ss_cmd_backtest(int argc, char **argv);
int ss_cmd_list(int argc, char **argv);
int ss_cmd_show(int argc, char **argv);
int ss_cmd_diff(int argc, char **argv);
int ss_cmd_explain(int argc, char **argv);

#endif
