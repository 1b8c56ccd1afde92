/* Allocates and touches memory until something stops it. Expected: memory, 0. */
#include "exercise.h"
#include <stdlib.h>
#include <string.h>
static void bomb(void)
{
    for (;;) {
        char *p = malloc(16 << 20);
        if (p != NULL)
            memset(p, 1, 16 << 20);
    }
}
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; bomb(); return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; bomb(); return 0; }
