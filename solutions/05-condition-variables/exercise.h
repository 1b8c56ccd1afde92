/* lessons/05-condition-variables/exercise.h: the contract of lesson 05's exercise.
 * The same file is in solutions/05-condition-variables/; the tests are written against it.
 *
 * A bounded buffer (a FIFO queue of at most capacity pointers) that many threads share:
 * producers put, consumers get, and each side sleeps while it cannot go on. Ownership: the
 * buffer owns its own memory only; the items are the caller's, before, during and after. */
#ifndef LESSON05_EXERCISE_H
#define LESSON05_EXERCISE_H

#include <stddef.h>

struct bbuf;                                     /* opaque */

/* A new empty, open buffer for up to capacity items. NULL and errno (EINVAL for 0, ENOMEM). */
struct bbuf *bbuf_create(size_t capacity);

/* Append item. 0; blocks while full; EPIPE once closed (also for a put blocked when close
 * came: that item is not added). */
int bbuf_put(struct bbuf *b, void *item);

/* Take the oldest item into *item. 0; blocks while empty; EPIPE once closed and drained. */
int bbuf_get(struct bbuf *b, void **item);

/* Wakes every waiter, producers and consumers; items already in stay gettable. */
void bbuf_close(struct bbuf *b);

/* No thread may be waiting; frees the buffer, never the items. */
void bbuf_destroy(struct bbuf *b);

#endif
