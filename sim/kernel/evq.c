/*
 * evq.c - future-event list: a calendar ring of 1-ms buckets in front of a
 * 4-ary overflow heap, with lazy cancellation.
 *
 * Why this shape. Simulation time is integer milliseconds, so one bucket per
 * millisecond holds only events of equal time, and appending to a bucket
 * keeps them in insertion order: first-in first-out ties come for free. The
 * ring covers the window [now, now + RING_MS); events beyond it wait in a
 * 4-ary min-heap ordered by (time, sequence) and migrate into the ring, in
 * that order, as soon as the window reaches them - always before any later
 * event could be appended to the same bucket, so FIFO holds across the two.
 * A bitmap of non-empty buckets finds the next event with a few
 * count-trailing-zeros. In the hold benchmark this is O(1) per event and
 * beats a textbook binary heap at every size (bench/bench_kernel.c).
 *
 * Event records are stored inline (bucket arrays and heap), so popping reads
 * memory sequentially. Every event also owns a slot in a slab (generation +
 * current sequence) that makes handles work: cancel frees the slot at once
 * and leaves the record where it is, recognised later as stale because its
 * sequence no longer matches its slot's (sequences are never reused), as in
 * redis' lazily deleted timers. Reschedule pushes a fresh record and
 * retargets the slot, so the handle stays valid. Handles are (generation,
 * slot): a stale handle (fired or cancelled) is recognised and harmless.
 * Slots, bucket arrays and the heap are reused: no allocation per event in a
 * steady state. Stale records are compacted away when they outnumber the
 * live ones.
 */
#include "sim/kernel/evq.h"

#include <stdlib.h>
#include <string.h>

#include "sim/kernel/util.h"

#define SLOT_BITS 24u
#define SLOT_MASK ((1u << SLOT_BITS) - 1u)
#define MAX_SLOTS (1u << SLOT_BITS)
#define SEQ_NONE UINT64_MAX
#define RING_BITS 12u
#define RING_MS ((ss_time)1 << RING_BITS) /* 4.096 s of 1-ms buckets */
#define RING_MASK ((size_t)RING_MS - 1u)
#define RING_WORDS ((size_t)RING_MS / 64u)
#define ARITY 4u

typedef struct rec {
    ss_time time;
    uint64_t seqslot; /* seq << 24 | slot */
    void *obj;
    int64_t a, b;
    uint32_t gen;
    uint16_t type;
} rec;

typedef struct bucket {
    rec *items;
    uint32_t head, len, cap;
} bucket;

typedef struct slot {
    uint64_t seq;       /* sequence of the live record, SEQ_NONE when free */
    void *obj;          /* payload copy, for reschedule */
    int64_t a, b;
    uint32_t gen;
    uint32_t next_free;
    uint16_t type;
    uint8_t urgent;     /* scheduled with ss_evq_schedule_urgent */
} slot;

typedef struct handler {
    ss_ev_handler fn;
    void *ctx;
} handler;

struct ss_evq {
    bucket ring[RING_MS];
    uint64_t bits[RING_WORDS]; /* non-empty buckets */
    size_t ring_count;         /* records in the ring, live or stale */
    rec *heap;                 /* overflow: records at or beyond now + RING_MS */
    size_t heap_n, heap_cap;
    rec *uheap;                /* urgent records (ss_evq_schedule_urgent), any time */
    size_t uheap_n, uheap_cap;
    int front_urgent;          /* the record front() returned is the urgent heap's top */
    size_t live, stale;
    slot *slots;
    size_t n_slots, slots_cap;
    uint32_t free_head; /* UINT32_MAX = none */
    uint64_t next_seq;
    ss_time now;
    uint64_t dispatched;
    int stop;
    handler handlers[SS_EV_MAX_TYPES];
    ss_event peeked;
};

/* ---- records and slots ---------------------------------------------------- */

static inline uint32_t rec_slot(const rec *r) { return (uint32_t)(r->seqslot & SLOT_MASK); }
static inline uint64_t rec_seq(const rec *r) { return r->seqslot >> SLOT_BITS; }

