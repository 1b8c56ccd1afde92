/* tests/10-stackless-coroutines/mutants/counter_done_with_last_add.c: a known-wrong answer to lesson 10.
 * BUG: counter_step returns TASK_DONE together with its last increment: iters N takes N
 * calls, not N + 1. Killed by test_counter_step_yields_after_each_increment. */
#include "exercise.h"

#include <stddef.h>

#include "co.h"

void fib_init(struct fib_gen *g)
{
    /* co_state 0: the next call starts at CO_BEGIN. a and b are the two values the
     * generator carries from one call to the next, so they live here, not on the stack. */
    g->co_state = 0;
    g->a = 0;
    g->b = 1;
}

long fib_next(struct fib_gen *g)
{
    CO_BEGIN(g->co_state);
    for (;;) {
        CO_YIELD(g->co_state, g->a);
        /* We come back here on the next call. next is a plain local, and that is fine: it is
         * used before the next yield, never across one. */
        long next = g->a + g->b;
        g->a = g->b;
        g->b = next;
    }
    /* The sequence has no end, so this is never reached; it is here for the shape every
     * coroutine of co.h has. (F(92) is the last value a 64-bit long holds.) */
    CO_END(g->co_state);
    return -1;
}

int counter_step(struct task *self)
{
    long *counter = self->data;

    CO_BEGIN(self->co_state);
    while (self->local > 0) {
        *counter += 1;
        self->local--;
        if (self->local == 0)
            break;   /* BUG: the last increment does not yield */
        CO_YIELD(self->co_state, TASK_YIELDED);
    }
    CO_END(self->co_state);
    return TASK_DONE;
}

long sched_run(struct task *tasks, int n)
{
    long calls = 0;

    if (tasks == NULL || n <= 0)
        return 0;
    /* One pass per round: every unfinished task gets one step, in index order. A task is
     * finished once its step said TASK_DONE; we record that in its co_state (-1, what
     * CO_END writes too) instead of trusting the step to do it, since a step function need
     * not be written with co.h. The rounds end when one finds nothing left to run. */
    for (;;) {
        int ran = 0;
        for (int i = 0; i < n; i++) {
            struct task *t = &tasks[i];   /* the task itself: its step updates it in place */
            if (t->co_state == -1)
                continue;
            int rc = t->step(t);
            calls++;
            ran++;
            if (rc == TASK_DONE)
                t->co_state = -1;
        }
        if (ran == 0)
            return calls;
    }
}
