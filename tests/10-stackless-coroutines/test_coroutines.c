/* tests/10-stackless-coroutines/test_coroutines.c: lesson 10's tests (fib_init, fib_next,
 * counter_step, sched_run).
 * Run: make check L=10   (or IMPL=path/to/your.c)
 *
 * Everything here runs on one thread, so nothing depends on timing. Two tricks:
 * - A coroutine that keeps a value in a local variable across a yield may get lucky: when
 *   the test calls it twice in a row from the same place, the new stack frame sits exactly
 *   where the old one was, and an uninitialised local may still hold its old value. So the
 *   tests call the coroutines through call_deep(), from a different stack depth each time,
 *   with the stack below overwritten by a pattern: a value that did not live in the struct
 *   comes back wrong.
 * - A scheduler or a coroutine that never stops would hang the test. Every step function the
 *   tests hand to sched_run counts its calls against a budget and fails, with a message,
 *   once the budget is spent; loops the tests drive themselves are bounded too. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "co.h"
#include "exercise.h"
#include "runner.h"

/* ---- calling from different stack depths ---- */

enum { PAD = 192 };

/* Overwrite the stack below the caller with a pattern, then return. */
static __attribute__((noinline)) void scribble_stack(unsigned char pattern)
{
    volatile unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(pattern + i);
}

struct deep_call {
    long (*fn)(void *arg);
    void *arg;
};

/* Run c->fn(c->arg) depth frames further down the stack than the caller, after scribbling
 * over the stack the call will use. */
static __attribute__((noinline)) long call_deep(int depth, const struct deep_call *c)
{
    volatile unsigned char pad[PAD];
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = (unsigned char)(depth * 31 + (int)i);
    long r;
    if (depth > 0) {
        r = call_deep(depth - 1, c);
    } else {
        scribble_stack((unsigned char)(0x5a + depth));
        r = c->fn(c->arg);
    }
    return r + (pad[0] - pad[0]);   /* uses pad after the call: no tail call, frames stay */
}

static long fib_next_thunk(void *arg)
{
    return fib_next(arg);
}

static long counter_step_thunk(void *arg)
{
    return counter_step(arg);
}

/* fib_next(g), called from a stack depth that changes with k. */
static long fib_next_deep(struct fib_gen *g, int k)
{
    struct deep_call c = { fib_next_thunk, g };
    hang_hint("fib_next never returned: a loop with no CO_YIELD in it?");
    long r = call_deep(k % 5, &c);
    hang_hint(NULL);
    return r;
}

static int counter_step_deep(struct task *t, int k)
{
    struct deep_call c = { counter_step_thunk, t };
    hang_hint("counter_step never returned: a loop with no CO_YIELD in it, or whose count "
              "in self->local never goes down?");
    int r = (int)call_deep((k * 3) % 7, &c);
    hang_hint(NULL);
    return r;
}

/* F(0..90), computed here the plain way. */
static long fib_ref(int n)
{
    long a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        long next = a + b;
        a = b;
        b = next;
    }
    return a;
}

/* ---- fib_init, fib_next ---- */

/* fib_next returns 0, 1, 1, 2, 3, 5, 8, 13, 21, 34 on its first ten calls. */
static void test_fib_first_values(void **state)
{
    (void)state;
    const long want[] = { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34 };
    struct fib_gen g;
    memset(&g, 0x7f, sizeof g);   /* fib_init must set every field itself */
    fib_init(&g);
    for (int k = 0; k < 10; k++) {
        long got = fib_next_deep(&g, k);
        if (got != want[k])
            fail_msg("call %d of fib_next returned %ld; expected %ld (the sequence is 0, 1, 1, 2, "
                     "3, 5, ...). %s", k + 1, got, want[k],
                     k == 0 ? "The first call must start at CO_BEGIN (fib_init sets co_state to "
                              "0 and a, b to the first values) and yield 0."
                            : "Does each call resume just after the CO_YIELD that ended the "
                              "last one, with a and b kept in the struct, not in locals?");
    }
}

