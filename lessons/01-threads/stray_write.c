/* lessons/01-threads/stray_write.c: threads share one address space. Thread 0 owns cells
 * 0..7 of a shared array and thread 1 owns cells 8..15; thread 0 has an off-by-one bug
 * and writes one cell too many: thread 1's first cell changes under it (claim C15).
 * Build: make -C lessons/01-threads
 * Run:   build/lessons/01-threads/stray_write        # add --fixed for the correct loop */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

enum { CELLS_PER_THREAD = 8 };

/* One array for both threads: each "owns" half of it by convention only. Nothing in the
 * hardware or the OS stops a thread from writing the other half. The barrier orders
 * the steps (so this is a stray write, not a data race: TSan stays quiet). */
static int cells[2 * CELLS_PER_THREAD];
static pthread_barrier_t step;
static bool fixed;

static void *owner0(void *arg)
{
    (void)arg;
    BARRIER_WAIT(&step);                 /* 1: thread 1 has written its cells */
    int last = fixed ? CELLS_PER_THREAD - 1 : CELLS_PER_THREAD;   /* the bug: <= instead of < */
    for (int i = 0; i <= last; i++)
        cells[i] = -1;
    BARRIER_WAIT(&step);                 /* 2: thread 0 is done writing */
    return NULL;
}

static void *owner1(void *arg)
{
    int *changed = arg;
    int *mine = &cells[CELLS_PER_THREAD];

    for (int i = 0; i < CELLS_PER_THREAD; i++)
        mine[i] = 100 + i;
    BARRIER_WAIT(&step);                 /* 1 */
    BARRIER_WAIT(&step);                 /* 2 */
    for (int i = 0; i < CELLS_PER_THREAD; i++)
        if (mine[i] != 100 + i) {
            printf("thread 1: my cell %d was %d, now it is %d: another thread wrote it\n", i,
                   100 + i, mine[i]);
            (*changed)++;
        }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t0, t1;
    int changed = 0;

    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--fixed") != 0))
        die("usage: %s [--fixed]", argv[0]);
    fixed = argc == 2;
    PT_CHECK(pthread_barrier_init(&step, NULL, 2));
    PT_CHECK(pthread_create(&t0, NULL, owner0, NULL));
    PT_CHECK(pthread_create(&t1, NULL, owner1, &changed));
    PT_CHECK(pthread_join(t0, NULL));
    PT_CHECK(pthread_join(t1, NULL));
    PT_CHECK(pthread_barrier_destroy(&step));
    printf("stray_write: %d of thread 1's %d cells changed by thread 0 (%s loop)\n", changed,
           CELLS_PER_THREAD, fixed ? "fixed" : "buggy");
    return 0;
}
