/*
 * optimize_mpi.h - `spotsim optimize --mpi`: the optimizer's evaluations
 * spread over the ranks of an MPI job (sim/cli/optimize_mpi.c, compiled only
 * when the build has SPOTSIM_MPI=ON, which defines SPOTSIM_HAVE_MPI).
 *
 * Roles: rank 0 runs the driver (ss_optimize_run) exactly as a single
 * process does - candidate generation, storage, resume, outputs - with
 * ss_mpi_batch as its batch evaluator; every other rank runs
 * ss_mpi_worker. A batch is broadcast to all ranks; rank r evaluates the
 * slots k with k % size == r (static interleaving, OpenMP inside each
 * rank) and sends them back to rank 0, which folds them in slot order.
 * Since every slot's result depends only on (scenario, data, candidate,
 * replica), the outputs are byte-identical to a single-process run.
 *
 * Slots travel as raw bytes (ss_opt_slot is plain data): every rank must
 * run the same spotsim build on the same architecture.
 */
#ifndef SPOTSIM_OPTIMIZE_MPI_H
#define SPOTSIM_OPTIMIZE_MPI_H

#include <stdbool.h>

#include "policies/optimize.h"

/* MPI_Init_thread (funneled: only the main thread calls MPI); rank and size. */
int ss_mpi_init(int *argc, char ***argv, int *rank, int *size, ss_err *err);
void ss_mpi_finalize(void);
/* Collective: true when every rank passed ok (a failed setup on any rank
 * stops all of them before the first batch). */
bool ss_mpi_all_ok(bool ok);

typedef struct ss_mpi_ctx {
    ss_eval_fn fn;       /* this rank's evaluator */
    void *ctx;
    int threads;         /* OpenMP threads per rank (0 = default) */
} ss_mpi_ctx;

/* Rank 0's ss_batch_fn (ctx: ss_mpi_ctx). */
int ss_mpi_batch(void *ctx, ss_opt_slot *slots, int n, ss_err *err);
/* Rank 0: tell the workers there are no more batches. */
void ss_mpi_stop_workers(void);
/* Ranks > 0: evaluate this rank's share of each broadcast batch until rank 0
 * stops the workers. Returns 0, or -1 on a communication failure. */
int ss_mpi_worker(const ss_mpi_ctx *mc, ss_err *err);

#endif
