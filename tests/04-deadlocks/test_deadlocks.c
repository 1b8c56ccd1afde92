/* tests/04-deadlocks/test_deadlocks.c: lesson 04's tests (account_init, transfer).
 * Run: make check L=04   (or IMPL=path/to/your.c)
 *
 * How the tests force an interleaving without timing: lesson.conf links the program with
 * -Wl,--wrap=pthread_mutex_lock,--wrap=pthread_mutex_trylock, so every lock call the
 * exercise makes goes through the two wrappers below first. In a worker thread of a test
 * (worker_no >= 0) the wrapper may make the thread wait at a "gate" until the other
 * worker has reached a chosen point: both about to take their first lock (MEET), both
 * holding their first lock (HOLD), or the worker asking for a lock the test holds
 * (WATCH). Every other thread, and every call outside these tests, goes straight through.
 * A gate never waits for something a correct transfer() could fail to do: each wait ends
 * as soon as the other worker arrives, blocks on the waiter's lock, or finishes. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "errname.h"
#include "exercise.h"
#include "runner.h"

int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);

/* ---- the gate ---- */

enum gate_mode {
    GATE_OFF,     /* no waiting */
    GATE_MEET,    /* each worker waits before its first lock call until both got there */
    GATE_HOLD,    /* each worker, once it holds its first lock, waits until the other holds
                   * one too (or blocks on the waiter's lock, or finishes) */
    GATE_WATCH,   /* no waiting; note when a worker asks for the lock the test holds */
};
enum { WORKERS = 2 };

/* mu guards every field; it is taken with __real_pthread_mutex_lock (never through the
 * wrapper) and never held while a worker blocks on one of the exercise's locks, so it
 * adds no edge to the exercise's lock order. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum gate_mode mode;
    bool arrived[WORKERS];              /* MEET: reached its first lock call, or finished */
    pthread_mutex_t *first[WORKERS];    /* HOLD: the first lock the worker acquired */
    bool waiting[WORKERS];              /* HOLD: in the gate, holding first[w] */
    bool contended[WORKERS];            /* HOLD: the other worker asked for first[w] */
    pthread_mutex_t *asking[WORKERS];   /* HOLD: the lock the worker has asked for and not
                                         * yet got (it may be blocked on it right now) */
    bool done[WORKERS];                 /* transfer() returned */
    pthread_mutex_t *watched;           /* WATCH: the lock the test holds */
    bool watched_asked;                 /* WATCH: a worker asked for it */
} gate = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Which worker of the current test this thread is; -1 for every other thread. */
static _Thread_local int worker_no = -1;

static void gate_lock(void) { PT_CHECK(__real_pthread_mutex_lock(&gate.mu)); }
static void gate_unlock(void) { PT_CHECK(pthread_mutex_unlock(&gate.mu)); }
static void gate_wait(void) { PT_CHECK(pthread_cond_wait(&gate.cv, &gate.mu)); }
static void gate_wake(void) { PT_CHECK(pthread_cond_broadcast(&gate.cv)); }

/* Called by the main thread before it starts the workers. */
static void gate_arm(enum gate_mode mode, pthread_mutex_t *watched)
{
    gate_lock();
    gate.mode = mode;
    for (int w = 0; w < WORKERS; w++) {
        gate.arrived[w] = gate.waiting[w] = gate.contended[w] = gate.done[w] = false;
        gate.first[w] = gate.asking[w] = NULL;
    }
    gate.watched = watched;
    gate.watched_asked = false;
    gate_unlock();
}

static bool all_arrived(void)
{
    for (int w = 0; w < WORKERS; w++)
        if (!gate.arrived[w])
            return false;
    return true;
}

