#!/usr/bin/env bash
# plots/run.sh: run every lesson's experiment (plots/NN-topic/experiment.sh) in lesson
# order, in quick mode (default) or full mode, showing which one runs and how far along.
#   plots/run.sh [--quick|--full] [NN-topic ...]
set -u
cd "$(dirname "$0")/.." || exit 2
MODE=--quick
lessons=()
for a in "$@"; do
    case $a in
        --quick|--full) MODE=$a ;;
        [0-9][0-9]-*) lessons+=("$a") ;;
        *) echo "usage: plots/run.sh [--quick|--full] [NN-topic ...]" >&2; exit 2 ;;
    esac
done
if [ ${#lessons[@]} = 0 ]; then
    for f in plots/[0-9][0-9]-*/experiment.sh; do
        [ -e "$f" ] || continue
        d=${f#plots/}; lessons+=("${d%%/*}")
    done
fi
export MODE
n=${#lessons[@]} i=0 failed=0
for l in "${lessons[@]}"; do
    i=$((i + 1))
    echo "== experiment $i/$n: $l ($MODE)"
    start=$(date +%s)
    if ! LESSON=$l bash "plots/$l/experiment.sh"; then
        echo "experiment $l failed" >&2
        failed=$((failed + 1))
    fi
    echo "== $l done in $(( $(date +%s) - start )) s"
done
echo "experiments: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
