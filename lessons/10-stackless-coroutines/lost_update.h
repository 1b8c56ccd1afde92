/* lessons/10-stackless-coroutines/lost_update.h: the lost update between coroutines (claim
 * C10), shared by the demo lost_update.c and plots/10-stackless-coroutines/bench_lost.c.
 *
 * Several tasks on one thread add 1 to one shared counter, iters times each. split_step
 * yields between reading the counter and writing it back, as code does that awaits
 * something in the middle of an update; whole_step reads, adds and writes with no yield in
 * between. One thread, so no data race; but split_step loses updates all the same. */
#ifndef LESSON10_LOST_UPDATE_H
#define LESSON10_LOST_UPDATE_H

#include <stdlib.h>

#include "check.h"
#include "co.h"
#include "exercise.h"   /* struct task, TASK_YIELDED, TASK_DONE: types only */

/* A task's data: the shared counter, and the value read, which must survive the yield
 * between the read and the write, so it lives here (see stack_local.c). */
struct adder {
    long *counter;
    long seen;
};

/* Adds 1 to *counter self->local times, with a yield between the read and the write. */
static inline int split_step(struct task *self)
{
    struct adder *a = self->data;

    CO_BEGIN(self->co_state);
    while (self->local > 0) {
        a->seen = *a->counter;                    /* read */
        CO_YIELD(self->co_state, TASK_YIELDED);   /* a suspension point, like an await */
        *a->counter = a->seen + 1;                /* write: others may have written since */
        self->local--;
        CO_YIELD(self->co_state, TASK_YIELDED);
    }
    CO_END(self->co_state);
    return TASK_DONE;
}

/* The fix: the read and the write with no yield between them. */
static inline int whole_step(struct task *self)
{
    struct adder *a = self->data;

    CO_BEGIN(self->co_state);
    while (self->local > 0) {
        *a->counter = *a->counter + 1;            /* read and write: nothing runs between */
        self->local--;
        CO_YIELD(self->co_state, TASK_YIELDED);
    }
    CO_END(self->co_state);
    return TASK_DONE;
}

/* ntasks tasks running step, each adding iters to *counter; adders[] holds their data.
 * The caller frees both arrays (lost_free). */
static inline struct task *lost_setup(int ntasks, long iters, int (*step)(struct task *),
                                      long *counter, struct adder **adders)
{
    struct task *t = calloc((size_t)ntasks, sizeof *t);
    struct adder *a = calloc((size_t)ntasks, sizeof *a);
    if (t == NULL || a == NULL)
        die("lost_setup: out of memory for %d tasks", ntasks);
    for (int i = 0; i < ntasks; i++) {
        a[i] = (struct adder){ .counter = counter, .seen = 0 };
        t[i] = (struct task){ .co_state = 0, .step = step, .data = &a[i], .local = iters };
    }
    *adders = a;
    return t;
}

static inline void lost_free(struct task *t, struct adder *a)
{
    free(a);
    free(t);
}

#endif
