/* lessons/03-locks-and-atomics/cas_counter.c: an increment built from compare-exchange, which
 * retries when another thread changed the value in between; counts the retries.
 * Build: make -C lessons/03-locks-and-atomics
 * Run:   build/lessons/03-locks-and-atomics/cas_counter 4 200000   # threads, increments each */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "check.h"

static atomic_long counter;
static pthread_barrier_t start;   /* every thread starts at once */

struct worker_arg {
    long iters;
    long retries;   /* this thread's own, read by main after the join */
};

static void *worker(void *p)
{
    struct worker_arg *a = p;
    BARRIER_WAIT(&start);

    for (long i = 0; i < a->iters; i++) {
        long seen = atomic_load(&counter);
        /* Store seen + 1 only if the counter still holds seen. If not, the call writes the
         * value it found into seen, and we try again from that one. */
        while (!atomic_compare_exchange_weak(&counter, &seen, seen + 1))
            a->retries++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s THREADS ITERS   (e.g. 4 200000)", argv[0]);
    int nthreads = (int)parse_long_arg(argv[1], "threads", 1, 64);
    long iters = parse_long_arg(argv[2], "iters", 1, 100000000);
    pthread_t tids[64];
    struct worker_arg args[64];

    PT_CHECK(pthread_barrier_init(&start, NULL, (unsigned)nthreads));
    for (int i = 0; i < nthreads; i++) {
        args[i] = (struct worker_arg){ .iters = iters };
        PT_CHECK(pthread_create(&tids[i], NULL, worker, &args[i]));
    }
    long retries = 0;
    for (int i = 0; i < nthreads; i++) {
        PT_CHECK(pthread_join(tids[i], NULL));
        retries += args[i].retries;
    }
    PT_CHECK(pthread_barrier_destroy(&start));
    printf("counter %ld of %ld; %ld compare-exchange retries (%.2f per increment)\n",
           atomic_load(&counter), (long)nthreads * iters, retries,
           (double)retries / ((double)nthreads * (double)iters));
    return 0;
}
