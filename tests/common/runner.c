/* tests/common/runner.c: one process per test, tests run side by side up to the number
 * of cores, a hang judged from what the test's threads do (and a wall-clock guard behind
 * it), and output a learner can read, in the order of the test list. See runner.h for the
 * command line and the rule for tests that wait on purpose. */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

enum { HINT_MAX = 512, SHOWN_LINES_MAX = 24, OUTPUT_READ_MAX = 256 * 1024, JOBS_MAX = 64,
       DEPTH_MAX = 8, PROCS_MAX = 512, RUNTIME_MAX = 16 };

/* How often the parent looks at the running tests (seconds). */
static const double SAMPLE_SECONDS = 0.1;

/* Is this program built with ThreadSanitizer? Its runtime has threads of its own. */
#if defined(__SANITIZE_THREAD__)
#define RUNNER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RUNNER_TSAN 1
#endif
#endif
#ifndef RUNNER_TSAN
#define RUNNER_TSAN 0
#endif

#if RUNNER_TSAN
/* At exit, ThreadSanitizer sleeps 1 s (atexit_sleep_ms) when a thread is still running:
 * one long sleep with nothing else moving, which the stuck rule would judge (and a second
 * lost per such test). TSAN_OPTIONS can still set it. */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "atexit_sleep_ms=0";
}
#endif

/* One HINT_MAX slot per test, shared with the forked tests (MAP_SHARED), so the parent
 * can read the last hint a test gave before it was stopped. hint_page is this process's
 * slot (a test child's own), or NULL (--one: the hint is kept locally). */
static char *hint_pages;
static char *hint_page;

static struct {
    const char *mode;        /* label for this run, "" for the plain build */
    const char *impl;        /* basename of the learner's file, or NULL */
    const char *results;     /* path to append results to, or NULL */
    bool quiet_pass;
    bool fail_fast;          /* stop at the first failing test (mutants need only one) */
    unsigned guard_seconds;
    double settle_seconds;   /* all asleep and unchanged this long: stuck (0: never judged) */
    unsigned jobs;           /* tests running at once (0: the number of cores) */
    bool debug;              /* HANG_DEBUG=1: a stuck verdict shows each thread's state */
} opt = { "", NULL, NULL, false, false, 10, 1.0, 0, false };

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
        "  Right alloca redzone", "=>0x", "  0x", "HINT:", "  As if synchronized", "Hint:",
    };
    /* Not noise: the headings before each stack ("Mutex M0 created at:", "Thread T1
     * created by main thread at:", "Location is heap block"). Without them, the frames
     * of the learner's file under a heading read as part of the stack above: a call chain
     * that does not exist. */
    if (line[0] == '=' && line[1] == '=' && strstr(line, "Sanitizer") == NULL)
        return true;   /* "==123==ABORTING" and friends */
    for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
        if (strncmp(line, noise[i], strlen(noise[i])) == 0)
            return true;
    return false;
}

/* Print what the test printed, minus banners and foreign frames, indented. Returns
 * whether a line of the learner's file was among the lines shown. */
static bool show_output(FILE *out, FILE *report)
{
    bool shown_impl = false;
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
            shown_impl |= opt.impl != NULL && strstr(text, opt.impl) != NULL;
        } else {
            skipped++;
        }
    }
    if (skipped > 0)
        fprintf(report, "      (%d more lines not shown)\n", skipped);
    return shown_impl;
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

