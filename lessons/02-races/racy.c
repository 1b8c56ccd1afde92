/* lessons/02-races/racy.c: N threads add 1 to one shared counter with no lock. Updates
 * get lost, and ThreadSanitizer names the two lines that race.
 * Build: make -C lessons/02-races            (make -C lessons/02-races tsan: the TSan run)
 * Run:   build/lessons/02-races/racy 4 1000000        # threads, additions per thread */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* Shared by every thread; NO lock guards it, on purpose. volatile only stops the compiler
 * from keeping it in a register: every turn really reads it and writes it back. It makes
 * nothing indivisible and synchronises nothing, as the output shows. */
static volatile long counter;
static long iters;                /* additions per thread: set before any thread starts */
static pthread_barrier_t start;   /* every thread begins counting at the same moment */

static void *add_many(void *arg)
{
    (void)arg;
    BARRIER_WAIT(&start);
    for (long i = 0; i < iters; i++) {
        long seen = counter;   /* read: one side of the race */
        counter = seen + 1;    /* write: the other side */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s NTHREADS ITERS   (1 to 256 threads, each adds 1 ITERS times)", argv[0]);
    int n = (int)parse_long_arg(argv[1], "NTHREADS", 1, 256);
    iters = parse_long_arg(argv[2], "ITERS", 0, 1000000000);
    pthread_t *tids = calloc((size_t)n, sizeof *tids);
    if (tids == NULL)
        die("out of memory");

    PT_CHECK(pthread_barrier_init(&start, NULL, (unsigned)n));
    for (int i = 0; i < n; i++)
        PT_CHECK(pthread_create(&tids[i], NULL, add_many, NULL));
    for (int i = 0; i < n; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
    PT_CHECK(pthread_barrier_destroy(&start));
    free(tids);

    long expected = n * iters, got = counter, lost = expected - got;
    printf("%d threads x %ld additions: expected %ld, got %ld: %ld updates lost (%.1f%%)\n", n,
           iters, expected, got, lost, expected > 0 ? 100.0 * (double)lost / (double)expected : 0.0);
    return 0;
}
