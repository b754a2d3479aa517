/*
 * bench_scenario.c - how fast the scenario file is read, how fast the
 * optimizer can set a candidate's parameters, and how fast the hash is.
 * Run from the repository root (make bench does): reads examples/.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/scenario/scenario_io.h"
#include "sim/kernel/util.h"

int main(void)
{
    const char *path = "examples/ecs-api-3az-2016.yaml";
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_err err;
    if (ss_scenario_load_file(path, sc, &err)) {
        fprintf(stderr, "bench_scenario: %s (run from the repository root)\n", err.msg);
        free(sc);
        return 1;
    }
    const int n_load = 2000, n_set = 200000, n_hash = 20000;
    double t0 = ss_wall_seconds();
    for (int i = 0; i < n_load; i++)
        if (ss_scenario_load_file(path, sc, &err))
            return 1;
    double t1 = ss_wall_seconds();
    static const char *vals[] = {"0", "1", "2"};
    for (int i = 0; i < n_set; i++)
        if (ss_scenario_set(sc, "asg.on_demand_base_capacity", vals[i % 3], &err))
            return 1;
    double t2 = ss_wall_seconds();
    static const char *sets[] = {"[m3.medium]", "[m1.large]", "[m3.medium, m1.large]"};
    for (int i = 0; i < n_set / 10; i++)
        if (ss_scenario_set(sc, "asg.instance_types", sets[i % 3], &err))
            return 1;
    double t3 = ss_wall_seconds();
    char h[17];
    for (int i = 0; i < n_hash; i++)
        ss_scenario_hash(sc, h);
    double t4 = ss_wall_seconds();
    printf("bench_scenario: load %s: %.1f us/file\n", path, (t1 - t0) / n_load * 1e6);
    printf("bench_scenario: set scalar (asg.on_demand_base_capacity): %.3f us/call\n",
           (t2 - t1) / n_set * 1e6);
    printf("bench_scenario: set flow sequence (asg.instance_types): %.2f us/call\n",
           (t3 - t2) / (n_set / 10) * 1e6);
    printf("bench_scenario: hash: %.1f us/call\n", (t4 - t3) / n_hash * 1e6);
    free(sc);
    return 0;
}
