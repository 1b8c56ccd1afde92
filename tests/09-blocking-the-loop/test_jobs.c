/* tests/09-blocking-the-loop/test_jobs.c: lesson 09's tests (job_start, job_stop).
 * Run: make check L=09   (or IMPL=path/to/your.c)
 *
 * How these tests stay deterministic. The server runs on a real loop in a thread of its own
 * and real TCP clients on 127.0.0.1 talk to it from the test's thread; the test stops it with
 * a uv_async_t (the only libuv call that is safe from another thread), whose callback calls
 * job_stop on the loop's thread. The work function is the test's own probe: it records which
 * thread called it, and for one chosen n it waits on a latch that only the test opens. So
 * "the loop answered a ping while work ran" is proven by order (the ping came back while the
 * latch was still shut), never by a clock.
 *
 * One more tool: settle(). A ping sent on a second client and its pong read back means the
 * loop has run one more batch of events. Whatever the first client sent before the ping was
 * already waiting in the kernel when that batch was collected, so after a few rounds the
 * server has read it. That is how the tests make sure a request was read in a read callback
 * of its own, or that the server has seen a half-close, before going on. settle() only
 * sharpens what the tests catch: a correct server passes whatever the timing.
 *
 * And a last one: the loop's rounds. A uv_prepare_t of the test's own, on the server's loop,
 * counts each round just before the loop goes to sleep for events. A test that waits for
 * the server to do something on its own (release a client's socket) checks, and if it is
 * not done yet, waits for one more round and checks again. If the server never does it, the
 * loop sleeps, the test waits, every thread is asleep: the runner calls that stuck after 1 s
 * and prints the hint, which says what was still missing. */
#define _GNU_SOURCE   /* MSG_NOSIGNAL is Linux's; setenv */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "exercise.h"
#include "runner.h"
#include "uv_check.h"

/* ---- the work function the server calls: a probe the test controls ---- */

static long expected(long n)
{
    return n / 2 + 1;   /* any pure function would do; this one is defined for every long */
}

/* mu guards every field. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    bool loop_known;
    pthread_t loop_thread;   /* the thread that runs uv_run */
    long calls;              /* work() calls started */
    long on_loop, off_loop;  /* ... on the loop's thread, and on another thread */
    long finished;           /* work() calls returned */
    long finished_n[32];     /* the n of each call returned, in the order they returned */
    bool blocking;           /* work(block_n) waits until the latch opens */
    long block_n;
    bool latch_open;
    long loop_rounds;        /* rounds the server's loop has made (on_round counts them) */
} probe = { .mu = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static long probe_work(long n)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.calls++;
    if (probe.loop_known && pthread_equal(pthread_self(), probe.loop_thread))
        probe.on_loop++;
    else
        probe.off_loop++;
    PT_CHECK(pthread_cond_broadcast(&probe.changed));
    while (probe.blocking && n == probe.block_n && !probe.latch_open)
        PT_CHECK(pthread_cond_wait(&probe.changed, &probe.mu));
    if (probe.finished < 32)
        probe.finished_n[probe.finished] = n;
    probe.finished++;
    PT_CHECK(pthread_cond_broadcast(&probe.changed));
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
    return expected(n);
}

static void probe_block_on(long n)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.blocking = true;
    probe.block_n = n;
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
}

static void probe_open_latch(void)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.latch_open = true;
    PT_CHECK(pthread_cond_broadcast(&probe.changed));
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
}

/* Forget the calls counted so far: a test that runs both modes judges each on its own. Only
 * between two servers, when no work runs. */
static void probe_reset_counts(void)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.calls = probe.on_loop = probe.off_loop = probe.finished = 0;
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
}

static long probe_get(const long *field)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    long v = *field;
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
    return v;
}

/* Wait until *field >= at_least; the caller has set a hang_hint saying what it waits for. */
static void probe_wait(const long *field, long at_least)
{
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    while (*field < at_least)
        PT_CHECK(pthread_cond_wait(&probe.changed, &probe.mu));
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
    hang_hint(NULL);
}

/* A libuv result against the one expected, both by name ("EINVAL", not -22). */
static void expect_uv(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s returned %s; expected %s%s", what, uv_result_name(got), uv_result_name(want),
                 got == UV_ENOSYS ? " (ENOSYS is the stub's answer: fill in the TODOs of "
                                    "exercise.c)" : "");
}

/* With offload 1, wait until work(N) has started on a pool thread. If it runs on the loop's
 * thread instead, the loop is stuck in it (the latch is shut) and the rest of the test
 * would hang: fail now, saying why. (test_offload_ping_answered_while_work_runs does not
 * use this: it proves the same by order alone.) */
static void expect_work_started_off_loop(const char *request)
{
    hang_hint("work() was never called for %s (offload = 1): is it queued with uv_queue_work?",
              request);
    probe_wait(&probe.calls, 1);
    if (probe_get(&probe.on_loop) > 0)
        fail_msg("with offload = 1, work() for %s ran on the loop's thread (inside the read "
                 "callback), so the loop can do nothing else until it returns: hand it to "
                 "uv_queue_work", request);
}

/* ---- the server, on its own loop in its own thread ---- */

struct server {
    uv_loop_t loop;
    uv_async_t stop;
    uv_prepare_t round;   /* counts the loop's rounds (see the top of the file) */
    struct job_server *js;
    int port;
    int offload;
    int run_rc;
    pthread_t thread;
};

static void ignore_sigpipe(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    SYS_CHECK(sigaction(SIGPIPE, &sa, NULL));
}

static void on_stop(uv_async_t *a)
{
    struct server *sv = a->data;
    job_stop(sv->js);
    job_stop(sv->js);   /* a second call must do nothing */
    uv_close((uv_handle_t *)&sv->round, NULL);
    uv_close((uv_handle_t *)a, NULL);
}

