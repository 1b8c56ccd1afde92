/* tests/01-threads/test_threads.c: lesson 01's tests (split_run, parallel_count_primes).
 * Run: make check L=01   (or IMPL=path/to/your.c) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exercise.h"
#include "fail_inject.h"
#include "errname.h"
#include "runner.h"

/* ---- a recorder: every call split_run makes to fn, from any thread ---- */

enum { CALLS_MAX = 256, SPAN_MAX = 4096 };

struct recorder {
    pthread_mutex_t mu;                  /* guards ncalls and calls[] */
    int ncalls;
    struct { long lo, hi; pthread_t who; } calls[CALLS_MAX];
    long base;                           /* lowest number of the range under test */
    atomic_int seen[SPAN_MAX];           /* how often each number was covered */
    pthread_barrier_t *barrier;          /* if set, every call waits here */
};

static void record_call(long lo, long hi, void *arg)
{
    struct recorder *r = arg;

    PT_CHECK(pthread_mutex_lock(&r->mu));
    if (r->ncalls < CALLS_MAX) {
        r->calls[r->ncalls].lo = lo;
        r->calls[r->ncalls].hi = hi;
        r->calls[r->ncalls].who = pthread_self();
    }
    r->ncalls++;
    PT_CHECK(pthread_mutex_unlock(&r->mu));
    for (long n = lo; n < hi; n++)
        if (n - r->base >= 0 && n - r->base < SPAN_MAX)
            atomic_fetch_add(&r->seen[n - r->base], 1);
    if (r->barrier != NULL) {
        BARRIER_WAIT(r->barrier);
    }
}

static struct recorder *recorder_new(long base)
{
    struct recorder *r = calloc(1, sizeof *r);

    assert_non_null(r);
    PT_CHECK(pthread_mutex_init(&r->mu, NULL));
    r->base = base;
    return r;
}

static void recorder_free(struct recorder *r)
{
    PT_CHECK(pthread_mutex_destroy(&r->mu));
    free(r);
}

static int by_lo(const void *a, const void *b)
{
    const long *x = a, *y = b;
    return (*x > *y) - (*x < *y);
}

/* Check that the recorded chunks tile [lo, hi) exactly, are non-empty and balanced,
 * and that there are want of them. */
static void expect_tiling(struct recorder *r, long lo, long hi, int want)
{
    long spans[CALLS_MAX][2];

    if (r->ncalls != want)
        fail_msg("split_run(%ld, %ld, ...) called fn %d times; expected %d (one per thread, "
                 "and never more threads than numbers)", lo, hi, r->ncalls, want);
    for (int i = 0; i < r->ncalls; i++) {
        spans[i][0] = r->calls[i].lo;
        spans[i][1] = r->calls[i].hi;
    }
    qsort(spans, (size_t)r->ncalls, sizeof spans[0], by_lo);
    long min = hi - lo, max = 0, next = lo;
    for (int i = 0; i < r->ncalls; i++) {
        long a = spans[i][0], b = spans[i][1];
        if (a != next)
            fail_msg("split_run(%ld, %ld): after [.., %ld) the next chunk starts at %ld; chunks "
                     "must be contiguous (%s)", lo, hi, next, a,
                     a > next ? "numbers skipped" : "numbers run twice");
        if (b <= a)
            fail_msg("split_run gave a thread the empty chunk [%ld, %ld); every chunk must be "
                     "non-empty", a, b);
        min = b - a < min ? b - a : min;
        max = b - a > max ? b - a : max;
        next = b;
    }
    if (next != hi)
        fail_msg("split_run(%ld, %ld): the last chunk ends at %ld, not at hi", lo, hi, next);
    if (max - min > 1)
        fail_msg("split_run(%ld, %ld, %d): chunk sizes range from %ld to %ld; they must differ "
                 "by at most one", lo, hi, want, min, max);
}

/* ---- split_run ---- */

/* Every number of [lo, hi) is given to exactly one call of fn. */
static void test_split_run_covers_each_number_once(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(10);

    expect_long_eq(split_run(10, 110, 7, record_call, r), 0, "split_run(10, 110, 7, fn, arg)");
    for (long n = 10; n < 110; n++) {
        int k = atomic_load(&r->seen[n - 10]);
        if (k == 0)
            fail_msg("split_run(10, 110, 7) skipped %ld: no chunk covered it", n);
        if (k > 1)
            fail_msg("split_run(10, 110, 7) ran %ld %d times; each number belongs to one chunk",
                     n, k);
    }
    recorder_free(r);
}