static double now_seconds(void)
{
    struct timespec ts;

    SYS_CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one test process, from start to verdict ---- */

enum run_state { RUN_WAITING, RUN_RUNNING, RUN_EXITED, RUN_GUARDED, RUN_STUCK, RUN_CANCELLED };

struct run {
    const struct CMUnitTest *test;
    size_t slot;              /* its hint slot: the test's index in the list */
    enum run_state state;
    pid_t pid;
    FILE *out;                /* what the test printed (a tmpfile) */
    int status;               /* wait status, once it exited */
    double started;           /* now_seconds() at fork */
    double last_look;         /* now_seconds() at the last look */
    double quiet;             /* seconds seen without a change (each gap counts 0.2 s at most) */
    char trace[640];              /* HANG_DEBUG=1: the threads at the stuck verdict */
    pid_t runtime[RUNTIME_MAX];   /* threads known to be TSan's own (see is_runtime_thread) */
    size_t nruntime;
    unsigned long long fingerprint;   /* of every thread's id, CPU time and switch counts */
};

/* The child: own process group (so the guard can kill whatever it started), output to
 * its own file, a cap on how much it may write, then the test. The other tests' output
 * files, inherited from the parent, are closed: a test sees only the descriptors a
 * test run alone would see. */
static noreturn void child(struct run *self, struct run *runs, size_t n, const sigset_t *old)
{
    struct rlimit fsize = { 8 << 20, 8 << 20 };

    setpgid(0, 0);
    hint_page = hint_pages + self->slot * HINT_MAX;
    for (size_t i = 0; i < n; i++)
        if (&runs[i] != self && runs[i].state == RUN_RUNNING)
            close(fileno(runs[i].out));
    SYS_CHECK(dup2(fileno(self->out), STDOUT_FILENO));
    SYS_CHECK(dup2(fileno(self->out), STDERR_FILENO));
    setvbuf(stdout, NULL, _IONBF, 0);
    SYS_CHECK(setrlimit(RLIMIT_FSIZE, &fsize));
    PT_CHECK(pthread_sigmask(SIG_SETMASK, old, NULL));
    exit(run_in_process(self->test));
}

/* ---- is it stuck? what /proc says about the test's threads ----
 *
 * A test is stuck when every thread of the test process and of all its descendants is
 * asleep (S; a traced or stopped thread, t or T, and a zombie count as not moving
 * either) and none has run or switched since the last look: the same threads, the same
 * utime+stime, the same voluntary+nonvoluntary context switches. A thread that only
 * waits for a core is R: load delays a verdict, it cannot fake one. A thread in D (the
 * kernel doing I/O or reclaiming memory for it) counts as moving: a program cannot hang
 * there, and on a loaded machine such a wait can last a second. Nothing that wakes up,
 * even to sleep again at once, looks stuck, since each wake-up is a switch.
 *
 * /proc is read without racing the test's exit: a file that vanished means that thread
 * or process ended, which is a change like any other (no message, no error). */

struct look {
    bool moving;                     /* a thread ran, is runnable, or ended meanwhile */
    unsigned long long fingerprint;  /* a sum: independent of the order of the readdirs */
    pid_t pids[PROCS_MAX];           /* the processes seen, for the kill */
    size_t npids;
    struct run *run;                 /* whose runtime threads to skip, or NULL */
    char trace[640];                 /* HANG_DEBUG=1: what each thread was doing */
    size_t tracelen;
};

static unsigned long long mix(unsigned long long x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Read a small /proc file whole; false if it is gone (its thread or process ended). */
static bool read_proc(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t got = read(fd, buf, size - 1);
    close(fd);
    if (got <= 0)
        return false;
    buf[got] = '\0';
    return true;
}

static bool field(const char *text, const char *name, const char *fmt, unsigned long long *v)
{
    const char *p = strstr(text, name);
    return p != NULL && sscanf(p + strlen(name), fmt, v) == 1;
}

/* ThreadSanitizer's runtime starts background threads of its own (after a fork, and at
 * the first pthread_create), with the program's name, that sleep 100 ms at a time for
 * ever: their switch counts would hide any hang. Such a thread blocks every blockable
 * signal from 1 to 30 (the mask reads fffffffe7ffbfeff with gcc, ...3ffbfeff with clang)
 * and sleeps in nanosleep. A thread seen so once is the runtime's for the rest of the
 * test, and is skipped. A thread the test creates also has every signal blocked for a
 * moment under TSan (while the runtime sets it up), but it is then runnable or waits
 * for a lock, never in nanosleep: it is never skipped, so a loaded machine that keeps it
 * waiting for a core cannot fake a hang. A test thread of a TSan build that blocks every
 * signal and sleeps in nanosleep is skipped too: a test must not rely on such a thread
 * alone to show progress. */
static bool is_runtime_thread(struct run *r, pid_t pid, long tid, char state, const char *status)
{
#if RUNNER_TSAN
    if (r == NULL)
        return false;
    for (size_t i = 0; i < r->nruntime; i++)
        if (r->runtime[i] == (pid_t)tid)
            return true;
    unsigned long long blocked;
    const unsigned long long all_but_kill_stop = 0x3fffffffULL & ~(1ULL << 8) & ~(1ULL << 18);
    if (state != 'S' || r->nruntime == RUNTIME_MAX ||
        !field(status, "\nSigBlk:", "%llx", &blocked) ||
        (blocked & 0x3fffffffULL) != all_but_kill_stop)
        return false;
    char path[96], wchan[64];
    snprintf(path, sizeof path, "/proc/%d/task/%ld/wchan", (int)pid, tid);
    if (!read_proc(path, wchan, sizeof wchan) || strstr(wchan, "nanosleep") == NULL)
        return false;
    r->runtime[r->nruntime++] = (pid_t)tid;
    return true;
#else
    (void)r, (void)pid, (void)tid, (void)state, (void)status;
    return false;
#endif
}

static void look_at(pid_t pid, struct look *lk, int depth)
{
    char path[96], buf[4096];

    if (lk->npids == PROCS_MAX) {
        lk->moving = true;   /* more processes than we look at (a fork bomb?): no verdict */
        return;
    }
    lk->pids[lk->npids++] = pid;
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    if (dir == NULL) {
        lk->moving = true;   /* it exited: the parent reaps it, or the test waits for it */
        return;
    }
    lk->fingerprint += mix((unsigned long long)pid);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        long tid = strtol(e->d_name, NULL, 10);
        unsigned long long utime, stime, vol, nonvol;
        char state;
        snprintf(path, sizeof path, "/proc/%d/task/%ld/stat", (int)pid, tid);
        /* The name in "pid (name) S ..." may hold spaces and parentheses: start after
         * the last ')'. */
        const char *p = read_proc(path, buf, sizeof buf) ? strrchr(buf, ')') : NULL;
        if (p == NULL || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                                &state, &utime, &stime) != 3) {
            lk->moving = true;
            continue;
        }
        snprintf(path, sizeof path, "/proc/%d/task/%ld/status", (int)pid, tid);
        if (!read_proc(path, buf, sizeof buf) ||
            !field(buf, "\nvoluntary_ctxt_switches:", "%llu", &vol) ||
            !field(buf, "\nnonvoluntary_ctxt_switches:", "%llu", &nonvol)) {
            lk->moving = true;
            continue;
        }
        bool runtime = is_runtime_thread(lk->run, pid, tid, state, buf);
        if (opt.debug && lk->tracelen < sizeof lk->trace) {
            char wchan[48] = "?";
            snprintf(path, sizeof path, "/proc/%d/task/%ld/wchan", (int)pid, tid);
            read_proc(path, wchan, sizeof wchan);
            lk->tracelen += (size_t)snprintf(lk->trace + lk->tracelen,
                                             sizeof lk->trace - lk->tracelen,
                                             " %d/%ld:%c:%s:cpu%llu:sw%llu%s", (int)pid, tid, state,
                                             wchan, utime + stime, vol + nonvol,
                                             runtime ? ":skipped" : "");
            if (lk->tracelen > sizeof lk->trace)
                lk->tracelen = sizeof lk->trace;
        }
        if (!runtime) {
            /* R: running or waiting for a core. D: the kernel works for it (disk I/O, a
             * page fault, memory reclaim), which ends by itself on a loaded machine;
             * every wait a program can hang in (futex, poll, read, nanosleep, waitpid)
             * is S. */
            if (strchr("StTZX", state) == NULL)
                lk->moving = true;
            lk->fingerprint += mix(mix((unsigned long long)tid) + utime + stime) + vol +
                               nonvol;
        }
        if (depth >= DEPTH_MAX)
            continue;
        /* Its children: lesson 13's tests fork, lesson 11 forks a child to watch a crash. */
        snprintf(path, sizeof path, "/proc/%d/task/%ld/children", (int)pid, tid);
        if (read_proc(path, buf, sizeof buf)) {
            char *save = NULL;
            for (char *tok = strtok_r(buf, " \n", &save); tok != NULL;
                 tok = strtok_r(NULL, " \n", &save))
                look_at((pid_t)strtol(tok, NULL, 10), lk, depth + 1);
        }
    }
    closedir(dir);
}

