/*
 * ecs_autoscale.c - ECS service auto scaling with target tracking
 * (aws-semantics.md §3.8) driven by a demand trace.
 *
 * Demand trace: CSV with rows `time,value` (an optional header row is
 * skipped); time is ISO-8601 or seconds since the epoch; value is the demand
 * in the metric's units (e.g. requests per second). It is a step function:
 * value i holds from time i to time i+1. A relative path is resolved against
 * the scenario file's directory.
 *
 * Every minute (datapoints at start + k min, evaluated analytically between
 * events by ss_ecs_cp_advance with ss_ecs_sas_first_action; the per-minute
 * kernel event remains as the reference): wanted = clamp(ceil(demand / target_value), min_tasks,
 * max_tasks). Scale-out when wanted > desired, unless within
 * scale_out_cooldown of the last scale-out and not larger than it.
 * Scale-in when demand is more than 10 % below desired x target_value (the
 * "far enough below target" rule), after scale_in_cooldown since the last
 * scale-in and since the last scale-out. d(t) for the served fraction and the
 * SLO is ceil(demand / target_value) tasks.
 */
#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kernel/fileio.h"
#include "models/ecs.h"

typedef struct dem_parse {
    ss_ecs *e;
    char field[2][64];
    int col;
    size_t row;
    int bad;
    size_t bad_row;
    size_t cap;
} dem_parse;

static void cb_field(void *s, size_t n, void *data)
{
    dem_parse *p = data;
    if (p->col < 2) {
        size_t k = n < 63 ? n : 63;
        memcpy(p->field[p->col], s, k);
        p->field[p->col][k] = 0;
    }
    p->col++;
}

static void cb_row(int c, void *data)
{
    (void)c;
    dem_parse *p = data;
    p->row++;
    int cols = p->col;
    p->col = 0;
    if (p->bad)
        return;
    ss_time t;
    char *end;
    double v = strtod(p->field[1], &end);
    bool num_ok = cols >= 2 && end != p->field[1] && *end == 0 && isfinite(v) && v >= 0;
    bool t_ok = cols >= 2 && ss_time_parse(p->field[0], &t) == 0;
    if (!t_ok && cols >= 2) {
        double secs = strtod(p->field[0], &end);
        if (end != p->field[0] && *end == 0 && isfinite(secs)) {
            t = (ss_time)llround(secs * 1000.0);
            t_ok = true;
        }
    }
    if (!t_ok || !num_ok) {
        if (p->row == 1)
            return; /* header */
        p->bad = 1;
        p->bad_row = p->row;
        return;
    }
    ss_ecs *e = p->e;
    if (e->n_dem && t < e->dem_t[e->n_dem - 1]) {
        p->bad = 2;
        p->bad_row = p->row;
        return;
    }
    if (e->n_dem + 1 > p->cap) { /* grow both parallel arrays together */
        SS_GROW(e->dem_t, p->cap, e->n_dem + 1);
        e->dem_v = ss_realloc(e->dem_v, p->cap * sizeof *e->dem_v);
    }
    e->dem_t[e->n_dem] = t;
    e->dem_v[e->n_dem++] = v;
}

int ss_ecs_load_demand(ss_ecs *e, ss_err *err)
{
    const ss_service *s = &e->sc->service;
    if (!s->demand_trace[0])
        return 0;
    if (!(s->target_value > 0))
        return ss_err_set(err, "service.target_value: must be > 0 with a demand trace (got %g)", s->target_value);
    char path[2 * SS_PATH_MAX];
    if (s->demand_trace[0] != '/' && e->sc->source_path[0]) {
        const char *slash = strrchr(e->sc->source_path, '/');
        int dl = slash ? (int)(slash - e->sc->source_path) : 0;
        if (dl > 0)
            snprintf(path, sizeof path, "%.*s/%s", dl, e->sc->source_path, s->demand_trace);
        else
            snprintf(path, sizeof path, "%s", s->demand_trace);
    } else {
        snprintf(path, sizeof path, "%s", s->demand_trace);
    }
    FILE *fp = ss_fopen_regular(path, err);
    if (!fp)
        return ss_err_prefix(err, "service.demand_trace");
    struct csv_parser cp;
    csv_init(&cp, CSV_APPEND_NULL);
    dem_parse p = {.e = e};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        csv_parse(&cp, buf, n, cb_field, cb_row, &p);
    csv_fini(&cp, cb_field, cb_row, &p);
    csv_free(&cp);
    fclose(fp);
    if (p.bad)
        return ss_err_set(err, "%s:%zu: %s", path, p.bad_row,
                          p.bad == 1 ? "expected time,value (ISO-8601 or epoch seconds, value >= 0)"
                                     : "times must not decrease");
    if (e->n_dem == 0)
        return ss_err_set(err, "%s: no demand rows", path);
    return 0;
}

