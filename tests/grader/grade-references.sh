#!/usr/bin/env bash
# tests/grader/grade-references.sh: the grader on every lesson's reference answer and shipped
# stub (part of make test). A reference must be graded ok with full marks, a stub anything but
# ok: a lesson whose policy (tests/grader/policy/NN-topic.allow) forgets a call its answer
# needs shows here, not as a class marked "rejected".
# Build: nothing
# Run:   tests/grader/grade-references.sh      (prints "grade-references: N passed, M failed")
set -u
cd "$(dirname "$0")/../.." || exit 2
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d /tmp/grade-references.XXXXXX) || exit 2
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
for d in tests/[0-9][0-9]-*/; do
    l=$(basename "$d")
    [ -f "solutions/$l/exercise.c" ] || continue
    mkdir -p "$tmp/class/reference/lessons/$l" "$tmp/class/stub/lessons/$l"
    cp "solutions/$l/exercise.c" "$tmp/class/reference/lessons/$l/"
    # The stub as shipped (committed), never a learner's edited copy in this tree.
    stub=$(tests/pristine-stub.sh "$l") && cp "$stub" "$tmp/class/stub/lessons/$l/exercise.c" ||
        { echo "FAIL  $l: no shipped stub"; failed=$((failed + 1)); }
done
"$py" tests/grader/grade.py "$tmp/class" --out "$tmp/out" > "$tmp/log" 2>&1 ||
    { cat "$tmp/log"; echo "grade-references: 0 passed, 1 failed (grade.py exited with an error)"; exit 1; }
grep -m1 '^grade: isolation:' "$tmp/log"
while IFS=, read -r student lesson got total _ verdict reason; do
    case $student in
        reference)
            if [ "$verdict" = ok ] && [ "$got" = "$total" ]; then
                echo "PASS  $lesson: the reference is ok, $got/$total"; passed=$((passed + 1))
            else
                echo "FAIL  $lesson: the reference got $verdict, $got/$total: $reason"; failed=$((failed + 1))
            fi ;;
        stub)
            if [ "$verdict" != ok ] && [ "$verdict" != rejected ]; then
                echo "PASS  $lesson: the stub is $verdict, $got/$total"; passed=$((passed + 1))
            else
                echo "FAIL  $lesson: the stub got $verdict, $got/$total: $reason"; failed=$((failed + 1))
            fi ;;
    esac
done < <(tail -n +2 "$tmp/out/grades.csv")
echo "grade-references: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
