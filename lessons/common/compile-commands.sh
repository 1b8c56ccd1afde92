#!/usr/bin/env bash
# lessons/common/compile-commands.sh [OUT]: the compilation database editors read, so that
# clangd (VS Code, vim, emacs...) finds the course's headers and gives each file the flags the
# course compiles it with. OUT defaults to build/compile_commands.json: clangd looks for
# compile_commands.json in every folder above the file it opens and in their build/ folders.
# `make` (its build step) writes it.
#
# Each C file gets the flags of the build that compiles it, read from lessons/common/build.conf
# and its lesson's tests/NN-topic/lesson.conf (PKGS, CFLAGS), never written here:
#   lessons/NN/exercise.c, tests/NN/mutants/*.c   as make check compiles an answer (tests/check.sh:
#                                                 the learner's warnings, not -Werror)
#   solutions/NN/*.c, tests/NN/*.c, tests/common/*.c, tests/grader/*.c
#                                                 as make check compiles the course's test code
#   lessons/NN/*.c demos, lessons/common/*.c      as lessons/common/lesson.mk compiles a demo
#                                                 (the packages of the lesson's Makefile)
#   plots/NN/*.c, plots/bench/*.c                 as the Makefile's build/bench/% rule
# The file is replaced only when its text changes: an editor re-indexes when it does.
set -u
cd "$(dirname "$0")/../.." || exit 2
out=${1:-build/compile_commands.json}
CC=${CC:-gcc}
top=$(pwd -P)

die() { printf 'compile-commands: %s\n' "$1" >&2; exit 1; }

[ -f lessons/common/build.conf ] || die "lessons/common/build.conf is missing"
# conf FILE KEY: the value of "KEY = value" (or "KEY := value") in a make-syntax file.
conf() { sed -n "s/^$2[[:space:]]*:\{0,1\}=[[:space:]]*//p" "$1" 2> /dev/null | tail -n 1; }
build_conf() { conf lessons/common/build.conf "$1"; }
std=$(build_conf STD_CFLAGS) own=$(build_conf OWN_WARNINGS) learner=$(build_conf LEARNER_WARNINGS)
test_opt=$(build_conf TEST_OPT) run_opt=$(build_conf RUN_OPT)
[ -n "$std" ] || die "lessons/common/build.conf has no STD_CFLAGS"

# pkgs NAMES...: their pkg-config compile flags (none for no names).
pkgs() {
    [ $# -gt 0 ] || return 0
    pkg-config --cflags "$@" || die "pkg-config does not know '$*' (run make deps)"
}
bench_pkgs=$(pkgs libuv cmocka) || exit 1

# The flags of each kind of file, per lesson (worked out once: pkg-config is slow to start).
declare -A test_flags answer_flags demo_flags plot_flags
for d in lessons/[0-9][0-9]-*/; do
    l=${d#lessons/}; l=${l%/}
    lconf=tests/$l/lesson.conf
    # What tests/check.sh gives every file of the lesson's test build.
    t="$std $test_opt $(conf "$lconf" CFLAGS) $(pkgs $(conf "$lconf" PKGS))" || exit 1
    test_flags[$l]="$t -Ilessons/$l -Ilessons/common -Itests/common"
    answer_flags[$l]="${test_flags[$l]} $learner"
    demo_flags[$l]="$std $own $run_opt -Ilessons/common $(pkgs $(conf "lessons/$l/Makefile" PKGS))" || exit 1
    plot_flags[$l]="$std $own $run_opt -Ilessons/$l -Ilessons/common -Iplots/bench $bench_pkgs"
done
common_flags="$std $own $run_opt -Ilessons/common $(pkgs libuv)" || exit 1

# flags_for FILE: sets FLAGS to the flags (without the file) for one C file; empty for a file
# no build compiles.
flags_for() {
    local f=$1 sub l
    FLAGS=""
    sub=${f#*/}; l=${sub%%/*}
    case $f in
        lessons/common/*) FLAGS=$common_flags ;;
        tests/common/* | tests/grader/*.c) FLAGS="$std $test_opt $own -Itests/common -Ilessons/common" ;;
        plots/bench/*) FLAGS="$std $own $run_opt -Ilessons/common -Iplots/bench $bench_pkgs" ;;
        lessons/*/exercise.c | tests/*/mutants/*.c) FLAGS=${answer_flags[$l]:-} ;;
        lessons/*) FLAGS=${demo_flags[$l]:-} ;;
        solutions/* | tests/*) [ -z "${test_flags[$l]:-}" ] || FLAGS="${test_flags[$l]} $own" ;;
        plots/*) FLAGS=${plot_flags[$l]:-} ;;
    esac
}

# json STRING: sets J to STRING as a JSON string.
json() { J=${1//\\/\\\\}; J=\"${J//\"/\\\"}\"; }

# The files compile-all.sh compiles: tracked or new, not ignored; the grader's hostile corpus
# is data for its tests, not code to edit.
files=$(git ls-files -co --exclude-standard -- 'lessons/*.c' 'solutions/*.c' 'tests/*.c' 'plots/*.c' 2> /dev/null ||
        find lessons solutions tests plots -name '*.c')
files=$(printf '%s\n' $files | grep -v '^tests/grader/\(corpus\|fixture\)/' | sort)

mkdir -p "$(dirname "$out")" || die "cannot create $(dirname "$out")"
tmp=$out.$$
{
    printf '['
    sep=""
    json "$top"; dir=$J
    json "$CC"; cc=$J
    for f in $files; do
        flags_for "$f"
        [ -n "$FLAGS" ] || continue
        json "$f"
        printf '%s\n  {"directory": %s, "file": %s, "arguments": [%s' "$sep" "$dir" "$J" "$cc"
        for a in $FLAGS -c "$f"; do json "$a"; printf ', %s' "$J"; done
        printf ']}'
        sep=,
    done
    printf '\n]\n'
} > "$tmp" || { rm -f "$tmp"; die "cannot write $tmp"; }
if cmp -s "$tmp" "$out"; then
    rm -f "$tmp"
else
    mv -f "$tmp" "$out" || die "cannot write $out"
fi
