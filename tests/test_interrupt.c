/*
 * test_interrupt.c - the interruption sources against hand-worked logs,
 * traces and price series, and statistical checks of the random draws
 * (tolerances of several standard errors, all draws seeded).
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/interrupt.h"
#include "models/scenario.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_psi.h>

#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.15g, expected %.15g (tolerance %g)", #a, a_, b_, (double)(eps));      \
    } while (0)

#define M SS_MINUTE
#define H SS_HOUR

static void advisor_bucket_hazards(void **state)
{
    (void)state;
    /* -ln(1 - p)/730 with p the band midpoint:
     *   <5%:   -ln(0.975)/730 = 0.0253178079842899/730 = 3.46819287e-5 per hour
     *   5-10%: -ln(0.925)/730 = 0.0779615414697118/730 = 1.06796632e-4
     *   >20%:  -ln(0.75)/730  = 0.2876820724517809/730 = 3.94085031e-4 */
    assert_near(ss_advisor_bucket_hazard(0), 3.46819287e-5, 1e-12);
    assert_near(ss_advisor_bucket_hazard(1), 1.06796632e-4, 1e-12);
    assert_near(ss_advisor_bucket_hazard(4), 3.94085031e-4, 1e-12);
    for (int b = 0; b < 4; b++) /* bands are ordered */
        assert_true(ss_advisor_bucket_hazard(b) < ss_advisor_bucket_hazard(b + 1));
    assert_near(ss_advisor_bucket_hazard(-1), 0.0, 0);
    assert_near(ss_advisor_bucket_hazard(5), 0.0, 0);
}

static void burst_grouping_by_hand(void **state)
{
    (void)state;
    /* 4 instances alive from t=0. Notices at 10:00 and 11:30 (within 3 min:
     * one burst, 2 of 4 alive => 0.5); their instances end 2 min after the
     * notice. A third notice at 21:30 (10 min later): alive just before = the
     * 2 remaining => 1/2. */
    ss_time notice[] = {10 * M, 11 * M + 30000, 21 * M + 30000};
    ss_time launch[] = {0, 0, 0, 0};
    ss_time end[] = {12 * M, 13 * M + 30000, 23 * M + 30000, SS_TIME_NEVER};
    ss_burst *b;
    size_t n = ss_interrupt_group_bursts(notice, 3, launch, end, 4, 3 * M, &b);
    assert_int_equal(n, 2);
    assert_int_equal(b[0].t, 10 * M);
    assert_int_equal(b[0].interrupted, 2);
    assert_int_equal(b[0].alive, 4);
    assert_near(b[0].frac, 0.5, 1e-15);
    assert_int_equal(b[1].t, 21 * M + 30000);
    assert_int_equal(b[1].interrupted, 1);
    assert_int_equal(b[1].alive, 2);
    assert_near(b[1].frac, 0.5, 1e-15);
    free(b);
    /* The window is measured from the burst's first notice, not chained:
     * notices at 0, 2, 4 min with a 3 min window => bursts {0, 2} and {4}. */
    ss_time n2[] = {0, 2 * M, 4 * M};
    ss_time l2[] = {-1, -1, -1, -1, -1, -1};
    ss_time e2[] = {SS_TIME_NEVER, SS_TIME_NEVER, SS_TIME_NEVER,
                    SS_TIME_NEVER, SS_TIME_NEVER, SS_TIME_NEVER};
    n = ss_interrupt_group_bursts(n2, 3, l2, e2, 6, 3 * M, &b);
    assert_int_equal(n, 2);
    assert_near(b[0].frac, 2.0 / 6.0, 1e-15);
    assert_near(b[1].frac, 1.0 / 6.0, 1e-15); /* nobody ended in the inventory */
    free(b);
    assert_int_equal(ss_interrupt_group_bursts(NULL, 0, NULL, NULL, 0, 3 * M, &b), 0);
    assert_null(b);
}

