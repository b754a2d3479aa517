/*
 * rng.c - seeded GSL streams and keyed uniforms (see rng.h for the contract).
 *
 * GSL's mt19937 takes a 32-bit seed (gsl_rng_set keeps the low 32 bits), so
 * the 64-bit stream seed is folded (hi ^ lo) before seeding; distinct
 * (master, replica, purpose) triples therefore map to 2^32 possible streams.
 * Zero is avoided because GSL maps seed 0 to its default seed.
 */
#include "sim/kernel/rng.h"

#include "sim/kernel/util.h"

uint64_t ss_rng_stream_seed(uint64_t master, uint64_t replica, uint64_t purpose)
{
    return ss_mix64(ss_mix64(ss_mix64(master) ^ replica) ^ purpose);
}

gsl_rng *ss_rng_new(uint64_t master, uint64_t replica, uint64_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        ss_fatal("out of memory allocating a random stream");
    uint64_t s = ss_rng_stream_seed(master, replica, purpose);
    unsigned long folded = (unsigned long)((s >> 32) ^ (s & 0xffffffffu));
    gsl_rng_set(r, folded ? folded : 0x9e3779b9ul);
    return r;
}

void ss_rng_free(gsl_rng *r) { gsl_rng_free(r); }

double ss_rng_keyed_uniform(uint64_t seed, uint64_t k1, uint64_t k2, uint64_t k3)
{
    uint64_t h = ss_mix64(ss_mix64(ss_mix64(seed ^ 0x5bd1e9955bd1e995ULL) ^ k1) ^ k2);
    h = ss_mix64(h ^ k3);
    return (double)(h >> 11) * 0x1.0p-53;
}
