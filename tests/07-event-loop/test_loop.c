/* tests/07-event-loop/test_loop.c: lesson 07's tests (tick, read_all).
 * Run: make check L=07   (or IMPL=path/to/your.c)
 *
 * How these tests stay deterministic. Nothing here is decided by a clock:
 * - "How many ticks, in what order" is counted. "On consecutive loop iterations" is counted
 *   too: a prepare handle of the test (unreferenced, so it never keeps uv_run going) adds one
 *   per turn of the loop, and each call of fn notes the turn it came on. The one clock check
 *   reads the loop's own clock as a lower bound that libuv guarantees (a timer never fires
 *   before it is due), so a loaded machine can only make it pass more easily.
 * - Concurrency of read_all is forced with FIFOs. A FIFO's open blocks until the other side
 *   opens it, so the order in which the test's writer opens them decides what can finish.
 * - Errors have real causes: a path that does not exist, a directory (EISDIR on read), and
 *   libuv's own allocator (uv_replace_allocator; ld --wrap cannot reach into libuv.so).
 * - What read_all allocates itself is tracked by address and must all be freed when it
 *   returns (LeakSanitizer alone can miss it: see run_read_all).
 * Every test also checks that the loop closes (uv_loop_close returns 0: no handle open and no
 * request pending) and that the process has as many descriptors open as before. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "runner.h"
#include "uv_check.h"

/* ---- descriptors and the loop's end ---- */

/* The number of descriptors this process has open (the directory stream's own one included,
 * the same on every count). */
