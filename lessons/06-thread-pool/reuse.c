/* lessons/06-thread-pool/reuse.c: N tasks run two ways. First a new thread per task; then
 * one worker thread, started once, that takes the tasks one by one from a single slot. Each
 * task prints the kernel id of the thread it runs on: N ids, then one id N times.
 * Build: make -C lessons/06-thread-pool
 * Run:   build/lessons/06-thread-pool/reuse 5        # number of tasks */
#define _GNU_SOURCE   /* syscall(SYS_gettid): the kernel's id of the calling thread */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

static int creates;   /* pthread_create calls; only the main thread touches it */

static void task(long i)
{
    printf("  task %ld runs on thread %ld\n", i, (long)syscall(SYS_gettid));
}

static void *one_task_thread(void *arg)
{
    task((long)arg);
    return NULL;
}

/* A one-slot mailbox between the main thread and one worker. mu guards every field. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t changed;   /* slot filled, slot emptied, or stop set */
    bool full;                /* slot holds a task number */
    long slot;
    bool stop;                /* no more tasks will come */
} box = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0, false };

/* The worker: wait for a task, run it, wait for the next; leave only when told to stop
 * and the slot is empty. This loop is the heart of every thread pool. */
static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        PT_CHECK(pthread_mutex_lock(&box.mu));
        while (!box.full && !box.stop)
            PT_CHECK(pthread_cond_wait(&box.changed, &box.mu));
        if (!box.full) {                 /* stop, and nothing left to run */
            PT_CHECK(pthread_mutex_unlock(&box.mu));
            return NULL;
        }
        long i = box.slot;
        box.full = false;
        PT_CHECK(pthread_cond_broadcast(&box.changed));   /* the slot is free again */
        PT_CHECK(pthread_mutex_unlock(&box.mu));
        task(i);                         /* run it with the lock released */
    }
}

static void hand_over(long i)
{
    PT_CHECK(pthread_mutex_lock(&box.mu));
    while (box.full)
        PT_CHECK(pthread_cond_wait(&box.changed, &box.mu));
    box.slot = i;
    box.full = true;
    PT_CHECK(pthread_cond_broadcast(&box.changed));
    PT_CHECK(pthread_mutex_unlock(&box.mu));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s TASKS   (1 to 1000)", argv[0]);
    long n = parse_long_arg(argv[1], "tasks", 1, 1000);

    printf("a new thread per task:\n");
    for (long i = 0; i < n; i++) {
        pthread_t t;
        PT_CHECK(pthread_create(&t, NULL, one_task_thread, (void *)i));
        creates++;
        PT_CHECK(pthread_join(t, NULL));
    }
    printf("  -> %ld tasks, %d pthread_create calls\n", n, creates);

    creates = 0;
    printf("one worker, reused:\n");
    pthread_t w;
    PT_CHECK(pthread_create(&w, NULL, worker, NULL));
    creates++;
    for (long i = 0; i < n; i++)
        hand_over(i);
    PT_CHECK(pthread_mutex_lock(&box.mu));
    box.stop = true;
    PT_CHECK(pthread_cond_broadcast(&box.changed));
    PT_CHECK(pthread_mutex_unlock(&box.mu));
    PT_CHECK(pthread_join(w, NULL));
    printf("  -> %ld tasks, %d pthread_create call\n", n, creates);
    return 0;
}
