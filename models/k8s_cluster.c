/*
 * k8s_cluster.c - API-server state of the Kubernetes model and the scheduler.
 *
 * Everything the scheduler needs per placement is maintained incrementally:
 * per constraint and domain, the eligible node count and the matching pod
 * count (spread.h); per node, its requests; a list of live nodes; an index
 * of the nodes by spread-domain class (see "indexes" below). One placement
 * is O(classes x (constraints + log live nodes)), never a walk over the
 * nodes nor a recount of the pods (without the index: O(live nodes x
 * constraints)).
 *
 * All pods belong to the scenario's one Deployment, so they are identical:
 * they match their own label selector (selfMatch = 1) and, when one cannot
 * be placed, none of the pods queued behind it can (the caller stops there).
 *
 * Simplifications (documented in docs/kubernetes.md): allocatable = the
 * instance's vCPU and memory; max 110 pods per node; a node must carry the keys of all the pod's constraints to be counted for
 * any of them (the scheduler checks hard and soft constraints separately).
 */
#include "models/k8s.h"

#include "sim/kernel/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PODS_PER_NODE 110
#define EPS 1e-9
#define KEY_TIE 0x54494553ULL /* salt of the scheduler's tie draws */

static bool fits(const ss_k8s_cluster *c, const ss_k8s_node *n);
static int64_t least_allocated(const ss_k8s_cluster *c, const ss_k8s_node *n);

/* ---- labels --------------------------------------------------------------- */

const char *ss_k8s_label(const ss_scenario *sc, int group, int zone, int type, bool spot,
                         const char *key, char *buf)
{
    const ss_asg *a = &sc->asgs[group];
    for (int i = 0; i < a->n_labels; i++)
        if (strcmp(a->labels[i][0], key) == 0)
            return a->labels[i][1];
    if (strcmp(key, SS_K8S_ZONE_KEY) == 0 || strcmp(key, "failure-domain.beta.kubernetes.io/zone") == 0)
        return (zone >= 0 && zone < sc->market.n_zones) ? sc->market.zones[zone] : NULL;
    if (strcmp(key, "node.kubernetes.io/instance-type") == 0 ||
        strcmp(key, "beta.kubernetes.io/instance-type") == 0)
        return (type >= 0 && type < sc->market.n_types) ? sc->market.types[type].name : NULL;
    if (strcmp(key, sc->k8s.capacity_type_label) == 0)
        return spot ? "SPOT" : "ON_DEMAND";
    if (strcmp(key, "karpenter.sh/capacity-type") == 0)
        return spot ? "spot" : "on-demand";
    if (strcmp(key, "eks.amazonaws.com/nodegroup") == 0)
        return a->name;
    if (strcmp(key, SS_K8S_HOSTNAME_KEY) == 0) {
        buf[0] = '\0';
        return buf;
    }
    return NULL;
}

bool ss_k8s_group_untolerated(const ss_scenario *sc, int group)
{
    const ss_asg *a = &sc->asgs[group];
    const ss_deployment *d = &sc->k8s.deployment;
    for (int i = 0; i < a->n_taints; i++) {
        const char *eff = a->taints[i][2];
        if (strcmp(eff, "PreferNoSchedule") == 0)
            continue; /* only NoSchedule / NoExecute filter */
        bool tol = false;
        for (int j = 0; j < d->n_tolerations; j++)
            if (strcmp(d->tolerations[j], a->taints[i][0]) == 0)
                tol = true;
        if (!tol)
            return true;
    }
    return false;
}

bool ss_k8s_group_selector_ok(const ss_scenario *sc, int group, int zone, int type, bool spot)
{
    const ss_deployment *d = &sc->k8s.deployment;
    if (d->node_selector[0][0] == '\0')
        return true;
    char buf[SS_NAME_MAX];
    const char *v = ss_k8s_label(sc, group, zone, type, spot, d->node_selector[0], buf);
    return v && strcmp(v, d->node_selector[1]) == 0;
}

/* ---- accounting ----------------------------------------------------------- */

int ss_k8s_running(const ss_k8s_cluster *c) { return c->n_live_pods - c->n_pending; }

void ss_k8s_account(ss_k8s_cluster *c, ss_time now)
{
    ss_avail *a = &c->av;
    c->version++; /* every mutator calls this first: cached what-ifs are stale */
    double h = c->healthy, p = c->n_pending;
    /* the counts changed (if at all) at a->last, right after the previous
     * call: record them there, then integrate them up to now */
    bool changed = h != a->h || p != a->p;
    if (changed)
        ss_avail_set(a, a->last, h, a->m, a->d, p);
    if (changed && c->on_change)
        c->on_change(c->change_ctx, a->last);
    if (now > a->last)
        ss_avail_set(a, now, h, a->m, a->d, p);
}

/* After a change: with an observer, report it at once (its row then shows
 * the fleet as it is now, not at the next change). */
static void changed(ss_k8s_cluster *c, ss_time now)
{
    if (c->on_change)
        ss_k8s_account(c, now);
}

void ss_k8s_avail_finish(ss_k8s_cluster *c, ss_time end, ss_metrics *out)
{
    ss_k8s_account(c, end);
    ss_avail_finish(&c->av, end, out);
}

/* ---- setup ---------------------------------------------------------------- */

void ss_k8s_cluster_init(ss_k8s_cluster *c, const ss_scenario *sc, ss_time t0)
{
    memset(c, 0, sizeof *c);
    c->sc = sc;
    c->dep = &sc->k8s.deployment;
    c->n_c = c->dep->n_spread < SS_MAX_SPREAD ? c->dep->n_spread : SS_MAX_SPREAD;
    for (int i = 0; i < c->n_c; i++) {
        c->cs[i] = c->dep->spread[i];
        c->active[i] = true;
        c->per_node[i] = strcmp(c->cs[i].topology_key, SS_K8S_HOSTNAME_KEY) == 0;
        c->is_zone[i] = strcmp(c->cs[i].topology_key, SS_K8S_ZONE_KEY) == 0;
    }
    /* a per-node key makes every node its own domain: no classes to share */
    c->fast = true;
    for (int i = 0; i < c->n_c; i++)
        if (c->per_node[i])
            c->fast = false;
    int rep = c->dep->replicas;
    c->demand = rep;
    if (sc->slo.min_healthy >= 0)
        c->required = sc->slo.min_healthy;
    else
        c->required = (int)ceil(sc->slo.min_fraction * rep - 1e-9);
    ss_avail_init(&c->av, t0, 0, c->required, c->demand, 0);
}

