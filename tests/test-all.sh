#!/usr/bin/env bash
# tests/test-all.sh: `make test`, what CI runs. Each step below is one named job; jobs
# run up to $(nproc) at a time, each with a log under build/test-logs/ and a time limit.
# Ends with "make test: N passed, M failed" and exits non-zero if any job failed.
#
#   every C file compiles with gcc and with clang, -Werror
#   every lesson has all its parts, and exercise.h is the same in lessons/ and solutions/
#   every solution passes its lesson's tests (plain, ASan+UBSan, TSan where asked)
#   every mutant fails them; every solution's tests run clean under valgrind
#   every demo runs clean under valgrind and TSan (racy demos must be reported)
#   every benchmark runs in quick mode and writes well-formed data; every plot is drawn
#   the book builds in HTML, EPUB and PDF, its excerpts match the files, its plots are
#   drawn, and epubcheck passes the EPUB (book/check-book.sh)
#   the grader's hostile corpus gets the verdicts it must (tests/grader/run-tests.sh), every
#   lesson's reference is graded ok and its stub not (tests/grader/grade-references.sh)
#   the README's commands, typed as written in a clone under a 0700 folder
#   (tests/readme-commands.sh); make hint, solution and reset as a learner meets them, in a
#   copy of this tree (tests/learner-tools.sh); make bench IMPL=... (tests/bench-impl.sh);
#   the editors' build/compile_commands.json (tests/editor-db.sh)
# It checks the course, for people changing it; a learner's command is make check. The
# experiments and the book go to build/test/ (BENCH_DATA, BENCH_PLOTS, BOOK_DIR), and every
# check of a stub takes the stub as shipped (tests/pristine-stub.sh), so make test neither
# reads nor overwrites the learner's work.
set -u
cd "$(dirname "$0")/.." || exit 2
logs=build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
# The course's tests measure and draw into folders of their own: a learner's build/data,
# build/plots and build/book (the figures they read) are never read or overwritten here.
# (Only the jobs that measure, draw or build the book get these; the others run as typed.)
own_out="export BENCH_DATA=build/test/data BENCH_PLOTS=build/test/plots BOOK_DIR=build/test/book"
rm -rf build/test/data build/test/plots
jobs=$logs/jobs
: > "$jobs"
job() { printf '%s\t%s\n' "$1" "$2" >> "$jobs"; }   # job NAME COMMAND

lessons=${ONLY:-$(for d in lessons/[0-9][0-9]-*/; do basename "$d"; done)}   # ONLY="01-threads ..." to test a few
start=$(date +%s)

# ---- stage 1: builds everything needs (sequential: they share build/)
echo "== build (gcc)"
if ! make -s build > "$logs/build.log" 2>&1; then
    cat "$logs/build.log"
    echo "make test: 0 passed, 1 failed (the build failed; see above)"
    exit 1
fi

# ---- stage 2: independent jobs
# The grader needs a machine where bubblewrap can make namespaces as an unprivileged user
# (not inside a chroot or a container that forbids it). Elsewhere it refuses to grade, and
# its tests cannot run: say so and skip them, except in CI, whose machine can.
skipped=0
if [ -x tests/grader/run-tests.sh ]; then
    if sandbox_err=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- \
                     bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev true 2>&1) ||
       [ "${CI:-}" = true ]; then
        # Twice: with the cgroups this machine gives, then with none, as a grader that is
        # not root (or has no cgroup of its own) runs. The longest job: it starts first.
        job grader "tests/grader/run-tests.sh && GRADER_CGROUP=none tests/grader/run-tests.sh"
        # Every lesson's reference graded ok and its shipped stub not ok (a policy that
        # forgets a call the answer needs shows here), and the README's commands as typed.
        job grade-references "tests/grader/grade-references.sh"
        job readme-commands "tests/readme-commands.sh"
    else
        echo "SKIP  grader: bubblewrap cannot start a sandbox on this machine (${sandbox_err//$'\n'/ })"
        echo "      make grade refuses to run here too; on a normal Debian machine as root it works."
        job readme-commands "SANDBOX=0 tests/readme-commands.sh"
        skipped=1
    fi
fi
job compile-gcc "CC=gcc tests/compile-all.sh"
job compile-clang "CC=clang tests/compile-all.sh"
job bench-impl "tests/bench-impl.sh"
job editor-db "tests/editor-db.sh"
job learner-tools "tests/learner-tools.sh"
for l in $lessons; do
    job "parts-$l" "tests/lesson-parts.sh $l"
    job "solution-$l" "QUIET=1 tests/check.sh $l solutions/$l/exercise.c"
    for m in tests/"$l"/mutants/*.c; do
        [ -e "$m" ] || continue
        job "mutant-$l-$(basename "${m%.c}")" "tests/expect-fail.sh $l $m"
    done
    job "valgrind-tests-$l" "tests/valgrind-tests.sh $l"
    if [ -f "lessons/$l/Makefile" ]; then
        job "demos-valgrind-$l" "make -s --no-print-directory -C lessons/$l valgrind"
        job "demos-tsan-$l" "make -s --no-print-directory -C lessons/$l tsan"
    fi
done
job experiments "$own_out; plots/run.sh --quick && tests/check-data.sh"
job book "$own_out; book/build.sh && book/check-book.sh"
total=$(wc -l < "$jobs")
echo "== $total jobs, $(nproc) at a time (logs in $logs/)"
run_job() {
    local name=$1 cmd=$2 t0 rc
    t0=$(date +%s)
    timeout 1200 bash -c "$cmd" > "build/test-logs/$name.log" 2>&1
    rc=$?
    [ "$rc" = 124 ] && echo "(stopped after 1200 s: the job hung)" >> "build/test-logs/$name.log"
    if [ "$rc" = 0 ]; then
        printf 'PASS  %-50s %4ss\n' "$name" "$(( $(date +%s) - t0 ))"
    else
        printf 'FAIL  %-50s %4ss  (build/test-logs/%s.log)\n' "$name" "$(( $(date +%s) - t0 ))" "$name"
    fi
}
export -f run_job
# The experiments measure time: run them alone first, so the other jobs do not load them.
grep -P '^experiments\t' "$jobs" | while IFS=$'\t' read -r n c; do run_job "$n" "$c"; done | tee "$logs/summary"
grep -vP '^experiments\t' "$jobs" | tr '\n' '\0' |
    xargs -0 -P "$(nproc)" -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r n c <<< "$1"; run_job "$n" "$c"' _ {} |
    tee -a "$logs/summary"

failed=$(grep -c '^FAIL' "$logs/summary")
passed=$(grep -c '^PASS' "$logs/summary")
if [ "$failed" != 0 ]; then
    echo
    echo "== failures (last lines of each log)"
    grep '^FAIL' "$logs/summary" | while read -r _ name _; do
        echo "-- $name"
        tail -n 25 "$logs/$name.log"
    done
fi
# Which isolation the grader's tests had (cgroup v1, v2, or none) says what they proved.
grep -hm1 '^grade: isolation:' "$logs/grader.log" 2>/dev/null |
    sed 's/^grade: isolation:/== grader isolation:/'
echo "== done in $(( $(date +%s) - start )) s"
if [ "$skipped" = 0 ]; then
    echo "make test: $passed passed, $failed failed"
else
    echo "make test: $passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" = 0 ] && [ "$passed" = "$total" ]