/* Stop a test and everything it started, even a descendant that left its group. */
static void stop_test(struct run *r)
{
    struct look lk = { 0 };

    look_at(r->pid, &lk, 0);
    kill(-r->pid, SIGKILL);
    for (size_t i = 0; i < lk.npids; i++)
        kill(lk.pids[i], SIGKILL);
    while (waitpid(r->pid, &r->status, 0) == -1 && errno == EINTR)
        ;
}

/* One look at a running test: is it over its guard, or stuck? */
static void watch(struct run *r, double now)
{
    if (now - r->started >= opt.guard_seconds) {
        stop_test(r);
        r->state = RUN_GUARDED;
        return;
    }
    if (opt.settle_seconds <= 0)
        return;
    struct look lk = { .run = r };
    look_at(r->pid, &lk, 0);
    /* Quiet time is counted from looks 0.2 s apart at most: if this runner itself got no
     * core for a while (a loaded or paused machine), that gap counts 0.2 s, so a thread
     * whose wake-up is due but has not run yet is never judged across the gap. */
    double gap = now - r->last_look;
    r->last_look = now;
    if (lk.moving || lk.fingerprint != r->fingerprint) {
        r->fingerprint = lk.fingerprint;
        r->quiet = 0;
    } else if ((r->quiet += gap < 2 * SAMPLE_SECONDS ? gap : 2 * SAMPLE_SECONDS) >=
               opt.settle_seconds) {
        if (opt.debug)
            snprintf(r->trace, sizeof r->trace, "%s", lk.trace);
        stop_test(r);
        r->state = RUN_STUCK;
    }
}

