#!/usr/bin/env bash
# tests/pristine-stub.sh LESSON: print the path of a private copy of lesson LESSON's
# exercise.c as the course shipped it (the stub), never the learner's working file.
# tests/pristine-stub.sh --save: keep a copy of every stub (make runs it; see below).
#
# The course's own checks (make test-stubs, the grader's self-test) test the stub; a
# learner who solved lessons/NN/exercise.c must not see make test call their answer "the
# stub". Where the stub comes from, in this order:
#   1. git: `git show HEAD:lessons/NN/exercise.c` (a clone of the course);
#   2. .pristine/lessons/NN/exercise.c: in a copy without .git (a downloaded zip), the
#      first `make` (its deps step) saves every stub there before the learner has
#      edited anything, and never overwrites it (make clean keeps it: it is not in build/);
#   3. a lesson not in HEAD yet (being written, in a clone): its working file IS the stub.
# A copy without .git and without .pristine/ (make never ran) has no trustworthy stub: the
# working file is used, with a warning on stderr that names the file.
# The copy is written to build/stubs/NN/exercise.c (atomically: checks run in parallel).
set -u
cd "$(dirname "$0")/.." || exit 2

has_git() { git rev-parse --is-inside-work-tree > /dev/null 2>&1 &&
            git rev-parse --verify -q HEAD > /dev/null 2>&1; }

if [ "${1:-}" = --save ]; then
    has_git && exit 0   # git has them
    for f in lessons/[0-9][0-9]-*/exercise.c; do
        [ -f "$f" ] || continue
        [ -e ".pristine/$f" ] && continue
        mkdir -p ".pristine/$(dirname "$f")" && cp -p "$f" ".pristine/$f" || exit 1
    done
    exit 0
fi

l=${1:?usage: tests/pristine-stub.sh LESSON | --save}
l=${l%/}; l=${l#lessons/}
src=lessons/$l/exercise.c
[ -f "$src" ] || { echo "pristine-stub: no $src" >&2; exit 2; }
out=build/stubs/$l/exercise.c
mkdir -p "$(dirname "$out")" || exit 2
tmp=$out.$$
if has_git; then
    if git cat-file -e "HEAD:$src" 2> /dev/null; then
        git show "HEAD:$src" > "$tmp" || { rm -f "$tmp"; exit 2; }
    else
        cp "$src" "$tmp" || exit 2   # not shipped yet: the author's file is the stub
    fi
elif [ -f ".pristine/$src" ]; then
    cp ".pristine/$src" "$tmp" || exit 2
else
    echo "pristine-stub: no git history and no .pristine/ copy: using $src as the stub" \
         "(if you edited it, this check tests your file, not the course's stub)" >&2
    cp "$src" "$tmp" || exit 2
fi
mv -f "$tmp" "$out" || exit 2
printf '%s\n' "$out"
