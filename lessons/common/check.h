/* lessons/common/check.h: one way to check every system and pthread call.
 *
 * pthread functions return the error number and leave errno alone (musl's
 * pthread_mutex_lock.c ends in "return EDEADLK;"), while system calls return -1
 * and set errno. The two macros below cover both kinds. On failure they print the
 * call as written, where it was made and strerror, then exit(1): a lesson program
 * has no sensible way to go on after, say, pthread_create failed.
 *
 * The call is always evaluated, even with -DNDEBUG (unlike OSTEP's assert-based
 * wrappers, whose call vanishes when asserts are compiled out). */
#ifndef COURSE_CHECK_H
#define COURSE_CHECK_H

#include <stdnoreturn.h>

/* PT_CHECK(pthread_create(&t, NULL, fn, arg)); for calls that return an error number. */
#define PT_CHECK(call) pt_check((call), #call, __FILE__, __LINE__)
/* int fd = SYS_CHECK(open(path, O_RDONLY)); for calls that return -1 and set errno. */
#define SYS_CHECK(call) sys_check((call), #call, __FILE__, __LINE__)

/* if (BARRIER_WAIT(&b)) ...; for pthread_barrier_wait, which returns 0 to all waiters but
 * one, PTHREAD_BARRIER_SERIAL_THREAD to that one, or an error number. True for that one. */
#define BARRIER_WAIT(barrier) \
    barrier_check(pthread_barrier_wait(barrier), #barrier, __FILE__, __LINE__)

void pt_check(int err, const char *what, const char *file, int line);
int barrier_check(int rc, const char *barrier, const char *file, int line);
long sys_check(long ret, const char *what, const char *file, int line);

/* Print "prog: message" to stderr and exit(1); printf-style. */
noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a whole decimal argument into [min, max], or die with a message that names
 * it: "threads: 'x4' is not a whole number from 1 to 64". */
long parse_long_arg(const char *text, const char *name, long min, long max);

#endif
