/* lessons/06-thread-pool/idle_threads.c: start N threads that sleep on a condition variable,
 * and print how much the process grew: resident memory (VmRSS), address space (VmSize), and
 * the kernel's stacks (KernelStack, for the whole machine), in total and per thread.
 * Build: make -C lessons/06-thread-pool
 * Run:   build/lessons/06-thread-pool/idle_threads 200 0      # threads, stack KiB (0: default) */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "errname.h"
#include "idle_crowd.h"
#include "proc.h"

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

    long rss0 = proc_status_field("VmRSS"), vm0 = proc_status_field("VmSize");
    bool exact0, exact1;
    long ks0 = kernel_stack_kib(&exact0);
    struct idle_crowd crowd;
    idle_crowd_start(&crowd, n, (size_t)stack_kib * 1024);
    if (crowd.err != 0)
        printf("pthread_create refused thread %ld: %s (%s); going on with %ld\n",
               crowd.made + 1, errno_name(crowd.err), strerror(crowd.err), crowd.made);

    printf("%ld idle threads, stack %s\n", crowd.made, stack_kib ? argv[2] : "default");
    if (crowd.made > 0) {
        printf("threads in this process: %ld\n", proc_thread_count());
        show("resident (VmRSS)", rss0, proc_status_field("VmRSS"), crowd.made);
        show("address space (VmSize)", vm0, proc_status_field("VmSize"), crowd.made);
        long ks1 = kernel_stack_kib(&exact1);
        show("kernel stacks (all)", ks0, ks1, crowd.made);
        if (ks1 < ks0)
            printf("(kernel stacks: negative, so another program's threads ended meanwhile; "
                   "this figure is for the whole machine: run it again)\n");
        else if (!exact0 || !exact1)
            printf("(kernel stacks: not root, so read in the kernel's per-CPU batches: a few "
                   "threads may show 0 or less)\n");
    }
    idle_crowd_end(&crowd);
    return 0;
}
