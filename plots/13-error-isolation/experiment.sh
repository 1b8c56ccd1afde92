#!/usr/bin/env bash
# plots/13-error-isolation/experiment.sh: lesson 13's experiment (run by plots/run.sh).
# (a) the isolation matrix: one fault in one of 8 tasks under threads, a libuv loop,
#     coroutines and processes (supervise); how many of the others finish right (C3, C4, C15);
# (b) two backtraces of the same failing check, from a thread and from a libuv callback,
#     taken by gdb in batch mode (C14, the debugging half that lesson 02 does not measure).
set -eu
source plots/bench/env.sh
"$BIN/bench_isolation" "$MODE"
plot isolation.gp isolation

# (b) The demo lessons/13-error-isolation/where_failed.c, built by `make demos`.
demo=build/lessons/13-error-isolation/where_failed
[ -x "$demo" ] || make -s -C lessons/13-error-isolation > /dev/null
# Keep gdb's frame lines only ("#0  ..."), without addresses and arguments' values.
backtrace() {
    timeout 60 gdb -nx -batch -ex run -ex bt --args "$demo" "$1" 2 2>&1 |
        sed -n 's/^\(#[0-9]*\) *\(0x[0-9a-f]* in \)\{0,1\}\([A-Za-z_0-9.?]*\) .*/\1 \3/p'
}
# C14's rule: HALF-TRUE if the failing thread's backtrace names handle_request (the code that
# asked for the check) while the failing callback's shows uv_run and no handle_request (the code
# that scheduled it has returned long ago); DEPENDS otherwise (or without gdb). HALF-TRUE, as in
# lesson 02: "threads are easy to debug" holds for where a failure came from, "async is easier to
# debug" does not.
if command -v gdb > /dev/null; then
    backtrace thread > "$DATA/backtrace_thread.txt"
    backtrace callback > "$DATA/backtrace_callback.txt"
    echo "backtrace of the failing thread:";   cat "$DATA/backtrace_thread.txt"
    echo "backtrace of the failing callback:"; cat "$DATA/backtrace_callback.txt"
    # The frames from the failing check down, at most six: "check_length <- parse_body <- ...".
    chain() { awk '$2 == "check_length" { on = 1 } on && n < 6 { printf "%s%s", (n++ ? " <- " : ""), $2 }
                   END { print "" }' "$1"; }
    t_asked=0 c_asked=0 c_loop=0
    grep -q handle_request "$DATA/backtrace_thread.txt" && t_asked=1
    grep -q handle_request "$DATA/backtrace_callback.txt" && c_asked=1
    grep -qw uv_run "$DATA/backtrace_callback.txt" && c_loop=1
    # The rule: see above.
    if [ "$t_asked" = 1 ] && [ "$c_asked" = 0 ] && [ "$c_loop" = 1 ]; then v=HALF-TRUE; else v=DEPENDS; fi
    claim C14 "which is easier to debug" \
        "thread bt: $(chain "$DATA/backtrace_thread.txt") | callback bt: $(chain "$DATA/backtrace_callback.txt")" "$v"
else
    echo "gdb is not installed: no backtraces (apt-get install gdb)" | tee "$DATA/backtrace_thread.txt" > "$DATA/backtrace_callback.txt"
    claim C14 "which is easier to debug" "no gdb on this machine: backtraces not taken" DEPENDS
fi
