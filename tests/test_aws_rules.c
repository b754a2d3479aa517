/*
 * test_aws_rules.c - Auto Scaling and ECS behaviours pinned to the AWS rule
 * they follow (issue 11), each against figures computed by hand from the
 * cited page: billing from `running` and the free first hour of an
 * interrupted Spot instance, the warm start's managed-scaling warm-up, the
 * ECS agent's registered memory, the health-check grace period, scale-in by
 * placement strategy, Capacity Rebalancing away from a pool at elevated
 * risk, AZRebalance, and lowest-price scale-in.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "models/ecs.h"
#include "models/eval.h"
#include "policies/evaluate.h"
#include "tests/ecs_fixture.h"

/* ---- billing ------------------------------------------------------------------------------ */

/* EC2 bills from `running` (pending is free). One Spot instance (0.10 USD/h)
 * warm at T0 for a day; at T0 + 1 h desired goes 1 -> 2: the new instance is
 * requested at T0 + 1 h, running 60 s later, billed until T0 + 24 h:
 * 82,740 s x 0.10 / 3600 = 2.298333 USD (from the request it would be
 * 82,800 s = 2.3). The warm one: 24 h x 0.10 = 2.4. Alive time (instance-
 * hours) still counts from the request: 24 + 23 = 47 h. */
static void test_billing_from_running(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_DAY, 1, 0);
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + SS_HOUR);
    ss_asg_set_desired(&e->asgs[0], 2);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    assert_near(m.spot_cost_usd, 2.4 + 82740.0 * 0.10 / 3600.0, 1e-9);
    assert_near(m.spot_instance_hours, 47.0, 1e-9);
    /* the all-On-Demand baseline bills the same running times at 0.30 */
    assert_near(m.ondemand_baseline_usd, 0.30 * (24.0 + 82740.0 / 3600.0), 1e-9);
    ss_data_free(d);
}

/* "Billing for interrupted Spot Instances": a Spot instance EC2 interrupts
 * in its first instance-hour is not charged (Linux/UNIX, Windows); warm
 * started instances are not new. One Spot instance at 0.10 USD/h, capacity
 * trace (the default notice_lead, 120 s: the notice 2 min before each drop,
 * termination at the drop, docs/market.md "the notice rule on traces"):
 *   1 at T0; 0 at 0:32; unlimited at 0:40; 0 at 1:32; unlimited at 2:00;
 *   0 at 3:32; unlimited at 4:00; horizon 5 h.
 *   #0 warm, noticed 0:30, ends 0:32: warm, so billed 32 min      0.053333
 *   replacement fails (pool 0) every 30 s until 0:40 (the capacity event
 *   runs before the retry scheduled at 0:39:30):
 *   #1 requested 0:40, running 0:41, ends 1:32: 51 min, free      0
 *   #2 requested 2:00, running 2:01, ends 3:32: 91 min            0.151667
 *   #3 requested 4:00, running 4:01, horizon end 5:00: 59 min     0.098333
 *   total 0.303333 (billing all four from the request, as before:
 *   (32 + 52 + 92 + 60) min = 236 min = 0.393333).
 * With product "SUSE Linux" the rule does not apply: #1 costs 51 min =
 * 0.085, total 0.388333. */
static void interrupted_setup(ss_scenario *sc, ss_data **d)
{
    double spot[] = {0.10}, od[] = {0.30};
    *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_time t[] = {FX_T0,
                   FX_T0 + 32 * SS_MINUTE,
                   FX_T0 + 40 * SS_MINUTE,
                   FX_T0 + 92 * SS_MINUTE,
                   FX_T0 + 120 * SS_MINUTE,
                   FX_T0 + 212 * SS_MINUTE,
                   FX_T0 + 240 * SS_MINUTE};
    int v[] = {1, 0, -1, 0, -1, 0, -1};
    fx_trace(*d, 0, t, v, 7);
    fx_scenario(sc, 1, 1, 5 * SS_HOUR, 1, 0);
    sc->market.interruptions = SS_INTERRUPT_TRACE;
}

