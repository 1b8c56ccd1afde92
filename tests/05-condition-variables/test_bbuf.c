/* tests/05-condition-variables/test_bbuf.c: lesson 05's tests (the bounded buffer).
 * Run: make check L=05   (or IMPL=path/to/your.c)
 *
 * How the tests see "a thread is now waiting" without timing anything: lesson.conf asks the
 * linker to route every pthread_cond_wait (and pthread_cond_timedwait) of the program
 * through __wrap_pthread_cond_wait below (ld --wrap). The wrapper counts the threads inside
 * a wait and tells the test. It is called while the waiter still holds the buffer's mutex,
 * so once the test has seen the count rise, its next bbuf_* call (which takes that mutex)
 * can run only after the waiter is really asleep.
 *
 * The wrapper can also act like the real thing at its most awkward, which POSIX allows:
 *   - a spurious wake-up: return 0 at once, after releasing and retaking the mutex;
 *   - a late wake-up (the "gate"): after being woken, hold the waiter with the mutex
 *     released until the test says go, so another thread can get in first.
 * This test file never calls pthread_cond_wait itself: it calls __real_pthread_cond_wait. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "exercise.h"
#include "errname.h"
#include "runner.h"

/* ---- the wrapped wait, and the monitor the test watches it through ---- */

int __real_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __real_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                  const struct timespec *abstime);
int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                  const struct timespec *abstime);

/* Lock order: the exercise's mutex, then mon.mu. The gate releases the exercise's mutex
 * before it takes mon.mu to wait, and retakes it after letting mon.mu go. */
static struct {
    pthread_mutex_t mu;   /* guards every field below, and each struct op's finished/ret/got */
    pthread_cond_t cv;    /* broadcast on every change; waited on with __real_ only */
    int waiting;          /* threads inside a wrapped wait right now */
    long waits;           /* wrapped waits entered since the test began */
    int spurious_left;    /* the next waits entered return at once (spurious wake-ups) */
    bool gate_on;         /* a woken waiter stops at the gate, its mutex released */
    bool gate_open;
    int at_gate;          /* waiters stopped at the gate now */
    int held_after_unlock;    /* ops stopped just after their first unlock (ever) */
    bool unlock_gate_open;    /* lets them go on */
} mon = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void mon_lock(void) { PT_CHECK(pthread_mutex_lock(&mon.mu)); }
static void mon_unlock(void) { PT_CHECK(pthread_mutex_unlock(&mon.mu)); }
static void mon_changed(void) { PT_CHECK(pthread_cond_broadcast(&mon.cv)); }
static void mon_sleep(void) { PT_CHECK(__real_pthread_cond_wait(&mon.cv, &mon.mu)); }

/* Block the test until cond (an expression over mon and struct op fields) holds. */
#define MON_AWAIT(cond)          \
    do {                         \
        mon_lock();              \
        while (!(cond))          \
            mon_sleep();         \
        mon_unlock();            \
    } while (0)

static int observed_wait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    int r = 0;

    mon_lock();
    mon.waits++;
    bool spurious = mon.spurious_left > 0;
    if (spurious)
        mon.spurious_left--;
    mon.waiting++;
    mon_changed();
    mon_unlock();
    if (spurious) {
        /* What a spurious wake-up looks like to the caller: the mutex was let go and
         * retaken, and nothing was signalled. */
        PT_CHECK(pthread_mutex_unlock(m));
        PT_CHECK(pthread_mutex_lock(m));
    } else if (abstime != NULL) {
        r = __real_pthread_cond_timedwait(c, m, abstime);
    } else {
        r = __real_pthread_cond_wait(c, m);
    }
    mon_lock();
    mon.waiting--;
    bool gate = mon.gate_on && !spurious;
    mon_changed();
    mon_unlock();
    if (gate) {
        PT_CHECK(pthread_mutex_unlock(m));
        mon_lock();
        mon.at_gate++;
        mon_changed();
        while (!mon.gate_open)
            mon_sleep();
        mon.at_gate--;
        mon_unlock();
        PT_CHECK(pthread_mutex_lock(m));
    }
    return r;
}

int __wrap_pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return observed_wait(c, m, NULL);
}

int __wrap_pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
                                  const struct timespec *abstime)
{
    return observed_wait(c, m, abstime);
}

/* ---- the wrapped unlock: a bbuf call held just after it let the mutex go ----
 *
 * lesson.conf also routes pthread_mutex_unlock through __wrap_pthread_mutex_unlock. In a
 * thread whose op asked for it (hold_after_unlock), the first unlock of any mutex but the
 * monitor's own stops the thread right after the real unlock, until the test opens
 * mon.unlock_gate. Whatever the bbuf call does after that unlock has not happened yet, so
 * the test's next call sees exactly what the mutex protected when it was let go. */

int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __wrap_pthread_mutex_unlock(pthread_mutex_t *m);

