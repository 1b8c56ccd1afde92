/* tests/09-blocking-the-loop/mutants/reset_not_closed.c: a known-wrong answer to lesson 09.
 * A read error (a client that reset the connection: UV_ECONNRESET) only stops reading: the
 * dead connection keeps its socket until job_stop. Killed by
 * test_finished_clients_released_before_stop (a hang: the runner stops it, saying how many
 * sockets the server still holds). */
#include "exercise.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    LINE_MAX_BYTES = 255,   /* the longest line served (the '\n' not counted) */
    READ_BUF_BYTES = 4096,  /* one read at a time per client, so one buffer each */
    ANSWER_BYTES = 48,      /* "-9223372036854775808 -9223372036854775808\n" fits */
    BACKLOG = 128,
};

struct client;

struct job {
    uv_work_t work_req;        /* first: the pool hands it back to after_work */
    uv_write_t write_req;
    struct client *client;     /* NULL once orphaned (its client closed while in the pool) */
    struct job *next;          /* the client's queue, oldest first */
    long (*work)(long n);      /* copied here: the worker must not read the client */
    long n, result;            /* n: written before queueing; result: by the worker */
    bool in_pool;              /* queued with uv_queue_work, after_work not run yet */
    bool done;                 /* answer[] holds the answer */
    char answer[ANSWER_BYTES];
    size_t answer_len;
};

struct job_server {
    uv_tcp_t listener;         /* first: its close callback casts back to the server */
    uv_loop_t *loop;
    long (*work)(long n);
    int offload;
    int handles;               /* the listener and the clients not closed yet */
    bool stopping;
    struct client *clients;    /* open clients, a doubly linked list */
};

struct client {
    uv_tcp_t tcp;              /* first: callbacks cast the handle back to the client */
    uv_shutdown_t shutdown_req;
    struct job_server *server;
    struct client *prev, *next;
    struct job *head, *tail;   /* requests not answered yet, in arrival order */
    char line[LINE_MAX_BYTES]; /* the line being read; carried from one read to the next */
    size_t line_len;
    bool line_too_long;        /* the current line passed 255 bytes: skip to its '\n' */
    bool eof;                  /* the client half-closed: answer what is queued, then shut down */
    bool shutting_down;
    bool closing;
    char read_buf[READ_BUF_BYTES];
};

static void server_release(struct job_server *s)
{
    if (--s->handles == 0)
        free(s);
}

/* ---- closing a client ---- */

static void on_client_closed(uv_handle_t *h)
{
    struct client *c = (struct client *)h;
    struct job *j = c->head;

    /* Queued jobs die with the client, except those still in the pool: their after-work
     * callback has yet to run, and it will free them. Write requests were already failed
     * with UV_ECANCELED (libuv does that before the close callback). */
    while (j != NULL) {
        struct job *next = j->next;
        if (j->in_pool) {
            j->client = NULL;
            j->next = NULL;
        } else {
            free(j);
        }
        j = next;
    }
    struct job_server *s = c->server;
    free(c);
    server_release(s);
}

static void client_close(struct client *c)
{
    if (c->closing)
        return;
    c->closing = true;
    /* Unlinked at once: a job_stop that comes later must not close it twice. */
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        c->server->clients = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    /* A job still waiting for a pool thread need not run at all (work already running
     * cannot be stopped: uv_cancel then fails with UV_EBUSY, and that is fine). */
    for (struct job *j = c->head; j != NULL; j = j->next)
        if (j->in_pool)
            (void)uv_cancel((uv_req_t *)&j->work_req);
    uv_close((uv_handle_t *)&c->tcp, on_client_closed);
}

/* ---- answers, in request order ---- */

