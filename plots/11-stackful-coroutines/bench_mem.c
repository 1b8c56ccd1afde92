/* plots/11-stackful-coroutines/bench_mem.c: what a waiting task costs in memory. For 1, 10,
 * 100, 1000 and 10000 tasks that have started and now wait: the reference's coroutines with
 * 64 KiB and with the minimal 16 KiB stack (suspended in coro_yield), stackless coroutines
 * (a malloc'd state struct each), and threads (default stack, waiting on a condvar; up to
 * 1000). Each point is measured in a fresh child process: the growth of its resident memory
 * (VmRSS) and address space (VmSize), divided by the number of tasks; for threads, also the
 * kernel stacks (KernelStack, machine-wide). Settles the memory part of C13 and feeds C5.
 * Build: make build/bench/11-stackful-coroutines/bench_mem
 * Run:   build/bench/11-stackful-coroutines/bench_mem --quick   # or --full */
#define _GNU_SOURCE   /* nothing Linux-only is needed; keeps the harness headers uniform */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "proc.h"

enum kind { CORO_64K, CORO_16K, STACKLESS, THREAD, KINDS };
static const char *const kind_names[KINDS] = {"coro_64KiB", "coro_16KiB", "stackless",
                                              "thread"};
static const long sizes[] = {1, 10, 100, 1000, 10000};
enum { NSIZES = sizeof sizes / sizeof sizes[0] };
#define THREAD_MAX 1000   /* threads stop here: 10000 is lesson 06's --full experiment */

/* A stackless coroutine (lesson 10's kind): all it keeps between steps is this. */
struct stackless {
    int state;
    long counter;
    void *buffer;
    size_t done;
};

static void wait_in_yield(void *arg)
{
    volatile char local[64];   /* a few bytes of its own, as any real task has */
    local[0] = (char)(uintptr_t)arg;
    (void)local[0];
    coro_yield();
}

/* Threads that wait until released. mu guards go. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released = PTHREAD_COND_INITIALIZER;
static int go;

static void *idle_thread(void *arg)
{
    (void)arg;
    PT_CHECK(pthread_mutex_lock(&mu));
    while (!go)
        PT_CHECK(pthread_cond_wait(&released, &mu));
    PT_CHECK(pthread_mutex_unlock(&mu));
    return NULL;
}

struct sample {
    long rss_kib, vm_kib, kstack_kib;
};

static long field(const char *name)
{
    long v = proc_status_field(name);
    if (v < 0)
        die("cannot read %s from /proc/self/status", name);
    return v;
}

/* In the child: make n waiting tasks of this kind, report the growth, clean up. */
static struct sample measure_here(enum kind k, long n)
{
    struct coro **cs = NULL;
    struct stackless **sl = NULL;
    pthread_t *ts = NULL;
    if (k == THREAD)
        ts = calloc((size_t)n, sizeof *ts);
    else if (k == STACKLESS)
        sl = calloc((size_t)n, sizeof *sl);
    else
        cs = calloc((size_t)n, sizeof *cs);
    if (ts == NULL && sl == NULL && cs == NULL)
        die("out of memory");
    long ks0 = proc_meminfo_field("KernelStack");
    long rss0 = field("VmRSS"), vm0 = field("VmSize");
    for (long i = 0; i < n; i++) {
        if (k == THREAD) {
            PT_CHECK(pthread_create(&ts[i], NULL, idle_thread, NULL));
        } else if (k == STACKLESS) {
            sl[i] = calloc(1, sizeof **sl);
            if (sl[i] == NULL)
                die("out of memory");
            sl[i]->state = 1;   /* "started, waiting at its first suspension point" */
        } else {
            cs[i] = coro_create(wait_in_yield, (void *)(uintptr_t)i,
                                k == CORO_64K ? 64 * 1024 : CORO_MIN_STACK);
            if (cs[i] == NULL)
                die("coro_create %ld failed: %s", i, strerror(errno));
            if (coro_resume(cs[i]) != 0)
                die("coro_resume failed");
        }
    }
    struct sample s = {field("VmRSS") - rss0, field("VmSize") - vm0, 0};
    long ks1 = proc_meminfo_field("KernelStack");
    s.kstack_kib = ks0 >= 0 && ks1 >= 0 ? ks1 - ks0 : 0;
    if (k == THREAD) {
        PT_CHECK(pthread_mutex_lock(&mu));
        go = 1;
        PT_CHECK(pthread_cond_broadcast(&released));
        PT_CHECK(pthread_mutex_unlock(&mu));
        for (long i = 0; i < n; i++)
            PT_CHECK(pthread_join(ts[i], NULL));
    }
    for (long i = 0; i < n; i++) {
        if (k == STACKLESS)
            free(sl[i]);
        else if (k != THREAD)
            coro_destroy(cs[i]);
    }
    free(ts);
    free(sl);
    free(cs);
    return s;
}

