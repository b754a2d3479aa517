/*
 * ecs_capacity.c - capacity providers (aws-semantics.md §3.1-§3.3):
 *
 * Strategy split: the first `base` tasks go to the provider with base > 0;
 * beyond it each new task goes to argmin over providers with weight > 0 of
 * (n_i + 1) / w_i, n_i counting that provider's tasks beyond its base; ties
 * to the first provider (the documented-as-undocumented rounding, §3.3;
 * deterministic). No fallback between providers.
 *
 * Managed scaling, one datapoint per minute per provider (evaluated
 * analytically between events, see ss_ecs_cp_advance below):
 *   N = running instances of the ASG, P = its PROVISIONING tasks;
 *   P > 0: needed = ceil(P / tasks-per-instance of the largest type) (0 when
 *          the task does not fit the smallest type: no scaling),
 *          add = needed < minStep ? minStep : min(maxStep, needed), M = N + add,
 *          desired = N == 0 ? 2 : ceil(M x 100 / targetCapacity);
 *          blocked while any instance is within instanceWarmupPeriod of launch;
 *   P = 0: M = instances with at least one task, CPR = M / N x 100;
 *          CPR > target: scale out to ceil(M x 100 / target) (warm-up applies);
 *          CPR < target for 15 consecutive minutes and >= 15 min after the
 *          last scale-out: scale in to max(ceil(M x 100 / target),
 *          N - max(1, (N - 1) / 2)) (less than half per minute, §3.2).
 * Managed termination protection: an instance is scale-in protected exactly
 * while it runs tasks.
 */
#include <math.h>

#include "models/ecs.h"

int ss_ecs_strategy_split(const ss_capacity_provider *cps, int n_cps, const int *n_tasks)
{
    for (int i = 0; i < n_cps; i++)
        if (cps[i].base > 0 && n_tasks[i] < cps[i].base)
            return i;
    int best = -1;
    double best_v = 0;
    for (int i = 0; i < n_cps; i++) {
        if (cps[i].weight <= 0)
            continue;
        int beyond = n_tasks[i] - (cps[i].base > 0 ? cps[i].base : 0);
        if (beyond < 0)
            beyond = 0;
        double v = (double)(beyond + 1) / cps[i].weight;
        if (best < 0 || v < best_v - 1e-12) {
            best = i;
            best_v = v;
        }
    }
    return best < 0 ? 0 : best;
}

int ss_ecs_pick_provider(const ss_ecs *e)
{
    int n[SS_MAX_PROVIDERS];
    for (int i = 0; i < e->n_cps; i++)
        n[i] = e->cps[i].n_tasks;
    return ss_ecs_strategy_split(e->sc->providers, e->n_cps, n);
}

void ss_ecs_update_protection(ss_ecs *e, ss_instance *in)
{
    int cp = e->cp_of_asg[in->asg];
    if (cp >= 0 && e->sc->providers[cp].managed_termination_protection)
        ss_asg_set_protected(&e->asgs[in->asg], in, in->ntasks > 0);
}

int ss_ecs_tasks_per_instance(const ss_ecs *e, int cp, bool largest)
{
    const ss_service *s = &e->sc->service;
    const ss_asg_group *g = &e->asgs[e->sc->providers[cp].asg];
    int best = -1;
    for (int i = 0; i < g->n_types; i++) {
        const ss_pool *p = ss_data_pool(e->d, g->type_idx[i], g->zone_idx[0]);
        double cpu = ss_ecs_registered_cpu(e, g->index, p->vcpu);
        double mem = ss_ecs_registered_mem(e, g->index, p->memory_mib);
        int by_cpu = s->task_cpu > 0 ? (int)floor(cpu / s->task_cpu + 1e-9) : 1 << 20;
        int by_mem = s->task_memory_mib > 0 ? (int)floor(mem / s->task_memory_mib + 1e-9) : 1 << 20;
        if (by_cpu < 0 || by_mem < 0)
            by_cpu = by_mem = 0;
        int k = by_cpu < by_mem ? by_cpu : by_mem;
        if (s->distinct_instance && k > 1)
            k = 1;
        if (best < 0 || (largest ? k > best : k < best))
            best = k;
    }
    return best < 0 ? 0 : best;
}

int ss_ecs_scale_out_desired(int n_running, int provisioning, int per_instance, int min_step, int max_step,
                             int target_capacity)
{
    if (provisioning <= 0 || per_instance <= 0)
        return -1;
    if (n_running == 0)
        return 2; /* "scale out to two instances first" (§3.2 item 5) */
    int needed = (provisioning + per_instance - 1) / per_instance;
    int add = needed < min_step ? min_step : (needed < max_step ? needed : max_step);
    int M = n_running + add;
    return (M * 100 + target_capacity - 1) / target_capacity;
}

