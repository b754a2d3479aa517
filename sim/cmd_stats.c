/*
 * cmd_stats.c - `spotsim stats` (not built yet: says so and exits non-zero).
 */
#include <string.h>

#include "sim/cli.h"

const char ss_usage_stats[] = "Usage: spotsim stats ...\n\n"
                           "This command is planned (see README.md) but not built yet.\n";

int ss_cmd_stats(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return ss_print_usage("stats");
    return ss_fail("stats", "not built yet in this version (see README.md, 'Status')");
}
