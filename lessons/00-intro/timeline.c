/* lessons/00-intro/timeline.c: two CPU-bound threads, first held on one core, then free on
 * all cores; draws when each one lived and when it really ran. Concurrency vs parallelism.
 * Build: make -C lessons/00-intro
 * Run:   build/lessons/00-intro/timeline 500000   # numbers each task checks for primes */

/* _GNU_SOURCE: pthread_attr_setaffinity_np, cpu_set_t, CPU_SET and CPU_COUNT are GNU
 * extensions (Linux), not C11 or POSIX. It must come before the first #include. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "marked_task.h"

enum { SLICE = 1000, COLUMNS = 60 };

/* One row of the drawing, from..to cut into COLUMNS slots: '#' the task made progress in
 * that slot (it was running), '.' it was alive but made none (it was waiting for a core),
 * ' ' it had not started or had already finished. */
static void draw(const struct marked_task *t, uint64_t from, uint64_t to)
{
    char row[COLUMNS + 1];
    double width = (double)(to - from) / COLUMNS;
    long k = 0;

    for (int c = 0; c < COLUMNS; c++) {
        uint64_t a = from + (uint64_t)(c * width), b = from + (uint64_t)((c + 1) * width);
        bool ran = false;
        while (k < t->nmarks && t->marks[k] < b) {
            ran = ran || t->marks[k] >= a;
            k++;
        }
        row[c] = ran ? '#' : (b <= t->start || a >= t->end) ? ' ' : '.';
    }
    row[COLUMNS] = '\0';
    printf("    %c |%s|\n", t->name, row);
}

static double ms(uint64_t ns) { return (double)ns / 1e6; }

static void report(const char *title, const struct marked_task *a, const struct marked_task *b)
{
    uint64_t first = a->start < b->start ? a->start : b->start;
    uint64_t last = a->end > b->end ? a->end : b->end;
    uint64_t ov_from = a->start > b->start ? a->start : b->start;
    uint64_t ov_to = a->end < b->end ? a->end : b->end;
    uint64_t overlap = ov_to > ov_from ? ov_to - ov_from : 0;
    uint64_t wall = last - first;

    printf("%s\n", title);
    printf("  A lived %7.1f .. %7.1f ms, ran %6.1f ms of CPU\n", ms(a->start - first),
           ms(a->end - first), ms(a->cpu_ns));
    printf("  B lived %7.1f .. %7.1f ms, ran %6.1f ms of CPU\n", ms(b->start - first),
           ms(b->end - first), ms(b->cpu_ns));
    printf("  lifetimes overlap %.1f ms of %.1f ms wall time (%.0f%%)\n", ms(overlap), ms(wall),
           100.0 * (double)overlap / (double)wall);
    printf("  tasks running at the same instant, on average: %.2f  (CPU time A+B / wall)\n",
           (double)(a->cpu_ns + b->cpu_ns) / (double)wall);
    printf("  whole run, %.1f ms per column ('#' ran, '.' alive but waiting):\n",
           ms(wall) / COLUMNS);
    draw(a, first, last);
    draw(b, first, last);
    /* Zoom on 12 ms where both are alive: one core shows turns, two cores show both. */
    uint64_t zoom = 12000000;
    if (overlap > 0) {
        if (zoom > overlap)
            zoom = overlap;
        printf("  zoom on %.1f ms where both are alive, %.2f ms per column:\n", ms(zoom),
               ms(zoom) / COLUMNS);
        draw(a, ov_from, ov_from + zoom);
        draw(b, ov_from, ov_from + zoom);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: %s NUMBERS\n  each of two tasks counts the primes below NUMBERS "
            "(try 500000)", argv[0]);
    long n = parse_long_arg(argv[1], "NUMBERS", SLICE, 100000000);

    cpu_set_t allowed;
    SYS_CHECK(sched_getaffinity(0, sizeof allowed, &allowed));
    int cores = CPU_COUNT(&allowed), first_cpu = 0;
    while (!CPU_ISSET(first_cpu, &allowed))
        first_cpu++;

    struct marked_task tasks[2];
    marked_task_init(&tasks[0], 'A', n, SLICE);
    marked_task_init(&tasks[1], 'B', n, SLICE);
    const struct marked_task *a = &tasks[0], *b = &tasks[1];

    printf("Two tasks, each counting the primes below %ld. This process may use %d core%s.\n\n",
           n, cores, cores == 1 ? "" : "s");

    /* A alone, twice: the first run only warms up the caches and the CPU's clock. */
    for (int run = 0; run < 2; run++)
        marked_tasks_run(tasks, 1, -1);
    printf("A alone: %.1f ms wall, %.1f ms of CPU, %ld primes. That is the work of one task.\n",
           ms(a->end - a->start), ms(a->cpu_ns), a->primes);
    if (a->end - a->start > a->cpu_ns + a->cpu_ns / 5)
        printf("(Wall time well above CPU time: other programs used the cores meanwhile.)\n");
    printf("\n");

    marked_tasks_run(tasks, 2, first_cpu);
    char title[128];
    snprintf(title, sizeof title, "A and B together, both held on core %d:", first_cpu);
    report(title, a, b);

    marked_tasks_run(tasks, 2, -1);
    snprintf(title, sizeof title, "A and B together, free on all %d core%s:", cores,
             cores == 1 ? "" : "s");
    report(title, a, b);
    if (cores == 1)
        printf("Only one core here: the second run cannot be parallel either.\n");

    marked_task_free(&tasks[0]);
    marked_task_free(&tasks[1]);
    return 0;
}