static void cp_tick(ss_ecs *e, int cp)
{
    const ss_capacity_provider *c = &e->sc->providers[cp];
    ss_ecs_cp *st = &e->cps[cp];
    ss_asg_group *g = &e->asgs[c->asg];
    ss_time now = ss_evq_now(e->q);
    /* counters kept up to date by the ASG hooks and the task lifecycle */
    int N = st->n_running, busy = st->n_busy, P = st->provisioning;
    bool warming = now - st->last_launch < c->instance_warmup;
    if (P > 0) {
        st->low_datapoints = 0;
        if (st->per_small <= 0 || warming)
            return; /* does not fit the smallest type / warm-up blocks */
        int want = ss_ecs_scale_out_desired(N, P, st->per_large, c->min_scaling_step, c->max_scaling_step,
                                            c->target_capacity);
        if (want > g->desired) {
            ss_asg_set_desired(g, want);
            st->last_scale_out = now;
        }
        return;
    }
    int tgt = c->target_capacity;
    int want = (busy * 100 + tgt - 1) / tgt;
    if (N > 0 && busy * 100 > tgt * N) {
        st->low_datapoints = 0;
        if (!warming && want > g->desired) {
            ss_asg_set_desired(g, want);
            st->last_scale_out = now;
        }
        return;
    }
    if (N > 0 && busy * 100 < tgt * N) {
        st->low_datapoints++;
        if (st->low_datapoints >= 15 && now - st->last_scale_out >= 15 * SS_MINUTE) {
            int step = (N - 1) / 2;
            if (step < 1)
                step = 1;
            int floor_n = N - step;
            int nd = want > floor_n ? want : floor_n;
            if (nd < g->desired)
                ss_asg_set_desired(g, nd);
        }
        return;
    }
    st->low_datapoints = 0;
}

/* ---- analytic datapoints ---------------------------------------------------
 *
 * cp_tick above is what happens at every one-minute datapoint. Between two
 * events its inputs (N, busy, P, the group's desired capacity, the last
 * launch and scale-out) do not change, so the datapoints in between either
 * change nothing but the consecutive-low count, or the first of them that
 * changes a desired capacity can be computed: a warm-up or cooldown ends,
 * or the 15th low datapoint is reached. ss_ecs_cp_advance evaluates only
 * that one with cp_tick and counts the others.
 *
 * Order: in the per-minute reference, the datapoint at T is a kernel event
 * scheduled while the datapoint at T - 1 min ran, so it comes after every
 * event at T scheduled before that moment and before every event scheduled
 * after it. tick_seq records the kernel's next sequence number at that
 * moment, which reproduces the same order (ties between providers: in
 * provider order, as the reference schedules them). */

static ss_time grid_from(ss_time from, ss_time bound)
{
    if (from >= bound)
        return from;
    return from + (bound - from + SS_MINUTE - 1) / SS_MINUTE * SS_MINUTE;
}

/* The first datapoint at or after st->tick_t at which cp_tick would call
 * ss_asg_set_desired if nothing changed, or SS_TIME_NEVER. */
static ss_time first_action(const ss_ecs *e, int cp)
{
    const ss_capacity_provider *c = &e->sc->providers[cp];
    const ss_ecs_cp *st = &e->cps[cp];
    const ss_asg_group *g = &e->asgs[c->asg];
    int N = st->n_running, busy = st->n_busy, P = st->provisioning;
    ss_time warm = st->last_launch + c->instance_warmup;
    if (P > 0) {
        if (st->per_small <= 0 || ss_ecs_scale_out_desired(N, P, st->per_large, c->min_scaling_step,
                                                           c->max_scaling_step, c->target_capacity) <= g->desired)
            return SS_TIME_NEVER;
        return grid_from(st->tick_t, warm);
    }
    int tgt = c->target_capacity;
    int want = (busy * 100 + tgt - 1) / tgt;
    if (N > 0 && busy * 100 > tgt * N)
        return want > g->desired ? grid_from(st->tick_t, warm) : SS_TIME_NEVER;
    if (N > 0 && busy * 100 < tgt * N) {
        int step = (N - 1) / 2;
        if (step < 1)
            step = 1;
        int nd = want > N - step ? want : N - step;
        if (nd >= g->desired)
            return SS_TIME_NEVER;
        /* the datapoint tick_t + k min is low datapoint number low + k + 1 */
        int64_t k = 14 - (int64_t)st->low_datapoints;
        if (k < 0)
            k = 0;
        return grid_from(st->tick_t + k * SS_MINUTE, st->last_scale_out + 15 * SS_MINUTE);
    }
    return SS_TIME_NEVER;
}

/* The periodic processes: providers 0 .. n_cps - 1 (managed scaling), then
 * the service auto scaling (index n_cps; its reference events are scheduled
 * after the providers', so it comes last among equal ones). */
