/*
 * test_search.c - search space: parsing, encoding, grid enumeration with
 * constraints, Latin hypercube stratification, random sampling.
 */
#include "tests/testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "policies/search.h"

static void build_abc(ss_space *sp)
{
    ss_err err;
    memset(sp, 0, sizeof *sp);
    const char *a[] = {"0", "1", "2", "3"};
    const char *c[] = {"x", "y"};
    assert_int_equal(ss_space_add_values(sp, "asg.on_demand_base_capacity", a, 4, &err), 0);
    assert_int_equal(ss_space_add_range(sp, "service.desired_count", 0, 4, 1, true, &err), 0);
    assert_int_equal(ss_space_add_values(sp, "asg.spot_allocation_strategy", c, 2, &err), 0);
}

static void test_grid_count_constraints(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    build_abc(&sp);
    ss_candidate *cs;
    int n;
    /* No constraint: 4 x 5 x 2 = 40. */
    assert_int_equal(ss_grid_generate(&sp, &cs, &n, &err), 0);
    assert_int_equal(n, 40);
    free(cs);
    /* a <= b: pairs with a<=b are 5+4+3+2 = 14 (a = 0..3), x 2 = 28. */
    assert_int_equal(ss_space_add_constraint(&sp, "asg.on_demand_base_capacity <= service.desired_count", &err), 0);
    assert_int_equal(ss_grid_generate(&sp, &cs, &n, &err), 0);
    assert_int_equal(n, 28);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cs[i].id, i);
        assert_true(ss_space_numeric(&sp, &cs[i], 0) <= ss_space_numeric(&sp, &cs[i], 1));
    }
    free(cs);
    /* and b < 4 (a constant side): b in 0..3 -> 4+3+2+1 = 10, x 2 = 20. */
    assert_int_equal(ss_space_add_constraint(&sp, "service.desired_count < 4", &err), 0);
    assert_int_equal(ss_grid_generate(&sp, &cs, &n, &err), 0);
    assert_int_equal(n, 20);
    free(cs);
}

static void test_constraint_errors(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    build_abc(&sp);
    assert_int_equal(ss_space_add_constraint(&sp, "nope <= service.desired_count", &err), -1);
    assert_non_null(strstr(err.msg, "'nope' is not a search parameter"));
    assert_int_equal(ss_space_add_constraint(&sp, "asg.spot_allocation_strategy <= 3", &err), -1);
    assert_non_null(strstr(err.msg, "not numeric"));
    assert_int_equal(ss_space_add_constraint(&sp, "a == b", &err), -1);
    const char *dup[] = {"1", "1"};
    assert_int_equal(ss_space_add_values(&sp, "k", dup, 2, &err), -1);
    assert_int_equal(ss_space_add_range(&sp, "r", 3, 1, 1, false, &err), -1);
    assert_int_equal(ss_space_add_range(&sp, "service.desired_count", 0, 1, 1, false, &err), -1);
}

static void test_encoding_roundtrip(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    build_abc(&sp);
    assert_int_equal(ss_space_add_range(&sp, "market.stochastic_scale", 0.5, 2.0, 0, false, &err), 0);
    assert_int_equal(ss_space_add_range(&sp, "asg.pco_capacity_band", 0.1, 0.5, 0.1, false, &err), 0);
    assert_int_equal(sp.p[4].n_levels, 5); /* 0.1, 0.2, ..., 0.5 */
    ss_candidate c = {0};
    c.x[0] = 2.4;         /* rounds to level 2 -> "2" */
    c.x[1] = 7;           /* clamped to level 4 -> "4" */
    c.x[2] = 1;           /* "y" */
    c.x[3] = 1.23456789;  /* quantised to 1.23457 */
    c.x[4] = 2;           /* 0.1 + 2 * 0.1 = 0.3 */
    ss_space_normalize(&sp, &c);
    char *json = ss_space_params_json(&sp, &c);
    assert_string_equal(json, "{\"asg.on_demand_base_capacity\":\"2\",\"asg.pco_capacity_band\":\"0.3\","
                              "\"asg.spot_allocation_strategy\":\"y\",\"market.stochastic_scale\":"
                              "\"1.23457\",\"service.desired_count\":\"4\"}");
    ss_candidate d;
    assert_int_equal(ss_space_parse_json(&sp, json, &d, &err), 0);
    assert_memory_equal(c.x, d.x, sizeof c.x);
    char h1[17], h2[17];
    ss_space_params_hash(json, h1);
    free(json);
    json = ss_space_params_json(&sp, &d);
    ss_space_params_hash(json, h2);
    assert_string_equal(h1, h2);
    assert_int_equal((int)strlen(h1), 16);
    free(json);
    assert_int_equal(ss_space_parse_json(&sp, "{\"asg.on_demand_base_capacity\":\"9\"}", &d, &err), -1);
    assert_int_equal(ss_space_parse_json(&sp, "[1", &d, &err), -1);
}