static void keyed_hits(void **state)
{
    (void)state;
    const double fracs[] = {0.5, 0.1, 0.9};
    for (size_t f = 0; f < 3; f++) {
        int hits = 0;
        for (uint64_t key = 0; key < 100000; key++) {
            bool h = ss_interrupt_burst_hits(42, 3, 7, 12, key, fracs[f]);
            assert_true(h == ss_interrupt_burst_hits(42, 3, 7, 12, key, fracs[f])); /* pure */
            hits += h;
        }
        /* within 1% of frac (relative); the standard error at 0.1 is 0.3%. */
        assert_near(hits / 100000.0, fracs[f], 0.01 * fracs[f]);
    }
    /* Monotone in frac for one key (same uniform): hit at 0.3 => hit at 0.6. */
    for (uint64_t key = 0; key < 1000; key++)
        if (ss_interrupt_burst_hits(1, 0, 0, 5, key, 0.3))
            assert_true(ss_interrupt_burst_hits(1, 0, 0, 5, key, 0.6));
    /* frac 1 hits all, frac 0 none; different bursts/pools/replicas differ. */
    int same_burst = 0, same_pool = 0, same_rep = 0;
    for (uint64_t key = 0; key < 10000; key++) {
        assert_true(ss_interrupt_burst_hits(9, 0, 0, 0, key, 1.0));
        assert_false(ss_interrupt_burst_hits(9, 0, 0, 0, key, 0.0));
        bool a = ss_interrupt_burst_hits(9, 0, 0, 0, key, 0.5);
        same_burst += a == ss_interrupt_burst_hits(9, 0, 0, 1, key, 0.5);
        same_pool += a == ss_interrupt_burst_hits(9, 0, 1, 0, key, 0.5);
        same_rep += a == ss_interrupt_burst_hits(9, 1, 0, 0, key, 0.5);
    }
    /* independent draws agree half the time (sd 0.5%) */
    assert_near(same_burst / 10000.0, 0.5, 0.03);
    assert_near(same_pool / 10000.0, 0.5, 0.03);
    assert_near(same_rep / 10000.0, 0.5, 0.03);
}

static void stochastic_lifetimes(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    sc.market.interruptions = SS_INTERRUPT_STOCHASTIC;
    ss_data *d = ss_data_new(1, 2);
    d->pools[0].hazard_per_hour = 0.01; /* mean lifetime 100 h */
    d->pools[0].hazard_origin = SS_HAZARD_ADVISOR;
    const ss_time launch = 1000 * H;
    double sum = 0.0;
    const int n = 100000;
    for (int k = 0; k < n; k++) {
        ss_time t = ss_interrupt_instance_notice(&sc, d, 0, 7, 0, (uint64_t)k, launch);
        assert_true(t >= launch && t != SS_TIME_NEVER);
        assert_int_equal(t, ss_interrupt_instance_notice(&sc, d, 0, 7, 0, (uint64_t)k, launch));
        sum += (double)(t - launch) / (double)H;
    }
    /* mean 1/h = 100 h; standard error 100/sqrt(1e5) = 0.32 h; allow 1.5 h */
    assert_near(sum / n, 100.0, 1.5);
    /* stochastic_scale 2 doubles the hazard: every lifetime is halved (same U). */
    ss_time t1 = ss_interrupt_instance_notice(&sc, d, 0, 7, 0, 5, launch);
    sc.market.stochastic_scale = 2.0;
    ss_time t2 = ss_interrupt_instance_notice(&sc, d, 0, 7, 0, 5, launch);
    assert_true(llabs((t2 - launch) * 2 - (t1 - launch)) <= 2);
    /* no hazard => never; replay with a log => never (bursts carry it all);
     * replay without a log => the stochastic fallback. */
    assert_true(ss_interrupt_instance_notice(&sc, d, 1, 7, 0, 5, launch) == SS_TIME_NEVER);
    sc.market.interruptions = SS_INTERRUPT_REPLAY;
    assert_true(ss_interrupt_instance_notice(&sc, d, 0, 7, 0, 5, launch) != SS_TIME_NEVER);
    assert_true(ss_interrupt_pool_uncovered(&sc, d, 0));
    d->pools[0].has_log = true;
    assert_true(ss_interrupt_instance_notice(&sc, d, 0, 7, 0, 5, launch) == SS_TIME_NEVER);
    assert_false(ss_interrupt_pool_uncovered(&sc, d, 0));
    sc.market.interruptions = SS_INTERRUPT_NONE;
    d->pools[0].has_log = false;
    assert_true(ss_interrupt_instance_notice(&sc, d, 0, 7, 0, 5, launch) == SS_TIME_NEVER);
    ss_data_free(d);
}

