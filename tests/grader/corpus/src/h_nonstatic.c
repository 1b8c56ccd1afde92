/* A correct answer with a helper that is not static (a common slip). The grader makes it
 * local instead of refusing it. Expected: ok, 2. */
#include "exercise.h"
long twice(long n) { return n + n; }
long counter;
long attack(long n) { counter++; return twice(n); }
