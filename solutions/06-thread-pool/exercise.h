/* lessons/06-thread-pool/exercise.h: the contract of lesson 06's exercise.
 * The same file is in solutions/06-thread-pool/; the tests are written against it. */
#ifndef LESSON06_EXERCISE_H
#define LESSON06_EXERCISE_H

#include <stddef.h>

struct pool;                                                     /* opaque */

struct pool *pool_create(int nthreads, size_t queue_capacity);  /* NULL and errno: EINVAL for
                                    * nthreads < 1 or capacity 0, or the create error */
int pool_submit(struct pool *p, void (*fn)(void *), void *arg); /* 0; blocks while full; EPIPE
                                    * once shutdown has begun (a task that submits while the pool
                                    * shuts down gets EPIPE, and that task is not run) */
int pool_shutdown(struct pool *p);  /* stops accepting, runs every task already queued, joins
                                    * every worker, frees the pool; returns 0 */

/* More precisely:
 * - pool_create starts exactly nthreads worker threads, which live until pool_shutdown. If
 *   pthread_create fails, the workers already started are stopped and joined, everything is
 *   freed, and NULL comes back with errno set to pthread_create's error.
 * - pool_submit with fn == NULL is EINVAL. A submit that is blocked on a full queue when
 *   shutdown begins wakes up and returns EPIPE. A task may call pool_submit (before shutdown
 *   it is queued like any other).
 * - pool_shutdown is called once, by a thread that is not one of the pool's workers; after
 *   it returns, p is gone. Every task queued before shutdown began runs exactly once. */

#endif
