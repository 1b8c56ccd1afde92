#!/usr/bin/env bash
# tests/learner-tools.sh: make hint, make solution and make reset, typed as a learner types them, in a
# copy of this tree (the learner's own files here are never read or written: the copy's
# lesson 00 starts from the shipped stub, tests/pristine-stub.sh). Part of make test.
# Build: nothing
# Run:   tests/learner-tools.sh        (prints "learner-tools: N passed, M failed")
#
# What it checks, on lesson 00 (no threads: its checks are the quickest):
#   make hint with no check yet: the hints in order, hint 1 first, never the "Answers" section,
#   and the last one does not promise another;
#   after a failing check: the first hint that names the first failing test, said so; then the
#   others for the failing tests; then "seen every hint" (and no "shows the next" before it);
#   the seen hints are a set (build/progress/NN.hints), an old counter file is read as one,
#   and make progress counts them;
#   make solution refuses (exit 1, the command to run) before a passing check, after a check of
#   another file (IMPL=) and after an edit since the passing check; FORCE=1 opens it with a
#   warning; after a passing check make hint says so and make solution prints the discussion,
#   the path of the reference and the diff command;
#   make reset puts the shipped stub back and keeps the learner's file aside, once.
# Nothing waits on a clock: file times that must differ are set apart by whole seconds.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0 failed=0
ok() { printf 'PASS  %s\n' "$*"; passed=$((passed + 1)); }
bad() { printf 'FAIL  %s\n' "$*"; failed=$((failed + 1)); }

home=$(mktemp -d /tmp/learner-tools.XXXXXX) || exit 2
trap 'rm -rf "$home"' EXIT
c=$home/course
mkdir -p "$c"
# The tree as it is (tracked and new files, not build/ nor what .gitignore leaves out).
if git rev-parse --git-dir > /dev/null 2>&1; then
    # (--ignore-failed-read: a tracked file someone has just deleted is not copied.)
    git ls-files -co --exclude-standard -z |
        tar --null -T - --no-recursion --ignore-failed-read -cf - 2> /dev/null |
        (cd "$c" && tar -xf -) || { echo "learner-tools: cannot copy the tree"; exit 2; }
else
    (tar --exclude=./build --exclude=./.pristine -cf - .) | (cd "$c" && tar -xf -) ||
        { echo "learner-tools: cannot copy the tree"; exit 2; }
fi
L=00 lesson=00-intro
ex=$c/lessons/$lesson/exercise.c
stub=$(tests/pristine-stub.sh "$lesson") || { echo "learner-tools: no shipped stub of $lesson"; exit 2; }
cp "$stub" "$ex"
rm -rf "$c/.pristine"

log=$home/log
run() { (cd "$c" && "$@") > "$log" 2>&1; }   # run COMMAND...: in the copy; output in $log
show() { sed 's/^/      /' "$log" | tail -n 15; }
# put FILE: it becomes the exercise, dated 10 s back, so any check after it is newer.
put() { cp "$1" "$ex" && touch -d "@$(( $(date +%s) - 10 ))" "$ex"; }
hints_md=$c/lessons/$lesson/hints.md
total=$(grep -c '^## Hint [0-9]*$' "$hints_md")
# first_hint_for TEST: the number of the first "## Hint N" whose "Helps with:" line names it.
first_hint_for() {
    awk -v t="$1" '/^## Hint [0-9]+$/ { h = $3; under = 1; next }
                   under && /^Helps with:/ { n = split(substr($0, 12), a, /[ ,]+/)
                                             for (i = 1; i <= n; i++) if (a[i] == t) { print h; exit } }
                   { under = 0 }' "$hints_md"
}
shown() { sed -n 's/^## Hint \([0-9]*\)$/\1/p' "$log"; }   # the hint in $log, if any
seen_file=$c/build/progress/$lesson.hints

