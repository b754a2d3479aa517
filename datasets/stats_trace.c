/*
 * stats_trace.c - capacity-trace unavailability: the share of trace time a
 * pool had no Spot capacity, the number of outages and the longest one.
 *
 * "No capacity" follows the meaning recorded with each trace (the SkyPilot
 * data are ambiguous, PROVENANCE.md §5, so the importer stores it):
 * available-count 0, preempted-flag 1, available-flag 0. A sample holds for
 * the trace's gap; an outage is a maximal run of consecutive unavailable
 * samples (a gap in the samples ends it), clipped to the window.
 */
#include <math.h>

#include "datasets/stats_internal.h"

static bool unavailable(ssx_meaning m, int v)
{
    switch (m) {
    case SSX_PREEMPTED_FLAG:
        return v == 1;
    case SSX_AVAIL_FLAG:
    case SSX_AVAIL_COUNT:
    default:
        return v == 0;
    }
}

void ssx_trace_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a)
{
    for (size_t k = 0; k < p->n_tr; k++) {
        const ssx_trace *tr = &p->tr[k];
        a->traces++;
        ss_time run = 0, run_end = 0;
        for (size_t i = 0; i < tr->n; i++) {
            ss_time len = ssx_overlap(tr->t[i], tr->t[i] + tr->gap, d->from, d->to);
            if (len <= 0)
                continue;
            a->trace_ms += (double)len;
            bool down = unavailable(tr->meaning, tr->v[i]);
            bool contiguous = run > 0 && tr->t[i] == run_end;
            if (down) {
                a->unavail_ms += (double)len;
                if (!contiguous) {
                    a->outages++;
                    run = 0;
                }
                run += len;
                run_end = tr->t[i] + tr->gap;
                if ((double)run > a->longest_ms)
                    a->longest_ms = (double)run;
            } else {
                run = 0;
            }
        }
    }
}

void ssx_trace_finish(const ssx_acc *a, ss_stats_row *r)
{
    r->traces = a->traces;
    r->trace_hours = a->trace_ms / (double)SS_HOUR;
    r->unavail_hours = a->unavail_ms / (double)SS_HOUR;
    r->outages = a->outages;
    r->longest_outage_hours = a->traces ? a->longest_ms / (double)SS_HOUR : NAN;
    r->unavail_pct = a->trace_ms > 0 ? 100.0 * a->unavail_ms / a->trace_ms : NAN;
}
