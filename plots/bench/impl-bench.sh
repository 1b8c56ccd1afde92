#!/usr/bin/env bash
# plots/bench/impl-bench.sh: what `make bench L=NN [IMPL=file.c]` runs: your answer to lesson
# NN measured beside the reference, in the same run.
#
# The lesson's benchmarks that call exercise.h's functions are built twice under
# build/bench-impl/CC/NN-topic/: with solutions/NN-topic/exercise.c (ref/) and with IMPL
# (yours-KEY/), in a folder per compiler. Every other object is shared, so the two programs differ only in the
# exercise. They run in quick mode, reference then yours, ROUNDS times (default 3): a load
# that comes and goes falls on both. Each run writes its data files into a folder of its own
# (BENCH_DATA), kept under yours-KEY/data/; build/bench and build/data are never touched.
# The table takes every figure of those data files: the median of the rounds' medians, the
# min of their mins, the max of their maxes, and yours/reference.
#
# Which benchmarks: a plots/NN-topic/*.c that uses the harness (bench_init) and calls a
# function the reference defines (read from the objects with nm). Found, never listed here,
# so a new benchmark is measured without an edit.
#
# An answer that fails its tests is not measured (a wrong answer's speed means nothing): the
# check (tests/check.sh, quiet) runs first, and its summary line is printed either way.
#
# Exit: 0 measured; 1 the answer does not compile, fails its tests, or a benchmark failed;
# 2 a usage error, or a lesson without a benchmark of its exercise.
# Environment: CC (default gcc), ROUNDS (default 3).
set -u
caller_dir=$PWD
cd "$(dirname "$0")/../.." || exit 2

lesson_arg=${1:-}
impl_arg=${2:-}
CC=${CC:-gcc}
ROUNDS=${ROUNDS:-3}

say() { printf '%s\n' "$*"; }
die() { say "bench: $1" >&2; exit "${2:-1}"; }

# L may be 6, 06 or 06-thread-pool, as for make check (learner_lesson sets lesson).
. lessons/common/learner-state.sh
[ -n "$lesson_arg" ] ||
    { say "bench: say which lesson: make bench L=06 IMPL=lessons/06-thread-pool/exercise.c" >&2
      learner_list_lessons >&2; exit 2; }
learner_lesson bench "$lesson_arg"
case $ROUNDS in
    [1-9] | [1-9][0-9]) ;;
    *) die "ROUNDS must be a number from 1 to 99, not '$ROUNDS'" 2 ;;
esac

# IMPL as the caller named it (relative to where make or the script was started), shown as
# a path from the top of the course when it is inside it.
impl=${impl_arg:-lessons/$lesson/exercise.c}
case $impl in /*) impl_path=$impl ;; *) [ -n "$impl_arg" ] && impl_path=$caller_dir/$impl || impl_path=$impl ;; esac
[ -e "$impl_path" ] || die "no file '$impl' (IMPL= names the answer to measure)" 2
[ -f "$impl_path" ] || die "'$impl' is not a regular file" 2
[ -r "$impl_path" ] || die "cannot read '$impl'" 2
impl_abs=$(realpath -- "$impl_path") || die "cannot resolve '$impl'" 2
impl=$(realpath -s --relative-base=. -- "$impl_abs")
ref=solutions/$lesson/exercise.c
[ -f "$ref" ] || die "lesson $lesson has no reference answer ($ref)"

# The flags: lessons/common/build.conf, composed as the Makefile composes BENCH_CFLAGS for
# build/bench. The exercise file (yours and the reference alike) gets the learner's warnings
# instead of -Werror, as make check compiles it: warnings change no instruction.
[ -f lessons/common/build.conf ] || die "lessons/common/build.conf is missing"
conf() { sed -n "s/^$1[[:space:]]*=[[:space:]]*//p" lessons/common/build.conf | tail -n 1; }
read -ra std <<< "$(conf STD_CFLAGS)"
read -ra own <<< "$(conf OWN_WARNINGS)"
read -ra learner <<< "$(conf LEARNER_WARNINGS)"
read -ra opt <<< "$(conf RUN_OPT)"
bench_cflags="$(conf STD_CFLAGS) $(conf OWN_WARNINGS) $(conf RUN_OPT)"
uv_cflags=$(pkg-config --cflags libuv) && uv_libs=$(pkg-config --libs libuv) ||
    die "pkg-config does not know libuv (run make deps)"
