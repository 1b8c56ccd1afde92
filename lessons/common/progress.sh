#!/usr/bin/env bash
# lessons/common/progress.sh: `make progress` lists every lesson as passed, failing
# (x/y tests) or not started, from the last `make check L=NN` of your own exercise.
set -u
cd "$(dirname "$0")/../.." || exit 2
. lessons/common/learner-state.sh   # hints_seen: the hints make hint has shown, as a set
done_n=0 all=0 next=""
printf '%-28s %-40s %s\n' lesson status hints
for d in lessons/[0-9][0-9]-*/; do
    l=$(basename "$d")
    [ -f "$d/exercise.c" ] || continue
    all=$((all + 1))
    hints="$(hints_seen "$l" | grep -c .)/$(grep -c '^## Hint ' "$d/hints.md" 2>/dev/null || echo 0)"
    if [ -f "build/progress/$l" ]; then
        read -r passed total < "build/progress/$l"
        if [ "$passed" = "$total" ]; then
            status="passed ($total tests)"; done_n=$((done_n + 1))
        else
            status="failing ($passed/$total tests)"
        fi
        # A check older than the exercise is out of date.
        [ "$d/exercise.c" -nt "build/progress/$l" ] && status="$status, edited since"
    else
        status="not started"
    fi
    case $status in passed*) ;; *) [ -n "$next" ] || next=$l ;; esac
    printf '%-28s %-40s %s\n' "$l" "$status" "$hints"
done
echo
if [ -n "$next" ]; then
    echo "$done_n of $all lessons passed. Next: make check L=${next%%-*}   ($next)"
else
    echo "$done_n of $all lessons passed: every lesson is done."
fi
