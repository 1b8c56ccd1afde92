#!/usr/bin/env bash
# tests/check.sh: what `make check L=NN [IMPL=file.c]` runs.
#
# Builds lesson NN's tests against one implementation file and runs them: the plain
# build (every test listed), then AddressSanitizer+UBSan with leak detection, then
# ThreadSanitizer for the lessons whose tests/NN-*/lesson.conf says TSAN=1. Exits 0
# only if every test passed in every run. The grader and the mutation checks stand
# on this exit status.
#
# Environment: CC (default gcc), FAST=1 (stop at the first failing test: for mutants),
# QUIET=1 (print only failures and the summary), GUARD_SECONDS (per-test guard),
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
conf() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" "tests/$lesson/lesson.conf" | tail -n 1; }
TSAN=$(conf TSAN) WRAP=$(conf WRAP) PKGS=$(conf PKGS) LIBS=$(conf LIBS) EXTRA_CFLAGS=$(conf CFLAGS)

ldwrap=""
for w in $WRAP; do ldwrap="$ldwrap -Wl,--wrap=$w"; done
pkg_cflags="" pkg_libs=""
if [ -n "$PKGS" ]; then
    pkg_cflags=$(pkg-config --cflags $PKGS) || fail "pkg-config does not know '$PKGS' (run make deps)"
    pkg_libs=$(pkg-config --libs $PKGS)
fi

base_flags="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -pthread $EXTRA_CFLAGS $pkg_cflags"
includes="-I lessons/$lesson -I lessons/common -I tests/common"
variants="plain asan"
[ "$TSAN" = 1 ] && variants="$variants tsan"
san_flags() {
    case $1 in
        plain) ;;
        asan) printf '%s' "-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" ;;
        tsan) printf '%s' "-fsanitize=thread" ;;
    esac
}
label() {
    case $1 in plain) ;; asan) printf '[AddressSanitizer+UBSan]' ;; tsan) printf '[ThreadSanitizer]' ;; esac
}

key=$(printf '%s' "$impl_abs" | md5sum | cut -c1-12)
# One build folder per compiler: objects of gcc and clang must never be linked together.
root=build/check/$lesson/$(basename "$CC")
test_src=$(ls tests/"$lesson"/test_*.c 2>/dev/null)
[ -n "$test_src" ] || fail "lesson $lesson has no tests yet (tests/$lesson/test_*.c)"
# fail_inject.c defines the pthread_create/pthread_join wrappers: only with those wraps.
inject=""
case " $WRAP " in *" pthread_create "*) inject=tests/common/fail_inject.c ;; esac
shared_src="tests/common/runner.c tests/common/expect.c $inject $(ls lessons/common/*.c) $test_src"
headers="$(ls tests/common/*.h lessons/common/*.h lessons/"$lesson"/*.h 2>/dev/null)"

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
        if stale "$obj" "$src" $headers tests/"$lesson"/lesson.conf; then
            # Written aside and renamed: a reader never sees half an object file.
            $CC $base_flags $(san_flags "$v") -Wall -Wextra -Werror $includes -c "$src" \
                -o "$obj.$$" || { rm -f "$obj.$$"; return 1; }
            mv -f "$obj.$$" "$obj" || return 1
        fi
        objs="$objs $obj"
    done
    printf '%s' "$objs" > "$dir/objs"
}

