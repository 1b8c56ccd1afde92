# plots/02-races/lost.gp: % of updates lost by racy_count vs threads (median, min..max bars),
# beside coroutines on one thread (deterministic). Run by experiment.sh via plot.
set title sprintf("Lost updates on a shared counter without a lock\n{/*0.8 %s}", machine)
set xlabel "Threads (racy\\_count) or coroutines on one thread"
set ylabel "Updates lost (% of the expected count)"
set key top left
set grid
set yrange [0:100]
set xtics 1
set autoscale xfix
set offsets 0.3, 0.3, 0, 0
plot data.'/lost.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 title "threads, no lock (median, min..max)", \
     data.'/coro.dat' using 1:2 with linespoints lw 2 pt 5 title "coroutines, yield between read and write", \
     data.'/coro.dat' using 1:3 with linespoints lw 2 pt 9 dt 2 title "coroutines, yield after the write"
