/* tests/12-coroutines-on-the-loop/test_coro_loop.c: lesson 12's tests (co_spawn, co_read,
 * co_write, co_sleep, co_echo_start, co_echo_stop).
 * Run: make check L=12   (or IMPL=path/to/your.c)
 *
 * How these tests work. The first group drives coroutines on a loop in the test's own thread:
 * one end of a socketpair is a uv_pipe_t that the coroutines read and write, and the test holds
 * the other end. A coroutine never calls a cmocka check itself (a failing check would jump off
 * its stack): it writes what it saw into a struct, and the test looks after uv_run returns.
 *
 * The second group is lesson 08's echo tests against the coroutine server, on the harness
 * lesson 08's tests use too (tests/common/echo_server_harness.h): the loop runs in a thread of
 * its own, the clients of tests/08-nonblocking-io/echo_client.h (they read while they send)
 * talk to it over TCP on 127.0.0.1, and stop arrives through a uv_async_t. Every test checks
 * that uv_run returns, that uv_loop_close returns 0 and that no descriptor is left open; the
 * AddressSanitizer run finds leaked memory, the ThreadSanitizer run races.
 *
 * Nothing here depends on speed: "the loop is not blocked" is shown by the order of events.
 * Back-pressure is measured, not timed: lesson.conf wraps malloc, calloc, realloc and free in
 * the file under test, and the harness's wrappers count the bytes the loop's thread holds. */
#define _GNU_SOURCE   /* malloc_usable_size, syscall(SYS_gettid): echo_server_harness.h */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../08-nonblocking-io/echo_client.h"
#include "check.h"
#include "echo_server_harness.h"
#include "exercise.h"
#include "runner.h"
#include "uv_check.h"

/* ---- checks ---- */

static void expect_fds(int before, const char *who)
{
    int now = fd_count();
    if (now != before)
        fail_msg("%d descriptor(s) open after the test, %d before: %s left %d open (every "
                 "handle must be closed with uv_close)", now, before, who, now - before);
}

/* Run the loop of this thread until it has nothing left, then close it. */
static void run_to_end(uv_loop_t *loop, const char *hint)
{
    hang_hint("%s", hint);
    uv_run(loop, UV_RUN_DEFAULT);
    hang_hint(NULL);
    int rc = uv_loop_close(loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after uv_run ended; expected 0: a handle is still "
                 "open (once fn returns, a coroutine's own handles must be closed)",
                 uv_result_name(rc));
}

/* A libuv result compared by name: "co_spawn(NULL, fn, arg) returned ENOSYS; expected EINVAL". */
static void expect_uv_eq(long got, long want, const char *what)
{
    if (got != want)
        fail_msg("%s returned %s; expected %s", what, uv_result_name(got), uv_result_name(want));
}

/* co_spawn that must work: the test cannot go on without it. */
static void spawn(uv_loop_t *loop, void (*fn)(void *arg), void *arg)
{
    int rc = co_spawn(loop, fn, arg);
    if (rc != 0)
        fail_msg("co_spawn(loop, fn, arg) returned %s; expected 0", uv_result_name(rc));
}

/* ---- a loop in this thread, and a stream the test holds the other end of ---- */

struct pair {
    uv_loop_t loop;
    uv_pipe_t pipe;   /* what the coroutines read and write */
    int peer;         /* the test's end */
    int before;
};

static void pair_up(struct pair *p, int sndbuf)
{
    int sv[2];

    signal(SIGPIPE, SIG_IGN);
    p->before = fd_baseline();
    UV_CHECK(uv_loop_init(&p->loop));
    SYS_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    if (sndbuf > 0)
        SYS_CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf));
    UV_CHECK(uv_pipe_init(&p->loop, &p->pipe, 0));
    UV_CHECK(uv_pipe_open(&p->pipe, sv[0]));
    p->peer = sv[1];
}

static void send_all(int fd, const void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t w = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            die("send: %s", strerror(errno));
        done += (size_t)w;
    }
}

/* ---- co_spawn ---- */

static void do_nothing(void *arg)
{
    (void)arg;
}

