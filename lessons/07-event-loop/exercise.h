/* lessons/07-event-loop/exercise.h: the contract of lesson 07's exercise.
 * The same file is in solutions/07-event-loop/; the tests are written against it. */
#ifndef LESSON07_EXERCISE_H
#define LESSON07_EXERCISE_H

#include <stdint.h>

#include <uv.h>

/* Call fn(i, arg) for i = 0..count-1 from a uv_timer on loop, the first call interval_ms after
 * the start and one every interval_ms after it (interval_ms 0: on consecutive loop iterations),
 * then close the timer. tick runs uv_run itself and returns when it ends: 0 (also for count 0),
 * or a negative libuv error (UV_EINVAL for loop or fn NULL or count < 0). Afterwards no handle
 * is left open (uv_loop_close returns 0). The loop has no other active handle. */
int tick(uv_loop_t *loop, int count, uint64_t interval_ms, void (*fn)(int i, void *arg), void *arg);

/* Read the n files concurrently (every open issued before any read completes) with uv_fs_open,
 * uv_fs_read at the current position (offset -1, so FIFOs work) and uv_fs_close; return the
 * total number of bytes (0 for n == 0), UV_EINVAL for n < 0 or paths NULL, or the first negative
 * libuv error to happen, after which no further read starts and every open descriptor is closed.
 * No descriptor is leaked and no request left pending, on success or on error. */
int64_t read_all(uv_loop_t *loop, const char *const *paths, int n);

/* More precisely:
 * - "Consecutive loop iterations": one call per turn of uv_run's loop, on the turn right after
 *   the previous call's, so other handles get their turn between two calls. Calls come in
 *   order, exactly count of them, all on the thread that called tick.
 * - A tick that cannot start (the timer's init or start fails) returns that error and still
 *   leaves no handle open.
 * - read_all: a file's bytes are counted as uv_fs_read returns them, until a read returns 0
 *   (end of file). A synchronous failure of a uv_fs_* call (it returns < 0: then no callback
 *   will come) counts as an error too. The files' contents are not kept. */

#endif
