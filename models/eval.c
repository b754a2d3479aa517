/*
 * eval.c - ss_evaluate: dispatch on the orchestrator; timeline helpers.
 */
#include "models/eval.h"

#include <stdlib.h>
#include <string.h>

/* The Kubernetes model (models/k8s*.c, with its header models/k8s.h) is
 * built on another branch; until it is merged, Kubernetes scenarios fail
 * with a clear message instead of a link error. */
#if defined(__has_include)
#if __has_include("models/k8s.h")
#define SPOTSIM_HAVE_K8S 1
#endif
#endif

void ss_timeline_push(ss_timeline *tl, const ss_timeline_row *row)
{
    SS_GROW(tl->rows, tl->cap, tl->n + 1);
    tl->rows[tl->n++] = *row;
}

void ss_timeline_free(ss_timeline *tl)
{
    if (!tl)
        return;
    free(tl->rows);
    memset(tl, 0, sizeof *tl);
}

int ss_evaluate(const ss_scenario *sc, const ss_data *d, uint64_t seed, int replica, ss_metrics *out,
                ss_timeline *tl, ss_err *err)
{
    memset(out, 0, sizeof *out);
    switch (sc->orchestrator) {
    case SS_ORCH_ECS:
        return ss_ecs_simulate(sc, d, seed, replica, out, tl, err);
    case SS_ORCH_KUBERNETES:
#ifdef SPOTSIM_HAVE_K8S
        return ss_k8s_simulate(sc, d, seed, replica, out, tl, err);
#else
        return ss_err_set(err, "orchestrator kubernetes: not available in this build yet");
#endif
    }
    return ss_err_set(err, "orchestrator: unknown value %d", (int)sc->orchestrator);
}
