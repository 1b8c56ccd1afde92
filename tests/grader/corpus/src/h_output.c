/* Prints without end. Expected: crash (output limit), 0. */
#include "exercise.h"
#include <stdio.h>
long attack(long n) { for (;;) printf("%ld all work and no play makes a dull test\n", n); }
