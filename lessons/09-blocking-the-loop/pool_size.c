/* lessons/09-blocking-the-loop/pool_size.c: uv_queue_work runs on a pool of 4 threads (UV_THREADPOOL_SIZE).
 * Build: make -C lessons/09-blocking-the-loop
 * Run:   build/lessons/09-blocking-the-loop/pool_size 8 50   # jobs, ms each (try UV_THREADPOOL_SIZE=2)
 *
 * Queues all the jobs at once; each one blocks its pool thread for the given time. Each
 * after-work callback prints when its job started and ended, counted from the moment they
 * were queued: with 4 threads, 8 jobs of 50 ms end in two waves, near 50 and near 100 ms.
 * The process's thread count is read from /proc before and after the pool starts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <uv.h>

#include "check.h"
#include "proc.h"
#include "timing.h"
#include "uv_check.h"

struct job {
    uv_work_t req;
    int index;
    long ms;
    uint64_t t0;                  /* when every job was queued (set before queueing) */
    uint64_t started, ended;      /* written by the pool thread, read in after_work */
};

static void blocking_job(uv_work_t *req)
{
    struct job *j = req->data;
    struct timespec ts = { j->ms / 1000, (j->ms % 1000) * 1000000L };

    j->started = now_ns();
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)   /* the thread waits; the loop does not */
        ;
    j->ended = now_ns();
}

static void after_job(uv_work_t *req, int status)
{
    struct job *j = req->data;
    UV_CHECK(status);
    printf("  job %d: started at %5.1f ms, ended at %5.1f ms\n", j->index,
           (double)(j->started - j->t0) / 1e6, (double)(j->ended - j->t0) / 1e6);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s JOBS MS   (e.g. %s 8 50)", argv[0], argv[0]);
    int n = (int)parse_long_arg(argv[1], "jobs", 1, 1000);
    long ms = parse_long_arg(argv[2], "milliseconds per job", 0, 10000);
    const char *env = getenv("UV_THREADPOOL_SIZE");
    uv_loop_t loop;
    struct job *jobs = calloc((size_t)n, sizeof *jobs);

    if (jobs == NULL)
        die("out of memory for %d jobs", n);
    UV_CHECK(uv_loop_init(&loop));
    long before = proc_thread_count();
    printf("UV_THREADPOOL_SIZE=%s; threads before the first uv_queue_work: %ld\n",
           env != NULL ? env : "(unset: 4)", before);
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
        jobs[i].req.data = &jobs[i];
        jobs[i].index = i;
        jobs[i].ms = ms;
        jobs[i].t0 = t0;
        UV_CHECK(uv_queue_work(&loop, &jobs[i].req, blocking_job, after_job));
    }
    printf("threads after queueing %d jobs: %ld (the pool started on first use)\n", n,
           proc_thread_count());
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    printf("all %d jobs of %ld ms done after %.1f ms\n", n, ms, (double)(now_ns() - t0) / 1e6);
    UV_CHECK(uv_loop_close(&loop));
    free(jobs);
    return 0;
}
