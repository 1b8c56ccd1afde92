#!/usr/bin/env bash
# lessons/common/solution.sh: `make solution L=NN`, once lesson NN passes, prints the
# discussion of its reference answer (solutions/NN-topic/DISCUSSION.md: the choices the
# answer makes and why), then where the answer is and the diff command that compares it
# with yours. Exercism's habit: the reference is there to learn from after you solved the
# exercise, not instead of solving it, so it opens only when your last whole
# `make check L=NN` of lessons/NN-topic/exercise.c passed every test and the file has not
# changed since (a check with IMPL= or T= does not count: learner-state.sh says why).
# FORCE=1 opens it anyway, with a warning (an instructor, or a learner who gave up).
set -u
cd "$(dirname "$0")/../.." || exit 2
. lessons/common/learner-state.sh
learner_lesson solution "${1:-}"
short=${lesson%%-*}
mine=${dir}exercise.c
ref=solutions/$lesson/exercise.c
discussion=solutions/$lesson/DISCUSSION.md
[ -f "$ref" ] || { echo "solution: no reference answer for $lesson ($ref is missing)" >&2; exit 2; }

if ! check_passed "$lesson"; then
    case $check_why in
        none) why="your exercise has not passed make check L=$short yet (no whole check of $mine so far)" ;;
        failing) why="your last make check L=$short passed $check_passed_n of $check_total_n tests" ;;
        edited) why="$mine changed after your last passing make check L=$short" ;;
    esac
    if [ "${FORCE:-0}" != 1 ]; then
        {
            echo "solution: $why."
            if [ "$check_why" = edited ]; then
                echo "Check it again first; the reference answer opens when every test passes. Run:"
                echo "  make check L=$short"
            else
                echo "The reference answer opens once every test of your own exercise passes. Run:"
                echo "  make check L=$short"
                echo "(stuck? make hint L=$short)"
            fi
        } >&2
        exit 1
    fi
    echo "solution: warning: FORCE=1: showing the reference although $why." >&2
    echo >&2
fi

if [ -f "$discussion" ]; then
    cat "$discussion"
else
    echo "(no discussion written for $lesson yet: $discussion)"
fi
echo
echo "The reference answer: $ref"
echo "Compare it with yours:"
echo "  diff -u $mine $ref"
