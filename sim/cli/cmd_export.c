/*
 * cmd_export.c - `spotsim export`: a scenario (as it is, or with the
 * parameters of a stored optimization candidate) as ASG JSON, ECS JSON,
 * Kubernetes YAML or Terraform.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "datasets/store.h"
#include "sim/scenario/scenario_io.h"
#include "policies/export.h"
#include "policies/optimize_eval.h"
#include "policies/search.h"
#include "sim/cli/cli.h"

const char ss_usage_export[] =
    "Usage: spotsim export SCENARIO --format FORMAT [options]\n"
    "       spotsim export --optimization ID --format FORMAT [options]\n"
    "\n"
    "Write the scenario's configuration (or that of a stored optimization's\n"
    "candidate) in a form you can apply.\n"
    "\n"
    "  --format F          all       : everything needed to apply it, into --out DIR, with\n"
    "                                  APPLY.md (the placeholders left and the commands in\n"
    "                                  order) and main.tf\n"
    "                      ecs-json  : the ECS inputs, one file per aws command (--out DIR):\n"
    "                                  launch-template.json (+ user-data.sh), asg.json,\n"
    "                                  ecs-capacity-provider.json, ecs-cluster-capacity-\n"
    "                                  providers.json, target-group-attributes.json,\n"
    "                                  target-group-health-check.json, ecs-task-definition.json,\n"
    "                                  ecs-service.json, ecs.config, APPLY.md\n"
    "                      asg-json  : aws autoscaling create-auto-scaling-group --cli-input-json;\n"
    "                                  several ASGs: one file per group (--out DIR) or --asg NAME\n"
    "                      ecs-capacity-provider-json : aws ecs create-capacity-provider\n"
    "                                  --cli-input-json (--provider NAME when several)\n"
    "                      ecs-service-json : aws ecs create-service --cli-input-json\n"
    "                      k8s-yaml  : Deployment, PodDisruptionBudget, eksctl ClusterConfig\n"
    "                                  (kubernetes scenarios; an ECS service is refused)\n"
    "                                  (provisioner karpenter: NodePools + EC2NodeClass instead\n"
    "                                  of the eksctl ClusterConfig)\n"
    "                      karpenter : Karpenter NodePools (karpenter.sh/v1) + EC2NodeClass\n"
    "                                  (karpenter.k8s.aws/v1)\n"
    "                      karpenter-values : Helm values of the karpenter chart (settings)\n"
    "                      cluster-autoscaler-values : Helm values of the cluster-autoscaler\n"
    "                                  chart with the simulated settings\n"
    "                      terraform : one module: launch template, ASG, capacity provider,\n"
    "                                  cluster association, task definition, service\n"
    "  --out PATH          one-file formats: write FILE (atomically; an existing directory\n"
    "                      gets the default name) instead of stdout; several files: the\n"
    "                      directory (created if needed)\n"
    "  --set NAME=VALUE    fill the placeholder <NAME> (repeatable), e.g.\n"
    "                      --set cluster-name=prod --set subnet-for-us-east-1a=subnet-0abc\n"
    "  --asg NAME          asg-json: only this ASG\n"
    "  --provider NAME     ecs-capacity-provider-json: only this capacity provider\n"
    "  --optimization ID   apply the parameters of a candidate of that optimization; with\n"
    "                      SCENARIO, it must be the optimized one (same scenario hash);\n"
    "                      without, the scenario stored with the optimization is used\n"
    "  --candidate N       which candidate (default: the recommended one)\n"
    "  --json              print what was written as JSON (files, placeholders left)\n"
    "  --db FILE           store (default $SPOTSIM_DB, else results/spotsim.db)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit 0; 1 on failure; 2 on usage errors. See docs/optimize.md.\n"
    "\n"
    "Examples:\n"
    "  spotsim export --optimization 1 --format all --out results/apply --set cluster-name=prod\n"
    "  spotsim export examples/ecs-api-3az-2016.yaml --format ecs-service-json\n"
    "  spotsim export examples/k8s-zone-spread.yaml --format k8s-yaml --out k8s.yaml\n";

enum { F_NONE, F_ASG, F_ECS, F_ECS_CP, F_ECS_SVC, F_K8S, F_TF, F_ALL, F_CA, F_KARP, F_KARP_VALUES };
/* In the order of the enum, from F_ASG. */
static const char *const format_names[] = {"asg-json", "ecs-json", "ecs-capacity-provider-json",
                                           "ecs-service-json", "k8s-yaml", "terraform", "all",
                                           "cluster-autoscaler-values", "karpenter", "karpenter-values", NULL};

/* The optimization's stored scenario: its hash and (when *text is wanted)
 * its text. */
