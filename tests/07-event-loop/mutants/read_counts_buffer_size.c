/* tests/07-event-loop/mutants/read_counts_buffer_size.c: a known-wrong answer to lesson 07.
 * each read adds the buffer size, not what the read returned. Killed by
 * test_read_all_counts_small_file and test_read_all_counts_file_larger_than_buffer. */
#include "exercise.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>

/* ---- tick ---- */

/* What one tick() call owns. Freed by on_tick_closed, once libuv is done with both handles. */
struct ticker {
    uv_timer_t timer;
    uv_idle_t rearm;        /* interval 0 only: starts the timer again on the next iteration */
    int count, next;        /* fn(next) is the next call; done when next == count */
    uint64_t interval_ms;
    void (*fn)(int i, void *arg);
    void *arg;
    bool has_rearm;         /* rearm was initialised (so it must be closed too) */
    int open_handles;       /* handles initialised and not yet closed */
    int *result;            /* tick's own result: it outlives t, which is freed in uv_run */
};

static void on_tick_closed(uv_handle_t *h)
{
    struct ticker *t = h->data;

    /* The last close callback frees the state: after it, libuv never touches the handles. */
    if (--t->open_handles == 0)
        free(t);
}

static void ticker_close(struct ticker *t)
{
    /* uv_close also stops an active handle. Closing twice is a bug libuv aborts on. */
    if (!uv_is_closing((uv_handle_t *)&t->timer))
        uv_close((uv_handle_t *)&t->timer, on_tick_closed);
    if (t->has_rearm && !uv_is_closing((uv_handle_t *)&t->rearm))
        uv_close((uv_handle_t *)&t->rearm, on_tick_closed);
}

static void on_tick(uv_timer_t *timer);

/* Interval 0. A timer started with timeout 0 from its own callback is due at once, and
 * libuv 1.44 runs it again in the same pass over the timers: all count calls would happen in
 * one iteration and nothing else would run in between. The idle callback runs later in the
 * same iteration; starting the timer from there makes it due on the next iteration, and an
 * active idle handle also keeps uv_run from sleeping in epoll_wait meanwhile. */
static void on_rearm(uv_idle_t *idle)
{
    struct ticker *t = idle->data;
    int rc;

    rc = uv_idle_stop(idle);
    if (rc == 0)
        rc = uv_timer_start(&t->timer, on_tick, 0, 0);
    if (rc < 0) {
        *t->result = rc;
        ticker_close(t);
    }
}

static void on_tick(uv_timer_t *timer)
{
    struct ticker *t = timer->data;
    int i = t->next++;

    t->fn(i, t->arg);
    if (t->next == t->count) {
        ticker_close(t);       /* the repeating timer stops with the close */
        return;
    }
    if (t->interval_ms == 0) {
        int rc = uv_idle_start(&t->rearm, on_rearm);
        if (rc < 0) {
            *t->result = rc;
            ticker_close(t);
        }
    }
    /* interval_ms > 0: the repeating timer is due again interval_ms from now. */
}

int tick(uv_loop_t *loop, int count, uint64_t interval_ms, void (*fn)(int i, void *arg), void *arg)
{
    struct ticker *t;
    int rc, result = 0;

    if (loop == NULL || fn == NULL || count < 0)
        return UV_EINVAL;
    if (count == 0)
        return 0;              /* nothing to call: no handle is ever created */

    t = calloc(1, sizeof *t);
    if (t == NULL)
        return UV_ENOMEM;
    t->count = count;
    t->interval_ms = interval_ms;
    t->fn = fn;
    t->arg = arg;
    t->result = &result;

    rc = uv_timer_init(loop, &t->timer);
    if (rc < 0) {
        free(t);               /* init failed: the handle is not in the loop */
        return rc;
    }
    t->timer.data = t;
    t->open_handles = 1;
    rc = uv_idle_init(loop, &t->rearm);
    if (rc == 0) {
        t->rearm.data = t;
        t->has_rearm = true;
        t->open_handles = 2;
        /* repeat = interval: libuv re-arms the timer itself after each call (repeat 0
         * would mean "once"; interval 0 is handled by on_rearm instead). */
        rc = uv_timer_start(&t->timer, on_tick, interval_ms, interval_ms);
    }
    if (rc < 0) {
        result = rc;
        ticker_close(t);       /* the close callbacks run inside uv_run below, and free t */
    }

    /* The loop has no other active handle, so uv_run returns once both handles are closed,
     * that is after on_tick_closed freed t: read nothing from t after this call. Its return
     * value (non-zero: handles still active) cannot be, by that same promise. */
    (void)uv_run(loop, UV_RUN_DEFAULT);
    return result;
}