/* Worker w is about to ask for lock m (with lock or trylock). */
static void gate_before_lock(pthread_mutex_t *m)
{
    int w = worker_no;

    if (w < 0)
        return;
    gate_lock();
    if (gate.mode == GATE_MEET && !gate.arrived[w]) {
        gate.arrived[w] = true;
        gate_wake();
        while (!all_arrived())
            gate_wait();
    } else if (gate.mode == GATE_HOLD) {
        gate.asking[w] = m;
        /* Asking for the lock the other worker holds in its gate: this thread is going to
         * block (or fail its trylock) until the other one goes on, so let it go on. */
        for (int o = 0; o < WORKERS; o++)
            if (o != w && gate.waiting[o] && gate.first[o] == m) {
                gate.contended[o] = true;
                gate_wake();
            }
    } else if (gate.mode == GATE_WATCH && m == gate.watched) {
        gate.watched_asked = true;
        gate_wake();
    }
    gate_unlock();
}

/* Worker w now holds lock m. */
static void gate_acquired(pthread_mutex_t *m)
{
    int w = worker_no;

    if (w < 0)
        return;
    gate_lock();
    gate.asking[w] = NULL;
    if (gate.mode == GATE_HOLD && gate.first[w] == NULL) {
        int o = 1 - w;
        gate.first[w] = m;
        gate.waiting[w] = true;
        gate_wake();
        /* The other worker may have asked for m before this one held it: it is blocked on
         * m now and will never call gate_before_lock again, so it cannot set contended. */
        while (gate.first[o] == NULL && !gate.done[o] && !gate.contended[w] &&
               gate.asking[o] != m)
            gate_wait();
        gate.waiting[w] = false;
    }
    gate_unlock();
}

/* Worker w's transfer() returned: nobody waits for it any more. */
static void gate_finished(int w)
{
    gate_lock();
    gate.done[w] = true;
    gate.arrived[w] = true;
    gate_wake();
    gate_unlock();
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
    gate_before_lock(m);
    int err = __real_pthread_mutex_lock(m);
    if (err == 0)
        gate_acquired(m);
    return err;
}

/* Worker w's trylock failed: it no longer asks for any lock. */
static void gate_gave_up(void)
{
    if (worker_no < 0)
        return;
    gate_lock();
    gate.asking[worker_no] = NULL;
    gate_unlock();
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
    gate_before_lock(m);
    int err = __real_pthread_mutex_trylock(m);
    if (err == 0)
        gate_acquired(m);
    else
        gate_gave_up();
    return err;
}

/* ---- helpers ---- */

/* A value transfer or account_init returned, for messages: "0", "ERANGE", "ENOSYS, the
 * stub's answer". Four rotating buffers, so one message may name up to four values. */
static const char *code_name(int err)
{
    static char buf[4][128];
    static int next;

    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s%s", errno_name(err),
             err == ENOSYS ? ", the stub's answer: not written yet?" : "");
    return b;
}

static void expect_code(int got, int want, const char *what)
{
    if (got != want)
        fail_msg("%s returned %s; expected %s", what, code_name(got), code_name(want));
}

/* account_init that must succeed. It also sets the hang hint of the one-thread tests:
 * with no other thread running, a transfer that never returns waits for itself. */
static void open_account(struct account *a, long id, long balance)
{
    int err = account_init(a, id, balance);
    if (err != 0)
        fail_msg("account_init(&a, %ld, %ld) returned %s; expected 0", id, balance,
                 code_name(err));
    hang_hint("transfer() never returned, and no other thread was running: it waits for a "
              "lock it holds itself (the same lock twice?) or one an earlier call left locked");
    if (a->id != id || a->balance != balance)
        fail_msg("after account_init(&a, %ld, %ld), a.id = %ld and a.balance = %ld; expected "
                 "%ld and %ld", id, balance, a->id, a->balance, id, balance);
}

static void expect_balance(const struct account *a, const char *name, long want,
                           const char *after)
{
    if (a->balance != want)
        fail_msg("after %s, %s's balance is %ld; expected %ld", after, name, a->balance, want);
}