static _Thread_local bool hold_after_unlock;

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
    int r = __real_pthread_mutex_unlock(m);

    if (r != 0 || !hold_after_unlock || m == &mon.mu)
        return r;
    hold_after_unlock = false;
    PT_CHECK(pthread_mutex_lock(&mon.mu));
    mon.held_after_unlock++;
    mon_changed();
    while (!mon.unlock_gate_open)
        mon_sleep();
    PT_CHECK(__real_pthread_mutex_unlock(&mon.mu));
    return r;
}

/* ---- one bbuf call in a thread of its own ---- */

struct op {
    pthread_t tid;
    struct bbuf *b;
    bool is_put;
    bool hold;        /* stop just after the call's first unlock (see the wrapped unlock) */
    void *item;       /* put: the item to put */
    bool finished;    /* guarded by mon.mu, like ret and got */
    int ret;
    void *got;        /* get: the item received */
};

static void *op_main(void *arg)
{
    struct op *o = arg;
    void *got = NULL;
    hold_after_unlock = o->hold;
    int ret = o->is_put ? bbuf_put(o->b, o->item) : bbuf_get(o->b, &got);
    hold_after_unlock = false;

    mon_lock();
    o->ret = ret;
    o->got = got;
    o->finished = true;
    mon_changed();
    mon_unlock();
    return NULL;
}

static void op_start(struct op *o, struct bbuf *b, bool is_put, void *item)
{
    *o = (struct op){ .b = b, .is_put = is_put, .item = item };
    PT_CHECK(pthread_create(&o->tid, NULL, op_main, o));
}

/* Like op_start, but the call stops just after its first unlock (see the wrapped unlock). */
static void op_start_held(struct op *o, struct bbuf *b, bool is_put, void *item)
{
    *o = (struct op){ .b = b, .is_put = is_put, .hold = true, .item = item };
    PT_CHECK(pthread_create(&o->tid, NULL, op_main, o));
}

static void op_join(struct op *o)
{
    PT_CHECK(pthread_join(o->tid, NULL));
}

static void *item(uintptr_t n) { return (void *)n; }
static uintptr_t num(void *p) { return (uintptr_t)p; }

static struct bbuf *new_buf(size_t capacity)
{
    errno = 0;
    struct bbuf *b = bbuf_create(capacity);
    if (b == NULL)
        fail_msg("bbuf_create(%zu) returned NULL (errno %s: %s); expected a new buffer",
                 capacity, errno_name(errno), strerror(errno));
    return b;
}

static void put_ok(struct bbuf *b, uintptr_t n, const char *why)
{
    hang_hint("bbuf_put(item %lu) never returned, though %s", (unsigned long)n, why);
    int r = bbuf_put(b, item(n));
    if (r != 0)
        fail_msg("bbuf_put(item %lu) returned %s; expected 0 (%s)", (unsigned long)n,
                 errno_name(r), why);
    hang_hint(NULL);
}

static void get_expect(struct bbuf *b, uintptr_t want, const char *why)
{
    void *got = item(999999);
    hang_hint("bbuf_get never returned, though item %lu was in the buffer (%s)",
              (unsigned long)want, why);
    int r = bbuf_get(b, &got);
    if (r != 0)
        fail_msg("bbuf_get returned %s; expected 0 and item %lu (%s)", errno_name(r),
                 (unsigned long)want, why);
    if (num(got) != want)
        fail_msg("bbuf_get gave item %lu; expected item %lu (%s)", (unsigned long)num(got),
                 (unsigned long)want, why);
    hang_hint(NULL);
}

static void get_expect_epipe(struct bbuf *b, const char *why)
{
    void *got = NULL;
    hang_hint("bbuf_get never returned on a closed, empty buffer (%s): it must return EPIPE",
              why);
    int r = bbuf_get(b, &got);
    if (r != EPIPE)
        fail_msg("bbuf_get on a closed, drained buffer returned %s (item %lu); expected EPIPE "
                 "(%s)", errno_name(r), (unsigned long)num(got), why);
    hang_hint(NULL);
}

/* ---- create and destroy ---- */

/* Capacity 0 is EINVAL: NULL with errno EINVAL. */
static void test_bbuf_create_rejects_zero_capacity(void **state)
{
    (void)state;
    errno = 0;
    struct bbuf *b = bbuf_create(0);
    if (b != NULL || errno != EINVAL)
        fail_msg("bbuf_create(0) returned %s with errno %s; expected NULL with errno EINVAL",
                 b == NULL ? "NULL" : "a buffer", errno_name(errno));
}

/* destroy frees what the buffer allocated (LeakSanitizer checks at exit) and never the
 * items: they are the caller's, who frees them afterwards (AddressSanitizer reports a
 * double free if destroy freed them too). */
static void test_bbuf_destroy_frees_buffer_not_items(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(4);
    long *a = malloc(sizeof *a), *c = malloc(sizeof *c);

    assert_non_null(a);
    assert_non_null(c);
    *a = 11;
    *c = 22;
    expect_long_eq(bbuf_put(b, a), 0, "bbuf_put(b, malloc'd item)");
    expect_long_eq(bbuf_put(b, c), 0, "bbuf_put(b, malloc'd item)");
    bbuf_destroy(b);   /* with two items still inside: allowed, they stay the caller's */
    if (*a != 11 || *c != 22)
        fail_msg("after bbuf_destroy the items hold %ld and %ld, not 11 and 22: destroy must "
                 "never touch or free the items", *a, *c);
    free(a);
    free(c);
}

