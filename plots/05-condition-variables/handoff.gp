# plots/05-condition-variables/handoff.gp: ns per hand-off between two threads (condvar and
# pipe ping-pong, one core and two), beside one function call; drawn by experiment.sh.
# Gets `data` (folder) and `machine` from plots/bench/env.sh.
# handoff.dat columns: case median_ns min_ns max_ns switches_per_handoff.
file = data.'/handoff.dat'
set title sprintf("Passing the turn between two threads (median, min-max bars; label: context switches per hand-off)\n{/*0.8 %s}", machine)
set ylabel 'Time per hand-off (ns, log scale)'
set xlabel 'Case (a coroutine switch comes with lesson 11)' offset 0,-0.8
set bmargin 5
set format y '%.0f'
set xtics ('function-call' 0, "condvar\n1 core" 1, "pipe\n1 core" 2, "condvar\n2 cores" 3, "pipe\n2 cores" 4)
set logscale y
set yrange [0.5:*]
set xrange [-0.7:4.7]
set grid ytics
set style fill solid 0.35 border
set boxwidth 0.6
set key off
plot file using 1:2 with boxes lc rgb '#4477aa', \
     file using 1:2:3:4 with yerrorbars lc rgb 'black' pt 7 ps 0.5, \
     file using 1:($4*1.6):(sprintf('%.2f sw', $5)) with labels
