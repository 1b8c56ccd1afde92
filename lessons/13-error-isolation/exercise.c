/* lessons/13-error-isolation/exercise.c: your answer to lesson 13 (read README.md first).
 * Check it:  make check L=13      Stuck?  make hint L=13
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <errno.h>
#include <stddef.h>

/* TODO: supervise(). What must hold when it returns (exercise.h has the full contract):
 * - Bad arguments return EINVAL before any child is started: n < 0, max_parallel < 1,
 *   timeout_ms < 1, tasks or results NULL while n > 0, a NULL task. n == 0 returns 0.
 * - Each task ran in a child process of its own, in a process group of its own; the child
 *   ended with _exit (never exit), so nothing the parent buffered is written twice.
 * - Never more than max_parallel children existed at the same time.
 * - results[i] says how task i ended: returned or exit(0) -> OUTCOME_OK 0; exit(s), s != 0 ->
 *   OUTCOME_EXIT s; killed by a signal -> OUTCOME_SIGNAL and that signal; still running
 *   timeout_ms after its own start -> OUTCOME_TIMEOUT SIGKILL, and its whole group was killed.
 * - Every child was reaped with waitpid on its own pid (other children of the caller stay
 *   theirs); a signal interrupting a wait (EINTR) is not an error.
 * - No zombie, no process of a task and no descriptor is left when supervise returns, also
 *   when it returns an error from fork, pipe or malloc. */
int supervise(void (*const tasks[])(void), int n, int max_parallel, int timeout_ms,
              struct result results[])
{
    (void)tasks;
    (void)n;
    (void)max_parallel;
    (void)timeout_ms;
    (void)results;
    return ENOSYS;
}