static void test_free_first_hour(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_metrics m;
    ss_err err;
    interrupted_setup(&sc, &d);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.interruptions, 3);
    assert_int_equal(m.launches, 4);
    assert_near(m.spot_cost_usd, 0.10 * (32.0 + 91.0 + 59.0) / 60.0, 1e-9);
    assert_near(m.spot_instance_hours, 236.0 / 60.0, 1e-9);
    snprintf(sc.market.product, sizeof sc.market.product, "SUSE Linux");
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_near(m.spot_cost_usd, 0.10 * (32.0 + 51.0 + 91.0 + 59.0) / 60.0, 1e-9);
    ss_data_free(d);
}

/* ---- managed scaling warm-up after a warm start ------------------------------------------ */

/* One instance (2 vCPU) warm at T0 with one task of 2048 CPU units; the
 * service wants 2 (one per instance), SLO 2 healthy. The initial fleet is
 * not "just launched" (managed-scaling-behavior: warm-up counts from a
 * launch), so the first datapoint at T0 + 60 s scales out: N = 1, P = 1 ->
 * desired 2, requested 60 s, running 120 s, registered 150 s, the task is
 * placed, RUNNING 170 s, healthy 320 s: 320 s below the SLO. (Counting the
 * initial fleet as launched at T0 held the scale-out to T0 + 300 s: 560 s.) */
static void test_warm_start_not_warming(void **state)
{
    (void)state;
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 4096);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_HOUR, 1, 0);
    sc.providers[0].managed_scaling = true;
    sc.service.desired_count = 2;
    sc.service.task_cpu = 2048;
    sc.slo.min_healthy = 2;
    ss_metrics m;
    ss_err err;
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 320.0, 1e-9);
    assert_int_equal(m.launches, 2);
    ss_data_free(d);
}

/* ---- registered memory --------------------------------------------------------------------- */

/* 24 tasks of 2048 MiB (256 CPU units) from zero on 2 vCPU / 8192 MiB
 * instances (m5.large), managed scaling. The agent registers 8192 -
 * round(8192 x 0.02527) = 8192 - 207 = 7985 MiB (memory-management.html:
 * an 8 GiB m4.large registers 7985 MiB): 3 tasks per instance, not 4.
 * Datapoint at 60 s: N = 0 -> 2 instances (launched 60 s, registered
 * 150 s: 6 tasks placed); warm-up until 360 s; datapoint at 360 s: P = 18,
 * ceil(18 / 3) = 6 -> desired 8; all 24 placed by 450 s. Registering the
 * full 8192 MiB (memory_overhead 0) fits 4 per instance: 2 + ceil(16 / 4)
 * = 6 instances (25 % fewer). ECS_RESERVED_MEMORY 2048 with no overhead:
 * 6144 MiB, 3 per instance again: 8. */
static int instances_for_24(double overhead, double reserved)
{
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 8192);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, SS_HOUR, 0, 0);
    sc.providers[0].managed_scaling = true;
    sc.providers[0].memory_overhead = overhead;
    sc.providers[0].reserved_memory_mib = reserved;
    sc.service.desired_count = 24;
    sc.service.task_cpu = 256;
    sc.service.task_memory_mib = 2048;
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + 30 * SS_MINUTE);
    assert_int_equal(e->n_running, 24);
    assert_int_equal(ss_ecs_check(e, &err), 0);
    int n = e->fleet.alive_spot;
    assert_int_equal(e->asgs[0].desired, n);
    ss_ecs_free(e);
    ss_data_free(d);
    return n;
}

static void test_registered_memory(void **state)
{
    (void)state;
    assert_int_equal(instances_for_24(0.02527, 0), 8);
    assert_int_equal(instances_for_24(0.0, 0), 6);
    assert_int_equal(instances_for_24(0.0, 2048), 8);
}

/* ---- health-check grace period ------------------------------------------------------------ */

/* Two types (t0 0.10, t1 0.20 USD/h), lowest-price over both, one instance
 * of t0 with the service's one task (2048 CPU units on 2 vCPU), SLO 1, no
 * draining. t0's capacity drops to 0 at T + 120 s, T = T0 + 1 h (the
 * notice 2 min before, at T, with the default notice_lead): the
 * instance ends at T + 120 s, its task dies, the scheduler sees it at
 * T + 130 s. The group replaces at T + 120 s: t0 is full (a failed
 * attempt), t1 launches, running T + 180 s, registered T + 210 s: the task
 * is placed, RUNNING T + 230 s, healthy T + 380 s (time_to_healthy 150 s):
 * 260 s below the SLO, with a grace period of 300 s too (the load balancer
 * does not wait for it; treating it as a delay to healthy gave
 * T + 530 s: 410 s). */
