#!/usr/bin/env bash
# lessons/common/hint.sh: `make hint L=NN` shows the next hint of lesson NN that you have
# not seen yet (hints.md, one "## Hint N" section each); build/progress/NN.hints counts.
set -u
cd "$(dirname "$0")/../.." || exit 2
arg=${1:-}
lessons() { for d in lessons/[0-9][0-9]-*/; do d=${d%/}; echo "  ${d#lessons/}"; done; }
[ -n "$arg" ] || { echo "hint: say which lesson: make hint L=01" >&2; lessons >&2; exit 2; }
case $arg in [0-9]) arg=0$arg ;; esac
dir=$(ls -d lessons/"${arg%%-*}"-*/ 2>/dev/null | head -n 1)
case $arg in [0-9][0-9]-*) [ "lessons/$arg/" = "$dir" ] || dir="" ;; [0-9][0-9]) ;; *) dir="" ;; esac
[ -n "$dir" ] && [ -f "${dir}hints.md" ] || { echo "hint: unknown lesson '$1'; the lessons:" >&2; lessons >&2; exit 2; }
lesson=$(basename "$dir")
total=$(grep -c '^## Hint ' "${dir}hints.md")
mkdir -p build/progress
seen=$(cat "build/progress/$lesson.hints" 2>/dev/null || echo 0)
if [ "$seen" -ge "$total" ]; then
    echo "You have seen all $total hints of $lesson. Read them again: ${dir}hints.md"
    echo "(rm build/progress/$lesson.hints starts over)"
    exit 0
fi
next=$((seen + 1))
awk -v n="$next" '/^## /{ on = ($2 == "Hint" && $3 == n) } on' "${dir}hints.md"
echo
if [ "$next" -lt "$total" ]; then
    echo "(hint $next of $total for $lesson; make hint L=${lesson%%-*} shows the next)"
else
    echo "(hint $next of $total for $lesson: that was the last one; all are in ${dir}hints.md)"
fi
echo "$next" > "build/progress/$lesson.hints"
