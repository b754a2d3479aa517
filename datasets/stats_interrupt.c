/*
 * stats_interrupt.c - interruption governance of a group of pools: distinct
 * interrupted instances, rebalance recommendations, exposure in spot
 * instance-hours, the rate per 1,000 instance-hours, the observed monthly
 * frequency beside the Spot Advisor bucket, and the lifetimes the survival
 * analysis needs.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "datasets/stats_internal.h"

/* Hours in a month as the Spot Advisor counts them (8760 / 12). */
#define HOURS_PER_MONTH 730.0

void ssx_interrupt_accumulate(const ssx_data *d, const ssx_pool *p, ssx_acc *a)
{
    for (size_t i = 0; i < p->n_ev; i++) {
        if (p->ev[i].rebalance)
            a->rebalances++;
        else
            a->interruptions++;
    }
    for (size_t i = 0; i < p->n_inst; i++) {
        const ssx_inst *in = &p->inst[i];
        ss_time end = in->end == SS_STATS_OPEN_TO ? d->to_eff : in->end;
        ss_time ov = ssx_overlap(in->launch, end, d->from_eff, d->to_eff);
        if (ov > 0 || (in->launch >= d->from_eff && in->launch < d->to_eff))
            a->instances++;
        a->exposure_ms += (double)ov;
        /* Survival: instances launched in the window, observed until their
         * end or the window end (then censored). */
        if (in->launch < d->from_eff || in->launch >= d->to_eff)
            continue;
        bool event = in->interrupted && in->end != SS_STATS_OPEN_TO && in->end <= d->to_eff;
        ss_time stop = end < d->to_eff ? end : d->to_eff;
        if (a->n_life + 1 > a->cap_life) {
            SS_GROW(a->life, a->cap_life, a->n_life + 1);
            a->life_event = ss_realloc(a->life_event, a->cap_life * sizeof *a->life_event);
        }
        a->life[a->n_life] = (double)(stop - in->launch) / (double)SS_HOUR;
        a->life_event[a->n_life] = event;
        a->n_life++;
    }
}

void ssx_interrupt_finish(const ssx_data *d, const ssx_acc *a, ss_stats_row *r)
{
    r->interruptions = a->interruptions;
    r->rebalances = a->rebalances;
    r->instances = a->instances;
    r->exposure_hours = a->exposure_ms / (double)SS_HOUR;
    r->rate_per_1000h = NAN;
    r->observed_monthly_pct = NAN;
    r->observed_label[0] = '\0';
    if (r->exposure_hours <= 0)
        return;
    double per_hour = (double)a->interruptions / r->exposure_hours;
    r->rate_per_1000h = 1000.0 * per_hour;
    /* Spot Advisor's "frequency of interruption" is the share of instances
     * interrupted in a month; with a constant hazard that is
     * 1 - exp(-rate * 730 h). */
    r->observed_monthly_pct = 100.0 * (1.0 - exp(-per_hour * HOURS_PER_MONTH));
    for (size_t i = 0; i < d->n_ranges; i++) {
        if (r->observed_monthly_pct < d->range_max[i] || i + 1 == d->n_ranges) {
            snprintf(r->observed_label, sizeof r->observed_label, "%s", d->range_label[i]);
            break;
        }
    }
}
