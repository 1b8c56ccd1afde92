/* lessons/common/fiber.h: what a coroutine switch must tell ASan, TSan and valgrind.
 *
 * A stackful coroutine switch (lessons 11 and 12) moves the stack pointer to memory the tools
 * did not see the thread start on. Told nothing, AddressSanitizer reports false overflows and
 * loses its frames, ThreadSanitizer mixes two coroutines' call stacks and misses the order a
 * switch creates, and valgrind takes the jump for a huge frame. These calls tell them; in a
 * build without the tool they do nothing.
 *
 * Why a file of lessons/common and not a few lines in each answer: the sanitizer's part must
 * be compiled in only for the sanitizer build, and an exercise.c that reads like that
 * ("#ifdef __SANITIZE_ADDRESS__") is what the grader refuses (code that behaves differently
 * when checked). This file is compiled once per build variant, with the course's code.
 *
 * Use, around every switch from context `from` to context `to`:
 *     fiber_note_leave(&from->note, &to->note, from_finished);
 *     swapcontext(...) or the hand-written switch
 *     fiber_note_arrive(&from->note);     (we are back on from's stack)
 * and as the first statement of a coroutine's entry function: fiber_note_arrive(&self->note). */
#ifndef COURSE_FIBER_H
#define COURSE_FIBER_H

#include <stdbool.h>
#include <stddef.h>

struct fiber_note {
    const void *stack_lo;     /* the context's stack, which ASan must be told on a switch in */
    size_t stack_size;
    void *fake_stack;         /* ASan's save slot for the context's fake frames */
    void *tsan_fiber;         /* TSan's name for the context */
    unsigned valgrind_id;     /* the stack as registered with valgrind (0: none) */
};

/* The thread's own stack, as a context: once per thread, before its first switch away. */
void fiber_note_thread(struct fiber_note *n);
/* A coroutine's new stack [stack_lo, stack_lo + size). */
void fiber_note_stack(struct fiber_note *n, void *stack_lo, size_t size);
/* The coroutine's stack is about to be freed (never the running one). */
void fiber_note_forget(struct fiber_note *n);
/* Just before switching from `from` to `to`; from_finished: `from` will never run again. */
void fiber_note_leave(struct fiber_note *from, struct fiber_note *to, bool from_finished);
/* The first thing on a stack after a switch to it. */
void fiber_note_arrive(struct fiber_note *self);

#endif
