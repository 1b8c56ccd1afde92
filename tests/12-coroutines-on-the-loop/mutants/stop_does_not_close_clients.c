/* MUTANT: co_echo_stop wakes readers but does not close clients: a coroutine waiting in co_write is never woken */
/* solutions/12-coroutines-on-the-loop/exercise.c: the reference answer to lesson 12.
 *
 * Two layers in one file. The lower one is a small stackful coroutine (lesson 11's idea, on
 * ucontext): an mmap'ed stack with a guard page, a resume that only a loop callback makes, a
 * yield that goes back to that callback. The upper one turns each libuv request into a call
 * that suspends: start the request, yield to the loop, and let the request's callback resume
 * the coroutine with the result. The echo server is then a plain read-write loop. */
#define _GNU_SOURCE   /* ucontext (makecontext, swapcontext), MAP_ANONYMOUS, MAP_STACK */
#include "exercise.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "fiber.h"

/* ---- the coroutine layer ---- */

enum { CO_STACK = 256 * 1024 };   /* pages are only touched when used: cheap to reserve */

struct coro {
    void (*fn)(void *arg);
    void *arg;
    ucontext_t ctx;           /* the coroutine, while it is suspended */
    ucontext_t back;          /* the loop's callback that resumed it, while it runs */
    struct fiber_note note;   /* what ASan, TSan and valgrind must know about its stack */
    char *map;                /* guard page + stack, one mapping */
    size_t map_len;
    uv_async_t wake;          /* "resume me on a later loop iteration": start, co_sleep(0) */
    uv_timer_t timer;         /* co_sleep(ms > 0) */
    ssize_t result;           /* what the callback that resumes it hands over */
    uv_stream_t *reading;     /* the stream of a pending co_read, else NULL */
    void *saved_data;         /* that stream's data, given back when the read ends */
    char *rbuf;               /* the pending co_read's buffer: libuv reads straight into it */
    size_t rlen;
    bool done;                /* fn has returned */
    int open_handles;         /* wake and timer: the struct is freed when both have closed */
};

/* One coroutine runs at a time per thread: the one the loop's callback resumed. The loop's
 * thread is a context of its own for the sanitizers (fiber.h). */
static _Thread_local struct coro *running;
static _Thread_local struct fiber_note thread_note;
static _Thread_local bool thread_note_ready;

static void coro_handle_closed(uv_handle_t *h)
{
    struct coro *c = h->data;

    if (--c->open_handles == 0)
        free(c);
}

/* fn has returned and we are back on the loop's stack: the stack can go now, the rest once
 * libuv has let go of the two handles. */
static void coro_finish(struct coro *c)
{
    fiber_note_forget(&c->note);
    if (munmap(c->map, c->map_len) != 0)
        abort();   /* only for an address we never mapped: memory is corrupt */
    c->map = NULL;
    uv_close((uv_handle_t *)&c->wake, coro_handle_closed);
    uv_close((uv_handle_t *)&c->timer, coro_handle_closed);
}

/* Called only from a loop callback (never from inside a coroutine): run c until it yields
 * or returns. */
static void coro_resume(struct coro *c)
{
    if (running != NULL)
        abort();   /* a coroutine never resumes another one in this design */
    if (!thread_note_ready) {
        fiber_note_thread(&thread_note);
        thread_note_ready = true;
    }
    running = c;
    fiber_note_leave(&thread_note, &c->note, false);
    if (swapcontext(&c->back, &c->ctx) != 0)
        abort();
    fiber_note_arrive(&thread_note);
    running = NULL;
    if (c->done)
        coro_finish(c);
}

/* Inside the coroutine: back to the callback that resumed it. Someone (a libuv callback)
 * must have been told to resume it, or it never runs again. */
static void coro_yield(struct coro *c)
{
    fiber_note_leave(&c->note, &thread_note, false);
    if (swapcontext(&c->ctx, &c->back) != 0)
        abort();
    fiber_note_arrive(&c->note);
}

