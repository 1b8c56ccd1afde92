/* Walks up to the test's stack frame to rewrite its variables. Expected: rejected. */
#include "exercise.h"
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    long *frame = __builtin_frame_address(1);
    frame[-1] = 0;
    return 0;
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
