/* lessons/10-stackless-coroutines/rr.h: the smallest round-robin loop, for the demos
 * (round_robin.c, lost_update.c). It steps every unfinished task in index order, again and
 * again, until all of them have finished.
 *
 * It is simpler than the exercise's sched_run on purpose: it trusts every step function to
 * be written with co.h, so that CO_END marks the task finished (co_state -1), and it counts
 * nothing. The exercise's scheduler must also work with step functions that do not use
 * co.h, and say how many steps it ran. */
#ifndef LESSON10_RR_H
#define LESSON10_RR_H

#include "co.h"
#include "exercise.h"   /* struct task, TASK_YIELDED, TASK_DONE: types only */

static inline void rr_run(struct task *tasks, int n)
{
    int live = n;
    while (live > 0) {
        live = 0;
        for (int i = 0; i < n; i++) {
            if (CO_DONE(tasks[i].co_state))
                continue;
            if (tasks[i].step(&tasks[i]) != TASK_DONE)
                live++;
        }
    }
}

#endif