static inline int rec_live(const ss_evq *q, const rec *r)
{
    /* With no stale record anywhere every record is live: skip the slot read. */
    return q->stale == 0 || q->slots[rec_slot(r)].seq == rec_seq(r);
}

static inline ss_ev_handle make_handle(uint32_t gen, uint32_t s)
{
    return ((uint64_t)gen << 32) | s;
}

static uint32_t alloc_slot(ss_evq *q)
{
    if (q->free_head != UINT32_MAX) {
        uint32_t s = q->free_head;
        q->free_head = q->slots[s].next_free;
        return s;
    }
    if (q->n_slots >= MAX_SLOTS)
        ss_fatal("event queue: more than %u pending events", MAX_SLOTS);
    SS_GROW(q->slots, q->slots_cap, q->n_slots + 1);
    uint32_t s = (uint32_t)q->n_slots++;
    q->slots[s].gen = 1;
    q->slots[s].seq = SEQ_NONE;
    return s;
}

static void release_slot(ss_evq *q, uint32_t s)
{
    slot *sl = &q->slots[s];
    sl->gen++;
    if (sl->gen == 0) /* keep handles non-zero after wrap-around */
        sl->gen = 1;
    sl->seq = SEQ_NONE;
    sl->obj = NULL;
    sl->next_free = q->free_head;
    q->free_head = s;
}

/* The slot a handle names if it is still pending, else UINT32_MAX. */
static inline uint32_t live_slot(const ss_evq *q, ss_ev_handle h)
{
    uint32_t s = (uint32_t)(h & 0xffffffffu);
    uint32_t gen = (uint32_t)(h >> 32);
    if (h == SS_EV_NONE || s >= q->n_slots)
        return UINT32_MAX;
    const slot *sl = &q->slots[s];
    if (sl->gen != gen || sl->seq == SEQ_NONE)
        return UINT32_MAX;
    return s;
}

/* ---- overflow heap ---------------------------------------------------------- */

static inline int rec_less(const rec *x, const rec *y)
{
    return x->time < y->time || (x->time == y->time && x->seqslot < y->seqslot);
}

static void heap_sift_up(rec *h, size_t i)
{
    rec e = h[i];
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!rec_less(&e, &h[parent]))
            break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = e;
}

