/* tests/00-intro/mutants/int_divisor_square.c: an int divisor with d * d <= n. Past
 * d = 46340, d * d overflows int (undefined behaviour; in practice it wraps negative, stays
 * "<= n", and the loop runs on until d reaches n itself, calling the prime composite).
 * Killed by test_count_primes_near_2_to_the_31 (with gcc the plain run counts 1 prime
 * where there are 2; with clang it may count right, but UBSan reports the overflow). */
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
    for (int d = 3; d * d <= n; d += 2)
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
