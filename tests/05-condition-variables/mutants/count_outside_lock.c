/* tests/05-condition-variables/mutants/count_outside_lock.c: a known-wrong answer to lesson 05.
 * put updates count after unlocking the mutex: a data race with every get. Killed in the
 * plain run by test_bbuf_put_finishes_before_unlock (put is held just after its unlock, and
 * the get that comes next finds the buffer empty), and by ThreadSanitizer wherever a get
 * reads count. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* mu guards every field below it. capacity and slots (the pointer) never change after
 * create. Invariants, whenever mu is free: 0 <= count <= capacity, the items are
 * slots[head], slots[(head + 1) % capacity], ... count of them, oldest first. */
struct bbuf {
    pthread_mutex_t mu;
    pthread_cond_t not_full;    /* signalled when count drops below capacity, or on close */
    pthread_cond_t not_empty;   /* signalled when count rises above 0, or on close */
    size_t capacity;
    void **slots;
    size_t head;                /* index of the oldest item */
    size_t count;
    bool closed;
};

struct bbuf *bbuf_create(size_t capacity)
{
    struct bbuf *b;

    if (capacity == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (capacity > SIZE_MAX / sizeof(void *)) {
        errno = ENOMEM;
        return NULL;
    }
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;   /* calloc set errno to ENOMEM */
    b->slots = calloc(capacity, sizeof *b->slots);
    if (b->slots == NULL) {
        free(b);
        errno = ENOMEM;
        return NULL;
    }
    b->capacity = capacity;
    PT_CHECK(pthread_mutex_init(&b->mu, NULL));
    PT_CHECK(pthread_cond_init(&b->not_full, NULL));
    PT_CHECK(pthread_cond_init(&b->not_empty, NULL));
    return b;
}

int bbuf_put(struct bbuf *b, void *item)
{
    PT_CHECK(pthread_mutex_lock(&b->mu));
    /* while, not if: after a wake-up another producer may have filled the slot first, and
     * pthread_cond_wait may return without any signal at all (a spurious wake-up). */
    while (b->count == b->capacity && !b->closed)
        PT_CHECK(pthread_cond_wait(&b->not_full, &b->mu));
    if (b->closed) {
        PT_CHECK(pthread_mutex_unlock(&b->mu));
        return EPIPE;
    }
    b->slots[(b->head + b->count) % b->capacity] = item;
    PT_CHECK(pthread_cond_signal(&b->not_empty));
    PT_CHECK(pthread_mutex_unlock(&b->mu));
    b->count++;   /* wrong: after the unlock */
    return 0;
}

int bbuf_get(struct bbuf *b, void **item)
{
    PT_CHECK(pthread_mutex_lock(&b->mu));
    while (b->count == 0 && !b->closed)
        PT_CHECK(pthread_cond_wait(&b->not_empty, &b->mu));
    if (b->count == 0) {   /* so closed, and drained */
        PT_CHECK(pthread_mutex_unlock(&b->mu));
        return EPIPE;
    }
    *item = b->slots[b->head];
    b->head = (b->head + 1) % b->capacity;
    b->count--;
    PT_CHECK(pthread_cond_signal(&b->not_full));
    PT_CHECK(pthread_mutex_unlock(&b->mu));
    return 0;
}

void bbuf_close(struct bbuf *b)
{
    PT_CHECK(pthread_mutex_lock(&b->mu));
    b->closed = true;
    /* Broadcast: every waiter, not just one, must see closed and leave. */
    PT_CHECK(pthread_cond_broadcast(&b->not_full));
    PT_CHECK(pthread_cond_broadcast(&b->not_empty));
    PT_CHECK(pthread_mutex_unlock(&b->mu));
}

void bbuf_destroy(struct bbuf *b)
{
    if (b == NULL)
        return;
    PT_CHECK(pthread_cond_destroy(&b->not_empty));
    PT_CHECK(pthread_cond_destroy(&b->not_full));
    PT_CHECK(pthread_mutex_destroy(&b->mu));
    free(b->slots);   /* the array of pointers, never what they point to */
    free(b);
}
