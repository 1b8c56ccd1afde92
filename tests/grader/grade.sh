#!/usr/bin/env bash
# tests/grader/grade.sh: what `make grade SUBMISSIONS=dir` runs (see tests/grader/README.md).
# Build: nothing
# Run:   tests/grader/grade.sh dir [--lessons 01,02] [--jobs N] [--out build/grades]
#
# Checks that the isolation tools are here (bubblewrap, setpriv and prlimit from util-linux,
# binutils), then hands over to grade.py. The submissions folder is resolved before anything
# else, so a relative path means relative to where make was started.
set -u
[ -n "${1:-}" ] || {
    echo "grade: say where the submissions are: make grade SUBMISSIONS=dir" >&2
    echo "       (dir/<student>/lessons/NN-topic/exercise.c, dir/<student>.zip or .tar.gz)" >&2
    exit 2
}
subs=$(realpath -e -- "$1" 2>/dev/null) || { echo "grade: no folder '$1'" >&2; exit 2; }
shift
cd "$(dirname "$0")/../.." || exit 2
missing=""
for tool in bwrap:bubblewrap setpriv:util-linux prlimit:util-linux readelf:binutils \
            objdump:binutils objcopy:binutils gcc:gcc python3:python3; do
    command -v "${tool%%:*}" > /dev/null 2>&1 || missing="$missing ${tool#*:}"
done
[ -e /usr/include/cmocka.h ] || missing="$missing libcmocka-dev"
if [ -n "$missing" ]; then
    echo "grade: missing Debian packages:$missing" >&2
    echo "       sudo apt-get install -y$missing" >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo "grade: WARNING: not root: the boxes run as you (no switch to an unprivileged user)" >&2
    echo "       and without a cgroup of their own; run as root for the full isolation." >&2
fi
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec "$py" tests/grader/grade.py "$subs" "$@"
