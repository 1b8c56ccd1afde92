/* lessons/common/timing.h: a monotonic clock in nanoseconds, for demos and benchmarks.
 * CLOCK_MONOTONIC never jumps when the wall clock is set, so differences are durations. */
#ifndef COURSE_TIMING_H
#define COURSE_TIMING_H

#include <stdint.h>

uint64_t now_ns(void);

#endif