/* 91 calls return F(0) .. F(90) exactly; F(90) = 2880067194370816120 still fits a long. */
static void test_fib_exact_up_to_f90(void **state)
{
    (void)state;
    struct fib_gen g;
    fib_init(&g);
    for (int k = 0; k <= 90; k++) {
        long got = fib_next_deep(&g, k), want = fib_ref(k);
        if (got != want)
            fail_msg("call %d of fib_next returned %ld; expected F(%d) = %ld. Keep a and b in "
                     "the struct as long (not int), and update both on every resume.",
                     k + 1, got, k, want);
    }
}

/* Three generators advanced in turns keep their own sequences: nothing is shared. */
static void test_fib_generators_are_independent(void **state)
{
    (void)state;
    struct fib_gen g[3];
    int pos[3] = { 0, 0, 0 };
    const int order[] = { 0, 0, 0, 1, 0, 1, 2, 2, 2, 2, 1, 0, 2, 1, 1, 1, 0, 2 };
    for (int i = 0; i < 3; i++)
        fib_init(&g[i]);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int w = order[k];
        long got = fib_next_deep(&g[w], (int)k), want = fib_ref(pos[w]);
        if (got != want)
            fail_msg("with three generators used in turns, generator %d returned %ld on its "
                     "call %d; expected %ld. A generator's state must be in its own struct "
                     "fib_gen (no static variables: they are shared by every generator).",
                     w, got, pos[w] + 1, want);
        pos[w]++;
    }
}

/* fib_init on a generator that has already run starts it again from 0. */
static void test_fib_init_restarts_a_used_generator(void **state)
{
    (void)state;
    struct fib_gen g;
    fib_init(&g);
    for (int k = 0; k < 12; k++)
        (void)fib_next_deep(&g, k);
    fib_init(&g);
    for (int k = 0; k < 5; k++) {
        long got = fib_next_deep(&g, k);
        if (got != fib_ref(k))
            fail_msg("after fib_init on a generator that had already returned 12 values, call "
                     "%d returned %ld; expected %ld. fib_init must reset co_state to 0 (the "
                     "start) and a, b to the first values, and nothing the generator needs "
                     "after a yield may live outside its struct.", k + 1, got, fib_ref(k));
    }
}

/* A copy of a generator's struct is a snapshot: it goes on from where the copy was taken,
 * whatever the original does after. This holds only if the struct is the whole state. */
static void test_fib_state_lives_in_the_struct(void **state)
{
    (void)state;
    struct fib_gen g, h;
    fib_init(&g);
    for (int k = 0; k < 10; k++)
        (void)fib_next_deep(&g, k);
    h = g;
    for (int k = 0; k < 7; k++)
        (void)fib_next_deep(&g, k + 3);
    for (int k = 0; k < 5; k++) {
        long got = fib_next_deep(&h, k + 1), want = fib_ref(10 + k);
        if (got != want)
            fail_msg("a copy of a struct fib_gen taken after 10 values returned %ld on its call "
                     "%d; expected %ld. Some of the generator's state is outside its struct "
                     "(a static or a local that must survive the yield?).", got, k + 1, want);
    }
}

/* ---- counter_step ---- */

static struct task counter_task(long *counter, long iters)
{
    return (struct task){ .co_state = 0, .step = counter_step, .data = counter, .local = iters };
}

/* iters 4: calls 1..4 each add 1 and return TASK_YIELDED (the counter is k after call k);
 * call 5 adds nothing and returns TASK_DONE. */
static void test_counter_step_yields_after_each_increment(void **state)
{
    (void)state;
    long counter = 0;
    struct task t = counter_task(&counter, 4);
    for (int k = 1; k <= 4; k++) {
        int rc = counter_step_deep(&t, k);
        if (rc != TASK_YIELDED)
            fail_msg("call %d of counter_step (iters 4) returned %d; expected TASK_YIELDED (%d): "
                     "iters 4 takes 5 calls, the first 4 each add 1 and yield.", k, rc,
                     TASK_YIELDED);
        if (counter != k)
            fail_msg("after call %d of counter_step (iters 4) the counter is %ld; expected %d. "
                     "%s", k, counter, k,
                     counter == k - 1 ? "That call added nothing before it yielded: add 1 "
                                        "(read and write) first, then CO_YIELD."
                                      : "Each call adds exactly 1, then yields.");
    }
    int rc = counter_step_deep(&t, 5);
    if (rc != TASK_DONE)
        fail_msg("call 5 of counter_step (iters 4) returned %d with the counter at %ld; expected "
                 "TASK_DONE (%d) and 4. A loop counter kept in a local variable starts again at "
                 "every call: count the iterations in self->local.", rc, counter, TASK_DONE);
    expect_long_eq(counter, 4, "the counter after counter_step's 5 calls (iters 4)");
}

