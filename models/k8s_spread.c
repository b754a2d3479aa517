/*
 * k8s_spread.c - topologySpreadConstraints filter and score (aws-semantics.md §4.1).
 *
 * Mirrors kube-scheduler's podtopologyspread plugin: filtering.go (Filter:
 * "existing matching num + self-match - global minimum <= maxSkew") and
 * scoring.go (PreScore weights ln(size+2), Score rounding, NormalizeScore).
 */
#include "models/k8s_spread.h"

#include <limits.h>
#include <math.h>

int ss_spread_num_domains(const ss_spread_counts *k)
{
    int n = 0;
    for (int d = 0; d < k->n_domains; d++)
        if (k->nodes[d] > 0)
            n++;
    return n;
}

int ss_spread_global_min(const ss_spread_constraint *c, const ss_spread_counts *k)
{
    int min_domains = c->min_domains > 0 ? c->min_domains : 1;
    int n = 0, gmin = INT_MAX;
    for (int d = 0; d < k->n_domains; d++) {
        if (k->nodes[d] <= 0)
            continue;
        n++;
        if (k->pods[d] < gmin)
            gmin = k->pods[d];
    }
    /* minDomains: with fewer visible domains than required, the missing
     * domains are taken to hold 0 matching pods. */
    if (n < min_domains || n == 0)
        return 0;
    return gmin;
}

int ss_spread_skew(const ss_spread_constraint *c, const ss_spread_counts *k, int d, bool self_match)
{
    int cnt = (d >= 0 && d < k->n_domains) ? k->pods[d] : 0;
    return cnt + (self_match ? 1 : 0) - ss_spread_global_min(c, k);
}

bool ss_spread_filter(const ss_spread_constraint *cs, const bool *active, int n_c,
                      const ss_spread_counts *k, const int *node_dom, bool self_match,
                      const int *gmin)
{
    for (int i = 0; i < n_c; i++) {
        if (cs[i].schedule_anyway || (active && !active[i]))
            continue;
        int d = node_dom[i];
        if (d < 0)
            return false; /* node lacks the topologyKey */
        int cnt = d < k[i].n_domains ? k[i].pods[d] : 0;
        int m = gmin ? gmin[i] : ss_spread_global_min(&cs[i], &k[i]);
        if (cnt + (self_match ? 1 : 0) - m > cs[i].max_skew)
            return false;
    }
    return true;
}

void ss_spread_score(const ss_spread_constraint *cs, const bool *active, int n_c,
                     const ss_spread_counts *k, const bool *per_node, const int *node_dom,
                     int n_nodes, int64_t *out, int64_t *tmp)
{
    bool any = false;
    for (int i = 0; i < n_c; i++)
        if (cs[i].schedule_anyway && (!active || active[i]))
            any = true;
    if (!any) {
        for (int n = 0; n < n_nodes; n++)
            out[n] = 0;
        return;
    }
    /* PreScore: candidates lacking a key are ignored; size = distinct
     * domains among the others (per-node keys: the number of others). */
    double w[SS_MAX_SPREAD] = {0};
    int n_ok = 0;
    for (int n = 0; n < n_nodes; n++) {
        bool ok = true;
        for (int i = 0; i < n_c; i++)
            if (cs[i].schedule_anyway && (!active || active[i]) && node_dom[n * n_c + i] < 0)
                ok = false;
        tmp[n] = ok ? 0 : -1;
        if (ok)
            n_ok++;
    }
    for (int i = 0; i < n_c && i < SS_MAX_SPREAD; i++) {
        if (!cs[i].schedule_anyway || (active && !active[i]))
            continue;
        int size = 0;
        if (per_node && per_node[i]) {
            size = n_ok;
        } else {
            /* distinct domains: quadratic only in the candidates' first
             * occurrences, fine for the few zone/capacity-type domains. */
            for (int n = 0; n < n_nodes; n++) {
                if (tmp[n] < 0)
                    continue;
                int d = node_dom[n * n_c + i];
                bool seen = false;
                for (int m = 0; m < n && !seen; m++)
                    if (tmp[m] >= 0 && node_dom[m * n_c + i] == d)
                        seen = true;
                if (!seen)
                    size++;
            }
        }
        w[i] = log((double)size + 2.0);
    }
    /* Score */
    int64_t min_s = INT64_MAX, max_s = 0;
    for (int n = 0; n < n_nodes; n++) {
        if (tmp[n] < 0) {
            out[n] = -1;
            continue;
        }
        double s = 0.0;
        for (int i = 0; i < n_c; i++) {
            if (!cs[i].schedule_anyway || (active && !active[i]))
                continue;
            int d = node_dom[n * n_c + i];
            int cnt = d < k[i].n_domains ? k[i].pods[d] : 0;
            s += (double)cnt * w[i] + (double)(cs[i].max_skew - 1);
        }
        out[n] = (int64_t)llround(s);
        if (out[n] < min_s)
            min_s = out[n];
        if (out[n] > max_s)
            max_s = out[n];
    }
    /* NormalizeScore: fewer matching pods => higher score. */
    for (int n = 0; n < n_nodes; n++) {
        if (out[n] < 0)
            out[n] = 0;
        else if (max_s == 0)
            out[n] = SS_SPREAD_MAX_NODE_SCORE;
        else
            out[n] = SS_SPREAD_MAX_NODE_SCORE * (max_s + min_s - out[n]) / max_s;
    }
}

bool ss_spread_node_eligible(const ss_spread_constraint *c, bool has_all_keys,
                             bool matches_affinity, bool taints_tolerated)
{
    if (!has_all_keys)
        return false;
    if (!c->node_affinity_ignore && !matches_affinity)
        return false;
    if (c->node_taints_honor && !taints_tolerated)
        return false;
    return true;
}
