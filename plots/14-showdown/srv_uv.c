/* plots/14-showdown/srv_uv.c: the lesson's HTTP server on one libuv loop, one thread.
 * Build: make build/bench/14-showdown/srv_uv
 * Run:   build/bench/14-showdown/srv_uv 0   # port (0: any free one); stop: Ctrl-C
 *
 * Every connection is a uv_tcp_t; nothing blocks, so one thread serves them all. Bytes are
 * read into one shared buffer (the loop runs one callback at a time, so one is enough);
 * a connection owns a buffer of its own only while it holds half a request head. An idle
 * connection thus costs its handle and a few words, the way nginx's do. */
#include <stdint.h>
#include <uv.h>

#include "server.h"
#include "uv_check.h"

struct conn {
    uv_tcp_t tcp;          /* first member: a uv_handle_t* of ours is a struct conn* */
    char *pending;         /* HTTP_HEAD_MAX bytes, only while have > 0 */
    size_t have;
    bool close_after_write;
};

/* A write that uv_try_write could not finish at once: it owns a copy of the bytes. */
struct wreq {
    uv_write_t req;
    size_t len;
    char data[];
};

static char shared_in[65536];
static long accepted;

static void on_closed(uv_handle_t *h)
{
    struct conn *c = (struct conn *)h;
    free(c->pending);
    free(c);
}

static void conn_close(struct conn *c)
{
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = (struct conn *)h;
    (void)suggested;
    if (c->have > 0)   /* continue the half head where it stops */
        *buf = uv_buf_init(c->pending + c->have, (unsigned)(HTTP_HEAD_MAX - c->have));
    else
        *buf = uv_buf_init(shared_in, sizeof shared_in);
}

static void on_written(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    struct conn *c = (struct conn *)req->handle;
    if (status < 0 || c->close_after_write)
        conn_close(c);
    free(w);
}

/* Send bytes now if the socket takes them (the usual case: one system call, no
 * allocation), else queue the rest with uv_write. false: the connection failed. */
static bool send_bytes(struct conn *c, const char *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int rc = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (rc == (int)n)
        return true;
    if (rc < 0 && rc != UV_EAGAIN)
        return false;
    size_t done = rc > 0 ? (size_t)rc : 0;
    struct wreq *w = malloc(sizeof *w + n - done);
    if (w == NULL)
        return false;
    w->len = n - done;
    memcpy(w->data, p + done, w->len);
    b = uv_buf_init(w->data, (unsigned)w->len);
    rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written);
    if (rc < 0) {
        free(w);
        return false;
    }
    return true;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = (struct conn *)s;
    if (nread < 0) {   /* UV_EOF: the client closed; anything else: it failed */
        conn_close(c);
        return;
    }
    if (nread == 0)
        return;
    char *in = c->have > 0 ? c->pending : buf->base;
    size_t have = c->have + (size_t)nread;
    struct srv_out out;
    for (;;) {
        bool close_after;
        out.len = 0;
        size_t used = srv_answer(in, have, &out, &close_after);
        if (close_after) {
            /* Stop reading; close once the last response has left. */
            uv_read_stop(s);
            c->close_after_write = true;
            size_t queued = uv_stream_get_write_queue_size(s);
            if (!send_bytes(c, out.buf, out.len) || (queued == 0 &&
                                                     uv_stream_get_write_queue_size(s) == 0))
                conn_close(c);
            c->have = 0;
            return;
        }
        if (out.len > 0 && !send_bytes(c, out.buf, out.len)) {
            conn_close(c);
            return;
        }
        in += used;
        have -= used;
        if (used == 0 || have == 0)
            break;
    }
    /* Keep an incomplete head (fewer than HTTP_HEAD_MAX bytes, or the parser would have
     * said -431) at the start of the connection's own buffer. */
    if (have > 0 && c->pending == NULL && (c->pending = malloc(HTTP_HEAD_MAX)) == NULL) {
        conn_close(c);
        return;
    }
    if (have > 0)
        memmove(c->pending, in, have);
    if (have == 0 && c->pending != NULL) {
        free(c->pending);
        c->pending = NULL;
    }
    c->have = have;
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) {
        fprintf(stderr, "srv_uv: connection error: %s\n", uv_strerror(status));
        return;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        die("out of memory");
    UV_CHECK(uv_tcp_init(server->loop, &c->tcp));
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {   /* it went away already */
        conn_close(c);
        return;
    }
    accepted++;
    (void)uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (uv_is_closing(h))
        return;
    if (h->type == UV_TCP && h->data == NULL)   /* a connection (the server has data set) */
        conn_close((struct conn *)h);
    else
        uv_close(h, NULL);
}

/* SIGINT or SIGTERM: close every handle; uv_run returns when the last one is closed. */
static void on_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    uv_walk(sig->loop, close_any, NULL);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s PORT   (0: any free port; stop with SIGINT or SIGTERM)", argv[0]);
    int port = srv_port_arg(argv[1]);
    srv_raise_nofile();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;   /* a client gone while we write: EPIPE, not death */
    SYS_CHECK(sigaction(SIGPIPE, &sa, NULL));

    uv_loop_t loop;
    UV_CHECK(uv_loop_init(&loop));
    uv_tcp_t server;
    UV_CHECK(uv_tcp_init(&loop, &server));
    server.data = &server;   /* marks the listening handle for close_any */
    struct sockaddr_in addr;
    UV_CHECK(uv_ip4_addr("127.0.0.1", port, &addr));
    int rc = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&server, 4096, on_connection);
    if (rc < 0)
        die("cannot listen on 127.0.0.1:%d: %s", port, uv_strerror(rc));
    int alen = sizeof addr;
    UV_CHECK(uv_tcp_getsockname(&server, (struct sockaddr *)&addr, &alen));
    printf("listening on 127.0.0.1:%d\n", ntohs(addr.sin_port));
    fflush(stdout);

    uv_signal_t sigint, sigterm;
    UV_CHECK(uv_signal_init(&loop, &sigint));
    UV_CHECK(uv_signal_init(&loop, &sigterm));
    sigint.data = sigterm.data = &server;
    UV_CHECK(uv_signal_start(&sigint, on_signal, SIGINT));
    UV_CHECK(uv_signal_start(&sigterm, on_signal, SIGTERM));

    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
    printf("srv_uv: stopped after %ld connections\n", accepted);
    return 0;
}
