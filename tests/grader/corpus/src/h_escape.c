/* Leaves a grandchild running in a new session and process group, then passes: the run's
 * cgroup and pid namespace still end it. Expected: ok, 2, and no process of the box left. */
#include "exercise.h"
#include <sys/wait.h>
#include <unistd.h>
long attack(long n)
{
    pid_t p = fork();
    if (p == 0) {
        setsid();
        if (fork() == 0) {
            setpgid(0, 0);
            for (;;) sleep(100);
        }
        _exit(0);
    }
    if (p > 0)
        waitpid(p, NULL, 0);
    return 2 * n;
}
