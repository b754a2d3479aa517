/*
 * test_hostile.c - hostile names and extreme inputs (issue 17):
 *   - the scenario reader refuses NUL and control characters in every string
 *     (only `description` may hold line breaks), and names the APIs would
 *     refuse (ECS capacity provider and service names, Kubernetes object
 *     names, ASG names), with file:line:col and key;
 *   - the writers escape anyway: a scenario built in memory with a line
 *     break in its names gives an ecs.config of exactly its 4 lines and a
 *     main.tf with as many lines as with a plain name;
 *   - messages never carry a raw control character to the terminal;
 *   - size and nesting limits of scenario files, flap_period bounds, a
 *     timeline too large to hold, a horizon before 1970 (no overflow).
 */
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datasets/market_data.h"
#include "models/interrupt.h"
#include "policies/export.h"
#include "sim/scenario/names.h"
#include "sim/scenario/scenario_io.h"

static const char *base =
    "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
    "asg: {name: web-asg, min_size: 1, max_size: 4}\n"
    "capacity_providers: [{name: web-cp, asg: web-asg}]\n";

static ss_scenario *new_sc(void) { return calloc(1, sizeof(ss_scenario)); }

/* Load base + extra; expect failure whose message holds expect. */
static void refused(const char *extra, const char *expect)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base, extra);
    ss_scenario *sc = new_sc();
    ss_err err = {{0}};
    if (ss_scenario_load_string(text, "h.yaml", sc, &err) == 0)
        fail_msg("loaded but must fail: %s", extra);
    if (!strstr(err.msg, expect))
        fail_msg("for %s\n  got:      %s\n  expected: %s", extra, err.msg, expect);
    free(sc);
}

static void accepted(const char *extra)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base, extra);
    ss_scenario *sc = new_sc();
    ss_err err = {{0}};
    if (ss_scenario_load_string(text, "h.yaml", sc, &err))
        fail_msg("refused: %s: %s", extra, err.msg);
    free(sc);
}

static void test_reader_refuses_control_chars(void **state)
{
    (void)state;
    /* line 4 is the first line after base; column of the value */
    refused("service: {name: \"api\\nECS_CLUSTER=evil\"}\n",
            "h.yaml:4:17: key 'service.name': holds a control character (\\x0a): a line break; not allowed here");
    refused("name: \"ok\\0hidden\"\n", "h.yaml:4:7: key 'name': holds a NUL character (\\0)");
    refused("name: \"red\\e[31m\"\n", "key 'name': holds a control character (\\x1b)");
    refused("name: \"a\\tb\"\n", "h.yaml:4:7: key 'name': holds a control character (\\x09)");
    /* description is free text: line breaks and tabs are fine there */
    accepted("description: |\n  two\n  lines\twith a tab\n");
}

