/* tests/00-intro/test_intro.c: lesson 00's tests (count_primes).
 * Run: make check L=00   (or IMPL=path/to/your.c) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"
#include "errname.h"
#include "runner.h"

/* ---- the tests' own reference: a sieve of Eratosthenes, a different method from the
 * trial division the exercise uses, so a shared mistake is unlikely ---- */

/* prime[i] says whether base + i is prime, for 0 <= i < len. */
static bool *sieve_window(long base, long len)
{
    bool *prime = malloc((size_t)len);

    assert_non_null(prime);
    for (long i = 0; i < len; i++)
        prime[i] = base + i >= 2;
    for (long d = 2; d * d < base + len; d++) {
        /* The first multiple of d in the window that is not d itself. */
        long first = (base + d - 1) / d * d;
        if (first < d * d)
            first = d * d;
        for (long m = first; m < base + len; m += d)
            prime[m - base] = false;
    }
    return prime;
}

static long count_in(const bool *prime, long from, long to)
{
    long c = 0;

    for (long i = from; i < to; i++)
        c += prime[i];
    return c;
}

/* Call count_primes on a range that is valid: -1 fails the test with errno's reason. */
static long count_valid(long lo, long hi, long want)
{
    errno = 0;
    long got = count_primes(lo, hi);
    if (got == -1)
        fail_msg("count_primes(%ld, %ld) returned -1 (errno %s, %s) for a valid range; "
                 "expected %ld", lo, hi, errno_name(errno), strerror(errno), want);
    return got;
}

/* The smallest divisor of n that is above 1 (n itself when n is prime; 0 for n < 2). The
 * tests' own trial division, used only to name a number in a message. */
static long smallest_divisor(long n)
{
    if (n < 2)
        return 0;
    for (long d = 2; d <= n / d; d++)
        if (n % d == 0)
            return d;
    return n;
}

/* Which number did the learner's count get wrong? Try the one-number ranges [n, n + 1) of
 * [lo, hi) in order (at most SCAN of them), each after checking that the empty ranges at
 * both its ends count 0, and describe the first one that is wrong, in why[]. When each one is
 * right, the mistake is in how the range is walked, and why[] says so. */
static void name_wrong_number(long lo, long hi, char *why, size_t size)
{
    enum { SCAN = 3000 };
    long end = hi - lo > SCAN ? lo + SCAN : hi;

    for (long n = lo; n < end; n++) {
        long ends[2] = { n, n + 1 };
        for (int i = 0; i < 2; i++) {
            long e = ends[i], got = count_primes(e, e);
            if (got != 0) {
                snprintf(why, size, "count_primes(%ld, %ld) = %ld, but the range [%ld, %ld) "
                         "is empty: it holds no number, not even %ld", e, e, got, e, e, e);
                return;
            }
        }
        long one = count_primes(n, n + 1), d = smallest_divisor(n);
        bool prime = n >= 2 && d == n;
        if (one == (prime ? 1 : 0))
            continue;
        if (one != 0 && one != 1)
            snprintf(why, size, "count_primes(%ld, %ld) = %ld, but [%ld, %ld) holds one number, "
                     "%ld, so its count is 0 or 1", n, n + 1, one, n, n + 1, n);
        else if (prime)
            snprintf(why, size, "it missed %ld, which is prime (count_primes(%ld, %ld) = 0)", n,
                     n, n + 1);
        else if (n < 2)
            snprintf(why, size, "it counted %ld, which is not prime (count_primes(%ld, %ld) = 1)",
                     n, n, n + 1);
        else
            snprintf(why, size, "it counted %ld = %ld * %ld, which is not prime "
                     "(count_primes(%ld, %ld) = 1)", n, d, n / d, n, n + 1);
        return;
    }
    if (end < hi)
        snprintf(why, size, "count_primes(n, n + 1) is right for the first %d numbers n of the "
                 "range; the wrong one is further on", (int)SCAN);
    else
        snprintf(why, size, "count_primes(n, n + 1) is right for every n in [%ld, %ld), so the "
                 "loop over the range is at fault: it must test each n with %ld <= n < %ld "
                 "exactly once", lo, hi, lo, hi);
}

/* Call count_primes on a valid range and compare with the expected count; on a mismatch,
 * name the number that was counted wrong (what is right is in `what`). */
static void expect_count(long lo, long hi, long want, const char *what)
{
    long got = count_valid(lo, hi, want);
    if (got != want) {
        char why[300];
        name_wrong_number(lo, hi, why, sizeof why);
        fail_msg("count_primes(%ld, %ld) = %ld; expected %ld (%s): %s", lo, hi, got, want,
                 what, why);
    }
}

/* ---- happy paths ---- */

/* 0 and 1 are not prime: [0, 1), [1, 2) and [0, 2) hold no prime. */
static void test_count_primes_zero_and_one_not_prime(void **state)
{
    (void)state;
    expect_count(0, 1, 0, "0 is not prime");
    expect_count(1, 2, 0, "1 is not prime: a prime has exactly two divisors");
    expect_count(0, 2, 0, "neither 0 nor 1 is prime");
}