void ss_k8s_cluster_free(ss_k8s_cluster *c)
{
    for (int n = 0; n < c->n_nodes; n++)
        free(c->nodes[n].pods);
    for (int i = 0; i < SS_MAX_SPREAD; i++) {
        free(c->k[i].pods);
        free(c->k[i].nodes);
        free(c->dom_name[i]);
    }
    free(c->nodes);
    free(c->live);
    free(c->live_group);
    free(c->pods);
    free(c->pending);
    ss_avail_free(&c->av);
    free(c->cand);
    free(c->score);
    free(c->tmp);
    free(c->cand_dom);
    for (int k = 0; k < SS_K8S_MAX_CLASSES; k++)
        free(c->seg[k]);
    free(c->seg_leaf);
    free(c->under.bits);
    free(c->room.bits);
    for (int g = 0; g < SS_MAX_ASGS; g++)
        free(c->room_group[g].bits);
    memset(c, 0, sizeof *c);
}

static void ensure_dom(ss_k8s_cluster *c, int i, int n)
{
    ss_spread_counts *k = &c->k[i];
    if (n <= k->n_domains)
        return;
    if ((size_t)n > c->cap_dom[i]) {
        size_t cap = c->cap_dom[i] ? c->cap_dom[i] : 8;
        while (cap < (size_t)n)
            cap *= 2;
        k->pods = ss_realloc(k->pods, cap * sizeof(int));
        k->nodes = ss_realloc(k->nodes, cap * sizeof(int));
        if (!c->per_node[i])
            c->dom_name[i] = ss_realloc(c->dom_name[i], cap * sizeof *c->dom_name[i]);
        c->cap_dom[i] = cap;
    }
    for (int d = k->n_domains; d < n; d++)
        k->pods[d] = k->nodes[d] = 0;
    k->n_domains = n;
}

static int intern(ss_k8s_cluster *c, int i, const char *v)
{
    for (int d = 0; d < c->k[i].n_domains; d++)
        if (strcmp(c->dom_name[i][d], v) == 0)
            return d;
    int d = c->k[i].n_domains;
    ensure_dom(c, i, d + 1);
    snprintf(c->dom_name[i][d], SS_NAME_MAX, "%s", v);
    return d;
}

int ss_k8s_template_domain(ss_k8s_cluster *c, int group, int zone, int type, bool spot, int i)
{
    if (c->per_node[i])
        return -2;
    char buf[SS_NAME_MAX];
    const char *v = ss_k8s_label(c->sc, group, zone, type, spot, c->cs[i].topology_key, buf);
    return v ? intern(c, i, v) : -1;
}

int ss_k8s_pods_per_node(const ss_k8s_cluster *c, double cpu, double mem)
{
    double rc = c->dep->cpu_request, rm = c->dep->memory_request_mib;
    int n = MAX_PODS_PER_NODE;
    if (rc > 0) {
        double f = floor(cpu / rc + EPS);
        if (f < n)
            n = (int)f;
    }
    if (rm > 0) {
        double f = floor(mem / rm + EPS);
        if (f < n)
            n = (int)f;
    }
    return n > 0 ? n : 0;
}

/* ---- indexes ------------------------------------------------------------------
 * kube-scheduler filters and scores every node (pkg/scheduler/schedule_one.go
 * findNodesThatFitPod, prioritizeNodes; with percentageOfNodesToScore it
 * would stop early, which changes the choice, so spotsim keeps the full
 * search). All the pods are identical, so a node's filter and score depend
 * only on its spread domains (the same for every node of a class: filter
 * and PodTopologySpread score) and on its own Ready / cordon / taint /
 * selector / requests (NodeResourcesFit and its LeastAllocated score). The
 * segment tree below keeps, per class, the best least-allocated score of the
 * nodes passing the node-level filters, how many share it and the lowest id
 * among them, per subtree of live-list positions: a pick is then
 * O(classes x log nodes) and finds the very node the full walk finds
 * (selectHost's k-th tied node in live-list order included). */

static const ss_k8s_seg SEG_NONE = {INT32_MIN, 0, INT32_MAX};

static ss_k8s_seg seg_join(ss_k8s_seg a, ss_k8s_seg b)
{
    if (a.la != b.la)
        return a.la > b.la ? a : b;
    return (ss_k8s_seg){a.la, a.cnt + b.cnt, a.min_id < b.min_id ? a.min_id : b.min_id};
}

/* A live node's leaf: its least-allocated score when it passes the
 * node-level filters of pick_scan, else none. */
static ss_k8s_seg seg_leaf_of(const ss_k8s_cluster *c, int id)
{
    const ss_k8s_node *n = &c->nodes[id];
    if (!n->ready || n->cordoned || n->untolerated || !n->selector_ok || !fits(c, n))
        return SEG_NONE;
    int64_t la = least_allocated(c, n);
    if (la < INT32_MIN + 1)
        la = INT32_MIN + 1;
    if (la > INT32_MAX)
        la = INT32_MAX;
    return (ss_k8s_seg){(int32_t)la, 1, id};
}

static void seg_fix(ss_k8s_cluster *c, int k, int p)
{
    ss_k8s_seg *t = c->seg[k];
    for (int i = (p + c->seg_cap) >> 1; i >= 1; i >>= 1)
        t[i] = seg_join(t[2 * i], t[2 * i + 1]);
}

/* Reload leaf p from the live list (none past its end). */
static void seg_set(ss_k8s_cluster *c, int p)
{
    int old = c->seg_leaf[p];
    int id = p < c->n_live ? c->live[p] : -1;
    int k = id >= 0 ? c->nodes[id].cls : -1;
    if (old >= 0 && old != k) {
        c->seg[old][p + c->seg_cap] = SEG_NONE;
        seg_fix(c, old, p);
    }
    c->seg_leaf[p] = k;
    if (k >= 0) {
        c->seg[k][p + c->seg_cap] = seg_leaf_of(c, id);
        seg_fix(c, k, p);
    }
}

static void seg_build(ss_k8s_cluster *c, int cap)
{
    c->seg_cap = cap;
    c->seg_leaf = ss_realloc(c->seg_leaf, (size_t)cap * sizeof(int));
    for (int k = 0; k < c->n_cls; k++) {
        c->seg[k] = ss_realloc(c->seg[k], 2 * (size_t)cap * sizeof(ss_k8s_seg));
        for (int i = 0; i < 2 * cap; i++)
            c->seg[k][i] = SEG_NONE;
    }
    for (int p = 0; p < cap; p++) {
        c->seg_leaf[p] = -1;
        if (p < c->n_live) {
            int id = c->live[p];
            c->seg_leaf[p] = c->nodes[id].cls;
            c->seg[c->nodes[id].cls][cap + p] = seg_leaf_of(c, id);
        }
    }
    for (int k = 0; k < c->n_cls; k++)
        for (int i = cap - 1; i >= 1; i--)
            c->seg[k][i] = seg_join(c->seg[k][2 * i], c->seg[k][2 * i + 1]);
}