static void coro_entry(void)
{
    struct coro *c = running;   /* makecontext passes ints only: the pointer comes this way */

    fiber_note_arrive(&c->note);
    c->fn(c->arg);
    c->done = true;
    fiber_note_leave(&c->note, &thread_note, true);
    setcontext(&c->back);       /* never returns: the stack is freed by coro_resume */
    abort();
}

static void coro_wake_cb(uv_async_t *a)
{
    coro_resume(a->data);
}

static void coro_timer_cb(uv_timer_t *t)
{
    coro_resume(t->data);
}

/* co_spawn, which also hands the coroutine back (the echo server cancels its reads). */
static int coro_new(uv_loop_t *loop, void (*fn)(void *arg), void *arg, struct coro **out)
{
    if (loop == NULL || fn == NULL)
        return UV_EINVAL;
    struct coro *c = calloc(1, sizeof *c);
    if (c == NULL)
        return UV_ENOMEM;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    c->fn = fn;
    c->arg = arg;
    c->map_len = CO_STACK + (size_t)page;
    void *map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) {
        free(c);
        return UV_ENOMEM;
    }
    c->map = map;
    int rc = 0;
    /* The stack grows down: its lowest page, made inaccessible, turns an overflow into a
     * SIGSEGV instead of a silent write into whatever lies below. */
    if (mprotect(c->map, (size_t)page, PROT_NONE) != 0 || getcontext(&c->ctx) != 0) {
        rc = -errno;
        munmap(c->map, c->map_len);
        free(c);
        return rc;
    }
    c->ctx.uc_stack.ss_sp = c->map + page;
    c->ctx.uc_stack.ss_size = CO_STACK;
    c->ctx.uc_link = NULL;
    makecontext(&c->ctx, coro_entry, 0);
    if ((rc = uv_async_init(loop, &c->wake, coro_wake_cb)) != 0) {
        munmap(c->map, c->map_len);
        free(c);
        return rc;
    }
    c->wake.data = c;
    c->timer.data = c;
    c->open_handles = 2;
    if ((rc = uv_timer_init(loop, &c->timer)) != 0) {
        c->open_handles = 1;
        munmap(c->map, c->map_len);
        uv_close((uv_handle_t *)&c->wake, coro_handle_closed);
        return rc;
    }
    fiber_note_stack(&c->note, c->map + page, CO_STACK);
    /* Not now: fn starts when the loop sees the wake-up. Async handles are served in the
     * order they were made, which is the spawn order. */
    if ((rc = uv_async_send(&c->wake)) != 0) {
        c->done = true;
        coro_finish(c);
        return rc;
    }
    if (out != NULL)
        *out = c;
    return 0;
}

int co_spawn(uv_loop_t *loop, void (*fn)(void *arg), void *arg)
{
    return coro_new(loop, fn, arg, NULL);
}

/* ---- the calls that suspend ---- */

static void co_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct coro *c = h->data;

    (void)suggested;
    buf->base = c->rbuf;   /* no copy: the bytes land in the caller's buffer */
    buf->len = c->rlen;
}

/* The read is over (data, EOF, error or cancel): stop reading, give s->data back. */
static void co_read_end(struct coro *c, ssize_t result)
{
    uv_stream_t *s = c->reading;

    uv_read_stop(s);
    s->data = c->saved_data;
    c->reading = NULL;
    c->result = result;
}

static void co_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct coro *c = s->data;

    (void)buf;
    if (nread == 0)
        return;    /* EAGAIN: nothing this time, the read stays pending */
    co_read_end(c, nread == UV_EOF ? 0 : nread);
    coro_resume(c);
}

ssize_t co_read(uv_stream_t *s, void *buf, size_t len)
{
    struct coro *c = running;

    if (c == NULL || s == NULL || buf == NULL || len == 0)
        return UV_EINVAL;
    if (uv_is_closing((uv_handle_t *)s))
        return UV_ECANCELED;
    if (!uv_is_readable(s))
        return 0;  /* libuv clears "readable" at EOF: every later read is EOF too */
    c->rbuf = buf;
    c->rlen = len;
    c->saved_data = s->data;
    s->data = c;   /* the only way from alloc_cb and read_cb back to this coroutine */
    int rc = uv_read_start(s, co_alloc_cb, co_read_cb);
    if (rc != 0) {
        s->data = c->saved_data;
        return rc;
    }
    c->reading = s;
    coro_yield(c);
    return c->result;
}

