/* Recurses until the stack runs out. Expected: crash, 0. */
#include "exercise.h"
long attack(long n)
{
    volatile char pad[4096];
    pad[0] = (char)n;
    return attack(n + pad[0]) + 1;
}
