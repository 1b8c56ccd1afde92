#!/usr/bin/env bash
# tests/bench-impl.sh: `make bench L=NN IMPL=file.c` (plots/bench/impl-bench.sh), typed as
# the README writes it. Part of make test. Checks the output's structure, never a figure:
#   a copy of lesson 06's reference is measured: both columns and a ratio per figure, each
#     run's data in a folder of its own, exit 0
#   a mutant of lesson 06 fails its tests: refused with the check's summary line, exit 1,
#     no table
#   lesson 14 (no benchmark calls its exercise): exit 2, naming the lessons that have one
#   (make turns every failure into its own exit 2: these two exits are the script's own)
#   an unknown lesson, a missing file, a file that does not compile: a message, non-zero
#   build/bench and build/data are left as they were
# Build: nothing (make builds what it measures under build/bench-impl/)
# Run:   tests/bench-impl.sh        (prints "bench-impl: N passed, M failed")
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0 failed=0
ok() { printf 'PASS  %s\n' "$*"; passed=$((passed + 1)); }
bad() { printf 'FAIL  %s\n' "$*"; failed=$((failed + 1)); }

# A fixed folder: the tool keeps a build per answer path (build/bench-impl/NN/yours-KEY/), so
# the same paths every time leave no new folders behind.
tmp=build/test/bench-impl
rm -rf "$tmp" && mkdir -p "$tmp" || exit 2
log=$tmp/log
show() { sed 's/^/      /' "$log" | tail -n 25; }
# bench ARGS...: make bench as typed; its output in $log, its exit status returned.
bench() { make --no-print-directory bench "$@" > "$log" 2>&1; }
# What the learner's own measurements are: listed before and after, they must not differ.
snapshot() { find build/bench build/data -printf '%p %s %T@\n' 2> /dev/null | sort; }
snapshot > "$tmp/before"

# ---- a correct answer: a copy of the reference, outside the course's folders
answer=$tmp/answer.c
cp solutions/06-thread-pool/exercise.c "$answer"
if bench L=06 IMPL="$answer" ROUNDS=2; then ok "make bench L=06 IMPL=<a copy of the reference> exits 0"
else bad "make bench L=06 IMPL=<a copy of the reference> failed"; show; fi
grep -q '^check: .* passed, 0 failed$' "$log" && ok "the check's summary line is printed" ||
    { bad "no check summary line 'N passed, 0 failed'"; show; }
# The two column headings, then "figure median min max median min max yours/ref".
if grep -q -- '- reference -.*- yours -' "$log" &&
   grep -Eq '^figure +median +min +max +median +min +max +yours/ref$' "$log"; then
    ok "the table has a reference and a yours column, and yours/ref"
else bad "the table's headings are missing"; show; fi
# A figure row: its name, then six numbers (reference and yours: median, min, max) and a ratio.
rows=$(awk '/^== 06-thread-pool\// { on = 1; next } on && NF >= 8 {
               n = 0
               for (i = NF - 6; i <= NF; i++) if ($i ~ /^-?[0-9.]+(e[-+][0-9]+)?$/ || $i == "-") n++
               if (n == 7 && $NF ~ /^[0-9.]+$/) rows++ }
           END { print rows + 0 }' "$log")
[ "$rows" -ge 1 ] && ok "$rows figure rows with both sides' median, min, max and a ratio" ||
    { bad "no figure row with six numbers and a ratio"; show; }
grep -q '^benchmark: bench_task_cost (calls .*pool_submit' "$log" &&
    ok "lesson 06's pool benchmark was found by the functions it calls" ||
    { bad "bench_task_cost was not named as the benchmark of pool_submit"; show; }
# Each run wrote into a folder of its own: data/SIDE/ROUND/.
data=$(sed -n 's/.*(data: \(.*\)\/)$/\1/p' "$log")
n=0
for side in ref yours; do
    for r in 1 2; do ls "$data/$side/$r"/06-thread-pool/*.dat > /dev/null 2>&1 && n=$((n + 1)); done
done
[ -n "$data" ] && [ "$n" = 4 ] && ok "each of the 4 runs wrote its data into its own folder ($data)" ||
    { bad "the runs' data folders are missing (found $n of 4 under '$data')"; show; }

# ---- a wrong answer
mutant=$(ls tests/06-thread-pool/mutants/*.c | head -n 1)
if bench L=06 IMPL="$mutant"; then bad "make bench measured a mutant ($mutant)"; show
elif grep -q 'passed, [1-9][0-9]* failed$' "$log" && grep -q 'not measured' "$log" &&
     ! grep -q 'yours/ref' "$log"; then
    ok "a mutant is refused with the check's summary line, and not measured"
else bad "the mutant's refusal does not say why"; show; fi
plots/bench/impl-bench.sh 06 "$mutant" > "$log" 2>&1; rc=$?
[ "$rc" = 1 ] && ok "plots/bench/impl-bench.sh exits 1 on the mutant" ||
    { bad "plots/bench/impl-bench.sh exits $rc on the mutant, not 1"; show; }

# ---- a lesson whose benchmarks do not call its exercise
bench L=14 IMPL=solutions/14-showdown/exercise.c
if grep -q 'no benchmark .*lessons that have one:.* 06' "$log"; then
    ok "lesson 14: no benchmark, and the lessons that have one named"
else bad "lesson 14: no sentence naming the lessons that have a benchmark"; show; fi
plots/bench/impl-bench.sh 14 solutions/14-showdown/exercise.c > "$log" 2>&1; rc=$?
[ "$rc" = 2 ] && ok "plots/bench/impl-bench.sh exits 2 for lesson 14" ||
    { bad "plots/bench/impl-bench.sh exits $rc for lesson 14, not 2"; show; }

# ---- usage errors
bench L=99 IMPL="$answer"; rc=$?
[ "$rc" != 0 ] && grep -q "unknown lesson '99'" "$log" && ok "an unknown lesson: a message, exit $rc" ||
    { bad "an unknown lesson: exit $rc"; show; }
bench L=06 IMPL="$tmp/missing.c"; rc=$?
[ "$rc" != 0 ] && grep -q "no file '.*missing.c'" "$log" && ok "a missing file: a message, exit $rc" ||
    { bad "a missing file: exit $rc"; show; }
printf 'struct pool *pool_create(int n, unsigned long c) { return 0 }\n' > "$tmp/broken.c"
bench L=06 IMPL="$tmp/broken.c"; rc=$?
[ "$rc" != 0 ] && grep -q "does not compile" "$log" && grep -q 'error:' "$log" &&
    ok "a file that does not compile: the compiler's message, exit $rc" ||
    { bad "a file that does not compile: exit $rc"; show; }

snapshot > "$tmp/after"
cmp -s "$tmp/before" "$tmp/after" && ok "build/bench and build/data were not touched" ||
    { bad "build/bench or build/data changed:"; diff "$tmp/before" "$tmp/after" | head -n 10; }

echo "bench-impl: $passed passed, $failed failed"
[ "$failed" = 0 ]
