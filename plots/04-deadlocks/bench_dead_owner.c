/* plots/04-deadlocks/bench_dead_owner.c: the dead-owner experiment, measured. A thread takes
 * a mutex and exits without unlocking it, while N waiter threads want the same lock; each
 * waiter asks with pthread_mutex_timedlock and a generous limit. We count the waiters that
 * got the lock, with a normal mutex and with a robust one, then write the verdict of C4.
 * The limit is a detection limit, not a speed check: a waiter still waiting after it has
 * waited for a lock that no live thread holds, and will wait forever without the limit.
 * Build: make benches
 * Run:   build/bench/04-deadlocks/bench_dead_owner --quick     # or --full */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "harness.h"
#include "timing.h"

enum { WAITERS_MAX = 32 };

/* One run: the lock, and what the waiters report. got is guarded by count_mu (the waiters
 * add to it at the same time); the rest is written before the threads start. */
struct run {
    pthread_mutex_t mu;           /* the lock whose owner dies */
    pthread_barrier_t start;      /* owner holds mu; every waiter is about to ask for it */
    long limit_ms;
    pthread_mutex_t count_mu;
    int got;
};

/* The faulty thread: takes the lock and returns without unlocking it. */
static void *run_owner(void *arg)
{
    struct run *r = arg;

    PT_CHECK(pthread_mutex_lock(&r->mu));
    BARRIER_WAIT(&r->start);
    return NULL;
}

static void *run_waiter(void *arg)
{
    struct run *r = arg;

    BARRIER_WAIT(&r->start);
    struct timespec deadline = deadline_after_ms(r->limit_ms);
    int err = pthread_mutex_timedlock(&r->mu, &deadline);
    if (err == ETIMEDOUT)
        return NULL;
    if (err == EOWNERDEAD)   /* robust only: we hold it; declare the data repaired */
        PT_CHECK(pthread_mutex_consistent(&r->mu));
    else
        PT_CHECK(err);
    PT_CHECK(pthread_mutex_unlock(&r->mu));
    PT_CHECK(pthread_mutex_lock(&r->count_mu));
    r->got++;
    PT_CHECK(pthread_mutex_unlock(&r->count_mu));
    return NULL;
}

