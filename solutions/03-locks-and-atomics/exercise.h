/* lessons/03-locks-and-atomics/exercise.h: the contract of lesson 03's exercise.
 * The same file is in solutions/03-locks-and-atomics/; the tests are written against it. */
#ifndef LESSON03_EXERCISE_H
#define LESSON03_EXERCISE_H

#include <stdatomic.h>
#include <stdbool.h>

/* A lock that waits by spinning: a thread that wants it and finds it taken keeps trying, on
 * its own core, until the holder lets go. held is the only state; the functions below are the
 * only code that reads or writes it. Any thread may unlock (there is no owner), but only the
 * thread that took the lock should. */
struct spinlock { atomic_int held; };

/* Make the lock free, whatever its memory held before. */
void spin_init(struct spinlock *l);
/* Take the lock; returns only once this thread holds it. Everything the previous holder
 * wrote before its spin_unlock is visible to this thread afterwards. */
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);   /* never blocks; true iff it took the lock; never fails
                                          * on a free lock */
/* Let the lock go; the caller holds it. */
void spin_unlock(struct spinlock *l);

#endif
