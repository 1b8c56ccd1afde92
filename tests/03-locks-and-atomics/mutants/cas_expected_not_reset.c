/* Mutant: a compare-exchange loop that forgets that a failed compare_exchange writes the value
 * it found into `expected`. After one failure expected is 1, so the next try compares 1 with 1,
 * "succeeds", and takes a lock another thread holds. Killed by
 * test_spin_lock_waits_for_the_holder and test_spin_lock_two_threads_never_both_enter (the
 * second thread's retry steals the lock). */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    atomic_init(&l->held, 0);
}

void spin_lock(struct spinlock *l)
{
    int expected = 0;
    while (!atomic_compare_exchange_weak_explicit(&l->held, &expected, 1, memory_order_acquire,
                                                  memory_order_relaxed))
        ;   /* BUG: expected = 0 must be set again before each try */
}

bool spin_trylock(struct spinlock *l)
{
    int expected = 0;
    return atomic_compare_exchange_strong_explicit(&l->held, &expected, 1, memory_order_acquire,
                                                   memory_order_relaxed);
}

void spin_unlock(struct spinlock *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
