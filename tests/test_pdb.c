/*
 * test_pdb.c - PodDisruptionBudget disruptionsAllowed (aws-semantics.md §4.2),
 * hand-computed.
 */
#include "tests/testutil.h"

#include "models/scenario.h"
#include "models/k8s_pdb.h"

static ss_deployment dep(void)
{
    ss_scenario sc;
    ss_scenario_defaults(&sc);
    return sc.k8s.deployment;
}

static void no_budget_is_unlimited(void **state)
{
    (void)state;
    ss_deployment d = dep();
    assert_false(ss_pdb_present(&d));
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 0), SS_PDB_UNLIMITED);
}

static void min_available_integer(void **state)
{
    (void)state;
    ss_deployment d = dep();
    d.pdb_min_available = 8;
    /* 10 healthy, minAvailable 8 => 2 evictions allowed; 8 healthy => 0;
     * 7 healthy (below budget) => 0, never negative */
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 10), 2);
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 8), 0);
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 7), 0);
}

static void min_available_percent_rounds_up(void **state)
{
    (void)state;
    ss_deployment d = dep();
    d.pdb_min_available_pct = 50;
    /* 7 replicas: ceil(0.5 * 7) = 4 desired; 7 healthy => 3 allowed */
    assert_int_equal(ss_pdb_desired_healthy(&d, 7, 7), 4);
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 7, 7, 7), 3);
    /* 33% of 10 = 3.3 -> 4 desired; 10 healthy => 6 */
    d.pdb_min_available_pct = 33;
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 10), 6);
    /* 100% => nothing may be evicted voluntarily */
    d.pdb_min_available_pct = 100;
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 10, 10, 10), 0);
    assert_int_equal(ss_pdb_pct_round_up(1, 1), 1);
    assert_int_equal(ss_pdb_pct_round_up(0, 9), 0);
}

static void max_unavailable(void **state)
{
    (void)state;
    ss_deployment d = dep();
    d.pdb_max_unavailable = 1;
    /* 5 replicas, maxUnavailable 1 => desired 4; 5 healthy => 1 allowed;
     * one already being evicted (4 healthy) => 0: evictions go one by one */
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 5, 5, 5), 1);
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 5, 5, 4), 0);
    /* maxUnavailable larger than the scale clamps desired at 0 */
    d.pdb_max_unavailable = 9;
    assert_int_equal(ss_pdb_desired_healthy(&d, 5, 5), 0);
    assert_int_equal(ss_pdb_disruptions_allowed(&d, 5, 5, 3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_budget_is_unlimited),
        cmocka_unit_test(min_available_integer),
        cmocka_unit_test(min_available_percent_rounds_up),
        cmocka_unit_test(max_unavailable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