static void test_co_spawn_rejects_null(void **state)
{
    (void)state;
    uv_loop_t loop;
    int before = fd_baseline();

    UV_CHECK(uv_loop_init(&loop));
    expect_uv_eq(co_spawn(NULL, do_nothing, NULL), UV_EINVAL, "co_spawn(NULL, fn, arg)");
    expect_uv_eq(co_spawn(&loop, NULL, NULL), UV_EINVAL, "co_spawn(loop, NULL, arg)");
    run_to_end(&loop, "uv_run never returned after two co_spawn calls that must fail");
    expect_fds(before, "a failed co_spawn");
}

struct order {
    int log[8];
    int n;
    bool inside_spawn;          /* the test is inside a co_spawn call right now */
    bool ran_inside_spawn;
    int child_rc;
    int log_after_child_spawn;  /* entries when the child's co_spawn returned */
    uv_loop_t *loop;
};

struct starter {
    struct order *o;
    int id;
};

static void log_start(void *arg)
{
    struct starter *s = arg;
    struct order *o = s->o;

    if (o->inside_spawn)
        o->ran_inside_spawn = true;
    if (o->n < 8)
        o->log[o->n++] = s->id;
    if (s->id == 0) {   /* the first one spawns a fourth from inside a coroutine */
        static struct starter child;
        child = (struct starter){ o, 3 };
        int n = o->n;
        o->child_rc = co_spawn(o->loop, log_start, &child);
        o->log_after_child_spawn = o->n - n;
    }
}

/* Three spawned before uv_run, one from inside the first: none runs inside co_spawn, and they
 * start in spawn order. */
static void test_co_spawn_starts_later_in_spawn_order(void **state)
{
    (void)state;
    struct order o = { .child_rc = 1 };
    struct starter st[3];
    int before = fd_baseline();
    uv_loop_t loop;

    UV_CHECK(uv_loop_init(&loop));
    o.loop = &loop;
    for (int i = 0; i < 3; i++) {
        st[i] = (struct starter){ &o, i };
        o.inside_spawn = true;
        int rc = co_spawn(&loop, log_start, &st[i]);
        o.inside_spawn = false;
        if (rc != 0)
            fail_msg("co_spawn(loop, fn, arg) number %d returned %s; expected 0", i,
                     uv_result_name(rc));
    }
    if (o.ran_inside_spawn || o.n != 0)
        fail_msg("fn ran inside co_spawn; it must start later, from the loop (uv_run), once "
                 "co_spawn has returned");
    run_to_end(&loop, "uv_run never returned after 4 coroutines that return at once: does "
               "each one start (a wake-up the loop sees), and are its handles closed after?");
    if (o.child_rc != 0)
        fail_msg("co_spawn from inside a coroutine returned %s; expected 0",
                 uv_result_name(o.child_rc));
    if (o.log_after_child_spawn != 0)
        fail_msg("a coroutine called co_spawn and the new coroutine ran before co_spawn "
                 "returned; it must wait for the loop");
    if (o.n != 4)
        fail_msg("%d of the 4 spawned coroutines ran; each must run exactly once", o.n);
    for (int i = 0; i < 4; i++)
        if (o.log[i] != i)
            fail_msg("the coroutines started in the order %d %d %d %d; expected 0 1 2 3 "
                     "(spawn order: a queue, first in first out)", o.log[0], o.log[1],
                     o.log[2], o.log[3]);
    expect_fds(before, "the coroutines");
}

/* ---- outside a coroutine ---- */

struct outside {
    struct pair *p;
    uv_idle_t idle;
    int read_rc, write_rc, sleep_rc;
    bool started;   /* the coroutine is about to wait in co_read */
    bool checked;
    ssize_t got;
};

static void outside_reader(void *arg)
{
    struct outside *t = arg;
    char buf[16];

    t->started = true;
    t->got = co_read((uv_stream_t *)&t->p->pipe, buf, sizeof buf);
    uv_close((uv_handle_t *)&t->p->pipe, NULL);
}

/* A loop callback that runs while the coroutine waits in co_read: it is not a coroutine. */
static void outside_idle(uv_idle_t *h)
{
    struct outside *t = h->data;
    char buf[4];

    if (!t->started)
        return;     /* the coroutine has not started yet: look again next iteration */
    t->read_rc = (int)co_read((uv_stream_t *)&t->p->pipe, buf, sizeof buf);
    t->write_rc = co_write((uv_stream_t *)&t->p->pipe, "x", 1);
    t->sleep_rc = co_sleep(0);
    t->checked = true;
    uv_idle_stop(h);
    uv_close((uv_handle_t *)h, NULL);
    send_all(t->p->peer, "k", 1);   /* now let the coroutine's read finish */
}

