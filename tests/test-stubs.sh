#!/usr/bin/env bash
# tests/test-stubs.sh: `make test-stubs`. Every shipped exercise stub must compile and FAIL
# its lesson's tests (else some test is vacuous, or the stub gives the answer away). The
# stub is the one the course shipped (git HEAD, or the copy make keeps when there is no
# .git: tests/pristine-stub.sh), never a learner's lessons/NN/exercise.c.
set -u
cd "$(dirname "$0")/.." || exit 2
pass=0 fail=0
for d in lessons/[0-9][0-9]-*/; do
    l=$(basename "$d")
    [ -f "$d/exercise.c" ] && [ -d "tests/$l" ] || continue
    # The stub as shipped, never the learner's working file (tests/pristine-stub.sh).
    if ! stub=$(tests/pristine-stub.sh "$l"); then
        echo "FAIL  stub of $l: no shipped stub"; fail=$((fail + 1)); continue
    fi
    # A stub fails fast (it never hangs): run every test, to show how many it fails.
    if out=$(FAST=0 tests/expect-fail.sh "$l" "$stub" 2>&1); then
        echo "PASS  stub of $l fails its tests ($(printf '%s\n' "$out" | sed -n 's/.*: \([0-9]* passed, [0-9]* failed\)$/\1/p' | tail -n 1))"
        pass=$((pass + 1))
    else
        printf '%s\n' "$out" | tail -n 15
        echo "FAIL  stub of $l"
        fail=$((fail + 1))
    fi
done
echo "test-stubs: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
