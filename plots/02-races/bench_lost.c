/* plots/02-races/bench_lost.c: how many updates racy_count (the lesson 02 solution's given
 * function) loses, for 1 .. 2 x cores threads; the same lost update between coroutines on
 * one thread (co_counter.h); then the verdicts of C10 and C14, using the ThreadSanitizer
 * logs of the lesson's demos (make -C lessons/02-races tsan, which experiment.sh runs first).
 * Build: make benches
 * Run:   build/bench/02-races/bench_lost --quick     # or --full */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "co_counter.h"
#include "exercise.h"
#include "harness.h"

enum { THREADS_MAX = 64, REPS_MAX = 64 };

/* The lesson's files, relative to the top of the checkout (where plots/run.sh runs us). */
static const char racy_src[] = "lessons/02-races/racy.c";

static const char *tsan_dir(void)
{
    const char *d = getenv("RACES_TSAN_DIR");
    return d != NULL && d[0] != '\0' ? d : "build/lessons/02-races/tsan";
}

/* Read a whole text file into a malloc'd string, or die saying how to make it. */
static char *slurp(const char *path, const char *how)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("bench_lost: cannot read '%s' (%s); %s", path, strerror(errno), how);
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    if (buf == NULL)
        die("bench_lost: out of memory");
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            if ((buf = realloc(buf, cap)) == NULL)
                die("bench_lost: out of memory");
        }
    }
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* Number of ThreadSanitizer warnings in a log. */
static int tsan_warnings(const char *log)
{
    int n = 0;
    for (const char *p = log; (p = strstr(p, "WARNING: ThreadSanitizer:")) != NULL; p++)
        n++;
    return n;
}

