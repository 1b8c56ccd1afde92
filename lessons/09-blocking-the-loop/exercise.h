/* lessons/09-blocking-the-loop/exercise.h: the contract of lesson 09's exercise.
 * The same file is in solutions/09-blocking-the-loop/; the tests are written against it. */
#ifndef LESSON09_EXERCISE_H
#define LESSON09_EXERCISE_H

#include <uv.h>

struct job_server;                                               /* opaque */

/* A line protocol over TCP: "work N\n" (N: an optional '-' then decimal digits up to the newline,
 * fitting a long) answers "N <work(N)>\n" with both numbers as %ld; "ping\n" answers "pong\n";
 * anything else (an empty line, a '\r', a line over 255 bytes) answers "error\n". offload = 0
 * runs work inside the read callback; offload = 1 runs it with uv_queue_work (work must be
 * thread-safe) and answers from the after-work callback. Requests may arrive split across reads
 * or several in one read; answers to one client come in request order; a client that half-closes
 * still gets every answer, then EOF. 0 or a negative libuv error. */
int job_start(uv_loop_t *loop, const char *host, int port, int offload, long (*work)(long n),
              struct job_server **out, int *bound_port);
void job_stop(struct job_server *s);   /* from the loop's thread, as in lesson 08; work already
                                        * running cannot be cancelled, so uv_run returns after it */

/* More precisely (the same rules as lesson 08's echo_start and echo_stop):
 * - host is a literal IPv4 or IPv6 address ("127.0.0.1", "::1"); port 0 picks a free port, and
 *   *bound_port (if bound_port is not NULL) receives the port actually bound. loop, host, work
 *   or out NULL, or a port outside 0..65535: UV_EINVAL. A host that is not an address:
 *   UV_EINVAL. A port already in use: UV_EADDRINUSE. On any error *out is NULL, and the caller
 *   runs the loop once more before uv_loop_close (handles may be closing).
 * - A line is the bytes before a '\n' (the '\n' is not part of it). A line of 255 bytes is
 *   served; a longer one answers one "error\n", and the next line is served as usual.
 *   "work N" is exactly "work", one space, then N: "work", "work 1x", "work +1" and a number
 *   that does not fit a long are "error\n". Bytes after the last '\n' when the client
 *   half-closes are not a request.
 * - A client the server no longer needs (it half-closed and got every answer, it reset the
 *   connection, it closed it) is closed at once, while the server runs, not only at job_stop.
 * - job_start is called before uv_run or from the loop's thread; job_stop from the loop's
 *   thread only. job_stop closes the listener and every client (answers not sent yet are
 *   dropped); once uv_run returns, everything the server allocated is freed. NULL or a second
 *   call: no effect. */

#endif
