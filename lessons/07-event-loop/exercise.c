/* lessons/07-event-loop/exercise.c: your answer to lesson 07 (read README.md first).
 * Check it:  make check L=07      Stuck?  make hint L=07
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. Every libuv call
 * returns 0 or a negative error (UV_ENOMEM, UV_EINVAL...); check each one. */
#include "exercise.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>

/* ---- tick ---- */

/* TODO 1: what one tick() call owns: the uv_timer_t, the count, the next i to call, the
 * interval, fn and arg. A handle's memory must stay valid until its close callback has run,
 * so where it lives matters. */
struct ticker {
    int todo;
};

int tick(uv_loop_t *loop, int count, uint64_t interval_ms, void (*fn)(int i, void *arg), void *arg)
{
    /* TODO 2: UV_EINVAL for loop or fn NULL or count < 0; count 0 returns 0 and calls
     *         nothing.
     * TODO 3: fn(0), ..., fn(count-1), in order, exactly count calls: the first interval_ms
     *         after the start, then one every interval_ms. With interval_ms 0, one call per
     *         loop iteration, on consecutive iterations (never two calls in one iteration).
     * TODO 4: after the last call the timer is closed (uv_close), and tick returns only after
     *         its close callback ran: afterwards uv_loop_close(loop) returns 0.
     * TODO 5: tick runs uv_run itself; return 0, or the error of a libuv call that failed. */
    (void)loop, (void)count, (void)interval_ms, (void)fn, (void)arg;
    return UV_ENOSYS;
}

/* ---- read_all ---- */

/* TODO 6: what read_all shares between the files (the byte total, the first error) and what
 * each file needs while it is read (its request, its descriptor, its own read buffer). */
struct file_read {
    int todo;
};

int64_t read_all(uv_loop_t *loop, const char *const *paths, int n)
{
    /* TODO 7: UV_EINVAL for n < 0 or paths NULL; 0 for n == 0.
     * TODO 8: every file's uv_fs_open is issued before any read completes; each file is read
     *         with uv_fs_read at offset -1 until a read returns 0, then closed with uv_fs_close.
     *         The total is the sum of what the reads returned.
     * TODO 9: the first error (a callback's negative result, or a uv_fs_* call that returns
     *         < 0) is what read_all returns; after it no read starts, and every descriptor
     *         that was opened is closed.
     * TODO 10: return only when no request is pending (every callback has come back), and
     *          free what you allocated. */
    (void)loop, (void)paths, (void)n;
    return UV_ENOSYS;
}
