/* mutant port_not_reported: never stores the bound port in *bound_port */
/* solutions/08-nonblocking-io/exercise.c: reference answer to lesson 08.
 *
 * An echo server on one libuv loop. Each accepted client reads into buffers from alloc_cb;
 * the nread bytes that arrive are sent back at once with uv_try_write, and whatever the
 * kernel did not take is handed to uv_write, the buffer freed by the write's callback
 * (libuv still reads from it until then). Nothing here blocks: the loop waits in epoll for
 * every socket at once, and calls us back when one is ready.
 *
 * Ownership: the server owns its clients (a list) and each client owns its write requests
 * and their buffers. A handle is freed only in its close callback, the first moment libuv
 * no longer touches it; the server itself is freed when its last handle has closed after
 * echo_stop (open_handles counts them). */
#include "exercise.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* Reading resumes once the queued echo has fallen to half the pause mark, not just below
 * it: with one mark only, every completed write would restart reading for one buffer, and
 * the next read would stop it again (Node's streams keep the same two marks). */
#define ECHO_RESUME_BYTES (ECHO_PAUSE_BYTES / 2)
#define ECHO_BACKLOG 1024   /* 100 clients connecting at once must not overflow the queue */

struct echo_client {
    uv_tcp_t tcp;                   /* first: tcp.data points back here */
    struct echo_server *server;
    struct echo_client *prev, *next;   /* the server's list of clients not yet closed */
    size_t queued;                  /* bytes given to uv_write whose callback has not run */
    bool paused;                    /* reading stopped for back-pressure */
    bool closing;                   /* uv_close called; freed by client_closed */
    uv_shutdown_t shutdown_req;     /* used once, after the client's EOF */
};

/* One echo waiting to be written: the request, the bytes it writes (the end of a read
 * buffer, or all of it) and the buffer's start, freed together in on_write. */
struct echo_write {
    uv_write_t req;
    uv_buf_t buf;
    char *base;
};

struct echo_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    struct echo_client *clients;    /* every accepted client whose close has not completed */
    unsigned open_handles;          /* the listener and the clients, until their close cb */
    bool stopping;                  /* echo_stop ran: free the server at the last close */
};

/* Called when a handle of the server has finished closing. */
static void server_handle_gone(struct echo_server *s)
{
    s->open_handles--;
    if (s->stopping && s->open_handles == 0)
        free(s);
}

static void on_listener_closed(uv_handle_t *h)
{
    server_handle_gone(h->data);
}

/* Used by echo_start's error path, before any client exists. */
static void on_failed_listener_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_client_closed(uv_handle_t *h)
{
    struct echo_client *c = h->data;
    struct echo_server *s = c->server;

    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c);
    server_handle_gone(s);
}

/* Close once. libuv then cancels the client's pending writes and shutdown (their callbacks
 * run with UV_ECANCELED, freeing their buffers) and calls on_client_closed last. */
static void client_close(struct echo_client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    /* A fresh buffer per read: it becomes the write buffer, so no copy is needed. If malloc
     * fails, len 0 makes libuv call on_read with UV_ENOBUFS, which closes the client. */
    buf->base = malloc(suggested);
    buf->len = buf->base != NULL ? suggested : 0;
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    /* Success: every echo was written and our FIN sent. Failure or UV_ECANCELED: nothing
     * more can be sent. Either way, this client is done. */
    (void)status;
    client_close(req->handle->data);
}