static int stored_scenario(ss_store *st, const char *db, long id, char hash[17], char **text, long *recommended,
                           ss_err *err)
{
    sqlite3_stmt *s = NULL;
    if (ss_store_prepare(st,
                         "SELECT scenario_hash, scenario_text, json_extract(extra_json, '$.recommended') "
                         "FROM optimizations WHERE id = ?",
                         &s, err))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return ss_err_set(err, "%s: no optimization with id %ld (spotsim list shows them)", db, id);
    }
    const char *h = (const char *)sqlite3_column_text(s, 0), *t = (const char *)sqlite3_column_text(s, 1);
    snprintf(hash, 17, "%s", h ? h : "");
    if (text)
        *text = t ? ss_strdup(t) : NULL;
    *recommended = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 2);
    sqlite3_finalize(s);
    return 0;
}

/* The scenario of optimization id with the parameters of candidate cand
 * (-1: the recommended one) into out. sc is the scenario the user named, or
 * NULL to use the text stored with the optimization (loaded into sc). A
 * named scenario must be the one that was optimized (same hash): otherwise
 * the export would silently describe another service. */
static int stored_candidate(const char *db, long id, long cand, const char *path, ss_scenario *sc,
                            ss_scenario *out, ss_err *err)
{
    ss_store st;
    if (ss_store_open(&st, db, 1, err))
        return -1;
    int rc = -1;
    sqlite3_stmt *s = NULL;
    char stored_hash[17];
    char *text = NULL;
    long rec = -1;
    if (stored_scenario(&st, db, id, stored_hash, path ? NULL : &text, &rec, err))
        goto out;
    if (path) {
        char hash[17];
        ss_scenario_hash(sc, hash);
        if (strcmp(hash, stored_hash)) {
            ss_err_set(err,
                       "%s is not the scenario of optimization %ld (scenario hash %s, stored %s): "
                       "its parameters would be applied to another service; omit SCENARIO to export "
                       "the stored one",
                       path, id, hash, stored_hash);
            goto out;
        }
    } else {
        if (!text) {
            ss_err_set(err, "optimization %ld has no stored scenario text: name the SCENARIO file", id);
            goto out;
        }
        char name[64];
        snprintf(name, sizeof name, "optimization %ld (stored scenario)", id);
        if (ss_scenario_load_string(text, name, sc, err))
            goto out;
    }
    if (cand < 0) {
        if (rec < 0) {
            ss_err_set(err, "optimization %ld has no recommended candidate (no SLO met); use --candidate N", id);
            goto out;
        }
        cand = rec;
    }
    if (ss_store_prepare(&st, "SELECT params_json FROM candidates WHERE optimization_id = ? AND candidate_id = ?", &s, err))
        goto out;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, cand);
    if (sqlite3_step(s) != SQLITE_ROW) {
        ss_err_set(err, "%s: optimization %ld has no candidate %ld", db, id, cand);
        goto out;
    }
    ss_space sp;
    ss_candidate c;
    if (ss_space_build(&sc->search, &sp, err))
        goto out;
    sp.bind = &ss_scenario_binder;
    if (ss_space_parse_json(&sp, (const char *)sqlite3_column_text(s, 0), &c, err) ||
        ss_candidate_scenario(sc, &sp, &c, out, err))
        goto out;
    rc = 0;
out:
    if (s)
        sqlite3_finalize(s);
    free(text);
    ss_store_close(&st);
    return rc;
}

static bool is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Write text to PATH (or PATH/default_name when PATH is a directory). */
static int write_one(const char *path, const char *default_name, const char *text, ss_err *err)
{
    if (is_dir(path))
        return ss_write_file_atomic(path, default_name, text, err);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *name = path;
    if (slash) {
        *slash = 0;
        name = path + (slash - dir) + 1;
        if (slash == dir)
            strcpy(dir, "/");
    } else {
        strcpy(dir, ".");
    }
    if (!*name)
        return ss_err_set(err, "%s: no file name", path);
    return ss_write_file_atomic(dir, name, text, err);
}

static int find_named(const char *what, const char *name, int n, const char *(*get)(const ss_scenario *, int),
                      const ss_scenario *sc, ss_err *err)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(get(sc, i), name))
            return i;
    return ss_err_set(err, "the scenario has no %s named '%s'", what, name);
}

static const char *asg_name(const ss_scenario *sc, int i) { return sc->asgs[i].name; }
static const char *provider_name(const ss_scenario *sc, int i) { return sc->providers[i].name; }

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ss_buf b = {0};
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        ss_buf_append(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.s;
}

/* The placeholders "<...>" left in text, into a JSON array. */
static json_t *placeholders_left(const char *text)
{
    json_t *a = json_array();
    for (const char *p = strchr(text, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1;
        while (*q && (isalnum((unsigned char)*q) || strchr("-._:", *q)))
            q++;
        if (*q != '>' || q == p + 1)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(q - p + 1), p);
        bool seen = false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!strcmp(json_string_value(json_array_get(a, i)), name))
                seen = true;
        if (!seen)
            json_array_append_new(a, json_string(name));
    }
    return a;
}

