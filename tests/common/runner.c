/* tests/common/runner.c: one process per test, a guard against hangs, and output a
 * learner can read. See runner.h for the command line. */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

enum { HINT_MAX = 512, SHOWN_LINES_MAX = 24, OUTPUT_READ_MAX = 256 * 1024 };

/* Shared with the forked test (MAP_SHARED), so the parent can read the last hint
 * the child gave before it was killed. */
static char *hint_page;

static struct {
    const char *mode;        /* label for this run, "" for the plain build */
    const char *impl;        /* basename of the learner's file, or NULL */
    const char *results;     /* path to append results to, or NULL */
    bool quiet_pass;
    bool fail_fast;          /* stop at the first failing test (mutants need only one) */
    unsigned guard_seconds;
} opt = { "", NULL, NULL, false, false, 10 };

void hang_hint(const char *fmt, ...)
{
    static char local[HINT_MAX];
    char *dst = hint_page != NULL ? hint_page : local;
    va_list ap;

    if (fmt == NULL) {
        dst[0] = '\0';
        return;
    }
    va_start(ap, fmt);
    vsnprintf(dst, HINT_MAX, fmt, ap);
    va_end(ap);
}

/* cmocka's own banner lines say nothing the summary does not. */
static bool is_banner(const char *line)
{
    static const char *const drop[] = {
        "[==========]", "[ RUN      ]", "[       OK ]", "[  PASSED  ]", "[  FAILED  ]",
        "[  SKIPPED ]",
    };
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (strncmp(line, drop[i], strlen(drop[i])) == 0)
            return true;
    return strstr(line, "FAILED TEST(S)") != NULL;
}

/* A sanitizer stack frame ("    #3 0x4011 in fn /path/file.c:12") is kept only when
 * it points into the learner's file: the rest is libc, the runtime and the tests. */
static bool is_foreign_frame(const char *line)
{
    const char *p = line;

    while (*p == ' ')
        p++;
    if (p[0] != '#' || p[1] < '0' || p[1] > '9')
        return false;
    return opt.impl == NULL || strstr(line, opt.impl) == NULL;
}

/* Sanitizer chatter that repeats what the ERROR/WARNING line already says. */
static bool is_sanitizer_noise(const char *line)
{
    static const char *const noise[] = {
        "Shadow bytes", "Shadow byte legend", "  Addressable:", "  Partially addressable",
        "  Heap left redzone", "  Freed heap region", "  Stack left redzone",
        "  Stack mid redzone", "  Stack right redzone", "  Stack after return",
        "  Stack use after scope", "  Global redzone", "  Global init order",
        "  Poisoned by user", "  Container overflow", "  Array cookie",
        "  Intra object redzone", "  ASan internal", "  Left alloca redzone",
        "  Right alloca redzone", "=>0x", "  0x", "HINT:", "Thread T", "  Mutex M",
        "  Location is", "  As if synchronized", "Hint:",
    };
    if (line[0] == '=' && line[1] == '=' && strstr(line, "Sanitizer") == NULL)
        return true;   /* "==123==ABORTING" and friends */
    for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
        if (strncmp(line, noise[i], strlen(noise[i])) == 0)
            return true;
    return false;
}

/* Print what the test printed, minus banners and foreign frames, indented. */
static void show_output(FILE *out, FILE *report)
{
    char line[1024];
    int shown = 0, skipped = 0;
    long total = 0;

    rewind(out);
    while (fgets(line, sizeof line, out) != NULL && total < OUTPUT_READ_MAX) {
        total += (long)strlen(line);
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0' || is_banner(line) || is_foreign_frame(line) ||
            is_sanitizer_noise(line))
            continue;
        char text[1100];
        const char *t = line;
        if (strncmp(t, "[  ERROR   ] --- ", 17) == 0)
            t += 17;
        if (strncmp(t, "ERROR: ", 7) == 0)
            t += 7;
        if (strncmp(t, "[   LINE   ] --- ", 17) == 0) {
            /* "file:line: error: Failure!" says only where the check is: keep the place. */
            t += 17;
            snprintf(text, sizeof text, "(checked at %.*s)", (int)strcspn(t, " "), t);
            if (text[strlen(text) - 2] == ':')
                memmove(text + strlen(text) - 2, ")", 2);
        } else {
            snprintf(text, sizeof text, "%s", t);
        }
        if (shown < SHOWN_LINES_MAX) {
            fprintf(report, "      %s\n", text);
            shown++;
        } else {
            skipped++;
        }
    }
    if (skipped > 0)
        fprintf(report, "      (%d more lines not shown)\n", skipped);
}