/* The class of a domain tuple (created when new); -1 when there would be
 * too many. */
static int class_of(ss_k8s_cluster *c, const int *dom)
{
    for (int k = 0; k < c->n_cls; k++)
        if (!memcmp(c->cls_dom[k], dom, (size_t)c->n_c * sizeof(int)))
            return k;
    if (c->n_cls == SS_K8S_MAX_CLASSES)
        return -1;
    int k = c->n_cls++;
    memcpy(c->cls_dom[k], dom, (size_t)c->n_c * sizeof(int));
    if (c->seg_cap > 0) {
        c->seg[k] = ss_malloc(2 * (size_t)c->seg_cap * sizeof(ss_k8s_seg));
        for (int i = 0; i < 2 * c->seg_cap; i++)
            c->seg[k][i] = SEG_NONE;
    }
    return k;
}

static void bit_put(ss_k8s_nodeset *s, int p, bool on)
{
    size_t w = (size_t)p / 64;
    if (w >= s->cap) {
        size_t old = s->cap;
        SS_GROW(s->bits, s->cap, w + 1);
        memset(s->bits + old, 0, (s->cap - old) * sizeof *s->bits);
    }
    uint64_t m = (uint64_t)1 << (p % 64);
    s->bits[w] = on ? s->bits[w] | m : s->bits[w] & ~m;
}

/* Put node id in (in) or out of the under / room set. */
static void set_update(ss_k8s_cluster *c, int id, bool room, bool in)
{
    ss_k8s_nodeset *s = room ? &c->room : &c->under;
    ss_k8s_node *n = &c->nodes[id];
    bool *flag = room ? &n->in_room : &n->in_under;
    if (*flag == in)
        return;
    *flag = in;
    s->n += in ? 1 : -1;
    bit_put(s, n->live_pos, in);
    if (room && n->group >= 0 && n->group < SS_MAX_ASGS) {
        c->room_group[n->group].n += in ? 1 : -1;
        bit_put(&c->room_group[n->group], n->live_pos, in);
    }
}

/* The node at live position from moved to position to. */
static void set_move(ss_k8s_cluster *c, int id, int from, int to)
{
    const ss_k8s_node *n = &c->nodes[id];
    if (n->in_under) {
        bit_put(&c->under, from, false);
        bit_put(&c->under, to, true);
    }
    if (n->in_room) {
        bit_put(&c->room, from, false);
        bit_put(&c->room, to, true);
        if (n->group >= 0 && n->group < SS_MAX_ASGS) {
            bit_put(&c->room_group[n->group], from, false);
            bit_put(&c->room_group[n->group], to, true);
        }
    }
}

bool ss_k8s_node_underutilized(const ss_k8s_cluster *c, const ss_k8s_node *n)
{
    /* cluster-autoscaler core/scaledown/eligibility: utilisation = max of
     * cpu and memory requests over allocatable (simulator/utilization),
     * compared with the threshold without dividing */
    double thr = c->sc->k8s.autoscaler.scale_down_utilization_threshold;
    double rc = c->dep->cpu_request, rm = c->dep->memory_request_mib;
    return !(n->alloc_cpu > 0 && !(n->n_pods * rc < thr * n->alloc_cpu)) &&
           !(n->alloc_mem > 0 && !(n->n_pods * rm < thr * n->alloc_mem));
}

/* A live node changed (requests, pods, readiness, cordon): update the
 * scheduler index and the under / room sets. */
static void refresh(ss_k8s_cluster *c, int id)
{
    ss_k8s_node *n = &c->nodes[id];
    if (!n->live)
        return;
    if (c->fast)
        seg_set(c, n->live_pos);
    set_update(c, id, false, ss_k8s_node_underutilized(c, n));
    set_update(c, id, true, n->ready && !n->cordoned && n->n_pods < n->slots);
}

/* A node joined the live list. */
static void index_add(ss_k8s_cluster *c, int id)
{
    ss_k8s_node *n = &c->nodes[id];
    if (c->fast) {
        n->cls = class_of(c, n->dom);
        if (n->cls < 0) { /* too many classes: walk every node from now on */
            c->fast = false;
            for (int k = 0; k < c->n_cls; k++) {
                free(c->seg[k]);
                c->seg[k] = NULL;
            }
            free(c->seg_leaf);
            c->seg_leaf = NULL;
            c->n_cls = 0;
            c->seg_cap = 0;
        } else if (c->n_live > c->seg_cap) {
            seg_build(c, c->seg_cap ? 2 * c->seg_cap : 64);
        }
    }
    refresh(c, id);
}

static int collect(const ss_k8s_cluster *c, const ss_k8s_nodeset *s, int *out)
{
    int k = 0;
    size_t words = ((size_t)c->n_live + 63) / 64;
    for (size_t w = 0; w < words && w < s->cap; w++)
        for (uint64_t b = s->bits[w]; b; b &= b - 1)
            out[k++] = c->live[w * 64 + (size_t)__builtin_ctzll(b)];
    return k;
}

int ss_k8s_underutilized(const ss_k8s_cluster *c, int *out) { return collect(c, &c->under, out); }

int ss_k8s_with_room(const ss_k8s_cluster *c, int *out) { return collect(c, &c->room, out); }

int ss_k8s_room_cands(const ss_k8s_cluster *c, int g, ss_k8s_cand *out)
{
    if (g < 0 || g >= SS_MAX_ASGS)
        return 0;
    int k = 0;
    size_t words = ((size_t)c->n_live + 63) / 64;
    const ss_k8s_nodeset *s = &c->room_group[g];
    for (size_t w = 0; w < words && w < s->cap && s->n > 0; w++)
        for (uint64_t b = s->bits[w]; b; b &= b - 1) {
            size_t p = w * 64 + (size_t)__builtin_ctzll(b);
            out[k++] = (ss_k8s_cand){c->live[p], g, c->fast ? c->seg_leaf[p] : -1};
        }
    return k;
}

/* ---- nodes ---------------------------------------------------------------- */

