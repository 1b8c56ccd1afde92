# plots/13-error-isolation/isolation.gp: the isolation matrix as a heat map. One cell per
# model x fault: how many of the 7 other tasks finished with the right result (the median of
# the repetitions; "(min-max)" when the repetitions disagree).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
# Rows and columns follow the enums of bench_isolation.c (model_index, fault_index).
set title sprintf("One fault in one of 8 tasks: how many of the other 7 still finish right\n{/*0.8 %s}", machine)
set xlabel "Fault injected into one task"
set ylabel "How the 8 tasks run"
set cblabel "Other tasks finished right (count of 7, median)"
set xrange [-0.5:7.5]
set yrange [-0.5:3.5]
set cbrange [0:7]
set xtics ("none" 0, "NULL deref" 1, "abort" 2, "endless loop" 3, "blocking read" 4, \
           "leak" 5, "exit()" 6, "stray write" 7) rotate by -20
set ytics ("threads" 0, "libuv loop" 1, "coroutines" 2, "processes" 3)
set palette defined (0 "#c0392b", 4 "#f1c40f", 6 "#b5d65a", 7 "#1e8449")
set key off
set tics nomirror
plot data."/isolation.dat" using 2:1:5 with image, \
     ''                    using 2:1:(($6 == $7) ? sprintf("%d", $5) : sprintf("%d (%d-%d)", $5, $6, $7)) \
                           with labels font "sans,12"
