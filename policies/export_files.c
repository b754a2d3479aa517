/*
 * export_files.c - write every export of a scenario into a directory, each
 * file atomically (temporary file + rename: never half-written).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/export.h"

/* Write text to dir/name atomically (temp file + rename). */
int ss_write_file_atomic(const char *dir, const char *name, const char *text, ss_err *err)
{
    char path[1024], tmp[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return ss_err_set(err, "%s: %s", tmp, strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return ss_err_set(err, "%s: %s", path, strerror(errno));
    }
    return 0;
}

/* Every export of one scenario into dir. */
int ss_optimize_write_exports(const ss_scenario *sc, const char *dir, ss_err *err)
{
    char *s = NULL;
    char name[SS_NAME_MAX + 32];
    for (int g = 0; g < sc->n_asgs && sc->orchestrator == SS_ORCH_ECS; g++) {
        if (ss_export_asg_json(sc, g, &s, err))
            return -1;
        if (sc->n_asgs == 1)
            snprintf(name, sizeof name, "asg.json");
        else
            snprintf(name, sizeof name, "asg-%s.json", sc->asgs[g].name);
        int rc = ss_write_file_atomic(dir, name, s, err);
        free(s);
        if (rc)
            return -1;
    }
    if (sc->orchestrator == SS_ORCH_ECS) {
        for (int p = 0; p < sc->n_providers; p++) {
            if (ss_export_ecs_capacity_provider_json(sc, p, &s, err))
                return -1;
            if (sc->n_providers == 1)
                snprintf(name, sizeof name, "ecs-capacity-provider.json");
            else
                snprintf(name, sizeof name, "ecs-capacity-provider-%s.json", sc->providers[p].name);
            int rc = ss_write_file_atomic(dir, name, s, err);
            free(s);
            if (rc)
                return -1;
        }
        if (sc->n_providers > 0) {
            if (ss_export_ecs_service_json(sc, &s, err))
                return -1;
            int rc = ss_write_file_atomic(dir, "ecs-service.json", s, err);
            free(s);
            if (rc)
                return -1;
        }
        if (ss_export_ecs_config(sc, &s, err))
            return -1;
        int rc = ss_write_file_atomic(dir, "ecs.config", s, err);
        free(s);
        if (rc)
            return -1;
    } else {
        if (ss_export_k8s_yaml(sc, &s, err))
            return -1;
        int rc = ss_write_file_atomic(dir, "k8s.yaml", s, err);
        free(s);
        if (rc)
            return -1;
    }
    if (ss_export_terraform(sc, &s, err))
        return -1;
    int rc = ss_write_file_atomic(dir, "main.tf", s, err);
    free(s);
    return rc;
}

