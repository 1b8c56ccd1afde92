/* lessons/06-thread-pool/idle_crowd.h: a crowd of threads that do nothing but wait, so that
 * what one thread costs can be read off /proc while they all exist.
 * Included by the demo idle_threads.c and by plots/06-thread-pool/bench_thread_mem.c. */
#ifndef LESSON06_IDLE_CROWD_H
#define LESSON06_IDLE_CROWD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "proc.h"

/* KernelStack in /proc/meminfo: the kernel's own stacks of every thread on the machine, in
 * KiB. The kernel adds to that counter in per-CPU batches and folds them into the total
 * only now and then, so a change of a few stacks (16 KiB each on x86-64) can stay
 * invisible, and another program's threads ending meanwhile can even make a growth look
 * negative (one thread once "cost" -64 KiB that way). Writing to /proc/sys/vm/stat_refresh
 * (root only) folds the batches in first; *exact says whether that worked. */
static inline long kernel_stack_kib(bool *exact)
{
    FILE *f = fopen("/proc/sys/vm/stat_refresh", "w");
    bool folded = false;
    if (f != NULL) {
        folded = fputs("1\n", f) >= 0;
        folded = fclose(f) == 0 && folded;
    }
    *exact = folded;
    return proc_meminfo_field("KernelStack");
}

struct idle_crowd {
    pthread_t *threads;
    long made;                  /* threads started (fewer than asked if the system refused) */
    int err;                    /* pthread_create's error that stopped the start, else 0 */
    /* mu guards arrived and released. Two condition variables, so that a thread arriving
     * wakes only the main thread: with one, every arrival would wake every thread already
     * parked (N^2 wake-ups for N threads). */
    pthread_mutex_t mu;
    pthread_cond_t arrival;     /* main waits here: arrived grew */
    pthread_cond_t release;     /* the crowd waits here: released was set */
    long arrived;
    bool released;
};

static inline void *idle_crowd_member(void *arg)
{
    struct idle_crowd *c = arg;

    PT_CHECK(pthread_mutex_lock(&c->mu));
    c->arrived++;
    PT_CHECK(pthread_cond_signal(&c->arrival));
    while (!c->released)
        PT_CHECK(pthread_cond_wait(&c->release, &c->mu));
    PT_CHECK(pthread_mutex_unlock(&c->mu));
    return NULL;
}

/* Start up to n threads with a stack of stack_bytes (0: the default) and return once every
 * one started is parked. Stops early, with c->err set, when pthread_create refuses. */
static inline void idle_crowd_start(struct idle_crowd *c, long n, size_t stack_bytes)
{
    pthread_attr_t attr;

    *c = (struct idle_crowd){ .threads = calloc((size_t)n, sizeof *c->threads) };
    if (c->threads == NULL)
        die("out of memory for %ld thread ids", n);
    PT_CHECK(pthread_mutex_init(&c->mu, NULL));
    PT_CHECK(pthread_cond_init(&c->arrival, NULL));
    PT_CHECK(pthread_cond_init(&c->release, NULL));
    PT_CHECK(pthread_attr_init(&attr));
    if (stack_bytes != 0)
        PT_CHECK(pthread_attr_setstacksize(&attr, stack_bytes));
    while (c->made < n) {
        c->err = pthread_create(&c->threads[c->made], &attr, idle_crowd_member, c);
        if (c->err != 0)
            break;
        c->made++;
    }
    PT_CHECK(pthread_attr_destroy(&attr));
    PT_CHECK(pthread_mutex_lock(&c->mu));
    while (c->arrived < c->made)
        PT_CHECK(pthread_cond_wait(&c->arrival, &c->mu));
    PT_CHECK(pthread_mutex_unlock(&c->mu));
}

/* Wake the whole crowd, join every thread and free what idle_crowd_start took. */
static inline void idle_crowd_end(struct idle_crowd *c)
{
    PT_CHECK(pthread_mutex_lock(&c->mu));
    c->released = true;
    PT_CHECK(pthread_cond_broadcast(&c->release));
    PT_CHECK(pthread_mutex_unlock(&c->mu));
    for (long i = 0; i < c->made; i++)
        PT_CHECK(pthread_join(c->threads[i], NULL));
    PT_CHECK(pthread_cond_destroy(&c->release));
    PT_CHECK(pthread_cond_destroy(&c->arrival));
    PT_CHECK(pthread_mutex_destroy(&c->mu));
    free(c->threads);
    c->threads = NULL;
}

#endif
