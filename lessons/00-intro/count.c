/* lessons/00-intro/count.c: the course's CPU-bound work: count the primes in [LO, HI) by
 * trial division, and time it. Your count_primes must print the same counts.
 * Build: make -C lessons/00-intro
 * Run:   build/lessons/00-intro/count 0 100000   # LO HI: primes n with LO <= n < HI */
#include <limits.h>
#include <stdio.h>

#include "check.h"
#include "primes.h"
#include "timing.h"

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s LO HI\n  counts the primes n with LO <= n < HI (try 0 100000)", argv[0]);
    long lo = parse_long_arg(argv[1], "LO", 0, LONG_MAX);
    long hi = parse_long_arg(argv[2], "HI", lo, LONG_MAX);

    uint64_t start = now_ns();
    long primes = primes_in_range(lo, hi);
    uint64_t took = now_ns() - start;

    printf("%ld primes in [%ld, %ld), counted in %.1f ms on one core\n", primes, lo, hi,
           (double)took / 1e6);
    return 0;
}
