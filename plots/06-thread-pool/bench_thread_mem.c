/* plots/06-thread-pool/bench_thread_mem.c: what an idle thread costs in memory. For 1, 10,
 * 100, 1000 (and, with --full, 10000) threads that all wait on one condition variable, with
 * the default stack and with a 64 KiB stack: resident memory (VmRSS), address space (VmSize)
 * and the kernel's stacks (KernelStack in /proc/meminfo), then the slope in bytes per thread.
 * Settles the thread side of C5.
 * Build: make benches
 * Run:   build/bench/06-thread-pool/bench_thread_mem --quick      # or --full */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "errname.h"
#include "harness.h"
#include "idle_crowd.h"
#include "proc.h"

struct sample {
    long made;                   /* threads actually created */
    long rss_kib, vm_kib, kstack_kib;   /* growth while they all wait */
    int err;                     /* pthread_create's error if it stopped early, else 0 */
    bool kstack_exact;           /* the KernelStack batches were folded in before reading */
};

/* In a fresh process (so no stack cached by an earlier run is reused): start n idle
 * threads with the given stack size (0: default), measure, release, join. */
static struct sample measure_in_child(long n, size_t stack)
{
    struct sample s = { 0 };
    int fds[2];

    SYS_CHECK(pipe(fds));
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0) {
        SYS_CHECK(close(fds[0]));
        long rss0 = proc_status_field("VmRSS"), vm0 = proc_status_field("VmSize");
        bool exact0, exact1;
        long ks0 = kernel_stack_kib(&exact0);
        struct idle_crowd crowd;
        idle_crowd_start(&crowd, n, stack);
        s.made = crowd.made;
        s.err = crowd.err;
        s.rss_kib = proc_status_field("VmRSS") - rss0;
        s.vm_kib = proc_status_field("VmSize") - vm0;
        s.kstack_kib = kernel_stack_kib(&exact1) - ks0;
        s.kstack_exact = exact0 && exact1;
        idle_crowd_end(&crowd);
        if (write(fds[1], &s, sizeof s) != (ssize_t)sizeof s)
            _exit(1);
        _exit(0);
    }
    SYS_CHECK(close(fds[1]));
    ssize_t got = read(fds[0], &s, sizeof s);
    int status;
    SYS_CHECK(close(fds[0]));
    SYS_CHECK(waitpid(pid, &status, 0));
    if (got != (ssize_t)sizeof s || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the measuring process for %ld threads failed (status %d)", n, status);
    return s;
}

/* Least-squares slope of y over x (KiB per thread), through the points given. */
static double slope(const double *x, const double *y, int n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    double d = n * sxx - sx * sx;
    return n < 2 || d == 0 ? (n == 1 && x[0] > 0 ? y[0] / x[0] : 0) : (n * sxy - sx * sy) / d;
}

