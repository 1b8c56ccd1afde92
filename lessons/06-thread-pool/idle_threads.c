/* lessons/06-thread-pool/idle_threads.c: start N threads that sleep on a condition variable,
 * and print how much the process grew: resident memory (VmRSS), address space (VmSize), and
 * the kernel's stacks (KernelStack, for the whole machine), in total and per thread.
 * Build: make -C lessons/06-thread-pool
 * Run:   build/lessons/06-thread-pool/idle_threads 200 0      # threads, stack KiB (0: default) */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "proc.h"

/* mu guards arrived and go. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* Two condition variables, so that a thread arriving wakes only the main thread: with one,
 * every arrival would wake every thread already parked (N^2 wake-ups for N threads). */
static pthread_cond_t arrival = PTHREAD_COND_INITIALIZER;   /* main waits: arrived grew */
static pthread_cond_t release = PTHREAD_COND_INITIALIZER;   /* threads wait: go set */
static long arrived;
static bool go;

static void *idle(void *arg)
{
    (void)arg;
    PT_CHECK(pthread_mutex_lock(&mu));
    arrived++;
    PT_CHECK(pthread_cond_signal(&arrival));
    while (!go)
        PT_CHECK(pthread_cond_wait(&release, &mu));
    PT_CHECK(pthread_mutex_unlock(&mu));
    return NULL;
}

static long meminfo_kib(const char *name)
{
    char line[256];
    size_t len = strlen(name);
    long v = -1;
    FILE *f = fopen("/proc/meminfo", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, name, len) == 0 && line[len] == ':')
            v = strtol(line + len + 1, NULL, 10);
    fclose(f);
    return v;
}

static void show(const char *what, long before, long after, long n)
{
    printf("%-22s %9ld KiB -> %9ld KiB: +%9ld KiB, %8.1f KiB per thread\n", what, before, after,
           after - before, (double)(after - before) / (double)n);
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s THREADS STACK_KIB   (threads 1 to 100000; stack 0 for the default, or "
            "16 to 65536)", argv[0]);
    long n = parse_long_arg(argv[1], "threads", 1, 100000);
    long stack_kib = parse_long_arg(argv[2], "stack KiB", 0, 65536);
    if (stack_kib != 0 && stack_kib < 16)
        die("stack KiB: %ld is below the 16 KiB minimum (PTHREAD_STACK_MIN)", stack_kib);

    pthread_t *t = calloc((size_t)n, sizeof *t);
    pthread_attr_t attr;
    if (t == NULL)
        die("out of memory");
    PT_CHECK(pthread_attr_init(&attr));
    if (stack_kib != 0)
        PT_CHECK(pthread_attr_setstacksize(&attr, (size_t)stack_kib * 1024));

    long rss0 = proc_status_field("VmRSS"), vm0 = proc_status_field("VmSize");
    long ks0 = meminfo_kib("KernelStack");
    long made = 0;
    for (; made < n; made++) {
        int err = pthread_create(&t[made], &attr, idle, NULL);
        if (err != 0) {
            printf("pthread_create refused thread %ld: %s; going on with %ld\n", made + 1,
                   strerror(err), made);
            break;
        }
    }
    PT_CHECK(pthread_mutex_lock(&mu));
    while (arrived < made)
        PT_CHECK(pthread_cond_wait(&arrival, &mu));
    PT_CHECK(pthread_mutex_unlock(&mu));

    printf("%ld idle threads, stack %s\n", made, stack_kib ? argv[2] : "default");
    if (made > 0) {
        printf("threads in this process: %ld\n", proc_thread_count());
        show("resident (VmRSS)", rss0, proc_status_field("VmRSS"), made);
        show("address space (VmSize)", vm0, proc_status_field("VmSize"), made);
        show("kernel stacks (all)", ks0, meminfo_kib("KernelStack"), made);
    }

    PT_CHECK(pthread_mutex_lock(&mu));
    go = true;
    PT_CHECK(pthread_cond_broadcast(&release));
    PT_CHECK(pthread_mutex_unlock(&mu));
    for (long i = 0; i < made; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    PT_CHECK(pthread_attr_destroy(&attr));
    free(t);
    return 0;
}
