/*
 * cmd_run.c - `spotsim run` (not built yet: says so and exits non-zero).
 */
#include <string.h>

#include "sim/cli.h"

const char ss_usage_run[] = "Usage: spotsim run ...\n\n"
                           "This command is planned (see README.md) but not built yet.\n";

int ss_cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return ss_print_usage("run");
    return ss_fail("run", "not built yet in this version (see README.md, 'Status')");
}
