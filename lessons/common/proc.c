/* lessons/common/proc.c: the /proc readers declared in proc.h. */
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The number after "name:" on a line of the file at path, in the file's unit. */
static long field_of(const char *path, const char *name)
{
    char line[256];
    size_t len = strlen(name);
    long value = -1;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return -1;
    errno = ENOENT;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, len) == 0 && line[len] == ':') {
            value = strtol(line + len + 1, NULL, 10);
            errno = 0;
            break;
        }
    }
    int saved = errno;
    fclose(f);
    errno = saved;
    return value;
}

long proc_status_field(const char *name)
{
    return field_of("/proc/self/status", name);
}

long proc_meminfo_field(const char *name)
{
    return field_of("/proc/meminfo", name);
}

long proc_thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    long n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}
