/* lessons/common/fiber.c: the tool notes of fiber.h. Compiled once per build variant (plain,
 * ASan+UBSan, TSan): the sanitizer's branch exists only in its own build. */
#include "fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FIBER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FIBER_TSAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
/* The context that switched to this thread's running stack last: ASan tells its bounds when
 * we arrive, which is how the thread's own stack (never allocated by us) becomes known. */
static _Thread_local struct fiber_note *switched_from;
#endif
#ifdef FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif
/* Valgrind's client requests are macros that do nothing when the program runs without it. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define FIBER_VALGRIND 1
#endif
#endif

void fiber_note_thread(struct fiber_note *n)
{
    *n = (struct fiber_note){0};
#ifdef FIBER_TSAN
    n->tsan_fiber = __tsan_get_current_fiber();
#endif
}

void fiber_note_stack(struct fiber_note *n, void *stack_lo, size_t size)
{
    *n = (struct fiber_note){.stack_lo = stack_lo, .stack_size = size};
#ifdef FIBER_TSAN
    n->tsan_fiber = __tsan_create_fiber(0);
#endif
#ifdef FIBER_VALGRIND
    n->valgrind_id = VALGRIND_STACK_REGISTER(stack_lo, (char *)stack_lo + size);
#endif
}

void fiber_note_forget(struct fiber_note *n)
{
#ifdef FIBER_ASAN
    /* A suspended or finished coroutine leaves ASan's marks on its frames; the next mapping
     * at this address must not inherit them. (The thread's own stack is never forgotten.) */
    if (n->stack_lo != NULL)
        __asan_unpoison_memory_region(n->stack_lo, n->stack_size);
#endif
#ifdef FIBER_TSAN
    if (n->tsan_fiber != NULL)
        __tsan_destroy_fiber(n->tsan_fiber);
#endif
#ifdef FIBER_VALGRIND
    if (n->stack_lo != NULL)
        VALGRIND_STACK_DEREGISTER(n->valgrind_id);
#endif
    *n = (struct fiber_note){0};
}

/* TSan keeps a shadow call stack per fiber. This function switches TSan's fiber before the
 * stack itself moves, so its own return must not be recorded (it would pop the other fiber's
 * shadow stack): it is built without TSan's entry and exit hooks, which gcc's no_sanitize
 * removes and clang's needs disable_sanitizer_instrumentation for. */
#if defined(__clang__)
#define FIBER_NOT_TRACED __attribute__((disable_sanitizer_instrumentation))
#else
#define FIBER_NOT_TRACED __attribute__((no_sanitize("thread")))
#endif
FIBER_NOT_TRACED
void fiber_note_leave(struct fiber_note *from, struct fiber_note *to, bool from_finished)
{
#ifdef FIBER_ASAN
    switched_from = from;
    /* A finished context passes NULL: its fake frames may be thrown away. */
    __sanitizer_start_switch_fiber(from_finished ? NULL : &from->fake_stack, to->stack_lo,
                                   to->stack_size);
#endif
#ifdef FIBER_TSAN
    /* Flag 0: the switch orders what happened before it on one side and after it on the
     * other, as the hand-over it is (a coroutine's data needs no lock across a switch). */
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
    (void)from, (void)to, (void)from_finished;
}

void fiber_note_arrive(struct fiber_note *self)
{
#ifdef FIBER_ASAN
    const void *lo;
    size_t size;
    __sanitizer_finish_switch_fiber(self->fake_stack, &lo, &size);
    if (switched_from != NULL) {
        switched_from->stack_lo = lo;
        switched_from->stack_size = size;
    }
#endif
    (void)self;
}