/* 2 is prime, the only even one: [2, 3) holds 1, [0, 3) holds 1, [2, 4) holds 2. */
static void test_count_primes_two_is_prime(void **state)
{
    (void)state;
    expect_count(2, 3, 1, "2 is prime");
    expect_count(0, 3, 1, "2 is the only prime below 3");
    expect_count(2, 4, 2, "2 and 3");
}

/* hi is excluded: [0, 11) holds 4 primes (2 3 5 7), not 5; [7, 7) none; [7, 8) one. */
static void test_count_primes_hi_excluded(void **state)
{
    (void)state;
    expect_count(0, 11, 4, "2 3 5 7 are the primes in [0, 11); 11 is hi, not in it");
    expect_count(2, 7, 3, "2 3 5 are the primes in [2, 7); 7 is hi, not in it");
    expect_count(7, 8, 1, "7 is in [7, 8)");
}

/* lo == hi is an empty range: 0 primes, not an error. */
static void test_count_primes_empty_range(void **state)
{
    (void)state;
    hang_hint("count_primes(LONG_MAX, LONG_MAX) never returned. Is your loop variable an "
              "int? (int)LONG_MAX is -1, and -1 < hi stays true for a long time");
    expect_count(0, 0, 0, "empty range");
    expect_count(7, 7, 0, "empty range: 7 is hi, so it is not in [7, 7)");
    expect_count(LONG_MAX, LONG_MAX, 0, "empty range at LONG_MAX");
    hang_hint(NULL);
}

/* Even numbers above 2 are never prime: [4, 5), [0, 10) = 4, and every even n in [3, 200). */
static void test_count_primes_even_numbers_not_prime(void **state)
{
    (void)state;
    expect_count(0, 10, 4, "2 3 5 7");
    for (long n = 4; n < 200; n += 2) {
        long got = count_valid(n, n + 1, 0);
        if (got != 0)
            fail_msg("count_primes(%ld, %ld) = %ld; expected 0: %ld = 2 * %ld is not prime", n,
                     n + 1, got, n, n / 2);
    }
}

/* The square of a prime is not prime: 9, 25, 49, 121 and 46337 * 46337 = 2147117569. */
static void test_count_primes_prime_squares_not_prime(void **state)
{
    (void)state;
    static const long squares[] = { 9, 25, 49, 121, 169, 361, 961, 2147117569L };
    for (size_t i = 0; i < sizeof squares / sizeof squares[0]; i++) {
        long n = squares[i], got = count_valid(n, n + 1, 0);
        if (got != 0)
            fail_msg("count_primes(%ld, %ld) = %ld; expected 0: %ld = %ld * %ld is not prime",
                     n, n + 1, got, n, smallest_divisor(n), n / smallest_divisor(n));
    }
}

/* Well-known counts: pi(100) = 25, pi(10^4) = 1229, pi(10^5) = 9592. */
static void test_count_primes_known_counts(void **state)
{
    (void)state;
    expect_count(0, 100, 25, "there are 25 primes below 100");
    expect_count(0, 10000, 1229, "there are 1229 primes below 10^4");
    expect_count(0, 100000, 9592, "there are 9592 primes below 10^5");
}

/* A range that does not start at 0: [100, 200) = 21, [7919, 7920) = 1 (7919 is prime),
 * [1000000, 1001000) = 75. */
static void test_count_primes_range_not_from_zero(void **state)
{
    (void)state;
    expect_count(100, 200, 21, "21 primes from 101 to 199");
    expect_count(7919, 7920, 1, "7919 is prime");
    expect_count(7920, 7921, 0, "7920 is even");
    expect_count(1000000, 1001000, 75, "75 primes from 1000000 to 1000999");
}

/* Every range [lo, hi) with 0 <= lo <= hi <= 120 matches the sieve: catches a range that
 * starts on an even lo, an odd lo, or just below a prime. */
static void test_count_primes_every_small_range(void **state)
{
    (void)state;
    enum { TOP = 120 };
    bool *prime = sieve_window(0, TOP);

    for (long lo = 0; lo <= TOP; lo++)
        for (long hi = lo; hi <= TOP; hi++)
            expect_count(lo, hi, count_in(prime, lo, hi), "the primes n with lo <= n < hi");
    free(prime);
}

/* A window above a million, split at every 97th number, matches the sieve. */
static void test_count_primes_window_above_a_million(void **state)
{
    (void)state;
    enum { BASE = 1000003, LEN = 20000 };
    bool *prime = sieve_window(BASE, LEN);

    for (long lo = 0; lo < LEN; lo += 97) {
        long hi = lo + 97 < LEN ? lo + 97 : LEN;
        expect_count(BASE + lo, BASE + hi, count_in(prime, lo, hi), "counted by a sieve");
    }
    free(prime);
}