/* iters 0: the first call returns TASK_DONE and adds nothing. */
static void test_counter_step_zero_iters_done_at_once(void **state)
{
    (void)state;
    long counter = 7;
    struct task t = counter_task(&counter, 0);
    int rc = counter_step_deep(&t, 1);
    if (rc != TASK_DONE)
        fail_msg("counter_step with iters 0 returned %d; expected TASK_DONE (%d) on its first "
                 "call, without adding anything.", rc, TASK_DONE);
    if (counter != 7)
        fail_msg("counter_step with iters 0 changed the counter from 7 to %ld; it must add "
                 "nothing.", counter);
}

/* After TASK_DONE, more calls change nothing and return TASK_DONE again (CO_END). */
static void test_counter_step_after_done_does_nothing(void **state)
{
    (void)state;
    long counter = 0;
    struct task t = counter_task(&counter, 2);
    int rc = TASK_YIELDED;
    for (int k = 1; k <= 3 && rc != TASK_DONE; k++)
        rc = counter_step_deep(&t, k);
    if (rc != TASK_DONE)
        fail_msg("counter_step with iters 2 did not return TASK_DONE in 3 calls (it returned "
                 "%d); test_counter_step_yields_after_each_increment says more.", rc);
    for (int k = 1; k <= 3; k++) {
        rc = counter_step_deep(&t, k + 4);
        if (rc != TASK_DONE || counter != 2)
            fail_msg("call %d of counter_step after it returned TASK_DONE returned %d with the "
                     "counter at %ld; expected TASK_DONE (%d) and 2: a finished coroutine runs "
                     "nothing (CO_END sets co_state to -1; end the function with return "
                     "TASK_DONE after CO_END).", k, rc, counter, TASK_DONE);
    }
}

/* Two tasks with counters of their own, stepped by hand in a mixed order, each count right. */
static void test_counter_step_tasks_are_independent(void **state)
{
    (void)state;
    long c[2] = { 0, 100 };
    struct task t[2] = { counter_task(&c[0], 3), counter_task(&c[1], 5) };
    const int order[] = { 0, 1, 1, 0, 1, 1, 0, 1, 0 };   /* A: 4 calls, B: 5 calls */
    int calls[2] = { 0, 0 };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int w = order[k];
        int rc = counter_step_deep(&t[w], (int)k);
        calls[w]++;
        long want = (w == 0 ? 0 : 100) + calls[w];
        int want_rc = calls[w] == 4 && w == 0 ? TASK_DONE : TASK_YIELDED;
        if (w == 0 && calls[w] == 4)
            want = 3;
        if (rc != want_rc || c[w] != want)
            fail_msg("two counter_step tasks (iters 3 and 5, counters 0 and 100) stepped in "
                     "turns: call %d of task %d returned %d with its counter at %ld; expected "
                     "%d and %ld. Each task's progress must be in its own struct task "
                     "(co_state, local): no static variables.", calls[w], w, rc, c[w], want_rc,
                     want);
    }
    int rc = counter_step_deep(&t[1], 9);
    if (rc != TASK_DONE || c[1] != 105)
        fail_msg("task 1 (iters 5) returned %d on its 6th call with its counter at %ld; "
                 "expected TASK_DONE and 105.", rc, c[1]);
}

/* Four tasks share one counter; the test steps them round-robin itself: the total is the
 * exact sum of their iters (no update lost), and each takes iters + 1 calls. */
