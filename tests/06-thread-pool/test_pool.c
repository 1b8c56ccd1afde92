/* tests/06-thread-pool/test_pool.c: lesson 06's tests (pool_create, pool_submit, pool_shutdown).
 * Run: make check L=06   (or IMPL=path/to/your.c)
 *
 * How these tests stay deterministic. Tasks here wait on latches and barriers the test
 * controls, so the test decides when a worker is free. Some checks need to know that a
 * thread is *blocked* (a pool_submit waiting for room, a pool_shutdown waiting in
 * pthread_join). No clock can tell that; the kernel can: /proc/self/task/TID/status says
 * "State: S (sleeping)" and counts the thread's voluntary context switches. A thread seen
 * sleeping on several looks in a row, with that count unchanged, has been asleep in one
 * blocking call the whole time. wait_blocked() below polls for exactly that. */
#define _GNU_SOURCE   /* syscall(SYS_gettid): a thread's kernel id, to find it in /proc */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "fail_inject.h"
#include "errname.h"
#include "runner.h"

/* ---- small synchronisation tools the tests use ---- */

/* A count that threads raise and others wait on. mu guards n. */
struct tally {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    long n;
};

static void tally_init(struct tally *t)
{
    PT_CHECK(pthread_mutex_init(&t->mu, NULL));
    PT_CHECK(pthread_cond_init(&t->changed, NULL));
    t->n = 0;
}

static void tally_add(struct tally *t)
{
    PT_CHECK(pthread_mutex_lock(&t->mu));
    t->n++;
    PT_CHECK(pthread_cond_broadcast(&t->changed));
    PT_CHECK(pthread_mutex_unlock(&t->mu));
}

static long tally_get(struct tally *t)
{
    PT_CHECK(pthread_mutex_lock(&t->mu));
    long n = t->n;
    PT_CHECK(pthread_mutex_unlock(&t->mu));
    return n;
}

static void tally_wait(struct tally *t, long at_least)
{
    PT_CHECK(pthread_mutex_lock(&t->mu));
    while (t->n < at_least)
        PT_CHECK(pthread_cond_wait(&t->changed, &t->mu));
    PT_CHECK(pthread_mutex_unlock(&t->mu));
}

/* A gate that stays shut until opened once. mu guards open. */
struct latch {
    pthread_mutex_t mu;
    pthread_cond_t opened;
    bool open;
};

static void latch_init(struct latch *l)
{
    PT_CHECK(pthread_mutex_init(&l->mu, NULL));
    PT_CHECK(pthread_cond_init(&l->opened, NULL));
    l->open = false;
}

static void latch_wait(struct latch *l)
{
    PT_CHECK(pthread_mutex_lock(&l->mu));
    while (!l->open)
        PT_CHECK(pthread_cond_wait(&l->opened, &l->mu));
    PT_CHECK(pthread_mutex_unlock(&l->mu));
}

static void latch_open(struct latch *l)
{
    PT_CHECK(pthread_mutex_lock(&l->mu));
    l->open = true;
    PT_CHECK(pthread_cond_broadcast(&l->opened));
    PT_CHECK(pthread_mutex_unlock(&l->mu));
}

/* ---- is a thread blocked? (see the top of the file) ---- */

static pid_t my_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* Read a thread's state letter and voluntary switch count; false if it no longer exists
 * (it has ended). A thread that is ending (Z, X) counts as gone. */
static bool thread_look(pid_t tid, char *state, long *switches)
{
    char path[64], line[256];
    FILE *f;

    snprintf(path, sizeof path, "/proc/self/task/%ld/status", (long)tid);
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    *state = '?';
    *switches = -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "State:", 6) == 0)
            *state = line[6 + strspn(line + 6, " \t")];
        else if (strncmp(line, "voluntary_ctxt_switches:", 24) == 0)
            *switches = strtol(line + 24, NULL, 10);
    }
    fclose(f);
    return *state != 'Z' && *state != 'X' && *state != '?';
}

