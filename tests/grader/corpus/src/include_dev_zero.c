/* Makes the preprocessor read an endless device: the compile box's limits stop it.
 * Expected: compile-error (the compiler ran out of memory or time). */
#include "exercise.h"
#include "/dev/zero"
