/* lessons/common/check.c: the error helpers declared in check.h. */
#include "check.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pt_check(int err, const char *what, const char *file, int line)
{
    if (err == 0)
        return;
    fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, what, strerror(err));
    exit(1);
}

int barrier_check(int rc, const char *barrier, const char *file, int line)
{
    if (rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD)
        return rc == PTHREAD_BARRIER_SERIAL_THREAD;
    fprintf(stderr, "%s:%d: pthread_barrier_wait(%s) failed: %s\n", file, line, barrier,
            strerror(rc));
    exit(1);
}

long sys_check(long ret, const char *what, const char *file, int line)
{
    if (ret != -1)
        return ret;
    fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, what, strerror(errno));
    exit(1);
}

void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

long parse_long_arg(const char *text, const char *name, long min, long max)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
        die("%s: '%s' is not a whole number from %ld to %ld", name, text, min, max);
    return v;
}
