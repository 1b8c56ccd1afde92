/* lessons/02-races/exercise.h: the contract of lesson 02's exercise.
 * The same file is in solutions/02-races/; the tests are written against it. */
#ifndef LESSON02_EXERCISE_H
#define LESSON02_EXERCISE_H

/* nthreads threads each add 1 to one shared counter iters times, all at the same time.
 * Each returns the final counter (nthreads * iters when correct), or -1 with errno EINVAL
 * when nthreads < 1 or iters < 0; if pthread_create fails, the threads already started
 * are joined and -1 is returned with errno set to its error. */
long racy_count(int nthreads, long iters);    /* given: shows lost updates */
long mutex_count(int nthreads, long iters);   /* exercise */
long atomic_count(int nthreads, long iters);  /* exercise: C11 atomics */

#endif
