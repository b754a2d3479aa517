/*
 * cmd_export.c - `spotsim export`: a scenario (as it is, or with the
 * parameters of a stored optimization candidate) as ASG JSON, ECS JSON,
 * Kubernetes YAML or Terraform.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datasets/store.h"
#include "sim/scenario/scenario_io.h"
#include "policies/export.h"
#include "policies/optimize_eval.h"
#include "policies/search.h"
#include "sim/cli/cli.h"

const char ss_usage_export[] =
    "Usage: spotsim export SCENARIO --format FORMAT [options]\n"
    "\n"
    "Write the scenario's configuration in a form you can apply.\n"
    "\n"
    "  --format F          asg-json  : aws autoscaling create-auto-scaling-group --cli-input-json;\n"
    "                                  several ASGs: one file per group (--out DIR) or --asg NAME\n"
    "                      ecs-json  : every ECS input as its own file (--out DIR required):\n"
    "                                  ecs-capacity-provider.json (-NAME.json per provider when\n"
    "                                  several), ecs-service.json, ecs.config\n"
    "                      ecs-capacity-provider-json : aws ecs create-capacity-provider\n"
    "                                  --cli-input-json (--provider NAME when several)\n"
    "                      ecs-service-json : aws ecs create-service --cli-input-json\n"
    "                      k8s-yaml  : Deployment, PodDisruptionBudget, eksctl ClusterConfig\n"
    "                                  (provisioner karpenter: NodePools + EC2NodeClass instead)\n"
    "                      karpenter : Karpenter NodePools (karpenter.sh/v1) + EC2NodeClass\n"
    "                                  (karpenter.k8s.aws/v1)\n"
    "                      terraform : aws_autoscaling_group + aws_ecs_capacity_provider\n"
    "  --out PATH          one-file formats: write FILE (atomically; an existing directory\n"
    "                      gets the default name) instead of stdout; several files: the\n"
    "                      directory (created if needed)\n"
    "  --asg NAME          asg-json: only this ASG\n"
    "  --provider NAME     ecs-capacity-provider-json: only this capacity provider\n"
    "  --optimization ID   apply the parameters of a candidate of that optimization\n"
    "  --candidate N       which candidate (default: the recommended one)\n"
    "  --db FILE           store (default results/spotsim.db)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit 0; 1 on failure; 2 on usage errors. See docs/optimize.md.\n";

enum { F_NONE, F_ASG, F_ECS, F_ECS_CP, F_ECS_SVC, F_K8S, F_TF, F_KARP };

static int stored_candidate(const char *db, long id, long cand, const ss_scenario *sc, ss_scenario *out,
                            ss_err *err)
{
    ss_store st;
    if (ss_store_open(&st, db, 1, err))
        return -1;
    int rc = -1;
    sqlite3_stmt *s = NULL;
    if (cand < 0) {
        if (ss_store_prepare(&st, "SELECT json_extract(extra_json, '$.recommended') FROM optimizations WHERE id = ?",
                             &s, err))
            goto out;
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) != SQLITE_ROW) {
            ss_err_set(err, "%s: no optimization with id %ld", db, id);
            goto out;
        }
        if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
            ss_err_set(err, "optimization %ld has no recommended candidate (no SLO met); use --candidate N", id);
            goto out;
        }
        cand = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
        s = NULL;
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

int ss_cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"optimization", required_argument, NULL, 'O'},
                                         {"candidate", required_argument, NULL, 'c'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"asg", required_argument, NULL, 'a'},
                                         {"provider", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int format = F_NONE;
    const char *out = NULL, *db = SS_STORE_DEFAULT_PATH, *asg_sel = NULL, *cp_sel = NULL;
    long opt_id = 0, cand = -1;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'f':
            format = !strcmp(optarg, "asg-json")                     ? F_ASG
                     : !strcmp(optarg, "ecs-json")                   ? F_ECS
                     : !strcmp(optarg, "ecs-capacity-provider-json") ? F_ECS_CP
                     : !strcmp(optarg, "ecs-service-json")           ? F_ECS_SVC
                     : !strcmp(optarg, "k8s-yaml")                   ? F_K8S
                     : !strcmp(optarg, "terraform")                  ? F_TF
                     : !strcmp(optarg, "karpenter")                  ? F_KARP
                                                                     : -1;
            if (format < 0)
                return ss_usage_error("export", "--format: expected asg-json, ecs-json, ecs-capacity-provider-json, "
                                                "ecs-service-json, k8s-yaml, karpenter or terraform, got '%s'", optarg);
            break;
        case 'a': asg_sel = optarg; break;
        case 'p': cp_sel = optarg; break;
        case 'o': out = optarg; break;
        case 'd': db = optarg; break;
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
        default: return ss_usage_error("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return ss_usage_error("export", optind >= argc ? "missing SCENARIO" : "one SCENARIO expected");
    if (format == F_NONE)
        return ss_usage_error("export", "--format is required");
    if (cand >= 0 && opt_id == 0)
        return ss_usage_error("export", "--candidate needs --optimization");
    if (asg_sel && format != F_ASG)
        return ss_usage_error("export", "--asg applies to --format asg-json only");
    if (cp_sel && format != F_ECS_CP)
        return ss_usage_error("export", "--provider applies to --format ecs-capacity-provider-json only");
    if (format == F_ECS && !out)
        return ss_usage_error("export", "ecs-json writes one file per aws ecs input: give --out DIR (or use "
                                        "--format ecs-service-json / ecs-capacity-provider-json for one of them)");
    ss_err err;
    ss_scenario *sc = ss_malloc(sizeof *sc), *use = ss_malloc(sizeof *use);
    char *text = NULL;
    int rc = SS_EXIT_FAIL;
    if (ss_scenario_load_file(argv[optind], sc, &err)) {
        ss_fail("export", "%s", err.msg);
        goto done;
    }
    if (opt_id > 0) {
        if (stored_candidate(db, opt_id, cand, sc, use, &err)) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
    } else {
        memcpy(use, sc, sizeof *use);
    }
    int r = 0, idx = 0;
    const char *default_name = "out";
    if (format == F_ECS || format == F_ECS_CP || format == F_ECS_SVC) {
        if (use->orchestrator != SS_ORCH_ECS) {
            ss_fail("export", "%s: the scenario's orchestrator is not ecs", argv[optind]);
            goto done;
        }
    }
    /* formats that write several files: into the directory --out */
    bool several = format == F_ECS || (format == F_ASG && !asg_sel && use->n_asgs > 1);
    if (several) {
        if (!out) {
            rc = ss_usage_error("export", "the scenario has %d ASGs and asg-json writes one file per group: "
                                          "give --out DIR, or --asg NAME for one of them", use->n_asgs);
            goto done;
        }
        int n = ss_mkdirs(out, &err);
        if (!n)
            n = format == F_ECS ? ss_export_ecs_files(use, out, &err) : ss_export_asg_files(use, out, &err);
        if (n < 0) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
        fprintf(stderr, "spotsim export: wrote %d files to %s/\n", n, out);
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
    case F_KARP:
        default_name = "karpenter.yaml";
        r = ss_export_karpenter_yaml(use, &text, &err);
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
    if (out) {
        if (write_one(out, default_name, text, &err)) {
            ss_fail("export", "%s", err.msg);
            goto done;
        }
    } else {
        fputs(text, stdout);
    }
    rc = SS_EXIT_OK;
done:
    free(text);
    free(sc);
    free(use);
    return rc;
}
