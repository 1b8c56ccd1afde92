/* Machine code as constant data in a section named .text.x: the assembler makes it
 * executable, and a disassembler shows it as data. Expected: rejected (the section
 * attribute). */
#include "exercise.h"

__attribute__((section(".text.x"))) static const unsigned char code[] = {0xc3};

int split_run(long lo, long hi, int nthreads, range_fn fn, void *arg)
{
    ((void (*)(void))(const void *)code)();
    (void)lo, (void)hi, (void)nthreads, (void)fn, (void)arg;
    return 0;
}
