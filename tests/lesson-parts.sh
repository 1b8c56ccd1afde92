#!/usr/bin/env bash
# tests/lesson-parts.sh LESSON: the lesson has all its parts (COURSE.md, "Layout of one
# lesson"), the contract is the same file in lessons/ and solutions/, hints.md has at least
# three hints, and there are at least four mutants.
set -u
cd "$(dirname "$0")/.." || exit 2
l=$1 miss=0
need() { [ -e "$1" ] || { echo "missing: $1"; miss=1; }; }
for f in README.md exercise.h exercise.c hints.md Makefile; do need "lessons/$l/$f"; done
need "solutions/$l/exercise.c"; need "solutions/$l/exercise.h"; need "tests/$l/lesson.conf"
ls tests/"$l"/test_*.c > /dev/null 2>&1 || { echo "missing: tests/$l/test_*.c"; miss=1; }
if [ -e "lessons/$l/exercise.h" ] && [ -e "solutions/$l/exercise.h" ] &&
   ! cmp -s "lessons/$l/exercise.h" "solutions/$l/exercise.h"; then
    echo "lessons/$l/exercise.h and solutions/$l/exercise.h differ: the contract must be one"; miss=1
fi
n=$(grep -c '^## Hint ' "lessons/$l/hints.md" 2>/dev/null || echo 0)
[ "$n" -ge 3 ] || { echo "lessons/$l/hints.md has $n hints; at least 3"; miss=1; }
m=$(ls tests/"$l"/mutants/*.c 2>/dev/null | wc -l)
[ "$m" -ge 4 ] || { echo "tests/$l/mutants/ has $m mutants; at least 4"; miss=1; }
[ "$miss" = 0 ] && echo "parts of $l: complete"
exit "$miss"
