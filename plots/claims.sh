#!/usr/bin/env bash
# plots/claims.sh: print the claims table from build/data/claims/, one line per measured
# claim (written by the experiments with claim_write), "not yet measured" for the rest.
# The figures and the verdict words come from the data; nothing here decides a verdict.
set -u
cd "$(dirname "$0")/.." || exit 2
dir=build/data/claims
declare -A words=(
    [C1]="async is faster: threads cost"  [C2]="threads better for I/O-bound"
    [C3]="async isolates errors"          [C4]="a thread error affects others"
    [C5]="threads need more memory"       [C6]="async creates no resources"
    [C7]="threads parallel, async not"    [C8]="threads ideal for CPU-bound"
    [C9]="async unfit for CPU-bound"      [C10]="async has no race conditions"
    [C11]="threads slower for I/O"        [C12]="many threads: switch costs"
    [C13]="coroutines lighter than threads" [C14]="which is easier to debug"
    [C15]="threads run in isolation"      [C16]="concurrency vs parallelism"
)
machine=$(sed -n 's/^# machine: \(.*UTC\)$/\1/p' build/data/*/*.dat 2>/dev/null | head -n 1)
echo "Claims of 'Python async vs thread', measured on this machine"
echo "machine: ${machine:-unknown (run make plots first)}"
busy=$(grep -l '^# load: .*BUSY' build/data/*/*.dat 2>/dev/null | wc -l)
if [ "$busy" -gt 0 ]; then
    echo "note: $busy data file(s) were measured while other programs loaded the machine"
    echo "      (see '# load:' in build/data/*/*.dat); run make plots again on a quiet machine."
fi
echo
for i in $(seq 1 16); do
    id=C$i
    shown=0
    for f in "$dir/$id"-*.txt; do
        [ -e "$f" ] || continue
        cat "$f"
        shown=1
    done
    [ "$shown" = 1 ] || printf '%-4s %-34s not yet measured\n' "$id" "${words[$id]}"
done