read -ra uv_cflags <<< "$uv_cflags"
read -ra uv_libs <<< "$uv_libs"

# bench_conf L KEY: a value of plots/L/bench.conf (LIBS, SRCS), read as the Makefile reads it.
bench_conf() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "plots/$1/bench.conf" 2> /dev/null; }
# srcs_obj L SRC: where SRC, named by plots/L/bench.conf's SRCS, is compiled.
srcs_obj() { printf '%s/%s/obj/srcs/%s.o' "$top_out" "$1" "$(printf '%s' "${2%.c}" | tr / _)"; }

# One folder per compiler, as make check has: objects of gcc and clang are never linked together.
top_out=build/bench-impl/$(basename "$CC")
common=$top_out/common

# Is target missing or older than any of the files after it?
stale() {
    local t=$1 f
    shift
    [ -e "$t" ] || return 0
    for f in "$@"; do [ "$f" -nt "$t" ] && return 0; done
    return 1
}

# compile SRC OBJ FLAGS...: written aside and renamed (two runs may build the same object);
# the compiler's messages go to OBJ.err.
compile() {
    local src=$1 obj=$2
    shift 2
    mkdir -p "$(dirname "$obj")" || return 1
    "$CC" "$@" -c "$src" -o "$obj.$$" 2> "$obj.err" || { rm -f "$obj.$$"; return 1; }
    mv -f "$obj.$$" "$obj"
}

