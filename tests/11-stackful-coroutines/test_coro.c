/* tests/11-stackful-coroutines/test_coro.c: lesson 11's tests (coro_create, coro_resume,
 * coro_yield, coro_done, coro_destroy).
 * Run: make check L=11   (or IMPL=path/to/your.c)
 *
 * How these tests stay deterministic. Coroutines on one thread take turns only where the code
 * says so (coro_resume, coro_yield), so most tests simply write down the order things happened
 * in and compare it with the order the contract gives. Two kinds of test need more:
 *   - A stack overflow kills the process that has it. Those tests fork: the child overflows
 *     on purpose, and the parent looks at how it ended (killed by SIGSEGV = a guard page was
 *     hit; normal exit = the coroutine wrote past its stack into other memory).
 *   - Lost registers show up only as wrong values. Coroutines that keep many values alive
 *     across coro_yield run in turn with one that fills the callee-saved registers with junk;
 *     every value is checked against the same computation done without any switch. */
#define _GNU_SOURCE   /* MAP_ANONYMOUS for the neighbour mapping below */
#include <errno.h>
#include <fenv.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "exercise.h"
#include "runner.h"

#define KIB ((size_t)1024)

/* Under ThreadSanitizer a few checks are sized differently (each says why). */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

/* ---- a log of what ran, in order ---- */

struct trace {
    char steps[64];
    int n;
};

static struct trace tr;

static void step(char c)
{
    if (tr.n < (int)sizeof tr.steps - 1)
        tr.steps[tr.n++] = c;
    tr.steps[tr.n] = '\0';
}

static void expect_trace(const char *want, const char *what)
{
    if (strcmp(tr.steps, want) != 0)
        fail_msg("%s: the steps ran in the order \"%s\"; expected \"%s\"", what, tr.steps, want);
}

static struct coro *create_ok(void (*fn)(void *), void *arg, size_t size)
{
    errno = 0;
    struct coro *c = coro_create(fn, arg, size);
    if (c == NULL)
        fail_msg("coro_create(fn, arg, %zu) returned NULL (errno %d, %s); expected a coroutine",
                 size, errno, strerror(errno));
    return c;
}

static void resume_ok(struct coro *c, const char *what)
{
    hang_hint("coro_resume(%s) never came back: does coro_yield (or the end of fn) switch "
              "back to the context saved by coro_resume?", what);
    int rc = coro_resume(c);
    hang_hint(NULL);
    if (rc != 0)
        fail_msg("coro_resume(%s) returned %d; expected 0 (it is suspended)", what, rc);
}

/* ---- coro_create's arguments ---- */

static void noop(void *arg)
{
    (void)arg;
}

/* EINVAL for fn == NULL or a stack under 16 KiB; exactly 16 KiB is fine. */
static void test_coro_create_rejects_bad_arguments(void **state)
{
    (void)state;
    expect_errno_eq(coro_create(NULL, NULL, 64 * KIB) != NULL, 0, EINVAL,
                    "coro_create(NULL, NULL, 65536) != NULL");
    expect_errno_eq(coro_create(noop, NULL, 16 * KIB - 1) != NULL, 0, EINVAL,
                    "coro_create(fn, NULL, 16383) != NULL");
    expect_errno_eq(coro_create(noop, NULL, 0) != NULL, 0, EINVAL,
                    "coro_create(fn, NULL, 0) != NULL");
    struct coro *c = create_ok(noop, NULL, 16 * KIB);
    coro_destroy(c);
}

/* A size whose rounding up to pages overflows, or that no memory can hold: NULL and ENOMEM
 * (not a tiny stack made from a wrapped-around size). */
static void test_coro_create_huge_stack_is_enomem(void **state)
{
    (void)state;
    const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 4095, SIZE_MAX / 2, (size_t)1 << 60};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        errno = 0;
        struct coro *c = coro_create(noop, NULL, sizes[i]);
        if (c != NULL) {
            coro_destroy(c);
            fail_msg("coro_create(fn, NULL, %zu) succeeded; no machine has that much memory: "
                     "did rounding up to whole pages overflow to a small size? Expected NULL "
                     "with errno ENOMEM", sizes[i]);
        }
        if (errno != ENOMEM)
            fail_msg("coro_create(fn, NULL, %zu) set errno %d (%s); expected ENOMEM (%d)",
                     sizes[i], errno, strerror(errno), ENOMEM);
    }
}

