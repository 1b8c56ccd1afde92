/* tests/common/echo_server_harness.h: an echo server under test, on a loop of its own thread.
 * Shared by lesson 08's tests (echo_start, echo_stop) and lesson 12's (co_echo_start,
 * co_echo_stop): the same harness for two servers with one contract.
 *
 * INCLUDE IT FROM EXACTLY ONE .c FILE PER TEST PROGRAM, after defining _GNU_SOURCE
 * (malloc_usable_size, syscall). Besides static functions it defines __wrap_malloc,
 * __wrap_calloc, __wrap_realloc and __wrap_free, which the linker needs once: the lesson's
 * tests/NN-topic/lesson.conf must say WRAP = malloc calloc realloc free.
 *
 * What it holds:
 * - The bytes the loop's thread holds. ld --wrap sends every malloc, calloc, realloc and free
 *   of the file under test through the wrappers below; they count only what the loop's thread
 *   allocates, so back-pressure is measured, not timed (held_peak_restart, held_peak_above).
 * - Descriptors: fd_count and fd_baseline, to prove that nothing is left open.
 * - ipv6_loopback_present, for the test on "::1".
 * - The server on a loop of its own thread (struct server_run): server_up_at starts it on
 *   port 0 and runs uv_run in a new thread; the test's thread talks to it over TCP with the
 *   clients of echo_client.h (run_clients); server_down stops it from the loop's thread,
 *   through a uv_async_t (the only libuv call that may come from another thread), joins the
 *   thread and closes the loop.
 * - loop_close_after_failed_start, for the tests where start must fail.
 * What differs between the two lessons (their start and stop, and the hints that name each
 * lesson's fix) comes in a struct echo_under_test that each test file fills in. */
#ifndef ECHO_SERVER_HARNESS_H
#define ECHO_SERVER_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uv.h>

/* The clients live with lesson 08's tests, for which they were written first. */
#include "../08-nonblocking-io/echo_client.h"
#include "check.h"
#include "runner.h"
#include "uv_check.h"

/* ---- the bytes the loop's thread holds ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

/* Set by loop_main for the life of uv_run: the test's own thread, the clients included,
 * allocates freely without being counted. */
static _Thread_local bool on_loop_thread;
static atomic_llong held_now, held_peak;

static void held_add(long long n)
{
    long long now = atomic_fetch_add(&held_now, n) + n;
    long long peak = atomic_load(&held_peak);
    while (now > peak && !atomic_compare_exchange_weak(&held_peak, &peak, now))
        ;
}

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    if (p != NULL && on_loop_thread)
        held_add((long long)malloc_usable_size(p));
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = __real_calloc(n, size);
    if (p != NULL && on_loop_thread)
        held_add((long long)malloc_usable_size(p));
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    long long before = p != NULL && on_loop_thread ? (long long)malloc_usable_size(p) : 0;
    void *q = __real_realloc(p, n);
    if (q != NULL && on_loop_thread)
        held_add((long long)malloc_usable_size(q) - before);
    return q;
}

void __wrap_free(void *p)
{
    if (p != NULL && on_loop_thread)
        held_add(-(long long)malloc_usable_size(p));
    __real_free(p);
}

/* Start measuring a peak from what the loop's thread holds now; returns that base. */
static long long held_peak_restart(void)
{
    long long base = atomic_load(&held_now);

    atomic_store(&held_peak, base);
    return base;
}

/* The most the loop's thread has held since held_peak_restart, above its base. */
static long long held_peak_above(long long base)
{
    return atomic_load(&held_peak) - base;
}

/* ---- descriptors ---- */

/* Descriptors open in this process: the entries of /proc/self/fd but ".", ".." and the
 * descriptor that opendir itself holds while it reads them. */
static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (d == NULL)
        die("opendir /proc/self/fd: %s", strerror(errno));
    while (readdir(d) != NULL)
        n++;
    SYS_CHECK(closedir(d));
    return n - 3;
}

/* The descriptors open before a test's loop exists. libuv opens a pipe of its own, once per
 * process, the first time any loop is made (a lock for signal handling) and keeps it: a
 * first loop made and closed here puts that pipe in the count, where it stays. */
static int fd_baseline(void)
{
    uv_loop_t first;

    UV_CHECK(uv_loop_init(&first));
    UV_CHECK(uv_loop_close(&first));
    return fd_count();
}

/* Can a server listen on "::1" here? If not, say so: the IPv6 test has nothing to check.
 * socket and bind are not SYS_CHECKed: their failing is the answer, not an error. */
static bool ipv6_loopback_present(void)
{
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    int probe = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool have = probe >= 0 && bind(probe, (struct sockaddr *)&a, sizeof a) == 0;

    if (probe >= 0)
        SYS_CHECK(close(probe));
    if (!have)
        print_message("no IPv6 loopback on this machine: nothing to check\n");
    return have;
}

/* ---- a server on a loop of its own thread ---- */

