/* plots/12-coroutines-on-the-loop/bench_co_echo.c: echo round trips per second on loopback,
 * the coroutine server (co_echo_start, the lesson's solution) beside a plain callback server
 * (cb_echo.h, lesson 08's design), for 1, 10, 100 clients (and 1000 with --full).
 * Build: make build/bench/12-coroutines-on-the-loop/bench_co_echo
 * Run:   build/bench/12-coroutines-on-the-loop/bench_co_echo --quick      # or --full
 *
 * Each server runs on a loop in a thread of its own. The load is this thread, with one epoll
 * loop over all its connections: each connection sends 64 bytes, waits for their echo, sends
 * again, so n clients keep n messages in flight. A repetition gives each server SLICES slices
 * of 10 ms (quick) or 50 ms (full), taking turns slice by slice, so a busy moment of the
 * machine falls on both; each slice is also capped at MAX_TRIPS round trips. Every wait is
 * bounded: no echo for 10 s ends the program with a message. Loopback only. */
#define _GNU_SOURCE   /* SOCK_NONBLOCK, SOCK_CLOEXEC */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cb_echo.h"
#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "timing.h"
#include "uv_check.h"

enum { MSG = 64, MAX_TRIPS = 5 * 1000 * 1000, SLICES = 10, KINDS = 2 };
enum kind { CO, CB };
static const char *const kind_name[KINDS] = { "coroutines", "callbacks" };

/* ---- the two servers, each on its own loop thread ---- */

struct server {
    enum kind kind;
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    struct co_echo *co;
    struct cb_server cb;
    int port;
};

static void server_on_stop(uv_async_t *a)
{
    struct server *s = a->data;

    if (s->kind == CO)
        co_echo_stop(s->co);
    else
        cb_echo_stop(&s->cb);
    uv_close((uv_handle_t *)a, NULL);
}

static void *server_main(void *arg)
{
    struct server *s = arg;

    UV_CHECK(uv_run(&s->loop, UV_RUN_DEFAULT));
    return NULL;
}

static void server_start(struct server *s, enum kind kind)
{
    s->kind = kind;
    UV_CHECK(uv_loop_init(&s->loop));
    if (kind == CO) {
        UV_CHECK(co_echo_start(&s->loop, "127.0.0.1", 0, &s->co, &s->port));
    } else {
        cb_echo_start(&s->loop, &s->cb);
        s->port = s->cb.port;
    }
    UV_CHECK(uv_async_init(&s->loop, &s->stop, server_on_stop));
    s->stop.data = s;
    PT_CHECK(pthread_create(&s->thread, NULL, server_main, s));
}

static void server_end(struct server *s)
{
    UV_CHECK(uv_async_send(&s->stop));
    PT_CHECK(pthread_join(s->thread, NULL));
    UV_CHECK(uv_loop_close(&s->loop));
}

/* ---- the clients ---- */

struct conn {
    int fd;
    int got;   /* bytes of the current echo received */
};

static int connect_to(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    SYS_CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
        die("connect to 127.0.0.1 port %d: %s", port, strerror(errno));
    return fd;
}

static void send_msg(struct conn *c)
{
    static const char msg[MSG] = "ping ping ping ping ping ping ping ping ping ping ping ping.\n";
    ssize_t n = send(c->fd, msg, MSG, MSG_NOSIGNAL);
    if (n != MSG)   /* 64 bytes into an empty send buffer always fit */
        die("send of %d bytes returned %zd: %s", MSG, n, n < 0 ? strerror(errno) : "short");
    c->got = 0;
}

/* Ping-pong on n connections for about ns nanoseconds; the round trips made, the time they
 * took in *elapsed. Every message in flight is drained before it returns. */
static long slice(int epfd, struct conn *c, int n, uint64_t ns, uint64_t *elapsed)
{
    struct epoll_event ev[256];
    char buf[MSG * 4];
    long trips = 0;
    int in_flight = 0;
    bool sending = true;

    for (int k = 0; k < n; k++, in_flight++)
        send_msg(&c[k]);
    uint64_t t0 = now_ns(), t1 = t0;
    while (in_flight > 0) {
        int m = epoll_wait(epfd, ev, 256, 10000);
        if (m < 0 && errno == EINTR)
            continue;
        if (m < 0)
            die("epoll_wait: %s", strerror(errno));
        if (m == 0)
            die("no echo for 10 s with %d messages in flight: the server stopped answering",
                in_flight);
        for (int i = 0; i < m; i++) {
            struct conn *cc = ev[i].data.ptr;
            ssize_t r = recv(cc->fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r <= 0)
                die("recv: %s", r < 0 ? strerror(errno) : "the server closed a connection");
            cc->got += (int)r;
            if (cc->got < MSG)
                continue;
            if (cc->got > MSG)
                die("%d bytes of echo for a %d-byte message", cc->got, MSG);
            trips++;
            in_flight--;
            if (sending) {
                t1 = now_ns();
                sending = t1 - t0 < ns && trips < MAX_TRIPS;
            }
            if (sending) {
                send_msg(cc);
                in_flight++;
            }
        }
    }
    *elapsed = t1 - t0;
    return trips;
}

