/* tests/08-nonblocking-io/test_echo.c: lesson 08's tests (echo_start, echo_stop).
 * Run: make check L=08   (or IMPL=path/to/your.c)
 *
 * How these tests work. Each test makes a loop, starts the server on 127.0.0.1 port 0 and
 * runs uv_run in a thread of its own, the loop's thread. The test's thread then talks to the
 * server over real TCP sockets, with the clients of echo_client.h (they read while they
 * send, as a real client must). Stop comes through a uv_async_t: its callback, on the loop's
 * thread, calls echo_stop and closes the async handle, after which uv_run must return. Every
 * test then checks that uv_loop_close returns 0 and that no descriptor is left open (the
 * entries of /proc/self/fd), and the AddressSanitizer run finds any leaked memory. That
 * harness is tests/common/echo_server_harness.h, shared with lesson 12's tests.
 *
 * Nothing here depends on speed. Where a wrong answer would make a test wait forever (a
 * loop that never ends, an echo that never comes), a hang_hint says what it waited for.
 *
 * Back-pressure is measured, not timed: lesson.conf wraps malloc, calloc, realloc and free
 * (ld --wrap) in the file under test, and the harness's wrappers count the bytes the loop's
 * thread holds. A client that never reads must not make that count grow past a bound. */
#define _GNU_SOURCE   /* malloc_usable_size, syscall(SYS_gettid): echo_server_harness.h */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "echo_client.h"
#include "echo_server_harness.h"
#include "exercise.h"
#include "runner.h"
#include "uv_check.h"

/* ---- lesson 08's server, for the harness ---- */

/* The harness's start (struct echo_under_test): echo_start on port 0, its results checked in
 * this lesson's words. */
static void *start_server(uv_loop_t *loop, const char *host, int *bound_port)
{
    struct echo_server *s = NULL;
    int rc = echo_start(loop, host, 0, &s, bound_port);

    if (rc != 0)
        fail_msg("echo_start(loop, \"%s\", 0, &s, &port) returned %s (%s); expected 0", host,
                 uv_result_name(rc), rc < 0 ? uv_strerror(rc) : "not a libuv result");
    if (s == NULL)
        fail_msg("echo_start returned 0 but left *out NULL; it must point to the server");
    if (*bound_port <= 0 || *bound_port > 65535)
        fail_msg("echo_start(..., port 0, ...) stored %d in *bound_port; expected the port the "
                 "kernel picked (uv_tcp_getsockname after uv_listen)", *bound_port);
    return s;
}

static void stop_server(void *s)
{
    echo_stop(s);
}

static const struct echo_under_test echo_server = {
    .start = start_server,
    .stop = stop_server,
    .stop_hang_hint = "uv_run never returned after echo_stop: echo_stop must uv_close the "
                      "listener and every client still open (a handle never closed keeps "
                      "the loop alive)",
    .still_open = "a handle of the server is still open?",
    .echo_stalled = "the server stopped echoing (a lost read restart after a pause? a write "
                    "never made?)",
};

static void server_up(struct server_run *r)
{
    server_up_at(r, &echo_server, "127.0.0.1");
}

static void expect_no_fd_leak(const struct server_run *r)
{
    int now = fd_count();
    if (now != r->fds_before)
        fail_msg("%d descriptors open after the test, %d before: the server left %d socket(s) "
                 "open (every handle must be closed with uv_close)", now, r->fds_before,
                 now - r->fds_before);
}

/* For tests where echo_start must fail: run the loop once (closing handles finish), close. */
static void loop_finish(uv_loop_t *loop, int fds_before)
{
    loop_close_after_failed_start(loop, "echo_start");
    if (fd_count() != fds_before)
        fail_msg("a failed echo_start left %d descriptor(s) open", fd_count() - fds_before);
}

/* ---- the server closes a client on its own: wait for it ---- */

/* The loop's thread, as the kernel sees it: its state letter (S: asleep) and how many times
 * it has been switched out. Unchanged while asleep means it has not run at all. */