/* The account's lock must be free: the test's own thread can take it at once. */
static void expect_unlocked(struct account *a, const char *name, const char *after)
{
    int err = pthread_mutex_trylock(&a->lock);
    if (err == EBUSY)
        fail_msg("after %s returned, %s's lock is still locked: unlock every lock you took, "
                 "on every path out of transfer (errors included)", after, name);
    if (err != 0)
        fail_msg("pthread_mutex_trylock on %s's lock after %s returned %s; is the lock "
                 "initialised by account_init?", name, after, code_name(err));
    PT_CHECK(pthread_mutex_unlock(&a->lock));
}

/* The end of a test: every transfer has returned, so the account's lock must be free.
 * Checked here, before account_destroy, so that a lock left locked is reported as what it
 * is (a missing unlock in transfer) and not as "pthread_mutex_destroy failed: busy". */
static void close_account(struct account *a, const char *name)
{
    int err = pthread_mutex_trylock(&a->lock);
    if (err == EBUSY)
        fail_msg("every transfer of this test has returned, yet %s's lock is still locked: a "
                 "path out of transfer returned without unlocking it. Unlock every lock you "
                 "took, on every path out of transfer (errors included)", name);
    if (err != 0)
        fail_msg("pthread_mutex_trylock on %s's lock at the end of the test returned %s; is "
                 "the lock initialised by account_init?", name, code_name(err));
    PT_CHECK(pthread_mutex_unlock(&a->lock));
    account_destroy(a);
}

/* One transfer in a worker thread. */
struct job {
    struct account *from, *to;
    long amount;
    int no;        /* worker number for the gate, or -1 */
    int result;    /* what transfer returned; read after the join */
};

static void *run_transfer(void *p)
{
    struct job *j = p;

    worker_no = j->no;
    j->result = transfer(j->from, j->to, j->amount);
    if (j->no >= 0)
        gate_finished(j->no);
    return NULL;
}

/* Start the two workers of a gated test, then join them. */
static void run_two(struct job *j0, struct job *j1)
{
    pthread_t t0, t1;

    j0->no = 0;
    j1->no = 1;
    PT_CHECK(pthread_create(&t0, NULL, run_transfer, j0));
    PT_CHECK(pthread_create(&t1, NULL, run_transfer, j1));
    PT_CHECK(pthread_join(t0, NULL));
    PT_CHECK(pthread_join(t1, NULL));
}

/* ---- account_init ---- */

/* account_init sets id and balance and leaves a working, unlocked mutex: 0. */
static void test_account_init_sets_fields(void **state)
{
    (void)state;
    struct account a;

    expect_code(account_init(&a, 42, 250), 0, "account_init(&a, 42, 250)");
    if (a.id != 42 || a.balance != 250)
        fail_msg("after account_init(&a, 42, 250), a.id = %ld and a.balance = %ld; expected "
                 "42 and 250", a.id, a.balance);
    expect_unlocked(&a, "a", "account_init(&a, 42, 250)");
    close_account(&a, "a");
}

/* A balance of 0 is a valid (empty) account: 0. */
static void test_account_init_accepts_zero_balance(void **state)
{
    (void)state;
    struct account a;

    expect_code(account_init(&a, 1, 0), 0, "account_init(&a, 1, 0) (an empty account)");
    if (a.balance != 0)
        fail_msg("after account_init(&a, 1, 0), a.balance = %ld; expected 0", a.balance);
    close_account(&a, "a");
}

/* A negative balance: EINVAL. */
static void test_account_init_rejects_negative_balance(void **state)
{
    (void)state;
    struct account a;
    int err;

    if ((err = account_init(&a, 1, -1)) != EINVAL)
        fail_msg("account_init(&a, 1, -1) returned %s; expected EINVAL: an account "
                 "cannot start in debt", code_name(err));
    if ((err = account_init(&a, 2, LONG_MIN)) != EINVAL)
        fail_msg("account_init(&a, 2, LONG_MIN) returned %s; expected EINVAL",
                 code_name(err));
}

