/* tests/common/expect.c: the expect_* checks declared in runner.h. Shared by the learner's
 * runner (runner.c) and the grader's (tests/grader/harness.c), so a failing check reads the
 * same words in both. */
#include "runner.h"
#include "errname.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Like cmocka's fail_msg(), but at the caller's file and line. */
static void fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_at(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_error("ERROR: %s\n", msg);
    _fail(file, line);
}

void expect_long_eq_at(long got, long want, const char *file, int line, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    if (got == want)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    fail_at(file, line, "%s returned %ld; expected %ld", what, got, want);
}

void expect_errno_eq_at(long got, int got_errno, long want, int want_errno, const char *file,
                        int line, const char *fmt, ...)
{
    char what[512], got_text[128];
    va_list ap;

    if (got == want && got_errno == want_errno)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(got_text, sizeof got_text, "%s", strerror(got_errno));
    fail_at(file, line, "%s returned %ld with errno %s (%s); expected %ld with errno %s (%s)",
                 what, got, errno_name(got_errno), got_text, want, errno_name(want_errno),
                 strerror(want_errno));
}