/* A new node's spread domain per constraint (its own for per-node keys, the
 * template's otherwise) and whether each constraint counts it (eligible
 * domains, upstream PodTopologySpread); counted eligible nodes per domain. */
static void node_domains(ss_k8s_cluster *c, ss_k8s_node *n, int id, int group, int zone, int type,
                         bool spot)
{
    bool all_keys = true;
    for (int i = 0; i < c->n_c; i++) {
        if (c->per_node[i]) {
            n->dom[i] = id;
            ensure_dom(c, i, id + 1);
        } else {
            n->dom[i] = ss_k8s_template_domain(c, group, zone, type, spot, i);
        }
        if (n->dom[i] < 0)
            all_keys = false;
    }
    for (int i = 0; i < c->n_c; i++) {
        n->elig[i] = ss_spread_node_eligible(&c->cs[i], all_keys, n->selector_ok, !n->untolerated);
        if (n->elig[i])
            c->k[i].nodes[n->dom[i]]++;
    }
}

/* A new node record (real or what-if): grown storage, the group's shape,
 * slots, taints and selectors, its spread domains and eligibility.
 * Returns its id. */
static int node_new(ss_k8s_cluster *c, int group, int zone, int type, bool spot, double cpu, double mem, int inst)
{
    if (c->n_nodes == c->cap_nodes) {
        c->cap_nodes = c->cap_nodes ? 2 * c->cap_nodes : 64;
        c->nodes = ss_realloc(c->nodes, (size_t)c->cap_nodes * sizeof *c->nodes);
        c->live = ss_realloc(c->live, (size_t)c->cap_nodes * sizeof *c->live);
        c->live_group = ss_realloc(c->live_group, (size_t)c->cap_nodes * sizeof *c->live_group);
    }
    int id = c->n_nodes++;
    ss_k8s_node *n = &c->nodes[id];
    memset(n, 0, sizeof *n);
    n->group = group;
    n->zone = zone;
    n->type = type;
    n->spot = spot;
    n->inst = inst;
    n->alloc_cpu = cpu;
    n->alloc_mem = mem;
    n->ready = true;
    n->cls = -1;
    n->slots = ss_k8s_pods_per_node(c, cpu, mem);
    n->untolerated = ss_k8s_group_untolerated(c->sc, group);
    n->selector_ok = ss_k8s_group_selector_ok(c->sc, group, zone, type, spot);
    n->unneeded_since = n->notready_since = n->created = SS_TIME_NEVER;
    node_domains(c, n, id, group, zone, type, spot);
    return id;
}

int ss_k8s_node_add(ss_k8s_cluster *c, ss_time now, int group, int zone, int type, bool spot,
                    double cpu, double mem, int inst)
{
    ss_k8s_account(c, now);
    int id = node_new(c, group, zone, type, spot, cpu, mem, inst);
    ss_k8s_node *n = &c->nodes[id];
    n->live = true;
    n->created = now;
    n->live_pos = c->n_live;
    c->live_group[c->n_live] = group;
    c->live[c->n_live++] = id;
    index_add(c, id);
    return id;
}

void ss_k8s_node_set_ready(ss_k8s_cluster *c, ss_time now, int node, bool ready)
{
    ss_k8s_node *n = &c->nodes[node];
    if (!n->live || n->ready == ready)
        return;
    ss_k8s_account(c, now);
    n->ready = ready;
    refresh(c, node);
    c->n_notready += ready ? -1 : 1;
    c->healthy += ready ? n->ready_pods : -n->ready_pods;
    n->notready_since = ready ? SS_TIME_NEVER : now;
    changed(c, now);
}

void ss_k8s_node_cordon(ss_k8s_cluster *c, int node)
{
    c->nodes[node].cordoned = true;
    refresh(c, node);
    c->version++;
}

void ss_k8s_node_uncordon(ss_k8s_cluster *c, int node)
{
    c->nodes[node].cordoned = false;
    refresh(c, node);
    c->version++;
}

int ss_k8s_node_remove(ss_k8s_cluster *c, ss_time now, int node)
{
    ss_k8s_node *n = &c->nodes[node];
    if (!n->live)
        return 0;
    ss_k8s_account(c, now);
    int replaced = 0;
    while (n->n_pods > 0) {
        int p = n->pods[n->n_pods - 1];
        if (c->pods[p].state != SS_POD_TERMINATING) {
            ss_k8s_pod_terminate(c, now, p, true);
            replaced++;
        }
        ss_k8s_pod_delete(c, now, p);
    }
    for (int i = 0; i < c->n_c; i++)
        if (n->elig[i])
            c->k[i].nodes[n->dom[i]]--;
    n->live = false;
    if (!n->ready)
        c->n_notready--;
    set_update(c, node, false, false);
    set_update(c, node, true, false);
    int last = c->live[--c->n_live];
    c->live[n->live_pos] = last;
    c->live_group[n->live_pos] = c->live_group[c->n_live];
    c->nodes[last].live_pos = n->live_pos;
    if (last != node)
        set_move(c, last, c->n_live, n->live_pos);
    if (c->fast) {
        seg_set(c, n->live_pos); /* now the last node (or past the end) */
        if (n->live_pos != c->n_live)
            seg_set(c, c->n_live);
    }
    free(n->pods);
    n->pods = NULL;
    n->cap_pods = 0;
    return replaced;
}

/* ---- pods ----------------------------------------------------------------- */

int ss_k8s_pod_new(ss_k8s_cluster *c, ss_time now)
{
    ss_k8s_account(c, now);
    if (c->n_pods == c->cap_pods) {
        c->cap_pods = c->cap_pods ? 2 * c->cap_pods : 256;
        c->pods = ss_realloc(c->pods, (size_t)c->cap_pods * sizeof *c->pods);
    }
    int id = c->n_pods++;
    ss_k8s_pod *p = &c->pods[id];
    memset(p, 0, sizeof *p);
    p->state = SS_POD_PENDING;
    p->node = -1;
    p->created = now;
    /* pending FIFO: compact when the consumed head dominates */
    if (c->pending_head > 1024 && c->pending_head * 2 > c->n_pending_q) {
        memmove(c->pending, c->pending + c->pending_head,
                (size_t)(c->n_pending_q - c->pending_head) * sizeof(int));
        c->n_pending_q -= c->pending_head;
        c->pending_head = 0;
    }
    if (c->n_pending_q == c->cap_pending) {
        c->cap_pending = c->cap_pending ? 2 * c->cap_pending : 256;
        c->pending = ss_realloc(c->pending, (size_t)c->cap_pending * sizeof(int));
    }
    c->pending[c->n_pending_q++] = id;
    c->n_pending++;
    c->n_live_pods++;
    changed(c, now);
    return id;
}

