/* plots/14-showdown/server.h: what the four servers of lesson 14 share.
 *
 * Each server answers every request with the same small response (RESPONSE_OK below),
 * keeps HTTP/1.1 connections open (keep-alive), parses requests with the lesson's
 * http_parse_head, listens on 127.0.0.1 only, prints the port it bound, and stops cleanly
 * on SIGINT or SIGTERM. Only the way connections are waited for differs:
 * srv_threads.c (a thread per connection), srv_pool.c (a few threads share all the
 * connections), srv_uv.c (one libuv loop).
 *
 * Header-only, static functions: each server is one .c file built by `make benches`
 * (build/bench/14-showdown/NAME), which links the parser and lessons/common. */
#ifndef SHOWDOWN_SERVER_H
#define SHOWDOWN_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "primes.h"

/* The one response. Content-Length lets the client find its end without closing. */
#define RESPONSE_OK "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nHello\n"
#define RESPONSE_OK_CLOSE \
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nConnection: close\r\n\r\nHello\n"
#define RESPONSE_400 \
    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
#define RESPONSE_431 \
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

/* GET /primes... is the CPU-bound request of the C7 sweep: lesson 01's work (count the
 * primes below SRV_PRIMES_HI), about a millisecond, before the same response. */
#define SRV_PRIMES_HI 20000
#define SRV_PRIMES_COUNT 2262

/* Responses waiting to be written: one write for all the requests one read brought. */
struct srv_out {
    char buf[16384];
    size_t len;
};

static inline void srv_out_add(struct srv_out *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Answer every complete request head at the start of in[0..n): append the responses to
 * out and return how many bytes were used up. Bytes of a head not complete yet are left
 * for the next read. *close_after becomes true when the connection must end once out is
 * written: the client asked for it, or its request was malformed or too large. */
static inline size_t srv_answer(const char *in, size_t n, struct srv_out *out, bool *close_after)
{
    size_t used = 0;
    *close_after = false;
    /* Stop while there is room for one more response of any kind. */
    while (!*close_after && sizeof out->buf - out->len >= 128) {
        struct http_req r;
        long rc = http_parse_head(in + used, n - used, &r);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (rc == -431)
                srv_out_add(out, RESPONSE_431, sizeof RESPONSE_431 - 1);
            else
                srv_out_add(out, RESPONSE_400, sizeof RESPONSE_400 - 1);
            *close_after = true;
            return n;
        }
        used += (size_t)rc;
        if (strncmp(r.path, "/primes", 7) == 0) {
            long found = primes_in_range(0, SRV_PRIMES_HI);
            if (found != SRV_PRIMES_COUNT)
                die("primes_in_range(0, %d) = %ld; expected %d", SRV_PRIMES_HI, found,
                    SRV_PRIMES_COUNT);
        }
        if (r.keep_alive) {
            srv_out_add(out, RESPONSE_OK, sizeof RESPONSE_OK - 1);
        } else {
            srv_out_add(out, RESPONSE_OK_CLOSE, sizeof RESPONSE_OK_CLOSE - 1);
            *close_after = true;
        }
    }
    return used;
}

/* Write all n bytes to a socket, blocking or not (waits in poll when it is full).
 * 0, or -1 with errno when the peer went away. */
static inline int srv_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w >= 0) {
            p += w;
            n -= (size_t)w;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
                return -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 0;
}

/* Let this process open as many descriptors as the hard limit allows: 10000 connections
 * need 10000 sockets, and the usual soft limit is 1024. Only this process (and its
 * children) are affected. */
static inline void srv_raise_nofile(void)
{
    struct rlimit rl;
    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        SYS_CHECK(setrlimit(RLIMIT_NOFILE, &rl));
    }
}

