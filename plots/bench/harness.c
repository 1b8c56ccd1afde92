/* plots/bench/harness.c: repetitions, statistics, data files, machine description. */
#include "harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "unknown"
#endif

/* The 1-minute load average, or -1 if /proc/loadavg cannot be read. */
static double load_average(void)
{
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");

    if (f != NULL) {
        if (fscanf(f, "%lf", &load) != 1)
            load = -1;
        fclose(f);
    }
    return load;
}

void bench_init(struct bench *b, const char *name, int argc, char **argv)
{
    b->name = name;
    b->quick = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            b->quick = true;
        else if (strcmp(argv[i], "--full") == 0)
            b->quick = false;
        else
            die("usage: %s [--quick|--full]\n  unknown argument '%s'", argv[0], argv[i]);
    }
    b->reps = b->quick ? 5 : 30;
    b->warmup = b->quick ? 1 : 3;
    /* Figures measured while other programs compete for the cores say more about them
     * than about what is measured: warn, and the data file records it. */
    double load = load_average();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    b->load = load;
    b->busy = load > 0.5 * (double)cores;
    if (b->busy)
        fprintf(stderr, "[%s] warning: load average %.2f on %ld cores: other programs are "
                        "running, figures will be noisy\n", name, load, cores);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats stats_of(double *samples, int n)
{
    struct stats s;

    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    s.min = samples[0];
    s.max = samples[n - 1];
    s.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    return s;
}

static const char *data_dir(void)
{
    const char *d = getenv("BENCH_DATA");
    return d != NULL && d[0] != '\0' ? d : "build/data";
}

/* mkdir -p for the directories of path. */
static void make_parents(const char *path)
{
    char buf[4096];

    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        die("path too long: %s", path);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) == -1 && errno != EEXIST)
            die("cannot create directory '%s': %s", buf, strerror(errno));
        *p = '/';
    }
}

static void cpu_model(char *buf, size_t len)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");

    snprintf(buf, len, "unknown CPU");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (colon != NULL && strncmp(line, "model name", 10) == 0) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
}

void bench_machine(char *buf, size_t len)
{
    char cpu[256], date[32];
    struct utsname u;
    time_t t = time(NULL);

    cpu_model(cpu, sizeof cpu);
    if (uname(&u) == -1)
        die("uname: %s", strerror(errno));
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&t));
    snprintf(buf, len, "%s, %ld cores, %s %s %s, %s %s, %s", cpu, sysconf(_SC_NPROCESSORS_ONLN),
             u.sysname, u.release, u.machine,
#if defined(__clang__)
             "clang " __clang_version__,
#else
             "gcc " __VERSION__,
#endif
             BENCH_CFLAGS, date);
}

static FILE *open_with_header(const struct bench *b, const char *ext, const char *columns)
{
    char path[4096], machine[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.%s", data_dir(), b->name, ext);
    make_parents(path);
    f = fopen(path, "w");
    if (f == NULL)
        die("cannot write '%s': %s", path, strerror(errno));
    bench_machine(machine, sizeof machine);
    fprintf(f, "# machine: %s\n# mode: %s, %d repetitions after %d warm-up\n", machine,
            b->quick ? "quick" : "full", b->reps, b->warmup);
    double load = load_average();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (load >= 0)
        fprintf(f, "# load: %.2f at start (1-minute average, %ld cores)%s\n", load, cores,
                load > 0.5 * (double)cores ? ": BUSY, other programs shared the cores" : "");
    fprintf(f, "# %s\n", columns);
    return f;
}

FILE *bench_open_data(const struct bench *b, const char *columns)
{
    return open_with_header(b, "dat", columns);
}

FILE *bench_open_raw(const struct bench *b, const char *columns)
{
    return open_with_header(b, "raw", columns);
}

void bench_close(FILE *f)
{
    if (ferror(f) || fclose(f) != 0)
        die("writing a data file failed: %s", strerror(errno));
}

void bench_progress(const struct bench *b, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "[%s] ", b->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void claim_write(const char *id, const char *lesson, const char *words, const char *figures,
                 const char *verdict)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/claims/%s-%s.txt", data_dir(), id, lesson);
    make_parents(path);
    f = fopen(path, "w");
    if (f == NULL)
        die("cannot write '%s': %s", path, strerror(errno));
    fprintf(f, "%-4s %-34s %s    %s\n", id, words, figures, verdict);
    bench_close(f);
}