double ss_ecs_demand_at(const ss_ecs *e, ss_time t)
{
    if (!e->n_dem || t < e->dem_t[0])
        return e->n_dem ? e->dem_v[0] : 0.0;
    size_t lo = 0, hi = e->n_dem;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->dem_t[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return e->dem_v[lo - 1];
}

static int clamp_tasks(const ss_service *s, int n)
{
    if (n < s->min_tasks)
        n = s->min_tasks;
    if (s->max_tasks > 0 && n > s->max_tasks)
        n = s->max_tasks;
    return n;
}

void ss_ecs_sas_tick(ss_ecs *e)
{
    const ss_service *s = &e->sc->service;
    ss_time now = ss_evq_now(e->q);
    double demand = ss_ecs_demand_at(e, now);
    double dt = ceil(demand / s->target_value - 1e-9);
    if (dt != e->demand_tasks) {
        e->demand_tasks = dt;
        ss_ecs_account(e);
    }
    int wanted = clamp_tasks(s, (int)dt);
    if (wanted > e->desired) {
        if (now - e->last_sas_out >= s->scale_out_cooldown || wanted > e->last_sas_out_target) {
            e->desired = wanted;
            e->last_sas_out = now;
            e->last_sas_out_target = wanted;
            ss_ecs_request_sched(e, now);
            ss_ecs_account(e);
        }
    } else if (wanted < e->desired && demand < 0.9 * e->desired * s->target_value) {
        if (now - e->last_sas_in >= s->scale_in_cooldown && now - e->last_sas_out >= s->scale_in_cooldown) {
            e->desired = wanted;
            e->last_sas_in = now;
            ss_ecs_request_sched(e, now);
            ss_ecs_account(e);
        }
    }
}

static void on_sas(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    ss_ecs *e = ev->obj;
    ss_ecs_sas_tick(e);
    ss_evq_schedule(q, ss_evq_now(q) + SS_MINUTE, SS_ECS_EV_SAS_TICK, e, 0, 0);
}

static ss_time grid_from(ss_time from, ss_time bound)
{
    if (from >= bound)
        return from;
    return from + (bound - from + SS_MINUTE - 1) / SS_MINUTE * SS_MINUTE;
}

/* Between events the datapoints see the same desired count, cooldown stamps
 * and demand_tasks; the demand is a step function. So the first datapoint
 * that can change anything is the earliest of: the first one at or after
 * the next step of the trace, and (with the demand in force now) the one
 * where a scale-out or scale-in is allowed, or now if demand_tasks is
 * stale. Datapoints before it change nothing (they are skipped). */
ss_time ss_ecs_sas_first_action(const ss_ecs *e)
{
    const ss_service *s = &e->sc->service;
    ss_time T = e->sas_tick_t;
    /* next step of the trace after T: first dem_t > T */
    size_t lo = 0, hi = e->n_dem;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->dem_t[mid] <= T)
            lo = mid + 1;
        else
            hi = mid;
    }
    ss_time best = lo < e->n_dem ? grid_from(T, e->dem_t[lo]) : SS_TIME_NEVER;
    double demand = ss_ecs_demand_at(e, T);
    double dt = ceil(demand / s->target_value - 1e-9);
    if (dt != e->demand_tasks)
        return T;
    int wanted = clamp_tasks(s, (int)dt);
    ss_time act = SS_TIME_NEVER;
    if (wanted > e->desired)
        act = wanted > e->last_sas_out_target ? T : grid_from(T, e->last_sas_out + s->scale_out_cooldown);
    else if (wanted < e->desired && demand < 0.9 * e->desired * s->target_value) {
        ss_time a = e->last_sas_in + s->scale_in_cooldown, b = e->last_sas_out + s->scale_in_cooldown;
        act = grid_from(T, a > b ? a : b);
    }
    return act < best ? act : best;
}

void ss_ecs_register_sas_events(ss_ecs *e)
{
    ss_evq_on(e->q, SS_ECS_EV_SAS_TICK, on_sas, NULL);
    if (!e->n_dem)
        return;
    const ss_service *s = &e->sc->service;
    e->demand_tasks = ceil(ss_ecs_demand_at(e, e->start) / s->target_value - 1e-9);
    e->desired = clamp_tasks(s, (int)e->demand_tasks);
    e->last_sas_out = e->last_sas_in = e->start - SS_DAY;
    e->last_sas_out_target = e->desired;
    if (e->minute_ticks) {
        ss_evq_schedule(e->q, e->start + SS_MINUTE, SS_ECS_EV_SAS_TICK, e, 0, 0);
        return;
    }
    e->sas_on = true;
    e->sas_tick_t = e->start + SS_MINUTE;
    e->sas_tick_seq = ss_evq_next_seq(e->q);
}