/* The line number (1-based) of the first line of src containing text, or 0. */
static int line_of(const char *src, const char *text)
{
    int line = 1;
    const char *hit = strstr(src, text);
    if (hit == NULL)
        return 0;
    for (const char *p = src; p < hit; p++)
        line += *p == '\n';
    return line;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "02-races/lost", argc, argv);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        die("sysconf(_SC_NPROCESSORS_ONLN) failed: %s", strerror(errno));
    int max_threads = (int)(2 * cores > THREADS_MAX ? THREADS_MAX : 2 * cores);
    long iters = b.quick ? 50000000 : 200000000;
    double samples[REPS_MAX], lost_median[THREADS_MAX + 1] = { 0 },
           lost_max[THREADS_MAX + 1] = { 0 };

    /* ---- threads: racy_count ---- */
    FILE *dat = bench_open_data(&b, "threads lost_median_pct lost_min_pct lost_max_pct "
                                    "(racy_count, iters per thread below)");
    FILE *raw = bench_open_raw(&b, "threads rep lost_pct");
    fprintf(dat, "# iters per thread: %ld\n", iters);
    for (int t = 1; t <= max_threads; t++) {
        bench_progress(&b, "racy_count: %d/%d threads x %ld", t, max_threads, iters);
        double expected = (double)t * (double)iters;
        for (int r = -b.warmup; r < b.reps && r < REPS_MAX; r++) {
            long got = racy_count(t, iters);
            if (got < 0)
                die("racy_count(%d, %ld) failed: %s", t, iters, strerror(errno));
            if (r < 0)
                continue;
            samples[r] = 100.0 * (expected - (double)got) / expected;
            fprintf(raw, "%d %d %.4f\n", t, r, samples[r]);
        }
        struct stats s = stats_of(samples, b.reps < REPS_MAX ? b.reps : REPS_MAX);
        lost_median[t] = s.median;
        lost_max[t] = s.max;
        fprintf(dat, "%d %.4f %.4f %.4f\n", t, s.median, s.min, s.max);
    }
    bench_close(raw);
    bench_close(dat);

    /* ---- coroutines: co_count, one thread; deterministic, so one run each ---- */
    struct bench bc = b;
    bc.name = "02-races/coro";
    FILE *cd = bench_open_data(&bc, "coroutines lost_pct_yield_between lost_pct_yield_after "
                                    "(one thread, deterministic: one run each)");
    long co_iters = b.quick ? 200000 : 1000000;
    double co_mid2 = 0, co_after2 = 0;
    for (int k = 1; k <= max_threads; k++) {
        double expected = (double)k * (double)co_iters;
        double mid = 100.0 * (expected - (double)co_count(k, co_iters, true)) / expected;
        double after = 100.0 * (expected - (double)co_count(k, co_iters, false)) / expected;
        fprintf(cd, "%d %.4f %.4f\n", k, mid, after);
        if (k == 2) {
            co_mid2 = mid;
            co_after2 = after;
        }
    }
    bench_close(cd);

    /* ---- what ThreadSanitizer said about the two demos ---- */
    const char *how = "run `make -C lessons/02-races tsan` first (plots/02-races/experiment.sh does)";
    char path[4096];
    snprintf(path, sizeof path, "%s/racy.log", tsan_dir());
    char *racy_log = slurp(path, how);
    snprintf(path, sizeof path, "%s/coro_race.log", tsan_dir());
    char *coro_log = slurp(path, how);
    char *src = slurp(racy_src, "run from the top of the checkout");
    int read_line = line_of(src, "long seen = counter;");
    int write_line = line_of(src, "counter = seen + 1;");
    char read_at[64], write_at[64];
    snprintf(read_at, sizeof read_at, "racy.c:%d", read_line);
    snprintf(write_at, sizeof write_at, "racy.c:%d", write_line);
    bool named_read = read_line > 0 && strstr(racy_log, read_at) != NULL;
    bool named_write = write_line > 0 && strstr(racy_log, write_at) != NULL;
    int racy_warnings = tsan_warnings(racy_log), coro_warnings = tsan_warnings(coro_log);

    printf("racy_count, %ld additions per thread, %% of updates lost (median [min..max] of %d):\n",
           iters, b.reps);
    for (int t = 1; t <= max_threads; t++)
        printf("  %2d threads: %6.2f%%  (max %.2f%%)\n", t, lost_median[t], lost_max[t]);
    printf("2 coroutines, one thread: %.2f%% lost with a yield between read and write, %.2f%% "
           "with the yield after the write\n", co_mid2, co_after2);
    printf("ThreadSanitizer: %d warning(s) on racy (read at %s %s, write at %s %s), %d on coro_race\n",
           racy_warnings, read_at, named_read ? "named" : "NOT named", write_at,
           named_write ? "named" : "NOT named", coro_warnings);

    /* C10 "async code has no race conditions; threads have races". Rule:
     *   FALSE     if ThreadSanitizer reports a data race in the coroutine demo (async code
     *             racing like threads);
     *   HALF-TRUE if it reports none there (one thread: no data race, that half holds) but 2
     *             coroutines that yield between read and write lose updates while the same
     *             code yielding after the write loses none (a race condition at the suspension
     *             point: the other half is wrong);
     *   TRUE      if the coroutines lose nothing even with the yield between read and write;
     *   DEPENDS   otherwise. */
    const char *v10 = coro_warnings > 0                      ? "FALSE"
                      : co_mid2 > 0 && co_after2 == 0        ? "HALF-TRUE"
                      : co_mid2 == 0                         ? "TRUE"
                                                             : "DEPENDS";
    char fig[512];
    snprintf(fig, sizeof fig,
             "threads x%d: %.1f%% lost (median), TSan %d report(s) | 2 coroutines, yield "
             "mid-update: %.1f%% lost, TSan %d | yield after write: %.1f%%",
             max_threads, lost_median[max_threads], racy_warnings, co_mid2, coro_warnings,
             co_after2);
    claim_write("C10", "02", "async has no race conditions", fig, v10);

    /* C14 "threads are easy to debug" / "threads are hard to debug, async is easier" (the
     * article says both). What lesson 02 can measure is the race. Rule:
     *   HALF-TRUE if ThreadSanitizer names the racy read's or write's file:line in the
     *             threaded demo AND reports nothing on the coroutine demo although it loses
     *             updates (the thread race is found down to the line by a tool; the async
     *             lost update by none: "async is easier to debug" fails, "threads are easy to
     *             debug" holds only with the tool);
     *   DEPENDS   otherwise (the tool missed the thread race, or the coroutines lost nothing). */
    const char *v14 = (named_read || named_write) && coro_warnings == 0 && co_mid2 > 0
                          ? "HALF-TRUE" : "DEPENDS";
    snprintf(fig, sizeof fig,
             "TSan on threads: %d report(s), names %s%s%s | on coroutines losing %.0f%%: %d report(s)",
             racy_warnings, named_read ? read_at : "", named_read && named_write ? " and " : "",
             named_write ? write_at : (named_read ? "" : "no line"), co_mid2, coro_warnings);
    claim_write("C14", "02", "which is easier to debug", fig, v14);
    printf("C10 %s, C14 %s\n", v10, v14);

    free(src);
    free(coro_log);
    free(racy_log);
    return 0;
}
