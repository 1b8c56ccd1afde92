#!/usr/bin/env bash
# tests/expect-fail.sh LESSON MUTANT.c: a mutant must compile, and must fail the lesson's
# tests (exit 1 from tests/check.sh). Its output is shown so the log says which test
# killed it.
set -u
cd "$(dirname "$0")/.." || exit 2
# FAST=1 by default (one failing test is enough); test-stubs sets FAST=0 to count them all.
out=$(FAST=${FAST:-1} QUIET=1 tests/check.sh "$1" "$2" 2>&1)
rc=$?
printf '%s\n' "$out"
if printf '%s\n' "$out" | grep -q 'does not compile\|does not link'; then
    echo "expect-fail: $2 does not build; a mutant must compile and fail a test"; exit 1
fi
case $rc in
    1) echo "expect-fail: $2 fails its tests, as it must"; exit 0 ;;
    0) echo "expect-fail: $2 PASSED every test: the tests miss its bug"; exit 1 ;;
    *) echo "expect-fail: tests/check.sh exited $rc (an error of the course, not a verdict)"; exit 1 ;;
esac
