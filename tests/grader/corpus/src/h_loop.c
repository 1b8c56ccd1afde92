/* Never returns. Expected: timeout, 0. */
#include "exercise.h"
long attack(long n) { volatile long x = n; for (;;) x++; }
