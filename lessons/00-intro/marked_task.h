/* lessons/00-intro/marked_task.h: a CPU-bound task that notes the time as it goes, and a
 * way to run one or two of them at once, held on one core or free. A mark is a moment the
 * task was surely running, so the marks show when it ran and when it only waited.
 * Included by the demo timeline.c and by plots/00-intro/bench_overlap.c.
 *
 * pthread_attr_setaffinity_np and the CPU_* macros are GNU extensions: the file that
 * includes this one defines _GNU_SOURCE before its first #include. */
#ifndef LESSON00_MARKED_TASK_H
#define LESSON00_MARKED_TASK_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "primes.h"
#include "timing.h"

/* Count the primes of [0, n) in slices of `slice` numbers, noting the time after each.
 * Each thread writes only its own struct; main reads it after pthread_join, so no lock. */
struct marked_task {
    char name;
    long n, slice;
    uint64_t start, end;     /* its lifetime: first and last instant of its function, ns */
    uint64_t cpu_ns;         /* CPU time it really got (CLOCK_THREAD_CPUTIME_ID) */
    uint64_t *marks;         /* nmarks timestamps, one after each slice */
    long nmarks;
    long primes;
};

static inline void marked_task_init(struct marked_task *t, char name, long n, long slice)
{
    long slices = (n + slice - 1) / slice;

    *t = (struct marked_task){ .name = name, .n = n, .slice = slice };
    t->marks = calloc((size_t)slices, sizeof *t->marks);
    if (t->marks == NULL)
        die("out of memory for %ld timestamps", slices);
}

static inline void marked_task_free(struct marked_task *t)
{
    free(t->marks);
    t->marks = NULL;
}

/* The thread's function: run the task once, from scratch. */
static inline void *marked_task_run(void *p)
{
    struct marked_task *t = p;
    struct timespec cpu;

    t->start = now_ns();
    t->primes = 0;
    t->nmarks = 0;
    for (long lo = 0; lo < t->n; lo += t->slice) {
        long hi = t->n - lo > t->slice ? lo + t->slice : t->n;
        t->primes += primes_in_range(lo, hi);
        t->marks[t->nmarks++] = now_ns();
    }
    t->end = now_ns();
    SYS_CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu));
    t->cpu_ns = (uint64_t)cpu.tv_sec * 1000000000u + (uint64_t)cpu.tv_nsec;
    return NULL;
}

/* Run tasks[0..count) at once (count 1 or 2), each in its own thread, held on core cpu
 * when cpu >= 0 or wherever the kernel likes when cpu < 0; return when all have ended. */
static inline void marked_tasks_run(struct marked_task *tasks, int count, int cpu)
{
    pthread_attr_t attr;
    pthread_t tids[2];

    if (count < 1 || count > 2)
        die("marked_tasks_run: %d tasks (1 or 2)", count);
    PT_CHECK(pthread_attr_init(&attr));
    if (cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        /* The threads are born allowed on this one core only. */
        PT_CHECK(pthread_attr_setaffinity_np(&attr, sizeof one, &one));
    }
    for (int i = 0; i < count; i++)
        PT_CHECK(pthread_create(&tids[i], &attr, marked_task_run, &tasks[i]));
    for (int i = 0; i < count; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
    PT_CHECK(pthread_attr_destroy(&attr));
}

#endif
