/* plots/11-stackful-coroutines/bench_create.c: what a short task costs from birth to death:
 * create a coroutine, run it to its end, destroy it (the reference, 16 KiB and 64 KiB
 * stacks), the same for a stackless coroutine (malloc, one step, free), and a thread
 * (pthread_create + pthread_join), and the kernel's part of a coroutine alone (mmap,
 * mprotect, one page fault, munmap of a 16 KiB stack). Then C13, with the memory figures of bench_mem.
 * Build: make build/bench/11-stackful-coroutines/bench_create
 * Run:   build/bench/11-stackful-coroutines/bench_create --quick   # or --full
 *        (after bench_mem, whose mem_summary.dat it reads for C13) */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS, MAP_STACK */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"

static volatile long work;   /* what each task does; volatile: it must really happen */

static void task(void *arg)
{
    (void)arg;
    work++;
}

static void *task_thread(void *arg)
{
    task(arg);
    return NULL;
}

struct stackless {
    int state;
};

static __attribute__((noinline)) int stackless_step(struct stackless *s)
{
    switch (s->state) {
    case 0:
        task(NULL);
        s->state = 1;
        return 0;   /* finished */
    }
    return 0;
}

static double per_task_coro(long n, size_t stack)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        struct coro *c = coro_create(task, NULL, stack);
        if (c == NULL)
            die("coro_create failed");
        if (coro_resume(c) != 0 || !coro_done(c))
            die("the coroutine did not run to its end");
        coro_destroy(c);
    }
    return (double)(now_ns() - t0) / (double)n;
}

static double per_task_coro16(long n)
{
    return per_task_coro(n, CORO_MIN_STACK);
}

static double per_task_coro64(long n)
{
    return per_task_coro(n, 64 * 1024);
}

/* Only what coro_create and coro_destroy ask of the kernel for a 16 KiB stack: map it with
 * its guard page, protect the guard, fault in the top page (where the first frames go), and
 * unmap it. The part of a coroutine's birth and death that is not the switch. */
static double per_task_stack_only(long n)
{
    const size_t page = 4096, len = CORO_MIN_STACK + 4096;
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (m == MAP_FAILED)
            die("mmap failed");
        SYS_CHECK(mprotect(m, page, PROT_NONE));
        m[len - 1] = 1;
        SYS_CHECK(munmap(m, len));
    }
    return (double)(now_ns() - t0) / (double)n;
}

static double per_task_stackless(long n)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        struct stackless *s = calloc(1, sizeof *s);
        if (s == NULL)
            die("out of memory");
        stackless_step(s);
        free(s);
    }
    return (double)(now_ns() - t0) / (double)n;
}

static double per_task_thread(long n)
{
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        PT_CHECK(pthread_create(&t, NULL, task_thread, NULL));
        PT_CHECK(pthread_join(t, NULL));
    }
    return (double)(now_ns() - t0) / (double)n;
}

struct way {
    const char *label;
    double (*run)(long n);
    long n;               /* tasks per sample, --full; --quick uses a tenth */
    struct stats s;
};

/* bench_mem's summary: bytes per waiting task, by kind (0 coro_64KiB, 1 coro_16KiB,
 * 2 stackless, 3 thread). False if it is not there. */