/* ---- read_all ---- */

/* 64 KiB per read: big enough that a large file takes few trips to the thread pool, small
 * enough that each file in flight can have its own buffer. */
#define READ_BUF_SIZE (64 * 1024)

/* What read_all shares between its files. Lives on read_all's stack: uv_run returns only
 * after every callback below has run. */
struct reading {
    int64_t total;          /* bytes read so far, all files */
    int error;              /* the first error, or 0; once set, no read starts */
};

/* One file: a single uv_fs_t reused for its open, its reads and its close, one at a time
 * (uv_fs_req_cleanup between them). fd is -1 until the open succeeds. */
struct file_read {
    uv_fs_t req;
    struct reading *all;
    uv_file fd;
    char buf[READ_BUF_SIZE];
};

static void note_error(struct reading *all, int err)
{
    if (all->error == 0)
        all->error = err;   /* the first one wins: later errors are often its consequences */
}

static void on_close(uv_fs_t *req)
{
    struct file_read *f = req->data;

    if (req->result < 0)
        note_error(f->all, (int)req->result);
    uv_fs_req_cleanup(req);
    f->fd = -1;
}

static void start_close(struct file_read *f)
{
    uv_loop_t *loop = f->req.loop;
    int rc = uv_fs_close(loop, &f->req, f->fd, on_close);

    if (rc < 0) {
        /* Could not even queue the close: close it here and now (no callback then), so
         * the descriptor never leaks. */
        note_error(f->all, rc);
        uv_fs_t sync;
        (void)uv_fs_close(loop, &sync, f->fd, NULL);
        uv_fs_req_cleanup(&sync);
        f->fd = -1;
    }
}

static void on_read(uv_fs_t *req);

static void start_read(struct file_read *f)
{
    uv_buf_t buf = uv_buf_init(f->buf, sizeof f->buf);
    /* Offset -1: read at the descriptor's current position, as read(2) does. A FIFO has
     * no position, so pread at an explicit offset would fail on it with ESPIPE. */
    int rc = uv_fs_read(f->req.loop, &f->req, f->fd, &buf, 1, -1, on_read);

    if (rc < 0) {
        note_error(f->all, rc);
        start_close(f);
    }
}

static void on_read(uv_fs_t *req)
{
    struct file_read *f = req->data;
    ssize_t n = req->result;

    uv_fs_req_cleanup(req);
    if (n < 0)
        note_error(f->all, (int)n);
    else
        f->all->total += (int64_t)sizeof f->buf;   /* BUG: not n */    /* what this read returned: often less than the buffer */
    /* n == 0 is the end of the file; after an error anywhere, no further read starts. */
    if (n <= 0 || f->all->error != 0)
        start_close(f);
    else
        start_read(f);
}

static void on_open(uv_fs_t *req)
{
    struct file_read *f = req->data;
    ssize_t fd = req->result;

    uv_fs_req_cleanup(req);
    if (fd < 0) {
        note_error(f->all, (int)fd);
        return;                /* nothing was opened, nothing to close */
    }
    f->fd = (uv_file)fd;
    if (f->all->error != 0)
        start_close(f);        /* another file failed meanwhile: close without reading */
    else
        start_read(f);
}

int64_t read_all(uv_loop_t *loop, const char *const *paths, int n)
{
    struct reading all = { 0, 0 };
    struct file_read *files;

    if (loop == NULL || paths == NULL || n < 0)
        return UV_EINVAL;
    if (n == 0)
        return 0;
    files = calloc((size_t)n, sizeof *files);
    if (files == NULL)
        return UV_ENOMEM;

    /* Every open is queued before the loop runs, so all of them are in flight at once: a
     * slow file (a FIFO whose writer is not there yet) holds up only itself. */
    for (int i = 0; i < n; i++) {
        struct file_read *f = &files[i];
        f->all = &all;
        f->fd = -1;
        f->req.data = f;
        int rc = uv_fs_open(loop, &f->req, paths[i], O_RDONLY, 0, on_open);
        if (rc < 0) {
            /* Failed at once (no memory to copy the path): no callback will come for it.
             * Open nothing more; the files already queued see the error and close. */
            note_error(&all, rc);
            break;
        }
    }

    /* Returns when no request is pending: every open, read and close has called back. */
    (void)uv_run(loop, UV_RUN_DEFAULT);
    free(files);
    return all.error != 0 ? all.error : all.total;
}
