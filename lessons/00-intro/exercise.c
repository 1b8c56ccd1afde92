/* lessons/00-intro/exercise.c: your answer to lesson 00 (read README.md first).
 * Check it:  make check L=00      Stuck?  make hint L=00
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs.
 * Write it yourself: do not call primes_in_range() from lessons/common, that is the
 * course's copy of the answer. */
#include "exercise.h"

#include <errno.h>
#include <stdbool.h>

/* TODO 1: is n prime? A prime has exactly two divisors, 1 and itself.
 *   - 0 and 1 are not prime; 2 is the only even prime.
 *   - You only need to try divisors d with d * d <= n, but d * d can overflow a long
 *     when n is near LONG_MAX: compare d <= n / d instead.
 *   - Use long for every number here: int stops at 2147483647. */
static bool is_prime_number(long n)
{
    (void)n;
    return false;
}

long count_primes(long lo, long hi)
{
    /* TODO 2: reject bad arguments: lo > hi or lo < 0 returns -1 with errno set to
     *         EINVAL (both, not one of them).
     * TODO 3: count the n with lo <= n < hi (hi excluded) for which is_prime_number(n)
     *         is true, and return the count. lo == hi is an empty range: 0.
     * Remove the (void) line when you use the names. */
    (void)lo, (void)hi, (void)is_prime_number;
    errno = ENOSYS;
    return -1;
}