/* What a failed test process means, from what the sanitizers wrote (their exit codes
 * overlap: LSAN_OPTIONS' exitcode also applies to ASan's own errors) or its exit status.
 * NULL when the output already says it all (a failed check exits 1). */
static const char *failure_meaning(FILE *out, int code)
{
    static const struct { const char *marker, *meaning; } known[] = {
        { "ThreadSanitizer: data race", "ThreadSanitizer: a data race (two threads touch the "
          "same memory, one writes, nothing orders them)" },
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

static bool run_passed(const struct run *r)
{
    return r->state == RUN_EXITED && WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

/* The test's lines in the report, once it is over. */
static void report(struct run *r, FILE *rep)
{
    bool passed = run_passed(r);
    const char *meaning;
    const char *hint = hint_pages + r->slot * HINT_MAX;
    static const char *const no_hint = "the test hung; a lock never released or a wait "
                                       "that is never woken?";

    if (passed && opt.quiet_pass)
        return;
    fprintf(rep, "%s  %s%s%s\n", passed ? "PASS" : "FAIL", r->test->name,
            opt.mode[0] ? "  " : "", opt.mode);
    if (passed)
        return;
    bool shown_impl = show_output(r->out, rep);
    if (r->state == RUN_STUCK) {
        fprintf(rep, "      stuck: every thread waits and nothing changed for %.1f s (the "
                "runner stopped it): %s\n", opt.settle_seconds, hint[0] ? hint : no_hint);
        if (opt.debug)
            fprintf(rep, "      (HANG_DEBUG: pid/tid:state:wchan:cpu ticks:switches%s)\n",
                    r->trace);
    } else if (r->state == RUN_GUARDED)
        fprintf(rep, "      no result after %u s (the guard stopped it; a busy loop?): %s\n",
                opt.guard_seconds, hint[0] ? hint : no_hint);
    else if (WIFSIGNALED(r->status))
        fprintf(rep, "      the test process was killed by signal %d (%s)%s%s\n",
                WTERMSIG(r->status), strsignal(WTERMSIG(r->status)),
                hint[0] ? " while: " : "", hint);
    else if ((meaning = failure_meaning(r->out, WEXITSTATUS(r->status))) != NULL)
        /* "your lines are above" only where it is true: a race may show no line of the
         * learner's file (the test's own read raced with the learner's unordered store). */
        fprintf(rep, "      %s%s\n", meaning,
                shown_impl && strstr(meaning, "data race") != NULL ? "; your lines are above" : "");
    else if (opt.mode[0])
        /* make check runs a sanitizer only on the tests that passed plain: a failed check
         * here, with no report, is the same bug showing under other timing. */
        fprintf(rep, "      (this test passed the plain run; it failed here with no sanitizer "
                "report: the sanitizer changed the timing and the bug showed. It is real: fix "
                "what the message says.)\n");
}

static void start(struct run *r, struct run *runs, size_t n, const sigset_t *old)
{
    r->out = tmpfile();
    if (r->out == NULL)
        die("runner: tmpfile: %s", strerror(errno));
    hint_pages[r->slot * HINT_MAX] = '\0';
    fflush(stdout);
    r->started = r->last_look = now_seconds();
    r->quiet = 0;
    r->fingerprint = 0;
    r->nruntime = 0;
    r->trace[0] = '\0';
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0)
        child(r, runs, n, old);
    r->pid = pid;
    r->state = RUN_RUNNING;
}

/* Run the tests, up to opt.jobs at a time; report each in list order as soon as it and
 * every test before it are over. With --fail-fast, the report stops at the first failure
 * in list order and the tests after it are stopped unreported, as if run one by one. */
static void run_all(struct run *runs, size_t n, size_t *passed, size_t *failed)
{
    sigset_t chld, old;
    size_t next = 0, shown = 0, running = 0;
    bool starting = true;

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    /* SIGCHLD stays blocked, so it stays pending and sigtimedwait() wakes as soon as a
     * test ends. */
    PT_CHECK(pthread_sigmask(SIG_BLOCK, &chld, &old));
    while (shown < n) {
        /* A test whose threads have all slept for a while uses no core: it does not hold
         * a slot, so the tests that hang (and wait for their verdict) overlap. */
        size_t busy = 0;
        for (size_t i = 0; i < next; i++)
            busy += runs[i].state == RUN_RUNNING && runs[i].quiet < 2 * SAMPLE_SECONDS;
        while (starting && busy < opt.jobs && running < 4 * opt.jobs && next < n) {
            start(&runs[next++], runs, n, &old);
            running++;
            busy++;
        }
        const struct timespec nap = { 0, (long)(SAMPLE_SECONDS * 1e9) };
        if (running > 0 && sigtimedwait(&chld, NULL, &nap) == -1 && errno != EAGAIN &&
            errno != EINTR)
            die("runner: sigtimedwait: %s", strerror(errno));
        double now = now_seconds();
        for (size_t i = 0; i < next; i++) {
            struct run *r = &runs[i];
            if (r->state != RUN_RUNNING)
                continue;
            pid_t w = waitpid(r->pid, &r->status, WNOHANG);
            if (w == r->pid)
                r->state = RUN_EXITED;
            else if (w == -1 && errno != EINTR)
                die("runner: waitpid: %s", strerror(errno));
            else
                watch(r, now);
            if (r->state != RUN_RUNNING) {
                kill(-r->pid, SIGKILL);   /* anything the test left running in its group */
                running--;
                if (!run_passed(r) && opt.fail_fast)
                    starting = false;
            }
        }
        while (shown < n && runs[shown].state != RUN_RUNNING &&
               runs[shown].state != RUN_WAITING) {
            struct run *r = &runs[shown++];
            bool ok = run_passed(r);
            report(r, stdout);
            ok ? (*passed)++ : (*failed)++;
            record(r->test->name, ok);
            if (!ok && opt.fail_fast) {
                for (size_t i = shown; i < next; i++)
                    if (runs[i].state == RUN_RUNNING) {
                        stop_test(&runs[i]);
                        runs[i].state = RUN_CANCELLED;
                    }
                shown = n;
            }
        }
    }
    for (size_t i = 0; i < next; i++)
        fclose(runs[i].out);
    PT_CHECK(pthread_sigmask(SIG_SETMASK, &old, NULL));
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

/* A number of seconds from the environment or the command line: "1", "0.5". */
static double parse_seconds(const char *text, const char *name)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(v >= 0 && v <= 3600))
        die("%s: '%s' is not a number of seconds from 0 to 3600", name, text);
    return v;
}

int course_run(const char *lesson, const struct CMUnitTest *tests, size_t n, int argc,
               char **argv)
{
    const char *one = NULL, *env;
    bool *selected = calloc(n, sizeof *selected);
    size_t nselected = 0, passed = 0, failed = 0;

    if (selected == NULL)
        die("runner: out of memory");
    if ((env = getenv("GUARD_SECONDS")) != NULL)
        opt.guard_seconds = (unsigned)parse_long_arg(env, "GUARD_SECONDS", 1, 3600);
    if ((env = getenv("HANG_SETTLE_SECONDS")) != NULL)
        opt.settle_seconds = parse_seconds(env, "HANG_SETTLE_SECONDS");
    opt.debug = (env = getenv("HANG_DEBUG")) != NULL && strcmp(env, "1") == 0;
    if ((env = getenv("TEST_JOBS")) != NULL)
        opt.jobs = (unsigned)parse_long_arg(env, "TEST_JOBS", 0, JOBS_MAX);
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
        } else if (strcmp(a, "--settle") == 0 && has_value) {
            opt.settle_seconds = parse_seconds(argv[++i], "--settle");
        } else if (strcmp(a, "--jobs") == 0 && has_value) {
            opt.jobs = (unsigned)parse_long_arg(argv[++i], "--jobs", 0, JOBS_MAX);
        } else if (a[0] == '-') {
            die("%s: unknown option '%s' (see tests/common/runner.h)", lesson, a);
        } else {
            const struct CMUnitTest *t = find_test(tests, n, a);
            if (t == NULL)
                die("%s: no test named '%s' (--list shows them)", lesson, a);
            if (!selected[t - tests])
                nselected++;
            selected[t - tests] = true;
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
    if (opt.jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        opt.jobs = cores < 1 ? 1 : cores > JOBS_MAX ? JOBS_MAX : (unsigned)cores;
    }

    struct run *runs = calloc(n, sizeof *runs);
    if (runs == NULL)
        die("runner: out of memory");
    size_t nruns = 0;
    for (size_t i = 0; i < n; i++)
        if (nselected == 0 || selected[i]) {
            runs[nruns].test = &tests[i];
            runs[nruns].slot = nruns;
            nruns++;
        }
    free(selected);
    size_t pages = nruns > 0 ? nruns : 1;
    hint_pages = mmap(NULL, pages * HINT_MAX, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                      -1, 0);
    if (hint_pages == MAP_FAILED)
        die("runner: mmap: %s", strerror(errno));
    run_all(runs, nruns, &passed, &failed);
    munmap(hint_pages, pages * HINT_MAX);
    free(runs);
    /* The plain run's line says so: the sanitizer runs may follow it, and a FAIL after
     * "0 failed" must not read as a contradiction. */
    printf("%s %s: %zu passed, %zu failed\n", lesson, opt.mode[0] ? opt.mode : "(plain run)",
           passed, failed);
    return failed == 0 ? 0 : 1;
}
