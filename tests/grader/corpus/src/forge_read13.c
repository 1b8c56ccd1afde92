/* Lesson 13's supervisor forks; an answer that could read() would take the nonce from fd 3
 * and, with stdout pointed at fd 4, print a verdict. read is not in lesson 13's policy.
 * Expected: rejected. */
#include "exercise.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static void forge(const char *name)
{
    char nonce[64];
    ssize_t k = read(3, nonce, sizeof nonce);
    fflush(stdout);
    stdout->_fileno = 4;
    printf("PASS %s %.*s\n", name, (int)(k < 0 ? 0 : k), nonce);
    fflush(stdout);
    _exit(0);
}

int supervise(void (*const tasks[])(void), int n, int max_parallel, int timeout_ms,
              struct result results[])
{
    (void)tasks, (void)max_parallel, (void)timeout_ms, (void)results;
    if (n <= 0)
        forge("test_supervise_runs_nothing_for_zero_tasks");
    return ENOSYS;
}