/* One repetition: returns how many of n waiters got the lock; *ms is how long it took. */
static int one_run(bool robust, int n, long limit_ms, double *ms)
{
    struct run *r = calloc(1, sizeof *r);
    pthread_t owner, waiters[WAITERS_MAX];
    pthread_mutexattr_t attr;

    if (r == NULL)
        die("out of memory");
    r->limit_ms = limit_ms;
    PT_CHECK(pthread_mutexattr_init(&attr));
    if (robust)
        PT_CHECK(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST));
    PT_CHECK(pthread_mutex_init(&r->mu, &attr));
    PT_CHECK(pthread_mutexattr_destroy(&attr));
    PT_CHECK(pthread_mutex_init(&r->count_mu, NULL));
    PT_CHECK(pthread_barrier_init(&r->start, NULL, (unsigned)n + 1));

    uint64_t t0 = now_ns();
    PT_CHECK(pthread_create(&owner, NULL, run_owner, r));
    for (int i = 0; i < n; i++)
        PT_CHECK(pthread_create(&waiters[i], NULL, run_waiter, r));
    PT_CHECK(pthread_join(owner, NULL));
    for (int i = 0; i < n; i++)
        PT_CHECK(pthread_join(waiters[i], NULL));
    *ms = (double)(now_ns() - t0) / 1e6;

    int got = r->got;
    PT_CHECK(pthread_barrier_destroy(&r->start));
    PT_CHECK(pthread_mutex_destroy(&r->count_mu));
    /* The robust mutex was made consistent and is free: destroy it. The normal one is
     * still locked by a thread that no longer exists; destroying a locked mutex is
     * undefined, so its memory is freed as it is (glibc keeps nothing else for it). */
    if (robust)
        PT_CHECK(pthread_mutex_destroy(&r->mu));
    free(r);
    return got;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "04-deadlocks/dead_owner", argc, argv);
    static const int quick_ns[] = { 1, 4, 16 };
    static const int full_ns[] = { 1, 2, 4, 8, 16, 32 };
    const int *ns = b.quick ? quick_ns : full_ns;
    int count = b.quick ? 3 : 6;
    /* Generous next to the microseconds a free lock takes, on a loaded machine too. */
    long limit_ms = b.quick ? 200 : 500;
    b.warmup = 0;   /* we count outcomes: there is nothing to warm up for a count */

    FILE *dat = bench_open_data(&b, "waiters normal_got_median normal_got_min normal_got_max "
                                    "robust_got_median robust_got_min robust_got_max "
                                    "normal_ms_median robust_ms_median");
    FILE *raw = bench_open_raw(&b, "waiters mutex rep got ms");
    fprintf(dat, "# limit_ms: %ld (how long each waiter waits; a detection limit)\n", limit_ms);

    bool normal_all_got = true, robust_all_got = true;
    int normal_max_got = 0, robust_worst_got = 0, robust_worst_of = 0, last_n = 0;
    double last_normal = 0, last_robust = 0, last_robust_ms = 0;
    for (int k = 0; k < count; k++) {
        int n = ns[k];
        double got[2][64], ms[2][64];
        for (int m = 0; m < 2; m++) {
            bench_progress(&b, "%d waiters, %s mutex, %d runs (limit %ld ms each)", n,
                           m ? "robust" : "normal", b.reps, limit_ms);
            for (int rep = 0; rep < b.reps; rep++) {
                int g = one_run(m == 1, n, limit_ms, &ms[m][rep]);
                got[m][rep] = g;
                fprintf(raw, "%d %s %d %d %.3f\n", n, m ? "robust" : "normal", rep, g,
                        ms[m][rep]);
                if (m == 0 && g > normal_max_got)
                    normal_max_got = g;
                if (m == 0 && g < n)
                    normal_all_got = false;
                /* The robust run where the smallest share of waiters got the lock. */
                if (m == 1 && g < n &&
                    (robust_all_got || g * robust_worst_of < robust_worst_got * n)) {
                    robust_all_got = false;
                    robust_worst_got = g;
                    robust_worst_of = n;
                }
            }
        }
        struct stats gn = stats_of(got[0], b.reps), gr = stats_of(got[1], b.reps);
        struct stats mn = stats_of(ms[0], b.reps), mr = stats_of(ms[1], b.reps);
        fprintf(dat, "%d %.1f %.0f %.0f %.1f %.0f %.0f %.1f %.3f\n", n, gn.median, gn.min,
                gn.max, gr.median, gr.min, gr.max, mn.median, mr.median);
        printf("%2d waiters: normal mutex %4.1f got the lock (median; min %.0f, max %.0f), "
               "robust %4.1f (min %.0f, max %.0f); a run took %.1f ms vs %.3f ms\n", n,
               gn.median, gn.min, gn.max, gr.median, gr.min, gr.max, mn.median, mr.median);
        last_n = n;
        last_normal = gn.median;
        last_robust = gr.median;
        last_robust_ms = mr.median;
    }
    bench_close(raw);
    bench_close(dat);

    /* C4 "an error in one thread may affect others (deadlocks, leaks)". Rule: TRUE if, with
     * a normal mutex, no waiter ever got the lock its dead owner held (one thread's error
     * stopped every other thread that needed it, and the lock is lost for good); FALSE if
     * every waiter got it every time (the error stayed in its thread); HALF-TRUE between.
     * The robust figures are reported beside: the damage can be contained, if the program
     * asked for it. */
    const char *verdict;
    if (normal_max_got == 0)
        verdict = "TRUE";
    else if (normal_all_got)
        verdict = "FALSE";
    else
        verdict = "HALF-TRUE";
    char figures[512], robust_runs[64];
    if (robust_all_got)
        snprintf(robust_runs, sizeof robust_runs, "all waiters in every run");
    else
        snprintf(robust_runs, sizeof robust_runs, "worst run %d/%d", robust_worst_got,
                 robust_worst_of);
    snprintf(figures, sizeof figures,
             "owner thread exits holding a mutex, %d waiters, %ld ms limit: normal mutex "
             "%.0f/%d got it (most in any run: %d) | robust: %.0f/%d (%s; EOWNERDEAD + "
             "consistent, %.2f ms)", last_n, limit_ms, last_normal, last_n, normal_max_got,
             last_robust, last_n, robust_runs, last_robust_ms);
    claim_write("C4", "04", "a thread error affects others", figures, verdict);
    printf("C4: %s  %s\n", figures, verdict);
    return 0;
}
