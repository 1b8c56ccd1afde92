/* Mutant: spin_init leaves held as it was ("static locks start at zero anyway"). Killed by
 * test_spin_init_frees_any_memory: memory that held 1 before spin_init is still "taken". */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    (void)l;   /* BUG: memory from the stack or malloc holds anything */
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
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
