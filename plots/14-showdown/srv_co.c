/* plots/14-showdown/srv_co.c: the lesson's HTTP server as one coroutine per connection on
 * one libuv loop (lesson 12's co_spawn, co_read and co_write), one thread.
 * Build: make build/bench/14-showdown/srv_co
 * Run:   build/bench/14-showdown/srv_co 0   # port (0: any free one); stop: Ctrl-C
 *
 * The loop accepts; each connection gets a coroutine that reads, answers and reads again,
 * top to bottom, the way srv_threads.c's threads do. co_read and co_write suspend only that
 * coroutine: the loop goes on with the others, as in srv_uv.c. Its buffers are locals on the
 * coroutine's own stack (lesson 12's runtime: 256 KiB reserved, pages resident once touched),
 * so a waiting connection keeps the stack pages it touched, as a waiting thread does. */
#include <stdint.h>
#include <uv.h>

#include "server.h"
#include "uv_check.h"
/* Lesson 12's contract, by its path: "exercise.h" alone is lesson 14's parser (-I). */
#include "../../lessons/12-coroutines-on-the-loop/exercise.h"

static long accepted;

/* One connection, in the order things happen: srv_threads.c's serve() with co_read and
 * co_write in place of read and write. Returns when the client closed, reset, asked to close
 * or sent a bad head, or when the stop path shut the socket down (co_read then says 0). */
static void serve(uv_stream_t *s)
{
    char in[HTTP_HEAD_MAX];   /* bytes of a head not complete yet stay here */
    size_t have = 0;
    struct srv_out out;       /* co_write returns once libuv is done with it */

    for (;;) {
        ssize_t r = co_read(s, in + have, sizeof in - have);
        if (r <= 0)
            return;   /* 0: closed or shut down; < 0: reset or failed */
        have += (size_t)r;
        for (;;) {
            bool close_after;
            out.len = 0;
            size_t used = srv_answer(in, have, &out, &close_after);
            if (out.len > 0 && co_write(s, out.buf, out.len) != 0)
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

static void on_closed(uv_handle_t *h)
{
    free(h);
}

/* The coroutine of one connection: serve it, then close it. The handle is freed by its close
 * callback, after this function has returned and lesson 12's runtime has freed the stack. */
static void conn_main(void *arg)
{
    uv_tcp_t *tcp = arg;
    serve((uv_stream_t *)tcp);
    uv_close((uv_handle_t *)tcp, on_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0) {
        fprintf(stderr, "srv_co: connection error: %s\n", uv_strerror(status));
        return;
    }
    uv_tcp_t *tcp = malloc(sizeof *tcp);
    if (tcp == NULL)
        die("out of memory");
    UV_CHECK(uv_tcp_init(server->loop, tcp));
    if (uv_accept(server, (uv_stream_t *)tcp) < 0) {   /* it went away already */
        uv_close((uv_handle_t *)tcp, on_closed);
        return;
    }
    (void)uv_tcp_nodelay(tcp, 1);   /* a connection already reset may refuse: its read fails */
    int rc = co_spawn(server->loop, conn_main, tcp);
    if (rc < 0) {
        /* Out of memory or mappings for a stack: refuse this client, keep serving the others. */
        static bool said;
        if (!said)
            fprintf(stderr, "srv_co: co_spawn: %s; refusing connections\n", uv_strerror(rc));
        said = true;
        uv_close((uv_handle_t *)tcp, on_closed);
        return;
    }
    accepted++;
}

/* The stop path, for each handle of the loop. A coroutine waiting in co_read has no callback
 * that closing its handle would run, so it would never return (lesson 12, section 6). As
 * srv_threads.c does for its blocked threads, shut each connection's socket down instead:
 * a pending co_read returns 0 and a pending co_write fails, the coroutine returns and closes
 * its handle, and the runtime closes the coroutine's own handles after it. */
static void stop_handle(uv_handle_t *h, void *listener)
{
    if (uv_is_closing(h))
        return;
    if (h == listener || h->type == UV_SIGNAL) {
        uv_close(h, NULL);
    } else if (h->type == UV_TCP) {
        uv_os_fd_t fd;
        UV_CHECK(uv_fileno(h, &fd));
        if (shutdown(fd, SHUT_RDWR) == -1 && errno != ENOTCONN)   /* ENOTCONN: peer left */
            die("shutdown: %s", strerror(errno));
    }
    /* Anything else belongs to a coroutine (its wake-up and timer): lesson 12's runtime
     * closes those once the coroutine has returned. */
}

/* SIGINT or SIGTERM: no new connections; every coroutine ends; uv_run returns when the last
 * handle is closed. */
static void on_signal(uv_signal_t *sig, int signum)
{
    (void)signum;
    uv_walk(sig->loop, stop_handle, sig->data);
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
    sigint.data = sigterm.data = &server;   /* the one TCP handle that is not a connection */
    UV_CHECK(uv_signal_start(&sigint, on_signal, SIGINT));
    UV_CHECK(uv_signal_start(&sigterm, on_signal, SIGTERM));

    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
    printf("srv_co: stopped after %ld connections\n", accepted);
    return 0;
}
