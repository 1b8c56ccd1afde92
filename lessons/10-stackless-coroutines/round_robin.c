/* lessons/10-stackless-coroutines/round_robin.c: a round-robin scheduler of coroutines on one
 * thread. Each task "sends" a message in chunks, one chunk per step, and yields after each;
 * the trace shows the scheduler taking one step of each unfinished task in turn.
 * Build: make -C lessons/10-stackless-coroutines
 * Run:   build/lessons/10-stackless-coroutines/round_robin 3    # tasks (task i sends i+1 chunks) */
#include <stdio.h>

#include "check.h"
#include "co.h"
#include "rr.h"

/* What a task works on, besides its struct task: its name and how many chunks to send. */
struct sender {
    char name;
    long chunks;
};

static long steps;   /* step calls made, for the summary */

/* Send the chunks one per step; the chunk number lives in self->local, not in a local
 * variable, because it must survive each yield. */
static int send_step(struct task *self)
{
    struct sender *s = self->data;

    steps++;
    CO_BEGIN(self->co_state);
    for (self->local = 1; self->local <= s->chunks; self->local++) {
        printf("  step %3ld: task %c sends chunk %ld/%ld\n", steps, s->name, self->local,
               s->chunks);
        CO_YIELD(self->co_state, TASK_YIELDED);
    }
    printf("  step %3ld: task %c is done\n", steps, s->name);
    CO_END(self->co_state);
    return TASK_DONE;
}

int main(int argc, char **argv)
{
    enum { MAX_TASKS = 26 };
    if (argc != 2)
        die("usage: %s NTASKS   (1 to %d tasks; task i sends i+1 chunks)", argv[0], MAX_TASKS);
    int n = (int)parse_long_arg(argv[1], "NTASKS", 1, MAX_TASKS);
    struct sender senders[MAX_TASKS];
    struct task tasks[MAX_TASKS];
    long chunks = 0;

    for (int i = 0; i < n; i++) {
        senders[i] = (struct sender){ .name = (char)('A' + i), .chunks = i + 1 };
        tasks[i] = (struct task){ .co_state = 0, .step = send_step, .data = &senders[i] };
        chunks += i + 1;
    }
    rr_run(tasks, n);
    printf("%d tasks, %ld chunks, %ld steps: one step per chunk, plus one per task to finish\n",
           n, chunks, steps);
    printf("one thread did all of it; a task is a struct task of %zu bytes\n",
           sizeof(struct task));
    return 0;
}
