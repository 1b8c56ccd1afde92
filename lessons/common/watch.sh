#!/usr/bin/env bash
# lessons/common/watch.sh: `make watch L=NN [IMPL=file.c]` runs the check again every time
# the file is saved (inotifywait, from inotify-tools). Ctrl-C stops.
set -u
cd "$(dirname "$0")/../.." || exit 2
lesson=${1:-}
[ -n "$lesson" ] || { echo "watch: say which lesson: make watch L=01" >&2; exit 2; }
command -v inotifywait > /dev/null || { echo "watch: inotifywait is missing (make deps installs inotify-tools)" >&2; exit 2; }
tests/check.sh "$lesson" "${2:-}"
rc=$?
[ "$rc" = 2 ] && exit 2   # unknown lesson or missing file: nothing to watch
file=${2:-}
if [ -z "$file" ]; then
    case $lesson in [0-9]) lesson=0$lesson ;; esac
    file=$(ls lessons/"${lesson%%-*}"-*/exercise.c | head -n 1)
fi
echo "watching $file (Ctrl-C to stop)"
# Editors save by writing or by renaming a new file over the old one: watch the folder.
while inotifywait -qq -e close_write,moved_to,create "$(dirname "$file")"; do
    clear 2>/dev/null || true
    tests/check.sh "$lesson" "${2:-}"
    echo "watching $file (Ctrl-C to stop)"
done
