#!/usr/bin/env bash
# tests/readme-commands.sh: the README's commands for learners and instructors, typed as the
# README writes them, in a fresh copy of the course inside a folder only its owner may enter
# (as /root or a Debian home is), and what each one produced. Part of make test.
# Build: nothing
# Run:   tests/readme-commands.sh        (prints "readme-commands: N passed, M failed")
#
# Learner: make hint L=01 before any check (hint 1), make solution L=01 before passing (it
# refuses; FORCE=1 opens it), make check L=01 (the stub fails), make hint L=01 after a failing
# check (the hint named for the first failing test), make check L=01 (a solved file passes),
# make check L=01 IMPL=..., make hint L=01 and make solution L=01 once it passes, make
# progress, make book. Instructor: make gradescope, make gradescope
# LESSONS="01 02", make grade SUBMISSIONS=... with and without L=; then the Gradescope zip is
# unpacked into a folder shaped like /autograder, its setup.sh and run_autograder run there on
# a correct and on a wrong submission, and results.json is checked against Gradescope's
# documented format. The grading steps need bubblewrap (tests/test-all.sh says when it cannot
# start here); SANDBOX=0 skips them.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD
passed=0 failed=0
ok() { printf 'PASS  %s\n' "$*"; passed=$((passed + 1)); }
bad() { printf 'FAIL  %s\n' "$*"; failed=$((failed + 1)); }

home=$(mktemp -d /tmp/readme-commands.XXXXXX) || exit 2
chmod 700 "$home"
trap 'rm -rf "$home"' EXIT
c=$home/course
# The course as a new user gets it: a clone of what is committed (a copy where there is no
# git), never this tree's build/ or a learner's edits.
if git rev-parse --git-dir > /dev/null 2>&1; then
    git clone -q "$top" "$c" || { echo "readme-commands: git clone failed"; exit 2; }
else
    mkdir -p "$c" && (cd "$top" && tar --exclude=./build -cf - .) | (cd "$c" && tar -xf -)
fi
log=$home/log
run() {   # run NAME COMMAND...: in the copy; output in $log
    (cd "$c" && "$@") > "$log" 2>&1
}
show() { sed 's/^/      /' "$log" | tail -n 15; }

# ---- learner
if run make hint L=01 && grep -q '^## Hint 1$' "$log"; then ok "make hint L=01 with no check yet shows hint 1"
else bad "make hint L=01 with no check yet did not show hint 1"; show; fi
if run make solution L=01; then bad "make solution L=01 opened before the exercise passed"; show
elif grep -q 'make check L=01' "$log"; then ok "make solution L=01 refuses before the exercise passes, naming make check L=01"
else bad "make solution L=01 refused without naming make check L=01"; show; fi
if run make solution L=01 FORCE=1 && grep -q 'warning' "$log" && grep -q 'diff -u' "$log"; then
    ok "make solution L=01 FORCE=1 opens it anyway, with a warning"
