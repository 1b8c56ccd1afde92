# lessons/common/learner-state.sh: where a learner stands in a lesson, read from what
# `make check` and `make hint` left in build/. Sourced (not run) by hint.sh, solution.sh,
# progress.sh and tests/lesson-parts.sh, from the top of the checkout, so that each question
# has one answer:
#
#   which lesson L=1, 01 or 01-threads names      learner_lesson
#   the last check of lessons/NN/exercise.c       last_results, failing_tests, check_record,
#                                                 check_passed
#   which hints of hints.md were seen             hints_seen, hints_mark_seen
#   which tests a hint helps with                 hint_tags
#
# The functions set variables for the script that sourced them (lesson, dir, check_why...).
# shellcheck shell=bash disable=SC2034
#
# What tests/check.sh leaves (it is the writer; nothing here writes it):
# - build/check/LESSON/CC/results-KEY: one "test_name PASS|FAIL" line per test and run
#   (plain, then ASan, then TSan), the plain lines in the order of the test list. KEY is the
#   first 12 hex digits of the md5 of the implementation's absolute path: any check of that
#   file writes it, with T= (some tests) or FAST=1 too. One per compiler (CC).
# - build/progress/LESSON: "passed total", written only by a whole check (no IMPL=, no T=)
#   of lessons/LESSON/exercise.c; a check that does not compile leaves the old one.

# learner_lesson CMD ARG: set $lesson (01-threads) and $dir (lessons/01-threads/) from ARG,
# or print CMD's usage and the lessons, and exit 2.
learner_lesson() {
    local cmd=$1 arg=${2:-} d
    if [ -z "$arg" ]; then
        echo "$cmd: say which lesson: make $cmd L=01" >&2
        learner_list_lessons >&2
        exit 2
    fi
    case $arg in [0-9]) arg=0$arg ;; esac
    dir=$(ls -d lessons/"${arg%%-*}"-*/ 2> /dev/null | head -n 1)
    case $arg in
        [0-9][0-9]-*) [ "lessons/$arg/" = "$dir" ] || dir="" ;;
        [0-9][0-9]) ;;
        *) dir="" ;;
    esac
    if [ -z "$dir" ] || [ ! -f "${dir}exercise.c" ]; then
        echo "$cmd: unknown lesson '$2'; the lessons:" >&2
        learner_list_lessons >&2
        exit 2
    fi
    lesson=$(basename "$dir")
}

learner_list_lessons() {
    local d
    for d in lessons/[0-9][0-9]-*/; do d=${d%/}; echo "  ${d#lessons/}"; done
}

# last_results LESSON: the results file of the newest check of lessons/LESSON/exercise.c,
# whatever the compiler; nothing when there was none. The key is computed as check.sh
# computes it (printf, no newline, of the absolute path): change both together.
last_results() {
    local file=lessons/$1/exercise.c abs key
    abs=$(realpath "$file" 2> /dev/null) || return 0
    key=$(printf '%s' "$abs" | md5sum | cut -c1-12)
    ls -t build/check/"$1"/*/results-"$key" 2> /dev/null | head -n 1
}

# failing_tests RESULTS: the tests that failed in any run, once each, in the order of the
# test list (the plain run lists every test it ran, in that order; a test that failed only
# under a sanitizer passed the plain run, so it is placed by its plain line).
failing_tests() {
    awk '!($1 in at) { at[$1] = ++n; name[n] = $1 }
         $2 == "FAIL" { bad[$1] = 1 }
         END { for (i = 1; i <= n; i++) if (name[i] in bad) print name[i] }' "$1"
}

# check_record LESSON: "passed total" of the last whole check of lessons/LESSON/exercise.c,
# or nothing.
check_record() {
    [ -f "build/progress/$1" ] && head -n 1 "build/progress/$1"
}

# check_passed LESSON: true when the last whole check of lessons/LESSON/exercise.c passed
# every test and the file has not changed since. Otherwise false, with $check_why saying
# which: none (never checked whole), failing (then $check_passed_n of $check_total_n
# passed), or edited (passed, but exercise.c is newer than that check: a later check that
# did not compile leaves no record, so an old "passed" would otherwise still stand).
check_passed() {
    local rec
    check_why="" check_passed_n="" check_total_n=""
    rec=$(check_record "$1")
    [ -n "$rec" ] || { check_why=none; return 1; }
    read -r check_passed_n check_total_n <<< "$rec"
    [ "$check_passed_n" = "$check_total_n" ] || { check_why=failing; return 1; }
    [ ! "lessons/$1/exercise.c" -nt "build/progress/$1" ] || { check_why=edited; return 1; }
    return 0
}

# hints_seen LESSON: the numbers of the hints already shown, one a line. The file holds a
# comment line, then one number a line. A file without the comment is the old counter
# ("3": hints 1 to 3 were shown, in order), read as that set.
hints_seen() {
    local f=build/progress/$1.hints n
    [ -f "$f" ] || return 0
    if grep -q '^#' "$f"; then
        grep '^[0-9][0-9]*$' "$f"
    else
        read -r n < "$f"
        case $n in '' | *[!0-9]*) ;; *) [ "$n" -gt 0 ] && seq 1 "$n" ;; esac
    fi
    return 0
}

# hints_mark_seen LESSON N: add hint N to the set (rewritten whole, sorted, once each).
hints_mark_seen() {
    local f=build/progress/$1.hints
    mkdir -p build/progress
    { echo "# make hint: the hints of $1 you have seen, one number a line"
      { hints_seen "$1"; echo "$2"; } | sort -nu; } > "$f.$$" && mv -f "$f.$$" "$f"
}

# hint_tags HINTS_MD: one line per "## Hint N" section: N, a tab, then the tests named by the
# line right under its heading, "Helps with: test_a, test_b" (nothing after the tab when the
# hint is general). The line is plain markdown, so the file reads the same on GitHub.
hint_tags() {
    awk '/^## / { if (n != "") print n "\t" tags
                  n = ($2 == "Hint" && $3 ~ /^[0-9]+$/) ? $3 : ""; tags = ""; under = 1; next }
         n != "" && under { under = 0
                            if (sub(/^Helps with:[ \t]*/, "")) {
                                gsub(/[ \t,]+/, " "); sub(/^ /, ""); sub(/ $/, ""); tags = $0 } }
         END { if (n != "") print n "\t" tags }' "$1"
}