enum seen { SEEN_BLOCKED, SEEN_GONE, SEEN_RETURNED };

/* Wait until the thread whose id will appear in *tid is blocked: asleep on 6 looks in a
 * row, 2 ms apart, with no new voluntary switch between them. Stop early if *returned
 * becomes true (the call we expected to block came back) or the thread ends. The naps
 * only space out the looks; the answer does not depend on how long they are. */
static enum seen wait_blocked(atomic_int *tid, atomic_bool *returned)
{
    const struct timespec nap = { 0, 2 * 1000 * 1000 };
    long last = -1;
    int same = 0;

    for (;;) {
        if (returned != NULL && atomic_load(returned))
            return SEEN_RETURNED;
        pid_t t = atomic_load(tid);
        char state;
        long switches;
        if (t != 0) {
            if (!thread_look(t, &state, &switches))
                return SEEN_GONE;
            if (state == 'S' && switches == last) {
                if (++same == 5)
                    return SEEN_BLOCKED;
            } else {
                same = 0;
            }
            last = state == 'S' ? switches : -1;
        }
        nanosleep(&nap, NULL);
    }
}

/* ---- the state of one test (each test runs in a process of its own) ---- */

enum { TASKS_MAX = 2048, WORKERS_MAX = 16 };

struct hold {                    /* a task that keeps its worker busy until opened */
    struct latch latch;
    bool submit_late;            /* after the latch: call pool_submit(task_never) */
    int late_rc;                 /* written by the task before it raises ctx.late */
};

static struct {
    struct pool *pool;
    atomic_int seen[TASKS_MAX];             /* how often task_count(i) ran */
    struct tally done;                      /* task_count, task_barrier and task_chain runs */
    struct tally held;                      /* task_hold runs that reached their latch */
    struct tally late;                      /* task_hold late submits that returned */
    atomic_int never_ran;                   /* task_never runs: must stay 0 */
    pthread_barrier_t barrier;
    atomic_int worker_tid[WORKERS_MAX];     /* recorded by task_barrier */
    atomic_int nworker_tids;
    atomic_int submit_err;                  /* a non-zero pool_submit from a task or submitter */
    struct hold holds[WORKERS_MAX];
} ctx;

static void ctx_init(void)
{
    tally_init(&ctx.done);
    tally_init(&ctx.held);
    tally_init(&ctx.late);
    for (int i = 0; i < WORKERS_MAX; i++)
        latch_init(&ctx.holds[i].latch);
}

static void task_count(void *arg)
{
    atomic_fetch_add(&ctx.seen[(intptr_t)arg], 1);
    tally_add(&ctx.done);
}

static void task_never(void *arg)
{
    (void)arg;
    atomic_fetch_add(&ctx.never_ran, 1);
}

/* Every task_barrier waits for the others: n of them finish only if n run at once. */
static void task_barrier(void *arg)
{
    (void)arg;
    int k = atomic_fetch_add(&ctx.nworker_tids, 1);
    if (k < WORKERS_MAX)
        atomic_store(&ctx.worker_tid[k], my_tid());
    BARRIER_WAIT(&ctx.barrier);
    tally_add(&ctx.done);
}

static void task_hold(void *arg)
{
    struct hold *h = arg;

    tally_add(&ctx.held);
    latch_wait(&h->latch);
    if (h->submit_late) {
        h->late_rc = pool_submit(ctx.pool, task_never, NULL);
        tally_add(&ctx.late);
    }
}

/* Submits the next link of the chain from inside the pool, then counts itself. */
static void task_chain(void *arg)
{
    intptr_t left = (intptr_t)arg;

    if (left > 0) {
        int rc = pool_submit(ctx.pool, task_chain, (void *)(left - 1));
        if (rc != 0)
            atomic_store(&ctx.submit_err, rc);
    }
    tally_add(&ctx.done);
}

/* ---- helpers ---- */

