/* lessons/09-blocking-the-loop/exercise.c: your answer to lesson 09 (read README.md first).
 * Check it:  make check L=09      Stuck?  make hint L=09
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. exercise.h is the
 * contract: read its "More precisely" part too. */
#include "exercise.h"

#include <stddef.h>
#include <stdlib.h>

/* TODO 1: the server. It must know the loop, work and offload, its listening handle, and
 * every client still open (job_stop closes them all). It may be freed only once the last of
 * its handles has closed, after uv_run has no more reason to call back into it. */
struct job_server {
    int todo;
};

/* TODO 2: one client. What must hold:
 * - a line may arrive in pieces, over several reads: the bytes of the unfinished line
 *   survive from one read callback to the next;
 * - a line of 255 bytes is served; a longer one answers a single "error\n", and the line
 *   after it is served as usual;
 * - answers leave in request order, even when a later "ping" is ready long before an earlier
 *   offloaded "work" finishes;
 * - after the client half-closes (UV_EOF), every request already received is still answered,
 *   and then the server shuts its side down (the client reads EOF);
 * - a client the server no longer needs (it half-closed and got every answer, it reset the
 *   connection, it closed it) is closed at once, while the server runs, not at job_stop;
 * - when a client closes while its work runs in the pool, nothing touches the freed client
 *   afterwards, and nothing leaks. */

int job_start(uv_loop_t *loop, const char *host, int port, int offload, long (*work)(long n),
              struct job_server **out, int *bound_port)
{
    /* TODO 3: UV_EINVAL for NULL loop, host, work or out, a bad port, or a host that is not a
     * literal IPv4 or IPv6 address. Listen on host:port, report the port actually bound
     * through bound_port, and set *out. Every libuv error comes back as it is (a busy port is
     * UV_EADDRINUSE); then *out is NULL and nothing is leaked once the loop runs once more.
     * TODO 4: each request line gets its answer (see exercise.h). offload = 0: call work(N)
     * right there, in the read callback. offload = 1: work(N) runs on libuv's thread pool,
     * and the answer is sent from the after-work callback, on the loop's thread. */
    (void)loop, (void)host, (void)port, (void)offload, (void)work, (void)bound_port;
    if (out != NULL)
        *out = NULL;
    return UV_ENOSYS;
}

void job_stop(struct job_server *s)
{
    /* TODO 5: close the listener and every client; a NULL or a second call does nothing.
     * Work already running in the pool cannot be stopped: once it ends, its after-work
     * callback must find out that its client is gone, and free what it holds. */
    (void)s;
}
