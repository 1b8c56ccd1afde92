/* Runs code at exit time, after the test. Expected: rejected (destructor). */
#include "exercise.h"
#include <stdio.h>
__attribute__((destructor)) static void late(void) { puts("PASS"); }
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