/* ---- running, yielding, finishing ---- */

static void log_arg(void *arg)
{
    step(*(char *)arg);
}

/* fn does not run in coro_create; coro_resume runs fn(arg); fn returning ends it. */
static void test_coro_resume_runs_fn_with_its_arg(void **state)
{
    (void)state;
    tr.n = 0;
    char letter = 'x';
    struct coro *c = create_ok(log_arg, &letter, 64 * KIB);
    step('c');
    if (coro_done(c))
        fail_msg("coro_done is true for a coroutine never resumed; expected false");
    resume_ok(c, "c");
    step('m');
    expect_trace("cxm", "create, resume (fn logs its arg 'x'), back in the caller");
    if (!coro_done(c))
        fail_msg("coro_done is false after fn returned; expected true");
    coro_destroy(c);
}

static void three_steps(void *arg)
{
    (void)arg;
    step('1');
    coro_yield();
    step('2');
    coro_yield();
    step('3');
}

/* Each coro_yield goes back to the caller of coro_resume; the next resume continues after it. */
static void test_coro_yield_returns_to_resumer(void **state)
{
    (void)state;
    tr.n = 0;
    struct coro *c = create_ok(three_steps, NULL, 64 * KIB);
    for (int i = 0; i < 3; i++) {
        if (coro_done(c))
            fail_msg("coro_done is true after %d resumes of a coroutine that yields twice and "
                     "then returns; expected false", i);
        resume_ok(c, "c");
        step('m');
    }
    expect_trace("1m2m3m", "a coroutine that logs 1, yields, logs 2, yields, logs 3");
    if (!coro_done(c))
        fail_msg("coro_done is false after fn returned; expected true");
    coro_destroy(c);
}

/* A finished coroutine cannot be resumed: EINVAL, and nothing runs. */
static void test_coro_resume_finished_is_einval(void **state)
{
    (void)state;
    tr.n = 0;
    char letter = 'x';
    struct coro *c = create_ok(log_arg, &letter, 64 * KIB);
    resume_ok(c, "c");
    hang_hint("coro_resume of a finished coroutine never came back: it must return EINVAL "
              "without switching");
    int rc = coro_resume(c);
    hang_hint(NULL);
    if (rc != EINVAL)
        fail_msg("coro_resume of a finished coroutine returned %d; expected EINVAL (%d)", rc,
                 EINVAL);
    expect_trace("x", "fn ran once; the second resume must not run anything");
    expect_long_eq(coro_resume(NULL), EINVAL, "coro_resume(NULL)");
    coro_destroy(c);
}

static struct coro *inner, *outer;

static void inner_fn(void *arg)
{
    (void)arg;
    step('b');
    coro_yield();   /* back to outer, which resumed us, not to the test */
    step('c');
}

static void outer_fn(void *arg)
{
    (void)arg;
    step('A');
    resume_ok(inner, "inner (from inside outer)");
    step('B');      /* inner yielded: we are back here */
    coro_yield();   /* back to the test */
    step('C');
    resume_ok(inner, "inner (from inside outer)");
    step('D');      /* inner finished: back here too */
}

/* Nested: outer resumes inner; inner's yield (and its end) go back to outer, not to the test. */
static void test_coro_yield_nested_returns_to_outer(void **state)
{
    (void)state;
    tr.n = 0;
    outer = create_ok(outer_fn, NULL, 64 * KIB);
    inner = create_ok(inner_fn, NULL, 64 * KIB);
    resume_ok(outer, "outer");
    step('m');
    resume_ok(outer, "outer");
    step('m');
    expect_trace("AbBmCcDm", "outer resumes inner; inner yields; outer yields; ... (a yield "
                             "goes back to whoever resumed: the current coroutine's resumer)");
    if (!coro_done(inner) || !coro_done(outer))
        fail_msg("coro_done is false for a coroutine whose fn returned");
    coro_destroy(inner);
    coro_destroy(outer);
}

static int self_rc, outer_from_inner_rc, inner_self_rc;