static bool fits(const ss_k8s_cluster *c, const ss_k8s_node *n)
{
    return n->n_pods + n->hyp_pods < MAX_PODS_PER_NODE &&
           n->used_cpu + c->dep->cpu_request <= n->alloc_cpu + EPS &&
           n->used_mem + c->dep->memory_request_mib <= n->alloc_mem + EPS;
}

static void scratch(ss_k8s_cluster *c, size_t n)
{
    if (n <= c->cap_cand)
        return;
    size_t cap = c->cap_cand ? c->cap_cand : 64;
    while (cap < n)
        cap *= 2;
    c->cand = ss_realloc(c->cand, cap * sizeof(int));
    c->score = ss_realloc(c->score, cap * sizeof(int64_t));
    c->tmp = ss_realloc(c->tmp, cap * sizeof(int64_t));
    c->cand_dom = ss_realloc(c->cand_dom, cap * SS_MAX_SPREAD * sizeof(int));
    c->cap_cand = cap;
}

/* NodeResourcesFit LeastAllocated: mean over cpu and memory of
 * (allocatable - requested) * 100 / allocatable, requests incl. the pod. */
static int64_t least_allocated(const ss_k8s_cluster *c, const ss_k8s_node *n)
{
    double s = 0.0;
    if (n->alloc_cpu > 0)
        s += floor((n->alloc_cpu - n->used_cpu - c->dep->cpu_request) * 100.0 / n->alloc_cpu);
    if (n->alloc_mem > 0)
        s += floor((n->alloc_mem - n->used_mem - c->dep->memory_request_mib) * 100.0 / n->alloc_mem);
    return (int64_t)floor(s / 2.0);
}

/* The scheduler through the index: the same filter, score and tie-break as
 * pick_scan. Classes stand for their nodes: a class passes the spread
 * filter (and gets its PodTopologySpread score) when its nodes do, and the
 * score inputs (distinct domains among the candidates, the minimum and
 * maximum raw score) are the same over classes as over their nodes. */
static int pick_fast(ss_k8s_cluster *c, bool random_ties)
{
    scratch(c, (size_t)c->n_cls + 1);
    int gmin[SS_MAX_SPREAD];
    bool soft = false;
    for (int i = 0; i < c->n_c; i++) {
        gmin[i] = ss_spread_global_min(&c->cs[i], &c->k[i]);
        if (c->cs[i].schedule_anyway && c->active[i])
            soft = true;
    }
    int nc = 0;
    for (int k = 0; k < c->n_cls; k++) {
        if (c->seg[k][1].cnt == 0)
            continue;
        if (!ss_spread_filter(c->cs, c->active, c->n_c, c->k, c->cls_dom[k], true, gmin))
            continue;
        c->cand[nc] = k;
        for (int i = 0; i < c->n_c; i++)
            c->cand_dom[nc * c->n_c + i] = c->cls_dom[k][i];
        nc++;
    }
    if (nc == 0)
        return -1;
    if (soft)
        ss_spread_score(c->cs, c->active, c->n_c, c->k, c->per_node, c->cand_dom, nc, c->score,
                        c->tmp);
    int best = -1, n_best = 0;
    int64_t best_s = INT64_MIN;
    for (int j = 0; j < nc; j++) {
        const ss_k8s_seg *r = &c->seg[c->cand[j]][1];
        int64_t s = (soft ? 2 * c->score[j] : 0) + r->la;
        c->tmp[j] = s;
        if (s > best_s) {
            best_s = s;
            n_best = r->cnt;
            best = r->min_id;
        } else if (s == best_s) {
            n_best += r->cnt;
            if (r->min_id < best)
                best = r->min_id;
        }
    }
    if (!random_ties || n_best < 2)
        return best;
    /* selectHost as in pick_scan: the k-th tied node in live-list order,
     * found by descending the tree (tied nodes of class t are those with
     * its best least-allocated score) */
    double u = ss_rng_keyed_uniform(c->tie_seed, (uint64_t)c->tie_replica, c->n_ties++, KEY_TIE);
    int kth = (int)(u * n_best);
    if (kth >= n_best)
        kth = n_best - 1;
    int tk[SS_K8S_MAX_CLASSES], nt = 0;
    int32_t tla[SS_K8S_MAX_CLASSES];
    for (int j = 0; j < nc; j++)
        if (c->tmp[j] == best_s) {
            tk[nt] = c->cand[j];
            tla[nt++] = c->seg[c->cand[j]][1].la;
        }
    int i = 1;
    while (i < c->seg_cap) {
        int l = 2 * i, cnt = 0;
        for (int t = 0; t < nt; t++)
            if (c->seg[tk[t]][l].la == tla[t])
                cnt += c->seg[tk[t]][l].cnt;
        if (kth < cnt) {
            i = l;
        } else {
            kth -= cnt;
            i = l + 1;
        }
    }
    return c->live[i - c->seg_cap];
}

/* The reference scheduler: filter and score every live node. */
static int pick_scan(ss_k8s_cluster *c, bool random_ties)
{
    scratch(c, (size_t)c->n_live + 1);
    int gmin[SS_MAX_SPREAD];
    bool soft = false;
    for (int i = 0; i < c->n_c; i++) {
        gmin[i] = ss_spread_global_min(&c->cs[i], &c->k[i]);
        if (c->cs[i].schedule_anyway && c->active[i])
            soft = true;
    }
    int nc = 0;
    for (int j = 0; j < c->n_live; j++) {
        int id = c->live[j];
        const ss_k8s_node *n = &c->nodes[id];
        if (!n->ready || n->cordoned || n->untolerated || !n->selector_ok || !fits(c, n))
            continue;
        if (!ss_spread_filter(c->cs, c->active, c->n_c, c->k, n->dom, true, gmin))
            continue;
        c->cand[nc] = id;
        for (int i = 0; i < c->n_c; i++)
            c->cand_dom[nc * c->n_c + i] = n->dom[i];
        nc++;
    }
    if (nc == 0)
        return -1;
    if (soft)
        ss_spread_score(c->cs, c->active, c->n_c, c->k, c->per_node, c->cand_dom, nc, c->score,
                        c->tmp);
    int best = -1, n_best = 0;
    int64_t best_s = INT64_MIN;
    for (int j = 0; j < nc; j++) {
        const ss_k8s_node *n = &c->nodes[c->cand[j]];
        /* default profile weights: PodTopologySpread 2, NodeResourcesFit 1 */
        int64_t s = (soft ? 2 * c->score[j] : 0) + least_allocated(c, n);
        c->tmp[j] = s;
        if (s > best_s || (s == best_s && c->cand[j] < best)) {
            if (s > best_s)
                n_best = 0;
            best_s = s;
            best = c->cand[j];
        }
        if (s == best_s)
            n_best++;
    }
    if (!random_ties || n_best < 2)
        return best;
    /* kube-scheduler pkg/scheduler/schedule_one.go selectHost: reservoir
     * sampling over the nodes with the highest score, i.e. each of them with
     * probability 1/n_best. One keyed draw per tie picks the k-th of them in
     * candidate order (the same distribution: a uniform pick does not depend
     * on the order). */
    double u = ss_rng_keyed_uniform(c->tie_seed, (uint64_t)c->tie_replica, c->n_ties++, KEY_TIE);
    int k = (int)(u * n_best);
    if (k >= n_best)
        k = n_best - 1;
    for (int j = 0; j < nc; j++)
        if (c->tmp[j] == best_s && k-- == 0)
            return c->cand[j];
    return best;
}

