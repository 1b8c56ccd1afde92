#!/usr/bin/env bash
# plots/00-intro/experiment.sh: lesson 00's experiment (run by plots/run.sh).
#   C16: two CPU-bound tasks held on one core, then free on all cores: lifetimes overlap
#        in both (concurrency), tasks run at the same instant only on several cores
#        (parallelism). The verdict rule is a comment in bench_overlap.c.
set -eu
. plots/bench/env.sh

"$BIN/bench_overlap" "$MODE"
plot wall.gp wall "cores=$(nproc)"
plot timeline.gp timeline
