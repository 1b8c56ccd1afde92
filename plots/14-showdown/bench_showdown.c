/* plots/14-showdown/bench_showdown.c: turns the server sweep into data files and claims.
 * Build: make build/bench/14-showdown/bench_showdown
 * Run:   LESSON=14-showdown bash plots/14-showdown/experiment.sh   (it runs this last)
 *
 * experiment.sh drives wrk against each server and writes one raw line per run
 * (build/data/14-showdown/showdown.raw: server conns rep requests_per_s p99_us rss_kib
 * errors). This program reduces them to median/min/max per server and connection count,
 * computes the ratios to nginx and the memory per connection, and writes the claim lines
 * C1, C2, C5 and C11 with the rules that decide their verdicts written beside them. From
 * the CPU-bound sweep (showdown_cpu.raw: GET /primes) it writes C7 and C8 the same way.
 * Two of our servers are async (the loop, uv, and coroutines on it, co); where a rule
 * compares "async" with "threads", each side is the better of its two. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "harness.h"

/* The index of a server is its row in showdown_mem.dat and showdown_cpu.dat: the
 * coroutine server, written last, came last, so older indexes keep their meaning. */
enum { NSERVERS = 5, MAXCONNS = 8, MAXREPS = 64 };
static const char *const server_names[NSERVERS] = { "threads", "pool", "uv", "nginx", "co" };
enum { THREADS, POOL, UV, NGINX, CO };

struct point {
    int n;
    double rps[MAXREPS], p99[MAXREPS], rss[MAXREPS], cpu[MAXREPS];
    long errors;
};

static struct point pts[NSERVERS][MAXCONNS];
static long conns[MAXCONNS];
static int nconns;

static int conn_index(long c)
{
    for (int i = 0; i < nconns; i++)
        if (conns[i] == c)
            return i;
    if (nconns == MAXCONNS)
        die("showdown.raw: more than %d connection counts", MAXCONNS);
    conns[nconns] = c;
    return nconns++;
}

static void read_raw(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("cannot read '%s' (run plots/14-showdown/experiment.sh, which writes it)", path);
    char line[256], name[32];
    long c, rep, errors;
    double rps, p99, rss, cpu;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%31s %ld %ld %lf %lf %lf %ld %lf", name, &c, &rep, &rps, &p99, &rss,
                   &errors, &cpu) != 8)
            die("%s: cannot read the line '%s'", path, line);
        int s = 0;
        while (s < NSERVERS && strcmp(server_names[s], name) != 0)
            s++;
        if (s == NSERVERS)
            die("%s: unknown server '%s'", path, name);
        struct point *p = &pts[s][conn_index(c)];
        if (p->n == MAXREPS)
            die("%s: more than %d repetitions", path, MAXREPS);
        p->rps[p->n] = rps;
        p->p99[p->n] = p99;
        p->rss[p->n] = rss;
        p->cpu[p->n] = cpu;
        p->errors += errors;
        p->n++;
    }
    fclose(f);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Median requests/s (0 when the point was not measured). */
static double rps_of(int s, int ci)
{
    struct point *p = &pts[s][ci];
    if (p->n == 0)
        return 0;
    double tmp[MAXREPS];
    memcpy(tmp, p->rps, sizeof tmp);
    return stats_of(tmp, p->n).median;
}

/* Median CPU microseconds the server spent per request (0 when not measured). */
static double cpu_of(int s, int ci)
{
    struct point *p = &pts[s][ci];
    if (p->n == 0)
        return 0;
    double tmp[MAXREPS];
    memcpy(tmp, p->cpu, sizeof tmp);
    return stats_of(tmp, p->n).median;
}

/* What the verdicts compare, higher is better. On a quiet machine: requests/s. On a busy
 * one, requests/s measures the scheduler's share more than the design (it gives a process
 * with 1000 threads a larger share of the cores than a process with one), so the rules
 * compare requests per CPU-second instead: what a request costs each design. */
static bool by_cpu;

