/* Hides its race from ThreadSanitizer by switching instrumentation off. Expected: rejected. */
#include "exercise.h"
#include "primes.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
struct chunk { long lo, hi; range_fn fn; void *arg; };
static void *run_chunk(void *p) { struct chunk *c = p; c->fn(c->lo, c->hi, c->arg); return NULL; }
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    if (nthreads < 1 || lo > hi || fn == NULL) return EINVAL;
    long n = hi - lo; int t = n < nthreads ? (int)n : nthreads;
    if (t == 0) return 0;
    struct chunk *c = calloc((size_t)t, sizeof *c); pthread_t *id = calloc((size_t)t, sizeof *id);
    int started = 0, err = 0; long at = lo;
    for (int i = 0; i < t; i++) {
        long size = n / t + (i < n % t); c[i] = (struct chunk){ at, at + size, fn, arg }; at += size;
        if ((err = pthread_create(&id[i], NULL, run_chunk, &c[i])) != 0) break;
        started++;
    }
    for (int i = 0; i < started; i++) pthread_join(id[i], NULL);
    free(c); free(id); return err;
}
__attribute__((no_sanitize_thread)) static void add(long lo, long hi, void *arg)
{ *(long *)arg += primes_in_range(lo, hi); }
long parallel_count_primes(long lo, long hi, int nthreads)
{
    long total = 0;
    if (lo < 0 || lo > hi || nthreads < 1) { errno = EINVAL; return -1; }
    int err = split_run(lo, hi, nthreads, add, &total);
    if (err) { errno = err; return -1; }
    return total;
}
