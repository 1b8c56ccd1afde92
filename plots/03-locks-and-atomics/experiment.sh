#!/usr/bin/env bash
# plots/03-locks-and-atomics/experiment.sh: lesson 03's experiment (run by plots/run.sh).
#   ns per increment of a shared counter: pthread mutex, the lesson's spinlock, and
#   atomic_fetch_add, for 1 .. 2 x cores threads. No claim is settled here.
set -eu
. plots/bench/env.sh

"$BIN/bench_increment" "$MODE"
plot increment.gp increment