/* ---- order and the ring ---- */

/* Items come out in the order they went in. */
static void test_bbuf_fifo_order(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(5);

    for (uintptr_t i = 1; i <= 5; i++)
        put_ok(b, i, "the buffer had room (capacity 5)");
    for (uintptr_t i = 1; i <= 5; i++) {
        void *got = NULL;
        hang_hint("bbuf_get never returned, though five items were put into the buffer");
        int r = bbuf_get(b, &got);
        hang_hint(NULL);
        if (r != 0)
            fail_msg("bbuf_get returned %s with items still inside; expected 0", errno_name(r));
        if (num(got) != i)
            fail_msg("items 1..5 were put in that order, but get number %lu gave item %lu: "
                     "FIFO order broken (the oldest item must come out first)",
                     (unsigned long)i, (unsigned long)num(got));
    }
    bbuf_destroy(b);
}

/* The ring wraps around many times: positions past the end of the array continue at 0,
 * for both the putting and the getting end, also when the buffer is exactly full. */
static void test_bbuf_ring_wraps_around(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(3);

    put_ok(b, 1, "capacity 3, empty");
    put_ok(b, 2, "capacity 3, one item in");
    for (uintptr_t i = 3; i <= 40; i++) {
        put_ok(b, i, "capacity 3 with two items in: one slot free (the ring must wrap around)");
        get_expect(b, i - 2, "a sliding window of 3 over a ring of 3 slots: the oldest item");
    }
    put_ok(b, 41, "capacity 3 with two items in");   /* exactly full, across the wrap */
    get_expect(b, 39, "full ring, the oldest item");
    get_expect(b, 40, "full ring, the second oldest item");
    get_expect(b, 41, "full ring, the newest item");
    bbuf_destroy(b);
}

/* Capacity 1: one item at a time, alternately put and got. */
static void test_bbuf_capacity_one_alternates(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);

    for (uintptr_t i = 1; i <= 10; i++) {
        put_ok(b, i, "capacity 1 and the buffer was empty");
        get_expect(b, i, "capacity 1: the one item just put");
    }
    bbuf_destroy(b);
}

/* ---- blocking ---- */

/* A put into a full buffer waits until a get makes room, then adds its item. */
static void test_bbuf_put_blocks_when_full(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);
    struct op p;

    put_ok(b, 1, "capacity 1, empty");
    op_start(&p, b, true, item(2));
    hang_hint("bbuf_put into a full buffer neither returned nor waited with pthread_cond_wait "
              "(these tests watch pthread_cond_wait to see a thread sleep; a busy loop never "
              "sleeps)");
    MON_AWAIT(mon.waiting >= 1 || p.finished);
    mon_lock();
    bool early = p.finished;
    int ret = p.ret;
    mon_unlock();
    if (early)
        fail_msg("bbuf_put returned %s while the buffer was full (capacity 1, one item in): it "
                 "must block until a get makes room", errno_name(ret));
    get_expect(b, 1, "the item put before the buffer filled up");
    hang_hint("bbuf_get made room, but the producer blocked in bbuf_put was never woken (does "
              "get signal the producers' condition variable?)");
    op_join(&p);
    if (p.ret != 0)
        fail_msg("bbuf_put waited while full, then returned %s when room appeared; expected 0",
                 errno_name(p.ret));
    get_expect(b, 2, "the item of the put that had to wait");
    bbuf_destroy(b);
}

/* A get from an empty buffer waits until a put brings an item, and returns that item. */
static void test_bbuf_get_blocks_when_empty(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op c;

    op_start(&c, b, false, NULL);
    hang_hint("bbuf_get on an empty buffer neither returned nor waited with pthread_cond_wait "
              "(a busy loop never sleeps)");
    MON_AWAIT(mon.waiting >= 1 || c.finished);
    mon_lock();
    bool early = c.finished;
    int ret = c.ret;
    void *got = c.got;
    mon_unlock();
    if (early)
        fail_msg("bbuf_get returned %s (item %lu) before any item was put: it must block while "
                 "the buffer is empty", errno_name(ret), (unsigned long)num(got));
    put_ok(b, 7, "the buffer was empty");
    hang_hint("bbuf_put added an item, but the consumer blocked in bbuf_get was never woken "
              "(does put signal the consumers' condition variable?)");
    op_join(&c);
    if (c.ret != 0 || num(c.got) != 7)
        fail_msg("the waiting bbuf_get returned %s with item %lu; expected 0 and item 7, the "
                 "one put while it waited", errno_name(c.ret), (unsigned long)num(c.got));
    bbuf_destroy(b);
}

