/* lessons/01-threads/hello_threads.c: start N threads, give each an argument, collect each
 * one's result with pthread_join. Every pthread call is checked (they return the error).
 * Build: make -C lessons/01-threads
 * Run:   build/lessons/01-threads/hello_threads 4        # number of threads */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "primes.h"

/* What one thread gets (its number and range) and gives back (its count). The main
 * thread writes the first fields before pthread_create and reads count after
 * pthread_join: create and join order those accesses, so no lock is needed. */
struct job {
    int id;
    long lo, hi;
    long count;
};

static void *worker(void *arg)
{
    struct job *j = arg;

    j->count = primes_in_range(j->lo, j->hi);
    printf("thread %d: %ld primes in [%ld, %ld)\n", j->id, j->count, j->lo, j->hi);
    return j;   /* pthread_join hands this pointer back to the main thread */
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s NTHREADS   (1 to 64)", argv[0]);
    int n = (int)parse_long_arg(argv[1], "NTHREADS", 1, 64);
    pthread_t *tids = calloc((size_t)n, sizeof *tids);
    struct job *jobs = calloc((size_t)n, sizeof *jobs);
    if (tids == NULL || jobs == NULL)
        die("out of memory");

    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){ .id = i, .lo = i * 10000L, .hi = (i + 1) * 10000L };
        PT_CHECK(pthread_create(&tids[i], NULL, worker, &jobs[i]));
    }
    long total = 0;
    for (int i = 0; i < n; i++) {
        void *ret;
        PT_CHECK(pthread_join(tids[i], &ret));
        total += ((struct job *)ret)->count;
    }
    printf("main: %d threads found %ld primes below %ld\n", n, total, n * 10000L);
    free(jobs);
    free(tids);
    return 0;
}
