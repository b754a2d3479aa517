/*
 * test_evq_urgent.c - urgent events of the kernel (ss_evq_schedule_urgent):
 * at one instant they run before every normal event, however early the
 * normal one was scheduled; FIFO among themselves; time still comes first;
 * cancel and reschedule keep working; peek shows seq 0 for them.
 */
#include "tests/testutil.h"

#include "sim/kernel/evq.h"

static int order[32];
static int n_order;

static void record(ss_evq *q, const ss_event *ev, void *ctx)
{
    (void)q;
    (void)ctx;
    order[n_order++] = (int)ev->a;
}

static void urgent_first_at_an_instant(void **state)
{
    (void)state;
    ss_evq *q = ss_evq_new(16);
    ss_evq_on(q, 1, record, NULL);
    n_order = 0;
    /* scheduled in this order: normal 1 @100, normal 2 @100, urgent 3 @100,
     * normal 4 @50, urgent 5 @100, urgent 6 @200 (to be moved to @40),
     * urgent 7 @100 (to be cancelled), normal 8 @5000 (beyond the ring
     * window), urgent 9 @5000.
     * Expected: 6 @40, 4 @50, then @100: 3, 5 (urgent, FIFO), 1, 2; then
     * @5000: 9, 8. */
    ss_evq_schedule(q, 100, 1, NULL, 1, 0);
    ss_evq_schedule(q, 100, 1, NULL, 2, 0);
    ss_evq_schedule_urgent(q, 100, 1, NULL, 3, 0);
    ss_evq_schedule(q, 50, 1, NULL, 4, 0);
    ss_evq_schedule_urgent(q, 100, 1, NULL, 5, 0);
    ss_ev_handle h6 = ss_evq_schedule_urgent(q, 200, 1, NULL, 6, 0);
    ss_ev_handle h7 = ss_evq_schedule_urgent(q, 100, 1, NULL, 7, 0);
    ss_evq_schedule(q, 5000, 1, NULL, 8, 0);
    ss_evq_schedule_urgent(q, 5000, 1, NULL, 9, 0);
    assert_true(ss_evq_reschedule(q, h6, 40));
    assert_true(ss_evq_cancel(q, h7));
    assert_int_equal(ss_evq_size(q), 8);
    const ss_event *pk = ss_evq_peek(q);
    assert_int_equal(pk->a, 6);
    assert_int_equal(pk->seq, 0);
    ss_evq_run_until(q, 10000);
    const int want[] = {6, 4, 3, 5, 1, 2, 9, 8};
    assert_int_equal(n_order, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(order[i], want[i]);
    assert_int_equal(ss_evq_size(q), 0);
    /* after a reset the queue is empty of both classes */
    ss_evq_schedule_urgent(q, 20000, 1, NULL, 10, 0);
    ss_evq_reset(q, 0);
    assert_null(ss_evq_peek(q));
    ss_evq_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urgent_first_at_an_instant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
