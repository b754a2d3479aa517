/*
 * k8s_expander.c - cluster-autoscaler expanders, with seeded random tie-breaks.
 */
#include "models/k8s_expander.h"

#include <math.h>

const char *ss_expander_name(ss_expander kind)
{
    switch (kind) {
    case SS_EXPANDER_RANDOM: return "random";
    case SS_EXPANDER_MOST_PODS: return "most-pods";
    case SS_EXPANDER_LEAST_WASTE: return "least-waste";
    case SS_EXPANDER_PRICE: return "price";
    case SS_EXPANDER_PRIORITY: return "priority";
    }
    return "?";
}

double ss_expander_cost(ss_expander kind, const ss_expander_option *o)
{
    switch (kind) {
    case SS_EXPANDER_RANDOM:
        return 0.0;
    case SS_EXPANDER_MOST_PODS:
        return -(double)o->pods;
    case SS_EXPANDER_LEAST_WASTE: {
        double ac = o->node_cpu * o->node_count, am = o->node_mem * o->node_count;
        double wc = ac > 0 ? (ac - o->pods_cpu) / ac : 0.0;
        double wm = am > 0 ? (am - o->pods_mem) / am : 0.0;
        return wc + wm;
    }
    case SS_EXPANDER_PRICE:
        return o->pods > 0 ? o->node_count * o->price_per_hour / o->pods : HUGE_VAL;
    case SS_EXPANDER_PRIORITY:
        return -(double)o->priority;
    }
    return 0.0;
}

static bool same(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

int ss_expander_choose(ss_expander kind, const ss_expander_option *opts, int n, double u)
{
    if (n <= 0)
        return -1;
    double best = ss_expander_cost(kind, &opts[0]);
    for (int i = 1; i < n; i++) {
        double c = ss_expander_cost(kind, &opts[i]);
        if (c < best && !same(c, best))
            best = c;
    }
    int n_best = 0;
    for (int i = 0; i < n; i++)
        if (same(ss_expander_cost(kind, &opts[i]), best))
            n_best++;
    if (u < 0.0)
        u = 0.0;
    int pick = (int)(u * n_best);
    if (pick >= n_best)
        pick = n_best - 1;
    for (int i = 0; i < n; i++)
        if (same(ss_expander_cost(kind, &opts[i]), best) && pick-- == 0)
            return i;
    return 0;
}