static void poisson_bursts(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_scenario_defaults(&sc); /* Beta(1, 3): mean fraction 1/4 */
    sc.market.interruptions = SS_INTERRUPT_STOCHASTIC;
    sc.market.burst_rate_per_day = 1.0;
    sc.start = 0;
    sc.end = 10000 * SS_DAY;
    ss_data *d = ss_data_new(2, 2);
    ss_pool_events ev;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 11, 0, NULL, &ev, NULL), 0);
    size_t per_pool[4] = {0};
    double frac_sum = 0.0;
    for (size_t i = 0; i < ev.n; i++) {
        assert_int_equal(ev.ev[i].kind, SS_POOLEV_BURST);
        assert_true(ev.ev[i].t >= sc.start && ev.ev[i].t < sc.end);
        if (i)
            assert_true(ev.ev[i - 1].t <= ev.ev[i].t);
        per_pool[ev.ev[i].pool]++;
        frac_sum += ev.ev[i].frac;
    }
    /* rate*T = 10000 per pool, sd 100: allow 4 sd */
    for (int p = 0; p < 4; p++)
        assert_near((double)per_pool[p], 10000.0, 400.0);
    /* Beta(1,3) mean 0.25, sd 0.19: over 40000 bursts the mean is within 0.005 */
    assert_near(frac_sum / (double)ev.n, 0.25, 0.005);

    /* Candidates using a subset of pools see exactly the same events there. */
    bool use[4] = {false, true, false, false};
    ss_pool_events sub;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 11, 0, use, &sub, NULL), 0);
    assert_int_equal(sub.n, per_pool[1]);
    size_t j = 0;
    for (size_t i = 0; i < ev.n; i++)
        if (ev.ev[i].pool == 1) {
            assert_int_equal(sub.ev[j].t, ev.ev[i].t);
            assert_true(sub.ev[j].frac == ev.ev[i].frac);
            assert_true(sub.ev[j].burst_id == ev.ev[i].burst_id);
            j++;
        }
    ss_pool_events_free(&sub);
    /* Same inputs, same events (byte for byte). */
    ss_pool_events again;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 11, 0, NULL, &again, NULL), 0);
    assert_int_equal(again.n, ev.n);
    for (size_t i = 0; i < ev.n; i++) {
        assert_int_equal(again.ev[i].t, ev.ev[i].t);
        assert_true(again.ev[i].frac == ev.ev[i].frac && again.ev[i].pool == ev.ev[i].pool);
    }
    ss_pool_events_free(&again);
    /* Another replica is another stream. */
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 11, 1, use, &sub, NULL), 0);
    assert_true(sub.n > 0 && sub.ev[0].t != ev.ev[0].t);
    ss_pool_events_free(&sub);
    ss_pool_events_free(&ev);
    ss_data_free(d);
}

