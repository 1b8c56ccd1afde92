/* Mutant: spin_trylock returns the exchange's old value as it is, so it says true when the
 * lock was already taken and false when it took it. Killed by
 * test_spin_trylock_takes_a_free_lock (false on a free lock) and
 * test_spin_trylock_fails_on_a_held_lock (true on a held lock). */
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
    return atomic_exchange_explicit(&l->held, 1, memory_order_acquire);   /* BUG: inverted */
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
