#!/usr/bin/env bash
# plots/01-threads/experiment.sh: lesson 01's experiments (run by plots/run.sh).
#   C7, C8: speedup of the same CPU-bound work in C threads and in CPython (threading,
#           asyncio, multiprocessing); the verdicts are computed in bench_speedup.c.
#   C15:    the stray_write demo; rule below.
set -eu
. plots/bench/env.sh

python3 plots/01-threads/cpython_primes.py "$MODE"
"$BIN/bench_speedup" "$MODE"
plot speedup.gp speedup

# C15 "threads each perform a specific task in isolation from others". Rule: FALSE when
# one thread's off-by-one write changed another thread's data (no isolation), TRUE when
# the buggy loop could not touch it.
out=$(build/lessons/01-threads/stray_write)
echo "$out"
printf '%s\n' "$out" > "$DATA/stray_write.txt"   # kept for plots/claims (C15 from 01 and 13)
changed=$(printf '%s\n' "$out" | sed -n "s/^stray_write: \([0-9]*\) of thread 1's \([0-9]*\) cells.*/\1/p")
[ -n "$changed" ] || { echo "stray_write printed no summary line" >&2; exit 1; }
if [ "$changed" -gt 0 ]; then verdict=FALSE; else verdict=TRUE; fi
claim C15 "threads run in isolation" \
    "one stray write (off-by-one) in thread 0 changed $changed cell(s) of thread 1" "$verdict"