static void trace_points_each_meaning(void **state)
{
    (void)state;
    /* samples every 5 min: 1 1 0 0 1 ; trace ends at 25 min */
    ss_time t[] = {0, 5 * M, 10 * M, 15 * M, 20 * M};
    int v[] = {1, 1, 0, 0, 1};
    ss_time *ct;
    int *cv;
    /* available-flag: 0 => capacity 0, else unlimited:
     * (0,-1) (10m,0) (20m,-1); ends unlimited already => no end point */
    size_t n = ss_capacity_trace_points(SS_TRACE_AVAILABLE_FLAG, t, v, 5, 25 * M, &ct, &cv);
    assert_int_equal(n, 3);
    assert_int_equal(ct[0], 0);
    assert_int_equal(cv[0], -1);
    assert_int_equal(ct[1], 10 * M);
    assert_int_equal(cv[1], 0);
    assert_int_equal(ct[2], 20 * M);
    assert_int_equal(cv[2], -1);
    free(ct);
    free(cv);
    /* preempted-flag: 1 => 0: (0,0) (10m,-1) (20m,0) then unlimited at the end 25m */
    n = ss_capacity_trace_points(SS_TRACE_PREEMPTED_FLAG, t, v, 5, 25 * M, &ct, &cv);
    assert_int_equal(n, 4);
    assert_int_equal(cv[0], 0);
    assert_int_equal(ct[1], 10 * M);
    assert_int_equal(cv[1], -1);
    assert_int_equal(ct[2], 20 * M);
    assert_int_equal(cv[2], 0);
    assert_int_equal(ct[3], 25 * M);
    assert_int_equal(cv[3], -1);
    /* capacity lookups on a pool holding these points */
    ss_pool p = {0};
    p.has_trace = true;
    p.cap_t = ct;
    p.cap_value = cv;
    p.n_cap = n;
    assert_int_equal(ss_pool_capacity_at(&p, -1), -1);
    assert_int_equal(ss_pool_capacity_at(&p, 0), 0);
    assert_int_equal(ss_pool_capacity_at(&p, 10 * M - 1), 0);
    assert_int_equal(ss_pool_capacity_at(&p, 10 * M), -1);
    assert_int_equal(ss_pool_capacity_at(&p, 24 * M), 0);
    assert_int_equal(ss_pool_capacity_at(&p, 25 * M), -1);
    free(ct);
    free(cv);
    /* available-count: the value itself: 4 4 2 0 3 => (0,4) (10m,2) (15m,0) (20m,3) (25m,-1) */
    int c[] = {4, 4, 2, 0, 3};
    n = ss_capacity_trace_points(SS_TRACE_AVAILABLE_COUNT, t, c, 5, 25 * M, &ct, &cv);
    assert_int_equal(n, 5);
    int expect_v[] = {4, 2, 0, 3, -1};
    ss_time expect_t[] = {0, 10 * M, 15 * M, 20 * M, 25 * M};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(ct[i], expect_t[i]);
        assert_int_equal(cv[i], expect_v[i]);
    }
    ss_trace_meaning m;
    assert_int_equal(ss_trace_meaning_parse("preempted-flag", &m), 0);
    assert_int_equal(m, SS_TRACE_PREEMPTED_FLAG);
    assert_int_equal(ss_trace_meaning_parse("count", &m), -1);

    /* Trace events inside a horizon [12m, 30m): value in force at 12m (2),
     * then 15m:0, 20m:3, 25m:-1. */
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    sc.market.interruptions = SS_INTERRUPT_TRACE;
    sc.start = 12 * M;
    sc.end = 30 * M;
    ss_data *d = ss_data_new(1, 1);
    d->pools[0].has_trace = true;
    d->pools[0].cap_t = ct;
    d->pools[0].cap_value = cv;
    d->pools[0].n_cap = n;
    ss_pool_events ev;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 1, 0, NULL, &ev, NULL), 0);
    assert_int_equal(ev.n, 4);
    ss_time et[] = {12 * M, 15 * M, 20 * M, 25 * M};
    int ecap[] = {2, 0, 3, -1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ev.ev[i].kind, SS_POOLEV_CAPACITY);
        assert_int_equal(ev.ev[i].t, et[i]);
        assert_int_equal(ev.ev[i].capacity, ecap[i]);
    }
    assert_false(ss_interrupt_pool_uncovered(&sc, d, 0));
    ss_pool_events_free(&ev);
    ss_data_free(d); /* frees ct, cv */
}

