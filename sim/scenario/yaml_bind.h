/*
 * yaml_bind.h - a table-driven binder from YAML nodes to C structs.
 *
 * One key table per section (name, type, offset, range, enum names, default,
 * AWS name, description) serves four consumers at once: the scenario reader
 * (libyaml document -> struct), ss_scenario_set (dotted path + scalar text ->
 * struct), the canonical serialisation behind ss_scenario_hash, and the key
 * reference in docs/scenario.md (a test checks that every key of the table
 * appears there). Keeping all four on one table is what keeps them in step.
 *
 * Only sim/scenario/scenario_load.c defines tables; this header exists so that the
 * engine (sim/scenario/yaml_bind.c) and the tables can live in separate files and so
 * that tests can walk the table.
 */
#ifndef SPOTSIM_YAML_BIND_H
#define SPOTSIM_YAML_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "models/scenario.h"
#include "sim/kernel/util.h"

typedef enum ss_bind_kind {
    SS_B_INT,      /* int, range [lo, hi] */
    SS_B_U64,      /* uint64_t */
    SS_B_DOUBLE,   /* double, range [lo, hi]; SS_BF_FRACTION accepts "99.9%" */
    SS_B_BOOL,     /* bool: true/false, yes/no, on/off, enabled/disabled */
    SS_B_STR,      /* char[size] */
    SS_B_DURATION, /* ss_time from "90s", "5m", or seconds; range in seconds */
    SS_B_TIME,     /* ss_time from an ISO-8601 timestamp */
    SS_B_PERCENT,  /* int from 20 or "20%", range [lo, hi] */
    SS_B_ENUM,     /* int or bool (size) from names[] ("canonical|alias") */
    SS_B_DIST,     /* ss_dist: a duration (fixed) or {dist, median, sigma, ...} */
    SS_B_STRLIST,  /* char[max][size] + int count at count_off */
    SS_B_SECTION,  /* nested mapping (sub), at off */
    SS_B_LIST,     /* sequence of mappings: elem[max] of size at off, count at count_off */
    SS_B_CUSTOM    /* handled by fn / write */
} ss_bind_kind;

/* Flags */
#define SS_BF_NOHASH 1u   /* not part of the simulation inputs (name, search, ...) */
#define SS_BF_FRACTION 2u /* DOUBLE in [0,1] that also accepts "NN%" */
#define SS_BF_SINGLE 4u   /* LIST key written as one mapping = element 0 (`asg:`) */
#define SS_BF_NODOC 8u    /* alias already documented under another path */
#define SS_BF_OPTNEG 16u  /* INT/PERCENT: -1 means unset (and is accepted) */
#define SS_BF_SLO 32u     /* DOUBLE: an availability SLO read by ss_slo_parse ("99.9%" or 0.999) */
#define SS_BF_TEXT 64u    /* STR: free text, may hold line breaks and tabs */

typedef struct ss_bind_ctx ss_bind_ctx;
typedef struct ss_bind_key ss_bind_key;
typedef struct ss_bind_section ss_bind_section;

/* A value to bind: a node of a libyaml document, or (ss_scenario_set with a
 * plain scalar) bare text with no document. */
typedef struct ss_bind_value {
    yaml_document_t *doc; /* NULL: text only */
    yaml_node_t *node;    /* NULL: text only */
    const char *text;     /* scalar text (NUL-terminated) or NULL if not a scalar */
    int line, col;        /* 1-based position, 0 = unknown */
} ss_bind_value;


typedef int (*ss_bind_fn)(ss_bind_ctx *c, const ss_bind_key *k, void *base,
                          const ss_bind_value *v);
typedef void (*ss_bind_write_fn)(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                                 ss_buf *out);
typedef void (*ss_bind_init_fn)(void *elem);
typedef int (*ss_bind_fin_fn)(ss_bind_ctx *c, void *elem, const ss_bind_value *v);

struct ss_bind_key {
    const char *name;
    ss_bind_kind kind;
    size_t off;               /* field offset from the section's base */
    size_t size;              /* STR/STRLIST: capacity; ENUM: storage size; LIST: element size */
    double lo, hi;            /* range (INT, DOUBLE, PERCENT, DURATION in s) */
    const char *const *names; /* ENUM: NULL-terminated, "canonical|alias" */
    const ss_bind_section *sub; /* SECTION, LIST element */
    size_t count_off;         /* LIST, STRLIST: offset of the int count */
    int max;                  /* LIST, STRLIST: capacity */
    ss_bind_init_fn init;     /* LIST: element defaults */
    ss_bind_fin_fn fin;       /* LIST: check/complete an element after reading (may be NULL) */
    ss_bind_fn fn;            /* CUSTOM reader */
    ss_bind_write_fn write;   /* CUSTOM canonical writer (NULL = not serialised) */
    const char *scalar_key;   /* LIST: an item written as a scalar sets this key */
    unsigned flags;
    int (*check)(const char *s, char *why, size_t n); /* STR: a name rule (names.h), or NULL */
    const char *type_doc;     /* type as shown in the docs */
    const char *def;          /* default as shown in the docs */
    const char *aws;          /* AWS / ECS / Kubernetes name */
    const char *doc;          /* one-line description */
};

