/* lessons/01-threads/exercise.c: your answer to lesson 01 (read README.md first).
 * Check it:  make check L=01      Stuck?  make hint L=01
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "primes.h"

/* What one thread needs to know: its chunk, and what to call on it.
 * TODO: you may add fields (for example the thread's id). */
struct chunk {
    long lo, hi;
    range_fn fn;
    void *arg;
};

/* The function each thread starts in. pthread_create wants void *(*)(void *). */
static void *run_chunk(void *p)
{
    struct chunk *c = p;

    c->fn(c->lo, c->hi, c->arg);
    return NULL;
}

int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    /* TODO 1: bad arguments (see exercise.h) return EINVAL, and no thread is started.
     * TODO 2: never more threads than numbers in [lo, hi); lo == hi starts none.
     * TODO 3: the chunks cover [lo, hi) exactly: each number in one chunk, in order, and
     *         the sizes differ by at most one. Each chunk runs fn (run_chunk calls it) in
     *         a thread of its own, all of them alive at the same time; the caller's
     *         thread runs no chunk.
     * TODO 4: when split_run returns, every thread it started has been joined and all it
     *         allocated is freed. If a pthread_create fails, the return value is the error
     *         that pthread_create returned.
     * run_chunk is here for you; remove these (void) lines when you use the names. */
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg, (void)run_chunk;
    return ENOSYS;
}

/* TODO 5: a range_fn that adds the number of primes in its chunk (primes_in_range()) to
 * a total shared by all the chunks. Several threads add at the same time: no addition
 * may be lost, and ThreadSanitizer must find no data race. */

long parallel_count_primes(long lo, long hi, int nthreads)
{
    /* TODO 6: the number of primes in [lo, hi), counted by split_run with your range_fn.
     * -1 and errno EINVAL for lo < 0 or any argument split_run rejects; -1 and errno set
     * to split_run's error when it fails. */
    (void)lo, (void)hi, (void)nthreads;
    errno = ENOSYS;
    return -1;
}