static void test_grace_is_not_a_delay(void **state)
{
    (void)state;
    double spot[] = {0.10, 0.20}, od[] = {0.30, 0.30};
    ss_data *d = fx_data(2, 1, spot, od, 2, 4096);
    ss_time t[] = {FX_T0, FX_T0 + SS_HOUR + 120 * SS_SECOND};
    int v[] = {1, 0};
    fx_trace(d, 0, t, v, 2);
    ss_scenario sc;
    fx_scenario(&sc, 2, 1, 2 * SS_HOUR, 1, 0);
    sc.market.interruptions = SS_INTERRUPT_TRACE;
    sc.service.desired_count = 1;
    sc.service.task_cpu = 2048;
    sc.slo.min_healthy = 1;
    ss_time graces[] = {0, 300 * SS_SECOND};
    for (int i = 0; i < 2; i++) {
        sc.service.health_check_grace = graces[i];
        ss_metrics m;
        ss_err err;
        assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
        assert_int_equal(m.interruptions, 1);
        assert_int_equal(m.failed_launches, 1);
        assert_int_equal(m.shortfall_episodes, 1);
        assert_near(m.shortfall_max_s, 260.0, 1e-9);
    }
    ss_data_free(d);
}

/* ---- service scale-in by placement strategy ---------------------------------------------- */

/* Write a demand trace (epoch seconds, value) into dir; returns its path. */
static const char *demand_file(const char *dir, const ss_time *t, const double *v, int n)
{
    const char *path = tu_fmt("%s/demand.csv", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "time,value\n");
    for (int i = 0; i < n; i++)
        fprintf(fp, "%lld,%g\n", (long long)(t[i] / SS_SECOND), v[i]);
    fclose(fp);
    return path;
}

/* One zone, two instances (2 vCPU, 8192 MiB: 7985 registered), service
 * binpack(memory), tasks of 1900 MiB (4 fit: 7600 <= 7985), managed scaling
 * with managed termination protection, demand 6 -> 4 tasks at 10 min
 * (target 1 per task), 2 h. Warm start: binpack fills instance 0 with 4,
 * instance 1 gets 2. At 10:00 service auto scaling sets desired 4 (4 < 0.9
 * x 6). Binpack scale-in (task-placement-strategies.html) stops the task on
 * the instance left with the most memory after the stop: instance 1
 * (7985 - 3800 + 1900 = 6085 > 7985 - 7600 + 1900 = 2285), twice (a
 * STOPPING task holds its memory). Both stop at 10:00 + 300 + 30 s = 15:30:
 * instance 1 is empty and unprotected; CPR = 1/2 < 100 % from the 16:00
 * datapoint, the 15th low one at 30:00 scales in to max(1, 2 - 1) = 1:
 * instance 1 ends at 30:00. Instance-hours 2 + 0.5 = 2.5 (stopping tasks on
 * the instance with the most tasks left 2 + 2 and 4.0). */
static void test_binpack_scale_in(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    double spot[] = {0.10}, od[] = {0.30};
    ss_data *d = fx_data(1, 1, spot, od, 2, 8192);
    ss_scenario sc;
    fx_scenario(&sc, 1, 1, 2 * SS_HOUR, 2, 0);
    sc.providers[0].managed_scaling = true;
    sc.providers[0].managed_termination_protection = true;
    ss_time t[] = {FX_T0, FX_T0 + 10 * SS_MINUTE};
    double v[] = {6, 4};
    snprintf(sc.service.demand_trace, sizeof sc.service.demand_trace, "%s", demand_file(dir, t, v, 2));
    sc.service.target_value = 1;
    sc.service.task_cpu = 256;
    sc.service.task_memory_mib = 1900;
    sc.service.n_placement = 1;
    sc.service.placement[0] = (ss_placement){SS_PLACE_BINPACK, SS_FIELD_MEMORY};
    ss_err err;
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    assert_int_equal(ss_fleet_inst(&e->fleet, 0)->ntasks, 4);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->ntasks, 2);
    ss_ecs_run_until(e, FX_T0 + 10 * SS_MINUTE + 1);
    assert_int_equal(e->desired, 4);
    ss_ecs_run_until(e, FX_T0 + 30 * SS_MINUTE - 1);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->ntasks, 0);
    assert_int_equal(e->fleet.alive_spot, 2);
    ss_ecs_run_until(e, FX_T0 + 30 * SS_MINUTE + 1);
    assert_int_equal(e->fleet.alive_spot, 1);
    assert_int_equal(ss_fleet_inst(&e->fleet, 1)->end, FX_T0 + 30 * SS_MINUTE);
    assert_int_equal(ss_ecs_check(e, &err), 0);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    assert_near(m.spot_instance_hours, 2.5, 1e-9);
    assert_int_equal(m.task_restarts, 0);
    ss_data_free(d);
    tu_rmtree(dir);
    free(dir);
}