struct ss_bind_section {
    const char *name;
    const ss_bind_key *keys;
    size_t n_keys;
    size_t size; /* size of the struct the keys are offsets into */
};

/* The context of one bind operation (a file load or one ss_scenario_set). */
struct ss_bind_ctx {
    const char *file;  /* for messages; NULL = ss_scenario_set (no position) */
    ss_scenario *sc;   /* the scenario being filled (for name resolution) */
    ss_err *err;
    char path[SS_PATH_MAX]; /* current key path, e.g. asgs[1].min_size */
    size_t path_len;
    /* positions of the keys applied (loader only), for validation messages */
    struct ss_bind_pos *pos;
    size_t n_pos, cap_pos;
    ss_scenario *scratch; /* loader: scratch copy for checking search values */
};

typedef struct ss_bind_pos {
    char path[128];
    int line, col;
} ss_bind_pos;

/* ---- Engine -------------------------------------------------------------- */

/* Fail with "FILE:LINE:COL: key 'PATH': message" (or "key 'PATH': message"
 * without a file). Returns -1. */
int ss_bind_fail(ss_bind_ctx *c, const ss_bind_value *v, const char *fmt, ...) SS_PRINTF(3, 4);

/* Apply a mapping value to the keys of section s (base = the struct). Keys are
 * applied in table order, not document order, so that names a key refers to
 * (market types, ASG names) are known before they are used. */
int ss_bind_mapping(ss_bind_ctx *c, const ss_bind_section *s, void *base, const ss_bind_value *v);
/* Apply one key's value. */
int ss_bind_key_apply(ss_bind_ctx *c, const ss_bind_key *k, void *base, const ss_bind_value *v);

/* Value of a node (child of v's document). */
ss_bind_value ss_bind_node(const ss_bind_value *parent, yaml_node_t *node);
/* Sequence items of v (n set), NULL if v is not a sequence. */
yaml_node_item_t *ss_bind_seq(const ss_bind_value *v, size_t *n);

/* Parse helpers shared with custom handlers. */
int ss_bind_parse_int(const char *s, long long *out);
int ss_bind_parse_double(const char *s, double *out);
int ss_bind_enum_lookup(const char *const *names, const char *s);
/* "did you mean": the name at(user, i), i < n, closest to s; NULL if none is
 * close enough to be a typo. ss_bind_names_at reads a NULL-terminated array
 * (n = SIZE_MAX). Names may be "canonical|alias" (the canonical is returned). */
typedef const char *(*ss_bind_name_at)(const void *user, size_t i);
const char *ss_bind_names_at(const void *names, size_t i);
const char *ss_bind_suggest(const char *s, ss_bind_name_at at, const void *user, size_t n);

/* Path push/pop on the context ("name", "[i]"). */
size_t ss_bind_push(ss_bind_ctx *c, const char *seg, int index);
void ss_bind_pop(ss_bind_ctx *c, size_t mark);

/* Resolve a dotted path ("asgs[1].min_size", "asg.x" = asgs[0]) to its key,
 * the section holding it and the base struct it applies to. sc may be NULL
 * (then *base is NULL and indices are not bounds-checked: used to check that
 * a path names a key). sec may be NULL. */
int ss_bind_resolve(const ss_bind_section *root, ss_scenario *sc, const char *path,
                    const ss_bind_key **key, const ss_bind_section **sec, void **base,
                    ss_err *err);

/* Canonical serialisation "path=value\n" of every hashed key. */
void ss_bind_write_section(const ss_scenario *sc, const ss_bind_section *s, const void *base,
                           const char *prefix, ss_buf *out);
/* Write one non-custom key's value (for custom writers composing others). */
void ss_bind_write_value(const ss_scenario *sc, const ss_bind_key *k, const void *base,
                         ss_buf *out);

/* Walk every documented key: fn(path, key) with list paths as "asgs[].x". */
typedef void (*ss_bind_walk_fn)(const char *path, const ss_bind_key *k, void *user);
void ss_bind_walk(const ss_bind_section *s, const char *prefix, ss_bind_walk_fn fn, void *user);

/* The scenario's root table (defined in sim/scenario/scenario_load.c). */
const ss_bind_section *ss_scenario_root_section(void);

#endif
