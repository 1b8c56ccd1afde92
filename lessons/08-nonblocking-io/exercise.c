/* lessons/08-nonblocking-io/exercise.c: your answer to lesson 08 (read README.md first).
 * Check it:  make check L=08      Stuck?  make hint L=08
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

/* TODO 1: what one connected client needs: its uv_tcp_t, a way back to its server, its
 * place in the server's list of clients, and how many echo bytes are queued (given to
 * uv_write, write callback not run yet). Say beside each field who frees what. */
struct echo_client {
    uv_tcp_t tcp;
};

/* TODO 2: the server: its loop, its listening uv_tcp_t, its clients, and enough to know
 * when its last handle has closed after echo_stop (that is when it may be freed). */
struct echo_server {
    uv_tcp_t listener;
};

int echo_start(uv_loop_t *loop, const char *host, int port, struct echo_server **out,
               int *bound_port)
{
    /* TODO 3: what must hold when echo_start returns:
     * - bad arguments (loop, host or out NULL, port outside 0..65535, host not a literal
     *   IPv4 or IPv6 address): UV_EINVAL, *out NULL (when out is not NULL);
     * - a port in use: UV_EADDRINUSE, *out NULL, and no handle left open once the loop has
     *   run again (a handle already registered with the loop may only be freed in its close
     *   callback);
     * - success: 0, *out the server, *bound_port (if not NULL) the port really bound, and
     *   every client that connects from now on gets its bytes back, in order.
     * Each client: every byte read is echoed (nread bytes, not the buffer's size); a buffer
     * given to uv_write stays alive until that write's callback; at EOF the queued echoes
     * still go out, then the server's side is shut down and the client closed; a read or
     * write error closes the client at once; reading pauses while ECHO_PAUSE_BYTES or more
     * are queued, and resumes once the echo drains; a closed client's memory is freed. */
    (void)loop, (void)host, (void)port, (void)bound_port;
    if (out != NULL)
        *out = NULL;
    return UV_ENOSYS;
}

void echo_stop(struct echo_server *s)
{
    /* TODO 4: NULL or a second call: nothing. Otherwise close the listener and every client
     * (their pending writes are dropped: libuv calls those callbacks with UV_ECANCELED), so
     * that uv_run returns; the server's memory is freed by the last close callback. */
    (void)s;
}
