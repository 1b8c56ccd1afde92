/* lessons/08-nonblocking-io/epoll_echo.c: an echo server on non-blocking sockets and epoll, no libuv.
 * Build: make -C lessons/08-nonblocking-io
 * Run:   build/lessons/08-nonblocking-io/epoll_echo 10 1000   # clients, round trips each; 0 0 PORT: serve until Ctrl-C
 *
 * With clients > 0 the server runs on a thread of its own (one thread, one epoll loop, every
 * connection), and the main thread plays the clients: each round, every client sends a
 * 32-byte line, then every client reads its echo back and compares it. With 0 0 PORT it only
 * serves, on 127.0.0.1:PORT: try it from another terminal with `nc 127.0.0.1 PORT`. */
#define _DEFAULT_SOURCE   /* SA_RESTART */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "epoll_echo.h"
#include "timing.h"

enum { LINE = 32 };

static struct ep_server *to_stop;   /* for the Ctrl-C handler of the serve-only mode */

static void on_sigint(int sig)
{
    (void)sig;
    ep_server_stop(to_stop);        /* one write(): async-signal-safe */
}

static void *serve(void *arg)
{
    if (ep_server_run(arg) < 0)
        die("epoll_wait: %s", strerror(errno));
    return NULL;
}

/* The LINE bytes client k sends in round r: "client 3 round 17......\n". */
static void make_line(char out[64], long k, long r)
{
    int n = snprintf(out, 64, "client %ld round %ld", k, r);   /* at most 27 characters */
    memset(out + n, '.', (size_t)(LINE - 1 - n));
    out[LINE - 1] = '\n';
}

/* Read exactly len bytes (blocking). */
static void read_all(int fd, char *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = SYS_CHECK(recv(fd, buf + got, len - got, 0));
        if (n == 0)
            die("the server closed a connection early");
        got += (size_t)n;
    }
}

static void play_clients(int port, long nclients, long rounds)
{
    int *fd = malloc((size_t)nclients * sizeof *fd);
    char out[64], in[LINE];

    if (fd == NULL)
        die("out of memory for %ld clients", nclients);
    for (long k = 0; k < nclients; k++) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd[k] = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        SYS_CHECK(connect(fd[k], (struct sockaddr *)&a, sizeof a));
    }
    uint64_t t0 = now_ns();
    for (long r = 0; r < rounds; r++) {
        for (long k = 0; k < nclients; k++) {
            make_line(out, k, r);
            SYS_CHECK(send(fd[k], out, LINE, MSG_NOSIGNAL));
        }
        for (long k = 0; k < nclients; k++) {
            make_line(out, k, r);
            read_all(fd[k], in, LINE);
            if (memcmp(in, out, LINE) != 0)
                die("client %ld, round %ld: the echo differs from what was sent", k, r);
        }
    }
    double s = (double)(now_ns() - t0) / 1e9;
    printf("epoll_echo: %ld clients x %ld round trips = %ld echoes, all correct, in %.3f s "
           "(%.0f round trips/s)\n", nclients, rounds, nclients * rounds, s,
           (double)(nclients * rounds) / s);
    for (long k = 0; k < nclients; k++)
        SYS_CHECK(close(fd[k]));
    free(fd);
}

int main(int argc, char **argv)
{
    struct ep_server s;
    int port = 0;

    if (argc != 3 && argc != 4)
        die("usage: %s CLIENTS ROUNDS [PORT]   (CLIENTS 0: serve on PORT until Ctrl-C)",
            argv[0]);
    long nclients = parse_long_arg(argv[1], "clients", 0, 10000);
    long rounds = parse_long_arg(argv[2], "rounds", 0, 10000000);
    if (argc == 4)
        port = (int)parse_long_arg(argv[3], "port", 0, 65535);
    if (ep_server_open(&s, "127.0.0.1", port, &port) < 0)
        die("cannot listen on 127.0.0.1 port %d: %s", port, strerror(errno));

    if (nclients == 0) {
        struct sigaction sa = { .sa_handler = on_sigint, .sa_flags = SA_RESTART };
        to_stop = &s;
        SYS_CHECK(sigaction(SIGINT, &sa, NULL));
        printf("epoll_echo: serving on 127.0.0.1 port %d; Ctrl-C stops\n", port);
        fflush(stdout);
        serve(&s);
    } else {
        pthread_t t;
        PT_CHECK(pthread_create(&t, NULL, serve, &s));
        play_clients(port, nclients, rounds);
        ep_server_stop(&s);
        PT_CHECK(pthread_join(t, NULL));
    }
    printf("epoll_echo: stopped with %ld connection(s) still open; closing them\n", s.nconns);
    ep_server_close(&s);
    return 0;
}
