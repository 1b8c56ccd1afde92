/* lessons/14-showdown/fd_limit.c: why 10000 connections need a raised descriptor limit.
 * Opens sockets until the soft limit (RLIMIT_NOFILE) stops it, raises the soft limit to the
 * hard one (allowed without privileges, for this process only), and tries again.
 * Build: make -C lessons/14-showdown
 * Run:   build/lessons/14-showdown/fd_limit 3000   # sockets to try to open */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

/* Open up to want sockets into fds; returns how many opened; *err gets the errno that
 * stopped it (0 if all opened). */
static long open_sockets(int *fds, long want, int *err)
{
    long n = 0;
    *err = 0;
    while (n < want) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd == -1) {
            *err = errno;
            break;
        }
        fds[n++] = fd;
    }
    return n;
}

static void close_all(int *fds, long n)
{
    for (long i = 0; i < n; i++)
        SYS_CHECK(close(fds[i]));
}

static void report(const char *when, rlim_t limit, long n, long want, int err)
{
    printf("%s (soft limit %llu): opened %ld of %ld sockets", when, (unsigned long long)limit,
           n, want);
    if (err != 0)
        printf(", then %s (%s)", err == EMFILE ? "EMFILE" : "an error", strerror(err));
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s SOCKETS   (how many to try to open, e.g. 3000)", argv[0]);
    long want = parse_long_arg(argv[1], "sockets", 1, 1000000);
    int *fds = malloc((size_t)want * sizeof *fds);
    if (fds == NULL)
        die("out of memory for %ld descriptors", want);

    struct rlimit rl;
    SYS_CHECK(getrlimit(RLIMIT_NOFILE, &rl));
    printf("RLIMIT_NOFILE: soft %llu, hard %llu\n", (unsigned long long)rl.rlim_cur,
           (unsigned long long)rl.rlim_max);
    int err;
    long n = open_sockets(fds, want, &err);
    report("as started", rl.rlim_cur, n, want, err);
    close_all(fds, n);

    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t before = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
            printf("setrlimit to the hard limit refused: %s\n", strerror(errno));
            rl.rlim_cur = before;
        }
        SYS_CHECK(getrlimit(RLIMIT_NOFILE, &rl));
        n = open_sockets(fds, want, &err);
        report("raised", rl.rlim_cur, n, want, err);
        close_all(fds, n);
    } else {
        printf("the soft limit is already the hard limit: nothing to raise\n");
    }
    free(fds);
    return 0;
}
