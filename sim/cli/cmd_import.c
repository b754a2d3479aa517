/*
 * cmd_import.c - `spotsim import`: files into the SQLite store, one
 * transaction per file (datasets/import.h does the work; this file parses
 * options, opens the store and prints one summary line per file).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "datasets/import.h"

#include "sim/cli/cli.h"

const char ss_usage_import[] =
    "Usage: spotsim import [OPTIONS] FILE...   (FILE - is standard input)\n"
    "\n"
    "Import AWS exports into the SQLite store. The format of each FILE is detected\n"
    "from its content (or forced with --format). Each file is imported in ONE\n"
    "transaction with a provenance row (file name, SHA-256, format, options, rows);\n"
    "importing the same file again with the same options adds nothing.\n"
    "A malformed record fails the whole file (message FILE:LINE or FILE: [index],\n"
    "field and value) and leaves the store unchanged, unless --skip-bad.\n"
    "\n"
    "Formats (--format NAME):\n"
    "  price-json     AWS CLI describe-spot-price-history {\"SpotPriceHistory\":[...]}\n"
    "  price-jsonl    the same records, one JSON object per line\n"
    "  price-csv      CSV with a header naming AvailabilityZone, InstanceType,\n"
    "                 ProductDescription (or 'OS type'), SpotPrice, Timestamp, any order\n"
    "  price-tsv      archive TSV, no header: AZ-ID InstanceType Product Price Timestamp\n"
    "  events-json    EventBridge Spot interruption warnings / rebalance\n"
    "                 recommendations, as a JSON array\n"
    "  events-jsonl   the same, one event per line\n"
    "  inventory-csv  instance_id,instance_type,availability_zone,lifecycle,\n"
    "                 launch_time,end_time,end_reason\n"
    "  records-csv    instance_id,instance_type,availability_zone,launch_time,\n"
    "                 interruption_time\n"
    "  skypilot       SkyPilot capacity trace {\"metadata\":{\"gap_seconds\":G},\"data\":[...]}\n"
    "  advisor        Spot Instance Advisor JSON (snapshot date: --snapshot or file name)\n"
    "  ondemand-2016  on-demand table ,AvailabilityZone(=region),InstanceType,OnDemand,...\n"
    "  ondemand-csv   region,instance_type,os,usd_per_hour\n"
    "  spotjs         legacy spot.js regional price snapshot (legacy region names mapped)\n"
    "\n"
    "Options:\n"
    "  --db FILE            store (default $SPOTSIM_DB, else " SS_STORE_DEFAULT_PATH "; parent dirs created)\n"
    "  --format NAME        force the format instead of detecting it\n"
    "  --skip-bad           skip malformed records; report how many and why (first 5)\n"
    "  --zone-map FILE      CSV zone_id,zone_name mapping AZ IDs (use1-az4) to names;\n"
    "                       without it AZ IDs are kept as zone names\n"
    "  --pool TYPE@ZONE     skypilot: the pool (default: from the file name\n"
    "                       <zone>_<v100|k80>_<1|8>.json)\n"
    "  --start TIMESTAMP    skypilot: time of sample 0 (default: the date in the\n"
    "                       directory name aws-MM-DD-YYYY, midnight UTC)\n"
    "  --start-offset N     skypilot: sample 0 is N samples after the start\n"
    "  --meaning M          skypilot (required): available-count | preempted-flag |\n"
    "                       available-flag\n"
    "  --capacity N         skypilot: pool capacity (default: max value for counts, 1 for flags)\n"
    "  --snapshot DATE      advisor, spotjs: snapshot date YYYY-MM-DD\n"
    "  -q, --quiet          no summary lines (errors are still printed)\n"
    "  --json               the summary as JSON: the store and, per file, format,\n"
    "                       records, added, duplicates, skipped (or the error)\n"
    "  -h, --help           this text\n"
    "\n"
    "Output: one line per file: FILE: FORMAT: N records, N added, N duplicates ignored,\n"
    "N skipped (or 'already imported').\n"
    "Limits: whole-document JSON shapes above 256 MiB are refused; binary data\n"
    "(NUL bytes, invalid UTF-8) and empty files are refused.\n"
    "Exit status: 0 all files imported (or already present), 1 any file failed,\n"
    "2 usage error. See docs/formats.md for every shape and mapping.\n"
    "\n"
    "Examples:\n"
    "  spotsim import datasets/samples/spot-2016-us-east-1.csv datasets/samples/ondemand-2016.csv\n"
    "  spotsim import --db results/eu.db datasets/samples/eu-west-3a-2020-linux.csv\n"
    "  aws ec2 describe-spot-price-history --output json | spotsim import -\n";

static int mkdir_parents(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

/* Standard input ("-") into a file of its own (the importers read files:
 * format detection looks at the head, the readers stream the rest), named
 * "stdin" so that the provenance says where the rows came from. */
