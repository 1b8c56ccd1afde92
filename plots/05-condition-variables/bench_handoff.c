/* plots/05-condition-variables/bench_handoff.c: what one hand-off between two threads costs
 * (condvar ping-pong, pipe ping-pong; both threads on one core, or on two), beside a plain
 * function call, with the context switches counted so the figure is what it says. Settles C12.
 * Build: make benches
 * Run:   build/bench/05-condition-variables/bench_handoff --quick   # or --full */
#define _GNU_SOURCE   /* pthread_setaffinity_np, CPU_SET, RUSAGE_THREAD: Linux extensions */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "harness.h"
#include "timing.h"

/* ---- the two ways to hand the turn over ---- */

/* mu guards turn. The two players wait on one condvar for their own turn value. */
struct cv_table {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    int turn;
};

/* to_b carries the ball from A to B, to_a back; one byte each way per hand-off. */
struct pipe_table {
    int to_b[2], to_a[2];
};

enum method { CONDVAR, PIPE };

/* What one player thread needs, and what it reports. Written by main before the thread
 * starts and read by main after the join, so create and join order every access. */
struct player {
    enum method method;
    struct cv_table *cv;
    struct pipe_table *pp;
    pthread_barrier_t *ready;
    int me;               /* 0 serves first (player A), 1 answers (player B) */
    int cpu;              /* the CPU this thread is pinned to */
    long rounds;
    uint64_t ns;          /* A only: from after the barrier to the last ball back */
    long switches;        /* this thread's context switches during the rounds */
};

static long thread_switches(void)
{
    struct rusage u;

    SYS_CHECK(getrusage(RUSAGE_THREAD, &u));
    return u.ru_nvcsw + u.ru_nivcsw;
}

static void pin_self(int cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    PT_CHECK(pthread_setaffinity_np(pthread_self(), sizeof set, &set));
}

static void cv_hit(struct cv_table *t, int me)
{
    PT_CHECK(pthread_mutex_lock(&t->mu));
    while (t->turn != me)
        PT_CHECK(pthread_cond_wait(&t->changed, &t->mu));
    t->turn = 1 - me;
    /* One other thread waits on this condvar: signal wakes it. */
    PT_CHECK(pthread_cond_signal(&t->changed));
    PT_CHECK(pthread_mutex_unlock(&t->mu));
}

static void pipe_send(int fd)
{
    char c = 'x';

    if (SYS_CHECK(write(fd, &c, 1)) != 1)
        die("bench_handoff: short write on a pipe");
}

static void pipe_receive(int fd)
{
    char c;

    if (SYS_CHECK(read(fd, &c, 1)) != 1)
        die("bench_handoff: the pipe closed early");
}

static void *player_main(void *arg)
{
    struct player *p = arg;

    pin_self(p->cpu);
    BARRIER_WAIT(p->ready);
    long sw0 = thread_switches();
    uint64_t t0 = now_ns();
    for (long i = 0; i < p->rounds; i++) {
        if (p->method == CONDVAR) {
            cv_hit(p->cv, p->me);
        } else if (p->me == 0) {
            pipe_send(p->pp->to_b[1]);
            pipe_receive(p->pp->to_a[0]);
        } else {
            pipe_receive(p->pp->to_b[0]);
            pipe_send(p->pp->to_a[1]);
        }
    }
    if (p->method == CONDVAR && p->me == 0)
        cv_hit(p->cv, 0);   /* wait for B's last return, so A's clock covers every hand-off */
    p->ns = now_ns() - t0;
    p->switches = thread_switches() - sw0;
    return NULL;
}

struct sample {
    double ns_per_handoff;
    double switches_per_handoff;
};

/* One run: rounds round trips (2 * rounds hand-offs) between two fresh threads. */
static struct sample run_pingpong(enum method m, int cpu_a, int cpu_b, long rounds)
{
    struct cv_table cv = { .turn = 0 };
    struct pipe_table pp;
    pthread_barrier_t ready;
    pthread_t ta, tb;

