#!/usr/bin/env bash
# tests/bench-check-speed.sh: how long `make check` takes to give its verdict "after a
# save". A benchmark, not a test: it prints figures and never fails on them.
#
#   tests/bench-check-speed.sh                  every lesson: solution, stub, and the
#                                               deadlocking mutants of 04, 05 and 06
#   tests/bench-check-speed.sh 04 06:mutant     only these cases (NN, NN:solution,
#                                               NN:stub, NN:mutant or NN:mutant/NAME)
#   REPS=5 (default)                            runs per case: median, min, max
#
# For each case the answer is copied to build/bench-check/NN/<case>/exercise.c (the
# learner's file and the solutions stay untouched), then REPS times: touch it (a save),
# and time `make -s check L=NN IMPL=that-file` until it exits. The lesson's shared test
# objects are built once before (a warm-up check of the solution, not timed), as they are
# for a learner after the first check. The verdict column is the check's last line.
set -u
cd "$(dirname "$0")/.." || exit 2
reps=${REPS:-5}
# The deadlocking answers of issue 8: locks in argument order, signal on close, workers
# that exit on an empty queue.
declare -A hang_mutant=(
    [04]=tests/04-deadlocks/mutants/lock_arg_order.c
    [05]=tests/05-condition-variables/mutants/signal_on_close.c
    [06]=tests/06-thread-pool/mutants/exit_when_empty.c
)

lesson_dir() { local d; for d in lessons/"$1"-*/; do basename "$d"; return; done; }

# The stub as shipped: from git when there is a history, else the tree's pristine copy.
stub_source() {
    local l=$1
    if git rev-parse --verify -q HEAD > /dev/null 2>&1 &&
       git show "HEAD:lessons/$l/exercise.c" 2> /dev/null; then
        return 0
    fi
    cat "lessons/$l/exercise.c"
}

cases=("$@")
if [ ${#cases[@]} = 0 ]; then
    for d in lessons/[0-9][0-9]-*/; do
        n=$(basename "$d"); n=${n%%-*}
        [ -d "tests/$(lesson_dir "$n")" ] || continue
        cases+=("$n:solution" "$n:stub")
        [ -n "${hang_mutant[$n]:-}" ] && cases+=("$n:mutant")
    done
fi

now() { date +%s.%N; }
printf '# machine: %s cores, %s; load before: %s\n' "$(nproc)" "$(uname -r)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '# command: touch FILE; make -s check L=NN IMPL=FILE   (%s runs per case)\n' "$reps"
printf '%-34s %8s %8s %8s  %s\n' "case" "median_s" "min_s" "max_s" "verdict (last run)"
declare -A warmed=()
for c in "${cases[@]}"; do
    n=${c%%:*}
    kind=${c#*:}; [ "$kind" = "$c" ] && kind=all
    l=$(lesson_dir "$n")
    [ -n "$l" ] || { echo "no lesson $n" >&2; continue; }
    if [ "$kind" = all ]; then
        set -- solution stub
        [ -n "${hang_mutant[$n]:-}" ] && set -- "$@" mutant
    else
        set -- "$kind"
    fi
    for k in "$@"; do
        case $k in
            solution) src=solutions/$l/exercise.c; name=solution ;;
            stub) src=; name=stub ;;
            mutant) src=${hang_mutant[$n]:-}; name=mutant/$(basename "${src%.c}") ;;
            mutant/*) src=tests/$l/mutants/${k#mutant/}.c; name=$k ;;
            *) echo "unknown case $c" >&2; continue ;;
        esac
        dir=build/bench-check/$n/$name
        mkdir -p "$dir"
        if [ "$k" = stub ]; then
            stub_source "$l" > "$dir/exercise.c"
        else
            [ -f "$src" ] || { echo "no file $src" >&2; continue; }
            cp "$src" "$dir/exercise.c"
        fi
        if [ -z "${warmed[$n]:-}" ]; then
            make -s check L="$n" IMPL="solutions/$l/exercise.c" > /dev/null 2>&1
            warmed[$n]=1
        fi
        times=()
        for _ in $(seq "$reps"); do
            touch "$dir/exercise.c"
            t0=$(now)
            out=$(make -s check L="$n" IMPL="$dir/exercise.c" 2>&1)
            t1=$(now)
            times+=("$(echo "$t1 - $t0" | bc)")
        done
        verdict=$(printf '%s\n' "$out" | grep -v '^make' | tail -n 1 |
                  sed 's/^.*: \([0-9]* passed, [0-9]* failed\)$/\1/')
        stuck=$(printf '%s\n' "$out" | grep -c 'stuck: every thread waits')
        [ "$stuck" = 0 ] || verdict="$verdict ($stuck stuck)"
        printf '%s\n' "${times[@]}" | sort -g | awk -v c="$n:$name" -v v="$verdict" '
            { t[NR] = $1 }
            END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                  printf "%-34s %8.2f %8.2f %8.2f  %s\n", c, m, t[1], t[NR], v }'
    done
done
printf '# load after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
