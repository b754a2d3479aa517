/*
 * test_asg.c - Auto Scaling group: the §1.2 split table (all 20 cells of
 * aws-semantics.md), lowest-price with SpotInstancePools = 2 and fall-through
 * on a full pool, termination policy choice on scale-in, scale-in protection,
 * capacity-trace notices ahead of the drop (notice_lead, newest-first and
 * keyed orders, clamped to the horizon start), Capacity Rebalancing that
 * waits for a same-or-better pool and replaces at once on the ITN.
 */
#include "tests/testutil.h"

#include <stdlib.h>

#include "models/asg.h"
#include "sim/kernel/evq.h"
#include "sim/kernel/rng.h"
#include "tests/ecs_fixture.h"

static void test_split_table(void **state)
{
    (void)state;
    /* aws-semantics.md §1.2 table: rows (base, pct), columns D = 10..40. */
    static const int cfg[5][2] = {{10, 50}, {0, 0}, {0, 60}, {0, 100}, {12, 0}};
    static const int od[5][4] = {{10, 15, 20, 25}, {0, 0, 0, 0}, {6, 12, 18, 24}, {10, 20, 30, 40}, {10, 12, 12, 12}};
    static const int sp[5][4] = {{0, 5, 10, 15}, {10, 20, 30, 40}, {4, 8, 12, 16}, {0, 0, 0, 0}, {0, 8, 18, 28}};
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 4; c++) {
            int o, s;
            ss_asg_split(10 * (c + 1), cfg[r][0], cfg[r][1], &o, &s);
            assert_int_equal(o, od[r][c]);
            assert_int_equal(s, sp[r][c]);
        }
}

typedef struct world {
    ss_scenario sc;
    ss_data *d;
    ss_evq *q;
    ss_fleet f;
    ss_asg_group g;
} world;

static world *world_new(int nt, const double *spot, int desired, void (*tweak)(world *))
{
    world *w = ss_calloc(1, sizeof *w);
    double od[SS_MAX_TYPES];
    for (int i = 0; i < nt; i++)
        od[i] = 1.0;
    w->d = fx_data(nt, 1, spot, od, 2, 4096);
    fx_scenario(&w->sc, nt, 1, SS_DAY, desired, 0);
    if (tweak)
        tweak(w);
    w->q = ss_evq_new(64);
    ss_evq_reset(w->q, FX_T0);
    ss_err err;
    assert_int_equal(ss_fleet_init(&w->f, &w->sc, w->d, w->q, 1, 0, FX_T0, FX_T0 + SS_DAY, NULL, &err), 0);
    ss_asg_init(&w->g, &w->f, 0, NULL);
    return w;
}

static void world_free(world *w)
{
    ss_asg_free(&w->g);
    ss_fleet_free(&w->f);
    ss_evq_free(w->q);
    ss_data_free(w->d);
    free(w);
}

static int count_type(const world *w, int type)
{
    int n = 0;
    for (size_t i = 0; i < w->g.n_members; i++)
        n += ss_fleet_inst(&w->f, w->g.members[i])->type_idx == type;
    return n;
}

static void use_trace(world *w)
{
    w->sc.market.interruptions = SS_INTERRUPT_TRACE;
    ss_time t = FX_T0;
    int v = 1;
    fx_trace(w->d, 2, &t, &v, 1); /* the cheapest pool (type 2) holds one instance */
}

/* Spot prices t0 0.10, t1 0.20, t2 0.05; SpotInstancePools 2, desired 6 Spot.
 * Without limits: the two cheapest (t2, t0) get 3 each (even spread, ties to
 * the cheaper), t1 none.
 * With t2 limited to 1 instance: launch 1 -> t2; 2 -> t0 (fewer); 3: t2 tie
 * -> cheaper t2 fails, next-cheapest t1 joins the top 2 -> t1; 4: t2 fails,
 * t0/t1 tie -> t0; 5: t2 fails -> t1; 6: t2 fails -> t0. Result t2 1, t0 3,
 * t1 2, failed launches 4. */
static void test_lowest_price_pools(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.20, 0.05};
    world *w = world_new(3, spot, 6, NULL);
    assert_int_equal(count_type(w, 2), 3);
    assert_int_equal(count_type(w, 0), 3);
    assert_int_equal(count_type(w, 1), 0);
    world_free(w);

    w = world_new(3, spot, 6, use_trace);
    assert_int_equal(count_type(w, 2), 1);
    assert_int_equal(count_type(w, 0), 3);
    assert_int_equal(count_type(w, 1), 2);
    assert_int_equal(w->f.stats.failed_launches, 4);
    world_free(w);
}

