/* plots/07-event-loop/bench_callback_cost.c: what the loop charges to run one callback, the
 * loop's side of C1 (lesson 06 measured a thread per task and a pool task):
 *   timer-0       a timer that starts itself again with timeout 0, n times: queue and call
 *   loop-turn     one turn of uv_run with one idle callback (it polls epoll with timeout 0)
 *   tick-0        the lesson's tick() with interval 0: one call per turn, re-armed each time
 *   queue-work    uv_queue_work of an empty function: to a pool thread and back to the loop
 * ns per callback, median/min/max over the repetitions. The figures of lesson 06 (from its
 * data file, if its experiment ran) are printed beside them.
 * Build: make benches
 * Run:   build/bench/07-event-loop/bench_callback_cost --quick      # or --full */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"
#include "uv_check.h"

static long calls;   /* callbacks run; only the loop's thread touches it */

static long timer_left;

/* The timer starts itself again with timeout 0: on libuv 1.44 it is due at once and runs
 * again in the same pass over the timers, so this is a heap insert and a call, n times. */
static void on_timer(uv_timer_t *t)
{
    calls++;
    if (--timer_left == 0)
        uv_close((uv_handle_t *)t, NULL);
    else
        UV_CHECK(uv_timer_start(t, on_timer, 0, 0));
}

static double per_timer(long n)
{
    uv_loop_t loop;
    uv_timer_t timer;
    UV_CHECK(uv_loop_init(&loop));
    UV_CHECK(uv_timer_init(&loop, &timer));
    timer_left = n;
    uint64_t t0 = now_ns();
    UV_CHECK(uv_timer_start(&timer, on_timer, 0, 0));
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    uint64_t t1 = now_ns();
    UV_CHECK(uv_loop_close(&loop));
    return (double)(t1 - t0) / (double)n;
}

static long idle_left;

static void on_idle(uv_idle_t *h)
{
    calls++;
    if (--idle_left == 0)
        uv_close((uv_handle_t *)h, NULL);
}

static double per_turn(long n)
{
    uv_loop_t loop;
    uv_idle_t idle;
    UV_CHECK(uv_loop_init(&loop));
    UV_CHECK(uv_idle_init(&loop, &idle));
    idle_left = n;
    uint64_t t0 = now_ns();
    UV_CHECK(uv_idle_start(&idle, on_idle));
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    uint64_t t1 = now_ns();
    UV_CHECK(uv_loop_close(&loop));
    return (double)(t1 - t0) / (double)n;
}

static void count_tick(int i, void *arg)
{
    (void)i, (void)arg;
    calls++;
}

static double per_tick(long n)
{
    uv_loop_t loop;
    UV_CHECK(uv_loop_init(&loop));
    uint64_t t0 = now_ns();
    UV_CHECK(tick(&loop, (int)n, 0, count_tick, NULL));
    uint64_t t1 = now_ns();
    UV_CHECK(uv_loop_close(&loop));
    return (double)(t1 - t0) / (double)n;
}

static void work_nothing(uv_work_t *w)
{
    (void)w;
}

static void after_work(uv_work_t *w, int status)
{
    (void)w;
    UV_CHECK(status);
    calls++;
}

static double per_work(long n)
{
    uv_loop_t loop;
    uv_work_t *reqs = calloc((size_t)n, sizeof *reqs);
    if (reqs == NULL)
        die("out of memory for %ld requests", n);
    UV_CHECK(uv_loop_init(&loop));
    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        UV_CHECK(uv_queue_work(&loop, &reqs[i], work_nothing, after_work));
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    uint64_t t1 = now_ns();
    UV_CHECK(uv_loop_close(&loop));
    free(reqs);
    return (double)(t1 - t0) / (double)n;
}

/* Lesson 06's median ns per task for one method, from its data file; -1 if absent. */
static double lesson06(const char *method)
{
    char path[512], line[512], name[64];
    const char *dir = getenv("BENCH_DATA");
    double median = -1;

    snprintf(path, sizeof path, "%s/06-thread-pool/task_cost.dat", dir ? dir : "build/data");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        int idx;
        double m;
        if (line[0] != '#' && sscanf(line, "%d %63s %lf", &idx, name, &m) == 3 &&
            strcmp(name, method) == 0)
            median = m;
    }
    fclose(f);
    return median;
}

enum { METHODS = 4 };

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "07-event-loop/callback_cost", argc, argv);
    const char *names[METHODS] = { "timer-0", "loop-turn", "tick-0", "queue-work" };
    double (*run[METHODS])(long) = { per_timer, per_turn, per_tick, per_work };
    const long n[METHODS] = {
        b.quick ? 100000 : 1000000,
        b.quick ? 100000 : 1000000,
        b.quick ? 100000 : 1000000,
        b.quick ? 20000 : 200000,
    };
    double *samples = calloc((size_t)b.reps, sizeof *samples);
    struct stats st[METHODS];
    if (samples == NULL)
        die("out of memory");

    FILE *raw = bench_open_raw(&b, "method sample ns_per_callback");
    long expected = 0;
    for (int m = 0; m < METHODS; m++) {
        bench_progress(&b, "%s: %ld callbacks x %d repetitions", names[m], n[m], b.reps);
        for (int r = -b.warmup; r < b.reps; r++) {
            double ns = run[m](n[m]);
            expected += n[m];
            if (r >= 0) {
                samples[r] = ns;
                fprintf(raw, "%s %d %.3f\n", names[m], r, ns);
            }
        }
        st[m] = stats_of(samples, b.reps);
    }
    bench_close(raw);
    if (calls != expected)
        die("%ld callbacks ran, expected %ld", calls, expected);

    FILE *dat = bench_open_data(&b, "index method median_ns_per_callback min_ns max_ns "
                                    "callbacks_per_sample");
    printf("%-12s %18s %12s %12s\n", "method", "median ns/callback", "min", "max");
    for (int m = 0; m < METHODS; m++) {
        fprintf(dat, "%d %s %.3f %.3f %.3f %ld\n", m, names[m], st[m].median, st[m].min,
                st[m].max, n[m]);
        printf("%-12s %18.1f %12.1f %12.1f\n", names[m], st[m].median, st[m].min, st[m].max);
    }
    bench_close(dat);

    /* Beside lesson 06 (no verdict here: C1's line is lesson 06's, and lesson 14's server
     * sweep completes it; this run only puts the loop's figures next to the threads'). */
    double thread = lesson06("thread-per-task"), pool = lesson06("pool");
    if (thread > 0 && pool > 0)
        printf("\nlesson 06 on this machine: thread create+join %.0f ns/task (%.0fx a timer "
               "callback), pool task %.0f ns (%.0fx)\n", thread, thread / st[0].median, pool,
               pool / st[0].median);
    else
        printf("\n(run lesson 06's experiment to see its thread figures beside these)\n");
    free(samples);
    return 0;
}