/* An item put before anyone waits is there for the consumer who comes later: get returns
 * it without waiting (a signal sent when nobody waited is not remembered, so a get that
 * waits first, then checks, would sleep for ever). */
static void test_bbuf_get_takes_queued_item_without_waiting(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op c;

    put_ok(b, 5, "the buffer was empty");
    op_start(&c, b, false, NULL);
    hang_hint("bbuf_get neither returned nor waited, with an item in the buffer");
    MON_AWAIT(mon.waiting >= 1 || c.finished);
    mon_lock();
    bool slept = !c.finished;
    mon_unlock();
    if (slept)
        fail_msg("bbuf_get went to sleep in pthread_cond_wait although item 5 was already in "
                 "the buffer: the wake-up for it came before this consumer arrived and is lost. "
                 "Check the condition first and wait only while it is false: "
                 "while (empty) wait;");
    op_join(&c);
    if (c.ret != 0 || num(c.got) != 5)
        fail_msg("bbuf_get returned %s with item %lu; expected 0 and item 5", errno_name(c.ret),
                 (unsigned long)num(c.got));
    bbuf_destroy(b);
}

/* ---- waking up: while, not if ---- */

/* pthread_cond_wait may return when nobody signalled (a spurious wake-up; the wrapper makes
 * the first wait do so). The consumer must look again, find the buffer still empty, and go
 * back to sleep; then it gets the item put later. */
static void test_bbuf_get_survives_spurious_wakeup(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op c;

    mon_lock();
    mon.spurious_left = 1;
    mon_unlock();
    op_start(&c, b, false, NULL);
    hang_hint("bbuf_get on an empty buffer neither returned nor waited a second time after a "
              "spurious wake-up");
    MON_AWAIT(mon.waits >= 2 || c.finished);
    mon_lock();
    bool early = c.finished;
    int ret = c.ret;
    void *got = c.got;
    mon_unlock();
    if (early)
        fail_msg("pthread_cond_wait returned without a signal (a spurious wake-up, which POSIX "
                 "allows) and bbuf_get returned %s (item %lu) from an EMPTY buffer: put the wait "
                 "in a while loop that checks the condition again, not an if",
                 errno_name(ret), (unsigned long)num(got));
    put_ok(b, 9, "the buffer was empty");
    hang_hint("bbuf_put added an item, but the waiting consumer was never woken");
    op_join(&c);
    if (c.ret != 0 || num(c.got) != 9)
        fail_msg("the waiting bbuf_get returned %s with item %lu; expected 0 and item 9",
                 errno_name(c.ret), (unsigned long)num(c.got));
    bbuf_destroy(b);
}

/* The same for a producer: after a spurious wake-up the buffer is still full, so the put
 * sleeps again and never overwrites an item. */
static void test_bbuf_put_survives_spurious_wakeup(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);
    struct op p;

    put_ok(b, 1, "capacity 1, empty");
    mon_lock();
    mon.spurious_left = 1;
    mon_unlock();
    op_start(&p, b, true, item(2));
    hang_hint("bbuf_put into a full buffer neither returned nor waited a second time after a "
              "spurious wake-up");
    MON_AWAIT(mon.waits >= 2 || p.finished);
    mon_lock();
    bool early = p.finished;
    int ret = p.ret;
    mon_unlock();
    if (early)
        fail_msg("pthread_cond_wait returned without a signal (a spurious wake-up) and "
                 "bbuf_put returned %s into a FULL buffer (capacity 1): put the wait in a "
                 "while loop, not an if", errno_name(ret));
    get_expect(b, 1, "the first item must not be overwritten by a put into a full buffer");
    op_join(&p);
    get_expect(b, 2, "the item of the put that had to wait");
    bbuf_destroy(b);
}

/* Two consumers, one item. Consumer A waits; a put wakes it; before A gets the mutex back,
 * the test's own bbuf_get (consumer B, who never had to wait) takes the item. A must find
 * the buffer empty again and keep waiting; at close it gets EPIPE, never a phantom item. */
static void test_bbuf_get_rechecks_after_item_stolen(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op a;

    mon_lock();
    mon.gate_on = true;
    mon_unlock();
    op_start(&a, b, false, NULL);
    hang_hint("bbuf_get on an empty buffer neither returned nor waited with pthread_cond_wait");
    MON_AWAIT(mon.waiting >= 1 || a.finished);
    mon_lock();
    bool early = a.finished;
    mon_unlock();
    if (early)
        fail_msg("bbuf_get returned %s before any item was put: it must block while empty",
                 errno_name(a.ret));
    put_ok(b, 3, "the buffer was empty");
    hang_hint("bbuf_put added an item, but the consumer waiting in bbuf_get was never woken");
    MON_AWAIT(mon.at_gate >= 1);
    /* A is awake but has not got the mutex back: consumer B comes in first. */
    get_expect(b, 3, "consumer B arrived while the item was in the buffer");
    mon_lock();
    mon.gate_open = true;
    mon_changed();
    mon_unlock();
    hang_hint("after its item was taken, the woken consumer neither returned nor waited again");
    MON_AWAIT(mon.waiting >= 1 || a.finished);
    mon_lock();
    early = a.finished;
    int ret = a.ret;
    void *got = a.got;
    mon_unlock();
    if (early)
        fail_msg("two consumers, one item: the woken consumer found its item already taken by "
                 "the other, yet bbuf_get returned %s (item %lu) from an empty buffer. After "
                 "pthread_cond_wait returns, check again: while (empty) wait;, not if",
                 errno_name(ret), (unsigned long)num(got));
    bbuf_close(b);
    hang_hint("bbuf_close did not wake the consumer waiting in bbuf_get");
    op_join(&a);
    if (a.ret != EPIPE)
        fail_msg("after close, the waiting bbuf_get returned %s; expected EPIPE",
                 errno_name(a.ret));
    bbuf_destroy(b);
}

