/* tests/11-stackful-coroutines/mutants/guard_inside_stack.c: a known-wrong answer to lesson 11.
 * The guard page is taken out of the stack: the mapping is only the rounded stack size, so one
 * page less than asked is usable. Killed by test_coro_stack_is_as_large_as_asked.
 *
 * The rest is the reference answer:
 *
 * A coroutine is a stack plus the registers that say where on it we stopped. Switching is
 * saving our registers and loading the other side's. Two ways to do it live here, chosen at
 * build time:
 *   - x86-64 and aarch64: a hand-written switch (top-level assembly below) that saves only
 *     what the calling convention says a called function must preserve: the callee-saved
 *     registers, the stack pointer, and the floating-point control state;
 *   - anything else (or -DCORO_UCONTEXT): swapcontext, which saves every register and also
 *     makes an rt_sigprocmask system call on each switch to save and restore the signal mask.
 * The lesson measures both. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE   /* MAP_ANONYMOUS and MAP_STACK */
#endif
#include "exercise.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(CORO_UCONTEXT)
#define CORO_SWITCH_X86_64 1
#elif defined(__aarch64__) && !defined(CORO_UCONTEXT)
#define CORO_SWITCH_AARCH64 1
#else
#define CORO_SWITCH_UCONTEXT 1
#include <ucontext.h>
#endif

/* The sanitizers watch "the stack" of each thread. A coroutine switch moves the stack pointer
 * to memory they do not know, so every switch tells them (and valgrind) where it goes: the
 * fiber_note_* calls of lessons/common/fiber.h, which do nothing in a build without the tool. */
#include "fiber.h"

/* One place execution can be suspended and continued: a coroutine's stack, or the thread's
 * own stack (the code that called coro_resume first). */
struct ctx {
#ifdef CORO_SWITCH_UCONTEXT
    ucontext_t uc;
#else
    void *sp;                 /* the saved stack pointer; the registers are on that stack */
#endif
    struct fiber_note note;   /* what ASan, TSan and valgrind know of this context */
};

/* SUSPENDED covers "created, never run" too. RUNNING means on the current chain of resumes:
 * the one executing and every coroutine that resumed it and waits for it. */
enum coro_state { CORO_SUSPENDED, CORO_RUNNING, CORO_DONE };

struct coro {
    struct ctx ctx;
    struct coro *resumer;     /* who resumed us: NULL for the thread's own stack */
    void (*fn)(void *arg);
    void *arg;
    enum coro_state state;
    char *map;                /* guard page + stack, one mapping; we own it */
    size_t map_len;
};

/* Per thread: each thread has its own chain of resumes. */
static _Thread_local struct coro *current;    /* the coroutine executing; NULL: none */
static _Thread_local struct ctx thread_ctx;   /* where the thread's own stack was saved */
static _Thread_local bool thread_noted;        /* thread_ctx.note is set up */

#if defined(CORO_SWITCH_X86_64)
/* coro11_switch(&from->sp, to->sp): push the System V callee-saved registers (rbp, rbx,
 * r12-r15) and the two floating-point control words (MXCSR: SSE rounding and exception
 * masks; x87 control word: the same for the x87 unit), store rsp into *from, load rsp from
 * to, and undo the same steps from the other stack. Everything else (rax, rcx, rdx, rsi, rdi,
 * r8-r11, all xmm registers, the flags) is caller-saved: the C code that called us already
 * assumed the call destroys it. The end pops the other side's return address and jumps to
 * it: into the other side's coro11_switch call or, the first time, into coro11_entry. Not
 * `ret`: the CPU predicts a ret from its own record of calls, and that record says "back to
 * whoever called coro11_switch on this stack", wrong on every switch; an indirect jump is
 * predicted from where it went before, which a ping-pong repeats (Boost.Context does this
 * too).
 * coro11_entry: first code on a new stack; r12 holds the coroutine, r13 coro_main. */
__asm__(".text\n"
        ".p2align 4\n"
        ".type coro11_switch, @function\n"
        "coro11_switch:\n"
        "    pushq %rbp\n"
        "    pushq %rbx\n"
        "    pushq %r12\n"
        "    pushq %r13\n"
        "    pushq %r14\n"
        "    pushq %r15\n"
        "    subq $8, %rsp\n"
        "    stmxcsr (%rsp)\n"
        "    fnstcw 4(%rsp)\n"
        "    movq %rsp, (%rdi)\n"
        "    movq %rsi, %rsp\n"
        "    ldmxcsr (%rsp)\n"
        "    fldcw 4(%rsp)\n"
        "    addq $8, %rsp\n"
        "    popq %r15\n"
        "    popq %r14\n"
        "    popq %r13\n"
        "    popq %r12\n"
        "    popq %rbx\n"
        "    popq %rbp\n"
        "    popq %rcx\n"
        "    jmpq *%rcx\n"
        ".size coro11_switch, .-coro11_switch\n"
        ".p2align 4\n"
        ".type coro11_entry, @function\n"
        "coro11_entry:\n"
        "    movq %r12, %rdi\n"
        "    callq *%r13\n"
        "    ud2\n"
        ".size coro11_entry, .-coro11_entry\n");
