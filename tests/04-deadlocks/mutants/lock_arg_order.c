/* tests/04-deadlocks/mutants/lock_arg_order.c: locks `from` first, then `to` (argument
 * order), so transfer(a, b) and transfer(b, a) at the same time can each hold the lock the
 * other needs. Killed by test_transfer_opposite_directions_never_deadlock (the test holds
 * each thread after its first lock until the other has one too: it hangs every time, and
 * the guard prints the hang hint). */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>

#include "check.h"

int account_init(struct account *a, long id, long balance)
{
    if (balance < 0)
        return EINVAL;
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
    if (amount <= 0 || from == to)
        return EINVAL;
    PT_CHECK(pthread_mutex_lock(&from->lock));   /* BUG: the order depends on the caller */
    PT_CHECK(pthread_mutex_lock(&to->lock));
    int err = 0;
    if (from->balance < amount) {
        err = ERANGE;
    } else {
        from->balance -= amount;
        to->balance += amount;
    }
    PT_CHECK(pthread_mutex_unlock(&to->lock));
    PT_CHECK(pthread_mutex_unlock(&from->lock));
    return err;
}
