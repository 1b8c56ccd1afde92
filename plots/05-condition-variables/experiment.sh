#!/usr/bin/env bash
# plots/05-condition-variables/experiment.sh: what one thread hand-off costs (C12).
# Run by plots/run.sh (make plots), which sets LESSON and MODE.
set -eu
. plots/bench/env.sh
"$BIN/bench_handoff" "$MODE"
plot handoff.gp handoff
