/* lessons/13-error-isolation/one_crash.c: N tasks, and task 1 writes through a NULL pointer.
 * As threads of one process, the crash ends every task; as processes, only its own.
 * Build: make -C lessons/13-error-isolation
 * Run:   build/lessons/13-error-isolation/one_crash 4        # number of tasks (2..16) */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define CRASHER 1

static int done_pipe[2];       /* a task that finishes writes one byte here */
static int *volatile null_ptr; /* volatile: the compiler cannot know it is NULL */

static void task(long i)
{
    struct timespec work = { 0, 50 * 1000000L };   /* 50 ms of "work" */
    if (i == CRASHER) {
        nanosleep(&(struct timespec){ 0, 10 * 1000000L }, NULL);
        /* The default action, even under a sanitizer or valgrind that would catch it. */
        signal(SIGSEGV, SIG_DFL);
        *null_ptr = 1;
    }
    nanosleep(&work, NULL);
    char c = 'd';
    SYS_CHECK(write(done_pipe[1], &c, 1));
}

static void *thread_main(void *arg)
{
    task((long)arg);
    return NULL;
}

/* How many bytes (finished tasks) the pipe holds once every writer has closed it. */
static int count_done(void)
{
    int n = 0;
    char c;
    ssize_t r;
    while ((r = read(done_pipe[0], &c, 1)) != 0) {
        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            die("read: %s", strerror(errno));
        n++;
    }
    return n;
}

static void describe(const char *who, int status)
{
    if (WIFSIGNALED(status))
        printf("  %s: killed by signal %d (%s)\n", who, WTERMSIG(status),
               strsignal(WTERMSIG(status)));
    else
        printf("  %s: exit status %d\n", who, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s TASKS   (2..16; task %d crashes)", argv[0], CRASHER);
    long n = parse_long_arg(argv[1], "TASKS", 2, 16);
    int status;

    /* 1. Threads: one process holds every task. It runs in a child of ours, so that its
     *    death is something we can watch and report. */
    printf("%ld tasks as threads of one process (task %d crashes):\n", n, CRASHER);
    SYS_CHECK(pipe(done_pipe));
    fflush(stdout);
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0) {
        pthread_t t[16];
        for (long i = 0; i < n; i++)
            PT_CHECK(pthread_create(&t[i], NULL, thread_main, (void *)i));
        for (long i = 0; i < n; i++)
            PT_CHECK(pthread_join(t[i], NULL));
        _exit(0);
    }
    SYS_CHECK(close(done_pipe[1]));
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    describe("the process", status);
    printf("  tasks finished: %d of %ld\n", count_done(), n);
    SYS_CHECK(close(done_pipe[0]));

    /* 2. Processes: a child per task. */
    printf("%ld tasks as processes (task %d crashes):\n", n, CRASHER);
    SYS_CHECK(pipe(done_pipe));
    fflush(stdout);
    pid_t kids[16];
    for (long i = 0; i < n; i++) {
        kids[i] = SYS_CHECK(fork());
        if (kids[i] == 0) {
            task(i);
            _exit(0);
        }
    }
    SYS_CHECK(close(done_pipe[1]));
    for (long i = 0; i < n; i++) {
        while (waitpid(kids[i], &status, 0) == -1)
            if (errno != EINTR)
                die("waitpid: %s", strerror(errno));
        char who[32];
        snprintf(who, sizeof who, "task %ld", i);
        describe(who, status);
    }
    printf("  tasks finished: %d of %ld\n", count_done(), n);
    SYS_CHECK(close(done_pipe[0]));
    return 0;
}