static void chain_inner(void *arg)
{
    (void)arg;
    hang_hint("inside a nested coroutine, coro_resume of a coroutine on the chain of resumes "
              "never came back: it must return EINVAL at once");
    outer_from_inner_rc = coro_resume(outer);
    inner_self_rc = coro_resume(inner);
    hang_hint(NULL);
}

static void chain_outer(void *arg)
{
    (void)arg;
    hang_hint("a coroutine called coro_resume on itself and it never came back: it must "
              "return EINVAL at once");
    self_rc = coro_resume(outer);
    hang_hint(NULL);
    resume_ok(inner, "inner (from inside outer)");
}

/* Every coroutine on the chain of resumes is running: resuming any of them is EINVAL. */
static void test_coro_resume_running_is_einval(void **state)
{
    (void)state;
    self_rc = outer_from_inner_rc = inner_self_rc = -1;
    outer = create_ok(chain_outer, NULL, 64 * KIB);
    inner = create_ok(chain_inner, NULL, 64 * KIB);
    resume_ok(outer, "outer");
    if (self_rc != EINVAL)
        fail_msg("a coroutine's coro_resume of itself returned %d; expected EINVAL (%d)",
                 self_rc, EINVAL);
    if (inner_self_rc != EINVAL)
        fail_msg("a nested coroutine's coro_resume of itself returned %d; expected EINVAL",
                 inner_self_rc);
    if (outer_from_inner_rc != EINVAL)
        fail_msg("inner (resumed by outer) called coro_resume(outer) and got %d; expected "
                 "EINVAL (%d): outer is waiting for inner, so it is running too",
                 outer_from_inner_rc, EINVAL);
    if (!coro_done(inner) || !coro_done(outer))
        fail_msg("coro_done is false for a coroutine whose fn returned");
    coro_destroy(inner);
    coro_destroy(outer);
}

static void one_yield(void *arg)
{
    (void)arg;
    step('1');
    coro_yield();
    step('2');
}

/* Outside any coroutine coro_yield returns at once: before any coroutine, while one is
 * suspended, and after one finished. */
static void test_coro_yield_outside_coroutine_does_nothing(void **state)
{
    (void)state;
    tr.n = 0;
    hang_hint("coro_yield() called outside any coroutine never returned: it must do nothing");
    coro_yield();
    step('a');
    struct coro *c = create_ok(one_yield, NULL, 64 * KIB);
    resume_ok(c, "c");
    hang_hint("coro_yield() called by the test while a coroutine was suspended never "
              "returned: after the coroutine yielded, no coroutine is current");
    coro_yield();
    step('b');
    resume_ok(c, "c");
    hang_hint("coro_yield() called after a coroutine finished never returned");
    coro_yield();
    hang_hint(NULL);
    step('c');
    expect_trace("a1b2c", "coro_yield() in the test between the steps of a coroutine");
    coro_destroy(c);
}

/* ---- the stack: its size and its guard page ---- */

/* Run fn in a child process; return its wait status. The child ends with _exit. */
static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed: %s", strerror(errno));
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status;
    hang_hint("the child process that overflows a coroutine's stack never ended");
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid failed: %s", strerror(errno));
    hang_hint(NULL);
    return status;
}

