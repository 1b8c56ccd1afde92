/* lessons/11-stackful-coroutines/exercise.h: the contract of lesson 11's exercise.
 * The same file is in solutions/11-stackful-coroutines/; the tests are written against it. */
#ifndef LESSON11_EXERCISE_H
#define LESSON11_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

struct coro;                                                     /* opaque */

/* A coroutine that will run fn(arg) on its own stack of at least stack_size usable bytes (rounded
 * up to whole pages) with an inaccessible guard page below it, not counted in stack_size. NULL
 * and errno: EINVAL for fn == NULL or stack_size < 16 KiB, ENOMEM. */
struct coro *coro_create(void (*fn)(void *arg), void *arg, size_t stack_size);
/* Run c until it yields or finishes; may be called from inside another coroutine (coro_yield
 * then returns to that one). 0, or EINVAL if c is NULL, has finished, or is running (every
 * coroutine in the current chain of resumes counts as running). */
int coro_resume(struct coro *c);
void coro_yield(void);                 /* inside a coroutine: back to whoever resumed it; outside
                                        * any coroutine: does nothing */
bool coro_done(const struct coro *c);
void coro_destroy(struct coro *c);     /* on a finished or suspended coroutine (never a running
                                        * one): frees its stack; what fn held is the caller's */

/* More precisely:
 * - The current coroutine is per thread: each thread has its own chain of resumes, and a
 *   coroutine runs on the thread that resumed it.
 * - A coroutine starts running only at its first coro_resume. When fn returns, the coroutine
 *   has finished: control goes back to whoever resumed it, and coro_done is true from then on.
 * - 16 KiB is CORO_MIN_STACK; a size so large that rounding it up overflows is ENOMEM.
 * - Each coroutine keeps its own registers and floating-point control state (rounding mode):
 *   what one coroutine sets is not seen by another, nor by the code that resumed it. */
#define CORO_MIN_STACK ((size_t)16 * 1024)

#endif
