#!/usr/bin/env python3
"""plots/01-threads/cpython_primes.py: lesson 01's CPU-bound work (count primes by trial
division, contiguous chunks) in CPython with threading, asyncio and multiprocessing, for
1 .. 2 x cores workers. Writes build/data/01-threads/cpython.dat (median seconds per mode)
and cpython.raw (every sample). The C benchmark reads it for the C7 and C8 verdicts.

Run: python3 plots/01-threads/cpython_primes.py --quick     # or --full
"""
import asyncio
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d <= n // d:
        if n % d == 0:
            return False
        d += 2
    return True


def count(lo, hi):
    return sum(1 for n in range(lo, hi) if is_prime(n))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def chunks(hi, workers):
    base, extra = divmod(hi, workers)
    lo = 0
    for i in range(workers):
        size = base + (1 if i < extra else 0)
        yield lo, lo + size
        lo += size


def run_threading(hi, workers):
    results = []
    lock = threading.Lock()

    def work(lo, top):
        c = count(lo, top)
        with lock:
            results.append(c)

    threads = [threading.Thread(target=work, args=span) for span in chunks(hi, workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(results)


def run_asyncio(hi, workers):
    async def work(lo, top):
        return count(lo, top)   # no await inside: a CPU-bound task never yields the loop

    async def main():
        return sum(await asyncio.gather(*(work(lo, top) for lo, top in chunks(hi, workers))))

    return asyncio.run(main())


def run_multiprocessing(hi, workers):
    with multiprocessing.Pool(workers) as pool:
        return sum(pool.starmap(count, list(chunks(hi, workers))))


MODES = (("threading", run_threading), ("asyncio", run_asyncio),
         ("multiprocessing", run_multiprocessing))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "--quick"
    if mode not in ("--quick", "--full") or len(sys.argv) > 2:
        sys.exit("usage: cpython_primes.py [--quick|--full]")
    quick = mode == "--quick"
    hi, reps = (200_000, 3) if quick else (600_000, 10)
    cores = os.cpu_count() or 1
    data_dir = os.path.join(os.environ.get("BENCH_DATA", "build/data"), "01-threads")
    os.makedirs(data_dir, exist_ok=True)
    expect = count(0, hi)
    medians = {}
    with open(os.path.join(data_dir, "cpython.raw"), "w") as raw:
        raw.write("# workers mode rep seconds\n")
        for workers in range(1, 2 * cores + 1):
            for name, fn in MODES:
                print(f"[01-threads/cpython] {name} x{workers}, {reps} repetitions",
                      file=sys.stderr, flush=True)
                samples = []
                for rep in range(reps):
                    start = time.monotonic()
                    got = fn(hi, workers)
                    samples.append(time.monotonic() - start)
                    if got != expect:
                        sys.exit(f"cpython_primes: {name} x{workers} counted {got}, not {expect}")
                    raw.write(f"{workers} {name} {rep} {samples[-1]:.6f}\n")
                medians[workers, name] = (statistics.median(samples), min(samples), max(samples))
    with open(os.path.join(data_dir, "cpython.dat"), "w") as dat:
        dat.write(f"# machine: {cpu_model()}, {cores} cores, "
                  f"{platform.system()} {platform.release()}, CPython {platform.python_version()}\n")
        dat.write(f"# mode: {'quick' if quick else 'full'}, {reps} repetitions; "
                  f"primes in [0, {hi}) by trial division\n")
        dat.write("# workers threading_median_s asyncio_median_s multiprocessing_median_s "
                  "threading_min_s threading_max_s asyncio_min_s asyncio_max_s "
                  "multiprocessing_min_s multiprocessing_max_s\n")
        for workers in range(1, 2 * cores + 1):
            m = [medians[workers, name] for name, _ in MODES]
            dat.write(f"{workers} {m[0][0]:.6f} {m[1][0]:.6f} {m[2][0]:.6f} "
                      f"{m[0][1]:.6f} {m[0][2]:.6f} {m[1][1]:.6f} {m[1][2]:.6f} "
                      f"{m[2][1]:.6f} {m[2][2]:.6f}\n")
    for workers in range(1, 2 * cores + 1):
        line = "  ".join(f"{name} {medians[workers, name][0]:.3f} s" for name, _ in MODES)
        print(f"CPython x{workers}: {line}")


if __name__ == "__main__":
    main()
