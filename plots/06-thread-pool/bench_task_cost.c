/* plots/06-thread-pool/bench_task_cost.c: what one small task costs when each task gets a
 * thread of its own (pthread_create + pthread_join), when it goes through the lesson's pool
 * (the reference solution), and when it is a plain function call. Settles the thread side
 * of C1.
 * Build: make benches
 * Run:   build/bench/06-thread-pool/bench_task_cost --quick      # or --full */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"

/* The task: as small as a task gets, so what we time is the way it is run. */
static atomic_long counter;

static void task_body(void *arg)
{
    (void)arg;
    atomic_fetch_add(&counter, 1);
}

static void *thread_body(void *arg)
{
    task_body(arg);
    return NULL;
}

/* ns per task: n tasks, each in a new thread, created and joined one after the other. */
static double per_task_thread(long n)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        PT_CHECK(pthread_create(&t, NULL, thread_body, NULL));
        PT_CHECK(pthread_join(t, NULL));
    }
    return (double)(now_ns() - t0) / (double)n;
}

/* ns per task: a pool of nworkers is created, n tasks are submitted back to back, and the
 * pool is shut down (so every task has run). Creating and joining the workers is inside
 * the time: the pool pays it once, spread over the n tasks. */
static double per_task_pool(long n, int nworkers)
{
    uint64_t t0 = now_ns();
    struct pool *p = pool_create(nworkers, 1024);
    if (p == NULL)
        die("pool_create(%d, 1024) failed", nworkers);
    for (long i = 0; i < n; i++)
        PT_CHECK(pool_submit(p, task_body, NULL));
    PT_CHECK(pool_shutdown(p));
    return (double)(now_ns() - t0) / (double)n;
}

/* ns per task: a call through a function pointer the compiler cannot see through
 * (volatile here only stops the optimiser from inlining the call away; it is not used
 * for synchronisation). */
static void (*volatile call_target)(void *) = task_body;

static double per_task_call(long n)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        call_target(NULL);
    return (double)(now_ns() - t0) / (double)n;
}

enum { METHODS = 3 };

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "06-thread-pool/task_cost", argc, argv);
    int nworkers = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (nworkers < 1)
        nworkers = 1;
    const char *names[METHODS] = { "thread-per-task", "pool", "function-call" };
    const long n[METHODS] = {
        b.quick ? 2000 : 20000,        /* thread per task */
        b.quick ? 50000 : 500000,      /* pool */
        b.quick ? 2000000 : 20000000,  /* plain call */
    };
    double *samples = calloc((size_t)b.reps, sizeof *samples);
    struct stats st[METHODS];
    if (samples == NULL)
        die("out of memory");

    FILE *raw = bench_open_raw(&b, "method sample ns_per_task");
    for (int m = 0; m < METHODS; m++) {
        bench_progress(&b, "%s: %ld tasks x %d repetitions", names[m], n[m], b.reps);
        for (int r = -b.warmup; r < b.reps; r++) {
            double ns = m == 0 ? per_task_thread(n[m])
                      : m == 1 ? per_task_pool(n[m], nworkers)
                               : per_task_call(n[m]);
            if (r >= 0) {
                samples[r] = ns;
                fprintf(raw, "%s %d %.3f\n", names[m], r, ns);
            }
        }
        st[m] = stats_of(samples, b.reps);
    }
    bench_close(raw);

    FILE *dat = bench_open_data(&b, "index method median_ns_per_task min_ns max_ns tasks_per_sample");
    printf("%-16s %14s %12s %12s\n", "method", "median ns/task", "min", "max");
    for (int m = 0; m < METHODS; m++) {
        fprintf(dat, "%d %s %.3f %.3f %.3f %ld\n", m, names[m], st[m].median, st[m].min,
                st[m].max, n[m]);
        printf("%-16s %14.1f %12.1f %12.1f\n", names[m], st[m].median, st[m].min, st[m].max);
    }
    bench_close(dat);
    long expected = 0;
    for (int m = 0; m < METHODS; m++)
        expected += n[m] * (b.reps + b.warmup);
    if (atomic_load(&counter) != expected)
        die("the tasks ran %ld times, expected %ld", atomic_load(&counter), expected);

    /* C1, thread side. Rule: HALF-TRUE when creating and joining a thread costs at least
     * 10x a pool task: creation is expensive, as the article says, but a pool pays it once
     * and then runs tasks on threads it already has, so "threads" need not pay it per task.
     * FALSE when create+join is under 10x a pool task: then creation is not the expense the
     * article blames. (The async side, a callback or a coroutine switch, is measured in
     * lessons 07, 10 and 11; the server sweep in 14.) */
    double ratio = st[0].median / st[1].median;
    const char *verdict = ratio >= 10.0 ? "HALF-TRUE" : "FALSE";
    char figures[512];
    snprintf(figures, sizeof figures,
             "thread create+join %.1f us/task | pool(%d) %.0f ns/task (%.0fx less) | call %.1f "
             "ns | loop, coroutines: lessons 07, 10, 11",
             st[0].median / 1000.0, nworkers, st[1].median, ratio, st[2].median);
    claim_write("C1", "06", "async is faster: threads cost", figures, verdict);
    printf("C1: %s  %s\n", figures, verdict);
    free(samples);
    return 0;
}
