/* lessons/common/uv_check.h: one way to check every libuv call (lessons 07 and later).
 *
 * libuv reports errors as negative errno values (UV_ECONNRESET is -ECONNRESET on Linux), not
 * through errno. "-104" tells a reader nothing, so every message goes through uv_err_name and
 * uv_strerror: "ECONNRESET (connection reset by peer)".
 *
 * Header only, on purpose: every .c in lessons/common/ is linked into every lesson, and a
 * lesson without libuv must not need -luv. Include it only where <uv.h> is available. */
#ifndef COURSE_UV_CHECK_H
#define COURSE_UV_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <uv.h>

/* UV_CHECK(uv_tcp_bind(&server, addr, 0)); for demos and benchmarks: on a negative result
 * print the call as written, where it was made and the error's name and text, then exit(1).
 * Returns the call's value (>= 0) otherwise, so it can wrap uv_fs_read and friends. */
#define UV_CHECK(call) uv_check_at((call), #call, __FILE__, __LINE__)

static inline long uv_check_at(long rc, const char *what, const char *file, int line)
{
    if (rc >= 0)
        return rc;
    fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", file, line, what, uv_err_name((int)rc),
            uv_strerror((int)rc));
    exit(1);
}

/* The name of a libuv result for a message: "0" for success, "ECONNRESET" for an error,
 * "positive" for a count. Tests print it beside the expected name. */
static inline const char *uv_result_name(long rc)
{
    if (rc == 0)
        return "0";
    if (rc > 0)
        return "positive";
    return uv_err_name((int)rc);
}

#endif
