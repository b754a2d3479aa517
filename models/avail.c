/*
 * avail.c - integrals of the healthy/required/demand step functions (avail.h).
 */
#include "models/avail.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/kernel/util.h"

void ss_avail_init(ss_avail *a, ss_time t0, double h, double m, double d, double p)
{
    memset(a, 0, sizeof *a);
    a->start = a->last = t0;
    a->h = h;
    a->m = m;
    a->d = d;
    a->p = p;
    a->in_short = h < m;
    a->short_start = t0;
}

static void advance(ss_avail *a, ss_time t)
{
    if (t <= a->last)
        return;
    double dt = (double)(t - a->last);
    if (a->h >= a->m)
        a->ok_ms += dt;
    else
        a->short_task_ms += (a->m - a->h) * dt;
    a->served_num += (a->h < a->d ? a->h : a->d) * dt;
    a->served_den += a->d * dt;
    a->pending_task_ms += a->p * dt;
    a->last = t;
}

static void close_episode(ss_avail *a, ss_time t)
{
    if (t > a->short_start) {
        SS_GROW(a->episodes_s, a->cap_episodes, a->n_episodes + 1);
        a->episodes_s[a->n_episodes++] = (double)(t - a->short_start) / 1000.0;
    }
    a->in_short = 0;
}

void ss_avail_set(ss_avail *a, ss_time t, double h, double m, double d, double p)
{
    advance(a, t);
    int short_now = h < m;
    if (short_now && !a->in_short) {
        a->in_short = 1;
        a->short_start = t;
    } else if (!short_now && a->in_short) {
        close_episode(a, t);
    }
    a->h = h;
    a->m = m;
    a->d = d;
    a->p = p;
}

void ss_avail_finish(ss_avail *a, ss_time t_end, ss_metrics *out)
{
    advance(a, t_end);
    if (a->in_short)
        close_episode(a, t_end);
    double T = (double)(t_end - a->start);
    out->availability = T > 0 ? a->ok_ms / T : 1.0;
    out->served_fraction = a->served_den > 0 ? a->served_num / a->served_den : 1.0;
    out->shortfall_episodes = (int64_t)a->n_episodes;
    out->shortfall_task_hours = a->short_task_ms / 3600000.0;
    out->pending_task_hours = a->pending_task_ms / 3600000.0;
    out->shortfall_p50_s = out->shortfall_p95_s = out->shortfall_max_s = 0.0;
    if (a->n_episodes) {
        double *s = ss_malloc(a->n_episodes * sizeof *s);
        memcpy(s, a->episodes_s, a->n_episodes * sizeof *s);
        gsl_sort(s, 1, a->n_episodes);
        out->shortfall_p50_s = gsl_stats_quantile_from_sorted_data(s, 1, a->n_episodes, 0.5);
        out->shortfall_p95_s = gsl_stats_quantile_from_sorted_data(s, 1, a->n_episodes, 0.95);
        out->shortfall_max_s = s[a->n_episodes - 1];
        free(s);
    }
}

void ss_avail_free(ss_avail *a)
{
    free(a->episodes_s);
    a->episodes_s = NULL;
    a->n_episodes = a->cap_episodes = 0;
}
