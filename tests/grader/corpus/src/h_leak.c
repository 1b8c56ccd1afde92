/* Answers right but never frees what it allocated: LeakSanitizer fails it at exit, after the
 * harness already wrote its pass (exit status 0 is required too). Expected: failing, 0. */
#include "exercise.h"
#include <stdlib.h>
long attack(long n)
{
    long *twice = malloc(sizeof *twice);
    if (twice == NULL)
        return -1;
    *twice = 2 * n;
    return *twice;
}
