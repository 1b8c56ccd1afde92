/* lessons/common/primes.c: trial division, on purpose: slow, predictable, no memory. */
#include "primes.h"

bool is_prime(long n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    /* d <= n / d rather than d * d <= n: the square overflows near LONG_MAX. */
    for (long d = 3; d <= n / d; d += 2)
        if (n % d == 0)
            return false;
    return true;
}

long primes_in_range(long lo, long hi)
{
    long count = 0;

    for (long n = lo; n < hi; n++)
        count += is_prime(n);
    return count;
}
