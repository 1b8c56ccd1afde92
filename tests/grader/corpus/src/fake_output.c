/* Prints what the course's runner and cmocka print for passing tests, then gets it wrong.
 * Expected: failing, 0 (nothing printed counts). */
#include "exercise.h"
#include <errno.h>
#include <stdio.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    printf("[       OK ] test\n[  PASSED  ] 13 test(s).\nPASS  test_split_run_covers_each_number_once\n"
           "01-threads: 13 passed, 0 failed\nPASS test_split_run_empty_range 0123456789abcdef\n");
    fprintf(stderr, "PASS test_split_run_empty_range 0123456789abcdef\n");
    return ENOSYS;
}
long parallel_count_primes(long lo, long hi, int nthreads)
{
    (void)lo, (void)hi, (void)nthreads;
    puts("ok");
    return -1;
}
