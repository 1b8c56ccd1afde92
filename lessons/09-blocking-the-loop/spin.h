/* lessons/09-blocking-the-loop/spin.h: "compute for ms milliseconds", shared by the lesson's
 * demos and its benchmark.
 *
 * The work is a CPU loop that stops when the monotonic clock says ms have passed, so it
 * takes the same time on a fast and a slow machine, and under valgrind. It keeps one core
 * busy the whole time, the way a real computation would (no sleeping: a callback that
 * sleeps blocks the loop the same way, but would hide that the CPU is the resource). */
#ifndef LESSON09_SPIN_H
#define LESSON09_SPIN_H

#include <stdint.h>

#include "timing.h"

/* Spin for ms milliseconds; returns about how many rounds it made (a figure that depends on
 * the CPU, returned so the compiler cannot drop the loop). */
static inline long spin_ms(long ms)
{
    uint64_t end = now_ns() + (uint64_t)ms * 1000000u;
    long rounds = 0;
    uint64_t x = 88172645463325252u;   /* a little xorshift work between clock reads */

    while (now_ns() < end) {
        for (int i = 0; i < 256; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        rounds++;
    }
    return rounds + (long)(x & 1u);   /* x used: its work stays */
}

#endif
