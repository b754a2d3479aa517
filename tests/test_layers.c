/*
 * test_layers.c - the include rules of the tree (README, "Layout").
 *
 * Dependencies point one way:
 *
 *   sim/kernel <- datasets <- models <- policies <- sim/scenario, sim/report <- sim/cli
 *
 * Every source file's project includes (#include "dir/file.h"), followed
 * transitively through the headers they include, must stay in the rooms its
 * own room may see. models/ see of datasets/ only the plain market data
 * (market_spec.h, market_data.h, interrupt_fit.h), never the store, the
 * importers or the loader: they get their data handed in. The checker is
 * also run on small synthetic trees with known violations, so that a checker
 * that found nothing could not pass.
 */
#include "tests/testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rule {
    const char *room;            /* path prefix of the files the rule is for */
    const char *allowed[12];     /* path prefixes (or exact headers) they may include */
} rule;

static const rule rules[] = {
    {"sim/kernel/", {"sim/kernel/"}},
    {"datasets/", {"sim/kernel/", "datasets/"}},
    {"models/",
     {"sim/kernel/", "datasets/market_spec.h", "datasets/market_data.h", "datasets/interrupt_fit.h",
      "models/"}},
    {"policies/", {"sim/kernel/", "datasets/", "models/", "policies/"}},
    {"sim/scenario/", {"sim/kernel/", "datasets/", "models/", "policies/", "sim/scenario/"}},
    {"sim/report/", {"sim/kernel/", "datasets/", "models/", "policies/", "sim/report/"}},
    {"sim/cli/",
     {"sim/kernel/", "datasets/", "models/", "policies/", "sim/scenario/", "sim/report/",
      "sim/cli/"}},
};

static const char *const rooms[] = {"sim/kernel", "datasets", "models", "policies",
                                    "sim/scenario", "sim/report", "sim/cli"};

/* ---- a tiny include graph ----------------------------------------------------- */

#define MAX_FILES 512
#define MAX_INC 64

typedef struct node {
    char path[256];
    char inc[MAX_INC][256];
    int n_inc;
} node;

typedef struct graph {
    node f[MAX_FILES];
    int n;
} graph;

static void read_includes(const char *root, node *nd)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", root, nd->path);
    FILE *fp = fopen(full, "r");
    assert_non_null(fp);
    char line[1024];
    while (fgets(line, sizeof line, fp)) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, "#include \"", 10))
            continue;
        p += 10;
        const char *q = strchr(p, '"');
        if (!q || !strchr(p, '/') || strchr(p, '/') > q)
            continue; /* not a project path ("dir/file.h") */
        if (nd->n_inc < MAX_INC) {
            snprintf(nd->inc[nd->n_inc], sizeof nd->inc[0], "%.*s", (int)(q - p), p);
            nd->n_inc++;
        }
    }
    fclose(fp);
}

static void scan_dir(const char *root, const char *dir, graph *g)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", root, dir);
    DIR *d = opendir(full);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 3 || e->d_name[0] == '.' ||
            (strcmp(e->d_name + l - 2, ".c") != 0 && strcmp(e->d_name + l - 2, ".h") != 0))
            continue;
        assert_true(g->n < MAX_FILES);
        node *nd = &g->f[g->n++];
        memset(nd, 0, sizeof *nd);
        snprintf(nd->path, sizeof nd->path, "%s/%s", dir, e->d_name);
        read_includes(root, nd);
    }
    closedir(d);
}

static int find(const graph *g, const char *path)
{
    for (int i = 0; i < g->n; i++)
        if (!strcmp(g->f[i].path, path))
            return i;
    return -1;
}

static bool allowed(const rule *r, const char *inc)
{
    for (int i = 0; i < 12 && r->allowed[i]; i++) {
        size_t l = strlen(r->allowed[i]);
        if (r->allowed[i][l - 1] == '/' ? !strncmp(inc, r->allowed[i], l) : !strcmp(inc, r->allowed[i]))
            return true;
    }
    return false;
}

