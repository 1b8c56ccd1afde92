/* plots/13-error-isolation/bench_isolation.c: the isolation matrix. N tasks do the same small
 * job under four models (threads, one libuv loop, ucontext coroutines, processes run by the
 * lesson's supervise); one of them, task FAULTY, gets one fault. Counted: how many of the
 * OTHER N-1 tasks still finish with the right result. Settles C3, C4 and C15.
 * Build: make benches
 * Run:   build/bench/13-error-isolation/bench_isolation --quick      # or --full
 *
 * Each model x fault trial runs in a child process (through supervise itself, with a time
 * budget), so a crash ends only that trial, and an endless loop or a blocked call ends when
 * the budget does. The tasks report on a page of shared memory that outlives the trial. */
#define _GNU_SOURCE   /* ucontext (makecontext, swapcontext) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <uv.h>

#include "check.h"
#include "exercise.h"
#include "harness.h"
#include "proc.h"
#include "uv_check.h"

#define NTASKS 8
#define FAULTY 3            /* the task that gets the fault; its neighbour is FAULTY + 1 */
#define STEPS 20            /* steps per task, about 1 ms apart */
#define FAULT_STEP 2        /* the fault strikes here: the others have begun */
#define WORDS 4             /* each task's working memory: WORDS words, blocks side by side */
#define SCRATCH (64 << 10)  /* each step needs this much new memory, kept to the end */
#define LEAK_ROOM_MIB 192   /* RLIMIT_DATA above what a trial already uses */

enum model { M_THREADS, M_LOOP, M_CORO, M_PROC, NMODELS };
enum fault { F_NONE, F_NULL, F_ABORT, F_SPIN, F_BLOCK, F_LEAK, F_EXIT, F_STRAY, NFAULTS };
static const char *const model_name[NMODELS] = { "threads", "loop", "coroutines", "processes" };
static const char *const fault_name[NFAULTS] = { "none", "NULL", "abort", "endless-loop",
                                                 "blocking-read", "leak", "exit", "stray-write" };

/* Written by the tasks, read by the harness after the trial: shared memory, so it survives
 * the trial's crash and is the same page in every process of the trial. */
struct board {
    atomic_int ok[NTASKS];   /* 1: the task finished with the right result */
    atomic_int trial_done;   /* 1: the trial's process reached its own end */
};
static struct board *board;

/* The trial's settings: set in the harness before the trial is forked. */
static enum model trial_model;
static enum fault trial_fault;
static int trial_budget_ms;
static int block_pipe[2];   /* nobody ever writes it: a read blocks for good */

/* The tasks' working memory, in one array, as a program keeps its data: task i owns
 * state[i * WORDS .. i * WORDS + WORDS - 1]. And the buffers each step adds: a task's
 * memory grows while it works, so it needs new memory at every step. */
static int64_t state[NTASKS * WORDS];
static unsigned char *buffers[NTASKS][STEPS];
static int *volatile null_ptr;   /* volatile: the compiler cannot see it is NULL */
static volatile unsigned long spins;

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static int64_t mix(int64_t acc, int i, int step)
{
    return acc * 31 + (int64_t)(i + 1) * 1000 + step;
}

/* The result task i must reach. */
static int64_t expected(int i)
{
    int64_t acc = 0;
    for (int s = 0; s < STEPS; s++)
        acc = mix(acc, i, s);
    return acc;
}

/* What the faulty task does at FAULT_STEP (and, for a stray write, at every later step). */
static void inject(int step)
{
    if (step < FAULT_STEP)
        return;
    switch (trial_fault) {
    case F_NONE:
        break;
    case F_NULL:
        if (step == FAULT_STEP)
            *null_ptr = 1;
        break;
    case F_ABORT:
        abort();
    case F_SPIN:
        for (;;)
            spins++;
    case F_BLOCK: {
        char c;
        while (read(block_pipe[0], &c, 1) == -1 && errno == EINTR)
            ;
        break;
    }
    case F_LEAK:
        if (step == FAULT_STEP)
            while (malloc(1 << 20) != NULL)   /* lost on purpose: that is the fault */
                ;
        break;
    case F_EXIT:
        exit(0);
    case F_STRAY:
        /* One word past its own block (an off-by-one in a copy): the neighbour's first word. */
        state[FAULTY * WORDS + WORDS] = 0x5ca1ab1e;
        break;
    case NFAULTS:
        break;
    }
}

static void task_free(int i)
{
    for (int s = 0; s < STEPS; s++) {
        free(buffers[i][s]);
        buffers[i][s] = NULL;
    }
}

