/* Mutant: spin_unlock writes 1 (copied from spin_lock) instead of 0, so the lock never becomes
 * free again. Killed by test_spin_unlock_frees_the_lock (trylock after unlock returns false)
 * and test_spin_unlock_lets_lock_again (the second spin_lock hangs; the guard names it). */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    while (atomic_exchange(&l->held, 1) != 0)
        while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
            ;
}

bool spin_trylock(struct spinlock *l)
{
    return atomic_exchange(&l->held, 1) == 0;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store(&l->held, 1);   /* BUG: 1 is "taken" */
}
