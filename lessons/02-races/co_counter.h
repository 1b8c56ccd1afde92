/* lessons/02-races/co_counter.h: the lost update with no threads at all.
 *
 * A few coroutines take turns on ONE thread. Each is a function in the switch/case style
 * (Duff's device; lesson 10 builds the full version): co_state remembers where to resume,
 * a yield returns to the scheduler, and the next call jumps back to just after it. Only
 * one coroutine runs at a time, so there is no data race and ThreadSanitizer has nothing
 * to say. But if a coroutine yields between reading the counter and writing it back, the
 * others run in between, and their updates are overwritten exactly as with threads.
 * Included by the demo coro_race.c and by plots/02-races/bench_lost.c. */
#ifndef LESSON02_CO_COUNTER_H
#define LESSON02_CO_COUNTER_H

#include <stdbool.h>
#include <stdlib.h>

#include "check.h"

enum { CO_YIELDED, CO_DONE };

/* co_state: 0 = not started, a line number = suspended there, -1 = finished. Two
 * CO_YIELDs on one line would share a case label: one per line. */
#define CO_BEGIN(state) switch (state) { case 0:
#define CO_YIELD(state) do { (state) = __LINE__; return CO_YIELDED; case __LINE__:; } while (0)
#define CO_END(state) } (state) = -1; return CO_DONE

/* One coroutine. Everything it needs after a yield lives here: its C stack frame is gone
 * once it returns to the scheduler, so a plain local would not survive the yield. */
struct adder {
    int co_state;
    long i;             /* loop counter */
    long seen;          /* the value read, still needed after the yield */
    long iters;         /* additions to make */
    bool yield_mid;     /* yield between the read and the write (the bug) */
    long *counter;      /* shared by every adder; one thread, so no lock */
};

/* Run a until its next yield; CO_DONE once it has made all its additions. */
static inline int adder_step(struct adder *a)
{
    CO_BEGIN(a->co_state);
    for (a->i = 0; a->i < a->iters; a->i++) {
        a->seen = *a->counter;             /* read */
        if (a->yield_mid)
            CO_YIELD(a->co_state);         /* a suspension point, like an `await` */
        *a->counter = a->seen + 1;         /* write */
        CO_YIELD(a->co_state);             /* let the others have a turn */
    }
    CO_END(a->co_state);
}

/* ntasks adders, each adding 1 iters times, run round-robin (0, 1, ..., 0, 1, ...) on the
 * calling thread until all are done. Returns the final counter (ntasks * iters if no
 * update was lost). */
static inline long co_count(int ntasks, long iters, bool yield_mid)
{
    long counter = 0;
    struct adder *a = calloc((size_t)ntasks, sizeof *a);
    int live = ntasks;

    if (a == NULL)
        die("co_count: out of memory");
    for (int t = 0; t < ntasks; t++)
        a[t] = (struct adder){ .iters = iters, .yield_mid = yield_mid, .counter = &counter };
    while (live > 0)
        for (int t = 0; t < ntasks; t++)
            if (a[t].co_state != -1 && adder_step(&a[t]) == CO_DONE)
                live--;
    free(a);
    return counter;
}

#endif