/* The kernel ids of this process's threads, into ids (at most max); how many there are. */
static int list_threads(pid_t *ids, int max)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        die("opendir /proc/self/task: %s", strerror(errno));
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && n < max)
            ids[n++] = (pid_t)strtol(e->d_name, NULL, 10);
    closedir(d);
    return n;
}

static bool in_list(pid_t id, const pid_t *ids, int n)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* pool_create, then wait until each of its workers is asleep waiting for work. Every test
 * starts from that state, so a worker always finds the queue empty once before the first
 * submit: a worker that returns on an empty queue is gone by then, on every run. */
static struct pool *make_pool(int nthreads, size_t capacity)
{
    enum { IDS_MAX = 256 };
    pid_t before[IDS_MAX], after[IDS_MAX];
    int nbefore = list_threads(before, IDS_MAX);

    inject_pthread_create_failure(1000, EAGAIN);   /* never fails: counts the workers */
    errno = 0;
    struct pool *p = pool_create(nthreads, capacity);
    if (p == NULL)
        fail_msg("pool_create(%d, %zu) returned NULL (errno %s: %s); expected a pool", nthreads,
                 capacity, errno_name(errno), strerror(errno));
    ctx.pool = p;
    int started = injected_threads_created();
    if (started != nthreads)
        fail_msg("pool_create(%d, %zu) started %d threads; expected exactly %d workers",
                 nthreads, capacity, started, nthreads);
    int nafter = list_threads(after, IDS_MAX), alive = 0, ended = 0;
    hang_hint("after pool_create(%d, %zu), with no task submitted, a worker never went to sleep: "
              "a worker must wait on a condition variable while the queue is empty (a loop "
              "that keeps checking never sleeps)", nthreads, capacity);
    for (int i = 0; i < nafter; i++) {
        if (in_list(after[i], before, nbefore))
            continue;
        atomic_int tid = after[i];
        alive++;
        if (wait_blocked(&tid, NULL) == SEEN_GONE)
            ended++;
    }
    hang_hint(NULL);
    if (alive < started)
        ended += started - alive;
    if (ended > 0)
        fail_msg("pool_create(%d, %zu) started its workers, and %d of the %d ended before any "
                 "task was submitted: a worker must wait while the queue is empty (until a task "
                 "comes, or shutdown begins), not return", nthreads, capacity, ended, started);
    return p;
}

static void submit_ok(void (*fn)(void *), void *arg, const char *what)
{
    int rc = pool_submit(ctx.pool, fn, arg);
    if (rc != 0)
        fail_msg("pool_submit(%s) returned %s (%s); expected 0", what, errno_name(rc),
                 strerror(rc));
}

static void shutdown_ok(void)
{
    hang_hint("pool_shutdown never returned: a worker still waiting for work was never woken "
              "(broadcast, not signal), or a worker never exits when the queue is empty and "
              "shutdown has begun?");
    expect_long_eq(pool_shutdown(ctx.pool), 0, "pool_shutdown(p)");
    hang_hint(NULL);
    ctx.pool = NULL;
}

/* Start n task_hold tasks and return once each is running on a worker (so n workers are
 * busy and the queue is empty). */
static void hold_workers(int n)
{
    for (int i = 0; i < n; i++)
        submit_ok(task_hold, &ctx.holds[i], "a task that waits at a latch");
    hang_hint("%d tasks were submitted to a pool of %d workers, but not all of them started: "
              "are all %d workers running and taking tasks from the queue?", n, n, n);
    tally_wait(&ctx.held, n);
    hang_hint(NULL);
}

static void release_workers(int n)
{
    for (int i = 0; i < n; i++)
        latch_open(&ctx.holds[i].latch);
}

