/* lessons/13-error-isolation/zombie.c: a child that has ended stays a zombie ("Z" in
 * /proc/PID/stat) until its parent collects its status with waitpid; then it is gone.
 * Build: make -C lessons/13-error-isolation
 * Run:   build/lessons/13-error-isolation/zombie 3        # number of children (1..20) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

/* The state letter of /proc/PID/stat (R running, S sleeping, Z zombie), or '-' if there is
 * no such process any more. */
static char proc_state(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return '-';
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *paren = strrchr(text, ')');   /* the name may hold spaces: skip past it */
    return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s CHILDREN   (1..20)", argv[0]);
    long n = parse_long_arg(argv[1], "CHILDREN", 1, 20);
    pid_t kids[20];

    fflush(stdout);
    for (long i = 0; i < n; i++) {
        kids[i] = SYS_CHECK(fork());
        if (kids[i] == 0)
            _exit((int)i);   /* ends at once, with status i */
    }
    /* Wait until each has ended, without collecting it: WNOWAIT leaves it a zombie. */
    for (long i = 0; i < n; i++) {
        siginfo_t info;
        while (waitid(P_PID, (id_t)kids[i], &info, WEXITED | WNOWAIT) == -1)
            if (errno != EINTR)
                die("waitid: %s", strerror(errno));
        printf("child %d has ended; its state now: %c\n", (int)kids[i], proc_state(kids[i]));
    }
    for (long i = 0; i < n; i++) {
        int status;
        while (waitpid(kids[i], &status, 0) == -1)
            if (errno != EINTR)
                die("waitpid: %s", strerror(errno));
        printf("reaped child %d (exit status %d); its state now: %c\n", (int)kids[i],
               WEXITSTATUS(status), proc_state(kids[i]));
    }
    return 0;
}