/* ---- transfer, one thread ---- */

/* Money moves from `from` to `to`, both ways: 0. */
static void test_transfer_moves_money(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 100);
    open_account(&b, 2, 20);
    expect_code(transfer(&a, &b, 30), 0, "transfer(a, b, 30) with a = 100, b = 20");
    expect_balance(&a, "a", 70, "transfer(a, b, 30)");
    expect_balance(&b, "b", 50, "transfer(a, b, 30)");
    expect_code(transfer(&b, &a, 45), 0, "transfer(b, a, 45) with a = 70, b = 50");
    expect_balance(&a, "a", 115, "transfer(b, a, 45)");
    expect_balance(&b, "b", 5, "transfer(b, a, 45)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* A balance equal to the amount is enough: 0, and from ends at 0. */
static void test_transfer_whole_balance_allowed(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 40);
    open_account(&b, 2, 0);
    int err = transfer(&a, &b, 40);
    if (err != 0)
        fail_msg("transfer(a, b, 40) with a = 40 returned %s; expected 0: a balance equal "
                 "to the amount is enough (<= where < belongs?)", code_name(err));
    expect_balance(&a, "a", 0, "transfer(a, b, 40)");
    expect_balance(&b, "b", 40, "transfer(a, b, 40)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* Not enough money: ERANGE, and neither balance changes. */
static void test_transfer_erange_moves_nothing(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 40);
    open_account(&b, 2, 7);
    expect_code(transfer(&a, &b, 41), ERANGE, "transfer(a, b, 41) with a = 40 (ERANGE)");
    expect_balance(&a, "a", 40, "transfer(a, b, 41) returned ERANGE (nothing may move)");
    expect_balance(&b, "b", 7, "transfer(a, b, 41) returned ERANGE (nothing may move)");
    expect_unlocked(&a, "a", "transfer(a, b, 41) (ERANGE)");
    expect_unlocked(&b, "b", "transfer(a, b, 41) (ERANGE)");
    close_account(&a, "a");
    struct account empty;
    open_account(&empty, 3, 0);
    expect_code(transfer(&empty, &b, 1), ERANGE, "transfer(empty, b, 1) with empty = 0");
    expect_balance(&empty, "empty", 0, "transfer(empty, b, 1) returned ERANGE");
    expect_balance(&b, "b", 7, "transfer(empty, b, 1) returned ERANGE");
    close_account(&empty, "empty");
    close_account(&b, "b");
}

/* amount 0 or negative: EINVAL, nothing moves (a negative amount would move money the
 * wrong way). */
static void test_transfer_rejects_nonpositive_amount(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 100);
    open_account(&b, 2, 100);
    expect_code(transfer(&a, &b, 0), EINVAL, "transfer(a, b, 0) (amount must be > 0)");
    expect_code(transfer(&a, &b, -5), EINVAL, "transfer(a, b, -5) (amount must be > 0)");
    expect_code(transfer(&a, &b, LONG_MIN), EINVAL, "transfer(a, b, LONG_MIN)");
    expect_balance(&a, "a", 100, "transfers of 0 and negative amounts (EINVAL: nothing moves)");
    expect_balance(&b, "b", 100, "transfers of 0 and negative amounts (EINVAL: nothing moves)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* from == to: EINVAL at once. Locking the same default mutex twice waits forever. */
static void test_transfer_to_itself_is_einval(void **state)
{
    (void)state;
    struct account a;

    open_account(&a, 1, 100);
    hang_hint("transfer(a, a, 10) never returned: it locked a's mutex twice (a default mutex "
              "locked again by its owner waits forever). Return EINVAL for from == to before "
              "locking anything");
    expect_code(transfer(&a, &a, 10), EINVAL, "transfer(a, a, 10) (from == to)");
    hang_hint(NULL);
    expect_balance(&a, "a", 100, "transfer(a, a, 10)");
    expect_unlocked(&a, "a", "transfer(a, a, 10)");
    close_account(&a, "a");
}

/* After a successful transfer both locks are free again. */
static void test_transfer_releases_both_locks(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 100);
    open_account(&b, 2, 0);
    expect_code(transfer(&a, &b, 10), 0, "transfer(a, b, 10)");
    expect_unlocked(&a, "a", "transfer(a, b, 10)");
    expect_unlocked(&b, "b", "transfer(a, b, 10)");
    expect_code(transfer(&b, &a, 10), 0, "transfer(b, a, 10)");
    expect_unlocked(&a, "a", "transfer(b, a, 10)");
    expect_unlocked(&b, "b", "transfer(b, a, 10)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* After ERANGE or EINVAL both locks are free again (an early return must unlock). */
static void test_transfer_releases_locks_on_errors(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 5);
    open_account(&b, 2, 0);
    expect_code(transfer(&a, &b, 6), ERANGE, "transfer(a, b, 6) with a = 5");
    expect_unlocked(&a, "a", "transfer(a, b, 6) (ERANGE)");
    expect_unlocked(&b, "b", "transfer(a, b, 6) (ERANGE)");
    expect_code(transfer(&b, &a, 0), EINVAL, "transfer(b, a, 0)");
    expect_unlocked(&a, "a", "transfer(b, a, 0) (EINVAL)");
    expect_unlocked(&b, "b", "transfer(b, a, 0) (EINVAL)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* ---- transfer, several threads ---- */

/* transfer takes both accounts' locks: while the test holds one of them, a transfer
 * between the two accounts asks for it (and waits), instead of finishing without it. */
static void test_transfer_holds_both_locks(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 100);
    open_account(&b, 2, 100);
    for (int k = 0; k < 2; k++) {
        struct account *held = k == 0 ? &b : &a;
        const char *name = k == 0 ? "b (to)" : "a (from)";
        struct job j = { .from = &a, .to = &b, .amount = 10, .no = 0 };
        pthread_t t;
        bool finished;

        PT_CHECK(pthread_mutex_lock(&held->lock));
        gate_arm(GATE_WATCH, &held->lock);
        hang_hint("transfer(a, b, 10) neither returned nor asked for %s's lock, which the "
                  "test held", name);
        PT_CHECK(pthread_create(&t, NULL, run_transfer, &j));
        gate_lock();
        while (!gate.watched_asked && !gate.done[0])
            gate_wait();
        finished = gate.done[0] && !gate.watched_asked;
        gate_unlock();
        PT_CHECK(pthread_mutex_unlock(&held->lock));
        hang_hint("transfer(a, b, 10) never returned after the test released %s's lock", name);
        PT_CHECK(pthread_join(t, NULL));
        hang_hint(NULL);
        if (finished)
            fail_msg("transfer(a, b, 10) finished while the test held %s's lock, without ever "
                     "asking for it: the lock guards the balance, so transfer must hold both "
                     "accounts' locks while it reads and changes their balances", name);
        expect_code(j.result, 0, "transfer(a, b, 10) in a thread");
    }
    expect_balance(&a, "a", 80, "two transfer(a, b, 10)");
    expect_balance(&b, "b", 120, "two transfer(a, b, 10)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* Two threads transfer between the same two accounts in opposite directions, and each
 * holds its first lock until the other holds one too. Locks taken in argument order
 * then deadlock every time; taken by id, the second thread waits for the first. 0, 0. */
static void test_transfer_opposite_directions_never_deadlock(void **state)
{
    (void)state;
    struct account a, b;

    open_account(&a, 1, 100);
    open_account(&b, 2, 100);
    struct job ab = { .from = &a, .to = &b, .amount = 30 };
    struct job ba = { .from = &b, .to = &a, .amount = 50 };
    gate_arm(GATE_HOLD, NULL);
    hang_hint("transfer() never returned: two threads wait for each other's lock? Thread 1 "
              "ran transfer(a, b) and thread 2 transfer(b, a); if each locks its `from` "
              "first, each holds the lock the other needs. Lock in one global order (by id)");
    run_two(&ab, &ba);
    hang_hint(NULL);
    expect_code(ab.result, 0, "transfer(a, b, 30) (run beside transfer(b, a, 50))");
    expect_code(ba.result, 0, "transfer(b, a, 50) (run beside transfer(a, b, 30))");
    expect_balance(&a, "a", 120, "transfer(a, b, 30) and transfer(b, a, 50)");
    expect_balance(&b, "b", 80, "transfer(a, b, 30) and transfer(b, a, 50)");
    close_account(&a, "a");
    close_account(&b, "b");
}

/* Two threads each try to move a's whole balance (100), to different accounts, and both
 * reach their first lock call before either takes a lock. Exactly one succeeds; the
 * other gets ERANGE; a ends at 0, never below. */
static void test_transfer_checks_balance_under_the_lock(void **state)
{
    (void)state;
    struct account a, b, c;

    open_account(&a, 1, 100);
    open_account(&b, 2, 0);
    open_account(&c, 3, 0);
    struct job ab = { .from = &a, .to = &b, .amount = 100 };
    struct job ac = { .from = &a, .to = &c, .amount = 100 };
    gate_arm(GATE_MEET, NULL);
    hang_hint("transfer(a, b, 100) and transfer(a, c, 100) at the same time never returned");
    run_two(&ab, &ac);
    hang_hint(NULL);
    if (a.balance < 0 || (ab.result == 0 && ac.result == 0))
        fail_msg("two threads each moved a's whole balance of 100 at the same time: they "
                 "returned %s and %s, and a ended at %ld. Compare the balance with the amount "
                 "only while you hold the locks: a balance read before locking may be spent "
                 "by another thread before you write", code_name(ab.result), code_name(ac.result),
                 a.balance);
    bool one_ok = (ab.result == 0 && ac.result == ERANGE) ||
                  (ab.result == ERANGE && ac.result == 0);
    if (!one_ok)
        fail_msg("transfer(a, b, 100) and transfer(a, c, 100) with a = 100 returned %s and %s; "
                 "expected one 0 and one ERANGE", code_name(ab.result), code_name(ac.result));
    expect_balance(&a, "a", 0, "one transfer of a's whole balance");
    expect_balance(ab.result == 0 ? &b : &c, ab.result == 0 ? "b" : "c", 100,
                   "the transfer that returned 0");
    expect_balance(ab.result == 0 ? &c : &b, ab.result == 0 ? "c" : "b", 0,
                   "the transfer that returned ERANGE");
    close_account(&a, "a");
    close_account(&b, "b");
    close_account(&c, "c");
}

/* Many threads, random transfers between a few accounts in every direction. The total
 * never changes, no balance goes below zero, and every balance equals its start plus what
 * the successful transfers (those that returned 0) moved. ThreadSanitizer also reports any
 * balance read or written without its lock. */
enum { ACCOUNTS = 4, THREADS = 8, ROUNDS = 3000, START = 500 };

struct random_job {
    struct account *acc;   /* ACCOUNTS of them */
    unsigned seed;
    long net[ACCOUNTS];    /* money moved in (+) and out (-) by this thread's successes */
    long ok, erange, other, other_value;
};

static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void *run_random(void *p)
{
    struct random_job *j = p;
    uint32_t x = j->seed;

    for (int r = 0; r < ROUNDS; r++) {
        int f = (int)(next_random(&x) % ACCOUNTS);
        int t = (int)((f + 1 + next_random(&x) % (ACCOUNTS - 1)) % ACCOUNTS);
        long amount = 1 + (long)(next_random(&x) % 80);
        int err = transfer(&j->acc[f], &j->acc[t], amount);
        if (err == 0) {
            j->ok++;
            j->net[f] -= amount;
            j->net[t] += amount;
        } else if (err == ERANGE) {
            j->erange++;
        } else {
            j->other++;
            j->other_value = err;
        }
    }
    return NULL;
}

static void test_transfer_conserves_money_under_many_threads(void **state)
{
    (void)state;
    struct account acc[ACCOUNTS];
    static const long ids[ACCOUNTS] = { 40, 10, 30, 20 };   /* not in array order */
    struct random_job jobs[THREADS] = { { 0 } };
    pthread_t tids[THREADS];

    for (int k = 0; k < ACCOUNTS; k++)
        open_account(&acc[k], ids[k], START);
    for (int i = 0; i < THREADS; i++) {
        jobs[i].acc = acc;
        jobs[i].seed = 2463534242u + 7919u * (unsigned)i;
    }
    hang_hint("transfer() never returned with %d threads moving money between %d accounts in "
              "every direction: two threads wait for each other's lock (lock order?), or a "
              "lock was left locked?", THREADS, ACCOUNTS);
    for (int i = 0; i < THREADS; i++)
        PT_CHECK(pthread_create(&tids[i], NULL, run_random, &jobs[i]));
    for (int i = 0; i < THREADS; i++)
        PT_CHECK(pthread_join(tids[i], NULL));
    hang_hint(NULL);

    long total = 0, ok = 0, want[ACCOUNTS];
    for (int k = 0; k < ACCOUNTS; k++) {
        want[k] = START;
        total += acc[k].balance;
    }
    for (int i = 0; i < THREADS; i++) {
        if (jobs[i].other > 0)
            fail_msg("transfer between two different accounts with an amount from 1 to 80 "
                     "returned %ld (%ld times); expected only 0 or ERANGE",
                     jobs[i].other_value, jobs[i].other);
        ok += jobs[i].ok;
        for (int k = 0; k < ACCOUNTS; k++)
            want[k] += jobs[i].net[k];
    }
    if (total != (long)ACCOUNTS * START)
        fail_msg("%d threads made %ld successful transfers between %d accounts of %d each; "
                 "the total is now %ld instead of %ld: money was created or destroyed (a "
                 "balance changed without its lock, or checked before locking?)", THREADS,
                 ok, ACCOUNTS, START, total, (long)ACCOUNTS * START);
    for (int k = 0; k < ACCOUNTS; k++) {
        if (acc[k].balance < 0)
            fail_msg("account id %ld ended with balance %ld: a transfer spent money the "
                     "account did not have (balance checked before locking?)", ids[k],
                     acc[k].balance);
        if (acc[k].balance != want[k])
            fail_msg("account id %ld ended with %ld, but the transfers that returned 0 add up "
                     "to %ld: an update was lost, or a transfer moved money and returned an "
                     "error", ids[k], acc[k].balance, want[k]);
    }
    for (int k = 0; k < ACCOUNTS; k++) {
        char name[32];
        snprintf(name, sizeof name, "account id %ld", ids[k]);
        close_account(&acc[k], name);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_account_init_sets_fields),
    cmocka_unit_test(test_account_init_accepts_zero_balance),
    cmocka_unit_test(test_account_init_rejects_negative_balance),
    cmocka_unit_test(test_transfer_moves_money),
    cmocka_unit_test(test_transfer_whole_balance_allowed),
    cmocka_unit_test(test_transfer_erange_moves_nothing),
    cmocka_unit_test(test_transfer_rejects_nonpositive_amount),
    cmocka_unit_test(test_transfer_to_itself_is_einval),
    cmocka_unit_test(test_transfer_releases_both_locks),
    cmocka_unit_test(test_transfer_releases_locks_on_errors),
    cmocka_unit_test(test_transfer_holds_both_locks),
    cmocka_unit_test(test_transfer_opposite_directions_never_deadlock),
    cmocka_unit_test(test_transfer_checks_balance_under_the_lock),
    cmocka_unit_test(test_transfer_conserves_money_under_many_threads),
};

COURSE_MAIN("04-deadlocks", tests)
