#!/usr/bin/env bash
# tests/grader/bench-class.sh: how fast make grade gets through a class (a benchmark, not a
# test: it prints figures and judges nothing).
# Build: nothing
# Run:   tests/grader/bench-class.sh [REPS]     (default 3; as root for cgroups and 2 jobs)
#
# Two classes of lesson 01, each graded REPS times with `make grade SUBMISSIONS=dir L=01`,
# exactly as an instructor types it:
#   correct: 30 copies of the reference answer;
#   mixed:   10 correct, 10 failing (the shipped stub) and 10 that hang (a mutant whose
#            threads wait at a barrier that never opens: join_in_loop.c).
# Prints, per class, the wall time of each run and the median, min and max, in seconds and in
# lesson-submissions per minute, and the ratio mixed/correct of the medians.
set -eu
cd "$(dirname "$0")/../.."
reps=${1:-3}
tmp=$(mktemp -d /tmp/bench-class.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
stub=$(mktemp "$tmp/stub.XXXXXX")
git show HEAD:lessons/01-threads/exercise.c > "$stub" 2>/dev/null ||
    cp lessons/01-threads/exercise.c "$stub"
put() {   # put CLASS STUDENT FILE
    mkdir -p "$tmp/$1/$2/lessons/01-threads"
    cp "$3" "$tmp/$1/$2/lessons/01-threads/exercise.c"
}
for i in $(seq -w 1 30); do put correct "s$i" solutions/01-threads/exercise.c; done
for i in $(seq -w 1 10); do
    put mixed "ok$i" solutions/01-threads/exercise.c
    put mixed "fail$i" "$stub"
    put mixed "hang$i" tests/01-threads/mutants/join_in_loop.c
done
echo "# machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1 /proc/loadavg), $(date -u '+%F %T UTC')"
declare -A med
for class in correct mixed; do
    times=()
    for r in $(seq "$reps"); do
        t0=$(date +%s.%N)
        make -s grade SUBMISSIONS="$tmp/$class" L=01 > "$tmp/$class.log" 2>&1 ||
            { cat "$tmp/$class.log"; exit 1; }
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -g)
    mid=$(printf '%s\n' "$sorted" | sed -n "$(( (reps + 1) / 2 ))p")
    min=$(printf '%s\n' "$sorted" | head -n 1)
    max=$(printf '%s\n' "$sorted" | tail -n 1)
    med[$class]=$mid
    printf '%-8s 30 lesson-submissions: median %.1f s (min %.1f, max %.1f) = %.0f per minute; runs: %s\n' \
        "$class" "$mid" "$min" "$max" "$(awk -v t="$mid" 'BEGIN { print 30 * 60 / t }')" "${times[*]}"
    grep -E '^ +[0-9]+ +[0-9]+' "$tmp/$class.log" | head -n 1 | sed 's/^/         verdicts (ok failing compile-error timeout ...):/'
done
printf 'mixed / correct: %.2f\n' "$(awk -v a="${med[mixed]}" -v b="${med[correct]}" 'BEGIN { print a / b }')"
