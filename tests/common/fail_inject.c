/* tests/common/fail_inject.c: --wrap wrappers for pthread_create and pthread_join.
 * Each test runs in a process of its own, so the counters start at zero in every test. */
#include "fail_inject.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);
int __real_pthread_join(pthread_t t, void **ret);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg);
int __wrap_pthread_join(pthread_t t, void **ret);

enum { TRACKED_MAX = 4096 };

static atomic_bool armed;
static atomic_int ok_left, fail_err, created, joined;
/* The threads created while armed: a join counts only if it names one of them. */
static pthread_t tracked[TRACKED_MAX];
static atomic_bool tracked_live[TRACKED_MAX];

void inject_pthread_create_failure(int ok_calls, int err)
{
    atomic_store(&ok_left, ok_calls);
    atomic_store(&fail_err, err);
    atomic_store(&created, 0);
    atomic_store(&joined, 0);
    atomic_store(&armed, true);
}

int injected_threads_created(void) { return atomic_load(&created); }
int injected_threads_joined(void) { return atomic_load(&joined); }

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *),
                          void *arg)
{
    if (!atomic_load(&armed))
        return __real_pthread_create(t, attr, fn, arg);
    if (atomic_fetch_sub(&ok_left, 1) <= 0)
        return atomic_load(&fail_err);
    int err = __real_pthread_create(t, attr, fn, arg);
    if (err == 0) {
        int i = atomic_fetch_add(&created, 1);
        if (i < TRACKED_MAX) {
            tracked[i] = *t;
            atomic_store(&tracked_live[i], true);
        }
    }
    return err;
}

int __wrap_pthread_join(pthread_t t, void **ret)
{
    int err = __real_pthread_join(t, ret);
    if (err != 0 || !atomic_load(&armed))
        return err;
    int n = atomic_load(&created);
    for (int i = 0; i < n && i < TRACKED_MAX; i++) {
        bool live = true;
        if (pthread_equal(tracked[i], t) &&
            atomic_compare_exchange_strong(&tracked_live[i], &live, false)) {
            atomic_fetch_add(&joined, 1);
            break;
        }
    }
    return err;
}
