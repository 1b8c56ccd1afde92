/* Sends SIGKILL to every process it may signal (kill(-1)), then its parent's: only its own box
 * can be reached. Expected: ok, 2 (or the box dies; the grader and other students live). */
#include "exercise.h"
#include <signal.h>
#include <unistd.h>
long attack(long n)
{
    kill(-1, SIGKILL);
    kill(getppid(), SIGKILL);
    return 2 * n;
}