/* Runs once per round of the loop, just before it sleeps waiting for events: whatever the
 * server did in that round is done. */
static void on_round(uv_prepare_t *p)
{
    (void)p;
    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.loop_rounds++;
    PT_CHECK(pthread_cond_broadcast(&probe.changed));
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
}

static void *loop_main(void *arg)
{
    struct server *sv = arg;

    PT_CHECK(pthread_mutex_lock(&probe.mu));
    probe.loop_thread = pthread_self();
    probe.loop_known = true;
    PT_CHECK(pthread_mutex_unlock(&probe.mu));
    sv->run_rc = uv_run(&sv->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void server_start(struct server *sv, int offload)
{
    ignore_sigpipe();
    /* The tests need two pool threads at once (one work waits while another runs); libuv's
     * default is 4, but the learner's shell may say otherwise. */
    SYS_CHECK(setenv("UV_THREADPOOL_SIZE", "4", 1));
    memset(sv, 0, sizeof *sv);
    sv->offload = offload;
    UV_CHECK(uv_loop_init(&sv->loop));
    sv->port = -1;
    char what[96];
    snprintf(what, sizeof what, "job_start(loop, \"127.0.0.1\", 0, %d, work, &s, &port)", offload);
    expect_uv(job_start(&sv->loop, "127.0.0.1", 0, offload, probe_work, &sv->js, &sv->port), 0,
              what);
    if (sv->js == NULL)
        fail_msg("job_start returned 0 but left *out NULL; it must point to the new server");
    if (sv->port <= 0 || sv->port > 65535)
        fail_msg("job_start(..., port 0, ...) set *bound_port to %d; expected the port the "
                 "listener got (uv_tcp_getsockname tells it)", sv->port);
    UV_CHECK(uv_async_init(&sv->loop, &sv->stop, on_stop));
    sv->stop.data = sv;
    UV_CHECK(uv_prepare_init(&sv->loop, &sv->round));
    UV_CHECK(uv_prepare_start(&sv->round, on_round));
    uv_unref((uv_handle_t *)&sv->round);   /* counting rounds must not keep uv_run going */
    PT_CHECK(pthread_create(&sv->thread, NULL, loop_main, sv));
}

static void server_stop(struct server *sv)
{
    UV_CHECK(uv_async_send(&sv->stop));
    hang_hint("uv_run never returned after job_stop (offload = %d): is a client or the listener "
              "left open, or a write, shutdown or work request never finished?", sv->offload);
    PT_CHECK(pthread_join(sv->thread, NULL));
    hang_hint(NULL);
    if (sv->run_rc != 0)
        fail_msg("uv_run returned %d after job_stop; expected 0 (nothing left active)",
                 sv->run_rc);
    int rc = uv_loop_close(&sv->loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after job_stop and uv_run; expected 0: a handle "
                 "was never closed (the listener? a client?)", uv_result_name(rc));
}

/* ---- a blocking TCP client ---- */

struct conn {
    int fd;
    size_t len;          /* bytes received but not yet returned as lines */
    char buf[1 << 17];
    char what[64];       /* "client A", for messages */
};

static void conn_open(struct conn *c, int port, const char *name)
{
    struct sockaddr_in sin;
    int one = 1;

    c->len = 0;
    snprintf(c->what, sizeof c->what, "%s", name);
    c->fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SYS_CHECK(setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) != 0)
        fail_msg("%s could not connect to 127.0.0.1:%d (%s): is the server listening on the "
                 "port it reported?", name, port, strerror(errno));
}

static void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        SYS_CHECK(close(c->fd));
    c->fd = -1;
}

static void conn_send(struct conn *c, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t k = send(c->fd, data, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            fail_msg("%s: send failed (%s): did the server close the connection early?",
                     c->what, strerror(errno));
        data += k;
        n -= (size_t)k;
    }
}

static void conn_sends(struct conn *c, const char *text)
{
    conn_send(c, text, strlen(text));
}

/* A line for a message: control bytes shown as \n, \r, \xNN; long lines cut. */
static const char *shown(const char *s, size_t n)
{
    static char out[4][160];
    static int k;
    char *o = out[k++ % 4];
    size_t j = 0;

    for (size_t i = 0; i < n && j < sizeof out[0] - 8; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n')
            j += (size_t)snprintf(o + j, 8, "\\n");
        else if (ch == '\r')
            j += (size_t)snprintf(o + j, 8, "\\r");
        else if (ch < 32 || ch > 126)
            j += (size_t)snprintf(o + j, 8, "\\x%02x", ch);
        else
            o[j++] = (char)ch;
    }
    if (j >= sizeof out[0] - 8)
        j += (size_t)snprintf(o + j, 8, "...");
    o[j] = '\0';
    return o;
}

/* The next line (without its '\n') into line; false at EOF or on a reset connection. */
static bool conn_line(struct conn *c, char *line, size_t cap)
{
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - c->buf);
            if (n >= cap)
                fail_msg("%s received a line of %zu bytes (\"%s\"); answers are short lines",
                         c->what, n, shown(c->buf, n));
            memcpy(line, c->buf, n);
            line[n] = '\0';
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            return true;
        }
        if (c->len == sizeof c->buf)
            fail_msg("%s received %zu bytes with no '\\n': every answer ends in '\\n'", c->what,
                     c->len);
        ssize_t k = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno != ECONNRESET)
            fail_msg("%s: recv failed (%s)", c->what, strerror(errno));
        if (k <= 0) {
            if (c->len > 0)
                fail_msg("%s received \"%s\" and then the connection ended: an answer without "
                         "its '\\n'", c->what, shown(c->buf, c->len));
            return false;
        }
        c->len += (size_t)k;
    }
}

/* ---- the answers a test expects ---- */