#elif defined(CORO_SWITCH_AARCH64)
/* The same for AAPCS64: x19-x28, the frame pointer x29, the return address x30, the low
 * halves of v8-v15 (d8-d15) and FPCR (rounding mode); sp is stored separately. Compiled only
 * on aarch64 (not run on the course's x86-64 machine).
 * coro11_entry: x19 holds the coroutine, x20 coro_main. */
__asm__(".text\n"
        ".p2align 4\n"
        ".type coro11_switch, %function\n"
        "coro11_switch:\n"
        "    sub sp, sp, #176\n"
        "    stp x19, x20, [sp, #0]\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    stp d8, d9, [sp, #96]\n"
        "    stp d10, d11, [sp, #112]\n"
        "    stp d12, d13, [sp, #128]\n"
        "    stp d14, d15, [sp, #144]\n"
        "    mrs x9, fpcr\n"
        "    str x9, [sp, #160]\n"
        "    mov x9, sp\n"
        "    str x9, [x0]\n"
        "    mov sp, x1\n"
        "    ldr x9, [sp, #160]\n"
        "    msr fpcr, x9\n"
        "    ldp x19, x20, [sp, #0]\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp d8, d9, [sp, #96]\n"
        "    ldp d10, d11, [sp, #112]\n"
        "    ldp d12, d13, [sp, #128]\n"
        "    ldp d14, d15, [sp, #144]\n"
        "    add sp, sp, #176\n"
        "    ret\n"
        ".size coro11_switch, .-coro11_switch\n"
        ".p2align 4\n"
        ".type coro11_entry, %function\n"
        "coro11_entry:\n"
        "    mov x0, x19\n"
        "    blr x20\n"
        "    brk #0\n"
        ".size coro11_entry, .-coro11_entry\n");
#endif
#ifndef CORO_SWITCH_UCONTEXT
/* Defined in the assembly above (local symbols of this file). */
__attribute__((visibility("hidden"))) void coro11_switch(void **save_sp, void *next_sp);
__attribute__((visibility("hidden"))) void coro11_entry(void);
#endif

static void ctx_switch(struct ctx *from, struct ctx *to, bool from_finished)
{
    fiber_note_leave(&from->note, &to->note, from_finished);
#ifdef CORO_SWITCH_UCONTEXT
    /* swapcontext fails only for a bad context; ours are all made by getcontext. */
    if (swapcontext(&from->uc, &to->uc) != 0)
        abort();
#else
    coro11_switch(&from->sp, to->sp);
#endif
    fiber_note_arrive(&from->note);
}

static struct ctx *ctx_of(struct coro *c)
{
    return c ? &c->ctx : &thread_ctx;
}

/* Runs on the coroutine's own stack, at its first resume; never returns (there is nothing
 * below it on this stack to return to). */
static void coro_main(struct coro *c)
{
    fiber_note_arrive(&c->ctx.note);
    c->fn(c->arg);
    c->state = CORO_DONE;
    current = c->resumer;
    ctx_switch(&c->ctx, ctx_of(c->resumer), true);
    abort();   /* a finished coroutine is never switched to again */
}

#ifdef CORO_SWITCH_UCONTEXT
/* makecontext passes int arguments only: the pointer travels as two halves. */
static void coro_main_uc(unsigned hi, unsigned lo)
{
    coro_main((struct coro *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo));
}
#endif

/* Lay out the first frame so that the first switch to this stack "returns" into coro_main. */
static int ctx_make(struct coro *c, char *stack_lo, size_t stack_size)
{
    fiber_note_stack(&c->ctx.note, stack_lo, stack_size);
#if defined(CORO_SWITCH_X86_64)
    /* What coro11_switch pops, lowest address first: control words, r15, r14, r13, r12, rbx,
     * rbp, return address. The top is page aligned, so after the final jump rsp is 16-byte
     * aligned and coro11_entry's call leaves coro_main the alignment the ABI promises. */
    uint64_t *sp = (uint64_t *)(void *)(stack_lo + stack_size) - 8;
    uint32_t mxcsr;
    uint16_t fcw;
    /* A new coroutine starts with its creator's rounding mode, as getcontext would give. */
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mxcsr), "=m"(fcw));
    sp[0] = (uint64_t)mxcsr | (uint64_t)fcw << 32;
    sp[1] = 0;                                   /* r15 */
    sp[2] = 0;                                   /* r14 */
    sp[3] = (uint64_t)(uintptr_t)coro_main;      /* r13 */
    sp[4] = (uint64_t)(uintptr_t)c;              /* r12 */
    sp[5] = 0;                                   /* rbx */
    sp[6] = 0;                                   /* rbp: 0 ends a debugger's backtrace */
    sp[7] = (uint64_t)(uintptr_t)coro11_entry;   /* where the first switch jumps */
    c->ctx.sp = sp;