/* A pending co_read of c returns UV_ECANCELED, on a later loop iteration. */
static void co_cancel_read(struct coro *c)
{
    if (c->reading == NULL)
        return;
    co_read_end(c, UV_ECANCELED);
    if (uv_async_send(&c->wake) != 0)
        abort();   /* cannot fail on a handle that is open: it would strand c */
}

static void co_req_cb(uv_req_t *req, int status)
{
    struct coro *c = req->data;

    c->result = status;
    coro_resume(c);
}

static void co_write_cb(uv_write_t *req, int status)
{
    co_req_cb((uv_req_t *)req, status);
}

int co_write(uv_stream_t *s, const void *buf, size_t len)
{
    struct coro *c = running;

    if (c == NULL || s == NULL)
        return UV_EINVAL;
    if (len == 0)
        return 0;
    if (buf == NULL)
        return UV_EINVAL;
    /* uv_buf_init takes an unsigned int: a huge buffer goes in pieces of 1 GiB. */
    for (const char *p = buf; len > 0;) {
        unsigned piece = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        uv_buf_t b = uv_buf_init((char *)p, piece);
        uv_write_t req;   /* on this coroutine's stack: it lives until the callback ran */
        req.data = c;
        int rc = uv_write(&req, s, &b, 1, co_write_cb);
        if (rc != 0)
            return rc;
        coro_yield(c);
        if (c->result != 0)
            return (int)c->result;
        p += piece;
        len -= piece;
    }
    return 0;
}

static void co_shutdown_cb(uv_shutdown_t *req, int status)
{
    co_req_cb((uv_req_t *)req, status);
}

/* Half-close s once everything written has gone out. */
static int co_shutdown(uv_stream_t *s)
{
    struct coro *c = running;
    uv_shutdown_t req;

    req.data = c;
    int rc = uv_shutdown(&req, s, co_shutdown_cb);
    if (rc != 0)
        return rc;
    coro_yield(c);
    return (int)c->result;
}

int co_sleep(uint64_t ms)
{
    struct coro *c = running;

    if (c == NULL)
        return UV_EINVAL;
    /* 0: a wake-up for the next iteration, so that the loop polls I/O in between (a timer of
     * 0 ms started inside a timer callback would run again in the same pass on libuv 1.44). */
    int rc = ms == 0 ? uv_async_send(&c->wake) : uv_timer_start(&c->timer, coro_timer_cb, ms, 0);
    if (rc != 0)
        return rc;
    coro_yield(c);
    return 0;
}

/* ---- the echo server: one coroutine per connection ---- */

struct client {
    struct co_echo *srv;
    uv_tcp_t tcp;
    struct coro *co;              /* its coroutine; NULL once that has returned */
    struct client *prev, *next;   /* the server's list */
    int refs;                     /* the handle (until closed) and the coroutine (until done) */
    char buf[CO_ECHO_BUF];        /* the one buffer: read into, echoed from, read into again */
};

struct co_echo {
    uv_loop_t *loop;
    uv_tcp_t listener;
    struct client *clients;
    int nclients;
    bool listener_open;           /* until its close callback */
    bool stopping;
};

static void server_maybe_free(struct co_echo *srv)
{
    if (srv->stopping && !srv->listener_open && srv->nclients == 0)
        free(srv);
}

static void listener_closed(uv_handle_t *h)
{
    struct co_echo *srv = h->data;

    srv->listener_open = false;
    server_maybe_free(srv);
}

static void client_unref(struct client *cl)
{
    if (--cl->refs > 0)
        return;
    struct co_echo *srv = cl->srv;
    if (cl->prev != NULL)
        cl->prev->next = cl->next;
    else
        srv->clients = cl->next;
    if (cl->next != NULL)
        cl->next->prev = cl->prev;
    srv->nclients--;
    free(cl);
    server_maybe_free(srv);
}

