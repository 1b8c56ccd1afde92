/* tests/00-intro/mutants/sqrt_in_int.c: the square root kept in an int. Near LONG_MAX
 * the root, 3037000499, does not fit: the conversion is undefined and on x86-64 gives
 * INT_MIN, so no divisor is tried and every odd number "is prime". Killed by
 * test_count_primes_near_long_max (count_primes(LONG_MAX - 23, LONG_MAX) = 11, not 0). */
#include "exercise.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>

/* Trial division by 2, then by odd d while d * d <= n. The test is written d <= n / d:
 * the square overflows a long once d passes 3037000499, and n / d cannot. */
static bool is_prime_number(long n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    int root = (int)sqrt((double)n);
    for (long d = 3; d <= root; d += 2)
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
    for (long n = lo; n < hi; n++)
        count += is_prime_number(n);
    return count;
}
