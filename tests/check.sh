#!/usr/bin/env bash
# tests/check.sh: what `make check L=NN [IMPL=file.c]` runs.
#
# Builds lesson NN's tests against one implementation file and runs them: the plain
# build first (every test listed; it starts while the sanitizer builds compile), then,
# for the tests that passed it, AddressSanitizer+UBSan with leak detection and, for the
# lessons whose tests/NN-*/lesson.conf says TSAN=1, ThreadSanitizer. A test that failed or
# hung in the plain run is not run again. Exits 0 only if every test passed in every run.
# The grader and the mutation checks stand on this exit status. Flags, sanitizers and
# their options come from lessons/common/build.conf.
#
# The runner (tests/common/runner.h) runs a program's tests side by side, up to the number
# of cores, and stops a stuck test (every thread asleep, nothing changed) after 1 s.
#
# Environment: CC (default gcc), FAST=1 (stop at the first failing test: for mutants),
# QUIET=1 (print only failures and the summary), T="name ..." (only these tests:
# make check L=01 T=empty_range; a part that names one test is enough), GUARD_SECONDS
# (per-test guard), HANG_SETTLE_SECONDS and TEST_JOBS (read by the runner),
# KEEP_BINARY=path (a copy of the plain test program, for valgrind: tests/valgrind-tests.sh).
set -u
cd "$(dirname "$0")/.." || exit 2
top=$PWD

lesson_arg=${1:-}
impl_arg=${2:-}
CC=${CC:-gcc}

say() { printf '%s\n' "$*"; }
fail() { say "check: $*" >&2; exit 2; }

list_lessons() {
    say "lessons:" >&2
    for d in tests/[0-9][0-9]-*/; do d=${d%/}; say "  ${d#tests/}" >&2; done
}

# L may be 1, 01 or 01-threads.
[ -n "$lesson_arg" ] || { say "check: say which lesson: make check L=01" >&2; list_lessons; exit 2; }
case $lesson_arg in
    [0-9]) prefix=0$lesson_arg ;;
    [0-9][0-9]) prefix=$lesson_arg ;;
    [0-9][0-9]-*) prefix=${lesson_arg%%-*} ;;
    *) say "check: unknown lesson '$lesson_arg'" >&2; list_lessons; exit 2 ;;
esac
lesson=
for d in tests/"$prefix"-*/; do
    [ -d "$d" ] || continue
    d=${d%/}; d=${d#tests/}
    case $lesson_arg in [0-9][0-9]-*) [ "$d" = "$lesson_arg" ] || continue ;; esac
    lesson=$d
done
[ -n "$lesson" ] || { say "check: unknown lesson '$lesson_arg'" >&2; list_lessons; exit 2; }

if [ -z "$impl_arg" ]; then
    impl=lessons/$lesson/exercise.c
    own_exercise=1
else
    impl=$impl_arg
    own_exercise=0
fi
[ -e "$impl" ] || fail "no file '$impl' (IMPL= names the implementation to test)"
[ -f "$impl" ] || fail "'$impl' is not a regular file"
[ -r "$impl" ] || fail "cannot read '$impl'"
impl_abs=$(realpath "$impl") || fail "cannot resolve '$impl'"

[ -f "tests/$lesson/lesson.conf" ] || fail "lesson $lesson has no tests/$lesson/lesson.conf yet"
# lesson.conf is make syntax ("KEY = value"), so the Makefile can read it too.
# read_conf FILE PREFIX: each "KEY = value" line into the variable PREFIX_KEY (the last line
# of a key wins), read in the shell itself: a check after a save must start at once.
read_conf() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^([A-Za-z_][A-Za-z_0-9]*)[[:space:]]*=[[:space:]]*(.*)$ ]] || continue
        printf -v "$2_${BASH_REMATCH[1]}" '%s' "${BASH_REMATCH[2]}"
    done < "$1"
}
conf() { local v=L_$1; printf '%s' "${!v:-}"; }
read_conf "tests/$lesson/lesson.conf" L
TSAN=$(conf TSAN) WRAP=$(conf WRAP) PKGS=$(conf PKGS) LIBS=$(conf LIBS) EXTRA_CFLAGS=$(conf CFLAGS)

