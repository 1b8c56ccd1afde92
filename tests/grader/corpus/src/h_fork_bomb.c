/* A fork bomb (this lesson allows fork): the pids limit holds it, the wall limit ends it, and
 * the cgroup is emptied afterwards. Expected: timeout, 0. */
#include "exercise.h"
#include <unistd.h>
long attack(long n) { (void)n; for (;;) fork(); }
