/* plots/00-intro/bench_overlap.c: claim C16, concurrency is not parallelism. Two identical
 * CPU-bound tasks (threads counting primes) run held on one core, then free on all cores.
 * For each run: how long both lifetimes overlap (concurrency), how many tasks ran at the
 * same instant on average (parallelism), and the wall time beside one task alone.
 * Build: make benches
 * Run:   build/bench/00-intro/bench_overlap --quick   # or --full; data in build/data/00-intro */

/* _GNU_SOURCE: pthread_attr_setaffinity_np, cpu_set_t, CPU_SET and CPU_COUNT are GNU
 * extensions (Linux), not C11 or POSIX. It must come before the first #include. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "harness.h"
#include "marked_task.h"

enum { SLICE = 2000 };

/* What one run of the pair gives. */
struct pair_figures {
    double wall_ms;          /* first start to last end */
    double overlap_pct;      /* share of the wall time during which both were alive */
    double at_once;          /* (CPU time of A + CPU time of B) / wall: tasks running at the
                              * same instant, on average. Above 1 proves that at some
                              * instants both ran: one core cannot give more CPU time than
                              * wall time passes. */
};

static struct pair_figures figures_of(const struct marked_task *a, const struct marked_task *b)
{
    uint64_t first = a->start < b->start ? a->start : b->start;
    uint64_t last = a->end > b->end ? a->end : b->end;
    uint64_t from = a->start > b->start ? a->start : b->start;
    uint64_t to = a->end < b->end ? a->end : b->end;
    double wall = (double)(last - first);

    return (struct pair_figures){
        .wall_ms = wall / 1e6,
        .overlap_pct = to > from ? 100.0 * (double)(to - from) / wall : 0.0,
        .at_once = (double)(a->cpu_ns + b->cpu_ns) / wall,
    };
}

/* Progress of both tasks of one run, for the timeline plot: one block per task, time in ms
 * from the first start, percentage of the task done. */
static void write_timeline(FILE *f, const char *label, const struct marked_task *a,
                           const struct marked_task *b)
{
    uint64_t first = a->start < b->start ? a->start : b->start;
    const struct marked_task *t[2] = { a, b };

    for (int i = 0; i < 2; i++) {
        fprintf(f, "# %s, task %c\n", label, "AB"[i]);
        fprintf(f, "%.3f 0\n", (double)(t[i]->start - first) / 1e6);
        for (long k = 0; k < t[i]->nmarks; k++)
            fprintf(f, "%.3f %.2f\n", (double)(t[i]->marks[k] - first) / 1e6,
                    100.0 * (double)(k + 1) / (double)t[i]->nmarks);
        fprintf(f, "\n\n");
    }
}

