/* tests/03-locks-and-atomics/test_locks.c: lesson 03's tests (the spinlock).
 * Run: make check L=03   (or IMPL=path/to/your.c)
 *
 * Two tricks make these tests deterministic where a wrong lock would only fail "sometimes":
 *  - ThreadSanitizer (the TSan run of make check) reports a data race on the counter a lock
 *    protects whenever the lock does not order the threads' accesses (a relaxed memory order,
 *    a lock that does not wait), even on runs where the count comes out right.
 *  - The "gate" (plain and ASan runs): the lock lives alone on a read-only page, so the first
 *    write any thread makes to it traps. The trap handler holds the first thread there until
 *    the second thread also tries to write, then lets both go. Both have by then looked at the
 *    lock and found it free: a lock that decides with a load and then stores (test-then-set)
 *    lets both in; an atomic exchange lets exactly one in.
 * Where a wrong lock would make a thread enter when it must not, the test waits for that
 * entry for a bounded number of sched_yield() calls: a correct lock always passes, whatever
 * the timing; a wrong one is caught as soon as its thread gets the CPU. */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS, for the gate's page */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "runner.h"

/* ThreadSanitizer runs atomics inside its runtime while holding an internal lock, so a thread
 * stopped by the gate in the middle of one would stop the other thread too: the gate is used
 * in the plain and ASan runs only, and the TSan run checks the same tests without it. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

/* What a data race means in the test that is running (each test is its own process), set
 * by the tests whose data only the lock protects; NULL elsewhere. */
static const char *race_meaning;
static const char LOCK_DATA_RACED[] =
    "the data the lock protects raced: spin_lock must acquire, spin_unlock must release "
    "(the test wrote it holding the lock; the next holder read it)";
static const char TRYLOCK_DATA_RACED[] =
    "the data the lock protects raced: spin_trylock must acquire when it takes the lock, "
    "spin_unlock must release (the test wrote it holding the lock; the thread that took it "
    "with spin_trylock read it)";

#if UNDER_TSAN
/* ThreadSanitizer calls this hook (a weak symbol of its runtime, ours replaces it) before it
 * prints a report: the line below then says, in the lesson's terms, which of the learner's
 * operations failed to order the data, since the report's own lines are all in this file. */
void __tsan_on_report(const void *report);
void __tsan_on_report(const void *report)
{
    (void)report;
    if (race_meaning != NULL)
        fprintf(stderr, "%s\n", race_meaning);
}
#endif

/* How many times a test yields the CPU while it waits for something a WRONG lock would do
 * (another thread entering). A correct lock passes for any number; more only catches a
 * wrong one more surely. */
enum { YIELDS = 50 };

static void sem_wait_all(sem_t *s)
{
    while (sem_wait(s) == -1) {
        if (errno != EINTR)
            die("sem_wait: %s", strerror(errno));
    }
}

/* ---- the gate: a lock on a read-only page; the first two writers meet in the trap ---- */

static struct {
    void *page;
    size_t size;
    atomic_int faults;         /* writes trapped so far */
    sem_t open;                /* the first trapped thread waits here for the second */
    struct sigaction old;
} gate;

static void gate_trap(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    char *addr = info->si_addr, *page = gate.page;
    if (addr < page || addr >= page + gate.size) {
        /* A real crash, not our page: let it happen the normal way. */
        signal(sig, SIG_DFL);
        return;
    }
    if (atomic_fetch_add(&gate.faults, 1) == 0) {
        while (sem_wait(&gate.open) == -1)   /* a futex wait: fine in a handler on Linux */
            ;
    } else {
        mprotect(gate.page, gate.size, PROT_READ | PROT_WRITE);
        sem_post(&gate.open);
    }
    /* Returning re-runs the write that trapped, now on a writable page. */
}

/* A fresh, free lock alone on a page that will trap the first writes. */
static struct spinlock *gate_arm(void)
{
    struct sigaction sa;

