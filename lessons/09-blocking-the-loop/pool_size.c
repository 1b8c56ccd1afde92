/* lessons/09-blocking-the-loop/pool_size.c: uv_queue_work runs on a pool of 4 threads (UV_THREADPOOL_SIZE).
 * Build: make -C lessons/09-blocking-the-loop
 * Run:   build/lessons/09-blocking-the-loop/pool_size 8 50 spin   # jobs, ms each, sleep or spin
 *
 * Queues all the jobs at once. A sleeping job (the default) blocks its pool thread for the
 * given time without using a core; a spinning job computes until its thread has used that
 * much CPU time. Each after-work callback prints when its job started and ended, counted
 * from the moment they were queued, and the CPU time the job used: with 4 threads, 8
 * sleeping jobs of 50 ms end in two waves, near 50 and near 100 ms, on any number of
 * cores; spinning ones need a core each, so on 2 cores each wave takes about twice as long.
 * The process's thread count is read from /proc before and after the pool starts. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    bool spin;                    /* compute for ms of CPU time instead of sleeping */
    uint64_t t0;                  /* when every job was queued (set before queueing) */
    uint64_t started, ended;      /* written by the pool thread, read in after_work */
    uint64_t cpu_ns;              /* CPU time the job used; written by the pool thread too */
    uint64_t rounds;              /* what the spin computed, kept so it cannot be dropped */
};

/* CPU time the calling thread has used so far, in ns: it grows only while the thread runs
 * on a core, not while it sleeps or waits for one. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    SYS_CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts));
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Compute until this thread has used ms of CPU time: a fixed amount of work, however long
 * it has to wait for a core. (spin.h's spin_ms stops after ms of wall time instead, which
 * here would hide the point: a job sharing its core would still end after ms.) */
static uint64_t spin_cpu_ms(long ms)
{
    uint64_t end = thread_cpu_ns() + (uint64_t)ms * 1000000u;
    uint64_t x = 88172645463325252u;   /* a little xorshift work between clock reads */

    while (thread_cpu_ns() < end)
        for (int i = 0; i < 256; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
    return x;
}

static void pool_job(uv_work_t *req)
{
    struct job *j = req->data;
    struct timespec ts = { j->ms / 1000, (j->ms % 1000) * 1000000L };
    uint64_t cpu0 = thread_cpu_ns();

    j->started = now_ns();
    if (j->spin) {
        j->rounds = spin_cpu_ms(j->ms);   /* the thread needs a core all that time */
    } else {
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)   /* waits on no core */
            ;
    }
    j->ended = now_ns();
    j->cpu_ns = thread_cpu_ns() - cpu0;
}

static void after_job(uv_work_t *req, int status)
{
    struct job *j = req->data;
    UV_CHECK(status);
    printf("  job %d: started at %5.1f ms, ended at %5.1f ms, used %5.1f ms of CPU\n", j->index,
           (double)(j->started - j->t0) / 1e6, (double)(j->ended - j->t0) / 1e6,
           (double)j->cpu_ns / 1e6);
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4)
        die("usage: %s JOBS MS [sleep|spin]   (e.g. %s 8 50 spin)\n"
            "  sleep (the default): each job sleeps MS ms on its pool thread, using no core\n"
            "  spin: each job computes until its thread has used MS ms of CPU time",
            argv[0], argv[0]);
    int n = (int)parse_long_arg(argv[1], "jobs", 1, 1000);
    long ms = parse_long_arg(argv[2], "milliseconds per job", 0, 10000);
    const char *how = argc == 4 ? argv[3] : "sleep";
    if (strcmp(how, "sleep") != 0 && strcmp(how, "spin") != 0)
        die("'%s' is not a kind of job: sleep or spin", how);
    bool spin = strcmp(how, "spin") == 0;
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
        jobs[i].spin = spin;
        jobs[i].t0 = t0;
        UV_CHECK(uv_queue_work(&loop, &jobs[i].req, pool_job, after_job));
    }
    printf("threads after queueing %d jobs: %ld (the pool started on first use)\n", n,
           proc_thread_count());
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    printf("all %d jobs (%s %ld ms each) done after %.1f ms\n", n, how, ms,
           (double)(now_ns() - t0) / 1e6);
    UV_CHECK(uv_loop_close(&loop));
    free(jobs);
    return 0;
}
