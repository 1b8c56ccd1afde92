/* Runs code at load time, before the harness. Expected: rejected (constructor). */
#include "exercise.h"
#include <stdio.h>
__attribute__((constructor)) static void early(void) { puts("PASS"); }
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