/* A fault must kill the child at once, whatever a sanitizer would rather do. */
static void default_segv(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* Touch `used` bytes of this frame, both ends and every 512th byte between. */
#define BIG_STACK (64 * KIB)
/* Room for the frames above ours (the coroutine's start, this function), and under TSan for
 * its run-time library, which a write may call into with a few KiB of stack. */
#define MARGIN ((UNDER_TSAN ? 12 : 3) * KIB)

static void use_nearly_all(void *arg)
{
    (void)arg;
    volatile char big[BIG_STACK - MARGIN];
    for (size_t i = 0; i < sizeof big; i += 512)
        big[i] = (char)i;
    big[sizeof big - 1] = 1;
    big[0] = 2;
    step('u');
}

static void size_child(void)
{
    default_segv();
    struct coro *c = coro_create(use_nearly_all, NULL, BIG_STACK);
    if (c == NULL)
        _exit(3);
    coro_resume(c);
    coro_destroy(c);
    _exit(tr.n == 1 ? 0 : 4);
}

/* A coroutine asked for 64 KiB can use 64 KiB (less a small margin for the frames above). */
static void test_coro_stack_is_as_large_as_asked(void **state)
{
    (void)state;
    tr.n = 0;
    int st = in_child(size_child);
    if (WIFSIGNALED(st))
        fail_msg("a coroutine with a %zu-byte stack faulted (signal %d) using %zu bytes of it: "
                 "the stack is smaller than asked (is the guard page taken out of stack_size? "
                 "is the size rounded down?)", BIG_STACK, WTERMSIG(st), BIG_STACK - MARGIN);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("the child that used most of a %zu-byte coroutine stack ended with status %d "
                 "(3: coro_create failed, 4: fn did not finish)", BIG_STACK,
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* The overflow experiment: the coroutine hands the test the address of a local, the test
 * finds the stack's mapping in /proc/self/maps and, if nothing is mapped right below it, maps
 * writable memory there (the neighbour a real program would have). Then the coroutine recurses
 * until it is 16 KiB below the bottom of its stack. With a guard page it dies of SIGSEGV
 * on the first byte below; without one it scribbles over the neighbour and comes back. */
static uintptr_t local_addr, stack_bottom;

static long recurse(int depth)
{
    volatile char frame[200];
    frame[0] = (char)depth;
    frame[sizeof frame - 1] = (char)depth;
    if ((uintptr_t)&frame[0] < stack_bottom - 16 * KIB || depth > 10000)
        return frame[0];
    return recurse(depth + 1) + frame[sizeof frame - 1];   /* not a tail call */
}

static void overflow_fn(void *arg)
{
    (void)arg;
    volatile char here = 0;
    local_addr = (uintptr_t)&here;
    coro_yield();
    recurse(0);
}

/* The mapping of /proc/self/maps holding addr: its start and, through below_end, the end of
 * the mapping just under it (0 if none). */
static bool find_mapping(uintptr_t addr, uintptr_t *start, uintptr_t *below_end, char perms[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return false;
    char line[512];
    uintptr_t prev_end = 0;
    bool found = false;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        char p[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) != 3)
            continue;
        if (addr >= lo && addr < hi) {
            *start = lo;
            *below_end = prev_end;
            found = true;
            break;
        }
        prev_end = hi;
        memcpy(perms, p, 5);
    }
    fclose(f);
    return found;
}

static void guard_child(void)
{
    default_segv();
    struct coro *c = coro_create(overflow_fn, NULL, 64 * KIB);
    if (c == NULL)
        _exit(3);
    coro_resume(c);
    uintptr_t below_end;
    char perms[5] = "";
    if (!find_mapping(local_addr, &stack_bottom, &below_end, perms))
        _exit(5);
    if (below_end != stack_bottom) {
        /* Nothing right below the stack: put writable memory there. */
        size_t len = 64 * KIB;
        void *want = (void *)(stack_bottom - len);
        void *got = mmap(want, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (got != want)
            _exit(6);
    }
    coro_resume(c);
    _exit(0);   /* came back: the recursion wrote 16 KiB below the stack, and nothing stopped it */
}

/* Running off the bottom of a coroutine's stack hits an inaccessible guard page (SIGSEGV)
 * instead of silently overwriting the memory below. */
static void test_coro_stack_overflow_hits_guard_page(void **state)
{
    (void)state;
    int st = in_child(guard_child);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
        return;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        fail_msg("a coroutine recursed 16 KiB past the bottom of its stack and nothing stopped "
                 "it: it overwrote the memory below. Below the stack there must be a guard page "
                 "that is mapped PROT_NONE (mprotect), inside the same mapping");
    if (WIFEXITED(st))
        fail_msg("the overflow child ended with status %d (3: coro_create failed, 5: the "
                 "stack's mapping was not found, 6: could not map memory below it)",
                 WEXITSTATUS(st));
    fail_msg("a coroutine that overflowed its stack died of signal %d; expected SIGSEGV (%d), "
             "from touching the guard page", WTERMSIG(st), SIGSEGV);
}

/* ---- what a switch must keep ---- */

/* Many values alive across each yield: more than there are callee-saved registers. */
struct keeper {
    long seed;
    bool yield;
    long sum;
    double dsum;
};

static void keep_values(void *arg)
{
    struct keeper *k = arg;
    long a = k->seed, b = a * 3 + 1, c = b ^ 0x5555, d = c + a * 7, e = d * 5 - b;
    long f = e ^ (a << 3), g = f + c, h = g * 9 + e, i = h ^ d, j = i + b * 11;
    double x = (double)a * 0.5, y = x + 1.25, z = y * 3.0, w = z - x / 7.0;
    for (int r = 0; r < 4; r++) {
        if (k->yield)
            coro_yield();
        a += j; b ^= a; c += b * 3; d -= c; e += d ^ a; f ^= e; g += f; h -= g; i ^= h;
        j += i;
        x = x * 1.5 + y; y = y - z * 0.25; z = z + w; w = w * 0.75 + x;
    }
    k->sum = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h ^ i ^ j;
    k->dsum = x + y + z + w;
}

/* Fill the callee-saved registers with junk, then yield with the junk in them. */
static void scramble(void *arg)
{
    (void)arg;
    for (int r = 0; r < 4; r++) {
#if defined(__x86_64__)
        __asm__ volatile("movq $0x1badbad1, %%rbx\n\t"
                         "movq $0x2badbad2, %%r12\n\t"
                         "movq $0x3badbad3, %%r13\n\t"
                         "movq $0x4badbad4, %%r14\n\t"
                         "movq $0x5badbad5, %%r15\n\t"
                         :
                         :
                         : "rbx", "r12", "r13", "r14", "r15");
#elif defined(__aarch64__)
        __asm__ volatile("mov x19, #0xbad1\n\tmov x20, #0xbad2\n\tmov x21, #0xbad3\n\t"
                         "mov x22, #0xbad4\n\tmov x23, #0xbad5\n\tmov x24, #0xbad6\n\t"
                         "mov x25, #0xbad7\n\tmov x26, #0xbad8\n\tmov x27, #0xbad9\n\t"
                         "mov x28, #0xbada\n\tfmov d8, x19\n\tfmov d9, x20\n\t"
                         "fmov d10, x21\n\tfmov d11, x22\n\tfmov d12, x23\n\t"
                         "fmov d13, x24\n\tfmov d14, x25\n\tfmov d15, x26\n\t"
                         :
                         :
                         : "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
                           "x28", "d8", "d9", "d10", "d11", "d12", "d13", "d14", "d15");
#endif
        coro_yield();
    }
}

/* Values kept in registers and on the stack by two coroutines, and by the test itself,
 * survive switches to a coroutine that puts junk in every callee-saved register. */
static void test_coro_switch_keeps_callee_saved_registers(void **state)
{
    (void)state;
    struct keeper want[2] = {{.seed = 12345, .yield = false}, {.seed = 987, .yield = false}};
    struct keeper got[2] = {{.seed = 12345, .yield = true}, {.seed = 987, .yield = true}};
    keep_values(&want[0]);
    keep_values(&want[1]);
    struct coro *k0 = create_ok(keep_values, &got[0], 64 * KIB);
    struct coro *k1 = create_ok(keep_values, &got[1], 64 * KIB);
    struct coro *s = create_ok(scramble, NULL, 64 * KIB);
    /* The test's own values, alive across every resume. */
    long m0 = want[0].sum, m1 = m0 * 3 + 7, m2 = m1 ^ 0x1234, m3 = m2 - m0, m4 = m3 * 5;
    long m5 = m4 ^ m1, m6 = m5 + m2, m7 = m6 * 13;
    for (int r = 0; r < 5; r++) {
        if (!coro_done(k0))
            resume_ok(k0, "keeper 0");
        if (!coro_done(s))
            resume_ok(s, "scrambler");
        if (!coro_done(k1))
            resume_ok(k1, "keeper 1");
        if (!coro_done(s))
            resume_ok(s, "scrambler");
    }
    long mine = m0 ^ m1 ^ m2 ^ m3 ^ m4 ^ m5 ^ m6 ^ m7;
    long m_0 = want[0].sum, m_1 = m_0 * 3 + 7, m_2 = m_1 ^ 0x1234, m_3 = m_2 - m_0;
    long m_4 = m_3 * 5, m_5 = m_4 ^ m_1, m_6 = m_5 + m_2, m_7 = m_6 * 13;
    long expect_mine = m_0 ^ m_1 ^ m_2 ^ m_3 ^ m_4 ^ m_5 ^ m_6 ^ m_7;
    if (!coro_done(k0) || !coro_done(k1))
        fail_msg("a coroutine that yields 4 times was not done after 5 resumes");
    for (int i = 0; i < 2; i++) {
        if (got[i].sum != want[i].sum)
            fail_msg("a coroutine's integer locals changed across coro_yield (got %ld, expected "
                     "%ld): the switch must save and restore the callee-saved registers (x86-64: "
                     "rbx, rbp, r12-r15) and the stack pointer", got[i].sum, want[i].sum);
        if (got[i].dsum != want[i].dsum)
            fail_msg("a coroutine's double locals changed across coro_yield (got %g, expected "
                     "%g)", got[i].dsum, want[i].dsum);
    }
    if (mine != expect_mine)
        fail_msg("the test's own locals changed across coro_resume (got %ld, expected %ld): "
                 "the switch back must restore the resumer's callee-saved registers", mine,
                 expect_mine);
    coro_destroy(k0);
    coro_destroy(k1);
    coro_destroy(s);
}

/* 1/3 + (-1/3) computed at run time with SSE: exactly 0 when rounding to nearest, one unit in
 * the last place when rounding upward. */
static double directed_sum(void)
{
    /* -1 is a volatile of its own: the compiler may not rewrite (-1)/3 as -(1/3), which is
     * the same thing only when rounding to nearest. */
    volatile double one = 1.0, minus_one = -1.0, three = 3.0;
    double p = one / three;
    double m = minus_one / three;
    volatile double s = p + m;
    return s;
}

struct fp_seen {
    int mode_set, mode_later;     /* the upward coroutine */
    double sum_later;
    int other_mode;               /* the other coroutine */
    double other_sum;
};

static void fp_upward(void *arg)
{
    struct fp_seen *f = arg;
    fesetround(FE_UPWARD);
    f->mode_set = fegetround();
    coro_yield();
    f->mode_later = fegetround();
    f->sum_later = directed_sum();
    fesetround(FE_TONEAREST);
}

static void fp_other(void *arg)
{
    struct fp_seen *f = arg;
    f->other_mode = fegetround();
    f->other_sum = directed_sum();
}

/* The rounding mode is part of a coroutine's state: set in one coroutine, it is not seen by
 * the resumer nor by another coroutine, and it is still set when that coroutine resumes. */
static void test_coro_switch_keeps_rounding_mode_per_coroutine(void **state)
{
    (void)state;
    if (fegetround() != FE_TONEAREST || directed_sum() != 0.0)
        fail_msg("the test did not start in round-to-nearest mode (a course bug)");
    /* An emulator may ignore the SSE rounding mode (valgrind does): then only the x87 mode,
     * which fegetround reads, can be checked. */
    fesetround(FE_UPWARD);
    bool sse_rounds = directed_sum() != 0.0;
    fesetround(FE_TONEAREST);
    struct fp_seen f = {0};
    struct coro *up = create_ok(fp_upward, &f, 64 * KIB);
    struct coro *other = create_ok(fp_other, &f, 64 * KIB);
    resume_ok(up, "up");
    int mode_back = fegetround();
    double sum_back = directed_sum();
    resume_ok(other, "other");
    resume_ok(up, "up");
    int mode_end = fegetround();
    fesetround(FE_TONEAREST);
    coro_destroy(up);
    coro_destroy(other);
    if (f.mode_set != FE_UPWARD)
        fail_msg("fesetround(FE_UPWARD) inside a coroutine did not take (a course bug?)");
    if (mode_back != FE_TONEAREST)
        fail_msg("a coroutine set the x87 rounding mode upward and yielded; the resumer then "
                 "saw mode %#x, not round-to-nearest: save and restore the x87 control word "
                 "(fnstcw/fldcw) in the switch", (unsigned)mode_back);
    if (sse_rounds && sum_back != 0.0)
        fail_msg("a coroutine set the SSE rounding mode upward and yielded; the resumer's "
                 "double arithmetic then rounded upward too: save and restore MXCSR "
                 "(stmxcsr/ldmxcsr) in the switch");
    if (f.other_mode != FE_TONEAREST || (sse_rounds && f.other_sum != 0.0))
        fail_msg("a coroutine created in round-to-nearest mode ran with another coroutine's "
                 "upward rounding (x87 mode %#x, 1/3 + -1/3 = %g)", (unsigned)f.other_mode,
                 f.other_sum);
    if (f.mode_later != FE_UPWARD || (sse_rounds && f.sum_later == 0.0))
        fail_msg("a coroutine set rounding upward, yielded, and after its resume the mode was "
                 "lost (x87 mode %#x, 1/3 + -1/3 = %g): its switch must restore it",
                 (unsigned)f.mode_later, f.sum_later);
    if (mode_end != FE_TONEAREST)
        fail_msg("after a coroutine ended, the resumer's rounding mode was %#x, not "
                 "round-to-nearest", (unsigned)mode_end);
}

/* ---- memory ---- */

/* VmSize of this process in KiB, from /proc/self/status. */
static long vm_size_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        fail_msg("cannot open /proc/self/status: %s", strerror(errno));
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmSize: %ld kB", &kib) == 1)
            break;
    fclose(f);
    if (kib < 0)
        fail_msg("no VmSize line in /proc/self/status");
    return kib;
}

static void yield_once(void *arg)
{
    (void)arg;
    coro_yield();
}

/* ThreadSanitizer (clang's) keeps up to 64 KiB of its own per fiber it was told about, after
 * the fiber is destroyed: allowed for, as it is still far below a stack of 256 KiB. Each fiber
 * also costs it about a millisecond: fewer rounds there. */
#define SANITIZER_KIB_PER_FIBER (UNDER_TSAN ? 128 : 0)
#define DESTROY_ROUNDS (UNDER_TSAN ? 64 : 256)

/* coro_destroy of a suspended (or never started) coroutine gives back its whole mapping, guard
 * page included (and LeakSanitizer checks the rest). */
static void test_coro_destroy_suspended_frees_stack(void **state)
{
    (void)state;
    const int rounds = DESTROY_ROUNDS;
    /* One round first: the allocator's own first-time growth is not a leak. */
    struct coro *c = create_ok(yield_once, NULL, 256 * KIB);
    resume_ok(c, "c");
    coro_destroy(c);
    long before = vm_size_kib();
    for (int i = 0; i < rounds; i++) {
        c = create_ok(yield_once, NULL, 256 * KIB);
        if (i % 2 == 0)
            resume_ok(c, "c");   /* suspended inside fn; the odd ones never started */
        coro_destroy(c);
    }
    long grown = vm_size_kib() - before;
    if (grown > 512 + SANITIZER_KIB_PER_FIBER * rounds)
        fail_msg("%d coroutines (256 KiB stacks) created and destroyed, suspended or never "
                 "started, and the process kept %ld KiB more mapped (%ld KiB each): "
                 "coro_destroy must munmap the whole mapping, guard page included", rounds,
                 grown, grown / rounds);
}

static void count_twice(void *arg)
{
    int *slot = arg;
    *slot = 1;
    coro_yield();
    *slot = 2;
}

/* ThreadSanitizer counts each coroutine told to it as a fiber as a thread, and stops at 8128
 * of them (and each costs it about a millisecond): under TSan, 10000 becomes 200. */
#define LIVE_CORO (UNDER_TSAN ? 200 : 10000)

/* 10000 coroutines with the minimal stack, all suspended at the same time. */
static void test_coro_10000_live_at_once(void **state)
{
    (void)state;
    enum { N = LIVE_CORO };
    struct coro **cs = calloc(N, sizeof *cs);
    int *slot = calloc(N, sizeof *slot);
    if (cs == NULL || slot == NULL)
        fail_msg("out of memory in the test");
    for (int i = 0; i < N; i++) {
        cs[i] = coro_create(count_twice, &slot[i], CORO_MIN_STACK);
        if (cs[i] == NULL)
            fail_msg("coro_create failed for coroutine %d of %d (errno %d, %s): 10000 "
                     "coroutines of 16 KiB are 200 MB of address space, most of it never "
                     "touched: is each stack allocated with mmap, not a fixed pool?", i, N,
                     errno, strerror(errno));
    }
    for (int pass = 1; pass <= 2; pass++) {
        for (int i = 0; i < N; i++) {
            hang_hint("coro_resume of coroutine %d of %d (pass %d) never returned", i, N, pass);
            int rc = coro_resume(cs[i]);
            if (rc != 0)
                fail_msg("coro_resume of coroutine %d of %d (pass %d) returned %d; expected 0",
                         i, N, pass, rc);
        }
        hang_hint(NULL);
        for (int i = 0; i < N; i++)
            if (slot[i] != pass || coro_done(cs[i]) != (pass == 2))
                fail_msg("coroutine %d of %d after %d resumes: wrote %d, done %d; expected "
                         "%d, done %d", i, N, pass, slot[i], coro_done(cs[i]), pass, pass == 2);
    }
    for (int i = 0; i < N; i++)
        coro_destroy(cs[i]);
    free(cs);
    free(slot);
}

/* ---- threads ---- */

struct per_thread {
    pthread_barrier_t *both_inside;
    char log[8];
    int n;
    int rc;       /* errno of coro_create, or what coro_resume returned */
    bool done;
};

static void thread_coro(void *arg)
{
    struct per_thread *p = arg;
    p->log[p->n++] = 'a';
    /* Both threads are now inside a coroutine at the same time. */
    BARRIER_WAIT(p->both_inside);
    coro_yield();
    p->log[p->n++] = 'b';
}

static void *thread_main(void *arg)
{
    struct per_thread *p = arg;
    struct coro *c = coro_create(thread_coro, p, 64 * KIB);
    if (c == NULL) {
        p->rc = errno;
        return NULL;
    }
    p->rc = coro_resume(c);
    p->log[p->n++] = 'm';
    coro_yield();   /* outside any coroutine on this thread: nothing */
    if (p->rc == 0)
        p->rc = coro_resume(c);
    p->log[p->n++] = 'm';
    p->log[p->n] = '\0';
    p->done = coro_done(c);
    coro_destroy(c);
    return NULL;
}

/* The current coroutine is per thread: two threads run coroutines at the same time, and each
 * coroutine's yield goes back to its own thread. */
static void test_coro_current_is_per_thread(void **state)
{
    (void)state;
    pthread_barrier_t both;
    PT_CHECK(pthread_barrier_init(&both, NULL, 2));
    struct per_thread p[2] = {{.both_inside = &both}, {.both_inside = &both}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_create(&t[i], NULL, thread_main, &p[i]));
    hang_hint("a thread running coroutines never finished: is the current coroutine one "
              "variable for the whole process instead of one per thread (_Thread_local)?");
    for (int i = 0; i < 2; i++)
        PT_CHECK(pthread_join(t[i], NULL));
    hang_hint(NULL);
    PT_CHECK(pthread_barrier_destroy(&both));
    for (int i = 0; i < 2; i++) {
        if (p[i].rc != 0)
            fail_msg("thread %d: coro_create or coro_resume failed (%d, %s)", i, p[i].rc,
                     strerror(p[i].rc));
        if (strcmp(p[i].log, "ambm") != 0 || !p[i].done)
            fail_msg("thread %d ran its steps as \"%s\" (done: %s); expected \"ambm\" and done: "
                     "each thread must have its own current coroutine and its own saved "
                     "context (_Thread_local), or one thread's yield lands in the other's chain",
                     i, p[i].log, p[i].done ? "yes" : "no");
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_coro_create_rejects_bad_arguments),
    cmocka_unit_test(test_coro_create_huge_stack_is_enomem),
    cmocka_unit_test(test_coro_resume_runs_fn_with_its_arg),
    cmocka_unit_test(test_coro_yield_returns_to_resumer),
    cmocka_unit_test(test_coro_resume_finished_is_einval),
    cmocka_unit_test(test_coro_yield_nested_returns_to_outer),
    cmocka_unit_test(test_coro_resume_running_is_einval),
    cmocka_unit_test(test_coro_yield_outside_coroutine_does_nothing),
    cmocka_unit_test(test_coro_stack_is_as_large_as_asked),
    cmocka_unit_test(test_coro_stack_overflow_hits_guard_page),
    cmocka_unit_test(test_coro_switch_keeps_callee_saved_registers),
    cmocka_unit_test(test_coro_switch_keeps_rounding_mode_per_coroutine),
    cmocka_unit_test(test_coro_destroy_suspended_frees_stack),
    cmocka_unit_test(test_coro_10000_live_at_once),
    cmocka_unit_test(test_coro_current_is_per_thread),
};

COURSE_MAIN("11-stackful-coroutines", tests)
