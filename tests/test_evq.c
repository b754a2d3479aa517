/*
 * test_evq.c - the future-event list against a simple sorted reference, and
 * the kernel's contract: FIFO ties, cancel/reschedule by handle (also after
 * the event fired), run_until, typed dispatch, no growth in steady state.
 */
#include "tests/testutil.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "sim/kernel/evq.h"
#include "sim/kernel/rng.h"

/* ---- reference: an array kept sorted by (time, seq) -------------------- */
typedef struct ref_ev {
    ss_time t;
    uint64_t seq;
    int64_t id;
} ref_ev;

typedef struct ref_q {
    ref_ev *v;
    size_t n, cap;
    uint64_t seq;
} ref_q;

static void ref_insert(ref_q *r, ss_time t, int64_t id)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        assert_non_null(r->v);
    }
    ref_ev e = {t, r->seq++, id};
    size_t i = r->n;
    while (i > 0 && (r->v[i - 1].t > t)) { /* seq is increasing: equal t stays after */
        r->v[i] = r->v[i - 1];
        i--;
    }
    r->v[i] = e;
    r->n++;
}

static int ref_remove_id(ref_q *r, int64_t id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].id == id) {
            memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof *r->v);
            r->n--;
            return 1;
        }
    return 0;
}

/* Mixed schedule/pop/cancel/reschedule, checked after every operation. The
 * spread of times decides which structure is exercised: a narrow one keeps
 * everything in the 1-ms ring, a wide one sends most events to the overflow
 * heap and through migration (ties across both included), a bimodal one
 * mixes them. */
static void randomized_run(unsigned long seed, ss_time near, ss_time far)
{
    gsl_rng *rng = ss_rng_new(seed, 0, SS_RNG_TEST);
    ss_evq *q = ss_evq_new(16);
    ref_q ref = {0};
    enum { OPS = 120000, MAXID = 1 << 20 };
    ss_ev_handle *handles = calloc(MAXID, sizeof *handles);
    assert_non_null(handles);
    int64_t next_id = 0;
    ss_time now = 0;
    long pops = 0, cancels = 0, stale = 0, resched = 0;

    for (int op = 0; op < OPS; op++) {
        double u = gsl_rng_uniform(rng);
        if (ref.n > 3000) /* bound the reference's O(n) work: pop instead */
            u = 0.5;
        if (u < 0.45 || ref.n == 0) {
            /* schedule: small time range so that ties are frequent */
            ss_time span = gsl_rng_uniform(rng) < 0.7 ? near : far;
            /* times on a coarse grid so that ties are frequent */
            ss_time t = now + 7 * (ss_time)gsl_rng_uniform_int(rng, (unsigned long)(span / 7 + 1));
            int64_t id = next_id++;
            handles[id] = ss_evq_schedule(q, t, 1, NULL, id, 0);
            ref_insert(&ref, t, id);
        } else if (u < 0.75) {
            ss_event ev;
            assert_true(ss_evq_pop(q, &ev));
            assert_int_equal(ev.time, ref.v[0].t);
            assert_int_equal(ev.a, ref.v[0].id);
            assert_true(ev.time >= now);
            now = ev.time;
            assert_int_equal(ss_evq_now(q), now);
            memmove(&ref.v[0], &ref.v[1], (ref.n - 1) * sizeof *ref.v);
            ref.n--;
            pops++;
        } else if (u < 0.92) {
            /* cancel a random id: pending, fired or cancelled already */
            int64_t id = (int64_t)gsl_rng_uniform_int(rng, (unsigned long)next_id);
            int in_ref = ref_remove_id(&ref, id);
            bool ok = ss_evq_cancel(q, handles[id]);
            assert_int_equal(ok, in_ref);
            if (ok)
                cancels++;
            else
                stale++;
        } else {
            int64_t id = (int64_t)gsl_rng_uniform_int(rng, (unsigned long)next_id);
            ss_time t = now + 7 * (ss_time)gsl_rng_uniform_int(rng, (unsigned long)(far / 7 + 1));
            int in_ref = ref_remove_id(&ref, id);
            bool ok = ss_evq_reschedule(q, handles[id], t);
            assert_int_equal(ok, in_ref);
            if (ok) {
                ref_insert(&ref, t, id); /* new sequence number, as documented */
                resched++;
            }
        }
        assert_int_equal(ss_evq_size(q), ref.n);
        const ss_event *p = ss_evq_peek(q);
        if (ref.n) {
            assert_non_null(p);
            assert_int_equal(p->a, ref.v[0].id);
        } else {
            assert_null(p);
        }
    }
    /* drain */
    ss_event ev;
    size_t i = 0;
    while (ss_evq_pop(q, &ev)) {
        assert_int_equal(ev.a, ref.v[i].id);
        i++;
    }
    assert_int_equal(i, ref.n);
    assert_true(pops > 25000 && cancels > 1000 && stale > 1000 && resched > 1000);
    free(handles);
    free(ref.v);
    ss_evq_free(q);
    ss_rng_free(rng);
}

