#!/usr/bin/env bash
# lessons/common/reset.sh: `make reset L=NN` puts lesson NN's exercise.c back as the course
# shipped it (tests/pristine-stub.sh: from git, or the copy the first make kept), after
# keeping yours aside as lessons/NN-topic/exercise.c.saved-DATE (not a .c file: nothing
# compiles it). Nothing is ever deleted; your hints and progress stay as they are.
set -u
cd "$(dirname "$0")/../.." || exit 2
arg=${1:-}
lessons() { for d in lessons/[0-9][0-9]-*/; do d=${d%/}; echo "  ${d#lessons/}"; done; }
[ -n "$arg" ] || { echo "reset: say which lesson: make reset L=01" >&2; lessons >&2; exit 2; }
case $arg in [0-9]) arg=0$arg ;; esac
dir=$(ls -d lessons/"${arg%%-*}"-*/ 2> /dev/null | head -n 1)
case $arg in [0-9][0-9]-*) [ "lessons/$arg/" = "$dir" ] || dir="" ;; [0-9][0-9]) ;; *) dir="" ;; esac
[ -n "$dir" ] && [ -f "${dir}exercise.c" ] ||
    { echo "reset: unknown lesson '$1'; the lessons:" >&2; lessons >&2; exit 2; }
lesson=$(basename "$dir")
file=lessons/$lesson/exercise.c
stub=$(tests/pristine-stub.sh "$lesson") || { echo "reset: no shipped stub for $lesson" >&2; exit 1; }
if cmp -s "$stub" "$file"; then
    echo "reset: $file is already the shipped stub; nothing to do"
    exit 0
fi
saved=$file.saved-$(date +%Y%m%d-%H%M%S)
cp -p "$file" "$saved" || { echo "reset: cannot keep your file as $saved; nothing changed" >&2; exit 1; }
cp "$stub" "$file" || { echo "reset: cannot write $file (yours is in $saved)" >&2; exit 1; }
echo "reset: $file is the shipped stub again; yours is kept in $saved"
echo "       (to get it back: cp $saved $file)"
