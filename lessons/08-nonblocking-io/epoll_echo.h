/* lessons/08-nonblocking-io/epoll_echo.h: an echo server on raw non-blocking sockets and
 * epoll, with no libuv: what a libuv loop does underneath, written out.
 * Used by the demo epoll_echo.c and by the lesson's benchmark (beside the libuv server).
 *
 * Header only (static functions): a lesson's demos are each built from one .c file.
 *
 * The loop is level-triggered: epoll_wait reports a socket as long as it is readable (or
 * writable, when we asked for that), so a read that leaves bytes behind is simply reported
 * again. Each connection has one 64 KiB buffer. It reads into it only when the buffer is
 * empty, and writes it out before reading again: at most one chunk per client is held, which
 * is back-pressure for free (a client that never reads stops being read). While a write
 * waits (EAGAIN), the connection asks for EPOLLOUT instead of EPOLLIN. */
#ifndef EPOLL_ECHO_H
#define EPOLL_ECHO_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { EP_BUF = 64 * 1024, EP_EVENTS = 128 };

struct ep_conn {
    int fd;
    size_t len, off;           /* buf[off..len) is echo still to write */
    bool eof;                  /* the client half-closed: close once the echo is out */
    struct ep_conn *prev, *next;
    char buf[EP_BUF];
};

struct ep_server {
    int epfd, lfd;
    int stop_rd, stop_wr;      /* a pipe: readable (a byte or EOF) means stop */
    struct ep_conn *conns;     /* every open connection, for the final cleanup */
    long nconns;
};

static inline int ep_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Watch fd for events; ptr comes back in each event's data. */
static inline int ep_watch(int epfd, int op, int fd, unsigned events, void *ptr)
{
    struct epoll_event ev = { .events = events, .data.ptr = ptr };
    return epoll_ctl(epfd, op, fd, &ev);
}

static inline void ep_conn_close(struct ep_server *s, struct ep_conn *c)
{
    /* close() also removes fd from the epoll set (no other descriptor refers to it). */
    close(c->fd);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    s->nconns--;
    free(c);
}

/* Listen on host:port (literal IPv4 or IPv6; port 0: any free port, stored in *bound).
 * 0 or -1 with errno; on failure nothing is left open. */
static inline int ep_server_open(struct ep_server *s, const char *host, int port, int *bound)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    int one = 1, p[2], e;

    memset(s, 0, sizeof *s);
    s->epfd = s->lfd = s->stop_rd = s->stop_wr = -1;
    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET, a4->sin_port = htons((uint16_t)port), len = sizeof *a4;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6, a6->sin6_port = htons((uint16_t)port), len = sizeof *a6;
    } else {
        errno = EINVAL;
        return -1;
    }
    if ((s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 || pipe(p) < 0)
        goto fail;
    s->stop_rd = p[0], s->stop_wr = p[1];
    s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->lfd < 0 || setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(s->lfd, (struct sockaddr *)&ss, len) < 0 || listen(s->lfd, 4096) < 0 ||
        ep_nonblocking(s->lfd) < 0 || getsockname(s->lfd, (struct sockaddr *)&ss, &len) < 0 ||
        ep_watch(s->epfd, EPOLL_CTL_ADD, s->lfd, EPOLLIN, &s->lfd) < 0 ||
        ep_watch(s->epfd, EPOLL_CTL_ADD, s->stop_rd, EPOLLIN, &s->stop_rd) < 0)
        goto fail;
    if (bound != NULL)
        *bound = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
    return 0;
fail:
    e = errno;
    int *fds[] = { &s->epfd, &s->lfd, &s->stop_rd, &s->stop_wr };
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (*fds[i] >= 0)
            close(*fds[i]);
    errno = e;
    return -1;
}

/* Accept every pending connection (the listener is level-triggered, but taking them all now
 * saves epoll_wait calls). */
static inline void ep_accept_all(struct ep_server *s)
{
    for (;;) {
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            return;   /* EAGAIN: none left; EMFILE and friends: that connection waits */
        struct ep_conn *c = malloc(sizeof *c);
        if (c == NULL || ep_nonblocking(fd) < 0 ||
            ep_watch(s->epfd, EPOLL_CTL_ADD, fd, EPOLLIN, c) < 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd, c->len = c->off = 0, c->eof = false;
        c->prev = NULL, c->next = s->conns;
        if (s->conns != NULL)
            s->conns->prev = c;
        s->conns = c;
        s->nconns++;
    }
}

/* Write what is pending. false: the connection was closed. */
static inline bool ep_flush(struct ep_server *s, struct ep_conn *c)
{
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* The kernel's buffer is full: wait until it is writable, read nothing meanwhile. */
            if (ep_watch(s->epfd, EPOLL_CTL_MOD, c->fd, EPOLLOUT, c) < 0) {
                ep_conn_close(s, c);
                return false;
            }
            return true;
        }
        if (n < 0) {   /* EPIPE, ECONNRESET: the client is gone */
            ep_conn_close(s, c);
            return false;
        }
        c->off += (size_t)n;
    }
    c->off = c->len = 0;
    if (c->eof) {      /* half-closed and all echoed: our FIN, then done */
        shutdown(c->fd, SHUT_WR);
        ep_conn_close(s, c);
        return false;
    }
    return true;
}

static inline void ep_conn_event(struct ep_server *s, struct ep_conn *c)
{
    if (c->len > 0) {  /* we were waiting to write (EPOLLOUT) */
        if (ep_flush(s, c) && c->len == 0 &&
            ep_watch(s->epfd, EPOLL_CTL_MOD, c->fd, EPOLLIN, c) < 0)
            ep_conn_close(s, c);
        return;
    }
    ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;        /* a spurious wake-up: level-triggered epoll will say it again */
    if (n < 0) {
        ep_conn_close(s, c);
        return;
    }
    if (n == 0) {
        c->eof = true;
        ep_flush(s, c);   /* nothing pending: shuts down and closes */
        return;
    }
    c->len = (size_t)n, c->off = 0;
    ep_flush(s, c);       /* most writes complete at once; EAGAIN switches to EPOLLOUT */
}

/* Serve until ep_server_stop (from any thread) or until the stop pipe's write end is closed.
 * Returns 0, or -1 with errno if epoll_wait fails. */
static inline int ep_server_run(struct ep_server *s)
{
    struct epoll_event ev[EP_EVENTS];

    for (;;) {
        int n = epoll_wait(s->epfd, ev, EP_EVENTS, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == &s->stop_rd)
                return 0;
            if (ev[i].data.ptr == &s->lfd)
                ep_accept_all(s);
            else
                ep_conn_event(s, ev[i].data.ptr);
        }
    }
}

/* Ask ep_server_run to return; safe from another thread (a pipe write is). */
static inline void ep_server_stop(struct ep_server *s)
{
    ssize_t n;
    while ((n = write(s->stop_wr, "x", 1)) < 0 && errno == EINTR)
        ;
}

/* After ep_server_run has returned: close every connection and descriptor. */
static inline void ep_server_close(struct ep_server *s)
{
    while (s->conns != NULL)
        ep_conn_close(s, s->conns);
    close(s->lfd);
    close(s->epfd);
    close(s->stop_rd);
    if (s->stop_wr >= 0)
        close(s->stop_wr);
}

#endif
