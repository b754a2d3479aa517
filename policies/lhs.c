/*
 * lhs.c - Latin hypercube and uniform random sampling of a search space.
 *
 * LHS: for each parameter the unit interval is split into `budget` strata
 * and a random permutation assigns one stratum to each point, with a uniform
 * position inside it; u maps to a level as floor(u * n_levels) (so levels
 * receive budget/n_levels points each, +-1) and to lo + u (hi - lo) on a
 * continuous range. Infeasible points and duplicates are dropped (so a
 * constrained or small discrete space yields fewer than budget candidates).
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "policies/search.h"

enum { SUB_LHS = 1, SUB_RANDOM = 2 };

static double unit_to_gene(const ss_space *sp, int i, double u)
{
    const ss_space_param *p = &sp->p[i];
    if (p->kind == SS_PARAM_CONTINUOUS)
        return p->lo + u * (p->hi - p->lo);
    int l = (int)(u * p->n_levels);
    return l >= p->n_levels ? p->n_levels - 1 : l;
}

void ss_lhs_unit(uint64_t seed, int budget, int dims, double *u)
{
    gsl_rng *r = ss_search_rng(seed, SUB_LHS);
    size_t *perm = ss_malloc(sizeof(size_t) * (size_t)(budget > 0 ? budget : 1));
    for (int d = 0; d < dims; d++) {
        for (int k = 0; k < budget; k++)
            perm[k] = (size_t)k;
        gsl_ran_shuffle(r, perm, (size_t)budget, sizeof(size_t));
        for (int k = 0; k < budget; k++)
            u[(size_t)k * (size_t)dims + (size_t)d] =
                ((double)perm[k] + gsl_rng_uniform(r)) / (double)budget;
    }
    free(perm);
    gsl_rng_free(r);
}

int ss_lhs_generate(const ss_space *sp, uint64_t seed, int budget, ss_candidate **out, int *n,
                    ss_err *err)
{
    *out = NULL;
    *n = 0;
    if (budget < 1)
        return ss_err_set(err, "lhs: budget must be >= 1 (got %d)", budget);
    int dims = sp->n > 0 ? sp->n : 1;
    double *u = ss_malloc(sizeof(double) * (size_t)budget * (size_t)dims);
    ss_lhs_unit(seed, budget, dims, u);
    ss_cand_set *set = ss_cand_set_new();
    size_t cap = 0;
    for (int k = 0; k < budget; k++) {
        ss_candidate c;
        memset(&c, 0, sizeof c);
        for (int i = 0; i < sp->n; i++)
            c.x[i] = unit_to_gene(sp, i, u[(size_t)k * (size_t)dims + (size_t)i]);
        ss_space_accept(sp, set, &c, out, n, &cap);
    }
    ss_cand_set_free(set);
    free(u);
    return 0;
}

int ss_random_generate(const ss_space *sp, uint64_t seed, int budget, ss_candidate **out, int *n,
                       ss_err *err)
{
    *out = NULL;
    *n = 0;
    if (budget < 1)
        return ss_err_set(err, "random: budget must be >= 1 (got %d)", budget);
    gsl_rng *r = ss_search_rng(seed, SUB_RANDOM);
    ss_cand_set *set = ss_cand_set_new();
    size_t cap = 0;
    /* Rejection sampling; give up after 100 draws per wanted point (a small
     * or tightly constrained space simply has fewer candidates). */
    long tries = 100L * budget;
    while (*n < budget && tries-- > 0) {
        ss_candidate c;
        memset(&c, 0, sizeof c);
        for (int i = 0; i < sp->n; i++)
            c.x[i] = unit_to_gene(sp, i, gsl_rng_uniform(r));
        ss_space_accept(sp, set, &c, out, n, &cap);
    }
    ss_cand_set_free(set);
    gsl_rng_free(r);
    return 0;
}