# ---- no check yet: in order
run make -s hint L=$L
if [ "$(shown)" = 1 ] && grep -q 'no make check' "$log"; then ok "make hint L=$L with no check shows hint 1, and says why"
else bad "make hint L=$L with no check did not show hint 1"; show; fi
n=1 answers=0 broken=0
grep -q 'shows the next' "$log" && promised_more=1 || promised_more=0
while [ "$n" -lt "$total" ]; do
    run make -s hint L=$L
    h=$(shown)
    [ "$promised_more" = 1 ] && [ -n "$h" ] || broken=1
    grep -q '^## Answers' "$log" && answers=1
    grep -q 'shows the next' "$log" && promised_more=1 || promised_more=0
    n=$((n + 1))
    [ "$h" = "$n" ] || broken=1
done
if [ "$broken" = 0 ] && [ "$answers" = 0 ] && [ "$promised_more" = 0 ] && grep -q 'seen every hint' "$log"; then
    ok "with no check, hints 2..$total come in order, the last one says it was the last"
else bad "with no check, the hints did not come 2..$total in order, ending with 'seen every hint'"; show; fi
run make -s hint L=$L
if [ -z "$(shown)" ] && grep -q "seen all $total hints" "$log" && ! grep -q '^## Answers' "$log"; then
    ok "make hint L=$L once all are seen: says so, shows no section (never the Answers)"
else bad "make hint L=$L after all hints"; show; fi
run make -s progress
if grep -q "^$lesson .* $total/$total\$" "$log"; then ok "make progress counts the seen hints ($total/$total)"
else bad "make progress does not show $total/$total hints for $lesson"; show; fi
echo 2 > "$seen_file"
run make -s progress
if grep -q "^$lesson .* 2/$total\$" "$log"; then ok "an old counter file (\"2\") is read as hints 1 and 2"
else bad "make progress with an old counter file"; show; fi

# ---- make solution before any check
if run make -s solution L=$L; then bad "make solution L=$L opened before any check"; show
elif grep -q "make check L=$L" "$log"; then ok "make solution L=$L refuses before any check, and names make check L=$L"
else bad "make solution L=$L refused without naming make check L=$L"; show; fi

# ---- a failing check: the hint follows the first failing test
put "$c/tests/$lesson/mutants/errno_not_set.c"
run make -s check L=$L
first=$(awk '$1 == "FAIL" { print $2; exit }' "$log")
want=$(first_hint_for "$first")
rm -f "$seen_file"
run make -s hint L=$L
if [ -n "$first" ] && [ -n "$want" ] && [ "$(shown)" = "$want" ] &&
   grep -q "For $first, which failed in your last make check" "$log"; then
    ok "after a failing check, make hint shows hint $want, the first tagged for $first, and says so"
else bad "after a failing check (first failure: ${first:-none}), make hint did not show hint ${want:-?} for it"; show; fi
if [ -n "$want" ] && [ "$want" != 1 ]; then ok "(that is not simply hint 1: the tags chose it)"
else bad "the case is not telling: the first failing test's hint is hint 1"; fi
# The rest: each promise of "the next" is kept, and it ends with "seen every hint".
promised_more=1 broken=0 rounds=0
while :; do
    grep -q 'shows the next' "$log" && promised_more=1 || promised_more=0
    [ "$promised_more" = 1 ] || break
    run make -s hint L=$L
    [ -n "$(shown)" ] || broken=1
    rounds=$((rounds + 1)); [ "$rounds" -le "$total" ] || { broken=1; break; }
done
run make -s hint L=$L
if [ "$broken" = 0 ] && [ -z "$(shown)" ] && grep -q 'seen every hint written for the tests that failed' "$log"; then
    ok "then the other hints for the failing tests, and 'seen every hint' (no broken 'shows the next')"
else bad "the hints after the first did not end in 'seen every hint written for the tests that failed'"; show; fi
if [ "$(grep -c '^[0-9]' "$seen_file")" = "$(grep -c '^[0-9]' <(sort -u "$seen_file"))" ] && grep -q '^#' "$seen_file"; then
    ok "build/progress/$lesson.hints is a set: a comment line, each number once"
