/* plots/10-stackless-coroutines/bench_resume.c: what a stackless coroutine costs. Time: ns per
 * resume (one call of its step function, which jumps to where it yielded and returns at the
 * next yield), beside a plain call through a function pointer. Memory: bytes per task, which
 * is sizeof the struct and nothing else; the resident memory of a million tasks confirms it.
 * Writes the stackless figures of C13 for lesson 11 (c13_stackless.dat).
 * Build: make benches
 * Run:   build/bench/10-stackless-coroutines/bench_resume --quick      # or --full */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "proc.h"
#include "timing.h"

/* A sink the compiler must keep: the results of the calls are added into it. (volatile only
 * stops the optimiser from deleting the loops; nothing is shared between threads.) */
static volatile long sink;

static long plain_fn(struct task *t)
{
    return ++t->local;
}

/* Called through this pointer, as sched_run calls a step: the compiler cannot inline it. */
static long (*volatile plain_target)(struct task *) = plain_fn;

/* ns per call: a plain function called through a pointer, n times. The floor. */
static double per_plain_call(long n)
{
    struct task t = { 0 };
    long acc = 0;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        acc += plain_target(&t);
    uint64_t t1 = now_ns();
    sink = acc;
    return (double)(t1 - t0) / (double)n;
}

/* ns per resume of the fib generator. F(92) is the last value a long holds, so the
 * generator is restarted every 90 values (fib_init: three stores, inside the time). */
static double per_fib_next(long n)
{
    struct fib_gen g;
    long acc = 0, calls = 0;
    uint64_t t0 = now_ns();
    while (calls < n) {
        fib_init(&g);
        for (int k = 0; k < 90; k++)
            acc += fib_next(&g);
        calls += 90;
    }
    uint64_t t1 = now_ns();
    sink = acc;
    return (double)(t1 - t0) / (double)calls;
}

/* ns per resume of one counter_step task called directly (through a pointer) n times. */
static double per_counter_direct(long n)
{
    long counter = 0;
    struct task t = { .co_state = 0, .step = counter_step, .data = &counter, .local = n - 1 };
    int (*volatile step)(struct task *) = counter_step;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        (void)step(&t);
    uint64_t t1 = now_ns();
    if (counter != n - 1 || t.co_state != -1)
        die("counter_step counted %ld, expected %ld", counter, n - 1);
    return (double)(t1 - t0) / (double)n;
}

/* ns per step call when sched_run drives ntasks counter_step tasks to n resumes in all. */
static double per_sched_resume(long n, int ntasks, struct task *tasks)
{
    long counter = 0, per = n / ntasks;
    for (int i = 0; i < ntasks; i++)
        tasks[i] = (struct task){ .co_state = 0, .step = counter_step, .data = &counter,
                                  .local = per - 1 };
    uint64_t t0 = now_ns();
    long calls = sched_run(tasks, ntasks);
    uint64_t t1 = now_ns();
    if (calls != per * ntasks || counter != (per - 1) * ntasks)
        die("sched_run made %ld calls (expected %ld), counter %ld (expected %ld)", calls,
            per * ntasks, counter, (per - 1) * ntasks);
    return (double)(t1 - t0) / (double)calls;
}

/* Resident bytes per task: VmRSS growth when ntasks tasks are allocated and filled in. The
 * array comes straight from mmap, not malloc: malloc may hand back pages that an earlier
 * repetition already made resident, and the growth would read 0. */
static double rss_per_task(long ntasks)
{
    size_t len = (size_t)ntasks * sizeof(struct task);
    long before = proc_status_field("VmRSS");
    if (before < 0)
        die("cannot read VmRSS from /proc/self/status: %s", strerror(errno));
    struct task *t = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED)
        die("mmap of %ld tasks (%zu bytes): %s", ntasks, len, strerror(errno));
    long counter = 0;
    for (long i = 0; i < ntasks; i++)
        t[i] = (struct task){ .co_state = 0, .step = counter_step, .data = &counter, .local = 1 };
    long after = proc_status_field("VmRSS");
    if (after < 0)
        die("cannot read VmRSS from /proc/self/status: %s", strerror(errno));
    sink = t[ntasks - 1].local;
    SYS_CHECK(munmap(t, len));
    return (double)(after - before) * 1024.0 / (double)ntasks;
}