/* Run n task_barrier tasks and wait for all: they finish only if n workers run at once. */
static void barrier_round(int n, const char *when)
{
    long before = tally_get(&ctx.done);

    atomic_store(&ctx.nworker_tids, 0);
    PT_CHECK(pthread_barrier_init(&ctx.barrier, NULL, (unsigned)n));
    for (int i = 0; i < n; i++)
        submit_ok(task_barrier, NULL, "a task that waits for the others");
    hang_hint("%s: %d tasks that each wait until all %d are running never finished: they "
              "never all ran at the same time, though the pool's %d workers had started and "
              "were waiting for work. Is a sleeping worker woken when a task is queued, and "
              "does a worker run its task with the pool's lock released?", when, n, n, n);
    tally_wait(&ctx.done, before + n);
    hang_hint(NULL);
    PT_CHECK(pthread_barrier_destroy(&ctx.barrier));
}

/* A thread that calls pool_shutdown, so the test can act while shutdown is under way. */
static struct {
    pthread_t thread;
    atomic_int tid;
    atomic_bool returned;
    int rc;
} shutter;

static void *shutter_main(void *arg)
{
    (void)arg;
    atomic_store(&shutter.tid, my_tid());
    shutter.rc = pool_shutdown(ctx.pool);
    atomic_store(&shutter.returned, true);
    return NULL;
}

/* Call pool_shutdown in another thread while workers are held, and return once it is
 * blocked (waiting in pthread_join for a held worker): shutdown has begun. */
static void begin_shutdown(int held)
{
    PT_CHECK(pthread_create(&shutter.thread, NULL, shutter_main, NULL));
    if (wait_blocked(&shutter.tid, &shutter.returned) == SEEN_RETURNED)
        fail_msg("pool_shutdown returned while %d workers were still running tasks; it must "
                 "join every worker, so it waits until their tasks end", held);
}

static void finish_shutdown(int held)
{
    release_workers(held);
    hang_hint("pool_shutdown never returned after the held tasks ended: are the workers woken "
              "and do they exit once the queue is empty and shutdown has begun?");
    PT_CHECK(pthread_join(shutter.thread, NULL));
    hang_hint(NULL);
    expect_long_eq(shutter.rc, 0, "pool_shutdown(p)");
    ctx.pool = NULL;
}

/* A thread that calls pool_submit once, so the test can see whether it blocks. */
struct submitter {
    pthread_t thread;
    atomic_int tid;
    atomic_bool returned;
    void (*fn)(void *);
    void *arg;
    int rc;
};

static void *submitter_main(void *arg)
{
    struct submitter *s = arg;

    atomic_store(&s->tid, my_tid());
    s->rc = pool_submit(ctx.pool, s->fn, s->arg);
    atomic_store(&s->returned, true);
    return NULL;
}

static void expect_each_ran_once(int ntasks, const char *when)
{
    for (int i = 0; i < ntasks; i++) {
        int k = atomic_load(&ctx.seen[i]);
        if (k == 0)
            fail_msg("%s: task %d of %d never ran; every task submitted before shutdown must "
                     "run (dropped from the queue?)", when, i, ntasks);
        if (k > 1)
            fail_msg("%s: task %d of %d ran %d times; each task must run exactly once (taken "
                     "from the queue twice?)", when, i, ntasks, k);
    }
}

/* ---- pool_create ---- */

/* nthreads < 1 or capacity 0: NULL, errno EINVAL, and no thread started. */
static void test_pool_create_rejects_bad_arguments(void **state)
{
    (void)state;
    static const struct { int n; size_t cap; const char *why; } cases[] = {
        { 0, 4, "nthreads 0" }, { -3, 4, "nthreads < 0" }, { 2, 0, "capacity 0" },
    };
    inject_pthread_create_failure(1000, EAGAIN);   /* never fails: only counts */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        errno = 0;
        struct pool *p = pool_create(cases[i].n, cases[i].cap);
        if (p != NULL || errno != EINVAL)
            fail_msg("pool_create(%d, %zu) (%s) returned %s with errno %s (%s); expected NULL "
                     "and errno EINVAL", cases[i].n, cases[i].cap, cases[i].why,
                     p != NULL ? "a pool" : "NULL", errno_name(errno), strerror(errno));
    }
    if (injected_threads_created() != 0)
        fail_msg("pool_create started %d threads for bad arguments; check the arguments "
                 "before creating anything", injected_threads_created());
}

