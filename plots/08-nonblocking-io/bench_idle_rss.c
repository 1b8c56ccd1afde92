/* plots/08-nonblocking-io/bench_idle_rss.c: resident memory per connected idle client, for
 * the libuv echo server (the lesson's solution) and the raw epoll server (epoll_echo.h): the
 * loop's column of claim C5 (what one more waiting task costs).
 * Build: make build/bench/08-nonblocking-io/bench_idle_rss
 * Run:   build/bench/08-nonblocking-io/bench_idle_rss --quick      # or --full
 *
 * Each measurement forks a server process, reads its VmRSS (/proc/PID/status) once it
 * listens, connects n clients that each send one byte and read its echo (so every
 * connection has been accepted and served once, then sits idle), reads VmRSS again, and
 * divides the growth by n. The kernel's socket buffers are not in a process's RSS: this is
 * the server's own memory per client. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "bench_server.h"
#include "harness.h"

enum { COUNTS_MAX = 3, REPS_MAX = 5 };

/* VmRSS of process pid in KiB. */
static long rss_kib_of(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("cannot open %s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    if (kib < 0)
        die("no VmRSS in %s", path);
    return kib;
}

/* The libuv child stops when the parent closes its end of the control pipe. */
static struct echo_server *child_echo;

static void on_ctl_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    static char byte[16];
    (void)h, (void)suggested;
    *buf = uv_buf_init(byte, sizeof byte);
}

static void on_ctl_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    if (nread < 0) {   /* EOF: the parent is done measuring */
        echo_stop(child_echo);
        uv_close((uv_handle_t *)s, NULL);
    }
}

/* The server process: listen, tell the parent the port, serve until ctl_rd reaches EOF. */
static noreturn void child_serve(enum server_kind kind, int ctl_rd, int port_wr)
{
    int port;

    if (kind == SERVER_LIBUV) {
        uv_loop_t loop;
        uv_pipe_t ctl;
        UV_CHECK(uv_loop_init(&loop));
        UV_CHECK(echo_start(&loop, "127.0.0.1", 0, &child_echo, &port));
        UV_CHECK(uv_pipe_init(&loop, &ctl, 0));
        UV_CHECK(uv_pipe_open(&ctl, ctl_rd));
        UV_CHECK(uv_read_start((uv_stream_t *)&ctl, on_ctl_alloc, on_ctl_read));
        if (write(port_wr, &port, sizeof port) != (ssize_t)sizeof port)
            _exit(1);
        UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
        UV_CHECK(uv_loop_close(&loop));
    } else {
        struct ep_server ep;
        if (ep_server_open(&ep, "127.0.0.1", 0, &port) < 0)
            die("epoll server: %s", strerror(errno));
        /* ctl_rd reported with the stop pipe's tag: its EOF stops the server too. */
        if (ep_watch(ep.epfd, EPOLL_CTL_ADD, ctl_rd, EPOLLIN, &ep.stop_rd) < 0)
            die("epoll_ctl: %s", strerror(errno));
        if (write(port_wr, &port, sizeof port) != (ssize_t)sizeof port)
            _exit(1);
        if (ep_server_run(&ep) < 0)
            die("epoll_wait: %s", strerror(errno));
        ep_server_close(&ep);
        close(ctl_rd);
    }
    _exit(0);
}

/* Bytes of server RSS per idle client, with n clients. */
static double measure(enum server_kind kind, int n, int *fds)
{
    int ctl[2], portp[2], port, status;
    char byte = 'x';

    SYS_CHECK(pipe(ctl));
    SYS_CHECK(pipe(portp));
    pid_t pid = (pid_t)SYS_CHECK(fork());
    if (pid == 0) {
        close(ctl[1]);
        close(portp[0]);
        child_serve(kind, ctl[0], portp[1]);
    }
    SYS_CHECK(close(ctl[0]));
    SYS_CHECK(close(portp[1]));
    if (read(portp[0], &port, sizeof port) != (ssize_t)sizeof port)
        die("the %s server process did not start", server_name[kind]);
    SYS_CHECK(close(portp[0]));
    long before = rss_kib_of(pid);
    for (int k = 0; k < n; k++) {
        fds[k] = bench_connect(port);
        SYS_CHECK(send(fds[k], &byte, 1, MSG_NOSIGNAL));
        if (SYS_CHECK(recv(fds[k], &byte, 1, 0)) != 1)
            die("the %s server closed connection %d", server_name[kind], k);
    }
    long after = rss_kib_of(pid);
    for (int k = 0; k < n; k++)
        SYS_CHECK(close(fds[k]));
    SYS_CHECK(close(ctl[1]));   /* EOF on the control pipe: the server stops */
    SYS_CHECK(waitpid(pid, &status, 0));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the %s server process failed (status %d)", server_name[kind], status);
    return (double)(after - before) * 1024.0 / n;
}

int main(int argc, char **argv)
{
    struct bench b;
    static const int counts_all[COUNTS_MAX] = { 100, 1000, 10000 };

    bench_init(&b, "08-nonblocking-io/idle_rss", argc, argv);
    /* Each measurement is a process with n connections: 5 repetitions are plenty for a
     * figure that varies by a page or two, and 30 would take minutes at 10000 clients. */
    int reps = b.reps < REPS_MAX ? b.reps : REPS_MAX;
    int ncounts = b.quick ? 2 : 3;
    long nofile = bench_raise_nofile();
    signal(SIGPIPE, SIG_IGN);

    FILE *dat = bench_open_data(&b, "clients libuv_median_bytes libuv_min_bytes "
                                    "libuv_max_bytes epoll_median_bytes epoll_min_bytes "
                                    "epoll_max_bytes (server RSS per idle client)");
    FILE *raw = bench_open_raw(&b, "server clients rep bytes_per_client");
    for (int ci = 0; ci < ncounts; ci++) {
        int n = counts_all[ci];
        if (n + 64L > nofile) {
            fprintf(stderr, "skipping %d clients: the descriptor limit is %ld\n", n, nofile);
            continue;
        }
        int *fds = malloc((size_t)n * sizeof *fds);
        double samples[SERVER_KINDS][REPS_MAX];
        if (fds == NULL)
            die("out of memory");
        for (int rep = 0; rep < reps; rep++) {
            bench_progress(&b, "%d clients, rep %d/%d", n, rep + 1, reps);
            for (int s = 0; s < SERVER_KINDS; s++) {
                samples[s][rep] = measure((enum server_kind)s, n, fds);
                fprintf(raw, "%s %d %d %.0f\n", server_name[s], n, rep, samples[s][rep]);
            }
        }
        struct stats st[SERVER_KINDS];
        for (int s = 0; s < SERVER_KINDS; s++)
            st[s] = stats_of(samples[s], reps);
        fprintf(dat, "%d %.0f %.0f %.0f %.0f %.0f %.0f\n", n, st[0].median, st[0].min,
                st[0].max, st[1].median, st[1].min, st[1].max);
        printf("%5d idle clients: libuv server %6.0f bytes each, epoll server %6.0f bytes each "
               "(resident, median of %d)\n", n, st[0].median, st[1].median, reps);
        free(fds);
    }
    bench_close(raw);
    bench_close(dat);
    return 0;
}