static void print_json_obj(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s)
        printf("%s\n", s);
    free(s);
}

/* --json of a one-file export: the file (or null for stdout), the text and
 * the placeholders left. */
static void print_json_file(const char *file, const char *text)
{
    json_t *o = json_object();
    json_object_set_new(o, "files", file ? json_pack("[s]", file) : json_array());
    if (!file)
        json_object_set_new(o, "text", json_string(text));
    json_object_set_new(o, "placeholders", placeholders_left(text));
    print_json_obj(o);
}

/* --json of a directory export: its files (sorted) and the placeholders
 * left in them. */
static void print_json_dir(const char *dir)
{
    json_t *o = json_object(), *files = json_array();
    ss_buf all = {0};
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (ents[i]->d_name[0] != '.') {
            char full[1100];
            snprintf(full, sizeof full, "%s/%s", dir, ents[i]->d_name);
            json_array_append_new(files, json_string(full));
            size_t len = 0;
            char *t = read_all(full, &len);
            if (t && strcmp(ents[i]->d_name, "APPLY.md")) {
                ss_buf_append(&all, t, len);
                ss_buf_append(&all, "\n", 1);
            }
            free(t);
        }
        free(ents[i]);
    }
    free(ents);
    json_object_set_new(o, "directory", json_string(dir));
    json_object_set_new(o, "files", files);
    json_object_set_new(o, "placeholders", placeholders_left(all.s ? all.s : ""));
    free(all.s);
    print_json_obj(o);
}

