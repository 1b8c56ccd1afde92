/* Overrides libc's write and the course's primes_in_range. Expected: rejected (override). */
#include "exercise.h"
#include <stddef.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
long primes_in_range(long lo, long hi) { (void)lo, (void)hi; return 1229; }
long write(int fd, const void *buf, size_t n) { (void)fd, (void)buf; return (long)n; }