static bool read_mem_summary(double rss[4], double ks[4])
{
    const char *dir = getenv("BENCH_DATA");
    char path[512];
    snprintf(path, sizeof path, "%s/11-stackful-coroutines/mem_summary.dat",
             dir != NULL ? dir : "build/data");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[512];
    int seen = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        int k;
        long tasks;
        double r, v, s;
        if (line[0] != '#' && sscanf(line, "%d %ld %lf %lf %lf", &k, &tasks, &r, &v, &s) == 5 &&
            k >= 0 && k < 4) {
            rss[k] = r;
            ks[k] = s;
            seen |= 1 << k;
        }
    }
    fclose(f);
    return seen == 0xf;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "11-stackful-coroutines/create", argc, argv);
    struct way ways[] = {
        {"stackless", per_task_stackless, 2000000, {0, 0, 0}},
        {"coroutine-16KiB", per_task_coro16, 100000, {0, 0, 0}},
        {"coroutine-64KiB", per_task_coro64, 100000, {0, 0, 0}},
        {"thread", per_task_thread, 10000, {0, 0, 0}},
        {"stack-mmap-only", per_task_stack_only, 100000, {0, 0, 0}},
    };
    enum { NWAYS = sizeof ways / sizeof ways[0] };
    double *ns = calloc((size_t)b.reps, sizeof *ns);
    if (ns == NULL)
        die("out of memory");
    FILE *raw = bench_open_raw(&b, "way rep ns_per_task");
    for (int w = 0; w < NWAYS; w++) {
        long n = b.quick ? ways[w].n / 10 : ways[w].n;
        bench_progress(&b, "%d/%d %s: %d x %ld tasks", w + 1, NWAYS, ways[w].label, b.reps, n);
        for (int r = 0; r < b.warmup; r++)
            (void)ways[w].run(n);
        for (int r = 0; r < b.reps; r++) {
            ns[r] = ways[w].run(n);
            fprintf(raw, "%s %d %.1f\n", ways[w].label, r, ns[r]);
        }
        ways[w].s = stats_of(ns, b.reps);
    }
    bench_close(raw);
    free(ns);

    FILE *dat = bench_open_data(&b, "way median_ns min_ns max_ns");
    fprintf(dat, "# ways (ns to create, run to the end and destroy one task):");
    for (int w = 0; w < NWAYS; w++)
        fprintf(dat, " %d %s%s", w, ways[w].label, w + 1 < NWAYS ? "," : "\n");
    printf("%-18s %12s %12s %12s\n", "way", "median_ns", "min_ns", "max_ns");
    for (int w = 0; w < NWAYS; w++) {
        fprintf(dat, "%d %.1f %.1f %.1f\n", w, ways[w].s.median, ways[w].s.min, ways[w].s.max);
        printf("%-18s %12.1f %12.1f %12.1f\n", ways[w].label, ways[w].s.median, ways[w].s.min,
               ways[w].s.max);
    }
    bench_close(dat);

    /* C13 ("coroutines are lighter weight than threads"). Two measures, both medians of this
     * machine: time (create + run + destroy of a 16 KiB coroutine vs create + join of a
     * thread) and memory (resident bytes of a suspended 16 KiB coroutine vs an idle thread's
     * resident bytes plus its kernel stack, from bench_mem). Rule: TRUE if the coroutine is at
     * least 10x cheaper in time AND at least 2x smaller in memory; HALF-TRUE if only one of
     * the two holds; FALSE if neither; DEPENDS if bench_mem's figures are missing. */
    double rss[4] = {0}, ks[4] = {0};
    double t_ratio = ways[3].s.median / ways[1].s.median;
    const char *verdict;
    char figures[512];
    if (!read_mem_summary(rss, ks)) {
        verdict = "DEPENDS";
        snprintf(figures, sizeof figures,
                 "create+run+destroy: coroutine %.0f ns, thread %.0f ns (%.0fx) | memory: not "
                 "measured (run bench_mem first)", ways[1].s.median, ways[3].s.median, t_ratio);
    } else {
        double thread_bytes = rss[3] + (ks[3] > 0 ? ks[3] : 0);
        double m_ratio = thread_bytes / rss[1];
        bool fast = t_ratio >= 10, small = m_ratio >= 2;
        verdict = fast && small ? "TRUE" : fast || small ? "HALF-TRUE" : "FALSE";
        snprintf(figures, sizeof figures,
                 "create+run+destroy: coroutine %.0f ns, stackless %.0f ns, thread %.0f ns "
                 "(%.0fx) | waiting: coroutine (16 KiB) %.1f KiB, stackless %.0f B, thread "
                 "%.1f KiB incl. kernel stack (%.1fx)",
                 ways[1].s.median, ways[0].s.median, ways[3].s.median, t_ratio,
                 rss[1] / 1024, rss[2], thread_bytes / 1024, m_ratio);
    }
    claim_write("C13", "11", "coroutines lighter than threads", figures, verdict);
    printf("C13: %s  %s\n", figures, verdict);
    return 0;
}
