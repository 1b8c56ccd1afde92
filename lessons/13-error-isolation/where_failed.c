/* lessons/13-error-isolation/where_failed.c: one failing check, reached from a thread or from a
 * libuv callback. Under gdb, the thread's backtrace shows who asked (handle_request); the
 * callback's shows only the loop that called it (uv_run): the request's story is gone.
 * Build: make -C lessons/13-error-isolation
 * Run:   build/lessons/13-error-isolation/where_failed thread 2   # thread|callback, bad request (-1: none)
 *        gdb -batch -ex run -ex bt --args build/lessons/13-error-isolation/where_failed callback 2 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "check.h"
#include "uv_check.h"

#define NREQ 4
#define BODY_MAX 100

/* A request: its number and the length of the body it announced. */
struct request {
    int id;
    int body_len;
};

/* The check that fails: a body longer than we accept is a bug here, so we stop loudly. */
static void check_length(const struct request *r)
{
    if (r->body_len > BODY_MAX) {
        fprintf(stderr, "request %d: body of %d bytes, more than %d: abort\n", r->id,
                r->body_len, BODY_MAX);
        abort();
    }
}

static void parse_body(const struct request *r)
{
    check_length(r);
    printf("  request %d: body of %d bytes parsed\n", r->id, r->body_len);
}

/* ---- a thread per request: waiting for the body is a blocking call on the thread's stack */

static void *handle_request(void *arg)
{
    struct request *r = arg;
    struct timespec wait_for_body = { 0, 1000000 };
    nanosleep(&wait_for_body, NULL);
    parse_body(r);
    return NULL;
}

static void serve_with_threads(struct request *reqs)
{
    pthread_t t[NREQ];
    for (int i = 0; i < NREQ; i++)
        PT_CHECK(pthread_create(&t[i], NULL, handle_request, &reqs[i]));
    for (int i = 0; i < NREQ; i++)
        PT_CHECK(pthread_join(t[i], NULL));
}

/* ---- callbacks: handle_request only asks the loop to call on_body later, and returns */

struct pending {
    uv_timer_t timer;
    struct request *req;
};

static void on_body(uv_timer_t *timer)
{
    struct pending *p = timer->data;
    parse_body(p->req);
    uv_close((uv_handle_t *)timer, NULL);
}

static void handle_request_cb(uv_loop_t *loop, struct pending *p, struct request *r)
{
    p->req = r;
    UV_CHECK(uv_timer_init(loop, &p->timer));
    p->timer.data = p;
    UV_CHECK(uv_timer_start(&p->timer, on_body, 1, 0));   /* "when the body has arrived" */
}

static void serve_with_callbacks(struct request *reqs)
{
    uv_loop_t loop;
    struct pending p[NREQ];
    UV_CHECK(uv_loop_init(&loop));
    for (int i = 0; i < NREQ; i++)
        handle_request_cb(&loop, &p[i], &reqs[i]);
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "thread") != 0 && strcmp(argv[1], "callback") != 0))
        die("usage: %s thread|callback BAD   (BAD: which request is too long, -1 for none)",
            argv[0]);
    long bad = parse_long_arg(argv[2], "BAD", -1, NREQ - 1);
    struct request reqs[NREQ];
    for (int i = 0; i < NREQ; i++)
        reqs[i] = (struct request){ i, i == bad ? 9999 : 10 * (i + 1) };
    printf("%d requests, one %s each%s\n", NREQ, argv[1],
           bad >= 0 ? " (one of them fails its check)" : "");
    if (strcmp(argv[1], "thread") == 0)
        serve_with_threads(reqs);
    else
        serve_with_callbacks(reqs);
    printf("all %d requests served\n", NREQ);
    return 0;
}
