/* lessons/04-deadlocks/exercise.c: your answer to lesson 04 (read README.md first).
 * Check it:  make check L=04      Stuck?  make hint L=04
 *
 * It compiles as it is, and fails its tests until you fill in the TODOs. */
#include "exercise.h"

#include <errno.h>
#include <pthread.h>

#include "check.h"

int account_init(struct account *a, long id, long balance)
{
    /* TODO 1: EINVAL for a negative balance (0 is a fine balance).
     * TODO 2: initialise a->lock with pthread_mutex_init(&a->lock, NULL); it returns an
     *         error number: return it if it is not 0.
     * TODO 3: set a->id and a->balance, and return 0. */
    (void)a, (void)id, (void)balance;
    return ENOSYS;
}

void account_destroy(struct account *a)
{
    /* TODO 4: PT_CHECK(pthread_mutex_destroy(&a->lock)); (remove the (void) line) */
    (void)a;
}

int transfer(struct account *from, struct account *to, long amount)
{
    /* TODO 5: EINVAL for amount <= 0, and for from == to. Check these before locking
     *         anything: why does from == to matter for the locks?
     * TODO 6: take both accounts' locks, so that no two transfers can ever wait for each
     *         other, whichever order their callers name the accounts in (README.md,
     *         "Lock ordering").
     * TODO 7: with both locks held, and only then, compare from->balance with amount:
     *         too little gives ERANGE and nothing moves; enough (equal is enough) moves
     *         the money.
     * TODO 8: unlock both locks on every path out, ERANGE included, and return 0 or
     *         ERANGE. */
    (void)from, (void)to, (void)amount;
    return ENOSYS;
}
