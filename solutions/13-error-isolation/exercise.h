/* lessons/13-error-isolation/exercise.h: the contract of lesson 13's exercise.
 * The same file is in solutions/13-error-isolation/; the tests are written against it. */
#ifndef LESSON13_EXERCISE_H
#define LESSON13_EXERCISE_H

enum outcome { OUTCOME_OK, OUTCOME_EXIT, OUTCOME_SIGNAL, OUTCOME_TIMEOUT };
struct result { enum outcome outcome; int code; };  /* OK: 0; EXIT: its status; SIGNAL: the
                                                     * signal number; TIMEOUT: SIGKILL */
/* Run each task in its own child process (its own process group; the child ends with _exit, so
 * the parent's atexit handlers and stdio buffers never run twice), at most max_parallel at once,
 * each limited to timeout_ms of wall time from its own start (on timeout its whole process group
 * is killed); fill results[i]. A task that crashes, exits or hangs affects no other. Returns 0,
 * EINVAL for bad arguments, or an errno value if fork, pipe or malloc fail (children already
 * started are killed and reaped). Waits per child pid (never waitpid(-1), no SIGCHLD handler
 * installed), retries on EINTR. No zombie, no leaked descriptor. */
int supervise(void (*const tasks[])(void), int n, int max_parallel, int timeout_ms,
              struct result results[]);

/* More precisely:
 * - Bad arguments (EINVAL, nothing started): n < 0; max_parallel < 1; timeout_ms < 1; tasks or
 *   results NULL while n > 0; any tasks[i] NULL. n == 0 runs nothing and returns 0.
 * - A task that returns, or calls exit(0), is OUTCOME_OK with code 0; exit(s) with s != 0 is
 *   OUTCOME_EXIT with code s; death by a signal (a crash, abort) is OUTCOME_SIGNAL with that
 *   signal; a task still running timeout_ms after its own fork is OUTCOME_TIMEOUT, code SIGKILL.
 * - Any other error of the system calls used to wait (poll, a pidfd) is returned like fork's.
 *   After an error return, results[] is unspecified, and no child of supervise is left. */

#endif
