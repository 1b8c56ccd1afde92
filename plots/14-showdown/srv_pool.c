/* plots/14-showdown/srv_pool.c: the lesson's HTTP server, a fixed pool of threads sharing
 * every connection.
 * Build: make build/bench/14-showdown/srv_pool
 * Run:   build/bench/14-showdown/srv_pool 0 2   # port (0: any free one), worker threads
 *
 * Why this design and not "blocking accept, each worker serves one connection at a time":
 * wrk keeps every connection open for the whole run, so N such workers would serve N
 * connections and leave the others waiting until the end. Here a pool of N workers serves
 * any number of connections: the main thread waits (epoll) until a connection has bytes to
 * read and queues it; a worker takes it, answers what arrived, and gives it back. A
 * connection is armed with EPOLLONESHOT, so it is in the queue or in one worker at most,
 * never in two: the workers need no lock on a connection's own state. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "server.h"

struct conn {
    int fd;
    size_t have;          /* bytes of a head not complete yet, in pending */
    char *pending;        /* HTTP_HEAD_MAX bytes, allocated only while have > 0 */
    /* Handed from worker to worker through the kernel: the worker that re-arms the
     * connection (epoll_ctl) and the one that gets it next (after epoll_wait, in main) are
     * ordered by the kernel, but no C11 rule says so, and ThreadSanitizer cannot see it.
     * A release store before re-arming and an acquire load before serving say it. */
    atomic_uint handoffs;
};

/* The queue of connections ready to read (a ring), and the table of all connections.
 * mu guards ring, head, count, stopping and by_fd[]. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t ready;
    struct conn **ring;
    size_t cap, head, count;
    bool stopping;
    struct conn **by_fd;  /* by_fd[fd]: the connection on fd, or NULL; cap entries */
    int epoll_fd;
} q = { .mu = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER };

static void conn_close(struct conn *c)
{
    PT_CHECK(pthread_mutex_lock(&q.mu));
    q.by_fd[c->fd] = NULL;
    SYS_CHECK(close(c->fd));   /* closing also takes it out of the epoll set */
    PT_CHECK(pthread_mutex_unlock(&q.mu));
    free(c->pending);
    free(c);
}

/* Read what the connection has, answer every complete request, keep the rest. Returns
 * false when the connection is finished (closed by either side). */
static bool serve_ready(struct conn *c)
{
    char in[HTTP_HEAD_MAX];
    struct srv_out out;
    size_t have = c->have;

    if (have > 0)
        memcpy(in, c->pending, have);
    for (;;) {
        ssize_t r = read(c->fd, in + have, sizeof in - have);
        if (r == 0)
            return false;
        if (r == -1) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;   /* all read: give the connection back */
            return false;
        }
        bool drained = (size_t)r < sizeof in - have;   /* a short read took all there was */
        have += (size_t)r;
        for (;;) {
            bool close_after;
            out.len = 0;
            size_t used = srv_answer(in, have, &out, &close_after);
            if (out.len > 0 && srv_write_all(c->fd, out.buf, out.len) == -1)
                return false;
            if (close_after)
                return false;
            memmove(in, in + used, have - used);
            have -= used;
            if (used == 0 || have == 0)
                break;
        }
        /* Saves a read that would only say EAGAIN; if more came meanwhile, the re-armed
         * epoll entry fires at once (level-triggered). */
        if (drained)
            break;
    }
    /* Keep an incomplete head for next time; memory only while there is one. */
    if (have > 0 && c->pending == NULL && (c->pending = malloc(HTTP_HEAD_MAX)) == NULL)
        return false;
    if (have > 0)
        memcpy(c->pending, in, have);
    if (have == 0) {
        free(c->pending);
        c->pending = NULL;
    }
    c->have = have;
    return true;
}

static void arm(struct conn *c, int op)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.ptr = c };
    SYS_CHECK(epoll_ctl(q.epoll_fd, op, c->fd, &ev));
}

static void *worker_main(void *arg)
{
    (void)arg;
    for (;;) {
        PT_CHECK(pthread_mutex_lock(&q.mu));
        while (q.count == 0 && !q.stopping)
            PT_CHECK(pthread_cond_wait(&q.ready, &q.mu));
        if (q.stopping) {   /* connections still queued are closed by main */
            PT_CHECK(pthread_mutex_unlock(&q.mu));
            return NULL;
        }
        struct conn *c = q.ring[q.head];
        q.head = (q.head + 1) % q.cap;
        q.count--;
        PT_CHECK(pthread_mutex_unlock(&q.mu));
        (void)atomic_load_explicit(&c->handoffs, memory_order_acquire);
        if (serve_ready(c)) {
            atomic_fetch_add_explicit(&c->handoffs, 1, memory_order_release);
            arm(c, EPOLL_CTL_MOD);   /* wake us again when more bytes come */
        } else {
            conn_close(c);
        }
    }
}