static void on_write(uv_write_t *req, int status)
{
    struct echo_write *w = (struct echo_write *)req;
    struct echo_client *c = req->handle->data;

    c->queued -= w->buf.len;
    free(w->base);        /* only now: libuv wrote from it until this callback */
    free(w);
    if (status < 0) {     /* the client went away (EPIPE, ECONNRESET) or we closed it */
        client_close(c);
        return;
    }
    if (c->paused && !c->closing && c->queued <= ECHO_RESUME_BYTES) {
        c->paused = false;
        if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
            client_close(c);
    }
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct echo_client *c = stream->data;

    if (nread > 0) {
        /* nread, never buf->len: the rest of the buffer holds whatever malloc left there. */
        size_t len = (size_t)nread;
        uv_buf_t echo = uv_buf_init(buf->base, (unsigned)len);
        /* Most echoes fit in the kernel's send buffer at once. uv_try_write sends them now,
         * with no request, no callback and no change to what epoll watches (a uv_write
         * costs an epoll_ctl per echo: the lesson's benchmark shows it). libuv refuses it
         * (UV_EAGAIN) while earlier writes are queued, so the order stays right. */
        int sent = uv_try_write(stream, &echo, 1);
        if (sent >= 0 && (size_t)sent == len) {
            free(buf->base);
            return;
        }
        if (sent < 0 && sent != UV_EAGAIN) {   /* the client is gone */
            free(buf->base);
            client_close(c);
            return;
        }
        if (sent > 0)
            echo = uv_buf_init(buf->base + sent, (unsigned)(len - (size_t)sent));
        /* The rest waits in a request until the socket is writable again. */
        struct echo_write *w = malloc(sizeof *w);
        if (w == NULL) {
            free(buf->base);
            client_close(c);
            return;
        }
        w->base = buf->base;
        w->buf = echo;
        int rc = uv_write(&w->req, stream, &w->buf, 1, on_write);
        if (rc < 0) {
            free(w->base);
            free(w);
            client_close(c);
            return;
        }
        c->queued += w->buf.len;
        /* Back-pressure: a client that does not read its echo must not make us buffer
         * without bound. Stop taking its bytes; the kernel buffers fill, and its sends
         * block. on_write starts reading again. */
        if (c->queued >= ECHO_PAUSE_BYTES && !c->paused) {
            c->paused = true;
            uv_read_stop(stream);
        }
        return;
    }
    free(buf->base);   /* NULL when libuv had nothing to read into it */
    if (nread == 0)    /* nothing this time (EAGAIN): not an end */
        return;
    if (nread == UV_EOF) {
        /* The client half-closed: it still reads. Its queued echoes must go out first;
         * uv_shutdown waits for them, then sends our FIN, then on_shutdown closes. libuv
         * has already stopped reading. */
        if (uv_shutdown(&c->shutdown_req, stream, on_shutdown) < 0)
            client_close(c);
        return;
    }
    client_close(c);   /* a real error (ECONNRESET...): nothing can be echoed any more */
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct echo_server *s = listener->data;
    struct echo_client *c;

    if (status < 0)   /* e.g. EMFILE: this connection is lost; keep serving the others */
        return;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return;   /* libuv stops accepting until a later accept; nothing better to do */
    if (uv_tcp_init(s->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    c->tcp.data = c;
    c->server = s;
    c->next = s->clients;
    if (s->clients != NULL)
        s->clients->prev = c;
    s->clients = c;
    s->open_handles++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        client_close(c);
}

/* Fill *addr from a literal IPv4 or IPv6 address; UV_EINVAL for anything else. */
static int parse_address(const char *host, int port, struct sockaddr_storage *addr)
{
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)addr) == 0)
        return 0;
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)addr) == 0)
        return 0;
    return UV_EINVAL;
}

static int bound_port_of(uv_tcp_t *tcp, int *port)
{
    struct sockaddr_storage addr;
    int len = (int)sizeof addr;
    int rc = uv_tcp_getsockname(tcp, (struct sockaddr *)&addr, &len);

    if (rc < 0)
        return rc;
    if (addr.ss_family == AF_INET)
        *port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
    else
        *port = ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return 0;
}

int echo_start(uv_loop_t *loop, const char *host, int port, struct echo_server **out,
               int *bound_port)
{
    struct sockaddr_storage addr;
    struct echo_server *s;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (loop == NULL || host == NULL || out == NULL || port < 0 || port > 65535)
        return UV_EINVAL;
    rc = parse_address(host, port, &addr);
    if (rc < 0)
        return rc;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return UV_ENOMEM;
    s->loop = loop;
    rc = uv_tcp_init(loop, &s->listener);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->listener.data = s;
    /* uv_tcp_bind keeps EADDRINUSE to itself and uv_listen reports it: check both. */
    rc = uv_tcp_bind(&s->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, ECHO_BACKLOG, on_connection);
    (void)bound_port_of, (void)bound_port;
    if (rc < 0) {
        /* The handle is registered with the loop: only its close callback may free it. */
        uv_close((uv_handle_t *)&s->listener, on_failed_listener_closed);
        return rc;
    }
    s->open_handles = 1;
    *out = s;
    return 0;
}

void echo_stop(struct echo_server *s)
{
    if (s == NULL || s->stopping)
        return;
    s->stopping = true;
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    for (struct echo_client *c = s->clients; c != NULL; c = c->next)
        client_close(c);   /* the list is unlinked only in the close callbacks */
}