/* Lowest-price scale-in keeps the spread over the SpotInstancePools
 * cheapest pools (ec2-auto-scaling-termination-policies.html, "Default
 * termination policy and mixed instances groups": align the remainder with
 * the allocation strategy). t0 0.10, t1 0.05 USD/h, pools 2, desired 6:
 * 3 + 3. Desired 2, one at a time: (3, 3) tie -> the dearer t0: (2, 3);
 * t1 has more: (2, 2); tie -> t0: (1, 2); t1: (1, 1). Emptying the dearer
 * pool first left (0, 2). */
static void test_lowest_price_scale_in(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.05};
    world *w = world_new(2, spot, 6, NULL);
    assert_int_equal(count_type(w, 0), 3);
    assert_int_equal(count_type(w, 1), 3);
    ss_asg_set_desired(&w->g, 5);
    assert_int_equal(count_type(w, 0), 2);
    assert_int_equal(count_type(w, 1), 3);
    ss_asg_set_desired(&w->g, 4);
    assert_int_equal(count_type(w, 1), 2);
    ss_asg_set_desired(&w->g, 2);
    assert_int_equal(count_type(w, 0), 1);
    assert_int_equal(count_type(w, 1), 1);
    world_free(w);

    /* An instance outside the cheapest pools goes first: t0 0.10, t1 0.20,
     * t2 0.05 with t2 limited to one instance: t2 1, t0 3, t1 2
     * (test_lowest_price_pools). Desired 5: t1 is not among the 2 cheapest
     * (t2, t0): t1 1; desired 4: t1 0; desired 3: t0 (3) over t2 (1): t0 2. */
    double spot3[] = {0.10, 0.20, 0.05};
    w = world_new(3, spot3, 6, use_trace);
    assert_int_equal(count_type(w, 1), 2);
    ss_asg_set_desired(&w->g, 4);
    assert_int_equal(count_type(w, 1), 0);
    assert_int_equal(count_type(w, 0), 3);
    ss_asg_set_desired(&w->g, 3);
    assert_int_equal(count_type(w, 0), 2);
    assert_int_equal(count_type(w, 2), 1);
    world_free(w);
}

static void od_only(world *w) { w->sc.asgs[0].od_percentage_above_base = 100; }

static ss_termination_policy g_term_pol;
static void od_only_pol(world *w)
{
    od_only(w);
    w->sc.asgs[0].termination_policies[0] = g_term_pol; /* fixed for the group's life */
}

/* Three On-Demand instances launched at T0, T0+10m, T0+20m; at T0+50m the
 * ages are 50, 40, 30 min, i.e. 10, 20, 30 min to the next instance hour. */
static world *three_aged(ss_termination_policy pol)
{
    double spot[] = {0.1};
    g_term_pol = pol;
    world *w = world_new(1, spot, 1, od_only_pol);
    ss_evq_run_until(w->q, FX_T0 + 10 * SS_MINUTE);
    ss_asg_set_desired(&w->g, 2);
    ss_evq_run_until(w->q, FX_T0 + 20 * SS_MINUTE);
    ss_asg_set_desired(&w->g, 3);
    ss_evq_run_until(w->q, FX_T0 + 50 * SS_MINUTE);
    return w;
}

