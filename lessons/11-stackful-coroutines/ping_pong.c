/* lessons/11-stackful-coroutines/ping_pong.c: two stacks taking turns with swapcontext. The
 * thread's own stack and one context on a stack of its own swap N times; the program prints
 * the time per switch. Under `strace -c` it shows the system call hidden in each swap.
 * Build: make -C lessons/11-stackful-coroutines
 * Run:   build/lessons/11-stackful-coroutines/ping_pong 100000      # round trips */
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS */
#include <stdio.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "check.h"
#include "timing.h"

#define STACK_SIZE (64 * 1024)

static ucontext_t main_uc, pong_uc;
static long rounds, pongs;

/* Runs on its own stack: answers each ping, then gives control back. */
static void pong(void)
{
    for (long i = 0; i < rounds; i++) {
        pongs++;
        SYS_CHECK(swapcontext(&pong_uc, &main_uc));
    }
    /* returning would follow uc_link back to main_uc */
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s ROUNDS   (round trips between two stacks, 1 to 100000000)", argv[0]);
    rounds = parse_long_arg(argv[1], "rounds", 1, 100000000);

    void *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    if (stack == MAP_FAILED)
        die("mmap of a %d-byte stack failed", STACK_SIZE);
    SYS_CHECK(getcontext(&pong_uc));
    pong_uc.uc_stack.ss_sp = stack;
    pong_uc.uc_stack.ss_size = STACK_SIZE;
    pong_uc.uc_link = &main_uc;   /* where pong goes when it returns */
    makecontext(&pong_uc, pong, 0);

    uint64_t t0 = now_ns();
    for (long i = 0; i < rounds; i++)
        SYS_CHECK(swapcontext(&main_uc, &pong_uc));   /* ping: runs pong until it swaps back */
    uint64_t t1 = now_ns();
    SYS_CHECK(swapcontext(&main_uc, &pong_uc));       /* let pong's loop end and return */

    printf("%ld round trips, %ld pongs: %.1f ns per switch (2 switches per round trip)\n",
           rounds, pongs, (double)(t1 - t0) / (2.0 * (double)rounds));
    SYS_CHECK(munmap(stack, STACK_SIZE));
    return 0;
}