static void max_price_events(void **state)
{
    (void)state;
    /* price 0.05 from 0, 0.12 from 2h, 0.08 from 3h, 0.20 from 5h, 0.10 from 6h.
     * ASG max price 0 => the On-Demand price 0.10: above on [2h,3h) and [5h,6h)
     * (0.10 at 6h is at-or-below). */
    ss_time t[] = {0, 2 * H, 3 * H, 5 * H, 6 * H};
    double p[] = {0.05, 0.12, 0.08, 0.20, 0.10};
    ss_data *d = ss_data_new(1, 1);
    ss_price_series_set(&d->pools[0].spot, t, p, 5);
    d->pools[0].ondemand_usd_per_hour = 0.10;
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    sc.market.interruptions = SS_INTERRUPT_MAX_PRICE;
    sc.n_asgs = 1;
    ss_asg_defaults(&sc.asgs[0]);
    sc.start = H;
    sc.end = 10 * H;
    ss_pool_events ev;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 1, 0, NULL, &ev, NULL), 0);
    assert_int_equal(ev.n, 4);
    ss_time et[] = {2 * H, 3 * H, 5 * H, 6 * H};
    int ec[] = {0, -1, 0, -1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ev.ev[i].t, et[i]);
        assert_int_equal(ev.ev[i].capacity, ec[i]);
    }
    ss_pool_events_free(&ev);
    /* An explicit max price 0.15: only [5h, 6h). Horizon starting inside it
     * at 5.5h: capacity 0 at 5.5h, back at 6h. */
    sc.asgs[0].spot_max_price = 0.15;
    sc.start = 5 * H + 30 * M;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 1, 0, NULL, &ev, NULL), 0);
    assert_int_equal(ev.n, 2);
    assert_int_equal(ev.ev[0].t, 5 * H + 30 * M);
    assert_int_equal(ev.ev[0].capacity, 0);
    assert_int_equal(ev.ev[1].t, 6 * H);
    assert_int_equal(ev.ev[1].capacity, -1);
    ss_pool_events_free(&ev);
    ss_data_free(d);
}

static void replay_events(void **state)
{
    (void)state;
    /* Pool 0 observed with bursts at 1h (0.5) and 5h (1.0); pool 1 unobserved
     * with an advisor hazard and no burst rate => no pool events for it. */
    ss_data *d = ss_data_new(1, 2);
    ss_pool *p = &d->pools[0];
    p->has_log = true;
    p->n_bursts = 2;
    p->bursts = calloc(2, sizeof *p->bursts);
    p->bursts[0] = (ss_burst){H, 0.5, 2, 4};
    p->bursts[1] = (ss_burst){5 * H, 1.0, 2, 2};
    d->pools[1].hazard_per_hour = ss_advisor_bucket_hazard(2);
    d->pools[1].hazard_origin = SS_HAZARD_ADVISOR;
    d->span_start = 0;
    d->span_end = 4 * H; /* the horizon defaults to the data's span: 5h is outside */
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    sc.market.interruptions = SS_INTERRUPT_REPLAY;
    ss_pool_events ev;
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 1, 0, NULL, &ev, NULL), 0);
    assert_int_equal(ev.n, 1);
    assert_int_equal(ev.ev[0].t, H);
    assert_int_equal(ev.ev[0].pool, 0);
    assert_near(ev.ev[0].frac, 0.5, 0);
    assert_true(ev.ev[0].burst_id == 0);
    ss_pool_events_free(&ev);
    assert_false(ss_interrupt_pool_uncovered(&sc, d, 0));
    assert_true(ss_interrupt_pool_uncovered(&sc, d, 1));
    assert_true(ss_interrupt_instance_notice(&sc, d, 1, 1, 0, 0, 0) != SS_TIME_NEVER);
    /* With a scenario burst rate, the unobserved pool also gets Poisson bursts. */
    sc.market.burst_rate_per_day = 240.0; /* 10 per hour over 4 h: ~40 */
    assert_int_equal(ss_interrupt_pool_events(&sc, d, 1, 0, NULL, &ev, NULL), 0);
    size_t in_pool1 = 0;
    for (size_t i = 0; i < ev.n; i++)
        in_pool1 += ev.ev[i].pool == 1;
    assert_int_equal(in_pool1, ev.n - 1);
    assert_true(in_pool1 > 15 && in_pool1 < 70);
    ss_pool_events_free(&ev);
    ss_data_free(d);
}

