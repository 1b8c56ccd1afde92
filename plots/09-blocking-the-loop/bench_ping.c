/* plots/09-blocking-the-loop/bench_ping.c: how long a "ping" waits while another client's
 * request computes for 100 ms, with the work inside the read callback (offload 0) and on
 * libuv's pool (offload 1), beside an idle server. Settles C9.
 * Build: make build/bench/09-blocking-the-loop/bench_ping
 * Run:   build/bench/09-blocking-the-loop/bench_ping --quick      # or --full
 *
 * The server is the lesson's reference job server on 127.0.0.1, its loop in a thread of its
 * own. One repetition: the main thread sends "work 100" (100 ms of CPU), then PINGERS client
 * threads each send one "ping" at its own moment, spread evenly over the first 90 ms of the
 * work (so the last is still sent while the work runs), and time the answer. Everything is bounded: a fixed number of requests, and every read gives up
 * after READ_TIMEOUT_S seconds. */
#define _GNU_SOURCE   /* MSG_NOSIGNAL */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "spin.h"
#include "timing.h"
#include "uv_check.h"

enum {
    WORK_MS = 100,       /* what one heavy request computes */
    PINGERS = 16,        /* clients that each send one ping per repetition */
    READ_TIMEOUT_S = 5,  /* no answer within this: the benchmark stops with a message */
    MODES = 3,
};

/* The server's work: spin n milliseconds (n outside 0..1000: nothing, -1). */
static long spin_work(long n)
{
    if (n < 0 || n > 1000)
        return -1;
    return spin_ms(n);
}

/* ---- the server, in its own thread ---- */

struct server {
    uv_loop_t loop;
    uv_async_t stop;
    struct job_server *js;
    int port;
    pthread_t thread;
};

static void on_stop(uv_async_t *a)
{
    struct server *sv = a->data;
    job_stop(sv->js);
    uv_close((uv_handle_t *)a, NULL);
}

static void *server_main(void *arg)
{
    struct server *sv = arg;
    UV_CHECK(uv_run(&sv->loop, UV_RUN_DEFAULT));
    return NULL;
}

static void server_start(struct server *sv, int offload)
{
    memset(sv, 0, sizeof *sv);
    UV_CHECK(uv_loop_init(&sv->loop));
    UV_CHECK(job_start(&sv->loop, "127.0.0.1", 0, offload, spin_work, &sv->js, &sv->port));
    UV_CHECK(uv_async_init(&sv->loop, &sv->stop, on_stop));
    sv->stop.data = sv;
    PT_CHECK(pthread_create(&sv->thread, NULL, server_main, sv));
}

static void server_stop(struct server *sv)
{
    UV_CHECK(uv_async_send(&sv->stop));
    PT_CHECK(pthread_join(sv->thread, NULL));
    UV_CHECK(uv_loop_close(&sv->loop));
}

/* ---- blocking clients ---- */

static int client_connect(int port)
{
    struct sockaddr_in sin;
    struct timeval tv = { READ_TIMEOUT_S, 0 };
    int one = 1;
    int fd = (int)SYS_CHECK(socket(AF_INET, SOCK_STREAM, 0));

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    SYS_CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
    SYS_CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    SYS_CHECK(connect(fd, (struct sockaddr *)&sin, sizeof sin));
    return fd;
}

