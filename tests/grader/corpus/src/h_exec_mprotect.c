/* A writable page made executable afterwards: refused by harness.c's mprotect. This answer
 * is right only when the change is refused. Expected: ok, 2. */
#define _DEFAULT_SOURCE
#include "exercise.h"

#include <stddef.h>
#include <sys/mman.h>

long attack(long n)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -2;
    long r = mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0 ? -1 : 2 * n;
    munmap(p, 4096);
    return r;
}
