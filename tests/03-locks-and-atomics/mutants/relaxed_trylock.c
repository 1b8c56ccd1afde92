/* Mutant: spin_lock and spin_unlock are right, but spin_trylock's exchange is relaxed: a
 * thread that gets the lock through trylock may not see what the last holder wrote.
 * Killed by the ThreadSanitizer run of test_spin_trylock_acquires_writes. */
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
    return atomic_exchange_explicit(&l->held, 1, memory_order_relaxed) == 0;   /* BUG */
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
