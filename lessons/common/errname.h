/* lessons/common/errname.h: the name of an errno value, for messages a learner reads.
 *
 * "returned 32" sends the reader to a table; "returned EPIPE" names the case. Tests,
 * demos and benchmarks print errno_name(e) wherever they print an error number. */
#ifndef COURSE_ERRNAME_H
#define COURSE_ERRNAME_H

/* "EPIPE" for EPIPE, "0" for 0, "errno 4242" for a number glibc has no name for.
 * The result is a string constant, or (for the unknown case) a per-thread buffer that
 * the next call from the same thread overwrites. Never NULL. */
const char *errno_name(int e);

#endif
