/* lessons/09-blocking-the-loop/stall.c: one slow callback delays every other callback on the loop.
 * Build: make -C lessons/09-blocking-the-loop
 * Run:   build/lessons/09-blocking-the-loop/stall 100 both   # ms of work; inline, offload or both
 *
 * A heartbeat timer ticks every 10 ms for 400 ms. At 100 ms a second timer starts a job that
 * computes for the given time, either inside its callback ("inline") or on libuv's thread
 * pool with uv_queue_work ("offload"). The heartbeat prints the longest gap between two of
 * its ticks: with the work inline, the loop cannot run the heartbeat until the job returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "check.h"
#include "spin.h"
#include "timing.h"
#include "uv_check.h"

enum { TICK_MS = 10, RUN_MS = 400, JOB_AT_MS = 100 };

struct demo {
    uv_loop_t loop;
    uv_timer_t heartbeat, job_timer;
    uv_work_t work;
    long work_ms;
    int offload;
    uint64_t last_tick_ns, start_ns;
    double longest_gap_ms;   /* between two heartbeat ticks */
    long ticks;
    long rounds;             /* written by the pool thread, read in after_work */
};

static void on_heartbeat(uv_timer_t *t)
{
    struct demo *d = t->data;
    uint64_t now = now_ns();
    double gap = (double)(now - d->last_tick_ns) / 1e6;

    if (gap > d->longest_gap_ms)
        d->longest_gap_ms = gap;
    d->last_tick_ns = now;
    d->ticks++;
    if ((now - d->start_ns) / 1000000u >= RUN_MS)
        uv_close((uv_handle_t *)t, NULL);
}

static void work_in_pool(uv_work_t *req)
{
    struct demo *d = req->data;
    d->rounds = spin_ms(d->work_ms);
}

static void after_work(uv_work_t *req, int status)
{
    struct demo *d = req->data;
    UV_CHECK(status);
    printf("  offload: the work ended after %ld ms on a pool thread (%ld rounds)\n", d->work_ms,
           d->rounds);
}

static void on_job(uv_timer_t *t)
{
    struct demo *d = t->data;

    if (d->offload) {
        d->work.data = d;
        UV_CHECK(uv_queue_work(&d->loop, &d->work, work_in_pool, after_work));
    } else {
        long rounds = spin_ms(d->work_ms);   /* the loop runs nothing else meanwhile */
        printf("  inline:  the work ended after %ld ms inside a timer callback (%ld rounds)\n",
               d->work_ms, rounds);
    }
    uv_close((uv_handle_t *)t, NULL);
}

static void run(long work_ms, int offload)
{
    struct demo d;

    memset(&d, 0, sizeof d);
    d.work_ms = work_ms;
    d.offload = offload;
    UV_CHECK(uv_loop_init(&d.loop));
    UV_CHECK(uv_timer_init(&d.loop, &d.heartbeat));
    UV_CHECK(uv_timer_init(&d.loop, &d.job_timer));
    d.heartbeat.data = &d;
    d.job_timer.data = &d;
    d.start_ns = d.last_tick_ns = now_ns();
    UV_CHECK(uv_timer_start(&d.heartbeat, on_heartbeat, TICK_MS, TICK_MS));
    UV_CHECK(uv_timer_start(&d.job_timer, on_job, JOB_AT_MS, 0));
    printf("%s: a heartbeat every %d ms; at %d ms, %ld ms of work\n",
           offload ? "offload (uv_queue_work)" : "inline (in the callback)", TICK_MS, JOB_AT_MS,
           work_ms);
    UV_CHECK(uv_run(&d.loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&d.loop));
    printf("  heartbeat: %ld ticks, longest gap between two ticks %.1f ms (asked: %d ms)\n\n",
           d.ticks, d.longest_gap_ms, TICK_MS);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s MS inline|offload|both   (e.g. %s 100 both)", argv[0], argv[0]);
    long ms = parse_long_arg(argv[1], "work milliseconds", 0, 10000);
    const char *mode = argv[2];
    if (strcmp(mode, "inline") != 0 && strcmp(mode, "offload") != 0 && strcmp(mode, "both") != 0)
        die("mode: '%s' is not inline, offload or both", mode);
    if (strcmp(mode, "offload") != 0)
        run(ms, 0);
    if (strcmp(mode, "inline") != 0)
        run(ms, 1);
    return 0;
}