static void test_termination_policies(void **state)
{
    (void)state;
    /* NewestInstance -> the T0+20m one (id 2); OldestInstance -> id 0;
     * Default -> closest to the next instance hour: id 0 (10 min left). */
    struct {
        ss_termination_policy p;
        int victim;
    } cases[] = {{SS_TERM_NEWEST_INSTANCE, 2}, {SS_TERM_OLDEST_INSTANCE, 0}, {SS_TERM_DEFAULT, 0},
                 {SS_TERM_CLOSEST_TO_NEXT_INSTANCE_HOUR, 0}};
    for (size_t k = 0; k < SS_ARRAY_LEN(cases); k++) {
        world *w = three_aged(cases[k].p);
        ss_asg_set_desired(&w->g, 2);
        assert_int_equal(w->g.n_members, 2);
        assert_int_equal(ss_fleet_inst(&w->f, cases[k].victim)->state, SS_INST_TERMINATED);
        world_free(w);
    }
    /* Protection: with id 0 protected, Default takes id 1 (20 min left). */
    world *w = three_aged(SS_TERM_DEFAULT);
    ss_asg_set_protected(&w->g, ss_fleet_inst(&w->f, 0), true);
    ss_asg_set_desired(&w->g, 2);
    assert_int_equal(ss_fleet_inst(&w->f, 1)->state, SS_INST_TERMINATED);
    /* All remaining protected: desired drops, nothing terminates (§1.10). */
    ss_asg_set_protected(&w->g, ss_fleet_inst(&w->f, 2), true);
    ss_asg_set_desired(&w->g, 1);
    assert_int_equal(w->g.desired, 1);
    assert_int_equal(w->g.n_members, 2);
    assert_true(w->g.scale_in_blocked > 0);
    world_free(w);
}

static void half_od(world *w) { w->sc.asgs[0].od_percentage_above_base = 50; }

/* Mixed group, base 0, 50 %: D=4 -> OD 2 / Spot 2. D=3 -> OD ceil(1.5) = 2,
 * Spot 1: the scale-in terminates a Spot instance. */
static void test_scale_in_purchase_option(void **state)
{
    (void)state;
    double spot[] = {0.1};
    world *w = world_new(1, spot, 4, half_od);
    int od, sp;
    ss_asg_counts(&w->g, &od, &sp, NULL, NULL);
    assert_int_equal(od, 2);
    assert_int_equal(sp, 2);
    ss_asg_set_desired(&w->g, 3);
    ss_asg_counts(&w->g, &od, &sp, NULL, NULL);
    assert_int_equal(od, 2);
    assert_int_equal(sp, 1);
    world_free(w);
}

/* AZ balancing: 3 zones, desired 7 Spot -> 3/2/2 (fewest first, ties to
 * the first zone). */
static void test_az_balance(void **state)
{
    (void)state;
    double spot[] = {0.1}, od[] = {1.0};
    world *w = ss_calloc(1, sizeof *w);
    w->d = fx_data(1, 3, spot, od, 2, 4096);
    fx_scenario(&w->sc, 1, 3, SS_DAY, 7, 0);
    w->q = ss_evq_new(64);
    ss_evq_reset(w->q, FX_T0);
    ss_err err;
    assert_int_equal(ss_fleet_init(&w->f, &w->sc, w->d, w->q, 1, 0, FX_T0, FX_T0 + SS_DAY, NULL, &err), 0);
    ss_asg_init(&w->g, &w->f, 0, NULL);
    int per[3] = {0, 0, 0};
    for (size_t i = 0; i < w->g.n_members; i++)
        per[ss_fleet_inst(&w->f, w->g.members[i])->zone_idx]++;
    assert_int_equal(per[0], 3);
    assert_int_equal(per[1], 2);
    assert_int_equal(per[2], 2);
    world_free(w);
}

/* ---- capacity traces: notice_lead ------------------------------------------------- */

static ss_time g_cap_t[3];
static int g_cap_v[3];
static size_t g_cap_n;
static ss_time g_lead;
static bool g_newest;

static void cap_trace(world *w)
{
    w->sc.market.interruptions = SS_INTERRUPT_TRACE;
    w->sc.market.notice_lead = g_lead;
    w->sc.market.trace_newest_first = g_newest;
    fx_trace(w->d, 0, g_cap_t, g_cap_v, g_cap_n);
}

/* One pool holding 2 instances until T = T0 + 1 h, then 1. Instance 0 is
 * launched at T0, instance 1 at T0 + 10 min (desired 1 -> 2). Lead 120 s,
 * newest first: instance 1 gets the notice at T - 120 s and terminates at
 * T (notice 120 s); from the notice the pool takes no new launch (capacity
 * 1, instance 0 alive), so the replacement the group tries at T fails. */