/* The requests a test sent on one connection, in order, and the answer each must get. The
 * answers are read and compared as a whole script, not one string at a time, so that a
 * message can say what the line that came actually is: the answer to another request of the
 * same script (answers out of order), or the answer to none of them (a request misread). */
enum { SCRIPT_MAX = 8 };
struct script {
    size_t n;
    const char *request[SCRIPT_MAX];   /* as a message shows it */
    char answer[SCRIPT_MAX][64];       /* without its '\n' */
};

static void script_add(struct script *s, const char *request, const char *answer)
{
    assert_true(s->n < SCRIPT_MAX);
    s->request[s->n] = request;
    snprintf(s->answer[s->n], sizeof s->answer[0], "%s", answer);
    s->n++;
}

static void script_add_work(struct script *s, long n, const char *request)
{
    char answer[64];
    snprintf(answer, sizeof answer, "%ld %ld", n, expected(n));
    script_add(s, request, answer);
}

/* line came where the answer to request i was due, and it is not that answer. If it is
 * the answer to another request of the script, say so: a later one overtook, or an earlier
 * one came twice or late. */
static void script_mismatch(const struct conn *c, const struct script *s, size_t i,
                            const char *line)
{
    const char *req = s->request[i];
    size_t other = s->n;

    for (size_t j = i + 1; j < s->n && other == s->n; j++)
        if (strcmp(line, s->answer[j]) == 0)
            other = j;
    for (size_t j = 0; j < i && other == s->n; j++)
        if (strcmp(line, s->answer[j]) == 0)
            other = j;
    if (other == s->n)
        fail_msg("%s sent \"%s\"; the answer was \"%s\", expected \"%s\"", c->what,
                 shown(req, strlen(req)), shown(line, strlen(line)), s->answer[i]);
    if (other > i)
        fail_msg("%s: answers out of order? The answer to \"%s\" (\"%s\") was due, and "
                 "\"%s\" came: the answer to \"%s\", sent after it. Answers to one client "
                 "leave in request order: an answer that is ready waits until every answer "
                 "before it is written", c->what, shown(req, strlen(req)), s->answer[i],
                 shown(line, strlen(line)), s->request[other]);
    fail_msg("%s: an answer twice, or answers out of order? The answer to \"%s\" (\"%s\") "
             "was due, and \"%s\" came: the answer to \"%s\", sent before it, and read "
             "already", c->what, shown(req, strlen(req)), s->answer[i],
             shown(line, strlen(line)), s->request[other]);
}

/* Read the script's answers, in order, and compare each with the one due. */
static void conn_expect_script(struct conn *c, const struct script *s)
{
    char line[512];

    for (size_t i = 0; i < s->n; i++) {
        const char *req = s->request[i];
        hang_hint("%s waited for the answer \"%s\" to \"%s\" and none came: was the request "
                  "lost (a line split across reads?), or is its answer held back?", c->what,
                  s->answer[i], req);
        if (!conn_line(c, line, sizeof line))
            fail_msg("%s sent \"%s\" and the connection ended before the answer \"%s\" "
                     "came: a client is closed only when it is gone or after every answer",
                     c->what, shown(req, strlen(req)), s->answer[i]);
        hang_hint(NULL);
        if (strcmp(line, s->answer[i]) != 0)
            script_mismatch(c, s, i, line);
    }
}

/* Read one answer and compare it with want (given without its '\n'). */
static void conn_expect(struct conn *c, const char *want, const char *request)
{
    struct script s = { 0 };
    script_add(&s, request, want);
    conn_expect_script(c, &s);
}

static void conn_expect_work(struct conn *c, long n, const char *request)
{
    struct script s = { 0 };
    script_add_work(&s, n, request);
    conn_expect_script(c, &s);
}

/* The server must end the connection now: EOF (or a reset), nothing more. */
static void conn_expect_end(struct conn *c, const char *why)
{
    char line[512];

    hang_hint("%s waited for the server to end the connection (%s) and it never did", c->what,
              why);
    if (conn_line(c, line, sizeof line))
        fail_msg("%s expected the connection to end (%s) but received \"%s\"", c->what, why,
                 shown(line, strlen(line)));
    hang_hint(NULL);
}

/* One ping on b, its pong read back: the loop has run another batch of events. */
static void settle(struct conn *b, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        conn_sends(b, "ping\n");
        conn_expect(b, "pong", "ping");
    }
}

static void half_close(struct conn *c)
{
    SYS_CHECK(shutdown(c->fd, SHUT_WR));
}

/* Close so that the server reads a reset (UV_ECONNRESET), not an end: SO_LINGER, time 0. */
static void conn_reset(struct conn *c)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    SYS_CHECK(setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    conn_close(c);
}

/* Open descriptors of this process, from /proc/self/fd. */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (d == NULL)
        fail_msg("cannot open /proc/self/fd: %s", strerror(errno));
    while (readdir(d) != NULL)
        n++;
    SYS_CHECK(closedir(d));
    return n;
}

/* Sockets this process holds: the entries of /proc/self/fd that link to "socket:[...]".
 * Sockets only, so that a file a sanitizer's runtime opens for a moment cannot count. */
static int count_sockets(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        fail_msg("cannot open /proc/self/fd: %s", strerror(errno));
    while ((e = readdir(d)) != NULL) {
        char target[64];
        ssize_t k = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
        if (k > 0 && (size_t)k >= 7 && memcmp(target, "socket:", 7) == 0)
            n++;
    }
    SYS_CHECK(closedir(d));
    return n;
}

/* Wait until this process holds no more than want sockets: the server's clients, once the
 * test has closed its own ends, are the ones above want. The server releases them on the
 * loop's thread, some time after the test did its part, so: count; if some are still held,
 * wait for the loop to make one more round (on_round), and count again. No clock: a server
 * that never releases them leaves its loop asleep and this thread waiting, and the runner
 * reports the test stuck after 1 s of that, with the hint: how many are held after what
 * (after_what), and what to do (fix). */
