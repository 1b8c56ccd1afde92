/* lessons/12-coroutines-on-the-loop/exercise.c: your answer to lesson 12 (read README.md first).
 * Check it:  make check L=12      Stuck?  make hint L=12
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. The first part, a
 * stackful coroutine on ucontext (lesson 11's idea), is given and works: your part is to drive
 * it from libuv. */
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

/* ---- given: a stackful coroutine (marked unused only until your code calls it) ---- */

enum { CO_STACK = 256 * 1024 };

struct coro {
    void (*fn)(void *arg);
    void *arg;
    ucontext_t ctx;           /* the coroutine, while it is suspended */
    ucontext_t back;          /* the loop's callback that resumed it, while it runs */
    struct fiber_note note;   /* what ASan, TSan and valgrind must know about its stack */
    char *map;                /* guard page + stack, one mapping */
    size_t map_len;
    bool done;                /* fn has returned */
    /* TODO 1: what your calls need to find this coroutine again from a libuv callback and
     * to hand it a result: a handle to wake it on a later loop iteration, a timer for
     * co_sleep, the result, the pending read (stream, buffer, the stream's saved data)... */
};

static _Thread_local struct coro *running;           /* the coroutine running now, or NULL */
static _Thread_local struct fiber_note thread_note;  /* the loop's own stack */
static _Thread_local bool thread_note_ready;

static void coro_entry(void)
{
    struct coro *c = running;   /* makecontext passes ints only: the pointer comes this way */

    fiber_note_arrive(&c->note);
    c->fn(c->arg);
    c->done = true;
    fiber_note_leave(&c->note, &thread_note, true);
    setcontext(&c->back);       /* never returns */
    abort();
}

/* Give c a stack (with a guard page below it) and a context that starts in fn(arg).
 * 0 or a negative errno. */
__attribute__((unused)) static int coro_make(struct coro *c, void (*fn)(void *arg), void *arg)
{
    long page = sysconf(_SC_PAGESIZE);

    if (page <= 0)
        page = 4096;
    c->fn = fn;
    c->arg = arg;
    c->map_len = CO_STACK + (size_t)page;
    void *map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return UV_ENOMEM;
    c->map = map;
    if (mprotect(c->map, (size_t)page, PROT_NONE) != 0 || getcontext(&c->ctx) != 0) {
        int e = -errno;
        munmap(c->map, c->map_len);
        c->map = NULL;
        return e;
    }
    c->ctx.uc_stack.ss_sp = c->map + page;
    c->ctx.uc_stack.ss_size = CO_STACK;
    c->ctx.uc_link = NULL;
    makecontext(&c->ctx, coro_entry, 0);
    fiber_note_stack(&c->note, c->map + page, CO_STACK);
    return 0;
}

/* Free c's stack (once fn has returned, from the loop's stack: never the running one). */
__attribute__((unused)) static void coro_free_stack(struct coro *c)
{
    fiber_note_forget(&c->note);
    if (c->map != NULL && munmap(c->map, c->map_len) != 0)
        abort();
    c->map = NULL;
}

/* From a loop callback, never from inside a coroutine: run c until it yields or returns.
 * Afterwards c->done tells which. */
__attribute__((unused)) static void coro_resume(struct coro *c)
{
    if (running != NULL)
        abort();
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
    /* TODO 2: when c->done, fn has returned: free its stack now, and the rest once its
     * handles have closed. */
}

/* Inside the coroutine c: back to the callback that resumed it. Before calling it, make sure
 * some libuv callback will resume c, or c never runs again. */
__attribute__((unused)) static void coro_yield(struct coro *c)
{
    fiber_note_leave(&c->note, &thread_note, false);
    if (swapcontext(&c->ctx, &c->back) != 0)
        abort();
    fiber_note_arrive(&c->note);
}

/* ---- your part: the calls that suspend ---- */

int co_spawn(uv_loop_t *loop, void (*fn)(void *arg), void *arg)
{
    /* TODO 3: what must hold when co_spawn returns:
     * - loop or fn NULL: UV_EINVAL; out of memory or a failing libuv call: that error, and
     *   nothing left allocated or open;
     * - otherwise 0, and fn has NOT run yet: it starts on a later loop iteration, after the
     *   coroutines spawned before it (first in, first out);
     * - once fn returns, its stack is freed, and everything else once its handles closed
     *   (uv_loop_close must then return 0). */
    (void)loop, (void)fn, (void)arg;
    return UV_ENOSYS;
}

ssize_t co_read(uv_stream_t *s, void *buf, size_t len)
{
    /* TODO 4: outside a coroutine, s or buf NULL, len 0: UV_EINVAL. After EOF: 0 at once.
     * Otherwise the coroutine waits (the loop goes on) until some bytes arrive: return how
     * many (> 0, up to len, in buf), 0 at EOF, or the error; reading has stopped by then and
     * s->data is what it was. */
    (void)s, (void)buf, (void)len;
    return UV_ENOSYS;
}

int co_write(uv_stream_t *s, const void *buf, size_t len)
{
    /* TODO 5: outside a coroutine or s NULL: UV_EINVAL; len 0: 0 at once. Otherwise return
     * only once libuv is done with buf (the write callback ran): 0 or its error. */
    (void)s, (void)buf, (void)len;
    return UV_ENOSYS;
}

int co_sleep(uint64_t ms)
{
    /* TODO 6: outside a coroutine: UV_EINVAL. Otherwise return 0 after ms milliseconds,
     * during which other callbacks and coroutines run; co_sleep(0) lets every other ready
     * coroutine run once before this one goes on. Never sleep the thread. */
    (void)ms;
    return UV_ENOSYS;
}

/* ---- your part: the echo server, one coroutine per connection ---- */

/* TODO 7: the server (loop, listener, its clients, what tells when it may be freed). */
struct co_echo {
    uv_tcp_t listener;
};

int co_echo_start(uv_loop_t *loop, const char *host, int port, struct co_echo **out,
                  int *bound_port)
{
    /* TODO 8: what must hold when co_echo_start returns (lesson 08's echo_start):
     * - bad arguments: UV_EINVAL, *out NULL (when out is not NULL); a port in use:
     *   UV_EADDRINUSE, *out NULL, no handle left open once the loop has run again;
     * - success: 0, *out the server, *bound_port (if not NULL) the port bound. Each client
     *   is served by a coroutine of its own: read a chunk (at most CO_ECHO_BUF), write it
     *   back, read again; at EOF shut the sending side down, then close; on an error close.
     *   A client's memory is freed once its coroutine has returned and its handle closed. */
    if (out != NULL)
        *out = NULL;
    (void)loop, (void)host, (void)port, (void)bound_port;
    return UV_ENOSYS;
}

void co_echo_stop(struct co_echo *s)
{
    /* TODO 9: NULL or a second call: nothing. Otherwise close the listener and every client;
     * a coroutine waiting in co_read gets UV_ECANCELED (closing a stream does not end a
     * pending read: you must), one waiting in co_write gets it from libuv; every coroutine
     * finishes and everything is freed before uv_run returns. */
    (void)s;
}
