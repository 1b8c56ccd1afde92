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
    /* TODO 1: reject bad arguments with EINVAL (see exercise.h).
     * TODO 2: decide how many threads run: never more than hi - lo.
     * TODO 3: allocate one struct chunk and one pthread_t per thread; give chunk i its
     *         part of [lo, hi) so that the sizes differ by at most one.
     * TODO 4: start every thread with pthread_create(&tids[i], NULL, run_chunk, &chunks[i]),
     *         and only then join them all. If a create fails, join the threads already
     *         started, free what you allocated, and return the error it returned.
     * run_chunk is here for you; remove these (void) lines when you use the names. */
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg, (void)run_chunk;
    return ENOSYS;
}

/* TODO 5: a range_fn that counts the primes of its chunk with primes_in_range() and adds
 * the count to a shared total. Several threads add at once: protect the total (a mutex is
 * the lesson 01 way; lesson 02 shows what goes wrong without). */

long parallel_count_primes(long lo, long hi, int nthreads)
{
    /* TODO 6: EINVAL for lo < 0 (split_run checks the rest), then split_run with your
     * range_fn; on an error, set errno to it and return -1. */
    (void)lo, (void)hi, (void)nthreads;
    errno = ENOSYS;
    return -1;
}