static void on_written(uv_write_t *req, int status)
{
    struct job *j = req->data;
    struct client *c = j->client;

    free(j);
    /* UV_ECANCELED: the client is closing already. Any other error: the peer is gone. */
    if (status < 0 && status != UV_ECANCELED)
        client_close(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;   /* success or not, this client is finished */
    client_close(req->data);
}

/* Send every answer ready at the head of the queue; stop at the first job not done. Once
 * the client has half-closed and nothing is left to answer, shut our side down: libuv sends
 * the queued writes first, then the FIN, which the client reads as EOF. */
static void client_flush(struct client *c)
{
    while (c->head != NULL && c->head->done && !c->closing) {
        struct job *j = c->head;
        c->head = j->next;
        if (c->head == NULL)
            c->tail = NULL;
        j->next = NULL;
        j->write_req.data = j;
        uv_buf_t buf = uv_buf_init(j->answer, (unsigned)j->answer_len);
        if (uv_write(&j->write_req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) < 0) {
            free(j);
            client_close(c);
            return;
        }
    }
    if (c->eof && c->head == NULL && !c->shutting_down && !c->closing) {
        c->shutting_down = true;
        c->shutdown_req.data = c;
        if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
            client_close(c);
    }
}

static void job_answer(struct job *j, const char *text)
{
    j->answer_len = (size_t)snprintf(j->answer, sizeof j->answer, "%s", text);
    j->done = true;
}

static void job_answer_work(struct job *j)
{
    j->answer_len = (size_t)snprintf(j->answer, sizeof j->answer, "%ld %ld\n", j->n, j->result);
    j->done = true;
}

/* ---- the pool's side ---- */

/* Runs on a pool thread: it touches only its own job's n and result, which no other
 * thread reads until after_work (libuv's queue mutex orders the two). */
static void work_in_pool(uv_work_t *req)
{
    struct job *j = (struct job *)req;
    j->result = j->work(j->n);
}

/* Back on the loop's thread. */
static void after_work(uv_work_t *req, int status)
{
    struct job *j = (struct job *)req;

    j->in_pool = false;
    if (j->client == NULL) {   /* orphaned: its client closed while work ran */
        free(j);
        return;
    }
    if (status < 0)            /* UV_ECANCELED only happens to orphans, but be safe */
        job_answer(j, "error\n");
    else
        job_answer_work(j);
    client_flush(j->client);
}

/* ---- requests ---- */

/* "-"? digits, the whole of s[0..len), fitting a long. The checks run before each step so
 * that nothing overflows: v * 10 + d <= LONG_MAX  <=>  v <= (LONG_MAX - d) / 10, and the
 * mirror image for negative numbers (C's division rounds toward zero, which is what both
 * bounds need). */
static bool parse_long_exact(const char *s, size_t len, long *out)
{
    size_t i = 0;
    bool negative = false;
    long v = 0;

    if (i < len && s[i] == '-') {
        negative = true;
        i++;
    }
    if (i == len)
        return false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (negative) {
            if (v < (LONG_MIN + d) / 10)
                return false;
            v = v * 10 - d;
        } else {
            if (v > (LONG_MAX - d) / 10)
                return false;
            v = v * 10 + d;
        }
    }
    *out = v;
    return true;
}

