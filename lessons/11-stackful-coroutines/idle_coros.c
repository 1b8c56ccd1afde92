/* lessons/11-stackful-coroutines/idle_coros.c: what a suspended stackful coroutine costs in
 * memory. Starts N contexts, each on its own mmap'd stack (plus a guard page), lets each run
 * until its first swap back, and prints the growth of resident (VmRSS) and virtual (VmSize)
 * memory per context.
 * Build: make -C lessons/11-stackful-coroutines
 * Run:   build/lessons/11-stackful-coroutines/idle_coros 1000 16   # contexts, stack KiB */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"

#define PAGE 4096

struct idle {
    ucontext_t uc;
    char *map;
};

static ucontext_t main_uc;
static struct idle *cur;

/* A coroutine that starts, and waits to be resumed (never, here). */
static void wait_forever(void)
{
    volatile char mark[64];   /* a few bytes of its own on its stack */
    mark[0] = 1;
    (void)mark[0];
    SYS_CHECK(swapcontext(&cur->uc, &main_uc));
    abort();   /* this demo never resumes a context a second time */
}

static long status_kib(const char *field)
{
    long v = proc_status_field(field);
    if (v < 0)
        die("cannot read %s from /proc/self/status", field);
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s CONTEXTS STACK_KIB   (1 to 20000 contexts, 16 to 1024 KiB each)",
            argv[0]);
    long n = parse_long_arg(argv[1], "contexts", 1, 20000);
    long kib = parse_long_arg(argv[2], "stack KiB", 16, 1024);
    size_t len = (size_t)kib * 1024 + PAGE;
    struct idle *all = calloc((size_t)n, sizeof *all);
    if (all == NULL)
        die("out of memory for %ld contexts", n);

    long rss0 = status_kib("VmRSS"), vm0 = status_kib("VmSize");
    for (long i = 0; i < n; i++) {
        cur = &all[i];
        cur->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (cur->map == MAP_FAILED)
            die("mmap of context %ld failed", i);
        SYS_CHECK(mprotect(cur->map, PAGE, PROT_NONE));   /* the guard page */
        SYS_CHECK(getcontext(&cur->uc));
        cur->uc.uc_stack.ss_sp = cur->map + PAGE;
        cur->uc.uc_stack.ss_size = len - PAGE;
        cur->uc.uc_link = NULL;
        makecontext(&cur->uc, wait_forever, 0);
        SYS_CHECK(swapcontext(&main_uc, &cur->uc));   /* run it to its first swap back */
    }
    long rss1 = status_kib("VmRSS"), vm1 = status_kib("VmSize");

    printf("%ld suspended contexts with %ld KiB stacks: resident +%ld KiB (%.1f KiB each), "
           "virtual +%ld KiB (%.1f KiB each)\n", n, kib, rss1 - rss0,
           (double)(rss1 - rss0) / (double)n, vm1 - vm0, (double)(vm1 - vm0) / (double)n);
    printf("(each also has a ucontext_t of %zu bytes in the heap)\n", sizeof(ucontext_t));
    for (long i = 0; i < n; i++)
        SYS_CHECK(munmap(all[i].map, len));
    free(all);
    return 0;
}
