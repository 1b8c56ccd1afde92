#!/usr/bin/env bash
# plots/02-races/experiment.sh: lesson 02's experiment (run by plots/run.sh).
#   Lost updates of racy_count vs threads, and of coroutines that yield mid-update (one
#   thread); the ThreadSanitizer runs of the two demos; the verdicts of C10 and C14 are
#   computed in bench_lost.c from those figures (rules beside the code).
set -eu
. plots/bench/env.sh

# The TSan builds of the demos and their logs (build/lessons/02-races/tsan/*.log).
# `make tsan` fails if racy shows no race or coro_race is not clean; bench_lost reads the
# logs either way and its verdicts say what happened.
make -s --no-print-directory -C lessons/02-races tsan || echo "note: make -C lessons/02-races tsan did not pass; verdicts use its logs as they are" >&2
# Keep the threaded demo's report beside the data, for the lesson text.
cp build/lessons/02-races/tsan/racy.log "$DATA/tsan-racy.txt"
cp build/lessons/02-races/tsan/coro_race.log "$DATA/tsan-coro.txt"   # for plots/claims (C10, C14)
"$BIN/bench_lost" "$MODE"
plot lost.gp lost
