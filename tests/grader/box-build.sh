#!/bin/sh
# tests/grader/box-build.sh: compile, inspect and link one student's exercise.c.
# Build: nothing (a POSIX shell script)
# Run:   only by tests/grader/grade.py, INSIDE the sandbox, as an unprivileged user:
#          box-build.sh compile VARIANT...    (in /box/out: VARIANT.o, .err, .s, .sections, ...)
#          box-build.sh link VARIANT...       (in /box/out: test-VARIANT, link-VARIANT.err)
#
# Everything that reads the student's source or the objects made from it runs here, in the box:
# the compiler (an #include "/etc/shadow" or an .incbin finds nothing outside the box), and
# readelf/objdump/objcopy/ld on objects the student shaped. The grader only reads the text
# files this script leaves in /box/out, and it reads them as untrusted.
#
# The box holds: /box/src (exercise.c, exercise.h, keep.syms: the names exercise.h declares),
# /box/include (lessons/common/*.h), /box/trusted/VARIANT/*.o (the course's test objects, link
# step only), /box/conf (flags: see below), /box/out (writable).
set -u
# The box's folders are under /box. BOX_ROOT is for the grader's unit tests alone
# (test_inspection.py), which run this script on the course's own answers, outside a box;
# a box starts with an empty environment, so there it is always /box.
box=${BOX_ROOT:-/box}
cd "$box/out" || exit 120
step=$1
shift
# The flags come from lessons/common/build.conf and the lesson's lesson.conf, written into
# /box/conf by job.py: cflags, ldflags (libraries included), warnings, san-VARIANT.
ldflags=$(cat "$box/conf/ldflags")
warnings=$(cat "$box/conf/warnings")
base="$(cat "$box/conf/cflags") -I $box/src -I $box/include"

san_flags() {
    case $1 in
        plain | asan | tsan) cat "$box/conf/san-$1" ;;
        *) exit 121 ;;
    esac
}

case $step in
compile)
    status=0
    for v in "$@"; do
        san=$(san_flags "$v")
        warn=-w
        [ "$v" = plain ] && warn=$warnings
        # shellcheck disable=SC2086  # $base and $san are word lists on purpose (here and below)
        if ! gcc $base $san $warn -c "$box/src/exercise.c" -o "$v.o" 2> "$v.err"; then
            echo "$v" >> failed
            status=1
            continue
        fi
        # shellcheck disable=SC2086
        gcc $base $san -w -S "$box/src/exercise.c" -o "$v.s" 2> /dev/null || echo "$v" >> failed
        # shellcheck disable=SC2086
        gcc $base $san -E -P "$box/src/exercise.c" -o "$v.i" 2> /dev/null || echo "$v" >> failed
        readelf -W -S "$v.o" > "$v.sections"
        readelf -W -s "$v.o" > "$v.symbols"
        readelf -W -r "$v.o" > "$v.relocs"
        objdump -d --no-show-raw-insn "$v.o" > "$v.dis"
    done
    exit $status
    ;;
link)
    status=0
    for v in "$@"; do
        san=$(san_flags "$v")
        # Every global the student defined that exercise.h does not declare becomes local: it
        # can then override nothing (the grader has already refused names that would clash).
        if ! objcopy --keep-global-symbols="$box/src/keep.syms" "$v.o" "$v.loc.o" 2> "link-$v.err"; then
            status=1
            continue
        fi
        # shellcheck disable=SC2086
        gcc -pthread $san -o "test-$v" "$v.loc.o" "$box/trusted/$v"/*.o $ldflags \
            2>> "link-$v.err" || status=1
    done
    exit $status
    ;;
esac
exit 122
