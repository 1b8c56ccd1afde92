/* Sleeps forever: no CPU used, so only the wall-clock limit stops it. Expected: timeout, 0. */
#include "exercise.h"
#include <unistd.h>
long attack(long n) { for (;;) sleep(100); return n; }
