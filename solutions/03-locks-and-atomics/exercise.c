/* solutions/03-locks-and-atomics/exercise.c: reference answer to lesson 03. */
#include "exercise.h"

/* Tell the core we are in a spin-wait: on x86 `pause` lets the other hyper-thread run and
 * avoids a pipeline flush when the lock is let go. Elsewhere an empty statement does. */
static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

void spin_init(struct spinlock *l)
{
    /* Before any thread can see the lock, so a plain initialising store is enough. */
    atomic_init(&l->held, 0);
}

/* Test-and-test-and-set. The exchange reads the old value and writes 1 in one indivisible
 * step, so of two threads that find the lock free only one reads 0. While the lock is taken
 * we only load: a load leaves the cache line shared, an exchange would pull it away from
 * every other core on each try. */
void spin_lock(struct spinlock *l)
{
    for (;;) {
        /* acquire: the reads and writes of the critical section cannot move above this
         * point, and we see everything the last holder wrote before its release store. */
        if (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0)
            return;
        /* relaxed: this load only tells us when to try again; the exchange above is what
         * orders memory, and it runs again before we enter. */
        while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
            cpu_relax();
    }
}

bool spin_trylock(struct spinlock *l)
{
    /* One exchange, no loop: it never waits, and on a free lock it always reads 0. */
    return atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0;
}

void spin_unlock(struct spinlock *l)
{
    /* release: every write of the critical section is visible to the next thread whose
     * acquire exchange reads this 0. */
    atomic_store_explicit(&l->held, 0, memory_order_release);
}
