/* plots/08-nonblocking-io/bench_server.h: the two echo servers of lesson 08's benchmarks,
 * each on a thread of its own, started and stopped the same way: the libuv server (the
 * lesson's solution, echo_start/echo_stop) and the raw epoll server (epoll_echo.h).
 * Also a loopback client connection and the descriptor limit. Header only: two benchmarks
 * share it. */
#ifndef BENCH08_SERVER_H
#define BENCH08_SERVER_H

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "epoll_echo.h"
#include "exercise.h"
#include "uv_check.h"

enum server_kind { SERVER_LIBUV, SERVER_EPOLL, SERVER_KINDS };
static const char *const server_name[SERVER_KINDS] = { "libuv", "epoll" };

struct bench_server {
    enum server_kind kind;
    int port;
    pthread_t thread;
    /* libuv */
    uv_loop_t loop;
    uv_async_t stop;
    struct echo_server *echo;
    /* epoll */
    struct ep_server ep;
};

static inline void bench_on_stop(uv_async_t *a)
{
    struct bench_server *s = a->data;
    echo_stop(s->echo);
    uv_close((uv_handle_t *)a, NULL);
}

static inline void *bench_server_main(void *arg)
{
    struct bench_server *s = arg;

    if (s->kind == SERVER_LIBUV)
        UV_CHECK(uv_run(&s->loop, UV_RUN_DEFAULT));
    else if (ep_server_run(&s->ep) < 0)
        die("epoll_wait: %s", strerror(errno));
    return NULL;
}

/* Listen on 127.0.0.1, a free port; serve from a new thread. */
static inline void bench_server_start(struct bench_server *s, enum server_kind kind)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    if (kind == SERVER_LIBUV) {
        UV_CHECK(uv_loop_init(&s->loop));
        UV_CHECK(echo_start(&s->loop, "127.0.0.1", 0, &s->echo, &s->port));
        UV_CHECK(uv_async_init(&s->loop, &s->stop, bench_on_stop));
        s->stop.data = s;
    } else if (ep_server_open(&s->ep, "127.0.0.1", 0, &s->port) < 0) {
        die("epoll server: cannot listen on 127.0.0.1: %s", strerror(errno));
    }
    PT_CHECK(pthread_create(&s->thread, NULL, bench_server_main, s));
}

static inline void bench_server_stop(struct bench_server *s)
{
    if (s->kind == SERVER_LIBUV)
        UV_CHECK(uv_async_send(&s->stop));
    else
        ep_server_stop(&s->ep);
    PT_CHECK(pthread_join(s->thread, NULL));
    if (s->kind == SERVER_LIBUV)
        UV_CHECK(uv_loop_close(&s->loop));
    else
        ep_server_close(&s->ep);
}

/* A blocking connection to 127.0.0.1:port, Nagle off (small messages go out at once). */
static inline int bench_connect(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int one = 1;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    SYS_CHECK(connect(fd, (struct sockaddr *)&a, sizeof a));
    SYS_CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    return fd;
}

/* Raise this process's descriptor limit to its hard limit (the benchmark only: the tests
 * and demos run with what the shell gave them). Returns the new soft limit. */
static inline long bench_raise_nofile(void)
{
    struct rlimit r;

    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = r.rlim_max;
    SYS_CHECK(setrlimit(RLIMIT_NOFILE, &r));
    return r.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)r.rlim_cur;
}

#endif