static void send_all(int fd, const char *text)
{
    size_t n = strlen(text);
    while (n > 0) {
        ssize_t k = send(fd, text, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            die("send to the job server failed: %s", strerror(errno));
        text += k;
        n -= (size_t)k;
    }
}

/* Read one answer line (every request here gets exactly one, so no bytes of the next answer
 * can arrive early: reading a byte at a time costs nothing that matters at this scale). */
static void read_line(int fd, char *line, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t k = recv(fd, &ch, 1, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            die("no answer from the job server within %d s", READ_TIMEOUT_S);
        if (k <= 0)
            die("the job server closed the connection (%s)", k < 0 ? strerror(errno) : "EOF");
        if (ch == '\n')
            break;
        if (n + 1 < cap)
            line[n++] = ch;
    }
    line[n] = '\0';
}

/* ---- one repetition ---- */

struct run {
    pthread_barrier_t start, end;
    uint64_t t0;                /* when the heavy request left; written before start */
    bool quit;                  /* written before start: the pingers return */
    int fds[PINGERS];
    double rtt_ms[PINGERS];     /* written by pinger k before end */
};

struct pinger {
    struct run *run;
    int k;
};

static void *pinger_main(void *arg)
{
    struct pinger *p = arg;
    struct run *r = p->run;
    char line[64];

    for (;;) {
        BARRIER_WAIT(&r->start);
        if (r->quit)
            return NULL;
        /* Pinger k fires at (k + 0.5) / PINGERS of 90% of the work: all inside it. */
        uint64_t at = r->t0 + (uint64_t)((double)WORK_MS * 0.9e6 * (p->k + 0.5) / PINGERS);
        struct timespec ts = { (time_t)(at / 1000000000u), (long)(at % 1000000000u) };
        int rc;
        while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
            ;
        PT_CHECK(rc);
        uint64_t sent = now_ns();
        send_all(r->fds[p->k], "ping\n");
        read_line(r->fds[p->k], line, sizeof line);
        if (strcmp(line, "pong") != 0)
            die("ping answered '%s', expected 'pong'", line);
        r->rtt_ms[p->k] = (double)(now_ns() - sent) / 1e6;
        BARRIER_WAIT(&r->end);
    }
}

/* Every ping's latency of one mode (reps * PINGERS values) into out. mode 0: idle server
 * (no heavy request); 1: offload 0; 2: offload 1. */
static void measure(const struct bench *b, int mode, double *out, FILE *raw, const char *name)
{
    struct server sv;
    struct run r;
    struct pinger pingers[PINGERS];
    pthread_t threads[PINGERS];
    char line[128], expect[64];

    memset(&r, 0, sizeof r);
    server_start(&sv, mode == 2);
    int heavy = client_connect(sv.port);
    for (int k = 0; k < PINGERS; k++)
        r.fds[k] = client_connect(sv.port);
    PT_CHECK(pthread_barrier_init(&r.start, NULL, PINGERS + 1));
    PT_CHECK(pthread_barrier_init(&r.end, NULL, PINGERS + 1));
    for (int k = 0; k < PINGERS; k++) {
        pingers[k] = (struct pinger){ &r, k };
        PT_CHECK(pthread_create(&threads[k], NULL, pinger_main, &pingers[k]));
    }
    snprintf(expect, sizeof expect, "%d ", WORK_MS);
    for (int rep = -b->warmup; rep < b->reps; rep++) {
        if (mode != 0)
            send_all(heavy, "work 100\n");
        r.t0 = now_ns();
        BARRIER_WAIT(&r.start);
        if (mode != 0) {
            read_line(heavy, line, sizeof line);
            if (strncmp(line, expect, strlen(expect)) != 0)
                die("work 100 answered '%s'", line);
        }
        BARRIER_WAIT(&r.end);
        if (rep < 0)
            continue;
        for (int k = 0; k < PINGERS; k++) {
            out[rep * PINGERS + k] = r.rtt_ms[k];
            fprintf(raw, "%s %d %d %.3f\n", name, rep, k, r.rtt_ms[k]);
        }
    }
    r.quit = true;
    BARRIER_WAIT(&r.start);
    for (int k = 0; k < PINGERS; k++) {
        PT_CHECK(pthread_join(threads[k], NULL));
        SYS_CHECK(close(r.fds[k]));
    }
    SYS_CHECK(close(heavy));
    PT_CHECK(pthread_barrier_destroy(&r.start));
    PT_CHECK(pthread_barrier_destroy(&r.end));
    server_stop(&sv);
}

/* The 99th percentile of sorted values: the smallest value at least 99% of them do not exceed. */
static double p99_of(const double *sorted, int n)
{
    int i = (int)ceil(0.99 * n) - 1;
    return sorted[i < 0 ? 0 : i];
}

int main(int argc, char **argv)
{
    struct bench b;
    struct sigaction sa;

    bench_init(&b, "09-blocking-the-loop/ping", argc, argv);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    SYS_CHECK(sigaction(SIGPIPE, &sa, NULL));   /* a closed peer: an error, not a death */

    const char *names[MODES] = { "idle", "inline", "offload" };
    /* Labels without "_": gnuplot would read it as a subscript. */
    const char *labels[MODES] = { "idle-server", "work-in-read-callback", "work-on-pool" };
    int n = b.reps * PINGERS;
    double *samples = calloc((size_t)n, sizeof *samples);
    struct stats st[MODES];
    double p99[MODES];
    if (samples == NULL)
        die("out of memory");

    FILE *raw = bench_open_raw(&b, "mode repetition pinger latency_ms");
    for (int m = 0; m < MODES; m++) {
        bench_progress(&b, "%s: %d repetitions x %d pings during %d ms of work", names[m],
                       b.reps, PINGERS, WORK_MS);
        measure(&b, m, samples, raw, names[m]);
        st[m] = stats_of(samples, n);   /* sorts samples */
        p99[m] = p99_of(samples, n);
    }
    bench_close(raw);

    FILE *dat = bench_open_data(&b, "index mode median_ms p99_ms min_ms max_ms pings");
    printf("%-22s %12s %12s %10s %10s\n", "server", "median ms", "p99 ms", "min", "max");
    for (int m = 0; m < MODES; m++) {
        fprintf(dat, "%d %s %.4f %.4f %.4f %.4f %d\n", m, labels[m], st[m].median, p99[m],
                st[m].min, st[m].max, n);
        printf("%-22s %12.3f %12.3f %10.3f %10.3f\n", labels[m], st[m].median, p99[m],
               st[m].min, st[m].max);
    }
    bench_close(dat);

    /* C9. Rule: TRUE when, during 100 ms of work, the median ping waits at least 10x longer
     * with the work in the read callback than with it on the pool: computing on the loop
     * stalls every other client, and offloading (which async code must do on purpose) is
     * the fix. HALF-TRUE from 2x to 10x; FALSE under 2x (the loop's computing did not
     * delay the others). On a busy machine (load above half the cores) a result other than
     * TRUE is DEPENDS: other programs' load can delay the loop in both modes alike. */
    double ratio = st[1].median / (st[2].median > 0 ? st[2].median : 1e-9);
    const char *verdict = ratio >= 10.0 ? "TRUE" : ratio >= 2.0 ? "HALF-TRUE" : "FALSE";
    if (b.busy && ratio < 10.0)
        verdict = "DEPENDS";
    char figures[512];
    snprintf(figures, sizeof figures,
             "ping during %d ms of work: in callback median %.1f ms (p99 %.1f) | "
             "uv_queue_work %.2f ms (p99 %.2f) = %.0fx less | idle %.2f ms%s",
             WORK_MS, st[1].median, p99[1], st[2].median, p99[2], ratio, st[0].median,
             b.busy ? " (machine busy)" : "");
    claim_write("C9", "09", "async is not for CPU-bound work", figures, verdict);
    printf("C9: %s  %s\n", figures, verdict);
    free(samples);
    return 0;
}
