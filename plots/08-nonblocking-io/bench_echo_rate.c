/* plots/08-nonblocking-io/bench_echo_rate.c: echo round trips per second on loopback, for
 * 1, 10, 100 clients (and 1000 with --full), against the libuv server (the lesson's solution)
 * and the raw epoll server (epoll_echo.h), in the same run, alternating rep by rep.
 * Build: make build/bench/08-nonblocking-io/bench_echo_rate
 * Run:   build/bench/08-nonblocking-io/bench_echo_rate --quick      # or --full
 *
 * The load is one client thread with one epoll loop over all its connections: each
 * connection sends a 64-byte message, waits for its echo, sends the next (ping-pong), so
 * n clients keep n messages in flight. One repetition gives each server 0.2 s (quick) or
 * 1 s (full), or MAX_TRIPS round trips, in SLICES turns, the two servers taking turns
 * slice by slice: a busy moment of the machine then falls on both, not on one. After each
 * slice the messages still in flight are drained, so the next starts clean. Server and
 * client share the machine's cores: the figure is the whole system's, which is what a
 * loopback benchmark can give. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "bench_server.h"
#include "harness.h"
#include "timing.h"

enum { MSG = 64, MAX_TRIPS = 20 * 1000 * 1000, COUNTS_MAX = 4, SLICES = 20 };

struct conn {
    int fd;
    int got;          /* bytes of the current echo received */
    bool waiting;     /* a message is in flight */
};

static void set_nonblocking(int fd)
{
    int fl = (int)SYS_CHECK(fcntl(fd, F_GETFL));
    SYS_CHECK(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

static void send_msg(struct conn *c)
{
    static const char msg[MSG] = "ping ping ping ping ping ping ping ping ping ping ping ping.\n";
    /* 64 bytes into an empty send buffer always fit: a short send here would be a bug. */
    ssize_t n = send(c->fd, msg, MSG, MSG_NOSIGNAL);
    if (n != MSG)
        die("send of %d bytes returned %zd: %s", MSG, n, n < 0 ? strerror(errno) : "short");
    c->waiting = true;
    c->got = 0;
}

/* Ping-pong on every connection for ns nanoseconds (or max_trips); the round trips made,
 * and the time they took in *elapsed. */
static long measure(int epfd, struct conn *c, int n, uint64_t ns, long max_trips,
                    uint64_t *elapsed)
{
    struct epoll_event ev[256];
    char buf[MSG * 4];
    long trips = 0;
    int in_flight = n;

    for (int k = 0; k < n; k++)
        send_msg(&c[k]);
    uint64_t t0 = now_ns(), t1 = t0;
    bool sending = true;
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
                die("recv: %s", r == 0 ? "the server closed a connection" : strerror(errno));
            cc->got += (int)r;
            if (cc->got < MSG)
                continue;
            if (cc->got > MSG)
                die("%d bytes of echo for a %d-byte message", cc->got, MSG);
            if (sending) {
                trips++;
                send_msg(cc);
            } else {
                cc->waiting = false;
                in_flight--;
            }
        }
        if (sending) {
            t1 = now_ns();
            if (t1 - t0 >= ns || trips >= max_trips)
                sending = false;   /* from now on, only drain what is in flight */
        }
    }
    *elapsed = t1 - t0;
    return trips;
}

