/*
 * cmd_optimize.c - `spotsim optimize` (not built yet: says so and exits non-zero).
 */
#include <string.h>

#include "sim/cli.h"

const char ss_usage_optimize[] = "Usage: spotsim optimize ...\n\n"
                           "This command is planned (see README.md) but not built yet.\n";

int ss_cmd_optimize(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return ss_print_usage("optimize");
    return ss_fail("optimize", "not built yet in this version (see README.md, 'Status')");
}
