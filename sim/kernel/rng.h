/*
 * rng.h - deterministic random streams.
 *
 * Every random number in spotsim comes from a stream identified by
 * (master seed, replica, purpose). The stream's GSL generator is seeded with
 *     seed = mix64(mix64(mix64(master) ^ replica) ^ purpose)
 * where mix64 is the SplitMix64 finaliser (sim/kernel/util.h). No rand(), no global
 * generator: two runs with the same master seed draw the same numbers
 * whatever the thread count, and streams of different (replica, purpose) are
 * statistically independent.
 *
 * Keyed draws (ss_rng_keyed_uniform) are for common random numbers: a uniform
 * in [0,1) that is a pure function of its key, so that two candidate policies
 * evaluated with the same seed see the same interruption of "slot 3 of pool 7
 * in burst 12" regardless of what else they drew.
 */
#ifndef SPOTSIM_RNG_H
#define SPOTSIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* Purposes: one stream per use, so adding draws in one model does not shift
 * the numbers of another. Append only; values are part of the output contract. */
enum ss_rng_purpose {
    SS_RNG_INTERRUPTIONS = 1,
    SS_RNG_LATENCIES = 2,
    SS_RNG_PLACEMENT = 3,
    SS_RNG_ALLOCATION = 4,
    SS_RNG_DEMAND = 5,
    SS_RNG_SEARCH = 6,
    SS_RNG_K8S = 7,
    SS_RNG_CAPACITY_MODEL = 8, /* sample paths of a fitted capacity process */
    SS_RNG_TEST = 99
};

uint64_t ss_rng_stream_seed(uint64_t master, uint64_t replica, uint64_t purpose);
/* A new GSL generator (mt19937) seeded for (master, replica, purpose). */
gsl_rng *ss_rng_new(uint64_t master, uint64_t replica, uint64_t purpose);
void ss_rng_free(gsl_rng *r);

/* Uniform in [0,1) as a pure function of the key (53-bit resolution). */
double ss_rng_keyed_uniform(uint64_t seed, uint64_t k1, uint64_t k2, uint64_t k3);

#endif
