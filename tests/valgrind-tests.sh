#!/usr/bin/env bash
# tests/valgrind-tests.sh LESSON: the lesson's tests against its solution, under valgrind
# (memcheck: invalid accesses and leaks fail). Uses the plain build tests/check.sh made.
set -u
cd "$(dirname "$0")/.." || exit 2
l=$1
impl=$(realpath "solutions/$l/exercise.c")
QUIET=1 FAST=1 tests/check.sh "$l" "$impl" > /dev/null 2>&1 || true   # builds the binary
key=$(printf '%s' "$impl" | md5sum | cut -c1-12)
bin=build/check/$l/$(basename "${CC:-gcc}")/plain/test-$key
[ -x "$bin" ] || { echo "valgrind-tests: no test binary for $l (does the solution build?)"; exit 1; }
# Another check of the same file may rebuild that binary while valgrind runs it: run a
# copy, taken under the lock tests/check.sh holds while it builds.
copy=$(mktemp "${TMPDIR:-/tmp}/valgrind-tests.XXXXXX") || exit 1
trap 'rm -f "$copy"' EXIT
flock "$(dirname "$(dirname "$bin")")/.lock-$key" cp "$bin" "$copy" || exit 1
chmod 700 "$copy" && bin=$copy
# Each test runs in its own forked process, which stays under valgrind; an error in any
# of them makes that test exit 99, which the runner reports as a failure.
GUARD_SECONDS=120 valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --child-silent-after-fork=no "$bin" --quiet-pass