int main(int argc, char **argv)
{
    struct bench b;

    bench_init(&b, "00-intro/wall", argc, argv);
    /* Fixed work, so runs on different machines count the same primes: about 60 ms per
     * task quick, 160 ms full, on a 2020s x86 core. */
    long n = b.quick ? 1000000 : 2000000;

    cpu_set_t allowed;
    SYS_CHECK(sched_getaffinity(0, sizeof allowed, &allowed));
    int cores = CPU_COUNT(&allowed), cpu0 = 0;
    while (!CPU_ISSET(cpu0, &allowed))
        cpu0++;

    struct marked_task tasks[2];
    marked_task_init(&tasks[0], 'A', n, SLICE);
    marked_task_init(&tasks[1], 'B', n, SLICE);

    int reps = b.reps;
    double *alone = calloc((size_t)reps, sizeof *alone);
    double *sum2 = calloc((size_t)reps, sizeof *sum2);
    double *speed = calloc((size_t)reps, sizeof *speed);
    double *v[2][3];   /* [one core, all cores][wall, overlap, at_once] */
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            if ((v[c][k] = calloc((size_t)reps, sizeof(double))) == NULL)
                die("out of memory");
    if (alone == NULL || sum2 == NULL || speed == NULL)
        die("out of memory");

    struct bench braw = b;
    braw.name = "00-intro/overlap";
    FILE *raw = bench_open_raw(&braw, "rep alone_ms one_core_wall_ms one_core_overlap_pct "
                                      "one_core_at_once all_cores_wall_ms all_cores_overlap_pct "
                                      "all_cores_at_once");
    struct bench btl = b;
    btl.name = "00-intro/timeline";
    FILE *tl = bench_open_data(&btl, "t_ms done_pct (blocks: one core A, one core B, all "
                                     "cores A, all cores B; from the last repetition)");

    for (int r = -b.warmup; r < reps; r++) {
        bench_progress(&b, "%s %d/%d (2 tasks x %ld numbers, %d core%s usable)",
                       r < 0 ? "warm-up" : "repetition", r < 0 ? r + b.warmup + 1 : r + 1,
                       r < 0 ? b.warmup : reps, n, cores, cores == 1 ? "" : "s");
        /* One task alone, free: the work of one task, in wall time. */
        marked_tasks_run(tasks, 1, -1);
        double one_ms = (double)(tasks[0].end - tasks[0].start) / 1e6;
        marked_tasks_run(tasks, 2, cpu0);
        struct pair_figures one = figures_of(&tasks[0], &tasks[1]);
        if (r == reps - 1)
            write_timeline(tl, "one core", &tasks[0], &tasks[1]);
        marked_tasks_run(tasks, 2, -1);
        struct pair_figures all = figures_of(&tasks[0], &tasks[1]);
        if (r == reps - 1)
            write_timeline(tl, "all cores", &tasks[0], &tasks[1]);
        if (r < 0)
            continue;
        fprintf(raw, "%d %.3f %.3f %.2f %.3f %.3f %.2f %.3f\n", r, one_ms, one.wall_ms,
                one.overlap_pct, one.at_once, all.wall_ms, all.overlap_pct, all.at_once);
        alone[r] = one_ms;
        sum2[r] = 2 * one_ms;   /* A and B do the same work: the sum of the two alone */
        speed[r] = one.wall_ms / all.wall_ms;   /* this repetition's speedup */
        v[0][0][r] = one.wall_ms, v[0][1][r] = one.overlap_pct, v[0][2][r] = one.at_once;
        v[1][0][r] = all.wall_ms, v[1][1][r] = all.overlap_pct, v[1][2][r] = all.at_once;
    }
    bench_close(raw);
    bench_close(tl);

    struct stats s_alone = stats_of(alone, reps), s_sum = stats_of(sum2, reps), s[2][3];
    struct stats s_speed = stats_of(speed, reps);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            s[c][k] = stats_of(v[c][k], reps);

    /* Rows are numbers only (tests/check-data.sh); wall.gp names the cases. */
    FILE *f = bench_open_data(&b, "case wall_median_ms wall_min_ms wall_max_ms  (case 0: one "
                                  "task alone, 1: twice that, 2: two at once held on one "
                                  "core, 3: two at once free on all cores)");
    const struct stats *rows[4] = { &s_alone, &s_sum, &s[0][0], &s[1][0] };
    for (int i = 0; i < 4; i++)
        fprintf(f, "%d %.3f %.3f %.3f\n", i, rows[i]->median, rows[i]->min, rows[i]->max);
    bench_close(f);

    struct bench bc = b;
    bc.name = "00-intro/overlap";
    f = bench_open_data(&bc, "cores overlap_median_pct overlap_min_pct overlap_max_pct "
                             "at_once_median at_once_min at_once_max  (first row: held on one "
                             "core; second: free on all cores)");
    for (int c = 0; c < 2; c++)
        fprintf(f, "%d %.1f %.1f %.1f %.3f %.3f %.3f\n", c == 0 ? 1 : cores, s[c][1].median,
                s[c][1].min, s[c][1].max, s[c][2].median, s[c][2].min, s[c][2].max);
    bench_close(f);

    struct bench bs = b;
    bs.name = "00-intro/speedup";
    f = bench_open_data(&bs, "cores speedup_median speedup_min speedup_max  (wall time held on "
                             "one core / wall time free on all cores, per repetition)");
    fprintf(f, "%d %.3f %.3f %.3f\n", cores, s_speed.median, s_speed.min, s_speed.max);
    bench_close(f);

    double speedup = s_speed.median;
    printf("one task alone:           %8.1f ms  (min %.1f, max %.1f)\n", s_alone.median,
           s_alone.min, s_alone.max);
    printf("two at once, one core:    %8.1f ms  = %.2f x the two alone; lifetimes overlap "
           "%.0f%%; %.2f tasks running at once\n", s[0][0].median, s[0][0].median / s_sum.median,
           s[0][1].median, s[0][2].median);
    printf("two at once, %d core%s:    %8.1f ms  = %.2f x one alone; lifetimes overlap %.0f%%; "
           "%.2f tasks running at once\n", cores, cores == 1 ? " " : "s", s[1][0].median,
           s[1][0].median / s_alone.median, s[1][1].median, s[1][2].median);
    printf("speedup of all cores over one core: %.2f x (min %.2f, max %.2f)\n", speedup,
           s_speed.min, s_speed.max);

    /* The verdict rule for C16. The article: concurrency is doing tasks "at the same time"
     * (and parallelism is splitting work across CPUs).
     *  - concurrency without simultaneity: on one core, the median overlap of the two
     *    lifetimes is at least 50% while no repetition had more than 1.10 tasks running at
     *    once (one core cannot run two at the same instant; 1.10 leaves room for clock
     *    granularity). Then "concurrent" did not mean "at the same time".
     *  - simultaneity: on all cores, some repetition had more than 1.10 tasks running at
     *    once, i.e. CPU time A + B exceeded the wall time, which is only possible if both
     *    ran at the same instant. We take the best repetition, not the median: other
     *    programs can only lower this figure, never raise it, so one run above 1.10 is
     *    proof. Then parallelism, as the article says, needs several CPUs.
     * HALF-TRUE if both hold (the parallelism half is right, the concurrency half is not).
     * FALSE if only the first holds (one usable core, or other programs held the others:
     * the only half that could be tested is the wrong one).
     * DEPENDS if the tasks did not overlap on one core (the scheduler ran them one after
     * the other): this run says nothing against the article's concurrency. */
    bool conc = s[0][1].median >= 50.0 && s[0][2].max <= 1.10;
    bool simul = cores >= 2 && s[1][2].max > 1.10;
    const char *verdict = conc && simul ? "HALF-TRUE" : conc ? "FALSE" : "DEPENDS";

    char figures[512];
    snprintf(figures, sizeof figures,
             "1 core: lifetimes overlap %.0f%%, %.2f tasks running at once, %.2fx the work "
             "alone | %d cores: %.2f at once (best %.2f), speedup %.2fx%s",
             s[0][1].median, s[0][2].median, s[0][0].median / s_sum.median, cores,
             s[1][2].median, s[1][2].max, speedup,
             simul ? "" : " (no simultaneity seen)");
    claim_write("C16", "00", "concurrency vs parallelism", figures, verdict);
    printf("C16: %s  %s\n", figures, verdict);

    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 3; k++)
            free(v[c][k]);
    free(alone);
    free(sum2);
    free(speed);
    marked_task_free(&tasks[0]);
    marked_task_free(&tasks[1]);
    return 0;
}