/* pthread_create fails for the third worker: the two started are stopped and joined, and
 * pool_create returns NULL with errno = the error (everything freed: ASan checks). */
static void test_pool_create_failure_joins_started(void **state)
{
    (void)state;
    inject_pthread_create_failure(2, EAGAIN);
    hang_hint("pthread_create failed for the third worker and pool_create never returned: the "
              "two workers already started wait for tasks, so tell them to stop (shutdown flag "
              "+ broadcast) before joining them");
    errno = 0;
    struct pool *p = pool_create(4, 8);
    int err = errno;
    hang_hint(NULL);
    if (p != NULL || err != EAGAIN)
        fail_msg("pthread_create failed with EAGAIN for the third worker, but pool_create "
                 "returned %s with errno %s (%s); expected NULL and errno EAGAIN",
                 p != NULL ? "a pool" : "NULL", errno_name(err), strerror(err));
    if (injected_threads_created() != 2 || injected_threads_joined() != 2)
        fail_msg("after pthread_create failed, %d workers had been started and %d were joined; "
                 "expected 2 and 2 (join the workers already running before returning NULL)",
                 injected_threads_created(), injected_threads_joined());
}

/* pthread_create fails for the first worker (with EPERM this time): NULL, errno EPERM. */
static void test_pool_create_failure_on_first_worker(void **state)
{
    (void)state;
    inject_pthread_create_failure(0, EPERM);
    errno = 0;
    struct pool *p = pool_create(3, 4);
    int err = errno;
    if (p != NULL || err != EPERM)
        fail_msg("pthread_create failed with EPERM for the first worker, but pool_create "
                 "returned %s with errno %s (%s); expected NULL and errno EPERM: pass on "
                 "the error pthread_create returned", p != NULL ? "a pool" : "NULL",
                 errno_name(err), strerror(err));
}

/* pool_create(4, ...) runs 4 workers at once: 4 tasks that wait for each other finish,
 * and exactly 4 threads are created and joined. */
static void test_pool_create_starts_nthreads_workers(void **state)
{
    (void)state;
    ctx_init();
    inject_pthread_create_failure(1000, EAGAIN);   /* never fails: only counts */
    make_pool(4, 4);
    barrier_round(4, "pool_create(4, 4)");
    shutdown_ok();
    if (injected_threads_created() != 4)
        fail_msg("pool_create(4, 4) started %d threads; expected exactly 4 workers",
                 injected_threads_created());
    if (injected_threads_joined() != 4)
        fail_msg("pool_shutdown joined %d of the 4 workers; it must join every one",
                 injected_threads_joined());
}

/* ---- running tasks ---- */

/* Every task submitted runs exactly once, for several pool shapes (capacity 1 included). */
static void test_pool_runs_every_task_once(void **state)
{
    (void)state;
    static const struct { int n; size_t cap; int tasks; } cases[] = {
        { 1, 1, 300 }, { 3, 4, 1000 }, { 8, 2, 1000 }, { 2, 1000, 1000 },
    };
    ctx_init();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char when[96];
        for (int i = 0; i < TASKS_MAX; i++)
            atomic_store(&ctx.seen[i], 0);
        make_pool(cases[c].n, cases[c].cap);
        hang_hint("pool_submit blocked for good on a full queue (pool of %d workers, capacity "
                  "%zu): are the workers running, taking tasks and waking the submitter?",
                  cases[c].n, cases[c].cap);
        for (int i = 0; i < cases[c].tasks; i++)
            submit_ok(task_count, (void *)(intptr_t)i, "a counting task");
        hang_hint(NULL);
        shutdown_ok();
        snprintf(when, sizeof when, "pool of %d workers, capacity %zu, %d tasks", cases[c].n,
                 cases[c].cap, cases[c].tasks);
        expect_each_ran_once(cases[c].tasks, when);
    }
}

