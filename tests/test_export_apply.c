/*
 * test_export_apply.c - exports that can be applied as they are (issue 15):
 *   - every export of every bundled example and of the export fixture is
 *     valid against the real AWS API models (Debian's python3-botocore, with
 *     botocore's own validator) and the pinned Kubernetes/eksctl schemas
 *     (tests/tools/validate_exports.py); a broken file is rejected, so the
 *     check can fail;
 *   - every main.tf parses as HCL and is unchanged by hclwrite.Format, the
 *     formatter `terraform fmt` runs (tests/tools/hclfmt, built from Debian's
 *     golang-github-hashicorp-hcl-v2-dev);
 *   - `export --format k8s-yaml` of an ECS scenario is refused (exit 1);
 *   - `export SCENARIO --optimization ID` with another scenario is refused;
 *     without SCENARIO the stored one is used;
 *   - `export --json` names the files and the placeholders left.
 */
#include "tests/testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sim/kernel/util.h"
#include "tests/optimize_cli.h"

static const char *bin(void) { return tu_spotsim_bin(); }

static const char *build_dir(void)
{
    const char *b = getenv("SPOTSIM_BUILD_DIR");
    if (!b)
        fail_msg("SPOTSIM_BUILD_DIR is not set (run the tests through ctest)");
    return b;
}

/* Build tests/tools/hclfmt once (offline: GOPATH is Debian's gocode). */
static const char *hclfmt(void)
{
    static char path[1024];
    if (path[0])
        return path;
    snprintf(path, sizeof path, "%s/hclfmt", build_dir());
    int rc = tu_system(tu_fmt("cd '%s/tests/tools/hclfmt' && GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= "
                              "GOCACHE='%s/gocache' HOME='%s' go build -o '%s' main.go",
                              tu_source_dir(), build_dir(), build_dir(), path));
    if (rc != 0)
        fail_msg("cannot build tests/tools/hclfmt (exit %d): scripts/deps installs golang-go and "
                 "golang-github-hashicorp-hcl-v2-dev",
                 rc);
    return path;
}

static void export_ok(const char *args)
{
    int rc = tu_system(tu_fmt("'%s' export %s >/dev/null", bin(), args));
    if (rc != 0)
        fail_msg("spotsim export %s exited %d", args, rc);
}

