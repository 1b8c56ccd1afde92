/* Mutant: every operation uses memory_order_relaxed. The lock still excludes (the exchange is
 * atomic), but it orders no other memory: what one holder wrote need not be seen by the next.
 * Killed by the ThreadSanitizer run: test_spin_lock_mutual_exclusion and
 * test_spin_unlock_publishes_writes report a data race on the protected data. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    while (atomic_exchange_explicit(&l->held, 1, memory_order_relaxed) != 0)   /* BUG */
        while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
            ;
}

bool spin_trylock(struct spinlock *l)
{
    return atomic_exchange_explicit(&l->held, 1, memory_order_relaxed) == 0;   /* BUG */
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_relaxed);   /* BUG */
}
