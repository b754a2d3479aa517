/*
 * nsga2.c - NSGA-II: non-dominated sorting, crowding distance, tournament,
 * SBX / polynomial mutation on continuous genes, uniform crossover and
 * random-reset mutation on level genes (see nsga2.h).
 */
#include "policies/nsga2.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#define ETA_C 15.0
#define ETA_M 20.0
#define P_CROSS 0.9
#define MAX_TRIES 20

typedef struct member {
    ss_candidate c;
    double f[2];
    int rank;
    double crowd;
} member;

struct ss_nsga2 {
    ss_space sp;
    gsl_rng *r;
    int pop;
    member *parents;
    int n_parents;
};

ss_nsga2 *ss_nsga2_new(const ss_space *sp, uint64_t seed, int population)
{
    ss_nsga2 *g = ss_calloc(1, sizeof *g);
    g->sp = *sp;
    g->r = ss_search_rng(seed, 0);
    g->pop = population < 4 ? 4 : population + (population & 1); /* even, >= 4 */
    g->parents = ss_calloc((size_t)g->pop, sizeof(member));
    return g;
}

void ss_nsga2_free(ss_nsga2 *g)
{
    if (!g)
        return;
    gsl_rng_free(g->r);
    free(g->parents);
    free(g);
}

static bool dominates(const double *a, const double *b)
{
    return a[0] <= b[0] && a[1] <= b[1] && (a[0] < b[0] || a[1] < b[1]);
}

typedef struct idxv {
    double v;
    int i;
} idxv;

