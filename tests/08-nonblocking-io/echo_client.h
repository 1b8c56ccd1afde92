/* tests/08-nonblocking-io/echo_client.h: the client side of the echo tests, over real TCP.
 * Shared by lesson 08's tests (the libuv echo server) and lesson 12's (the same server as
 * coroutines): include it after defining _GNU_SOURCE or _DEFAULT_SOURCE. Header only, static
 * functions, no cmocka: a failure comes back as -1 and a message in err, so a caller on any
 * thread can hand it to the test's own thread.
 *
 * Every client here reads while it sends, as a real client must. One poll() loop drives all
 * the sockets of a run: it sends when a socket is writable and reads whenever echo arrives.
 * A client that wrote all of a large message before reading any of it would deadlock against
 * a correct server that stops reading while its echo is not taken (back-pressure).
 *
 * What each client sends is a pattern that depends on the client's number and on the
 * position in its stream, so an echo that is cut short, reordered, doubled, padded with
 * garbage or sent to the wrong client differs from what is expected at a known offset. */
#ifndef ECHO_CLIENT_H
#define ECHO_CLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { ECHO_CHUNK = 64 * 1024 };

/* Word w of client k's stream: a splitmix64 hash of (k, w). Byte i of the stream is byte
 * i % 8 (little end first) of word i / 8. */