static bool proc_on(const ss_ecs *e, int i)
{
    return i < e->n_cps ? e->sc->providers[i].managed_scaling : e->sas_on;
}

static ss_time *proc_t(ss_ecs *e, int i) { return i < e->n_cps ? &e->cps[i].tick_t : &e->sas_tick_t; }
static uint64_t *proc_seq(ss_ecs *e, int i) { return i < e->n_cps ? &e->cps[i].tick_seq : &e->sas_tick_seq; }

/* Datapoints of process i that come before position (t, seq, idx): every
 * one before t, and the one at t if its sequence threshold is lower (equal:
 * the lower index first; events have idx INT32_MAX). */
static int64_t n_before(ss_ecs *e, int i, ss_time t, uint64_t seq, int idx, uint64_t now_seq)
{
    ss_time tick_t = *proc_t(e, i);
    if (tick_t > t)
        return 0;
    ss_time d = t - tick_t;
    int64_t k = (d + SS_MINUTE - 1) / SS_MINUTE;
    if (d % SS_MINUTE == 0) {
        uint64_t s = k == 0 ? *proc_seq(e, i) : now_seq;
        if (s < seq || (s == seq && i < idx))
            k++;
    }
    return k;
}

/* k datapoints that change nothing but the consecutive-low count. */
static void skip(ss_ecs *e, int i, int64_t k, uint64_t now_seq)
{
    if (k <= 0)
        return;
    if (i < e->n_cps) {
        ss_ecs_cp *st = &e->cps[i];
        int N = st->n_running, busy = st->n_busy, tgt = e->sc->providers[i].target_capacity;
        if (st->provisioning == 0 && N > 0 && busy * 100 < tgt * N) {
            int64_t low = st->low_datapoints + k;
            st->low_datapoints = low > INT32_MAX ? INT32_MAX : (int)low;
        } else {
            st->low_datapoints = 0;
        }
    }
    *proc_t(e, i) += k * SS_MINUTE;
    *proc_seq(e, i) = now_seq;
}

bool ss_ecs_cp_advance(ss_ecs *e, ss_time t, uint64_t seq)
{
    uint64_t now_seq = ss_evq_next_seq(e->q);
    int best = -1;
    ss_time bt = 0;
    uint64_t bs = 0;
    for (int i = 0; i <= e->n_cps; i++) {
        if (!proc_on(e, i))
            continue;
        ss_time ta = i < e->n_cps ? first_action(e, i) : ss_ecs_sas_first_action(e);
        if (ta == SS_TIME_NEVER || ta > t)
            continue;
        uint64_t sa = ta == *proc_t(e, i) ? *proc_seq(e, i) : now_seq;
        if (ta == t && sa > seq)
            continue; /* the event comes first */
        if (best < 0 || ta < bt || (ta == bt && sa < bs)) {
            best = i;
            bt = ta;
            bs = sa;
        }
    }
    if (best < 0) {
        for (int i = 0; i <= e->n_cps; i++)
            if (proc_on(e, i))
                skip(e, i, n_before(e, i, t, seq, INT32_MAX, now_seq), now_seq);
        return false;
    }
    for (int i = 0; i <= e->n_cps; i++)
        if (proc_on(e, i))
            skip(e, i, n_before(e, i, bt, bs, best, now_seq), now_seq);
    ss_evq_run_until(e->q, bt); /* the clock to bt: no event comes before it */
    if (best < e->n_cps)
        cp_tick(e, best);
    else
        ss_ecs_sas_tick(e);
    *proc_t(e, best) = bt + SS_MINUTE;
    *proc_seq(e, best) = ss_evq_next_seq(e->q);
    return true;
}

static void on_cp_tick(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)ctx;
    ss_ecs *e = ev->obj;
    cp_tick(e, (int)ev->a);
    ss_evq_schedule(q, ss_evq_now(q) + SS_MINUTE, SS_ECS_EV_CP_TICK, e, ev->a, 0);
}

void ss_ecs_register_cp_events(ss_ecs *e)
{
    ss_evq_on(e->q, SS_ECS_EV_CP_TICK, on_cp_tick, NULL);
    e->n_managed = 0;
    for (int i = 0; i < e->n_cps; i++) {
        ss_ecs_cp *st = &e->cps[i];
        st->last_scale_out = e->start - SS_DAY;
        st->last_launch = e->start - SS_DAY; /* the initial fleet is warm */
        st->tick_t = e->start + SS_MINUTE;
        st->tick_seq = ss_evq_next_seq(e->q);
        if (!e->sc->providers[i].managed_scaling)
            continue;
        e->n_managed++;
        if (e->minute_ticks)
            ss_evq_schedule(e->q, st->tick_t, SS_ECS_EV_CP_TICK, e, i, 0);
    }
}
