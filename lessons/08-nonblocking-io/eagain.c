/* lessons/08-nonblocking-io/eagain.c: a non-blocking socket answers EAGAIN instead of waiting.
 * Build: make -C lessons/08-nonblocking-io
 * Run:   build/lessons/08-nonblocking-io/eagain 65536   # bytes per send
 *
 * Two ends of one TCP connection on 127.0.0.1, both non-blocking. (1) A read with nothing to
 * read returns -1 with errno EAGAIN at once. (2) Sends to a peer that never reads succeed
 * until the kernel's buffers (ours and the peer's) are full, then return EAGAIN: that total
 * is what the kernel holds for a client that does not read. (3) epoll reports the socket
 * as not writable; once the peer reads, it is writable again. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static void set_nonblocking(int fd)
{
    int fl = (int)SYS_CHECK(fcntl(fd, F_GETFL));
    SYS_CHECK(fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

/* Is fd writable right now? Asks epoll with a timeout of 0: it never waits. */
static int writable_now(int epfd)
{
    struct epoll_event ev;
    return (int)SYS_CHECK(epoll_wait(epfd, &ev, 1, 0)) == 1 && (ev.events & EPOLLOUT);
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t alen = sizeof a;
    char one;

    if (argc != 2)
        die("usage: %s BYTES_PER_SEND", argv[0]);
    size_t chunk = (size_t)parse_long_arg(argv[1], "bytes per send", 1, 1 << 24);
    char *buf = calloc(1, chunk);
    if (buf == NULL)
        die("out of memory for %zu bytes", chunk);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int lfd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    SYS_CHECK(bind(lfd, (struct sockaddr *)&a, sizeof a));
    SYS_CHECK(listen(lfd, 1));
    SYS_CHECK(getsockname(lfd, (struct sockaddr *)&a, &alen));
    int client = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));
    SYS_CHECK(connect(client, (struct sockaddr *)&a, sizeof a));
    int peer = (int)SYS_CHECK(accept(lfd, NULL, NULL));
    set_nonblocking(client);
    set_nonblocking(peer);

    /* (1) nothing to read */
    ssize_t n = recv(peer, &one, 1, 0);
    printf("(1) recv with nothing to read: returned %zd, errno %s: it did not wait\n", n,
           n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "EAGAIN" : strerror(errno));

    /* (2) fill the buffers of a peer that never reads */
    long total = 0, sends = 0;
    for (;;) {
        n = send(client, buf, chunk, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0)
            die("send: %s", strerror(errno));
        total += n;
        sends++;
    }
    printf("(2) %ld sends of up to %zu bytes took %ld bytes (%.1f KiB), then EAGAIN: the kernel "
           "holds that much for a peer that does not read\n", sends, chunk, total,
           (double)total / 1024);

    /* (3) epoll says: not writable; the peer reads some; writable again */
    int epfd = (int)SYS_CHECK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLOUT };
    SYS_CHECK(epoll_ctl(epfd, EPOLL_CTL_ADD, client, &ev));
    printf("(3) epoll: writable now? %s\n", writable_now(epfd) ? "yes" : "no");
    long drained = 0;
    while ((n = recv(peer, buf, chunk, 0)) > 0)
        drained += n;
    printf("    the peer read %ld bytes; writable now? %s\n", drained,
           writable_now(epfd) ? "yes" : "no (the kernel frees room in steps; try a larger "
                                        "read)");

    SYS_CHECK(close(epfd));
    SYS_CHECK(close(peer));
    SYS_CHECK(close(client));
    SYS_CHECK(close(lfd));
    free(buf);
    return 0;
}
