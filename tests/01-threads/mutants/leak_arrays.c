/* tests/01-threads/mutants/leak_arrays.c: a known-wrong answer to lesson 01.
 * The two arrays are never freed: LeakSanitizer reports the leak in every test that starts
 * threads (ASan+UBSan run). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "primes.h"

struct chunk {
    long lo, hi;
    range_fn fn;
    void *arg;
};

static void *run_chunk(void *p)
{
    struct chunk *c = p;

    c->fn(c->lo, c->hi, c->arg);
    return NULL;
}

int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    if (nthreads < 1 || lo > hi || fn == NULL)
        return EINVAL;
    /* Never more threads than numbers: every chunk must be non-empty. Compare in the
     * unsigned domain: hi - lo can exceed LONG_MAX when lo is negative. */
    unsigned long span = (unsigned long)hi - (unsigned long)lo;
    int n = span < (unsigned long)nthreads ? (int)span : nthreads;
    if (n == 0)
        return 0;

    struct chunk *chunks = calloc((size_t)n, sizeof *chunks);
    pthread_t *tids = calloc((size_t)n, sizeof *tids);
    int err = 0, started = 0;
    if (chunks == NULL || tids == NULL) {
        err = ENOMEM;
        goto cleanup;
    }
    /* The first span % n chunks get one extra number, so sizes differ by at most one. */
    unsigned long base = span / (unsigned long)n, extra = span % (unsigned long)n;
    long next = lo;
    for (int i = 0; i < n; i++) {
        unsigned long size = base + ((unsigned long)i < extra);
        chunks[i] = (struct chunk){ next, (long)((unsigned long)next + size), fn, arg };
        next = chunks[i].hi;
    }
    /* Start them all before joining any: they must run at the same time. */
    for (; started < n; started++) {
        err = pthread_create(&tids[started], NULL, run_chunk, &chunks[started]);
        if (err != 0)
            break;
    }
    for (int i = 0; i < started; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
cleanup:
    return err;
}

/* The shared total; mu guards sum. */
struct total {
    pthread_mutex_t mu;
    long sum;
};

static void count_chunk(long lo, long hi, void *arg)
{
    struct total *t = arg;
    long mine = primes_in_range(lo, hi);   /* the slow part, outside the lock */

    PT_CHECK(pthread_mutex_lock(&t->mu));
    t->sum += mine;
    PT_CHECK(pthread_mutex_unlock(&t->mu));
}

long parallel_count_primes(long lo, long hi, int nthreads)
{
    struct total t = { .sum = 0 };
    int err;

    if (lo < 0) {
        errno = EINVAL;
        return -1;
    }
    PT_CHECK(pthread_mutex_init(&t.mu, NULL));
    err = split_run(lo, hi, nthreads, count_chunk, &t);
    PT_CHECK(pthread_mutex_destroy(&t.mu));
    if (err != 0) {
        errno = err;
        return -1;
    }
    return t.sum;
}