static void expect_einval_outside(long rc, const char *call, const char *where)
{
    if (rc != UV_EINVAL)
        fail_msg("%s %s returned %s; expected EINVAL (it may only be called inside a "
                 "coroutine: is the running coroutine remembered, and forgotten when it "
                 "yields?)", call, where, uv_result_name(rc));
}

static void test_co_calls_outside_a_coroutine_are_einval(void **state)
{
    (void)state;
    struct pair p;
    struct outside t = { .p = &p, .got = -1 };
    char buf[4];

    pair_up(&p, 0);
    expect_einval_outside(co_read((uv_stream_t *)&p.pipe, buf, sizeof buf), "co_read(s, buf, 4)",
                          "before uv_run");
    expect_einval_outside(co_write((uv_stream_t *)&p.pipe, "x", 1), "co_write(s, \"x\", 1)",
                          "before uv_run");
    expect_einval_outside(co_sleep(0), "co_sleep(0)", "before uv_run");
    expect_einval_outside(co_sleep(5), "co_sleep(5)", "before uv_run");
    spawn(&p.loop, outside_reader, &t);
    UV_CHECK(uv_idle_init(&p.loop, &t.idle));
    t.idle.data = &t;
    UV_CHECK(uv_idle_start(&t.idle, outside_idle));
    run_to_end(&p.loop, "uv_run never returned: a coroutine waited in co_read for 1 byte that "
               "the test sent");
    if (!t.checked)
        fail_msg("the test's idle callback never ran");
    expect_einval_outside(t.read_rc, "co_read", "in a loop callback while a coroutine waited");
    expect_einval_outside(t.write_rc, "co_write", "in a loop callback while a coroutine waited");
    expect_einval_outside(t.sleep_rc, "co_sleep(0)", "in a loop callback while a coroutine "
                          "waited");
    expect_long_eq(t.got, 1, "co_read of the 1 byte sent");
    close(p.peer);
    expect_fds(p.before, "the test");
}

/* ---- co_read ---- */

struct reader {
    struct pair *p;
    ssize_t got[4];
    char buf[4096];
    void *data_after;
};

static int data_marker;

static void read_once(void *arg)
{
    struct reader *r = arg;

    r->got[0] = co_read((uv_stream_t *)&r->p->pipe, r->buf, sizeof r->buf);
    r->data_after = r->p->pipe.data;
    uv_close((uv_handle_t *)&r->p->pipe, NULL);
}

/* 10 bytes arrived, 4096 asked: co_read returns 10, the bytes in buf, s->data as it was. */
static void test_co_read_returns_what_arrived(void **state)
{
    (void)state;
    struct pair p;
    struct reader r = { .p = &p };

    pair_up(&p, 0);
    p.pipe.data = &data_marker;
    send_all(p.peer, "0123456789", 10);
    spawn(&p.loop, read_once, &r);
    run_to_end(&p.loop, "10 bytes were waiting, and co_read(s, buf, 4096) never returned: "
               "does read_cb resume the coroutine when ANY bytes arrive (nread > 0)?");
    if (r.got[0] != 10)
        fail_msg("co_read(s, buf, 4096) returned %zd with 10 bytes waiting; expected 10 (what "
                 "arrived: nread, not the size asked for)", r.got[0]);
    if (memcmp(r.buf, "0123456789", 10) != 0)
        fail_msg("co_read returned 10 but buf does not hold the 10 bytes sent: read straight "
                 "into the caller's buffer (alloc_cb hands it to libuv)");
    if (r.data_after != &data_marker)
        fail_msg("after co_read, s->data is %p; it was %p before: give it back when the read "
                 "ends", r.data_after, (void *)&data_marker);
    close(p.peer);
    expect_fds(p.before, "the test");
}

static void read_to_eof(void *arg)
{
    struct reader *r = arg;

    for (int i = 0; i < 4; i++)
        r->got[i] = co_read((uv_stream_t *)&r->p->pipe, r->buf, sizeof r->buf);
    uv_close((uv_handle_t *)&r->p->pipe, NULL);
}

