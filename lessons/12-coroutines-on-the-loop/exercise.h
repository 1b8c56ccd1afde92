/* lessons/12-coroutines-on-the-loop/exercise.h: the contract of lesson 12's exercise.
 * The same file is in solutions/12-coroutines-on-the-loop/; the tests are written against it. */
#ifndef LESSON12_EXERCISE_H
#define LESSON12_EXERCISE_H

#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

/* Start fn(arg) as a stackful coroutine driven by loop; inside it the calls below suspend only the
 * coroutine, never the loop. fn never runs inside co_spawn: it starts on a later loop iteration,
 * coroutines in spawn order. Call co_spawn from the loop's thread (a coroutine included) or before
 * uv_run. The coroutine's stack is freed once fn returns, and everything else once its handles
 * have closed. 0 or a negative libuv error (UV_EINVAL for loop or fn NULL). */
int co_spawn(uv_loop_t *loop, void (*fn)(void *arg), void *arg);

/* One read into buf: > 0 bytes (what arrived, possibly fewer than len), 0 at EOF (and on every
 * later call), < 0 a libuv error: UV_EINVAL outside a coroutine, for s or buf NULL or len 0;
 * UV_ECANCELED when the stream is being stopped (see co_echo_stop). Reading stops after it. */
ssize_t co_read(uv_stream_t *s, void *buf, size_t len);

/* Returns once libuv has written all of buf (its write callback ran): 0, or < 0 (UV_EINVAL outside a
 * coroutine or for s NULL; UV_ECANCELED if the stream was closed meanwhile). len 0: 0 at once. */
int co_write(uv_stream_t *s, const void *buf, size_t len);

/* Suspend this coroutine for ms milliseconds; 0 yields to the loop once. 0, or UV_EINVAL outside
 * a coroutine. */
int co_sleep(uint64_t ms);

/* Lesson 08's echo server as one coroutine per connection: the same contract as echo_start and
 * echo_stop, except back-pressure, which is natural here: a connection's coroutine reads its next
 * chunk only after the previous echo is written (at most one read buffer in flight per client).
 * co_echo_stop wakes every client's coroutine (its pending co_read or co_write returns
 * UV_ECANCELED) so that all of them finish before uv_run returns. */
struct co_echo;                                            /* opaque */
int co_echo_start(uv_loop_t *loop, const char *host, int port, struct co_echo **out,
                  int *bound_port);
void co_echo_stop(struct co_echo *s);

/* More precisely:
 * - A coroutine runs on the loop's thread, one at a time: it runs until it calls co_read,
 *   co_write or co_sleep (or returns); the loop then goes on with other callbacks and coroutines.
 * - co_read borrows s->data while it waits (it gives the value back before it returns); two
 *   coroutines must not read the same stream at once (the second gets UV_EALREADY).
 * - co_echo_start: UV_EINVAL for loop, host or out NULL, a port outside 0..65535, or a host that
 *   is not a literal IPv4 or IPv6 address; a port in use is UV_EADDRINUSE. On an error *out is
 *   NULL; run the loop once more before uv_loop_close (handles may be closing).
 * - co_echo_stop: from the loop's thread (a coroutine included); NULL or a second call: no
 *   effect. A client at EOF gets the rest of its echo, then the server shuts its side down. */
#define CO_ECHO_BUF ((size_t)64 * 1024)     /* the one read buffer of each connection */

#endif