/* Two consumers wait; two items are put in a row before either consumer runs again. Both
 * consumers must wake and each get one item. A put that signals only when the buffer was
 * empty before loses the second wake-up. */
static void test_bbuf_two_puts_wake_two_consumers(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(4);
    struct op c1, c2;

    mon_lock();
    mon.gate_on = true;
    mon_unlock();
    op_start(&c1, b, false, NULL);
    op_start(&c2, b, false, NULL);
    hang_hint("two bbuf_get calls on an empty buffer neither returned nor both waited");
    MON_AWAIT(mon.waiting >= 2 || c1.finished || c2.finished);
    mon_lock();
    bool early = c1.finished || c2.finished;
    mon_unlock();
    if (early)
        fail_msg("bbuf_get returned before any item was put: it must block while empty");
    put_ok(b, 1, "the buffer was empty");
    hang_hint("bbuf_put added an item, but neither waiting consumer was woken");
    MON_AWAIT(mon.at_gate >= 1);
    put_ok(b, 2, "the buffer held one item");   /* the first consumer has not taken item 1 yet */
    mon_lock();
    mon.gate_open = true;
    mon_changed();
    mon_unlock();
    hang_hint("two items were put while two consumers waited, but one consumer never woke up: "
              "a wake-up was lost. Does bbuf_put signal only when the buffer was empty before? "
              "Every put must signal.");
    MON_AWAIT(c1.finished && c2.finished);
    op_join(&c1);
    op_join(&c2);
    if (c1.ret != 0 || c2.ret != 0 || num(c1.got) + num(c2.got) != 3 || c1.got == c2.got)
        fail_msg("two consumers returned %s (item %lu) and %s (item %lu); expected 0 twice "
                 "and items 1 and 2, one each", errno_name(c1.ret), (unsigned long)num(c1.got),
                 errno_name(c2.ret), (unsigned long)num(c2.got));
    bbuf_destroy(b);
}

/* A consumer waits, a producer waits, and one get makes room: its wake-up must reach the
 * producer. Consumers C1 and C2 wait on an empty buffer of capacity 1; a put wakes C1, which
 * is held back; producer P then finds the buffer full and waits beside C2. When C1 takes the
 * item, P must be woken (and then C2, by P's put). With one condition variable for both
 * sides and pthread_cond_signal, the signal goes to C2, the older waiter, who finds nothing
 * and sleeps again: everyone sleeps for ever. */
static void test_bbuf_get_wakes_the_waiting_producer(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);
    struct op c1, c2, p;

    mon_lock();
    mon.gate_on = true;
    mon_unlock();
    op_start(&c1, b, false, NULL);
    op_start(&c2, b, false, NULL);
    hang_hint("two bbuf_get calls on an empty buffer neither returned nor both waited");
    MON_AWAIT(mon.waiting >= 2 || c1.finished || c2.finished);
    mon_lock();
    bool early = c1.finished || c2.finished;
    mon_unlock();
    if (early)
        fail_msg("bbuf_get returned before any item was put: it must block while empty");
    put_ok(b, 1, "capacity 1 and the buffer was empty");
    hang_hint("bbuf_put added an item, but neither waiting consumer was woken");
    MON_AWAIT(mon.at_gate >= 1);
    op_start(&p, b, true, item(2));
    hang_hint("bbuf_put into a full buffer (capacity 1) neither returned nor waited");
    MON_AWAIT(mon.waiting >= 2 || p.finished);
    mon_lock();
    early = p.finished;
    mon_unlock();
    if (early)
        fail_msg("bbuf_put returned %s while the buffer was full (capacity 1): it must block",
                 errno_name(p.ret));
    mon_lock();
    mon.gate_open = true;
    mon_changed();
    mon_unlock();
    hang_hint("a consumer took the only item while a producer waited on the full buffer and "
              "another consumer waited for an item, but then nobody moved: the get's wake-up "
              "went to the other consumer instead of the producer. Producers and consumers "
              "wait for different things: give each its own condition variable (not full, not "
              "empty), or broadcast");
    MON_AWAIT(c1.finished && c2.finished && p.finished);
    op_join(&c1);
    op_join(&c2);
    op_join(&p);
    if (p.ret != 0)
        fail_msg("the producer that waited on a full buffer returned %s; expected 0",
                 errno_name(p.ret));
    if (c1.ret != 0 || c2.ret != 0 || num(c1.got) + num(c2.got) != 3 || c1.got == c2.got)
        fail_msg("two consumers returned %s (item %lu) and %s (item %lu); expected 0 twice "
                 "and items 1 and 2, one each", errno_name(c1.ret), (unsigned long)num(c1.got),
                 errno_name(c2.ret), (unsigned long)num(c2.got));
    bbuf_destroy(b);
}

