/* lessons/00-intro/interleave.c: concurrency without parallelism, and without threads: one
 * thread runs two tasks by turns, one slice each, until both are done.
 * Build: make -C lessons/00-intro
 * Run:   build/lessons/00-intro/interleave 4 20000   # slices per task, numbers per slice */
#include <stdbool.h>
#include <stdio.h>

#include "check.h"
#include "primes.h"
#include "timing.h"

/* A task that can stop after any slice and go on later: everything it needs to resume is
 * in this struct, not on a stack. That is what makes taking turns possible. */
struct task {
    char name;
    long next, hi;          /* still to count: [next, hi) */
    long slice;             /* numbers per turn */
    long primes;            /* counted so far */
    int first_turn, last_turn;
};

/* Run one slice of t; true when t is finished. */
static bool task_step(struct task *t)
{
    long end = t->hi - t->next > t->slice ? t->next + t->slice : t->hi;

    t->primes += primes_in_range(t->next, end);
    t->next = end;
    return t->next == t->hi;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s SLICES NUMBERS\n  two tasks, SLICES turns each, NUMBERS checked per "
            "turn (try 4 20000)", argv[0]);
    long slices = parse_long_arg(argv[1], "SLICES", 1, 1000);
    long per = parse_long_arg(argv[2], "NUMBERS", 1, 10000000);

    struct task tasks[2] = {
        { .name = 'A', .next = 0, .hi = slices * per, .slice = per, .first_turn = -1 },
        { .name = 'B', .next = slices * per, .hi = 2 * slices * per, .slice = per,
          .first_turn = -1 },
    };
    bool done[2] = { false, false };
    uint64_t t0 = now_ns();
    int turn = 0;

    /* The scheduler: round robin over the tasks that are not finished. */
    while (!done[0] || !done[1]) {
        for (int i = 0; i < 2; i++) {
            if (done[i])
                continue;
            struct task *t = &tasks[i];
            long from = t->next;
            if (t->first_turn < 0)
                t->first_turn = turn;
            done[i] = task_step(t);
            t->last_turn = turn;
            printf("turn %2d  %6.2f ms  %c counts [%ld, %ld): %ld primes so far%s\n", turn,
                   (double)(now_ns() - t0) / 1e6, t->name, from, t->next, t->primes,
                   done[i] ? "  (done)" : "");
            turn++;
        }
    }
    printf("\nA lived from turn %d to turn %d, B from turn %d to turn %d.\n", tasks[0].first_turn,
           tasks[0].last_turn, tasks[1].first_turn, tasks[1].last_turn);
    /* Lifetimes overlap when B started before A finished. */
    if (tasks[1].first_turn < tasks[0].last_turn)
        printf("Their lifetimes overlap, so they ran concurrently. Yet this process has one\n"
               "thread: at each instant exactly one task was running. Concurrency, no\n"
               "parallelism.\n");
    else
        printf("A finished before B started: one after the other, no concurrency at all.\n");
    return 0;
}
