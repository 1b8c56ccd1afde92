# plots/06-thread-pool/task_cost.gp: ns per task, three ways of running it (log scale).
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("What one small task costs, by how it is run\n{/*0.8 %s}", machine)
set ylabel "Time per task (ns, log scale)"
set xlabel "How the task runs"
set logscale y
set yrange [1:*]
set grid ytics
set style fill solid 0.6 border -1
set boxwidth 0.6
set key off
set xrange [-0.6:2.6]
plot data."/task_cost.dat" using 1:3:xtic(2) with boxes lc rgb "#4a7ebb", \
     ''                    using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 lw 1.5, \
     ''                    using 1:3:(sprintf("%.0f ns", $3)) with labels offset 0,1.2