static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        fail_msg("cannot open /proc/self/fd: %s (the tests need Linux's /proc)", strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Start a test's loop; returns the descriptor count before it. The first loop of a process
 * makes libuv open a pipe of its own that stays open for the life of the process (the lock of
 * its signal handling): a throwaway loop opens it before the count. */
static int loop_begin(uv_loop_t *loop)
{
    static bool warm;
    int rc;

    if (!warm) {
        rc = uv_loop_init(loop);
        if (rc == 0)
            rc = uv_loop_close(loop);
        if (rc != 0)
            fail_msg("a first uv_loop_init/uv_loop_close failed: %s (a problem of this "
                     "machine, not of your code)", uv_err_name(rc));
        warm = true;
    }
    int fds = fd_count();
    rc = uv_loop_init(loop);

    if (rc != 0)
        fail_msg("uv_loop_init failed: %s (a problem of this machine, not of your code)",
                 uv_err_name(rc));
    return fds;
}

static void name_handle(uv_handle_t *h, void *arg)
{
    char *names = arg;
    size_t len = strlen(names);

    if (uv_is_closing(h))
        return;
    snprintf(names + len, 256 - len, "%s%s%s", len ? ", " : "",
             uv_handle_type_name(uv_handle_get_type(h)), uv_is_active(h) ? " (active)" : "");
}

/* The end of every test: the loop closes (nothing left in it) and no descriptor leaked. */
static void loop_end(uv_loop_t *loop, int fds_before, const char *after)
{
    char names[256] = "";
    int rc = uv_loop_close(loop);

    if (rc == UV_EBUSY) {
        uv_walk(loop, name_handle, names);
        if (names[0] != '\0')
            fail_msg("uv_loop_close returned EBUSY after %s: a handle is still open (%s); close "
                     "every handle with uv_close and let its close callback run before returning",
                     after, names);
        fail_msg("uv_loop_close returned EBUSY after %s: a request is still pending; run the "
                 "loop until every uv_fs_* callback has come back before returning", after);
    }
    if (rc != 0)
        fail_msg("uv_loop_close returned %s after %s; expected 0", uv_result_name(rc), after);
    int fds = fd_count();
    if (fds != fds_before)
        fail_msg("%d descriptor(s) %s after %s: every file opened must be closed (uv_fs_close), "
                 "on the error paths too", abs(fds - fds_before),
                 fds > fds_before ? "leaked" : "closed that the test owned", after);
}

/* ---- tick ---- */

#define MAX_CALLS 64

/* What fn saw. iteration points at the loop-turn counter, or is NULL. */
struct calls {
    uv_loop_t *loop;
    const int *iteration;
    int n;                      /* calls so far */
    int i[MAX_CALLS];           /* the i of each call */
    int turn[MAX_CALLS];        /* the loop turn it came on */
    uint64_t now[MAX_CALLS];    /* uv_now(loop) then, in ms */
};

static void record(int i, void *arg)
{
    struct calls *c = arg;

    if (c->n < MAX_CALLS) {
        c->i[c->n] = i;
        c->turn[c->n] = c->iteration != NULL ? *c->iteration : 0;
        c->now[c->n] = uv_now(c->loop);
    }
    c->n++;
}

static void run_tick(uv_loop_t *loop, struct calls *c, int count, uint64_t interval)
{
    hang_hint("tick(loop, %d, %" PRIu64 ", fn, arg) never returned: is the timer closed after "
              "the last call? With interval 0, is it re-armed before the loop polls (from an "
              "idle handle)? Re-armed after the poll (a check handle), epoll_wait sleeps with "
              "nothing to wake it", count, interval);
    int rc = tick(loop, count, interval, record, c);
    hang_hint(NULL);
    if (rc != 0)
        fail_msg("tick(loop, %d, %" PRIu64 ", fn, arg) returned %s; expected 0", count, interval,
                 uv_result_name(rc));
}

/* count 5: fn(0), fn(1), ..., fn(4), in that order, for interval 0 and 1 ms. */
static void test_tick_calls_in_order(void **state)
{
    (void)state;
    for (uint64_t interval = 0; interval <= 1; interval++) {
        uv_loop_t loop;
        struct calls c = { .loop = &loop };
        int fds = loop_begin(&loop);
        run_tick(&loop, &c, 5, interval);
        for (int k = 0; k < c.n && k < 5; k++)
            if (c.i[k] != k)
                fail_msg("with interval %" PRIu64 ", call number %d was fn(%d, arg); expected "
                         "fn(%d, arg): i counts 0, 1, ..., count-1 in order", interval, k + 1,
                         c.i[k], k);
        loop_end(&loop, fds, "tick");
    }
}

/* Exactly count calls, for count 1, 2 and 7 and intervals 0 and 1 ms. */
static void test_tick_calls_exactly_count(void **state)
{
    static const int counts[] = { 1, 2, 7 };

    (void)state;
    for (uint64_t interval = 0; interval <= 1; interval++)
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            uv_loop_t loop;
            struct calls c = { .loop = &loop };
            int fds = loop_begin(&loop);
            run_tick(&loop, &c, counts[k], interval);
            if (c.n != counts[k])
                fail_msg("tick(loop, %d, %" PRIu64 ", fn, arg) called fn %d times; expected "
                         "%d%s", counts[k], interval, c.n, counts[k],
                         interval == 0 && c.n == 1 ? " (only the first call? With interval 0, a "
                         "timer's repeat of 0 means \"do not repeat\")" : "");
            loop_end(&loop, fds, "tick");
        }
}

static void count_turn(uv_prepare_t *p)
{
    (*(int *)p->data)++;
}

/* Interval 0: one call per loop iteration, on consecutive iterations (never two in one). */
static void test_tick_zero_interval_one_call_per_iteration(void **state)
{
    uv_loop_t loop;
    uv_prepare_t turns;
    int turn = 0;
    struct calls c = { .loop = &loop, .iteration = &turn };

    (void)state;
    int fds = loop_begin(&loop);
    /* Prepare callbacks run once per turn of uv_run; unref: it never keeps the loop alive. */
    UV_CHECK(uv_prepare_init(&loop, &turns));
    turns.data = &turn;
    UV_CHECK(uv_prepare_start(&turns, count_turn));
    uv_unref((uv_handle_t *)&turns);
    run_tick(&loop, &c, 6, 0);
    if (c.n != 6)
        fail_msg("tick(loop, 6, 0, fn, arg) called fn %d times; expected 6", c.n);
    for (int k = 1; k < 6; k++) {
        if (c.turn[k] == c.turn[k - 1])
            fail_msg("with interval 0, fn(%d) and fn(%d) ran in the same loop iteration; "
                     "expected one call per iteration (a timer started with timeout 0 from its "
                     "own callback runs again in the same pass on libuv 1.44: the loop never "
                     "gets to poll for I/O between calls)", c.i[k - 1], c.i[k]);
        if (c.turn[k] != c.turn[k - 1] + 1)
            fail_msg("with interval 0, fn(%d) ran %d loop iterations after fn(%d); expected "
                     "the very next iteration", c.i[k], c.turn[k] - c.turn[k - 1], c.i[k - 1]);
    }
    uv_close((uv_handle_t *)&turns, NULL);
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    loop_end(&loop, fds, "tick");
}

