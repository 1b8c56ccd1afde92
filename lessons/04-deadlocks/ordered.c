/* lessons/04-deadlocks/ordered.c: the same two threads as deadlock.c, one wanting A then B,
 * the other B then A, many times over, and no deadlock: two cures. "order" takes the locks
 * by rank (always A before B); "backoff" takes the first, tries the second with
 * pthread_mutex_trylock, and on failure lets go of the first and starts over.
 * Build: make -C lessons/04-deadlocks
 * Run:   build/lessons/04-deadlocks/ordered both 100000   # order|backoff|both, rounds */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "timing.h"

/* A lock with a rank: the lock order is "smaller rank first". */
struct ranked {
    pthread_mutex_t mu;
    int rank;
    const char *name;
};

static struct ranked res_a = { PTHREAD_MUTEX_INITIALIZER, 1, "A" };
static struct ranked res_b = { PTHREAD_MUTEX_INITIALIZER, 2, "B" };
/* moves counts the rounds done with both locks held: guarded by res_a.mu AND res_b.mu
 * (a thread holds both when it changes it, so holding either is enough to read it). */
static long moves;

/* Both threads start their rounds together, so that they really compete for the locks
 * (otherwise the first may be done before the second is created). */
static pthread_barrier_t start_line;

enum mode { ORDER, BACKOFF };

struct side {
    struct ranked *want_first, *want_second;   /* the order this thread "thinks" in */
    long rounds;
    enum mode mode;
    long backoffs;                             /* BACKOFF: times it let go and retried */
};

/* Cure 1: whatever order the caller names them in, lock the smaller rank first. Every
 * thread climbs the same ladder, so no thread holds B while it waits for A. */
static void lock_ordered(struct ranked *x, struct ranked *y)
{
    struct ranked *lo = x->rank < y->rank ? x : y;
    struct ranked *hi = lo == x ? y : x;

    PT_CHECK(pthread_mutex_lock(&lo->mu));
    PT_CHECK(pthread_mutex_lock(&hi->mu));
}

/* Cure 2: lock x, then only try y. If y is taken, hold nothing while we wait: unlock x
 * (the other thread may be waiting for it), give the CPU away, start over. Returns the
 * number of back-offs. */
static long lock_backoff(struct ranked *x, struct ranked *y)
{
    long backoffs = 0;

    for (;;) {
        PT_CHECK(pthread_mutex_lock(&x->mu));
        int err = pthread_mutex_trylock(&y->mu);
        if (err == 0)
            return backoffs;
        if (err != EBUSY)
            PT_CHECK(err);
        PT_CHECK(pthread_mutex_unlock(&x->mu));
        backoffs++;
        sched_yield();
    }
}

static void *run_side(void *arg)
{
    struct side *s = arg;
    BARRIER_WAIT(&start_line);

    for (long r = 0; r < s->rounds; r++) {
        if (s->mode == ORDER)
            lock_ordered(s->want_first, s->want_second);
        else
            s->backoffs += lock_backoff(s->want_first, s->want_second);
        moves++;
        PT_CHECK(pthread_mutex_unlock(&s->want_second->mu));
        PT_CHECK(pthread_mutex_unlock(&s->want_first->mu));
    }
    return NULL;
}

static void run(enum mode mode, long rounds)
{
    struct side one = { &res_a, &res_b, rounds, mode, 0 };
    struct side two = { &res_b, &res_a, rounds, mode, 0 };
    pthread_t t1, t2;

    moves = 0;
    PT_CHECK(pthread_barrier_init(&start_line, NULL, 2));
    uint64_t start = now_ns();
    PT_CHECK(pthread_create(&t1, NULL, run_side, &one));
    PT_CHECK(pthread_create(&t2, NULL, run_side, &two));
    PT_CHECK(pthread_join(t1, NULL));
    PT_CHECK(pthread_join(t2, NULL));
    double ms = (double)(now_ns() - start) / 1e6;
    PT_CHECK(pthread_barrier_destroy(&start_line));

    printf("%-7s 2 threads x %ld rounds, one asking for A then B, the other B then A: "
           "finished in %.1f ms, %ld rounds with both locks\n",
           mode == ORDER ? "order" : "backoff", rounds, ms, moves);
    if (mode == BACKOFF)
        printf("        back-offs: thread 1 %ld, thread 2 %ld (times a thread found its "
               "second lock taken, let go of its first and started over)\n", one.backoffs,
               two.backoffs);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s order|backoff|both ROUNDS   (rounds per thread, 1 to 100000000)",
            argv[0]);
    const char *m = argv[1];
    if (strcmp(m, "order") != 0 && strcmp(m, "backoff") != 0 && strcmp(m, "both") != 0)
        die("mode: '%s' is not order, backoff or both", m);
    long rounds = parse_long_arg(argv[2], "ROUNDS", 1, 100000000);

    if (strcmp(m, "backoff") != 0)
        run(ORDER, rounds);
    if (strcmp(m, "order") != 0)
        run(BACKOFF, rounds);
    return 0;
}
