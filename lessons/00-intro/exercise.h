/* lessons/00-intro/exercise.h: the contract of lesson 00's exercise.
 * The same file is in solutions/00-intro/; the tests are written against it. */
#ifndef LESSON00_EXERCISE_H
#define LESSON00_EXERCISE_H

/* The number of primes n with lo <= n < hi (hi itself is not counted), by trial division.
 * 0 for an empty range (lo == hi). -1 and errno EINVAL when lo > hi or lo < 0.
 * Any hi up to LONG_MAX works: nothing overflows. This is the CPU-bound work the course
 * reuses (lessons 01 and 14 use the copy in lessons/common/primes.c). */
long count_primes(long lo, long hi);

#endif
