/*
 * eval.c - the timeline the orchestrator models record.
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