static void client_closed(uv_handle_t *h)
{
    client_unref(h->data);
}

/* The whole protocol, in the order it happens. co_write returning means the echo is out of
 * our buffer, so the next read may overwrite it: one buffer, no queue, and a client that
 * does not read stops us from reading (back-pressure for free). */
static void client_main(void *arg)
{
    struct client *cl = arg;
    uv_stream_t *s = (uv_stream_t *)&cl->tcp;

    for (;;) {
        ssize_t n = co_read(s, cl->buf, sizeof cl->buf);
        if (n == 0) {
            co_shutdown(s);   /* nothing is queued: every echo was written before this read */
            break;
        }
        if (n < 0)            /* a reset, an error, or co_echo_stop */
            break;
        if (co_write(s, cl->buf, (size_t)n) != 0)
            break;
    }
    cl->co = NULL;
    if (!uv_is_closing((uv_handle_t *)s))
        uv_close((uv_handle_t *)s, client_closed);
    client_unref(cl);
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct co_echo *srv = listener->data;

    if (status < 0 || srv->stopping)
        return;
    struct client *cl = malloc(sizeof *cl);
    if (cl == NULL)
        return;   /* the connection waits in the backlog until memory comes back */
    if (uv_tcp_init(srv->loop, &cl->tcp) != 0) {
        free(cl);
        return;
    }
    cl->srv = srv;
    cl->tcp.data = cl;
    cl->co = NULL;
    cl->refs = 1;
    cl->prev = NULL;
    cl->next = srv->clients;
    if (srv->clients != NULL)
        srv->clients->prev = cl;
    srv->clients = cl;
    srv->nclients++;
    if (uv_accept(listener, (uv_stream_t *)&cl->tcp) != 0 ||
        coro_new(srv->loop, client_main, cl, &cl->co) != 0) {
        cl->co = NULL;
        uv_close((uv_handle_t *)&cl->tcp, client_closed);
        return;
    }
    cl->refs++;
}

int co_echo_start(uv_loop_t *loop, const char *host, int port, struct co_echo **out,
                  int *bound_port)
{
    struct sockaddr_storage addr;

    if (out != NULL)
        *out = NULL;
    if (loop == NULL || host == NULL || out == NULL || port < 0 || port > 65535)
        return UV_EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0)
        return UV_EINVAL;
    struct co_echo *srv = calloc(1, sizeof *srv);
    if (srv == NULL)
        return UV_ENOMEM;
    srv->loop = loop;
    int rc = uv_tcp_init(loop, &srv->listener);
    if (rc != 0) {
        free(srv);
        return rc;
    }
    srv->listener.data = srv;
    srv->listener_open = true;
    if ((rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection)) != 0)
        goto fail;
    if (bound_port != NULL) {
        struct sockaddr_storage got;
        int len = sizeof got;
        if ((rc = uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&got, &len)) != 0)
            goto fail;
        *bound_port = got.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&got)->sin6_port)
                                                : ntohs(((struct sockaddr_in *)&got)->sin_port);
    }
    *out = srv;
    return 0;
fail:
    /* A handle the loop knows may only be freed from its close callback. */
    srv->stopping = true;
    uv_close((uv_handle_t *)&srv->listener, listener_closed);
    return rc;
}

void co_echo_stop(struct co_echo *srv)
{
    if (srv == NULL || srv->stopping)
        return;
    srv->stopping = true;
    uv_close((uv_handle_t *)&srv->listener, listener_closed);
    /* Nothing below frees a client at once (close and wake-up callbacks come later), so the
     * list stays valid while we walk it. */
    for (struct client *cl = srv->clients; cl != NULL; cl = cl->next) {
        if (cl->co != NULL)
            co_cancel_read(cl->co);   /* a pending co_read: UV_ECANCELED, s->data given back */
        if (0)
            uv_close((uv_handle_t *)&cl->tcp, client_closed);   /* a pending co_write or
                                                                  * shutdown: UV_ECANCELED */
    }
}