/* "hello", then the peer shuts down: 5, then 0, 0, 0. */
static void test_co_read_eof_then_zero_forever(void **state)
{
    (void)state;
    struct pair p;
    struct reader r = { .p = &p };

    pair_up(&p, 0);
    send_all(p.peer, "hello", 5);
    SYS_CHECK(shutdown(p.peer, SHUT_WR));
    spawn(&p.loop, read_to_eof, &r);
    run_to_end(&p.loop, "the peer sent 5 bytes and shut down; four co_read calls never all "
               "returned: at UV_EOF resume with 0, and after EOF return 0 at once");
    if (r.got[0] != 5)
        fail_msg("the first co_read returned %zd; expected 5 (\"hello\")", r.got[0]);
    for (int i = 1; i < 4; i++)
        if (r.got[i] != 0)
            fail_msg("co_read call %d after the peer's EOF returned %s; expected 0 (EOF is 0, "
                     "not UV_EOF, and every later call is 0 too)", i,
                     uv_result_name(r.got[i]));
    close(p.peer);
    expect_fds(p.before, "the test");
}

struct badargs {
    struct pair *p;
    long rc[6];
};

static void bad_calls(void *arg)
{
    struct badargs *b = arg;
    uv_stream_t *s = (uv_stream_t *)&b->p->pipe;
    char buf[8];

    b->rc[0] = co_read(NULL, buf, sizeof buf);
    b->rc[1] = co_read(s, NULL, sizeof buf);
    b->rc[2] = co_read(s, buf, 0);
    b->rc[3] = co_write(NULL, "x", 1);
    b->rc[4] = co_write(s, buf, 0);
    b->rc[5] = co_sleep(0);
    uv_close((uv_handle_t *)s, NULL);
}

static void test_co_calls_with_bad_arguments(void **state)
{
    (void)state;
    static const char *what[6] = {
        "co_read(NULL, buf, 8)", "co_read(s, NULL, 8)", "co_read(s, buf, 0)",
        "co_write(NULL, \"x\", 1)", "co_write(s, buf, 0)", "co_sleep(0)",
    };
    static const long want[6] = { UV_EINVAL, UV_EINVAL, UV_EINVAL, UV_EINVAL, 0, 0 };
    struct pair p;
    struct badargs b;

    pair_up(&p, 0);
    b.p = &p;
    spawn(&p.loop, bad_calls, &b);
    run_to_end(&p.loop, "a coroutine made calls with bad arguments (they must return at once) "
               "and then co_sleep(0), and never finished");
    for (int i = 0; i < 6; i++)
        if (b.rc[i] != want[i])
            fail_msg("inside a coroutine, %s returned %s; expected %s", what[i],
                     uv_result_name(b.rc[i]), uv_result_name(want[i]));
    close(p.peer);
    expect_fds(p.before, "the test");
}

/* ---- co_write ---- */

enum { BIG = 8 << 20 };

struct writer {
    struct pair *p;
    int rc;
};

static void write_big(void *arg)
{
    struct writer *w = arg;
    uint8_t *buf = malloc(BIG);

    if (buf == NULL) {
        w->rc = 1;
        uv_close((uv_handle_t *)&w->p->pipe, NULL);
        return;
    }
    echo_pattern_fill(1, 0, buf, BIG);
    w->rc = co_write((uv_stream_t *)&w->p->pipe, buf, BIG);
    /* co_write has returned: libuv is done with buf. Spoil it and give it back. */
    memset(buf, 0, BIG);
    free(buf);
    uv_close((uv_handle_t *)&w->p->pipe, NULL);
}

static void *loop_thread(void *arg)
{
    uv_run(arg, UV_RUN_DEFAULT);
    return NULL;
}

/* 8 MiB in one co_write, to a reader that takes it 4 KiB at a time: every byte arrives, in
 * order, then EOF; the coroutine spoils and frees its buffer as soon as co_write returns. */
