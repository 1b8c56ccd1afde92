/* Allocates and touches memory until something stops it. Expected: memory, 0. */
#include "exercise.h"
#include <stdlib.h>
#include <string.h>
long attack(long n)
{
    for (;;) {
        char *p = malloc(16 << 20);
        if (p != NULL)
            memset(p, (int)n, 16 << 20);
    }
}