static double score(int s, int ci)
{
    if (!by_cpu)
        return rps_of(s, ci);
    double c = cpu_of(s, ci);
    return c > 0 ? 1e6 / c : 0;
}

/* The better async server (the loop or coroutines on it) at connection count ci. */
static double async_score(int ci)
{
    double u = score(UV, ci), c = score(CO, ci);
    return u > c ? u : c;
}

static double rss_of(int s, int ci)
{
    struct point *p = &pts[s][ci];
    if (p->n == 0)
        return 0;
    double tmp[MAXREPS];
    memcpy(tmp, p->rss, sizeof tmp);
    return stats_of(tmp, p->n).median;
}

/* Resident KiB per connection: growth from the fewest to the most connections. */
static double kib_per_conn(int s)
{
    return (rss_of(s, nconns - 1) - rss_of(s, 0)) / (double)(conns[nconns - 1] - conns[0]);
}

/* The CPU-bound sweep (GET /primes), if experiment.sh ran it: per server (threads, pool,
 * uv, co; nginx has no /primes) the requests/s and cores kept busy of each run. Returns
 * false if there is no file or a server is missing from it. */
static int cpu_n[NSERVERS];
static double cpu_rps[NSERVERS][MAXREPS], cpu_cores[NSERVERS][MAXREPS];

static bool read_cpu(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[256], name[32];
    long rep;
    double rps, cores;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%31s %ld %lf %lf", name, &rep, &rps, &cores) != 4)
            die("%s: cannot read the line '%s'", path, line);
        int s = 0;
        while (s < NSERVERS && strcmp(server_names[s], name) != 0)
            s++;
        if (s == NSERVERS || s == NGINX || cpu_n[s] == MAXREPS)
            die("%s: unexpected line '%s'", path, line);
        cpu_rps[s][cpu_n[s]] = rps;
        cpu_cores[s][cpu_n[s]] = cores;
        cpu_n[s]++;
    }
    fclose(f);
    return cpu_n[THREADS] > 0 && cpu_n[POOL] > 0 && cpu_n[UV] > 0 && cpu_n[CO] > 0;
}

/* CPython's threading speedup at `workers`, from lesson 01's cpython.dat (columns: workers
 * threading_s asyncio_s multiprocessing_s); 0 if lesson 01's experiment has not run. */
static double cpython_threading_speedup(const char *dir, long workers)
{
    char path[4096], line[512];
    double t1 = 0, tn = 0;
    snprintf(path, sizeof path, "%s/01-threads/cpython.dat", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        long w;
        double thr;
        if (line[0] == '#' || sscanf(line, "%ld %lf", &w, &thr) != 2)
            continue;
        if (w == 1)
            t1 = thr;
        if (w == workers)
            tn = thr;
    }
    fclose(f);
    return t1 > 0 && tn > 0 ? t1 / tn : 0;
}

