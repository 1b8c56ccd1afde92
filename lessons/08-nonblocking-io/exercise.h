/* lessons/08-nonblocking-io/exercise.h: the contract of lesson 08's exercise.
 * The same file is in solutions/08-nonblocking-io/; the tests are written against it. */
#ifndef LESSON08_EXERCISE_H
#define LESSON08_EXERCISE_H

#include <uv.h>

struct echo_server;                                              /* opaque */

/* Listen on host:port (host a literal IPv4 or IPv6 address; port 0 picks a free port; if
 * bound_port is not NULL it receives the port) and send back every byte each client sends, in
 * order. When a client half-closes, every queued echo is still sent, then the server shuts its
 * side down and closes. A client that does not read is not buffered without bound: reading from
 * it pauses while 8 MiB or more of its echo is queued. 0 or a negative libuv error (then *out is
 * NULL; run the loop once more before uv_loop_close, as handles may be closing). */
int echo_start(uv_loop_t *loop, const char *host, int port, struct echo_server **out,
               int *bound_port);

/* From the loop's thread: close the listener and every client (queued echoes are dropped); once
 * uv_run returns, everything the server allocated is freed. NULL or a second call: no effect. */
void echo_stop(struct echo_server *s);

/* More precisely:
 * - UV_EINVAL for loop, host or out NULL, a port outside 0..65535, or a host that is not a
 *   literal address ("not-an-ip", "localhost"); a port already in use is UV_EADDRINUSE.
 * - echo_start may be called before uv_run or from the loop's thread; the server then lives on
 *   that loop only. A client that resets or fails is closed at once; the others go on. */
#define ECHO_PAUSE_BYTES (8u << 20)    /* reading from a client pauses at this much queued echo */

#endif
