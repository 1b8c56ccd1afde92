# plots/bench/env.sh: sourced by every plots/NN-topic/experiment.sh (run by plots/run.sh
# from the top of the checkout, with LESSON and MODE set). Gives the script:
#   $MODE      --quick or --full, to pass to the benchmark programs
#   $BIN       where `make benches` put this lesson's programs (build/bench/NN-topic)
#   $DATA      this lesson's data folder ($BENCH_DATA/NN-topic); BENCH_DATA is exported
#   $PLOTS     this lesson's plot folder ($BENCH_PLOTS/NN-topic)
# BENCH_DATA and BENCH_PLOTS default to build/data and build/plots; make test sets them to
# build/test/data and build/test/plots, so it never overwrites the learner's figures. An
# experiment that reads another lesson's data reads "$BENCH_DATA/NN-topic/...", never
# build/data/... itself.
#   plot SCRIPT.gp NAME [gnuplot -e assignments...]
#              draws plots/NN-topic/SCRIPT.gp into $PLOTS/NAME.png and NAME.svg; the script
#              gets `data` (the folder $DATA) and `machine` (one line, which says BUSY when
#              the data was measured on a loaded machine) as variables and must not set a
#              terminal or an output itself
: "${LESSON:?plots/bench/env.sh is sourced by plots/run.sh, which sets LESSON}"
: "${MODE:=--quick}"
BIN=build/bench/$LESSON
export BENCH_DATA=${BENCH_DATA:-build/data} BENCH_PLOTS=${BENCH_PLOTS:-build/plots}
DATA=$BENCH_DATA/$LESSON
PLOTS=$BENCH_PLOTS/$LESSON
mkdir -p "$DATA" "$PLOTS"

plot() {
    local script=plots/$LESSON/$1 name=$2 machine
    shift 2
    # The machine line of the C harness (it ends with the date, in UTC).
    # Titles keep the CPU, cores and kernel, and the date; the compiler line is in the data.
    machine=$(sed -n 's/^# machine: \(.*UTC\)$/\1/p' "$DATA"/*.dat 2>/dev/null | head -n 1 |
              sed 's/, \(gcc\|clang\) .*, \([0-9-]* [0-9:]* UTC\)$/, \2/')
    machine=${machine//\'/}
    # A run on a busy machine says so in every title (the data's "# load:" header line).
    local busy
    busy=$(sed -n 's/^# load: \([0-9.]*\) at start (1-minute average, \([0-9]*\) cores): BUSY.*/\1 on \2 cores/p' \
           "$DATA"/*.dat 2>/dev/null | head -n 1)
    [ -z "$busy" ] || machine="$machine; BUSY machine: load $busy"
    # gnuplot's enhanced text reads _ as a subscript: escape it.
    local vars="data='$DATA'; machine='${machine//_/\\_}'"
    local a
    for a in "$@"; do vars="$vars; $a"; done
    gnuplot -e "$vars; set terminal pngcairo size 960,600 font 'sans,11'; set output '$PLOTS/$name.png'" \
        "$script" || { echo "plot: gnuplot failed on $script" >&2; return 1; }
    gnuplot -e "$vars; set terminal svg size 960,600 dynamic font 'sans,11'; set output '$PLOTS/$name.svg'" \
        "$script" || { echo "plot: gnuplot failed on $script (svg)" >&2; return 1; }
    echo "plot: $PLOTS/$name.png"
}

# claim ID WORDS FIGURES VERDICT: the claims-table line of an experiment whose rule is
# written in shell beside the call (C programs use claim_write() from harness.h; same file).
claim() {
    mkdir -p "$BENCH_DATA/claims"
    printf '%-4s %-34s %s    %s\n' "$1" "$2" "$3" "$4" > "$BENCH_DATA/claims/$1-${LESSON%%-*}.txt"
}
