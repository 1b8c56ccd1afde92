/* lessons/14-showdown/keepalive.c: what one HTTP request costs on a connection kept open
 * (keep-alive) and on a new connection each time, over 127.0.0.1.
 * Build: make -C lessons/14-showdown
 * Run:   build/lessons/14-showdown/keepalive 2000   # requests of each kind */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "timing.h"

static const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
static const char response[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nHello\n";

struct server {
    int listen_fd;
    long connections;   /* how many the client will open: the server serves that many */
};

/* Read exactly n bytes; false if the peer closed first. */
static bool read_exactly(int fd, char *buf, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, buf, n);
        if (r == 0)
            return false;
        if (r == -1) {
            if (errno == EINTR)
                continue;
            die("read: %s", strerror(errno));
        }
        buf += r;
        n -= (size_t)r;
    }
    return true;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w == -1 && errno == EINTR)
            continue;
        if (w == -1)
            die("write: %s", strerror(errno));
        p += w;
        n -= (size_t)w;
    }
}

static void no_delay(int fd)
{
    int one = 1;
    SYS_CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
}

/* The server: serves each connection until the client closes it. This demo's client sends
 * only the fixed request, so the server reads exactly its length (no parser needed). */
static void *server_main(void *arg)
{
    struct server *s = arg;
    char buf[sizeof request - 1];
    for (long i = 0; i < s->connections; i++) {
        int fd = (int)SYS_CHECK(accept(s->listen_fd, NULL, NULL));
        no_delay(fd);
        while (read_exactly(fd, buf, sizeof buf))
            write_all(fd, response, sizeof response - 1);
        SYS_CHECK(close(fd));
    }
    return NULL;
}

static int connect_to(const struct sockaddr_in *a)
{
    int fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    SYS_CHECK(connect(fd, (const struct sockaddr *)a, sizeof *a));
    no_delay(fd);
    return fd;
}

static void one_request(int fd)
{
    char buf[sizeof response - 1];
    write_all(fd, request, sizeof request - 1);
    if (!read_exactly(fd, buf, sizeof buf))
        die("the server closed the connection early");
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s REQUESTS   (e.g. 2000)", argv[0]);
    long n = parse_long_arg(argv[1], "requests", 1, 20000);

    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct server s = { .connections = 1 + n };
    s.listen_fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    SYS_CHECK(bind(s.listen_fd, (struct sockaddr *)&a, sizeof a));
    SYS_CHECK(listen(s.listen_fd, 128));
    socklen_t alen = sizeof a;
    SYS_CHECK(getsockname(s.listen_fd, (struct sockaddr *)&a, &alen));
    pthread_t t;
    PT_CHECK(pthread_create(&t, NULL, server_main, &s));

    /* n requests, one after the other, on one connection kept open. */
    uint64_t t0 = now_ns();
    int fd = connect_to(&a);
    for (long i = 0; i < n; i++)
        one_request(fd);
    SYS_CHECK(close(fd));
    uint64_t keep = now_ns() - t0;

    /* n requests, each on a connection of its own: connect, request, close. */
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        fd = connect_to(&a);
        one_request(fd);
        SYS_CHECK(close(fd));
    }
    uint64_t fresh = now_ns() - t0;

    PT_CHECK(pthread_join(t, NULL));
    SYS_CHECK(close(s.listen_fd));
    printf("%ld requests on one kept-alive connection: %8.1f us per request\n", n,
           (double)keep / 1e3 / (double)n);
    printf("%ld requests, a new connection each:      %8.1f us per request\n", n,
           (double)fresh / 1e3 / (double)n);
    printf("a new connection costs %.1fx a kept-alive request\n", (double)fresh / (double)keep);
    return 0;
}