static void test_co_write_8mib_to_slow_reader(void **state)
{
    (void)state;
    struct pair p;
    struct writer w = { .p = &p, .rc = 1 };
    static uint8_t got[4096], want[4096];
    pthread_t t;

    pair_up(&p, 16 * 1024);
    spawn(&p.loop, write_big, &w);
    PT_CHECK(pthread_create(&t, NULL, loop_thread, &p.loop));
    hang_hint("a coroutine wrote 8 MiB with co_write and the reader waited for bytes that "
              "never came: does co_write start uv_write and resume from its callback?");
    uint64_t off = 0;
    for (;;) {
        ssize_t n = recv(p.peer, got, sizeof got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail_msg("the reader's recv failed after %llu bytes: %s", (unsigned long long)off,
                     strerror(errno));
        if (n == 0)
            break;
        if (off + (uint64_t)n > BIG)
            fail_msg("the reader got more than the 8 MiB written");
        echo_pattern_fill(1, off, want, (size_t)n);
        if (memcmp(got, want, (size_t)n) != 0)
            fail_msg("byte %llu of what co_write sent differs from the buffer it was given (a "
                     "0 byte: the coroutine spoiled its buffer after co_write returned, so "
                     "co_write returned before libuv had written everything: wait for the "
                     "write callback)", (unsigned long long)off);
        off += (uint64_t)n;
    }
    if (off != BIG)
        fail_msg("the stream ended after %llu of the 8 MiB: co_write returned before its "
                 "write callback ran (the coroutine then closed the stream)",
                 (unsigned long long)off);
    hang_hint("uv_run never returned after the coroutine wrote 8 MiB and closed its stream");
    PT_CHECK(pthread_join(t, NULL));
    hang_hint(NULL);
    int rc = uv_loop_close(&p.loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s; expected 0", uv_result_name(rc));
    expect_uv_eq(w.rc, 0, "co_write(s, buf, 8 MiB)");
    close(p.peer);
    expect_fds(p.before, "the test");
}

/* ---- co_sleep ---- */

struct turns {
    char log[8];
    int n;
    int rc[2];
};

struct turn {
    struct turns *t;
    char name;
    int i;
};

static void take_turns(void *arg)
{
    struct turn *me = arg;

    me->t->log[me->t->n++] = me->name;
    me->t->rc[me->i] = co_sleep(0);
    me->t->log[me->t->n++] = (char)(me->name - 'a' + 'A');
}

/* Two coroutines each log, co_sleep(0), log again: a b A B. */
static void test_co_sleep_zero_yields_once(void **state)
{
    (void)state;
    struct turns t = { .n = 0 };
    struct turn a = { &t, 'a', 0 }, b = { &t, 'b', 1 };
    int before = fd_baseline();
    uv_loop_t loop;

    UV_CHECK(uv_loop_init(&loop));
    spawn(&loop, take_turns, &a);
    spawn(&loop, take_turns, &b);
    run_to_end(&loop, "two coroutines called co_sleep(0) and never came back: does a wake-up "
               "reach the loop?");
    t.log[t.n < 8 ? t.n : 7] = '\0';
    if (strcmp(t.log, "abAB") != 0)
        fail_msg("the events came in the order \"%s\"; expected \"abAB\" (a, b start; each "
                 "co_sleep(0) lets the other run before it goes on)", t.log);
    expect_uv_eq(t.rc[0], 0, "co_sleep(0)");
    expect_uv_eq(t.rc[1], 0, "co_sleep(0) in the second coroutine");
    expect_fds(before, "the coroutines");
}

/* ---- the echo server on a loop of its own thread ---- */

/* The harness's start (struct echo_under_test): co_echo_start on port 0, its results checked in
 * this lesson's words. */
static void *start_server(uv_loop_t *loop, const char *host, int *bound_port)
{
    struct co_echo *s = NULL;
    int rc = co_echo_start(loop, host, 0, &s, bound_port);

    if (rc != 0)
        fail_msg("co_echo_start(loop, \"%s\", 0, &s, &port) returned %s; expected 0", host,
                 uv_result_name(rc));
    if (s == NULL)
        fail_msg("co_echo_start returned 0 but left *out NULL");
    if (*bound_port <= 0 || *bound_port > 65535)
        fail_msg("co_echo_start(..., port 0, ...) stored %d in *bound_port; expected the port "
                 "the kernel picked (uv_tcp_getsockname)", *bound_port);
    return s;
}

static void stop_server(void *s)
{
    co_echo_stop(s);
}

static const struct echo_under_test co_echo_server = {
    .start = start_server,
    .stop = stop_server,
    .stop_hang_hint = "uv_run never returned after co_echo_stop: it must close the listener "
                      "and every client, and wake each client's coroutine (a pending co_read "
                      "returns UV_ECANCELED) so that it can finish and close its own handles",
    .still_open = "a handle of the server or of a coroutine is still open",
    .echo_stalled = "does each connection's coroutine loop co_read, co_write until EOF?",
};

static void server_up(struct server_run *r)
{
    server_up_at(r, &co_echo_server, "127.0.0.1");
}

/* Every active timer of the loop is made due now: a coroutine in a long co_sleep wakes. The
 * test reaches into uv_timer_t for the callback (a public field of libuv's struct). */
static void make_due(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (h->type == UV_TIMER && uv_is_active(h) && !uv_is_closing(h)) {
        uv_timer_t *t = (uv_timer_t *)h;
        UV_CHECK(uv_timer_start(t, t->timer_cb, 0, 0));
    }
}

/* A server_run's at_stop: the stop callback makes every pending timer due first. */
static void make_timers_due(uv_loop_t *loop)
{
    uv_walk(loop, make_due, NULL);
}

static void loop_finish(uv_loop_t *loop, int before)
{
    loop_close_after_failed_start(loop, "co_echo_start");
    expect_fds(before, "a failed co_echo_start");
}

/* ---- co_echo_start's errors ---- */

static void test_co_echo_start_rejects_bad_arguments(void **state)
{
    (void)state;
    static const struct { const char *host; int port; } bad[] = {
        { "not-an-ip", 0 }, { "localhost", 0 }, { "", 0 }, { "127.0.0.1", -1 },
        { "127.0.0.1", 65536 }, { NULL, 0 },
    };
    int before = fd_baseline();
    uv_loop_t loop;
    struct co_echo *s;
    int port;

    UV_CHECK(uv_loop_init(&loop));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = (struct co_echo *)&loop;
        int rc = co_echo_start(&loop, bad[i].host, bad[i].port, &s, &port);
        if (rc != UV_EINVAL)
            fail_msg("co_echo_start(loop, \"%s\", %d, ...) returned %s; expected EINVAL (only "
                     "literal IPv4/IPv6 addresses and ports 0..65535)",
                     bad[i].host ? bad[i].host : "NULL", bad[i].port, uv_result_name(rc));
        if (s != NULL)
            fail_msg("co_echo_start failed with EINVAL but did not set *out to NULL");
    }
    expect_uv_eq(co_echo_start(NULL, "127.0.0.1", 0, &s, &port), UV_EINVAL,
                   "co_echo_start(NULL, \"127.0.0.1\", 0, &s, &port)");
    expect_uv_eq(co_echo_start(&loop, "127.0.0.1", 0, NULL, &port), UV_EINVAL,
                   "co_echo_start(loop, \"127.0.0.1\", 0, NULL, &port)");
    loop_finish(&loop, before);
}

static void test_co_echo_start_busy_port_is_eaddrinuse(void **state)
{
    (void)state;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    socklen_t alen = sizeof a;
    int before = fd_baseline();
    uv_loop_t loop;
    struct co_echo *s = NULL;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int taken = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    SYS_CHECK(bind(taken, (struct sockaddr *)&a, sizeof a));
    SYS_CHECK(listen(taken, 1));
    SYS_CHECK(getsockname(taken, (struct sockaddr *)&a, &alen));
    UV_CHECK(uv_loop_init(&loop));
    int rc = co_echo_start(&loop, "127.0.0.1", ntohs(a.sin_port), &s, NULL);
    if (rc != UV_EADDRINUSE)
        fail_msg("co_echo_start on a port already listened on returned %s; expected "
                 "EADDRINUSE (uv_listen reports what uv_tcp_bind found)", uv_result_name(rc));
    if (s != NULL)
        fail_msg("co_echo_start failed but did not set *out to NULL");
    close(taken);
    loop_finish(&loop, before);
}

/* ---- echoing (lesson 08's tests) ---- */

static void test_co_echo_small_message(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 1000, false);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

static void test_co_echo_8mib_message(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 8u << 20, false);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

static void test_co_echo_ipv6(void **state)
{
    (void)state;
    if (!ipv6_loopback_present())
        return;
    struct server_run r = { 0 };
    server_up_at(&r, &co_echo_server, "::1");
    run_clients(&r, "::1", 1, 256 * 1024, false);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

static void test_co_echo_half_close_gets_all_then_eof(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 8u << 20, true);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

static void test_co_echo_100_clients_at_once(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 100, 200 * 1000, true);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

/* A client resets in the middle of a message: its coroutine ends, the others are served. */
static void test_co_echo_client_vanishes_mid_message(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    char err[512];
    uint64_t sent;

    server_up(&r);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    hang_hint("a client sent bytes and waited for their echo, which never came");
    if (echo_flood(fd, 0, 4u << 20, 100, &sent, err, sizeof err) != 0 ||
        echo_expect(fd, 0, 0, 64 * 1024, err, sizeof err) != 0)
        fail_msg("%s", err);
    hang_hint(NULL);
    SYS_CHECK(echo_close_with_reset(fd));
    run_clients(&r, "127.0.0.1", 2, 1u << 20, true);
    server_down(&r, "uv_run never returned after a client reset mid-message: when co_read or "
                "co_write returns an error, the coroutine must close its client and return");
    expect_fds(r.fds_before, "the server");
}

/* A client that never reads: its coroutine waits in co_write, so it reads nothing more and
 * the loop's thread holds about one buffer for it. Two other clients are served meanwhile;
 * then the first one reads all its echo, untouched by theirs. */
static void test_co_echo_client_that_never_reads_costs_one_buffer(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    const long long limit = 1 << 20;
    char err[512];
    uint64_t sent;

    server_up(&r);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    int small = 256 * 1024;
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    long long base = held_peak_restart();
    if (echo_flood(fd, 3, 64u << 20, 200, &sent, err, sizeof err) != 0)
        fail_msg("%s", err);
    long long peak = held_peak_above(base);
    if (peak > limit)
        fail_msg("a client sent %llu MiB without reading; the server's loop then held %lld KiB "
                 "(limit %lld KiB): the coroutine must wait in co_write for its echo to be "
                 "written before it reads again (one buffer in flight)",
                 (unsigned long long)(sent >> 20), peak >> 10, limit >> 10);
    /* Its coroutine now waits in co_write with echo not yet sent: another client is served
     * meanwhile, and must not touch that echo (each connection reads into its own buffer). */
    run_clients(&r, "127.0.0.1", 2, 256 * 1024, false);
    hang_hint("the client sent %llu bytes without reading, then read their echo, which never "
              "all came", (unsigned long long)sent);
    if (echo_expect(fd, 3, 0, sent, err, sizeof err) != 0)
        fail_msg("%s (while this client did not read, two others were served: does every "
                 "connection read into a buffer of its own?)", err);
    hang_hint(NULL);
    close(fd);
    server_down(&r, NULL);
    expect_fds(r.fds_before, "the server");
}

/* ---- co_echo_stop ---- */

/* Five clients, each served once, so each coroutine now waits in co_read: stop ends the loop. */
static void test_co_echo_stop_wakes_coroutines_waiting_in_read(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    char err[512];
    int fd[5];

    server_up(&r);
    for (int i = 0; i < 5; i++) {
        fd[i] = echo_connect("127.0.0.1", r.port);
        if (fd[i] < 0)
            fail_msg("connect to the server: %s", strerror(errno));
        uint8_t msg[100];
        echo_pattern_fill((unsigned)i, 0, msg, sizeof msg);
        send_all(fd[i], msg, sizeof msg);
        hang_hint("client %d sent 100 bytes and waited for their echo, which never came", i);
        if (echo_expect(fd[i], (unsigned)i, 0, sizeof msg, err, sizeof err) != 0)
            fail_msg("%s", err);
    }
    server_down(&r, "uv_run never returned after co_echo_stop while 5 coroutines waited in "
                "co_read: closing a stream does not end a pending read; co_echo_stop must "
                "make each pending co_read return UV_ECANCELED (stop the read, wake the "
                "coroutine) so that it finishes");
    for (int i = 0; i < 5; i++) {
        uint8_t b;
        ssize_t n;
        hang_hint("after co_echo_stop, client %d's connection was still open", i);
        while ((n = recv(fd[i], &b, 1, 0)) < 0 && errno == EINTR)
            ;
        if (n > 0)
            fail_msg("after co_echo_stop client %d read a byte; expected the end", i);
        close(fd[i]);
    }
    hang_hint(NULL);
    expect_fds(r.fds_before, "the server");
}

/* A client floods without reading: its coroutine waits in co_write. Stop ends the loop. */
static void test_co_echo_stop_wakes_coroutine_waiting_in_write(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    char err[512];
    uint64_t sent;

    server_up(&r);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    if (echo_flood(fd, 2, 64u << 20, 100, &sent, err, sizeof err) != 0)
        fail_msg("%s", err);
    server_down(&r, "uv_run never returned after co_echo_stop while a coroutine waited in "
                "co_write: closing the client makes its write callback run with "
                "UV_ECANCELED; the coroutine must then return");
    close(fd);
    expect_fds(r.fds_before, "the server");
}

static void test_co_echo_stop_null_and_twice_do_nothing(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    r.stop_twice = true;
    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 1000, false);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    server_down(&r, NULL);
    close(fd);
    expect_fds(r.fds_before, "the server");
}

/* ---- the loop is not blocked ---- */

struct sleeper {
    atomic_bool woke;
    int rc;
};

static void sleep_long(void *arg)
{
    struct sleeper *s = arg;

    s->rc = co_sleep(600000);   /* ten minutes: it wakes only when the test makes it due */
    atomic_store(&s->woke, true);
}

/* A coroutine sleeps ten minutes while the echo server's coroutines serve a client: the echo
 * comes back and the sleeper is still asleep. The order proves it, not the clock: the test
 * then makes the sleeper's timer due, and it wakes before uv_run returns. */
static void test_co_sleep_while_another_coroutine_serves(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    struct sleeper s = { .rc = 1 };

    server_init(&r, &co_echo_server, "127.0.0.1");
    spawn(&r.loop, sleep_long, &s);
    r.at_stop = make_timers_due;
    server_go(&r);
    hang_hint("a coroutine called co_sleep(600000) and then a client's echo never came: the "
              "loop is blocked. co_sleep must start a timer and yield, never sleep the thread");
    char err[512];
    if (echo_clients_run("127.0.0.1", r.port, 2, 100 * 1000, false, err, sizeof err) != 0)
        fail_msg("%s", err);
    hang_hint(NULL);
    if (atomic_load(&s.woke))
        fail_msg("co_sleep(600000) returned before its time (and before the test made it due): "
                 "it must suspend the coroutine until a timer of ms milliseconds fires");
    server_down(&r, "uv_run never returned after the sleeper's timer was made due and "
                "co_echo_stop was called: does the timer callback resume the coroutine?");
    if (!atomic_load(&s.woke))
        fail_msg("uv_run returned while a coroutine still slept in co_sleep");
    expect_uv_eq(s.rc, 0, "co_sleep(600000)");
    expect_fds(r.fds_before, "the server");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_co_spawn_rejects_null),
    cmocka_unit_test(test_co_spawn_starts_later_in_spawn_order),
    cmocka_unit_test(test_co_calls_outside_a_coroutine_are_einval),
    cmocka_unit_test(test_co_calls_with_bad_arguments),
    cmocka_unit_test(test_co_read_returns_what_arrived),
    cmocka_unit_test(test_co_read_eof_then_zero_forever),
    cmocka_unit_test(test_co_write_8mib_to_slow_reader),
    cmocka_unit_test(test_co_sleep_zero_yields_once),
    cmocka_unit_test(test_co_sleep_while_another_coroutine_serves),
    cmocka_unit_test(test_co_echo_start_rejects_bad_arguments),
    cmocka_unit_test(test_co_echo_start_busy_port_is_eaddrinuse),
    cmocka_unit_test(test_co_echo_small_message),
    cmocka_unit_test(test_co_echo_8mib_message),
    cmocka_unit_test(test_co_echo_ipv6),
    cmocka_unit_test(test_co_echo_half_close_gets_all_then_eof),
    cmocka_unit_test(test_co_echo_100_clients_at_once),
    cmocka_unit_test(test_co_echo_client_vanishes_mid_message),
    cmocka_unit_test(test_co_echo_client_that_never_reads_costs_one_buffer),
    cmocka_unit_test(test_co_echo_stop_wakes_coroutines_waiting_in_read),
    cmocka_unit_test(test_co_echo_stop_wakes_coroutine_waiting_in_write),
    cmocka_unit_test(test_co_echo_stop_null_and_twice_do_nothing),
};

COURSE_MAIN("12-coroutines-on-the-loop", tests)
