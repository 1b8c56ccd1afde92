#!/usr/bin/env bash
# tests/grader/run-tests.sh: the grader's own tests (part of make test).
# Build: nothing
# Run:   tests/grader/run-tests.sh        (as root, on a machine where bwrap works)
#
# Grades the hostile corpus (tests/grader/corpus/cases.txt) as one class, lessons 01, 13 and the
# grader's test lesson 99-hostile, then checks every verdict and score, that odd student names
# were skipped, that nothing was written outside a box, that no process of the box user is
# left and that no cgroup of ours is left. Prints "grader: N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d /tmp/grader-tests.XXXXXX) || exit 2
chmod 755 "$tmp"   # the box user must reach the work folders inside
# The grader's boxes work in a folder of their own (GRADER_WORK): here, inside $tmp, so that a
# box's processes can be told by the folder in their command line.
mkdir -m 755 "$tmp/work" "$tmp/int-work"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + $1)); }
# Does process $1's command line contain $2? A process that ends meanwhile does not (its /proc
# entry is gone: no message, no error).
cmdline_has() { { tr '\0' ' ' < "/proc/$1/cmdline"; } 2> /dev/null | grep -qF -- "$2"; }
bad() { printf 'FAIL  %s\n' "$*"; failed=$((failed + 1)); }

# First the inspection policy's unit tests (test_inspection.py), by the command its docstring
# gives: each test is one check. An expected failure is a policy hole the tests found and name
# (KNOWN_HOLES there): it counts as passed and is listed on every run, so that it is not
# forgotten; once fixed it becomes an unexpected success, which fails.
"$py" -m unittest discover -v -s tests/grader -p 'test_*.py' > "$tmp/unit" 2>&1
urc=$?
upass=$(grep -cE ' \.\.\. (ok|expected failure)$' "$tmp/unit")
ufail=$(sed -nE 's/^(FAIL|ERROR|UNEXPECTED SUCCESS): ([^ ]+ \([^)]*\)).*/\2/p' "$tmp/unit" |
        sort -u | grep -c .)
ok "$upass"
failed=$((failed + ufail))
[ "$ufail" = 0 ] || sed -n '/^=====/,/^Ran /p' "$tmp/unit"
[ "$urc" = 0 ] || [ "$ufail" != 0 ] || bad "the unit tests exited $urc"
[ "$upass" -gt 0 ] || bad "the unit tests ran no test"
sed -n 's/^\(test_[a-z0-9_]*\) .* \.\.\. expected failure$/grader: known policy hole: \1 (test_inspection.py)/p' \
    "$tmp/unit"

"$py" tests/grader/corpus/corpus.py markers | while IFS= read -r m; do rm -f -- "$m"; done
"$py" tests/grader/corpus/corpus.py build "$tmp/subs" || { echo "grader: 0 passed, 1 failed"; exit 1; }
# A case whose source is a lesson's exercise.c means the stub as shipped, never the file a
# learner may have solved in this tree: put the shipped stub there (tests/pristine-stub.sh).
awk '!/^#/ && NF == 6 && $5 == "dir" && $6 ~ /^@lessons\/.*\/exercise\.c$/ { print $1, $2 }' \
    tests/grader/corpus/cases.txt | while read -r student lesson; do
    stub=$(tests/pristine-stub.sh "$lesson") &&
        cp "$stub" "$tmp/subs/$student/lessons/$lesson/exercise.c" ||
        echo "grader: no shipped stub for $lesson"
done

start=$(date +%s)
# Short limits: every hostile case that hangs costs its tests this many seconds.
GRADER_WALL=${GRADER_WALL:-3} GRADER_WALL_SAN=${GRADER_WALL_SAN:-8} GRADER_WORK=$tmp/work \
    GRADER_KEEP=1 "$py" tests/grader/grade.py "$tmp/subs" --lessons 01,13,99 --extra-root tests/grader/fixture \
    --out "$tmp/out" > "$tmp/log" 2>&1
rc=$?
end=$(date +%s)
if [ "$rc" != 0 ] || [ ! -s "$tmp/out/grades.csv" ]; then
    cat "$tmp/log"
    bad "grade.py exited $rc"
