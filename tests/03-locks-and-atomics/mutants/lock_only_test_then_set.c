/* Mutant: spin_lock is test-then-set (a load, then a separate store); spin_trylock is right.
 * Killed by test_spin_lock_two_threads_never_both_enter (the gate stops both threads between
 * their load and their store, so both enter). test_spin_lock_mutual_exclusion catches it only
 * on runs where the threads happen to overlap. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    for (;;) {
        if (atomic_load_explicit(&l->held, memory_order_acquire) == 0) {
            atomic_store_explicit(&l->held, 1, memory_order_relaxed);   /* BUG: too late */
            return;
        }
    }
}

bool spin_trylock(struct spinlock *l)
{
    return atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
