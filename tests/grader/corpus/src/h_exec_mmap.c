/* Executable memory made at run time: the grader's link sends mmap to harness.c, which
 * refuses PROT_EXEC. This answer is right only when the mapping is refused. Expected: ok, 2. */
#define _DEFAULT_SOURCE
#include "exercise.h"

#include <stddef.h>
#include <sys/mman.h>

long attack(long n)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p != MAP_FAILED)
        return -1;   /* a page that could hold code the grader never saw */
    return 2 * n;
}
