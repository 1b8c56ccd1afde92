/* lessons/10-stackless-coroutines/stack_local.c: why a coroutine's locals must live in its
 * struct. Two running-sum generators, written the same way except for where the sum is
 * kept: in the struct (right) or in a local variable of the function (wrong). A yield is a
 * real return: the local's stack frame is gone, and the next call starts with a fresh one.
 * Build: make -C lessons/10-stackless-coroutines
 * Run:   build/lessons/10-stackless-coroutines/stack_local 6    # how many numbers to add */
#include <stdio.h>

#include "check.h"
#include "co.h"

struct summer {
    int co_state;
    long i;      /* the loop counter: survives each yield because it is here */
    long sum;    /* used by sum_right only */
};

/* 1, 1+2, 1+2+3, ...: the running sum, kept in the struct. */
static long sum_right(struct summer *s)
{
    CO_BEGIN(s->co_state);
    for (s->i = 1;; s->i++) {
        s->sum += s->i;
        CO_YIELD(s->co_state, s->sum);
    }
    CO_END(s->co_state);
    return -1;
}

/* The same, with the sum in a local. It is set to 0 at every call (a new stack frame), so
 * after each yield the sum starts again from nothing. Leave out the "= 0" and it is worse:
 * the value is whatever the stack held, and the compiler warns about it. */
static long sum_wrong(struct summer *s)
{
    long sum = 0;
    CO_BEGIN(s->co_state);
    for (s->i = 1;; s->i++) {
        sum += s->i;
        CO_YIELD(s->co_state, sum);
    }
    CO_END(s->co_state);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s COUNT   (1 to 1000: how many numbers to add)", argv[0]);
    long count = parse_long_arg(argv[1], "COUNT", 1, 1000);
    struct summer right = { 0, 0, 0 }, wrong = { 0, 0, 0 };

    printf("%6s  %18s  %18s\n", "call", "sum in the struct", "sum in a local");
    for (long k = 1; k <= count; k++) {
        long r = sum_right(&right), w = sum_wrong(&wrong);
        printf("%6ld  %18ld  %18ld%s\n", k, r, w, r == w ? "" : "   <- lost at the yield");
    }
    return 0;
}