    PT_CHECK(pthread_mutex_init(&cv.mu, NULL));
    PT_CHECK(pthread_cond_init(&cv.changed, NULL));
    SYS_CHECK(pipe(pp.to_b));
    SYS_CHECK(pipe(pp.to_a));
    PT_CHECK(pthread_barrier_init(&ready, NULL, 2));
    /* A serves `rounds` times and B returns `rounds` times; the condvar version needs one
     * extra turn for A to see the last return. */
    struct player a = { m, &cv, &pp, &ready, 0, cpu_a, rounds, 0, 0 };
    struct player b = { m, &cv, &pp, &ready, 1, cpu_b, rounds, 0, 0 };
    PT_CHECK(pthread_create(&ta, NULL, player_main, &a));
    PT_CHECK(pthread_create(&tb, NULL, player_main, &b));
    PT_CHECK(pthread_join(ta, NULL));
    PT_CHECK(pthread_join(tb, NULL));
    PT_CHECK(pthread_barrier_destroy(&ready));
    SYS_CHECK(close(pp.to_b[0]));
    SYS_CHECK(close(pp.to_b[1]));
    SYS_CHECK(close(pp.to_a[0]));
    SYS_CHECK(close(pp.to_a[1]));
    PT_CHECK(pthread_cond_destroy(&cv.changed));
    PT_CHECK(pthread_mutex_destroy(&cv.mu));

    double handoffs = 2.0 * (double)rounds;
    return (struct sample){ (double)a.ns / handoffs,
                            (double)(a.switches + b.switches) / handoffs };
}

/* ---- the yardstick: one ordinary function call ---- */

static __attribute__((noinline)) long bump(long x) { return x + 1; }
/* volatile here only stops the compiler from inlining the call away (it is not used to
 * synchronise anything): every iteration loads the pointer and really calls. */
static long (*volatile bump_fn)(long) = bump;

/* CPU time of this thread, in ns. A call never sleeps, so its cost is the CPU time it uses;
 * wall time would add whatever other programs ran on the core meanwhile. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;

    SYS_CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts));
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double ns_per_call(long calls)
{
    long x = 0;
    uint64_t t0 = thread_cpu_ns();

    for (long i = 0; i < calls; i++)
        x = bump_fn(x);
    uint64_t ns = thread_cpu_ns() - t0;
    if (x != calls)
        die("bench_handoff: the call loop miscounted");
    return (double)ns / (double)calls;
}

/* ---- the experiment ---- */

struct row {
    const char *label;    /* as in the raw file: one word */
    enum method method;
    bool two_cores;
    struct stats ns, sw;
};

