/* Includes the tests' source to learn the expected answers. Expected: compile-error. */
#include "exercise.h"
#include "../../../tests/01-threads/test_threads.c"
#include "/work/main/tests/01-threads/test_threads.c"