static int pick_node(ss_k8s_cluster *c, bool random_ties)
{
    return c->fast ? pick_fast(c, random_ties) : pick_scan(c, random_ties);
}

int ss_k8s_pick_node(ss_k8s_cluster *c) { return pick_node(c, c->random_ties); }

int ss_k8s_pick_node_scan(ss_k8s_cluster *c) { return pick_scan(c, c->random_ties); }

void ss_k8s_bind(ss_k8s_cluster *c, ss_time now, int pod, int node)
{
    ss_k8s_pod *p = &c->pods[pod];
    ss_k8s_node *n = &c->nodes[node];
    if (p->state != SS_POD_PENDING || !n->live)
        return;
    ss_k8s_account(c, now);
    p->state = SS_POD_STARTING;
    p->node = node;
    if (n->n_pods == n->cap_pods) {
        n->cap_pods = n->cap_pods ? 2 * n->cap_pods : 8;
        n->pods = ss_realloc(n->pods, (size_t)n->cap_pods * sizeof(int));
    }
    p->slot = n->n_pods;
    n->pods[n->n_pods++] = pod;
    n->used_cpu += c->dep->cpu_request;
    n->used_mem += c->dep->memory_request_mib;
    n->unneeded_since = SS_TIME_NEVER;
    refresh(c, node);
    c->n_pending--;
    c->binds++;
    bool violated = false;
    for (int i = 0; i < c->n_c; i++) {
        if (!n->elig[i])
            continue;
        c->k[i].pods[n->dom[i]]++;
        if (c->k[i].pods[n->dom[i]] - ss_spread_global_min(&c->cs[i], &c->k[i]) > c->cs[i].max_skew)
            violated = true;
    }
    if (violated)
        c->skew_violations++;
    /* drop consumed entries at the head of the pending FIFO */
    while (c->pending_head < c->n_pending_q &&
           c->pods[c->pending[c->pending_head]].state != SS_POD_PENDING)
        c->pending_head++;
    changed(c, now);
}

void ss_k8s_pod_ready(ss_k8s_cluster *c, ss_time now, int pod)
{
    ss_k8s_pod *p = &c->pods[pod];
    if (p->state != SS_POD_STARTING)
        return;
    ss_k8s_account(c, now);
    p->state = SS_POD_READY;
    ss_k8s_node *n = &c->nodes[p->node];
    n->ready_pods++;
    c->n_ready++;
    if (n->ready)
        c->healthy++;
    changed(c, now);
}

int ss_k8s_pod_terminate(ss_k8s_cluster *c, ss_time now, int pod, bool replace)
{
    ss_k8s_pod *p = &c->pods[pod];
    if (p->state != SS_POD_STARTING && p->state != SS_POD_READY)
        return -1;
    ss_k8s_account(c, now);
    ss_k8s_node *n = &c->nodes[p->node];
    for (int i = 0; i < c->n_c; i++)
        if (n->elig[i])
            c->k[i].pods[n->dom[i]]--;
    if (p->state == SS_POD_READY) {
        n->ready_pods--;
        c->n_ready--;
        if (n->ready)
            c->healthy--;
    }
    p->state = SS_POD_TERMINATING;
    c->n_live_pods--;
    changed(c, now);
    return replace ? ss_k8s_pod_new(c, now) : -1;
}

void ss_k8s_pod_delete(ss_k8s_cluster *c, ss_time now, int pod)
{
    ss_k8s_pod *p = &c->pods[pod];
    if (p->state == SS_POD_GONE || p->state == SS_POD_PENDING)
        return;
    if (p->state != SS_POD_TERMINATING)
        ss_k8s_pod_terminate(c, now, pod, false);
    ss_k8s_account(c, now);
    ss_k8s_node *n = &c->nodes[p->node];
    int last = n->pods[--n->n_pods];
    n->pods[p->slot] = last;
    c->pods[last].slot = p->slot;
    n->used_cpu -= c->dep->cpu_request;
    n->used_mem -= c->dep->memory_request_mib;
    if (n->n_pods == 0)
        n->used_cpu = n->used_mem = 0.0; /* no drift from repeated +/- */
    refresh(c, p->node);
    p->state = SS_POD_GONE;
    p->node = -1;
}

/* Add (sign +1) or take out (-1) k pods of the deployment on node n in the
 * what-if state: requests, the hypothetical pod count, and the spread
 * counts of the domains the node is counted in. */
static void hyp_pods(ss_k8s_cluster *c, ss_k8s_node *n, int k, int sign)
{
    n->used_cpu += sign * k * c->dep->cpu_request; /* restored exactly by the caller */
    n->used_mem += sign * k * c->dep->memory_request_mib;
    n->hyp_pods += sign * k;
    for (int i = 0; i < c->n_c; i++)
        if (n->elig[i])
            c->k[i].pods[n->dom[i]] += sign * k;
    refresh(c, (int)(n - c->nodes));
}

