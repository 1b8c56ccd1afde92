#!/usr/bin/env bash
# plots/08-nonblocking-io/experiment.sh: lesson 08's experiment (run by plots/run.sh).
# (a) echo round trips per second for 1, 10, 100 clients (1000 with --full), the libuv
#     server beside the raw epoll server, in the same run;
# (b) the server's resident bytes per idle client, both servers (the loop's side of C5).
# No claim line: no claim is settled by this lesson alone (C5 is settled in lesson 14, which
# puts threads, the loop and coroutines side by side).
set -eu
source plots/bench/env.sh
"$BIN/bench_echo_rate" "$MODE"
"$BIN/bench_idle_rss" "$MODE"
plot echo_rate.gp echo_rate
plot idle_rss.gp idle_rss
