/* An ifunc: its resolver runs while the program loads. Expected: rejected (ifunc). */
#include "exercise.h"
static long pcp(long lo, long hi, int n) { (void)lo, (void)hi, (void)n; return 0; }
static void *resolve(void) { return (void *)pcp; }
long parallel_count_primes(long lo, long hi, int nthreads) __attribute__((ifunc("resolve")));
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