static void test_trace_notice_lead(void **state)
{
    (void)state;
    double spot[] = {0.1};
    ss_time T = FX_T0 + SS_HOUR;
    g_cap_t[0] = FX_T0;
    g_cap_t[1] = T;
    g_cap_v[0] = 2;
    g_cap_v[1] = 1;
    g_cap_n = 2;
    g_lead = 120 * SS_SECOND;
    g_newest = true;
    world *w = world_new(1, spot, 1, cap_trace);
    ss_evq_run_until(w->q, FX_T0 + 10 * SS_MINUTE);
    ss_asg_set_desired(&w->g, 2);
    ss_instance *a = ss_fleet_inst(&w->f, 0), *b = ss_fleet_inst(&w->f, 1);
    assert_int_equal(b->launch, FX_T0 + 10 * SS_MINUTE);
    ss_evq_run_until(w->q, T - 120 * SS_SECOND);
    assert_false(a->noticed || b->noticed);
    assert_int_equal(ss_fleet_can_launch(&w->f, 0, true, 0), SS_LAUNCH_NO_CAPACITY); /* 2 of 2 */
    ss_evq_run_until(w->q, T - 120 * SS_SECOND + 1);
    assert_true(b->noticed);
    assert_false(a->noticed);
    assert_int_equal(b->notice_at, T - 120 * SS_SECOND);
    /* one alive under the old capacity 2, but the pool is already held at 1 */
    assert_int_equal(ss_fleet_can_launch(&w->f, 0, true, 0), SS_LAUNCH_NO_CAPACITY);
    ss_evq_run_until(w->q, T + 1);
    assert_int_equal(b->state, SS_INST_TERMINATED);
    assert_int_equal(b->end, T);
    assert_int_equal(b->end_reason, SS_END_INTERRUPTED);
    assert_int_equal(w->f.stats.failed_launches, 1); /* the replacement at T */
    assert_int_equal(w->f.n, 2);
    assert_int_equal(w->f.stats.interruptions, 1);
    world_free(w);
}

/* Keyed order and the clamp: both instances launched at T0, capacity 2 -> 1
 * at T0 + 60 s. The notice goes to the instance with the smaller keyed
 * uniform u = ss_rng_keyed_uniform(seed 1, replica 0, key, "CAPO") (computed
 * here from the instances' keys). Lead 120 s: the notice would be at
 * T0 - 60 s, clamped to the horizon start T0; termination at the drop,
 * T0 + 60 s (the trace says the capacity is gone then: not T0 + 120 s).
 * Lead 0: notice and termination both at the drop, T0 + 60 s. */
static void test_trace_keyed_order_and_clamp(void **state)
{
    (void)state;
    double spot[] = {0.1};
    g_cap_t[0] = FX_T0;
    g_cap_t[1] = FX_T0 + 60 * SS_SECOND;
    g_cap_v[0] = 2;
    g_cap_v[1] = 1;
    g_cap_n = 2;
    g_newest = false;
    for (int k = 0; k < 2; k++) {
        g_lead = k == 0 ? 120 * SS_SECOND : 0;
        world *w = world_new(1, spot, 2, cap_trace);
        ss_instance *in[2] = {ss_fleet_inst(&w->f, 0), ss_fleet_inst(&w->f, 1)};
        double u0 = ss_rng_keyed_uniform(1, 0, in[0]->key, 0x4341504fULL);
        double u1 = ss_rng_keyed_uniform(1, 0, in[1]->key, 0x4341504fULL);
        int hit = u0 < u1 ? 0 : 1;
        ss_time notice = k == 0 ? FX_T0 : FX_T0 + 60 * SS_SECOND;
        ss_evq_run_until(w->q, FX_T0 + 10 * SS_MINUTE);
        assert_true(in[hit]->noticed);
        assert_false(in[1 - hit]->noticed);
        assert_int_equal(in[hit]->notice_at, notice);
        assert_int_equal(in[hit]->end, FX_T0 + 60 * SS_SECOND);
        world_free(w);
    }
}

/* ---- Capacity Rebalancing ---------------------------------------------------------- */

/* Two types in one zone, lowest-price with one pool: type 1 is cheaper
 * (0.05 vs 0.10 USD/h) but riskier (hazard 0.05 vs 0.01 per instance-hour).
 * Pool 1's capacity: 0 until T0 + 1 h, unlimited until T0 + 2 h + 150 s,
 * then 0. Capacity Rebalancing on, notice_lead 0, re-evaluation every 60 s,
 * market.rebalance_risk_window 0. */