    gate.size = (size_t)SYS_CHECK(sysconf(_SC_PAGESIZE));
    gate.page = mmap(NULL, gate.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (gate.page == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    atomic_init(&gate.faults, 0);
    SYS_CHECK(sem_init(&gate.open, 0, 0));
    struct spinlock *l = gate.page;
    spin_init(l);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = gate_trap;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    SYS_CHECK(sigaction(SIGSEGV, &sa, &gate.old));
    if (!UNDER_TSAN)
        SYS_CHECK(mprotect(gate.page, gate.size, PROT_READ));
    return l;
}

static void gate_disarm(void)
{
    SYS_CHECK(sigaction(SIGSEGV, &gate.old, NULL));
    SYS_CHECK(sem_destroy(&gate.open));
    SYS_CHECK(munmap(gate.page, gate.size));
}

/* ---- shared state of the multi-thread tests ---- */

struct shared {
    struct spinlock *lock;
    pthread_barrier_t start;   /* every worker starts at once */
    sem_t ready;               /* a worker says "I am about to call spin_lock" */
    sem_t proceed;             /* the test lets a worker go on */
    atomic_int inside;         /* threads between spin_lock's return and spin_unlock */
    atomic_int overlap;        /* set when a thread entered while another was inside */
    atomic_int entered;        /* threads that came back from spin_lock */
    atomic_int released;       /* the main thread is letting the lock go */
    atomic_int wins;           /* spin_trylock calls that returned true */
    long counter;              /* guarded by lock: plain, so TSan sees any unordered access */
    int data;                  /* guarded by lock */
    long iters;
};

static struct shared *shared_new(struct spinlock *l, unsigned workers)
{
    struct shared *s = calloc(1, sizeof *s);

    if (s == NULL)
        die("out of memory");
    s->lock = l;
    PT_CHECK(pthread_barrier_init(&s->start, NULL, workers));
    SYS_CHECK(sem_init(&s->ready, 0, 0));
    SYS_CHECK(sem_init(&s->proceed, 0, 0));
    return s;
}

static void shared_free(struct shared *s)
{
    PT_CHECK(pthread_barrier_destroy(&s->start));
    SYS_CHECK(sem_destroy(&s->ready));
    SYS_CHECK(sem_destroy(&s->proceed));
    free(s);
}

/* Note entering the critical section; true if another thread was already inside.
 * The test's own bookkeeping is relaxed on purpose: a seq_cst read-modify-write here would
 * order the threads by itself, and ThreadSanitizer would then miss a lock that orders
 * nothing. */
static bool enter(struct shared *s)
{
    atomic_fetch_add_explicit(&s->entered, 1, memory_order_relaxed);
    if (atomic_fetch_add_explicit(&s->inside, 1, memory_order_relaxed) != 0) {
        atomic_store_explicit(&s->overlap, 1, memory_order_relaxed);
        return true;
    }
    return false;
}

static void leave(struct shared *s)
{
    atomic_fetch_sub_explicit(&s->inside, 1, memory_order_relaxed);
}

/* Zeroed memory, then spin_init: only test_spin_init_frees_any_memory gives spin_init
 * memory that looks taken, so a spin_init that does nothing fails that one test quickly
 * instead of making every test wait on stack garbage. */
static void fresh_lock(struct spinlock *l)
{
    memset(l, 0, sizeof *l);
    spin_init(l);
}

/* ---- spin_init ---- */

/* spin_init makes the lock free whatever its memory held: spin_trylock then succeeds. */
static void test_spin_init_frees_any_memory(void **state)
{
    (void)state;
    static const int junk[] = { 1, -1, 0x7fffffff, 0x5a5a5a5a };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        struct spinlock l;
        atomic_init(&l.held, junk[i]);
        spin_init(&l);
        hang_hint("spin_trylock never returned on a lock just set up by spin_init (held was %d "
                  "before): did spin_init leave the old value, and does trylock wait?", junk[i]);
        if (!spin_trylock(&l))
            fail_msg("the lock's memory held %d, then spin_init ran, and spin_trylock returned "
                     "false: spin_init must make the lock free whatever was there before "
                     "(store the 'free' value)", junk[i]);
        hang_hint(NULL);
    }
}

/* ---- spin_trylock ---- */

/* On a free lock, spin_trylock takes it and returns true. */
static void test_spin_trylock_takes_a_free_lock(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    hang_hint("spin_trylock never returned on a free lock");
    if (!spin_trylock(&l))
        fail_msg("spin_trylock on a free lock returned false; it must take a free lock and "
                 "return true (did you return the exchange's old value instead of "
                 "'old value was free'?)");
}

/* After spin_lock, a spin_trylock on the same lock returns false at once. */
static void test_spin_trylock_fails_on_a_held_lock(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock");
    spin_lock(&l);
    hang_hint("spin_trylock on a held lock never returned: trylock must make ONE attempt and "
              "return false when the lock is taken, never wait for it");
    if (spin_trylock(&l))
        fail_msg("spin_lock took the lock, then spin_trylock on it returned true: a taken lock "
                 "must make trylock return false (does spin_lock mark the lock taken? does "
                 "trylock look at what the exchange returned?)");
    hang_hint(NULL);
}

/* Two spin_trylock calls in a row: the first takes the lock, the second returns false. */
static void test_spin_trylock_twice_second_fails(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    hang_hint("spin_trylock never returned");
    if (!spin_trylock(&l))
        fail_msg("spin_trylock on a free lock returned false; expected true");
    hang_hint("the second spin_trylock never returned: trylock must not wait for a taken lock");
    if (spin_trylock(&l))
        fail_msg("spin_trylock took the lock, and a second spin_trylock returned true too: "
                 "trylock must write 'taken' and return false when it was taken already");
    hang_hint(NULL);
}

struct holder {
    struct spinlock *lock;
    sem_t holding, done;
};

static void *hold_until_told(void *p)
{
    struct holder *h = p;

    spin_lock(h->lock);
    SYS_CHECK(sem_post(&h->holding));
    sem_wait_all(&h->done);
    spin_unlock(h->lock);
    return NULL;
}

/* Another thread holds the lock: spin_trylock returns false; once it lets go, true. */
static void test_spin_trylock_fails_while_another_thread_holds(void **state)
{
    (void)state;
    struct spinlock l;
    struct holder h = { .lock = &l };
    pthread_t t;

    fresh_lock(&l);
    SYS_CHECK(sem_init(&h.holding, 0, 0));
    SYS_CHECK(sem_init(&h.done, 0, 0));
    PT_CHECK(pthread_create(&t, NULL, hold_until_told, &h));
    hang_hint("a thread called spin_lock on a free lock and never came back");
    sem_wait_all(&h.holding);
    hang_hint("spin_trylock never returned while another thread held the lock: trylock must "
              "return false at once, not wait");
    bool got = spin_trylock(&l);
    SYS_CHECK(sem_post(&h.done));
    hang_hint("the holding thread's spin_unlock never returned");
    PT_CHECK(pthread_join(t, NULL));
    if (got)
        fail_msg("another thread held the lock, yet spin_trylock returned true: two threads "
                 "held it at once");
    hang_hint("spin_trylock never returned after the other thread unlocked");
    if (!spin_trylock(&l))
        fail_msg("the other thread called spin_unlock, then spin_trylock returned false: the "
                 "lock should be free again");
    SYS_CHECK(sem_destroy(&h.holding));
    SYS_CHECK(sem_destroy(&h.done));
}

static void *trylock_once(void *p)
{
    struct shared *s = p;

    BARRIER_WAIT(&s->start);
    if (spin_trylock(s->lock))
        atomic_fetch_add(&s->wins, 1);
    return NULL;
}

/* Two threads try a free lock at the same moment (the gate holds the first until the second
 * arrives): exactly one gets it. A "load, then store" trylock lets both win. */
static void test_spin_trylock_one_winner_of_two(void **state)
{
    (void)state;
    struct spinlock *l = gate_arm();
    struct shared *s = shared_new(l, 2);
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_create(&t[i], NULL, trylock_once, s));
    hang_hint("two threads called spin_trylock on a free lock; the test holds the first one's "
              "write to the lock until the second also writes, and the second never wrote "
              "(or a trylock waited)");
    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    hang_hint(NULL);
    int wins = atomic_load(&s->wins);
    gate_disarm();
    shared_free(s);
    if (wins == 2)
        fail_msg("two threads called spin_trylock on a free lock at the same moment and BOTH "
                 "got true: each read 'free', then each wrote 'taken'. Reading and writing "
                 "must be one indivisible step: atomic_exchange (or compare_exchange)");
    if (wins == 0)
        fail_msg("two threads called spin_trylock on a free lock and neither got it: one of "
                 "them must get true");
}

