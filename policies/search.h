/*
 * search.h - the optimizer's search space, candidates and candidate generators.
 *
 * A space is built from the scenario's `search:` block (ss_search). Each
 * parameter is a scenario key path with either a list of discrete values
 * (YAML scalars, kept as text), a numeric range with a step, or a continuous
 * numeric range. Constraints "a <= b" (also <, >=, >) relate two parameters
 * (or a parameter and a number) by their numeric values.
 *
 * A candidate is encoded as one real "gene" per parameter:
 *   - discrete values / stepped ranges: the level index 0..n_levels-1;
 *   - continuous ranges: the value itself, quantised to 6 significant digits
 *     so that its text (what ss_scenario_set receives) round-trips exactly.
 * Genetic operators (policies/nsga2.c) work on genes as reals in
 * [ss_space_gene_lo, ss_space_gene_hi] and ss_space_normalize rounds them.
 *
 * Identity: the canonical params JSON is {"path":"value text",...} with keys
 * sorted, compact; its hash (ss_hash_str, 16 hex digits) identifies a
 * candidate across methods, generations and resumed runs.
 */
#ifndef SPOTSIM_SEARCH_H
#define SPOTSIM_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/scenario.h"
#include "sim/kernel/util.h"

/* Levels used for a continuous range by the grid method. */
#define SS_GRID_CONTINUOUS_LEVELS 5
/* The grid refuses spaces larger than this (use lhs/random/nsga2). */
#define SS_GRID_MAX_POINTS 1000000.0

typedef enum ss_param_kind {
    SS_PARAM_VALUES = 0,  /* discrete list of YAML scalars */
    SS_PARAM_STEPPED,     /* lo, lo+step, ..., <= hi */
    SS_PARAM_CONTINUOUS   /* [lo, hi] */
} ss_param_kind;

typedef struct ss_space_param {
    char path[SS_PATH_MAX];
    ss_param_kind kind;
    int n_levels;                /* VALUES, STEPPED; 0 for CONTINUOUS */
    double lo, hi, step;
    bool integer;
    char values[SS_MAX_SEARCH_VALUES][SS_NAME_MAX]; /* VALUES */
    bool numeric;                /* every level has a numeric value */
    double num[SS_MAX_SEARCH_VALUES];               /* VALUES, when numeric */
} ss_space_param;

typedef enum ss_cmp_op { SS_CMP_LE = 0, SS_CMP_LT, SS_CMP_GE, SS_CMP_GT } ss_cmp_op;

typedef struct ss_space_constraint {
    int a, b;           /* parameter indices; -1 = the constant */
    double ca, cb;      /* constants when a / b is -1 */
    ss_cmp_op op;
} ss_space_constraint;

/* How a candidate's parameters are set on a scenario: by key path as written
 * in the scenario file, then the cross-field rules checked. The scenario
 * reader owns the key paths and supplies this (ss_scenario_binder in
 * sim/scenario/scenario_io.h); whoever builds a space for evaluation sets
 * ss_space.bind. */
typedef struct ss_param_binder {
    int (*set)(ss_scenario *sc, const char *path, const char *value, ss_err *err);
    int (*validate)(const ss_scenario *sc, ss_err *err);
} ss_param_binder;

typedef struct ss_space {
    const ss_param_binder *bind; /* NULL: candidates cannot be applied to a scenario */
    int n;
    ss_space_param p[SS_MAX_SEARCH_PARAMS];
    int n_constraints;
    ss_space_constraint c[SS_MAX_CONSTRAINTS];
} ss_space;

typedef struct ss_candidate {
    int id;            /* position in the optimization (0-based) */
    int generation;    /* NSGA-II generation, 0 otherwise */
    int n;             /* = space.n */
    double x[SS_MAX_SEARCH_PARAMS];
} ss_candidate;

/* Build the space from a search block; errors name the parameter index and path. */
int ss_space_build(const ss_search *s, ss_space *sp, ss_err *err);
/* Add one parameter / constraint programmatically (tests, tools). */
int ss_space_add_values(ss_space *sp, const char *path, const char *const *values, int n,
                        ss_err *err);
int ss_space_add_range(ss_space *sp, const char *path, double lo, double hi, double step,
                       bool integer, ss_err *err);
int ss_space_add_constraint(ss_space *sp, const char *text, ss_err *err);

double ss_space_gene_lo(const ss_space *sp, int i);
double ss_space_gene_hi(const ss_space *sp, int i);
/* Clamp, round level genes, quantise continuous genes. */
void ss_space_normalize(const ss_space *sp, ss_candidate *c);
/* Numeric value of parameter i (NAN for a non-numeric discrete value). */
double ss_space_numeric(const ss_space *sp, const ss_candidate *c, int i);
/* Text of parameter i as given to ss_scenario_set. */
void ss_space_value_text(const ss_space *sp, const ss_candidate *c, int i, char *buf, size_t n);
bool ss_space_feasible(const ss_space *sp, const ss_candidate *c);
/* Canonical params JSON (malloc'd) and its hash. */
char *ss_space_params_json(const ss_space *sp, const ss_candidate *c);
void ss_space_params_hash(const char *json, char out[17]);
/* Decode a canonical params JSON back into a candidate of this space. */
int ss_space_parse_json(const ss_space *sp, const char *json, ss_candidate *c, ss_err *err);

/* Number of grid points before constraints (continuous: SS_GRID_CONTINUOUS_LEVELS). */
double ss_space_grid_size(const ss_space *sp);

/* A generator of search candidates. *out is malloc'd (free), *n its length.
 * Candidates are normalized, feasible, unique (by params hash) and numbered
 * 0..n-1 in generation order. */
int ss_grid_generate(const ss_space *sp, ss_candidate **out, int *n, ss_err *err);
/* Latin hypercube: budget points, each parameter's [0,1) split into budget
 * strata with one point per stratum (then mapped to levels/values);
 * infeasible and duplicate points are dropped. */
int ss_lhs_generate(const ss_space *sp, uint64_t seed, int budget, ss_candidate **out, int *n,
                    ss_err *err);
/* Uniform random sampling: up to budget unique feasible points. */
int ss_random_generate(const ss_space *sp, uint64_t seed, int budget, ss_candidate **out, int *n,
                       ss_err *err);
/* Raw LHS unit-cube sample (budget x dims, row-major), for tests. */
void ss_lhs_unit(uint64_t seed, int budget, int dims, double *u);

/* The search random stream for (seed, sub): documented in sim/kernel/rng.h as
 * purpose SS_RNG_SEARCH; sub separates generators (lhs, random, nsga2). */
gsl_rng *ss_search_rng(uint64_t seed, uint64_t sub);

/* Helper for generators: keep c if feasible and new; returns 1 if kept. */
typedef struct ss_cand_set ss_cand_set;
ss_cand_set *ss_cand_set_new(void);
void ss_cand_set_free(ss_cand_set *s);
int ss_cand_set_add(ss_cand_set *s, const char *hash);  /* 1 added, 0 present */
int ss_cand_set_find(const ss_cand_set *s, const char *hash); /* index or -1 */
/* Normalize c; if feasible and not in set, append to (*arr, *n, *cap) with
 * id = *n and return 1; else 0. */
int ss_space_accept(const ss_space *sp, ss_cand_set *set, ss_candidate *c, ss_candidate **arr,
                    int *n, size_t *cap);

#endif
