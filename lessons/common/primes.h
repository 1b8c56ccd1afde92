/* lessons/common/primes.h: the course's CPU-bound work, counting primes by trial
 * division. Lesson 00's exercise is to write it; this copy lets later lessons (01, 14)
 * and the benchmarks use the same work without depending on your lesson 00 answer. */
#ifndef COURSE_PRIMES_H
#define COURSE_PRIMES_H

#include <stdbool.h>

bool is_prime(long n);
/* Primes in [lo, hi); the caller promises 0 <= lo <= hi. */
long primes_in_range(long lo, long hi);

#endif