/* Violations in the tree at root: each printed as "file: includes X (via Y)". */
static int check_tree(const char *root)
{
    graph *g = calloc(1, sizeof *g);
    assert_non_null(g);
    for (size_t i = 0; i < sizeof rooms / sizeof rooms[0]; i++)
        scan_dir(root, rooms[i], g);
    int bad = 0;
    for (int i = 0; i < g->n; i++) {
        const rule *r = NULL;
        for (size_t k = 0; k < sizeof rules / sizeof rules[0]; k++)
            if (!strncmp(g->f[i].path, rules[k].room, strlen(rules[k].room)))
                r = &rules[k];
        if (!r)
            continue;
        /* breadth-first over the include closure, remembering the first hop */
        int queue[MAX_FILES], via[MAX_FILES], head = 0, tail = 0;
        bool seen[MAX_FILES] = {false};
        seen[i] = true;
        queue[tail] = i;
        via[tail++] = -1;
        while (head < tail) {
            int cur = queue[head], hop = via[head++];
            for (int j = 0; j < g->f[cur].n_inc; j++) {
                const char *inc = g->f[cur].inc[j];
                if (!allowed(r, inc)) {
                    printf("layers: %s includes %s%s%s\n", g->f[i].path, inc,
                           hop >= 0 ? " via " : "", hop >= 0 ? g->f[hop].path : "");
                    bad++;
                    continue;
                }
                int t = find(g, inc);
                if (t < 0) {
                    if (strncmp(inc, "tests/", 6)) {
                        printf("layers: %s includes %s, which does not exist\n", g->f[cur].path, inc);
                        bad++;
                    }
                    continue;
                }
                if (!seen[t]) {
                    seen[t] = true;
                    queue[tail] = t;
                    via[tail++] = hop >= 0 ? hop : t;
                }
            }
        }
    }
    free(g);
    return bad;
}

static void test_tree_follows_rules(void **state)
{
    (void)state;
    assert_int_equal(check_tree(tu_source_dir()), 0);
}

/* ---- the checker itself ------------------------------------------------------- */

static void put(const char *dir, const char *path, const char *text)
{
    char full[1024];
    snprintf(full, sizeof full, "%s/%s", dir, path);
    char *slash = strrchr(full, '/');
    *slash = '\0';
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", full);
    assert_int_equal(tu_system(cmd), 0);
    *slash = '/';
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_checker_finds_violations(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    put(dir, "sim/kernel/evq.h", "#include <stdio.h>\n");
    put(dir, "datasets/store.h", "#include \"sim/kernel/evq.h\"\n");
    put(dir, "datasets/market_data.h", "#include \"sim/kernel/evq.h\"\n");
    put(dir, "models/fleet.c", "#include \"datasets/market_data.h\"\n#include \"models/fleet.h\"\n");
    put(dir, "models/fleet.h", "#include \"sim/kernel/evq.h\"\n");
    put(dir, "policies/search.h", "#include \"models/fleet.h\"\n");
    assert_int_equal(check_tree(dir), 0); /* a clean tree */

    /* 1 direct: models -> policies; 1 transitive: models/fleet.c reaches the store via its header */
    put(dir, "models/k8s.c", "#include \"policies/search.h\"\n");
    put(dir, "models/fleet.h", "#include \"datasets/store.h\"\n");
    assert_int_equal(check_tree(dir), 3); /* k8s.c (direct) and via search.h -> fleet.h -> store; fleet.h */
    put(dir, "models/k8s.c", "\n");
    put(dir, "models/fleet.h", "#include \"sim/kernel/evq.h\"\n");
    /* the kernel must not know a layer above it; a stale path is reported too */
    put(dir, "sim/kernel/rng.c", "#include \"datasets/store.h\"\n#include \"sim/kernel/gone.h\"\n");
    assert_int_equal(check_tree(dir), 2);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree_follows_rules),
        cmocka_unit_test(test_checker_finds_violations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