static inline void srv_set_nonblocking(int fd)
{
    int flags = (int)SYS_CHECK(fcntl(fd, F_GETFL));
    SYS_CHECK(fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

/* Small responses must leave at once, not wait for Nagle's algorithm to merge them. */
static inline void srv_set_nodelay(int fd)
{
    int one = 1;
    /* A connection already reset by the peer may refuse; it will fail its next read. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Parse "PORT" (0 = any free port). */
static inline int srv_port_arg(const char *text)
{
    return (int)parse_long_arg(text, "port", 0, 65535);
}

/* A non-blocking listening socket on 127.0.0.1:port; prints "listening on 127.0.0.1:N"
 * (the port really bound: a script starting us with port 0 reads it there). */
static inline int srv_listen(int port)
{
    int fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    int one = 1;
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == -1)
        die("cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
    /* A deep backlog: wrk opens all its connections at once. */
    SYS_CHECK(listen(fd, 4096));
    socklen_t alen = sizeof a;
    SYS_CHECK(getsockname(fd, (struct sockaddr *)&a, &alen));
    srv_set_nonblocking(fd);
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

/* SIGINT and SIGTERM write one byte into a pipe (the self-pipe trick): the thread that
 * accepts connections polls the pipe's read end beside the listening socket, so a
 * signal wakes it without any race. Returns that read end. */
static int srv_stop_write_fd = -1;

static inline void srv_on_signal(int sig)
{
    (void)sig;
    int saved = errno;   /* a handler must not change errno under the interrupted code */
    ssize_t rc = write(srv_stop_write_fd, "x", 1);
    (void)rc;            /* pipe full: a byte is already there, which is all we need */
    errno = saved;
}

static inline int srv_stop_pipe(void)
{
    int p[2];
    SYS_CHECK(pipe(p));
    srv_set_nonblocking(p[1]);
    srv_stop_write_fd = p[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = srv_on_signal;
    sa.sa_flags = SA_RESTART;
    SYS_CHECK(sigemptyset(&sa.sa_mask));
    SYS_CHECK(sigaction(SIGINT, &sa, NULL));
    SYS_CHECK(sigaction(SIGTERM, &sa, NULL));
    /* A client that closes while we write must not kill us with SIGPIPE: write gets EPIPE. */
    sa.sa_handler = SIG_IGN;
    SYS_CHECK(sigaction(SIGPIPE, &sa, NULL));
    return p[0];
}

static inline void srv_close_stop_pipe(int read_fd)
{
    SYS_CHECK(close(read_fd));
    SYS_CHECK(close(srv_stop_write_fd));
}

/* Block SIGINT and SIGTERM in threads created while this is in force: only the accepting
 * thread should run the handler (any thread could, and its blocking read would then see
 * EINTR for nothing). Returns the mask to restore. */
static inline sigset_t srv_block_stop_signals(void)
{
    sigset_t set, old;
    SYS_CHECK(sigemptyset(&set));
    SYS_CHECK(sigaddset(&set, SIGINT));
    SYS_CHECK(sigaddset(&set, SIGTERM));
    PT_CHECK(pthread_sigmask(SIG_BLOCK, &set, &old));
    return old;
}

/* Wait until the listening socket has a connection (true) or a stop signal came (false). */
static inline bool srv_wait_accept(int listen_fd, int stop_fd)
{
    struct pollfd p[2] = { { .fd = listen_fd, .events = POLLIN }, { .fd = stop_fd, .events = POLLIN } };
    for (;;) {
        if (poll(p, 2, -1) == -1) {
            if (errno == EINTR)
                continue;
            die("poll: %s", strerror(errno));
        }
        if (p[1].revents != 0)
            return false;
        if (p[0].revents != 0)
            return true;
    }
}

/* accept on the non-blocking listening socket: the new socket, or -1 when the
 * connection went away before we took it, or the descriptors ran out (said once). */
static inline int srv_accept(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd == -1) {
        static bool said;
        if ((errno == EMFILE || errno == ENFILE) && !said) {
            said = true;
            fprintf(stderr, "server: out of descriptors (%s); connections wait\n", strerror(errno));
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
                   errno != EINTR && errno != EMFILE && errno != ENFILE) {
            die("accept: %s", strerror(errno));
        }
        return -1;
    }
    srv_set_nodelay(fd);
    return fd;
}

#endif