int ss_cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"optimization", required_argument, NULL, 'O'},
                                         {"candidate", required_argument, NULL, 'c'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"asg", required_argument, NULL, 'a'},
                                         {"provider", required_argument, NULL, 'p'},
                                         {"set", required_argument, NULL, 'S'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int format = F_NONE;
    const char *out = NULL, *db = ss_default_db(), *asg_sel = NULL, *cp_sel = NULL;
    long opt_id = 0, cand = -1;
    bool json = false;
    ss_export_subst subst[32];
    int n_subst = 0;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'f': {
            int k = ss_choice_index(optarg, format_names);
            if (k < 0)
                return ss_bad_choice("export", "--format", optarg, format_names);
            format = k + 1;
            break;
        }
        case 'a': asg_sel = optarg; break;
        case 'p': cp_sel = optarg; break;
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
        case 'j': json = true; break;
        case 'S': {
            ss_err e2;
            if (n_subst >= (int)SS_ARRAY_LEN(subst))
                return ss_usage_error("export", "--set: at most %d values", (int)SS_ARRAY_LEN(subst));
            if (ss_export_subst_parse(optarg, &subst[n_subst], &e2))
                return ss_usage_error("export", "%s", e2.msg);
            n_subst++;
            break;
        }
        case 'O':
            errno = 0;
            opt_id = strtol(optarg, &end, 10);
            if (errno || *end || opt_id < 1)
                return ss_usage_error("export", "--optimization: expected an id, got '%s'", optarg);
            break;
        case 'c':
            errno = 0;
            cand = strtol(optarg, &end, 10);
            if (errno || *end || cand < 0)
                return ss_usage_error("export", "--candidate: expected a candidate number, got '%s'", optarg);
            break;
        case 'h': return ss_print_usage("export");
        case ':': return ss_usage_error("export", "option '%s' needs an argument", argv[optind - 1]);
        default: return ss_unknown_option("export", argv[optind - 1], opts);
        }
    }
    if (optind < argc - 1)
        return ss_usage_error("export", "one SCENARIO expected");
    if (optind == argc && opt_id == 0)
        return ss_usage_error("export", "missing SCENARIO (or --optimization ID to use its stored scenario)");
    const char *path = optind < argc ? argv[optind] : NULL;
    if (format == F_NONE)
        return ss_usage_error("export", "--format is required");
    if (cand >= 0 && opt_id == 0)
        return ss_usage_error("export", "--candidate needs --optimization");
    if (asg_sel && format != F_ASG)
        return ss_usage_error("export", "--asg applies to --format asg-json only");
    if (cp_sel && format != F_ECS_CP)
        return ss_usage_error("export", "--provider applies to --format ecs-capacity-provider-json only");
    if ((format == F_ECS || format == F_ALL) && !out)
        return ss_usage_error("export", "%s writes one file per command: give --out DIR (or use "
                                        "--format ecs-service-json / ecs-capacity-provider-json for one of them)",
                              format_names[format - 1]);
    ss_err err;
    ss_scenario *sc = ss_malloc(sizeof *sc), *use = ss_malloc(sizeof *use);
    char *text = NULL;
    int rc = SS_EXIT_FAIL;
    if (path && ss_scenario_load_file(path, sc, &err)) {
        ss_fail("export", "%s", err.msg);
        goto done;
    }
    if (opt_id > 0) {
        if (stored_candidate(db, opt_id, cand, path, sc, use, &err)) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
    } else {
        memcpy(use, sc, sizeof *use);
    }
    int r = 0, idx = 0;
    const char *default_name = "out";
    const char *what = path ? path : "the stored scenario";
    if ((format == F_ECS || format == F_ECS_CP || format == F_ECS_SVC) && use->orchestrator != SS_ORCH_ECS) {
        ss_fail("export", "%s: the scenario's orchestrator is kubernetes: use --format k8s-yaml, "
                          "cluster-autoscaler-values, all or terraform",
                what);
        goto done;
    }
    if ((format == F_K8S || format == F_CA) && use->orchestrator != SS_ORCH_KUBERNETES) {
        /* A Deployment carries pod requests and replicas the ECS service
         * does not have (task CPU units, desiredCount on capacity
         * providers): writing one would describe another service. */
        ss_fail("export", "%s: the scenario's orchestrator is ecs: a Kubernetes Deployment would not be the "
                          "simulated service; use --format ecs-json, all, asg-json or terraform",
                what);
        goto done;
    }
    /* formats that write several files: into the directory --out */
    bool several = format == F_ECS || format == F_ALL || (format == F_ASG && !asg_sel && use->n_asgs > 1);
    if (several) {
        if (!out) {
            rc = ss_usage_error("export", "the scenario has %d ASGs and asg-json writes one file per group: "
                                          "give --out DIR, or --asg NAME for one of them", use->n_asgs);
            goto done;
        }
        int n = ss_mkdirs(out, &err);
        if (!n)
            n = format == F_ASG ? ss_export_asg_files(use, out, &err)
                                : ss_export_bundle(use, out, subst, n_subst, format == F_ALL, &err);
        if (n < 0) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
        if (json)
            print_json_dir(out);
        else
            fprintf(stderr, "spotsim export: wrote %d files to %s/%s\n", n, out,
                    format == F_ASG ? "" : " (see APPLY.md there)");
        rc = SS_EXIT_OK;
        goto done;
    }
    switch (format) {
    case F_ASG:
        if (asg_sel && (idx = find_named("ASG", asg_sel, use->n_asgs, asg_name, use, &err)) < 0)
            break;
        default_name = "asg.json";
        r = ss_export_asg_json(use, idx, &text, &err);
        break;
    case F_ECS_CP:
        if (cp_sel) {
            if ((idx = find_named("capacity provider", cp_sel, use->n_providers, provider_name, use, &err)) < 0)
                break;
        } else if (use->n_providers != 1) {
            rc = ss_usage_error("export", "the scenario has %d capacity providers: choose one with --provider NAME "
                                          "(or --format ecs-json --out DIR for all)", use->n_providers);
            goto done;
        }
        default_name = "ecs-capacity-provider.json";
        r = ss_export_ecs_capacity_provider_json(use, idx, &text, &err);
        break;
    case F_ECS_SVC:
        default_name = "ecs-service.json";
        r = ss_export_ecs_service_json(use, &text, &err);
        break;
    case F_K8S:
        default_name = "k8s.yaml";
        r = ss_export_k8s_yaml(use, &text, &err);
        break;
    case F_CA:
        default_name = "cluster-autoscaler-values.yaml";
        r = ss_export_ca_values(use, &text, &err);
        break;
    case F_KARP:
        default_name = "karpenter.yaml";
        r = ss_export_karpenter_yaml(use, &text, &err);
        break;
    case F_KARP_VALUES:
        default_name = "karpenter-values.yaml";
        r = ss_export_karpenter_values(use, &text, &err);
        break;
    default:
        default_name = "main.tf";
        r = ss_export_terraform(use, &text, &err);
        break;
    }
    if (r || idx < 0) {
        ss_fail("export", "%s", err.msg);
        goto done;
    }
    {
        char *filled = ss_export_fill(text, subst, n_subst);
        free(text);
        text = filled;
    }
    if (out) {
        if (write_one(out, default_name, text, &err)) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
        if (json) {
            char full[1100];
            snprintf(full, sizeof full, "%s%s%s", out, is_dir(out) ? "/" : "", is_dir(out) ? default_name : "");
            print_json_file(full, text);
        }
    } else if (json) {
        print_json_file(NULL, text);
    } else if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
        /* checked here, while errno still says why (a full disk) */
        ss_fail("export", "standard output: write failed: %s", strerror(errno));
        goto done;
    }
    rc = SS_EXIT_OK;
done:
    free(text);
    free(sc);
    free(use);
    return rc;
}