enum { SIZES_MAX = 5, STACKS = 2 };

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "06-thread-pool/thread_mem", argc, argv);

    /* Raise the soft limit on processes+threads to the hard one, for this program only:
     * 10000 threads may be more than a login's default allows. */
    struct rlimit lim;
    SYS_CHECK(getrlimit(RLIMIT_NPROC, &lim));
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        SYS_CHECK(setrlimit(RLIMIT_NPROC, &lim));
    }

    const long sizes[SIZES_MAX] = { 1, 10, 100, 1000, 10000 };
    int nsizes = b.quick ? 4 : 5;
    const size_t stacks[STACKS] = { 0, 64 * 1024 };
    const char *stack_names[STACKS] = { "default", "64KiB" };
    double *rss = calloc((size_t)b.reps, sizeof *rss), *vm = calloc((size_t)b.reps, sizeof *vm);
    double *ks = calloc((size_t)b.reps, sizeof *ks);
    double xs[STACKS][SIZES_MAX], rss_med[STACKS][SIZES_MAX], vm_med[STACKS][SIZES_MAX];
    double ks_med[STACKS][SIZES_MAX];
    int points[STACKS] = { 0, 0 };
    if (rss == NULL || vm == NULL || ks == NULL)
        die("out of memory");

    FILE *raw = bench_open_raw(&b, "stack threads_asked threads_made rss_kib vmsize_kib kernelstack_kib");
    for (int k = 0; k < STACKS; k++) {
        char name[64];
        snprintf(name, sizeof name, "06-thread-pool/thread_mem_%s", stack_names[k]);
        struct bench bk = b;
        bk.name = name;
        FILE *dat = bench_open_data(&bk, "threads rss_kib_median rss_kib_min rss_kib_max "
                                         "vmsize_kib_median vmsize_kib_min vmsize_kib_max "
                                         "kernelstack_kib_median kernelstack_kib_min "
                                         "kernelstack_kib_max rss_bytes_per_thread");
        bool refused = false, exact = true;
        long retaken = 0;
        for (int i = 0; i < nsizes && !refused; i++) {
            long asked = sizes[i], made = asked;
            bench_progress(&b, "%s stack, %ld idle threads x %d repetitions", stack_names[k],
                           asked, b.reps);
            for (int r = -b.warmup; r < b.reps; r++) {
                struct sample s = measure_in_child(asked, stacks[k]);
                /* Our own threads cannot shrink the kernel's stacks: a negative growth means
                 * another program's threads ended during the reading. Take it again. */
                for (int again = 0; s.kstack_kib < 0 && again < 5; again++) {
                    retaken++;
                    s = measure_in_child(asked, stacks[k]);
                }
                if (s.err != 0 && !refused) {
                    /* Report (once) and go on with what the machine gave us. */
                    fprintf(stderr, "[%s] asked for %ld threads (%s stack), the machine made "
                            "%ld: pthread_create: %s (%s); measuring with %ld and stopping "
                            "here\n", b.name, asked, stack_names[k], s.made,
                            errno_name(s.err), strerror(s.err), s.made);
                }
                refused = refused || s.err != 0;
                made = s.made < made ? s.made : made;
                exact = exact && s.kstack_exact;
                if (r >= 0) {
                    rss[r] = (double)s.rss_kib;
                    vm[r] = (double)s.vm_kib;
                    ks[r] = (double)s.kstack_kib;
                    fprintf(raw, "%s %ld %ld %ld %ld %ld\n", stack_names[k], asked, s.made,
                            s.rss_kib, s.vm_kib, s.kstack_kib);
                }
            }
            if (made == 0)
                break;
            struct stats sr = stats_of(rss, b.reps), sv = stats_of(vm, b.reps);
            struct stats sk = stats_of(ks, b.reps);
            fprintf(dat, "%ld %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", made,
                    sr.median, sr.min, sr.max, sv.median, sv.min, sv.max, sk.median, sk.min,
                    sk.max, sr.median * 1024.0 / (double)made);
            int p = points[k]++;
            xs[k][p] = (double)made;
            rss_med[k][p] = sr.median;
            vm_med[k][p] = sv.median;
            ks_med[k][p] = sk.median;
        }
        fprintf(dat, "# kernelstack: %s\n", exact
                ? "exact (per-CPU batches folded in via /proc/sys/vm/stat_refresh before each "
                  "read); machine-wide, so other programs' threads add noise"
                : "BATCHED (not root: /proc/sys/vm/stat_refresh refused), so a few threads' "
                  "stacks may read as 0 or less; trust the large counts and the slope");
        fprintf(dat, "# kernelstack: %ld sample%s taken again because the growth was negative "
                "(another program's threads ended during the reading)\n", retaken,
                retaken == 1 ? "" : "s");
        bench_close(dat);
    }
    bench_close(raw);

    /* Slopes over all the points: bytes per extra idle thread. */
    double rss_slope[STACKS], vm_slope[STACKS], ks_slope[STACKS];
    FILE *sl = bench_open_data(&(struct bench){ .name = "06-thread-pool/thread_mem_slope",
                                                .quick = b.quick, .reps = b.reps,
                                                .warmup = b.warmup },
                               "stack rss_bytes_per_thread vmsize_bytes_per_thread "
                               "kernelstack_bytes_per_thread max_threads");
    printf("%-8s %20s %22s %24s %12s\n", "stack", "RSS bytes/thread", "VmSize bytes/thread",
           "KernelStack bytes/thread", "max threads");
    for (int k = 0; k < STACKS; k++) {
        rss_slope[k] = slope(xs[k], rss_med[k], points[k]) * 1024.0;
        vm_slope[k] = slope(xs[k], vm_med[k], points[k]) * 1024.0;
        ks_slope[k] = slope(xs[k], ks_med[k], points[k]) * 1024.0;
        double top = points[k] > 0 ? xs[k][points[k] - 1] : 0;
        fprintf(sl, "%s %.0f %.0f %.0f %.0f\n", stack_names[k], rss_slope[k], vm_slope[k],
                ks_slope[k], top);
        printf("%-8s %20.0f %22.0f %24.0f %12.0f\n", stack_names[k], rss_slope[k], vm_slope[k],
               ks_slope[k], top);
    }
    bench_close(sl);
    if (points[0] == 0)
        die("no thread could be created: nothing to report");

    /* C5, thread side. The article: a thread per task "needs more memory". Rule: FALSE (as
     * stated) when an idle thread's resident memory (RSS slope, default stack) is under 1/10
     * of the address space it reserves (the VmSize slope: 8 MiB of stack by default, plus a
     * guard page): the big figure is address space, not memory, and a pool reuses its
     * threads anyway. HALF-TRUE when it is 1/10 of the reservation or more.
     * (The loop, libuv handles and coroutines columns come in lessons 07, 11 and 14; the
     * claims.md rule that compares threads with them is applied there.) */
    double reserved = vm_slope[0];
    const char *verdict = rss_slope[0] * 10.0 < reserved ? "FALSE" : "HALF-TRUE";
    char figures[512];
    snprintf(figures, sizeof figures,
             "idle thread: %.0f KiB RSS of %.0f KiB reserved (+%.0f KiB kernel stack); 64 KiB "
             "stack: %.0f KiB RSS, %.0f KiB reserved; slopes over 1..%.0f threads | loop, coroutines: "
             "lessons 07, 11, 14",
             rss_slope[0] / 1024.0, reserved / 1024.0, ks_slope[0] / 1024.0,
             rss_slope[1] / 1024.0, vm_slope[1] / 1024.0, xs[0][points[0] - 1]);
    claim_write("C5", "06", "threads need more memory", figures, verdict);
    printf("C5: %s  %s\n", figures, verdict);
    free(rss);
    free(vm);
    free(ks);
    return 0;
}
