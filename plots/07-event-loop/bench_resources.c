/* plots/07-event-loop/bench_resources.c: what a "single-threaded" libuv program really owns.
 * (a) its threads (/proc/self/task) before and after one file read (the lesson's read_all),
 *     with UV_THREADPOOL_SIZE unset, 1, 4 and 16: one child process per setting, because the
 *     pool reads the variable once, when the process's first request starts it;
 * (b) the bytes each pending request or handle owns: the struct the caller provides
 *     (sizeof) plus what libuv allocates for it, counted through uv_replace_allocator with N
 *     of them pending at once. Settles C6.
 * Build: make benches
 * Run:   build/bench/07-event-loop/bench_resources --quick      # or --full */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "proc.h"
#include "uv_check.h"

/* ---- libuv's allocator, counting live bytes ---- */

/* Each block carries its size in a header, so free knows how much goes. 16 bytes keep the
 * caller's pointer as aligned as malloc's. Pool threads may allocate too: atomics. */
#define HDR 16
static atomic_llong live_bytes;

static void *count_malloc(size_t size)
{
    unsigned char *p = malloc(HDR + size);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    atomic_fetch_add(&live_bytes, (long long)size);
    return p + HDR;
}

static void count_free(void *ptr)
{
    size_t size;
    if (ptr == NULL)
        return;
    unsigned char *p = (unsigned char *)ptr - HDR;
    memcpy(&size, p, sizeof size);
    atomic_fetch_sub(&live_bytes, (long long)size);
    free(p);
}

static void *count_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size - HDR)
        return NULL;
    void *p = count_malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

static void *count_realloc(void *ptr, size_t size)
{
    size_t old = 0;
    if (ptr != NULL)
        memcpy(&old, (unsigned char *)ptr - HDR, sizeof old);
    void *p = count_malloc(size);
    if (p == NULL)
        return NULL;
    if (ptr != NULL) {
        memcpy(p, ptr, old < size ? old : size);
        count_free(ptr);
    }
    return p;
}

/* ---- (a) threads before and after one read ---- */

/* In a fresh child: set the pool size, count threads, read one file with read_all, count
 * again; the two counts go back through the pipe. */
static void child_count(const char *pool_size, int out)
{
    uv_loop_t loop;
    const char *paths[1] = { "/proc/self/exe" };
    long counts[2];

    if (pool_size != NULL)
        SYS_CHECK(setenv("UV_THREADPOOL_SIZE", pool_size, 1));
    else
        SYS_CHECK(unsetenv("UV_THREADPOOL_SIZE"));
    UV_CHECK(uv_loop_init(&loop));
    counts[0] = proc_thread_count();
    int64_t got = read_all(&loop, paths, 1);
    counts[1] = proc_thread_count();
    if (got <= 0)
        die("read_all of %s returned %s", paths[0], uv_result_name(got));
    UV_CHECK(uv_loop_close(&loop));
    if (write(out, counts, sizeof counts) != (ssize_t)sizeof counts)
        _exit(2);
    _exit(0);
}