/* Chunks are contiguous, non-empty, one per thread, sizes differing by at most one. */
static void test_split_run_chunks_tile_the_range(void **state)
{
    (void)state;
    static const struct { long lo, hi; int n; } cases[] = {
        { 0, 100, 4 }, { 0, 101, 4 }, { 0, 103, 4 }, { 5, 6, 1 }, { 0, 1000, 13 }, { -50, 50, 3 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct recorder *r = recorder_new(cases[i].lo);
        int err = split_run(cases[i].lo, cases[i].hi, cases[i].n, record_call, r);
        if (err != 0)
            fail_msg("split_run(%ld, %ld, %d) returned %s; expected 0", cases[i].lo, cases[i].hi,
                     cases[i].n, errno_name(err));
        expect_tiling(r, cases[i].lo, cases[i].hi, cases[i].n);
        recorder_free(r);
    }
}

/* A range shorter than nthreads runs one thread per number. */
static void test_split_run_fewer_threads_than_asked(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);

    expect_long_eq(split_run(0, 3, 8, record_call, r), 0, "split_run(0, 3, 8, fn, arg)");
    expect_tiling(r, 0, 3, 3);
    recorder_free(r);
}

/* All the chunks run at the same time: each waits on a barrier of nthreads, which opens
 * only when every thread has arrived. Threads started one after another never open it. */
static void test_split_run_threads_run_together(void **state)
{
    (void)state;
    pthread_barrier_t barrier;
    struct recorder *r = recorder_new(0);

    PT_CHECK(pthread_barrier_init(&barrier, NULL, 4));
    r->barrier = &barrier;
    hang_hint("split_run(0, 40, 4) never returned: each chunk waits for the other three, so "
              "the 4 threads must all be running at once (did you join each thread before "
              "creating the next?)");
    expect_long_eq(split_run(0, 40, 4, record_call, r), 0, "split_run(0, 40, 4, fn, arg)");
    hang_hint(NULL);
    PT_CHECK(pthread_barrier_destroy(&barrier));
    recorder_free(r);
}

/* The caller's thread only creates and joins: no chunk runs on it. */
static void test_split_run_caller_runs_no_chunk(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);

    expect_long_eq(split_run(0, 20, 4, record_call, r), 0, "split_run(0, 20, 4, fn, arg)");
    for (int i = 0; i < r->ncalls && i < CALLS_MAX; i++)
        if (pthread_equal(r->calls[i].who, pthread_self()))
            fail_msg("chunk [%ld, %ld) ran in the caller's thread; every chunk gets a thread of "
                     "its own", r->calls[i].lo, r->calls[i].hi);
    recorder_free(r);
}

/* Every thread started is joined before split_run returns. */
static void test_split_run_joins_every_thread(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);

    inject_pthread_create_failure(1000, EAGAIN);   /* never fails: only counts */
    expect_long_eq(split_run(0, 60, 6, record_call, r), 0, "split_run(0, 60, 6, fn, arg)");
    if (injected_threads_created() != 6)
        fail_msg("split_run(0, 60, 6) created %d threads with pthread_create; expected 6",
                 injected_threads_created());
    if (injected_threads_joined() != 6)
        fail_msg("split_run created 6 threads but joined %d; join every thread before "
                 "returning (a detached or forgotten thread may still be running)",
                 injected_threads_joined());
    recorder_free(r);
}

/* lo == hi: nothing to do, no thread, 0. */
static void test_split_run_empty_range(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);

    inject_pthread_create_failure(1000, EAGAIN);
    int err = split_run(7, 7, 4, record_call, r);
    if (err != 0)
        fail_msg("split_run(7, 7, 4) returned %s; an empty range is not an error (0)",
                 errno_name(err));
    if (r->ncalls != 0 || injected_threads_created() != 0)
        fail_msg("split_run(7, 7, 4) started %d threads and called fn %d times; expected none",
                 injected_threads_created(), r->ncalls);
    recorder_free(r);
}

/* Bad arguments: EINVAL, and fn is never called. */
static void test_split_run_rejects_bad_arguments(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);
    int err;

    if ((err = split_run(0, 10, 0, record_call, r)) != EINVAL)
        fail_msg("split_run(0, 10, 0 threads) returned %s; expected EINVAL", errno_name(err));
    if ((err = split_run(0, 10, -3, record_call, r)) != EINVAL)
        fail_msg("split_run(0, 10, -3 threads) returned %s; expected EINVAL", errno_name(err));
    if ((err = split_run(10, 0, 2, record_call, r)) != EINVAL)
        fail_msg("split_run(10, 0, 2) (lo > hi) returned %s; expected EINVAL", errno_name(err));
    if ((err = split_run(0, 10, 2, NULL, r)) != EINVAL)
        fail_msg("split_run with fn == NULL returned %s; expected EINVAL", errno_name(err));
    if (r->ncalls != 0)
        fail_msg("fn was called %d times for bad arguments; expected none", r->ncalls);
    recorder_free(r);
}

