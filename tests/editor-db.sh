#!/usr/bin/env bash
# tests/editor-db.sh: the editors' compilation database (lessons/common/compile-commands.sh,
# which `make` runs into build/compile_commands.json). Part of make test.
#   make's build step writes it; the generator, run into a folder of this test, writes JSON
#   every C file the course compiles has one entry, in the course's top folder, every -I of
#   it an existing folder, and build.conf's STD_CFLAGS in it
#   every lessons/NN/exercise.c gets make check's flags for an answer: the learner's warnings
#   (a warning is not an error in the editor either) and its lesson.conf's packages
#   where clangd is installed (it is not one of the course's packages): clangd --check finds
#   the database and reports no compile error on an exercise of lessons 06, 08 (libuv) and 14
# Build: nothing
# Run:   tests/editor-db.sh        (prints "editor-db: N passed, M failed")
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0 failed=0
ok() { printf 'PASS  %s\n' "$*"; passed=$((passed + 1)); }
bad() { printf 'FAIL  %s\n' "$*"; failed=$((failed + 1)); }

work=build/test/editor-db
rm -rf "$work" && mkdir -p "$work" || exit 2
db=$work/compile_commands.json

make -n build 2> /dev/null | grep -qx 'lessons/common/compile-commands.sh build/compile_commands.json' &&
    ok "make's build step writes build/compile_commands.json" ||
    bad "make build does not run lessons/common/compile-commands.sh build/compile_commands.json"

if lessons/common/compile-commands.sh "$db" > "$work/log" 2>&1 && [ -s "$db" ]; then
    ok "the generator wrote $db"
else bad "the generator failed"; sed 's/^/      /' "$work/log"; fi
if python3 -m json.tool "$db" > /dev/null 2> "$work/json.err"; then ok "it is JSON (python3 -m json.tool)"
else bad "it is not JSON: $(head -n 1 "$work/json.err")"; fi

# The files tests/compile-all.sh compiles (the course's C files), and the values the flags
# must carry, handed to the checks below.
files=$(git ls-files -co --exclude-standard -- 'lessons/*.c' 'solutions/*.c' 'tests/*.c' 'plots/*.c' 2> /dev/null ||
        find lessons solutions tests plots -name '*.c')
printf '%s\n' $files | grep -v '^tests/grader/\(corpus\|fixture\)/' | sort > "$work/files"
conf() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "$1" | tail -n 1; }
for d in lessons/[0-9][0-9]-*/; do
    l=${d#lessons/}; l=${l%/}
    p=$(conf "tests/$l/lesson.conf" PKGS)
    printf '%s\t%s\n' "$l" "$([ -z "$p" ] || pkg-config --cflags $p)"
done > "$work/pkgs"

python3 - "$db" "$work/files" "$work/pkgs" "$(pwd -P)" "$(conf lessons/common/build.conf STD_CFLAGS)" \
    "$(conf lessons/common/build.conf LEARNER_WARNINGS)" > "$work/checks" 2>&1 <<'PY'
# One PASS or FAIL line per property (counted by the shell).
import json, os, sys
db_path, files_path, pkgs_path, top, std, learner = sys.argv[1:7]
entries = json.load(open(db_path))
files = [f for f in open(files_path).read().split("\n") if f]
pkgs = dict(line.split("\t", 1) for line in open(pkgs_path).read().split("\n") if line)
by_file = {e.get("file"): e for e in entries}

def report(good, what, detail=""):
    print(("PASS  " if good else "FAIL  ") + what + ("" if good else detail))

missing = [f for f in files if f not in by_file]
report(not missing, "every C file of the course (%d) has an entry" % len(files),
       ": none for " + ", ".join(missing[:5]))
report(all(e.get("directory") == top for e in entries), "every entry runs in the course's top folder")

def includes(args):
    out = []
    for i, a in enumerate(args):
        if a == "-I" and i + 1 < len(args):
            out.append(args[i + 1])
        elif a.startswith("-I") and len(a) > 2:
            out.append(a[2:])
    return out

no_dir = sorted({(e["file"], d) for e in entries for d in includes(e["arguments"])
                 if not os.path.isdir(os.path.join(e["directory"], d))})
report(not no_dir, "every -I names an existing folder",
       ": " + ", ".join("%s in %s" % (d, f) for f, d in no_dir[:5]))
no_std = [e["file"] for e in entries if " %s " % std not in " %s " % " ".join(e["arguments"])]
report(not no_std, "every entry has build.conf's STD_CFLAGS", ": not " + ", ".join(no_std[:5]))

exercises = sorted(f for f in files if f.startswith("lessons/") and f.endswith("/exercise.c")
                   and not f.startswith("lessons/common/"))
wrong = []
for f in exercises:
    lesson = f.split("/")[1]
    args = by_file.get(f, {}).get("arguments", [])
    line = " %s " % " ".join(args)
    inc = includes(args)
    pkg = pkgs.get(lesson, "").strip()
    if ("lessons/" + lesson not in inc or "lessons/common" not in inc or "-Werror" in args
            or " %s " % learner not in line or (pkg and " %s " % pkg not in line)):
        wrong.append(f)
report(exercises and not wrong,
       "every lessons/NN/exercise.c (%d) has its lesson's -I paths, packages and the learner's "
       "warnings, no -Werror" % len(exercises), ": not " + ", ".join(wrong[:5]))
PY
cat "$work/checks"
passed=$((passed + $(grep -c '^PASS' "$work/checks")))
failed=$((failed + $(grep -c '^FAIL' "$work/checks")))
grep -q '^Traceback' "$work/checks" && bad "the database's checks could not run (above)"

# clangd finds build/compile_commands.json by itself (the build/ folder of an ancestor of the
# file). It is not a package the course installs: checked where it is.
if ! command -v clangd > /dev/null; then
    echo "SKIP  clangd --check: clangd is not installed (apt-get install clangd to run it)"
elif [ ! -f build/compile_commands.json ]; then
    echo "SKIP  clangd --check: no build/compile_commands.json yet (make writes it)"
else
    for f in lessons/06-thread-pool/exercise.c lessons/08-nonblocking-io/exercise.c lessons/14-showdown/exercise.c; do
        out=$(clangd --check="$f" 2>&1)
        # A compile error is "E[time] [code] Line N: ..."; clangd --check also counts its own
        # refactoring self-tests ("E[time]     tweak: ... FAIL"), which say nothing of the flags.
        if grep -q 'Loaded compilation database from .*/build/compile_commands.json' <<< "$out" &&
           grep -q 'All checks completed' <<< "$out" && ! grep -q '^E\[[^]]*\] \[' <<< "$out"; then
            ok "clangd --check=$f: the database found, no compile error"
        else
            bad "clangd --check=$f"; grep -E '^E\[|compilation database|All checks' <<< "$out" | sed 's/^/      /'
        fi
    done
fi

echo "editor-db: $passed passed, $failed failed"
[ "$failed" = 0 ]
