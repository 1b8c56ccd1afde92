/* Pulls a file into the object at assembly time. Expected: compile-error (the file is not in
 * the box), and rejected if it were (asm). */
#include "exercise.h"
__asm__(".section .rodata\nsecret: .incbin \"/etc/passwd\"\n.previous");
int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{ (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg; return 0; }
long parallel_count_primes(long lo, long hi, int nthreads) { (void)lo, (void)hi, (void)nthreads; return 0; }
