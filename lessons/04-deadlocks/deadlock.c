/* lessons/04-deadlocks/deadlock.c: two threads take two mutexes in opposite orders and
 * deadlock, every time. The second lock is asked for with pthread_mutex_timedlock, so the
 * demo gives up after a limit and reports the deadlock instead of hanging.
 * Build: make -C lessons/04-deadlocks
 * Run:   build/lessons/04-deadlocks/deadlock 300        # how long each thread waits, ms */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "timing.h"

/* Two locks and nothing else: the deadlock needs no data at all. */
static pthread_mutex_t lock_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock_b = PTHREAD_MUTEX_INITIALIZER;

/* first_held: both threads hold their first lock before either asks for its second, so
 * the unlucky interleaving happens on every run (without it, it happens now and then).
 * done_waiting: neither lets go of its first lock until both have given up, so both
 * report the same thing. */
static pthread_barrier_t first_held, done_waiting;
static long limit_ms;

struct side {
    const char *name;
    pthread_mutex_t *first, *second;
    const char *first_name, *second_name;
};

static void *run_side(void *arg)
{
    struct side *s = arg;

    PT_CHECK(pthread_mutex_lock(s->first));
    printf("%s: holds %s, now asks for %s\n", s->name, s->first_name, s->second_name);
    BARRIER_WAIT(&first_held);

    struct timespec deadline = deadline_after_ms(limit_ms);
    uint64_t start = now_ns();
    int err = pthread_mutex_timedlock(s->second, &deadline);
    double waited_ms = (double)(now_ns() - start) / 1e6;
    if (err == ETIMEDOUT)
        printf("%s: gave up on %s after %.0f ms (ETIMEDOUT): the other thread holds it, "
               "and waits for %s, which I hold\n", s->name, s->second_name, waited_ms,
               s->first_name);
    else if (err == 0)
        printf("%s: got %s after %.0f ms (no deadlock this time?)\n", s->name, s->second_name,
               waited_ms);
    else
        PT_CHECK(err);
    BARRIER_WAIT(&done_waiting);

    if (err == 0)
        PT_CHECK(pthread_mutex_unlock(s->second));
    PT_CHECK(pthread_mutex_unlock(s->first));
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s LIMIT_MS   (how long each thread waits for its second lock, 1 to "
            "60000)", argv[0]);
    limit_ms = parse_long_arg(argv[1], "LIMIT_MS", 1, 60000);

    /* Thread 1 locks A then B; thread 2 locks B then A: opposite orders. */
    struct side one = { "thread 1", &lock_a, &lock_b, "A", "B" };
    struct side two = { "thread 2", &lock_b, &lock_a, "B", "A" };
    pthread_t t1, t2;

    PT_CHECK(pthread_barrier_init(&first_held, NULL, 2));
    PT_CHECK(pthread_barrier_init(&done_waiting, NULL, 2));
    PT_CHECK(pthread_create(&t1, NULL, run_side, &one));
    PT_CHECK(pthread_create(&t2, NULL, run_side, &two));
    PT_CHECK(pthread_join(t1, NULL));
    PT_CHECK(pthread_join(t2, NULL));
    PT_CHECK(pthread_barrier_destroy(&first_held));
    PT_CHECK(pthread_barrier_destroy(&done_waiting));
    printf("deadlock: each thread held the lock the other needed. With pthread_mutex_lock "
           "instead of a time limit, both would wait forever.\n");
    return 0;
}