static void wait_sockets_released(int want, const char *after_what, const char *fix)
{
    for (;;) {
        long round = probe_get(&probe.loop_rounds);
        int held = count_sockets() - want;
        if (held <= 0)
            break;
        hang_hint("the server still holds %d client socket%s after %s: %s", held,
                  held == 1 ? "" : "s", after_what, fix);
        probe_wait(&probe.loop_rounds, round + 1);
    }
    hang_hint(NULL);
}

/* Run the statements once per offload mode, each with a fresh server and client A. (A
 * variadic macro: the statements may contain commas.) */
#define BOTH_MODES(sv, a, ...)                                     \
    for (int mode_ = 0; mode_ <= 1; mode_++) {                     \
        server_start(&(sv), mode_);                                \
        conn_open(&(a), (sv).port, mode_ ? "client A (offload 1)" \
                                         : "client A (offload 0)"); \
        __VA_ARGS__                                                \
        conn_close(&(a));                                          \
        server_stop(&(sv));                                        \
    }

static struct server sv;
static struct conn a, b, cl[8];

/* ---- job_start's arguments ---- */

/* Each NULL argument and each bad port is UV_EINVAL, *out stays NULL, nothing is left open. */
static void test_job_start_rejects_bad_arguments(void **state)
{
    (void)state;
    uv_loop_t loop;
    struct job_server *s = (struct job_server *)&loop;   /* not NULL: it must be reset */
    int port = 0;
    UV_CHECK(uv_loop_init(&loop));

    expect_uv(job_start(&loop, "127.0.0.1", 0, 1, NULL, &s, &port), UV_EINVAL,
              "job_start(loop, \"127.0.0.1\", 0, 1, NULL work, &s, &port)");
    if (s != NULL)
        fail_msg("job_start failed but left *out set; on error *out must be NULL");
    expect_uv(job_start(NULL, "127.0.0.1", 0, 1, probe_work, &s, &port), UV_EINVAL,
              "job_start(NULL loop, ...)");
    expect_uv(job_start(&loop, NULL, 0, 1, probe_work, &s, &port), UV_EINVAL,
              "job_start(loop, NULL host, ...)");
    expect_uv(job_start(&loop, "127.0.0.1", 0, 1, probe_work, NULL, &port), UV_EINVAL,
              "job_start(..., NULL out, &port)");
    expect_uv(job_start(&loop, "127.0.0.1", -1, 1, probe_work, &s, &port), UV_EINVAL,
              "job_start(loop, \"127.0.0.1\", port -1, ...)");
    expect_uv(job_start(&loop, "127.0.0.1", 65536, 1, probe_work, &s, &port), UV_EINVAL,
              "job_start(loop, \"127.0.0.1\", port 65536, ...)");
    UV_CHECK(uv_run(&loop, UV_RUN_NOWAIT));
    int rc = uv_loop_close(&loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after failed job_start calls; expected 0: a "
                 "failed start must close what it opened", uv_result_name(rc));
}

/* A host that is not a literal address is UV_EINVAL; nothing is left open. */
static void test_job_start_bad_host_is_einval(void **state)
{
    (void)state;
    static const char *const hosts[] = { "localhost", "not an address", "127.0.0.256", "" };
    uv_loop_t loop;
    UV_CHECK(uv_loop_init(&loop));
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        struct job_server *s = NULL;
        char what[96];
        snprintf(what, sizeof what, "job_start(loop, \"%s\", 0, ...)", hosts[i]);
        expect_uv(job_start(&loop, hosts[i], 0, 1, probe_work, &s, NULL), UV_EINVAL, what);
        if (s != NULL)
            fail_msg("job_start failed for host \"%s\" but set *out", hosts[i]);
    }
    UV_CHECK(uv_run(&loop, UV_RUN_NOWAIT));
    int rc = uv_loop_close(&loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after job_start with bad hosts; expected 0",
                 uv_result_name(rc));
}

/* A port another server holds is UV_EADDRINUSE; the first server is untouched, and after
 * job_stop and one more run of the loop nothing is left open. */
static void test_job_start_busy_port_is_eaddrinuse(void **state)
{
    (void)state;
    uv_loop_t loop;
    struct job_server *s1 = NULL, *s2 = (struct job_server *)&loop;
    int port = -1, port2 = -1;
    UV_CHECK(uv_loop_init(&loop));
    expect_uv(job_start(&loop, "127.0.0.1", 0, 1, probe_work, &s1, &port), 0,
              "job_start(loop, \"127.0.0.1\", 0, ...)");
    if (s1 == NULL)
        fail_msg("job_start returned 0 but left *out NULL; it must point to the new server");
    int rc;
    rc = job_start(&loop, "127.0.0.1", port, 1, probe_work, &s2, &port2);
    if (rc != UV_EADDRINUSE)
        fail_msg("a second job_start on busy port %d returned %s; expected EADDRINUSE (libuv "
                 "reports it from uv_listen, not from uv_tcp_bind)", port, uv_result_name(rc));
    if (s2 != NULL)
        fail_msg("job_start failed with EADDRINUSE but set *out; it must be NULL");
    job_stop(s1);   /* the loop is not running: this thread is the loop's thread */
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    rc = uv_loop_close(&loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after a failed start and job_stop; expected 0: "
                 "a failed job_start must uv_close its listener (and free the server only in "
                 "the close callback)", uv_result_name(rc));
}

