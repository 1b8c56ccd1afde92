/* lessons/13-error-isolation/grandchild.c: a task that starts helpers of its own. Killing the
 * child leaves its helpers running; killing its process group (kill(-pid, ...)) ends them all.
 * Build: make -C lessons/13-error-isolation
 * Run:   build/lessons/13-error-isolation/grandchild 2        # helpers per task (1..8) */
#define _GNU_SOURCE   /* prctl(PR_SET_CHILD_SUBREAPER) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Start a task in a group of its own; it starts `helpers` grandchildren (each sleeps 2 s at
 * most) and hangs. Their pids come back through a pipe. */
static pid_t start_task(long helpers, pid_t *grand)
{
    int p[2];
    SYS_CHECK(pipe(p));
    fflush(stdout);
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0) {
        setpgid(0, 0);
        for (long i = 0; i < helpers; i++) {
            pid_t g = fork();
            if (g == 0) {
                sleep_ms(2000);
                _exit(0);
            }
            if (g > 0 && write(p[1], &g, sizeof g) != (ssize_t)sizeof g)
                _exit(1);
        }
        sleep_ms(2000);
        _exit(0);
    }
    setpgid(pid, pid);
    SYS_CHECK(close(p[1]));
    for (long i = 0; i < helpers; i++)
        if (read(p[0], &grand[i], sizeof grand[i]) != (ssize_t)sizeof grand[i])
            die("the task did not report its helpers");
    SYS_CHECK(close(p[0]));
    return pid;
}

static void reap(pid_t pid)
{
    while (waitpid(pid, NULL, 0) == -1)
        if (errno != EINTR)
            die("waitpid %d: %s", (int)pid, strerror(errno));
}

/* Alive means: not yet a zombie (we are their subreaper, so they become our zombies). */
static int count_alive(const pid_t *grand, long n)
{
    int alive = 0;
    for (long i = 0; i < n; i++) {
        siginfo_t info = { 0 };
        if (waitid(P_PID, (id_t)grand[i], &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == 0)
            alive++;
    }
    return alive;
}

static void try_one_way(const char *how, long helpers, int whole_group)
{
    pid_t grand[8];
    pid_t pid = start_task(helpers, grand);
    if (whole_group)
        SYS_CHECK(kill(-pid, SIGKILL));   /* every process of the group */
    else
        SYS_CHECK(kill(pid, SIGKILL));    /* the child only */
    reap(pid);
    sleep_ms(50);   /* for the show only: let SIGKILL land before we look */
    printf("%-32s helpers still running: %d of %ld\n", how, count_alive(grand, helpers), helpers);
    for (long i = 0; i < helpers; i++) {   /* clean up whatever is left */
        kill(grand[i], SIGKILL);
        reap(grand[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s HELPERS   (1..8 grandchildren per task)", argv[0]);
    long helpers = parse_long_arg(argv[1], "HELPERS", 1, 8);
    /* Orphans of our children become our children (not init's), so we can see them end. */
    SYS_CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1));
    try_one_way("kill(pid, SIGKILL):", helpers, 0);
    try_one_way("kill(-pid, SIGKILL), the group:", helpers, 1);
    return 0;
}
