/* lessons/04-deadlocks/exercise.h: the contract of lesson 04's exercise.
 * The same file is in solutions/04-deadlocks/; the tests are written against it. */
#ifndef LESSON04_EXERCISE_H
#define LESSON04_EXERCISE_H

#include <pthread.h>

/* A bank account. lock guards balance: whoever reads or changes balance holds lock (so
 * another thread that holds an account's lock sees its balance stand still). id never
 * changes after account_init, so it may be read without the lock.
 * Lock order: when one thread holds two accounts' locks, it took the one with the
 * smaller id first. */
struct account {
    pthread_mutex_t lock;
    long id;
    long balance;
};

int account_init(struct account *a, long id, long balance);  /* 0, or EINVAL for balance < 0;
                                                              * ids are unique (caller's promise) */

/* Move amount from one account to another atomically. 0 on success, EINVAL for amount <= 0
 * or from == to, ERANGE when from has less than amount (a balance equal to amount is enough;
 * nothing moves on ERANGE). Never deadlocks, whatever order threads name the accounts in. */
int transfer(struct account *from, struct account *to, long amount);

/* Added for this lesson: release what account_init set up (the mutex). No thread may hold
 * or wait for the account's lock. Only for an account whose account_init returned 0. */
void account_destroy(struct account *a);

#endif
