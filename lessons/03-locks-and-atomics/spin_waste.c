/* lessons/03-locks-and-atomics/spin_waste.c: a thread waiting for a lock held for a while:
 * spinning burns a core the whole time, sleeping in a mutex costs almost nothing.
 * Build: make -C lessons/03-locks-and-atomics
 * Run:   build/lessons/03-locks-and-atomics/spin_waste 100   # ms the lock is held */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "check.h"
#include "timing.h"

static pthread_spinlock_t spin;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

struct result {
    bool use_spin;
    double wall_ms, cpu_ms;   /* written by the waiter, read by main after the join */
};

static double thread_cpu_ms(void)
{
    struct timespec ts;

    SYS_CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts));
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The waiter: takes the lock main holds, and measures what the wait cost it. */
static void *waiter(void *p)
{
    struct result *r = p;
    uint64_t t0 = now_ns();
    double c0 = thread_cpu_ms();

    if (r->use_spin) {
        PT_CHECK(pthread_spin_lock(&spin));
        PT_CHECK(pthread_spin_unlock(&spin));
    } else {
        PT_CHECK(pthread_mutex_lock(&mutex));
        PT_CHECK(pthread_mutex_unlock(&mutex));
    }
    r->cpu_ms = thread_cpu_ms() - c0;
    r->wall_ms = (double)(now_ns() - t0) / 1e6;
    return NULL;
}

static void run(bool use_spin, long hold_ms)
{
    struct result r = { .use_spin = use_spin };
    struct timespec hold = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };
    pthread_t t;

    if (use_spin)
        PT_CHECK(pthread_spin_lock(&spin));
    else
        PT_CHECK(pthread_mutex_lock(&mutex));
    PT_CHECK(pthread_create(&t, NULL, waiter, &r));
    /* Holding the lock while asleep stands for a long critical section; the sleep orders
     * nothing (the lock does). */
    while (nanosleep(&hold, &hold) == -1)
        ;
    if (use_spin)
        PT_CHECK(pthread_spin_unlock(&spin));
    else
        PT_CHECK(pthread_mutex_unlock(&mutex));
    PT_CHECK(pthread_join(t, NULL));
    printf("%-18s waited %7.1f ms, used %7.1f ms of CPU (%3.0f%% of a core)\n",
           use_spin ? "spinlock waiter:" : "mutex waiter:", r.wall_ms, r.cpu_ms,
           r.wall_ms > 0 ? 100 * r.cpu_ms / r.wall_ms : 0);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s HOLD_MS   (e.g. 100)", argv[0]);
    long hold_ms = parse_long_arg(argv[1], "hold_ms", 1, 10000);

    PT_CHECK(pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE));
    run(true, hold_ms);
    run(false, hold_ms);
    PT_CHECK(pthread_spin_destroy(&spin));
    return 0;
}
