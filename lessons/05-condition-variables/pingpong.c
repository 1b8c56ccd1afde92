/* lessons/05-condition-variables/pingpong.c: two threads pass a ball back and forth through
 * one mutex and one condition variable; prints the time and the context switches per pass.
 * Build: make -C lessons/05-condition-variables
 * Run:   build/lessons/05-condition-variables/pingpong 100000   # round trips */
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>

#include "check.h"
#include "timing.h"

/* mu guards turn. Each thread waits for its own turn, takes it, hands it to the other. */
struct table {
    pthread_mutex_t mu;
    pthread_cond_t changed;   /* broadcast whenever turn changes */
    int turn;                 /* 0: ping's turn, 1: pong's turn */
    long rounds;              /* set before the threads start, read-only after */
};

struct player {
    struct table *t;
    int me;
};

static void *play(void *arg)
{
    struct player *p = arg;
    struct table *t = p->t;

    for (long i = 0; i < t->rounds; i++) {
        PT_CHECK(pthread_mutex_lock(&t->mu));
        while (t->turn != p->me)   /* not my turn: sleep until it changes */
            PT_CHECK(pthread_cond_wait(&t->changed, &t->mu));
        t->turn = 1 - p->me;       /* hit the ball back */
        PT_CHECK(pthread_cond_broadcast(&t->changed));
        PT_CHECK(pthread_mutex_unlock(&t->mu));
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s ROUNDS   (round trips, e.g. 100000)", argv[0]);
    struct table t = { .turn = 0, .rounds = parse_long_arg(argv[1], "ROUNDS", 1, 100000000) };
    struct player ping = { &t, 0 }, pong = { &t, 1 };
    pthread_t a, b;
    struct rusage before, after;

    PT_CHECK(pthread_mutex_init(&t.mu, NULL));
    PT_CHECK(pthread_cond_init(&t.changed, NULL));
    SYS_CHECK(getrusage(RUSAGE_SELF, &before));
    uint64_t start = now_ns();
    PT_CHECK(pthread_create(&a, NULL, play, &ping));
    PT_CHECK(pthread_create(&b, NULL, play, &pong));
    PT_CHECK(pthread_join(a, NULL));
    PT_CHECK(pthread_join(b, NULL));
    uint64_t ns = now_ns() - start;
    SYS_CHECK(getrusage(RUSAGE_SELF, &after));

    long passes = 2 * t.rounds;   /* one round trip = two hand-offs */
    long vol = after.ru_nvcsw - before.ru_nvcsw, invol = after.ru_nivcsw - before.ru_nivcsw;
    printf("%ld hand-offs in %.1f ms: %.0f ns per hand-off\n", passes, ns / 1e6,
           (double)ns / (double)passes);
    printf("context switches: %ld voluntary (a thread went to sleep), %ld involuntary "
           "(the scheduler took the core): %.2f per hand-off\n", vol, invol,
           (double)(vol + invol) / (double)passes);
    PT_CHECK(pthread_cond_destroy(&t.changed));
    PT_CHECK(pthread_mutex_destroy(&t.mu));
    return 0;
}
