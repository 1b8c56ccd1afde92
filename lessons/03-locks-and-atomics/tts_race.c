/* lessons/03-locks-and-atomics/tts_race.c: a "lock" that looks, then takes (a load, then a
 * store) lets two threads in at once; counts lost updates, beside POSIX's real spinlock.
 * Build: make -C lessons/03-locks-and-atomics
 * Run:   build/lessons/03-locks-and-atomics/tts_race 4 200000   # threads, increments each */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "check.h"

/* The broken lock. Each step is atomic, but the pair is not: between the load that sees 0
 * and the store of 1, another thread can do the same load and also see 0. */
static atomic_int broken_held;

static void broken_lock(void)
{
    while (atomic_load(&broken_held) != 0)
        ;
    atomic_store(&broken_held, 1);
}

static void broken_unlock(void)
{
    atomic_store(&broken_held, 0);
}

static pthread_spinlock_t real;   /* POSIX's spinlock, for comparison */

struct run {
    bool use_real;
    long iters;
    long counter;          /* guarded by the lock in use (broken_held or real) */
    atomic_long overlaps;  /* times a thread entered while another was inside */
    atomic_int inside;
    pthread_barrier_t start;   /* every thread starts counting at once */
};

static void *worker(void *p)
{
    struct run *r = p;
    BARRIER_WAIT(&r->start);

    for (long i = 0; i < r->iters; i++) {
        if (r->use_real)
            PT_CHECK(pthread_spin_lock(&real));
        else
            broken_lock();
        if (atomic_fetch_add(&r->inside, 1) != 0)
            atomic_fetch_add(&r->overlaps, 1);
        r->counter++;
        atomic_fetch_sub(&r->inside, 1);
        if (r->use_real)
            PT_CHECK(pthread_spin_unlock(&real));
        else
            broken_unlock();
    }
    return NULL;
}

static void run(bool use_real, int nthreads, long iters)
{
    struct run r = { .use_real = use_real, .iters = iters };
    pthread_t tids[64];

    PT_CHECK(pthread_barrier_init(&r.start, NULL, (unsigned)nthreads));
    for (int i = 0; i < nthreads; i++)
        PT_CHECK(pthread_create(&tids[i], NULL, worker, &r));
    for (int i = 0; i < nthreads; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
    PT_CHECK(pthread_barrier_destroy(&r.start));
    printf("%-22s counter %9ld of %9ld  lost %7ld  two-inside %7ld\n",
           use_real ? "pthread_spin_lock:" : "load-then-store lock:", r.counter,
           (long)nthreads * iters, (long)nthreads * iters - r.counter,
           atomic_load(&r.overlaps));
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s THREADS ITERS   (e.g. 4 200000)", argv[0]);
    int nthreads = (int)parse_long_arg(argv[1], "threads", 1, 64);
    long iters = parse_long_arg(argv[2], "iters", 1, 100000000);

    PT_CHECK(pthread_spin_init(&real, PTHREAD_PROCESS_PRIVATE));
    run(false, nthreads, iters);
    run(true, nthreads, iters);
    PT_CHECK(pthread_spin_destroy(&real));
    return 0;
}
