/* lessons/10-stackless-coroutines/exercise.h: the contract of lesson 10's exercise.
 * The same file is in solutions/10-stackless-coroutines/; the tests are written against it.
 * Write the coroutines with the macros of co.h (CO_BEGIN, CO_YIELD, CO_END). */
#ifndef LESSON10_EXERCISE_H
#define LESSON10_EXERCISE_H

struct fib_gen { int co_state; long a, b; };
void fib_init(struct fib_gen *g);
long fib_next(struct fib_gen *g);                 /* 0, 1, 1, 2, 3, 5, ... */

enum { TASK_YIELDED, TASK_DONE };
struct task { int co_state; int (*step)(struct task *self); void *data; long local; };
/* Resume tasks round-robin (0, 1, ..., n-1, 0, ...), skipping finished ones, until every task
 * returns TASK_DONE. Returns the number of step calls (0 for n <= 0); tasks[] is not reordered. */
long sched_run(struct task *tasks, int n);
/* A step function that adds 1 to the shared long in data iters times (iters in local), yielding
 * after each increment (the last one too: iters N takes N + 1 calls, the last returns TASK_DONE)
 * but never between the read and the write. */
int counter_step(struct task *self);

/* More precisely:
 * - fib_init(g) makes g a new generator: the next fib_next(g) returns 0. Each generator is
 *   independent of every other (all its state is in its struct). The values up to F(90) fit
 *   in a long and must be exact.
 * - sched_run calls tasks[i].step(&tasks[i]): the task itself, in place, never a copy. A task
 *   is finished once its step has returned TASK_DONE (any other value counts as a yield);
 *   sched_run then sets its co_state to -1, as CO_END does, and never calls its step again.
 *   A task whose co_state is already -1 when sched_run starts is finished: it is skipped and
 *   not counted. tasks == NULL (or n <= 0): 0, nothing is called.
 * - counter_step keeps everything it needs across a yield in *self (co_state, local): several
 *   tasks may run counter_step interleaved, on one counter or on several. After TASK_DONE, a
 *   further call changes nothing and returns TASK_DONE again. */

#endif