static bool loop_thread_look(char *state, long long *switches)
{
    char path[64], line[256];
    long long vol = -1, nonvol = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/self/task/%d/status", atomic_load(&loop_tid));
    if ((f = fopen(path, "r")) == NULL)
        return false;
    *state = '?';
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "State:", 6) == 0)
            *state = line[6 + strspn(line + 6, " \t")];
        else
            sscanf(line, "voluntary_ctxt_switches: %lld", &vol),
            sscanf(line, "nonvoluntary_ctxt_switches: %lld", &nonvol);
    }
    fclose(f);
    *switches = vol + nonvol;
    return true;
}

/* Wait until the process has want descriptors: the server closes a connection on its own
 * thread, some time after the client did something. If instead the loop's thread sleeps
 * for a whole second without once running, with the socket still open, nothing is left
 * that would wake it to close it: fail with hint then (the runner's hang detector uses the
 * same rule; it cannot see this wait, which looks every millisecond). */
static void wait_fd_count(int want, const char *hint)
{
    const struct timespec ms = { 0, 1000000 };
    struct timespec quiet_since = { 0, 0 }, now;
    long long last = -1;

    hang_hint("%s", hint);
    while (fd_count() != want) {
        char state = '?';
        long long switches = -1;
        SYS_CHECK(clock_gettime(CLOCK_MONOTONIC, &now));
        if (loop_thread_look(&state, &switches) && state == 'S' && switches == last) {
            if (now.tv_sec - quiet_since.tv_sec >= 2 ||
                (now.tv_sec - quiet_since.tv_sec) * 1000000000L + now.tv_nsec -
                quiet_since.tv_nsec >= 1000000000L)
                fail_msg("%s (the loop slept for 1 s and the socket stayed open)", hint);
        } else {
            last = state == 'S' ? switches : -1;
            quiet_since = now;
        }
        nanosleep(&ms, NULL);
    }
    hang_hint(NULL);
}

/* ---- echo_start's errors ---- */

/* Not a literal address, a bad port, NULL arguments: UV_EINVAL, *out NULL, nothing open. */
static void test_echo_start_rejects_bad_arguments(void **state)
{
    (void)state;
    static const struct { const char *host; int port; } bad[] = {
        { "not-an-ip", 0 }, { "localhost", 0 }, { "", 0 }, { "127.0.0.1", -1 },
        { "127.0.0.1", 65536 }, { NULL, 0 },
    };
    int before = fd_baseline();
    uv_loop_t loop;
    struct echo_server *s;
    int port;

    UV_CHECK(uv_loop_init(&loop));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = (struct echo_server *)&loop;   /* any non-NULL value: it must be reset */
        int rc = echo_start(&loop, bad[i].host, bad[i].port, &s, &port);
        if (rc != UV_EINVAL)
            fail_msg("echo_start(loop, %s%s%s, %d, ...) returned %s; expected EINVAL (only "
                     "literal IPv4/IPv6 addresses and ports 0..65535)",
                     bad[i].host ? "\"" : "", bad[i].host ? bad[i].host : "NULL",
                     bad[i].host ? "\"" : "", bad[i].port, uv_result_name(rc));
        if (s != NULL)
            fail_msg("echo_start failed with EINVAL but did not set *out to NULL");
    }
    int rc = echo_start(NULL, "127.0.0.1", 0, &s, &port);
    if (rc != UV_EINVAL)
        fail_msg("echo_start(NULL, ...) returned %s; expected EINVAL", uv_result_name(rc));
    rc = echo_start(&loop, "127.0.0.1", 0, NULL, &port);
    if (rc != UV_EINVAL)
        fail_msg("echo_start(loop, ..., out NULL, ...) returned %s; expected EINVAL",
                 uv_result_name(rc));
    loop_finish(&loop, before);
}

