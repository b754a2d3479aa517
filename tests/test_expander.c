/*
 * test_expander.c - each expander's choice on a small fixed case, by hand.
 *
 * Pending pods of 0.5 vCPU / 1024 MiB; per option the estimator's result
 * (nodes added, pods they hold, summed requests) is given directly:
 *   0  2 vCPU / 8 GiB,  2 nodes, 6 pods, $0.040/h, priority 10
 *   1  4 vCPU / 8 GiB,  2 nodes, 6 pods, $0.170/h, priority 50
 *   2  8 vCPU / 32 GiB, 1 node,  6 pods, $0.150/h, priority 50
 *   3  2 vCPU / 4 GiB,  1 node,  3 pods, $0.012/h, priority 1
 */
#include "tests/testutil.h"

#include "models/k8s_expander.h"

static const ss_expander_option opts[4] = {
    {0, 2, 6, 2.0, 8192.0, 3.0, 6144.0, 0.04, 10},
    {1, 2, 6, 4.0, 8192.0, 3.0, 6144.0, 0.17, 50},
    {2, 1, 6, 8.0, 32768.0, 3.0, 6144.0, 0.15, 50},
    {3, 1, 3, 2.0, 4096.0, 1.5, 3072.0, 0.012, 1},
};

static void most_pods(void **state)
{
    (void)state;
    /* options 0, 1, 2 all hold 6 pods: a three-way tie broken by u:
     * u in [0,1/3) -> 0, [1/3,2/3) -> 1, [2/3,1) -> 2 */
    assert_int_equal(ss_expander_choose(SS_EXPANDER_MOST_PODS, opts, 4, 0.0), 0);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_MOST_PODS, opts, 4, 0.5), 1);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_MOST_PODS, opts, 4, 0.99), 2);
}

static void least_waste(void **state)
{
    (void)state;
    /* waste = idle cpu fraction + idle memory fraction:
     *   0: (4-3)/4 + (16384-6144)/16384 = 0.25 + 0.625 = 0.875
     *   1: (8-3)/8 + (16384-6144)/16384 = 0.625 + 0.625 = 1.25
     *   2: (8-3)/8 + (32768-6144)/32768 = 0.625 + 0.8125 = 1.4375
     *   3: (2-1.5)/2 + (4096-3072)/4096 = 0.25 + 0.25 = 0.5   <- least */
    assert_true(ss_expander_cost(SS_EXPANDER_LEAST_WASTE, &opts[0]) > 0.874999);
    assert_true(ss_expander_cost(SS_EXPANDER_LEAST_WASTE, &opts[0]) < 0.875001);
    for (double u = 0.0; u < 1.0; u += 0.25)
        assert_int_equal(ss_expander_choose(SS_EXPANDER_LEAST_WASTE, opts, 4, u), 3);
    /* without option 3, option 0 wins (0.875) */
    assert_int_equal(ss_expander_choose(SS_EXPANDER_LEAST_WASTE, opts, 3, 0.7), 0);
}

static void price(void **state)
{
    (void)state;
    /* price per pod: 0: 2*0.04/6 = 0.01333; 1: 2*0.17/6 = 0.0567;
     * 2: 0.15/6 = 0.025; 3: 0.012/3 = 0.004  <- cheapest */
    assert_int_equal(ss_expander_choose(SS_EXPANDER_PRICE, opts, 4, 0.9), 3);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_PRICE, opts, 3, 0.9), 0);
}

static void priority(void **state)
{
    (void)state;
    /* priorities 10, 50, 50, 1: tie between 1 and 2 */
    assert_int_equal(ss_expander_choose(SS_EXPANDER_PRIORITY, opts, 4, 0.2), 1);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_PRIORITY, opts, 4, 0.7), 2);
}

static void random_expander(void **state)
{
    (void)state;
    /* four-way tie: u = 0.6 -> floor(2.4) = 2 */
    assert_int_equal(ss_expander_choose(SS_EXPANDER_RANDOM, opts, 4, 0.6), 2);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_RANDOM, opts, 4, 0.0), 0);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_RANDOM, opts, 4, 0.999), 3);
    assert_int_equal(ss_expander_choose(SS_EXPANDER_RANDOM, opts, 0, 0.5), -1);
    /* the choice frequency is uniform over a fine grid of u */
    int hits[4] = {0};
    for (int i = 0; i < 400; i++)
        hits[ss_expander_choose(SS_EXPANDER_RANDOM, opts, 4, (i + 0.5) / 400.0)]++;
    for (int i = 0; i < 4; i++)
        assert_int_equal(hits[i], 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(most_pods), cmocka_unit_test(least_waste), cmocka_unit_test(price),
        cmocka_unit_test(priority), cmocka_unit_test(random_expander),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
