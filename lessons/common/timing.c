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

struct timespec deadline_after_ms(long ms)
{
    struct timespec t;

    SYS_CHECK(clock_gettime(CLOCK_REALTIME, &t));
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
