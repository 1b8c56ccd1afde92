/* plots/12-coroutines-on-the-loop/cb_echo.h: a plain callback echo server on libuv, the
 * yardstick of bench_co_echo.c. The benchmark may link only this lesson's solution, so the
 * callback server of lesson 08 is not linked: this is the same design in its smallest form
 * (read callback -> copy -> uv_write -> free in the write callback; close on EOF or error).
 * It has no back-pressure: the benchmark's clients send one 64-byte message at a time. */
#ifndef CB_ECHO_H
#define CB_ECHO_H

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "check.h"
#include "uv_check.h"

struct cb_conn {
    uv_tcp_t tcp;
    struct cb_conn *prev, *next;
    struct cb_server *srv;
    char buf[64 * 1024];
};

struct cb_server {
    uv_tcp_t listener;
    struct cb_conn *conns;
    int port;
};

struct cb_write {
    uv_write_t req;
    char data[];
};

static inline void cb_conn_closed(uv_handle_t *h)
{
    struct cb_conn *c = h->data;

    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    free(c);
}

static inline void cb_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct cb_conn *c = h->data;

    (void)suggested;
    *buf = uv_buf_init(c->buf, sizeof c->buf);
}

static inline void cb_written(uv_write_t *req, int status)
{
    (void)status;   /* a failed write: the read side sees the error and closes */
    free(req);
}

static inline void cb_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    if (nread == 0)
        return;
    if (nread < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, cb_conn_closed);
        return;
    }
    struct cb_write *w = malloc(sizeof *w + (size_t)nread);
    if (w == NULL)
        die("cb_echo: out of memory");
    memcpy(w->data, buf->base, (size_t)nread);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)nread);
    if (uv_write(&w->req, s, &b, 1, cb_written) != 0) {
        free(w);
        uv_close((uv_handle_t *)s, cb_conn_closed);
    }
}

static inline void cb_on_connection(uv_stream_t *l, int status)
{
    struct cb_server *srv = l->data;

    if (status < 0)
        return;
    struct cb_conn *c = malloc(sizeof *c);
    if (c == NULL)
        die("cb_echo: out of memory");
    UV_CHECK(uv_tcp_init(l->loop, &c->tcp));
    c->tcp.data = c;
    c->srv = srv;
    c->prev = NULL;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    if (uv_accept(l, (uv_stream_t *)&c->tcp) != 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, cb_alloc, cb_read) != 0)
        uv_close((uv_handle_t *)&c->tcp, cb_conn_closed);
}

/* Listen on 127.0.0.1, a port the kernel picks (srv->port). */
static inline void cb_echo_start(uv_loop_t *loop, struct cb_server *srv)
{
    struct sockaddr_in a;
    struct sockaddr_storage got;
    int len = sizeof got;

    srv->conns = NULL;
    UV_CHECK(uv_ip4_addr("127.0.0.1", 0, &a));
    UV_CHECK(uv_tcp_init(loop, &srv->listener));
    srv->listener.data = srv;
    UV_CHECK(uv_tcp_bind(&srv->listener, (struct sockaddr *)&a, 0));
    UV_CHECK(uv_listen((uv_stream_t *)&srv->listener, 1024, cb_on_connection));
    UV_CHECK(uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&got, &len));
    srv->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
}

/* From the loop's thread: close the listener and every connection. */
static inline void cb_echo_stop(struct cb_server *srv)
{
    uv_close((uv_handle_t *)&srv->listener, NULL);
    for (struct cb_conn *c = srv->conns; c != NULL; c = c->next)
        if (!uv_is_closing((uv_handle_t *)&c->tcp))
            uv_close((uv_handle_t *)&c->tcp, cb_conn_closed);
}

#endif
