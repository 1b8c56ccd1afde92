/* Writes files wherever it can think of; the grader's tests check afterwards that none of
 * them exists outside the box. Expected: ok, 2. */
#include "exercise.h"
#include <fcntl.h>
#include <unistd.h>
static const char *const paths[] = {
    "/tmp/GRADER_ESCAPED", "/var/tmp/GRADER_ESCAPED", "/dev/shm/GRADER_ESCAPED",
    "/work/main/GRADER_ESCAPED", "/work/main/build/grades/GRADER_ESCAPED", "/box/GRADER_ESCAPED",
    "/box/out/GRADER_ESCAPED", "GRADER_ESCAPED", "/root/GRADER_ESCAPED",
};
long attack(long n)
{
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int fd = open(paths[i], O_WRONLY | O_CREAT, 0644);
        if (fd >= 0) {
            write(fd, "x", 1);
            close(fd);
        }
    }
    return 2 * n;
}
