/*
 * avail.h - availability and shortfall accounting (modeling-notes §5) from
 * step functions sampled at every change:
 *
 *   h(t) healthy tasks, m(t) required (SLO minimum), d(t) demanded tasks,
 *   p(t) pending tasks (not yet running).
 *
 *   availability        = (1/T) * integral of [h >= m] dt
 *   served fraction     = integral of min(h, d) dt / integral of d dt  (1 when d = 0)
 *   shortfall episodes  = maximal intervals with h < m (zero-length ones are
 *                         not episodes); count, p50/p95 (linear interpolation
 *                         between order statistics, GSL), max
 *   shortfall task-hours= integral of max(0, m - h) dt
 *   pending task-hours  = integral of p dt
 * An episode still open at the horizon end is closed there.
 */
#ifndef SPOTSIM_AVAIL_H
#define SPOTSIM_AVAIL_H

#include <stddef.h>

#include "models/metrics.h"
#include "sim/kernel/simtime.h"

typedef struct ss_avail {
    ss_time start, last;
    double h, m, d, p;          /* current values */
    double ok_ms, served_num, served_den, short_task_ms, pending_task_ms;
    int in_short;
    ss_time short_start;
    double *episodes_s;
    size_t n_episodes, cap_episodes;
} ss_avail;

void ss_avail_init(ss_avail *a, ss_time t0, double h, double m, double d, double p);
/* The values change at t (t >= the previous change). */
void ss_avail_set(ss_avail *a, ss_time t, double h, double m, double d, double p);
/* Close at t_end and write availability, served_fraction, shortfall_*,
 * pending_task_hours into out. */
void ss_avail_finish(ss_avail *a, ss_time t_end, ss_metrics *out);
void ss_avail_free(ss_avail *a);

#endif
