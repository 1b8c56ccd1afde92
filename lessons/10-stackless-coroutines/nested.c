/* lessons/10-stackless-coroutines/nested.c: what a stackless coroutine cannot do. A
 * generator of a binary tree's values in order would like to recurse, and yield from inside
 * the recursion; only the coroutine's own function can yield, so it keeps an explicit stack
 * of nodes in its struct instead. Compile with -DTRY_NESTED_YIELD to see the compiler refuse
 * a CO_YIELD inside a helper function.
 * Build: make -C lessons/10-stackless-coroutines
 * Run:   build/lessons/10-stackless-coroutines/nested 50 30 70 20 40 60 80   # values to insert */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "co.h"

enum { MAX_NODES = 64 };

struct node {
    long value;
    struct node *left, *right;
};

/* Insert value into the search tree rooted at *root; nodes come from pool[*used]. */
static void insert(struct node **root, long value, struct node *pool, int *used)
{
    while (*root != NULL)
        root = value < (*root)->value ? &(*root)->left : &(*root)->right;
    struct node *n = &pool[(*used)++];
    *n = (struct node){ .value = value, .left = NULL, .right = NULL };
    *root = n;
}

#ifdef TRY_NESTED_YIELD
/* What we would like to write: recurse, and yield each value from wherever we are. This does
 * not compile: CO_YIELD's case label is not inside walk_next's switch, and even if it were,
 * returning from walk would only return to the caller's frame, not out of the coroutine. */
static long walk(struct node *n, int *co_state)
{
    if (n == NULL)
        return -1;
    walk(n->left, co_state);
    CO_YIELD(*co_state, n->value);
    return walk(n->right, co_state);
}
#endif

/* The in-order generator, stackless: the path from the root to the current node is kept in
 * the struct, because the C stack cannot hold it across a yield. */
struct walker {
    int co_state;
    struct node *cur;
    struct node *stack[MAX_NODES];   /* the nodes whose left side we are in */
    int depth;
};

/* The values in increasing order, one per call; then -1 forever. */
static long walk_next(struct walker *w)
{
    CO_BEGIN(w->co_state);
    while (w->cur != NULL || w->depth > 0) {
        while (w->cur != NULL) {             /* go down the left side, remembering the path */
            w->stack[w->depth++] = w->cur;
            w->cur = w->cur->left;
        }
        w->cur = w->stack[--w->depth];
        CO_YIELD(w->co_state, w->cur->value);
        w->cur = w->cur->right;
    }
    CO_END(w->co_state);
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc - 1 > MAX_NODES)
        die("usage: %s VALUE...   (1 to %d whole numbers from 0 to 1000000)", argv[0],
            MAX_NODES);
    struct node pool[MAX_NODES];
    struct node *root = NULL;
    int used = 0;
    for (int i = 1; i < argc; i++)
        insert(&root, parse_long_arg(argv[i], "VALUE", 0, 1000000), pool, &used);

    struct walker w = { .co_state = 0, .cur = root, .depth = 0 };
    printf("in order:");
    for (long v; (v = walk_next(&w)) != -1;)
        printf(" %ld", v);
    printf("\nthe walker's struct: %zu bytes, most of it the stack of %d node pointers it "
           "keeps itself\n", sizeof w, MAX_NODES);
    return 0;
}