/* ---- spin_lock ---- */

/* spin_lock on a free lock returns, and the lock is then taken (trylock fails). */
static void test_spin_lock_takes_a_free_lock(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock (right after spin_init): does "
              "spin_init make the lock free, and does spin_lock stop when it took it?");
    spin_lock(&l);
    hang_hint("spin_trylock never returned after spin_lock");
    if (spin_trylock(&l))
        fail_msg("spin_lock returned, yet spin_trylock then took the lock too: spin_lock must "
                 "mark the lock taken");
    hang_hint(NULL);
}

static void *lock_while_main_holds(void *p)
{
    struct shared *s = p;

    SYS_CHECK(sem_post(&s->ready));
    spin_lock(s->lock);
    if (atomic_load(&s->released) == 0)
        atomic_store(&s->overlap, 1);   /* we got in while main still held it */
    atomic_fetch_add(&s->entered, 1);
    spin_unlock(s->lock);
    return NULL;
}

/* While this thread holds the lock, another thread's spin_lock does not return; it returns
 * once the lock is let go. */
static void test_spin_lock_waits_for_the_holder(void **state)
{
    (void)state;
    struct spinlock l;
    struct shared *s = shared_new(&l, 1);
    pthread_t t;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock");
    spin_lock(&l);
    PT_CHECK(pthread_create(&t, NULL, lock_while_main_holds, s));
    sem_wait_all(&s->ready);
    /* A lock that does not wait lets the other thread in now: give it the CPU. */
    for (int i = 0; i < YIELDS && atomic_load(&s->entered) == 0; i++)
        sched_yield();
    atomic_store(&s->released, 1);
    spin_unlock(&l);
    hang_hint("the test let go of the lock, but the other thread's spin_lock never returned: "
              "does spin_unlock free the lock, and does spin_lock look again after it saw "
              "the lock taken?");
    PT_CHECK(pthread_join(t, NULL));
    hang_hint(NULL);
    bool early = atomic_load(&s->overlap);
    shared_free(s);
    if (early)
        fail_msg("this thread held the lock, and another thread's spin_lock returned anyway: "
                 "spin_lock must keep trying until it is the one that changed 'free' to "
                 "'taken' (a loop around the exchange, looking at what it returned)");
}