/* "::1" works like "127.0.0.1" (skipped where the machine has no IPv6 loopback). */
static void test_job_start_ipv6(void **state)
{
    (void)state;
    int probe_fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    s6.sin6_addr = in6addr_loopback;
    bool have_v6 = probe_fd >= 0 && bind(probe_fd, (struct sockaddr *)&s6, sizeof s6) == 0;
    if (probe_fd >= 0)
        SYS_CHECK(close(probe_fd));
    if (!have_v6)
        skip();

    uv_loop_t loop;
    struct job_server *s = NULL;
    int port = -1;
    UV_CHECK(uv_loop_init(&loop));
    int rc = job_start(&loop, "::1", 0, 1, probe_work, &s, &port);
    if (rc != 0 || s == NULL || port <= 0)
        fail_msg("job_start(loop, \"::1\", 0, ...) returned %s (port %d); expected 0: try "
                 "uv_ip6_addr when uv_ip4_addr refuses the host", uv_result_name(rc), port);
    job_stop(s);
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    rc = uv_loop_close(&loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after job_stop; expected 0", uv_result_name(rc));
}

/* ---- the protocol, in both modes ---- */

/* "ping\n" answers "pong\n". */
static void test_protocol_ping_answers_pong(void **state)
{
    (void)state;
    BOTH_MODES(sv, a, {
        conn_sends(&a, "ping\n");
        conn_expect(&a, "pong", "ping");
    });
}

/* "work N" answers "N work(N)" for small, zero and negative N. */
static void test_protocol_work_answers_n_and_result(void **state)
{
    (void)state;
    BOTH_MODES(sv, a, {
        conn_sends(&a, "work 42\n");
        conn_expect_work(&a, 42, "work 42");
        conn_sends(&a, "work 0\n");
        conn_expect_work(&a, 0, "work 0");
        conn_sends(&a, "work -5\n");
        conn_expect_work(&a, -5, "work -5");
        conn_sends(&a, "work 007\n");
        conn_expect_work(&a, 7, "work 007");
    });
}

/* The largest and smallest long are numbers like any other. */
static void test_protocol_work_long_limits(void **state)
{
    (void)state;
    BOTH_MODES(sv, a, {
        conn_sends(&a, "work 9223372036854775807\n");
        conn_expect_work(&a, LONG_MAX, "work 9223372036854775807");
        conn_sends(&a, "work -9223372036854775808\n");
        conn_expect_work(&a, LONG_MIN, "work -9223372036854775808");
    });
}

/* A number that does not fit a long is an error, and work is never called for it. */
static void test_protocol_work_overflow_is_error(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "work 99999999999999999999", "work 9223372036854775808",
        "work -9223372036854775809", "work 18446744073709551616",
    };
    BOTH_MODES(sv, a, {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char req[64];
            snprintf(req, sizeof req, "%s\n", bad[i]);
            conn_sends(&a, req);
            conn_expect(&a, "error", bad[i]);
        }
    });
    long calls = probe_get(&probe.calls);
    if (calls != 0)
        fail_msg("work() was called %ld times for numbers that do not fit a long; an overflow "
                 "is \"error\" (atoi and atol do not report overflow; check before each digit)",
                 calls);
}

/* Empty lines, '\r', unknown words and malformed numbers answer "error"; the connection
 * goes on. */
static void test_protocol_malformed_lines_are_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "\r", "ping\r", "PING", "ping ", " ping", "pingpong", "work", "work ", "work 1x",
        "work +1", "work  1", "work -", "work 1 2", "work\t1", "Work 1", "hello", "work 1\r",
    };
    BOTH_MODES(sv, a, {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char req[64];
            snprintf(req, sizeof req, "%s\n", bad[i]);
            conn_sends(&a, req);
            conn_expect(&a, "error", bad[i]);
        }
        conn_sends(&a, "ping\n");
        conn_expect(&a, "pong", "ping (after the bad lines)");
    });
    long calls = probe_get(&probe.calls);
    if (calls != 0)
        fail_msg("work() was called %ld times, but every \"work\" line sent was malformed",
                 calls);
}

/* A line of exactly 255 bytes is served. */
static void test_protocol_line_of_255_bytes_is_served(void **state)
{
    (void)state;
    char line[300];
    memset(line, '0', sizeof line);
    memcpy(line, "work ", 5);
    line[254] = '7';   /* "work 000...07": 255 bytes */
    line[255] = '\n';
    BOTH_MODES(sv, a, {
        conn_send(&a, line, 256);
        conn_expect_work(&a, 7, "work 000...07 (255 bytes)");
    });
}

/* A line of 256 bytes is one "error", and the next line is served. */
static void test_protocol_line_of_256_bytes_is_error(void **state)
{
    (void)state;
    char line[300];
    memset(line, '0', sizeof line);
    memcpy(line, "work ", 5);
    line[255] = '7';   /* 256 bytes */
    line[256] = '\n';
    BOTH_MODES(sv, a, {
        conn_send(&a, line, 257);
        conn_expect(&a, "error", "work 000...07 (256 bytes)");
        conn_sends(&a, "work 3\n");
        conn_expect_work(&a, 3, "work 3 (after the 256-byte line)");
    });
}

/* A 100 000-byte line is still one "error": the rest of it is skipped up to its '\n'. */
static void test_protocol_very_long_line_is_one_error(void **state)
{
    (void)state;
    enum { LONG_LINE = 100000 };
    char *line = malloc(LONG_LINE + 1);
    assert_non_null(line);
    memset(line, 'x', LONG_LINE);
    line[LONG_LINE] = '\n';
    BOTH_MODES(sv, a, {
        conn_send(&a, line, LONG_LINE + 1);
        conn_sends(&a, "ping\n");
        conn_expect(&a, "error", "a line of 100000 bytes");
        conn_expect(&a, "pong", "ping (after the long line: one \"error\" only, then this)");
    });
    free(line);
}

