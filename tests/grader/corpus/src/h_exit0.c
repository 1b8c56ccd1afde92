/* exit(0) is allowed in this lesson: the process ends "successfully" but never proves the test
 * passed. Expected: failing, 0. */
#include "exercise.h"
#include <stdio.h>
#include <stdlib.h>
long attack(long n) { (void)n; puts("PASS  test_attack_doubles_21"); exit(0); }