static void heap_sift_down(rec *h, size_t n, size_t i)
{
    rec e = h[i];
    for (;;) {
        size_t first = i * ARITY + 1;
        if (first >= n)
            break;
        size_t best = first;
        size_t last = first + ARITY < n ? first + ARITY : n;
        for (size_t c = first + 1; c < last; c++)
            if (rec_less(&h[c], &h[best]))
                best = c;
        if (!rec_less(&h[best], &e))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = e;
}

static void heap_push(ss_evq *q, const rec *r)
{
    SS_GROW(q->heap, q->heap_cap, q->heap_n + 1);
    q->heap[q->heap_n] = *r;
    heap_sift_up(q->heap, q->heap_n);
    q->heap_n++;
}

static void heap_pop(ss_evq *q)
{
    q->heap_n--;
    if (q->heap_n > 0) {
        q->heap[0] = q->heap[q->heap_n];
        heap_sift_down(q->heap, q->heap_n, 0);
    }
}

static void uheap_push(ss_evq *q, const rec *r)
{
    SS_GROW(q->uheap, q->uheap_cap, q->uheap_n + 1);
    q->uheap[q->uheap_n] = *r;
    heap_sift_up(q->uheap, q->uheap_n);
    q->uheap_n++;
}

static void uheap_pop(ss_evq *q)
{
    q->uheap_n--;
    if (q->uheap_n > 0) {
        q->uheap[0] = q->uheap[q->uheap_n];
        heap_sift_down(q->uheap, q->uheap_n, 0);
    }
}

/* ---- ring --------------------------------------------------------------------- */

static void ring_append(ss_evq *q, const rec *r)
{
    size_t i = (size_t)r->time & RING_MASK;
    bucket *b = &q->ring[i];
    if (b->len == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 4;
        b->items = ss_realloc(b->items, (size_t)cap * sizeof *b->items);
        b->cap = cap;
    }
    if (b->head == b->len) { /* empty: becomes non-empty */
        b->head = b->len = 0;
        q->bits[i >> 6] |= (uint64_t)1 << (i & 63);
    }
    b->items[b->len++] = *r;
    q->ring_count++;
}

/* Index of the first non-empty bucket at or after position `from`, scanning
 * circularly; the ring must be non-empty. */
static size_t ring_next(const ss_evq *q, size_t from)
{
    size_t w = from >> 6;
    uint64_t word = q->bits[w] & (~(uint64_t)0 << (from & 63));
    for (size_t k = 0; k <= RING_WORDS; k++) {
        if (word)
            return ((w << 6) | (size_t)__builtin_ctzll(word)) & RING_MASK;
        w = (w + 1) % RING_WORDS;
        word = q->bits[w];
    }
    ss_fatal("event queue: ring bitmap out of step");
}

/* Move overflow records that the window [now, now + RING_MS) now covers into
 * the ring, in (time, sequence) order. */
static void migrate(ss_evq *q)
{
    ss_time end = q->now + RING_MS;
    while (q->heap_n > 0 && q->heap[0].time < end) {
        rec r = q->heap[0];
        heap_pop(q);
        ring_append(q, &r);
    }
}

static void insert(ss_evq *q, const rec *r)
{
    if (r->time < q->now + RING_MS)
        ring_append(q, r);
    else
        heap_push(q, r);
}

/* The earliest live record, dropping stale ones on the way; NULL if empty.
 * If the ring is empty the clock's window jumps to the overflow minimum
 * (without changing `now`, which only pop advances). */
static rec *front_normal(ss_evq *q)
{
    for (;;) {
        if (q->ring_count == 0) {
            if (q->heap_n == 0)
                return NULL;
            /* Nothing within the window: the heap top is the minimum. */
            rec *top = &q->heap[0];
            if (rec_live(q, top))
                return top;
            heap_pop(q);
            q->stale--;
            continue;
        }
        size_t i = ring_next(q, (size_t)q->now & RING_MASK);
        bucket *b = &q->ring[i];
        rec *r = &b->items[b->head];
        if (rec_live(q, r))
            return r;
        b->head++;
        q->ring_count--;
        q->stale--;
        if (b->head == b->len) {
            b->head = b->len = 0;
            q->bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
        }
    }
}

/* The earliest live record of both classes: an urgent record runs before
 * every normal record of the same time (and after earlier ones). */
static rec *front(ss_evq *q)
{
    while (q->uheap_n > 0 && !rec_live(q, &q->uheap[0])) {
        uheap_pop(q);
        q->stale--;
    }
    rec *n = front_normal(q);
    if (q->uheap_n > 0 && (!n || q->uheap[0].time <= n->time)) {
        q->front_urgent = 1;
        return &q->uheap[0];
    }
    q->front_urgent = 0;
    return n;
}

/* Remove the record front() returned. */
static void remove_front(ss_evq *q, rec *r)
{
    if (q->front_urgent) {
        uheap_pop(q);
        return;
    }
    if (q->ring_count == 0) {
        heap_pop(q);
        return;
    }
    size_t i = (size_t)r->time & RING_MASK;
    bucket *b = &q->ring[i];
    b->head++;
    q->ring_count--;
    if (b->head == b->len) {
        b->head = b->len = 0;
        q->bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
    }
}

/* Drop every stale record (ring and heap), O(records). */
static void compact(ss_evq *q)
{
    for (size_t i = 0; i < (size_t)RING_MS; i++) {
        bucket *b = &q->ring[i];
        if (b->head == b->len)
            continue;
        uint32_t k = 0;
        for (uint32_t j = b->head; j < b->len; j++)
            if (q->slots[rec_slot(&b->items[j])].seq == rec_seq(&b->items[j]))
                b->items[k++] = b->items[j];
        q->ring_count -= (b->len - b->head) - k;
        b->head = 0;
        b->len = k;
        if (k == 0)
            q->bits[i >> 6] &= ~((uint64_t)1 << (i & 63));
    }
    size_t k = 0;
    for (size_t j = 0; j < q->heap_n; j++)
        if (q->slots[rec_slot(&q->heap[j])].seq == rec_seq(&q->heap[j]))
            q->heap[k++] = q->heap[j];
    q->heap_n = k;
    if (k > 1)
        for (size_t j = (k - 2) / ARITY + 1; j-- > 0;)
            heap_sift_down(q->heap, k, j);
    k = 0;
    for (size_t j = 0; j < q->uheap_n; j++)
        if (q->slots[rec_slot(&q->uheap[j])].seq == rec_seq(&q->uheap[j]))
            q->uheap[k++] = q->uheap[j];
    q->uheap_n = k;
    if (k > 1)
        for (size_t j = (k - 2) / ARITY + 1; j-- > 0;)
            heap_sift_down(q->uheap, k, j);
    q->stale = 0;
}

/* ---- public API ------------------------------------------------------------- */

ss_evq *ss_evq_new(size_t capacity_hint)
{
    ss_evq *q = ss_calloc(1, sizeof *q);
    if (capacity_hint < 16)
        capacity_hint = 16;
    q->slots_cap = capacity_hint;
    q->slots = ss_malloc(q->slots_cap * sizeof *q->slots);
    q->free_head = UINT32_MAX;
    return q;
}

void ss_evq_free(ss_evq *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < (size_t)RING_MS; i++)
        free(q->ring[i].items);
    free(q->heap);
    free(q->uheap);
    free(q->slots);
    free(q);
}

