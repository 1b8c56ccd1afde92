/* lessons/02-races/wipe_out.c: the lost update that wipes out a whole thread's work, forced on
 * purpose. Thread B reads the counter and stops before its write; thread A makes all its
 * additions; then B writes its stale value + 1 over them. racy.c gets this by luck now and then.
 * Build: make -C lessons/02-races
 * Run:   build/lessons/02-races/wipe_out 2000000   # additions per thread */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#include "check.h"

/* No lock guards counter. The two semaphores force the order of the steps (B's first read,
 * then all of A, then B's first write), so the accesses never overlap: ThreadSanitizer finds
 * no data race here, yet half the updates are lost. The order, not the overlap, loses them. */
static long counter;
static long iters;            /* additions per thread: set before any thread starts */
static sem_t b_has_read;      /* posted by B: it read the counter, its write is still to come */
static sem_t a_is_done;       /* posted by A: it made all its additions */

/* B stops once, between its first read and its first write: where the kernel stopped it in
 * a racy run that lost exactly 50%. */
static void *thread_b(void *arg)
{
    (void)arg;
    for (long i = 0; i < iters; i++) {
        long seen = counter;                   /* read */
        if (i == 0) {
            SYS_CHECK(sem_post(&b_has_read));  /* "the kernel stops B here"... */
            SYS_CHECK(sem_wait(&a_is_done));   /* ...until A has made all its additions */
        }
        counter = seen + 1;                    /* write: the first one writes 0 + 1 */
    }
    return NULL;
}

/* A runs only while B is stopped, so its additions are all right, and all overwritten. */
static void *thread_a(void *arg)
{
    (void)arg;
    SYS_CHECK(sem_wait(&b_has_read));
    for (long i = 0; i < iters; i++) {
        long seen = counter;
        counter = seen + 1;
    }
    printf("A made its %ld additions while B waited to write: counter %ld\n", iters, counter);
    SYS_CHECK(sem_post(&a_is_done));
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s ITERS   (1 to 1000000000: each of the 2 threads adds 1 ITERS times)",
            argv[0]);
    iters = parse_long_arg(argv[1], "ITERS", 1, 1000000000);
    pthread_t a, b;

    SYS_CHECK(sem_init(&b_has_read, 0, 0));
    SYS_CHECK(sem_init(&a_is_done, 0, 0));
    PT_CHECK(pthread_create(&a, NULL, thread_a, NULL));
    PT_CHECK(pthread_create(&b, NULL, thread_b, NULL));
    PT_CHECK(pthread_join(a, NULL));
    PT_CHECK(pthread_join(b, NULL));
    SYS_CHECK(sem_destroy(&a_is_done));
    SYS_CHECK(sem_destroy(&b_has_read));

    long expected = 2 * iters, got = counter, lost = expected - got;
    printf("2 threads x %ld additions: expected %ld, got %ld: %ld updates lost (%.1f%%)\n",
           iters, expected, got, lost, 100.0 * (double)lost / (double)expected);
    return 0;
}
