#!/usr/bin/env bash
# lessons/common/watch.sh: `make watch L=NN [IMPL=file.c]` runs the check again every time
# the file is saved (inotifywait, from inotify-tools). Ctrl-C stops.
#
# The watch starts first, then the first check runs: a save made while a check runs is
# queued, and starts the next check as soon as this one ends (several events of one save
# make one check).
set -u
cd "$(dirname "$0")/../.." || exit 2
lesson=${1:-}
[ -n "$lesson" ] || { echo "watch: say which lesson: make watch L=01" >&2; exit 2; }
command -v inotifywait > /dev/null || { echo "watch: inotifywait is missing (make deps installs inotify-tools)" >&2; exit 2; }
file=${2:-}
if [ -z "$file" ]; then
    case $lesson in [0-9]) lesson=0$lesson ;; esac
    file=$(ls lessons/"${lesson%%-*}"-*/exercise.c 2> /dev/null | head -n 1)
    # An unknown lesson: check.sh says so and lists the lessons.
    [ -n "$file" ] || { tests/check.sh "$lesson" ""; exit 2; }
fi
[ -f "$file" ] || { tests/check.sh "$lesson" "$file"; exit 2; }
name=$(basename "$file")

# Editors save by writing the file or by renaming a new file over it: watch its folder,
# and keep the events that name the file.
exec 3< <(exec inotifywait -m -e close_write,moved_to,create --format '%f' \
                         "$(dirname "$file")" 2>&1)
watcher=$!
stop() { kill "$watcher" 2> /dev/null; exit 0; }
trap stop INT TERM HUP
# inotifywait says "Watches established." once it watches: only then is no save missed.
while read -r -u 3 line; do
    case $line in
        "Watches established.") break ;;
        Couldn*|Failed*) echo "watch: $line" >&2; exit 2 ;;
    esac
done

tests/check.sh "$lesson" "${2:-}"
[ $? = 2 ] && stop   # a file the check cannot use: nothing to watch
echo "watching $file (Ctrl-C to stop)"
while read -r -u 3 changed; do
    [ "$changed" = "$name" ] || continue
    while read -r -t 0.2 -u 3 _; do :; done   # the other events of the same save
    clear 2> /dev/null || true
    tests/check.sh "$lesson" "${2:-}"
    echo "watching $file (Ctrl-C to stop)"
done
stop
