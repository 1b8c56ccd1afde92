#!/usr/bin/env bash
# plots/09-blocking-the-loop/experiment.sh: lesson 09's experiment (run by plots/run.sh).
# Ping latency seen by other clients while one request computes for 100 ms: an idle server,
# the work inside the read callback, the work on libuv's pool (C9).
set -eu
source plots/bench/env.sh
"$BIN/bench_ping" "$MODE"
plot ping.gp ping
