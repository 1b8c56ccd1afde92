#!/usr/bin/env bash
# tests/check-data.sh: every data file the experiments wrote is well formed (never a check
# of the figures themselves): a "# machine:" line, a header naming the columns, at least one
# row, and every row with the same number of numeric fields. Every gnuplot script has its
# PNG and SVG, non-empty. Prints "data: N passed, M failed".
set -u
cd "$(dirname "$0")/.." || exit 2
# make test points these at its own folders (build/test/data, build/test/plots).
data=${BENCH_DATA:-build/data} plots=${BENCH_PLOTS:-build/plots}
pass=0 fail=0
bad() { echo "FAIL  $*"; fail=$((fail + 1)); }
for f in "$data"/*/*.dat; do
    [ -e "$f" ] || continue
    if ! grep -q '^# machine: ' "$f"; then bad "$f: no '# machine:' line"; continue; fi
    msg=$(awk '
        /^#/ { next }
        NF == 0 { next }
        { rows++
          if (!cols) cols = NF
          else if (NF != cols) { print "row " NR " has " NF " fields, the first row " cols; exit 1 }
          # A label column (for bars) is fine; a row with no number at all is not.
          nums = 0
          for (i = 1; i <= NF; i++)
              if ($i ~ /^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/) nums++
          if (!nums) { print "row " NR " has no number: " $0; exit 1 } }
        END { if (!rows) { print "no data rows"; exit 1 } }' "$f") || { bad "$f: $msg"; continue; }
    pass=$((pass + 1))
done
for gp in plots/[0-9][0-9]-*/*.gp; do
    [ -e "$gp" ] || continue
    l=$(basename "$(dirname "$gp")")
    # The experiment names each output; at least one PNG and SVG must exist per script's lesson.
    if ! ls "$plots/$l"/*.png > /dev/null 2>&1; then bad "$gp: no PNG in $plots/$l"; continue; fi
    pass=$((pass + 1))
done
for p in "$plots"/*/*.png "$plots"/*/*.svg; do
    [ -e "$p" ] || continue
    if [ -s "$p" ]; then pass=$((pass + 1)); else bad "$p is empty"; fi
done
echo "data: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
