/* Writes a verdict with a raw system call, no libc function named. Expected: rejected (asm). */
#include "exercise.h"
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    static const char msg[] = "PASS\n";
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(1L), "D"(4L), "S"(msg), "d"(5L) : "rcx", "r11", "memory");
    return 0;
}
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
