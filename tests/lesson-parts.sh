#!/usr/bin/env bash
# tests/lesson-parts.sh LESSON: the lesson has all its parts (COURSE.md, "Layout of one
# lesson"), the contract is the same file in lessons/ and solutions/, hints.md has at least
# three hints, and there are at least four mutants. Also what make hint and make solution
# stand on: each "Helps with:" line of hints.md sits right under a "## Hint N" heading and
# names tests of the lesson, and solutions/LESSON/DISCUSSION.md (what make solution prints)
# is 15 to 40 lines whose "exercise.c:NN" references quote what line NN holds
# (book/check-excerpts.sh checks them, as it checks the chapters).
set -u
cd "$(dirname "$0")/.." || exit 2
l=$1 miss=0
need() { [ -e "$1" ] || { echo "missing: $1"; miss=1; }; }
for f in README.md exercise.h exercise.c hints.md Makefile; do need "lessons/$l/$f"; done
need "solutions/$l/exercise.c"; need "solutions/$l/exercise.h"; need "tests/$l/lesson.conf"
need "solutions/$l/DISCUSSION.md"
ls tests/"$l"/test_*.c > /dev/null 2>&1 || { echo "missing: tests/$l/test_*.c"; miss=1; }
if [ -e "lessons/$l/exercise.h" ] && [ -e "solutions/$l/exercise.h" ] &&
   ! cmp -s "lessons/$l/exercise.h" "solutions/$l/exercise.h"; then
    echo "lessons/$l/exercise.h and solutions/$l/exercise.h differ: the contract must be one"; miss=1
fi
n=$(grep -c '^## Hint ' "lessons/$l/hints.md" 2>/dev/null || echo 0)
[ "$n" -ge 3 ] || { echo "lessons/$l/hints.md has $n hints; at least 3"; miss=1; }
# The tags: read as make hint reads them (learner-state.sh), checked against the test list.
if [ -e "lessons/$l/hints.md" ]; then
    misplaced=$(awk '/^## Hint [0-9]+$/ { under = FNR + 1; next }
                     /^Helps with:/ && FNR != under { print FNR }' "lessons/$l/hints.md")
    for ln in $misplaced; do
        echo "lessons/$l/hints.md:$ln: a \"Helps with:\" line must be right under a \"## Hint N\" heading"; miss=1
    done
    names=$(grep -ho 'cmocka_unit_test[a-z_]*( *test_[A-Za-z0-9_]*' tests/"$l"/test_*.c 2>/dev/null | sed 's/.*( *//')
    while IFS=$'\t' read -r h tags; do
        for t in $tags; do
            grep -qx -- "$t" <<< "$names" ||
                { echo "lessons/$l/hints.md: hint $h helps with $t, which is not a test of $l"; miss=1; }
        done
    done < <(. lessons/common/learner-state.sh && hint_tags "lessons/$l/hints.md")
fi
if [ -e "solutions/$l/DISCUSSION.md" ]; then
    k=$(wc -l < "solutions/$l/DISCUSSION.md")
    [ "$k" -ge 15 ] && [ "$k" -le 40 ] ||
        { echo "solutions/$l/DISCUSSION.md has $k lines; 15 to 40"; miss=1; }
    out=$(book/check-excerpts.sh "solutions/$l/DISCUSSION.md") ||
        { printf '%s\n' "$out" | grep -v '^excerpts: '; miss=1; }
fi
m=$(ls tests/"$l"/mutants/*.c 2>/dev/null | wc -l)
[ "$m" -ge 4 ] || { echo "tests/$l/mutants/ has $m mutants; at least 4"; miss=1; }
[ "$miss" = 0 ] && echo "parts of $l: complete"
exit "$miss"
