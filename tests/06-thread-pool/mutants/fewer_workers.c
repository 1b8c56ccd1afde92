/* tests/06-thread-pool/mutants/fewer_workers.c: a known-wrong answer to lesson 06.
 * Off by one: starts nthreads - 1 workers (one when asked for one). Killed by
 * test_pool_create_starts_nthreads_workers (pool_create counts the threads it started). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"

struct task {
    void (*fn)(void *);
    void *arg;
};

/* One lock, mu, guards every field below it; there is no other lock, so no lock order.
 * Workers and submitters never hold mu while a task runs. */
struct pool {
    pthread_mutex_t mu;
    pthread_cond_t not_empty;   /* workers wait here: queue empty and not shutting down */
    pthread_cond_t not_full;    /* submitters wait here: queue full and not shutting down */
    struct task *ring;          /* capacity slots; the queued tasks are ring[head], ring[head+1],
                                 * ... (mod capacity), count of them */
    size_t capacity, head, count;
    bool shutting_down;         /* set once, by pool_shutdown (or a failed pool_create) */
    int nthreads;               /* workers started; written before they start, then read-only */
    pthread_t *workers;
};

/* A worker runs tasks until the queue is empty AND shutdown has begun. An empty queue
 * alone means "wait": more tasks may come. */
static void *worker_main(void *arg)
{
    struct pool *p = arg;

    for (;;) {
        PT_CHECK(pthread_mutex_lock(&p->mu));
        while (p->count == 0 && !p->shutting_down)
            PT_CHECK(pthread_cond_wait(&p->not_empty, &p->mu));
        if (p->count == 0) {            /* shutting down and drained: done */
            PT_CHECK(pthread_mutex_unlock(&p->mu));
            return NULL;
        }
        struct task t = p->ring[p->head];
        p->head = (p->head + 1) % p->capacity;
        p->count--;
        PT_CHECK(pthread_cond_signal(&p->not_full));   /* one slot freed: one submitter */
        PT_CHECK(pthread_mutex_unlock(&p->mu));
        t.fn(t.arg);                    /* outside the lock: a task may submit a task */
    }
}

/* Tell the workers to stop once the queue is drained, wake every sleeper, join them all.
 * Used by pool_shutdown and by pool_create when a later pthread_create fails. */
static void stop_and_join(struct pool *p)
{
    PT_CHECK(pthread_mutex_lock(&p->mu));
    p->shutting_down = true;
    /* Broadcast, not signal: every idle worker must wake to see the flag, and every
     * blocked submitter must wake to return EPIPE. */
    PT_CHECK(pthread_cond_broadcast(&p->not_empty));
    PT_CHECK(pthread_cond_broadcast(&p->not_full));
    PT_CHECK(pthread_mutex_unlock(&p->mu));
    for (int i = 0; i < p->nthreads; i++)
        PT_CHECK(pthread_join(p->workers[i], NULL));
}

static void pool_free(struct pool *p)
{
    PT_CHECK(pthread_cond_destroy(&p->not_full));
    PT_CHECK(pthread_cond_destroy(&p->not_empty));
    PT_CHECK(pthread_mutex_destroy(&p->mu));
    free(p->workers);
    free(p->ring);
    free(p);
}

struct pool *pool_create(int nthreads, size_t queue_capacity)
{
    struct pool *p;
    int err;

    if (nthreads < 1 || queue_capacity == 0) {
        errno = EINVAL;
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;                    /* calloc set errno (ENOMEM) */
    p->capacity = queue_capacity;
    p->ring = calloc(queue_capacity, sizeof *p->ring);
    p->workers = calloc((size_t)nthreads, sizeof *p->workers);
    if (p->ring == NULL || p->workers == NULL) {
        err = ENOMEM;
        goto free_arrays;
    }
    if ((err = pthread_mutex_init(&p->mu, NULL)) != 0)
        goto free_arrays;
    if ((err = pthread_cond_init(&p->not_empty, NULL)) != 0)
        goto destroy_mu;
    if ((err = pthread_cond_init(&p->not_full, NULL)) != 0)
        goto destroy_not_empty;

    /* p->nthreads counts the workers started so far, so that stop_and_join joins exactly
     * those if a create fails. No worker reads it. */
    for (int i = 0; i < (nthreads > 1 ? nthreads - 1 : 1); i++) {   /* BUG: one short */
        err = pthread_create(&p->workers[i], NULL, worker_main, p);
        if (err != 0) {
            stop_and_join(p);
            pool_free(p);
            errno = err;
            return NULL;
        }
        p->nthreads = i + 1;
    }
    return p;

destroy_not_empty:
    PT_CHECK(pthread_cond_destroy(&p->not_empty));
destroy_mu:
    PT_CHECK(pthread_mutex_destroy(&p->mu));
free_arrays:
    free(p->workers);
    free(p->ring);
    free(p);
    errno = err;
    return NULL;
}

int pool_submit(struct pool *p, void (*fn)(void *), void *arg)
{
    if (p == NULL || fn == NULL)
        return EINVAL;
    PT_CHECK(pthread_mutex_lock(&p->mu));
    while (p->count == p->capacity && !p->shutting_down)
        PT_CHECK(pthread_cond_wait(&p->not_full, &p->mu));
    /* Checked after the wait too: shutdown may have begun while we slept. */
    if (p->shutting_down) {
        PT_CHECK(pthread_mutex_unlock(&p->mu));
        return EPIPE;
    }
    p->ring[(p->head + p->count) % p->capacity] = (struct task){ fn, arg };
    p->count++;
    PT_CHECK(pthread_cond_signal(&p->not_empty));   /* one task: one worker */
    PT_CHECK(pthread_mutex_unlock(&p->mu));
    return 0;
}

int pool_shutdown(struct pool *p)
{
    if (p == NULL)
        return EINVAL;
    stop_and_join(p);
    pool_free(p);
    return 0;
}