static void *lock_at_the_gate(void *p)
{
    struct shared *s = p;

    BARRIER_WAIT(&s->start);
    spin_lock(s->lock);
    if (!enter(s)) {
        /* First in: stay inside while the other thread has its chance to (wrongly) enter. */
        for (int i = 0; i < YIELDS && atomic_load(&s->entered) < 2; i++)
            sched_yield();
    }
    leave(s);
    spin_unlock(s->lock);
    return NULL;
}

/* Two threads find the lock free at the same moment (the gate holds the first one's write
 * until the second also writes): only one enters; the other waits until it leaves. */
static void test_spin_lock_two_threads_never_both_enter(void **state)
{
    (void)state;
    struct spinlock *l = gate_arm();
    struct shared *s = shared_new(l, 2);
    pthread_t t[2];

    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_create(&t[i], NULL, lock_at_the_gate, s));
    hang_hint("two threads called spin_lock on a free lock and one never came back: the "
              "second should get the lock once the first called spin_unlock (or, if the "
              "test's gate waits, only one of them ever wrote to the lock)");
    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    hang_hint(NULL);
    bool both = atomic_load(&s->overlap);
    gate_disarm();
    shared_free(s);
    if (both)
        fail_msg("two threads called spin_lock on a free lock at the same moment and BOTH "
                 "got in: each read 'free', then each wrote 'taken'. Use one indivisible "
                 "read-and-write: atomic_exchange returns the old value (0: you took it)");
}

