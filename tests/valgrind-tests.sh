#!/usr/bin/env bash
# tests/valgrind-tests.sh LESSON: the lesson's tests against its solution, under valgrind
# (memcheck: invalid accesses and leaks fail), on the plain build tests/check.sh makes.
set -u
cd "$(dirname "$0")/.." || exit 2
l=$1
# Another check of the same file may rebuild the test program while valgrind runs it:
# valgrind runs a copy, which tests/check.sh takes while it holds that file's lock.
bin=$(mktemp "${TMPDIR:-/tmp}/valgrind-tests.XXXXXX") || exit 1
trap 'rm -f "$bin"' EXIT
QUIET=1 FAST=1 KEEP_BINARY=$bin tests/check.sh "$l" "solutions/$l/exercise.c" > /dev/null 2>&1
[ -s "$bin" ] || { echo "valgrind-tests: no test program for $l (does the solution build?)"; exit 1; }
chmod 700 "$bin" || exit 1
# Each test runs in its own forked process, which stays under valgrind; an error in any
# of them makes that test exit 99, which the runner reports as a failure. The runner's
# stuck rule stays on: valgrind runs one thread at a time, but a thread waiting for its
# turn waits only while another runs (R) or sleeps in a system call that releases the
# turn, so "every thread asleep, nothing changed for 1 s" still means a real hang (a
# deadlocking mutant under valgrind is stopped in about 1 s, as in the plain run).
GUARD_SECONDS=120 valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
    --child-silent-after-fork=no "$bin" --quiet-pass