void ss_evq_reset(ss_evq *q, ss_time t0)
{
    for (size_t i = 0; i < (size_t)RING_MS; i++)
        q->ring[i].head = q->ring[i].len = 0;
    memset(q->bits, 0, sizeof q->bits);
    q->ring_count = 0;
    q->heap_n = 0;
    q->uheap_n = 0;
    /* every slot becomes free: bump generations so old handles go stale */
    q->free_head = UINT32_MAX;
    for (size_t s = q->n_slots; s-- > 0;) {
        if (q->slots[s].seq != SEQ_NONE)
            release_slot(q, (uint32_t)s);
        else {
            q->slots[s].next_free = q->free_head;
            q->free_head = (uint32_t)s;
        }
    }
    q->live = q->stale = 0;
    q->now = t0;
    q->dispatched = 0;
    q->stop = 0;
}

void ss_evq_on(ss_evq *q, uint16_t type, ss_ev_handler fn, void *ctx)
{
    if (type >= SS_EV_MAX_TYPES)
        ss_fatal("event type %u out of range (max %d)", (unsigned)type, SS_EV_MAX_TYPES - 1);
    q->handlers[type].fn = fn;
    q->handlers[type].ctx = ctx;
}

static ss_ev_handle schedule(ss_evq *q, ss_time t, uint16_t type, void *obj, int64_t a, int64_t b,
                             int urgent)
{
    if (t < q->now)
        t = q->now;
    uint32_t s = alloc_slot(q);
    uint64_t seq = q->next_seq++;
    slot *sl = &q->slots[s];
    sl->seq = seq;
    sl->obj = obj;
    sl->a = a;
    sl->b = b;
    sl->type = type;
    sl->urgent = (uint8_t)(urgent != 0);
    rec r = {t, (seq << SLOT_BITS) | s, obj, a, b, sl->gen, type};
    if (urgent)
        uheap_push(q, &r);
    else
        insert(q, &r);
    q->live++;
    return make_handle(q->slots[s].gen, s);
}

ss_ev_handle ss_evq_schedule(ss_evq *q, ss_time t, uint16_t type, void *obj, int64_t a, int64_t b)
{
    return schedule(q, t, type, obj, a, b, 0);
}

ss_ev_handle ss_evq_schedule_urgent(ss_evq *q, ss_time t, uint16_t type, void *obj, int64_t a,
                                    int64_t b)
{
    return schedule(q, t, type, obj, a, b, 1);
}

static void note_stale(ss_evq *q)
{
    q->stale++;
    if (q->stale > q->live + 1024)
        compact(q);
}

