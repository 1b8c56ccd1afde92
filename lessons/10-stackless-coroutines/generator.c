/* lessons/10-stackless-coroutines/generator.c: a generator written as a coroutine. Two
 * Collatz sequences are produced side by side, one value per call, by the same function;
 * each generator remembers where it is in its own struct, and a finished one returns 0.
 * Build: make -C lessons/10-stackless-coroutines
 * Run:   build/lessons/10-stackless-coroutines/generator 6 7   # two starting numbers */
#include <stdio.h>

#include "check.h"
#include "co.h"

/* Everything the generator needs from one call to the next: its resume point and n. */
struct collatz {
    int co_state;
    long n;
};

/* The next number of the sequence n, n/2 or 3n+1, ..., 1; then 0 forever. */
static long collatz_next(struct collatz *c)
{
    CO_BEGIN(c->co_state);
    while (c->n != 1) {
        CO_YIELD(c->co_state, c->n);
        c->n = c->n % 2 == 0 ? c->n / 2 : 3 * c->n + 1;
    }
    CO_YIELD(c->co_state, 1L);
    CO_END(c->co_state);
    return 0;   /* every call after the end lands here: CO_END set co_state to -1 */
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s START1 START2   (two whole numbers from 1 to 1000000)", argv[0]);
    struct collatz g[2] = {
        { .co_state = 0, .n = parse_long_arg(argv[1], "START1", 1, 1000000) },
        { .co_state = 0, .n = parse_long_arg(argv[2], "START2", 1, 1000000) },
    };

    printf("%5s  %12s  %12s\n", "call", "generator 1", "generator 2");
    for (int call = 1;; call++) {
        long a = collatz_next(&g[0]), b = collatz_next(&g[1]);
        if (a == 0 && b == 0)
            break;
        char sa[24] = "(finished)", sb[24] = "(finished)";   /* 0: that one has ended */
        if (a != 0)
            snprintf(sa, sizeof sa, "%ld", a);
        if (b != 0)
            snprintf(sb, sizeof sb, "%ld", b);
        printf("%5d  %12s  %12s\n", call, sa, sb);
    }
    printf("both generators finished: co_state %d and %d (CO_END wrote -1); the next call "
           "returns %ld\n", g[0].co_state, g[1].co_state, collatz_next(&g[0]));
    printf("each generator is a struct of %zu bytes: that is all it needs between calls\n",
           sizeof(struct collatz));
    return 0;
}
