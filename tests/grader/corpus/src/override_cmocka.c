/* Replaces cmocka's group runner and failure function. Expected: rejected (override). */
#include "exercise.h"
#include <stddef.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
void _fail(const char *file, int line) { (void)file, (void)line; }
int _cmocka_run_group_tests(const char *n, const void *t, size_t c, void *s, void *d)
{ (void)n, (void)t, (void)c, (void)s, (void)d; return 0; }
