/* lessons/10-stackless-coroutines/co.h: stackless coroutines in plain C, in the switch/case
 * style (Duff's device, as in Simon Tatham's "Coroutines in C" and Adam Dunkels' protothreads).
 *
 * A coroutine here is an ordinary function plus an int that remembers where to go on:
 *
 *   int step(struct thing *t)
 *   {
 *       CO_BEGIN(t->co_state);            opens a switch on the resume point
 *       for (t->i = 0; t->i < 3; t->i++)
 *           CO_YIELD(t->co_state, 1);     saves "resume here", returns 1
 *       CO_END(t->co_state);              closes the switch, marks it finished (-1)
 *       return 0;                         what every call after the end returns
 *   }
 *
 * The int: 0 = not started, a line number = suspended at the CO_YIELD on that line,
 * -1 = finished. A call with state -1 matches no case, jumps past the whole body and ends at
 * the function's final return: a finished coroutine runs nothing.
 *
 * Three rules follow from the trick (the lesson shows each):
 * - A local variable does not survive a CO_YIELD: the yield is a real return, so the C stack
 *   frame is gone, and the next call starts a fresh one. Whatever must be remembered across a
 *   yield lives in the struct.
 * - One CO_YIELD per line: the line number is the case label, and two equal labels do not
 *   compile.
 * - No CO_YIELD inside a switch statement of your own (its case label would belong to that
 *   switch), and none in a function called from the coroutine: only the coroutine's own
 *   function can yield. That is what "stackless" means. */
#ifndef LESSON10_CO_H
#define LESSON10_CO_H

/* Start of the coroutine's body: jump to where the last call left off. */
#define CO_BEGIN(state) \
    switch (state) {    \
    case 0:

/* Leave now, returning value; the next call goes on just after this line. */
#define CO_YIELD(state, value)   \
    do {                         \
        (state) = __LINE__;      \
        return (value);          \
    case __LINE__:;              \
    } while (0)

/* End of the body: the coroutine has finished, and every later call skips to the code after
 * CO_END (the function's final return). */
#define CO_END(state) \
    }                 \
    (state) = -1

/* True once the coroutine has run to its CO_END. */
#define CO_DONE(state) ((state) == -1)

#endif
