/* lessons/05-condition-variables/exercise.c: your answer to lesson 05 (read README.md first).
 * Check it:  make check L=05      Stuck?  make hint L=05
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"

/* TODO 1: the fields. You need
 *   - a pthread_mutex_t that guards every other field (write that down here),
 *   - two pthread_cond_t: one producers sleep on while the buffer is full, one consumers
 *     sleep on while it is empty,
 *   - the ring: capacity, an array of capacity void * slots, the index of the oldest item
 *     and the number of items,
 *   - a bool closed. */
struct bbuf {
    size_t capacity;
};

struct bbuf *bbuf_create(size_t capacity)
{
    /* TODO 2: EINVAL for capacity 0. Allocate the struct and the slots (free the first if
     * the second fails, errno ENOMEM), initialise the mutex and both condition variables
     * with PT_CHECK(pthread_..._init(...)). */
    (void)capacity;
    errno = ENOSYS;
    return NULL;
}

int bbuf_put(struct bbuf *b, void *item)
{
    /* TODO 3: lock; WHILE the buffer is full and not closed, pthread_cond_wait on the
     * "not full" condition; closed: unlock, return EPIPE. Otherwise store item behind the
     * newest one (the index wraps around: % capacity), count it, signal "not empty",
     * unlock, return 0. (The tests watch pthread_cond_wait to see a thread sleep: wait
     * with it, never with a busy loop.) */
    (void)b, (void)item;
    return ENOSYS;
}

int bbuf_get(struct bbuf *b, void **item)
{
    /* TODO 4: the mirror image of put: wait WHILE empty and not closed; no item left
     * (closed and drained): EPIPE. Otherwise take the oldest item, move the head on,
     * signal "not full". */
    (void)b, (void)item;
    return ENOSYS;
}

void bbuf_close(struct bbuf *b)
{
    /* TODO 5: under the lock, set closed and wake EVERY waiter on both conditions
     * (pthread_cond_broadcast: pthread_cond_signal wakes only one). */
    (void)b;
}

void bbuf_destroy(struct bbuf *b)
{
    /* TODO 6: destroy both conditions and the mutex, free the slots and the struct.
     * Never free the items: they belong to the caller. */
    free(b);
}