static void record(const char *name, bool passed)
{
    FILE *f;

    if (opt.results == NULL)
        return;
    f = fopen(opt.results, "a");
    if (f == NULL)
        die("runner: cannot append to '%s': %s", opt.results, strerror(errno));
    fprintf(f, "%s %s\n", name, passed ? "PASS" : "FAIL");
    if (fclose(f) != 0)
        die("runner: cannot write '%s': %s", opt.results, strerror(errno));
}

static int run_in_process(const struct CMUnitTest *test)
{
    return _cmocka_run_group_tests(test->name, test, 1, NULL, NULL) == 0 ? 0 : 1;
}

/* The child: own process group (so the guard can kill whatever it started), output to
 * the shared file, a cap on how much it may write, then the test. */
static noreturn void child(const struct CMUnitTest *test, FILE *out, const sigset_t *old)
{
    struct rlimit fsize = { 8 << 20, 8 << 20 };

    setpgid(0, 0);
    SYS_CHECK(dup2(fileno(out), STDOUT_FILENO));
    SYS_CHECK(dup2(fileno(out), STDERR_FILENO));
    setvbuf(stdout, NULL, _IONBF, 0);
    SYS_CHECK(setrlimit(RLIMIT_FSIZE, &fsize));
    PT_CHECK(pthread_sigmask(SIG_SETMASK, old, NULL));
    exit(run_in_process(test));
}

/* Wait for pid until the guard's deadline; SIGCHLD is blocked in the caller, so it
 * stays pending and sigtimedwait() wakes as soon as the child ends. */
static bool wait_with_guard(pid_t pid, int *status)
{
    struct timespec start, now;
    sigset_t chld;

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    SYS_CHECK(clock_gettime(CLOCK_MONOTONIC, &start));
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return true;
        if (r == -1 && errno != EINTR)
            die("runner: waitpid: %s", strerror(errno));
        SYS_CHECK(clock_gettime(CLOCK_MONOTONIC, &now));
        double left = opt.guard_seconds - (double)(now.tv_sec - start.tv_sec) -
                      (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (left <= 0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) == -1 && errno == EINTR)
                ;
            return false;
        }
        struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };
        if (sigtimedwait(&chld, NULL, &ts) == -1 && errno != EAGAIN && errno != EINTR)
            die("runner: sigtimedwait: %s", strerror(errno));
    }
}

/* What a failed test process means, from what the sanitizers wrote (their exit codes
 * overlap: LSAN_OPTIONS' exitcode also applies to ASan's own errors) or its exit status.
 * NULL when the output already says it all (a failed check exits 1). */
static const char *failure_meaning(FILE *out, int code)
{
    static const struct { const char *marker, *meaning; } known[] = {
        { "ThreadSanitizer: data race", "ThreadSanitizer: a data race (two threads touch the "
          "same memory, one writes, nothing orders them); your lines are above" },
        { "ThreadSanitizer: thread leak", "ThreadSanitizer: a thread was started and never "
          "joined (or detached)" },
        { "ThreadSanitizer:", "ThreadSanitizer reported a problem (see above)" },
        { "LeakSanitizer: detected memory leaks", "LeakSanitizer: memory was allocated and "
          "never freed; the allocation in your file is above" },
        { "AddressSanitizer:", "AddressSanitizer: a memory error (out of bounds, use after "
          "free...); the line in your file is above" },
        { "runtime error:", "UBSan: undefined behaviour (see above)" },
    };
    char line[1024];
    long read_bytes = 0;

    rewind(out);
    while (fgets(line, sizeof line, out) != NULL && read_bytes < OUTPUT_READ_MAX) {
        read_bytes += (long)strlen(line);
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strstr(line, known[i].marker) != NULL)
                return known[i].meaning;
    }
    return code == 1 ? NULL : "the test process exited with an unexpected status";
}