/* Interval 5 ms: by the loop's own clock, fn(i) comes at least (i+1) * 5 ms after the start
 * (a lower bound: a busy machine makes the calls later, never earlier). */
static void test_tick_waits_interval_before_each_call(void **state)
{
    uv_loop_t loop;
    struct calls c = { .loop = &loop };
    const uint64_t interval = 5;

    (void)state;
    int fds = loop_begin(&loop);
    uv_update_time(&loop);
    uint64_t start = uv_now(&loop);
    run_tick(&loop, &c, 3, interval);
    if (c.n != 3)
        fail_msg("tick(loop, 3, 5, fn, arg) called fn %d times; expected 3", c.n);
    for (int k = 0; k < 3; k++)
        if (c.now[k] < start + interval * (uint64_t)(k + 1))
            fail_msg("fn(%d) ran %" PRIu64 " ms (loop time) after tick started; expected at "
                     "least %" PRIu64 " ms: the first call comes interval_ms after the start "
                     "(not at once), then one every interval_ms", c.i[k], c.now[k] - start,
                     interval * (uint64_t)(k + 1));
    loop_end(&loop, fds, "tick");
}

/* count 0: returns 0 at once, fn is never called, nothing left in the loop. */
static void test_tick_count_zero_calls_nothing(void **state)
{
    uv_loop_t loop;
    struct calls c = { .loop = &loop };

    (void)state;
    int fds = loop_begin(&loop);
    run_tick(&loop, &c, 0, 1);
    if (c.n != 0)
        fail_msg("tick(loop, 0, 1, fn, arg) called fn %d times; expected none", c.n);
    loop_end(&loop, fds, "tick with count 0");
}

/* UV_EINVAL for loop NULL, fn NULL, count < 0; fn never called, nothing left open. */
static void test_tick_rejects_bad_arguments(void **state)
{
    uv_loop_t loop;
    struct calls c = { .loop = &loop };
    int rc;

    (void)state;
    int fds = loop_begin(&loop);
    hang_hint("tick with a bad argument never returned: check the arguments before creating "
              "the timer");
    rc = tick(NULL, 3, 0, record, &c);
    if (rc != UV_EINVAL)
        fail_msg("tick(NULL, 3, 0, fn, arg) returned %s; expected EINVAL", uv_result_name(rc));
    rc = tick(&loop, 3, 0, NULL, &c);
    if (rc != UV_EINVAL)
        fail_msg("tick(loop, 3, 0, NULL, arg) returned %s; expected EINVAL", uv_result_name(rc));
    rc = tick(&loop, -1, 0, record, &c);
    if (rc != UV_EINVAL)
        fail_msg("tick(loop, -1, 0, fn, arg) returned %s; expected EINVAL", uv_result_name(rc));
    hang_hint(NULL);
    if (c.n != 0)
        fail_msg("fn was called %d times by ticks with bad arguments; expected none", c.n);
    loop_end(&loop, fds, "tick with bad arguments");
}

static void *seen_arg;
static void note_arg(int i, void *arg)
{
    (void)i;
    seen_arg = arg;
}

/* fn receives the arg given to tick, unchanged. */
static void test_tick_passes_arg(void **state)
{
    uv_loop_t loop;
    int mine;

    (void)state;
    int fds = loop_begin(&loop);
    hang_hint("tick(loop, 2, 0, fn, &x) never returned: is the timer closed after the last call?");
    int rc = tick(&loop, 2, 0, note_arg, &mine);
    hang_hint(NULL);
    if (rc != 0)
        fail_msg("tick(loop, 2, 0, fn, &x) returned %s; expected 0", uv_result_name(rc));
    if (seen_arg != &mine)
        fail_msg("fn received arg %p; expected %p, the arg passed to tick", seen_arg,
                 (void *)&mine);
    loop_end(&loop, fds, "tick");
}

