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

/* TODO 1: the fields: what the buffer holds (up to capacity items, oldest first, and
 * whether it is closed), what guards them (write beside each field which lock), and where
 * producers and consumers sleep. README.md, section 6, lists the pieces. */
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
    /* TODO 3: what must hold when put returns:
     *   - 0: item is in the buffer, behind every item put before it;
     *   - EPIPE: the buffer was closed (before the call, or while it waited), and item
     *     was not added;
     *   - while the buffer is full and open, put sleeps in pthread_cond_wait (the tests
     *     watch that call to see a thread sleep: never a busy loop), and it comes back
     *     right whatever woke it, even a wake-up nobody sent;
     *   - a consumer asleep on an empty buffer learns of the new item. */
    (void)b, (void)item;
    return ENOSYS;
}

int bbuf_get(struct bbuf *b, void **item)
{
    /* TODO 4: what must hold when get returns:
     *   - 0: *item is the oldest item, and it has left the buffer;
     *   - EPIPE: the buffer is closed and empty (items put before close still come out
     *     first);
     *   - while the buffer is empty and open, get sleeps, and comes back right whatever
     *     woke it;
     *   - a producer asleep on a full buffer learns of the free slot. */
    (void)b, (void)item;
    return ENOSYS;
}

void bbuf_close(struct bbuf *b)
{
    /* TODO 5: after close, every thread asleep in put or get (however many) wakes and
     * returns as the contract says, and every later put returns EPIPE. */
    (void)b;
}

void bbuf_destroy(struct bbuf *b)
{
    /* TODO 6: destroy both conditions and the mutex, free the slots and the struct.
     * Never free the items: they belong to the caller. */
    free(b);
}
