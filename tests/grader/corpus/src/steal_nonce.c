/* Reads the nonce from fd 3 and writes the verdict on fd 4 itself. Expected: rejected (read). */
#include "exercise.h"
#include <stdio.h>
#include <unistd.h>
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    char nonce[128], line[256];
    ssize_t n = read(3, nonce, sizeof nonce - 1);
    nonce[n > 0 ? n - 1 : 0] = '\0';
    int len = snprintf(line, sizeof line, "PASS test_split_run_covers_each_number_once %s\n", nonce);
    write(4, line, (size_t)len);
    _exit(0);
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
