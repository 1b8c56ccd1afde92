/* tests/04-deadlocks/mutants/check_before_lock.c:
 * checks the balance before taking the locks. Two threads
 * that each spend a's whole balance both see "enough", then both move it: a goes negative.
 * Killed by test_transfer_checks_balance_under_the_lock (both threads pass the check before
 * either locks) and by ThreadSanitizer (a balance read without its lock). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>

#include "check.h"

int account_init(struct account *a, long id, long balance)
{
    if (balance < 0)
        return EINVAL;
    /* A default mutex: the contract says "return the error", so a failed init (it cannot
     * fail on Linux for default attributes) is returned rather than fatal. */
    int err = pthread_mutex_init(&a->lock, NULL);
    if (err != 0)
        return err;
    a->id = id;
    a->balance = balance;
    return 0;
}

void account_destroy(struct account *a)
{
    PT_CHECK(pthread_mutex_destroy(&a->lock));
}

int transfer(struct account *from, struct account *to, long amount)
{
    /* Both checks come before any lock: with from == to the second lock would be the
     * first one again, and a default mutex locked twice by its owner waits forever. */
    if (amount <= 0 || from == to)
        return EINVAL;

    /* Lock order: smaller id first. Every thread climbs the same ladder, so no thread can
     * hold the higher lock while it waits for the lower one: no cycle, no deadlock. */
    if (from->balance < amount)   /* BUG: read without the lock; stale once we lock */
        return ERANGE;
    struct account *first = from->id < to->id ? from : to;
    struct account *second = first == from ? to : from;
    PT_CHECK(pthread_mutex_lock(&first->lock));
    PT_CHECK(pthread_mutex_lock(&second->lock));

    /* Check and move under both locks: a balance read before locking may be stale by the
     * time we write, and two threads could both spend the same money. */
    int err = 0;
    from->balance -= amount;
    to->balance += amount;

    PT_CHECK(pthread_mutex_unlock(&second->lock));
    PT_CHECK(pthread_mutex_unlock(&first->lock));
    return err;
}