/* The server under test, filled in by each test file: its lesson's calls and its words. */
struct echo_under_test {
    /* Start the server on host, port 0, and store the port it bound in *bound_port; fail the
     * test (in the lesson's words) if it cannot: the test cannot go on without a server. */
    void *(*start)(uv_loop_t *loop, const char *host, int *bound_port);
    void (*stop)(void *server);   /* the lesson's stop, NULL included */
    /* The lesson's own hints: what to look at in that lesson's server. */
    const char *stop_hang_hint;    /* uv_run did not return after stop */
    const char *still_open;        /* uv_loop_close failed after uv_run: what is still open */
    const char *echo_stalled;      /* clients did not get all their echo: where to look */
};

/* The loop's thread as the kernel knows it (its gettid), 0 until it runs: for a look at it
 * in /proc/self/task. One server runs at a time (each test runs in a process of its own). */
static atomic_int loop_tid;

/* One test's server, owned by the test (on its stack). The test's thread fills it in before
 * the loop's thread starts; while that thread runs, only it touches loop and server, and the
 * test's thread only calls uv_async_send(&stop) and reads port and the counts; after the
 * join the test's thread has it all again. */
struct server_run {
    const struct echo_under_test *t;
    uv_loop_t loop;
    uv_async_t stop;
    void *server;
    int port;
    bool stop_twice;      /* the stop callback also calls stop(NULL) and a second time */
    void (*at_stop)(uv_loop_t *loop);   /* if set, called first in the stop callback */
    pthread_t thread;
    int fds_before;       /* before the loop existed */
    int fds_serving;      /* loop, listener and async open, no client */
};

static void on_stop(uv_async_t *a)
{
    struct server_run *r = a->data;

    if (r->at_stop != NULL)
        r->at_stop(&r->loop);
    if (r->stop_twice)
        r->t->stop(NULL);
    r->t->stop(r->server);
    if (r->stop_twice)
        r->t->stop(r->server);   /* before uv_run returns the server still exists: no effect */
    uv_close((uv_handle_t *)a, NULL);
}

static void *loop_main(void *arg)
{
    struct server_run *r = arg;

    on_loop_thread = true;
    atomic_store(&loop_tid, (int)syscall(SYS_gettid));
    uv_run(&r->loop, UV_RUN_DEFAULT);
    on_loop_thread = false;
    return NULL;
}

/* The loop, the server on host and the stop handle, with the loop's thread not started yet:
 * a test may add handles of its own to r->loop before server_go. */
static void server_init(struct server_run *r, const struct echo_under_test *t,
                        const char *host)
{
    /* A write to a closed peer must be an error, not a death. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        die("signal(SIGPIPE, SIG_IGN): %s", strerror(errno));
    r->t = t;
    r->fds_before = fd_baseline();
    UV_CHECK(uv_loop_init(&r->loop));
    r->port = -1;   /* so that a start that never stores the port is seen */
    r->server = t->start(&r->loop, host, &r->port);
    UV_CHECK(uv_async_init(&r->loop, &r->stop, on_stop));
    r->stop.data = r;
}

/* Run the loop in a thread of its own. */
static void server_go(struct server_run *r)
{
    r->fds_serving = fd_count();
    atomic_store(&loop_tid, 0);
    PT_CHECK(pthread_create(&r->thread, NULL, loop_main, r));
}

static void server_up_at(struct server_run *r, const struct echo_under_test *t,
                         const char *host)
{
    server_init(r, t, host);
    server_go(r);
}

/* Stop from the loop's thread, wait for uv_run to end, close the loop. hint says what was
 * waited for if uv_run never returns; NULL: the lesson's stop_hang_hint. */
static void server_down(struct server_run *r, const char *hint)
{
    UV_CHECK(uv_async_send(&r->stop));
    hang_hint("%s", hint != NULL ? hint : r->t->stop_hang_hint);
    PT_CHECK(pthread_join(r->thread, NULL));
    hang_hint(NULL);
    int rc = uv_loop_close(&r->loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after uv_run ended; expected 0 (%s)",
                 uv_result_name(rc), r->t->still_open);
}

/* Run clients, and fail the test with their message if they fail. */
static void run_clients(struct server_run *r, const char *host, int n, uint64_t len,
                        bool half_close)
{
    char err[512];

    hang_hint("%d client(s) sending %llu bytes each%s never got all their echo: %s", n,
              (unsigned long long)len, half_close ? " then half-closing" : "",
              r->t->echo_stalled);
    if (echo_clients_run(host, r->port, n, len, half_close, err, sizeof err) != 0)
        fail_msg("%s", err);
    hang_hint(NULL);
}

/* For tests where start must fail (start_name, as the message names it): run the loop once,
 * so that handles being closed finish closing, then close it. */
static void loop_close_after_failed_start(uv_loop_t *loop, const char *start_name)
{
    uv_run(loop, UV_RUN_NOWAIT);
    int rc = uv_loop_close(loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after a failed %s; expected 0: a handle made by %s "
                 "was not closed on its error path", uv_result_name(rc), start_name,
                 start_name);
}

#endif
