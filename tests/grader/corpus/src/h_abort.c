/* Crashes. Expected: crash, 0. */
#include "exercise.h"
#include <stdlib.h>
long attack(long n) { (void)n; abort(); }