static void test_counter_step_shared_counter_exact_sum(void **state)
{
    (void)state;
    long counter = 0;
    const long iters[4] = { 50, 1, 200, 0 };
    struct task t[4];
    bool done[4] = { false, false, false, false };
    long calls[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < 4; i++)
        t[i] = counter_task(&counter, iters[i]);
    int live = 4;
    for (int round = 0; live > 0; round++) {
        if (round > 201)
            fail_msg("four counter_step tasks (iters 50, 1, 200, 0) were still not all done "
                     "after 202 rounds; task i must return TASK_DONE on call iters + 1.");
        for (int i = 0; i < 4; i++) {
            if (done[i])
                continue;
            calls[i]++;
            if (counter_step_deep(&t[i], round + i) == TASK_DONE) {
                done[i] = true;
                live--;
            }
        }
    }
    if (counter != 251)
        fail_msg("four counter_step tasks (iters 50, 1, 200, 0) sharing one counter, resumed "
                 "round-robin, left it at %ld; expected exactly 251. %s", counter,
                 counter < 251 ? "Updates were lost: a task that yields between reading the "
                                 "counter and writing it back writes a stale value over the "
                                 "others' increments. Read, add and write with no yield between."
                               : "Too many increments: is a loop counter lost at a yield?");
    for (int i = 0; i < 4; i++)
        if (calls[i] != iters[i] + 1)
            fail_msg("task %d (iters %ld) took %ld calls to return TASK_DONE; expected %ld.", i,
                     iters[i], calls[i], iters[i] + 1);
}

/* ---- sched_run ---- */

enum { LOG_MAX = 4096 };

/* What the recording step functions saw. One test per process: a global is fine. */
static struct {
    int order[LOG_MAX];       /* index of the task of each step call, in call order */
    int ncalls;
    long budget;              /* step calls allowed before the test gives up */
    struct task *base;        /* the array given to sched_run */
} seen;

static void seen_reset(struct task *base, long budget)
{
    memset(&seen, 0, sizeof seen);
    seen.base = base;
    seen.budget = budget;
}

/* Count one step call; fail (instead of hanging) when the budget is spent. */
static void seen_tick(int index)
{
    if (seen.ncalls >= seen.budget)
        fail_msg("sched_run made more than %ld step calls in this test (more than the tasks "
                 "need): does it stop once every task has returned TASK_DONE, and skip those "
                 "that have?", seen.budget);
    if (seen.ncalls < LOG_MAX)
        seen.order[seen.ncalls] = index;
    seen.ncalls++;
}

/* A recording task: data points to one of these. It returns TASK_DONE on call `length`. */
struct rec {
    int index;          /* its place in the array */
    int length;         /* calls until TASK_DONE */
    int calls;
    bool finished;      /* it has returned TASK_DONE */
};

/* A step function written without co.h: it keeps its progress in struct rec only, and never
 * touches co_state. Called again after TASK_DONE, it fails the test. */
static int rec_step(struct task *self)
{
    struct rec *r = self->data;
    if (r->finished)
        fail_msg("sched_run called task %d's step again after it had returned TASK_DONE: a "
                 "finished task must never be resumed (set its co_state to -1 when it returns "
                 "TASK_DONE, and skip tasks whose co_state is -1).", r->index);
    if (self != seen.base + r->index)
        fail_msg("task %d's step got self = %p; expected &tasks[%d] = %p: sched_run must pass "
                 "each task itself, in place (not a copy, and tasks[] not reordered).",
                 r->index, (void *)self, r->index, (void *)(seen.base + r->index));
    seen_tick(r->index);
    r->calls++;
    self->local++;                 /* visible to the test only if self is the real task */
    if (r->calls >= r->length) {
        r->finished = true;
        return TASK_DONE;
    }
    return TASK_YIELDED;
}

static void rec_tasks(struct task *t, struct rec *r, const int *lengths, int n)
{
    for (int i = 0; i < n; i++) {
        r[i] = (struct rec){ .index = i, .length = lengths[i] };
        t[i] = (struct task){ .co_state = 0, .step = rec_step, .data = &r[i], .local = 0 };
    }
}

/* The order a correct round-robin gives: rounds of the unfinished tasks in index order. */
static int rr_order(const int *lengths, int n, int *out)
{
    int k = 0, longest = 0;
    for (int i = 0; i < n; i++)
        longest = lengths[i] > longest ? lengths[i] : longest;
    for (int round = 0; round < longest; round++)
        for (int i = 0; i < n; i++)
            if (round < lengths[i])
                out[k++] = i;
    return k;
}

static void format_order(char *buf, size_t len, const int *order, int n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 8 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? " " : "", order[i]);
    if (n > 0 && used + 8 >= len)
        snprintf(buf + used, len - used, " ...");
}

