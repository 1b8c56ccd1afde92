/* Ends the test process with status 0 before any check can fail. Expected: rejected (exit). */
#include "exercise.h"
#include <stdlib.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    exit(0);
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; exit(0); }
