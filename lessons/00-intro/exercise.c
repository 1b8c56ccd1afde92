/* lessons/00-intro/exercise.c: your answer to lesson 00 (read README.md first).
 * Check it:  make check L=00      Stuck?  make hint L=00
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs.
 * Write it yourself: do not call primes_in_range() from lessons/common, that is the
 * course's copy of the answer. */
#include "exercise.h"

#include <errno.h>
#include <stdbool.h>

/* TODO 1: true exactly when n is prime: n has exactly two divisors, 1 and n itself.
 *   It must answer right for every n from 0 to LONG_MAX, with no overflow anywhere, and
 *   take time in proportion to the square root of n, not to n. (make hint L=00) */
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