static bool run_forked(const struct CMUnitTest *test, FILE *report)
{
    sigset_t chld, old;
    int status = 0;
    FILE *out = tmpfile();

    if (out == NULL)
        die("runner: tmpfile: %s", strerror(errno));
    hint_page[0] = '\0';
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    PT_CHECK(pthread_sigmask(SIG_BLOCK, &chld, &old));
    fflush(stdout);
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0)
        child(test, out, &old);
    bool finished = wait_with_guard(pid, &status);
    kill(-pid, SIGKILL);   /* anything the test left running in its group */
    PT_CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));

    bool passed = finished && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (passed && opt.quiet_pass) {
        fclose(out);
        return true;
    }
    fprintf(report, "%s  %s%s%s\n", passed ? "PASS" : "FAIL", test->name,
            opt.mode[0] ? "  " : "", opt.mode);
    if (!passed) {
        show_output(out, report);
        if (!finished)
            fprintf(report, "      no result after %u s (the guard stopped it): %s\n",
                    opt.guard_seconds,
                    hint_page[0] ? hint_page : "the test hung; a lock never released or a "
                                               "wait that is never woken?");
        else if (WIFSIGNALED(status))
            fprintf(report, "      the test process was killed by signal %d (%s)%s%s\n",
                    WTERMSIG(status), strsignal(WTERMSIG(status)),
                    hint_page[0] ? " while: " : "", hint_page);
        else if (failure_meaning(out, WEXITSTATUS(status)) != NULL)
            fprintf(report, "      %s\n", failure_meaning(out, WEXITSTATUS(status)));
    }
    fclose(out);
    return passed;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

static const struct CMUnitTest *find_test(const struct CMUnitTest *tests, size_t n,
                                          const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tests[i].name, name) == 0)
            return &tests[i];
    return NULL;
}

int course_run(const char *lesson, const struct CMUnitTest *tests, size_t n, int argc,
               char **argv)
{
    const char *one = NULL, *env = getenv("GUARD_SECONDS");
    bool *selected = calloc(n, sizeof *selected);
    size_t nselected = 0, passed = 0, failed = 0;

    if (selected == NULL)
        die("runner: out of memory");
    if (env != NULL)
        opt.guard_seconds = (unsigned)parse_long_arg(env, "GUARD_SECONDS", 1, 3600);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--list") == 0) {
            for (size_t k = 0; k < n; k++)
                printf("%s\n", tests[k].name);
            free(selected);
            return 0;
        } else if (strcmp(a, "--quiet-pass") == 0) {
            opt.quiet_pass = true;
        } else if (strcmp(a, "--fail-fast") == 0) {
            opt.fail_fast = true;
        } else if (strcmp(a, "--one") == 0 && has_value) {
            one = argv[++i];
        } else if (strcmp(a, "--mode") == 0 && has_value) {
            opt.mode = argv[++i];
        } else if (strcmp(a, "--impl") == 0 && has_value) {
            opt.impl = base_name(argv[++i]);
        } else if (strcmp(a, "--results") == 0 && has_value) {
            opt.results = argv[++i];
        } else if (a[0] == '-') {
            die("%s: unknown option '%s' (see tests/common/runner.h)", lesson, a);
        } else {
            const struct CMUnitTest *t = find_test(tests, n, a);
            if (t == NULL)
                die("%s: no test named '%s' (--list shows them)", lesson, a);
            selected[t - tests] = true;
            nselected++;
        }
    }
    if (one != NULL) {
        const struct CMUnitTest *t = find_test(tests, n, one);
        free(selected);
        if (t == NULL)
            die("%s: no test named '%s' (--list shows them)", lesson, one);
        alarm(opt.guard_seconds);
        return run_in_process(t);
    }

    hint_page = mmap(NULL, HINT_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (hint_page == MAP_FAILED)
        die("runner: mmap: %s", strerror(errno));
    for (size_t i = 0; i < n; i++) {
        if (nselected > 0 && !selected[i])
            continue;
        bool ok = run_forked(&tests[i], stdout);
        ok ? passed++ : failed++;
        record(tests[i].name, ok);
        if (!ok && opt.fail_fast)
            break;
    }
    free(selected);
    munmap(hint_page, HINT_MAX);
    printf("%s%s%s: %zu passed, %zu failed\n", lesson, opt.mode[0] ? " " : "", opt.mode,
           passed, failed);
    return failed == 0 ? 0 : 1;
}