/* ---- Capacity Rebalancing and the pool at elevated risk ----------------------------------- */

/* Two types in one zone, capacity-optimized, replayed logs: t0 ("m5.large")
 * observed 1000 instance-hours with one burst at T = T0 + 1 h taking all
 * (risk 2 / 1000 = 0.002 per hour), t1 ("c5.large") 100 hours with one old
 * burst of 1 (risk 0.01). Two instances (both t0, the lower risk) with one
 * task each (2048 CPU units), SLO 2. Every instance the burst hits gets a
 * rebalance recommendation 300 s before it (probability 1). */
static void cr_case(ss_scenario *sc, ss_data **d, bool cr, bool draining, ss_time window)
{
    double spot[] = {0.10, 0.12}, od[] = {0.30, 0.30};
    *d = fx_data(2, 1, spot, od, 2, 4096);
    ss_time T = FX_T0 + SS_HOUR;
    ss_pool *p0 = &(*d)->pools[0], *p1 = &(*d)->pools[1];
    p0->has_log = p1->has_log = true;
    p0->log_exposure_hours = 1000;
    p1->log_exposure_hours = 100;
    p0->bursts = ss_malloc(sizeof *p0->bursts);
    p0->bursts[0] = (ss_burst){.t = T, .frac = 1.0, .interrupted = 2, .alive = 2};
    p0->n_bursts = 1;
    p1->bursts = ss_malloc(sizeof *p1->bursts);
    p1->bursts[0] = (ss_burst){.t = FX_T0 - 10 * SS_DAY, .frac = 0.5, .interrupted = 1, .alive = 2};
    p1->n_bursts = 1;
    fx_scenario(sc, 2, 1, 3 * SS_HOUR, 2, 0);
    sc->market.interruptions = SS_INTERRUPT_REPLAY;
    sc->market.rebalance_probability = 1.0;
    sc->market.rebalance_lead = (ss_dist){SS_DIST_FIXED, 300.0, 0.0};
    sc->market.rebalance_risk_window = window;
    sc->asgs[0].spot_allocation = SS_SPOT_CAPACITY_OPTIMIZED;
    sc->asgs[0].capacity_rebalance = cr;
    sc->providers[0].managed_draining = draining;
    sc->service.desired_count = 2;
    sc->service.task_cpu = 2048;
    sc->slo.min_healthy = 2;
}

static void cr_run(bool cr, bool draining, ss_time window, ss_metrics *m)
{
    ss_scenario sc;
    ss_data *d;
    ss_err err;
    cr_case(&sc, &d, cr, draining, window);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, m, NULL, &err), 0);
    assert_int_equal(m->rebalance_recommendations, 2);
    ss_data_free(d);
}

