/* tests/common/runner.h: the course's test main, on top of cmocka.
 *
 * Every lesson's test program ends with COURSE_MAIN("01-threads", tests). The runner
 * then runs each cmocka test in a child process of its own, so a crash, a sanitizer
 * abort or a hang costs that one test and the others still report. A guard kills a
 * test that has not finished after GUARD_SECONDS (default 10; never a speed check,
 * only a safety net) and prints the last hang_hint() the test gave, which names
 * what it was waiting for.
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
 *   --fail-fast             stop at the first failing test
 */
#ifndef COURSE_RUNNER_H
#define COURSE_RUNNER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Say what the test is about to wait for, in the learner's terms; printed only if the
 * guard has to kill the test: hang_hint("transfer() never returned: two threads wait
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