static int open_clients(int epfd, struct conn *c, int n, int port)
{
    for (int k = 0; k < n; k++) {
        c[k].fd = connect_to(port);
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = &c[k] };
        SYS_CHECK(epoll_ctl(epfd, EPOLL_CTL_ADD, c[k].fd, &e));
    }
    return n;
}

static void raise_fd_limit(int need)
{
    struct rlimit r;

    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &r));
    if (r.rlim_cur >= (rlim_t)need)
        return;
    if (r.rlim_max < (rlim_t)need)
        die("%d descriptors needed, the hard limit is %llu", need,
            (unsigned long long)r.rlim_max);
    r.rlim_cur = (rlim_t)need;
    SYS_CHECK(setrlimit(RLIMIT_NOFILE, &r));
}

int main(int argc, char **argv)
{
    static const int counts[] = { 1, 10, 100, 1000 };
    struct bench b;
    struct server srv[KINDS];

    bench_init(&b, "12-coroutines-on-the-loop/co_echo", argc, argv);
    signal(SIGPIPE, SIG_IGN);
    int ncounts = b.quick ? 3 : 4;
    uint64_t slice_ns = (b.quick ? 10 : 50) * 1000000ull;
    raise_fd_limit(2 * KINDS * counts[ncounts - 1] + 64);
    for (int k = 0; k < KINDS; k++)
        server_start(&srv[k], (enum kind)k);

    FILE *out = bench_open_data(&b, "clients co_median_per_s co_min_per_s co_max_per_s "
                                    "cb_median_per_s cb_min_per_s cb_max_per_s co_over_cb");
    FILE *raw = bench_open_raw(&b, "clients server rep round_trips_per_s");
    printf("%-8s %14s %14s %8s\n", "clients", "coroutines/s", "callbacks/s", "co/cb");
    for (int ci = 0; ci < ncounts; ci++) {
        int n = counts[ci];
        struct conn *c[KINDS];
        int epfd[KINDS];
        double rate[KINDS][64];
        for (int k = 0; k < KINDS; k++) {
            c[k] = calloc((size_t)n, sizeof *c[k]);
            if (c[k] == NULL)
                die("out of memory for %d clients", n);
            epfd[k] = (int)SYS_CHECK(epoll_create1(EPOLL_CLOEXEC));
            open_clients(epfd[k], c[k], n, srv[k].port);
        }
        for (int rep = -b.warmup; rep < b.reps && rep < 64; rep++) {
            long trips[KINDS] = { 0, 0 };
            uint64_t took[KINDS] = { 0, 0 };
            if (rep < 0)
                bench_progress(&b, "%d clients, warm-up", n);
            else
                bench_progress(&b, "%d clients, repetition %d of %d", n, rep + 1, b.reps);
            for (int s = 0; s < SLICES; s++)
                for (int j = 0; j < KINDS; j++) {
                    int k = (s + rep) % 2 == 0 ? j : KINDS - 1 - j;   /* who goes first */
                    uint64_t e;
                    trips[k] += slice(epfd[k], c[k], n, slice_ns, &e);
                    took[k] += e;
                }
            if (rep < 0)
                continue;
            for (int k = 0; k < KINDS; k++) {
                rate[k][rep] = took[k] > 0 ? (double)trips[k] * 1e9 / (double)took[k] : 0;
                fprintf(raw, "%d %s %d %.0f\n", n, kind_name[k], rep, rate[k][rep]);
            }
        }
        struct stats st[KINDS];
        for (int k = 0; k < KINDS; k++)
            st[k] = stats_of(rate[k], b.reps);
        double ratio = st[CB].median > 0 ? st[CO].median / st[CB].median : 0;
        fprintf(out, "%d %.0f %.0f %.0f %.0f %.0f %.0f %.3f\n", n, st[CO].median, st[CO].min,
                st[CO].max, st[CB].median, st[CB].min, st[CB].max, ratio);
        printf("%-8d %14.0f %14.0f %8.3f\n", n, st[CO].median, st[CB].median, ratio);
        for (int k = 0; k < KINDS; k++) {
            for (int i = 0; i < n; i++)
                close(c[k][i].fd);
            close(epfd[k]);
            free(c[k]);
        }
    }
    bench_close(raw);
    bench_close(out);
    for (int k = 0; k < KINDS; k++)
        server_end(&srv[k]);
    if (b.busy)
        printf("(the machine was busy: other programs shared the cores during this run)\n");
    return 0;
}
