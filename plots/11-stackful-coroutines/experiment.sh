#!/usr/bin/env bash
# plots/11-stackful-coroutines/experiment.sh: lesson 11's experiment (run by plots/run.sh).
# (a) ns per switch: stackless step, bare hand switch, Boost's jump_fcontext, coro_resume +
#     coro_yield, swapcontext, two threads on a condvar (C12);
# (b) bytes per waiting task, 1..10000: coroutines (64 KiB, 16 KiB), stackless, threads;
# (c) ns to create, run and destroy a task (C13, which also reads (b)'s summary).
set -eu
source plots/bench/env.sh
"$BIN/bench_switch" "$MODE"
"$BIN/bench_mem" "$MODE"
"$BIN/bench_create" "$MODE"
plot switch.gp switch
plot mem.gp mem
plot create.gp create