static void threads_for(const char *pool_size, long counts[2])
{
    int fds[2];
    SYS_CHECK(pipe(fds));
    fflush(NULL);   /* the child must not print our buffered output a second time */
    pid_t pid = SYS_CHECK(fork());
    if (pid == 0) {
        close(fds[0]);
        child_count(pool_size, fds[1]);
    }
    SYS_CHECK(close(fds[1]));
    ssize_t n;
    while ((n = read(fds[0], counts, 2 * sizeof counts[0])) < 0 && errno == EINTR)
        ;
    SYS_CHECK(close(fds[0]));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    if (n != (ssize_t)(2 * sizeof counts[0]) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("the child counting threads with UV_THREADPOOL_SIZE=%s failed",
            pool_size ? pool_size : "(unset)");
}

/* ---- (b) bytes per pending request or handle ---- */

static void on_fs_done(uv_fs_t *req)
{
    uv_fs_req_cleanup(req);
}

static void on_timer(uv_timer_t *t)
{
    uv_close((uv_handle_t *)t, NULL);
}

static void work_nothing(uv_work_t *w)
{
    (void)w;
}

static void after_nothing(uv_work_t *w, int status)
{
    (void)w, (void)status;
}

enum kind { K_TIMER, K_OPEN, K_READ, K_WORK, KINDS };
static const char *const kind_name[KINDS] = { "uv_timer_t(handle)", "uv_fs_open(request)",
                                              "uv_fs_read(request)", "uv_queue_work(request)" };
static const size_t kind_size[KINDS] = { sizeof(uv_timer_t), sizeof(uv_fs_t), sizeof(uv_fs_t),
                                         sizeof(uv_work_t) };

/* Start n of one kind on a fresh loop, without running it: all n are pending. Returns the
 * bytes libuv allocated for them, per item; then runs the loop until all are done. */
static double libuv_bytes_per_item(enum kind k, int n)
{
    uv_loop_t loop;
    char *items = calloc((size_t)n, kind_size[k]);
    if (items == NULL)
        die("out of memory for %d items", n);
    UV_CHECK(uv_loop_init(&loop));
    int null_fd = -1;
    if (k == K_READ)
        null_fd = (int)SYS_CHECK(open("/dev/null", O_RDONLY));
    static char byte;   /* reads of /dev/null return 0 at once: nothing is written here */
    uv_buf_t buf = uv_buf_init(&byte, 1);

    long long before = atomic_load(&live_bytes);
    for (int i = 0; i < n; i++) {
        void *item = items + (size_t)i * kind_size[k];
        switch (k) {
        case K_TIMER:
            UV_CHECK(uv_timer_init(&loop, item));
            UV_CHECK(uv_timer_start(item, on_timer, 1000, 0));
            break;
        case K_OPEN:   /* a path that does not exist: the same copy of it, no descriptor */
            UV_CHECK(uv_fs_open(&loop, item, "/nonexistent/07-event-loop", O_RDONLY, 0,
                                on_fs_done));
            break;
        case K_READ:
            UV_CHECK(uv_fs_read(&loop, item, null_fd, &buf, 1, -1, on_fs_done));
            break;
        case K_WORK:
            UV_CHECK(uv_queue_work(&loop, item, work_nothing, after_nothing));
            break;
        case KINDS:
            break;
        }
    }
    long long after = atomic_load(&live_bytes);
    if (k == K_TIMER)   /* the timers would wait a second: close them now */
        for (int i = 0; i < n; i++)
            uv_close((uv_handle_t *)(items + (size_t)i * sizeof(uv_timer_t)), NULL);
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
    if (null_fd >= 0)
        SYS_CHECK(close(null_fd));
    free(items);
    return (double)(after - before) / (double)n;
}

int main(int argc, char **argv)
{
    struct bench b;

    /* Before libuv allocates anything: every later libuv allocation is counted. */
    if (uv_replace_allocator(count_malloc, count_realloc, count_calloc, count_free) != 0)
        die("uv_replace_allocator failed");
    bench_init(&b, "07-event-loop/pool_threads", argc, argv);

    /* (a) Threads. Children first: this process's own pool must not exist yet when they
     * fork (a pool's threads do not survive fork, but its state would). */
    const char *settings[] = { NULL, "1", "4", "16" };
    const char *labels[] = { "unset(4)", "1", "4", "16" };
    long counts[4][2];
    bench_progress(&b, "threads before and after one read, 4 pool sizes");
    for (int s = 0; s < 4; s++)
        threads_for(settings[s], counts[s]);
    FILE *dat = bench_open_data(&b, "index UV_THREADPOOL_SIZE threads_before threads_after");
    printf("%-18s %15s %14s\n", "UV_THREADPOOL_SIZE", "threads before", "threads after");
    for (int s = 0; s < 4; s++) {
        fprintf(dat, "%d %s %ld %ld\n", s, labels[s], counts[s][0], counts[s][1]);
        printf("%-18s %15ld %14ld\n", labels[s], counts[s][0], counts[s][1]);
    }
    bench_close(dat);

    /* (b) Bytes. The counts are exact (no timing): one run each is the figure. */
    struct bench bb = b;
    bb.name = "07-event-loop/pending_bytes";
    int n = b.quick ? 1000 : 10000;
    double libuv_bytes[KINDS];
    bench_progress(&bb, "bytes per pending item, %d at once", n);
    for (int k = 0; k < KINDS; k++)
        libuv_bytes[k] = libuv_bytes_per_item((enum kind)k, n);
    dat = bench_open_data(&bb, "index kind struct_bytes libuv_bytes total_bytes_per_item");
    printf("\n%-24s %12s %12s %12s   (%d pending at once)\n", "kind", "struct bytes",
           "libuv bytes", "total", n);
    for (int k = 0; k < KINDS; k++) {
        double total = (double)kind_size[k] + libuv_bytes[k];
        fprintf(dat, "%d %s %zu %.1f %.1f\n", k, kind_name[k], kind_size[k], libuv_bytes[k],
                total);
        printf("%-24s %12zu %12.1f %12.1f\n", kind_name[k], kind_size[k], libuv_bytes[k], total);
    }
    bench_close(dat);

    /* C6. The article: async "does not create new resources" and runs "in a single thread".
     * Rule: FALSE when both fail: the program has more than 1 thread after one file read
     * with the default pool, and a pending file request owns more than 0 bytes (its uv_fs_t
     * plus what libuv allocates for it). HALF-TRUE when only one of the two fails. TRUE when
     * it stays at 1 thread and a pending request owns nothing. */
    bool threads_wrong = counts[0][1] > 1;
    bool bytes_wrong = (double)kind_size[K_OPEN] + libuv_bytes[K_OPEN] > 0;
    const char *verdict = threads_wrong && bytes_wrong ? "FALSE"
                        : threads_wrong || bytes_wrong ? "HALF-TRUE" : "TRUE";
    char figures[512];
    snprintf(figures, sizeof figures,
             "threads after 1 file read: %ld (pool unset), %ld (1), %ld (16) | pending "
             "uv_fs_open %.0f B (%.0f by libuv) | timer %.0f B",
             counts[0][1], counts[1][1], counts[3][1],
             (double)kind_size[K_OPEN] + libuv_bytes[K_OPEN], libuv_bytes[K_OPEN],
             (double)kind_size[K_TIMER] + libuv_bytes[K_TIMER]);
    claim_write("C6", "07", "async: one thread, no new resources", figures, verdict);
    printf("\nC6: %s  %s\n", figures, verdict);
    return 0;
}
