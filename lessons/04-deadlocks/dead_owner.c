/* lessons/04-deadlocks/dead_owner.c: a thread dies while it holds a mutex. With a normal
 * mutex every other thread that wants the lock waits forever (here: gives up after a time
 * limit, and says so). With a robust mutex the next locker gets EOWNERDEAD, repairs the
 * data, calls pthread_mutex_consistent, and everyone goes on.
 * Build: make -C lessons/04-deadlocks
 * Run:   build/lessons/04-deadlocks/dead_owner both 3 200   # normal|robust|both, waiters, ms */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "timing.h"

enum { TOTAL = 100 };

/* Two accounts and their lock. mu guards a and b; invariant (with mu free): a + b == TOTAL.
 * The owner breaks the invariant for a moment, as any update of two fields does, and
 * dies in that moment. */
struct bank {
    pthread_mutex_t mu;
    long a, b;
};

/* One bank per kind of mutex: the normal one stays locked for good, so the robust run
 * must not reuse it. */
static struct bank normal_bank, robust_bank;
static long limit_ms;

/* The owner: takes the lock, starts moving 10 from a to b, and "hits an error": it
 * returns without finishing and without unlocking (an early return, pthread_exit in a
 * helper, a cancelled thread: the same thing to the mutex). */
static void *run_owner(void *arg)
{
    struct bank *bank = arg;

    PT_CHECK(pthread_mutex_lock(&bank->mu));
    bank->a -= 10;
    printf("owner:    took the lock, moved 10 out of a, and died before moving it into b\n");
    return NULL;   /* the bug: bank->mu is still locked, and its owner is gone */
}

struct waiter {
    struct bank *bank;
    bool robust;
    int no;
    bool got;   /* it held the lock at some point */
};

static void *run_waiter(void *arg)
{
    struct waiter *w = arg;
    struct bank *bank = w->bank;
    uint64_t start = now_ns();
    int err;

    if (w->robust) {
        /* A robust mutex is never left locked by a dead thread (the kernel hands it on with
         * EOWNERDEAD), so a plain lock cannot hang here. It is also the call whose
         * EOWNERDEAD ThreadSanitizer understands (it does not for timedlock). */
        err = pthread_mutex_lock(&bank->mu);
    } else {
        struct timespec deadline = deadline_after_ms(limit_ms);
        err = pthread_mutex_timedlock(&bank->mu, &deadline);
    }
    double ms = (double)(now_ns() - start) / 1e6;

    if (err == ETIMEDOUT) {
        printf("waiter %d: no lock after %.0f ms (ETIMEDOUT): its owner is dead and will "
               "never unlock it\n", w->no, ms);
        return NULL;
    }
    if (err == EOWNERDEAD) {
        /* We hold the lock now, but the data may be half-updated: repair it first. */
        printf("waiter %d: EOWNERDEAD: the owner died holding the lock; I hold it now. "
               "a + b = %ld, not %d:", w->no, bank->a + bank->b, TOTAL);
        bank->b = TOTAL - bank->a;   /* finish the owner's move */
        printf(" repaired (a = %ld, b = %ld), pthread_mutex_consistent\n", bank->a, bank->b);
        PT_CHECK(pthread_mutex_consistent(&bank->mu));
    } else {
        PT_CHECK(err);
        printf("waiter %d: got the lock (0) after %.1f ms, a + b = %ld\n", w->no, ms,
               bank->a + bank->b);
    }
    w->got = true;
    PT_CHECK(pthread_mutex_unlock(&bank->mu));
    return NULL;
}

static void run(bool robust, int nwaiters)
{
    struct bank *bank = robust ? &robust_bank : &normal_bank;
    pthread_mutexattr_t attr;
    pthread_t owner;
    pthread_t *tids = calloc((size_t)nwaiters, sizeof *tids);
    struct waiter *ws = calloc((size_t)nwaiters, sizeof *ws);
    int got = 0;

    if (tids == NULL || ws == NULL)
        die("out of memory");
    if (robust)
        printf("-- robust mutex, %d waiters, plain pthread_mutex_lock\n", nwaiters);
    else
        printf("-- normal mutex, %d waiters, each gives up after %ld ms\n", nwaiters, limit_ms);
    PT_CHECK(pthread_mutexattr_init(&attr));
    if (robust)
        PT_CHECK(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST));
    PT_CHECK(pthread_mutex_init(&bank->mu, &attr));
    PT_CHECK(pthread_mutexattr_destroy(&attr));
    bank->a = TOTAL;
    bank->b = 0;

    /* The owner is dead (joined) before any waiter starts: no timing involved. */
    PT_CHECK(pthread_create(&owner, NULL, run_owner, bank));
    PT_CHECK(pthread_join(owner, NULL));
    for (int i = 0; i < nwaiters; i++) {
        ws[i].bank = bank;
        ws[i].robust = robust;
        ws[i].no = i + 1;
        PT_CHECK(pthread_create(&tids[i], NULL, run_waiter, &ws[i]));
    }
    for (int i = 0; i < nwaiters; i++) {
        PT_CHECK(pthread_join(tids[i], NULL));
        got += ws[i].got;
    }
    printf("%s: %d of %d waiters got the lock\n", robust ? "robust" : "normal", got, nwaiters);
    /* A robust mutex made consistent is an ordinary unlocked mutex again. The normal one
     * is still locked by a thread that no longer exists: destroying a locked mutex is
     * undefined, so it stays as it is. That lock is leaked for good. */
    if (robust)
        PT_CHECK(pthread_mutex_destroy(&bank->mu));
    free(ws);
    free(tids);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: %s normal|robust|both WAITERS LIMIT_MS   (1 to 64 waiters; with the "
            "normal mutex each gives up after LIMIT_MS, 1 to 60000)", argv[0]);
    const char *m = argv[1];
    if (strcmp(m, "normal") != 0 && strcmp(m, "robust") != 0 && strcmp(m, "both") != 0)
        die("mode: '%s' is not normal, robust or both", m);
    int nwaiters = (int)parse_long_arg(argv[2], "WAITERS", 1, 64);
    limit_ms = parse_long_arg(argv[3], "LIMIT_MS", 1, 60000);

    if (strcmp(m, "robust") != 0)
        run(false, nwaiters);
    if (strcmp(m, "normal") != 0)
        run(true, nwaiters);
    return 0;
}