int main(int argc, char **argv)
{
    struct bench b;
    char path[4096], name[64];
    bench_init(&b, "14-showdown/showdown", argc, argv);
    const char *dir = getenv("BENCH_DATA") != NULL ? getenv("BENCH_DATA") : "build/data";
    snprintf(path, sizeof path, "%s/14-showdown/showdown.raw", dir);
    read_raw(path);
    if (nconns < 2)
        die("%s: need at least two connection counts", path);
    /* Sort the connection counts (and their points with them). */
    long sorted[MAXCONNS];
    memcpy(sorted, conns, sizeof sorted);
    qsort(sorted, (size_t)nconns, sizeof *sorted, cmp_long);
    static struct point tmp_pts[NSERVERS][MAXCONNS];
    for (int i = 0; i < nconns; i++)
        for (int s = 0; s < NSERVERS; s++)
            tmp_pts[s][i] = pts[s][conn_index(sorted[i])];
    memcpy(pts, tmp_pts, sizeof pts);
    memcpy(conns, sorted, sizeof conns);
    /* The data files say how many wrk runs each point had (experiment.sh chose it). */
    b.reps = 0;
    for (int s = 0; s < NSERVERS; s++)
        for (int i = 0; i < nconns; i++)
            b.reps = pts[s][i].n > b.reps ? pts[s][i].n : b.reps;
    b.warmup = 1;

    /* One file per server: the three figures, median/min/max over the repetitions. */
    for (int s = 0; s < NSERVERS; s++) {
        snprintf(name, sizeof name, "14-showdown/showdown_%s", server_names[s]);
        struct bench bs = b;
        bs.name = name;
        FILE *f = bench_open_data(&bs, "conns rps_median rps_min rps_max p99_us_median p99_us_min "
                                       "p99_us_max rss_kib_median rss_kib_min rss_kib_max errors "
                                       "cpu_us_per_req_median cpu_us_per_req_min cpu_us_per_req_max");
        for (int i = 0; i < nconns; i++) {
            struct point *p = &pts[s][i];
            if (p->n == 0)
                continue;
            struct stats r = stats_of(p->rps, p->n), l = stats_of(p->p99, p->n),
                         m = stats_of(p->rss, p->n);
            struct stats u = stats_of(p->cpu, p->n);
            fprintf(f, "%ld %.0f %.0f %.0f %.1f %.1f %.1f %.0f %.0f %.0f %ld %.2f %.2f %.2f\n", conns[i],
                    r.median, r.min, r.max, l.median, l.min, l.max, m.median, m.min, m.max,
                    p->errors, u.median, u.min, u.max);
        }
        bench_close(f);
    }

    /* Ratios to nginx, and of the coroutines to the loop they run on: what lesson 12's way
     * of writing the same server costs. */
    FILE *f = bench_open_data(&(struct bench){ .name = "14-showdown/showdown_ratio",
                                               .quick = b.quick, .reps = b.reps,
                                               .warmup = b.warmup },
                              "conns uv_over_nginx threads_over_nginx pool_over_nginx "
                              "uv_over_nginx_per_cpu_s co_over_nginx co_over_uv "
                              "co_over_uv_per_cpu_s (ratios of median requests/s; *_per_cpu_s: "
                              "of requests per CPU-second)");
    printf("requests/s as a fraction of nginx's (1 worker), median of %d runs; then the "
           "coroutines over the loop:\n", pts[UV][0].n);
    printf("  conns      uv      co  threads     pool   uv/nginx per CPU-s   co/uv   co/uv per "
           "CPU-s\n");
    double uv_ratio_100 = -1, uv_cpu_ratio_100 = -1;
    for (int i = 0; i < nconns; i++) {
        double ng = rps_of(NGINX, i);
        if (ng <= 0)
            continue;
        double ru = rps_of(UV, i) / ng, rt = rps_of(THREADS, i) / ng, rp = rps_of(POOL, i) / ng;
        double rco = rps_of(CO, i) / ng;
        double co_uv = rps_of(UV, i) > 0 ? rps_of(CO, i) / rps_of(UV, i) : 0;
        /* A ratio of requests per CPU-second is the inverse ratio of CPU time per request:
         * nginx's over the loop's, the loop's over the coroutines'. */
        double rc = cpu_of(UV, i) > 0 ? cpu_of(NGINX, i) / cpu_of(UV, i) : 0;
        double co_uv_cpu = cpu_of(CO, i) > 0 ? cpu_of(UV, i) / cpu_of(CO, i) : 0;
        fprintf(f, "%ld %.3f %.3f %.3f %.3f %.3f %.3f %.3f\n", conns[i], ru, rt, rp, rc, rco,
                co_uv, co_uv_cpu);
        printf("  %5ld  %6.2f  %6.2f  %7.2f  %7.2f  %19.2f  %6.2f  %16.2f\n", conns[i], ru, rco, rt,
               rp, rc, co_uv, co_uv_cpu);
        if (conns[i] == 100)
            uv_ratio_100 = ru, uv_cpu_ratio_100 = rc;
    }
    bench_close(f);
    if (uv_ratio_100 >= 0)
        printf("goal: uv >= 0.9 x nginx at 100 connections: %.2f in requests/s (%s), %.2f in "
               "requests per CPU-second (%s)\n", uv_ratio_100,
               uv_ratio_100 >= 0.9 ? "met" : "not met on this run", uv_cpu_ratio_100,
               uv_cpu_ratio_100 >= 0.9 ? "met" : "not met on this run");

    f = bench_open_data(&(struct bench){ .name = "14-showdown/showdown_mem", .quick = b.quick,
                                         .reps = b.reps, .warmup = b.warmup },
                        "server(0 threads, 1 pool, 2 uv, 3 nginx, 4 co) kib_per_conn "
                        "rss_kib_fewest rss_kib_most (median VmRSS during the runs)");
    for (int s = 0; s < NSERVERS; s++) {
        fprintf(f, "%d %.2f %.0f %.0f\n", s, kib_per_conn(s), rss_of(s, 0), rss_of(s, nconns - 1));
        printf("memory: %-8s %8.2f KiB per connection (%.0f KiB at %ld, %.0f KiB at %ld)\n",
               server_names[s], kib_per_conn(s), rss_of(s, 0), conns[0], rss_of(s, nconns - 1),
               conns[nconns - 1]);
    }
    bench_close(f);

    /* The servers are measured one after another, so other programs on a busy machine
     * add noise to the comparison: "about the same" is within 10% on a quiet machine and
     * within 25% on a busy one (load average above half the cores at the start). On a busy
     * machine the rules also compare requests per CPU-second, not requests/s (score()). */
    const double margin = b.busy ? 0.25 : 0.10;
    by_cpu = b.busy;
    const char *busy_note = b.busy ? " (machine busy: compared per CPU-second, 25% margin)" : "";
    const char *unit = by_cpu ? "k req/CPU-s" : "k req/s";
    /* Per connection count, "async" is the better of the loop and the coroutines, and
     * "threads" the better of the two thread designs: each side as good as we could write it. */
    int async_wins = 0, threads_win = 0, pool_close = 0;
    char figures[640] = "";
    for (int i = 0; i < nconns; i++) {
        double a = async_score(i), t = score(THREADS, i), p = score(POOL, i);
        double best_thr = t > p ? t : p;
        if (a > best_thr * (1 + margin))
            async_wins++;
        else if (best_thr > a * (1 + margin))
            threads_win++;
        if (p >= a * (1 - margin))
            pool_close++;
        size_t len = strlen(figures);
        snprintf(figures + len, sizeof figures - len, "%sc=%ld thr %.0f pool %.0f uv %.0f co %.0f",
                 i ? " | " : "", conns[i], t / 1000, p / 1000, score(UV, i) / 1000,
                 score(CO, i) / 1000);
    }

    /* C2 "threads work better for a lot of I/O-bound operations" (and, later in the
     * article, async is the one for I/O). Rule: TRUE if the better thread design beats
     * the better async one (loop or coroutines) by more than the margin at every connection
     * count; FALSE if the better async design beats both thread designs by more than the
     * margin at every count; DEPENDS if the winner changes with the number of connections;
     * HALF-TRUE if async wins nowhere but the threads do not win everywhere (within the
     * margin somewhere): threads serve I/O at least as well, better at some counts only. */
    const char *verdict;
    if (threads_win == nconns)
        verdict = "TRUE";
    else if (async_wins == nconns)
        verdict = "FALSE";
    else if (threads_win > 0 && async_wins > 0)
        verdict = "DEPENDS";
    else if (async_wins == 0)
        verdict = "HALF-TRUE";
    else
        verdict = "DEPENDS";
    char line[768];
    snprintf(line, sizeof line, "%s: %s%s", unit, figures, busy_note);
    claim_write("C2", "14", "threads better for I/O", line, verdict);

    /* C11 "threads are slower than async in I/O-bound applications (blocking I/O)". Rule:
     * compares the thread-per-connection server with the better async one (the loop or
     * coroutines on it). TRUE if async is faster by more than the margin at every
     * connection count; FALSE if the threads match or beat it (within the margin, or
     * faster) at every count; DEPENDS otherwise (it turns with the number of connections).
     * Memory is C5's question. */
    int async_faster = 0, thr_matches = 0;
    for (int i = 0; i < nconns; i++) {
        double a = async_score(i), t = score(THREADS, i);
        if (a > t * (1 + margin))
            async_faster++;
        else
            thr_matches++;
    }
    verdict = async_faster == nconns ? "TRUE" : thr_matches == nconns ? "FALSE" : "DEPENDS";
    snprintf(line, sizeof line, "thread/conn vs loop/co, %s: ", unit);
    for (int i = 0; i < nconns; i++) {
        size_t len = strlen(line);
        snprintf(line + len, sizeof line - len, "%sc=%ld %.0f vs %.0f/%.0f", i ? ", " : "",
                 conns[i], score(THREADS, i) / 1000, score(UV, i) / 1000, score(CO, i) / 1000);
    }
    snprintf(line + strlen(line), sizeof line - strlen(line), "%s", busy_note);
    claim_write("C11", "14", "threads slower for I/O", line, verdict);

    /* C1 (server side) "async is faster because creating and synchronizing threads is
     * expensive". With keep-alive a thread is created once per connection, not per request.
     * Rule: TRUE if the better async design (loop or coroutines) beats both thread designs
     * by more than the margin at every count; FALSE if some thread design is within the
     * margin or faster at every count; HALF-TRUE otherwise (faster at some counts only). */
    verdict = async_wins == nconns ? "TRUE" : async_wins == 0 ? "FALSE" : "HALF-TRUE";
    snprintf(line, sizeof line, "loop/co ahead of both thread servers at %d of %d conn counts; "
                                "pool within margin of loop/co at %d%s",
             async_wins, nconns, pool_close, busy_note);
    claim_write("C1", "14", "async faster: threads costly", line, verdict);

    /* C5 (server side) "threads need more memory". Rule (claims.md): TRUE if the thread
     * per connection server uses more than 10x the loop's resident KiB per connection,
     * HALF-TRUE if more but under 10x, FALSE otherwise. A loop figure under 0.1 KiB is
     * taken as 0.1 (RSS moves by whole pages: a smaller growth is noise). The coroutine
     * server is shown, not used: the claim asks whether async needs a thread's memory, and
     * the loop answers that it need not; a stackful coroutine keeps the stack pages it
     * touched, as a thread does, which is lesson 11's figure seen in a server. */
    double kt = kib_per_conn(THREADS), ku = kib_per_conn(UV), kp = kib_per_conn(POOL);
    double ku_floor = ku < 0.1 ? 0.1 : ku;
    verdict = kt > 10 * ku_floor ? "TRUE" : kt > ku_floor ? "HALF-TRUE" : "FALSE";
    snprintf(line, sizeof line, "KiB/conn (%ld..%ld conns): thread/conn %.1f | loop %.2f | "
                                "coroutines %.1f | pool(%d) %.2f | nginx %.2f",
             conns[0], conns[nconns - 1], kt, ku, kib_per_conn(CO), 2, kp, kib_per_conn(NGINX));
    claim_write("C5", "14", "threads need more memory", line, verdict);

    snprintf(path, sizeof path, "%s/14-showdown/showdown_cpu.raw", dir);
    if (!read_cpu(path)) {
        printf("no CPU-bound sweep (%s): no C7/C8 lines from this lesson\n", path);
        return 0;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct stats cr[NSERVERS], cc[NSERVERS];
    f = bench_open_data(&(struct bench){ .name = "14-showdown/showdown_cpu", .quick = b.quick,
                                         .reps = cpu_n[UV], .warmup = 1 },
                        "server(0 threads, 1 pool, 2 uv, 4 co) rps_median rps_min rps_max "
                        "cores_used_median cores_used_min cores_used_max (GET /primes, 8 conns)");
    for (int s = 0; s < NSERVERS; s++) {
        if (s == NGINX)
            continue;   /* not in this sweep: its "Hello" does not compute */
        cr[s] = stats_of(cpu_rps[s], cpu_n[s]);
        cc[s] = stats_of(cpu_cores[s], cpu_n[s]);
        fprintf(f, "%d %.0f %.0f %.0f %.2f %.2f %.2f\n", s, cr[s].median, cr[s].min, cr[s].max,
                cc[s].median, cc[s].min, cc[s].max);
        printf("CPU-bound: %-8s %7.0f requests/s, %.2f cores busy\n", server_names[s],
               cr[s].median, cc[s].median);
    }
    bench_close(f);

    /* C7 "threads give parallelism, async gives concurrency", for the servers. Rule: TRUE
     * if a thread server kept more than 1.2 cores busy (CPU seconds per second) while both
     * async servers (the loop and the coroutines on it) stayed at one (at most 1.05);
     * DEPENDS on a 1-core machine, or on a busy one where no thread server got past 1.2
     * (other programs held the cores); FALSE otherwise. Cores busy, not requests/s: on a
     * busy machine the scheduler gives a process with more threads a larger share, so a
     * throughput ratio would flatter threads even on one core; the loop's one-core ceiling
     * shows in either case. */
    double thr_cores = cc[THREADS].median > cc[POOL].median ? cc[THREADS].median : cc[POOL].median;
    bool thr_parallel = thr_cores > 1.2;
    bool loop_one = cc[UV].median <= 1.05 && cc[CO].median <= 1.05;
    if (cores < 2 || (!thr_parallel && b.busy))
        verdict = "DEPENDS";
    else
        verdict = thr_parallel && loop_one ? "TRUE" : "FALSE";
    snprintf(line, sizeof line, "cores busy on CPU-bound requests: thread/conn %.2f | pool(2) "
                                "%.2f | loop %.2f | co %.2f (%ld cores)%s",
             cc[THREADS].median, cc[POOL].median, cc[UV].median, cc[CO].median, cores,
             b.busy && !thr_parallel ? " (machine busy)" : "");
    claim_write("C7", "14", "threads parallel, async not", line, verdict);

    /* C8 "threading is ideal for CPU-bound tasks". Rule (lesson 01's, on the servers): the
     * C side scales when a thread server kept at least 0.6 x cores busy on the CPU-bound
     * requests (cores, not requests/s, for the reason given at C7). TRUE if it scales and
     * CPython threading (lesson 01's data) reaches 0.6 x cores too; HALF-TRUE if it scales
     * and CPython threading stays under 1.2x (the GIL: true in C, false in CPython);
     * DEPENDS without lesson 01's CPython figures, on 1 core, in between, or when C does
     * not scale on a busy machine; FALSE if C does not scale on a quiet machine. The
     * requests/s ratio is printed beside it. */
    double best = cr[THREADS].median > cr[POOL].median ? cr[THREADS].median : cr[POOL].median;
    double c_speedup = cr[UV].median > 0 ? best / cr[UV].median : 0;
    bool c_scales = thr_cores >= 0.6 * (double)cores;
    double py = cpython_threading_speedup(dir, cores);
    if (cores < 2 || py == 0)
        verdict = "DEPENDS";
    else if (!c_scales)
        verdict = b.busy ? "DEPENDS" : "FALSE";
    else if (py >= 0.6 * (double)cores)
        verdict = "TRUE";
    else if (py < 1.2)
        verdict = "HALF-TRUE";
    else
        verdict = "DEPENDS";
    char pyfig[64];
    if (py > 0)
        snprintf(pyfig, sizeof pyfig, "%.2fx", py);
    else
        snprintf(pyfig, sizeof pyfig, "not run (lesson 01's experiment)");
    snprintf(line, sizeof line, "CPU-bound: thread server %.2f cores busy, req/s %.2fx the "
                                "loop's | CPython threading x%ld (lesson 01): %s%s",
             thr_cores, c_speedup, cores, pyfig, b.busy && !c_scales ? " (machine busy)" : "");
    claim_write("C8", "14", "threads ideal for CPU-bound", line, verdict);
    return 0;
}