/* A task may submit a task: a chain of 50 tasks, each submitted by the one before, all
 * run (pool_submit from a worker must not wait for a lock the worker holds). */
static void test_pool_task_can_submit_a_task(void **state)
{
    (void)state;
    ctx_init();
    make_pool(2, 2);
    submit_ok(task_chain, (void *)(intptr_t)50, "the first task of a chain");
    hang_hint("a task called pool_submit, and the chain of 51 tasks stopped: a task's "
              "pool_submit never returned, or the task it queued never ran. Note that a task "
              "that runs while the pool's lock is held can never take that lock in pool_submit");
    tally_wait(&ctx.done, 51);
    hang_hint(NULL);
    if (atomic_load(&ctx.submit_err) != 0)
        fail_msg("pool_submit called from inside a task returned %s; expected 0 (the pool was "
                 "not shutting down)", errno_name(atomic_load(&ctx.submit_err)));
    shutdown_ok();
}

/* Eight threads submit 250 tasks each at the same time: every task runs once. Under
 * ThreadSanitizer an unprotected queue is reported even when the count comes out right. */
enum { SUBMITTERS = 8, PER_SUBMITTER = 250 };

static pthread_barrier_t start_line;

static void *many_submitter(void *arg)
{
    intptr_t base = (intptr_t)arg * PER_SUBMITTER;
    BARRIER_WAIT(&start_line);

    for (intptr_t i = 0; i < PER_SUBMITTER; i++) {
        int rc = pool_submit(ctx.pool, task_count, (void *)(base + i));
        if (rc != 0)
            atomic_store(&ctx.submit_err, rc);
    }
    return NULL;
}