else
    grep -m1 '^grade: isolation:' "$tmp/log"
    sed -n '/^01-threads/,$p' "$tmp/log"
    nocg=""
    grep -q 'NO CGROUP' "$tmp/log" && nocg=--no-cgroup
    out=$("$py" tests/grader/corpus/corpus.py check "$tmp/subs" "$tmp/out" $nocg)
    crc=$?
    printf '%s\n' "$out" | grep '^FAIL' || true
    n=$(printf '%s\n' "$out" | sed -n 's/^corpus: \([0-9]*\) checks passed, \([0-9]*\) failed$/\1 \2/p')
    ok "${n% *}"
    failed=$((failed + ${n#* }))
    [ "$crc" = 0 ] || [ "${n#* }" != 0 ] || bad "corpus check exited $crc"
fi

# Nothing of any box may outlive the grading. Other graders may run at the same time (make
# test runs jobs in parallel): look only at this run's cgroups and at processes that name
# this run's folder or sit in this run's cgroups.
cgs=$(sed -n 's/^grade: isolation: .* cgroup v[12] at //p' "$tmp/log" | tr ',' '\n' | sed 's/^ *//')
gpid=$(printf '%s\n' "$cgs" | sed -n 's/.*course-grader\.\([0-9]*\)$/\1/p' | head -n 1)
left=""
for p in $(ps -u 65534 -o pid= 2>/dev/null); do
    if grep -qs "course-grader\.${gpid:-none}/" "/proc/$p/cgroup" ||
       cmdline_has "$p" "$tmp"; then
        left="$left $p"
    fi
done
if [ -z "$left" ]; then ok 1; else bad "processes of this run's boxes are still running:$left"; fi
if grep -q 'NO CGROUP' "$tmp/log"; then
    echo "grader: WARNING: no cgroup on this machine: the cgroup checks are skipped"
elif [ -z "$cgs" ]; then
    bad "grade.py did not say which cgroups it used"
else
    stale=""
    for d in $cgs; do [ -e "$d" ] && stale="$stale $d"; done
    if [ -z "$stale" ]; then ok 1; else bad "cgroups of the grader were left behind:$stale"; fi
fi
# The same submission scores the same: two students sent the racy mutant, two the solution.
if [ -s "$tmp/out/grades.csv" ]; then
    a=$(grep '^racy-1,01-threads,' "$tmp/out/grades.csv" | cut -d, -f3-6)
    b=$(grep '^racy-2,01-threads,' "$tmp/out/grades.csv" | cut -d, -f3-6)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok 1; else bad "racy-1 and racy-2 differ: '$a' vs '$b'"; fi
    # results.json is Gradescope's format.
    if "$py" - "$tmp/out/students/solution/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d["score"], float) and d["tests"]
for t in d["tests"]:
    assert set(t) >= {"name", "score", "max_score", "output", "visibility"}, t
assert sum(t["score"] for t in d["tests"]) == d["score"]
PY
    then ok 1; else bad "results.json is not in Gradescope's format"; fi
fi
# The grader's harness refuses to run outside the grader (no nonce pipe): status 2.
lister=$(ls "$tmp"/work/course-grader.*/trusted/01-threads/lister 2>/dev/null)
if [ -n "$lister" ]; then
    "$lister" --one test_split_run_empty_range > /dev/null 2>&1
    if [ $? = 2 ]; then ok 1; else bad "the harness ran a test without the grader's pipes"; fi
else
    bad "no test lister in $tmp/work (GRADER_KEEP=1 keeps the boxes' folders)"
fi
# make gradescope: the zip has its two scripts, the lesson 01 tests and every module of the
# grader (grade.py imports the others), never a solution nor the grader's own tests.
list=""
GRADESCOPE_OUT="$tmp/gs" tests/grader/gradescope/make-zip.sh 01 > /dev/null 2>&1 &&
    list=$("$py" -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' \
           "$tmp/gs/autograder.zip")
lacks=""
for f in tests/grader/*.py; do
    case ${f##*/} in test_*) continue ;; esac
    printf '%s\n' "$list" | grep -qx "course/$f" || lacks="$lacks ${f##*/}"
done
if [ -n "$list" ] && [ -z "$lacks" ] &&
    printf '%s\n' "$list" | grep -qx setup.sh && printf '%s\n' "$list" | grep -qx run_autograder &&
    printf '%s\n' "$list" | grep -q 'tests/01-threads/test_threads.c' &&
    ! printf '%s\n' "$list" | grep -qE 'solutions/|mutants/|corpus/|/test_[^/]*\.py$'; then
    ok 1
else
    bad "make-zip.sh did not build a clean autograder zip${lacks:+ (without$lacks)}"
fi
# Interrupted grading leaves nothing: SIGTERM while a box runs ends grade.py with status 130,
# no grades, no box process and no cgroup; a cgroup a killed grader left is swept next time.
mkdir -p "$tmp/int"
cp -r "$tmp/subs/h-loop" "$tmp/int/"
stale_parent=$(printf '%s\n' "$cgs" | grep -m1 '/pids/' | xargs -r dirname)
dead=$(sh -c 'echo $$')                   # a pid that no longer runs
[ -n "$stale_parent" ] && mkdir -p "$stale_parent/course-grader.$dead/box1"
GRADER_WALL=60 GRADER_WORK=$tmp/int-work "$py" tests/grader/grade.py "$tmp/int" --lessons 99 \
    --extra-root tests/grader/fixture --out "$tmp/int-out" > "$tmp/int-log" 2>&1 &
gp=$!
running=""
for _ in $(seq 600); do                  # a guard, not a timing: at most 60 s to see the box
    for p in $(ps -u 65534 -o pid= 2>/dev/null); do
        if grep -qs "course-grader\.$gp/" "/proc/$p/cgroup" ||
           cmdline_has "$p" "$tmp/int-work"; then
            running=$p
        fi
    done
    [ -n "$running" ] && break
    kill -0 "$gp" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$gp" 2>/dev/null
wait "$gp"
irc=$?
if [ -n "$running" ] && [ "$irc" = 130 ] && [ ! -e "$tmp/int-out/grades.csv" ] &&
   grep -q 'interrupted' "$tmp/int-log"; then
    ok 1
else
    bad "SIGTERM while a box ran (box pid '${running}'): exit $irc, want 130 and no grades.csv"
    tail -5 "$tmp/int-log"
fi
left=""
for p in $(ps -u 65534 -o pid= 2>/dev/null); do
    if grep -qs "course-grader\.$gp/" "/proc/$p/cgroup" ||
       cmdline_has "$p" "$tmp/int-work"; then
        left="$left $p"
    fi
done
stale=$(sed -n 's/^grade: isolation: .* cgroup v[12] at //p' "$tmp/int-log" | tr ',' '\n' |
        while read -r d; do [ -e "$d" ] && printf ' %s' "$d"; done)
if [ -z "$left$stale" ]; then ok 1; else bad "left after SIGTERM: processes$left; cgroups$stale"; fi
if [ -n "$stale_parent" ]; then
    if [ ! -e "$stale_parent/course-grader.$dead" ]; then ok 1
    else bad "the cgroup of a dead grader was not swept: $stale_parent/course-grader.$dead"
         rmdir "$stale_parent/course-grader.$dead/box1" "$stale_parent/course-grader.$dead"; fi
fi
# GRADER_REPEAT=N: grade a solution, the stub and the racy mutant N times; every run must give
# the same rows (student, lesson, passed, total, score, verdict).
repeat=${GRADER_REPEAT:-0}
if [ "$repeat" -gt 0 ]; then
    mkdir -p "$tmp/rep"
    for s in solution stub racy-1; do cp -r "$tmp/subs/$s" "$tmp/rep/"; done
    first=""
    for i in $(seq "$repeat"); do
        "$py" tests/grader/grade.py "$tmp/rep" --lessons 01 --out "$tmp/rep-out" > /dev/null 2>&1
        now=$(cut -d, -f1-6 "$tmp/rep-out/grades.csv")
        [ -n "$first" ] || first=$now
        if [ "$now" = "$first" ]; then ok 1; else bad "run $i of $repeat differs: $now"; fi
    done
    printf '%s\n' "$first" | sed 's/^/  /'
fi
echo "grader: corpus graded in $((end - start)) s"
echo "grader: $passed passed, $failed failed"
[ "$failed" = 0 ]
