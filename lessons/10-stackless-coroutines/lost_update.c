/* lessons/10-stackless-coroutines/lost_update.c: async code has races too (claim C10). Tasks
 * on ONE thread add 1 to a shared counter; when a task yields between reading the counter
 * and writing it back, the others' increments in between are overwritten. Then the fix.
 * Build: make -C lessons/10-stackless-coroutines     (make ... tsan: TSan sees nothing)
 * Run:   build/lessons/10-stackless-coroutines/lost_update 2 100000   # tasks, additions each */
#include <stdio.h>

#include "check.h"
#include "lost_update.h"
#include "rr.h"

/* Run ntasks tasks of step round-robin; print what the counter should be and what it is. */
static void report(const char *what, int (*step)(struct task *), int ntasks, long iters)
{
    long counter = 0;
    struct adder *a;
    struct task *t = lost_setup(ntasks, iters, step, &counter, &a);
    long expected = (long)ntasks * iters;

    rr_run(t, ntasks);
    printf("%-36s expected %ld, got %ld: %ld updates lost (%.1f%%)\n", what, expected, counter,
           expected - counter,
           expected > 0 ? 100.0 * (double)(expected - counter) / (double)expected : 0.0);
    lost_free(t, a);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s NTASKS ITERS   (1 to 1000 tasks, each adds 1 ITERS times, up to "
            "10000000)", argv[0]);
    int ntasks = (int)parse_long_arg(argv[1], "NTASKS", 1, 1000);
    long iters = parse_long_arg(argv[2], "ITERS", 0, 10000000);

    printf("%d tasks on one thread, each adding 1 to one counter %ld times:\n", ntasks, iters);
    report("yield between the read and the write:", split_step, ntasks, iters);
    report("no yield between them (the fix):", whole_step, ntasks, iters);
    return 0;
}