static int cmp_idxv(const void *x, const void *y)
{
    const idxv *p = x, *q = y;
    if (p->v != q->v)
        return p->v < q->v ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

void ss_nsga2_rank(int n, const double (*f)[2], int *rank, double *crowd)
{
    size_t un = (size_t)(n > 0 ? n : 1);
    int *dom_count = ss_calloc(un, sizeof(int));
    int *list = ss_malloc(un * un * sizeof(int)); /* S_p: points p dominates */
    int *list_n = ss_calloc(un, sizeof(int));
    int *front = ss_malloc(un * sizeof(int)), *next = ss_malloc(un * sizeof(int));
    for (int p = 0; p < n; p++) {
        for (int q = 0; q < n; q++) {
            if (dominates(f[p], f[q]))
                list[(size_t)p * un + (size_t)list_n[p]++] = q;
            else if (dominates(f[q], f[p]))
                dom_count[p]++;
        }
    }
    int nf = 0;
    for (int p = 0; p < n; p++)
        if (dom_count[p] == 0) {
            rank[p] = 0;
            front[nf++] = p;
        }
    idxv *tmp = ss_malloc(un * sizeof(idxv));
    for (int r = 0; nf > 0; r++) {
        /* crowding distance within this front */
        for (int k = 0; k < nf; k++)
            crowd[front[k]] = 0;
        for (int m = 0; m < 2; m++) {
            for (int k = 0; k < nf; k++)
                tmp[k] = (idxv){f[front[k]][m], front[k]};
            qsort(tmp, (size_t)nf, sizeof(idxv), cmp_idxv);
            crowd[tmp[0].i] = INFINITY;
            crowd[tmp[nf - 1].i] = INFINITY;
            double span = tmp[nf - 1].v - tmp[0].v;
            if (span > 0 && isfinite(span))
                for (int k = 1; k < nf - 1; k++)
                    crowd[tmp[k].i] += (tmp[k + 1].v - tmp[k - 1].v) / span;
        }
        int nn = 0;
        for (int k = 0; k < nf; k++) {
            int p = front[k];
            for (int j = 0; j < list_n[p]; j++) {
                int q = list[(size_t)p * un + (size_t)j];
                if (--dom_count[q] == 0) {
                    rank[q] = r + 1;
                    next[nn++] = q;
                }
            }
        }
        /* keep fronts in index order for determinism */
        for (int k = 0; k < nn; k++)
            tmp[k] = (idxv){(double)next[k], next[k]};
        qsort(tmp, (size_t)nn, sizeof(idxv), cmp_idxv);
        for (int k = 0; k < nn; k++)
            front[k] = tmp[k].i;
        nf = nn;
    }
    free(tmp);
    free(dom_count);
    free(list);
    free(list_n);
    free(front);
    free(next);
}

void ss_nsga2_initial(ss_nsga2 *g, ss_candidate **out, int *n)
{
    ss_err err;
    *out = NULL;
    *n = 0;
    /* LHS for spread; the stream differs from --method lhs (sub 0 vs 1) only
     * in the random top-up, which is drawn from the NSGA-II stream. */
    ss_candidate *lhs = NULL;
    int nl = 0;
    ss_lhs_generate(&g->sp, ss_mix64((uint64_t)gsl_rng_get(g->r)), g->pop, &lhs, &nl, &err);
    ss_cand_set *set = ss_cand_set_new();
    size_t cap = 0;
    for (int i = 0; i < nl; i++)
        ss_space_accept(&g->sp, set, &lhs[i], out, n, &cap);
    free(lhs);
    for (int tries = 0; *n < g->pop && tries < 100 * g->pop; tries++) {
        ss_candidate c;
        memset(&c, 0, sizeof c);
        for (int i = 0; i < g->sp.n; i++) {
            double lo = ss_space_gene_lo(&g->sp, i), hi = ss_space_gene_hi(&g->sp, i);
            c.x[i] = g->sp.p[i].kind == SS_PARAM_CONTINUOUS
                         ? lo + gsl_rng_uniform(g->r) * (hi - lo)
                         : (double)gsl_rng_uniform_int(g->r, (unsigned long)hi + 1);
        }
        ss_space_accept(&g->sp, set, &c, out, n, &cap);
    }
    ss_cand_set_free(set);
}

typedef struct order {
    int rank;
    double crowd;
    int i;
} order;

static int cmp_order(const void *x, const void *y)
{
    const order *p = x, *q = y;
    if (p->rank != q->rank)
        return p->rank < q->rank ? -1 : 1;
    if (p->crowd != q->crowd)
        return p->crowd > q->crowd ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

void ss_nsga2_tell(ss_nsga2 *g, const ss_candidate *c, const double (*f)[2], int n)
{
    /* Combined population R = P u Q without duplicate genotypes (a duplicate
     * of a parent would double its weight in selection). */
    int total = g->n_parents + n;
    member *R = ss_malloc(sizeof(member) * (size_t)(total > 0 ? total : 1));
    ss_cand_set *set = ss_cand_set_new();
    int m = 0;
    for (int k = 0; k < total; k++) {
        member x;
        if (k < g->n_parents) {
            x = g->parents[k];
        } else {
            memset(&x, 0, sizeof x);
            x.c = c[k - g->n_parents];
            for (int j = 0; j < 2; j++) {
                double v = f[k - g->n_parents][j];
                x.f[j] = isnan(v) ? INFINITY : v; /* failed evaluations are worst */
            }
        }
        char *json = ss_space_params_json(&g->sp, &x.c);
        char hash[17];
        ss_space_params_hash(json, hash);
        free(json);
        if (ss_cand_set_add(set, hash))
            R[m++] = x;
    }
    ss_cand_set_free(set);
    double (*F)[2] = ss_malloc(sizeof(double[2]) * (size_t)(m > 0 ? m : 1));
    int *rank = ss_malloc(sizeof(int) * (size_t)(m > 0 ? m : 1));
    double *crowd = ss_malloc(sizeof(double) * (size_t)(m > 0 ? m : 1));
    for (int k = 0; k < m; k++) {
        F[k][0] = R[k].f[0];
        F[k][1] = R[k].f[1];
    }
    ss_nsga2_rank(m, (const double (*)[2])F, rank, crowd);
    order *o = ss_malloc(sizeof(order) * (size_t)(m > 0 ? m : 1));
    for (int k = 0; k < m; k++)
        o[k] = (order){rank[k], crowd[k], k};
    /* Sorting by (rank, -crowding) and taking the first `pop` is the
     * front-by-front fill with the last front truncated by crowding. */
    qsort(o, (size_t)m, sizeof(order), cmp_order);
    g->n_parents = m < g->pop ? m : g->pop;
    for (int k = 0; k < g->n_parents; k++) {
        g->parents[k] = R[o[k].i];
        g->parents[k].rank = o[k].rank;
        g->parents[k].crowd = o[k].crowd;
    }
    free(o);
    free(F);
    free(rank);
    free(crowd);
    free(R);
}

static const member *tournament(ss_nsga2 *g)
{
    const member *a = &g->parents[gsl_rng_uniform_int(g->r, (unsigned long)g->n_parents)];
    const member *b = &g->parents[gsl_rng_uniform_int(g->r, (unsigned long)g->n_parents)];
    if (a->rank != b->rank)
        return a->rank < b->rank ? a : b;
    if (a->crowd != b->crowd)
        return a->crowd > b->crowd ? a : b;
    return gsl_rng_uniform(g->r) < 0.5 ? a : b;
}

static void sbx(gsl_rng *r, double lo, double hi, double *x1, double *x2)
{
    if (fabs(*x1 - *x2) < 1e-14 || hi <= lo)
        return;
    double y1 = fmin(*x1, *x2), y2 = fmax(*x1, *x2);
    double u = gsl_rng_uniform(r);
    /* bounded SBX (Deb & Agrawal; the form used in the reference NSGA-II code) */
    double beta = 1.0 + 2.0 * (y1 - lo) / (y2 - y1);
    double alpha = 2.0 - pow(beta, -(ETA_C + 1.0));
    double bq = u <= 1.0 / alpha ? pow(u * alpha, 1.0 / (ETA_C + 1.0))
                                 : pow(1.0 / (2.0 - u * alpha), 1.0 / (ETA_C + 1.0));
    double c1 = 0.5 * ((y1 + y2) - bq * (y2 - y1));
    beta = 1.0 + 2.0 * (hi - y2) / (y2 - y1);
    alpha = 2.0 - pow(beta, -(ETA_C + 1.0));
    bq = u <= 1.0 / alpha ? pow(u * alpha, 1.0 / (ETA_C + 1.0))
                          : pow(1.0 / (2.0 - u * alpha), 1.0 / (ETA_C + 1.0));
    double c2 = 0.5 * ((y1 + y2) + bq * (y2 - y1));
    c1 = fmin(fmax(c1, lo), hi);
    c2 = fmin(fmax(c2, lo), hi);
    if (gsl_rng_uniform(r) < 0.5) {
        *x1 = c2;
        *x2 = c1;
    } else {
        *x1 = c1;
        *x2 = c2;
    }
}

static double poly_mutation(gsl_rng *r, double x, double lo, double hi)
{
    if (hi <= lo)
        return x;
    double d1 = (x - lo) / (hi - lo), d2 = (hi - x) / (hi - lo);
    double u = gsl_rng_uniform(r), mp = 1.0 / (ETA_M + 1.0), dq;
    if (u < 0.5) {
        double v = 2.0 * u + (1.0 - 2.0 * u) * pow(1.0 - d1, ETA_M + 1.0);
        dq = pow(v, mp) - 1.0;
    } else {
        double v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * pow(1.0 - d2, ETA_M + 1.0);
        dq = 1.0 - pow(v, mp);
    }
    return fmin(fmax(x + dq * (hi - lo), lo), hi);
}

static void vary(ss_nsga2 *g, const ss_candidate *p1, const ss_candidate *p2, ss_candidate *c1,
                 ss_candidate *c2)
{
    const ss_space *sp = &g->sp;
    *c1 = *p1;
    *c2 = *p2;
    double pm = sp->n > 0 ? 1.0 / sp->n : 0;
    if (gsl_rng_uniform(g->r) < P_CROSS) {
        for (int i = 0; i < sp->n; i++) {
            if (gsl_rng_uniform(g->r) >= 0.5)
                continue;
            if (sp->p[i].kind == SS_PARAM_CONTINUOUS) {
                sbx(g->r, sp->p[i].lo, sp->p[i].hi, &c1->x[i], &c2->x[i]);
            } else {
                double t = c1->x[i];
                c1->x[i] = c2->x[i];
                c2->x[i] = t;
            }
        }
    }
    ss_candidate *cs[2] = {c1, c2};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < sp->n; i++) {
            if (gsl_rng_uniform(g->r) >= pm)
                continue;
            if (sp->p[i].kind == SS_PARAM_CONTINUOUS) {
                cs[k]->x[i] = poly_mutation(g->r, cs[k]->x[i], sp->p[i].lo, sp->p[i].hi);
            } else if (sp->p[i].n_levels > 1) {
                /* random reset to a different level */
                int cur = (int)cs[k]->x[i];
                int nl = (int)gsl_rng_uniform_int(g->r, (unsigned long)(sp->p[i].n_levels - 1));
                cs[k]->x[i] = nl >= cur ? nl + 1 : nl;
            }
        }
        ss_space_normalize(sp, cs[k]);
    }
}

void ss_nsga2_ask(ss_nsga2 *g, ss_candidate **out, int *n)
{
    *n = 0;
    *out = ss_calloc((size_t)g->pop, sizeof(ss_candidate));
    if (g->n_parents == 0)
        return;
    while (*n < g->pop) {
        const member *a = tournament(g), *b = tournament(g);
        ss_candidate c1, c2;
        bool ok1 = false, ok2 = false;
        for (int t = 0; t < MAX_TRIES && !(ok1 && ok2); t++) {
            ss_candidate d1, d2;
            vary(g, &a->c, &b->c, &d1, &d2);
            if (!ok1 && ss_space_feasible(&g->sp, &d1)) {
                c1 = d1;
                ok1 = true;
            }
            if (!ok2 && ss_space_feasible(&g->sp, &d2)) {
                c2 = d2;
                ok2 = true;
            }
        }
        if (!ok1)
            c1 = a->c;
        if (!ok2)
            c2 = b->c;
        c1.generation = c2.generation = 0;
        (*out)[(*n)++] = c1;
        if (*n < g->pop)
            (*out)[(*n)++] = c2;
    }
}