static void randomized_ring_only(void **state)
{
    (void)state;
    randomized_run(42, 50, 50);
}

static void randomized_ring_and_overflow(void **state)
{
    (void)state;
    randomized_run(43, 50, 20000);
}

static void randomized_overflow_mostly(void **state)
{
    (void)state;
    randomized_run(44, 9000, 60000);
}

/* An event scheduled far ahead (overflow heap) and one scheduled later for
 * the same instant once the window covers it (ring): the first scheduled
 * must run first. */
static void fifo_across_overflow_and_ring(void **state)
{
    (void)state;
    ss_evq *q = ss_evq_new(4);
    ss_evq_schedule(q, 100000, 0, NULL, 1, 0); /* beyond the window: heap */
    ss_evq_schedule(q, 99000, 0, NULL, 0, 0);
    ss_event ev;
    assert_true(ss_evq_pop(q, &ev)); /* now = 99000: 100000 migrates */
    assert_int_equal(ev.a, 0);
    ss_evq_schedule(q, 100000, 0, NULL, 2, 0); /* ring, same instant */
    ss_evq_schedule(q, 100000, 0, NULL, 3, 0);
    for (int k = 1; k <= 3; k++) {
        assert_true(ss_evq_pop(q, &ev));
        assert_int_equal(ev.a, k);
        assert_int_equal(ev.time, 100000);
    }
    /* reschedule keeps the handle valid and moves the event */
    ss_ev_handle h = ss_evq_schedule(q, 500000, 0, NULL, 9, 0);
    assert_true(ss_evq_reschedule(q, h, 100001));
    assert_true(ss_evq_pending(q, h));
    assert_true(ss_evq_pop(q, &ev));
    assert_int_equal(ev.a, 9);
    assert_int_equal(ev.time, 100001);
    assert_false(ss_evq_pending(q, h));
    assert_int_equal(ss_evq_size(q), 0);
    assert_false(ss_evq_pop(q, &ev));
    ss_evq_free(q);
}

static void fifo_ties(void **state)
{
    (void)state;
    ss_evq *q = ss_evq_new(4);
    for (int i = 0; i < 1000; i++)
        ss_evq_schedule(q, 5000 + (i % 3), 0, NULL, i, 0);
    ss_event ev;
    int last[3] = {-1, -1, -1};
    ss_time last_t = 0;
    while (ss_evq_pop(q, &ev)) {
        assert_true(ev.time >= last_t);
        last_t = ev.time;
        int k = (int)(ev.time - 5000);
        assert_true(ev.a > last[k]); /* insertion order within equal times */
        last[k] = (int)ev.a;
    }
    ss_evq_free(q);
}

