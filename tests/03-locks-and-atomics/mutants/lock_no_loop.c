/* Mutant: spin_lock exchanges once and returns, whatever the exchange returned ("the exchange
 * is atomic, so it is a lock"). Killed by test_spin_lock_waits_for_the_holder (another
 * thread's spin_lock returns while the test holds the lock) and by
 * test_spin_lock_two_threads_never_both_enter; test_spin_lock_mutual_exclusion catches it on
 * runs where the threads overlap. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    atomic_exchange_explicit(&l->held, 1, memory_order_acquire);   /* BUG: result ignored */
}

bool spin_trylock(struct spinlock *l)
{
    return atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0;
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
