/* Makes the compiler print a secret file in its error message. Expected: compile-error. */
#include "exercise.h"
#include "/etc/shadow"
