/* lessons/02-races/coro_race.c: the lost update with no threads. Coroutines on one thread
 * yield between reading a shared counter and writing it back: updates are lost, and
 * ThreadSanitizer sees nothing (there is only one thread).
 * Build: make -C lessons/02-races            (make -C lessons/02-races tsan: the TSan run)
 * Run:   build/lessons/02-races/coro_race 2 1000000    # coroutines, additions each */
#include <stdio.h>

#include "check.h"
#include "co_counter.h"

static void report(int ntasks, long iters, bool yield_mid)
{
    long expected = ntasks * iters, got = co_count(ntasks, iters, yield_mid);
    long lost = expected - got;

    printf("%d coroutines x %ld, %-30s expected %ld, got %ld: %ld updates lost (%.1f%%)\n",
           ntasks, iters, yield_mid ? "yield between read and write:" : "yield after the write only:",
           expected, got, lost, expected > 0 ? 100.0 * (double)lost / (double)expected : 0.0);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s NTASKS ITERS   (1 to 1000 coroutines, each adds 1 ITERS times)", argv[0]);
    int ntasks = (int)parse_long_arg(argv[1], "NTASKS", 1, 1000);
    long iters = parse_long_arg(argv[2], "ITERS", 0, 1000000000);

    report(ntasks, iters, true);
    report(ntasks, iters, false);
    return 0;
}
