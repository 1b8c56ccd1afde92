/* Does not compile. Expected: compile-error. */
#include "exercise.h"
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg) { return 0 }
