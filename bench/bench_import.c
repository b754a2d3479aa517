/*
 * bench_import.c - import throughput: a generated 1,000,000-row price CSV,
 * the same rows as archive TSV (AZ IDs) and as an AWS CLI JSON document,
 * each into a fresh store in a temp dir. Prints records/s and the peak RSS
 * after the CSV import (run first, so the JSON document's memory is not in
 * it). Targets (2 cores): CSV/TSV >= 300k rec/s, JSON >= 150k rec/s,
 * CSV peak RSS < 64 MB.
 *   bench_import [ROWS]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "datasets/import.h"
#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

#define POOLS 100

static void gen(const char *path, int kind, long rows)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        ss_fatal("cannot write %s", path);
    static const char *types[] = {"m5.large", "m5.xlarge", "c5.large", "c5.xlarge", "r5.large",
                                  "m3.medium", "m1.large", "t3.micro", "c6i.large", "p3.2xlarge"};
    static const char *zones[] = {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f",
                                  "us-west-2a", "us-west-2b", "us-west-2c", "eu-west-3a", "eu-west-3b"};
    static const char *ids[] = {"use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6",
                                "usw2-az1", "usw2-az2", "usw2-az3", "euw3-az1", "euw3-az2"};
    if (kind == 0)
        fputs("AvailabilityZone,InstanceType,ProductDescription,SpotPrice,Timestamp\n", fp);
    if (kind == 2)
        fputs("{\n    \"SpotPriceHistory\": [\n", fp);
    ss_time base = ss_days_from_civil(2024, 1, 1) * SS_DAY;
    for (long i = 0; i < rows; i++) {
        int p = (int)(i % POOLS);
        char ts[SS_TIME_BUFLEN];
        ss_time_format(base + (i / POOLS) * 60 * SS_SECOND, ts);
        double price = 0.01 + (double)((i * 7919) % 1000) / 10000.0;
        const char *type = types[p % 10], *zone = zones[p / 10];
        if (kind == 0)
            fprintf(fp, "%s,%s,Linux/UNIX,%.6f,%s\n", zone, type, price, ts);
        else if (kind == 1)
            fprintf(fp, "%s\t%s\tLinux/UNIX\t%.6f\t%s\n", ids[p / 10], type, price, ts);
        else
            fprintf(fp,
                    "        {\n            \"Timestamp\": \"%s\", \n            \"ProductDescription\": "
                    "\"Linux/UNIX\", \n            \"InstanceType\": \"%s\", \n            \"SpotPrice\": "
                    "\"%.6f\", \n            \"AvailabilityZone\": \"%s\"\n        }%s\n",
                    ts, type, price, zone, i + 1 < rows ? "," : "");
    }
    if (kind == 2)
        fputs("    ]\n}\n", fp);
    fclose(fp);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Returns records per CPU-second (the machine is shared: wall time also
 * printed, but CPU time is what the importer costs). */
static double run(const char *dir, const char *name, const char *file, long rows)
{
    char db[1024];
    snprintf(db, sizeof db, "%s/%s.db", dir, name);
    ss_store st;
    ss_err err;
    if (ss_store_open(&st, db, 0, &err))
        ss_fatal("%s", err.msg);
    ss_import_opts o;
    ss_import_opts_init(&o);
    ss_import_result r;
    double t0 = ss_wall_seconds(), c0 = cpu_seconds();
    if (ss_import_file(&st, file, &o, &r, &err))
        ss_fatal("%s", err.msg);
    ss_store_close(&st); /* includes the WAL checkpoint */
    double dt = ss_wall_seconds() - t0, dc = cpu_seconds() - c0;
    if (r.added != rows)
        ss_fatal("%s: added %ld of %ld rows", name, r.added, rows);
    printf("import %-4s %8ld records: wall %6.2f s = %9.0f records/s; CPU %6.2f s = %9.0f records/s\n",
           name, rows, dt, (double)rows / dt, dc, (double)rows / dc);
    return (double)rows / dc;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 1000000;
    if (rows < POOLS)
        rows = POOLS;
    char dir[] = "/tmp/spotsim-bench-XXXXXX";
    if (!mkdtemp(dir))
        ss_fatal("mkdtemp failed");
    char csv[1100], tsv[1100], json[1100];
    snprintf(csv, sizeof csv, "%s/prices.csv", dir);
    snprintf(tsv, sizeof tsv, "%s/prices.tsv", dir);
    snprintf(json, sizeof json, "%s/prices.json", dir);
    gen(csv, 0, rows);
    gen(tsv, 1, rows);
    gen(json, 2, rows);
    double c = run(dir, "csv", csv, rows);
    size_t rss = ss_peak_rss_bytes();
    printf("peak RSS after the CSV import: %.1f MB\n", (double)rss / 1e6);
    double t = run(dir, "tsv", tsv, rows);
    double j = run(dir, "json", json, rows);
    printf("targets: CSV %s, TSV %s (>= 300000/s), JSON %s (>= 150000/s), CSV RSS %s (< 64 MB)\n",
           c >= 300000 ? "met" : "MISSED", t >= 300000 ? "met" : "MISSED",
           j >= 150000 ? "met" : "MISSED", rss < 64u * 1000 * 1000 ? "met" : "MISSED");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}
