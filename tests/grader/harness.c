/* tests/grader/harness.c: the test runner `make grade` links instead of tests/common/runner.c.
 * Build: by tests/grader/grade.py, with a lesson's test_*.c (their COURSE_MAIN calls course_run)
 * Run:   only by the grader, inside its sandbox: test --one NAME, with fds 3, 4 and 5 set up
 *
 * Why a second runner: runner.c decides "passed" inside the process that also runs the student's
 * functions, and says so on stdout and through the exit status, both of which the student's code
 * can produce itself. Here the proof of a pass is a secret (a nonce) that the grader puts in a pipe
 * on fd 3. It stays in the kernel while the test runs: this file reads it only after the test
 * function has returned, and writes "PASS <name> <nonce>" on fd 4. The student's object may not
 * call read, write or any system call (the grader refuses it before linking), so it cannot fetch
 * the nonce or write a verdict; printing "PASS", exit(0) or a crash proves nothing.
 *
 * A failed cmocka check prints its message and exits 255 (cmocka's own behaviour outside its
 * group runner); a crash is a signal the grader sees. Neither writes to fd 4.
 *
 * Fd 5 (optional) carries hang_hint() lines, so the grader can say what a test that ran out of
 * time was waiting for. */
#include "runner.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "check.h"

enum { NONCE_FD = 3, VERDICT_FD = 4, HINT_FD = 5, NONCE_MAX = 128, LINE_MAX_ = 1024 };

/* No executable memory made at run time. Lessons 11 and 12 may call mmap and mprotect (a
 * coroutine's stack and guard page), and code copied into a page that is also executable is
 * code the grader never inspected: a system call, a read of the nonce. The grader links every
 * program with --wrap=mmap and --wrap=mprotect (tests/grader/lessons.py), so each call from
 * the student's object, the tests or the course's code comes here; the libraries' own calls
 * (libc, libuv, the sanitizers' runtimes) do not, and need none of this. */
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_mprotect(void *addr, size_t len, int prot);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_mprotect(void *addr, size_t len, int prot);

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (prot & PROT_EXEC) {
        errno = EACCES;
        return MAP_FAILED;
    }
    return __real_mmap(addr, len, prot, flags, fd, off);
}

int __wrap_mprotect(void *addr, size_t len, int prot)
{
    if (prot & PROT_EXEC) {
        errno = EACCES;
        return -1;
    }
    return __real_mprotect(addr, len, prot);
}

/* Write all of buf to fd, or give up quietly: a grader that stopped listening has already
 * decided the outcome. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static bool is_pipe(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

void hang_hint(const char *fmt, ...)
{
    char line[LINE_MAX_];
    va_list ap;
    int n;

    if (fmt == NULL) {
        write_all(HINT_FD, "HINT \n", 6);
        return;
    }
    memcpy(line, "HINT ", 5);
    va_start(ap, fmt);
    n = vsnprintf(line + 5, sizeof line - 6, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    for (size_t i = 5; i < len; i++)   /* one hint, one line */
        if (line[i] == '\n')
            line[i] = ' ';
    line[len++] = '\n';
    write_all(HINT_FD, line, len);
}

/* After the test returned: fetch the nonce from the kernel and hand it back with the name. */
static int report_pass(const char *name)
{
    char nonce[NONCE_MAX + 1], line[NONCE_MAX + LINE_MAX_];
    size_t have = 0;

    for (;;) {
        ssize_t n = read(NONCE_FD, nonce + have, NONCE_MAX - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
        if (have == NONCE_MAX)
            break;
    }
    nonce[have] = '\0';
    nonce[strcspn(nonce, "\n")] = '\0';
    SYS_CHECK(close(NONCE_FD));
    int len = snprintf(line, sizeof line, "PASS %s %s\n", name, nonce);
    if (len < 0 || (size_t)len >= sizeof line)
        return 3;
    write_all(VERDICT_FD, line, (size_t)len);
    SYS_CHECK(close(VERDICT_FD));
    return 0;
}

int course_run(const char *lesson, const struct CMUnitTest *tests, size_t n, int argc,
               char **argv)
{
    const char *one = NULL;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--one") == 0)
        one = argv[2];
    if (one == NULL || !is_pipe(NONCE_FD) || !is_pipe(VERDICT_FD)) {
        fprintf(stderr, "%s: this is the grader's test program (tests/grader/harness.c); "
                        "use make check to run the tests yourself\n", lesson);
        return 2;
    }
    /* Nothing the student's code starts may inherit the grader's pipes. Fd 5 is optional
     * (hints only), so its failure (EBADF) is no error. */
    SYS_CHECK(fcntl(NONCE_FD, F_SETFD, FD_CLOEXEC));
    SYS_CHECK(fcntl(VERDICT_FD, F_SETFD, FD_CLOEXEC));
    if (fcntl(HINT_FD, F_SETFD, FD_CLOEXEC) == -1 && errno != EBADF)
        die("harness: fcntl(%d): %s", HINT_FD, strerror(errno));
    setvbuf(stdout, NULL, _IONBF, 0);

    const struct CMUnitTest *t = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(tests[i].name, one) == 0)
            t = &tests[i];
    if (t == NULL) {
        fprintf(stderr, "%s: no test named '%s'\n", lesson, one);
        return 2;
    }

    void *state = (void *)t->initial_state;
    if (t->setup_func != NULL && t->setup_func(&state) != 0) {
        fprintf(stderr, "%s: the setup of %s failed\n", lesson, t->name);
        return 1;
    }
    t->test_func(&state);   /* a failed check exits 255 from inside cmocka */
    if (t->teardown_func != NULL && t->teardown_func(&state) != 0) {
        fprintf(stderr, "%s: the teardown of %s failed\n", lesson, t->name);
        return 1;
    }
    return report_pass(t->name);
}