/* Near 2^31 = 2147483648 (where int ends): [2147483629, 2147483648) holds 2 primes,
 * 2147483629 and 2147483647, and [2147483548, 2147483648) holds 6. An int divisor's
 * d * d passes INT_MAX here; an int loop variable wraps around at 2147483647. */
static void test_count_primes_near_2_to_the_31(void **state)
{
    (void)state;
    hang_hint("count_primes(2147483629, 2147483648) never returned. Near 2^31 an int "
              "overflows: an int divisor's d * d, or an int loop variable after 2147483647. "
              "Use long for every number (or are you trying divisors past the square root?)");
    expect_count(2147483629L, 2147483648L, 2,
                 "2147483629 and 2147483647 are prime");
    expect_count(2147483548L, 2147483648L, 6, "six primes in the last 100 numbers below 2^31");
    expect_count(2147483647L, 2147483649L, 1, "2147483647 = INT_MAX is prime, 2^31 is not");
    hang_hint(NULL);
}

/* Near LONG_MAX = 9223372036854775807: the 23 numbers before it and LONG_MAX itself are
 * all composite (the largest prime below 2^63 is LONG_MAX - 24), so
 * [LONG_MAX - 23, LONG_MAX) and [LONG_MAX - 30, LONG_MAX - 24) hold 0 primes. A square
 * root squeezed into an int goes negative here and every odd number looks prime. */
static void test_count_primes_near_long_max(void **state)
{
    (void)state;
    hang_hint("count_primes(LONG_MAX - 23, LONG_MAX) never returned. With hi = LONG_MAX a "
              "loop like n <= hi never ends (n + 1 overflows): use n < hi. And an int loop "
              "variable cannot hold these numbers: use long");
    expect_count(LONG_MAX - 23, LONG_MAX, 0,
                 "every number from LONG_MAX - 23 to LONG_MAX - 1 has a small divisor "
                 "(3, 5, 7, 11, 13, 17, 157 or 2)");
    expect_count(LONG_MAX - 30, LONG_MAX - 24, 0,
                 "LONG_MAX - 30 has no divisor below 584911; LONG_MAX - 26 has the divisor 773");
    hang_hint(NULL);
}

/* ---- bad arguments ---- */

/* lo > hi: -1 and errno EINVAL. */
static void test_count_primes_rejects_lo_above_hi(void **state)
{
    (void)state;
    expect_errno_eq(count_primes(10, 5), -1, EINVAL, "count_primes(10, 5) (lo > hi)");
    expect_errno_eq(count_primes(1, 0), -1, EINVAL, "count_primes(1, 0) (lo > hi)");
    expect_errno_eq(count_primes(0, -1), -1, EINVAL, "count_primes(0, -1) (lo > hi)");
    expect_errno_eq(count_primes(LONG_MAX, 0), -1, EINVAL,
                    "count_primes(LONG_MAX, 0) (lo > hi)");
}

/* lo < 0: -1 and errno EINVAL, even when hi is fine. */
static void test_count_primes_rejects_negative_lo(void **state)
{
    (void)state;
    expect_errno_eq(count_primes(-1, 10), -1, EINVAL, "count_primes(-1, 10) (lo < 0)");
    expect_errno_eq(count_primes(-10, -5), -1, EINVAL, "count_primes(-10, -5) (lo < 0)");
    expect_errno_eq(count_primes(LONG_MIN, 3), -1, EINVAL, "count_primes(LONG_MIN, 3) (lo < 0)");
}

/* The error is in errno: a stale errno from before the call is replaced by EINVAL. */
static void test_count_primes_sets_errno(void **state)
{
    (void)state;
    errno = ERANGE;    /* left over from some earlier call */
    long got = count_primes(5, 2);
    int err = errno;
    if (got != -1)
        fail_msg("count_primes(5, 2) returned %ld; expected -1 (lo > hi)", got);
    if (err != EINVAL)
        fail_msg("count_primes(5, 2) returned -1 but errno is %s (%s); set errno = EINVAL "
                 "before returning -1, the caller reads the reason there", errno_name(err),
                 strerror(err));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_count_primes_zero_and_one_not_prime),
    cmocka_unit_test(test_count_primes_two_is_prime),
    cmocka_unit_test(test_count_primes_hi_excluded),
    cmocka_unit_test(test_count_primes_empty_range),
    cmocka_unit_test(test_count_primes_even_numbers_not_prime),
    cmocka_unit_test(test_count_primes_prime_squares_not_prime),
    cmocka_unit_test(test_count_primes_known_counts),
    cmocka_unit_test(test_count_primes_range_not_from_zero),
    cmocka_unit_test(test_count_primes_every_small_range),
    cmocka_unit_test(test_count_primes_window_above_a_million),
    cmocka_unit_test(test_count_primes_near_2_to_the_31),
    cmocka_unit_test(test_count_primes_near_long_max),
    cmocka_unit_test(test_count_primes_rejects_lo_above_hi),
    cmocka_unit_test(test_count_primes_rejects_negative_lo),
    cmocka_unit_test(test_count_primes_sets_errno),
};

COURSE_MAIN("00-intro", tests)
