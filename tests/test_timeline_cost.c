/*
 * test_timeline_cost.c - the USD billed so far in the run timeline
 * (ss_timeline_row spot_cost_usd / od_cost_usd, from ss_fleet_billed):
 *   - one On-Demand instance at 0.10 USD/h, warm at the horizon start, over
 *     2 h sampled every 30 min: 0, 0.05, 0.10, 0.15, 0.20 USD;
 *   - billing starts at `running` (docs/simulation.md; EC2 bills no
 *     `pending`): the instance is lost in a zone outage at 30 min and its
 *     replacement takes 30 min to reach `running`, so the 60-minute row still
 *     reads 0.05 USD;
 *   - the last ("end") row equals the run's cost_usd to the last bit.
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/eval.h"
#include "policies/evaluate.h"
#include "tests/ecs_fixture.h"

/* The row at time t (the last one pushed there), or NULL. */
static const ss_timeline_row *row_at(const ss_timeline *tl, ss_time t)
{
    const ss_timeline_row *r = NULL;
    for (size_t i = 0; i < tl->n; i++)
        if (tl->rows[i].t == t)
            r = &tl->rows[i];
    return r;
}

static double cost_at(const ss_timeline *tl, ss_time t)
{
    const ss_timeline_row *r = row_at(tl, t);
    if (!r)
        fail_msg("no timeline row at +%lld min", (long long)((t - FX_T0) / SS_MINUTE));
    return r->spot_cost_usd + r->od_cost_usd;
}

/* One type in nz zones, Spot 0.03 and On-Demand 0.10 USD/h; an ASG of one
 * On-Demand instance (od% 100) over 2 h, sampled every 30 min. */
static ss_data *one_od_instance(ss_scenario *sc, int nz)
{
    const double spot = 0.03, od = 0.10;
    ss_data *d = fx_data(1, nz, &spot, &od, 2, 8192);
    fx_scenario(sc, 1, nz, 2 * SS_HOUR, 1, 100);
    d->span_end = FX_T0 + 2 * SS_HOUR;
    sc->sample_interval = 30 * SS_MINUTE;
    return d;
}

static void check_end_is_cost(const ss_timeline *tl, const ss_metrics *m)
{
    const ss_timeline_row *last = &tl->rows[tl->n - 1];
    assert_string_equal(last->event, "end");
    assert_true(last->t == FX_T0 + 2 * SS_HOUR);
    if (!(last->spot_cost_usd + last->od_cost_usd == m->cost_usd) || !(last->spot_cost_usd == m->spot_cost_usd) ||
        !(last->od_cost_usd == m->od_cost_usd))
        fail_msg("end row Spot %.17g + On-Demand %.17g, run Spot %.17g + On-Demand %.17g = %.17g", last->spot_cost_usd,
                 last->od_cost_usd, m->spot_cost_usd, m->od_cost_usd, m->cost_usd);
}

static void test_fixed_od_instance(void **state)
{
    (void)state;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_data *d = one_od_instance(sc, 1);
    ss_metrics m;
    ss_timeline tl = {0};
    ss_err err;
    assert_int_equal(ss_evaluate(sc, d, 1, 0, &m, &tl, &err), 0);
    /* warm at the start: running from FX_T0, 0.10 USD/h x k/2 h */
    static const double want[] = {0, 0.05, 0.10, 0.15, 0.20};
    for (int k = 0; k <= 4; k++) {
        ss_time t = FX_T0 + k * 30 * SS_MINUTE;
        assert_near(cost_at(&tl, t), want[k], 1e-12);
        assert_true(row_at(&tl, t)->spot_cost_usd == 0.0);
        assert_int_equal(row_at(&tl, t)->od_instances, 1);
    }
    /* 0.10 USD/h x 2 h */
    assert_near(m.cost_usd, 0.20, 1e-12);
    check_end_is_cost(&tl, &m);
    ss_timeline_free(&tl);
    ss_data_free(d);
    free(sc);
}

static void test_pending_is_free(void **state)
{
    (void)state;
    ss_scenario *sc = ss_malloc(sizeof *sc);
    ss_data *d = one_od_instance(sc, 2);
    /* zone-a (where the first instance is) goes down at 30 min, instances
     * lost; every launch takes 30 min to reach `running` */
    sc->instance_launch = (ss_dist){SS_DIST_FIXED, 1800.0, 0.0};
    ss_zone_outage *o = &sc->market.outages[0];
    memset(o, 0, sizeof *o);
    snprintf(o->zone, sizeof o->zone, "zone-a");
    o->start = FX_T0 + 30 * SS_MINUTE;
    o->end = FX_T0 + 4 * SS_HOUR;
    o->instances_lost = true;
    sc->market.n_outages = 1;
    ss_metrics m;
    ss_timeline tl = {0};
    ss_err err;
    assert_int_equal(ss_evaluate(sc, d, 1, 0, &m, &tl, &err), 0);
    /* 0-30 min: the warm instance, 0.10 x 0.5 h = 0.05 USD, then billed */
    assert_near(cost_at(&tl, FX_T0 + 30 * SS_MINUTE), 0.05, 1e-12);
    /* the replacement is pending from >= 30 min for 30 min: nothing more by
     * 60 min (billing from launch would read 0.10) */
    assert_near(cost_at(&tl, FX_T0 + 60 * SS_MINUTE), 0.05, 1e-12);
    /* running from 60 min + r (r >= 0, the ASG's reaction): 0.05 +
     * 0.10 x (30 min - r) by 90 min, and 0.05 + 0.10 x (60 min - r) at the end */
    double c90 = cost_at(&tl, FX_T0 + 90 * SS_MINUTE), c120 = cost_at(&tl, FX_T0 + 120 * SS_MINUTE);
    assert_true(c90 > 0.05 && c90 <= 0.10 + 1e-12);
    assert_near(c120 - c90, 0.05, 1e-12);
    check_end_is_cost(&tl, &m);
    ss_timeline_free(&tl);
    ss_data_free(d);
    free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_od_instance),
        cmocka_unit_test(test_pending_is_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
