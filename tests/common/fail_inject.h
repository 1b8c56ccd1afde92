/* tests/common/fail_inject.h: make pthread_create fail on purpose, and count joins.
 *
 * A test program linked with -Wl,--wrap=pthread_create,--wrap=pthread_join (a lesson
 * asks for it with WRAP="pthread_create pthread_join" in its lesson.conf) sends every
 * call the exercise makes through the wrappers below. They pass straight through until
 * a test arms them; then the chosen call fails with the chosen error, and the test can
 * check that the threads already started were joined. */
#ifndef COURSE_FAIL_INJECT_H
#define COURSE_FAIL_INJECT_H

/* From now on, let ok_calls calls of pthread_create succeed, then fail every later
 * one with err (EAGAIN is what the kernel says when out of threads). */
void inject_pthread_create_failure(int ok_calls, int err);

/* Threads created through the wrapper since it was armed, and how many of those were
 * joined since. */
int injected_threads_created(void);
int injected_threads_joined(void);

#endif