bool ss_k8s_node_movable(ss_k8s_cluster *c, int node)
{
    ss_k8s_node *n = &c->nodes[node];
    if (n->mv_version == c->version && c->version != 0)
        return n->mv_ok;
    int k = 0; /* pods counted in the spread: starting or ready */
    for (int j = 0; j < n->n_pods; j++) {
        ss_k8s_pod_state st = c->pods[n->pods[j]].state;
        if (st == SS_POD_STARTING || st == SS_POD_READY)
            k++;
    }
    bool ok = true;
    if (k > 0) {
        /* the node leaves the snapshot: not a candidate, not in its domains */
        bool cordoned = n->cordoned;
        n->cordoned = true;
        refresh(c, node);
        for (int i = 0; i < c->n_c; i++)
            if (n->elig[i]) {
                c->k[i].pods[n->dom[i]] -= k;
                c->k[i].nodes[n->dom[i]]--;
            }
        int placed[MAX_PODS_PER_NODE];
        double cpu0[MAX_PODS_PER_NODE], mem0[MAX_PODS_PER_NODE];
        int np = 0;
        for (; np < k && np < MAX_PODS_PER_NODE; np++) {
            int t = pick_node(c, false); /* feasibility only: no draw */
            if (t < 0) {
                ok = false;
                break;
            }
            placed[np] = t;
            cpu0[np] = c->nodes[t].used_cpu;
            mem0[np] = c->nodes[t].used_mem;
            hyp_pods(c, &c->nodes[t], 1, +1);
        }
        /* undo in reverse so that each node gets back its exact requests */
        for (int j = np - 1; j >= 0; j--) {
            ss_k8s_node *t = &c->nodes[placed[j]];
            hyp_pods(c, t, 1, -1);
            t->used_cpu = cpu0[j];
            t->used_mem = mem0[j];
            refresh(c, placed[j]);
        }
        for (int i = 0; i < c->n_c; i++)
            if (n->elig[i]) {
                c->k[i].pods[n->dom[i]] += k;
                c->k[i].nodes[n->dom[i]]++;
            }
        n->cordoned = cordoned;
        refresh(c, node);
    }
    n->mv_version = c->version;
    n->mv_ok = ok;
    return ok;
}

/* ---- Cluster Autoscaler what-if ------------------------------------------------
 * CA's scale-up works on a forked cluster snapshot (cluster-autoscaler
 * simulator/clustersnapshot: Fork / AddNodeInfo / AddPod / Revert): upcoming
 * nodes are injected as template copies (core/static_autoscaler.go
 * addUpcomingNodesToClusterSnapshot), pending pods are placed on them and on
 * existing free room, and each expansion option adds template nodes of its
 * group (estimator/binpacking_estimator.go). Here the virtual nodes are
 * extra entries of c->nodes (never in c->live) and the placements change
 * only requests and domain counts; the steps are undone in reverse. */

void ss_k8s_whatif_begin(ss_k8s_cluster *c, ss_k8s_whatif *w, bool spread)
{
    memset(w, 0, sizeof *w);
    w->n_nodes0 = c->n_nodes;
    w->spread = spread;
}

int ss_k8s_whatif_node(ss_k8s_cluster *c, ss_k8s_whatif *w, int group, int zone, int type, bool spot,
                       double cpu, double mem)
{
    (void)w;
    int id = node_new(c, group, zone, type, spot, cpu, mem, -1);
    c->nodes[id].virt = true;
    return id;
}

void ss_k8s_whatif_gmin(const ss_k8s_cluster *c, int *gmin)
{
    for (int i = 0; i < c->n_c; i++)
        gmin[i] = ss_spread_global_min(&c->cs[i], &c->k[i]);
}

bool ss_k8s_whatif_fits(const ss_k8s_cluster *c, const ss_k8s_whatif *w, int node, const int *gmin)
{
    const ss_k8s_node *n = &c->nodes[node];
    if (!(n->live || n->virt) || !n->ready || n->cordoned || n->untolerated || !n->selector_ok ||
        !fits(c, n))
        return false;
    if (!w->spread)
        return true;
    return ss_spread_filter(c->cs, c->active, c->n_c, c->k, n->dom, true, gmin);
}

void ss_k8s_whatif_place(ss_k8s_cluster *c, ss_k8s_whatif *w, int node)
{
    SS_GROW(w->steps, w->cap_steps, (size_t)w->n_steps + 1);
    ss_k8s_node *n = &c->nodes[node];
    w->steps[w->n_steps++] = (ss_k8s_whatif_step){node, n->used_cpu, n->used_mem};
    hyp_pods(c, n, 1, +1);
}

ss_k8s_whatif_mark ss_k8s_whatif_save(const ss_k8s_cluster *c, const ss_k8s_whatif *w)
{
    return (ss_k8s_whatif_mark){c->n_nodes, w->n_steps};
}

void ss_k8s_whatif_revert(ss_k8s_cluster *c, ss_k8s_whatif *w, ss_k8s_whatif_mark m)
{
    while (w->n_steps > m.n_steps) {
        ss_k8s_whatif_step *st = &w->steps[--w->n_steps];
        ss_k8s_node *n = &c->nodes[st->node];
        hyp_pods(c, n, 1, -1);
        n->used_cpu = st->cpu0;
        n->used_mem = st->mem0;
        refresh(c, st->node);
    }
    while (c->n_nodes > m.n_nodes && c->n_nodes > w->n_nodes0) {
        ss_k8s_node *n = &c->nodes[--c->n_nodes];
        for (int i = 0; i < c->n_c; i++)
            if (n->elig[i])
                c->k[i].nodes[n->dom[i]]--;
    }
}

void ss_k8s_whatif_end(ss_k8s_cluster *c, ss_k8s_whatif *w)
{
    ss_k8s_whatif_revert(c, w, (ss_k8s_whatif_mark){w->n_nodes0, 0});
    free(w->steps);
    memset(w, 0, sizeof *w);
}

bool ss_k8s_set_active(ss_k8s_cluster *c, int i, bool on)
{
    if (i < 0 || i >= c->n_c || c->active[i] == on)
        return false;
    c->active[i] = on;
    c->version++;
    return true;
}

int ss_k8s_skew(const ss_k8s_cluster *c, int i)
{
    const ss_spread_counts *k = &c->k[i];
    int gmin = ss_spread_global_min(&c->cs[i], k), mx = 0;
    for (int d = 0; d < k->n_domains; d++)
        if (k->nodes[d] > 0 && k->pods[d] - gmin > mx)
            mx = k->pods[d] - gmin;
    return mx;
}

/* ---- consistency ------------------------------------------------------------ */

