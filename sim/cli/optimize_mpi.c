/*
 * optimize_mpi.c - the MPI driver of `spotsim optimize --mpi` (see
 * optimize_mpi.h). Only compiled when the build has SPOTSIM_MPI=ON.
 *
 * Protocol, per batch (all on MPI_COMM_WORLD):
 *   rank 0: MPI_Bcast(n)            (n <= 0: no more batches, workers return)
 *           MPI_Bcast(n slots as bytes)
 *   all:    evaluate slots k = rank, rank + size, ... (OpenMP)
 *   r > 0:  MPI_Send(its slots, packed in k order) -> rank 0
 *   rank 0: MPI_Recv from each rank, unpack to k = r, r + size, ...
 * Static interleaving keeps the protocol to two collectives and one message
 * per worker and batch; the driver sizes batches to 16 slots per thread per
 * rank, so a slow slot delays one batch, not the run.
 */
#include "sim/cli/optimize_mpi.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#define TAG_RESULTS 17

int ss_mpi_init(int *argc, char ***argv, int *rank, int *size, ss_err *err)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return ss_err_set(err, "MPI_Init_thread failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void ss_mpi_finalize(void)
{
    MPI_Finalize();
}

bool ss_mpi_all_ok(bool ok)
{
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
}

static int comm_size(void)
{
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/* Slots of rank r in a batch of n over size ranks. */
static int share(int n, int r, int size)
{
    return r < n ? (n - r + size - 1) / size : 0;
}

static int bytes_of(int n, ss_err *err, int *out)
{
    if (n < 0 || (size_t)n > (size_t)INT_MAX / sizeof(ss_opt_slot))
        return ss_err_set(err, "MPI: batch of %d slots is too large for one message", n);
    *out = (int)((size_t)n * sizeof(ss_opt_slot));
    return 0;
}

int ss_mpi_batch(void *vctx, ss_opt_slot *slots, int n, ss_err *err)
{
    const ss_mpi_ctx *mc = vctx;
    int size = comm_size(), nbytes = 0;
    if (bytes_of(n, err, &nbytes))
        return -1;
    int hdr = n;
    if (MPI_Bcast(&hdr, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS ||
        MPI_Bcast(slots, nbytes, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return ss_err_set(err, "MPI: cannot broadcast a batch of %d slots", n);
    ss_optimize_eval_slots(mc->fn, mc->ctx, slots, n, 0, size, mc->threads);
    int most = share(n, 1, size);
    ss_opt_slot *buf = ss_malloc(sizeof *buf * (size_t)(most > 0 ? most : 1));
    int rc = 0;
    for (int r = 1; r < size && !rc; r++) {
        int m = share(n, r, size), mb = 0;
        if (m == 0)
            continue;
        bytes_of(m, err, &mb);
        MPI_Status st;
        int got = 0;
        if (MPI_Recv(buf, mb, MPI_BYTE, r, TAG_RESULTS, MPI_COMM_WORLD, &st) != MPI_SUCCESS ||
            MPI_Get_count(&st, MPI_BYTE, &got) != MPI_SUCCESS || got != mb) {
            rc = ss_err_set(err, "MPI: rank %d sent %d bytes of results, expected %d", r, got, mb);
            break;
        }
        for (int j = 0; j < m; j++) {
            ss_opt_slot *s = &slots[r + j * size];
            if (buf[j].cand != s->cand || buf[j].replica != s->replica) {
                rc = ss_err_set(err, "MPI: rank %d returned slot (%d, %d) for (%d, %d)", r,
                                buf[j].cand, buf[j].replica, s->cand, s->replica);
                break;
            }
            *s = buf[j];
        }
    }
    free(buf);
    return rc;
}

void ss_mpi_stop_workers(void)
{
    int hdr = 0;
    MPI_Bcast(&hdr, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

int ss_mpi_worker(const ss_mpi_ctx *mc, ss_err *err)
{
    int rank = 0, size = comm_size();
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    ss_opt_slot *slots = NULL, *out = NULL;
    size_t cap = 0, ocap = 0;
    int rc = 0;
    for (;;) {
        int n = 0, nbytes = 0;
        if (MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
            rc = ss_err_set(err, "MPI: rank %d lost rank 0", rank);
            break;
        }
        if (n <= 0)
            break;
        if (bytes_of(n, err, &nbytes)) {
            rc = -1;
            break;
        }
        SS_GROW(slots, cap, (size_t)n);
        if (MPI_Bcast(slots, nbytes, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS) {
            rc = ss_err_set(err, "MPI: rank %d cannot receive a batch", rank);
            break;
        }
        ss_optimize_eval_slots(mc->fn, mc->ctx, slots, n, rank, size, mc->threads);
        int m = share(n, rank, size), mb = 0;
        if (m == 0)
            continue;
        SS_GROW(out, ocap, (size_t)m);
        for (int j = 0; j < m; j++)
            out[j] = slots[rank + j * size];
        bytes_of(m, err, &mb);
        if (MPI_Send(out, mb, MPI_BYTE, 0, TAG_RESULTS, MPI_COMM_WORLD) != MPI_SUCCESS) {
            rc = ss_err_set(err, "MPI: rank %d cannot send its results", rank);
            break;
        }
    }
    free(slots);
    free(out);
    return rc;
}
