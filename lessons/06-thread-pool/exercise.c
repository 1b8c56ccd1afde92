/* lessons/06-thread-pool/exercise.c: your answer to lesson 06 (read README.md first).
 * Check it:  make check L=06      Stuck?  make hint L=06
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"

/* One queued call: what to run, and its argument. */
struct task {
    void (*fn)(void *);
    void *arg;
};

/* TODO 1: the pool. Lesson 05's bounded buffer is most of it: a ring of struct task with a
 * capacity, a head and a count, one mutex, and two condition variables (one for workers
 * waiting while the queue is empty, one for submitters waiting while it is full). Add a
 * "shutting down" flag and the array of worker pthread_t. Write beside the fields which
 * lock guards them. */
struct pool {
    int todo;
};

/* The function every worker thread runs.
 * TODO 2: loop: lock; wait (in a while loop) while the queue is empty and shutdown has not
 * begun; if the queue is empty now, shutdown has begun: unlock and return. Otherwise take
 * the task at the head, wake one submitter (a slot is free), unlock, and only then call
 * the task: a task may call pool_submit, which takes the same lock. */
static void *worker_main(void *arg)
{
    (void)arg;
    return NULL;
}

struct pool *pool_create(int nthreads, size_t queue_capacity)
{
    /* TODO 3: EINVAL for nthreads < 1 or queue_capacity == 0 (set errno, return NULL).
     * TODO 4: allocate the pool, its ring and its pthread_t array; init the mutex and the
     *         condition variables.
     * TODO 5: start nthreads workers: pthread_create(&p->workers[i], NULL, worker_main, p).
     *         If one fails, the workers already started are waiting for tasks: set the
     *         shutdown flag, broadcast, join those started, free everything, set errno to
     *         the error pthread_create returned, and return NULL.
     * worker_main is here for you; remove these (void) lines when you use the names. */
    (void)nthreads, (void)queue_capacity, (void)worker_main;
    errno = ENOSYS;
    return NULL;
}

int pool_submit(struct pool *p, void (*fn)(void *), void *arg)
{
    /* TODO 6: EINVAL for fn == NULL. Lock; wait (while loop) while the queue is full and
     * shutdown has not begun; after the wait, if shutdown has begun, unlock and return EPIPE.
     * Otherwise put {fn, arg} at the tail, wake one worker, unlock, return 0. */
    (void)p, (void)fn, (void)arg;
    return ENOSYS;
}

int pool_shutdown(struct pool *p)
{
    /* TODO 7: under the lock, set the shutdown flag and wake EVERY waiter: the idle workers
     * and the blocked submitters (broadcast, not signal). Unlock, then join every worker:
     * they run what is still queued, then return. Destroy the mutex and the condition
     * variables, free everything, return 0. */
    (void)p;
    return ENOSYS;
}