int ss_k8s_check(const ss_k8s_cluster *c, ss_err *err)
{
    int *pods = ss_calloc((size_t)c->n_nodes + 1, sizeof(int));
    int rc = 0;
    int pending = 0, live_pods = 0, healthy = 0;
    for (int p = 0; p < c->n_pods && rc == 0; p++) {
        const ss_k8s_pod *q = &c->pods[p];
        if (q->state == SS_POD_PENDING) {
            pending++;
            live_pods++;
            if (q->node != -1)
                rc = ss_err_set(err, "pod %d: pending but bound to node %d", p, q->node);
            continue;
        }
        if (q->state == SS_POD_GONE)
            continue;
        if (q->state != SS_POD_TERMINATING)
            live_pods++;
        if (q->node < 0 || q->node >= c->n_nodes || !c->nodes[q->node].live) {
            rc = ss_err_set(err, "pod %d: bound to a missing node %d", p, q->node);
            break;
        }
        const ss_k8s_node *n = &c->nodes[q->node];
        if (q->slot >= n->n_pods || n->pods[q->slot] != p)
            rc = ss_err_set(err, "pod %d: not in node %d's list at slot %d", p, q->node, q->slot);
        pods[q->node]++;
        if (q->state == SS_POD_READY && n->ready)
            healthy++;
    }
    if (rc == 0 && pending != c->n_pending)
        rc = ss_err_set(err, "pending count %d, recount %d", c->n_pending, pending);
    if (rc == 0 && live_pods != c->n_live_pods)
        rc = ss_err_set(err, "live pod count %d, recount %d", c->n_live_pods, live_pods);
    if (rc == 0 && healthy != c->healthy)
        rc = ss_err_set(err, "healthy count %d, recount %d", c->healthy, healthy);
    for (int id = 0; id < c->n_nodes && rc == 0; id++) {
        const ss_k8s_node *n = &c->nodes[id];
        if (!n->live)
            continue;
        if (pods[id] != n->n_pods)
            rc = ss_err_set(err, "node %d: %d pods listed, %d bound", id, n->n_pods, pods[id]);
        else if (n->used_cpu > n->alloc_cpu + 1e-6 || n->used_mem > n->alloc_mem + 1e-6)
            rc = ss_err_set(err, "node %d: requests %.3f cpu / %.1f MiB exceed allocatable %.3f / %.1f",
                            id, n->used_cpu, n->used_mem, n->alloc_cpu, n->alloc_mem);
        else if (c->live[n->live_pos] != id || c->live_group[n->live_pos] != n->group)
            rc = ss_err_set(err, "node %d: live list position %d wrong", id, n->live_pos);
    }
    /* the under / room sets and the scheduler index */
    int n_under = 0, n_room = 0;
    for (int j = 0; j < c->n_live && rc == 0; j++) {
        int id = c->live[j];
        const ss_k8s_node *n = &c->nodes[id];
        bool under = ss_k8s_node_underutilized(c, n),
             room = n->ready && !n->cordoned && n->n_pods < n->slots;
        n_under += under;
        n_room += room;
        size_t w = (size_t)j / 64;
        uint64_t m = (uint64_t)1 << (j % 64);
        bool bu = w < c->under.cap && (c->under.bits[w] & m), br = w < c->room.cap && (c->room.bits[w] & m);
        if (under != n->in_under || under != bu)
            rc = ss_err_set(err, "node %d: underutilized %d but in the under set %d / bit %d", id, under,
                            n->in_under, bu);
        else if (room != n->in_room || room != br)
            rc = ss_err_set(err, "node %d: room %d but in the room set %d / bit %d", id, room, n->in_room, br);
    }
    int n_room_group = 0;
    for (int g = 0; g < SS_MAX_ASGS && rc == 0; g++) {
        n_room_group += c->room_group[g].n;
        for (size_t w = 0; w < c->room_group[g].cap && rc == 0; w++)
            for (uint64_t b = c->room_group[g].bits[w]; b && rc == 0; b &= b - 1) {
                size_t p = w * 64 + (size_t)__builtin_ctzll(b);
                if (p >= (size_t)c->n_live || c->nodes[c->live[p]].group != g || !c->nodes[c->live[p]].in_room)
                    rc = ss_err_set(err, "room set of group %d: position %zu wrong", g, p);
            }
    }
    if (rc == 0 && n_room_group != n_room)
        rc = ss_err_set(err, "room sets per group hold %d nodes, recount %d", n_room_group, n_room);
    if (rc == 0 && (n_under != c->under.n || n_room != c->room.n))
        rc = ss_err_set(err, "under / room sets hold %d / %d nodes, recount %d / %d", c->under.n,
                        c->room.n, n_under, n_room);
    if (rc == 0 && c->fast) {
        for (int p = 0; p < c->seg_cap && rc == 0; p++) {
            int want = p < c->n_live ? c->nodes[c->live[p]].cls : -1;
            if (c->seg_leaf[p] != want)
                rc = ss_err_set(err, "index leaf %d: class %d, node's class %d", p, c->seg_leaf[p], want);
        }
        for (int k = 0; k < c->n_cls && rc == 0; k++) {
            ss_k8s_seg r = SEG_NONE;
            for (int j = 0; j < c->n_live; j++)
                if (c->nodes[c->live[j]].cls == k)
                    r = seg_join(r, seg_leaf_of(c, c->live[j]));
            const ss_k8s_seg *t = &c->seg[k][1];
            if (r.la != t->la || r.cnt != t->cnt || r.min_id != t->min_id)
                rc = ss_err_set(err, "index class %d: best %d x %d (lowest id %d), recount %d x %d (%d)", k,
                                t->la, t->cnt, t->min_id, r.la, r.cnt, r.min_id);
        }
    }
    for (int i = 0; i < c->n_c && rc == 0; i++) {
        int nd = c->k[i].n_domains;
        int *cp = ss_calloc((size_t)nd + 1, sizeof(int)), *cn = ss_calloc((size_t)nd + 1, sizeof(int));
        for (int id = 0; id < c->n_nodes; id++) {
            const ss_k8s_node *n = &c->nodes[id];
            if (!n->live || !n->elig[i])
                continue;
            cn[n->dom[i]]++;
            for (int j = 0; j < n->n_pods; j++) {
                ss_k8s_pod_state s = c->pods[n->pods[j]].state;
                if (s == SS_POD_STARTING || s == SS_POD_READY)
                    cp[n->dom[i]]++;
            }
        }
        for (int d = 0; d < nd && rc == 0; d++)
            if (cp[d] != c->k[i].pods[d] || cn[d] != c->k[i].nodes[d])
                rc = ss_err_set(err, "constraint %d domain %d: counts %d pods / %d nodes, recount %d / %d",
                                i, d, c->k[i].pods[d], c->k[i].nodes[d], cp[d], cn[d]);
        free(cp);
        free(cn);
    }
    free(pods);
    return rc;
}
