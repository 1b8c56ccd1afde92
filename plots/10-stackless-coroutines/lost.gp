# plots/10-stackless-coroutines/lost.gp: % of updates lost by tasks on one thread that share a
# counter, with a yield between the read and the write, and without (counter_step). The counts
# are exact (one thread, fixed order), so there are no error bars to draw: each point is one
# run, and a second run gives the same number.
# Variables from plots/bench/env.sh: data (folder), machine (one line).
set title sprintf("Lost updates between stackless coroutines on one thread (exact counts)\n{/*0.8 %s}", machine)
set xlabel "Tasks sharing one counter (one thread, round-robin)"
set ylabel "Updates lost (% of the expected count)"
set key top left
set grid
set yrange [-5:100]
set xtics 1
set offsets 0.3, 0.3, 0, 0
plot data.'/lost.dat' using 1:4 with linespoints lw 2 pt 7 title "yield between the read and the write", \
     data.'/lost.dat' using 1:6 with linespoints lw 2 pt 5 dt 2 title "counter\\_step: no yield between them", \
     (x - 1) / x * 100 with lines lw 1 lc rgb "gray" title "(n - 1) / n: one update per round survives"
