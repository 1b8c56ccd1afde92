/* lessons/07-event-loop/fs_chunks.c: read a file with a chain of uv_fs_read requests, one
 * buffer at a time, printing what each read returned, down to the 0 that means end of file.
 * Build: make -C lessons/07-event-loop
 * Run:   build/lessons/07-event-loop/fs_chunks /usr/include/uv.h 16384   # file, buffer bytes */
#define _GNU_SOURCE   /* syscall(SYS_gettid): the kernel's id of the calling thread */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "uv_check.h"

/* The one file being read. A single uv_fs_t serves the open, each read and the close in
 * turn: one request at a time, cleaned up (uv_fs_req_cleanup) before it is used again. */
struct reader {
    uv_fs_t req;
    uv_file fd;
    char *buf;
    size_t len;
    int reads;
    int64_t total;
    int error;                 /* the first failure, or 0 */
};

static long tid(void)
{
    return (long)syscall(SYS_gettid);
}

static void on_read(uv_fs_t *req);

static void on_close(uv_fs_t *req)
{
    struct reader *r = req->data;

    if (req->result < 0 && r->error == 0)
        r->error = (int)req->result;
    uv_fs_req_cleanup(req);
    printf("close    -> done (callback on thread %ld)\n", tid());
}

static void finish(struct reader *r)
{
    int rc = uv_fs_close(r->req.loop, &r->req, r->fd, on_close);
    if (rc < 0)
        die("uv_fs_close: %s", uv_strerror(rc));
}

static void read_next(struct reader *r)
{
    uv_buf_t b = uv_buf_init(r->buf, (unsigned)r->len);
    /* Offset -1: at the file's current position, which each read moves on. */
    int rc = uv_fs_read(r->req.loop, &r->req, r->fd, &b, 1, -1, on_read);
    if (rc < 0) {
        r->error = rc;
        finish(r);
    }
}

static void on_read(uv_fs_t *req)
{
    struct reader *r = req->data;
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    r->reads++;
    if (n < 0) {
        printf("read %-3d -> %s\n", r->reads, uv_err_name((int)n));
        r->error = (int)n;
        finish(r);
        return;
    }
    printf("read %-3d -> %zd bytes%s\n", r->reads, n,
           n == 0 ? "  (0: the end of the file)" :
           (size_t)n < r->len ? "  (less than the buffer: the rest of the file)" : "");
    r->total += n;
    if (n == 0)
        finish(r);
    else
        read_next(r);
}

static void on_open(uv_fs_t *req)
{
    struct reader *r = req->data;
    ssize_t fd = req->result;

    uv_fs_req_cleanup(req);
    if (fd < 0) {
        printf("open     -> %s\n", uv_err_name((int)fd));
        r->error = (int)fd;
        return;
    }
    printf("open     -> descriptor %zd (callback on thread %ld)\n", fd, tid());
    r->fd = (uv_file)fd;
    read_next(r);
}

int main(int argc, char **argv)
{
    uv_loop_t loop;
    struct reader r = { .fd = -1 };

    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE BUFFER_BYTES   (e.g. %s /usr/include/uv.h 16384)\n",
                argv[0], argv[0]);
        return 1;
    }
    r.len = (size_t)parse_long_arg(argv[2], "buffer bytes", 1, 1 << 24);
    r.buf = malloc(r.len);
    if (r.buf == NULL)
        die("out of memory for a %zu-byte buffer", r.len);
    r.req.data = &r;

    printf("main thread %ld; the callbacks below all run on it, the open/read/close system "
           "calls on libuv's pool threads\n", tid());
    UV_CHECK(uv_loop_init(&loop));
    int rc = uv_fs_open(&loop, &r.req, argv[1], O_RDONLY, 0, on_open);
    if (rc < 0) {
        free(r.buf);
        die("uv_fs_open: %s", uv_strerror(rc));
    }
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));   /* returns when no request is pending */
    UV_CHECK(uv_loop_close(&loop));
    free(r.buf);
    if (r.error != 0) {
        fprintf(stderr, "%s: reading '%s' failed: %s (%s)\n", argv[0], argv[1],
                uv_err_name(r.error), uv_strerror(r.error));
        return 1;
    }
    printf("%d reads, %lld bytes in all\n", r.reads, (long long)r.total);
    return 0;
}
