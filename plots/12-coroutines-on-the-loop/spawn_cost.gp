# plots/12-coroutines-on-the-loop/spawn_cost.gp: ns per short task, a thread created and
# joined beside a coroutine spawned and run on the loop (log scale: they differ by orders).
# Variables from plots/bench/env.sh: data (folder), machine.
set title sprintf("One short task: a new thread vs a coroutine on the loop\n{/*0.8 %s}", machine)
set ylabel "Time per task (ns, log scale; median, min-max bars)"
set xlabel "How the task runs"
set logscale y
set yrange [10:*]
set xrange [-0.6:1.6]
set style fill solid 0.6
set boxwidth 0.5
set grid ytics
unset key
plot data."/spawn_cost.dat" using 1:3:xtic(2) with boxes lc rgb "#4a7ebb", \
     ''                     using 1:3:4:5 with yerrorbars lc rgb "black" pt 0
