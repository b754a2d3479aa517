/*
 * main.c - the spotsim binary: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "datasets/store.h"
#include "sim/cli/cli.h"
#include "sim/kernel/fileio.h"

static void print_help(void)
{
    printf("spotsim %s - simulate and optimize services on EC2 Spot capacity\n\n", SPOTSIM_VERSION);
    fputs("Usage: spotsim COMMAND [OPTIONS] [ARGS]\n"
          "       spotsim help COMMAND | spotsim COMMAND --help\n"
          "       spotsim --version\n\n"
          "Commands:\n",
          stdout);
    for (const ss_command *c = ss_commands; c->name; c++)
        printf("  %-9s %s\n", c->name, c->summary);
    fputs("\nThe store is --db FILE, else $SPOTSIM_DB, else results/spotsim.db.\n"
          "Typical session (from the source tree; the files exist):\n"
          "  spotsim import datasets/samples/spot-2016-us-east-1.csv datasets/samples/ondemand-2016.csv \\\n"
          "                 datasets/samples/spot-advisor-data_2025-06-28.json\n"
          "  spotsim stats --by zone\n"
          "  spotsim run examples/ecs-api-3az-2016.yaml\n"
          "  spotsim optimize examples/ecs-api-3az-2016.yaml --slo 99.9% --out results/opt\n"
          "  spotsim export examples/ecs-api-3az-2016.yaml --optimization 1 --format ecs-json --out results/apply\n"
          "  spotsim report --optimization 1 --out results/report\n"
          "See README.md for the data formats and the scenario file.\n",
          stdout);
}

static int unknown_command(const char *cmd)
{
    const char *s = ss_suggest_command(cmd);
    char shown[256]; /* control characters as \xHH, never raw on a terminal */
    ss_printable(cmd, shown, sizeof shown);
    if (s)
        fprintf(stderr, "spotsim: unknown command '%s' (did you mean '%s'?)\nTry 'spotsim --help'.\n", shown, s);
    else
        fprintf(stderr, "spotsim: unknown command '%s'\nTry 'spotsim --help'.\n", shown);
    return SS_EXIT_USAGE;
}

/* A writer waiting for the store's lock says so (store.h). */
static void lock_notice(const char *path, double waited, double limit)
{
    char shown[600];
    fprintf(stderr,
            "spotsim: %s is locked by another writer (an import, run or optimize); waiting (%.0f s so far, "
            "giving up after %.0f s; SPOTSIM_LOCK_TIMEOUT=SECONDS changes that)\n",
            ss_printable(path, shown, sizeof shown), waited, limit);
}

int main(int argc, char **argv)
{
    ss_store_set_wait_notice(lock_notice);
    if (argc < 2) {
        print_help();
        return SS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        print_help();
        return SS_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("spotsim %s\n", SPOTSIM_VERSION);
        return SS_EXIT_OK;
    }
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            print_help();
            return SS_EXIT_OK;
        }
        if (!ss_command_find(argv[2]))
            return unknown_command(argv[2]);
        return ss_print_usage(argv[2]);
    }
    const ss_command *c = ss_command_find(cmd);
    if (!c)
        return unknown_command(cmd);
    ss_getopt_reset();
    int rc = c->run(argc - 1, argv + 1);
    /* Output to stdout (`export > FILE`, `run --json > FILE`) is buffered: a
     * full disk shows only here, and must not exit 0. */
    ss_err err;
    if (ss_stdout_close_check(&err)) {
        fprintf(stderr, "spotsim %s: %s\n", cmd, err.msg);
        if (rc == SS_EXIT_OK)
            rc = SS_EXIT_FAIL;
    }
    return rc;
}
