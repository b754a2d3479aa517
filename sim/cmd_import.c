/*
 * cmd_import.c - `spotsim import` (not built yet: says so and exits non-zero).
 */
#include <string.h>

#include "sim/cli.h"

const char ss_usage_import[] = "Usage: spotsim import ...\n\n"
                           "This command is planned (see README.md) but not built yet.\n";

int ss_cmd_import(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return ss_print_usage("import");
    return ss_fail("import", "not built yet in this version (see README.md, 'Status')");
}
