/*
 * nsga2.h - NSGA-II (Deb et al. 2002) over a search space, ask/tell style so
 * that the orchestrator evaluates each generation in parallel and can resume.
 *
 * Genes of continuous parameters use simulated binary crossover (SBX,
 * eta 15, per-gene probability 0.5) and polynomial mutation (eta 20); level
 * genes (discrete values, stepped ranges) use uniform crossover and random
 * reset mutation. Mutation probability per gene 1/n_params; crossover
 * probability per pair 0.9. Parents by binary tournament on (rank, crowding
 * distance). The random stream is ss_search_rng(seed, 0): the same seed and
 * the same told values give the same generations.
 */
#ifndef SPOTSIM_NSGA2_H
#define SPOTSIM_NSGA2_H

#include "policies/search.h"

typedef struct ss_nsga2 ss_nsga2;

ss_nsga2 *ss_nsga2_new(const ss_space *sp, uint64_t seed, int population);
void ss_nsga2_free(ss_nsga2 *g);

/* Generation 0: `population` feasible candidates (Latin hypercube, topped up
 * with random points). *out malloc'd; ids are left 0 (the caller numbers). */
void ss_nsga2_initial(ss_nsga2 *g, ss_candidate **out, int *n);
/* Report the objective values (both minimised; NAN or inf = failed) of the
 * candidates of the last generation; environmental selection follows. */
void ss_nsga2_tell(ss_nsga2 *g, const ss_candidate *c, const double (*f)[2], int n);
/* Offspring of the current parent population (size `population`, feasible
 * when the operators found one within a few tries, else a parent copy). */
void ss_nsga2_ask(ss_nsga2 *g, ss_candidate **out, int *n);

/* Fast non-dominated sort + crowding distance of n minimisation points:
 * rank[i] (0 = first front) and crowd[i] (inf at the front's extremes). */
void ss_nsga2_rank(int n, const double (*f)[2], int *rank, double *crowd);

#endif
