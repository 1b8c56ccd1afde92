/* lessons/11-stackful-coroutines/exercise.c: your answer to lesson 11 (read README.md first).
 * Check it:  make check L=11      Stuck?  make hint L=11
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. Write it with
 * ucontext: getcontext, makecontext and swapcontext do the register switching for you. */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS and MAP_STACK in <sys/mman.h> */
#include "exercise.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

/* TODO 1: what a coroutine is. At least: its saved context (a ucontext_t), fn and arg, its
 * state (suspended, which includes "never run"; running; done), who resumed it (the coroutine
 * to go back to on yield, or "the thread itself"), and its mapping (address and length) so
 * that coro_destroy can give it back. */
struct coro {
    int todo;
};

/* TODO 2: the current coroutine, one per thread (_Thread_local), and a ucontext_t per thread
 * where the thread's own stack is saved while one of its coroutines runs. */

struct coro *coro_create(void (*fn)(void *arg), void *arg, size_t stack_size)
{
    /* TODO 3: EINVAL (errno, NULL) for fn == NULL or stack_size < CORO_MIN_STACK.
     * TODO 4: round stack_size up to whole pages (sysconf(_SC_PAGESIZE)); a size so large that
     *         this would overflow is ENOMEM. Map the stack plus one guard page below it as one
     *         mapping (mmap), and make the lowest page inaccessible (mprotect PROT_NONE). The
     *         usable part, above the guard, is at least stack_size bytes.
     * TODO 5: prepare the context: getcontext, then set its stack (uc_stack) to the usable
     *         part and makecontext it to start a function of yours that runs fn(arg), marks
     *         the coroutine done, and switches back to whoever resumed it. That function must
     *         never return. On any failure, free what you made and return NULL with errno
     *         set. */
    (void)fn, (void)arg, (void)stack_size;
    errno = ENOSYS;
    return NULL;
}

int coro_resume(struct coro *c)
{
    /* TODO 6: EINVAL for NULL, a finished coroutine, or one that is running (the current one
     * and every coroutine that resumed it, up the chain). Otherwise remember who resumes c (the
     * current coroutine, or none), mark c running, make it current, and swapcontext into it.
     * When swapcontext comes back, c has yielded or finished: return 0. */
    (void)c;
    return ENOSYS;
}

void coro_yield(void)
{
    /* TODO 7: outside any coroutine, return. Otherwise mark the current coroutine suspended,
     * make its resumer current again, and swapcontext back to the resumer's context (another
     * coroutine's, or the thread's own). */
}

bool coro_done(const struct coro *c)
{
    /* TODO 8: true once fn has returned. */
    (void)c;
    return false;
}

void coro_destroy(struct coro *c)
{
    /* TODO 9: give back the whole mapping (guard page included) and the struct. c is finished
     * or suspended, never running. */
    (void)c;
}