# Compile the learner's file; its warnings are shown but never fail the check.
build_impl() {
    local v=$1 dir=$root/$1 warn=-w
    [ "$v" = plain ] && warn="-Wall -Wextra"
    $CC $base_flags $(san_flags "$v") $warn $includes -c "$impl" -o "$dir/impl-$key.o" \
        2> "$dir/impl-$key.err" || return 1
    $CC $base_flags $(san_flags "$v") -o "$dir/test-$key" "$dir/impl-$key.o" $(cat "$dir/objs") \
        $ldwrap $pkg_libs $LIBS -lcmocka -lm 2> "$dir/link-$key.err" || return 2
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

pids=""
for v in $variants; do build_impl "$v" & pids="$pids $!"; done
status=0 i=0
for p in $pids; do
    wait "$p"; rc=$?
    [ $i = 0 ] && plain_rc=$rc
    i=$((i + 1))
done
dir=$root
if [ -s "$dir/plain/impl-$key.err" ]; then
    # Point the compiler's messages at the file as the learner named it.
    cat "$dir/plain/impl-$key.err"
fi
if [ "$plain_rc" = 1 ]; then
    say "$lesson: $impl does not compile (the compiler's message is above); 0 passed, 1 failed"
    exit 1
elif [ "$plain_rc" = 2 ]; then
    sed 's/^/  /' "$dir/plain/link-$key.err"
    say "$lesson: $impl compiles but does not link (a function of exercise.h missing or defined twice?); 0 passed, 1 failed"
    exit 1
fi
for v in $variants; do
    [ -x "$dir/$v/test-$key" ] && ! stale "$dir/$v/test-$key" "$dir/$v/impl-$key.o" ||
        fail "the $v build failed: $(cat "$dir/$v/impl-$key.err" "$dir/$v/link-$key.err" 2>/dev/null | head -5)"
done
# A copy, taken under the lock: the program itself is rebuilt by the next check of this file.
if [ -n "${KEEP_BINARY:-}" ]; then
    cp "$dir/plain/test-$key" "$KEEP_BINARY" || fail "cannot copy the test program to $KEEP_BINARY"
fi

results=$dir/results-$key
: > "$results"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:print_summary=1:color=never"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:color=never"
export LSAN_OPTIONS="exitcode=23"
export TSAN_OPTIONS="halt_on_error=0:exitcode=66:report_thread_leaks=1:color=never"
guard=${GUARD_SECONDS:-10}

run_variant() {
    local v=$1 extra="" g=$guard
    [ "$v" = plain ] || extra="--quiet-pass"
    [ "${QUIET:-0}" = 1 ] && extra="--quiet-pass"
    [ "${FAST:-0}" = 1 ] && extra="$extra --fail-fast"
    [ "$v" = plain ] || g=$((guard * 2))
    # 8>&-: the tests see no descriptor of ours (a test may count the open ones).
    GUARD_SECONDS=$g "$dir/$v/test-$key" --mode "$(label "$v")" --impl "$impl_abs" \
        --results "$results.$v" $extra 8>&-
}

overall=0
if [ "${FAST:-0}" = 1 ]; then
    for v in $variants; do
        : > "$results.$v"
        run_variant "$v" || { overall=1; break; }
    done
else
    # The runs are independent: start them together, show them in order.
    pids=""
    for v in $variants; do
        : > "$results.$v"
        run_variant "$v" > "$dir/$v/out-$key" 2>&1 & pids="$pids $!"
    done
    for p in $pids; do wait "$p" || overall=1; done
    for v in $variants; do
        if [ "$v" = plain ]; then
            cat "$dir/$v/out-$key"
        else
            # A sanitizer run speaks only of tests that passed the plain run: the others
            # are already listed above, with their message.
            awk -v failed="$(awk '$2 == "FAIL" { printf "%s ", $1 }' "$results.plain")" '
                BEGIN { n = split(failed, f, " "); for (i = 1; i <= n; i++) skip[f[i]] = 1 }
                / passed, .* failed$/ { next }
                /^(PASS|FAIL)  / { show = !($2 in skip) }
                show' "$dir/$v/out-$key"
        fi
    done
fi
cat "$results".* > "$results"
total=$("$dir/plain/test-$key" --list 8>&- | wc -l)
failed=$(awk '$2 == "FAIL" { print $1 }' "$results" | sort -u | wc -l)
passed=$((total - failed))
if [ "$overall" != 0 ] && [ "$failed" = 0 ]; then
    # A run died outside any test (it cannot say which): count the whole lesson as failing.
    failed=1 passed=$((total - 1))
fi
if [ "$own_exercise" = 1 ]; then
    mkdir -p build/progress
    printf '%s %s\n' "$passed" "$total" > "build/progress/$lesson"
fi
runs="plain"
[ "$TSAN" = 1 ] && runs="$runs, ASan+UBSan, TSan" || runs="$runs, ASan+UBSan"
if [ "${FAST:-0}" = 1 ] && [ "$failed" != 0 ]; then
    say "$lesson ($impl): stopped at the first failure (FAST=1); $failed failed"
else
    say "$lesson ($impl; $runs): $passed passed, $failed failed"
fi
[ "$failed" = 0 ] && [ "$overall" = 0 ]