/* Requests sent one byte at a time, each byte read by a read callback of its own (settle()
 * makes sure), are answered as if they came whole, in request order. With offload 1,
 * work(12) waits on the latch until every byte has been read, so the ping behind it is
 * ready first, every time: its answer must still wait. (Without the latch, whether the
 * ping overtook depended on how fast the pool answered: a server that sends answers as soon
 * as they are ready failed here only under ThreadSanitizer.) */
static void test_protocol_requests_split_across_reads(void **state)
{
    (void)state;
    static const char msg[] = "work 12\nping\nwork -3\n";
    const size_t end_of_work_12 = 7;   /* msg[7] is the '\n' of "work 12" */
    struct script s = { 0 };
    script_add_work(&s, 12, "work 12 (sent one byte at a time)");
    script_add(&s, "ping (sent one byte at a time)", "pong");
    script_add_work(&s, -3, "work -3 (sent one byte at a time)");
    BOTH_MODES(sv, a, {
        if (mode_ == 1) {
            probe_reset_counts();   /* offload 0 called work on the loop's thread: not this */
            probe_block_on(12);
        }
        conn_open(&b, sv.port, "client B");
        for (size_t i = 0; i < sizeof msg - 1; i++) {
            conn_send(&a, msg + i, 1);
            if (mode_ == 1 && i == end_of_work_12)
                expect_work_started_off_loop("\"work 12\" (sent one byte at a time)");
            settle(&b, 3);
        }
        if (mode_ == 1)
            probe_open_latch();
        conn_expect_script(&a, &s);
        conn_close(&b);
    });
}

/* Several requests in one write are all answered, in order. */
static void test_protocol_several_requests_in_one_write(void **state)
{
    (void)state;
    struct script s = { 0 };
    script_add(&s, "ping (1st of 5 in one write)", "pong");
    script_add_work(&s, 3, "work 3 (2nd of 5 in one write)");
    script_add(&s, "bogus (3rd of 5 in one write)", "error");
    script_add_work(&s, 5, "work 5 (4th of 5 in one write)");
    script_add(&s, "ping (5th of 5 in one write)", "pong");
    BOTH_MODES(sv, a, {
        conn_sends(&a, "ping\nwork 3\nbogus\nwork 5\nping\n");
        conn_expect_script(&a, &s);
    });
}

/* Eight clients at once, each with its own requests, each answered in its own order. */
static void test_protocol_clients_are_independent(void **state)
{
    (void)state;
    BOTH_MODES(sv, a, {
        for (int i = 0; i < 8; i++) {
            char name[32], req[64];
            snprintf(name, sizeof name, "client %d", i);
            conn_open(&cl[i], sv.port, name);
            snprintf(req, sizeof req, "work %d\nping\nwork %d\n", 100 + i, -i);
            conn_sends(&cl[i], req);
        }
        for (int i = 7; i >= 0; i--) {
            struct script s = { 0 };
            script_add_work(&s, 100 + i, "work 10x (first request of this client)");
            script_add(&s, "ping (second request of this client)", "pong");
            script_add_work(&s, -i, "work -x (third request of this client)");
            conn_expect_script(&cl[i], &s);
            conn_close(&cl[i]);
        }
    });
}

/* ---- where work runs ---- */

/* offload = 0: work runs on the loop's thread, inside the read callback. */
static void test_inline_work_runs_on_loop_thread(void **state)
{
    (void)state;
    struct script s = { 0 };
    script_add_work(&s, 1, "work 1");
    script_add_work(&s, 2, "work 2");
    server_start(&sv, 0);
    conn_open(&a, sv.port, "client A");
    conn_sends(&a, "work 1\nwork 2\n");
    conn_expect_script(&a, &s);
    conn_close(&a);
    server_stop(&sv);
    long on = probe_get(&probe.on_loop), off = probe_get(&probe.off_loop);
    if (on != 2 || off != 0)
        fail_msg("with offload = 0, work() ran %ld times on the loop's thread and %ld times "
                 "elsewhere; expected 2 and 0: offload = 0 calls work inside the read "
                 "callback", on, off);
}

/* offload = 1: work runs on a pool thread, never on the loop's thread. */
static void test_offload_work_runs_off_loop_thread(void **state)
{
    (void)state;
    struct script s = { 0 };
    script_add_work(&s, 1, "work 1");
    script_add_work(&s, 2, "work 2");
    server_start(&sv, 1);
    conn_open(&a, sv.port, "client A");
    conn_sends(&a, "work 1\nwork 2\n");
    conn_expect_script(&a, &s);
    conn_close(&a);
    server_stop(&sv);
    long on = probe_get(&probe.on_loop), off = probe_get(&probe.off_loop);
    if (on != 0 || off != 2)
        fail_msg("with offload = 1, work() ran %ld times on the loop's thread and %ld times "
                 "elsewhere; expected 0 and 2: offload = 1 hands work to uv_queue_work", on,
                 off);
}

/* offload = 1: while client A's work waits on the test's latch, client B's ping is
 * answered. The loop is free: that is the point of the lesson. */
static void test_offload_ping_answered_while_work_runs(void **state)
{
    (void)state;
    probe_block_on(1);
    server_start(&sv, 1);
    conn_open(&a, sv.port, "client A");
    conn_open(&b, sv.port, "client B");
    conn_sends(&a, "work 1\n");
    hang_hint("work() was never called for client A's \"work 1\" (offload = 1)");
    probe_wait(&probe.calls, 1);
    conn_sends(&b, "ping\n");
    hang_hint("the ping was not answered while work() was running: does work run inside the "
              "read callback instead of uv_queue_work?");
    char line[64];
    if (!conn_line(&b, line, sizeof line) || strcmp(line, "pong") != 0)
        fail_msg("client B sent \"ping\" while client A's work ran and got \"%s\"; expected "
                 "\"pong\"", shown(line, strlen(line)));
    hang_hint(NULL);
    probe_open_latch();
    conn_expect_work(&a, 1, "work 1 (after its work was let go)");
    conn_close(&a);
    conn_close(&b);
    server_stop(&sv);
}

