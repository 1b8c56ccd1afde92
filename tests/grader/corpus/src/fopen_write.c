/* Writes a file outside the test. Expected: rejected (fopen). */
#include "exercise.h"
#include <stdio.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    FILE *f = fopen("/tmp/GRADER_ESCAPED", "w");
    if (f) fclose(f);
    return 0;
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