/* pthread_create fails on the third call: the two threads already started are joined and
 * the error comes back. */
static void test_split_run_create_failure_joins_started(void **state)
{
    (void)state;
    struct recorder *r = recorder_new(0);

    inject_pthread_create_failure(2, EAGAIN);
    int err = split_run(0, 100, 5, record_call, r);
    if (err != EAGAIN)
        fail_msg("pthread_create failed with EAGAIN on the third call, but split_run returned "
                 "%s; return the error pthread_create returned", errno_name(err));
    if (injected_threads_joined() != injected_threads_created())
        fail_msg("after pthread_create failed, %d threads had been started but only %d were "
                 "joined; join the ones already running before returning",
                 injected_threads_created(), injected_threads_joined());
    recorder_free(r);
}

/* ---- parallel_count_primes ---- */

/* Known counts, whatever the number of threads. */
static void test_parallel_count_primes_known_counts(void **state)
{
    (void)state;
    static const struct { long lo, hi, primes; } cases[] = {
        { 0, 10000, 1229 }, { 0, 2, 0 }, { 2, 3, 1 }, { 0, 100, 25 }, { 100, 200, 21 },
        { 7919, 7920, 1 },
    };
    static const int threads[] = { 1, 2, 3, 4, 7 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
            long got = parallel_count_primes(cases[i].lo, cases[i].hi, threads[k]);
            if (got != cases[i].primes)
                fail_msg("parallel_count_primes(%ld, %ld, %d) = %ld; expected %ld", cases[i].lo,
                         cases[i].hi, threads[k], got, cases[i].primes);
        }
    }
}

/* Many threads adding to one total: the additions must be synchronised. The count may come
 * out right by luck; the ThreadSanitizer run of this test reports the race anyway. */
static void test_parallel_count_primes_many_threads(void **state)
{
    (void)state;
    long got = parallel_count_primes(0, 100000, 16);

    if (got != 9592)
        fail_msg("parallel_count_primes(0, 100000, 16) = %ld; expected 9592 (lost updates on "
                 "the shared total?)", got);
}

/* -1 and errno EINVAL on bad arguments. */
static void test_parallel_count_primes_rejects_bad_arguments(void **state)
{
    (void)state;
    static const struct { long lo, hi; int n; const char *why; } cases[] = {
        { -1, 10, 2, "lo < 0" }, { 10, 5, 2, "lo > hi" }, { 0, 10, 0, "nthreads < 1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        errno = 0;
        long got = parallel_count_primes(cases[i].lo, cases[i].hi, cases[i].n);
        if (got != -1 || errno != EINVAL)
            fail_msg("parallel_count_primes(%ld, %ld, %d) (%s) returned %ld with errno %s; "
                     "expected -1 and errno EINVAL", cases[i].lo, cases[i].hi, cases[i].n,
                     cases[i].why, got, errno_name(errno));
    }
}

/* pthread_create fails: -1, errno is its error, the threads started are joined. */
static void test_parallel_count_primes_create_failure(void **state)
{
    (void)state;
    inject_pthread_create_failure(1, EAGAIN);
    errno = 0;
    long got = parallel_count_primes(0, 1000, 4);
    if (got != -1 || errno != EAGAIN)
        fail_msg("pthread_create failed with EAGAIN, but parallel_count_primes returned %ld with "
                 "errno %s; expected -1 and errno EAGAIN", got, errno_name(errno));
    if (injected_threads_joined() != injected_threads_created())
        fail_msg("%d threads started, %d joined after the failure", injected_threads_created(),
                 injected_threads_joined());
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_split_run_covers_each_number_once),
    cmocka_unit_test(test_split_run_chunks_tile_the_range),
    cmocka_unit_test(test_split_run_fewer_threads_than_asked),
    cmocka_unit_test(test_split_run_threads_run_together),
    cmocka_unit_test(test_split_run_caller_runs_no_chunk),
    cmocka_unit_test(test_split_run_joins_every_thread),
    cmocka_unit_test(test_split_run_empty_range),
    cmocka_unit_test(test_split_run_rejects_bad_arguments),
    cmocka_unit_test(test_split_run_create_failure_joins_started),
    cmocka_unit_test(test_parallel_count_primes_known_counts),
    cmocka_unit_test(test_parallel_count_primes_many_threads),
    cmocka_unit_test(test_parallel_count_primes_rejects_bad_arguments),
    cmocka_unit_test(test_parallel_count_primes_create_failure),
};

COURSE_MAIN("01-threads", tests)