/* A port another socket listens on: UV_EADDRINUSE (uv_listen reports what bind found). */
static void test_echo_start_busy_port_is_eaddrinuse(void **state)
{
    (void)state;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    socklen_t alen = sizeof a;
    int before = fd_baseline();
    uv_loop_t loop;
    struct echo_server *s = NULL;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int taken = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    SYS_CHECK(bind(taken, (struct sockaddr *)&a, sizeof a));
    SYS_CHECK(listen(taken, 1));
    SYS_CHECK(getsockname(taken, (struct sockaddr *)&a, &alen));
    int busy = ntohs(a.sin_port);

    UV_CHECK(uv_loop_init(&loop));
    int rc = echo_start(&loop, "127.0.0.1", busy, &s, NULL);
    if (rc != UV_EADDRINUSE)
        fail_msg("echo_start on port %d, already listened on, returned %s; expected "
                 "EADDRINUSE (uv_tcp_bind keeps that error and uv_listen returns it)", busy,
                 uv_result_name(rc));
    if (s != NULL)
        fail_msg("echo_start failed but did not set *out to NULL");
    close(taken);
    loop_finish(&loop, before);
}

/* bound_port may be NULL: the server starts anyway. */
static void test_echo_start_bound_port_null_is_allowed(void **state)
{
    (void)state;
    int before = fd_baseline();
    uv_loop_t loop;
    struct echo_server *s = NULL;

    UV_CHECK(uv_loop_init(&loop));
    int rc = echo_start(&loop, "127.0.0.1", 0, &s, NULL);
    if (rc != 0 || s == NULL)
        fail_msg("echo_start(loop, \"127.0.0.1\", 0, &s, NULL) returned %s with s %s; expected "
                 "0 and a server (bound_port NULL means: do not report the port)",
                 uv_result_name(rc), s ? "set" : "NULL");
    echo_stop(s);   /* before uv_run: the loop's thread is this one */
    hang_hint("uv_run never returned after echo_stop with no client: is the listener closed?");
    uv_run(&loop, UV_RUN_DEFAULT);
    hang_hint(NULL);
    rc = uv_loop_close(&loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after echo_stop and uv_run; expected 0",
                 uv_result_name(rc));
    if (fd_count() != before)
        fail_msg("the listening socket was left open after echo_stop");
}

/* ---- echoing ---- */

