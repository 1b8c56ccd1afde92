/* lessons/11-stackful-coroutines/overflow.c: what a guard page is for. In a child process, a
 * context runs on a 16 KiB mmap'd stack and recurses past its bottom. With a PROT_NONE guard
 * page below the stack the child dies of SIGSEGV at the first byte below; without one
 * ("noguard") it writes into the memory under the stack, here a neighbour's data, and lives.
 * Build: make -C lessons/11-stackful-coroutines
 * Run:   build/lessons/11-stackful-coroutines/overflow guard      # or: noguard */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096
#define STACK_SIZE (16 * 1024)
#define NEIGHBOUR_SIZE (16 * 1024)

/* One mapping: [neighbour][guard][stack], lowest address first. */
static char *region;
static uintptr_t stop_below;
static ucontext_t main_uc, deep_uc;

static long dive(long depth)
{
    volatile char frame[256];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (char)depth;   /* the whole frame is written, as real locals would be */
    if ((uintptr_t)frame < stop_below)
        return frame[0];
    return dive(depth + 1) + frame[0];   /* not a tail call: every frame stays */
}

static void deep(void)
{
    dive(0);
}

/* The child: set up the stack, run the context, report the neighbour's first bytes. */
static void child(int guard)
{
    char *neighbour = region, *guard_page = region + NEIGHBOUR_SIZE;
    char *stack = guard_page + PAGE;
    memset(neighbour, 'N', NEIGHBOUR_SIZE);
    if (guard)
        SYS_CHECK(mprotect(guard_page, PAGE, PROT_NONE));
    stop_below = (uintptr_t)neighbour + NEIGHBOUR_SIZE / 2;   /* 8 KiB into the neighbour */
    SYS_CHECK(getcontext(&deep_uc));
    deep_uc.uc_stack.ss_sp = stack;
    deep_uc.uc_stack.ss_size = STACK_SIZE;
    deep_uc.uc_link = &main_uc;
    makecontext(&deep_uc, deep, 0);
    SYS_CHECK(swapcontext(&main_uc, &deep_uc));
    size_t changed = 0;
    for (size_t i = 0; i < NEIGHBOUR_SIZE; i++)
        changed += neighbour[i] != 'N';
    printf("child: the recursion came back; %zu bytes of the neighbour below the stack "
           "were overwritten\n", changed);
    fflush(stdout);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "guard") != 0 && strcmp(argv[1], "noguard") != 0))
        die("usage: %s guard|noguard", argv[0]);
    int guard = strcmp(argv[1], "guard") == 0;
    size_t len = NEIGHBOUR_SIZE + PAGE + STACK_SIZE;
    region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        die("mmap of %zu bytes failed", len);
    fflush(stdout);
    pid_t pid = (pid_t)SYS_CHECK(fork());
    if (pid == 0)
        child(guard);
    int status;
    SYS_CHECK(waitpid(pid, &status, 0));
    if (WIFSIGNALED(status))
        printf("%s: the child was killed by signal %d (%s): the overflow stopped at the "
               "guard page\n", argv[1], WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        printf("%s: the child exited with status %d: nothing stopped the overflow\n", argv[1],
               WEXITSTATUS(status));
    SYS_CHECK(munmap(region, len));
    return 0;
}
