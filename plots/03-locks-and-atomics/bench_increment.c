/* plots/03-locks-and-atomics/bench_increment.c: ns per increment of one shared counter under a
 * pthread mutex, under the lesson's spinlock (the reference solution) and with
 * atomic_fetch_add, for 1 (uncontended) .. 2 x cores threads.
 * Build: make benches
 * Run:   build/bench/03-locks-and-atomics/bench_increment --quick     # or --full */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"

enum { THREADS_MAX = 64, KINDS = 3 };
enum kind { MUTEX, SPIN, ATOMIC };
static const char *const kind_name[KINDS] = { "mutex", "spinlock", "atomic" };

/* The counter and its guards. Each kind uses one of them:
 * MUTEX: mu guards plain; SPIN: spin guards plain; ATOMIC: counter is atomic by itself. */
static struct {
    pthread_mutex_t mu;
    struct spinlock spin;
    long plain;
    atomic_long counter;
} shared;

struct worker {
    enum kind kind;
    long iters;
    pthread_barrier_t *start;
    uint64_t t_start, t_end;   /* this thread's first and last moment, written by it */
};

static void *worker(void *p)
{
    struct worker *w = p;
    BARRIER_WAIT(w->start);

    w->t_start = now_ns();
    switch (w->kind) {
    case MUTEX:
        for (long i = 0; i < w->iters; i++) {
            PT_CHECK(pthread_mutex_lock(&shared.mu));
            shared.plain++;
            PT_CHECK(pthread_mutex_unlock(&shared.mu));
        }
        break;
    case SPIN:
        for (long i = 0; i < w->iters; i++) {
            spin_lock(&shared.spin);
            shared.plain++;
            spin_unlock(&shared.spin);
        }
        break;
    case ATOMIC:
        for (long i = 0; i < w->iters; i++)
            atomic_fetch_add(&shared.counter, 1);
        break;
    }
    w->t_end = now_ns();
    return NULL;
}

/* One run: nthreads threads share `total` increments (the first total % nthreads do one
 * more). Returns ns per increment, from the first thread's start to the last one's end (each
 * thread reads the clock itself: the main thread may be descheduled when the barrier opens). */
static double one_run(enum kind kind, int nthreads, long total)
{
    pthread_barrier_t start;
    pthread_t tids[THREADS_MAX];
    struct worker w[THREADS_MAX];

    shared.plain = 0;
    atomic_store(&shared.counter, 0);
    /* Every thread is created before any counts: the barrier opens when the last arrives. */
    PT_CHECK(pthread_barrier_init(&start, NULL, (unsigned)nthreads));
    for (int i = 0; i < nthreads; i++) {
        w[i] = (struct worker){ kind, total / nthreads + (i < total % nthreads), &start, 0, 0 };
        PT_CHECK(pthread_create(&tids[i], NULL, worker, &w[i]));
    }
    uint64_t first = UINT64_MAX, last = 0;
    for (int i = 0; i < nthreads; i++) {
        PT_CHECK(pthread_join(tids[i], NULL));
        first = w[i].t_start < first ? w[i].t_start : first;
        last = w[i].t_end > last ? w[i].t_end : last;
    }
    uint64_t ns = last - first;
    PT_CHECK(pthread_barrier_destroy(&start));
    long got = kind == ATOMIC ? atomic_load(&shared.counter) : shared.plain;
    if (got != total)   /* a lock that lost updates makes every figure meaningless */
        die("%s with %d threads counted %ld of %ld increments", kind_name[kind], nthreads, got,
            total);
    return (double)ns / (double)total;
}

int main(int argc, char **argv)
{
    struct bench b;
    char machine[1024];

    bench_init(&b, "03-locks-and-atomics/increment", argc, argv);
    bench_machine(machine, sizeof machine);
    printf("machine: %s\n", machine);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        die("sysconf(_SC_NPROCESSORS_ONLN) failed: %s", strerror(errno));
    int max_threads = (int)(2 * cores > THREADS_MAX ? THREADS_MAX : 2 * cores);
    /* The same total work at every thread count, so a contended run is not longer just
     * because it does more. */
    long total = b.quick ? 2000000 : 10000000;
    double *samples = calloc((size_t)b.reps, sizeof *samples);
    if (samples == NULL)
        die("out of memory");
    PT_CHECK(pthread_mutex_init(&shared.mu, NULL));
    spin_init(&shared.spin);

    FILE *dat = bench_open_data(&b, "threads mutex_median_ns mutex_min_ns mutex_max_ns "
                                    "spinlock_median_ns spinlock_min_ns spinlock_max_ns "
                                    "atomic_median_ns atomic_min_ns atomic_max_ns "
                                    "(ns per increment)");
    FILE *raw = bench_open_raw(&b, "kind threads rep ns_per_increment");
    fprintf(dat, "# work: %ld increments of one shared counter per run, split over the threads\n",
            total);
    printf("threads  %-26s %-26s %-26s\n", "mutex ns (min..max)", "spinlock ns (min..max)",
           "atomic ns (min..max)");
    for (int n = 1; n <= max_threads; n++) {
        bench_progress(&b, "%d/%d threads, 3 kinds, %d repetitions", n, max_threads, b.reps);
        struct stats st[KINDS];
        for (int k = 0; k < KINDS; k++) {
            for (int r = -b.warmup; r < b.reps; r++) {
                double v = one_run((enum kind)k, n, total);
                if (r >= 0) {
                    samples[r] = v;
                    fprintf(raw, "%s %d %d %.3f\n", kind_name[k], n, r, v);
                }
            }
            st[k] = stats_of(samples, b.reps);
        }
        fprintf(dat, "%d", n);
        printf("%7d ", n);
        for (int k = 0; k < KINDS; k++) {
            char cell[64];
            fprintf(dat, " %.3f %.3f %.3f", st[k].median, st[k].min, st[k].max);
            snprintf(cell, sizeof cell, "%.1f (%.1f..%.1f)", st[k].median, st[k].min, st[k].max);
            printf(" %-26s", cell);
        }
        fprintf(dat, "\n");
        printf("\n");
    }
    bench_close(raw);
    bench_close(dat);
    PT_CHECK(pthread_mutex_destroy(&shared.mu));
    free(samples);
    /* No claim line: this lesson measures what the article does not talk about (the cost of
     * a lock); none of C1..C16 is settled by these figures. */
    return 0;
}
