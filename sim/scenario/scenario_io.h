/*
 * scenario_io.h - reading scenarios (YAML) and setting parameters by path.
 *
 * Implemented in sim/scenario/scenario_load.c with libyaml. Errors name the file,
 * line, column and key; unknown keys are errors with a "did you mean" hint.
 */
#ifndef SPOTSIM_SCENARIO_IO_H
#define SPOTSIM_SCENARIO_IO_H

#include "models/scenario.h"
#include "policies/search.h"
#include "sim/kernel/util.h"

int ss_scenario_load_file(const char *path, ss_scenario *out, ss_err *err);
/* name is used in error messages in place of a file name. */
int ss_scenario_load_string(const char *yaml, const char *name, ss_scenario *out, ss_err *err);

/* Set one parameter by its key path as written in the scenario file, with a
 * YAML scalar (or flow sequence) as value, e.g.
 *   ss_scenario_set(sc, "asg.on_demand_base_capacity", "2", err)
 *   ss_scenario_set(sc, "asg.instance_types", "[m5.large, c5.large]", err)
 * Validates as the reader does. Used by the optimizer for candidates. */
int ss_scenario_set(ss_scenario *sc, const char *path, const char *value, ss_err *err);

/* Check cross-field rules (min <= desired <= max, known indices, ...). */
int ss_scenario_validate(const ss_scenario *sc, ss_err *err);

/* The one rule for an availability SLO, wherever it is given: "99.9%" (a
 * percentage, sign required) or "0.999" (a fraction below 1). A bare number
 * >= 1 ("99.9", "1") can be read two ways and is refused with a message that
 * says how to write it. "0" (no SLO) only when allow_zero. */
int ss_slo_parse(const char *text, bool allow_zero, double *frac, ss_err *err);

/* ss_scenario_set + ss_scenario_validate, for search spaces (ss_space.bind). */
extern const ss_param_binder ss_scenario_binder;

/* Stable 64-bit hash of the scenario's effective content (hex in buf[17]). */
void ss_scenario_hash(const ss_scenario *sc, char buf[17]);

#endif
