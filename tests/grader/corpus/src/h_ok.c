/* A correct answer to the grader's test lesson. Expected: ok, 2. */
#include "exercise.h"
long attack(long n) { return 2 * n; }