/* After tick returns, its timer is closed: no handle at all is left in the loop. */
static void test_tick_closes_its_timer(void **state)
{
    (void)state;
    for (uint64_t interval = 0; interval <= 1; interval++) {
        uv_loop_t loop;
        struct calls c = { .loop = &loop };
        int fds = loop_begin(&loop);
        run_tick(&loop, &c, 2, interval);
        char names[256] = "";
        uv_walk(&loop, name_handle, names);
        if (names[0] != '\0')
            fail_msg("after tick(loop, 2, %" PRIu64 ", fn, arg) returned, the loop still has: "
                     "%s; expected no handle (uv_close the timer after the last call, and "
                     "return only after its close callback ran)", interval, names);
        loop_end(&loop, fds, "tick");
    }
}

/* Two ticks in a row on one loop: each does its whole job (no state kept between calls). */
static void test_tick_twice_on_one_loop(void **state)
{
    uv_loop_t loop;
    struct calls c = { .loop = &loop };

    (void)state;
    int fds = loop_begin(&loop);
    run_tick(&loop, &c, 3, 0);
    run_tick(&loop, &c, 2, 1);
    static const int want[] = { 0, 1, 2, 0, 1 };
    if (c.n != 5)
        fail_msg("tick(loop, 3, ...) then tick(loop, 2, ...) called fn %d times in all; "
                 "expected 5", c.n);
    for (int k = 0; k < 5; k++)
        if (c.i[k] != want[k])
            fail_msg("the second tick on the same loop called fn(%d) at call %d; expected "
                     "fn(%d): does state from the first call survive into the second?",
                     c.i[k], k + 1, want[k]);
    loop_end(&loop, fds, "two ticks");
}

/* ---- files for read_all ---- */

/* Each read_all test works in a fresh directory, TMPDIR/course07.PID.XXXXXX, removed by the
 * teardown. A test the runner had to kill (a hang) has no teardown: the next setup removes
 * the directories of processes that no longer exist. */
struct scratch {
    char dir[64];
    char paths[16][96];
    int npaths;
};

/* Remove what a dead test process left in tmp: its files, FIFOs and empty directories
 * (one level deep, as the tests make them), then the directory itself. */
static void sweep_stale(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *e;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        long pid;
        char path[512];
        if (sscanf(e->d_name, "course07.%ld.", &pid) != 1 || pid <= 0 ||
            kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;   /* not ours, or its process is still alive */
        snprintf(path, sizeof path, "%s/%s", tmp, e->d_name);
        DIR *sub = opendir(path);
        if (sub != NULL) {
            struct dirent *f;
            while ((f = readdir(sub)) != NULL) {
                char inner[1024];
                if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                    continue;
                snprintf(inner, sizeof inner, "%s/%s", path, f->d_name);
                if (unlink(inner) != 0)
                    rmdir(inner);
            }
            closedir(sub);
        }
        rmdir(path);
    }
    closedir(d);
}

