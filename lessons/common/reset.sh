#!/usr/bin/env bash
# lessons/common/reset.sh: `make reset L=NN` puts lesson NN's exercise.c back as the course
# shipped it (tests/pristine-stub.sh: from git, or the copy the first make kept), after
# keeping yours aside as lessons/NN-topic/exercise.c.saved-DATE (not a .c file: nothing
# compiles it). Nothing is ever deleted; your hints and progress stay as they are.
set -u
cd "$(dirname "$0")/../.." || exit 2
. lessons/common/learner-state.sh   # learner_lesson: L=1, 01 or 01-threads
learner_lesson reset "${1:-}"
file=lessons/$lesson/exercise.c
stub=$(tests/pristine-stub.sh "$lesson") || { echo "reset: no shipped stub for $lesson" >&2; exit 1; }
if cmp -s "$stub" "$file"; then
    echo "reset: $file is already the shipped stub; nothing to do"
    exit 0
fi
saved=$file.saved-$(date +%Y%m%d-%H%M%S)
cp -p "$file" "$saved" || { echo "reset: cannot keep your file as $saved; nothing changed" >&2; exit 1; }
cp "$stub" "$file" || { echo "reset: cannot write $file (yours is in $saved)" >&2; exit 1; }
echo "reset: $file is the shipped stub again; yours is kept in $saved"
echo "       (to get it back: cp $saved $file)"
