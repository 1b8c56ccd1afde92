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
 * TODO 2: what must hold for a worker:
 *   - it runs queued tasks, oldest first, each task exactly once, for as long as the pool
 *     lives; while the queue is empty it sleeps (it does not return, and does not spin);
 *   - it returns only once shutdown has begun and nothing is left in the queue;
 *   - a task runs while the worker holds no lock (a task may call pool_submit);
 *   - a submitter asleep on a full queue learns of the slot it freed.
 * README.md, "The pool you will write", gives the four rules; make hint L=06 the how. */
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
    /* TODO 6: EINVAL for fn == NULL. Otherwise what must hold when submit returns:
     *   - 0: {fn, arg} is queued behind every earlier task, and a sleeping worker learns
     *     of it;
     *   - EPIPE: shutdown had begun (before the call, or while it slept), nothing queued;
     *   - while the queue is full and shutdown has not begun, submit sleeps. */
    (void)p, (void)fn, (void)arg;
    return ENOSYS;
}

int pool_shutdown(struct pool *p)
{
    /* TODO 7: when shutdown returns 0: every task queued before it began has run, every
     * worker has been joined, every submitter that was asleep has returned EPIPE, and the
     * pool's memory, mutex and condition variables are gone. */
    (void)p;
    return ENOSYS;
}