static void cancel_after_fire_and_stale_handles(void **state)
{
    (void)state;
    ss_evq *q = ss_evq_new(4);
    ss_ev_handle h1 = ss_evq_schedule(q, 10, 0, NULL, 1, 0);
    ss_ev_handle h2 = ss_evq_schedule(q, 20, 0, NULL, 2, 0);
    ss_event ev;
    assert_true(ss_evq_pop(q, &ev));
    assert_int_equal(ev.a, 1);
    assert_int_equal(ev.handle, h1);
    assert_false(ss_evq_pending(q, h1));
    assert_false(ss_evq_cancel(q, h1));       /* fired: harmless */
    assert_false(ss_evq_reschedule(q, h1, 5)); /* fired: harmless */
    /* The slot of h1 is reused by a new event; h1 must not reach it. */
    ss_ev_handle h3 = ss_evq_schedule(q, 30, 0, NULL, 3, 0);
    assert_int_not_equal(h3, h1);
    assert_false(ss_evq_cancel(q, h1));
    assert_true(ss_evq_pending(q, h3));
    assert_true(ss_evq_cancel(q, h2));
    assert_false(ss_evq_cancel(q, h2)); /* twice */
    assert_false(ss_evq_cancel(q, SS_EV_NONE));
    assert_int_equal(ss_evq_size(q), 1);
    assert_true(ss_evq_pop(q, &ev));
    assert_int_equal(ev.a, 3);
    /* scheduling in the past clamps to now */
    ss_evq_schedule(q, 0, 0, NULL, 4, 0);
    assert_true(ss_evq_pop(q, &ev));
    assert_int_equal(ev.time, 30);
    ss_evq_free(q);
}

typedef struct trace {
    int64_t seen[64];
    int n;
    ss_ev_handle victim;
} trace;

static void on_a(ss_evq *q, const ss_event *ev, void *ctx)
{
    trace *tr = ctx;
    tr->seen[tr->n++] = ev->a;
    if (ev->a == 1) { /* a handler schedules, cancels and reschedules */
        ss_evq_schedule(q, ss_evq_now(q), 1, NULL, 100, 0); /* same time: runs after peers */
        ss_evq_cancel(q, tr->victim);
    }
}

static void on_b(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    trace *tr = ctx;
    tr->seen[tr->n++] = -ev->a;
}

static void run_until_dispatches_by_type(void **state)
{
    (void)state;
    ss_evq *q = ss_evq_new(8);
    trace tr = {0};
    ss_evq_on(q, 0, on_a, &tr);
    ss_evq_on(q, 1, on_b, &tr);
    ss_evq_schedule(q, 100, 0, NULL, 1, 0);
    ss_evq_schedule(q, 100, 0, NULL, 2, 0);
    tr.victim = ss_evq_schedule(q, 150, 0, NULL, 3, 0);
    ss_evq_schedule(q, 200, 1, NULL, 4, 0);
    ss_evq_schedule(q, 300, 0, NULL, 5, 0);
    uint64_t n = ss_evq_run_until(q, 300); /* 300 itself is not < 300 */
    assert_int_equal(n, 4);
    int64_t expect[] = {1, 2, -100, -4};
    assert_int_equal(tr.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(tr.seen[i], expect[i]);
    assert_int_equal(ss_evq_now(q), 300);
    assert_int_equal(ss_evq_size(q), 1);
    assert_int_equal(ss_evq_run_until(q, 1000), 1);
    assert_int_equal(ss_evq_dispatched(q), 5);
    ss_evq_free(q);
}

static void steady_state_does_not_grow(void **state)
{
    (void)state;
    gsl_rng *rng = ss_rng_new(7, 0, SS_RNG_TEST);
    ss_evq *q = ss_evq_new(16);
    for (int i = 0; i < 1000; i++)
        ss_evq_schedule(q, (ss_time)gsl_rng_uniform_int(rng, 1000), 0, NULL, 0, 0);
    size_t slots = ss_evq_slots_allocated(q);
    ss_event ev;
    for (int i = 0; i < 200000; i++) {
        ss_evq_pop(q, &ev);
        ss_evq_schedule(q, ev.time + 1 + (ss_time)gsl_rng_uniform_int(rng, 1000), 0, NULL, 0, 0);
    }
    assert_int_equal(ss_evq_slots_allocated(q), slots);
    assert_int_equal(ss_evq_size(q), 1000);
    ss_evq_reset(q, 0);
    assert_int_equal(ss_evq_size(q), 0);
    ss_evq_free(q);
    ss_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(randomized_ring_only),
        cmocka_unit_test(randomized_ring_and_overflow),
        cmocka_unit_test(randomized_overflow_mostly),
        cmocka_unit_test(fifo_across_overflow_and_ring),
        cmocka_unit_test(fifo_ties),
        cmocka_unit_test(cancel_after_fire_and_stale_handles),
        cmocka_unit_test(run_until_dispatches_by_type),
        cmocka_unit_test(steady_state_does_not_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