static long run_sched(struct task *t, int n, const char *what)
{
    hang_hint("sched_run(%s) never returned: does it stop once every task has returned "
              "TASK_DONE?", what);
    long calls = sched_run(t, n);
    hang_hint(NULL);
    return calls;
}

/* NULL or n <= 0: returns 0 and calls no step. */
static void test_sched_run_bad_arguments(void **state)
{
    (void)state;
    struct task t[2];
    struct rec r[2];
    const int lengths[2] = { 1, 1 };
    rec_tasks(t, r, lengths, 2);
    seen_reset(t, 0);
    expect_long_eq(run_sched(NULL, 0, "NULL, 0"), 0, "sched_run(NULL, 0)");
    expect_long_eq(run_sched(NULL, 3, "NULL, 3"), 0, "sched_run(NULL, 3)");
    expect_long_eq(run_sched(t, 0, "tasks, 0"), 0, "sched_run(tasks, 0)");
    expect_long_eq(run_sched(t, -1, "tasks, -1"), 0, "sched_run(tasks, -1)");
    expect_long_eq(run_sched(t, -1000, "tasks, -1000"), 0, "sched_run(tasks, -1000)");
    if (seen.ncalls != 0)
        fail_msg("sched_run with n <= 0 called a step %d time(s); it must call nothing.",
                 seen.ncalls);
}

/* Tasks needing 1, 3, 2 and 4 calls run in the order 0 1 2 3 1 2 3 1 3 3. */
static void test_sched_run_round_robin_order(void **state)
{
    (void)state;
    enum { N = 4 };
    const int lengths[N] = { 1, 3, 2, 4 };
    struct task t[N];
    struct rec r[N];
    int want[64];
    int nwant = rr_order(lengths, N, want);
    rec_tasks(t, r, lengths, N);
    seen_reset(t, 40);
    long calls = run_sched(t, N, "4 tasks of 1, 3, 2, 4 steps");
    bool same = seen.ncalls == nwant;
    for (int i = 0; same && i < nwant; i++)
        same = seen.order[i] == want[i];
    if (!same) {
        char got_s[256], want_s[256];
        format_order(got_s, sizeof got_s, seen.order, seen.ncalls < LOG_MAX ? seen.ncalls : LOG_MAX);
        format_order(want_s, sizeof want_s, want, nwant);
        fail_msg("tasks needing 1, 3, 2 and 4 steps were called in the order [%s]; expected "
                 "round-robin [%s]: one step of each unfinished task, in index order, then "
                 "again from task 0.", got_s, want_s);
    }
    expect_long_eq(calls, nwant, "sched_run on tasks of 1, 3, 2 and 4 steps (the number of "
                                 "step calls)");
}

/* A finished task's step is never called again (the step here fails if it is). */
static void test_sched_run_never_resumes_finished_task(void **state)
{
    (void)state;
    enum { N = 3 };
    const int lengths[N] = { 2, 1, 3 };
    struct task t[N];
    struct rec r[N];
    rec_tasks(t, r, lengths, N);
    seen_reset(t, 30);
    (void)run_sched(t, N, "3 tasks of 2, 1, 3 steps");
    for (int i = 0; i < N; i++)
        if (r[i].calls != lengths[i])
            fail_msg("task %d, which returns TASK_DONE on its step %d, was stepped %d time(s); "
                     "expected %d.", i, lengths[i], r[i].calls, lengths[i]);
}

/* The result is the number of step calls: here counter_step tasks of iters 0, 5, 2, 7 take
 * 1 + 6 + 3 + 8 = 18 calls, and their shared counter ends at 14. */
static int counted_counter_step(struct task *self)
{
    seen_tick((int)(self - seen.base));
    return counter_step(self);
}

static void test_sched_run_returns_number_of_step_calls(void **state)
{
    (void)state;
    enum { N = 4 };
    long counter = 0;
    const long iters[N] = { 0, 5, 2, 7 };
    struct task t[N];
    for (int i = 0; i < N; i++) {
        t[i] = counter_task(&counter, iters[i]);
        t[i].step = counted_counter_step;
    }
    seen_reset(t, 60);
    long calls = run_sched(t, N, "4 counter_step tasks");
    if (calls != seen.ncalls)
        fail_msg("sched_run returned %ld but made %d step calls; it must return the number of "
                 "step calls (the last call of each task, which returns TASK_DONE, counts too).",
                 calls, seen.ncalls);
    expect_long_eq(calls, 18, "sched_run on counter_step tasks of iters 0, 5, 2, 7");
    expect_long_eq(counter, 14, "the shared counter after sched_run on counter_step tasks of "
                                "iters 0, 5, 2, 7");
}