bool ss_evq_cancel(ss_evq *q, ss_ev_handle h)
{
    uint32_t s = live_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    release_slot(q, s);
    q->live--;
    note_stale(q);
    return true;
}

bool ss_evq_reschedule(ss_evq *q, ss_ev_handle h, ss_time t)
{
    uint32_t s = live_slot(q, h);
    if (s == UINT32_MAX)
        return false;
    if (t < q->now)
        t = q->now;
    slot *sl = &q->slots[s];
    uint64_t seq = q->next_seq++;
    rec r = {t, (seq << SLOT_BITS) | s, sl->obj, sl->a, sl->b, sl->gen, sl->type};
    sl->seq = seq; /* the old record becomes stale */
    q->stale++;            /* counted before insert so rec_live checks slots */
    if (sl->urgent)
        uheap_push(q, &r);
    else
        insert(q, &r);
    if (q->stale > q->live + 1024)
        compact(q);
    return true;
}

bool ss_evq_pending(const ss_evq *q, ss_ev_handle h) { return live_slot(q, h) != UINT32_MAX; }

size_t ss_evq_size(const ss_evq *q) { return q->live; }

ss_time ss_evq_now(const ss_evq *q) { return q->now; }

uint64_t ss_evq_dispatched(const ss_evq *q) { return q->dispatched; }

size_t ss_evq_slots_allocated(const ss_evq *q) { return q->n_slots; }

static void fill_event(const ss_evq *q, const rec *r, ss_event *out)
{
    out->time = r->time;
    /* urgent events come before every normal event of their time: as seen
     * by code that orders its own work by (time, seq), their seq is 0 */
    out->seq = q->slots[rec_slot(r)].urgent ? 0 : rec_seq(r);
    out->type = r->type;
    out->obj = r->obj;
    out->a = r->a;
    out->b = r->b;
    out->handle = make_handle(r->gen, rec_slot(r));
}

const ss_event *ss_evq_peek(const ss_evq *q)
{
    /* Dropping stale records does not change the queue's observable state;
     * peeked is a cache inside the queue. Hence the cast. */
    ss_evq *mq = (ss_evq *)(uintptr_t)q;
    rec *r = front(mq);
    if (!r)
        return NULL;
    fill_event(mq, r, &mq->peeked);
    return &mq->peeked;
}

bool ss_evq_pop(ss_evq *q, ss_event *out)
{
    rec *r = front(q);
    if (!r)
        return false;
    fill_event(q, r, out);
    uint32_t s = rec_slot(r);
    remove_front(q, r);
    release_slot(q, s);
    q->live--;
    if (out->time > q->now) {
        q->now = out->time;
        migrate(q);
    }
    return true;
}

static ss_evq_progress_fn g_progress;

void ss_evq_set_progress(ss_evq_progress_fn fn) { g_progress = fn; }

uint64_t ss_evq_run_until(ss_evq *q, ss_time t_end)
{
    uint64_t count = 0;
    q->stop = 0;
    while (!q->stop) {
        const rec *r = front(q);
        if (!r || r->time >= t_end)
            break;
        ss_event ev;
        if (!ss_evq_pop(q, &ev))
            break;
        const handler *h = &q->handlers[ev.type < SS_EV_MAX_TYPES ? ev.type : 0];
        if (h->fn)
            h->fn(q, &ev, h->ctx);
        if (((q->dispatched + ++count) & 0xffff) == 0 && g_progress)
            g_progress(q->now);
    }
    q->dispatched += count;
    if (!q->stop && q->now < t_end) {
        q->now = t_end;
        migrate(q);
    }
    return count;
}

void ss_evq_stop(ss_evq *q) { q->stop = 1; }

uint64_t ss_evq_next_seq(const ss_evq *q) { return q->next_seq; }

bool ss_evq_step(ss_evq *q)
{
    ss_event ev;
    if (!ss_evq_pop(q, &ev))
        return false;
    const handler *h = &q->handlers[ev.type < SS_EV_MAX_TYPES ? ev.type : 0];
    if (h->fn)
        h->fn(q, &ev, h->ctx);
    if ((++q->dispatched & 0xffff) == 0 && g_progress)
        g_progress(q->now);
    return true;
}
