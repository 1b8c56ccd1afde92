/* plots/bench/harness.h: what every benchmark of the course shares.
 *
 * A benchmark measures one thing a number of times (reps, after warm-up runs that are
 * thrown away), reports median, min and max, and writes its data as a whitespace-
 * separated text file whose header names the machine, each column and its unit.
 * Figures are never checked against a threshold here: tests do not time anything.
 *
 * Command line every benchmark accepts: --quick (few repetitions, small sizes; what
 * `make` and `make test` run) or --full (talk quality; `make plots FULL=1`).
 * Output goes under $BENCH_DATA (default build/data). */
#ifndef COURSE_HARNESS_H
#define COURSE_HARNESS_H

#include <stdbool.h>
#include <stdio.h>

struct bench {
    const char *name;     /* e.g. "01-threads/speedup": the data file's path below BENCH_DATA */
    bool quick;
    int reps;             /* measured repetitions: 5 quick, 30 full (perfbook's choice) */
    int warmup;           /* runs thrown away first */
    double load;          /* 1-minute load average at bench_init (-1: unknown) */
    bool busy;            /* load above half the cores: other programs shared them, so a
                           * verdict that needs free cores (parallelism) cannot be trusted */
};

struct stats {
    double median, min, max;
};

/* Parse --quick/--full (anything else: usage and exit 1), fill b. */
void bench_init(struct bench *b, const char *name, int argc, char **argv);

/* Sort samples in place and return their median, min and max. n >= 1. */
struct stats stats_of(double *samples, int n);

/* Open $BENCH_DATA/<b->name>.dat for writing, with the machine and a column line
 * ("# threads median_ns min_ns max_ns") at the top; dies with a message on failure.
 * A raw file of every sample, <name>.raw, is opened by bench_open_raw the same way. */
FILE *bench_open_data(const struct bench *b, const char *columns);
FILE *bench_open_raw(const struct bench *b, const char *columns);
void bench_close(FILE *f);

/* One line describing this machine: CPU model, cores, kernel, compiler, flags, date. */
void bench_machine(char *buf, size_t len);

/* Progress on stderr, so a long run is never a silent wait: "[01-threads/speedup] 3/8 ..." */
void bench_progress(const struct bench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write the line `make claims` prints for claim id (e.g. "C7") into
 * $BENCH_DATA/claims/<id>-<lesson>.txt. figures is what was measured, verdict one of
 * TRUE, FALSE, HALF-TRUE, DEPENDS, computed by a rule stated beside the caller. */
void claim_write(const char *id, const char *lesson, const char *words, const char *figures,
                 const char *verdict);

#endif