/* One step of task i: it needs new memory, and it updates its running result. False when
 * it cannot go on (no memory); its buffers are then freed. */
static bool task_step(int i, int step)
{
    if (i == FAULTY)
        inject(step);
    unsigned char *buf = malloc(SCRATCH);
    if (buf == NULL) {
        task_free(i);
        return false;
    }
    memset(buf, step, SCRATCH);
    buffers[i][step] = buf;
    state[i * WORDS] = mix(state[i * WORDS], i, buf[SCRATCH - 1] == (unsigned char)step
                                                    ? step : -1);
    return true;
}

static void task_finish(int i)
{
    if (state[i * WORDS] == expected(i))
        atomic_store(&board->ok[i], 1);
    task_free(i);
}

/* ---- model 1: a thread per task ---- */

static void *thread_main(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int s = 0; s < STEPS; s++) {
        if (!task_step(i, s))
            return NULL;
        sleep_ms(1);
    }
    task_finish(i);
    return NULL;
}

static void run_threads(void)
{
    pthread_t t[NTASKS];
    bool started[NTASKS];
    for (int i = 0; i < NTASKS; i++)
        started[i] = pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i) == 0;
    /* The faulty thread may never end (endless loop, blocked read): it is not joined, and it
     * ends with the trial's process. */
    for (int i = 0; i < NTASKS; i++)
        if (started[i] && i != FAULTY)
            PT_CHECK(pthread_join(t[i], NULL));
}

/* ---- model 2: one libuv loop, a repeating timer per task, a step per callback ---- */

struct loop_task {
    uv_timer_t timer;
    int i, step;
};

static void on_step(uv_timer_t *timer)
{
    struct loop_task *lt = timer->data;
    if (!task_step(lt->i, lt->step)) {
        uv_close((uv_handle_t *)timer, NULL);
        return;
    }
    if (++lt->step == STEPS) {
        task_finish(lt->i);
        uv_close((uv_handle_t *)timer, NULL);
    }
}

static void run_loop(void)
{
    uv_loop_t loop;
    struct loop_task lt[NTASKS];
    UV_CHECK(uv_loop_init(&loop));
    for (int i = 0; i < NTASKS; i++) {
        lt[i] = (struct loop_task){ .i = i, .step = 0 };
        UV_CHECK(uv_timer_init(&loop, &lt[i].timer));
        lt[i].timer.data = &lt[i];
        UV_CHECK(uv_timer_start(&lt[i].timer, on_step, 1, 1));
    }
    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    UV_CHECK(uv_loop_close(&loop));
}

/* ---- model 3: stackful coroutines (ucontext), round robin, a step per turn ---- */

static ucontext_t sched_ctx, co_ctx[NTASKS];
static bool co_done[NTASKS];
static int co_current;

static void co_main(void)
{
    int i = co_current;
    for (int s = 0; s < STEPS; s++) {
        if (!task_step(i, s))
            break;
        if (s == STEPS - 1)
            task_finish(i);
        swapcontext(&co_ctx[i], &sched_ctx);   /* yield */
    }
    co_done[i] = true;   /* returning resumes uc_link: the scheduler */
}

static void run_coroutines(void)
{
    enum { STACK = 64 << 10 };
    void *stacks[NTASKS];
    for (int i = 0; i < NTASKS; i++) {
        stacks[i] = malloc(STACK);
        if (stacks[i] == NULL)
            die("malloc: out of memory for coroutine stacks");
        SYS_CHECK(getcontext(&co_ctx[i]));
        co_ctx[i].uc_stack.ss_sp = stacks[i];
        co_ctx[i].uc_stack.ss_size = STACK;
        co_ctx[i].uc_link = &sched_ctx;
        makecontext(&co_ctx[i], co_main, 0);
    }
    for (int left = NTASKS; left > 0;) {
        left = 0;
        for (int i = 0; i < NTASKS; i++) {
            if (co_done[i])
                continue;
            co_current = i;
            SYS_CHECK(swapcontext(&sched_ctx, &co_ctx[i]));
            left += !co_done[i];
        }
        sleep_ms(1);   /* the loop's 1 ms between steps: the coroutines wait together */
    }
    for (int i = 0; i < NTASKS; i++)
        free(stacks[i]);
}

/* ---- model 4: a process per task, through the lesson's supervise ---- */

static void proc_run(int i)
{
    for (int s = 0; s < STEPS; s++) {
        if (!task_step(i, s))
            return;
        sleep_ms(1);
    }
    task_finish(i);
}

