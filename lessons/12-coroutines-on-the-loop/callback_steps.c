/* callback_steps.c: a three-step conversation (send, wait for the answer, pause) written with callbacks, as a state machine.
 * Build: make -C lessons/12-coroutines-on-the-loop
 * Run:   build/lessons/12-coroutines-on-the-loop/callback_steps 3
 *
 * A "client" sends "ping N", reads the answer, sleeps 1 ms, and goes again, ROUNDS times. An
 * "echo" answers on the other end of a socketpair. Both ends live on one libuv loop, in one
 * thread. With callbacks, the client's plan is cut into pieces: each step starts a request and
 * returns, and the next step lives in that request's callback. The state the steps share (the
 * round, the buffer) cannot live in local variables: it sits in a struct. The program prints
 * each piece as it runs; lesson 12's coroutines put the same plan back into one loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <uv.h>

#include "check.h"
#include "uv_check.h"

struct client {
    uv_pipe_t pipe;
    uv_timer_t timer;
    uv_write_t wreq;
    long round, rounds;
    char out[32];
    char in[64];
    size_t got;
    long callbacks;
};

struct echo {
    uv_pipe_t pipe;
    char buf[64];
    uv_write_t wreq;
};

static void client_send(struct client *c);

static void step(struct client *c, const char *what)
{
    c->callbacks++;
    printf("  round %ld: %s\n", c->round, what);
}

static void client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = h->data;

    (void)suggested;
    *buf = uv_buf_init(c->in + c->got, (unsigned)(sizeof c->in - 1 - c->got));
}

static void client_woke(uv_timer_t *t)
{
    struct client *c = t->data;

    step(c, "timer callback: the pause is over, send the next ping");
    c->round++;
    client_send(c);
}

static void client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct client *c = s->data;

    (void)buf;
    if (nread == 0)
        return;
    if (nread < 0) {
        fprintf(stderr, "callback_steps: reading the answer: %s\n", uv_strerror((int)nread));
        exit(1);
    }
    c->got += (size_t)nread;
    if (c->got < strlen(c->out))
        return;   /* the answer came in pieces: wait for the rest, in this same callback */
    c->in[c->got] = '\0';
    uv_read_stop(s);
    step(c, "read callback: the answer is in; start a 1 ms timer");
    UV_CHECK(uv_timer_start(&c->timer, client_woke, 1, 0));
}

static void client_sent(uv_write_t *req, int status)
{
    struct client *c = req->data;

    if (status < 0) {
        fprintf(stderr, "callback_steps: sending: %s\n", uv_strerror(status));
        exit(1);
    }
    step(c, "write callback: the ping is out; start reading the answer");
    c->got = 0;
    UV_CHECK(uv_read_start((uv_stream_t *)&c->pipe, client_alloc, client_read));
}

/* The start of a round, and the end of the conversation. */
static void client_send(struct client *c)
{
    if (c->round > c->rounds) {
        uv_close((uv_handle_t *)&c->pipe, NULL);
        uv_close((uv_handle_t *)&c->timer, NULL);
        return;
    }
    snprintf(c->out, sizeof c->out, "ping %ld", c->round);
    uv_buf_t b = uv_buf_init(c->out, (unsigned)strlen(c->out));
    c->wreq.data = c;
    UV_CHECK(uv_write(&c->wreq, (uv_stream_t *)&c->pipe, &b, 1, client_sent));
}

static void echo_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct echo *e = h->data;

    (void)suggested;
    *buf = uv_buf_init(e->buf, sizeof e->buf);
}

static void echo_sent(uv_write_t *req, int status)
{
    (void)req;
    if (status < 0) {
        fprintf(stderr, "callback_steps: echo: %s\n", uv_strerror(status));
        exit(1);
    }
}

static void echo_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct echo *e = s->data;

    if (nread == 0)
        return;
    if (nread < 0) {   /* the client closed its end: so do we */
        uv_close((uv_handle_t *)s, NULL);
        return;
    }
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)nread);
    e->wreq.data = e;
    /* One write at a time is enough here: the client waits for each answer. */
    UV_CHECK(uv_write(&e->wreq, s, &b, 1, echo_sent));
}

int main(int argc, char **argv)
{
    uv_loop_t loop;
    struct echo e;
    int sv[2];

    if (argc > 2) {
        fprintf(stderr, "usage: %s [rounds 1..1000]\n", argv[0]);
        return 2;
    }
    long rounds = argc > 1 ? parse_long_arg(argv[1], "rounds", 1, 1000) : 3;
    struct client c = { .round = 1, .rounds = rounds };
    SYS_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    UV_CHECK(uv_loop_init(&loop));
    UV_CHECK(uv_pipe_init(&loop, &c.pipe, 0));
    UV_CHECK(uv_pipe_open(&c.pipe, sv[0]));
    UV_CHECK(uv_timer_init(&loop, &c.timer));
    UV_CHECK(uv_pipe_init(&loop, &e.pipe, 0));
    UV_CHECK(uv_pipe_open(&e.pipe, sv[1]));
    c.pipe.data = &c;
    c.timer.data = &c;
    e.pipe.data = &e;
    UV_CHECK(uv_read_start((uv_stream_t *)&e.pipe, echo_alloc, echo_read));
    printf("%ld round(s) of: send \"ping N\", read the answer, sleep 1 ms\n", rounds);
    client_send(&c);
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
    printf("%ld rounds: %ld callbacks, each one a piece of the plan; the last answer was "
           "\"%s\".\nWith coroutines the plan is one loop: co_write, co_read, co_sleep.\n",
           rounds, c.callbacks, c.in);
    return 0;
}