ldwrap=""
for w in $WRAP; do ldwrap="$ldwrap -Wl,--wrap=$w"; done
pkg_cflags="" pkg_libs=""
if [ -n "$PKGS" ]; then
    pkg_cflags=$(pkg-config --cflags $PKGS) || fail "pkg-config does not know '$PKGS' (run make deps)"
    pkg_libs=$(pkg-config --libs $PKGS)
fi

# The flags, sanitizers and their options: lessons/common/build.conf, read by make, the
# grader and this script alike.
[ -f lessons/common/build.conf ] || fail "lessons/common/build.conf is missing"
read_conf lessons/common/build.conf B
bconf() { local v=B_$1; printf '%s' "${!v:-}"; }
base_flags="$(bconf STD_CFLAGS) $(bconf TEST_OPT) $EXTRA_CFLAGS $pkg_cflags"
own_warnings=$(bconf OWN_WARNINGS)
learner_warnings=$(bconf LEARNER_WARNINGS)
test_libs=$(bconf TEST_LIBS)
includes="-I lessons/$lesson -I lessons/common -I tests/common"
variants="plain asan"
[ "$TSAN" = 1 ] && variants="$variants tsan"
san_flags() { bconf "SAN_$1"; }
label() {
    case $1 in plain) ;; asan) printf '[AddressSanitizer+UBSan]' ;; tsan) printf '[ThreadSanitizer]' ;; esac
}

key=$(printf '%s' "$impl_abs" | md5sum | cut -c1-12)
# One build folder per compiler: objects of gcc and clang must never be linked together.
root=build/check/$lesson/$(basename "$CC")
shopt -s nullglob
test_src=$(echo tests/"$lesson"/test_*.c)
[ -n "$test_src" ] || fail "lesson $lesson has no tests yet (tests/$lesson/test_*.c)"
# fail_inject.c defines the pthread_create/pthread_join wrappers: only with those wraps.
inject=""
case " $WRAP " in *" pthread_create "*) inject=tests/common/fail_inject.c ;; esac
shared_src="tests/common/runner.c tests/common/expect.c $inject $(echo lessons/common/*.c) $test_src"
headers="$(echo tests/common/*.h lessons/common/*.h lessons/"$lesson"/*.h tests/"$lesson"/*.h)"
shopt -u nullglob

# Is target missing or older than any of the files after it?
stale() {
    local t=$1; shift
    [ -e "$t" ] || return 0
    local f
    for f in "$@"; do [ "$f" -nt "$t" ] && return 0; done
    return 1
}

# Compile the course's own files for one variant (cached; -Werror: they must be clean).
build_shared() {
    local v=$1 dir=$root/$1 objs="" src obj
    mkdir -p "$dir"
    for src in $shared_src; do
        obj=$dir/$(basename "${src%.c}").o
        if stale "$obj" "$src" $headers tests/"$lesson"/lesson.conf lessons/common/build.conf; then
            # Written aside and renamed: a reader never sees half an object file.
            $CC $base_flags $(san_flags "$v") $own_warnings $includes -c "$src" \
                -o "$obj.$$" || { rm -f "$obj.$$"; return 1; }
            mv -f "$obj.$$" "$obj" || return 1
        fi
        objs="$objs $obj"
    done
    # Renamed into place: a check of this lesson that is linking reads a whole list.
    printf '%s' "$objs" > "$dir/objs.$$" && mv -f "$dir/objs.$$" "$dir/objs"
}