/* ---- close ---- */

/* Items put before close are still got, in order; then get returns EPIPE, every time. */
static void test_bbuf_close_keeps_queued_items(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(4);

    for (uintptr_t i = 1; i <= 3; i++)
        put_ok(b, i, "the buffer had room");
    bbuf_close(b);
    for (uintptr_t i = 1; i <= 3; i++)
        get_expect(b, i, "items already in when the buffer was closed stay gettable");
    get_expect_epipe(b, "closed after three items, and all three were got");
    get_expect_epipe(b, "a second get after the buffer was drained");
    bbuf_destroy(b);
}

/* After close, put returns EPIPE even when there is room, and adds nothing. */
static void test_bbuf_put_after_close_fails(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(4);

    put_ok(b, 1, "the buffer had room");
    bbuf_close(b);
    hang_hint("bbuf_put on a closed buffer never returned");
    int r = bbuf_put(b, item(2));
    if (r != EPIPE)
        fail_msg("bbuf_put on a closed buffer returned %s; expected EPIPE", errno_name(r));
    get_expect(b, 1, "the item put before close");
    get_expect_epipe(b, "the put after close must not have added its item");
    bbuf_destroy(b);
}

/* A get on a buffer closed while empty returns EPIPE at once. */
static void test_bbuf_get_after_close_fails(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);

    bbuf_close(b);
    get_expect_epipe(b, "closed while empty");
    bbuf_destroy(b);
}

/* Close wakes every consumer waiting on an empty buffer (broadcast, not signal): all of
 * them return EPIPE. */
static void test_bbuf_close_wakes_every_consumer(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op c[3];

    for (int i = 0; i < 3; i++)
        op_start(&c[i], b, false, NULL);
    hang_hint("three bbuf_get calls on an empty buffer neither returned nor all waited");
    MON_AWAIT(mon.waiting >= 3 || c[0].finished || c[1].finished || c[2].finished);
    bbuf_close(b);
    hang_hint("bbuf_close was called while three consumers waited in bbuf_get, and at least "
              "one of them never woke up: pthread_cond_signal wakes ONE waiter; close must "
              "wake them all with pthread_cond_broadcast");
    MON_AWAIT(c[0].finished && c[1].finished && c[2].finished);
    for (int i = 0; i < 3; i++) {
        op_join(&c[i]);
        if (c[i].ret != EPIPE)
            fail_msg("a consumer waiting on an empty buffer when it was closed got %s (item "
                     "%lu); expected EPIPE", errno_name(c[i].ret), (unsigned long)num(c[i].got));
    }
    bbuf_destroy(b);
}

/* Close wakes every producer waiting on a full buffer: each returns EPIPE and its item is
 * not added; the item already in stays gettable. */
static void test_bbuf_close_wakes_every_producer(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);
    struct op p[3];

    put_ok(b, 1, "capacity 1, empty");
    for (int i = 0; i < 3; i++)
        op_start(&p[i], b, true, item(10 + (uintptr_t)i));
    hang_hint("three bbuf_put calls on a full buffer neither returned nor all waited");
    MON_AWAIT(mon.waiting >= 3 || p[0].finished || p[1].finished || p[2].finished);
    mon_lock();
    bool early = p[0].finished || p[1].finished || p[2].finished;
    mon_unlock();
    if (early)
        fail_msg("bbuf_put returned while the buffer was full (capacity 1): it must block");
    bbuf_close(b);
    hang_hint("bbuf_close was called while three producers waited in bbuf_put on a full "
              "buffer, and at least one never returned: close must wake every waiter "
              "(pthread_cond_broadcast on the producers' condition too), and a woken put must "
              "check closed, not only whether there is room");
    MON_AWAIT(p[0].finished && p[1].finished && p[2].finished);
    for (int i = 0; i < 3; i++) {
        op_join(&p[i]);
        if (p[i].ret != EPIPE)
            fail_msg("a bbuf_put blocked on a full buffer when it was closed returned %s; "
                     "expected EPIPE", errno_name(p[i].ret));
    }
    get_expect(b, 1, "the item in the buffer when it was closed");
    get_expect_epipe(b, "the blocked puts must not have added their items");
    bbuf_destroy(b);
}

/* ---- many threads ---- */

enum { PRODUCERS = 4, CONSUMERS = 3, PER_PRODUCER = 500 };

