/* plots/14-showdown/srv_threads.c: the lesson's HTTP server, one thread per connection.
 * Build: make build/bench/14-showdown/srv_threads
 * Run:   build/bench/14-showdown/srv_threads 0   # port (0: any free one); stop: Ctrl-C */
#include <pthread.h>
#include <stdint.h>

#include "server.h"

/* Live connections, indexed by descriptor so that adding and removing one costs nothing.
 * mu guards is_conn[], n and created; a thread closes its socket under mu, so the stop path
 * (which shuts every live socket down under mu) never touches a number already reused. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t none_left;
    char *is_conn;     /* is_conn[fd]: a thread serves fd */
    size_t size;       /* entries in is_conn: the descriptor limit */
    size_t n;          /* threads alive */
    long created;      /* threads started since the beginning */
} live = { .mu = PTHREAD_MUTEX_INITIALIZER, .none_left = PTHREAD_COND_INITIALIZER };

/* Serve one connection until the client closes it, asks to close, sends a bad request, or
 * the server stops (its socket is shut down under it). Blocking reads and writes: while
 * this thread waits for the client, the kernel runs the others. */
static void serve(int fd)
{
    char in[HTTP_HEAD_MAX];   /* bytes of a head not complete yet stay here */
    size_t have = 0;
    struct srv_out out;

    for (;;) {
        ssize_t r = read(fd, in + have, sizeof in - have);
        if (r == 0 || (r == -1 && errno != EINTR))
            return;   /* closed, reset, or shut down by the stop path */
        if (r == -1)
            continue;
        have += (size_t)r;
        for (;;) {
            bool close_after;
            out.len = 0;
            size_t used = srv_answer(in, have, &out, &close_after);
            if (out.len > 0 && srv_write_all(fd, out.buf, out.len) == -1)
                return;
            if (close_after)
                return;
            memmove(in, in + used, have - used);
            have -= used;
            if (used == 0 || have == 0)
                break;   /* wait for more bytes */
        }
    }
}

static void *conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    serve(fd);
    PT_CHECK(pthread_mutex_lock(&live.mu));
    live.is_conn[fd] = 0;
    SYS_CHECK(close(fd));
    if (--live.n == 0)
        PT_CHECK(pthread_cond_broadcast(&live.none_left));
    PT_CHECK(pthread_mutex_unlock(&live.mu));
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s PORT   (0: any free port; stop with SIGINT or SIGTERM)", argv[0]);
    int port = srv_port_arg(argv[1]);
    srv_raise_nofile();
    struct rlimit rl;
    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    live.size = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : rl.rlim_cur;
    live.is_conn = calloc(live.size, 1);
    if (live.is_conn == NULL)
        die("out of memory");

    int stop_fd = srv_stop_pipe();
    int listen_fd = srv_listen(port);
    /* Detached on purpose: nobody joins a connection's thread; the count live.n (and its
     * condition variable) tells the stop path when the last one has finished. */
    pthread_attr_t attr;
    PT_CHECK(pthread_attr_init(&attr));
    PT_CHECK(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED));
    bool said = false;

    while (srv_wait_accept(listen_fd, stop_fd)) {
        int fd;
        while ((fd = srv_accept(listen_fd)) != -1) {
            if ((size_t)fd >= live.size) {   /* cannot happen below the descriptor limit */
                SYS_CHECK(close(fd));
                continue;
            }
            PT_CHECK(pthread_mutex_lock(&live.mu));
            live.is_conn[fd] = 1;
            live.n++;
            live.created++;
            PT_CHECK(pthread_mutex_unlock(&live.mu));
            pthread_t t;
            sigset_t old = srv_block_stop_signals();
            int err = pthread_create(&t, &attr, conn_main, (void *)(intptr_t)fd);
            PT_CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));
            if (err != 0) {
                /* Out of threads (or memory for their stacks): refuse this client. */
                if (!said)
                    fprintf(stderr, "srv_threads: pthread_create: %s; refusing connections\n",
                            strerror(err));
                said = true;
                PT_CHECK(pthread_mutex_lock(&live.mu));
                live.is_conn[fd] = 0;
                live.n--;
                live.created--;
                SYS_CHECK(close(fd));
                PT_CHECK(pthread_mutex_unlock(&live.mu));
            }
        }
    }

    /* Stop: no new connections; wake every thread blocked in read or write by shutting its
     * socket down (read returns 0, write fails), then wait for the last one to leave. */
    SYS_CHECK(close(listen_fd));
    PT_CHECK(pthread_mutex_lock(&live.mu));
    for (size_t fd = 0; fd < live.size; fd++)
        if (live.is_conn[fd])
            (void)shutdown((int)fd, SHUT_RDWR);   /* ENOTCONN if the peer left: fine */
    while (live.n > 0)
        PT_CHECK(pthread_cond_wait(&live.none_left, &live.mu));
    long created = live.created;
    PT_CHECK(pthread_mutex_unlock(&live.mu));
    PT_CHECK(pthread_attr_destroy(&attr));
    free(live.is_conn);
    srv_close_stop_pipe(stop_fd);
    printf("srv_threads: stopped after %ld connections\n", created);
    return 0;
}
