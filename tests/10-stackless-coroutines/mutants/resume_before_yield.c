/* tests/10-stackless-coroutines/mutants/resume_before_yield.c: a known-wrong answer to lesson 10.
 * BUG: The resume point of fib_next's yield is placed before the return instead of after it
 * (a hand-written switch), so every call resumes there and returns the same value again.
 * Killed by test_fib_first_values. */
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
    switch (g->co_state) {
    case 0:
        for (;;) {
        case 1:   /* BUG: the resume label sits before the return: resuming repeats it */
            g->co_state = 1;
            return g->a;
            long next = g->a + g->b;
            g->a = g->b;
            g->b = next;
        }
    }
    g->co_state = -1;
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
