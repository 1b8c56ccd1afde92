/* Mutant: spin_trylock waits for the lock (it calls spin_lock) and always returns true.
 * Killed by test_spin_trylock_fails_on_a_held_lock: a trylock on a lock this thread holds
 * never returns, and the guard stops it with the hang hint. */
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
    spin_lock(l);   /* BUG: "try" must never wait */
    return true;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
