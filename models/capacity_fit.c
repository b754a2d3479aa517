/*
 * capacity_fit.c - a semi-Markov process over the joint capacity state of
 * the traced zones (each zone's level: instances it holds, 0 = none, or
 * unlimited; on/off for flag traces), fitted from capacity traces and
 * sampled to generate new paths (docs/fit.md, "Capacity process").
 *
 * Why joint: the SkyPilot traces show zones of one region losing capacity
 * together far more often than independence would give (fit prints both),
 * and "every zone out at once" is what breaks a multi-AZ service. A process
 * per zone would lose that; the joint state keeps it by construction.
 *
 * Why resampled sojourns: outage lengths in the traces are heavy-tailed (a
 * few outages of days beside many of minutes); resampling the observed
 * sojourns of each state reproduces their distribution without choosing a
 * family. The cost: the generator never produces a sojourn longer than the
 * longest one observed in that state (docs/fit.md, Limits).
 */
#include "models/fit_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ss_cap_marginals_of(int n_zones, const uint32_t *state, const long *len, size_t n,
                         ss_cap_marginals *out)
{
    memset(out, 0, sizeof *out);
    uint32_t all = n_zones >= 32 ? 0xffffffffu : ((1u << n_zones) - 1u);
    long down_steps[SS_MAX_ZONES] = {0}, all_steps = 0;
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (len[i] <= 0)
            continue;
        for (int z = 0; z < n_zones; z++) {
            bool d = (state[i] >> z) & 1u;
            if (d) {
                down_steps[z] += len[i];
                if (!(out->steps > 0 && ((prev >> z) & 1u)))
                    out->outages[z]++;
            }
        }
        if ((state[i] & all) == all)
            all_steps += len[i];
        out->steps += len[i];
        prev = state[i];
    }
    for (int z = 0; z < n_zones; z++) {
        out->frac_down[z] = out->steps ? (double)down_steps[z] / (double)out->steps : NAN;
        out->mean_outage_steps[z] =
            out->outages[z] ? (double)down_steps[z] / (double)out->outages[z] : NAN;
    }
    out->frac_all_down = out->steps ? (double)all_steps / (double)out->steps : NAN;
}

static int state_index(ss_cap_model *m, const int *level)
{
    for (int i = 0; i < m->n_states; i++)
        if (!memcmp(m->st[i].level, level, (size_t)m->n_zones * sizeof *level))
            return i;
    m->st = ss_realloc(m->st, (size_t)(m->n_states + 1) * sizeof *m->st);
    ss_cap_state *st = &m->st[m->n_states];
    memset(st, 0, sizeof *st);
    for (int z = 0; z < SS_MAX_ZONES; z++)
        st->level[z] = z < m->n_zones ? level[z] : -1;
    for (int z = 0; z < m->n_zones; z++)
        if (level[z] == 0)
            st->down |= 1u << z;
    return m->n_states++;
}

int ss_cap_fit_levels(int n_zones, const int *const *level, long n_steps, ss_time step,
                      ss_cap_model *out, ss_err *err)
{
    memset(out, 0, sizeof *out);
    if (n_zones < 1 || n_zones > SS_MAX_ZONES)
        return ss_err_set(err, "capacity fit: %d zones (1..%d)", n_zones, SS_MAX_ZONES);
    if (n_steps < 1 || step <= 0)
        return ss_err_set(err, "capacity fit: no common trace time across the %d zones",
                          n_zones);
    out->n_zones = n_zones;
    out->step = step;
    out->steps = n_steps;
    /* Run-length encode the joint path (states numbered by first visit). */
    int *ri = NULL;
    uint32_t *rs = NULL;
    long *rl = NULL;
    size_t nr = 0, cap_i = 0, cap_s = 0, cap_l = 0;
    int lv[SS_MAX_ZONES];
    for (long i = 0; i < n_steps; i++) {
        for (int z = 0; z < n_zones; z++)
            lv[z] = level[z][i] < 0 ? -1 : level[z][i];
        int k = state_index(out, lv);
        if (nr > 0 && ri[nr - 1] == k) {
            rl[nr - 1]++;
            continue;
        }
        SS_GROW(ri, cap_i, nr + 1);
        SS_GROW(rs, cap_s, nr + 1);
        SS_GROW(rl, cap_l, nr + 1);
        ri[nr] = k;
        rs[nr] = out->st[k].down;
        rl[nr] = 1;
        nr++;
    }
    ss_cap_marginals mg;
    ss_cap_marginals_of(n_zones, rs, rl, nr, &mg);
    for (int z = 0; z < n_zones; z++) {
        out->frac_down[z] = mg.frac_down[z];
        out->mean_outage_steps[z] = mg.mean_outage_steps[z];
        out->outages[z] = mg.outages[z];
    }
    out->frac_all_down = mg.frac_all_down;
    /* Cyclic reading: the last run continues into the first. */
    if (nr > 1 && ri[nr - 1] == ri[0]) {
        rl[0] += rl[nr - 1];
        nr--;
    }
    for (int s = 0; s < out->n_states; s++)
        out->st[s].next_count = ss_calloc((size_t)out->n_states, sizeof(int));
    size_t *cap_soj = ss_calloc((size_t)out->n_states, sizeof *cap_soj);
    for (size_t i = 0; i < nr; i++) {
        ss_cap_state *st = &out->st[ri[i]];
        SS_GROW(st->soj, cap_soj[ri[i]], st->n_soj + 1);
        st->soj[st->n_soj++] = (int)rl[i];
        st->time_steps += (double)rl[i];
        st->next_count[ri[(i + 1) % nr]]++;
    }
    free(cap_soj);
    free(ri);
    free(rs);
    free(rl);
    return 0;
}

