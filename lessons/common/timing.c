/* lessons/common/timing.c: now_ns() on CLOCK_MONOTONIC. */
#include "timing.h"

#include <time.h>

#include "check.h"

uint64_t now_ns(void)
{
    struct timespec ts;

    SYS_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