static int spool_stdin(char *dir, size_t dn, char *path, size_t pn)
{
    const char *t = getenv("TMPDIR");
    snprintf(dir, dn, "%s/spotsim-stdin-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, pn, "%s/stdin", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (fwrite(buf, 1, n, f) != n)
            rc = -1;
    if (ferror(stdin))
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

/* msg with every occurrence of the spool path replaced by "-". */
static void unspool(char *msg, size_t n, const char *path)
{
    char out[sizeof ((ss_err *)0)->msg];
    size_t o = 0, pl = strlen(path);
    for (const char *p = msg; *p && o + 2 < sizeof out;) {
        if (!strncmp(p, path, pl)) {
            out[o++] = '-';
            p += pl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
    snprintf(msg, n, "%s", out);
}

int ss_cmd_import(int argc, char **argv)
{
    enum { O_DB = 256, O_FORMAT, O_SKIP, O_ZONEMAP, O_POOL, O_START, O_OFFSET, O_MEANING,
           O_CAPACITY, O_SNAPSHOT };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, O_DB},
        {"format", required_argument, NULL, O_FORMAT},
        {"skip-bad", no_argument, NULL, O_SKIP},
        {"zone-map", required_argument, NULL, O_ZONEMAP},
        {"pool", required_argument, NULL, O_POOL},
        {"start", required_argument, NULL, O_START},
        {"start-offset", required_argument, NULL, O_OFFSET},
        {"meaning", required_argument, NULL, O_MEANING},
        {"capacity", required_argument, NULL, O_CAPACITY},
        {"snapshot", required_argument, NULL, O_SNAPSHOT},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ss_import_opts o;
    ss_import_opts_init(&o);
    const char *db = ss_default_db();
    int quiet = 0, json = 0, c;
    ss_getopt_reset();
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        switch (c) {
        case O_DB: db = optarg; break;
        case O_FORMAT:
            if (ss_import_format_parse(optarg, &o.format))
                return ss_usage_error("import", "--format: unknown format '%s'", optarg);
            break;
        case O_SKIP: o.skip_bad = true; break;
        case O_ZONEMAP: o.zone_map = optarg; break;
        case O_POOL: o.pool = optarg; break;
        case O_START:
            if (ss_time_parse(optarg, &o.start))
                return ss_usage_error("import", "--start: '%s' is not an ISO-8601 timestamp", optarg);
            o.has_start = true;
            break;
        case O_OFFSET:
            if (parse_long(optarg, &o.start_offset) || o.start_offset < 0)
                return ss_usage_error("import", "--start-offset: '%s' is not a sample count >= 0",
                                      optarg);
            break;
        case O_MEANING: o.meaning = optarg; break;
        case O_CAPACITY:
            if (parse_long(optarg, &o.capacity) || o.capacity <= 0)
                return ss_usage_error("import", "--capacity: '%s' is not a positive integer", optarg);
            break;
        case O_SNAPSHOT: o.snapshot = optarg; break;
        case 'q': quiet = 1; break;
        case 'j': json = 1; break;
        case 'h': return ss_print_usage("import");
        case ':': return ss_usage_error("import", "option '%s' needs an argument", argv[optind - 1]);
        default: return ss_unknown_option("import", argv[optind - 1], longopts);
        }
    }
    if (optind >= argc)
        return ss_usage_error("import", "no FILE to import");
    if (mkdir_parents(db))
        return ss_fail("import", "%s: cannot create its directory: %s", db, strerror(errno));
    ss_store st;
    ss_err err;
    if (ss_store_open(&st, db, 0, &err))
        return ss_fail("import", "%s", err.msg);
    int failed = 0;
    json_t *files = json ? json_array() : NULL;
    char spool_dir[1024] = "", spool[1100] = "";
    for (int i = optind; i < argc; i++) {
        ss_import_result r;
        const char *path = argv[i];
        if (!strcmp(argv[i], "-")) {
            if (spool[0]) {
                ss_fail("import", "-: standard input can be read once");
                failed++;
                continue;
            }
            if (spool_stdin(spool_dir, sizeof spool_dir, spool, sizeof spool)) {
                ss_fail("import", "-: cannot read standard input into %s: %s", spool_dir, strerror(errno));
                failed++;
                continue;
            }
            path = spool;
        }
        int irc = ss_import_file(&st, path, &o, &r, &err);
        if (spool[0])
            unspool(err.msg, sizeof err.msg, spool);
        if (irc) {
            ss_fail("import", "%s", err.msg);
            failed++;
            if (files)
                json_array_append_new(files, json_pack("{s:s, s:b, s:s}", "file", argv[i], "ok", 0, "error",
                                                       err.msg));
            continue;
        }
        if (files) {
            json_array_append_new(
                files, json_pack("{s:s, s:b, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "file", argv[i], "ok", 1,
                                 "format", ss_import_format_name(r.format), "already_imported",
                                 r.already_imported ? 1 : 0, "records", (json_int_t)r.records, "added",
                                 (json_int_t)r.added, "duplicates", (json_int_t)r.duplicates, "skipped",
                                 (json_int_t)r.skipped, "not_offered", (json_int_t)r.not_offered));
        } else if (!quiet) {
            if (r.already_imported)
                printf("%s: %s: already imported, nothing added\n", argv[i],
                       ss_import_format_name(r.format));
            else
                printf("%s: %s: %ld records, %ld added, %ld duplicates ignored, %ld skipped%s\n",
                       argv[i], ss_import_format_name(r.format), r.records, r.added, r.duplicates,
                       r.skipped, r.not_offered ? "" : "");
            if (r.not_offered && !r.already_imported)
                printf("%s: %ld prices marked N/A (not offered) ignored\n", argv[i], r.not_offered);
            if (r.summary[0] && !r.already_imported)
                printf("%s: %s\n", argv[i], r.summary);
            if (r.note[0] && !r.already_imported)
                printf("%s: note: %s\n", argv[i], r.note);
        }
        for (int k = 0; k < r.n_reasons; k++)
            fprintf(stderr, "spotsim import: skipped: %s\n", r.reasons[k]);
        if (r.skipped > r.n_reasons)
            fprintf(stderr, "spotsim import: skipped: ... and %ld more\n", r.skipped - r.n_reasons);
    }
    ss_store_close(&st);
    if (spool[0]) {
        remove(spool);
        rmdir(spool_dir);
    }
    if (files) {
        json_t *o2 = json_pack("{s:s, s:o}", "store", db, "files", files);
        char *txt = json_dumps(o2, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(o2);
    }
    if (failed && argc - optind > 1)
        fprintf(stderr, "spotsim import: %d of %d files failed\n", failed, argc - optind);
    return failed ? SS_EXIT_FAIL : SS_EXIT_OK;
}