int ss_cap_fit(int n_zones, const uint8_t *const *down, long n_steps, ss_time step,
               ss_cap_model *out, ss_err *err)
{
    if (n_zones < 1 || n_zones > SS_MAX_ZONES || n_steps < 1)
        return ss_cap_fit_levels(n_zones, NULL, n_steps, step, out, err);
    int *buf = ss_malloc((size_t)n_zones * (size_t)n_steps * sizeof *buf);
    const int *lv[SS_MAX_ZONES];
    for (int z = 0; z < n_zones; z++) {
        int *row = buf + (size_t)z * (size_t)n_steps;
        for (long i = 0; i < n_steps; i++)
            row[i] = down[z][i] ? 0 : -1;
        lv[z] = row;
    }
    int rc = ss_cap_fit_levels(n_zones, lv, n_steps, step, out, err);
    free(buf);
    return rc;
}

void ss_cap_model_free(ss_cap_model *m)
{
    if (!m)
        return;
    for (int s = 0; s < m->n_states; s++) {
        free(m->st[s].soj);
        free(m->st[s].next_count);
    }
    free(m->st);
    memset(m, 0, sizeof *m);
}

static int draw_next(const ss_cap_model *m, int s, gsl_rng *r)
{
    const ss_cap_state *st = &m->st[s];
    long total = 0;
    for (int j = 0; j < m->n_states; j++)
        total += st->next_count[j];
    if (total <= 0)
        return s;
    long u = (long)gsl_rng_uniform_int(r, (unsigned long)total);
    for (int j = 0; j < m->n_states; j++) {
        u -= st->next_count[j];
        if (u < 0)
            return j;
    }
    return s;
}

void ss_cap_generate_states(const ss_cap_model *m, gsl_rng *r, ss_time start, ss_time end,
                            ss_cap_state_fn fn, void *ctx)
{
    if (m->n_states == 0 || m->steps <= 0 || end <= start)
        return;
    /* A uniform step of the observed (cyclic) path: its state and the rest
     * of its sojourn (length-biased, as at any fixed time of a stationary
     * path). */
    long u = (long)gsl_rng_uniform_int(r, (unsigned long)m->steps);
    int s = 0;
    long residual = 1;
    for (int i = 0; i < m->n_states && u >= 0; i++)
        for (size_t j = 0; j < m->st[i].n_soj; j++) {
            if (u < m->st[i].soj[j]) {
                s = i;
                residual = m->st[i].soj[j] - u;
                u = -1;
                break;
            }
            u -= m->st[i].soj[j];
        }
    ss_time t = start;
    int cur = s;
    fn(ctx, t, cur);
    for (;;) {
        if ((double)residual * (double)m->step >= (double)(end - t))
            break;
        t += (ss_time)residual * m->step;
        s = draw_next(m, s, r);
        const ss_cap_state *st = &m->st[s];
        residual = st->n_soj ? st->soj[gsl_rng_uniform_int(r, st->n_soj)] : 1;
        if (s != cur) {
            cur = s;
            fn(ctx, t, cur);
        }
    }
}

typedef struct down_ctx {
    const ss_cap_model *m;
    ss_cap_path_fn fn;
    void *ctx;
    bool first;
    uint32_t cur;
} down_ctx;

static void on_state(void *vctx, ss_time t, int state)
{
    down_ctx *c = vctx;
    uint32_t d = c->m->st[state].down;
    if (c->first || d != c->cur)
        c->fn(c->ctx, t, d);
    c->first = false;
    c->cur = d;
}

void ss_cap_generate(const ss_cap_model *m, gsl_rng *r, ss_time start, ss_time end,
                     ss_cap_path_fn fn, void *ctx)
{
    down_ctx c = {m, fn, ctx, true, 0};
    ss_cap_generate_states(m, r, start, end, on_state, &c);
}