else bad "build/progress/$lesson.hints is not a set"; sed 's/^/      /' "$seen_file"; fi

# ---- make solution after a failing check, and FORCE=1
if run make -s solution L=$L; then bad "make solution L=$L opened after a failing check"; show
elif grep -q 'passed [0-9]* of [0-9]* tests' "$log" && grep -q "make check L=$L" "$log"; then
    ok "make solution L=$L refuses after a failing check: how many passed, and make check L=$L"
else bad "make solution L=$L after a failing check"; show; fi
if run make -s solution L=$L FORCE=1 && grep -q 'warning: FORCE=1' "$log" &&
   grep -q '^# Lesson 00' "$log" && grep -q "diff -u lessons/$lesson/exercise.c solutions/$lesson/exercise.c" "$log"; then
    ok "make solution L=$L FORCE=1 opens it, with a warning"
else bad "make solution L=$L FORCE=1"; show; fi

# ---- another file passing does not count
run make -s check L=$L IMPL=solutions/$lesson/exercise.c
if run make -s solution L=$L; then bad "a passing check of IMPL=solutions/... opened make solution L=$L"; show
else ok "a passing check of another file (IMPL=) does not open make solution L=$L"; fi

# ---- the learner's own exercise passes
put "$c/solutions/$lesson/exercise.c"
run make -s check L=$L
run make -s hint L=$L
if [ -z "$(shown)" ] && grep -q 'Every test of .* passed' "$log" && grep -q "make solution L=$L" "$log"; then
    ok "after a passing check, make hint shows no hint and points at make solution L=$L"
else bad "make hint L=$L after a passing check"; show; fi
if run make -s solution L=$L && head -n 1 "$log" | grep -q '^# Lesson 00' &&
   grep -q "The reference answer: solutions/$lesson/exercise.c" "$log" &&
   grep -q "diff -u lessons/$lesson/exercise.c solutions/$lesson/exercise.c" "$log" &&
   ! grep -q '^[-+]long count_primes' "$log"; then
    ok "make solution L=$L prints the discussion, the reference's path and the diff command (no diff)"
else bad "make solution L=$L after a passing check"; show; fi

# ---- edited after the passing check
touch -d "@$(( $(stat -c %Y "$c/build/progress/$lesson") + 2 ))" "$ex"
if run make -s solution L=$L; then bad "make solution L=$L opened though exercise.c changed after the check"; show
elif grep -q 'changed after your last passing' "$log" && grep -q "make check L=$L" "$log"; then
    ok "make solution L=$L refuses when exercise.c changed after the passing check"
else bad "make solution L=$L after an edit"; show; fi

# ---- make reset: the shipped stub back, the learner's file kept aside
cp "$ex" "$home/mine.c"
if run make -s reset L=$L && cmp -s "$ex" "$stub" &&
   saved=$(ls "$c/lessons/$lesson"/exercise.c.saved-* 2> /dev/null | head -n 1) &&
   [ -n "$saved" ] && cmp -s "$saved" "$home/mine.c"; then
    ok "make reset L=$L puts the shipped stub back and keeps the learner's file as ${saved##*/lessons/}"
else bad "make reset L=$L"; show; fi
if run make -s reset L=$L && grep -q 'already the shipped stub' "$log" &&
   [ "$(ls "$c/lessons/$lesson"/exercise.c.saved-* | wc -l)" = 1 ]; then
    ok "make reset L=$L on the stub changes nothing and keeps nothing more"
else bad "make reset L=$L twice"; show; fi
if run make -s reset L=99; then bad "make reset L=99 succeeded"; show
elif grep -q "unknown lesson '99'" "$log"; then ok "make reset L=99 names the unknown lesson"
else bad "make reset L=99's message"; show; fi

echo "learner-tools: $passed passed, $failed failed"
[ "$failed" = 0 ]
