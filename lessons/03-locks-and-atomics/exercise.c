/* lessons/03-locks-and-atomics/exercise.c: your answer to lesson 03 (read README.md first).
 * Check it:  make check L=03      Stuck?  make hint L=03
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. As shipped, the lock
 * is never taken (trylock always says "busy") and spin_lock does not wait, so the tests fail
 * quickly instead of hanging. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    /* TODO 1: afterwards the lock is free, whatever the memory held before this call. You
     * choose what the values of held mean. */
    (void)l;
}

void spin_lock(struct spinlock *l)
{
    /* TODO 2: return only once this thread holds the lock. Two threads that call it at the
     * same moment on a free lock never both get it.
     * TODO 3: while the lock is taken, wait; a waiter should not keep writing the lock's
     * memory over and over (README section 4 says why).
     * TODO 4: everything the previous holder wrote before its spin_unlock is visible to
     * this thread once spin_lock returns (the TSan run checks it). */
    (void)l;
}

bool spin_trylock(struct spinlock *l)
{
    /* TODO 5: never waits: true if this call took the lock, false if it was taken. On a
     * free lock it always succeeds, and then it makes the same promise as TODO 4. */
    (void)l;
    return false;
}

void spin_unlock(struct spinlock *l)
{
    /* TODO 6: the lock is free again, and everything written while holding it is visible
     * to the next thread that takes it. */
    (void)l;
}
