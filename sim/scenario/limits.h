/*
 * limits.h - size and nesting limits of a scenario file, checked on the
 * text before libyaml sees it.
 *
 * libyaml's time grows with the square of the nesting depth of flow
 * collections (10^5 nested brackets: > 30 s), and a scenario needs a depth
 * of 4 or so; a scenario is also a few KiB. Both limits are far above any
 * real scenario and far below where parsing gets slow.
 */
#ifndef SPOTSIM_SCENARIO_LIMITS_H
#define SPOTSIM_SCENARIO_LIMITS_H

#include <stddef.h>

#include "sim/kernel/simtime.h"
#include "sim/kernel/util.h"

#define SS_SCENARIO_MAX_BYTES (1u << 20) /* 1 MiB */
#define SS_SCENARIO_MAX_DEPTH 64        /* nested [ ] / { } */

/* zone_outages[].flap_period: 0, or at least 5 s; at most 10^6 flaps. */
#define SS_FLAP_PERIOD_MIN (5 * SS_SECOND)
#define SS_FLAPS_MAX 1000000

/* 0, or -1 with "name:line:col: ..." in err. */
int ss_scenario_text_limits(const char *text, size_t len, const char *name, ss_err *err);

#endif