struct crowd {
    struct bbuf *b;
    atomic_int seen[PRODUCERS][PER_PRODUCER];
    atomic_int order_broken;   /* 1 + producer of an out-of-order item, or 0 */
    atomic_int bad_item;       /* an item no producer put, or 0 */
    atomic_int put_errors;
};

struct role {
    struct crowd *c;
    int id;
};

/* An item is producer * PER_PRODUCER + sequence + 1 (never 0, so never NULL). */
static void *producer_main(void *arg)
{
    struct role *r = arg;

    for (int s = 0; s < PER_PRODUCER; s++)
        if (bbuf_put(r->c->b, item((uintptr_t)(r->id * PER_PRODUCER + s + 1))) != 0)
            atomic_fetch_add(&r->c->put_errors, 1);
    return NULL;
}

/* Gets until EPIPE. FIFO means one consumer sees each producer's items in increasing order. */
static void *consumer_main(void *arg)
{
    struct role *r = arg;
    int last[PRODUCERS];
    void *got;

    for (int i = 0; i < PRODUCERS; i++)
        last[i] = -1;
    while (bbuf_get(r->c->b, &got) == 0) {
        uintptr_t v = num(got);
        if (v == 0 || v > PRODUCERS * PER_PRODUCER) {
            atomic_store(&r->c->bad_item, (int)(v > 1000000 ? 1000000 : v));
            continue;
        }
        int p = (int)((v - 1) / PER_PRODUCER), s = (int)((v - 1) % PER_PRODUCER);
        atomic_fetch_add(&r->c->seen[p][s], 1);
        if (s <= last[p])
            atomic_store(&r->c->order_broken, 1 + p);
        last[p] = s;
    }
    return NULL;
}

/* Let every op held after its unlock go on. */
static void open_unlock_gate(void)
{
    mon_lock();
    mon.unlock_gate_open = true;
    mon_changed();
    mon_unlock();
}

/* An op held after its first unlock (or finished without one). */
static void await_held(struct op *o, const char *call)
{
    hang_hint("%s neither returned nor unlocked the buffer's mutex", call);
    MON_AWAIT(mon.held_after_unlock >= 1 || o->finished);
    mon_lock();
    bool finished = o->finished;
    mon_unlock();
    if (finished)
        fail_msg("%s returned without calling pthread_mutex_unlock: take the buffer's mutex "
                 "in every bbuf_* call, and let it go before returning", call);
}

/* bbuf_put is stopped right after it unlocks the mutex; a bbuf_get that comes next must
 * find the item there and return it without waiting. Everything put changes (the slot and
 * the count) must be done while it holds the mutex. */
static void test_bbuf_put_finishes_before_unlock(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(2);
    struct op p, c;

    op_start_held(&p, b, true, item(4));
    await_held(&p, "bbuf_put(item 4) on an empty buffer");
    op_start(&c, b, false, NULL);
    hang_hint("bbuf_get on a buffer holding one item neither returned nor waited");
    MON_AWAIT(mon.waiting >= 1 || c.finished);
    mon_lock();
    bool waited = !c.finished;
    mon_unlock();
    if (waited) {
        open_unlock_gate();
        fail_msg("bbuf_put(item 4) had let go of the buffer's mutex, yet the bbuf_get that "
                 "came next found the buffer empty and waited: put changed the buffer (the "
                 "count?) after its unlock. Every change to the buffer's fields belongs "
                 "between the lock and the unlock");
    }
    if (c.ret != 0 || num(c.got) != 4)
        fail_msg("bbuf_put(item 4) had let go of the buffer's mutex; the bbuf_get that came next "
                 "returned %s with item %lu; expected 0 and item 4: put must finish its "
                 "changes before the unlock", errno_name(c.ret), (unsigned long)num(c.got));
    op_join(&c);
    open_unlock_gate();
    hang_hint("bbuf_put never returned after its unlock");
    op_join(&p);
    hang_hint(NULL);
    if (p.ret != 0)
        fail_msg("bbuf_put(item 4) returned %s; expected 0", errno_name(p.ret));
    bbuf_destroy(b);
}

/* bbuf_get is stopped right after it unlocks the mutex of a full buffer (capacity 1); a
 * bbuf_put that comes next must find the room and return without waiting. */
static void test_bbuf_get_finishes_before_unlock(void **state)
{
    (void)state;
    struct bbuf *b = new_buf(1);
    struct op c, p;

    put_ok(b, 1, "the buffer was empty");
    op_start_held(&c, b, false, NULL);
    await_held(&c, "bbuf_get on a buffer holding one item");
    op_start(&p, b, true, item(2));
    hang_hint("bbuf_put on a buffer with room neither returned nor waited");
    MON_AWAIT(mon.waiting >= 1 || p.finished);
    mon_lock();
    bool waited = !p.finished;
    mon_unlock();
    if (waited) {
        open_unlock_gate();
        fail_msg("bbuf_get had let go of the buffer's mutex after taking the only item, yet "
                 "the bbuf_put that came next found the buffer full and waited: get changed "
                 "the buffer (the count?) after its unlock. Every change to the buffer's "
                 "fields belongs between the lock and the unlock");
    }
    if (p.ret != 0)
        fail_msg("the bbuf_put after the get returned %s; expected 0", errno_name(p.ret));
    op_join(&p);
    open_unlock_gate();
    hang_hint("bbuf_get never returned after its unlock");
    op_join(&c);
    if (c.ret != 0 || num(c.got) != 1)
        fail_msg("bbuf_get returned %s with item %lu; expected 0 and item 1",
                 errno_name(c.ret), (unsigned long)num(c.got));
    get_expect(b, 2, "the item put after the get");
    bbuf_destroy(b);
}

