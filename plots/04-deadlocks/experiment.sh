#!/usr/bin/env bash
# plots/04-deadlocks/experiment.sh: lesson 04's experiment (run by plots/run.sh).
#   C4: a thread exits while it holds a mutex; how many waiters still get the lock, with a
#       normal mutex and with a robust one. The verdict is computed in bench_dead_owner.c.
set -eu
. plots/bench/env.sh

"$BIN/bench_dead_owner" "$MODE"
limit=$(sed -n 's/^# limit_ms: \([0-9]*\).*/\1/p' "$DATA/dead_owner.dat")
plot dead_owner.gp dead_owner "limit=${limit:-0}"