/* A small message comes back whole (one read, one write). */
static void test_echo_small_message(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 1000, false);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* 8 MiB, sent while reading: many reads, many writes, all in order. */
static void test_echo_8mib_message(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 8u << 20, false);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* The server on "::1" (IPv6) echoes too. Skipped where this machine has no IPv6 loopback. */
static void test_echo_ipv6(void **state)
{
    (void)state;
    if (!ipv6_loopback_present())
        return;
    struct server_run r = { 0 };
    server_up_at(&r, &echo_server, "::1");
    run_clients(&r, "::1", 1, 256 * 1024, false);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* After shutdown(SHUT_WR) a client still receives all 8 MiB of its echo, then EOF. */
static void test_echo_half_close_gets_all_then_eof(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 8u << 20, true);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* The half-close that matters: a client sends 7 MiB without reading (less than
 * ECHO_PAUSE_BYTES, so the server reads it all), with a small receive buffer, then
 * half-closes. Most of the echo is still queued in the server when its EOF arrives: all of
 * it must still come, then EOF. (A client that reads while it sends takes the echo so fast
 * that the server has almost nothing queued at EOF: such a test misses a close-on-EOF.)
 * This test stands on the 8 MiB of buffering lesson 08's contract promises. */
static void test_echo_half_close_with_echo_queued(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    const uint64_t len = 7u << 20;
    static uint8_t msg[ECHO_CHUNK];
    char err[512];

    server_up(&r);
    int fd = echo_connect_rcvbuf("127.0.0.1", r.port, 64 * 1024);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    hang_hint("a client sent 7 MiB without reading (less than ECHO_PAUSE_BYTES) and its sends "
              "blocked for good: did the server stop reading before 8 MiB of echo was queued?");
    for (uint64_t off = 0; off < len; off += sizeof msg) {
        echo_pattern_fill(5, off, msg, sizeof msg);
        for (size_t done = 0; done < sizeof msg;) {
            ssize_t w = send(fd, msg + done, sizeof msg - done, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                fail_msg("the client's send failed after %llu bytes: %s (the server closed "
                         "the connection?)", (unsigned long long)(off + done), strerror(errno));
            done += (size_t)w;
        }
    }
    SYS_CHECK(shutdown(fd, SHUT_WR));
    hang_hint("the client half-closed after sending 7 MiB, then read: the echo (or the EOF "
              "after it) never came. At UV_EOF, uv_shutdown (which waits for queued writes), "
              "then uv_close in its callback");
    if (echo_expect(fd, 5, 0, len, err, sizeof err) != 0)
        fail_msg("%s (at EOF, queued echoes must still be sent: uv_shutdown, not uv_close)",
                 err);
    uint8_t extra;
    ssize_t n;
    while ((n = recv(fd, &extra, 1, 0)) < 0 && errno == EINTR)
        ;
    if (n != 0)
        fail_msg("after the whole echo the client read %s; expected EOF (the server shuts its "
                 "side down once the echo is written)", n > 0 ? "more bytes" : strerror(errno));
    hang_hint(NULL);
    close(fd);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* Once it has sent the echo and its FIN, the server closes a half-closed client's socket. */
static void test_echo_closes_client_after_half_close(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 1000, true);
    wait_fd_count(r.fds_serving, "the client half-closed and got its echo and EOF, but the "
                  "server never closed its socket: after uv_shutdown's callback, uv_close "
                  "the client");
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* 100 clients at once, each with more than one read buffer of data, each half-closing. */
static void test_echo_100_clients_at_once(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    server_up(&r);
    run_clients(&r, "127.0.0.1", 100, 200 * 1000, true);
    wait_fd_count(r.fds_serving, "100 clients were served and went away, but the server did "
                  "not close all their sockets");
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* ---- clients that fail ---- */

/* A client that resets (RST) in the middle of an 8 MiB message, with echo still queued for
 * it: the server closes that client and keeps serving others. */
static void test_echo_client_vanishes_mid_message(void **state)
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
    wait_fd_count(r.fds_serving, "a client reset the connection in the middle of a message; "
                  "the server never closed its socket: a write callback with status < 0 or a "
                  "read error (nread < 0, not UV_EOF) must uv_close the client");
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* A client that got all its echo and then resets: the read error closes it at once. */
static void test_echo_reset_after_echo_closes_client(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    char err[512];

    server_up(&r);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    uint8_t msg[1000];
    echo_pattern_fill(7, 0, msg, sizeof msg);
    SYS_CHECK(send(fd, msg, sizeof msg, MSG_NOSIGNAL));
    hang_hint("a client sent 1000 bytes and waited for their echo, which never came");
    if (echo_expect(fd, 7, 0, sizeof msg, err, sizeof err) != 0)
        fail_msg("%s", err);
    SYS_CHECK(echo_close_with_reset(fd));
    wait_fd_count(r.fds_serving, "an idle client reset its connection (ECONNRESET) and the "
                  "server never closed its socket: in the read callback, nread < 0 other than "
                  "UV_EOF is an error: uv_close the client (an error is not an EOF: there is "
                  "no one left to shut down for)");
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* A client that sends and never reads: the server stops reading from it (its echo is not
 * taken) instead of buffering everything; then the client reads, and gets every byte. */
static void test_echo_pauses_reading_from_client_that_never_reads(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    const uint64_t max = 128u << 20;
    const long long limit = 3LL * ECHO_PAUSE_BYTES;
    char err[512];
    uint64_t sent;

    server_up(&r);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    int small = 256 * 1024;   /* our own buffers small: the server's side is what is tested */
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small));
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small));
    long long base = held_peak_restart();
    if (echo_flood(fd, 3, max, 200, &sent, err, sizeof err) != 0)
        fail_msg("%s", err);
    long long peak = held_peak_above(base);
    if (peak > limit)
        fail_msg("a client sent %llu MiB without reading; the server's loop then held %lld MiB "
                 "of memory (limit %lld MiB): no back-pressure. Stop reading (uv_read_stop) "
                 "while ECHO_PAUSE_BYTES or more of a client's echo is queued, and start "
                 "again from the write callback as it drains", (unsigned long long)(sent >> 20),
                 peak >> 20, limit >> 20);
    hang_hint("the client sent %llu bytes without reading, then read their echo, which never "
              "all came: after pausing, does the write callback start reading again?",
              (unsigned long long)sent);
    if (echo_expect(fd, 3, 0, sent, err, sizeof err) != 0)
        fail_msg("%s", err);
    hang_hint(NULL);
    close(fd);
    server_down(&r, NULL);
    expect_no_fd_leak(&r);
}

/* ---- echo_stop ---- */

/* Stop while clients are connected, one of them with echo queued: the loop ends. */
static void test_echo_stop_with_clients_connected_ends_loop(void **state)
{
    (void)state;
    struct server_run r = { 0 };
    char err[512];
    int fd[3];
    uint64_t sent;

    server_up(&r);
    for (int i = 0; i < 3; i++) {
        fd[i] = echo_connect("127.0.0.1", r.port);
        if (fd[i] < 0)
            fail_msg("connect to the server: %s", strerror(errno));
        uint8_t msg[100];
        echo_pattern_fill((unsigned)i, 0, msg, sizeof msg);
        SYS_CHECK(send(fd[i], msg, sizeof msg, MSG_NOSIGNAL));
        hang_hint("client %d sent 100 bytes and waited for their echo, which never came", i);
        if (echo_expect(fd[i], (unsigned)i, 0, sizeof msg, err, sizeof err) != 0)
            fail_msg("%s", err);
    }
    /* Client 2 keeps sending without reading: the server has echo queued for it. */
    if (echo_flood(fd[2], 2, 16u << 20, 50, &sent, err, sizeof err) != 0)
        fail_msg("%s", err);
    server_down(&r, NULL);
    for (int i = 0; i < 3; i++)
        close(fd[i]);
    expect_no_fd_leak(&r);
}

/* echo_stop(NULL) does nothing; a second echo_stop (in the same callback) does nothing. */
static void test_echo_stop_null_and_twice_do_nothing(void **state)
{
    (void)state;
    struct server_run r = { 0 };

    r.stop_twice = true;   /* set before the loop's thread starts */
    server_up(&r);
    run_clients(&r, "127.0.0.1", 1, 1000, false);
    int fd = echo_connect("127.0.0.1", r.port);
    if (fd < 0)
        fail_msg("connect to the server: %s", strerror(errno));
    server_down(&r, NULL);
    close(fd);
    expect_no_fd_leak(&r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_echo_start_rejects_bad_arguments),
    cmocka_unit_test(test_echo_start_busy_port_is_eaddrinuse),
    cmocka_unit_test(test_echo_start_bound_port_null_is_allowed),
    cmocka_unit_test(test_echo_small_message),
    cmocka_unit_test(test_echo_8mib_message),
    cmocka_unit_test(test_echo_ipv6),
    cmocka_unit_test(test_echo_half_close_gets_all_then_eof),
    cmocka_unit_test(test_echo_half_close_with_echo_queued),
    cmocka_unit_test(test_echo_closes_client_after_half_close),
    cmocka_unit_test(test_echo_100_clients_at_once),
    cmocka_unit_test(test_echo_client_vanishes_mid_message),
    cmocka_unit_test(test_echo_reset_after_echo_closes_client),
    cmocka_unit_test(test_echo_pauses_reading_from_client_that_never_reads),
    cmocka_unit_test(test_echo_stop_with_clients_connected_ends_loop),
    cmocka_unit_test(test_echo_stop_null_and_twice_do_nothing),
};

COURSE_MAIN("08-nonblocking-io", tests)