#define PROC_TASK(n) static void proc_task##n(void) { proc_run(n); }
PROC_TASK(0) PROC_TASK(1) PROC_TASK(2) PROC_TASK(3)
PROC_TASK(4) PROC_TASK(5) PROC_TASK(6) PROC_TASK(7)

static void run_processes(void)
{
    void (*const tasks[NTASKS])(void) = { proc_task0, proc_task1, proc_task2, proc_task3,
                                          proc_task4, proc_task5, proc_task6, proc_task7 };
    struct result res[NTASKS];
    /* Half the trial's budget: a blocked or looping task is killed, the trial still ends. */
    int rc = supervise(tasks, NTASKS, NTASKS, trial_budget_ms / 2, res);
    if (rc != 0)
        die("supervise: %s", strerror(rc));
}

/* ---- one trial ---- */

/* The trial's process: a memory limit (so a leak runs out of memory quickly, and without
 * touching the machine's RAM: malloc'd pages are never written), then the model. */
static void trial(void)
{
    long data_kib = proc_status_field("VmData");
    if (data_kib < 0)
        die("cannot read VmData from /proc/self/status");
    rlim_t room = ((rlim_t)data_kib << 10) + ((rlim_t)LEAK_ROOM_MIB << 20);
    struct rlimit lim = { room, room };
    SYS_CHECK(setrlimit(RLIMIT_DATA, &lim));
    switch (trial_model) {
    case M_THREADS: run_threads(); break;
    case M_LOOP: run_loop(); break;
    case M_CORO: run_coroutines(); break;
    case M_PROC: run_processes(); break;
    case NMODELS: break;
    }
    atomic_store(&board->trial_done, 1);
}

/* Run one model x fault trial; returns how many of the other tasks finished right, and how
 * the trial's process ended. */
static int run_trial(enum model m, enum fault f, int budget_ms, struct result *how)
{
    memset(board, 0, sizeof *board);
    /* A task that calls exit() in a trial flushes the stdio buffers it inherited: empty
     * them first, or the data files would get some lines twice. */
    fflush(NULL);
    trial_model = m;
    trial_fault = f;
    trial_budget_ms = budget_ms;
    void (*const one[1])(void) = { trial };
    int rc = supervise(one, 1, 1, budget_ms, how);
    if (rc != 0)
        die("supervise (the trial): %s", strerror(rc));
    int kept = 0;
    for (int i = 0; i < NTASKS; i++)
        if (i != FAULTY)
            kept += atomic_load(&board->ok[i]);
    return kept;
}

static int trial_end(const struct result *r)
{
    switch (r->outcome) {
    case OUTCOME_OK: return atomic_load(&board->trial_done) ? 0 : 1;
    case OUTCOME_EXIT: return 1;
    case OUTCOME_SIGNAL: return 2;
    case OUTCOME_TIMEOUT: return 3;
    }
    return 1;
}