static void test_reader_applies_api_name_rules(void **state)
{
    (void)state;
    refused("service: {name: \"api svc\"}\n",
            "key 'service.name': 'api svc': an ECS service name has only letters, digits, '_' and '-' (not ' ')");
    accepted("service: {name: api_svc-2}\n");
    /* the capacity provider is named in base; override it in a new file */
    ss_scenario *sc = new_sc();
    ss_err err = {{0}};
    const char *cp = "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
                     "asg: {name: web-asg, min_size: 1, max_size: 4}\n"
                     "capacity_providers: [{name: ecs-spot, asg: web-asg}]\n";
    assert_int_equal(ss_scenario_load_string(cp, "cp.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "cp.yaml:3:29: key 'capacity_providers[0].name': 'ecs-spot': an ECS capacity "
                                    "provider name cannot begin with \"ecs\""));
    const char *asg = "market: {zones: [us-east-1a], instance_types: [m5.large]}\n"
                      "asg: {name: ' web', min_size: 1, max_size: 4}\n";
    assert_int_equal(ss_scenario_load_string(asg, "asg.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "an ASG name does not begin or end with a space"));
    free(sc);
    /* Kubernetes names: RFC 1123 subdomains */
    char why[200];
    assert_int_equal(ss_name_check_k8s_object("web-1.prod", why, sizeof why), 0);
    assert_int_equal(ss_name_check_k8s_object("Web", why, sizeof why), -1);
    assert_int_equal(ss_name_check_k8s_object("web-", why, sizeof why), -1);
    assert_int_equal(ss_name_check_k8s_object("a..b", why, sizeof why), -1);
    assert_int_equal(ss_name_check_k8s_object("", why, sizeof why), -1);
    char long_name[300];
    memset(long_name, 'a', 254);
    long_name[254] = 0;
    assert_int_equal(ss_name_check_k8s_object(long_name, why, sizeof why), -1); /* 254 > 253 */
    long_name[253] = 0;
    assert_int_equal(ss_name_check_k8s_object(long_name, why, sizeof why), 0);
    assert_int_equal(ss_name_check_ecs_capacity_provider("FARGATE_SPOT", why, sizeof why), -1);
    assert_int_equal(ss_name_check_ecs_capacity_provider("my-aws", why, sizeof why), 0);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Scenarios built another way than the reader: the writers escape. */
static void test_writers_escape(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    if (ss_scenario_load_file(tu_fmt("%s/tests/data/export/ecs-api.yaml", tu_source_dir()), sc, &err))
        fail_msg("%s", err.msg);
    char *plain_cfg, *plain_tf, *cfg, *tf;
    assert_int_equal(ss_export_ecs_config(sc, &plain_cfg, &err), 0);
    assert_int_equal(ss_export_terraform(sc, &plain_tf, &err), 0);
    strcpy(sc->service.name, "api\nECS_CLUSTER=evil");
    strcpy(sc->name, "x\"\n}\nresource \"null\" \"y\" {");
    strcpy(sc->asgs[0].name, "api-asg\"\n}\nresource");
    strcpy(sc->providers[0].name, "api-cp\r\n\x1b");
    assert_int_equal(ss_export_ecs_config(sc, &cfg, &err), 0);
    assert_int_equal(ss_export_terraform(sc, &tf, &err), 0);
    /* ecs.config: a comment and 3 settings (ECS_CLUSTER, draining, stop timeout) */
    assert_int_equal(count_lines(plain_cfg), 4);
    assert_int_equal(count_lines(cfg), 4);
    assert_null(strstr(cfg, "\nECS_CLUSTER=evil"));
    assert_non_null(strstr(cfg, "api\\nECS_CLUSTER=evil"));
    /* main.tf: same line count, the names as escaped HCL strings */
    assert_int_equal(count_lines(tf), count_lines(plain_tf));
    assert_non_null(strstr(tf, "name                      = \"api-asg\\\"\\n}\\nresource\""));
    assert_non_null(strstr(tf, "\"api-cp\\r\\n\\u001b\""));
    assert_null(strchr(tf, '\x1b'));
    assert_null(strchr(tf, '\r'));
    free(plain_cfg);
    free(plain_tf);
    free(cfg);
    free(tf);
    free(sc);
}

/* The CLI shows a control character of an argument as \xHH. */
static void test_terminal_sees_no_control_chars(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    int rc = tu_system(tu_fmt("'%s' \"$(printf 'bad\\033[2Jcmd')\" 2>'%s/e'", tu_spotsim_bin(), dir));
    assert_int_equal(rc, 2);
    char *e = tu_read_file(tu_fmt("%s/e", dir), NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "unknown command 'bad\\x1b[2Jcmd'"));
    assert_null(strchr(e, '\x1b'));
    free(e);
    /* a message quoting a scenario value: run on a file whose name holds ESC */
    rc = tu_system(tu_fmt("'%s' run \"%s/$(printf 'x\\033y').yaml\" --db '%s/s.db' 2>'%s/e2'", tu_spotsim_bin(),
                          dir, dir, dir));
    assert_int_equal(rc, 1);
    e = tu_read_file(tu_fmt("%s/e2", dir), NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "x\\x1by.yaml: cannot open"));
    assert_null(strchr(e, '\x1b'));
    free(e);
    tu_rmtree(dir);
    free(dir);
}

static void test_scenario_limits(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    /* 1 MiB + 1 byte of comment: refused by size before parsing */
    size_t n = (1u << 20) + 1;
    char *big = malloc(n + 1);
    memset(big, '#', n);
    big[n] = 0;
    assert_int_equal(ss_scenario_load_string(big, "big.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "big.yaml: 1048577 bytes: a scenario file is at most 1048576 bytes"));
    free(big);
    /* brackets inside quotes do not count: 100 '[' in a string is fine */
    char text[1024];
    char br[101];
    memset(br, '[', 100);
    br[100] = 0;
    snprintf(text, sizeof text, "%sdescription: \"%s\"\n", base, br);
    assert_int_equal(ss_scenario_load_string(text, "q.yaml", sc, &err), 0);
    /* ...but 65 real levels do: refused at the 65th '[' */
    char deep[256] = "x: ";
    memset(deep + 3, '[', 65);
    deep[68] = 0;
    assert_int_equal(ss_scenario_load_string(deep, "d.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "d.yaml:1:68: collections nested deeper than 64 levels"));
    /* and a "]" inside quotes cannot lower the count */
    char tricky[2048] = "x: ";
    for (int i = 0; i < 65; i++)
        strcat(tricky, "[\"]\", ");
    assert_int_equal(ss_scenario_load_string(tricky, "t.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "t.yaml:1:"));
    assert_non_null(strstr(err.msg, "nested deeper than 64 levels"));
    free(sc);
}

static void test_flap_period_bounds(void **state)
{
    (void)state;
#define FLAP_FMT                                                                 \
    "market: {zones: [us-east-1a], instance_types: [m5.large],\n"              \
    "  zone_outages: [{zone: us-east-1a, start: 2020-01-01T00:00:00Z,\n"       \
    "                  end: %s, instances_lost: false, flap_period: %s}]}\n"  \
    "asg: {name: web-asg, min_size: 1, max_size: 4}\n"                         \
    "capacity_providers: [{name: web-cp, asg: web-asg}]\n"
    char text[1024];
    ss_scenario *sc = new_sc();
    ss_err err;
    snprintf(text, sizeof text, FLAP_FMT, "2020-01-04T00:00:00Z", "1ms");
    assert_int_equal(ss_scenario_load_string(text, "f.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "flap_period must be 0 (steady) or at least 5s"));
    snprintf(text, sizeof text, FLAP_FMT, "2020-01-04T00:00:00Z", "5s");
    if (ss_scenario_load_string(text, "f.yaml", sc, &err))
        fail_msg("%s", err.msg);
    /* 100 years at 5 s: 36524 days * 17280 flaps/day = 631,134,720 > 10^6 */
    snprintf(text, sizeof text, FLAP_FMT, "2120-01-01T00:00:00Z", "5s");
    assert_int_equal(ss_scenario_load_string(text, "f.yaml", sc, &err), -1);
    assert_non_null(strstr(err.msg, "631134720 flaps in the outage; at most 1000000"));
    free(sc);
}

/* A launch before 1970 (negative ms): the notice is launch + the drawn
 * lifetime, with no signed overflow (UBSan would stop the ASan build). */
static void test_pre_1970_notice(void **state)
{
    (void)state;
    ss_scenario *sc = new_sc();
    ss_err err;
    const char *text = "market: {zones: [us-east-1a], instance_types: [m5.large], interruptions: stochastic}\n"
                       "asg: {name: web-asg, min_size: 1, max_size: 4}\n"
    "capacity_providers: [{name: web-cp, asg: web-asg}]\n"
                       "horizon: {start: 1960-01-01T00:00:00Z, end: 1960-01-08T00:00:00Z}\n";
    if (ss_scenario_load_string(text, "old.yaml", sc, &err))
        fail_msg("%s", err.msg);
    ss_pool pool;
    memset(&pool, 0, sizeof pool);
    pool.hazard_per_hour = 0.01;
    pool.hazard_origin = SS_HAZARD_ADVISOR;
    ss_data d;
    memset(&d, 0, sizeof d);
    d.pools = &pool;
    d.n_types = 1;
    d.n_zones = 1;
    ss_time launch = -315619200000LL; /* 1960-01-01T00:00:00Z: -3653 days */
    ss_time t = ss_interrupt_instance_notice(sc, &d, 0, 1, 0, 42, launch);
    /* a finite lifetime (hazard 0.01/h: mean 100 h) after the launch */
    assert_true(t > launch);
    assert_true(t < SS_TIME_NEVER);
    free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_refuses_control_chars),
        cmocka_unit_test(test_reader_applies_api_name_rules),
        cmocka_unit_test(test_writers_escape),
        cmocka_unit_test(test_terminal_sees_no_control_chars),
        cmocka_unit_test(test_scenario_limits),
        cmocka_unit_test(test_flap_period_bounds),
        cmocka_unit_test(test_pre_1970_notice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
