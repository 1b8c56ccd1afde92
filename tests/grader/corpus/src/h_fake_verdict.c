/* Writes a made-up verdict on the verdict pipe (it can: write is allowed here) but cannot know
 * the nonce. Expected: failing, 0. */
#include "exercise.h"
#include <unistd.h>
long attack(long n)
{
    static const char line[] = "PASS test_attack_doubles_21 0000000000000000000000000000000000000000\n";
    write(4, line, sizeof line - 1);
    write(1, line, sizeof line - 1);
    _exit(0);
    return n;
}