static const char *ended_as(const struct result *r)
{
    switch (r->outcome) {
    case OUTCOME_OK: return atomic_load(&board->trial_done) ? "finished" : "exited";
    case OUTCOME_EXIT: return "exited";
    case OUTCOME_SIGNAL: return "crashed";
    case OUTCOME_TIMEOUT: return "stalled";
    }
    return "?";
}

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "13-error-isolation/isolation", argc, argv);
    if (b.reps > 64)
        b.reps = 64;
    int reps = b.reps;   /* the matrix is mostly deterministic; the reps show where it is not */
    int budget_ms = b.quick ? 500 : 1000;

    board = mmap(NULL, sizeof *board, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (board == MAP_FAILED)
        die("mmap: %s", strerror(errno));
    SYS_CHECK(pipe(block_pipe));

    FILE *raw = bench_open_raw(&b, "model fault rep others_ok(count) trial_end");
    FILE *dat = bench_open_data(&b, "model_index fault_index model fault others_ok_median "
                                    "others_ok_min others_ok_max (count of the other tasks, "
                                    "out of N-1) trial_end(0 finished, 1 exited, 2 crashed, "
                                    "3 stalled: the last rep)");
    fprintf(dat, "# N = %d tasks; task %d gets the fault; budget %d ms per trial; %d reps\n",
            NTASKS, FAULTY, budget_ms, reps);
    double med[NMODELS][NFAULTS];
    for (int m = 0; m < NMODELS; m++) {
        for (int f = 0; f < NFAULTS; f++) {
            double samples[64];
            struct result how = { OUTCOME_OK, 0 };
            bench_progress(&b, "%s, fault %s", model_name[m], fault_name[f]);
            for (int r = 0; r < reps; r++) {
                samples[r] = run_trial((enum model)m, (enum fault)f, budget_ms, &how);
                fprintf(raw, "%s %s %d %.0f %s\n", model_name[m], fault_name[f], r, samples[r],
                        ended_as(&how));
            }
            struct stats s = stats_of(samples, reps);
            med[m][f] = s.median;
            fprintf(dat, "%d %d %s %s %.0f %.0f %.0f %d\n", m, f, model_name[m], fault_name[f],
                    s.median, s.min, s.max, trial_end(&how));
            printf("%-10s %-13s %.0f/%d others right (min %.0f, max %.0f); trial %s\n",
                   model_name[m], fault_name[f], s.median, NTASKS - 1, s.min, s.max,
                   ended_as(&how));
        }
    }
    bench_close(dat);
    bench_close(raw);

    const double all = NTASKS - 1;
    char fig[512];

    /* C3 "in async code an error in one task does not affect the other tasks". Rule, on the
     * medians of the loop and coroutine rows (every fault but none):
     *   TRUE      if every fault left all N-1 other tasks right, in both async models;
     *   FALSE     if some fault left fewer than half of them right in the loop model;
     *   HALF-TRUE otherwise (some harm, never to most of them). */
    double async_worst = all, loop_worst = all, proc_worst = all;
    for (int f = F_NULL; f < NFAULTS; f++) {
        if (med[M_PROC][f] < proc_worst)
            proc_worst = med[M_PROC][f];
        if (med[M_LOOP][f] < loop_worst)
            loop_worst = med[M_LOOP][f];
        for (int m = M_LOOP; m <= M_CORO; m++)
            if (med[m][f] < async_worst)
                async_worst = med[m][f];
    }
    const char *v3 = async_worst == all ? "TRUE" : loop_worst < all / 2 ? "FALSE" : "HALF-TRUE";
    snprintf(fig, sizeof fig,
             "others right, loop: NULL %.0f/%.0f, abort %.0f, endless loop %.0f, blocking %.0f, "
             "leak %.0f | coroutines: NULL %.0f, loop %.0f | processes: worst %.0f",
             med[M_LOOP][F_NULL], all, med[M_LOOP][F_ABORT], med[M_LOOP][F_SPIN],
             med[M_LOOP][F_BLOCK], med[M_LOOP][F_LEAK], med[M_CORO][F_NULL], med[M_CORO][F_SPIN],
             proc_worst);
    claim_write("C3", "13", "async isolates errors", fig, v3);

    /* C4 "with threads an error in one thread may affect others". Rule, on the threads row:
     *   TRUE  if some fault left fewer than N-1 other threads right;
     *   FALSE if every fault left all N-1 right. */
    double threads_worst = all;
    for (int f = F_NULL; f < NFAULTS; f++)
        if (med[M_THREADS][f] < threads_worst)
            threads_worst = med[M_THREADS][f];
    const char *v4 = threads_worst < all ? "TRUE" : "FALSE";
    snprintf(fig, sizeof fig,
             "others right, threads: NULL %.0f/%.0f, abort %.0f, exit %.0f, leak %.0f, stray "
             "%.0f, endless loop %.0f, blocking %.0f (the loop: NULL %.0f)",
             med[M_THREADS][F_NULL], all, med[M_THREADS][F_ABORT], med[M_THREADS][F_EXIT],
             med[M_THREADS][F_LEAK], med[M_THREADS][F_STRAY], med[M_THREADS][F_SPIN],
             med[M_THREADS][F_BLOCK], med[M_LOOP][F_NULL]);
    claim_write("C4", "13", "a thread error affects others", fig, v4);

    /* C15 "threads each perform a specific task in isolation". Rule, on the threads row:
     *   FALSE     if a stray write changed a neighbour's result (stray-write < N-1);
     *   HALF-TRUE if it did not, but a crash (NULL) ended the other threads;
     *   TRUE      otherwise. */
    const char *v15 = med[M_THREADS][F_STRAY] < all ? "FALSE"
                      : med[M_THREADS][F_NULL] < all ? "HALF-TRUE" : "TRUE";
    snprintf(fig, sizeof fig,
             "one stray write: threads keep %.0f/%.0f others right, processes %.0f/%.0f | one "
             "NULL dereference: threads %.0f, processes %.0f",
             med[M_THREADS][F_STRAY], all, med[M_PROC][F_STRAY], all, med[M_THREADS][F_NULL],
             med[M_PROC][F_NULL]);
    claim_write("C15", "13", "threads run in isolation", fig, v15);
    printf("C3 %s, C4 %s, C15 %s\n", v3, v4, v15);
    close(block_pipe[0]);
    close(block_pipe[1]);
    munmap(board, sizeof *board);
    return 0;
}
