/* lessons/10-stackless-coroutines/exercise.c: your answer to lesson 10 (read README.md first).
 * Check it:  make check L=10      Stuck?  make hint L=10
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. Write the two
 * coroutines (fib_next, counter_step) with the macros of co.h: CO_BEGIN, CO_YIELD, CO_END. */
#include "exercise.h"

#include <stddef.h>

#include "co.h"

void fib_init(struct fib_gen *g)
{
    /* TODO 1: make g a new generator: the next fib_next(g) starts at the beginning of the
     * coroutine and returns 0, the one after it 1. Everything the generator must remember
     * from one call to the next is in *g. */
    (void)g;
}

long fib_next(struct fib_gen *g)
{
    /* TODO 2: a generator, written as a coroutine: successive calls return 0, 1, 1, 2, 3, 5,
     * 8, ... (exact up to F(90)). Each call resumes where the previous one yielded. No value
     * that must survive a yield may live in a local variable of this function. Two
     * generators never share anything. */
    (void)g;
    return -1;
}

int counter_step(struct task *self)
{
    /* TODO 3: a coroutine that adds 1 to the long that self->data points to, self->local
     * times, and yields TASK_YIELDED after every increment. Iters N takes exactly N + 1
     * calls: the last returns TASK_DONE without adding anything, and so does any call after
     * it. No yield between reading the counter and writing it back; nothing that must
     * survive a yield in a local variable. */
    (void)self;
    return TASK_YIELDED;
}

long sched_run(struct task *tasks, int n)
{
    /* TODO 4: round-robin: call tasks[i].step(&tasks[i]) for i = 0, 1, ..., n-1, then again
     * from 0, skipping the finished tasks, until every task has returned TASK_DONE. Once a
     * step returns TASK_DONE, set that task's co_state to -1 and never call it again; skip a
     * task whose co_state is -1 from the start. Return how many step calls were made (0,
     * and nothing called, when tasks is NULL or n <= 0). */
    (void)tasks, (void)n;
    return -1;
}
