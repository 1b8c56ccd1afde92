/* lessons/01-threads/exercise.h: the contract of lesson 01's exercise.
 * The same file is in solutions/01-threads/; the tests are written against it. */
#ifndef LESSON01_EXERCISE_H
#define LESSON01_EXERCISE_H

typedef void (*range_fn)(long lo, long hi, void *arg);

/* Split [lo, hi) into nthreads contiguous, non-empty chunks (fewer threads when the range is
 * shorter), run fn on each chunk in its own thread, all at the same time, and join them all.
 * Returns 0, EINVAL for nthreads < 1 or lo > hi, or pthread_create's error after joining the
 * threads already started. */
/* lo == hi runs no thread and returns 0; fn == NULL is EINVAL. Chunk sizes differ by at most
 * one; the caller's thread runs no chunk itself. */
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg);

/* Primes in [lo, hi) counted by nthreads threads (with split_run and primes_in_range from
 * lessons/common/primes.h). -1 and errno EINVAL on bad arguments (also lo < 0), or -1 and
 * errno set to pthread_create's error. */
long parallel_count_primes(long lo, long hi, int nthreads);

#endif