/* 4 producers put 500 items each through a buffer of 4 while 3 consumers get: every item is
 * delivered exactly once, each producer's items in order. The ThreadSanitizer run of this
 * test reports a field touched outside the mutex even when the counts come out right. */
static void test_bbuf_many_threads_deliver_each_item_once(void **state)
{
    (void)state;
    struct crowd *c = calloc(1, sizeof *c);
    pthread_t pt[PRODUCERS], ct[CONSUMERS];
    struct role pr[PRODUCERS], cr[CONSUMERS];

    assert_non_null(c);
    c->b = new_buf(4);
    for (int i = 0; i < CONSUMERS; i++) {
        cr[i] = (struct role){ c, i };
        PT_CHECK(pthread_create(&ct[i], NULL, consumer_main, &cr[i]));
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pr[i] = (struct role){ c, i };
        PT_CHECK(pthread_create(&pt[i], NULL, producer_main, &pr[i]));
    }
    hang_hint("4 producers and 3 consumers through a buffer of capacity 4: a producer never "
              "finished (a put that sleeps and is never woken? does get signal after making "
              "room?)");
    for (int i = 0; i < PRODUCERS; i++)
        PT_CHECK(pthread_join(pt[i], NULL));
    bbuf_close(c->b);
    hang_hint("every item was put and the buffer closed, but a consumer never returned from "
              "bbuf_get (close must wake every waiting consumer; a consumer must get EPIPE once "
              "the buffer is closed and drained)");
    for (int i = 0; i < CONSUMERS; i++)
        PT_CHECK(pthread_join(ct[i], NULL));
    hang_hint(NULL);
    if (atomic_load(&c->put_errors) != 0)
        fail_msg("%d bbuf_put calls failed before close; expected 0", atomic_load(&c->put_errors));
    if (atomic_load(&c->bad_item) != 0)
        fail_msg("a consumer got item %d, which no producer put (a slot read before it was "
                 "written, or read twice after being overwritten?)", atomic_load(&c->bad_item));
    for (int p = 0; p < PRODUCERS; p++)
        for (int s = 0; s < PER_PRODUCER; s++) {
            int n = atomic_load(&c->seen[p][s]);
            if (n != 1)
                fail_msg("item %d of producer %d was delivered %d times; every item must be "
                         "delivered exactly once (%s)", s, p, n,
                         n == 0 ? "lost: overwritten, or dropped at close?"
                                : "duplicated: got twice from the same slot?");
        }
    if (atomic_load(&c->order_broken) != 0)
        fail_msg("a consumer got items of producer %d out of order: FIFO order broken",
                 atomic_load(&c->order_broken) - 1);
    bbuf_destroy(c->b);
    free(c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_bbuf_create_rejects_zero_capacity),
    cmocka_unit_test(test_bbuf_destroy_frees_buffer_not_items),
    cmocka_unit_test(test_bbuf_fifo_order),
    cmocka_unit_test(test_bbuf_ring_wraps_around),
    cmocka_unit_test(test_bbuf_capacity_one_alternates),
    cmocka_unit_test(test_bbuf_put_blocks_when_full),
    cmocka_unit_test(test_bbuf_get_blocks_when_empty),
    cmocka_unit_test(test_bbuf_get_takes_queued_item_without_waiting),
    cmocka_unit_test(test_bbuf_get_survives_spurious_wakeup),
    cmocka_unit_test(test_bbuf_put_survives_spurious_wakeup),
    cmocka_unit_test(test_bbuf_get_rechecks_after_item_stolen),
    cmocka_unit_test(test_bbuf_two_puts_wake_two_consumers),
    cmocka_unit_test(test_bbuf_get_wakes_the_waiting_producer),
    cmocka_unit_test(test_bbuf_close_keeps_queued_items),
    cmocka_unit_test(test_bbuf_put_after_close_fails),
    cmocka_unit_test(test_bbuf_get_after_close_fails),
    cmocka_unit_test(test_bbuf_close_wakes_every_consumer),
    cmocka_unit_test(test_bbuf_close_wakes_every_producer),
    cmocka_unit_test(test_bbuf_put_finishes_before_unlock),
    cmocka_unit_test(test_bbuf_get_finishes_before_unlock),
    cmocka_unit_test(test_bbuf_many_threads_deliver_each_item_once),
};

COURSE_MAIN("05-condition-variables", tests)