/* Write text to tmp/name (directories created). */
static void put(const char *tmp, const char *name, const char *text)
{
    const char *path = tu_fmt("%s/%s", tmp, name);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = 0;
    assert_int_equal(tu_system(tu_fmt("mkdir -p '%s'", dir)), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Every example, every format that fits it, through the validators (one
 * validator process for all: loading the AWS models is the slow part). */
static void test_examples_validate(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    const char *ex[] = {"ecs-api-3az-2016.yaml", "ecs-od-base-4pools-2020.yaml", "k8s-zone-spread.yaml",
                        "k8s-zone-and-capacity-spread.yaml", "k8s-zone-failure.yaml",
                        "k8s-zone-failure-mitigated.yaml"};
    for (size_t i = 0; i < SS_ARRAY_LEN(ex); i++) {
        char dir[1024], path[1024];
        snprintf(dir, sizeof dir, "%s/good/%zu", tmp, i);
        snprintf(path, sizeof path, "%s/examples/%s", tu_source_dir(), ex[i]);
        export_ok(tu_fmt("'%s' --format all --out '%s' 2>/dev/null", path, dir));
        int rc = tu_system(tu_fmt("'%s' '%s/main.tf'", hclfmt(), dir));
        if (rc != 0)
            fail_msg("%s: main.tf is not terraform-fmt clean or does not parse (exit %d; the formatted "
                     "text is above)",
                     ex[i], rc);
        /* APPLY.md lists what is left to fill */
        char *apply = tu_read_file(tu_fmt("%s/APPLY.md", dir), NULL);
        assert_non_null(apply);
        assert_non_null(strstr(apply, "<cluster-name>"));
        free(apply);
    }
    /* the fixture of test_export.c: ECS with a load balancer */
    export_ok(tu_fmt("'%s/tests/data/export/ecs-api.yaml' --format all --out '%s/good/fixture' 2>/dev/null",
                     tu_source_dir(), tmp));
    /* a minimal valid service: the check accepts what is valid */
    put(tmp, "good/min/ecs-service.json", "{\"serviceName\": \"s\", \"desiredCount\": 2}\n");
    int rc = tu_system(tu_fmt("cd '%s/good' && python3 '%s/tests/tools/validate_exports.py' $(find . -name '*.json' "
                              "-o -name '*.yaml' | sort)",
                              tmp, tu_source_dir()));
    if (rc != 0)
        fail_msg("an export fails its schema (see above)");
    /* the validators can fail: an enum misspelt, a number as a string, an
     * unknown member, a Kubernetes enum misspelt; an unaligned attribute */
    char *svc = tu_read_file(tu_fmt("%s/good/fixture/ecs-service.json", tmp), NULL);
    assert_non_null(svc);
    char *p = strstr(svc, "\"REPLICA\"");
    assert_non_null(p);
    memcpy(p, "\"REPLICO\"", 9);
    put(tmp, "bad/1/ecs-service.json", svc);
    free(svc);
    put(tmp, "bad/2/ecs-service.json", "{\"cluster\": \"c\", \"serviceName\": \"s\", \"desiredCount\": \"2\"}\n");
    put(tmp, "bad/3/ecs-service.json", "{\"serviceName\": \"s\", \"desiredCuont\": 2}\n");
    put(tmp, "bad/4/k8s.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {app: a}}\n"
        "  template:\n    spec:\n      topologySpreadConstraints:\n"
        "        - {maxSkew: 1, topologyKey: k, whenUnsatisfiable: ScheduleAnyhow}\n"
        "      containers: [{name: a}]\n");
    rc = tu_system(tu_fmt("cd '%s/bad' && python3 '%s/tests/tools/validate_exports.py' 1/ecs-service.json "
                          "2/ecs-service.json 3/ecs-service.json 4/k8s.yaml 2>'%s/bad.err'",
                          tmp, tu_source_dir(), tmp));
    assert_int_equal(rc, 1);
    char *err = tu_read_file(tu_fmt("%s/bad.err", tmp), NULL);
    assert_non_null(strstr(err, "1/ecs-service.json: CreateService.schedulingStrategy: 'REPLICO' is not one of"));
    assert_non_null(strstr(err, "2/ecs-service.json: Parameter validation failed"));
    assert_non_null(strstr(err, "Invalid type for parameter desiredCount"));
    assert_non_null(strstr(err, "3/ecs-service.json: Parameter validation failed"));
    assert_non_null(strstr(err, "Unknown parameter in input: \"desiredCuont\""));
    assert_non_null(strstr(err, "4/k8s.yaml: Deployment spec/template/spec/topologySpreadConstraints/0/"
                                "whenUnsatisfiable"));
    free(err);
    put(tmp, "bad.tf", "resource \"a\" \"b\" {\n  name = 1\n  longer = 2\n}\n");
    assert_int_equal(tu_system(tu_fmt("'%s' '%s/bad.tf' >/dev/null", hclfmt(), tmp)), 3);
    put(tmp, "broken.tf", "resource \"a\" \"b\" {\n  name = \n}\n");
    assert_int_equal(tu_system(tu_fmt("'%s' '%s/broken.tf' 2>/dev/null", hclfmt(), tmp)), 1);
    tu_rmtree(tmp);
    free(tmp);
}

/* Issue 15 item 3: exports that would describe another service are refused. */
static void test_refusals_and_hash(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char ecs[1024], db[1024];
    snprintf(ecs, sizeof ecs, "%s/examples/ecs-api-3az-2016.yaml", tu_source_dir());
    snprintf(db, sizeof db, "%s/s.db", tmp);
    /* an ECS service (16 tasks of 1024 MiB) is not a Deployment */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format k8s-yaml >'%s/out' 2>'%s/err'", bin(), ecs, tmp,
                                      tmp)),
                     1);
    char *err = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    assert_non_null(strstr(err, "orchestrator is ecs"));
    free(err);
    size_t n = 1;
    free(tu_read_file(tu_fmt("%s/out", tmp), &n));
    assert_int_equal(n, 0); /* nothing on stdout */
    /* a stored optimization of the small scenario (2 LHS candidates x 1) */
    oc_import(db);
    assert_int_equal(tu_system(tu_fmt("'%s' optimize '%s' --db '%s' --method lhs --budget 2 --replicas 1 "
                                      "--slo 0.5 --quiet --out '%s/opt' >'%s/id'",
                                      bin(), oc_scenario(), db, tmp, tmp)),
                     0);
    long id = oc_read_id(tu_fmt("%s/id", tmp));
    assert_true(id >= 1);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --db '%s' --optimization %ld --format ecs-service-json "
                                      ">'%s/a.json'",
                                      bin(), oc_scenario(), db, id, tmp)),
                     0);
    /* another file (the same scenario with one more task) is refused */
    char *text = tu_read_file(oc_scenario(), NULL);
    char *p = strstr(text, "desired_count: 12");
    assert_non_null(p);
    p[strlen("desired_count: 1")] = '3';
    FILE *f = fopen(tu_fmt("%s/other.yaml", tmp), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s/other.yaml' --db '%s' --optimization %ld --format "
                                      "ecs-service-json >/dev/null 2>'%s/err'",
                                      bin(), tmp, db, id, tmp)),
                     1);
    err = tu_read_file(tu_fmt("%s/err", tmp), NULL);
    assert_non_null(strstr(err, "is not the scenario of optimization"));
    free(err);
    /* without SCENARIO: the stored text, the same export byte for byte */
    assert_int_equal(tu_system(tu_fmt("'%s' export --db '%s' --optimization %ld --format ecs-service-json "
                                      ">'%s/b.json'",
                                      bin(), db, id, tmp)),
                     0);
    oc_same_file(tu_fmt("%s/a.json", tmp), tu_fmt("%s/b.json", tmp));
    /* the optimization wrote the whole bundle, APPLY.md included */
    char *apply = tu_read_file(tu_fmt("%s/opt/APPLY.md", tmp), NULL);
    assert_non_null(apply);
    assert_non_null(strstr(apply, "aws ecs put-cluster-capacity-providers --cli-input-json "
                                  "file://ecs-cluster-capacity-providers.json"));
    free(apply);
    tu_rmtree(tmp);
    free(tmp);
}