/* offload = 1: answers keep request order even when the works finish in another order.
 * "work 1" waits on the latch; "ping" and "work 2" behind it are ready first. */
static void test_offload_answers_in_request_order(void **state)
{
    (void)state;
    probe_block_on(1);
    server_start(&sv, 1);
    conn_open(&a, sv.port, "client A");
    conn_open(&b, sv.port, "client B");
    conn_sends(&a, "work 1\nping\nwork 2\n");
    expect_work_started_off_loop("\"work 1\"");
    hang_hint("work() never returned for \"work 2\" while \"work 1\" waited: both must be "
              "queued with uv_queue_work at once (the pool has 4 threads)");
    probe_wait(&probe.finished, 1);
    settle(&b, 3);   /* time for work 2's after-work callback, and for a wrong early answer */
    probe_open_latch();
    struct script s = { 0 };
    script_add_work(&s, 1, "work 1 (its work finished last; its answer still comes first)");
    script_add(&s, "ping (sent after work 1: answered after it)", "pong");
    script_add_work(&s, 2, "work 2 (sent after ping: answered after it)");
    conn_expect_script(&a, &s);
    conn_close(&a);
    conn_close(&b);
    server_stop(&sv);
    long first = probe_get(&probe.finished_n[0]);
    if (first != 2)
        fail_msg("work(%ld) returned first; expected work(2) while work(1) waited (a test "
                 "problem, not yours)", first);
}

/* ---- half-close, stop, resources ---- */

/* A client that sends its requests and half-closes gets every answer, then EOF. */
static void test_half_close_gets_every_answer_then_eof(void **state)
{
    (void)state;
    struct script s = { 0 };
    script_add_work(&s, 4, "work 4 (then half-closed)");
    script_add(&s, "ping (then half-closed)", "pong");
    script_add_work(&s, 5, "work 5 (then half-closed)");
    BOTH_MODES(sv, a, {
        conn_sends(&a, "work 4\nping\nwork 5\npartial line");
        half_close(&a);
        conn_expect_script(&a, &s);
        conn_expect_end(&a, "the client half-closed and every request was answered: shut "
                            "down your side, then close");
    });
}

/* offload = 1: the half-close arrives while work runs; the answers still come, then EOF. */
static void test_offload_half_close_while_work_runs(void **state)
{
    (void)state;
    probe_block_on(1);
    server_start(&sv, 1);
    conn_open(&a, sv.port, "client A");
    conn_open(&b, sv.port, "client B");
    conn_sends(&a, "work 1\nping\nwork 2\n");
    half_close(&a);
    expect_work_started_off_loop("\"work 1\"");
    settle(&b, 3);   /* the server has now read client A's EOF */
    probe_open_latch();
    struct script s = { 0 };
    script_add_work(&s, 1, "work 1 (client half-closed while it ran)");
    script_add(&s, "ping (client half-closed while work 1 ran)", "pong");
    script_add_work(&s, 2, "work 2 (client half-closed while work 1 ran)");
    conn_expect_script(&a, &s);
    conn_expect_end(&a, "every request was answered after the half-close");
    conn_close(&a);
    conn_close(&b);
    server_stop(&sv);
}

/* A client the server no longer needs is closed at once, not at job_stop: clients that
 * half-closed and got every answer, clients that reset the connection, clients that closed
 * it after their answers, and (offload 1) a client that reset while its work was still in
 * the pool. Each time, once the test has closed its own ends, the sockets of this process
 * (the server runs in it) come back to what they were before the clients came: the
 * listener. The server is still running then. */
static void test_finished_clients_released_before_stop(void **state)
{
    (void)state;
    enum { CLIENTS = 8 };
    struct script s = { 0 };
    script_add(&s, "ping", "pong");
    script_add_work(&s, 3, "work 3");
    for (int mode = 0; mode <= 1; mode++) {
        char name[48];
        server_start(&sv, mode);
        int base = count_sockets();   /* the listener */

        for (int i = 0; i < CLIENTS; i++) {
            snprintf(name, sizeof name, "client %d (offload %d)", i, mode);
            conn_open(&cl[i], sv.port, name);
            conn_sends(&cl[i], "ping\nwork 3\n");
            half_close(&cl[i]);
        }
        for (int i = 0; i < CLIENTS; i++) {
            conn_expect_script(&cl[i], &s);
            conn_expect_end(&cl[i], "the client half-closed and every request was answered");
            conn_close(&cl[i]);
        }
        wait_sockets_released(base, "they half-closed and got every answer",
                              "uv_close the client in its uv_shutdown callback (whatever the "
                              "status: the client is finished either way)");

        for (int i = 0; i < CLIENTS; i++) {
            snprintf(name, sizeof name, "client %d (offload %d)", i, mode);
            conn_open(&cl[i], sv.port, name);
            conn_sends(&cl[i], "ping\n");
            conn_expect(&cl[i], "pong", "ping (before a reset)");
            conn_reset(&cl[i]);
        }
        wait_sockets_released(base, "they reset the connection (the read callback got "
                              "UV_ECONNRESET)", "on any read error other than UV_EOF, "
                              "uv_close the client (stopping the read is not enough)");

        for (int i = 0; i < CLIENTS; i++) {
            snprintf(name, sizeof name, "client %d (offload %d)", i, mode);
            conn_open(&cl[i], sv.port, name);
            conn_sends(&cl[i], "ping\nwork 3\n");
            conn_expect_script(&cl[i], &s);
            conn_close(&cl[i]);
        }
        wait_sockets_released(base, "they got their answers and closed the connection (the "
                              "read callback got UV_EOF)", "after UV_EOF, once nothing is left "
                              "to answer, uv_shutdown the client and uv_close it in the "
                              "shutdown callback");

        if (mode == 1) {
            probe_reset_counts();   /* the work 3 above is done: count from here */
            probe_block_on(1);
            conn_open(&a, sv.port, "client A (offload 1)");
            conn_sends(&a, "work 1\n");
            expect_work_started_off_loop("\"work 1\"");
            conn_reset(&a);
            wait_sockets_released(base, "it reset the connection while its work still ran in "
                                  "the pool", "uv_close the client at once; in its close "
                                  "callback, set job->client = NULL on the jobs still in the "
                                  "pool, and let their after-work callback free them");
            probe_open_latch();
        }
        server_stop(&sv);
    }
}

