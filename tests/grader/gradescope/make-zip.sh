#!/usr/bin/env bash
# tests/grader/gradescope/make-zip.sh: what `make gradescope` runs: an autograder zip for
# Gradescope that runs the same grader (tests/grader/grade.py) on one submission and writes
# the same results.json.
# Build: nothing
# Run:   tests/grader/gradescope/make-zip.sh [LESSONS]   (e.g. "01 02", 01,02, 2 or 02-races;
#        default: every lesson)
#        -> build/gradescope/autograder.zip (upload it as the assignment's autograder)
#
# The zip holds what grading needs and nothing more: the lessons' exercise.h (no stub),
# lessons/common, tests/common, each lesson's lesson.conf and test_*.c, and tests/grader
# (without its corpus and its unit tests). Never the solutions, never the mutants.
set -eu
cd "$(dirname "$0")/../../.."
# "01 02", "1,2" and "02-races" all name lessons: one comma-separated list of two-digit
# numbers and full names, each of which must name a lesson.
lessons=""
for x in ${1//,/ }; do
    case $x in [0-9]) x=0$x ;; esac
    known=""
    for d in tests/"${x%%-*}"-*/; do
        [ -d "$d" ] || continue
        d=$(basename "$d")
        case $x in "$d" | "${d%%-*}") known=$d ;; esac
    done
    [ -n "$known" ] || {
        echo "gradescope: no lesson '$x'; the lessons are: $(cd tests && ls -d [0-9][0-9]-* | tr '\n' ' ')" >&2
        exit 2
    }
    lessons="$lessons,$x"
done
lessons=${lessons#,}
out=${GRADESCOPE_OUT:-build/gradescope}
stage=$out/stage
rm -rf "$stage" "$out/autograder.zip"
mkdir -p "$stage/course/lessons" "$stage/course/tests"
cp -r lessons/common "$stage/course/lessons/"
cp -r tests/common "$stage/course/tests/"
n=0 packaged=""
for d in tests/[0-9][0-9]-*/; do
    l=$(basename "$d")
    if [ -n "$lessons" ]; then
        case ",$lessons," in *",${l%%-*},"* | *",$l,"*) ;; *) continue ;; esac
    fi
    if ! ls "$d"test_*.c > /dev/null 2>&1 || [ ! -f "lessons/$l/exercise.h" ]; then continue; fi
    mkdir -p "$stage/course/tests/$l" "$stage/course/lessons/$l"
    cp "$d"lesson.conf "$d"test_*.c "$stage/course/tests/$l/"
    # The contract and the lesson's other headers: the grader never needs a stub (nor
    # anyone's edited exercise.c).
    cp "lessons/$l/"*.h "$stage/course/lessons/$l/"
    n=$((n + 1))
    packaged="${packaged:+$packaged,}$l"
done
[ "$n" -gt 0 ] || { echo "gradescope: no lesson to package" >&2; exit 1; }
mkdir -p "$stage/course/tests/grader"
# grade.py and the modules it imports (every tests/grader/*.py), not the grader's unit tests
# (test_*.py), which read the solutions the zip never holds.
for f in tests/grader/*.py; do
    case ${f##*/} in test_*) ;; *) cp "$f" "$stage/course/tests/grader/" ;; esac
done
cp tests/grader/*.sh tests/grader/harness.c tests/grader/README.md "$stage/course/tests/grader/"
cp -r tests/grader/policy "$stage/course/tests/grader/"
cp tests/grader/gradescope/setup.sh tests/grader/gradescope/run_autograder "$stage/"
# The assignment: every packaged lesson gets a row in each student's results, handed in or not.
printf '%s\n' "$packaged" > "$stage/lessons.txt"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
# Python's zipfile (no zip package needed); sorted names and fixed times: the same course gives
# the same zip. Executable bits are kept (Gradescope runs setup.sh and run_autograder).
/usr/bin/python3 - "$stage" "$out/autograder.zip" <<'PY'
import os, sys, zipfile
stage, dest = sys.argv[1], sys.argv[2]
names = []
for d, _, files in os.walk(stage):
    names += [os.path.relpath(os.path.join(d, f), stage) for f in files]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(names):
        info = zipfile.ZipInfo(n, (2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o100755 if os.access(os.path.join(stage, n), os.X_OK) else 0o100644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(stage, n), "rb") as f:
            z.writestr(info, f.read())
PY
rm -rf "$stage"
echo "gradescope: wrote $out/autograder.zip ($n lesson(s); upload it as the autograder)"
