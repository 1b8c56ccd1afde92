/* plots/10-stackless-coroutines/bench_lost.c: the lost update between stackless coroutines
 * (claim C10, lesson 10's column). 1 to 8 tasks on one thread, driven by the reference
 * sched_run, add 1 to one shared counter; split_step yields between the read and the write
 * (lessons/10-stackless-coroutines/lost_update.h), counter_step (the reference answer) does
 * not. One thread and a fixed round-robin order: the counts are exact and the same on every
 * run, so each is measured once.
 * Build: make benches
 * Run:   build/bench/10-stackless-coroutines/bench_lost --quick      # or --full */
#include <stdio.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "lost_update.h"

enum { MAX_TASKS = 8 };

/* Updates lost when ntasks tasks of step add iters each to one counter under sched_run. */
static long lost_with(int (*step)(struct task *), int ntasks, long iters)
{
    long counter = 0;
    struct adder *a;
    struct task *t = lost_setup(ntasks, iters, step, &counter, &a);
    if (step == counter_step)   /* its data is the counter itself, not a struct adder */
        for (int i = 0; i < ntasks; i++)
            t[i].data = &counter;
    long calls = sched_run(t, ntasks);
    if (calls <= 0)
        die("sched_run(%d tasks) returned %ld", ntasks, calls);
    lost_free(t, a);
    return (long)ntasks * iters - counter;
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "10-stackless-coroutines/lost", argc, argv);
    long iters = b.quick ? 100000 : 1000000;
    long lost_split[MAX_TASKS + 1], lost_whole[MAX_TASKS + 1];

    FILE *dat = bench_open_data(&b, "tasks expected lost_split lost_split_pct lost_whole "
                                    "lost_whole_pct (one thread, exact: one run each)");
    fprintf(dat, "# iters per task: %ld; split = yield between read and write, whole = "
                 "counter_step (no yield between)\n", iters);
    printf("%5s %12s %14s %8s %14s %8s\n", "tasks", "expected", "lost (split)", "%",
           "lost (whole)", "%");
    for (int k = 1; k <= MAX_TASKS; k++) {
        bench_progress(&b, "%d task(s) x %ld additions", k, iters);
        long expected = (long)k * iters;
        lost_split[k] = lost_with(split_step, k, iters);
        lost_whole[k] = lost_with(counter_step, k, iters);
        double ps = 100.0 * (double)lost_split[k] / (double)expected;
        double pw = 100.0 * (double)lost_whole[k] / (double)expected;
        fprintf(dat, "%d %ld %ld %.4f %ld %.4f\n", k, expected, lost_split[k], ps,
                lost_whole[k], pw);
        printf("%5d %12ld %14ld %7.2f%% %14ld %7.2f%%\n", k, expected, lost_split[k], ps,
               lost_whole[k], pw);
    }
    bench_close(dat);

    /* C10 "async code has no race conditions; threads have races", lesson 10's column.
     * These tasks share one thread, so there is no data race by construction (lesson 02
     * shows ThreadSanitizer agreeing). Rule, the same words as lesson 02's:
     *   HALF-TRUE if two or more tasks that yield between the read and the write lose
     *             updates while counter_step, with no yield between, loses none at any task
     *             count (no data race, that half holds; but a race condition at the
     *             suspension point, so "no race conditions" is wrong);
     *   TRUE      if the split tasks lose nothing either (no race condition shows up);
     *   DEPENDS   otherwise (the version without the mid-update yield lost updates too). */
    long split_any = 0, whole_any = 0;
    for (int k = 1; k <= MAX_TASKS; k++) {
        split_any += k >= 2 ? lost_split[k] : 0;
        whole_any += lost_whole[k];
    }
    const char *verdict = split_any > 0 && whole_any == 0 ? "HALF-TRUE"
                          : split_any == 0               ? "TRUE"
                                                         : "DEPENDS";
    char fig[512];
    snprintf(fig, sizeof fig,
             "stackless, one thread: 2 tasks yielding mid-update lose %.1f%%, %d lose %.1f%% | "
             "no yield between read and write: %ld lost | no data race (one thread)",
             100.0 * (double)lost_split[2] / (2.0 * (double)iters), MAX_TASKS,
             100.0 * (double)lost_split[MAX_TASKS] / ((double)MAX_TASKS * (double)iters),
             whole_any);
    claim_write("C10", "10", "async has no race conditions", fig, verdict);
    printf("C10: %s  %s\n", fig, verdict);
    return 0;
}
