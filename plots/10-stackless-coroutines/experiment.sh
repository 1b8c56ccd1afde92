#!/usr/bin/env bash
# plots/10-stackless-coroutines/experiment.sh: lesson 10's experiment (run by plots/run.sh).
# (a) ns per resume of a stackless coroutine (fib_next, counter_step, sched_run with 2 and
#     1000 tasks) beside a plain call, and bytes per task (sizeof and resident): the stackless
#     figures of C13, written to c13_stackless.dat for lesson 11;
# (b) updates lost by tasks on one thread with a yield between read and write, and by
#     counter_step: C10's stackless column (verdict computed in bench_lost.c).
set -eu
source plots/bench/env.sh
"$BIN/bench_resume" "$MODE"
"$BIN/bench_lost" "$MODE"
plot resume.gp resume
plot lost.gp lost
plot task_bytes.gp task_bytes