enum { METHODS = 5, SCHED_BIG = 1000, SIZES = 3, REPS_MAX = 64 };

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "10-stackless-coroutines/resume", argc, argv);
    const char *names[METHODS] = { "plain-call", "fib_next", "counter_step", "sched_run-2",
                                   "sched_run-1000" };
    const long n = b.quick ? 2000000 : 20000000;   /* resumes per sample, each method */
    double samples[REPS_MAX];
    struct stats st[METHODS];
    struct task *tasks = calloc(SCHED_BIG, sizeof *tasks);
    if (tasks == NULL)
        die("out of memory");

    FILE *raw = bench_open_raw(&b, "method sample ns_per_resume");
    for (int m = 0; m < METHODS; m++) {
        bench_progress(&b, "%s: %ld resumes x %d repetitions", names[m], n, b.reps);
        for (int r = -b.warmup; r < b.reps && r < REPS_MAX; r++) {
            double ns = m == 0   ? per_plain_call(n)
                        : m == 1 ? per_fib_next(n)
                        : m == 2 ? per_counter_direct(n)
                        : m == 3 ? per_sched_resume(n, 2, tasks)
                                 : per_sched_resume(n, SCHED_BIG, tasks);
            if (r >= 0) {
                samples[r] = ns;
                fprintf(raw, "%s %d %.4f\n", names[m], r, ns);
            }
        }
        st[m] = stats_of(samples, b.reps < REPS_MAX ? b.reps : REPS_MAX);
    }
    bench_close(raw);
    free(tasks);

    FILE *dat = bench_open_data(&b, "index method median_ns_per_resume min_ns max_ns "
                                    "resumes_per_sample");
    printf("%-16s %16s %10s %10s\n", "method", "median ns/resume", "min", "max");
    for (int m = 0; m < METHODS; m++) {
        fprintf(dat, "%d %s %.4f %.4f %.4f %ld\n", m, names[m], st[m].median, st[m].min,
                st[m].max, n);
        printf("%-16s %16.2f %10.2f %10.2f\n", names[m], st[m].median, st[m].min, st[m].max);
    }
    bench_close(dat);

    /* ---- bytes per task ---- */
    const long sizes[SIZES] = { 10000, 100000, 1000000 };
    struct bench bm = b;
    bm.name = "10-stackless-coroutines/task_bytes";
    FILE *mem = bench_open_data(&bm, "tasks sizeof_task_bytes rss_bytes_per_task_median min max");
    struct stats rss[SIZES];
    for (int s = 0; s < SIZES; s++) {
        bench_progress(&bm, "%ld tasks x %d repetitions", sizes[s], b.reps);
        for (int r = -b.warmup; r < b.reps && r < REPS_MAX; r++) {
            double per = rss_per_task(sizes[s]);
            if (r >= 0)
                samples[r] = per;
        }
        rss[s] = stats_of(samples, b.reps < REPS_MAX ? b.reps : REPS_MAX);
        fprintf(mem, "%ld %zu %.3f %.3f %.3f\n", sizes[s], sizeof(struct task), rss[s].median,
                rss[s].min, rss[s].max);
        printf("%8ld tasks: sizeof(struct task) = %zu bytes, resident %.1f bytes per task "
               "(min %.1f, max %.1f)\n", sizes[s], sizeof(struct task), rss[s].median,
               rss[s].min, rss[s].max);
    }
    bench_close(mem);

    /* ---- C13, the stackless column, for lesson 11's table and plot ---- */
    struct bench bc = b;
    bc.name = "10-stackless-coroutines/c13_stackless";
    FILE *c13 = bench_open_data(&bc, "sizeof_task_bytes rss_bytes_per_task_1M "
                                      "resume_direct_median_ns min max "
                                      "resume_sched_median_ns min max (sched_run, 1000 tasks)");
    fprintf(c13, "%zu %.3f %.4f %.4f %.4f %.4f %.4f %.4f\n", sizeof(struct task),
            rss[SIZES - 1].median, st[2].median, st[2].min, st[2].max, st[4].median, st[4].min,
            st[4].max);
    bench_close(c13);
    printf("C13 (stackless part, the claim line is lesson 11's): %zu bytes per task, %.1f ns "
           "per resume under sched_run\n", sizeof(struct task), st[4].median);
    return 0;
}