/* (a) No Capacity Rebalancing: the burst's notices at T, both end at
 * T + 120 s with their tasks (seen T + 130 s); the replacements (into t1:
 * t0 is at elevated risk since the recommendations at T - 300 s) are
 * running T + 180 s, registered T + 210 s, the tasks RUNNING T + 230 s,
 * healthy T + 380 s: 260 s below the SLO, 2 restarts.
 * (b) Capacity Rebalancing, default window (1 h): at T - 300 s each
 * recommendation puts t0 at elevated risk (ec2-auto-scaling-capacity-
 * rebalancing.html: the replacement goes to a pool not at elevated risk),
 * so both replacements go to t1: running T - 240 s, registered T - 210 s,
 * when the old instances terminate (launch-before-terminate, no draining):
 * tasks die, seen T - 200 s, placed at once, RUNNING T - 180 s, healthy
 * T - 30 s: 180 s, 2 restarts; the burst finds no instance (0 notices).
 * (c) (b) with managed draining: the old instances drain from T - 210 s,
 * replacements RUNNING T - 190 s, healthy T - 40 s, then the old tasks
 * stop (4 - 1 >= 2 healthy): never below the SLO; the burst's 2 notices hit
 * the held old instances whose tasks are already STOPPING (2 restarts).
 * (d) (b) with window 0 (static risks, the old model): the replacements go
 * to t0 again (0.002 <= 0.002), the tasks move as in (b) (180 s), and the
 * burst at T hits the replacements: Capacity Rebalancing replaces them at
 * once (into t0: running T + 60 s, registered T + 90 s), they end at
 * T + 120 s, tasks seen T + 130 s, healthy T + 300 s: another 180 s;
 * 360 s in two episodes, 4 restarts, worse than (a). */
static void test_cr_avoids_elevated_pool(void **state)
{
    (void)state;
    ss_metrics m;
    cr_run(false, false, SS_HOUR, &m); /* (a) */
    assert_int_equal(m.interruptions, 2);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 260.0, 1e-9);
    assert_int_equal(m.task_restarts, 2);
    cr_run(true, false, SS_HOUR, &m); /* (b) */
    assert_int_equal(m.interruptions, 0);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 180.0, 1e-9);
    assert_int_equal(m.task_restarts, 2);
    assert_int_equal(m.launches, 4);
    cr_run(true, true, SS_HOUR, &m); /* (c) */
    assert_int_equal(m.interruptions, 2);
    assert_int_equal(m.shortfall_episodes, 0);
    assert_near(m.availability, 1.0, 0);
    assert_int_equal(m.task_restarts, 2);
    cr_run(true, false, 0, &m); /* (d) */
    assert_int_equal(m.interruptions, 2);
    assert_int_equal(m.shortfall_episodes, 2);
    assert_near(m.shortfall_task_hours, 2 * 2 * 180.0 / 3600.0, 1e-9);
    assert_near(m.shortfall_max_s, 180.0, 1e-9);
    assert_int_equal(m.task_restarts, 4);
    assert_int_equal(m.launches, 6);
}

/* ---- AZRebalance -------------------------------------------------------------------------- */

/* Two zones, one type, 4 Spot instances (one task each: 2048 CPU units on
 * 2 vCPU), SLO 2 of 4, no draining. Zone a is out (instances lost) from
 * 10 to 20 min, zone b from 40 to 50 min.
 * T0: instances 0 a, 1 b, 2 a, 3 b, tasks 2 + 2. 10:00: 0 and 2 are lost
 * (2 tasks left: at the SLO); the replacements try a (down: 2 failed
 * launches) and land in b (4, 5). 20:00, zone a back: AZRebalance
 * (auto-scaling-benefits.html) sees a 0, b 4: launches 6 in a, 1 or 3
 * stops counting (the scale-in choice: closest to the next instance hour),
 * then a 1, b 3: 7 in a, the other of 1 and 3. 6 and 7 register at 21:30,
 * when 1 and 3 terminate (their tasks die: 2 left, still at the SLO; the
 * replacements go to zone a). At 40:00 zone b takes 4 and 5 and their
 * tasks: 2 healthy in a, never below the SLO; their replacements 8, 9 go
 * to a (b down), and at 50:00 the group moves 2 back to b (10, 11): 12
 * launches.
 * With AZRebalance suspended all 4 are in b at 40:00: replaced in a
 * (launched 40:00, running 41:00, registered 41:30), tasks seen 40:10,
 * placed 41:30, RUNNING 41:50, healthy 44:20: 260 s below the SLO. */