#elif defined(CORO_SWITCH_AARCH64)
    uint64_t *sp = (uint64_t *)(void *)(stack_lo + stack_size) - 22;   /* 176 bytes */
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    for (int i = 0; i < 22; i++)
        sp[i] = 0;
    sp[0] = (uint64_t)(uintptr_t)c;              /* x19 */
    sp[1] = (uint64_t)(uintptr_t)coro_main;      /* x20 */
    sp[11] = (uint64_t)(uintptr_t)coro11_entry;  /* x30: where the first ret goes */
    sp[20] = fpcr;
    c->ctx.sp = sp;
#else
    if (getcontext(&c->ctx.uc) != 0)
        return -1;
    c->ctx.uc.uc_stack.ss_sp = stack_lo;
    c->ctx.uc.uc_stack.ss_size = stack_size;
    c->ctx.uc.uc_link = NULL;                    /* coro_main never returns */
    uintptr_t p = (uintptr_t)c;
    makecontext(&c->ctx.uc, (void (*)(void))coro_main_uc, 2, (unsigned)(p >> 16 >> 16),
                (unsigned)(p & 0xffffffffu));
#endif
    return 0;
}

struct coro *coro_create(void (*fn)(void *arg), void *arg, size_t stack_size)
{
    if (fn == NULL || stack_size < CORO_MIN_STACK) {
        errno = EINVAL;
        return NULL;
    }
    long pagesize = sysconf(_SC_PAGESIZE);
    size_t page = pagesize > 0 ? (size_t)pagesize : 4096;
    /* Rounding up must not wrap around to a tiny stack: such a size is "no memory". */
    if (stack_size > SIZE_MAX - 2 * page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t usable = (stack_size + page - 1) / page * page;
    struct coro *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;   /* errno is ENOMEM */
    c->fn = fn;
    c->arg = arg;
    c->state = CORO_SUSPENDED;
    c->map_len = usable;
    /* mmap, not malloc: the stack gets whole pages of its own, untouched ones cost no
     * memory, and the guard page can be made inaccessible with mprotect. The stack grows
     * down, so the guard is the lowest page: running off the end faults at once. */
    void *map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) {
        /* Our arguments are valid, so EINVAL can only mean "length too large" (the words
         * of mmap(2)), which is no memory for our caller. Valgrind's mmap says EINVAL where
         * the kernel says ENOMEM. */
        int err = errno == EINVAL ? ENOMEM : errno;
        free(c);
        errno = err;
        return NULL;
    }
    c->map = map;
    if (mprotect(c->map, page, PROT_NONE) != 0 || ctx_make(c, c->map + page, usable - page) != 0) {
        int err = errno;
        fiber_note_forget(&c->ctx.note);   /* nothing to forget if ctx_make was not reached */
        munmap(c->map, c->map_len);
        free(c);
        errno = err;
        return NULL;
    }
    return c;
}

int coro_resume(struct coro *c)
{
    /* Anything but SUSPENDED is refused: DONE has no code left; RUNNING is on the chain
     * (resuming it would make the chain a loop, and its saved registers are stale). */
    if (c == NULL || c->state != CORO_SUSPENDED)
        return EINVAL;
    struct coro *self = current;
    if (!thread_noted) {
        fiber_note_thread(&thread_ctx.note);
        thread_noted = true;
    }
    c->resumer = self;
    c->state = CORO_RUNNING;
    current = c;
    ctx_switch(ctx_of(self), &c->ctx, false);
    /* c yielded or finished; it has set current back to self. */
    return 0;
}

void coro_yield(void)
{
    struct coro *self = current;
    if (self == NULL)
        return;   /* the thread's own stack has no one to yield to */
    self->state = CORO_SUSPENDED;
    current = self->resumer;
    ctx_switch(&self->ctx, ctx_of(self->resumer), false);
    /* resumed again: coro_resume has set state and current for us */
}

bool coro_done(const struct coro *c)
{
    return c != NULL && c->state == CORO_DONE;
}

void coro_destroy(struct coro *c)
{
    if (c == NULL)
        return;
    assert(c->state != CORO_RUNNING);
    fiber_note_forget(&c->ctx.note);
    /* munmap of a whole mapping we made cannot fail. */
    munmap(c->map, c->map_len);
    free(c);
}
