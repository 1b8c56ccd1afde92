/* lessons/03-locks-and-atomics/exercise.c: your answer to lesson 03 (read README.md first).
 * Check it:  make check L=03      Stuck?  make hint L=03
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. As shipped, the lock
 * is never taken (trylock always says "busy") and spin_lock does not wait, so the tests fail
 * quickly instead of hanging. */
#include "exercise.h"

void spin_init(struct spinlock *l)
{
    /* TODO 1: make the lock free. Choose what held means: 0 free, 1 taken is the usual
     * choice. The memory may hold anything before this call. */
    (void)l;
}

void spin_lock(struct spinlock *l)
{
    /* TODO 2: take the lock. "Is it free? then I take it" must be ONE indivisible step:
     * atomic_exchange (or atomic_compare_exchange_strong) reads the old value and writes
     * the new one at once. A load followed by a store lets two threads both see "free".
     * TODO 3: if it was taken, wait and try again. Spin on a plain atomic_load until it looks
     * free, then exchange again (test-and-test-and-set, see README.md).
     * TODO 4: choose the memory order: taking a lock is an acquire (README.md explains why;
     * memory_order_relaxed is wrong here, and ThreadSanitizer will tell you so). */
    (void)l;
}

bool spin_trylock(struct spinlock *l)
{
    /* TODO 5: one attempt, never a loop: true if this call took the lock, false if it was
     * already taken. On a free lock it must always succeed. */
    (void)l;
    return false;
}

void spin_unlock(struct spinlock *l)
{
    /* TODO 6: make the lock free again, with a release store, so the next holder sees
     * everything written inside the critical section. */
    (void)l;
}
