/* A thread writes the answer while the caller reads it without a lock: the answer is always
 * right (the read does not feed it), so the plain run passes every time; only ThreadSanitizer
 * sees the race. Expected: race, 0. */
#include "exercise.h"
#include <pthread.h>
static long shared;
static volatile long seen;   /* volatile: the compiler keeps the racing read */
static void *add(void *arg) { shared += *(long *)arg; return NULL; }
long attack(long n)
{
    pthread_t t;
    shared = n;
    pthread_create(&t, NULL, add, &n);
    seen = shared;   /* races with the thread's write */
    pthread_join(t, NULL);
    return shared;
}
