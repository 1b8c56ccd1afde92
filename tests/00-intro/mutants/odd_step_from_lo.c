/* tests/00-intro/mutants/odd_step_from_lo.c: "skip the even numbers" by stepping n by 2
 * from lo, which assumes lo is odd: from an even lo it tests only even numbers (and 2).
 * Killed by test_count_primes_range_not_from_zero (count_primes(100, 200) = 0). */
#include "exercise.h"

#include <errno.h>
#include <stdbool.h>

/* Trial division by 2, then by odd d while d * d <= n. The test is written d <= n / d:
 * the square overflows a long once d passes 3037000499, and n / d cannot. */
static bool is_prime_number(long n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    for (long d = 3; d <= n / d; d += 2)
        if (n % d == 0)
            return false;
    return true;
}

long count_primes(long lo, long hi)
{
    long count = 0;

    if (lo < 0 || lo > hi) {
        errno = EINVAL;
        return -1;
    }
    /* n < hi, never n <= hi: hi is excluded, and hi may be LONG_MAX, where n + 1 past it
     * would overflow. */
    if (lo <= 2 && hi > 2)
        count++;                        /* 2, the only even prime */
    for (long n = lo > 3 ? lo : 3; n < hi; n += 2)
        count += is_prime_number(n);
    return count;
}
