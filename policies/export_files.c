/*
 * export_files.c - write every export of a scenario into a directory, each
 * file atomically (temporary file + rename: never half-written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/export.h"
#include "policies/fleet_policy.h"
#include "sim/kernel/fileio.h"

/* Write text to dir/name atomically: every write checked, fsync'd, then
 * renamed over the old file (sim/kernel/fileio.c); a failure leaves the old
 * file as it was. */
int ss_write_file_atomic(const char *dir, const char *name, const char *text, ss_err *err)
{
    char path[1024];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return ss_err_set(err, "%s/%s: path too long", dir, name);
    return ss_write_path_atomic(path, text, strlen(text), err);
}

int ss_mkdirs(const char *dir, ss_err *err) { return ss_mkdir_p(dir, err); }

void ss_export_file_name(const char *prefix, const char *name, const char *ext, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s-", prefix);
    size_t k = len > 0 ? (size_t)len : 0;
    for (const char *s = name; *s && k + 1 < n; s++) {
        char c = *s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        buf[k++] = ok ? c : '_';
    }
    buf[k < n ? k : n - 1] = 0;
    snprintf(buf + strlen(buf), n - strlen(buf), "%s", ext);
}

/* Write one generated text (freed here) to dir/name. */
static int put(const char *dir, const char *name, char *text, ss_err *err)
{
    int rc = ss_write_file_atomic(dir, name, text, err);
    free(text);
    return rc;
}

int ss_export_asg_files(const ss_scenario *sc, const char *dir, ss_err *err)
{
    if (sc->n_asgs < 1)
        return ss_err_set(err, "export: the scenario has no ASG");
    for (int g = 0; g < sc->n_asgs; g++) {
        char *s, name[SS_NAME_MAX + 32];
        if (ss_export_asg_json(sc, g, &s, err))
            return -1;
        if (sc->n_asgs == 1)
            snprintf(name, sizeof name, "asg.json");
        else
            ss_export_file_name("asg", sc->asgs[g].name, ".json", name, sizeof name);
        if (put(dir, name, s, err))
            return -1;
    }
    return sc->n_asgs;
}

int ss_export_ecs_files(const ss_scenario *sc, const char *dir, ss_err *err)
{
    if (sc->orchestrator != SS_ORCH_ECS)
        return ss_err_set(err, "export: the scenario's orchestrator is not ecs");
    char *s, name[SS_NAME_MAX + 48];
    int files = 0;
    for (int p = 0; p < sc->n_providers; p++) {
        if (ss_export_ecs_capacity_provider_json(sc, p, &s, err))
            return -1;
        if (sc->n_providers == 1)
            snprintf(name, sizeof name, "ecs-capacity-provider.json");
        else
            ss_export_file_name("ecs-capacity-provider", sc->providers[p].name, ".json", name, sizeof name);
        if (put(dir, name, s, err))
            return -1;
        files++;
    }
    if (sc->n_providers > 0) {
        if (ss_export_ecs_service_json(sc, &s, err) || put(dir, "ecs-service.json", s, err))
            return -1;
        files++;
    }
    if (ss_export_ecs_config(sc, &s, err) || put(dir, "ecs.config", s, err))
        return -1;
    return files + 1;
}

/* Every export of one scenario into dir. */
int ss_optimize_write_exports(const ss_scenario *sc, const char *dir, ss_err *err)
{
    char *s = NULL;
    if (sc->orchestrator == SS_ORCH_ECS) {
        if ((sc->n_asgs > 0 && ss_export_asg_files(sc, dir, err) < 0) || ss_export_ecs_files(sc, dir, err) < 0)
            return -1;
        if (ss_fp_enabled(&sc->policy) &&
            (ss_export_fleet_policy_json(sc, &s, err) || put(dir, "fleet-policy.json", s, err)))
            return -1;
    } else {
        if (ss_export_k8s_yaml(sc, &s, err) || put(dir, "k8s.yaml", s, err))
            return -1;
        if (ss_fp_enabled(&sc->policy) && /* On-Demand fallback for the node groups */
            (ss_export_fleet_policy_json(sc, &s, err) || put(dir, "fleet-policy.json", s, err)))
            return -1;
    }
    if (ss_export_terraform(sc, &s, err))
        return -1;
    return put(dir, "main.tf", s, err);
}
