/* lessons/07-event-loop/phases.c: one timer, idle, prepare and check handle on one loop; each
 * callback prints its name and the loop iteration, so the order of the phases shows.
 * Build: make -C lessons/07-event-loop
 * Run:   build/lessons/07-event-loop/phases 3        # loop iterations to watch */
#include <stdio.h>

#include "check.h"
#include "uv_check.h"

static long iteration = 1;     /* only the loop's thread touches it: no lock needed */
static long iterations;        /* how many to watch (from the command line) */

static uv_timer_t timer;
static uv_idle_t idle;
static uv_prepare_t prepare;
static uv_check_t check;

static void on_timer(uv_timer_t *t)
{
    (void)t;
    printf("iteration %ld: timer    (due timers run first)\n", iteration);
}

static void on_idle(uv_idle_t *h)
{
    (void)h;
    printf("iteration %ld: idle     (an active idle handle makes the poll below not wait)\n",
           iteration);
}

static void on_prepare(uv_prepare_t *h)
{
    (void)h;
    printf("iteration %ld: prepare  (last thing before the loop polls for I/O)\n", iteration);
}

static void on_closed(uv_handle_t *h)
{
    printf("iteration %ld: closed %s  (close callbacks run last in the iteration)\n", iteration,
           uv_handle_type_name(uv_handle_get_type(h)));
}

static void on_check(uv_check_t *h)
{
    (void)h;
    printf("iteration %ld: check    (first thing after the poll)\n", iteration);
    if (iteration == iterations) {
        /* Stopping is not enough: a stopped handle is still in the loop, and
         * uv_loop_close would say EBUSY. Close all four; the callbacks run at the end of
         * this same iteration. */
        printf("iteration %ld: uv_close on timer, idle, prepare, check\n", iteration);
        uv_close((uv_handle_t *)&timer, on_closed);
        uv_close((uv_handle_t *)&idle, on_closed);
        uv_close((uv_handle_t *)&prepare, on_closed);
        uv_close((uv_handle_t *)&check, on_closed);
    }
    if (iteration < iterations)
        iteration++;
}

int main(int argc, char **argv)
{
    uv_loop_t loop;

    if (argc != 2) {
        fprintf(stderr, "usage: %s ITERATIONS   (e.g. %s 3)\n", argv[0], argv[0]);
        return 1;
    }
    iterations = parse_long_arg(argv[1], "iterations", 1, 100);

    UV_CHECK(uv_loop_init(&loop));
    UV_CHECK(uv_timer_init(&loop, &timer));
    UV_CHECK(uv_idle_init(&loop, &idle));
    UV_CHECK(uv_prepare_init(&loop, &prepare));
    UV_CHECK(uv_check_init(&loop, &check));
    /* Timeout 0, repeat 1 ms: due at once, then again each millisecond. The idle handle
     * keeps every poll from sleeping, so some iterations come before 1 ms has passed and
     * have no timer line. */
    UV_CHECK(uv_timer_start(&timer, on_timer, 0, 1));
    UV_CHECK(uv_idle_start(&idle, on_idle));
    UV_CHECK(uv_prepare_start(&prepare, on_prepare));
    UV_CHECK(uv_check_start(&check, on_check));

    UV_CHECK(uv_run(&loop, UV_RUN_DEFAULT));   /* ends when no handle is left */
    UV_CHECK(uv_loop_close(&loop));
    printf("uv_run returned after %ld iterations; uv_loop_close returned 0\n", iteration);
    return 0;
}