else bad "make solution L=01 FORCE=1"; show; fi
if run make check L=01; then bad "make check L=01 passed the shipped stub"; show
elif grep -q 'passed, [1-9][0-9]* failed' "$log"; then ok "make check L=01 fails the stub, with counts"
else bad "make check L=01 printed no 'N passed, M failed' line"; show; fi
# A nearly solved exercise: only the create-failure test fails. make hint must pick the first
# hint whose "Helps with:" line names it (the seen hints forgotten, so hint 1 is a candidate).
cp "$c/tests/01-threads/mutants/no_join_on_error.c" "$c/lessons/01-threads/exercise.c"
run make check L=01
first=$(awk '$1 == "FAIL" { print $2; exit }' "$log")
want=$(awk -v t="$first" '/^## Hint [0-9]+$/ { h = $3; next }
                          /^Helps with:/ { n = split(substr($0, 12), a, /[ ,]+/)
                                           for (i = 1; i <= n; i++) if (a[i] == t) { print h; exit } }' \
       "$c/lessons/01-threads/hints.md")
rm -f "$c/build/progress/01-threads.hints"
if [ -n "$first" ] && [ -n "$want" ] && [ "$want" != 1 ] && run make hint L=01 &&
   grep -q "^## Hint $want\$" "$log" && grep -q "For $first, which failed" "$log"; then
    ok "make hint L=01 after a failing check shows hint $want, the one for $first"
else bad "make hint L=01 after a failing check (first failure: ${first:-none}; its hint: ${want:-none})"; show; fi
cp "$c/solutions/01-threads/exercise.c" "$c/lessons/01-threads/exercise.c"
if run make check L=01; then ok "make check L=01 passes once the exercise is solved"
else bad "make check L=01 failed on a solved exercise"; show; fi
if run make check L=01 IMPL=solutions/01-threads/exercise.c; then ok "make check L=01 IMPL=file"
else bad "make check L=01 IMPL=solutions/01-threads/exercise.c failed"; show; fi
if run make hint L=01 && grep -q 'make solution L=01' "$log" && ! grep -q '^## Hint' "$log"; then
    ok "make hint L=01 once every test passes: no hint, make solution L=01 instead"
else bad "make hint L=01 after a passing check"; show; fi
if run make solution L=01 && grep -q '^# Lesson 01' "$log" &&
   grep -q 'diff -u lessons/01-threads/exercise.c solutions/01-threads/exercise.c' "$log"; then
    ok "make solution L=01 once it passes: the discussion and the diff command"
else bad "make solution L=01 after a passing check"; show; fi
if run make progress && grep -q '^01-threads .*passed' "$log"; then ok "make progress: 01 passed"
else bad "make progress does not show lesson 01 as passed"; show; fi
if run make book && [ -s "$c/build/book/index.html" ] && [ -s "$c/build/book/course.epub" ]; then
    ok "make book wrote index.html and course.epub"
else bad "make book"; show; fi

# ---- instructor
if [ "${SANDBOX:-1}" = 0 ]; then
    echo "readme-commands: SANDBOX=0: the grading commands are skipped"
else
    zip=$c/build/gradescope/autograder.zip
    # Python's zipfile reads the zip (no unzip package needed).
    names() { /usr/bin/python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$zip"; }
    member() { /usr/bin/python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' "$zip" "$1"; }
    unpack() { /usr/bin/python3 -c '
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for i in z.infolist():
    z.extract(i, sys.argv[2])
    os.chmod(os.path.join(sys.argv[2], i.filename), (i.external_attr >> 16) & 0o777 or 0o644)' "$zip" "$1"; }
    if run make gradescope && names > "$home/names" && grep -q '^course/tests/06-thread-pool/' "$home/names" &&
       [ "$(member lessons.txt | tr ',' '\n' | grep -c .)" = "$(ls -d "$c"/tests/[0-9][0-9]-*/ | wc -l)" ]; then
        ok "make gradescope packages every lesson"
    else bad "make gradescope"; show; fi
    if run make gradescope LESSONS="01 02" && [ "$(member lessons.txt)" = "01-threads,02-races" ] &&
       names > "$home/names" && ! grep -q 'solutions/\|mutants/\|corpus/\|exercise\.c$' "$home/names"; then
        ok 'make gradescope LESSONS="01 02" packages 01 and 02, no solution, stub or mutant'
    else bad 'make gradescope LESSONS="01 02"'; show; fi

    class=$home/class
    mkdir -p "$class/good/lessons/01-threads" "$class/good/lessons/02-races" "$class/wrong/lessons/01-threads"
    cp "$top/solutions/01-threads/exercise.c" "$class/good/lessons/01-threads/"
    cp "$top/solutions/02-races/exercise.c" "$class/good/lessons/02-races/"
    cp "$top/tests/01-threads/mutants/off_by_one_end.c" "$class/wrong/lessons/01-threads/exercise.c"
    csv=$c/build/grades/grades.csv
    if run make grade SUBMISSIONS="$class" &&
       grep -q '^good,01-threads,13,13,100.0,ok,' "$csv" && grep -q '^good,02-races,.*,ok,' "$csv" &&
       grep -q '^wrong,01-threads,.*,failing,' "$csv" && grep -q '^wrong,02-races,.*,missing,' "$csv" &&
       ! grep -q 'REVIEW' "$csv" && [ "$(wc -l < "$csv")" = 5 ]; then
        ok "make grade SUBMISSIONS=dir grades the two lessons handed in, no REVIEW"
    else bad "make grade SUBMISSIONS=dir"; show; cat "$csv" 2>/dev/null; fi
    if run make grade SUBMISSIONS="$class" L=01 && [ "$(wc -l < "$csv")" = 3 ] &&
       grep -q '^good,01-threads,13,13,100.0,ok,' "$csv" && grep -q '^wrong,01-threads,.*,failing,' "$csv"; then
        ok "make grade SUBMISSIONS=dir L=01 grades lesson 01 only"
    else bad "make grade SUBMISSIONS=dir L=01"; show; cat "$csv" 2>/dev/null; fi

    # The Gradescope zip, unpacked where Gradescope would put it, graded as Gradescope would.
    run make gradescope LESSONS=01
    for who in good wrong; do
        ag=$home/autograder-$who
        mkdir -p "$ag/source" "$ag/submission"
        unpack "$ag/source"
        cp -r "$class/$who/lessons" "$ag/submission/"
        if ! AUTOGRADER_ROOT=$ag GRADESCOPE_NO_APT=1 bash "$ag/source/setup.sh" > "$log" 2>&1; then
            bad "the Gradescope zip's setup.sh failed"; show; continue
        fi
        AUTOGRADER_ROOT=$ag bash "$ag/source/run_autograder" > "$log" 2>&1
        want=13
        [ "$who" = wrong ] && want=less
        if /usr/bin/python3 - "$ag/results/results.json" "$want" <<'PY'
# Gradescope's documented results.json: top-level score (number), output, visibility,
# stdout_visibility, tests[]; each test: score and max_score (numbers), name, output,
# visibility (visible, hidden, after_due_date, after_published), status passed/failed if set.
import json, sys
d = json.load(open(sys.argv[1]))
top = {"score", "execution_time", "output", "output_format", "test_output_format",
       "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
       "leaderboard"}
vis = {"visible", "hidden", "after_due_date", "after_published"}
assert set(d) <= top, set(d) - top
assert isinstance(d["score"], (int, float))
assert d.get("visibility", "visible") in vis and d.get("stdout_visibility", "hidden") in vis
tests = d["tests"]
assert len(tests) == 13, len(tests)
for t in tests:
    assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
    assert isinstance(t["name"], str) and isinstance(t.get("output", ""), str)
    assert t.get("visibility", "visible") in vis
    assert t.get("status", "passed") in ("passed", "failed")
assert abs(sum(t["score"] for t in tests) - d["score"]) < 1e-9
if sys.argv[2] == "13":
    assert d["score"] == 13, d["score"]
else:
    assert d["score"] < 13, d["score"]
PY
        then ok "the Gradescope zip grades the $who submission: results.json in Gradescope's format"
        else bad "the Gradescope zip on the $who submission"; show; fi
    done
fi
echo "readme-commands: $passed passed, $failed failed"
[ "$failed" = 0 ]