/* Issue 15 item 11: --json names the files written and the placeholders
 * still to fill; --set fills them (also inside the base64 user data). */
static void test_export_json(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    char ex[1024];
    snprintf(ex, sizeof ex, "%s/tests/data/export/ecs-api.yaml", tu_source_dir());
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-service-json --json >'%s/o.json'", bin(), ex,
                                      tmp)),
                     0);
    json_t *o = json_load_file(tu_fmt("%s/o.json", tmp), 0, NULL);
    assert_non_null(o);
    /* ecs-service.json of ecs-api.yaml: <cluster-name>, <target-group-arn> */
    json_t *ph = json_object_get(o, "placeholders");
    assert_int_equal(json_array_size(ph), 2);
    assert_string_equal(json_string_value(json_array_get(ph, 0)), "<cluster-name>");
    assert_string_equal(json_string_value(json_array_get(ph, 1)), "<target-group-arn>");
    json_decref(o);
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-json --out '%s/d' --json "
                                      "--set cluster-name=prod --set target-group-arn=arn:aws:elasticloadbalancing:"
                                      "us-east-1:123456789012:targetgroup/api/0123 --set security-group-id=sg-1 "
                                      "--set instance-profile-name=ecsInstanceRole --set container-image=nginx "
                                      "--set subnet-for-us-east-1a=subnet-a --set subnet-for-us-east-1b=subnet-b "
                                      "--set subnet-for-us-east-1c=subnet-c >'%s/d.json'",
                                      bin(), ex, tmp, tmp)),
                     0);
    o = json_load_file(tu_fmt("%s/d.json", tmp), 0, NULL);
    assert_non_null(o);
    /* 11 files (test_export_cli lists them); left: only the ASG ARN, known
     * after the ASG exists */
    assert_int_equal(json_array_size(json_object_get(o, "files")), 11);
    ph = json_object_get(o, "placeholders");
    assert_int_equal(json_array_size(ph), 1);
    assert_string_equal(json_string_value(json_array_get(ph, 0)), "<asg-arn-of-api-asg>");
    json_decref(o);
    char *ud = tu_read_file(tu_fmt("%s/d/user-data.sh", tmp), NULL);
    assert_non_null(strstr(ud, "ECS_CLUSTER=prod\n"));
    free(ud);
    /* a value that would break a JSON string is a usage error */
    assert_int_equal(tu_system(tu_fmt("'%s' export '%s' --format ecs-service-json --set 'cluster-name=a\"b' "
                                      ">/dev/null 2>&1",
                                      bin(), ex)),
                     2);
    tu_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_validate),
        cmocka_unit_test(test_refusals_and_hash),
        cmocka_unit_test(test_export_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