static void cr_world(world *w)
{
    w->sc.market.interruptions = SS_INTERRUPT_TRACE;
    w->sc.market.notice_lead = 0;
    w->sc.asgs[0].capacity_rebalance = true;
    w->sc.asgs[0].spot_instance_pools = 1;
    w->sc.asgs[0].capacity_rebalance_poll = 60 * SS_SECOND;
    /* static pool risks only: the recommendation does not put its own pool
     * at elevated risk (that window: tests/test_aws_rules.c) */
    w->sc.market.rebalance_risk_window = 0;
    w->d->pools[0].hazard_per_hour = 0.01;
    w->d->pools[1].hazard_per_hour = 0.05;
    ss_time t[] = {FX_T0, FX_T0 + SS_HOUR, FX_T0 + 2 * SS_HOUR + 150 * SS_SECOND};
    int v[] = {0, -1, 0};
    fx_trace(w->d, 1, t, v, 3);
}

/* T0: the launch tries pool 1 (cheapest: full, 1 failed launch) and lands
 * in pool 0 (instance 0).
 * T0 + 30 min, RBR for instance 0: the replacement would go to pool 0
 * (pool 1 full), same risk -> launched at once (instance 1; pool 1 tried
 * first: failed launch 2); it is running at +60 s, registered at +90 s, and
 * instance 0 is then terminated (REBALANCED) at T0 + 31.5 min.
 * T0 + 2 h, RBR for instance 1: the replacement would go to pool 1 (open
 * again, cheapest) whose risk 0.05 > 0.01: no launch. Re-evaluations at
 * +60 s and +120 s: still pool 1. At +180 s pool 1 is full again (since
 * +150 s): pool 0, same risk -> instance 2 launched at T0 + 2 h + 180 s
 * (failed launch 3: the real launch tries pool 1 first; the probes count
 * none), registered 90 s later, when instance 1 terminates. */
static void test_capacity_rebalance_waits_for_same_or_better(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.05};
    world *w = world_new(2, spot, 1, cr_world);
    assert_int_equal(w->f.n, 1);
    ss_instance *i0 = ss_fleet_inst(&w->f, 0);
    assert_int_equal(i0->type_idx, 0);
    assert_int_equal(w->f.stats.failed_launches, 1);
    ss_time t1 = FX_T0 + 30 * SS_MINUTE;
    ss_evq_run_until(w->q, t1);
    ss_fleet_rebalance(&w->f, i0);
    assert_int_equal(w->f.n, 2);
    ss_instance *i1 = ss_fleet_inst(&w->f, 1);
    assert_int_equal(i1->launch, t1);
    assert_int_equal(i1->type_idx, 0);
    assert_int_equal(w->f.stats.failed_launches, 2);
    ss_evq_run_until(w->q, t1 + 91 * SS_SECOND);
    assert_int_equal(i0->state, SS_INST_TERMINATED);
    assert_int_equal(i0->end, t1 + 90 * SS_SECOND);
    assert_int_equal(i0->end_reason, SS_END_REBALANCED);

    ss_time t2 = FX_T0 + 2 * SS_HOUR;
    ss_evq_run_until(w->q, t2);
    ss_fleet_rebalance(&w->f, i1);
    assert_int_equal(w->f.n, 2);
    ss_evq_run_until(w->q, t2 + 180 * SS_SECOND - 1);
    assert_int_equal(w->f.n, 2);
    assert_int_equal(w->f.stats.failed_launches, 2);
    ss_evq_run_until(w->q, t2 + 180 * SS_SECOND + 1);
    assert_int_equal(w->f.n, 3);
    ss_instance *i2 = ss_fleet_inst(&w->f, 2);
    assert_int_equal(i2->launch, t2 + 180 * SS_SECOND);
    assert_int_equal(i2->type_idx, 0);
    assert_int_equal(w->f.stats.failed_launches, 3);
    ss_evq_run_until(w->q, t2 + 271 * SS_SECOND);
    assert_int_equal(i1->state, SS_INST_TERMINATED);
    assert_int_equal(i1->end, t2 + 270 * SS_SECOND);
    assert_int_equal(i1->end_reason, SS_END_REBALANCED);
    world_free(w);
}

/* Capacity Rebalancing with lowest-price launches the replacement by the
 * allocation strategy over the pools not at elevated risk
 * (ec2-auto-scaling-capacity-rebalancing.html). t0 0.10, t1 0.05 USD/h, one
 * pool (the cheapest), same hazard 0.01/h; instance 0 in t1. Its
 * recommendation at T puts t1 at elevated risk (market.rebalance_risk_window
 * 1 h): the replacement goes to t0, launched at T. With a window of 0 (static
 * risks) t1 qualifies (same risk) and gets it. */
