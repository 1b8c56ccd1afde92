/* Replaces the fault injection wrapper so joins look counted. Expected: rejected (override). */
#include "exercise.h"
#include <pthread.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
int injected_threads_joined(void) { return 6; }
