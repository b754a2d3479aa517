/*
 * evq.h - the future-event list and typed dispatch of the discrete-event kernel.
 *
 * Events are ordered by (time, class, insertion sequence): equal-time events
 * run first-in first-out, deterministically, urgent ones (ss_evq_schedule_
 * urgent) before the others. Every scheduled event gets a handle;
 * cancel and reschedule by handle are O(log n) and safe when the event has
 * already fired or was already cancelled (handles carry a generation number).
 * Event records live in a slab that is reused, so steady-state scheduling
 * performs no allocation.
 *
 * The kernel knows nothing of AWS, ECS or Kubernetes: an event is a small
 * integer type, an opaque pointer and two integer arguments; models register
 * one handler per type.
 */
#ifndef SPOTSIM_EVQ_H
#define SPOTSIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/kernel/simtime.h"

typedef struct ss_evq ss_evq;

/* Opaque handle: slot index (low 32 bits) and generation (high 32 bits).
 * SS_EV_NONE is never a valid handle. */
typedef uint64_t ss_ev_handle;
#define SS_EV_NONE ((ss_ev_handle)0)

typedef struct ss_event {
    ss_time time;
    uint64_t seq;      /* insertion sequence: FIFO among equal times */
    uint16_t type;     /* index into the handler table */
    void *obj;         /* model object the event concerns */
    int64_t a, b;      /* small payload */
    ss_ev_handle handle;
} ss_event;

typedef void (*ss_ev_handler)(ss_evq *q, const ss_event *ev, void *ctx);

#define SS_EV_MAX_TYPES 64

ss_evq *ss_evq_new(size_t capacity_hint);
void ss_evq_free(ss_evq *q);
/* Drop all pending events and reset the clock to t0 (keeps handlers). */
void ss_evq_reset(ss_evq *q, ss_time t0);

/* Register the handler of an event type (0 <= type < SS_EV_MAX_TYPES). */
void ss_evq_on(ss_evq *q, uint16_t type, ss_ev_handler fn, void *ctx);

/* Schedule at absolute time t (t >= now; earlier times are clamped to now). */
ss_ev_handle ss_evq_schedule(ss_evq *q, ss_time t, uint16_t type, void *obj, int64_t a, int64_t b);
/* Schedule an urgent event: it runs before every event of the same time
 * scheduled with ss_evq_schedule, whenever that one was scheduled (FIFO
 * among urgent events of one time). For state changes that everything else
 * at that instant must see (a model's environment changing). Its ss_event
 * seq reads 0. Cancel and reschedule work as for any event. */
ss_ev_handle ss_evq_schedule_urgent(ss_evq *q, ss_time t, uint16_t type, void *obj, int64_t a,
                                    int64_t b);
/* Cancel: returns true if the event was pending and is now removed. */
bool ss_evq_cancel(ss_evq *q, ss_ev_handle h);
/* Move a pending event to time t (it gets a new sequence number, as if newly
 * scheduled). Returns false if the handle is no longer pending. */
bool ss_evq_reschedule(ss_evq *q, ss_ev_handle h, ss_time t);
bool ss_evq_pending(const ss_evq *q, ss_ev_handle h);

size_t ss_evq_size(const ss_evq *q);
ss_time ss_evq_now(const ss_evq *q);
/* Earliest pending event, or NULL. The pointer is valid until the next call
 * that modifies the queue. */
const ss_event *ss_evq_peek(const ss_evq *q);
/* Remove the earliest event into *out and advance the clock to its time.
 * Returns false when empty. Does not dispatch. */
bool ss_evq_pop(ss_evq *q, ss_event *out);
/* Progress of long runs: fn(now) every 65,536 events dispatched by any
 * queue of the process (from whichever thread runs it); NULL = none. Set by
 * the command line before a run; the simulation never depends on it. */
typedef void (*ss_evq_progress_fn)(ss_time now);
void ss_evq_set_progress(ss_evq_progress_fn fn);
/* Pop and dispatch events with time < t_end (or until ss_evq_stop); the
 * clock ends at t_end if the queue ran dry or passed it. Returns the number
 * of events dispatched. */
uint64_t ss_evq_run_until(ss_evq *q, ss_time t_end);
/* Ask run_until to return after the current handler. */
void ss_evq_stop(ss_evq *q);
/* Total events dispatched since creation/reset. */
uint64_t ss_evq_dispatched(const ss_evq *q);
/* Added for models that keep periodic processes outside the queue
 * (models/ecs_capacity.c): the sequence number the next scheduled event will
 * get (events with a smaller one were scheduled earlier), and dispatch of
 * exactly one event (the earliest; its time becomes now). ss_evq_step
 * returns false when the queue is empty. */
uint64_t ss_evq_next_seq(const ss_evq *q);
bool ss_evq_step(ss_evq *q);

/* Event records ever allocated (the slab's high-water mark): stays at the
 * maximum number of simultaneously pending events in a steady state. */
size_t ss_evq_slots_allocated(const ss_evq *q);

#endif
