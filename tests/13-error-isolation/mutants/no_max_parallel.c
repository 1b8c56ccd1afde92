/* MUTANT: max_parallel is ignored: every task is started at once.
 * tests/13-error-isolation/mutants/no_max_parallel.c: the reference answer to lesson 13 with one bug.
 * Caught by test_supervise_respects_max_parallel.
 *
 * supervise() runs each task in a child process of its own, in a process group of its own,
 * and waits for "some child ended, or the nearest deadline came" with poll() on one pidfd
 * per running child. A pidfd (Linux 5.3+) becomes readable when its process ends: exactly the
 * event we want, with no SIGCHLD handler, no waitpid(-1) and no sleeping in slices. (A pipe
 * whose write end only the child holds would report "every holder closed it", and a
 * grandchild inherits that write end: the wrong event.)
 *
 * Where pidfd_open does not exist (a kernel before 5.3, valgrind 3.19, some sandboxes) the
 * slot keeps pidfd -1: poll() skips negative descriptors, so it only sleeps, for at most
 * POLL_SLICE_MS, and each such child is checked with waitid(WNOHANG | WNOWAIT). */
#include "exercise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_SLICE_MS 2   /* how long a child without a pidfd may go unnoticed */

/* One running child. The pidfd is owned by the supervisor and closed once the child has
 * been reaped. */
struct slot {
    pid_t pid;
    int pidfd;             /* -1: no pidfds here; polled with waitid instead */
    int task;              /* index into tasks[] and results[] */
    int64_t deadline_ns;   /* CLOCK_MONOTONIC; its own fork time + timeout */
};

static int64_t mono_ns(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail with a valid pointer; a wall clock could jump. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Collect the status of a child that has ended or been sent SIGKILL. waitpid names the pid:
 * other children of the caller are not ours to reap. A signal handler of the caller may
 * interrupt the wait: then we simply wait again. */
static int reap(pid_t pid)
{
    int status = 0;

    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR)
            return 0;   /* ECHILD: cannot happen for our own unreaped child */
    }
    return status;
}

/* Kill a child's whole group while the child is still unreaped: as long as it exists (even
 * as a zombie) its pid cannot be reused, so -pid still names the task's group and nobody
 * else's. The second kill covers a child killed before it ran its own setpgid. */
static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

static struct result result_of(int status, int timed_out)
{
    if (timed_out)
        return (struct result){ OUTCOME_TIMEOUT, SIGKILL };
    if (WIFSIGNALED(status))
        return (struct result){ OUTCOME_SIGNAL, WTERMSIG(status) };
    if (WEXITSTATUS(status) != 0)
        return (struct result){ OUTCOME_EXIT, WEXITSTATUS(status) };
    return (struct result){ OUTCOME_OK, 0 };
}

/* The child's side: a group of its own, then the task, then _exit. exit() would flush the
 * stdio buffers copied from the parent (the parent's unflushed text would be written twice)
 * and run the parent's atexit handlers in the child. The pidfds of running siblings were
 * copied too: they belong to the supervisor, not to the task. */
static void run_child(void (*task)(void), const struct slot *slots, int running)
{
    setpgid(0, 0);
    for (int i = 0; i < running; i++)
        if (slots[i].pidfd >= 0)
            close(slots[i].pidfd);
    task();
    _exit(0);
}

/* Start tasks[t] in slots[*running]. Returns 0 or an errno value (nothing left behind). */
static int start(void (*task)(void), int t, int timeout_ms, struct slot *slots, int *running)
{
    pid_t pid = fork();
    if (pid == -1)
        return errno;
    if (pid == 0)
        run_child(task, slots, *running);
    /* Both sides call setpgid, so the group exists before either goes on: the parent may
     * have to kill it before the child was ever scheduled. It fails harmlessly (EACCES)
     * once the child has called it itself. */
    setpgid(pid, pid);
    int pidfd = pidfd_open(pid, 0);
    if (pidfd == -1 && errno != ENOSYS) {
        int err = errno;
        kill_group(pid);
        reap(pid);
        return err;
    }
    slots[*running] = (struct slot){ pid, pidfd, t, mono_ns() + (int64_t)timeout_ms * 1000000 };
    (*running)++;
    return 0;
}

