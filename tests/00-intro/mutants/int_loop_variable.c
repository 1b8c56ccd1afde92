/* tests/00-intro/mutants/int_loop_variable.c: an int loop variable, n = (int)lo. Numbers
 * past INT_MAX do not fit: (int)LONG_MAX is -1, so the loop runs from -1 towards LONG_MAX
 * and never ends in practice (near 2^31, n++ past INT_MAX is undefined behaviour too).
 * Killed by test_count_primes_empty_range (count_primes(LONG_MAX, LONG_MAX) never returns:
 * the guard stops it and prints the hint about int) and test_count_primes_near_long_max. */
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
    for (int n = (int)lo; n < hi; n++)
        count += is_prime_number(n);
    return count;
}