/* A fresh process per point: what earlier points allocated cannot be reused. */
static struct sample measure_in_child(enum kind k, long n)
{
    int fd[2];
    SYS_CHECK(pipe(fd));
    fflush(NULL);
    pid_t pid = (pid_t)SYS_CHECK(fork());
    if (pid == 0) {
        SYS_CHECK(close(fd[0]));
        struct sample s = measure_here(k, n);
        if (write(fd[1], &s, sizeof s) != (ssize_t)sizeof s)
            _exit(1);
        _exit(0);
    }
    SYS_CHECK(close(fd[1]));
    struct sample s;
    ssize_t got = read(fd[0], &s, sizeof s);
    SYS_CHECK(close(fd[0]));
    int status;
    SYS_CHECK(waitpid(pid, &status, 0));
    if (got != (ssize_t)sizeof s || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the measuring child for %s x %ld failed", kind_names[k], n);
    return s;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "11-stackful-coroutines/mem", argc, argv);
    double *rss = calloc((size_t)b.reps, sizeof *rss), *vm = calloc((size_t)b.reps, sizeof *vm);
    double *ks = calloc((size_t)b.reps, sizeof *ks);
    if (rss == NULL || vm == NULL || ks == NULL)
        die("out of memory");
    double top_rss[KINDS], top_vm[KINDS], top_ks[KINDS];
    long top_n[KINDS];

    FILE *raw = bench_open_raw(&b, "kind tasks rss_kib vmsize_kib kernelstack_kib");
    for (int k = 0; k < KINDS; k++) {
        char name[64];
        snprintf(name, sizeof name, "11-stackful-coroutines/mem_%s", kind_names[k]);
        struct bench bk = b;
        bk.name = name;
        FILE *dat = bench_open_data(&bk, "tasks rss_bytes_per_task_median rss_min rss_max "
                                         "vm_bytes_per_task_median vm_min vm_max "
                                         "kernelstack_bytes_per_task_median");
        for (int i = 0; i < NSIZES; i++) {
            long n = sizes[i];
            if (k == THREAD && n > THREAD_MAX)
                break;
            bench_progress(&b, "%s x %ld, %d repetitions", kind_names[k], n, b.reps);
            for (int r = -b.warmup; r < b.reps; r++) {
                struct sample s = measure_in_child((enum kind)k, n);
                if (r < 0)
                    continue;
                rss[r] = (double)s.rss_kib * 1024.0 / (double)n;
                vm[r] = (double)s.vm_kib * 1024.0 / (double)n;
                ks[r] = (double)s.kstack_kib * 1024.0 / (double)n;
                fprintf(raw, "%s %ld %ld %ld %ld\n", kind_names[k], n, s.rss_kib, s.vm_kib,
                        s.kstack_kib);
            }
            struct stats sr = stats_of(rss, b.reps), sv = stats_of(vm, b.reps);
            struct stats sk = stats_of(ks, b.reps);
            fprintf(dat, "%ld %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", n, sr.median, sr.min,
                    sr.max, sv.median, sv.min, sv.max, sk.median);
            top_rss[k] = sr.median;
            top_vm[k] = sv.median;
            top_ks[k] = sk.median;
            top_n[k] = n;
        }
        bench_close(dat);
    }
    bench_close(raw);

    /* The figures at the largest count of each kind (the fixed costs of the process are
     * spread thinnest there), for bench_create's C13 line and the lesson text. */
    FILE *sum = bench_open_data(&(struct bench){.name = "11-stackful-coroutines/mem_summary",
                                                .quick = b.quick, .reps = b.reps,
                                                .warmup = b.warmup},
                                "kind tasks rss_bytes_per_task vm_bytes_per_task "
                                "kernelstack_bytes_per_task");
    fprintf(sum, "# kinds: 0 coro_64KiB, 1 coro_16KiB, 2 stackless, 3 thread\n");
    printf("%-12s %8s %18s %18s %18s\n", "kind", "tasks", "RSS bytes/task", "VmSize bytes/task",
           "kernel stack/task");
    for (int k = 0; k < KINDS; k++) {
        fprintf(sum, "%d %ld %.0f %.0f %.0f\n", k, top_n[k], top_rss[k], top_vm[k], top_ks[k]);
        printf("%-12s %8ld %18.0f %18.0f %18.0f\n", kind_names[k], top_n[k], top_rss[k],
               top_vm[k], top_ks[k]);
    }
    bench_close(sum);
    /* The goal for the minimal stack: one touched page (the top of the stack, where the
     * coroutine's first frames are) plus the control block; a second page means the first
     * frames outgrew a page. */
    long page = sysconf(_SC_PAGESIZE);
    printf("16 KiB coroutine, suspended: %.0f bytes resident each; goal <= one page (%ld) + "
           "its control block: %s\n", top_rss[CORO_16K], page,
           top_rss[CORO_16K] <= (double)page + 256.0 ? "met" : "not met");
    free(rss);
    free(vm);
    free(ks);
    return 0;
}
