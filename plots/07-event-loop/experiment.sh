#!/usr/bin/env bash
# plots/07-event-loop/experiment.sh: lesson 07's experiment (run by plots/run.sh).
# (a) threads of a "single-threaded" libuv program before and after one file read, for
#     UV_THREADPOOL_SIZE unset, 1, 4, 16; bytes owned by each pending request or handle (C6);
# (b) ns to queue and run one callback on the loop, beside lesson 06's thread figures if its
#     experiment ran (C1, the loop's side).
set -eu
source plots/bench/env.sh
"$BIN/bench_resources" "$MODE"
"$BIN/bench_callback_cost" "$MODE"
plot pool_threads.gp pool_threads
plot pending_bytes.gp pending_bytes
# Lesson 06's figures join the plot when its data file exists.
if [ -s build/data/06-thread-pool/task_cost.dat ]; then
    plot callback_cost.gp callback_cost "with06=1"
else
    plot callback_cost.gp callback_cost "with06=0"
fi
