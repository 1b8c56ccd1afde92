#!/usr/bin/env bash
# plots/06-thread-pool/experiment.sh: lesson 06's experiment (run by plots/run.sh).
# (a) ns per task: a thread per task, the pool, a plain call (C1, thread side);
# (b) memory per idle thread, default and 64 KiB stacks, 1..1000 threads (10000 with --full)
#     (C5, thread side).
set -eu
source plots/bench/env.sh
"$BIN/bench_task_cost" "$MODE"
"$BIN/bench_thread_mem" "$MODE"
plot task_cost.gp task_cost
plot thread_rss.gp thread_rss
plot thread_vm.gp thread_vm