/* job_stop closes every client; uv_run returns; nothing is left open. */
static void test_stop_closes_every_client(void **state)
{
    (void)state;
    for (int mode = 0; mode <= 1; mode++) {
        server_start(&sv, mode);
        conn_open(&a, sv.port, "client A");
        conn_open(&b, sv.port, "client B");
        conn_sends(&a, "ping\n");
        conn_expect(&a, "pong", "ping");
        conn_sends(&b, "ping\n");
        conn_expect(&b, "pong", "ping");
        server_stop(&sv);
        conn_expect_end(&a, "job_stop closes every client");
        conn_expect_end(&b, "job_stop closes every client");
        conn_close(&a);
        conn_close(&b);
    }
}

/* job_stop while a client's work runs in the pool: the client is closed at once, uv_run
 * returns once the work is done, and its after-work callback touches nothing freed (ASan
 * watches) and leaks nothing (LSan). */
static void test_stop_while_work_runs(void **state)
{
    (void)state;
    probe_block_on(1);
    server_start(&sv, 1);
    conn_open(&a, sv.port, "client A");
    conn_sends(&a, "work 1\n");
    expect_work_started_off_loop("\"work 1\"");
    UV_CHECK(uv_async_send(&sv.stop));
    hang_hint("job_stop did not close client A while its work ran: close the client at once; "
              "the after-work callback must then see that its client is gone");
    char line[64];
    if (conn_line(&a, line, sizeof line))
        fail_msg("client A received \"%s\" after job_stop, while its work still ran; expected "
                 "the connection to end", shown(line, strlen(line)));
    hang_hint(NULL);
    probe_open_latch();   /* the work ends; its after-work callback runs on a closed client */
    hang_hint("uv_run never returned after job_stop once the running work had ended: is a "
              "request or a handle left behind?");
    PT_CHECK(pthread_join(sv.thread, NULL));
    hang_hint(NULL);
    int rc = uv_loop_close(&sv.loop);
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after job_stop with work running; expected 0",
                 uv_result_name(rc));
    conn_close(&a);
}

/* A whole session (start, clients, work in both modes, stop) leaves no descriptor open. */
static void test_no_descriptor_leaked(void **state)
{
    (void)state;
    uv_loop_t warm;   /* libuv opens a few process-wide descriptors once: let it, first */
    UV_CHECK(uv_loop_init(&warm));
    UV_CHECK(uv_loop_close(&warm));
    int before = count_fds();
    struct script s = { 0 };
    script_add(&s, "ping", "pong");
    script_add_work(&s, 9, "work 9");
    BOTH_MODES(sv, a, {
        conn_open(&b, sv.port, "client B");
        conn_sends(&a, "work 8\n");
        conn_sends(&b, "ping\nwork 9\n");
        conn_expect_work(&a, 8, "work 8");
        conn_expect_script(&b, &s);
        half_close(&b);
        conn_expect_end(&b, "client B half-closed after its answers");
        conn_close(&b);
    });
    int after = count_fds();
    if (after != before)
        fail_msg("%d descriptors were open before the server ran and %d after it stopped: "
                 "a socket was never closed (every client, the listener)", before, after);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_job_start_rejects_bad_arguments),
    cmocka_unit_test(test_job_start_bad_host_is_einval),
    cmocka_unit_test(test_job_start_busy_port_is_eaddrinuse),
    cmocka_unit_test(test_job_start_ipv6),
    cmocka_unit_test(test_protocol_ping_answers_pong),
    cmocka_unit_test(test_protocol_work_answers_n_and_result),
    cmocka_unit_test(test_protocol_work_long_limits),
    cmocka_unit_test(test_protocol_work_overflow_is_error),
    cmocka_unit_test(test_protocol_malformed_lines_are_errors),
    cmocka_unit_test(test_protocol_line_of_255_bytes_is_served),
    cmocka_unit_test(test_protocol_line_of_256_bytes_is_error),
    cmocka_unit_test(test_protocol_very_long_line_is_one_error),
    cmocka_unit_test(test_protocol_requests_split_across_reads),
    cmocka_unit_test(test_protocol_several_requests_in_one_write),
    cmocka_unit_test(test_protocol_clients_are_independent),
    cmocka_unit_test(test_inline_work_runs_on_loop_thread),
    cmocka_unit_test(test_offload_work_runs_off_loop_thread),
    cmocka_unit_test(test_offload_ping_answered_while_work_runs),
    cmocka_unit_test(test_offload_answers_in_request_order),
    cmocka_unit_test(test_half_close_gets_every_answer_then_eof),
    cmocka_unit_test(test_offload_half_close_while_work_runs),
    cmocka_unit_test(test_finished_clients_released_before_stop),
    cmocka_unit_test(test_stop_closes_every_client),
    cmocka_unit_test(test_stop_while_work_runs),
    cmocka_unit_test(test_no_descriptor_leaked),
};

COURSE_MAIN("09-blocking-the-loop", tests)