int main(int argc, char **argv)
{
    struct bench b;
    bench_init(&b, "05-condition-variables/handoff", argc, argv);
    long rounds = b.quick ? 2000 : 20000;
    long calls = b.quick ? 2000000 : 20000000;

    /* Two CPUs this process may run on (a container may allow fewer than the machine has). */
    cpu_set_t allowed;
    int cpus[2], ncpus = 0;
    PT_CHECK(pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed));
    for (int c = 0; c < CPU_SETSIZE && ncpus < 2; c++)
        if (CPU_ISSET(c, &allowed))
            cpus[ncpus++] = c;
    if (ncpus == 0)
        die("bench_handoff: no CPU in this thread's affinity mask");
    if (ncpus < 2)
        fprintf(stderr, "[%s] only one CPU available: the two-core cases are skipped\n", b.name);

    struct row rows[] = {   /* ns and sw are filled in by the runs below */
        { .label = "condvar/1-core", .method = CONDVAR, .two_cores = false },
        { .label = "pipe/1-core", .method = PIPE, .two_cores = false },
        { .label = "condvar/2-cores", .method = CONDVAR, .two_cores = true },
        { .label = "pipe/2-cores", .method = PIPE, .two_cores = true },
    };
    enum { NROWS = sizeof rows / sizeof rows[0] };
    double *ns = calloc((size_t)b.reps, sizeof *ns), *sw = calloc((size_t)b.reps, sizeof *sw);
    if (ns == NULL || sw == NULL)
        die("out of memory");
    FILE *raw = bench_open_raw(&b, "case rep ns_per_handoff switches_per_handoff");

    /* The function call first: the yardstick. */
    for (int r = 0; r < b.warmup; r++)
        (void)ns_per_call(calls);
    for (int r = 0; r < b.reps; r++) {
        ns[r] = ns_per_call(calls);
        fprintf(raw, "function-call %d %.3f 0\n", r, ns[r]);
    }
    struct stats call = stats_of(ns, b.reps);

    bool measured[NROWS] = { false };
    for (int i = 0; i < NROWS; i++) {
        struct row *w = &rows[i];
        if (w->two_cores && ncpus < 2)
            continue;
        int cpu_b = w->two_cores ? cpus[1] : cpus[0];
        bench_progress(&b, "%d/%d %s: %d x %ld round trips", i + 1, NROWS, w->label, b.reps,
                       rounds);
        for (int r = 0; r < b.warmup; r++)
            (void)run_pingpong(w->method, cpus[0], cpu_b, rounds);
        for (int r = 0; r < b.reps; r++) {
            struct sample s = run_pingpong(w->method, cpus[0], cpu_b, rounds);
            ns[r] = s.ns_per_handoff;
            sw[r] = s.switches_per_handoff;
            fprintf(raw, "%s %d %.1f %.3f\n", w->label, r, ns[r], sw[r]);
        }
        w->ns = stats_of(ns, b.reps);
        w->sw = stats_of(sw, b.reps);
        measured[i] = true;
    }
    bench_close(raw);

    /* Every column numeric (tests/check-data.sh); the case numbers are named here and in
     * handoff.gp. */
    FILE *dat = bench_open_data(&b, "case median_ns min_ns max_ns switches_per_handoff");
    fprintf(dat, "# cases: 0 function-call, 1 condvar/1-core, 2 pipe/1-core, "
                 "3 condvar/2-cores, 4 pipe/2-cores\n");
    printf("%-16s %12s %12s %12s %21s\n", "case", "median_ns", "min_ns", "max_ns",
           "switches_per_handoff");
    fprintf(dat, "0 %.3f %.3f %.3f 0\n", call.median, call.min, call.max);
    printf("%-16s %12.2f %12.2f %12.2f %21s\n", "function-call", call.median, call.min,
           call.max, "0");
    for (int i = 0; i < NROWS; i++) {
        if (!measured[i])
            continue;
        fprintf(dat, "%d %.1f %.1f %.1f %.2f\n", i + 1, rows[i].ns.median,
                rows[i].ns.min, rows[i].ns.max, rows[i].sw.median);
        printf("%-16s %12.0f %12.0f %12.0f %21.2f\n", rows[i].label, rows[i].ns.median,
               rows[i].ns.min, rows[i].ns.max, rows[i].sw.median);
    }
    bench_close(dat);
    printf("(a coroutine switch comes with lesson 11, a loop callback with lesson 07)\n");

    /* C12's verdict. On one core, the two threads of a ping-pong cannot both run: every
     * hand-off puts one to sleep and runs the other, and getrusage counts those context
     * switches (a condvar hand-off may count two: the woken thread preempts the one that
     * signalled while still holding the mutex, finds the mutex taken and sleeps once more).
     * The price of one switch is the one-core condvar hand-off divided by its switches.
     * Rule: fewer than 0.9 switches per hand-off means the figure is not a switch: DEPENDS.
     * Otherwise TRUE if one switch costs at least 1 us and at least 100 function calls
     * (switching threads is expensive: threads that switch often lose real time to it),
     * HALF-TRUE if it costs at least 10 calls but not both of the above, FALSE if under
     * 10 calls. */
    const struct row *one = &rows[0];
    double per_switch = one->ns.median / (one->sw.median > 0 ? one->sw.median : 1);
    double in_calls = per_switch / (call.median > 0 ? call.median : 0.001);
    const char *verdict;
    if (one->sw.median < 0.9)
        verdict = "DEPENDS";
    else if (per_switch >= 1000 && in_calls >= 100)
        verdict = "TRUE";
    else if (in_calls >= 10)
        verdict = "HALF-TRUE";
    else
        verdict = "FALSE";

    char figures[512], two[160] = "2 cores: skipped (1 CPU)";
    if (measured[2] && measured[3])
        snprintf(two, sizeof two, "2 cores: condvar %.1f us, pipe %.1f us",
                 rows[2].ns.median / 1e3, rows[3].ns.median / 1e3);
    snprintf(figures, sizeof figures,
             "1 core: condvar %.1f us/hand-off (%.2f switches each, %.1f us/switch), pipe "
             "%.1f us | %s | call %.1f ns (switch = %.0f calls) | coroutine: lesson 11",
             one->ns.median / 1e3, one->sw.median, per_switch / 1e3, rows[1].ns.median / 1e3,
             two, call.median, in_calls);
    claim_write("C12", "05", "many threads: switch costs", figures, verdict);
    printf("C12: %s  %s\n", figures, verdict);
    free(ns);
    free(sw);
    return 0;
}
