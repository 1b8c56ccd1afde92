#!/usr/bin/env bash
# lessons/common/hint.sh: `make hint L=NN` shows one hint of lesson NN that you have not
# seen yet, chosen by what failed in your last `make check L=NN`:
#   - the first hint not seen yet that names the first failing test (in the order of the
#     test list) on its "Helps with:" line; if none is left for that test, the same for the
#     next failing test;
#   - when no such hint is left for any failing test, the next general hint (one with no
#     "Helps with:" line);
#   - with no check yet (or a check that named no failing test), the next hint in order:
#     hint 1 the first time;
#   - when every test passed, no hint: it says so and points at `make solution L=NN`.
# A hint is a "## Hint N" section of lessons/NN-topic/hints.md (the "Answers to ..." section
# at the end is not one). The hints you have seen are a set, in build/progress/NN-topic.hints;
# rm that file to start over. What check.sh leaves, and how it is read: learner-state.sh.
set -u
cd "$(dirname "$0")/../.." || exit 2
. lessons/common/learner-state.sh
learner_lesson hint "${1:-}"
hints_md=${dir}hints.md
short=${lesson%%-*}
[ -f "$hints_md" ] || { echo "hint: $lesson has no hints.md" >&2; exit 2; }

# The hints, in file order, and the tests each one names.
declare -a hints=()
declare -A tags=() seen=()
while IFS=$'\t' read -r n t; do
    hints+=("$n")
    tags[$n]=$t
done < <(hint_tags "$hints_md")
total=${#hints[@]}
[ "$total" -gt 0 ] || { echo "hint: $hints_md has no \"## Hint N\" section" >&2; exit 2; }
for n in $(hints_seen "$lesson"); do seen[$n]=1; done

# What the last check says.
results=$(last_results "$lesson")
declare -a failing=()
if [ -n "$results" ]; then
    mapfile -t failing < <(failing_tests "$results")
fi
if [ -n "$results" ] && [ ${#failing[@]} = 0 ]; then
    if check_passed "$lesson"; then
        echo "Every test of $lesson passed in your last make check L=$short: no hint needed."
        echo "make solution L=$short shows the reference answer and why it is written the way it is."
        exit 0
    elif [ "$check_why" = edited ]; then
        echo "Every test of $lesson passed in your last make check L=$short, but ${dir}exercise.c"
        echo "changed since. make check L=$short says where it stands now; then make hint L=$short"
        echo "picks the hint for what fails, if anything does."
        exit 0
    fi
fi

# choose: set pick (a hint number, or empty) and pick_for (the failing test it names, or
# empty for a hint taken in order or a general one), from the hints not seen yet.
choose() {
    local t h
    pick="" pick_for=""
    if [ ${#failing[@]} = 0 ]; then
        for h in "${hints[@]}"; do
            [ -n "${seen[$h]:-}" ] || { pick=$h; return; }
        done
        return
    fi
    for t in "${failing[@]}"; do
        for h in "${hints[@]}"; do
            [ -z "${seen[$h]:-}" ] && [[ " ${tags[$h]} " == *" $t "* ]] && { pick=$h; pick_for=$t; return; }
        done
    done
    for h in "${hints[@]}"; do
        [ -z "${seen[$h]:-}" ] && [ -z "${tags[$h]}" ] && { pick=$h; return; }
    done
}

# and_list WORD...: "a", "a and b", "a, b and c", for a sentence.
and_list() {
    local out=$1
    shift
    while [ $# -gt 1 ]; do out="$out, $1"; shift; done
    [ $# = 0 ] || out="$out and $1"
    printf '%s' "$out"
}

# The failing tests, for a sentence: the first three, then how many more.
failing_list() {
    local n=${#failing[@]}
    if [ "$n" -le 3 ]; then
        and_list "${failing[@]}"
    else
        printf '%s, %s, %s and %d more' "${failing[0]}" "${failing[1]}" "${failing[2]}" $((n - 3))
    fi
}

choose
if [ -z "$pick" ]; then
    if [ ${#failing[@]} = 0 ]; then
        echo "You have seen all $total hints of $lesson. Read them again: $hints_md"
    else
        # The hints that name a failing test: all seen by now (choose found none left).
        helped=() general=()
        for h in "${hints[@]}"; do
            [ -n "${tags[$h]}" ] || general+=("$h")
            for t in "${failing[@]}"; do
                [[ " ${tags[$h]} " == *" $t "* ]] && { helped+=("$h"); break; }
            done
        done
        also=""
        [ ${#general[@]} = 0 ] || also=", and the general one$( [ ${#general[@]} = 1 ] || echo s)"
        if [ ${#helped[@]} -gt 0 ]; then
            echo "You have seen every hint written for the tests that failed in your last make check"
            echo "L=$short: hint$( [ ${#helped[@]} = 1 ] || echo s) $(and_list "${helped[@]}")$also. Read them again in $hints_md;"
            echo "make check L=$short says what each failing test expected."
        else
            echo "No hint of $lesson is written for the tests that failed in your last make check"
            echo "L=$short${also:+, and you have seen the general ones}. make check L=$short says what each"
            echo "failing test expected, and the TODOs in ${dir}exercise.c state the rules."
        fi
        echo "(the failing tests: $(failing_list))"
    fi
    echo "(rm build/progress/$lesson.hints starts over)"
    exit 0
fi

# The line above the hint: why this one.
if [ -z "$results" ]; then
    echo "(no make check L=$short yet, so the hints come in order; after one, make hint picks the"
    echo " hint for the first test that failed)"
elif [ ${#failing[@]} = 0 ]; then
    echo "(your last make check L=$short named no failing test: it ran only some tests (T=), or"
    echo " stopped outside any test. The next hint in order:)"
elif [ -n "$pick_for" ]; then
    others=$(( ${#failing[@]} - 1 ))
    case $others in
        0) echo "For $pick_for, which failed in your last make check:" ;;
        1) echo "For $pick_for, which failed in your last make check (1 other test failed too):" ;;
        *) echo "For $pick_for, which failed in your last make check ($others other tests failed too):" ;;
    esac
else
    echo "A general hint: none of the hints left is written for the tests that failed in your"
    echo "last make check L=$short ($(failing_list))."
fi
if [ -n "$results" ] && [ "${dir}exercise.c" -nt "$results" ]; then
    echo "(${dir}exercise.c changed after that check: make check L=$short to see where it stands now)"
fi
echo

# The section, up to the next "## " heading (so never the "## Answers ..." after the last
# hint), without the blank lines at its end.
awk -v n="$pick" '/^## / { on = ($2 == "Hint" && $3 == n) }
                  on && /^[ \t]*$/ { blank++; next }
                  on { for (; blank > 0; blank--) print ""; print }' "$hints_md"
echo

hints_mark_seen "$lesson" "$pick"
seen[$pick]=1
shown=$pick
choose
left=0
for h in "${hints[@]}"; do [ -n "${seen[$h]:-}" ] || left=$((left + 1)); done
if [ "$left" = 0 ]; then
    echo "(hint $shown of $total for $lesson: you have now seen every hint; all are in $hints_md)"
elif [ -n "$pick" ]; then
    echo "(hint $shown of $total for $lesson; make hint L=$short shows the next)"
else
    echo "(hint $shown of $total for $lesson: the last one for the tests that failed; the $left you"
    echo " have not seen help with other tests. All are in $hints_md)"
fi