static void azr_case(ss_scenario *sc, ss_data **d, bool azr)
{
    double spot[] = {0.10}, od[] = {0.30};
    *d = fx_data(1, 2, spot, od, 2, 4096);
    fx_scenario(sc, 1, 2, 2 * SS_HOUR, 4, 0);
    sc->asgs[0].az_rebalance = azr;
    sc->service.desired_count = 4;
    sc->service.task_cpu = 2048;
    sc->slo.min_healthy = 2;
    sc->market.n_outages = 2;
    for (int i = 0; i < 2; i++) {
        ss_zone_outage *o = &sc->market.outages[i];
        snprintf(o->zone, sizeof o->zone, "zone-%c", 'a' + i);
        o->start = FX_T0 + (10 + 30 * i) * SS_MINUTE;
        o->end = o->start + 10 * SS_MINUTE;
        o->instances_lost = true;
    }
}

static int alive_in_zone(const ss_ecs *e, int zone)
{
    int n = 0;
    for (int id = 0; id < e->fleet.n; id++) {
        const ss_instance *in = ss_fleet_inst(&e->fleet, id);
        n += in->state != SS_INST_TERMINATED && in->zone_idx == zone;
    }
    return n;
}

static void test_az_rebalance(void **state)
{
    (void)state;
    ss_scenario sc;
    ss_data *d;
    ss_err err;
    azr_case(&sc, &d, true);
    ss_ecs *e = ss_ecs_new(&sc, d, 1, 0, NULL, &err);
    assert_non_null(e);
    ss_ecs_run_until(e, FX_T0 + 20 * SS_MINUTE - 1);
    assert_int_equal(alive_in_zone(e, 0), 0);
    assert_int_equal(alive_in_zone(e, 1), 4);
    assert_int_equal(e->fleet.stats.failed_launches, 2);
    ss_ecs_run_until(e, FX_T0 + 20 * SS_MINUTE + 1);
    assert_int_equal(e->fleet.n, 8);
    assert_int_equal(alive_in_zone(e, 0), 2); /* 6, 7 pending */
    assert_int_equal(alive_in_zone(e, 1), 4); /* launch before terminate */
    ss_ecs_run_until(e, FX_T0 + 21 * SS_MINUTE + 31 * SS_SECOND);
    assert_int_equal(alive_in_zone(e, 0), 2);
    assert_int_equal(alive_in_zone(e, 1), 2);
    const ss_instance *i1 = ss_fleet_inst(&e->fleet, 1), *i3 = ss_fleet_inst(&e->fleet, 3);
    assert_int_equal(i1->end_reason, SS_END_REBALANCED);
    assert_int_equal(i3->end_reason, SS_END_REBALANCED);
    assert_int_equal(i1->end, FX_T0 + 21 * SS_MINUTE + 30 * SS_SECOND);
    assert_int_equal(ss_ecs_check(e, &err), 0);
    ss_ecs_run_until(e, FX_T0 + 50 * SS_MINUTE - 1);
    assert_int_equal(alive_in_zone(e, 0), 4); /* 6, 7 and the replacements 8, 9 of 4, 5 */
    assert_int_equal(alive_in_zone(e, 1), 0);
    assert_int_equal(e->fleet.n, 10);
    ss_ecs_run_until(e, FX_T0 + 50 * SS_MINUTE + 1);
    assert_int_equal(alive_in_zone(e, 1), 2); /* 10, 11: zone b back, 2 move back */
    assert_int_equal(e->fleet.n, 12);
    ss_metrics m;
    ss_ecs_finish(e, &m);
    ss_ecs_free(e);
    assert_int_equal(m.shortfall_episodes, 0);
    assert_near(m.availability, 1.0, 0);
    assert_int_equal(m.launches, 12);
    ss_data_free(d);

    azr_case(&sc, &d, false);
    assert_int_equal(ss_evaluate(&sc, d, 1, 0, &m, NULL, &err), 0);
    assert_int_equal(m.shortfall_episodes, 1);
    assert_near(m.shortfall_max_s, 260.0, 1e-9);
    assert_int_equal(m.launches, 10); /* 4 + 2 at 10:00 + 4 at 40:00 */
    ss_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_billing_from_running),
        cmocka_unit_test(test_free_first_hour),
        cmocka_unit_test(test_warm_start_not_warming),
        cmocka_unit_test(test_registered_memory),
        cmocka_unit_test(test_grace_is_not_a_delay),
        cmocka_unit_test(test_binpack_scale_in),
        cmocka_unit_test(test_cr_avoids_elevated_pool),
        cmocka_unit_test(test_az_rebalance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
