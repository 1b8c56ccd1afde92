/* plots/01-threads/bench_speedup.c: speedup of parallel_count_primes (the lesson 01
 * solution) for 1 .. 2 x cores threads; then the verdicts of C7 and C8, using the CPython
 * figures that cpython_primes.py wrote just before (if it ran).
 * Build: make benches
 * Run:   build/bench/01-threads/bench_speedup --quick     # or --full */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"

enum { THREADS_MAX = 64 };

/* Median speedup of CPython's `mode` column at `workers`, from cpython.dat; 0 if absent.
 * Columns: workers threading_s asyncio_s multiprocessing_s (medians), speedups follow. */
static double cpython_speedup(const char *mode, int workers)
{
    static const char *const modes[] = { "threading", "asyncio", "multiprocessing" };
    char path[4096], line[512];
    const char *dir = getenv("BENCH_DATA");
    double t1[3] = { 0 }, tn[3] = { 0 };
    int m = -1;

    for (int i = 0; i < 3; i++)
        if (strcmp(mode, modes[i]) == 0)
            m = i;
    snprintf(path, sizeof path, "%s/01-threads/cpython.dat", dir ? dir : "build/data");
    FILE *f = fopen(path, "r");
    if (f == NULL || m < 0)
        return f ? (fclose(f), 0) : 0;
    while (fgets(line, sizeof line, f) != NULL) {
        int w;
        double a[3];
        if (line[0] == '#' || sscanf(line, "%d %lf %lf %lf", &w, &a[0], &a[1], &a[2]) != 4)
            continue;
        if (w == 1)
            memcpy(t1, a, sizeof a);
        if (w == workers)
            memcpy(tn, a, sizeof a);
    }
    fclose(f);
    return t1[m] > 0 && tn[m] > 0 ? t1[m] / tn[m] : 0;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "01-threads/speedup", argc, argv);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        die("sysconf(_SC_NPROCESSORS_ONLN) failed: %s", strerror(errno));
    int max_threads = (int)(2 * cores > THREADS_MAX ? THREADS_MAX : 2 * cores);
    long hi = b.quick ? 1000000 : 5000000;
    long expect = -1;
    double t1 = 0, speedup_at_cores = 0;
    double *samples = calloc((size_t)b.reps, sizeof *samples);
    if (samples == NULL)
        die("out of memory");

    FILE *dat = bench_open_data(&b, "threads median_s min_s max_s speedup_median speedup_min "
                                    "speedup_max (primes below N, see the mode line)");
    FILE *raw = bench_open_raw(&b, "threads rep seconds");
    fprintf(dat, "# work: primes in [0, %ld) by trial division, contiguous chunks\n", hi);
    for (int n = 1; n <= max_threads; n++) {
        bench_progress(&b, "%d/%d threads, %d repetitions", n, max_threads, b.reps);
        for (int r = -b.warmup; r < b.reps; r++) {
            uint64_t start = now_ns();
            long got = parallel_count_primes(0, hi, n);
            double s = (double)(now_ns() - start) / 1e9;
            if (got < 0)
                die("parallel_count_primes(0, %ld, %d) failed: %s", hi, n, strerror(errno));
            if (expect < 0)
                expect = got;
            if (got != expect)   /* a wrong answer makes every figure meaningless */
                die("parallel_count_primes gave %ld with %d threads, %ld before", got, n, expect);
            if (r >= 0) {
                samples[r] = s;
                fprintf(raw, "%d %d %.6f\n", n, r, s);
            }
        }
        struct stats st = stats_of(samples, b.reps);
        if (n == 1)
            t1 = st.median;
        /* Speedup against the 1-thread median: the slowest run gives the smallest. */
        double sp = t1 / st.median, sp_min = t1 / st.max, sp_max = t1 / st.min;
        if (n == cores)
            speedup_at_cores = sp;
        fprintf(dat, "%d %.6f %.6f %.6f %.3f %.3f %.3f\n", n, st.median, st.min, st.max, sp,
                sp_min, sp_max);
        printf("%2d threads: %.3f s (min %.3f, max %.3f)  speedup %.2fx\n", n, st.median,
               st.min, st.max, sp);
    }
    bench_close(raw);
    bench_close(dat);
    free(samples);

    /* C7 "threads give parallelism, async gives concurrency". Rule: TRUE when C threads
     * reach at least 0.6 x cores speedup at `cores` threads and CPython's asyncio (every
     * task on one loop) stays under 1.2x; DEPENDS on a 1-core machine (no second core to
     * show parallelism on); FALSE otherwise, except that a failure to scale on a busy
     * machine (load average above half the cores at the start) is DEPENDS: other programs
     * held the cores. Load can hide parallelism, never fake it, so a speedup that shows
     * is proof even on a busy machine. Without the CPython figures the async side
     * is one thread doing all the work, speedup 1 by construction, and we say so. */
    char figures[512];
    double py_async = cpython_speedup("asyncio", (int)cores);
    double py_thr = cpython_speedup("threading", (int)cores);
    double py_mp = cpython_speedup("multiprocessing", (int)cores);
    bool c_scales = speedup_at_cores >= 0.6 * (double)cores;
    const char *verdict;
    if (cores < 2 || (!c_scales && b.busy))
        verdict = "DEPENDS";
    else if (c_scales && (py_async == 0 || py_async < 1.2))
        verdict = "TRUE";
    else
        verdict = "FALSE";
    snprintf(figures, sizeof figures, "C threads x%ld: %.2fx speedup | one loop (asyncio x%ld): %s",
             cores, speedup_at_cores, cores, py_async > 0 ? "" : "not run");
    if (py_async > 0)
        snprintf(figures + strlen(figures), sizeof figures - strlen(figures), "%.2fx", py_async);
    const char *busy_note = b.busy && !c_scales ? " (machine busy: load above half the cores)" : "";
    snprintf(figures + strlen(figures), sizeof figures - strlen(figures), "%s", busy_note);
    claim_write("C7", "01", "threads parallel, async not", figures, verdict);

    /* C8 "threading is ideal for CPU-bound tasks". Rule: with C scaling as above, TRUE if
     * CPython threading also reaches 0.6 x cores, HALF-TRUE if it stays under 1.2x (the
     * GIL: true in C, false in CPython), DEPENDS in between or on 1 core or without the
     * CPython figures; FALSE if C threads do not scale (DEPENDS if the machine was busy,
     * as for C7). */
    if (cores < 2 || py_thr == 0)
        verdict = "DEPENDS";
    else if (!c_scales)
        verdict = b.busy ? "DEPENDS" : "FALSE";
    else if (py_thr >= 0.6 * (double)cores)
        verdict = "TRUE";
    else if (py_thr < 1.2)
        verdict = "HALF-TRUE";
    else
        verdict = "DEPENDS";
    snprintf(figures, sizeof figures,
             "speedup at %ld workers: C threads %.2fx | CPython threading %.2fx, "
             "multiprocessing %.2fx%s", cores, speedup_at_cores, py_thr, py_mp, busy_note);
    claim_write("C8", "01", "threads ideal for CPU-bound", figures, verdict);
    return 0;
}
