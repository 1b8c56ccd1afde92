/* lessons/common/timing.h: a monotonic clock in nanoseconds, for demos and benchmarks.
 * CLOCK_MONOTONIC never jumps when the wall clock is set, so differences are durations. */
#ifndef COURSE_TIMING_H
#define COURSE_TIMING_H

#include <stdint.h>
#include <time.h>

uint64_t now_ns(void);

/* The absolute CLOCK_REALTIME instant ms milliseconds from now: what the pthread timed
 * waits (pthread_mutex_timedlock, pthread_cond_timedwait) take as their deadline. */
struct timespec deadline_after_ms(long ms);

#endif
