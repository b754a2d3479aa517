/*
 * grid.c - full factorial enumeration of a search space (odometer order:
 * the last parameter varies fastest), filtered by the constraints.
 */
#include <stdlib.h>
#include <string.h>

#include "policies/search.h"

int ss_grid_generate(const ss_space *sp, ss_candidate **out, int *n, ss_err *err)
{
    *out = NULL;
    *n = 0;
    double total = ss_space_grid_size(sp);
    if (total > SS_GRID_MAX_POINTS)
        return ss_err_set(err, "grid: the space has %.0f points (more than %.0f); use --method lhs, "
                               "random or nsga2", total, SS_GRID_MAX_POINTS);
    int levels[SS_MAX_SEARCH_PARAMS], k[SS_MAX_SEARCH_PARAMS];
    for (int i = 0; i < sp->n; i++) {
        levels[i] = sp->p[i].kind == SS_PARAM_CONTINUOUS ? SS_GRID_CONTINUOUS_LEVELS
                                                          : sp->p[i].n_levels;
        k[i] = 0;
    }
    ss_cand_set *set = ss_cand_set_new();
    size_t cap = 0;
    for (;;) {
        ss_candidate c;
        memset(&c, 0, sizeof c);
        for (int i = 0; i < sp->n; i++) {
            if (sp->p[i].kind == SS_PARAM_CONTINUOUS)
                c.x[i] = sp->p[i].lo + (sp->p[i].hi - sp->p[i].lo) * k[i] /
                                           (double)(SS_GRID_CONTINUOUS_LEVELS - 1);
            else
                c.x[i] = k[i];
        }
        ss_space_accept(sp, set, &c, out, n, &cap);
        int i = sp->n - 1;
        while (i >= 0 && ++k[i] == levels[i])
            k[i--] = 0;
        if (i < 0)
            break;
    }
    ss_cand_set_free(set);
    return 0;
}
