/* Mutant: lock and trylock acquire, but spin_unlock stores with memory_order_relaxed, so the
 * holder's writes are not released to the next holder (an acquire needs a release to pair
 * with). Killed by the ThreadSanitizer run of test_spin_unlock_publishes_writes and
 * test_spin_lock_mutual_exclusion. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    while (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) != 0)
        while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
            ;
}

bool spin_trylock(struct spinlock *l)
{
    return atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_relaxed);   /* BUG: must be release */
}