static void fit_from_bursts(void **state)
{
    (void)state;
    /* 3 singletons + 2 multi bursts (fracs 0.5, 1.0) over 100 instance-hours
     * of exposure and 50 observed pool-hours: hazard 3/100, burst rate 2/50.
     * Squeezed fracs (n=2): (0.5*1+0.5)/2 = 0.5, (1*1+0.5)/2 = 0.75; mean
     * 0.625, sample variance 0.03125 => c = 0.625*0.375/0.03125 - 1 = 6.5,
     * a = 4.0625, b = 2.4375 (method of moments: fewer than 5 bursts). */
    ss_burst b[] = {{0, 0.25, 1, 4}, {1, 0.5, 2, 4}, {2, 0.25, 1, 4},
                    {3, 1.0, 4, 4},  {4, 0.25, 1, 4}};
    ss_interrupt_fit f;
    ss_interrupt_fit_log(b, 5, 100.0, 50.0, &f);
    assert_int_equal(f.n_single, 3);
    assert_int_equal(f.n_multi, 2);
    assert_near(f.hazard_per_hour, 0.03, 1e-15);
    assert_near(f.burst_rate_per_hour, 0.04, 1e-15);
    assert_false(f.beta_mle);
    assert_near(f.beta_a, 4.0625, 1e-12);
    assert_near(f.beta_b, 2.4375, 1e-12);

    /* MLE recovers the parameters of a large Beta(2, 5) sample. */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    const size_t n = 20000;
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_beta(r, 2.0, 5.0);
    double a, bb;
    assert_int_equal(ss_beta_fit_mle(x, n, &a, &bb), 0);
    /* asymptotic sd of a-hat ~ 0.02, b-hat ~ 0.05 at n = 20000 */
    assert_near(a, 2.0, 0.1);
    assert_near(bb, 5.0, 0.25);
    /* The MLE is a stationary point of the likelihood: d/da = 0 means
     * mean ln x = psi(a) - psi(a+b). */
    double s1 = 0.0;
    for (size_t i = 0; i < n; i++)
        s1 += log(x[i]);
    assert_near(s1 / (double)n, gsl_sf_psi(a) - gsl_sf_psi(a + bb), 1e-6);
    free(x);
    gsl_rng_free(r);
    double same[] = {0.5, 0.5, 0.5};
    assert_int_equal(ss_beta_fit_mle(same, 3, &a, &bb), -1);
    assert_int_equal(ss_beta_fit_moments(same, 3, &a, &bb), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(advisor_bucket_hazards), cmocka_unit_test(burst_grouping_by_hand),
        cmocka_unit_test(keyed_hits),             cmocka_unit_test(stochastic_lifetimes),
        cmocka_unit_test(poisson_bursts),         cmocka_unit_test(trace_points_each_meaning),
        cmocka_unit_test(max_price_events),       cmocka_unit_test(replay_events),
        cmocka_unit_test(fit_from_bursts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