/* One complete line: queue its job, and answer whatever can be answered now. */
static void client_request(struct client *c)
{
    struct job_server *s = c->server;
    struct job *j = calloc(1, sizeof *j);

    if (j == NULL) {   /* no memory for even the answer: drop the client */
        client_close(c);
        return;
    }
    j->client = c;
    j->work = s->work;
    if (c->tail != NULL)
        c->tail->next = j;
    else
        c->head = j;
    c->tail = j;

    static const char work_word[] = "work ";
    const size_t wl = sizeof work_word - 1;
    if (c->line_too_long) {
        job_answer(j, "error\n");
    } else if (c->line_len == 4 && memcmp(c->line, "ping", 4) == 0) {
        job_answer(j, "pong\n");
    } else if (c->line_len > wl && memcmp(c->line, work_word, wl) == 0 &&
               parse_long_exact(c->line + wl, c->line_len - wl, &j->n)) {
        if (!s->offload) {
            /* Blocking on purpose: the loop runs nothing else until work returns. */
            j->result = j->work(j->n);
            job_answer_work(j);
        } else if (uv_queue_work(s->loop, &j->work_req, work_in_pool, after_work) == 0) {
            j->in_pool = true;
        } else {
            job_answer(j, "error\n");
        }
    } else {
        job_answer(j, "error\n");
    }
    client_flush(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = (struct client *)h;
    (void)suggested;
    *buf = uv_buf_init(c->read_buf, sizeof c->read_buf);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = (struct client *)stream;

    if (nread == UV_EOF) {
        /* Half-close: keep the connection to answer what is queued (a partial last line
         * is not a request). */
        uv_read_stop(stream);
        c->eof = true;
        client_flush(c);
        return;
    }
    if (nread < 0) {
        uv_read_stop(stream);   /* BUG: the connection is dead, and its handle stays open */
        return;
    }
    /* A line may end in this read or in a later one: the bytes so far stay in c->line. */
    for (ssize_t i = 0; i < nread && !c->closing; i++) {
        char ch = buf->base[i];
        if (ch == '\n') {
            client_request(c);
            c->line_len = 0;
            c->line_too_long = false;
        } else if (c->line_too_long) {
            continue;
        } else if (c->line_len == LINE_MAX_BYTES) {
            c->line_too_long = true;   /* byte 256: this line is an error */
        } else {
            c->line[c->line_len++] = ch;
        }
    }
}

static void on_connection(uv_stream_t *listener, int status)
{
    struct job_server *s = (struct job_server *)listener;

    if (status < 0 || s->stopping)
        return;   /* a failed accept costs that client only */
    struct client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return;
    if (uv_tcp_init(s->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    c->server = s;
    c->next = s->clients;
    if (s->clients != NULL)
        s->clients->prev = c;
    s->clients = c;
    s->handles++;
    /* Answers are small and often several in a row: with Nagle's algorithm on, the second
     * would wait for the client to acknowledge the first (up to its 40 ms delayed ACK). */
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 ||
        uv_tcp_nodelay(&c->tcp, 1) < 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        client_close(c);
}

/* ---- start and stop ---- */

static void on_listener_closed(uv_handle_t *h)
{
    server_release((struct job_server *)h);
}

static int bound_port_of(uv_tcp_t *tcp, int *port)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    int rc = uv_tcp_getsockname(tcp, (struct sockaddr *)&ss, &len);
    if (rc < 0)
        return rc;
    /* sin_port and sin6_port sit at the same offset; both are in network byte order. */
    const unsigned char *p = (const unsigned char *)&((struct sockaddr_in *)&ss)->sin_port;
    *port = p[0] << 8 | p[1];
    return 0;
}

int job_start(uv_loop_t *loop, const char *host, int port, int offload, long (*work)(long n),
              struct job_server **out, int *bound_port)
{
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } addr;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (loop == NULL || host == NULL || work == NULL || out == NULL || port < 0 || port > 65535)
        return UV_EINVAL;
    if (uv_ip4_addr(host, port, &addr.v4) != 0 && uv_ip6_addr(host, port, &addr.v6) != 0)
        return UV_EINVAL;

    struct job_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return UV_ENOMEM;
    s->loop = loop;
    s->work = work;
    s->offload = offload;
    rc = uv_tcp_init(loop, &s->listener);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->handles = 1;
    /* libuv reports a busy port from uv_listen, not from uv_tcp_bind. */
    rc = uv_tcp_bind(&s->listener, &addr.sa, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&s->listener, BACKLOG, on_connection);
    if (rc == 0 && bound_port != NULL)
        rc = bound_port_of(&s->listener, bound_port);
    if (rc < 0) {
        /* The handle is live: only its close callback may free the server. */
        s->stopping = true;
        uv_close((uv_handle_t *)&s->listener, on_listener_closed);
        return rc;
    }
    *out = s;
    return 0;
}

void job_stop(struct job_server *s)
{
    if (s == NULL || s->stopping)
        return;
    s->stopping = true;
    while (s->clients != NULL)
        client_close(s->clients);   /* unlinks it */
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}