# The course's own objects for lesson L (cached): the shared code, the harness, every
# benchmark of plots/L/ and the reference. A failure here is a bug of the course.
build_course() {
    local l=$1 dir=$top_out/$1/obj src obj pids="" p failed=0 headers
    shopt -s nullglob
    headers=(lessons/*/*.h plots/*/*.h lessons/common/build.conf)
    local course_flags=("${std[@]}" "${own[@]}" "${opt[@]}" -DBENCH_CFLAGS="\"$bench_cflags\""
                        -Ilessons/"$l" -Ilessons/common -Iplots/bench "${uv_cflags[@]}")
    for src in lessons/common/*.c plots/bench/harness.c; do
        obj=$common/$(basename "${src%.c}").o
        stale "$obj" "$src" "${headers[@]}" || continue
        compile "$src" "$obj" "${course_flags[@]}" & pids="$pids $!"
    done
    # A benchmark may include the reference itself (lesson 11's bare switch): it is a header here.
    for src in plots/"$l"/*.c; do
        obj=$dir/$(basename "${src%.c}").o
        stale "$obj" "$src" "${headers[@]}" "$ref_of_l" || continue
        compile "$src" "$obj" "${course_flags[@]}" & pids="$pids $!"
    done
    # plots/L/bench.conf's SRCS: more files every benchmark of L links (another lesson's answer).
    for src in $(bench_conf "$l" SRCS); do
        [ -f "$src" ] || die "plots/$l/bench.conf names '$src', which does not exist (a bug in the course)"
        obj=$(srcs_obj "$l" "$src")
        stale "$obj" "$src" "${headers[@]}" || continue
        compile "$src" "$obj" "${course_flags[@]}" & pids="$pids $!"
    done
    obj=$dir/reference/exercise.o
    stale "$obj" "$ref_of_l" "${headers[@]}" &&
        { compile "$ref_of_l" "$obj" "${std[@]}" "${learner[@]}" "${opt[@]}" -Ilessons/"$l" \
              -Ilessons/common -Iplots/bench "${uv_cflags[@]}" & pids="$pids $!"; }
    shopt -u nullglob
    for p in $pids; do wait "$p" || failed=1; done
    if [ "$failed" = 1 ]; then
        cat "$common"/*.err "$dir"/*.err "$dir"/srcs/*.err "$dir"/reference/*.err 2> /dev/null | head -n 20 >&2
        die "the course's benchmark code for $l does not compile (a bug in the course, not in your file)"
    fi
}

# measuring L: one line per benchmark of lesson L that measures its exercise: "name: fn fn".
measuring() {
    local l=$1 dir=$top_out/$1/obj api o calls
    ref_of_l=solutions/$l/exercise.c
    [ -f "$ref_of_l" ] && [ -d "plots/$l" ] || return 0
    build_course "$l"
    api=$(nm --defined-only -g "$dir/reference/exercise.o" | awk '$2 ~ /^[TW]$/ { print $3 }' | sort)
    for o in "$dir"/*.o; do
        [ -e "$o" ] && [ -e "plots/$l/$(basename "${o%.o}").c" ] || continue
        nm -u "$o" | grep -qw bench_init || continue
        calls=$(comm -12 <(printf '%s\n' "$api") <(nm -u "$o" | awk '{ print $2 }' | sort) | tr '\n' ' ')
        [ -z "$calls" ] || say "$(basename "${o%.o}"): ${calls% }"
    done
    return 0
}

benches=$(measuring "$lesson") || exit 1
if [ -z "$benches" ]; then
    have=""
    for d in lessons/[0-9][0-9]-*/; do
        d=${d%/}; d=${d#lessons/}
        found=$(measuring "$d") || exit 1
        [ -z "$found" ] || have="$have ${d%%-*}"
    done
    say "bench: lesson $lesson has no benchmark that calls its exercise's functions; lessons that have one:${have:- none}" >&2
    exit 2
fi

# Your exercise, compiled first: a file that does not compile gets the compiler's words.
key=$(printf '%s' "$impl_abs" | md5sum | cut -c1-12)
yours=$top_out/$lesson/yours-$key
mkdir -p "$yours" || die "cannot create $yours"
# Two runs of the same file would share this folder: the second waits.
exec 9> "$yours/.lock" || die "cannot open $yours/.lock"
flock 9 || die "cannot lock $yours/.lock"
if ! compile "$impl_abs" "$yours/exercise.o" "${std[@]}" "${learner[@]}" "${opt[@]}" \
        -Ilessons/"$lesson" -Ilessons/common -Iplots/bench "${uv_cflags[@]}"; then
    sed "s|$impl_abs|$impl|g" "$yours/exercise.o.err" >&2
    die "'$impl' does not compile (the compiler's message is above); nothing to measure"
fi

say "bench: $lesson, yours ($impl) beside the reference ($ref)"
check_log=$yours/check.log
QUIET=1 tests/check.sh "$lesson" "$impl" > "$check_log" 2>&1 9>&-
check_rc=$?
if [ "$check_rc" -gt 1 ]; then   # no verdict: the check itself could not run
    tail -n 15 "$check_log" >&2
    die "make check L=$prefix IMPL=$impl could not run (its message is above); nothing measured"
fi
say "check: $(tail -n 1 "$check_log")"
if [ "$check_rc" != 0 ]; then
    say "bench: your answer fails its tests, and a wrong answer's speed means nothing: not measured." >&2
    say "       make check L=$prefix IMPL=$impl shows which tests fail and why." >&2
    exit 1
fi

# Link both programs of each benchmark; they share every object but the exercise.
read -ra libs <<< "$(bench_conf "$lesson" LIBS)"
objs=$top_out/$lesson/obj
srcs=()
for src in $(bench_conf "$lesson" SRCS); do srcs+=("$(srcs_obj "$lesson" "$src")"); done
names=()
while IFS=: read -r name calls; do
    names+=("$name")
    say "benchmark: $name (calls$calls)"
    for side in ref yours; do
        if [ "$side" = ref ]; then out=$top_out/$lesson/ref; ex=$objs/reference/exercise.o
        else out=$yours; ex=$yours/exercise.o; fi
        mkdir -p "$out" || die "cannot create $out"
        if ! "$CC" "${std[@]}" "${own[@]}" "${opt[@]}" -o "$out/$name.$$" "$objs/$name.o" \
                "$common"/*.o "${srcs[@]}" "$ex" "${uv_libs[@]}" "${libs[@]}" -lm 2> "$out/$name.link.err"; then
            sed 's/^/  /' "$out/$name.link.err" >&2
            [ "$side" = yours ] ||
                die "the reference's $name does not link (a bug in the course)"
            die "'$impl' compiles but $name does not link with it (a function of exercise.h missing or defined twice?)"
        fi
        mv -f "$out/$name.$$" "$out/$name" || die "cannot write $out/$name"
    done
done <<< "$benches"

data=$yours/data
rm -rf "$data"
[ "$ROUNDS" = 1 ] && rounds="1 round" || rounds="$ROUNDS rounds"
say "$rounds, each benchmark in quick mode, reference then yours (data: $data/)"
# run SIDE ROUND NAME: one quick run into its own data folder; prints the seconds it took.
run() {
    local side=$1 r=$2 name=$3 bin t0 dir=$data/$1/$2
    [ "$side" = ref ] && bin=$top_out/$lesson/ref/$name || bin=$yours/$name
    mkdir -p "$dir" || return 1
    t0=$EPOCHREALTIME
    BENCH_DATA=$dir timeout 600 "$bin" --quick > "$dir/$name.log" 2>&1 9>&-
    case $? in
        0) ;;
        124) say "(stopped after 600 s)" >> "$dir/$name.log"; return 1 ;;
        *) return 1 ;;
    esac
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}
for r in $(seq 1 "$ROUNDS"); do
    for name in "${names[@]}"; do
        line="round $r/$ROUNDS  $name:"
        for side in ref yours; do
            if ! secs=$(run "$side" "$r" "$name"); then
                tail -n 15 "$data/$side/$r/$name.log" | sed 's/^/  /' >&2
                [ "$side" = ref ] && die "the reference's $name failed (its output is above)"
                die "$name failed with your answer (its output is above), though your answer passes its tests"
            fi
            [ "$side" = ref ] && line="$line reference $secs s," || line="$line yours $secs s"
        done
        say "$line"
    done
done

# The table. Each data file: "# machine/mode/load" lines, then the column line ("# threads
# median_ns min_ns max_ns (unit)"), then other "#" notes (printed under the file's name), then
# rows. A row is named by its first field, its "*index" fields (shown only when nothing else
# names it) and its words: a column that held a word once names the rows from then on. Every
# other number is a figure, except the min and max that belong to a median column
# ("x_median x_min x_max", or "median_ns min_ns max_ns"): those give the figure's min and max.
# A figure without them takes the min and max of its values over the rounds.
files=()
for r in $(seq 1 "$ROUNDS"); do
    for side in ref yours; do
        while IFS= read -r f; do files+=("$f"); done < <(find "$data/$side/$r" -name '*.dat' | sort)
    done
done
[ ${#files[@]} -gt 0 ] || die "the benchmarks wrote no data file under $data/"
awk -v data="$data" '
function isnum(s) { return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
function fmt(x,  a) {
    a = x < 0 ? -x : x
    return a >= 1000 ? sprintf("%.0f", x) : sprintf("%.4g", x)
}
function near(want, from, to,  k) {   # the column named want among from..to, or 0
    for (k = from; k <= to && k <= ncol; k++) if (name[k] == want) return k
    return 0
}
function columns(line,  j, k, m, w) {
    gsub(/\([^)]*\)/, " ", line)
    ncol = split(line, name, " ")
    for (j = 1; j <= ncol; j++) { sib[j] = 0; minof[j] = 0; maxof[j] = 0 }
    for (j = 1; j <= ncol; j++) {
        if (name[j] !~ /median/) continue
        w = name[j]; sub(/median/, "min", w); k = near(w, j + 1, j + 3)
        if (!k && name[j + 1] ~ /min/) k = j + 1
        w = name[j]; sub(/median/, "max", w); m = near(w, j + 1, j + 3)
        if (!m && k && name[k + 1] ~ /max/) m = k + 1
        if (k) { minof[j] = k; sib[k] = 1 }
        if (m) { maxof[j] = m; sib[m] = 1 }
    }
}
function median(s, f,  n, i, j, v, t) {
    n = cnt[s, f]
    for (i = 1; i <= n; i++) v[i] = vals[s, f, i]
    for (i = 2; i <= n; i++) {
        t = v[i]
        for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]
        v[j + 1] = t
    }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function cell(s, f) {
    if (!cnt[s, f]) return sprintf("%9s %9s %9s", "-", "-", "-")
    return sprintf("%9s %9s %9s", fmt(median(s, f)), fmt(lo[s, f]), fmt(hi[s, f]))
}
FNR == 1 {
    rel = substr(FILENAME, length(data) + 2)
    side = substr(rel, 1, index(rel, "/") - 1); rel = substr(rel, index(rel, "/") + 1)
    rel = substr(rel, index(rel, "/") + 1)
    first = !(rel in seen)
    if (first) { seen[rel] = 1; nfiles++; file[nfiles] = rel }
    runs++; ncol = 0; header = 0
}
/^#/ {
    if ($0 ~ /^# load:.*BUSY/) busy++
    if ($0 ~ /^# (machine|mode|load):/) next
    if (!header) { header = 1; columns(substr($0, 3)); next }
    if (first) note[rel, ++nnote[rel]] = $0
    next
}
NF > 0 {
    if (NF != ncol) {   # a row the column line does not describe: name its fields by place
        ncol = NF
        for (j = 1; j <= NF; j++) { name[j] = "column" j; sib[j] = 0; minof[j] = 0; maxof[j] = 0 }
    }
    others = 0
    for (j = 1; j <= NF; j++) {
        if (!sib[j] && !isnum($j)) keycol[rel, j] = 1
        iskey[j] = !sib[j] && (j == 1 || name[j] ~ /index$/ || keycol[rel, j])
        if (iskey[j] && name[j] !~ /index$/) others++
    }
    key = ""
    for (j = 1; j <= NF; j++) {
        if (!iskey[j] || (name[j] ~ /index$/ && others)) continue
        key = key (key == "" ? "" : " ") (isnum($j) ? name[j] "=" $j : $j)
    }
    for (j = 1; j <= NF; j++) {
        if (iskey[j] || sib[j]) continue
        f = rel SUBSEP key "  " name[j]
        if (!(f in known)) { known[f] = 1; fig[rel, ++nfig[rel]] = key "  " name[j] }
        v = $j + 0
        a = minof[j] && isnum($(minof[j])) ? $(minof[j]) + 0 : v
        b = maxof[j] && isnum($(maxof[j])) ? $(maxof[j]) + 0 : v
        c = ++cnt[side, f]; vals[side, f, c] = v
        if (c == 1 || a < lo[side, f]) lo[side, f] = a
        if (c == 1 || b > hi[side, f]) hi[side, f] = b
    }
}
END {
    w = 24
    for (i = 1; i <= nfiles; i++)
        for (k = 1; k <= nfig[file[i]]; k++)
            if (length(fig[file[i], k]) > w) w = length(fig[file[i], k])
    lf = "%-" w "s"
    print ""
    printf lf "  %s   %s\n", "", "--------- reference ---------", "----------- yours -----------"
    printf lf "  %9s %9s %9s   %9s %9s %9s  %9s\n", "figure", "median", "min", "max", \
        "median", "min", "max", "yours/ref"
    for (i = 1; i <= nfiles; i++) {
        r = file[i]
        print "== " r
        for (k = 1; k <= nnote[r]; k++) print "   " note[r, k]
        for (k = 1; k <= nfig[r]; k++) {
            f = r SUBSEP fig[r, k]
            ratio = "-"
            if (cnt["ref", f] && cnt["yours", f] && median("ref", f) != 0)
                ratio = sprintf("%.2f", median("yours", f) / median("ref", f))
            printf lf "  %s   %s  %9s\n", fig[r, k], cell("ref", f), cell("yours", f), ratio
        }
    }
    print ""
    print "Each figure: the median of the rounds\047 medians, the min of their mins, the max of their maxes."
    print "yours/ref above 1: your figure is larger (slower, for a time; faster, for a rate per second)."
    print "Figures that do not run exercise.h\047s functions (a baseline beside it) ran the same code on"
    print "both sides: how far their ratio is from 1 is this run\047s noise."
    if (busy)
        printf "The machine was busy (load above half the cores) in %d of %d runs: ratios near 1 mean nothing.\n", busy, runs
}' "${files[@]}"
