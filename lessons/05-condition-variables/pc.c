/* lessons/05-condition-variables/pc.c: producer/consumer through a one-slot mailbox.
 * Build: make -C lessons/05-condition-variables
 * Run:   build/lessons/05-condition-variables/pc 4 100000   # consumers, items */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* A mailbox that holds at most one long, private to this demo. It is deliberately not the
 * exercise's design: one slot instead of a ring, and ONE condition variable for both
 * reasons to wait, so every change must be broadcast (see README, "Signal or broadcast").
 * mu guards every field below it. */
struct mailbox {
    pthread_mutex_t mu;
    pthread_cond_t changed;     /* broadcast whenever full or done changes */
    long value;                 /* meaningful only while full */
    bool full;
    bool done;                  /* no more items will come */
    long put_sleeps;            /* how often the producer found the box full and slept */
    long take_sleeps;           /* how often a consumer found it empty and slept */
    long take_wasted;           /* how often a consumer woke and found it empty again */
};

static void mailbox_put(struct mailbox *m, long v)
{
    PT_CHECK(pthread_mutex_lock(&m->mu));
    while (m->full) {               /* while, never if: see README, "Why while" */
        m->put_sleeps++;
        PT_CHECK(pthread_cond_wait(&m->changed, &m->mu));
    }
    m->value = v;
    m->full = true;
    PT_CHECK(pthread_cond_broadcast(&m->changed));
    PT_CHECK(pthread_mutex_unlock(&m->mu));
}

/* false when the mailbox is finished and empty. */
static bool mailbox_take(struct mailbox *m, long *v)
{
    PT_CHECK(pthread_mutex_lock(&m->mu));
    while (!m->full && !m->done) {
        m->take_sleeps++;
        PT_CHECK(pthread_cond_wait(&m->changed, &m->mu));
        if (!m->full && !m->done)
            m->take_wasted++;   /* another consumer was faster, or it was the producer's turn */
    }
    bool got = m->full;
    if (got) {
        *v = m->value;
        m->full = false;
        PT_CHECK(pthread_cond_broadcast(&m->changed));
    }
    PT_CHECK(pthread_mutex_unlock(&m->mu));
    return got;
}

static void mailbox_finish(struct mailbox *m)
{
    PT_CHECK(pthread_mutex_lock(&m->mu));
    m->done = true;
    PT_CHECK(pthread_cond_broadcast(&m->changed));   /* every consumer must see it */
    PT_CHECK(pthread_mutex_unlock(&m->mu));
}

/* Each consumer adds up what it got; only it writes its struct until it is joined. */
struct consumer {
    pthread_t tid;
    struct mailbox *m;
    long items, sum;
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    long v;

    while (mailbox_take(c->m, &v)) {
        c->items++;
        c->sum += v;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die("usage: %s CONSUMERS ITEMS   (e.g. 4 100000)", argv[0]);
    int nc = (int)parse_long_arg(argv[1], "CONSUMERS", 1, 64);
    long items = parse_long_arg(argv[2], "ITEMS", 0, 100000000);

    struct mailbox m = { .full = false };
    struct consumer *cs = calloc((size_t)nc, sizeof *cs);
    if (cs == NULL)
        die("out of memory");
    PT_CHECK(pthread_mutex_init(&m.mu, NULL));
    PT_CHECK(pthread_cond_init(&m.changed, NULL));

    for (int i = 0; i < nc; i++) {
        cs[i].m = &m;
        PT_CHECK(pthread_create(&cs[i].tid, NULL, consume, &cs[i]));
    }
    for (long v = 1; v <= items; v++)   /* the main thread is the producer */
        mailbox_put(&m, v);
    mailbox_finish(&m);

    long total = 0, sum = 0;
    for (int i = 0; i < nc; i++) {
        PT_CHECK(pthread_join(cs[i].tid, NULL));
        printf("consumer %d: %ld items\n", i, cs[i].items);
        total += cs[i].items;
        sum += cs[i].sum;
    }
    /* Every thread is joined: the counters may be read without the lock now. */
    printf("items got: %ld of %ld, sum %ld (expected %ld)\n", total, items, sum,
           items * (items + 1) / 2);
    printf("producer slept %ld times; consumers slept %ld times, and %ld of their wake-ups "
           "found the box empty again\n", m.put_sleeps, m.take_sleeps, m.take_wasted);
    PT_CHECK(pthread_cond_destroy(&m.changed));
    PT_CHECK(pthread_mutex_destroy(&m.mu));
    free(cs);
    return total == items && sum == items * (items + 1) / 2 ? 0 : 1;
}
