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

#include <jansson.h>

#include "datasets/store.h"
#include "models/scenario_io.h"
#include "policies/export.h"
#include "policies/optimize_eval.h"
#include "policies/search.h"
#include "sim/cli.h"

const char ss_usage_export[] =
    "Usage: spotsim export SCENARIO --format FORMAT [options]\n"
    "\n"
    "Write the scenario's configuration in a form you can apply.\n"
    "\n"
    "  --format F          asg-json  : aws autoscaling create-auto-scaling-group --cli-input-json\n"
    "                                  (a JSON array when the scenario has several ASGs)\n"
    "                      ecs-json  : {\"capacityProviders\": [create-capacity-provider inputs],\n"
    "                                   \"service\": create-service input, \"ecsConfig\": [lines]}\n"
    "                      k8s-yaml  : Deployment, PodDisruptionBudget, eksctl ClusterConfig\n"
    "                      terraform : aws_autoscaling_group + aws_ecs_capacity_provider\n"
    "  --out FILE          write to FILE (atomically) instead of stdout\n"
    "  --optimization ID   apply the parameters of a candidate of that optimization\n"
    "  --candidate N       which candidate (default: the recommended one)\n"
    "  --db FILE           store (default results/spotsim.db)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit 0; 1 on failure; 2 on usage errors. See docs/optimize.md.\n";

enum { F_NONE, F_ASG, F_ECS, F_K8S, F_TF };

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
    if (ss_space_build(&sc->search, &sp, err) ||
        ss_space_parse_json(&sp, (const char *)sqlite3_column_text(s, 0), &c, err) ||
        ss_candidate_scenario(sc, &sp, &c, out, err))
        goto out;
    rc = 0;
out:
    if (s)
        sqlite3_finalize(s);
    ss_store_close(&st);
    return rc;
}

static char *ecs_bundle(const ss_scenario *sc, ss_err *err)
{
    json_t *root = json_object(), *cps = json_array();
    for (int i = 0; i < sc->n_providers; i++) {
        char *t;
        if (ss_export_ecs_capacity_provider_json(sc, i, &t, err)) {
            json_decref(root);
            json_decref(cps);
            return NULL;
        }
        json_array_append_new(cps, json_loads(t, 0, NULL));
        free(t);
    }
    json_object_set_new(root, "capacityProviders", cps);
    char *t;
    if (ss_export_ecs_service_json(sc, &t, err)) {
        json_decref(root);
        return NULL;
    }
    json_object_set_new(root, "service", json_loads(t, 0, NULL));
    free(t);
    if (ss_export_ecs_config(sc, &t, err)) {
        json_decref(root);
        return NULL;
    }
    json_t *lines = json_array();
    for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n"))
        if (l[0] != '#')
            json_array_append_new(lines, json_string(l));
    free(t);
    json_object_set_new(root, "ecsConfig", lines);
    return ss_export_dump_json(root);
}

int ss_cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"optimization", required_argument, NULL, 'O'},
                                         {"candidate", required_argument, NULL, 'c'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int format = F_NONE;
    const char *out = NULL, *db = SS_STORE_DEFAULT_PATH;
    long opt_id = 0, cand = -1;
    ss_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'f':
            format = !strcmp(optarg, "asg-json")    ? F_ASG
                     : !strcmp(optarg, "ecs-json")  ? F_ECS
                     : !strcmp(optarg, "k8s-yaml")  ? F_K8S
                     : !strcmp(optarg, "terraform") ? F_TF
                                                    : -1;
            if (format < 0)
                return ss_usage_error("export", "--format: expected asg-json, ecs-json, k8s-yaml or terraform, got '%s'", optarg);
            break;
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
    int r = 0;
    switch (format) {
    case F_ASG:
        if (use->n_asgs == 1) {
            r = ss_export_asg_json(use, 0, &text, &err);
        } else {
            json_t *arr = json_array();
            for (int g = 0; g < use->n_asgs && !r; g++) {
                char *t;
                r = ss_export_asg_json(use, g, &t, &err);
                if (!r) {
                    json_array_append_new(arr, json_loads(t, 0, NULL));
                    free(t);
                }
            }
            if (!r)
                text = ss_export_dump_json(arr);
            else
                json_decref(arr);
        }
        break;
    case F_ECS:
        if (use->orchestrator != SS_ORCH_ECS) {
            ss_fail("export", "ecs-json: the scenario's orchestrator is not ecs");
            goto done;
        }
        text = ecs_bundle(use, &err);
        r = text ? 0 : -1;
        break;
    case F_K8S:
        r = ss_export_k8s_yaml(use, &text, &err);
        break;
    default:
        r = ss_export_terraform(use, &text, &err);
        break;
    }
    if (r) {
        ss_fail("export", "%s", err.msg);
        goto done;
    }
    if (out) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s", out);
        char *slash = strrchr(dir, '/');
        const char *name = out;
        if (slash) {
            *slash = 0;
            name = slash + 1;
        } else {
            strcpy(dir, ".");
        }
        if (ss_write_file_atomic(dir, name, text, &err)) {
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
