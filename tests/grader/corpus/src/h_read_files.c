/* Tries to read the solutions, the tests, root's and the system's secrets, and other students'
 * files; answers right only if every open fails. Expected: ok, 2 (nothing readable). */
#include "exercise.h"
#include <fcntl.h>
#include <unistd.h>
static const char *const paths[] = {
    "/work/main/solutions/01-threads/exercise.c", "/work/main/tests/01-threads/test_threads.c",
    "/etc/shadow", "/etc/passwd", "/root/.bash_history", "/proc/1/root/etc/passwd",
    "/box/src/../../work/main/Makefile", "/box/trusted", "/box/out/plain.o",
    "../../../../../../work/main/solutions/01-threads/exercise.c",
};
long attack(long n)
{
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int fd = open(paths[i], O_RDONLY);
        if (fd >= 0) {
            close(fd);
            return -1;
        }
    }
    return 2 * n;
}
