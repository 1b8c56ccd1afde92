/* A constructor without the attribute: a pointer placed in .init_array by hand.
 * Expected: rejected (section). */
#include "exercise.h"
static void early(void) { }
__attribute__((section(".init_array"), used)) static void (*hook)(void) = early;
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
