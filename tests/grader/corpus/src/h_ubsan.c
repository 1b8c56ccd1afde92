/* Answers right, but overflows a signed int on the way (undefined behaviour): UBSan stops it.
 * Expected: crash, 0. */
#include "exercise.h"
#include <limits.h>
long attack(long n)
{
    volatile int big = INT_MAX;
    int sum = big + (int)(n < 0 ? -n : n);   /* overflows */
    return sum == 0 ? -1 : 2 * n;
}