int main(int argc, char **argv)
{
    struct bench b;
    static const int counts_all[COUNTS_MAX] = { 1, 10, 100, 1000 };
    struct bench_server srv[SERVER_KINDS];

    bench_init(&b, "08-nonblocking-io/echo_rate", argc, argv);
    int ncounts = b.quick ? 3 : 4;
    uint64_t ns = b.quick ? 200000000u : 1000000000u;
    long nofile = bench_raise_nofile();
    signal(SIGPIPE, SIG_IGN);

    for (int s = 0; s < SERVER_KINDS; s++)
        bench_server_start(&srv[s], (enum server_kind)s);
    FILE *dat = bench_open_data(&b, "clients libuv_median_per_s libuv_min_per_s "
                                    "libuv_max_per_s epoll_median_per_s epoll_min_per_s "
                                    "epoll_max_per_s libuv_over_epoll");
    FILE *raw = bench_open_raw(&b, "server clients rep round_trips_per_s");
    double *samples[SERVER_KINDS];
    for (int s = 0; s < SERVER_KINDS; s++)
        if ((samples[s] = calloc((size_t)b.reps, sizeof *samples[s])) == NULL)
            die("out of memory");

    for (int ci = 0; ci < ncounts; ci++) {
        int n = counts_all[ci];
        if (2L * n + 64 > nofile) {
            fprintf(stderr, "skipping %d clients: the descriptor limit is %ld\n", n, nofile);
            continue;
        }
        struct conn *conns[SERVER_KINDS];
        int epfd[SERVER_KINDS];
        for (int s = 0; s < SERVER_KINDS; s++) {
            conns[s] = calloc((size_t)n, sizeof *conns[s]);
            if (conns[s] == NULL)
                die("out of memory for %d connections", n);
            epfd[s] = (int)SYS_CHECK(epoll_create1(EPOLL_CLOEXEC));
            for (int k = 0; k < n; k++) {
                conns[s][k].fd = bench_connect(srv[s].port);
                set_nonblocking(conns[s][k].fd);
                struct epoll_event e = { .events = EPOLLIN, .data.ptr = &conns[s][k] };
                SYS_CHECK(epoll_ctl(epfd[s], EPOLL_CTL_ADD, conns[s][k].fd, &e));
            }
        }
        for (int rep = -b.warmup; rep < b.reps; rep++) {
            bench_progress(&b, "%d clients, rep %d/%d", n, rep + 1, b.reps);
            long trips[SERVER_KINDS] = { 0 };
            uint64_t spent[SERVER_KINDS] = { 0 };
            for (int slice = 0; slice < SLICES; slice++) {
                /* Alternate which server goes first, so neither always follows the other. */
                for (int i = 0; i < SERVER_KINDS; i++) {
                    int s = (i + slice) % SERVER_KINDS;
                    uint64_t t;
                    trips[s] += measure(epfd[s], conns[s], n, ns / SLICES,
                                        MAX_TRIPS / SLICES, &t);
                    spent[s] += t;
                }
            }
            for (int s = 0; s < SERVER_KINDS && rep >= 0; s++) {
                samples[s][rep] = (double)trips[s] / ((double)spent[s] / 1e9);
                fprintf(raw, "%s %d %d %.0f\n", server_name[s], n, rep, samples[s][rep]);
            }
        }
        struct stats st[SERVER_KINDS];
        for (int s = 0; s < SERVER_KINDS; s++)
            st[s] = stats_of(samples[s], b.reps);
        double ratio = st[SERVER_LIBUV].median / st[SERVER_EPOLL].median;
        fprintf(dat, "%d %.0f %.0f %.0f %.0f %.0f %.0f %.3f\n", n, st[0].median, st[0].min,
                st[0].max, st[1].median, st[1].min, st[1].max, ratio);
        printf("%5d clients: libuv %9.0f round trips/s, epoll %9.0f round trips/s, "
               "libuv/epoll %.2f\n", n, st[0].median, st[1].median, ratio);
        for (int s = 0; s < SERVER_KINDS; s++) {
            for (int k = 0; k < n; k++)
                SYS_CHECK(close(conns[s][k].fd));
            SYS_CHECK(close(epfd[s]));
            free(conns[s]);
        }
    }
    for (int s = 0; s < SERVER_KINDS; s++) {
        bench_server_stop(&srv[s]);
        free(samples[s]);
    }
    bench_close(raw);
    bench_close(dat);
    return 0;
}