/* Milliseconds poll() may sleep: until the nearest deadline, rounded up so that we never
 * wake a little early and spin. */
static int poll_timeout(const struct slot *slots, int running, int64_t now)
{
    int64_t nearest = slots[0].deadline_ns;
    for (int i = 1; i < running; i++)
        if (slots[i].deadline_ns < nearest)
            nearest = slots[i].deadline_ns;
    if (nearest <= now)
        return 0;
    int64_t ms = (nearest - now + 999999) / 1000000;
    for (int i = 0; i < running; i++)
        if (slots[i].pidfd < 0 && ms > POLL_SLICE_MS)
            ms = POLL_SLICE_MS;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* Has the child ended? Its pidfd says so, or, without one, waitid with WNOWAIT: it looks
 * without reaping, so the zombie keeps its pid (and its group id) reserved until we have
 * killed the group. */
static int has_ended(const struct slot *s, const struct pollfd *p)
{
    if (s->pidfd >= 0)
        return p->revents != 0;
    siginfo_t info;
    info.si_pid = 0;
    while (waitid(P_PID, (id_t)s->pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1)
        if (errno != EINTR)
            return 1;   /* ECHILD: cannot happen; reap() will not block either */
    return info.si_pid == s->pid;
}

int supervise(void (*const tasks[])(void), int n, int max_parallel, int timeout_ms,
              struct result results[])
{
    if (n < 0 || max_parallel < 1 || timeout_ms < 1)
        return EINVAL;
    if (n == 0)
        return 0;
    if (tasks == NULL || results == NULL)
        return EINVAL;
    for (int i = 0; i < n; i++)
        if (tasks[i] == NULL)
            return EINVAL;

    int cap = n;
    struct slot *slots = malloc(sizeof *slots * (size_t)cap);
    struct pollfd *fds = malloc(sizeof *fds * (size_t)cap);
    int err = 0, running = 0, next = 0;
    if (slots == NULL || fds == NULL) {
        err = ENOMEM;
        goto cleanup;
    }

    while (next < n || running > 0) {
        while (running < cap && next < n) {
            err = start(tasks[next], next, timeout_ms, slots, &running);
            if (err != 0)
                goto cleanup;
            next++;
        }
        for (int i = 0; i < running; i++)
            fds[i] = (struct pollfd){ .fd = slots[i].pidfd, .events = POLLIN };
        if (poll(fds, (nfds_t)running, poll_timeout(slots, running, mono_ns())) == -1) {
            if (errno == EINTR)
                continue;   /* a signal for the caller: recompute the timeout, wait again */
            err = errno;
            goto cleanup;
        }
        int64_t now = mono_ns();
        /* Walk backwards: a finished slot is replaced by the last one. fds[] keeps the
         * order of this round, so read it before slots[] moves. */
        for (int i = running - 1; i >= 0; i--) {
            int ended = has_ended(&slots[i], &fds[i]);
            int timed_out = !ended && now >= slots[i].deadline_ns;
            if (!ended && !timed_out)
                continue;
            /* Kill the group in both cases: on timeout it is the task, on a normal end it is
             * whatever the task left running behind it (a grandchild in its group). */
            kill_group(slots[i].pid);
            results[slots[i].task] = result_of(reap(slots[i].pid), timed_out);
            if (slots[i].pidfd >= 0)
                close(slots[i].pidfd);
            slots[i] = slots[--running];
        }
    }

cleanup:
    /* Only on an error with children still running: none may outlive supervise. */
    for (int i = 0; i < running; i++) {
        kill_group(slots[i].pid);
        reap(slots[i].pid);
        if (slots[i].pidfd >= 0)
            close(slots[i].pidfd);
    }
    free(fds);
    free(slots);
    return err;
}