static inline uint64_t echo_pattern_word(unsigned k, uint64_t w)
{
    uint64_t z = w + ((uint64_t)k << 40) + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline uint8_t echo_pattern_byte(unsigned k, uint64_t i)
{
    return (uint8_t)(echo_pattern_word(k, i / 8) >> ((i % 8) * 8));
}

/* Fill buf with bytes off..off+len-1 of client k's stream, a word at a time where it can
 * (the sanitizer builds check every store: eight times fewer is much faster). */
static inline void echo_pattern_fill(unsigned k, uint64_t off, uint8_t *buf, size_t len)
{
    size_t j = 0;

    for (; j < len && (off + j) % 8 != 0; j++)
        buf[j] = echo_pattern_byte(k, off + j);
    for (; j + 8 <= len; j += 8) {
        uint64_t z = echo_pattern_word(k, (off + j) / 8);
        uint8_t b[8] = { (uint8_t)z, (uint8_t)(z >> 8), (uint8_t)(z >> 16), (uint8_t)(z >> 24),
                         (uint8_t)(z >> 32), (uint8_t)(z >> 40), (uint8_t)(z >> 48),
                         (uint8_t)(z >> 56) };
        memcpy(buf + j, b, 8);
    }
    for (; j < len; j++)
        buf[j] = echo_pattern_byte(k, off + j);
}

static inline void echo_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void echo_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* A blocking TCP connection to host:port (a literal IPv4 or IPv6 address), with a receive
 * buffer of rcvbuf bytes (0: the system's default); -1 and errno. */
static inline int echo_connect_rcvbuf(const char *host, int port, int rcvbuf)
{
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *sa;
    socklen_t len;
    int fd;

    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a4, len = sizeof a4;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a6, len = sizeof a6;
    } else {
        errno = EINVAL;
        return -1;
    }
    fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* Before connect: the window the connection starts with depends on it. */
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    while (connect(fd, sa, len) < 0) {
        if (errno == EINTR)
            continue;
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static inline int echo_connect(const char *host, int port)
{
    return echo_connect_rcvbuf(host, port, 0);
}

/* Close so that the peer sees a reset (RST), not an end (FIN): SO_LINGER with time 0. */
static inline int echo_close_with_reset(int fd)
{
    struct linger lg = { 1, 0 };

    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return close(fd);
}

static inline int echo_set_nonblocking(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Read exactly len bytes of echo on fd (blocking) and compare them with client k's stream
 * from offset off. 0, or -1 and a message. */
static inline int echo_expect(int fd, unsigned k, uint64_t off, uint64_t len, char *err,
                              size_t errlen)
{
    static _Thread_local uint8_t got[ECHO_CHUNK], want[ECHO_CHUNK];
    uint64_t done = 0;

    while (done < len) {
        size_t ask = len - done < ECHO_CHUNK ? (size_t)(len - done) : ECHO_CHUNK;
        ssize_t n = recv(fd, got, ask, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            echo_errf(err, errlen, "client %u: reading the echo failed after %llu of %llu "
                      "bytes: %s", k, (unsigned long long)done, (unsigned long long)len,
                      strerror(errno));
            return -1;
        }
        if (n == 0) {
            echo_errf(err, errlen, "client %u: the server closed the connection after echoing "
                      "%llu of %llu bytes", k, (unsigned long long)done,
                      (unsigned long long)len);
            return -1;
        }
        echo_pattern_fill(k, off + done, want, (size_t)n);
        if (memcmp(got, want, (size_t)n) != 0) {
            size_t j = 0;
            while (got[j] == want[j])
                j++;
            echo_errf(err, errlen, "client %u: echo byte %llu is 0x%02x; the client sent 0x%02x "
                      "there (bytes lost, reordered or garbage echoed)", k,
                      (unsigned long long)(off + done + j), got[j], want[j]);
            return -1;
        }
        done += (uint64_t)n;
    }
    return 0;
}

/* One client of a run. */
struct echo_peer {
    int fd;
    uint64_t sent, echoed;
    bool shut, eof;
};

/* Run nclients clients at once against host:port, each sending len bytes of its pattern
 * while reading its echo, all driven by one poll() loop. half_close: each client shuts its
 * sending side down (shutdown(SHUT_WR)) once all is sent, and must then receive the whole
 * echo followed by EOF (and nothing more). Otherwise a client is done when the whole echo has
 * arrived. Returns 0, or -1 with the first failure described in err. Waits as long as the
 * server needs: set a hang_hint before calling. */
static inline int echo_clients_run(const char *host, int port, int nclients, uint64_t len,
                                   bool half_close, char *err, size_t errlen)
{
    static _Thread_local uint8_t buf[ECHO_CHUNK], want[ECHO_CHUNK];
    struct echo_peer *p = calloc((size_t)nclients, sizeof *p);
    struct pollfd *pfd = calloc((size_t)nclients, sizeof *pfd);
    int rc = -1, left = nclients, opened = 0;

    if (p == NULL || pfd == NULL) {
        echo_errf(err, errlen, "out of memory for %d clients", nclients);
        goto out;
    }
    for (; opened < nclients; opened++) {
        p[opened].fd = echo_connect(host, port);
        if (p[opened].fd < 0) {
            echo_errf(err, errlen, "client %d could not connect to %s port %d: %s", opened,
                      host, port, strerror(errno));
            goto out;
        }
        if (echo_set_nonblocking(p[opened].fd, true) < 0) {
            echo_errf(err, errlen, "fcntl: %s", strerror(errno));
            opened++;
            goto out;
        }
    }
    while (left > 0) {
        for (int k = 0; k < nclients; k++) {
            bool done = half_close ? p[k].eof : p[k].echoed == len;
            pfd[k].fd = done ? -1 : p[k].fd;   /* poll ignores negative descriptors */
            pfd[k].events = POLLIN | (p[k].sent < len ? POLLOUT : 0);
            pfd[k].revents = 0;
        }
        if (poll(pfd, (nfds_t)nclients, -1) < 0) {
            if (errno == EINTR)
                continue;
            echo_errf(err, errlen, "poll: %s", strerror(errno));
            goto out;
        }
        for (int k = 0; k < nclients; k++) {
            struct echo_peer *c = &p[k];
            if (pfd[k].revents & POLLOUT) {
                size_t n = len - c->sent < ECHO_CHUNK ? (size_t)(len - c->sent) : ECHO_CHUNK;
                echo_pattern_fill((unsigned)k, c->sent, buf, n);
                ssize_t w = send(c->fd, buf, n, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    echo_errf(err, errlen, "client %d: sending failed after %llu of %llu "
                              "bytes: %s (did the server close the connection?)", k,
                              (unsigned long long)c->sent, (unsigned long long)len,
                              strerror(errno));
                    goto out;
                }
                if (w > 0)
                    c->sent += (uint64_t)w;
            }
            if (half_close && c->sent == len && !c->shut) {
                if (shutdown(c->fd, SHUT_WR) < 0) {
                    echo_errf(err, errlen, "client %d: shutdown: %s", k, strerror(errno));
                    goto out;
                }
                c->shut = true;
            }
            if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                continue;
            if (r < 0) {
                echo_errf(err, errlen, "client %d: reading the echo failed after %llu of %llu "
                          "bytes: %s", k, (unsigned long long)c->echoed,
                          (unsigned long long)len, strerror(errno));
                goto out;
            }
            if (r == 0) {
                if (c->echoed < len) {
                    echo_errf(err, errlen, "client %d: the server closed the connection "
                              "after echoing %llu of %llu bytes%s", k,
                              (unsigned long long)c->echoed, (unsigned long long)len,
                              c->shut ? " (the client had half-closed: the rest of the echo "
                                        "must still come before the end)" : "");
                    goto out;
                }
                c->eof = true;
                left--;
                continue;
            }
            if (c->echoed + (uint64_t)r > len) {
                echo_errf(err, errlen, "client %d: %llu bytes of echo arrived for %llu sent "
                          "(bytes that were never sent were echoed)", k,
                          (unsigned long long)(c->echoed + (uint64_t)r),
                          (unsigned long long)len);
                goto out;
            }
            echo_pattern_fill((unsigned)k, c->echoed, want, (size_t)r);
            if (memcmp(buf, want, (size_t)r) != 0) {
                size_t j = 0;
                while (buf[j] == want[j])
                    j++;
                echo_errf(err, errlen, "client %d: echo byte %llu is 0x%02x; the client sent "
                          "0x%02x there (bytes lost, reordered or garbage echoed)", k,
                          (unsigned long long)(c->echoed + j), buf[j], want[j]);
                goto out;
            }
            c->echoed += (uint64_t)r;
            if (!half_close && c->echoed == len)
                left--;
        }
    }
    rc = 0;
out:
    for (int k = 0; k < opened; k++)
        close(p[k].fd);
    free(pfd);
    free(p);
    return rc;
}

/* Send client k's pattern on fd without reading anything back, as fast as the connection
 * takes it, until max bytes are sent or the connection has taken nothing for stall_ms (the
 * server stopped reading: back-pressure). *sent receives the count. 0, or -1 and a message.
 * The fd is left blocking. */
static inline int echo_flood(int fd, unsigned k, uint64_t max, int stall_ms, uint64_t *sent,
                             char *err, size_t errlen)
{
    static _Thread_local uint8_t buf[ECHO_CHUNK];
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };

    *sent = 0;
    if (echo_set_nonblocking(fd, true) < 0) {
        echo_errf(err, errlen, "fcntl: %s", strerror(errno));
        return -1;
    }
    while (*sent < max) {
        size_t n = max - *sent < ECHO_CHUNK ? (size_t)(max - *sent) : ECHO_CHUNK;
        echo_pattern_fill(k, *sent, buf, n);
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
        if (w > 0) {
            *sent += (uint64_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            echo_errf(err, errlen, "client %u: sending failed after %llu bytes: %s (did the "
                      "server close the connection?)", k, (unsigned long long)*sent,
                      strerror(errno));
            return -1;
        }
        int r = poll(&pfd, 1, stall_ms);
        if (r == 0)
            break;     /* nothing taken for stall_ms: the server is not reading */
        if (r < 0 && errno != EINTR) {
            echo_errf(err, errlen, "poll: %s", strerror(errno));
            return -1;
        }
    }
    if (echo_set_nonblocking(fd, false) < 0) {
        echo_errf(err, errlen, "fcntl: %s", strerror(errno));
        return -1;
    }
    return 0;
}

#endif
