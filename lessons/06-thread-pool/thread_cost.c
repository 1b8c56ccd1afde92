/* lessons/06-thread-pool/thread_cost.c: what starting a thread costs. Runs a tiny task N
 * times as a plain function call, then N times in a new thread each (create + join), and
 * prints the time per task of both.
 * Build: make -C lessons/06-thread-pool
 * Run:   build/lessons/06-thread-pool/thread_cost 2000        # number of tasks */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "timing.h"

static atomic_long done;   /* what the task does: count itself */

static void task(void)
{
    atomic_fetch_add(&done, 1);
}

static void *task_thread(void *arg)
{
    (void)arg;
    task();
    return NULL;
}

/* volatile only keeps the compiler from inlining the call away (no synchronisation). */
static void (*volatile call_it)(void) = task;

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s TASKS   (1 to 1000000)", argv[0]);
    long n = parse_long_arg(argv[1], "tasks", 1, 1000000);

    uint64_t t0 = now_ns();
    for (long i = 0; i < n; i++)
        call_it();
    uint64_t t1 = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        PT_CHECK(pthread_create(&t, NULL, task_thread, NULL));
        PT_CHECK(pthread_join(t, NULL));
    }
    uint64_t t2 = now_ns();

    double call_ns = (double)(t1 - t0) / (double)n, thread_ns = (double)(t2 - t1) / (double)n;
    printf("%ld tasks, %ld done\n", n, atomic_load(&done));
    printf("%-18s %10.1f ns per task\n", "function-call:", call_ns);
    printf("%-18s %10.1f ns per task (create + join)\n", "thread-per-task:", thread_ns);
    printf("a thread per task costs %.0f calls\n", thread_ns / (call_ns > 0 ? call_ns : 1));
    return 0;
}