/* Each step gets &tasks[i] itself; afterwards tasks[] holds the same tasks in the same order,
 * with what their steps wrote into them. */
static void test_sched_run_passes_each_task_in_place(void **state)
{
    (void)state;
    enum { N = 5 };
    const int lengths[N] = { 3, 1, 4, 1, 5 };
    struct task t[N];
    struct rec r[N];
    rec_tasks(t, r, lengths, N);
    seen_reset(t, 60);
    (void)run_sched(t, N, "5 recording tasks");
    for (int i = 0; i < N; i++) {
        if (t[i].data != &r[i] || t[i].step != rec_step)
            fail_msg("after sched_run, tasks[%d] is not the task that was there before: "
                     "tasks[] must not be reordered or overwritten.", i);
        if (t[i].local != lengths[i])
            fail_msg("tasks[%d].local is %ld after sched_run; its step added 1 to self->local "
                     "on each of its %d calls, so expected %d: was the step given a copy of "
                     "the task?", i, t[i].local, lengths[i], lengths[i]);
    }
}

/* After sched_run every task's co_state is -1, even for steps that never touch co_state. */
static void test_sched_run_marks_finished_tasks(void **state)
{
    (void)state;
    enum { N = 3 };
    const int lengths[N] = { 2, 2, 1 };
    struct task t[N];
    struct rec r[N];
    rec_tasks(t, r, lengths, N);
    seen_reset(t, 20);
    (void)run_sched(t, N, "3 recording tasks");
    for (int i = 0; i < N; i++)
        if (t[i].co_state != -1)
            fail_msg("tasks[%d].co_state is %d after sched_run; expected -1: when a step "
                     "returns TASK_DONE, sched_run sets the task's co_state to -1 (the step "
                     "may not be written with co.h, so it may not do it itself).", i,
                     t[i].co_state);
}

/* A task whose co_state is -1 from the start is finished: never called, not counted. */
static void test_sched_run_skips_task_already_finished(void **state)
{
    (void)state;
    enum { N = 3 };
    const int lengths[N] = { 2, 2, 2 };
    struct task t[N];
    struct rec r[N];
    rec_tasks(t, r, lengths, N);
    t[1].co_state = -1;
    r[1].finished = true;     /* its step fails if called */
    seen_reset(t, 20);
    long calls = run_sched(t, N, "3 tasks, the middle one finished already");
    expect_long_eq(calls, 4, "sched_run on 3 tasks of 2 steps whose middle one has co_state -1 "
                             "(finished) from the start");
}

/* Any value other than TASK_DONE counts as a yield: the task is resumed. */
static int odd_return_step(struct task *self)
{
    seen_tick((int)(self - seen.base));
    self->local++;
    return self->local == 1 ? 42 : TASK_DONE;
}

static void test_sched_run_any_other_value_is_a_yield(void **state)
{
    (void)state;
    struct task t = { .co_state = 0, .step = odd_return_step, .data = NULL, .local = 0 };
    seen_reset(&t, 5);
    long calls = run_sched(&t, 1, "1 task returning 42, then TASK_DONE");
    if (t.local != 2)
        fail_msg("a step that returned 42 (neither TASK_YIELDED nor TASK_DONE) was called %ld "
                 "time(s) in all; expected 2: only TASK_DONE finishes a task, anything else "
                 "counts as a yield.", t.local);
    expect_long_eq(calls, 2, "sched_run on a task that returns 42, then TASK_DONE");
}

/* One task alone: resumed until it is done. */
static void test_sched_run_single_task(void **state)
{
    (void)state;
    const int lengths[1] = { 6 };
    struct task t[1];
    struct rec r[1];
    rec_tasks(t, r, lengths, 1);
    seen_reset(t, 20);
    long calls = run_sched(t, 1, "1 task of 6 steps");
    expect_long_eq(calls, 6, "sched_run on one task of 6 steps");
    expect_long_eq(r[0].calls, 6, "the number of calls of the only task (6 steps)");
}

