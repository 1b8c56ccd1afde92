#!/usr/bin/env bash
# plots/12-coroutines-on-the-loop/experiment.sh: lesson 12's experiment (run by plots/run.sh).
# (a) echo round trips per second, the coroutine server beside a callback server, 1..100
#     clients (1000 with --full), in one run that alternates the two servers slice by slice;
#     lesson 08's own figures (another run) are printed beside when they exist;
# (b) ns per short task: a thread created and joined vs a coroutine spawned and run on the
#     loop; the C1 line (coroutine side), its rule in bench_spawn_cost.c.
set -eu
source plots/bench/env.sh
"$BIN/bench_co_echo" "$MODE"
"$BIN/bench_spawn_cost" "$MODE"
plot co_echo.gp co_echo
plot spawn_cost.gp spawn_cost
other=$BENCH_DATA/08-nonblocking-io/echo_rate.dat
if [ -f "$other" ]; then
    echo "lesson 08's libuv server, from its own run ($other), round trips/s:"
    awk '!/^#/ { printf "  %6d clients: %8d\n", $1, $2 }' "$other"
fi
