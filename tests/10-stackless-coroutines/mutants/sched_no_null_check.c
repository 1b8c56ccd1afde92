/* tests/10-stackless-coroutines/mutants/sched_no_null_check.c: a known-wrong answer to lesson 10.
 * BUG: sched_run checks n but not tasks == NULL: sched_run(NULL, 3) dereferences NULL.
 * Killed by test_sched_run_bad_arguments. */
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
    /* Recomputed from the struct at every call, so a local is safe here. */
    long *counter = self->data;

    CO_BEGIN(self->co_state);
    /* local counts the increments still to make: the loop's state must survive each yield,
     * so it is a field of the task, never a variable of this function. */
    while (self->local > 0) {
        /* Read and write with no yield between them: one thread, and nothing else runs
         * until we return, so no other task can slip in and have its update overwritten. */
        *counter += 1;
        self->local--;
        CO_YIELD(self->co_state, TASK_YIELDED);   /* after the increment: a clean point */
    }
    CO_END(self->co_state);
    return TASK_DONE;
}

long sched_run(struct task *tasks, int n)
{
    long calls = 0;

    if (n <= 0)   /* BUG: tasks == NULL is not checked */
        return 0;
    for (;;) {
        int ran = 0;
        for (int i = 0; i < n; i++) {
            struct task *t = &tasks[i];
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
