/* lessons/07-event-loop/pool_threads.c: the threads of a "single-threaded" libuv program,
 * counted in /proc/self/task before and after its first file read.
 * Build: make -C lessons/07-event-loop
 * Run:   UV_THREADPOOL_SIZE=4 build/lessons/07-event-loop/pool_threads /usr/include/uv.h */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "proc.h"
#include "uv_check.h"

static long threads_now(void)
{
    long n = proc_thread_count();

    if (n < 0)
        die("cannot count the threads in /proc/self/task");
    return n;
}

static void on_timer(uv_timer_t *t)
{
    printf("  in a timer callback:       %ld thread(s)\n", threads_now());
    uv_close((uv_handle_t *)t, NULL);
}

/* One file read, as three requests in a chain: open, read, close. The callbacks run on the
 * loop's thread; the blocking open(2), read(2) and close(2) run on a pool thread. */
struct file_job {
    uv_fs_t req;
    const char *path;
    uv_file fd;
    int error;                 /* first failure, or 0 */
    ssize_t bytes;
    char buf[4096];
};

static void on_close(uv_fs_t *req)
{
    struct file_job *job = req->data;

    if (req->result < 0 && job->error == 0)
        job->error = (int)req->result;
    uv_fs_req_cleanup(req);
}

static void close_file(struct file_job *job)
{
    int rc = uv_fs_close(job->req.loop, &job->req, job->fd, on_close);
    if (rc < 0)
        die("uv_fs_close: %s", uv_strerror(rc));
}

static void on_read(uv_fs_t *req)
{
    struct file_job *job = req->data;

    job->bytes = req->result;
    if (req->result < 0)
        job->error = (int)req->result;
    uv_fs_req_cleanup(req);
    printf("  in the read callback:      %ld thread(s)\n", threads_now());
    close_file(job);
}

static void on_open(uv_fs_t *req)
{
    struct file_job *job = req->data;
    ssize_t fd = req->result;

    uv_fs_req_cleanup(req);
    if (fd < 0) {
        job->error = (int)fd;
        return;
    }
    job->fd = (uv_file)fd;
    uv_buf_t b = uv_buf_init(job->buf, sizeof job->buf);
    int rc = uv_fs_read(req->loop, req, job->fd, &b, 1, -1, on_read);
    if (rc < 0) {
        job->error = rc;
        close_file(job);
    }
}

int main(int argc, char **argv)
{
    uv_loop_t loop;
    uv_timer_t timer;
    struct file_job job = { .fd = -1 };

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE   (e.g. %s /usr/include/uv.h)\n", argv[0], argv[0]);
        return 1;
    }
    job.path = argv[1];
    job.req.data = &job;
    const char *size = getenv("UV_THREADPOOL_SIZE");
    printf("UV_THREADPOOL_SIZE=%s\n", size != NULL ? size : "(not set: libuv's default, 4)");
    printf("  at the start of main:      %ld thread(s)\n", threads_now());

    UV_CHECK(uv_loop_init(&loop));
    printf("  after uv_loop_init:        %ld thread(s)\n", threads_now());

    /* A timer is served by the loop's own thread: epoll_wait's timeout does the waiting. */
    UV_CHECK(uv_timer_init(&loop, &timer));
    UV_CHECK(uv_timer_start(&timer, on_timer, 1, 0));
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));

    /* A disk file cannot be waited for with epoll (it is always "ready", and a read may
     * still block on the disk), so libuv hands the blocking calls to its thread pool. The
     * pool starts on the first request, all its threads at once. (With a NULL callback a
     * uv_fs_* call would run on this thread and block it: no pool.) */
    UV_CHECK(uv_fs_open(&loop, &job.req, job.path, O_RDONLY, 0, on_open));
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    if (job.error != 0)
        die("reading '%s' failed: %s (%s)", job.path, uv_err_name(job.error),
            uv_strerror(job.error));
    printf("  after the file was read:   %ld thread(s)   (%zd bytes read)\n", threads_now(),
           job.bytes);

    UV_CHECK(uv_loop_close(&loop));
    printf("  after uv_loop_close:       %ld thread(s)   (the pool belongs to the process, not "
           "to a loop)\n", threads_now());
    return 0;
}