static void test_pool_submit_from_many_threads(void **state)
{
    (void)state;
    pthread_t t[SUBMITTERS];

    ctx_init();
    make_pool(3, 4);
    PT_CHECK(pthread_barrier_init(&start_line, NULL, SUBMITTERS));
    for (intptr_t i = 0; i < SUBMITTERS; i++)
        PT_CHECK(pthread_create(&t[i], NULL, many_submitter, (void *)i));
    hang_hint("8 threads submitting 250 tasks each to a pool of 3 workers (capacity 4) never "
              "finished: a submitter waiting for room is never woken when a worker takes a "
              "task (lost wake-up)?");
    for (int i = 0; i < SUBMITTERS; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    hang_hint(NULL);
    PT_CHECK(pthread_barrier_destroy(&start_line));
    if (atomic_load(&ctx.submit_err) != 0)
        fail_msg("pool_submit returned %s while 8 threads submitted at once; expected 0",
                 errno_name(atomic_load(&ctx.submit_err)));
    shutdown_ok();
    expect_each_ran_once(SUBMITTERS * PER_SUBMITTER, "8 threads submitting at once");
}

/* ---- waiting: idle workers, full queue ---- */

/* After their tasks, workers wait for more: the queue being empty for a moment does not
 * end them, and a second round of tasks still finds every worker. */
static void test_pool_workers_wait_while_queue_empty(void **state)
{
    (void)state;
    ctx_init();
    make_pool(3, 2);
    barrier_round(3, "first round");
    for (int i = 0; i < 3; i++) {
        enum seen s = wait_blocked(&ctx.worker_tid[i], NULL);
        if (s == SEEN_GONE)
            fail_msg("a worker thread ended after its task because the queue was empty; a "
                     "worker must wait for the next task (or for shutdown), not exit");
    }
    barrier_round(3, "second round, after the queue had been empty");
    shutdown_ok();
}

/* Shutdown wakes every idle worker: with 3 workers all asleep waiting for work,
 * pool_shutdown returns 0 and joins all 3. */
static void test_pool_shutdown_wakes_idle_workers(void **state)
{
    (void)state;
    ctx_init();
    inject_pthread_create_failure(1000, EAGAIN);   /* never fails: only counts */
    make_pool(3, 2);
    barrier_round(3, "pool_create(3, 2)");
    for (int i = 0; i < 3; i++)
        if (wait_blocked(&ctx.worker_tid[i], NULL) == SEEN_GONE)
            fail_msg("a worker thread ended while the queue was empty, before pool_shutdown; "
                     "workers must wait for tasks until shutdown");
    hang_hint("pool_shutdown never returned while all 3 workers were asleep waiting for work: "
              "it must wake every one of them (pthread_cond_broadcast; _signal wakes only one), "
              "and each must exit when the queue is empty and shutdown has begun");
    expect_long_eq(pool_shutdown(ctx.pool), 0, "pool_shutdown(p)");
    hang_hint(NULL);
    if (injected_threads_joined() != 3)
        fail_msg("pool_shutdown joined %d of the 3 workers; it must join every one",
                 injected_threads_joined());
}

/* With every worker busy and the queue full, pool_submit blocks; it returns 0 once a
 * worker takes a task, and every task runs. */
static void test_pool_submit_blocks_when_full(void **state)
{
    (void)state;
    struct submitter s = { .fn = task_count, .arg = (void *)(intptr_t)3 };

    ctx_init();
    make_pool(2, 3);
    hold_workers(2);
    for (intptr_t i = 0; i < 3; i++)
        submit_ok(task_count, (void *)i, "a task into a queue with room");
    PT_CHECK(pthread_create(&s.thread, NULL, submitter_main, &s));
    if (wait_blocked(&s.tid, &s.returned) == SEEN_RETURNED)
        fail_msg("pool_submit returned %s on a full queue (3 of 3 slots used, both workers "
                 "busy); it must block until a worker takes a task", errno_name(s.rc));
    release_workers(2);
    hang_hint("pool_submit stayed blocked after the workers took tasks from the full queue: "
              "wake a waiting submitter when a slot frees (lost wake-up)");
    PT_CHECK(pthread_join(s.thread, NULL));
    hang_hint(NULL);
    expect_long_eq(s.rc, 0, "pool_submit on a full queue, once a slot freed,");
    shutdown_ok();
    expect_each_ran_once(4, "queue of 3 filled while both workers were busy, then one more");
}

/* ---- shutdown ---- */

/* Tasks still queued when shutdown begins all run before the workers exit. */
static void test_pool_shutdown_runs_queued_tasks(void **state)
{
    (void)state;
    ctx_init();
    make_pool(2, 5);
    hold_workers(2);
    for (intptr_t i = 0; i < 5; i++)
        submit_ok(task_count, (void *)i, "a task queued behind busy workers");
    begin_shutdown(2);
    finish_shutdown(2);
    expect_each_ran_once(5, "5 tasks queued when pool_shutdown began");
}

/* Once shutdown has begun, pool_submit returns EPIPE and the task never runs. */
static void test_pool_submit_after_shutdown_begins_gets_epipe(void **state)
{
    (void)state;
    ctx_init();
    make_pool(2, 4);
    hold_workers(2);
    begin_shutdown(2);
    int rc = pool_submit(ctx.pool, task_never, NULL);
    if (rc != EPIPE)
        fail_msg("pool_submit returned %s (%s) after pool_shutdown had begun; expected EPIPE: "
                 "a pool that is shutting down accepts no new task", errno_name(rc), strerror(rc));
    finish_shutdown(2);
    if (atomic_load(&ctx.never_ran) != 0)
        fail_msg("a task submitted after shutdown began was run; it must be refused");
}

/* A pool_submit blocked on a full queue when shutdown begins wakes up and returns EPIPE;
 * its task never runs, the queued ones do. */
static void test_pool_submit_blocked_when_shutdown_begins_gets_epipe(void **state)
{
    (void)state;
    struct submitter s = { .fn = task_never };

    ctx_init();
    make_pool(2, 2);
    hold_workers(2);
    submit_ok(task_count, (void *)(intptr_t)0, "a task into a queue with room");
    submit_ok(task_count, (void *)(intptr_t)1, "a task into a queue with room");
    PT_CHECK(pthread_create(&s.thread, NULL, submitter_main, &s));
    if (wait_blocked(&s.tid, &s.returned) == SEEN_RETURNED)
        fail_msg("pool_submit returned %s on a full queue (both workers busy); it must block",
                 errno_name(s.rc));
    begin_shutdown(2);
    hang_hint("a pool_submit blocked on a full queue never returned after pool_shutdown began: "
              "shutdown must wake waiting submitters (broadcast), and they must return EPIPE");
    PT_CHECK(pthread_join(s.thread, NULL));
    hang_hint(NULL);
    if (s.rc != EPIPE)
        fail_msg("a pool_submit blocked on a full queue returned %s (%s) when shutdown began; "
                 "expected EPIPE", errno_name(s.rc), strerror(s.rc));
    finish_shutdown(2);
    expect_each_ran_once(2, "2 tasks queued when pool_shutdown began");
    if (atomic_load(&ctx.never_ran) != 0)
        fail_msg("the task of a submit refused with EPIPE was run anyway");
}

/* A task that calls pool_submit while the pool shuts down gets EPIPE (the queue has room),
 * and the task it tried to submit never runs. */
static void test_pool_task_submitting_during_shutdown_gets_epipe(void **state)
{
    (void)state;
    ctx_init();
    ctx.holds[0].submit_late = true;
    make_pool(2, 4);
    hold_workers(2);
    submit_ok(task_count, (void *)(intptr_t)0, "a task into a queue with room");
    begin_shutdown(2);
    latch_open(&ctx.holds[0].latch);
    hang_hint("a task called pool_submit while the pool was shutting down, and that call never "
              "returned; it should return EPIPE at once");
    tally_wait(&ctx.late, 1);
    hang_hint(NULL);
    finish_shutdown(2);
    if (ctx.holds[0].late_rc != EPIPE)
        fail_msg("a task called pool_submit while the pool was shutting down and got %s (%s); "
                 "expected EPIPE", errno_name(ctx.holds[0].late_rc),
                 strerror(ctx.holds[0].late_rc));
    if (atomic_load(&ctx.never_ran) != 0)
        fail_msg("a task submitted by a task during shutdown was run; it must be refused");
    expect_each_ran_once(1, "1 task queued when pool_shutdown began");
}

/* pool_submit with fn == NULL: EINVAL. */
static void test_pool_submit_rejects_null_fn(void **state)
{
    (void)state;
    ctx_init();
    make_pool(1, 1);
    int rc = pool_submit(ctx.pool, NULL, NULL);
    if (rc != EINVAL)
        fail_msg("pool_submit(p, NULL, arg) returned %s; expected EINVAL", errno_name(rc));
    shutdown_ok();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pool_create_rejects_bad_arguments),
    cmocka_unit_test(test_pool_create_failure_joins_started),
    cmocka_unit_test(test_pool_create_failure_on_first_worker),
    cmocka_unit_test(test_pool_create_starts_nthreads_workers),
    cmocka_unit_test(test_pool_runs_every_task_once),
    cmocka_unit_test(test_pool_task_can_submit_a_task),
    cmocka_unit_test(test_pool_submit_from_many_threads),
    cmocka_unit_test(test_pool_workers_wait_while_queue_empty),
    cmocka_unit_test(test_pool_shutdown_wakes_idle_workers),
    cmocka_unit_test(test_pool_submit_blocks_when_full),
    cmocka_unit_test(test_pool_shutdown_runs_queued_tasks),
    cmocka_unit_test(test_pool_submit_after_shutdown_begins_gets_epipe),
    cmocka_unit_test(test_pool_submit_blocked_when_shutdown_begins_gets_epipe),
    cmocka_unit_test(test_pool_task_submitting_during_shutdown_gets_epipe),
    cmocka_unit_test(test_pool_submit_rejects_null_fn),
};

COURSE_MAIN("06-thread-pool", tests)
