/* lessons/common/errname.c: errno_name(), see errname.h.
 * glibc 2.32 and later have strerrorname_np, declared under _GNU_SOURCE only; the course
 * compiles with -D_POSIX_C_SOURCE, so this one file asks for the GNU declarations. */
#define _GNU_SOURCE
#include "errname.h"

#include <stdio.h>
#include <string.h>

const char *errno_name(int e)
{
    static _Thread_local char unknown[32];

    if (e == 0)
        return "0";
    const char *name = strerrorname_np(e);
    if (name)
        return name;
    snprintf(unknown, sizeof unknown, "errno %d", e);
    return unknown;
}