/* Every stratum [k/n, (k+1)/n) of every dimension holds exactly one point. */
static void test_lhs_stratification(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        int n = 37, dims = 4;
        double *u = malloc(sizeof(double) * (size_t)(n * dims));
        ss_lhs_unit(seed, n, dims, u);
        for (int d = 0; d < dims; d++) {
            int count[37] = {0};
            for (int k = 0; k < n; k++) {
                double v = u[k * dims + d];
                assert_true(v >= 0 && v < 1);
                count[(int)(v * n)]++;
            }
            for (int k = 0; k < n; k++)
                assert_int_equal(count[k], 1);
        }
        free(u);
    }
    /* Through the space: a continuous range of [10, 20] with budget 20 has one
     * candidate in each [10 + k/2, 10 + (k+1)/2); a 4-level discrete parameter
     * gets 20/4 = 5 points per level. */
    ss_space sp;
    ss_err err;
    memset(&sp, 0, sizeof sp);
    const char *v[] = {"a", "b", "c", "d"};
    assert_int_equal(ss_space_add_range(&sp, "x", 10, 20, 0, false, &err), 0);
    assert_int_equal(ss_space_add_values(&sp, "y", v, 4, &err), 0);
    ss_candidate *cs;
    int n;
    assert_int_equal(ss_lhs_generate(&sp, 9, 20, &cs, &n, &err), 0);
    assert_int_equal(n, 20);
    int strata[20] = {0}, lev[4] = {0};
    for (int i = 0; i < n; i++) {
        int k = (int)((cs[i].x[0] - 10) / 0.5);
        if (k == 20)
            k = 19;
        strata[k]++;
        lev[(int)cs[i].x[1]]++;
    }
    for (int k = 0; k < 20; k++)
        assert_int_equal(strata[k], 1);
    for (int k = 0; k < 4; k++)
        assert_int_equal(lev[k], 5);
    free(cs);
}

static void test_random_unique_feasible_deterministic(void **state)
{
    (void)state;
    ss_space sp;
    ss_err err;
    build_abc(&sp);
    assert_int_equal(ss_space_add_constraint(&sp, "asg.on_demand_base_capacity <= service.desired_count", &err), 0);
    ss_candidate *a, *b;
    int na, nb;
    /* Ask for more than the 28 feasible points: get exactly all 28, unique. */
    assert_int_equal(ss_random_generate(&sp, 3, 100, &a, &na, &err), 0);
    assert_int_equal(na, 28);
    for (int i = 0; i < na; i++) {
        assert_true(ss_space_feasible(&sp, &a[i]));
        for (int j = 0; j < i; j++)
            assert_memory_not_equal(a[i].x, a[j].x, sizeof a[i].x);
    }
    assert_int_equal(ss_random_generate(&sp, 3, 10, &b, &nb, &err), 0);
    assert_int_equal(nb, 10);
    /* Same seed: the first draws agree (prefix property of the stream). */
    for (int i = 0; i < nb; i++)
        assert_memory_equal(a[i].x, b[i].x, sizeof a[i].x);
    free(a);
    free(b);
    assert_int_equal(ss_random_generate(&sp, 3, 0, &a, &na, &err), -1);
}

static void test_build_from_search_block(void **state)
{
    (void)state;
    ss_search s;
    memset(&s, 0, sizeof s);
    s.n_params = 2;
    strcpy(s.params[0].path, "asg.on_demand_percentage_above_base_capacity");
    s.params[0].is_range = true;
    s.params[0].lo = 0;
    s.params[0].hi = 100;
    s.params[0].step = 25;
    s.params[0].integer = true;
    strcpy(s.params[1].path, "asg.on_demand_base_capacity");
    s.params[1].n_values = 3;
    strcpy(s.params[1].values[0], "0");
    strcpy(s.params[1].values[1], "2");
    strcpy(s.params[1].values[2], "4");
    s.n_constraints = 1;
    strcpy(s.constraints[0], "asg.on_demand_base_capacity<=asg.on_demand_percentage_above_base_capacity");
    ss_space sp;
    ss_err err;
    assert_int_equal(ss_space_build(&s, &sp, &err), 0);
    assert_int_equal(sp.p[0].n_levels, 5);
    ss_candidate *cs;
    int n;
    /* pct in {0,25,50,75,100}, base in {0,2,4}: base<=pct fails only for pct=0
     * with base 2 or 4 -> 15 - 2 = 13. */
    assert_int_equal(ss_grid_generate(&sp, &cs, &n, &err), 0);
    assert_int_equal(n, 13);
    free(cs);
    s.params[1].n_values = 0;
    assert_int_equal(ss_space_build(&s, &sp, &err), -1);
    assert_non_null(strstr(err.msg, "search.params[1]"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_count_constraints),
        cmocka_unit_test(test_constraint_errors),
        cmocka_unit_test(test_encoding_roundtrip),
        cmocka_unit_test(test_lhs_stratification),
        cmocka_unit_test(test_random_unique_feasible_deterministic),
        cmocka_unit_test(test_build_from_search_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
