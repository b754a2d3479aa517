/*
 * eval.c - ss_evaluate: dispatch on the orchestrator; timeline helpers.
 */
#include "models/eval.h"

#include <stdlib.h>
#include <string.h>

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
    free(tl->pools);
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
        return ss_k8s_simulate(sc, d, seed, replica, out, tl, err);
    }
    return ss_err_set(err, "orchestrator: unknown value %d", (int)sc->orchestrator);
}