/* Two markers for the epoll set: the listening socket and the stop pipe. */
static char listen_mark, stop_mark;

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s PORT WORKERS   (port 0: any free one; stop with SIGINT or SIGTERM)",
            argv[0]);
    int port = srv_port_arg(argv[1]);
    int nworkers = (int)parse_long_arg(argv[2], "workers", 1, 256);
    srv_raise_nofile();
    struct rlimit rl;
    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    q.cap = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (1u << 20) : rl.rlim_cur;
    /* A connection is queued at most once (EPOLLONESHOT), so the ring never overflows. */
    q.ring = calloc(q.cap, sizeof *q.ring);
    q.by_fd = calloc(q.cap, sizeof *q.by_fd);
    if (q.ring == NULL || q.by_fd == NULL)
        die("out of memory");

    int stop_fd = srv_stop_pipe();
    int listen_fd = srv_listen(port);
    q.epoll_fd = (int)SYS_CHECK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_mark };
    SYS_CHECK(epoll_ctl(q.epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev));
    ev.data.ptr = &stop_mark;
    SYS_CHECK(epoll_ctl(q.epoll_fd, EPOLL_CTL_ADD, stop_fd, &ev));

    pthread_t *workers = calloc((size_t)nworkers, sizeof *workers);
    if (workers == NULL)
        die("out of memory");
    sigset_t old = srv_block_stop_signals();
    for (int i = 0; i < nworkers; i++)
        PT_CHECK(pthread_create(&workers[i], NULL, worker_main, NULL));
    PT_CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));

    long accepted = 0;
    bool running = true;
    struct epoll_event evs[256];
    while (running) {
        int n = epoll_wait(q.epoll_fd, evs, 256, -1);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &stop_mark) {
                running = false;
            } else if (p == &listen_mark) {
                int fd;
                while ((fd = srv_accept(listen_fd)) != -1) {
                    struct conn *c = calloc(1, sizeof *c);
                    if (c == NULL || (size_t)fd >= q.cap) {
                        free(c);
                        SYS_CHECK(close(fd));
                        continue;
                    }
                    c->fd = fd;
                    srv_set_nonblocking(fd);
                    PT_CHECK(pthread_mutex_lock(&q.mu));
                    q.by_fd[fd] = c;
                    PT_CHECK(pthread_mutex_unlock(&q.mu));
                    accepted++;
                    arm(c, EPOLL_CTL_ADD);
                }
            } else {
                PT_CHECK(pthread_mutex_lock(&q.mu));
                q.ring[(q.head + q.count) % q.cap] = p;
                q.count++;
                PT_CHECK(pthread_cond_signal(&q.ready));
                PT_CHECK(pthread_mutex_unlock(&q.mu));
            }
        }
    }

    /* Stop: workers finish the connection in their hands and leave; then every
     * connection still open (idle, or queued) is closed here. */
    PT_CHECK(pthread_mutex_lock(&q.mu));
    q.stopping = true;
    PT_CHECK(pthread_cond_broadcast(&q.ready));
    /* A worker waiting to write to a client that stopped reading would wait forever:
     * shutting every socket down makes that write fail at once. */
    for (size_t fd = 0; fd < q.cap; fd++)
        if (q.by_fd[fd] != NULL)
            (void)shutdown((int)fd, SHUT_RDWR);   /* ENOTCONN if the peer left: fine */
    PT_CHECK(pthread_mutex_unlock(&q.mu));
    for (int i = 0; i < nworkers; i++)
        PT_CHECK(pthread_join(workers[i], NULL));
    for (size_t fd = 0; fd < q.cap; fd++)
        if (q.by_fd[fd] != NULL)
            conn_close(q.by_fd[fd]);
    SYS_CHECK(close(q.epoll_fd));
    SYS_CHECK(close(listen_fd));
    srv_close_stop_pipe(stop_fd);
    free(workers);
    free(q.ring);
    free(q.by_fd);
    printf("srv_pool: stopped after %ld connections, %d workers\n", accepted, nworkers);
    return 0;
}
