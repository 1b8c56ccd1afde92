/* A fork bomb in lesson 01, where fork is not allowed. Expected: rejected (fork). */
#include "exercise.h"
#include <unistd.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    for (;;)
        fork();
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