/* A step written with co.h that yields at three different places in a loop: the scheduler
 * resumes each task after the yield it left from, so each one's trace is exact. */
struct trace {
    int pos;
    char log[64];
};

static int trace_step(struct task *self)
{
    struct trace *tr = self->data;
    seen_tick((int)(self - seen.base));
    CO_BEGIN(self->co_state);
    for (self->local = 0; self->local < 3; self->local++) {
        tr->log[tr->pos++] = 'a';
        CO_YIELD(self->co_state, TASK_YIELDED);
        tr->log[tr->pos++] = 'b';
        CO_YIELD(self->co_state, TASK_YIELDED);
        tr->log[tr->pos++] = (char)('0' + self->local);
    }
    CO_END(self->co_state);
    return TASK_DONE;
}

static void test_sched_run_resumes_co_h_steps_where_they_yielded(void **state)
{
    (void)state;
    enum { N = 3 };
    struct task t[N];
    struct trace tr[N];
    memset(tr, 0, sizeof tr);
    for (int i = 0; i < N; i++)
        t[i] = (struct task){ .co_state = 0, .step = trace_step, .data = &tr[i], .local = 0 };
    seen_reset(t, 40);
    long calls = run_sched(t, N, "3 co.h tasks");
    for (int i = 0; i < N; i++)
        if (strcmp(tr[i].log, "ab0ab1ab2") != 0)
            fail_msg("a co.h task that writes a, yields, writes b, yields, writes its loop "
                     "counter (3 times) wrote \"%s\" under sched_run; expected \"ab0ab1ab2\".",
                     tr[i].log);
    expect_long_eq(calls, 3 * 7, "sched_run on 3 co.h tasks of 7 steps each");
}

/* 1000 counter_step tasks (iters 0..6) on one counter: exact sum and exact call count. */
static void test_sched_run_many_counter_tasks_exact_sum(void **state)
{
    (void)state;
    enum { N = 1000 };
    static struct task t[N];
    long counter = 0, sum = 0, want_calls = 0;
    for (int i = 0; i < N; i++) {
        t[i] = counter_task(&counter, i % 7);
        t[i].step = counted_counter_step;
        sum += i % 7;
        want_calls += i % 7 + 1;
    }
    seen_reset(t, want_calls + 10);
    long calls = run_sched(t, N, "1000 counter_step tasks");
    if (counter != sum)
        fail_msg("1000 counter_step tasks (iters i %% 7) sharing one counter under sched_run "
                 "left it at %ld; expected exactly %ld (no lost update: no yield between the "
                 "read and the write).", counter, sum);
    expect_long_eq(calls, want_calls, "sched_run on 1000 counter_step tasks (iters i %% 7)");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fib_first_values),
    cmocka_unit_test(test_fib_exact_up_to_f90),
    cmocka_unit_test(test_fib_generators_are_independent),
    cmocka_unit_test(test_fib_init_restarts_a_used_generator),
    cmocka_unit_test(test_fib_state_lives_in_the_struct),
    cmocka_unit_test(test_counter_step_yields_after_each_increment),
    cmocka_unit_test(test_counter_step_zero_iters_done_at_once),
    cmocka_unit_test(test_counter_step_after_done_does_nothing),
    cmocka_unit_test(test_counter_step_tasks_are_independent),
    cmocka_unit_test(test_counter_step_shared_counter_exact_sum),
    cmocka_unit_test(test_sched_run_bad_arguments),
    cmocka_unit_test(test_sched_run_round_robin_order),
    cmocka_unit_test(test_sched_run_never_resumes_finished_task),
    cmocka_unit_test(test_sched_run_returns_number_of_step_calls),
    cmocka_unit_test(test_sched_run_passes_each_task_in_place),
    cmocka_unit_test(test_sched_run_marks_finished_tasks),
    cmocka_unit_test(test_sched_run_skips_task_already_finished),
    cmocka_unit_test(test_sched_run_any_other_value_is_a_yield),
    cmocka_unit_test(test_sched_run_single_task),
    cmocka_unit_test(test_sched_run_resumes_co_h_steps_where_they_yielded),
    cmocka_unit_test(test_sched_run_many_counter_tasks_exact_sum),
};

COURSE_MAIN("10-stackless-coroutines", tests)
