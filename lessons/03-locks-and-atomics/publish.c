/* lessons/03-locks-and-atomics/publish.c: one thread fills a message and raises a flag, another
 * waits for the flag and reads the message; a release/acquire pair makes it safe, relaxed not.
 * Build: make -C lessons/03-locks-and-atomics
 * Run:   build/lessons/03-locks-and-atomics/publish release   # or: relaxed (a data race) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct mailbox {
    char text[32];   /* plain data: written before ready is raised, read after it is seen */
    long number;
    atomic_int ready;
};

static struct mailbox box;
static memory_order store_order, load_order;

static void *writer(void *p)
{
    (void)p;
    snprintf(box.text, sizeof box.text, "hello from the writer");
    box.number = 42;
    /* release: the two writes above may not move below this store, so a reader whose
     * acquire load sees 1 sees them too. relaxed promises nothing of the kind. */
    atomic_store_explicit(&box.ready, 1, store_order);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "release") != 0 && strcmp(argv[1], "relaxed") != 0))
        die("usage: %s release|relaxed", argv[0]);
    bool relaxed = strcmp(argv[1], "relaxed") == 0;
    store_order = relaxed ? memory_order_relaxed : memory_order_release;
    load_order = relaxed ? memory_order_relaxed : memory_order_acquire;

    pthread_t t;
    long spins = 0;
    PT_CHECK(pthread_create(&t, NULL, writer, NULL));
    /* A spin-wait: this core does nothing useful until the flag goes up. */
    while (atomic_load_explicit(&box.ready, load_order) == 0)
        spins++;
    printf("read \"%s\", %ld after %ld spins (%s)\n", box.text, box.number, spins, argv[1]);
    PT_CHECK(pthread_join(t, NULL));
    return 0;
}
