/* Mutant: test-then-set. Both spin_lock and spin_trylock look with a load, then take the lock
 * with a separate store, so two threads can both see "free" and both take it.
 * Killed by test_spin_trylock_one_winner_of_two and test_spin_lock_two_threads_never_both_enter
 * (the gate stops both threads between their load and their store). */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    while (atomic_load(&l->held) != 0)
        ;
    atomic_store(&l->held, 1);   /* BUG: another thread may have stored 1 since our load */
}

bool spin_trylock(struct spinlock *l)
{
    if (atomic_load(&l->held) != 0)
        return false;
    atomic_store(&l->held, 1);   /* BUG: same gap */
    return true;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store(&l->held, 0);
}
