/* Jumps out of the test before its checks. Expected: rejected (setjmp/longjmp). */
#include "exercise.h"
#include <setjmp.h>
static jmp_buf where;
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    if (setjmp(where) == 0)
        longjmp(where, 1);
    return 0;
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