static int scratch_setup(void **state)
{
    struct scratch *s = calloc(1, sizeof *s);
    const char *tmp = getenv("TMPDIR");

    if (s == NULL)
        return -1;
    if (tmp == NULL || tmp[0] == '\0' || strlen(tmp) > 32)
        tmp = "/tmp";
    sweep_stale(tmp);
    snprintf(s->dir, sizeof s->dir, "%s/course07.%ld.XXXXXX", tmp, (long)getpid());
    if (mkdtemp(s->dir) == NULL) {
        print_error("mkdtemp %s: %s\n", s->dir, strerror(errno));
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int scratch_teardown(void **state)
{
    struct scratch *s = *state;

    for (int i = 0; i < s->npaths; i++)
        if (unlink(s->paths[i]) != 0 && errno == EISDIR)
            rmdir(s->paths[i]);
    for (int i = 0; i < s->npaths; i++)
        rmdir(s->paths[i]);   /* directories, if unlink refused them */
    rmdir(s->dir);
    free(s);
    return 0;
}

/* A new path in the scratch directory (nothing is created). */
static const char *scratch_path(struct scratch *s, const char *name)
{
    if (s->npaths == 16)
        fail_msg("too many scratch files (a bug in the test)");
    char dir[sizeof s->dir];
    memcpy(dir, s->dir, sizeof dir);   /* a separate source: gcc sees no overlap to warn of */
    snprintf(s->paths[s->npaths], sizeof s->paths[0], "%s/%s", dir, name);
    return s->paths[s->npaths++];
}

/* Write all of len bytes (a pattern) to fd; false on error, errno set. */
static bool write_pattern(int fd, size_t len)
{
    char chunk[4096];

    for (size_t k = 0; k < sizeof chunk; k++)
        chunk[k] = (char)('a' + k % 26);
    while (len > 0) {
        size_t part = len < sizeof chunk ? len : sizeof chunk;
        ssize_t w = write(fd, chunk, part);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        len -= (size_t)w;
    }
    return true;
}

/* A regular file of len bytes. */
static const char *make_file(struct scratch *s, const char *name, size_t len)
{
    const char *path = scratch_path(s, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    if (!write_pattern(fd, len))
        fail_msg("cannot write %s: %s", path, strerror(errno));
    SYS_CHECK(close(fd));
    return path;
}

static const char *make_fifo(struct scratch *s, const char *name)
{
    const char *path = scratch_path(s, name);

    if (mkfifo(path, 0600) != 0)
        fail_msg("cannot create the FIFO %s: %s", path, strerror(errno));
    return path;
}

/* ---- what read_all allocates itself ----
 * LeakSanitizer alone misses a leak of read_all's own memory now and then: a stale pointer
 * left in the loop (a finished request inside the leaked block) can make the block look
 * reachable. So the blocks the learner's code allocates while read_all runs are tracked by
 * address (ld --wrap of malloc, calloc, realloc and free, in lesson.conf; calls made inside
 * libuv.so are not seen), and every one must be freed when read_all returns. Only the thread
 * that calls read_all counts: libuv runs every callback on it. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

enum { TRACKED_MAX = 4096 };
static _Thread_local bool tracking;       /* inside read_all, on the calling thread */
static _Thread_local void *tracked[TRACKED_MAX];
static _Thread_local int ntracked;
static _Thread_local bool tracked_overflow;

static void track(void *p)
{
    if (p == NULL || !tracking)
        return;
    if (ntracked == TRACKED_MAX)
        tracked_overflow = true;   /* too many to follow: the check is skipped, not wrong */
    else
        tracked[ntracked++] = p;
}

static void untrack(void *p)
{
    for (int i = 0; p != NULL && i < ntracked; i++)
        if (tracked[i] == p) {
            tracked[i] = tracked[--ntracked];
            return;
        }
}

void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = __real_calloc(n, size);
    track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    void *q = __real_realloc(p, n);
    if (q != NULL || n == 0) {   /* p is gone (moved, or freed by a size of 0) */
        untrack(p);
        track(q);
    }
    return q;
}

void __wrap_free(void *p)
{
    untrack(p);
    __real_free(p);
}

static int64_t run_read_all(uv_loop_t *loop, const char *const *paths, int n, const char *hint)
{
    hang_hint("%s", hint);
    ntracked = 0;
    tracked_overflow = false;
    tracking = true;
    int64_t got = read_all(loop, paths, n);
    tracking = false;
    hang_hint(NULL);
    if (ntracked > 0 && !tracked_overflow)
        fail_msg("read_all returned %" PRId64 ", and %d block(s) your code allocated during the "
                 "call are still not freed: free everything read_all allocates before it "
                 "returns, on success as on error", got, ntracked);
    return got;
}

/* A read_all result for a message: an error by its name (ENOENT), a byte count as a number. */
static const char *shown(int64_t v)
{
    static char bufs[4][32];
    static int next;
    char *b = bufs[next++ % 4];

    if (v < 0)
        return uv_err_name((int)v);
    snprintf(b, sizeof bufs[0], "%" PRId64, v);
    return b;
}

static const char *const plain_hint =
    "read_all never returned on regular files: does every read chain end at a read that "
    "returns 0 (end of file), and does each file's close come back?";

static void expect_total(int64_t got, int64_t want, const char *what)
{
    if (got < 0)
        fail_msg("read_all(%s) returned %s; expected %" PRId64 " bytes", what,
                 shown(got), want);
    if (got != want)
        fail_msg("read_all(%s) returned %" PRId64 "; expected %" PRId64 " bytes%s", what, got,
                 want, got > want ? " (is a byte count added twice, or the buffer size instead "
                 "of what the read returned?)" : " (does every read's result count, up to the "
                 "read that returns 0?)");
}

/* ---- read_all: counting ---- */

/* n 0: 0 bytes, nothing opened. */
static void test_read_all_no_files_returns_zero(void **state)
{
    uv_loop_t loop;
    const char *none[1] = { NULL };

    (void)state;
    int fds = loop_begin(&loop);
    int64_t got = run_read_all(&loop, none, 0, "read_all with n 0 never returned");
    if (got != 0)
        fail_msg("read_all(loop, paths, 0) returned %s; expected 0", shown(got));
    loop_end(&loop, fds, "read_all of no file");
}

/* UV_EINVAL for n < 0 and for paths NULL; nothing opened. */
static void test_read_all_rejects_bad_arguments(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[1] = { make_file(s, "one", 10) };

    int fds = loop_begin(&loop);
    int64_t got = run_read_all(&loop, paths, -1, "read_all with n -1 never returned");
    if (got != UV_EINVAL)
        fail_msg("read_all(loop, paths, -1) returned %s; expected EINVAL", shown(got));
    got = run_read_all(&loop, NULL, 1, "read_all with paths NULL never returned");
    if (got != UV_EINVAL)
        fail_msg("read_all(loop, NULL, 1) returned %s; expected EINVAL", shown(got));
    loop_end(&loop, fds, "read_all with bad arguments");
}

/* One file of 100 bytes: 100. */
static void test_read_all_counts_small_file(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[1] = { make_file(s, "small", 100) };

    int fds = loop_begin(&loop);
    expect_total(run_read_all(&loop, paths, 1, plain_hint), 100, "one file of 100 bytes");
    loop_end(&loop, fds, "read_all");
}

/* A file of 300 KiB + 123 bytes: more than one read buffer, and not a multiple of it. */
static void test_read_all_counts_file_larger_than_buffer(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const int64_t size = 300 * 1024 + 123;
    const char *paths[1] = { make_file(s, "large", (size_t)size) };

    int fds = loop_begin(&loop);
    expect_total(run_read_all(&loop, paths, 1, plain_hint), size,
                 "one file of 307323 bytes, larger than a read buffer");
    loop_end(&loop, fds, "read_all");
}

/* Twelve files of different sizes (one empty, some larger than 64 KiB): their sum. */
static void test_read_all_sums_many_files(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[12];
    int64_t want = 0;

    for (int i = 0; i < 12; i++) {
        char name[16];
        size_t len = (size_t)i * 17011;
        snprintf(name, sizeof name, "f%d", i);
        paths[i] = make_file(s, name, len);
        want += (int64_t)len;
    }
    int fds = loop_begin(&loop);
    expect_total(run_read_all(&loop, paths, 12, plain_hint), want,
                 "12 files of 0 to 187121 bytes");
    loop_end(&loop, fds, "read_all");
}

/* The same file named twice is read twice; then the loop serves a second read_all. */
static void test_read_all_twice_on_one_loop(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *f = make_file(s, "twice", 70000);
    const char *paths[2] = { f, f };

    int fds = loop_begin(&loop);
    expect_total(run_read_all(&loop, paths, 2, plain_hint), 140000,
                 "the same 70000-byte file named twice");
    expect_total(run_read_all(&loop, paths, 1, plain_hint), 70000,
                 "a 70000-byte file, second call on the same loop");
    loop_end(&loop, fds, "two read_all calls");
}

/* ---- read_all: concurrency ---- */

/* The writer side of two FIFOs, written in reverse order: the SECOND FIFO first (more than a
 * pipe holds, so someone must read it while it is written), then the first one. */
struct fifo_writer {
    const char *first, *second;
    size_t first_len, second_len;
    int err;                    /* errno of the first failure, or 0 */
    const char *failed;         /* which step failed */
};

static bool feed_fifo(struct fifo_writer *w, const char *path, size_t len)
{
    int fd = open(path, O_WRONLY);     /* blocks until a reader opens it */

    if (fd < 0) {
        w->err = errno, w->failed = "open";
        return false;
    }
    bool ok = write_pattern(fd, len);
    if (!ok)
        w->err = errno, w->failed = "write";
    close(fd);
    return ok;
}

static void *fifo_writer_main(void *arg)
{
    struct fifo_writer *w = arg;

    /* The first FIFO is opened even if the second failed (a reader that gave up on it), so
     * that a read_all waiting in the first open can still return its error. */
    bool ok = feed_fifo(w, w->second, w->second_len);
    (void)feed_fifo(w, w->first, ok ? w->first_len : 0);
    return NULL;
}

/* Two FIFOs, written second-first: read_all must have both opens and reads in flight. */
static void test_read_all_reads_fifos_concurrently(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    pthread_t writer;
    const char *paths[2];

    /* The pool's threads block in open(2) on the FIFOs: keep the default four, whatever the
     * environment says (a pool of one could never open both at once). */
    SYS_CHECK(setenv("UV_THREADPOOL_SIZE", "4", 1));
    /* A reader that gives up early must not kill the test with SIGPIPE: writes get EPIPE. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        fail_msg("cannot ignore SIGPIPE: %s", strerror(errno));
    paths[0] = make_fifo(s, "fifo1");
    paths[1] = make_fifo(s, "fifo2");
    struct fifo_writer w = { .first = paths[0], .second = paths[1], .first_len = 1000,
                             .second_len = 200 * 1024 };

    int fds = loop_begin(&loop);
    PT_CHECK(pthread_create(&writer, NULL, fifo_writer_main, &w));
    int64_t got = run_read_all(&loop, paths, 2,
        "read_all never returned on two FIFOs. The test writes the SECOND FIFO first (200 KiB, "
        "more than a pipe holds) and opens the first one only after that. A read_all that opens "
        "or reads the files one after another waits for the first FIFO forever: issue every "
        "open before running the loop, and start each file's reads from its own open callback");
    if (got != 1000 + 200 * 1024) {
        /* The writer may be stuck in open(2) on a FIFO nobody opens: it is not joined; the
         * test process ends here. */
        if (got < 0)
            fail_msg("read_all on two FIFOs returned %s; expected %d bytes%s",
                     shown(got), 1000 + 200 * 1024, got == UV_ESPIPE ?
                     " (ESPIPE: a FIFO has no position; read at offset -1, the current one)" : "");
        fail_msg("read_all on two FIFOs returned %" PRId64 "; expected %d bytes", got,
                 1000 + 200 * 1024);
    }
    PT_CHECK(pthread_join(writer, NULL));
    if (w.err != 0)
        fail_msg("the test's FIFO writer failed in %s: %s", w.failed, strerror(w.err));
    loop_end(&loop, fds, "read_all on FIFOs");
}

/* ---- read_all: errors ---- */

/* {file, missing, file}: UV_ENOENT, and both files closed again. */
static void test_read_all_missing_file_returns_enoent(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[3];

    paths[0] = make_file(s, "before", 5000);
    paths[1] = scratch_path(s, "does-not-exist");
    paths[2] = make_file(s, "after", 100000);
    int fds = loop_begin(&loop);
    int64_t got = run_read_all(&loop, paths, 3,
        "read_all never returned when one file does not exist: a failed open has no descriptor "
        "to close, and its callback is the last one for that file");
    if (got != UV_ENOENT)
        fail_msg("read_all({file, missing file, file}) returned %s; expected "
                 "ENOENT: a failed open is an error to return, not a file to skip", shown(got));
    loop_end(&loop, fds, "read_all with a missing file");
}

/* {file, directory}: the directory opens, its read fails with UV_EISDIR; both closed. */
static void test_read_all_directory_returns_eisdir(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[2];

    paths[0] = make_file(s, "file", 3000);
    paths[1] = scratch_path(s, "a-directory");
    if (mkdir(paths[1], 0700) != 0)
        fail_msg("cannot create %s: %s", paths[1], strerror(errno));
    int fds = loop_begin(&loop);
    int64_t got = run_read_all(&loop, paths, 2,
        "read_all never returned when a read fails (EISDIR): after a failed read, close the "
        "file; do not read it again");
    if (got != UV_EISDIR)
        fail_msg("read_all({file, directory}) returned %s; expected EISDIR (the directory "
                 "opens, its first read fails): a failed read is an error to return, not an end "
                 "of file", shown(got));
    loop_end(&loop, fds, "read_all with a directory");
}

/* libuv's allocator, counting, and failing on purpose when told to. Calls come from the loop
 * thread and the pool's threads: atomics. */
static atomic_long alloc_calls;
static atomic_long fail_call = -1;     /* the call number that fails, or -1 */

static bool alloc_should_fail(void)
{
    long n = atomic_fetch_add(&alloc_calls, 1) + 1;
    return n == atomic_load(&fail_call);
}

static void *t_malloc(size_t size)
{
    return alloc_should_fail() ? NULL : malloc(size);
}

static void *t_realloc(void *p, size_t size)
{
    return alloc_should_fail() ? NULL : realloc(p, size);
}

static void *t_calloc(size_t n, size_t size)
{
    return alloc_should_fail() ? NULL : calloc(n, size);
}

static void t_free(void *p)
{
    free(p);
}

/* {FIFO with data and no end, file}: libuv cannot allocate the second open's copy of its
 * path, so uv_fs_open fails at once with UV_ENOMEM. read_all returns UV_ENOMEM, and must not
 * read the FIFO after that error: the FIFO's writer (the test) never closes it, so a read
 * chain on it would never end. */
static void test_read_all_stops_after_error(void **state)
{
    struct scratch *s = *state;
    uv_loop_t loop;
    const char *paths[2];

    /* Before libuv allocates anything in this (fresh, forked) process. */
    if (uv_replace_allocator(t_malloc, t_realloc, t_calloc, t_free) != 0)
        fail_msg("uv_replace_allocator failed (a problem of the test)");
    /* The pool starts on the first request; with more than 4 threads it would allocate. */
    SYS_CHECK(setenv("UV_THREADPOOL_SIZE", "4", 1));
    paths[0] = make_fifo(s, "endless");
    paths[1] = make_file(s, "file", 100);
    int fds = loop_begin(&loop);
    /* O_RDWR on a FIFO (Linux): the test is a writer from now on, so read_all's open does not
     * block, and the FIFO never reaches its end while the test holds it. */
    int keep = SYS_CHECK(open(paths[0], O_RDWR));
    SYS_CHECK(write(keep, "hello", 5));

    /* From now on the 2nd allocation fails: the first open's path copy succeeds, the
     * second's does not. */
    atomic_store(&fail_call, atomic_load(&alloc_calls) + 2);
    int64_t got = run_read_all(&loop, paths, 2,
        "read_all never returned after an error: uv_fs_open for the second file failed at once "
        "(UV_ENOMEM), but the first file, an endless FIFO, was read anyway. After the first "
        "error no read may start: an open callback that sees an error already happened closes "
        "its file instead of reading it (and a uv_fs_* call that returns < 0 is that error)");
    atomic_store(&fail_call, -1);
    SYS_CHECK(close(keep));
    if (got != UV_ENOMEM)
        fail_msg("read_all returned %s when uv_fs_open failed at once with ENOMEM; expected "
                 "ENOMEM: a uv_fs_* call that returns < 0 has failed (and will never call back)",
                 shown(got));
    loop_end(&loop, fds, "read_all that failed with ENOMEM");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tick_calls_in_order),
    cmocka_unit_test(test_tick_calls_exactly_count),
    cmocka_unit_test(test_tick_zero_interval_one_call_per_iteration),
    cmocka_unit_test(test_tick_waits_interval_before_each_call),
    cmocka_unit_test(test_tick_count_zero_calls_nothing),
    cmocka_unit_test(test_tick_rejects_bad_arguments),
    cmocka_unit_test(test_tick_passes_arg),
    cmocka_unit_test(test_tick_closes_its_timer),
    cmocka_unit_test(test_tick_twice_on_one_loop),
    cmocka_unit_test(test_read_all_no_files_returns_zero),
    cmocka_unit_test_setup_teardown(test_read_all_rejects_bad_arguments, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_counts_small_file, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_counts_file_larger_than_buffer, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_sums_many_files, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_twice_on_one_loop, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_reads_fifos_concurrently, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_missing_file_returns_enoent, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_directory_returns_eisdir, scratch_setup,
                                    scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_all_stops_after_error, scratch_setup,
                                    scratch_teardown),
};

COURSE_MAIN("07-event-loop", tests)
