/* lessons/02-races/exercise.c: your answer to lesson 02 (read README.md first).
 * Check it:  make check L=02      Stuck?  make hint L=02
 *
 * racy_count is written in full: read it, run it, and leave it as it is. mutex_count and
 * atomic_count are yours. The file compiles as it is; their tests fail until you fill in
 * the TODOs. You may reuse everything racy_count uses (the gate, run_threads). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"

/* ---- a start gate: no thread counts before every thread exists ---- */

/* Threads created one after another start one after another: the first could finish its
 * whole loop before the last one exists, and they would never overlap. So each thread
 * waits at the gate first, and the creator opens it once all are created. (A pthread
 * barrier would not do: if a create fails, the threads waiting for the missing ones would
 * wait forever.) */
struct gate {
    pthread_mutex_t mu;      /* guards open and cancelled */
    pthread_cond_t opened;   /* broadcast when open becomes true */
    bool open;
    bool cancelled;          /* opened because a create failed: count nothing */
};

static void gate_init(struct gate *g)
{
    PT_CHECK(pthread_mutex_init(&g->mu, NULL));
    PT_CHECK(pthread_cond_init(&g->opened, NULL));
    g->open = false;
    g->cancelled = false;
}

/* Block until the gate opens. true: go ahead; false: the run was cancelled. */
static bool gate_wait(struct gate *g)
{
    bool go;

    PT_CHECK(pthread_mutex_lock(&g->mu));
    while (!g->open)
        PT_CHECK(pthread_cond_wait(&g->opened, &g->mu));
    go = !g->cancelled;
    PT_CHECK(pthread_mutex_unlock(&g->mu));
    return go;
}

static void gate_open(struct gate *g, bool cancelled)
{
    PT_CHECK(pthread_mutex_lock(&g->mu));
    g->open = true;
    g->cancelled = cancelled;
    PT_CHECK(pthread_cond_broadcast(&g->opened));
    PT_CHECK(pthread_mutex_unlock(&g->mu));
}

static void gate_destroy(struct gate *g)
{
    PT_CHECK(pthread_cond_destroy(&g->opened));
    PT_CHECK(pthread_mutex_destroy(&g->mu));
}

/* ---- what the counting threads share ---- */

struct shared {
    long iters;                          /* adds per thread; nobody writes it while threads run */
    void (*count)(struct shared *s);     /* what each thread runs once the gate opens */
    struct gate gate;
    volatile long counter;               /* racy_count's counter: NO lock guards it (the point).
                                          * volatile only makes the compiler really read and
                                          * write it on every turn; it is no fix (see README) */
    /* TODO 1: add what your two counters need, each with a comment saying what guards it:
     *         mutex_count's counter is guarded by a lock; atomic_count's counter changes
     *         only in indivisible steps (README section 5). */
};

/* ---- run nthreads counting threads ---- */

static void *counting_thread(void *p)
{
    struct shared *s = p;

    if (gate_wait(&s->gate))
        s->count(s);
    return NULL;
}

/* Start nthreads threads that each run s->count(s), open the gate once all of them exist,
 * and join them all. Returns 0, ENOMEM, or pthread_create's error number; after a failed
 * create, the threads already started are let through the gate cancelled (they count
 * nothing) and joined. */
static int run_threads(struct shared *s, int nthreads)
{
    pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
    int err = 0, started = 0;

    if (tids == NULL)
        return ENOMEM;
    gate_init(&s->gate);
    for (; started < nthreads; started++) {
        err = pthread_create(&tids[started], NULL, counting_thread, s);
        if (err != 0)
            break;
    }
    gate_open(&s->gate, err != 0);
    for (int i = 0; i < started; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
    gate_destroy(&s->gate);
    free(tids);
    return err;
}

/* ---- racy_count: given, do not change ---- */

/* One thread's share: counter = counter + 1, iters times, with no lock. The read and the
 * write are two steps. Another thread can write between them; this thread then writes
 * back its old value plus one, and the other thread's update is lost. */
static void racy_adds(struct shared *s)
{
    for (long i = 0; i < s->iters; i++) {
        long seen = s->counter;   /* read */
        s->counter = seen + 1;    /* write */
    }
}

long racy_count(int nthreads, long iters)
{
    struct shared s = { .iters = iters, .count = racy_adds, .counter = 0 };
    int err;

    if (nthreads < 1 || iters < 0) {
        errno = EINVAL;
        return -1;
    }
    err = run_threads(&s, nthreads);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return s.counter;   /* every thread has been joined: no thread writes it any more */
}

/* ---- mutex_count: yours ---- */

/* TODO 2: write mutex_adds(struct shared *s): it adds 1 iters times, and no other
 *         thread's update can fall between the read and the write of one addition. */

long mutex_count(int nthreads, long iters)
{
    /* TODO 3: the contract of exercise.h (the same checks and errors as racy_count),
     *         counting with mutex_adds; the exact total every time; whatever you set up is
     *         released on every path, the error paths included. */
    (void)nthreads, (void)iters;
    errno = ENOSYS;
    return -1;
}

/* ---- atomic_count: yours ---- */

/* TODO 4: write atomic_adds(struct shared *s): it adds 1 iters times with no lock, and
 *         no other thread's update can fall between the read and the write of one
 *         addition. */

long atomic_count(int nthreads, long iters)
{
    /* TODO 5: the contract of exercise.h, counting with atomic_adds; the counter starts
     *         from 0 on every call, and the exact total comes back every time. */
    (void)nthreads, (void)iters;
    errno = ENOSYS;
    return -1;
}
