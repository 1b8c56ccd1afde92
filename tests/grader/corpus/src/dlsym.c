/* Finds write() at run time by name. Expected: rejected (dlsym). */
#define _GNU_SOURCE   /* RTLD_DEFAULT */
#include "exercise.h"
#include <dlfcn.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    long (*w)(int, const void *, unsigned long) = (long (*)(int, const void *, unsigned long))dlsym(RTLD_DEFAULT, "write");
    w(4, "PASS\n", 5);
    return 0;
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
