/* tests/common/runner.h: the course's test main, on top of cmocka.
 *
 * Every lesson's test program ends with COURSE_MAIN("01-threads", tests). The runner
 * then runs each cmocka test in a child process of its own, so a crash, a sanitizer
 * abort or a hang costs that one test and the others still report. Tests run side by
 * side, up to the number of cores (TEST_JOBS or --jobs), and are reported in the order
 * of the list.
 *
 * A hang is judged from what the test does, not from the clock. While a test runs, the
 * runner reads /proc/PID/task/TID/{stat,status,children} of the test process and of
 * every process it started, ten times a second. When every thread of all of them is
 * asleep (S; stopped, traced and zombie threads count as not moving; D, the kernel at
 * work for it, counts as moving) and none has run or switched since (same utime+stime,
 * same voluntary+nonvoluntary context switches) for HANG_SETTLE_SECONDS (default 1.0,
 * counted from looks at most 0.2 s apart; --settle S; 0 turns it off), the test is stuck:
 * the runner kills it and prints the last hang_hint() the test gave. A thread waiting
 * for a core is runnable (R), so a loaded machine delays a verdict but cannot fake one.
 * ThreadSanitizer's own background threads, which wake every 100 ms, are not counted
 * (they block every signal: see is_runtime_thread in runner.c). A guard kills a test
 * that has not finished after GUARD_SECONDS (default 10): the safety net for a busy
 * loop, which never sleeps. Neither is a speed check.
 *
 * THE RULE FOR LESSON AUTHORS: a test never blocks more than ~0.5 s on purpose without
 * progress. Waiting for a condition is fine (the thread that makes it true runs); a
 * loop of short sleeps is fine (each wake-up is a context switch, progress); a test
 * whose every thread sleeps in one long sleep, a long timed wait, or a poll()/epoll
 * with a timeout of a second or more, with nothing else running, is judged stuck after
 * 1 s. Sleep in steps of 100 ms or less, or keep a thread busy. In a TSan build, a test
 * thread that blocks every signal (a sigwait thread) is not counted either: some other
 * thread of the test must show the progress. To debug a test under gdb, run it with
 * --one NAME (no fork, no watching).
 *
 * Command line of a test program:
 *   prog                    run every test, one line per test, then "N passed, M failed"
 *   prog NAME...            run only these tests
 *   prog --list             print the test names
 *   prog --one NAME         run one test in this process (no fork; exit 0 iff it passed)
 *   --mode LABEL            tag output lines, e.g. [ThreadSanitizer]
 *   --impl FILE             trim sanitizer stacks to frames in this file
 *   --results FILE          append "NAME PASS|FAIL" lines, for merging runs
 *   --quiet-pass            print failures only
 *   --fail-fast             stop at the first failing test (in list order)
 *   --jobs N                tests at once (default: TEST_JOBS, else the number of cores)
 *   --settle S              seconds of "all asleep, nothing changed" that mean stuck
 *                           (default: HANG_SETTLE_SECONDS, else 1.0; 0: only the guard)
 * HANG_DEBUG=1 adds, to a stuck verdict, what each thread was doing (state, kernel wait
 * channel, CPU ticks, switches). TSan builds run with atexit_sleep_ms=0 (runner.c). */
#ifndef COURSE_RUNNER_H
#define COURSE_RUNNER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Say what the test is about to wait for, in the learner's terms; printed only if the
 * test is stopped as stuck or by the guard: hang_hint("transfer() never returned: two threads wait
 * for each other's lock?"). hang_hint(NULL) clears it. */
void hang_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks that say what was called, what came back and what was expected:
 *   expect_long_eq(split_run(0, 9, 2, fn, a), 0, "split_run(0, 9, 2, fn, arg)");
 *     -> "split_run(0, 9, 2, fn, arg) returned 38; expected 0"
 *   expect_errno_eq(parallel_count_primes(-1, 9, 2), -1, EINVAL, "parallel_count_primes(-1, 9, 2)");
 *     -> "... returned 5 with errno 0 (Success); expected -1 with errno 22 (Invalid argument)"
 * The description is printf-style. */
#define expect_long_eq(got, want, ...) \
    expect_long_eq_at((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define expect_errno_eq(got, want, want_errno, ...)                                    \
    do {                                                                               \
        errno = 0;                                                                     \
        long got_ = (long)(got);                                                       \
        expect_errno_eq_at(got_, errno, (long)(want), (want_errno), __FILE__, __LINE__, \
                           __VA_ARGS__);                                               \
    } while (0)
void expect_long_eq_at(long got, long want, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void expect_errno_eq_at(long got, int got_errno, long want, int want_errno, const char *file,
                        int line, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

int course_run(const char *lesson, const struct CMUnitTest *tests, size_t n, int argc,
               char **argv);

#define COURSE_MAIN(lesson, tests)                                                     \
    int main(int argc, char **argv)                                                    \
    {                                                                                  \
        return course_run((lesson), (tests), sizeof(tests) / sizeof((tests)[0]), argc, \
                          argv);                                                       \
    }

#endif
