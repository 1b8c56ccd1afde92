#!/usr/bin/env bash
# plots/claims.sh: print the claims table, C1..C16, one line per claim.
#   plots/claims.sh          the sixteen lines: each combines the figures of every lesson that
#                            settles the claim, read from the data files of one data set
#                            ($BENCH_DATA, default build/data: the .dat files the lessons'
#                            experiments wrote in NN-topic/), with the verdict computed by the
#                            rule written beside it in plots/claims/claims.py
#   plots/claims.sh --all    the same, then the per-lesson lines the experiments wrote with
#                            claim_write/claim into $BENCH_DATA/claims/ (each with the rule of
#                            its own lesson)
# Line format (book/claims-table.awk reads it): "%-4s %-34s figures    VERDICT", or
# "%-4s %-34s not yet measured (run make plots): lesson NN" when a lesson's data is missing.
# Nothing here decides a verdict.
set -u
cd "$(dirname "$0")/.." || exit 2
all=0
case ${1:-} in
    --all) all=1 ;;
    "") ;;
    *) echo "usage: plots/claims.sh [--all]" >&2; exit 2 ;;
esac
data=${BENCH_DATA:-build/data}   # make test's own data folder when it runs this
dir=$data/claims
machine=$(sed -n 's/^# machine: \(.*UTC\)$/\1/p' "$data"/*/*.dat 2>/dev/null | head -n 1)
echo "Claims of 'Python async vs thread', measured on this machine"
echo "machine: ${machine:-unknown (run make plots first)}"
busy=$(grep -l '^# load: .*BUSY' "$data"/*/*.dat 2>/dev/null | wc -l)
if [ "$busy" -gt 0 ]; then
    echo "note: $busy data file(s) were measured while other programs loaded the machine"
    echo "      (see '# load:' in $data/*/*.dat); run make plots again on a quiet machine."
fi
echo
python3 plots/claims/claims.py "$data" || exit $?
if [ "$all" = 1 ]; then
    echo
    echo "per lesson (the lines each experiment wrote into $dir/, by its own rule):"
    for i in $(seq 1 16); do
        for f in "$dir/C$i"-*.txt; do
            [ -e "$f" ] || continue
            l=${f##*-}
            printf '%s: ' "${l%.txt}"
            cat "$f"
        done
    done
fi