enum { STRESS_THREADS = 4 };

static void *count_under_lock(void *p)
{
    struct shared *s = p;

    BARRIER_WAIT(&s->start);
    for (long i = 0; i < s->iters; i++) {
        spin_lock(s->lock);
        enter(s);
        s->counter++;   /* plain read-modify-write: the lock alone protects it */
        leave(s);
        spin_unlock(s->lock);
    }
    return NULL;
}

/* 4 threads each add 1 to a plain counter 20000 times under the lock: the total is exact,
 * no two threads are ever inside together, and ThreadSanitizer sees no race (the lock's
 * acquire and release order the accesses). */
static void test_spin_lock_mutual_exclusion(void **state)
{
    (void)state;
    race_meaning = LOCK_DATA_RACED;
    struct spinlock l;
    struct shared *s = shared_new(&l, STRESS_THREADS);
    pthread_t t[STRESS_THREADS];

    fresh_lock(&l);
    s->iters = UNDER_TSAN ? 5000 : 20000;
    for (int i = 0; i < STRESS_THREADS; i++)
        PT_CHECK(pthread_create(&t[i], NULL, count_under_lock, s));
    hang_hint("4 threads taking and releasing the lock in a loop never finished: a spin_unlock "
              "that does not free the lock, or a spin_lock that misses that it is free?");
    for (int i = 0; i < STRESS_THREADS; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    hang_hint(NULL);
    long want = STRESS_THREADS * s->iters, got = s->counter;
    bool overlap = atomic_load(&s->overlap);
    shared_free(s);
    if (overlap)
        fail_msg("two threads were inside the lock at the same time (seen by the test's "
                 "'inside' counter): a lock whose 'is it free?' and 'take it' are two steps "
                 "lets two threads in");
    if (got != want)
        fail_msg("%d threads added 1 to a counter %ld times each under the lock, and it ended "
                 "at %ld instead of %ld: updates were lost, so two threads were inside at "
                 "once", STRESS_THREADS, want / STRESS_THREADS, got, want);
}

static void *read_after_lock(void *p)
{
    struct shared *s = p;

    spin_lock(s->lock);
    int seen = s->data;   /* written by main before its unlock */
    spin_unlock(s->lock);
    if (seen != 42)
        atomic_store(&s->overlap, 1);
    return NULL;
}

/* What the holder writes before spin_unlock, the next holder reads after spin_lock: 42.
 * ThreadSanitizer reports a race here if unlock is not a release or lock not an acquire
 * (memory_order_relaxed orders nothing). */
static void test_spin_unlock_publishes_writes(void **state)
{
    (void)state;
    race_meaning = LOCK_DATA_RACED;
    struct spinlock l;
    struct shared *s = shared_new(&l, 1);
    pthread_t t;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock");
    spin_lock(&l);
    PT_CHECK(pthread_create(&t, NULL, read_after_lock, s));
    s->data = 42;   /* after the create, so only the lock can order it before the read */
    spin_unlock(&l);
    hang_hint("after spin_unlock, the other thread's spin_lock never returned");
    PT_CHECK(pthread_join(t, NULL));
    hang_hint(NULL);
    bool wrong = atomic_load(&s->overlap);
    shared_free(s);
    if (wrong)
        fail_msg("the holder wrote 42 and called spin_unlock; the next thread's spin_lock "
                 "returned, and it read something else: it got in before the unlock, or the "
                 "write was not made visible (unlock needs memory_order_release, lock "
                 "memory_order_acquire)");
}

static void *read_after_trylock(void *p)
{
    struct shared *s = p;

    /* Relaxed: this flag only says when to try; it must not order memory, or TSan would
     * miss a trylock that does not. */
    while (atomic_load_explicit(&s->released, memory_order_relaxed) == 0)
        sched_yield();
    if (!spin_trylock(s->lock)) {
        atomic_store(&s->wins, -1);   /* a free lock refused */
        return NULL;
    }
    int seen = s->data;
    spin_unlock(s->lock);
    if (seen != 42)
        atomic_store(&s->overlap, 1);
    return NULL;
}

/* The same through spin_trylock, tried once after the unlock: it takes the lock and, being
 * an acquire, sees 42. */
static void test_spin_trylock_acquires_writes(void **state)
{
    (void)state;
    race_meaning = TRYLOCK_DATA_RACED;
    struct spinlock l;
    struct shared *s = shared_new(&l, 1);
    pthread_t t;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock");
    spin_lock(&l);
    PT_CHECK(pthread_create(&t, NULL, read_after_trylock, s));
    s->data = 42;
    spin_unlock(&l);
    atomic_store_explicit(&s->released, 1, memory_order_relaxed);
    hang_hint("after spin_unlock, another thread's spin_trylock never returned");
    PT_CHECK(pthread_join(t, NULL));
    hang_hint(NULL);
    bool wrong = atomic_load(&s->overlap), refused = atomic_load(&s->wins) < 0;
    shared_free(s);
    if (refused)
        fail_msg("the holder called spin_unlock, then another thread's spin_trylock returned "
                 "false on the free lock: unlock must free it, and trylock must take a free "
                 "lock");
    if (wrong)
        fail_msg("the holder wrote 42 and called spin_unlock; another thread's spin_trylock "
                 "then returned true and it read something else: a successful trylock must "
                 "be an acquire (memory_order_acquire), and must fail while the lock is held");
}

/* ---- spin_unlock ---- */

/* After spin_lock and spin_unlock the lock is free: spin_trylock takes it. */
static void test_spin_unlock_frees_the_lock(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    hang_hint("spin_lock never returned on a free lock");
    spin_lock(&l);
    spin_unlock(&l);
    hang_hint("spin_trylock never returned");
    if (!spin_trylock(&l))
        fail_msg("spin_lock, spin_unlock, then spin_trylock returned false: spin_unlock must "
                 "make the lock free again (store the 'free' value)");
    hang_hint(NULL);
}

/* Lock and unlock many times in a row from one thread: each spin_lock returns. */
static void test_spin_unlock_lets_lock_again(void **state)
{
    (void)state;
    struct spinlock l;

    fresh_lock(&l);
    for (int i = 0; i < 1000; i++) {
        hang_hint("spin_lock number %d never returned, after %d lock/unlock pairs: "
                  "spin_unlock did not free the lock?", i + 1, i);
        spin_lock(&l);
        spin_unlock(&l);
    }
    hang_hint(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_spin_init_frees_any_memory),
    cmocka_unit_test(test_spin_trylock_takes_a_free_lock),
    cmocka_unit_test(test_spin_trylock_fails_on_a_held_lock),
    cmocka_unit_test(test_spin_trylock_twice_second_fails),
    cmocka_unit_test(test_spin_trylock_fails_while_another_thread_holds),
    cmocka_unit_test(test_spin_trylock_one_winner_of_two),
    cmocka_unit_test(test_spin_trylock_acquires_writes),
    cmocka_unit_test(test_spin_lock_takes_a_free_lock),
    cmocka_unit_test(test_spin_lock_waits_for_the_holder),
    cmocka_unit_test(test_spin_lock_two_threads_never_both_enter),
    cmocka_unit_test(test_spin_lock_mutual_exclusion),
    cmocka_unit_test(test_spin_unlock_publishes_writes),
    cmocka_unit_test(test_spin_unlock_frees_the_lock),
    cmocka_unit_test(test_spin_unlock_lets_lock_again),
};

COURSE_MAIN("03-locks-and-atomics", tests)