# Compile the learner's file; its warnings are shown but never fail the check.
build_impl() {
    local v=$1 dir=$root/$1 warn=-w
    [ "$v" = plain ] && warn=$learner_warnings
    $CC $base_flags $(san_flags "$v") $warn $includes -c "$impl" -o "$dir/impl-$key.o" \
        2> "$dir/impl-$key.err" || return 1
    $CC $base_flags $(san_flags "$v") -o "$dir/test-$key" "$dir/impl-$key.o" $(cat "$dir/objs") \
        $ldwrap $pkg_libs $LIBS $test_libs 2> "$dir/link-$key.err" || return 2
}

# Several checks of one lesson may run at once (make test runs mutants in parallel):
# one at a time refreshes the shared objects, under a lock on the lesson's folder.
mkdir -p "$root" || fail "cannot create $root"
exec 9> "$root/.lock" || fail "cannot open $root/.lock"
flock 9 || fail "cannot lock $root/.lock"
for v in $variants; do
    build_shared "$v" || fail "the course's own test code does not compile (a bug in the course, not in your file)"
done
exec 9>&-   # the shared objects are ready: other checks may go on
# Two checks of the same file (make test's solution and valgrind jobs) would write the
# same object, binary and results: the second waits for the first to end.
exec 8> "$root/.lock-$key" || fail "cannot open $root/.lock-$key"
flock 8 || fail "cannot lock $root/.lock-$key"

# The three builds at once; the plain tests start as soon as the plain build is done,
# while the sanitizer builds go on. (They hold this file's lock with us until they end:
# the next check of the same file waits for them, so it never reads an object they are
# still writing.)
san_variants=${variants#plain}
san_pids=""
for v in $san_variants; do build_impl "$v" & san_pids="$san_pids $!"; done
build_impl plain
plain_rc=$?
stop_san_builds() { [ -z "$san_pids" ] || wait $san_pids; }
dir=$root
if [ -s "$dir/plain/impl-$key.err" ]; then
    # Point the compiler's messages at the file as the learner named it.
    cat "$dir/plain/impl-$key.err"
fi
if [ "$plain_rc" = 1 ]; then
    stop_san_builds
    say "$lesson: $impl does not compile (the compiler's message is above); 0 passed, 1 failed"
    exit 1
elif [ "$plain_rc" = 2 ]; then
    stop_san_builds
    sed 's/^/  /' "$dir/plain/link-$key.err"
    say "$lesson: $impl compiles but does not link (a function of exercise.h missing or defined twice?); 0 passed, 1 failed"
    exit 1
fi
[ -x "$dir/plain/test-$key" ] && ! stale "$dir/plain/test-$key" "$dir/plain/impl-$key.o" ||
    fail "the plain build failed: $(cat "$dir/plain/impl-$key.err" "$dir/plain/link-$key.err" 2>/dev/null | head -5)"
# A copy, taken under the lock: the program itself is rebuilt by the next check of this file.
if [ -n "${KEEP_BINARY:-}" ]; then
    cp "$dir/plain/test-$key" "$KEEP_BINARY" || fail "cannot copy the test program to $KEEP_BINARY"
fi

results=$dir/results-$key
rm -f "$results" "$results".*
guard=${GUARD_SECONDS:-10}

# run_variant VARIANT [TEST...]: the runner runs the tests side by side (TEST_JOBS, default
# the number of cores), stops a stuck test after HANG_SETTLE_SECONDS (default 1) and a
# busy one after its guard, and prints in the order of the test list.
run_variant() {
    local v=$1 extra="" g=$guard
    shift
    [ "$v" = plain ] || extra="--quiet-pass"
    [ "${QUIET:-0}" = 1 ] && extra="--quiet-pass"
    [ "${FAST:-0}" = 1 ] && extra="$extra --fail-fast"
    [ "$v" = plain ] || g=$((guard * 2))
    : > "$results.$v"
    # 8>&-: the tests see no descriptor of ours (a test may count the open ones).
    env $(bconf "RUN_$v") GUARD_SECONDS=$g "$dir/$v/test-$key" --mode "$(label "$v")" \
        --impl "$impl_abs" --results "$results.$v" $extra "$@" 8>&-
}

overall=0
# T: only some tests, each named whole or by a part that names one test only.
only=""
for t in ${T:-}; do
    all=$("$dir/plain/test-$key" --list 8>&-)
    if printf '%s\n' "$all" | grep -qx -- "$t"; then
        only="$only $t"
    else
        m=$(printf '%s\n' "$all" | grep -F -- "$t")
        case $(printf '%s' "$m" | grep -c '') in
            1) only="$only $m" ;;
            0) fail "no test of $lesson is named like '$t'; the tests:
$(printf '%s\n' "$all" | sed 's/^/  /')" ;;
            *) fail "'$t' names several tests of $lesson; say which:
$(printf '%s\n' "$m" | sed 's/^/  /')" ;;
        esac
    fi
done
run_variant plain $only || overall=1
# The sanitizers run only the tests that passed the plain run: a test that failed or hung
# there is already reported, and running it again would only cost time.
passed_plain=$(awk '$2 == "PASS" { print $1 }' "$results.plain")
if [ -z "$san_variants" ]; then
    :
elif [ -z "$passed_plain" ] || { [ "${FAST:-0}" = 1 ] && [ "$overall" != 0 ]; }; then
    stop_san_builds
else
    for p in $san_pids; do wait "$p"; done
    for v in $san_variants; do
        [ -x "$dir/$v/test-$key" ] && ! stale "$dir/$v/test-$key" "$dir/$v/impl-$key.o" ||
            fail "the $v build failed: $(cat "$dir/$v/impl-$key.err" "$dir/$v/link-$key.err" 2>/dev/null | head -5)"
    done
    if [ "${FAST:-0}" = 1 ]; then
        for v in $san_variants; do
            run_variant "$v" $passed_plain > "$dir/$v/out-$key" 2>&1; rc=$?
            grep -v ' passed, .* failed$' "$dir/$v/out-$key"
            [ "$rc" = 0 ] || { overall=1; break; }
        done
    else
        # The sanitizer runs are independent: start them together, show them in order,
        # without their own summary lines (the last line below sums up every run).
        pids=""
        for v in $san_variants; do
            run_variant "$v" $passed_plain > "$dir/$v/out-$key" 2>&1 & pids="$pids $!"
        done
        for p in $pids; do wait "$p" || overall=1; done
        for v in $san_variants; do
            grep -v ' passed, .* failed$' "$dir/$v/out-$key"
        done
    fi
fi
cat "$results".* > "$results"
if [ -n "$only" ]; then
    total=$(printf '%s\n' $only | sort -u | wc -l)
else
    total=$("$dir/plain/test-$key" --list 8>&- | wc -l)
fi
failed=$(awk '$2 == "FAIL" { print $1 }' "$results" | sort -u | wc -l)
passed=$((total - failed))
if [ "$overall" != 0 ] && [ "$failed" = 0 ]; then
    # A run died outside any test (it cannot say which): count the whole lesson as failing.
    failed=1 passed=$((total - 1))
fi
if [ "$own_exercise" = 1 ] && [ -z "$only" ]; then   # make progress counts whole checks
    mkdir -p build/progress
    printf '%s %s\n' "$passed" "$total" > "build/progress/$lesson"
fi
runs="plain"
[ "$TSAN" = 1 ] && runs="$runs, ASan+UBSan, TSan" || runs="$runs, ASan+UBSan"
if [ -n "$passed_plain" ] && grep -q ' FAIL$' "$results.plain"; then
    runs="$runs on the tests that passed plain"
elif [ -z "$passed_plain" ]; then
    runs="plain"
fi
if [ "${FAST:-0}" = 1 ] && [ "$failed" != 0 ]; then
    say "$lesson ($impl): stopped at the first failure (FAST=1); $failed failed"
else
    say "$lesson ($impl; $runs): $passed passed, $failed failed"
fi
[ "$failed" = 0 ] && [ "$overall" = 0 ]