static void cr_lowest_price(world *w)
{
    w->sc.asgs[0].capacity_rebalance = true;
    w->sc.asgs[0].spot_instance_pools = 1;
    w->d->pools[0].hazard_per_hour = 0.01;
    w->d->pools[1].hazard_per_hour = 0.01;
}

static void cr_lowest_price_static(world *w)
{
    cr_lowest_price(w);
    w->sc.market.rebalance_risk_window = 0;
}

static void test_capacity_rebalance_skips_elevated_pool(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.05};
    void (*tweak[2])(world *) = {cr_lowest_price, cr_lowest_price_static};
    for (int k = 0; k < 2; k++) {
        world *w = world_new(2, spot, 1, tweak[k]);
        ss_instance *i0 = ss_fleet_inst(&w->f, 0);
        assert_int_equal(i0->type_idx, 1);
        ss_time t = FX_T0 + 30 * SS_MINUTE;
        ss_evq_run_until(w->q, t);
        ss_fleet_rebalance(&w->f, i0);
        assert_int_equal(w->f.n, 2);
        ss_instance *i1 = ss_fleet_inst(&w->f, 1);
        assert_int_equal(i1->launch, t);
        assert_int_equal(i1->type_idx, k == 0 ? 0 : 1);
        assert_int_equal(w->f.stats.failed_launches, 0);
        world_free(w);
    }
}

/* The ITN replaces at once, whatever the risk (§1.6 item 7): as above up to
 * the RBR for instance 1 at T0 + 2 h (no launch, riskier pool); its notice
 * at T0 + 2 h + 100 s launches instance 2 at that instant into pool 1 (the
 * cheapest, riskier); the pending re-evaluation is dropped. When pool 1
 * closes at +150 s, instance 2 gets its own notice and terminates then
 * (capacity 0, notice_lead 0: the trace says the capacity is gone) and is
 * replaced at once into pool 0 (instance 3, +150 s); instance 1
 * terminates at +220 s (notice 120 s); nothing else launches (desired 1,
 * instance 3 counted): 4 instances in all. */
static void test_capacity_rebalance_itn_replaces_at_once(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.05};
    world *w = world_new(2, spot, 1, cr_world);
    ss_evq_run_until(w->q, FX_T0 + 30 * SS_MINUTE);
    ss_fleet_rebalance(&w->f, ss_fleet_inst(&w->f, 0));
    ss_time t2 = FX_T0 + 2 * SS_HOUR;
    ss_evq_run_until(w->q, t2);
    ss_instance *i1 = ss_fleet_inst(&w->f, 1);
    ss_fleet_rebalance(&w->f, i1);
    assert_int_equal(w->f.n, 2);
    ss_evq_run_until(w->q, t2 + 100 * SS_SECOND);
    ss_fleet_notice(&w->f, i1);
    assert_int_equal(w->f.n, 3);
    ss_instance *i2 = ss_fleet_inst(&w->f, 2);
    assert_int_equal(i2->launch, t2 + 100 * SS_SECOND);
    assert_int_equal(i2->type_idx, 1);
    ss_evq_run_until(w->q, t2 + 600 * SS_SECOND);
    assert_int_equal(i1->state, SS_INST_TERMINATED);
    assert_int_equal(i1->end, t2 + 220 * SS_SECOND);
    assert_int_equal(i2->notice_at, t2 + 150 * SS_SECOND);
    assert_int_equal(w->f.n, 4);
    ss_instance *i3 = ss_fleet_inst(&w->f, 3);
    assert_int_equal(i3->launch, t2 + 150 * SS_SECOND);
    assert_int_equal(i3->type_idx, 0);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_table),          cmocka_unit_test(test_lowest_price_pools),
        cmocka_unit_test(test_lowest_price_scale_in),
        cmocka_unit_test(test_termination_policies), cmocka_unit_test(test_scale_in_purchase_option),
        cmocka_unit_test(test_az_balance),           cmocka_unit_test(test_trace_notice_lead),
        cmocka_unit_test(test_trace_keyed_order_and_clamp),
        cmocka_unit_test(test_capacity_rebalance_waits_for_same_or_better),
        cmocka_unit_test(test_capacity_rebalance_itn_replaces_at_once),
        cmocka_unit_test(test_capacity_rebalance_skips_elevated_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
