/* lessons/05-condition-variables/pc.c: bounded producer/consumer, one mutex, two condvars.
 * Build: make -C lessons/05-condition-variables
 * Run:   build/lessons/05-condition-variables/pc 4 100000 8   # consumers, items, capacity */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* A small bounded queue of longs, private to this demo (the exercise builds the real one).
 * mu guards every field below it. Invariant while mu is free: 0 <= count <= cap. */
struct queue {
    pthread_mutex_t mu;
    pthread_cond_t not_full;    /* producers sleep here while count == cap */
    pthread_cond_t not_empty;   /* consumers sleep here while count == 0 */
    long *slot;
    int cap, head, count;
    bool done;                  /* no more items will come */
    long full_waits;            /* how often a producer found the queue full */
    long empty_waits;           /* how often a consumer found it empty */
};

static void queue_put(struct queue *q, long v)
{
    PT_CHECK(pthread_mutex_lock(&q->mu));
    while (q->count == q->cap) {      /* while, never if: see README, "Why while" */
        q->full_waits++;
        PT_CHECK(pthread_cond_wait(&q->not_full, &q->mu));
    }
    q->slot[(q->head + q->count) % q->cap] = v;
    q->count++;
    PT_CHECK(pthread_cond_signal(&q->not_empty));
    PT_CHECK(pthread_mutex_unlock(&q->mu));
}

/* false when the queue is finished and empty. */
static bool queue_get(struct queue *q, long *v)
{
    PT_CHECK(pthread_mutex_lock(&q->mu));
    while (q->count == 0 && !q->done) {
        q->empty_waits++;
        PT_CHECK(pthread_cond_wait(&q->not_empty, &q->mu));
    }
    bool got = q->count > 0;
    if (got) {
        *v = q->slot[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        PT_CHECK(pthread_cond_signal(&q->not_full));
    }
    PT_CHECK(pthread_mutex_unlock(&q->mu));
    return got;
}

static void queue_finish(struct queue *q)
{
    PT_CHECK(pthread_mutex_lock(&q->mu));
    q->done = true;
    PT_CHECK(pthread_cond_broadcast(&q->not_empty));   /* every consumer must see it */
    PT_CHECK(pthread_mutex_unlock(&q->mu));
}

/* Each consumer adds up what it got; only it writes its struct until it is joined. */
struct consumer {
    pthread_t tid;
    struct queue *q;
    long items, sum;
};

static void *consume(void *arg)
{
    struct consumer *c = arg;
    long v;

    while (queue_get(c->q, &v)) {
        c->items++;
        c->sum += v;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        die("usage: %s CONSUMERS ITEMS CAPACITY   (e.g. 4 100000 8)", argv[0]);
    int nc = (int)parse_long_arg(argv[1], "CONSUMERS", 1, 64);
    long items = parse_long_arg(argv[2], "ITEMS", 0, 100000000);
    int cap = (int)parse_long_arg(argv[3], "CAPACITY", 1, 1000000);

    struct queue q = { .cap = cap };
    struct consumer *cs = calloc((size_t)nc, sizeof *cs);
    q.slot = calloc((size_t)cap, sizeof *q.slot);
    if (cs == NULL || q.slot == NULL)
        die("out of memory");
    PT_CHECK(pthread_mutex_init(&q.mu, NULL));
    PT_CHECK(pthread_cond_init(&q.not_full, NULL));
    PT_CHECK(pthread_cond_init(&q.not_empty, NULL));

    for (int i = 0; i < nc; i++) {
        cs[i].q = &q;
        PT_CHECK(pthread_create(&cs[i].tid, NULL, consume, &cs[i]));
    }
    for (long v = 1; v <= items; v++)   /* the main thread is the producer */
        queue_put(&q, v);
    queue_finish(&q);

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
    printf("producer found the queue full %ld times; consumers found it empty %ld times\n",
           q.full_waits, q.empty_waits);
    PT_CHECK(pthread_cond_destroy(&q.not_empty));
    PT_CHECK(pthread_cond_destroy(&q.not_full));
    PT_CHECK(pthread_mutex_destroy(&q.mu));
    free(q.slot);
    free(cs);
    return total == items && sum == items * (items + 1) / 2 ? 0 : 1;
}
